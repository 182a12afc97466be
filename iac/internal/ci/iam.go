package ci

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// IAMDoc returns a policy document as Config records IAM documents
// (policyDocument, assumeRolePolicyDocument, policyVersionList[].document):
// URL-encoded JSON. doc is a resolved object, a JSON string (Terraform), or
// an Unknown.
func IAMDoc(doc any) any {
	switch d := doc.(type) {
	case nil:
		return nil
	case value.Unknown:
		return d.Typed()
	case string:
		if parsed, ok := ParseJSON(d); ok {
			return Doc{Value: parsed, URLEncoded: true}
		}
		return EncodeIAM(d)
	}
	return Doc{Value: doc, URLEncoded: true}
}

// PolicyDoc returns a resource policy (bucket, key, function) as the JSON
// string Config records.
func PolicyDoc(doc any) any {
	switch d := doc.(type) {
	case nil:
		return nil
	case value.Unknown:
		return d.Typed()
	case string:
		if parsed, ok := ParseJSON(d); ok {
			return Doc{Value: parsed}
		}
		return d
	}
	return Doc{Value: doc}
}

// ParseJSON decodes a JSON document held in a string, keeping numbers exact.
func ParseJSON(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	if dec.More() {
		return nil, false
	}
	return v, true
}

// InlinePolicy is an entry of userPolicyList, rolePolicyList or groupPolicyList.
func InlinePolicy(name, doc any) map[string]any {
	return map[string]any{"policyName": name, "policyDocument": IAMDoc(doc)}
}

// AttachedPolicy is an entry of attachedManagedPolicies.
func AttachedPolicy(arn any) map[string]any {
	name := any(nil)
	switch a := arn.(type) {
	case string:
		name = a[strings.LastIndexByte(a, '/')+1:]
	case value.Unknown:
		name = value.Unknown{Text: a.Text[strings.LastIndexByte(a.Text, '/')+1:], Reasons: a.Reasons, Resource: a.Resource}
	}
	return map[string]any{"policyArn": arn, "policyName": name}
}

// DefaultKeyPolicy is the key policy KMS gives a key created without one:
// the account's root principal may do everything.
func DefaultKeyPolicy(partition, account any) map[string]any {
	return map[string]any{
		"Version": "2012-10-17",
		"Id":      "key-default-1",
		"Statement": []any{map[string]any{
			"Sid":       "Enable IAM User Permissions",
			"Effect":    "Allow",
			"Principal": map[string]any{"AWS": value.Concat("arn:", partition, ":iam::", account, ":root")},
			"Action":    "kms:*",
			"Resource":  "*",
		}},
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CompactJSON re-encodes a JSON string compactly; invalid JSON is returned as is.
func CompactJSON(s string) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		return s
	}
	return buf.String()
}
