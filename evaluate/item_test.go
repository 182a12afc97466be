package evaluate

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compactJSON normalises JSON text for comparison.
func compactJSON(t testing.TB, raw []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("invalid JSON %q: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDecodeItemShapes(t *testing.T) {
	tests := []struct {
		reason string
		file   string
		want   ConfigurationItem
		conf   string            // compacted configuration
		supp   map[string]string // compacted supplementary values
	}{
		{
			reason: "notification shape: ARN, awsAccountId, numeric state id, objects",
			file:   "notification-s3-bucket.json",
			want: ConfigurationItem{
				Version: "1.3", CaptureTime: time.Date(2019, 2, 12, 7, 29, 16, 288e6, time.UTC),
				Status: StatusOK, StateID: "1549956556288", AccountID: "934654633380",
				ResourceType: "AWS::S3::Bucket", ResourceID: "mborch-test-bucket-config-item",
				ResourceName: "mborch-test-bucket-config-item", ARN: "arn:aws:s3:::mborch-test-bucket-config-item",
				Region: "us-east-1", AvailabilityZone: "Regional",
				ResourceCreationTime: time.Date(2019, 2, 12, 7, 21, 45, 0, time.UTC),
			},
			conf: `{"creationDate":"2019-02-12T07:21:45.000Z","name":"mborch-test-bucket-config-item","owner":{"displayName":null,"id":"8ac813c84b8ad4d9f3e35f80aaeb254f85922a902ce87ed6b49ccbfa188f5a12"}}`,
			supp: map[string]string{
				"BucketVersioningConfiguration": `{"isMfaDeleteEnabled":null,"status":"Enabled"}`,
				"IsRequesterPaysEnabled":        `false`,
				// The ACL is a JSON string even in notifications: decoded.
				"AccessControlList": `{"grantList":[{"grantee":{"displayName":null,"id":"8ac813c84b8ad4d9f3e35f80aaeb254f85922a902ce87ed6b49ccbfa188f5a12"},"permission":"FullControl"}],"grantSet":null,"isRequesterCharged":false,"owner":{"displayName":null,"id":"8ac813c84b8ad4d9f3e35f80aaeb254f85922a902ce87ed6b49ccbfa188f5a12"}}`,
			},
		},
		{
			reason: "API shape: arn, accountId, configuration and supplementary values as strings, ACL encoded twice, time with offset",
			file:   "api-s3-bucket.json",
			want: ConfigurationItem{
				Version: "1.2", CaptureTime: time.Date(2017, 2, 4, 11, 10, 33, 880e6, time.UTC),
				Status: StatusResourceDiscovered, StateID: "1486206633880", AccountID: "644160558196",
				ResourceType: "AWS::S3::Bucket", ResourceID: "config-rule-sanity", ResourceName: "config-rule-sanity",
				ARN: "arn:aws:s3:::config-rule-sanity", Region: "us-east-2", AvailabilityZone: "Regional",
				ResourceCreationTime: time.Date(2017, 2, 4, 11, 6, 27, 0, time.UTC),
				Tags:                 map[string]string{"Planet": "Earth", "Verbose": "Game"},
			},
			conf: `{"creationDate":"2017-02-04T11:06:27.000Z","name":"config-rule-sanity","owner":{"displayName":"mandeep.bal","id":"e7c8bb65a5fc49cf906715eae09de9e4bb7861a96361ba79b833aa45f6833b15"}}`,
			supp: map[string]string{
				"BucketVersioningConfiguration": `{"isMfaDeleteEnabled":null,"status":"Off"}`,
				"IsRequesterPaysEnabled":        `false`,
				"BucketPolicy":                  `{"policyText":null}`,
				"AccessControlList":             `{"grantList":[{"grantee":{"displayName":null,"id":"e7c8bb65a5fc49cf906715eae09de9e4bb7861a96361ba79b833aa45f6833b15"},"permission":"FullControl"}],"grantSet":null,"isRequesterCharged":false,"owner":{"displayName":null,"id":"e7c8bb65a5fc49cf906715eae09de9e4bb7861a96361ba79b833aa45f6833b15"}}`,
			},
		},
	}
	for _, tc := range tests {
		ci, err := DecodeItem(readTestdata(t, tc.file))
		if err != nil {
			t.Errorf("%s: %v", tc.reason, err)
			continue
		}
		got := *ci
		got.Configuration, got.SupplementaryConfiguration, got.Relationships = nil, nil, nil
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateApproxTime(0), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s: envelope (-want +got):\n%s", tc.reason, diff)
		}
		if c := compactJSON(t, ci.Configuration); c != tc.conf {
			t.Errorf("%s: configuration\n got %s\nwant %s", tc.reason, c, tc.conf)
		}
		for k, want := range tc.supp {
			if got := compactJSON(t, ci.SupplementaryConfiguration[k]); got != want {
				t.Errorf("%s: supplementaryConfiguration.%s\n got %s\nwant %s", tc.reason, k, got, want)
			}
		}
	}
}

func TestDecodeItemRelationshipsAndEpochTimes(t *testing.T) {
	var out []*ConfigurationItem
	for ci, err := range Read(strings.NewReader(string(readTestdata(t, "api-history-security-group.json"))), "history") {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ci)
	}
	if len(out) != 1 {
		t.Fatalf("%d items, want 1", len(out))
	}
	ci := out[0]
	if want := time.Unix(1414708529, 922e6).UTC(); !ci.CaptureTime.Equal(want) {
		t.Errorf("capture time %v, want %v (epoch seconds as a number)", ci.CaptureTime, want)
	}
	want := Relationship{ResourceType: "AWS::EC2::Instance", ResourceID: "i-7a3b232a", Name: "Is associated with Instance"}
	if len(ci.Relationships) != 4 || ci.Relationships[0] != want {
		t.Errorf("relationships %+v, want 4 starting with %+v (relationshipName read as Name)", ci.Relationships, want)
	}
}

func TestDecodeItemErrors(t *testing.T) {
	tests := []struct {
		reason string
		in     string
		want   string
	}{
		{"resource id of the wrong type", `{"resourceType":"AWS::S3::Bucket","resourceId":123}`, "resourceId: want a string, got number"},
		{"tags not an object", `{"resourceType":"AWS::S3::Bucket","resourceId":"b","tags":[1]}`, "tags: want an object, got array"},
		{"configuration a number", `{"resourceType":"AWS::S3::Bucket","resourceId":"b","configuration":5}`, "configuration: want an object or a JSON string, got 5"},
		{"configuration a string that is not an object", `{"resourceType":"AWS::S3::Bucket","resourceId":"b","configuration":"[1]"}`, "configuration: the string does not hold a JSON object"},
		{"unknown status", `{"resourceType":"AWS::S3::Bucket","resourceId":"b","configurationItemStatus":"Gone"}`, `configurationItemStatus: unknown status "Gone"`},
		{"bad capture time", `{"resourceType":"AWS::S3::Bucket","configurationItemCaptureTime":"yesterday"}`, `configurationItemCaptureTime: want an ISO 8601 time, got "yesterday"`},
		{"state id an object", `{"resourceType":"AWS::S3::Bucket","configurationStateId":{}}`, "configurationStateId: want a string or a number"},
		{"not an object", `[1,2]`, "want a JSON object, got array"},
		{"malformed", `{"resourceType": "AWS::S3::Bucket",}`, "malformed JSON"},
	}
	for _, tc := range tests {
		_, err := DecodeItem([]byte(tc.in))
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.reason, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want it to contain %q", tc.reason, err, tc.want)
		}
	}
}

func TestDeletedItems(t *testing.T) {
	for _, in := range []string{
		`{"resourceType":"AWS::S3::Bucket","resourceId":"b","configurationItemStatus":"ResourceDeleted","configuration":null,"supplementaryConfiguration":{}}`,
		`{"resourceType":"AWS::S3::Bucket","resourceId":"b","configurationItemStatus":"ResourceDeleted","configuration":"null"}`,
	} {
		ci, err := DecodeItem([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if ci.Configuration != nil || !ci.Status.Deleted() {
			t.Errorf("%s: configuration %q, deleted %v; want nil and true", in, ci.Configuration, ci.Status.Deleted())
		}
	}
}

// TestMarshalRoundTrip writes items in the notification shape and reads
// them back unchanged, whichever shape they came in.
func TestMarshalRoundTrip(t *testing.T) {
	for _, file := range []string{"notification-s3-bucket.json", "api-s3-bucket.json"} {
		ci, err := DecodeItem(readTestdata(t, file))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(ci)
		if err != nil {
			t.Fatal(err)
		}
		var back ConfigurationItem
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: reading back %s: %v", file, b, err)
		}
		if diff := cmp.Diff(ci, &back, cmpopts.EquateEmpty(), cmp.Comparer(jsonEqual)); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", file, diff)
		}
		if !strings.Contains(string(b), `"ARN":`) || !strings.Contains(string(b), `"awsAccountId":`) {
			t.Errorf("%s: marshalled item is not in the notification shape: %s", file, b)
		}
	}
}

func jsonEqual(a, b json.RawMessage) bool {
	if len(a) == 0 || len(b) == 0 {
		return len(a) == len(b)
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	return cmp.Equal(x, y)
}

func TestFromAPI(t *testing.T) {
	capture := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	in := types.ConfigurationItem{
		AccountId: aws.String("111122223333"), Arn: aws.String("arn:aws:s3:::b"),
		AwsRegion: aws.String("eu-west-1"), ResourceType: types.ResourceTypeBucket,
		ResourceId: aws.String("b"), ResourceName: aws.String("b"), ConfigurationItemCaptureTime: &capture,
		ConfigurationItemStatus: types.ConfigurationItemStatusOk, ConfigurationStateId: aws.String("42"),
		Configuration: aws.String(`{"name":"b"}`),
		SupplementaryConfiguration: map[string]string{
			"BucketVersioningConfiguration": `{"status":"Enabled","isMfaDeleteEnabled":null}`,
			"IsRequesterPaysEnabled":        "false",
			"AccessControlList":             `"{\"grantList\":[]}"`,
		},
		Relationships: []types.Relationship{{RelationshipName: aws.String("Is associated with"), ResourceId: aws.String("x"), ResourceType: types.ResourceTypeVpc}},
		Tags:          map[string]string{"team": "data"},
	}
	ci, err := FromAPI(in)
	if err != nil {
		t.Fatal(err)
	}
	want := &ConfigurationItem{
		CaptureTime: capture, Status: StatusOK, StateID: "42", AccountID: "111122223333",
		ResourceType: "AWS::S3::Bucket", ResourceID: "b", ResourceName: "b", ARN: "arn:aws:s3:::b", Region: "eu-west-1",
		Tags:          map[string]string{"team": "data"},
		Relationships: []Relationship{{ResourceType: "AWS::EC2::VPC", ResourceID: "x", Name: "Is associated with"}},
		Configuration: json.RawMessage(`{"name":"b"}`),
		SupplementaryConfiguration: map[string]json.RawMessage{
			"BucketVersioningConfiguration": json.RawMessage(`{"status":"Enabled","isMfaDeleteEnabled":null}`),
			"IsRequesterPaysEnabled":        json.RawMessage(`false`),
			"AccessControlList":             json.RawMessage(`{"grantList":[]}`),
		},
	}
	if diff := cmp.Diff(want, ci, cmp.Comparer(jsonEqual)); diff != "" {
		t.Errorf("FromAPI (-want +got):\n%s", diff)
	}
	base, err := FromBaseItem(types.BaseConfigurationItem{
		ResourceType: types.ResourceTypeBucket, ResourceId: aws.String("b"), Configuration: aws.String(`"not an object"`),
	})
	if err == nil {
		t.Errorf("FromBaseItem of a configuration that is not an object: got %+v, want an error", base)
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "configuration" {
		t.Errorf("error %v, want a FieldError naming configuration", err)
	}
}

func TestCutAnnotation(t *testing.T) {
	long := strings.Repeat("a", 255) + "é" // é is two bytes: the cut falls inside it
	tests := []struct {
		reason, in, want string
	}{
		{"short", "fine", "fine"},
		{"exactly 256", strings.Repeat("x", 256), strings.Repeat("x", 256)},
		{"cut inside a rune", long, strings.Repeat("a", 255)},
		{"multi-byte everywhere", strings.Repeat("✓", 100), strings.Repeat("✓", 85)},
	}
	for _, tc := range tests {
		if got := CutAnnotation(tc.in); got != tc.want {
			t.Errorf("%s: got %d bytes, want %d", tc.reason, len(got), len(tc.want))
		}
	}
}

// TestUnwrapLevels: the fast and the encoding/json decoders unwrap the same
// number of string layers from a supplementary value.
func TestUnwrapLevels(t *testing.T) {
	v := `{"a":1}`
	for range 5 {
		b, _ := json.Marshal(v)
		v = string(b)
		item := `{"resourceType":"AWS::S3::Bucket","resourceId":"b","supplementaryConfiguration":{"X":` + v + `}}`
		fast, ok := fastDecodeItem([]byte(item))
		slow, err := slowDecodeItem([]byte(item))
		if !ok || err != nil {
			t.Fatalf("decoding %s: %v %v", item, ok, err)
		}
		if f, s := string(fast.SupplementaryConfiguration["X"]), string(slow.SupplementaryConfiguration["X"]); f != s {
			t.Errorf("%s: fast %s, encoding/json %s", item, f, s)
		}
	}
}
