package remediate

import (
	"slices"
	"strings"
)

// iamActionOf maps the API operations whose IAM action has another name.
// Every other operation "svc:Op" needs the IAM action "svc:Op".
var iamActionOf = map[string]string{
	"s3:GetBucketEncryption":         "s3:GetEncryptionConfiguration",
	"s3:PutBucketEncryption":         "s3:PutEncryptionConfiguration",
	"s3:GetPublicAccessBlock":        "s3:GetBucketPublicAccessBlock",
	"s3:PutPublicAccessBlock":        "s3:PutBucketPublicAccessBlock",
	"s3control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
	"s3control:PutPublicAccessBlock": "s3:PutAccountPublicAccessBlock",
}

// IAMAction returns the IAM action that allows an API operation given as
// "service:Operation".
func IAMAction(api string) string {
	if a, ok := iamActionOf[api]; ok {
		return a
	}
	return api
}

// iamActions returns the sorted, distinct IAM actions for apis and extra.
func iamActions(apis, extra []string) []string {
	out := make([]string, 0, len(apis)+len(extra))
	for _, api := range apis {
		out = append(out, IAMAction(api))
	}
	out = append(out, extra...)
	slices.Sort(out)
	return slices.Compact(out)
}

func cutService(api string) (service, op string, ok bool) {
	return strings.Cut(api, ":")
}
