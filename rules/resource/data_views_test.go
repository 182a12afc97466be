package resource

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
)

func TestWholeNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    WholeNumber
		wantErr bool
	}{
		{`7`, WholeNumber{Set: true, Value: 7}, false},
		{`7.0`, WholeNumber{Set: true, Value: 7}, false}, // SelectResourceConfig
		{`"35"`, WholeNumber{Set: true, Value: 35}, false},
		{`0`, WholeNumber{Set: true, Value: 0}, false},
		{`null`, WholeNumber{}, false},
		{`""`, WholeNumber{}, false},
		{`7.5`, WholeNumber{}, true},
		{`"seven"`, WholeNumber{}, true},
		{`1e12`, WholeNumber{}, true},
		{`[7]`, WholeNumber{}, true},
	}
	for _, tt := range tests {
		var got WholeNumber
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: error %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestKMSKeyDeletionDate(t *testing.T) {
	want := time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		reason, date string
		want         time.Time
	}{
		{"epoch milliseconds (event shape)", `1797465600000`, want},
		{"epoch seconds", `1797465600`, want},
		{"ISO 8601", `"2026-12-17T00:00:00.000Z"`, want},
		{"ISO 8601 with offset", `"2026-12-17T01:00:00+01:00"`, want},
		{"none scheduled", `null`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			ci := &evaluate.ConfigurationItem{ResourceType: KMSKeyType, ResourceID: "k",
				Configuration: json.RawMessage(`{"keyId": "k", "keyState": "PendingDeletion", "deletionDate": ` + tt.date + `}`)}
			k, err := DecodeKMSKey(ci)
			if err != nil {
				t.Fatal(err)
			}
			if !k.DeletionDate.Equal(tt.want) {
				t.Errorf("got %v, want %v", k.DeletionDate, tt.want)
			}
		})
	}
}

func TestKMSKeyDefaults(t *testing.T) {
	// An item built from a template names none of these; CreateKey's
	// defaults apply.
	ci := &evaluate.ConfigurationItem{ResourceType: KMSKeyType, ResourceID: "Key", Configuration: json.RawMessage(`{}`)}
	k, err := DecodeKMSKey(ci)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{k.KeyManager, k.KeySpec, k.KeyUsage, k.Origin, k.ID}
	if diff := cmp.Diff([]string{"CUSTOMER", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS", "Key"}, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestCloudFrontOriginS3Bucket(t *testing.T) {
	tests := []struct {
		origin CloudFrontOrigin
		want   bool
	}{
		{CloudFrontOrigin{S3: true, DomainName: "assets.s3.amazonaws.com"}, true},
		{CloudFrontOrigin{DomainName: "assets.s3.amazonaws.com"}, true},
		{CloudFrontOrigin{DomainName: "assets.s3.eu-west-1.amazonaws.com"}, true},
		{CloudFrontOrigin{DomainName: "assets.s3-eu-west-1.amazonaws.com"}, true},
		{CloudFrontOrigin{DomainName: "my.dotted.bucket.s3.dualstack.us-gov-west-1.amazonaws.com"}, true},
		{CloudFrontOrigin{DomainName: "assets.s3.cn-north-1.amazonaws.com.cn"}, true},
		{CloudFrontOrigin{DomainName: "assets.s3-website-eu-west-1.amazonaws.com"}, false},
		{CloudFrontOrigin{DomainName: "assets.s3-website.eu-west-1.amazonaws.com"}, false},
		{CloudFrontOrigin{DomainName: "test-load-balancer-160681750.us-east-1.elb.amazonaws.com"}, false},
		{CloudFrontOrigin{DomainName: "s3.example.com"}, false},
	}
	for _, tt := range tests {
		if got := tt.origin.S3Bucket(); got != tt.want {
			t.Errorf("%+v: S3Bucket() = %v, want %v", tt.origin, got, tt.want)
		}
	}
}

func TestViewsLeaveUnknownValuesUnset(t *testing.T) {
	ci := &evaluate.ConfigurationItem{ResourceType: RDSDBInstanceType, ResourceID: "Db",
		Configuration: json.RawMessage(`{"storageEncrypted": "${unknown:Ref Encrypt}", "backupRetentionPeriod": "${unknown:Ref Days}", "multiAZ": true}`),
		Unknown:       []string{"configuration.storageEncrypted", "configuration.backupRetentionPeriod"}}
	d, err := DecodeRDSDBInstance(ci)
	if err != nil {
		t.Fatal(err)
	}
	if d.StorageEncrypted.Set || d.BackupRetentionPeriod.Set || !d.MultiAZ.True() {
		t.Errorf("got %+v, want the unknown values unset and multiAZ true", d)
	}
	ci.Unknown = nil
	if _, err := DecodeRDSDBInstance(ci); err == nil {
		t.Error("placeholders of values not marked unknown decoded without error")
	}
}
