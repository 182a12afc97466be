package remediate

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/guardrails-go/guardrails/internal/awsfake"
)

// fakeBucket is a bucket whose configuration documents the fake keeps: a
// GET returns what the last PUT stored, as S3 does for these subresources
// (the PUT body and the GET answer have the same shape).
type fakeBucket struct {
	mu   sync.Mutex
	name string
	docs map[string]string // subresource ("encryption", "policy", ...) -> document
}

// absentCodes are S3's answers for a subresource never set.
var absentCodes = map[string]string{
	"encryption":        "ServerSideEncryptionConfigurationNotFoundError",
	"publicAccessBlock": "NoSuchPublicAccessBlockConfiguration",
	"policy":            "NoSuchBucketPolicy",
	"ownershipControls": "OwnershipControlsNotFoundError",
}

// absentDocs are S3's answers for subresources that always exist.
var absentDocs = map[string]string{
	"versioning": `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`,
	"logging":    `<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>`,
}

// bucket installs S3 handlers for one bucket with the given documents.
func (f *fakeAWS) bucket(name string, docs map[string]string) *fakeBucket {
	b := &fakeBucket{name: name, docs: map[string]string{}}
	for k, v := range docs {
		b.docs[k] = v
	}
	for _, sub := range awsfake.S3Subresources {
		op := strings.ToUpper(sub[:1]) + sub[1:]
		getAPI, putAPI := "s3:GetBucket"+op, "s3:PutBucket"+op
		if sub == "publicAccessBlock" {
			getAPI, putAPI = "s3:GetPublicAccessBlock", "s3:PutPublicAccessBlock"
		}
		f.on(getAPI, func(c call) reply {
			if c.Path != "/"+name {
				return f.errorReply(getAPI, 404, "NoSuchBucket", "The specified bucket does not exist")
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			doc, ok := b.docs[sub]
			if !ok {
				if d, ok := absentDocs[sub]; ok {
					return ok200(d)
				}
				if code, ok := absentCodes[sub]; ok {
					return f.errorReply(getAPI, 404, code, "not set")
				}
				return f.errorReply(getAPI, 500, "InternalError", "the fake bucket has no "+sub)
			}
			return ok200(doc)
		})
		f.on(putAPI, func(c call) reply {
			if c.Path != "/"+name {
				return f.errorReply(putAPI, 404, "NoSuchBucket", "The specified bucket does not exist")
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			b.docs[sub] = string(c.Body)
			return reply{Status: 200}
		})
	}
	return b
}

// fakeKey is a KMS key as DescribeKey tells it.
type fakeKey struct {
	arn, manager string
	spec, origin string // defaults SYMMETRIC_DEFAULT, AWS_KMS
	state        string // default Enabled
	multiRegion  string // "", PRIMARY, REPLICA
}

// keys installs kms:DescribeKey answering for each reference (id, ARN,
// alias) in refs.
func (f *fakeAWS) keys(refs map[string]fakeKey) {
	f.on("kms:DescribeKey", func(c call) reply {
		var in struct{ KeyId string }
		if err := json.Unmarshal(c.Body, &in); err != nil {
			return f.errorReply("kms:DescribeKey", 400, "ValidationException", err.Error())
		}
		k, ok := refs[in.KeyId]
		if !ok {
			return f.errorReply("kms:DescribeKey", 400, "NotFoundException", "Key '"+in.KeyId+"' does not exist")
		}
		return ok200(k.metadataJSON())
	})
}

func (k fakeKey) metadataJSON() string {
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	id := k.arn[strings.LastIndex(k.arn, "/")+1:]
	mr := ""
	if k.multiRegion != "" {
		mr = fmt.Sprintf(`,"MultiRegion":true,"MultiRegionConfiguration":{"MultiRegionKeyType":%q,"PrimaryKey":{"Arn":"arn:aws:kms:eu-west-1:123456789012:key/%s","Region":"eu-west-1"}}`, k.multiRegion, id)
	}
	return fmt.Sprintf(`{"KeyMetadata":{"AWSAccountId":"123456789012","Arn":%q,"KeyId":%q,"KeyManager":%q,"KeySpec":%q,"Origin":%q,"KeyState":%q,"Enabled":true,"KeyUsage":"ENCRYPT_DECRYPT"%s}}`,
		k.arn, id, or(k.manager, "CUSTOMER"), or(k.spec, "SYMMETRIC_DEFAULT"), or(k.origin, "AWS_KMS"), or(k.state, "Enabled"), mr)
}

// mustJSON compares two JSON documents.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return string(ja) == string(jb)
}
