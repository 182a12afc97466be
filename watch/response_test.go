package watch_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/internal/awsfake"
	"github.com/guardrails-go/guardrails/remediate"
	"github.com/guardrails-go/guardrails/watch"
)

const pantherAccount = "111111111111"

// pantherRecord returns the log of a Panther test.
func pantherRecord(t *testing.T, file, name string) *watch.Record {
	t.Helper()
	var tests []struct {
		Name string          `json:"name"`
		Log  json.RawMessage `json:"log"`
	}
	if err := json.Unmarshal(readFile(t, "realdata/panther-analysis/"+file), &tests); err != nil {
		t.Fatal(err)
	}
	for _, pt := range tests {
		if pt.Name == name {
			rec, err := watch.DecodeRecord(pt.Log)
			if err != nil {
				t.Fatal(err)
			}
			return rec
		}
	}
	t.Fatalf("no test %q in %s", name, file)
	return nil
}

func responder(t *testing.T, mode watch.ResponseMode, account string) (*watch.Watcher, *awsfake.Fake) {
	t.Helper()
	fake := awsfake.New(t)
	c := fake.Clients()
	clients := &remediate.Clients{S3: c.S3, S3Control: c.S3Control, EC2: c.EC2, CloudTrail: c.CloudTrail, IAM: c.IAM, KMS: c.KMS, RDS: c.RDS, Region: awsfake.Region}
	var regions []string
	w, err := watch.New(watch.WithResponse(watch.ResponseConfig{
		Mode: mode, AccountID: account,
		Clients: func(region string) (*remediate.Clients, error) {
			regions = append(regions, region)
			return clients, nil
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	return w, fake
}

const suspended = `<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status></VersioningConfiguration>`

func TestResponseDryRunPlansAndWritesNothing(t *testing.T) {
	w, fake := responder(t, watch.ResponseDryRun, pantherAccount)
	fake.Reply("s3:GetBucketVersioning", awsfake.OK(suspended))
	rec := pantherRecord(t, "aws_s3_suspend_versioning.json", "Versioning Suspended Successfully")
	f, err := w.Judge(context.Background(), rec)
	if err != nil || f == nil {
		t.Fatalf("Judge: %v %v", f, err)
	}
	want := []watch.Response{{
		Remediation: "s3-enable-versioning", ResourceType: "AWS::S3::Bucket", ResourceID: "important-files-bucket", DryRun: true,
		Actions: []watch.Action{{API: "s3:PutBucketVersioning", Resource: "arn:aws:s3:::important-files-bucket", Needed: true, Detail: "versioning is suspended; enable it"}},
	}}
	if diff := cmp.Diff(want, f.Response); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"s3:GetBucketVersioning"}, fake.APIs()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if calls := fake.Calls(); len(calls) == 1 && calls[0].Path != "/important-files-bucket" {
		t.Errorf("GetBucketVersioning path %q", calls[0].Path)
	}
}

func TestResponseApplyFixes(t *testing.T) {
	w, fake := responder(t, watch.ResponseApply, pantherAccount)
	fake.Reply("s3:GetBucketVersioning", awsfake.OK(suspended))
	fake.Reply("s3:PutBucketVersioning", awsfake.OK(""))
	rec := pantherRecord(t, "aws_s3_suspend_versioning.json", "Versioning Suspended Successfully")
	f, err := w.Judge(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Response) != 1 || !f.Response[0].Changed || f.Response[0].DryRun || !f.Response[0].Actions[0].Applied {
		t.Fatalf("response %+v, want one applied change", f.Response)
	}
	writes := fake.Writes()
	if len(writes) != 1 || !strings.Contains(string(writes[0].Body), "<Status>Enabled</Status>") {
		t.Errorf("writes %+v, want one PutBucketVersioning enabling versioning", writes)
	}
}

func TestResponseRefusals(t *testing.T) {
	for _, tc := range []struct {
		reason  string
		account string
		file    string
		test    string
		want    []watch.Response
	}{
		{"another account's change is not touched", "999999999999", "aws_s3_suspend_versioning.json", "Versioning Suspended Successfully",
			[]watch.Response{{Remediation: "s3-enable-versioning", DryRun: true, Error: "the change is in account 111111111111; the watcher responds in account 999999999999 only"}}},
		{"a failed call gets no response", pantherAccount, "aws_s3_suspend_versioning.json", "Versioning Change Failed", nil},
		{"an INFORMATIONAL change gets no response", pantherAccount, "aws_s3_suspend_versioning.json", "Versioning Enabled", nil},
		{"a required parameter not configured is refused before any request", pantherAccount, "aws_s3_disable_bucket_logging.json", "Bucket Logging Disabled Successfully",
			[]watch.Response{{Remediation: "s3-enable-access-logging", ResourceType: "AWS::S3::Bucket", ResourceID: "critical-data-bucket", DryRun: true,
				Error: "invalid remediation target: parameter targetBucket is required"}}},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			w, fake := responder(t, watch.ResponseDryRun, tc.account)
			f, err := w.Judge(context.Background(), pantherRecord(t, tc.file, tc.test))
			if err != nil || f == nil {
				t.Fatalf("Judge: %v %v", f, err)
			}
			if diff := cmp.Diff(tc.want, f.Response); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if calls := fake.APIs(); len(calls) > 0 {
				t.Errorf("calls %v, want none", calls)
			}
		})
	}
}

func TestResponseNoTarget(t *testing.T) {
	w, _ := responder(t, watch.ResponseDryRun, "498376118699")
	rec, err := watch.DecodeRecord(stratusRecords(t)[3]) // DeleteFlowLogs
	if err != nil {
		t.Fatal(err)
	}
	f, err := w.Judge(context.Background(), rec)
	if err != nil {
		t.Fatal(err)
	}
	want := []watch.Response{{Remediation: "vpc-enable-flow-logs", DryRun: true, Error: "no target: the record names the flow logs, not the VPC they logged"}}
	if diff := cmp.Diff(want, f.Response); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWithResponseChecksItsConfiguration(t *testing.T) {
	clients := func(string) (*remediate.Clients, error) { return &remediate.Clients{}, nil }
	for _, tc := range []struct {
		reason string
		cfg    watch.ResponseConfig
		want   string
	}{
		{"unknown mode", watch.ResponseConfig{Mode: "yolo", AccountID: "111122223333", Clients: clients}, `response mode "yolo"`},
		{"no account", watch.ResponseConfig{Mode: watch.ResponseApply, Clients: clients}, "account id"},
		{"no clients", watch.ResponseConfig{Mode: watch.ResponseApply, AccountID: "111122223333"}, "no clients"},
		{"parameters of an unknown remediation", watch.ResponseConfig{Mode: watch.ResponseDryRun, AccountID: "111122223333", Clients: clients,
			Parameters: map[string]map[string]string{"s3-make-safe": {}}}, `unknown remediation "s3-make-safe"`},
		{"an unknown parameter", watch.ResponseConfig{Mode: watch.ResponseDryRun, AccountID: "111122223333", Clients: clients,
			Parameters: map[string]map[string]string{"s3-enable-access-logging": {"bucket": "x"}}}, `has no parameter "bucket"`},
	} {
		_, err := watch.New(watch.WithResponse(tc.cfg))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.reason, err, tc.want)
		}
	}
	for in, want := range map[string]watch.ResponseMode{"": watch.ResponseOff, "OFF": watch.ResponseOff, "dry-run": watch.ResponseDryRun, "apply": watch.ResponseApply} {
		if got, err := watch.ParseResponseMode(in); err != nil || got != want {
			t.Errorf("ParseResponseMode(%q) = %q, %v", in, got, err)
		}
	}
}
