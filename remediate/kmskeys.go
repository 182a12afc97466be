package remediate

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

var kmsKeyRef = regexp.MustCompile(`^(` +
	`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}` + // key id
	`|mrk-[0-9a-f]{32}` + // multi-Region key id
	`|alias/[A-Za-z0-9/_-]{1,250}` + // alias name
	`|arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|alias/[A-Za-z0-9/_-]{1,250})` +
	`)$`)

// checkKMSKeyRef accepts the forms KMS takes for a key: key id, key ARN,
// alias name, alias ARN.
func checkKMSKeyRef(s string) error {
	if !kmsKeyRef.MatchString(s) {
		return fmt.Errorf("%q is not a KMS key id, key ARN, alias name (alias/…) or alias ARN", s)
	}
	return nil
}

func isKeyARN(s string) bool { return strings.HasPrefix(s, "arn:") && strings.Contains(s, ":key/") }

// describeKey reads a key's metadata.
func (r *run) describeKey(keyRef string) (*kmstypes.KeyMetadata, error) {
	out, err := r.clients.KMS.DescribeKey(r.ctx, &kms.DescribeKeyInput{KeyId: &keyRef})
	if err != nil {
		return nil, apiError("kms:DescribeKey", keyRef, err)
	}
	if out.KeyMetadata == nil || out.KeyMetadata.Arn == nil {
		return nil, fmt.Errorf("kms:DescribeKey %s: the answer has no key metadata", keyRef)
	}
	return out.KeyMetadata, nil
}

// sameKey reports whether two references (id, ARN, alias) name one key.
// It asks KMS only when the strings differ.
func (r *run) sameKey(a, b string) (bool, error) {
	if a == b {
		return true, nil
	}
	ka, err := r.describeKey(a)
	if err != nil {
		return false, err
	}
	kb, err := r.describeKey(b)
	if err != nil {
		return false, err
	}
	return *ka.Arn == *kb.Arn, nil
}

// awsManagedKey reports whether a key is managed by AWS (aws/s3, aws/ebs),
// which a customer managed key may replace without loss.
func (r *run) awsManagedKey(keyRef string) (bool, error) {
	if strings.HasPrefix(keyRef, "alias/aws/") || strings.Contains(keyRef, ":alias/aws/") {
		return true, nil
	}
	k, err := r.describeKey(keyRef)
	if err != nil {
		return false, err
	}
	return k.KeyManager == kmstypes.KeyManagerTypeAws, nil
}
