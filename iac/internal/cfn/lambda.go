package cfn

import (
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["AWS::Lambda::Function"] = mapping{"AWS::Lambda::Function", lambdaFunction}
	companions["AWS::Lambda::Permission"] = lambdaPermission
}

func lambdaFunction(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.AZ = "Not Applicable"
	name, err := c.t.name(r.Resource)
	if err != nil {
		r.errs.Add("FunctionName", "%s", errMsg(err))
		return b
	}
	c.nameIs(r.Type, name, r.LogicalID)
	arn := c.t.arn("lambda", true, "function:", name)
	b.Config["functionName"] = name
	b.Config["functionArn"] = arn
	b.ARN = arn
	packageType := "Zip"
	if code, ok := p.Obj("Code"); ok && code.Has("ImageUri") {
		packageType = "Image"
	}
	b.Config["packageType"] = p.StringOr("PackageType", packageType)
	b.Config["runtime"] = p.StringOr("Runtime", nil)
	b.Config["handler"] = p.StringOr("Handler", nil)
	b.Config["role"] = p.StringOr("Role", nil)
	b.Config["description"] = p.StringOr("Description", "")
	b.Config["timeout"] = p.IntOr("Timeout", ci.Int(3))
	b.Config["memorySize"] = p.IntOr("MemorySize", ci.Int(128))
	b.Config["version"] = "$LATEST"
	b.Config["kmskeyArn"] = p.StringOr("KmsKeyArn", nil)
	archs := any([]any{"x86_64"})
	if v, ok := p.Strings("Architectures"); ok {
		archs = v
	}
	b.Config["architectures"] = archs
	vpc := map[string]any{"subnetIds": []any{}, "securityGroupIds": []any{}}
	if v, ok := p.Obj("VpcConfig"); ok {
		if s, ok := v.Strings("SubnetIds"); ok {
			vpc["subnetIds"] = ci.RefList(s)
		}
		if s, ok := v.Strings("SecurityGroupIds"); ok {
			vpc["securityGroupIds"] = ci.RefList(s)
			if l, isList := s.([]any); isList {
				for _, g := range l {
					if id, ok := ci.RefID(g); ok {
						b.Relate("AWS::EC2::SecurityGroup", id, "Is associated with ")
					}
				}
			}
		}
	}
	b.Config["vpcConfig"] = vpc
	tracing := "PassThrough"
	if t, ok := p.Obj("TracingConfig"); ok {
		b.Config["tracingConfig"] = map[string]any{"mode": t.StringOr("Mode", tracing)}
	} else {
		b.Config["tracingConfig"] = map[string]any{"mode": tracing}
	}
	if d, ok := p.Obj("DeadLetterConfig"); ok {
		b.Config["deadLetterConfig"] = map[string]any{"targetArn": d.StringOr("TargetArn", nil)}
	}
	if v, ok := p.Strings("Layers"); ok {
		if l, isList := v.([]any); isList {
			layers := make([]any, 0, len(l))
			for _, a := range l {
				layers = append(layers, map[string]any{"arn": a})
			}
			b.Config["layers"] = layers
		}
	}
	if v, ok := p.Int("ReservedConcurrentExecutions"); ok {
		b.Supp["Concurrency"] = map[string]any{"reservedConcurrentExecutions": v}
	}
	tags(r, b)
	b.Supp["Tags"] = tagMap(b.Tags)
	return b
}

func tagMap(tags map[string]any) map[string]any {
	if tags == nil {
		return map[string]any{}
	}
	return tags
}

// functionName extracts the function name from a name, a partial ARN
// (123456789012:function:name) or an ARN, with or without a qualifier.
func functionName(s string) string {
	if i := strings.Index(s, "function:"); i >= 0 {
		s = s[i+len("function:"):]
		if j := strings.IndexByte(s, ':'); j >= 0 {
			s = s[:j]
		}
		return s
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[:i] // name:qualifier
	}
	return s
}

// lambdaPermission adds a statement to its function's resource policy,
// recorded as supplementaryConfiguration.Policy (a JSON string), in the
// shape GetPolicy returns.
func lambdaPermission(c *conv, r *res) error {
	p := r.props
	_, b, err := c.target(r, "FunctionName", "AWS::Lambda::Function", functionName)
	if err != nil {
		return err
	}
	principal := p.StringOr("Principal", nil)
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
		"Sid":       r.LogicalID,
		"Effect":    "Allow",
		"Principal": prin,
		"Action":    p.StringOr("Action", nil),
		"Resource":  b.Config["functionArn"],
	}
	cond := map[string]any{}
	addCond := func(op, key string, v any, ok bool) {
		if !ok {
			return
		}
		m, _ := cond[op].(map[string]any)
		if m == nil {
			m = map[string]any{}
			cond[op] = m
		}
		m[key] = v
	}
	v, ok := p.String("SourceArn")
	addCond("ArnLike", "AWS:SourceArn", v, ok)
	v, ok = p.String("SourceAccount")
	addCond("StringEquals", "AWS:SourceAccount", v, ok)
	v, ok = p.String("PrincipalOrgID")
	addCond("StringEquals", "aws:PrincipalOrgID", v, ok)
	v, ok = p.String("FunctionUrlAuthType")
	addCond("StringEquals", "lambda:FunctionUrlAuthType", v, ok)
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
