package facts

import (
	"encoding/base64"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
)

func mustTime(s string) Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return Time{Value: t.UTC()}
}

func readReport(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/credential-report-cloud-custodian.csv")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseCredentialReportRealFile(t *testing.T) {
	rep, err := ParseCredentialReport(readReport(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rep.Credentials); got != 21 {
		t.Fatalf("%d rows, want 21", got)
	}
	root, err := rep.Root()
	if err != nil {
		t.Fatal(err)
	}
	wantRoot := Credential{
		Line: 2, User: RootUser, ARN: "arn:aws:iam::644160558196:root",
		UserCreationTime:     mustTime("2016-05-16T18:13:11+00:00"),
		PasswordEnabled:      Flag{Status: NotSupported},
		PasswordLastUsed:     mustTime("2016-10-06T15:47:11+00:00"),
		PasswordLastChanged:  Time{Status: NotSupported},
		PasswordNextRotation: Time{Status: NotSupported},
		MFAActive:            Flag{Value: true},
		AccessKeys: [2]AccessKey{
			{Active: Flag{}, LastRotated: Time{Status: NotApplicable}, LastUsedDate: Time{Status: NotApplicable}},
			{Active: Flag{}, LastRotated: Time{Status: NotApplicable}, LastUsedDate: Time{Status: NotApplicable}},
		},
		Certificates: [2]Certificate{{LastRotated: Time{Status: NotApplicable}}, {LastRotated: Time{Status: NotApplicable}}},
	}
	if diff := cmp.Diff(wantRoot, *root); diff != "" {
		t.Errorf("root row (-want +got):\n%s", diff)
	}
	if !root.Root() || root.AccessKeys[0].Exists() || root.AccessKeys[1].Exists() {
		t.Errorf("root: Root() %v, key 1 exists %v, key 2 exists %v; want true, false, false", root.Root(), root.AccessKeys[0].Exists(), root.AccessKeys[1].Exists())
	}

	andrew, err := rep.User("andrew", "arn:aws:iam::644160558196:user/andrew")
	if err != nil {
		t.Fatal(err)
	}
	wantKey2 := AccessKey{
		Active:          Flag{Value: true},
		LastRotated:     mustTime("2016-08-30T19:05:50+00:00"),
		LastUsedDate:    mustTime("2016-10-20T20:27:00+00:00"),
		LastUsedRegion:  "us-east-1",
		LastUsedService: "ec2",
	}
	if diff := cmp.Diff(wantKey2, andrew.AccessKeys[1]); diff != "" {
		t.Errorf("andrew's second key (-want +got):\n%s", diff)
	}
	if andrew.MFAActive.True() || !andrew.PasswordEnabled.True() {
		t.Errorf("andrew: mfa %v, password %v; want false, true", andrew.MFAActive, andrew.PasswordEnabled)
	}

	jeff, err := rep.User("jeff", "")
	if err != nil {
		t.Fatal(err)
	}
	if jeff.PasswordLastUsed.Status != NoInformation {
		t.Errorf("jeff's password_last_used: %v, want no_information", jeff.PasswordLastUsed.Status)
	}
	// calvin's key was used in no region: the region is N/A, the service s3.
	calvin, err := rep.User("calvin", "")
	if err != nil {
		t.Fatal(err)
	}
	if calvin.AccessKeys[0].LastUsedRegion != "" || calvin.AccessKeys[0].LastUsedService != "s3" {
		t.Errorf("calvin's key: region %q service %q, want \"\" and s3", calvin.AccessKeys[0].LastUsedRegion, calvin.AccessKeys[0].LastUsedService)
	}
}

func TestParseCredentialReportCLIJSON(t *testing.T) {
	csvText := readReport(t)
	cli := `{"Content": "` + base64.StdEncoding.EncodeToString(csvText) + `", "ReportFormat": "text/csv", "GeneratedTime": "2017-02-22T23:07:48+00:00"}`
	fromJSON, err := ParseCredentialReport([]byte(cli))
	if err != nil {
		t.Fatal(err)
	}
	fromCSV, err := ParseCredentialReport(csvText)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fromCSV.Credentials, fromJSON.Credentials); diff != "" {
		t.Errorf("CLI JSON and CSV differ (-csv +json):\n%s", diff)
	}
}

const header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"

const aliceRow = "alice,arn:aws:iam::111122223333:user/alice,2024-01-02T03:04:05+00:00,true,2026-11-01T00:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,false,true,2026-05-01T00:00:00+00:00,2026-11-19T10:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"

func TestParseCredentialReportErrors(t *testing.T) {
	cases := []struct {
		reason string
		data   string
		want   []string // substrings of the error
	}{
		{"empty input", "", []string{CredentialReportFile, "empty"}},
		{"a header without the mfa_active column", strings.Replace(header, "mfa_active,", "", 1), []string{"line 1", "no column mfa_active"}},
		{"a time that is not ISO 8601", header + strings.Replace(aliceRow, "2024-01-02T03:04:05+00:00", "yesterday", 1), []string{"line 2", "column user_creation_time", `"yesterday"`}},
		{"a flag that is not true or false", header + aliceRow + strings.Replace(aliceRow, ",true,2026-11-01", ",yes,2026-11-01", 1), []string{"line 3", "column password_enabled", `"yes"`}},
		{"a row with a missing field", header + aliceRow[:strings.LastIndex(aliceRow, ",")] + "\n", []string{"line 2", "wrong number of fields"}},
		{"an empty user", header + strings.Replace(aliceRow, "alice,", ",", 1), []string{"line 2", "column user", "empty"}},
		{"JSON without Content", `{"ReportFormat": "text/csv"}`, []string{"without Content"}},
		{"JSON whose Content is not base64", `{"Content": "%%%"}`, []string{"not base64"}},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			_, err := ParseCredentialReport([]byte(c.data))
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestCredentialReportUser(t *testing.T) {
	dup := header + aliceRow + aliceRow + strings.Replace(aliceRow, "alice", "bob", 2) +
		strings.Replace(strings.Replace(aliceRow, "alice", "bob", 2), ",false,true,", ",true,true,", 1)
	rep, err := ParseCredentialReport([]byte(dup))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		reason      string
		name, arn   string
		wantLine    int
		wantUnknown bool
		wantErr     string
	}{
		{"identical duplicate rows are one user", "alice", "arn:aws:iam::111122223333:user/alice", 2, false, ""},
		{"found by name alone", "alice", "", 2, false, ""},
		{"rows that disagree are an error", "bob", "", 0, false, "listed 2 times with different values"},
		{"a user the report does not list is unknown", "carol", "arn:aws:iam::111122223333:user/carol", 0, true, "not in the credential report"},
		{"another user of the same name is not this one", "alice", "arn:aws:iam::111122223333:user/team/alice", 0, true, "not in the credential report"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			got, err := rep.User(c.name, c.arn)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, c.wantErr)
				}
				if got := errors.Is(err, evaluate.ErrUnknown); got != c.wantUnknown {
					t.Errorf("errors.Is(err, ErrUnknown) = %v, want %v", got, c.wantUnknown)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Line != c.wantLine {
				t.Errorf("line %d, want %d", got.Line, c.wantLine)
			}
		})
	}
	if _, err := rep.Root(); !errors.Is(err, evaluate.ErrUnknown) {
		t.Errorf("Root of a report without the root row: %v, want ErrUnknown", err)
	}
	// The real report lists christopher twice, with different values.
	real, err := ParseCredentialReport(readReport(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := real.User("christopher", "arn:aws:iam::644160558196:user/christopher"); err == nil || !strings.Contains(err.Error(), "line 10") {
		t.Errorf("christopher: %v, want an error naming line 10, the second row", err)
	}
}
