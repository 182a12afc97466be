package facts_test

import (
	"errors"
	"fmt"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
)

func ExampleParseCredentialReport() {
	report := []byte(`user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T08:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
ana,arn:aws:iam::111122223333:user/ana,2024-03-01T00:00:00+00:00,true,no_information,2024-03-01T00:00:00+00:00,N/A,false,true,2024-03-01T00:00:00+00:00,2026-11-19T10:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`)
	rep, err := facts.ParseCredentialReport(report)
	if err != nil {
		fmt.Println(err)
		return
	}
	root, _ := rep.Root()
	ana, _ := rep.User("ana", "arn:aws:iam::111122223333:user/ana")
	fmt.Println("root MFA:", root.MFAActive.True(), "root password:", root.PasswordEnabled.Status)
	fmt.Println("ana password last used:", ana.PasswordLastUsed.Status)
	fmt.Println("ana key 1 rotated:", ana.AccessKeys[0].LastRotated.Value.Format("2006-01-02"))
	// Output:
	// root MFA: true root password: not_supported
	// ana password last used: no_information
	// ana key 1 rotated: 2024-03-01
}

func ExampleParsePasswordPolicy() {
	_, err := facts.ParsePasswordPolicy([]byte(`{"Error": {"Code": "NoSuchEntity"}}`))
	fmt.Println(errors.Is(err, evaluate.ErrNotFound))
	p, _ := facts.ParsePasswordPolicy([]byte(`{"PasswordPolicy": {"MinimumPasswordLength": 14, "RequireSymbols": true}}`))
	fmt.Println(*p.MinimumPasswordLength, p.RequireSymbols, p.MaxPasswordAge == nil)
	// Output:
	// true
	// 14 true true
}

func ExampleParsePublicSnapshots() {
	// What aws ec2 describe-snapshots --owner-ids self
	// --restorable-by-user-ids all prints.
	snaps, err := facts.ParsePublicSnapshots([]byte(`{"Snapshots": [{"SnapshotId": "snap-066877671789bd71b", "VolumeId": "vol-049df61146c4d7901", "State": "completed", "VolumeSize": 8}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range snaps {
		fmt.Println(s.SnapshotId, s.State, *s.VolumeSize)
	}
	// Output:
	// snap-066877671789bd71b completed 8
}
