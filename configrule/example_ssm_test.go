package configrule_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/guardrails-go/guardrails/configrule"
	"github.com/guardrails-go/guardrails/remediate"
)

func ExampleSSMHandler_Handle() {
	h, err := configrule.NewSSMHandler(&remediate.Clients{Region: "us-east-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// A bad payload is refused before any AWS request.
	_, err = h.Handle(context.Background(), json.RawMessage(`{"remediation": "s3-enable-versioning", "resourceId": "Not_A_Bucket"}`))
	fmt.Println(err)
	// Output:
	// refused: remediation s3-enable-versioning: invalid remediation target: resourceId "Not_A_Bucket" does not fit AWS::S3::Bucket: a bucket name has only lower-case letters, digits, dots and hyphens, and starts and ends with a letter or digit
}
