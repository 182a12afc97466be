package resource

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
)

func TestDecodeS3BucketOwnership(t *testing.T) {
	cases := []struct {
		reason           string
		controls         string // the BucketOwnershipControls value; "" for none
		wantOwnership    string
		wantRecorded     bool
		wantACLsDisabled bool
		wantErr          string
	}{
		{
			reason:        "the Java SDK request object, rule by its field name",
			controls:      `{"bucketName":"b","ownershipControls":{"rules":[{"objectOwnership":"BucketOwnerEnforced"}]}}`,
			wantOwnership: "BucketOwnerEnforced", wantRecorded: true, wantACLsDisabled: true,
		},
		{
			reason:        "rule by its getter's name, as package iac writes it",
			controls:      `{"bucketName":"b","ownershipControls":{"rules":[{"ownership":"ObjectWriter"}]}}`,
			wantOwnership: "ObjectWriter", wantRecorded: true,
		},
		{
			reason:        "the S3 API's shape",
			controls:      `{"OwnershipControls":{"Rules":[{"ObjectOwnership":"BucketOwnerPreferred"}]}}`,
			wantOwnership: "BucketOwnerPreferred", wantRecorded: true,
		},
		{
			reason:        "a bare rule list",
			controls:      `{"rules":[{"objectOwnership":"BucketOwnerEnforced"}]}`,
			wantOwnership: "BucketOwnerEnforced", wantRecorded: true, wantACLsDisabled: true,
		},
		{reason: "not recorded", controls: ""},
		{reason: "recorded as null", controls: "null"},
		{reason: "recorded without rules", controls: `{"bucketName":"b","ownershipControls":{"rules":[]}}`, wantRecorded: true},
		{
			reason:   "rules not a list",
			controls: `{"ownershipControls":{"rules":"BucketOwnerEnforced"}}`,
			wantErr:  "supplementaryConfiguration.BucketOwnershipControls.ownershipControls.rules: want an array",
		},
	}
	for _, c := range cases {
		t.Run(c.reason, func(t *testing.T) {
			ci := &evaluate.ConfigurationItem{ResourceType: S3BucketType, ResourceID: "b", AccountID: "111122223333", Region: "eu-west-1",
				ARN: "arn:aws:s3:::b", Status: evaluate.StatusOK,
				Configuration:              json.RawMessage(`{"name":"b","owner":{"displayName":null,"id":"8ac813c8"}}`),
				SupplementaryConfiguration: map[string]json.RawMessage{}}
			if c.controls != "" {
				ci.SupplementaryConfiguration["BucketOwnershipControls"] = json.RawMessage(c.controls)
			}
			got, err := DecodeS3Bucket(ci)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []any{c.wantOwnership, c.wantRecorded, c.wantACLsDisabled, "8ac813c8", "arn:aws:s3:::b"}
			if diff := cmp.Diff(want, []any{got.ObjectOwnership, got.OwnershipRecorded, got.ACLsDisabled(), got.Owner, got.ARN}); diff != "" {
				t.Errorf("ownership, recorded, ACLs disabled, owner, ARN (-want +got):\n%s", diff)
			}
		})
	}
}
