package facts

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
)

func ptr[T any](v T) *T { return &v }

// errorCheck says what error a case wants: none (""), a *NotExistError
// ("not exist"), one wrapping evaluate.ErrUnknown ("unknown"), or a
// malformed-fact error containing the text.
func errorCheck(t *testing.T, err error, want string) {
	t.Helper()
	switch want {
	case "":
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
	case "not exist":
		var ne *NotExistError
		if !errors.As(err, &ne) || !errors.Is(err, evaluate.ErrNotFound) {
			t.Fatalf("error %v, want a *NotExistError wrapping evaluate.ErrNotFound", err)
		}
	case "unknown":
		if !errors.Is(err, evaluate.ErrUnknown) {
			t.Fatalf("error %v, want one wrapping evaluate.ErrUnknown", err)
		}
	default:
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("error %v, want one containing %q", err, want)
		}
		if errors.Is(err, evaluate.ErrUnknown) || errors.Is(err, evaluate.ErrNotFound) {
			t.Fatalf("error %v: a malformed fact must not read as unknown or not found", err)
		}
	}
}

func TestParsePasswordPolicy(t *testing.T) {
	cases := []struct {
		reason  string
		data    string
		want    *PasswordPolicy
		wantErr string
	}{
		{
			reason: "the policy of cloud-custodian's recording, without MaxPasswordAge, PasswordReusePrevention or HardExpiry",
			data: `{
    "PasswordPolicy": {
        "MinimumPasswordLength": 10,
        "RequireSymbols": false,
        "RequireNumbers": false,
        "RequireUppercaseCharacters": false,
        "RequireLowercaseCharacters": false,
        "AllowUsersToChangePassword": false,
        "ExpirePasswords": false
    }
}`,
			want: &PasswordPolicy{MinimumPasswordLength: ptr(10)},
		},
		{
			reason: "a strict policy",
			data:   `{"PasswordPolicy": {"MinimumPasswordLength": 14, "RequireSymbols": true, "RequireNumbers": true, "RequireUppercaseCharacters": true, "RequireLowercaseCharacters": true, "AllowUsersToChangePassword": true, "ExpirePasswords": true, "MaxPasswordAge": 90, "PasswordReusePrevention": 24, "HardExpiry": false}}`,
			want: &PasswordPolicy{MinimumPasswordLength: ptr(14), RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
				RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, ExpirePasswords: true, MaxPasswordAge: ptr(90), PasswordReusePrevention: ptr(24), HardExpiry: ptr(false)},
		},
		{reason: "no policy: the recorded NoSuchEntity error", data: `{"Error": {"Code": "NoSuchEntity", "Message": "The Password Policy with domain name xyz cannot be found.", "Type": "Sender"}}`, wantErr: "not exist"},
		{reason: "an access denied answer says nothing about the policy", data: `{"Error": {"Code": "AccessDenied"}}`, wantErr: "unknown"},
		{reason: "an empty file (the CLI prints nothing on an error) is not taken for no policy", data: "  \n", wantErr: "empty"},
		{reason: "JSON without PasswordPolicy", data: `{"SummaryMap": {}}`, wantErr: "PasswordPolicy: missing"},
		{reason: "a number written as a string", data: `{"PasswordPolicy": {"MinimumPasswordLength": "14"}}`, wantErr: "MinimumPasswordLength"},
		{reason: "not JSON", data: `MinimumPasswordLength: 14`, wantErr: PasswordPolicyFile},
		{reason: "an error document without a code", data: `{"Error": {"Message": "x"}}`, wantErr: "Error.Code: missing"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			got, err := ParsePasswordPolicy([]byte(c.data))
			errorCheck(t, err, c.wantErr)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAccountSummary(t *testing.T) {
	cases := []struct {
		reason  string
		data    string
		want    AccountSummary
		wantErr string
	}{
		{
			reason: "the CLI's output",
			data:   `{"SummaryMap": {"Users": 27, "AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 1, "AccountSigningCertificatesPresent": 0, "PolicyVersionsInUseQuota": 10000}}`,
			want:   AccountSummary{"Users": 27, "AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "AccountPasswordPresent": 1, "AccountSigningCertificatesPresent": 0, "PolicyVersionsInUseQuota": 10000},
		},
		{reason: "no SummaryMap", data: `{}`, wantErr: "SummaryMap: missing"},
		{reason: "a fraction", data: `{"SummaryMap": {"Users": 2.5}}`, wantErr: "SummaryMap.Users: want an integer"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			got, err := ParseAccountSummary([]byte(c.data))
			errorCheck(t, err, c.wantErr)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	s, _ := ParseAccountSummary([]byte(`{"SummaryMap": {"AccountMFAEnabled": 0}}`))
	if v, ok := s.Value("AccountMFAEnabled"); !ok || v != 0 {
		t.Errorf("Value(AccountMFAEnabled) = %d, %v; want 0, true", v, ok)
	}
	if _, ok := s.Value("AccountPasswordPresent"); ok {
		t.Errorf("Value(AccountPasswordPresent) found in a summary without it")
	}
}

func TestParseEBSAndPublicAccessBlock(t *testing.T) {
	ebs, err := ParseEBSEncryptionByDefault([]byte(`{"EbsEncryptionByDefault": true, "SseType": "sse-ebs"}`))
	errorCheck(t, err, "")
	if diff := cmp.Diff(&EBSEncryptionByDefault{EbsEncryptionByDefault: true, SseType: "sse-ebs"}, ebs); diff != "" {
		t.Errorf("EBS (-want +got):\n%s", diff)
	}
	_, err = ParseEBSEncryptionByDefault([]byte(`{"SseType": "sse-ebs"}`))
	errorCheck(t, err, "EbsEncryptionByDefault: missing")

	pab, err := ParsePublicAccessBlock([]byte(`{"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": false, "RestrictPublicBuckets": true}}`))
	errorCheck(t, err, "")
	if diff := cmp.Diff(&PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, RestrictPublicBuckets: true}, pab); diff != "" {
		t.Errorf("public access block (-want +got):\n%s", diff)
	}
	_, err = ParsePublicAccessBlock([]byte(`{"Error": {"Code": "NoSuchPublicAccessBlockConfiguration", "Message": "The public access block configuration was not found"}}`))
	errorCheck(t, err, "not exist")
	_, err = ParsePublicAccessBlock([]byte(`{"PublicAccessBlockConfiguration": {"BlockPublicAcls": "yes"}}`))
	errorCheck(t, err, "BlockPublicAcls")
}

func TestParseTrailStatus(t *testing.T) {
	cases := []struct {
		reason  string
		data    string
		want    *TrailStatus
		wantErr string
	}{
		{
			reason: "CLI v2, ISO 8601 times",
			data:   `{"IsLogging": true, "LatestDeliveryTime": "2026-11-20T11:55:31.474000+00:00", "LatestCloudWatchLogsDeliveryTime": "2026-11-20T11:58:02.182000+00:00", "StartLoggingTime": "2025-01-01T00:00:00+00:00", "TimeLoggingStarted": "2025-01-01T00:00:00Z", "LatestDeliveryAttemptSucceeded": "2026-11-20T11:55:31Z"}`,
			want: &TrailStatus{IsLogging: ptr(true),
				LatestDeliveryTime:               CLITime{time.Date(2026, 11, 20, 11, 55, 31, 474000000, time.UTC)},
				LatestCloudWatchLogsDeliveryTime: CLITime{time.Date(2026, 11, 20, 11, 58, 2, 182000000, time.UTC)},
				StartLoggingTime:                 CLITime{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}},
		},
		{
			reason: "CLI v1, epoch seconds",
			data:   `{"IsLogging": false, "StopLoggingTime": 1569605832.673}`,
			want:   &TrailStatus{IsLogging: ptr(false), StopLoggingTime: CLITime{time.Date(2019, 9, 27, 17, 37, 12, 673000000, time.UTC)}},
		},
		{reason: "the trail is gone", data: `{"Error": {"Code": "TrailNotFoundException"}}`, wantErr: "not exist"},
		{reason: "no IsLogging", data: `{"LatestDeliveryTime": 1569605832}`, wantErr: "IsLogging: missing"},
		{reason: "a time that is not one", data: `{"IsLogging": true, "LatestDeliveryTime": "soon"}`, wantErr: "want an ISO 8601 time"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			got, err := ParseTrailStatus("main", []byte(c.data))
			errorCheck(t, err, c.wantErr)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err != nil && c.wantErr != "not exist" && !strings.Contains(err.Error(), "cloudtrail-get-trail-status-main.json") {
				t.Errorf("error %q does not name the fact", err)
			}
		})
	}
}

func TestParseEventSelectors(t *testing.T) {
	basic := `{
    "TrailARN": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main",
    "EventSelectors": [{
        "ReadWriteType": "All",
        "IncludeManagementEvents": true,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}],
        "ExcludeManagementEventSources": []
    }]
}`
	got, err := ParseEventSelectors("main", []byte(basic))
	errorCheck(t, err, "")
	want := &EventSelectors{TrailARN: "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main", EventSelectors: []EventSelector{{
		ReadWriteType: "All", IncludeManagementEvents: ptr(true),
		DataResources: []DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}}, ExcludeManagementEventSources: []string{},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("basic (-want +got):\n%s", diff)
	}
	advanced := `{"AdvancedEventSelectors": [{"Name": "S3 data", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}]}`
	got, err = ParseEventSelectors("main", []byte(advanced))
	errorCheck(t, err, "")
	if len(got.AdvancedEventSelectors) != 1 || len(got.AdvancedEventSelectors[0].FieldSelectors) != 2 {
		t.Errorf("advanced: %+v", got)
	}
	_, err = ParseEventSelectors("main", []byte(`{"EventSelectors": [{"ReadWriteType": "Everything"}]}`))
	errorCheck(t, err, "EventSelectors[0].ReadWriteType")
	_, err = ParseEventSelectors("main", []byte(`{"AdvancedEventSelectors": [{"FieldSelectors": [{"Equals": ["Data"]}]}]}`))
	errorCheck(t, err, "AdvancedEventSelectors[0].FieldSelectors[0].Field: missing")
}

func TestNames(t *testing.T) {
	if got := TrailStatusFile("org-trail"); got != "cloudtrail-get-trail-status-org-trail.json" {
		t.Errorf("TrailStatusFile = %q", got)
	}
	cases := []struct {
		name        string
		prefix, trl string
		ok          bool
	}{
		{"cloudtrail-get-trail-status-main.json", trailStatusPrefix, "main", true},
		{"cloudtrail-get-event-selectors-a.b_c-d.json", eventSelectorsPrefix, "a.b_c-d", true},
		{"cloudtrail-get-trail-status-../x.json", "", "", false},
		{"cloudtrail-get-trail-status-.json", "", "", false},
		{"cloudtrail-get-trail-status-main.csv", "", "", false},
	}
	for _, c := range cases {
		p, trl, ok := trailFact(c.name)
		if p != c.prefix || trl != c.trl || ok != c.ok {
			t.Errorf("trailFact(%q) = %q, %q, %v; want %q, %q, %v", c.name, p, trl, ok, c.prefix, c.trl, c.ok)
		}
	}
}

func TestParsePublicSnapshots(t *testing.T) {
	cliV2 := `{
    "Snapshots": [
        {
            "Description": "Created by CreateImage(i-0abc) for ami-0def",
            "Encrypted": false,
            "OwnerId": "111122223333",
            "Progress": "100%",
            "SnapshotId": "snap-066877671789bd71b",
            "StartTime": "2026-02-28T21:28:32.000Z",
            "State": "completed",
            "VolumeId": "vol-049df61146c4d7901",
            "VolumeSize": 8,
            "StorageTier": "standard"
        }
    ]
}`
	cases := []struct {
		reason  string
		data    string
		want    []Snapshot
		wantErr string
	}{
		{
			reason: "one public snapshot, as the CLI prints it",
			data:   cliV2,
			want: []Snapshot{{Description: ptr("Created by CreateImage(i-0abc) for ami-0def"), Encrypted: ptr(false), OwnerId: "111122223333",
				Progress: "100%", SnapshotId: "snap-066877671789bd71b", StartTime: CLITime{time.Date(2026, 2, 28, 21, 28, 32, 0, time.UTC)},
				State: "completed", VolumeId: "vol-049df61146c4d7901", VolumeSize: ptr(8), StorageTier: "standard"}},
		},
		{reason: "none public", data: `{"Snapshots": []}`, want: []Snapshot{}},
		{reason: "not the describe-snapshots output", data: `{"EbsEncryptionByDefault": true}`, wantErr: "ec2-describe-snapshots-public.json Snapshots: missing"},
		{reason: "a snapshot without its id", data: `{"Snapshots": [{"SnapshotId": "snap-1"}, {"VolumeId": "vol-1"}]}`, wantErr: "Snapshots[1].SnapshotId: missing"},
		{reason: "a size that is not a number", data: `{"Snapshots": [{"SnapshotId": "snap-1", "VolumeSize": "big"}]}`, wantErr: "VolumeSize"},
		{reason: "an empty file", data: ``, wantErr: "empty"},
		{reason: "the API refused", data: `{"Error": {"Code": "UnauthorizedOperation"}}`, wantErr: "unknown"},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			got, err := ParsePublicSnapshots([]byte(c.data))
			errorCheck(t, err, c.wantErr)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
