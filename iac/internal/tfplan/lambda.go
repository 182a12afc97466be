package tfplan

import (
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["aws_lambda_function"] = mapping{"AWS::Lambda::Function", lambdaFunction}
	companions["aws_lambda_permission"] = lambdaPermission
}

func lambdaFunction(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	name := v.StringOr("function_name", nil)
	arn := value.Concat("arn:", c.partition(), ":lambda:", c.regionOf(r), ":", c.account(), ":function:", name)
	b.Config["functionName"] = name
	b.Config["functionArn"] = arn
	b.ARN = arn
	b.Config["packageType"] = v.StringOr("package_type", "Zip")
	b.Config["runtime"] = v.StringOr("runtime", nil)
	b.Config["handler"] = v.StringOr("handler", nil)
	b.Config["role"] = v.StringOr("role", nil)
	b.Config["description"] = v.StringOr("description", "")
	b.Config["timeout"] = v.IntOr("timeout", ci.Int(3))
	b.Config["memorySize"] = v.IntOr("memory_size", ci.Int(128))
	b.Config["version"] = "$LATEST"
	b.Config["kmskeyArn"] = emptyAsNil(v.StringOr("kms_key_arn", nil))
	archs := []any{"x86_64"}
	if l, ok := v.Strings("architectures"); ok {
		archs = listOf(l)
	}
	b.Config["architectures"] = archs
	vpc := map[string]any{"subnetIds": []any{}, "securityGroupIds": []any{}}
	if vc, ok := v.Block("vpc_config"); ok {
		vpc["subnetIds"] = c.refList(r, vc, "subnet_ids")
		vpc["securityGroupIds"] = c.refList(r, vc, "security_group_ids")
	}
	b.Config["vpcConfig"] = vpc
	mode := any("PassThrough")
	if tc, ok := v.Block("tracing_config"); ok {
		mode = tc.StringOr("mode", mode)
	}
	b.Config["tracingConfig"] = map[string]any{"mode": mode}
	if d, ok := v.Block("dead_letter_config"); ok {
		b.Config["deadLetterConfig"] = map[string]any{"targetArn": d.StringOr("target_arn", nil)}
	}
	if l, ok := v.Strings("layers"); ok {
		var layers []any
		for _, a := range listOf(l) {
			layers = append(layers, map[string]any{"arn": a})
		}
		b.Config["layers"] = layers
	}
	// -1 means no reserved concurrency.
	if n, ok := v.Int("reserved_concurrent_executions"); ok && n != ci.Int(-1) {
		b.Supp["Concurrency"] = map[string]any{"reservedConcurrentExecutions": n}
	}
	tags(r, b)
	if b.Tags == nil {
		b.Supp["Tags"] = map[string]any{}
	} else {
		b.Supp["Tags"] = b.Tags
	}
	return b
}

// functionName extracts a function name from a name, a partial ARN or an
// ARN, with or without a qualifier.
func functionName(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 {
		s = s[i+len("function:"):]
		if j := strings.IndexByte(s, ':'); j >= 0 {
			s = s[:j]
		}
	}
	return s
}

// lambdaPermission adds a statement to its function's resource policy
// (supplementaryConfiguration.Policy, a JSON string as GetPolicy returns).
func lambdaPermission(c *conv, r *res) error {
	v := r.v
	var b *ci.Builder
	if t := c.refInstance(r.Instance, "function_name", "aws_lambda_function"); t != nil {
		b = c.touch(c.builders[t.Address])
	}
	if b == nil {
		fn, ok := v.String("function_name")
		s, isStr := fn.(string)
		if !ok || !isStr {
			_, _, err := c.target(r, "function_name", "aws_lambda_function", "function_name")
			return err
		}
		for _, cand := range c.p.Instances {
			if cand.Type == "aws_lambda_function" && cand.Values["function_name"] == functionName(s) {
				b = c.touch(c.builders[cand.Address])
			}
		}
		if b == nil {
			_, _, err := c.target(r, "function_name", "aws_lambda_function", "function_name")
			return err
		}
	}
	principal := v.StringOr("principal", nil)
	var prin any
	switch x := principal.(type) {
	case string:
		switch {
		case x == "*":
			prin = "*"
		case strings.HasSuffix(x, ".amazonaws.com") || strings.HasSuffix(x, ".amazonaws.com.cn"):
			prin = map[string]any{"Service": x}
		case len(x) == 12 && strings.Trim(x, "0123456789") == "":
			prin = map[string]any{"AWS": value.Concat("arn:", c.partition(), ":iam::", x, ":root")}
		default:
			prin = map[string]any{"AWS": x}
		}
	default:
		prin = map[string]any{"AWS": principal}
	}
	stmt := map[string]any{
		"Sid":       v.StringOr("statement_id", r.Address),
		"Effect":    "Allow",
		"Principal": prin,
		"Action":    v.StringOr("action", nil),
		"Resource":  b.Config["functionArn"],
	}
	cond := map[string]any{}
	add := func(op, key, attr string) {
		s := v.StringOr(attr, "")
		if s == "" {
			return
		}
		m, _ := cond[op].(map[string]any)
		if m == nil {
			m = map[string]any{}
			cond[op] = m
		}
		m[key] = s
	}
	add("ArnLike", "AWS:SourceArn", "source_arn")
	add("StringEquals", "AWS:SourceAccount", "source_account")
	add("StringEquals", "aws:PrincipalOrgID", "principal_org_id")
	add("StringEquals", "lambda:FunctionUrlAuthType", "function_url_auth_type")
	if len(cond) > 0 {
		stmt["Condition"] = cond
	}
	if r.errs.Err() != nil {
		return nil
	}
	doc, _ := b.State.(map[string]any)
	if doc == nil {
		doc = map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": []any{}}
		b.State = doc
	}
	doc["Statement"] = append(doc["Statement"].([]any), stmt)
	b.Supp["Policy"] = ci.Doc{Value: doc}
	return nil
}
