package cfn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// nameProperty is the property whose value Ref returns, by resource type,
// when the template sets it (otherwise CloudFormation generates a name).
var nameProperty = map[string]string{
	"AWS::S3::Bucket":           "BucketName",
	"AWS::IAM::Role":            "RoleName",
	"AWS::IAM::User":            "UserName",
	"AWS::IAM::Group":           "GroupName",
	"AWS::IAM::InstanceProfile": "InstanceProfileName",
	"AWS::Lambda::Function":     "FunctionName",
	"AWS::CloudTrail::Trail":    "TrailName",
	"AWS::Logs::LogGroup":       "LogGroupName",
	"AWS::RDS::DBInstance":      "DBInstanceIdentifier",
	"AWS::RDS::DBSubnetGroup":   "DBSubnetGroupName",
	"AWS::SQS::Queue":           "QueueName",
	"AWS::DynamoDB::Table":      "TableName",
}

// ref evaluates Ref name.
func (t *Template) ref(name string, n *yaml.Node, s *scope) (any, error) {
	if v, ok := t.pseudo(name); ok {
		return v, nil
	}
	if p, ok := t.params[name]; ok {
		return p.value, nil
	}
	r, ok := t.resources[name]
	if !ok {
		return nil, s.fail(n, "Ref to %s: no such parameter or resource", name)
	}
	v, err := t.refValue(r)
	if err != nil {
		return nil, s.fail(n, "Ref to %s: %v", name, errMsg(err))
	}
	return v, nil
}

func errMsg(err error) string {
	var re *resolveError
	if errors.As(err, &re) {
		return re.Error()
	}
	return err.Error()
}

// checkDeployed fails when r's condition leaves it out of the stack.
func (t *Template) checkDeployed(r *Resource) error {
	ok, err := t.Deployed(r)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("its condition %s is false, so it is not created", r.condition)
	}
	return nil
}

// name returns r's name property (a string or Unknown), or the unknown
// physical id when the template leaves the name to CloudFormation.
func (t *Template) name(r *Resource) (any, error) {
	if prop, ok := nameProperty[r.Type]; ok {
		v, err := t.Property(r, prop)
		if err != nil {
			return nil, err
		}
		if s, ok := value.AsString(v); ok && v != nil {
			switch x := s.(type) {
			case string:
				if r.Type == "AWS::RDS::DBInstance" {
					return strings.ToLower(x), nil
				}
				return x, nil
			case value.Unknown:
				// A name built from unknown parts still names this resource.
				x.Resource = r.LogicalID
				return x, nil
			}
		}
	}
	return value.ResourceID(r.LogicalID, r.LogicalID), nil
}

// refValue is what Ref returns for a resource.
func (t *Template) refValue(r *Resource) (any, error) {
	if err := t.checkDeployed(r); err != nil {
		return nil, err
	}
	switch r.Type {
	case "AWS::IAM::ManagedPolicy":
		return designate(r.LogicalID)(t.iamARN(r, "policy", "ManagedPolicyName"))
	case "AWS::SNS::Topic":
		name, err := t.Property(r, "TopicName")
		if err != nil {
			return nil, err
		}
		if name == nil {
			name = value.ResourceID(r.LogicalID, r.LogicalID)
		}
		return designate(r.LogicalID)(t.arn("sns", true, name), nil)
	}
	return t.name(r)
}

// designate marks an ARN of resource id that is not fully known as
// designating that resource, so that companions find their target.
func designate(id string) func(v any, err error) (any, error) {
	return func(v any, err error) (any, error) {
		if u, ok := v.(value.Unknown); ok {
			u.Resource = id
			return u, err
		}
		return v, err
	}
}

// arn builds arn:partition:service:region:account:rest.
func (t *Template) arn(service string, regional bool, rest ...any) any {
	region := any("")
	if regional {
		region, _ = t.pseudo("AWS::Region")
	}
	account, _ := t.pseudo("AWS::AccountId")
	parts := []any{"arn:", t.partition, ":" + service + ":", region, ":", account, ":"}
	return value.Concat(append(parts, rest...)...)
}

// iamARN builds the ARN of an IAM entity of kind role/user/group/policy.
func (t *Template) iamARN(r *Resource, kind, nameProp string) (any, error) {
	name, err := t.Property(r, nameProp)
	if err != nil {
		return nil, err
	}
	ns, ok := value.AsString(name)
	if name == nil || !ok {
		ns = value.ResourceID(r.LogicalID, r.LogicalID)
	}
	path, err := t.Property(r, "Path")
	if err != nil {
		return nil, err
	}
	ps, ok := value.AsString(path)
	if path == nil || !ok {
		ps = "/"
	}
	account, _ := t.pseudo("AWS::AccountId")
	return value.Concat("arn:", t.partition, ":iam::", account, ":"+kind, ps, ns), nil
}

// getAtt evaluates Fn::GetAtt.
func (t *Template) getAtt(arg *yaml.Node, s *scope) (any, error) {
	var id, attr string
	switch n := deref(arg); {
	case n != nil && n.Kind == yaml.ScalarNode:
		var ok bool
		id, attr, ok = strings.Cut(n.Value, ".")
		if !ok {
			return nil, s.fail(n, "Fn::GetAtt %q: want Resource.Attribute", n.Value)
		}
	case n != nil && n.Kind == yaml.SequenceNode:
		args, err := argList("Fn::GetAtt", n, s, 2, 2)
		if err != nil {
			return nil, err
		}
		if id, err = t.stringArg("Fn::GetAtt", args[0], s); err != nil {
			return nil, err
		}
		if attr, err = t.stringArg("Fn::GetAtt", args[1], s); err != nil {
			return nil, err
		}
	default:
		return nil, s.fail(n, "Fn::GetAtt takes \"Resource.Attribute\" or [Resource, Attribute]")
	}
	r, ok := t.resources[id]
	if !ok {
		return nil, s.fail(arg, "Fn::GetAtt %s.%s: no such resource", id, attr)
	}
	v, err := t.attribute(r, attr)
	if err != nil {
		return nil, s.fail(arg, "Fn::GetAtt %s.%s: %v", id, attr, errMsg(err))
	}
	return v, nil
}

// attribute computes what can be known of a resource attribute.
func (t *Template) attribute(r *Resource, attr string) (any, error) {
	if err := t.checkDeployed(r); err != nil {
		return nil, err
	}
	unknown := value.NewUnknown(r.LogicalID + "." + attr)
	switch r.Type + "." + attr {
	case "AWS::S3::Bucket.Arn":
		name, err := t.name(r)
		if err != nil {
			return nil, err
		}
		return value.Concat("arn:", t.partition, ":s3:::", name), nil
	case "AWS::S3::Bucket.DomainName":
		name, err := t.name(r)
		if err != nil {
			return nil, err
		}
		suffix, _ := t.pseudo("AWS::URLSuffix")
		return value.Concat(name, ".s3.", suffix), nil
	case "AWS::IAM::Role.Arn":
		return designate(r.LogicalID)(t.iamARN(r, "role", "RoleName"))
	case "AWS::IAM::User.Arn":
		return designate(r.LogicalID)(t.iamARN(r, "user", "UserName"))
	case "AWS::IAM::Group.Arn":
		return designate(r.LogicalID)(t.iamARN(r, "group", "GroupName"))
	case "AWS::IAM::ManagedPolicy.PolicyArn":
		return designate(r.LogicalID)(t.iamARN(r, "policy", "ManagedPolicyName"))
	case "AWS::Lambda::Function.Arn":
		name, err := t.name(r)
		if err != nil {
			return nil, err
		}
		return designate(r.LogicalID)(t.arn("lambda", true, "function:", name), nil)
	case "AWS::CloudTrail::Trail.Arn":
		name, err := t.name(r)
		if err != nil {
			return nil, err
		}
		return designate(r.LogicalID)(t.arn("cloudtrail", true, "trail/", name), nil)
	case "AWS::Logs::LogGroup.Arn":
		name, err := t.name(r)
		if err != nil {
			return nil, err
		}
		return t.arn("logs", true, "log-group:", name, ":*"), nil
	case "AWS::SNS::Topic.TopicArn":
		return t.refValue(r)
	case "AWS::EC2::SecurityGroup.GroupId", "AWS::EC2::VPC.VpcId", "AWS::KMS::Key.KeyId",
		"AWS::EC2::Subnet.SubnetId", "AWS::EC2::NetworkAcl.Id":
		// The resource's physical id: unknown, but it names the resource.
		unknown.Resource = r.LogicalID
		return unknown, nil
	}
	return unknown, nil
}

// sub evaluates Fn::Sub.
func (t *Template) sub(arg *yaml.Node, s *scope) (any, error) {
	n := deref(arg)
	var text string
	vars := map[string]any{}
	switch {
	case n != nil && n.Kind == yaml.ScalarNode:
		text = n.Value
	case n != nil && n.Kind == yaml.SequenceNode:
		args, err := argList("Fn::Sub", n, s, 2, 2)
		if err != nil {
			return nil, err
		}
		if text, err = t.stringArg("Fn::Sub", args[0], s); err != nil {
			return nil, err
		}
		vm := deref(args[1])
		if vm.Kind != yaml.MappingNode {
			return nil, s.fail(vm, "Fn::Sub variables must be an object")
		}
		for i := 0; i+1 < len(vm.Content); i += 2 {
			v, err := t.resolve(vm.Content[i+1], s)
			if err != nil {
				return nil, err
			}
			vars[vm.Content[i].Value] = v
		}
	default:
		return nil, s.fail(n, "Fn::Sub takes a string or [string, {variables}]")
	}
	var parts []any
	for {
		i := strings.Index(text, "${")
		if i < 0 {
			parts = append(parts, text)
			break
		}
		parts = append(parts, text[:i])
		rest := text[i+2:]
		j := strings.IndexByte(rest, '}')
		if j < 0 {
			parts = append(parts, text[i:])
			break
		}
		name := strings.TrimSpace(rest[:j])
		text = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			parts = append(parts, "${"+name[1:]+"}")
			continue
		}
		v, ok := vars[name]
		if !ok {
			var err error
			if id, attr, dotted := strings.Cut(name, "."); dotted {
				r, exists := t.resources[id]
				if !exists {
					return nil, s.fail(arg, "Fn::Sub ${%s}: no such resource", name)
				}
				if v, err = t.attribute(r, attr); err != nil {
					return nil, s.fail(arg, "Fn::Sub ${%s}: %v", name, errMsg(err))
				}
			} else if v, err = t.ref(name, arg, s); err != nil {
				return nil, err
			}
		}
		str, ok := value.AsString(v)
		if !ok {
			return nil, s.fail(arg, "Fn::Sub ${%s} is %s, not a string", name, value.Kind(v))
		}
		parts = append(parts, str)
	}
	return value.Concat(parts...), nil
}

// cidr evaluates Fn::Cidr [ipBlock, count, cidrBits].
func (t *Template) cidr(arg *yaml.Node, s *scope) (any, error) {
	args, err := argList("Fn::Cidr", arg, s, 3, 3)
	if err != nil {
		return nil, err
	}
	var vals [3]any
	var reasons []string
	for i, a := range args {
		v, err := t.resolve(a, s)
		if err != nil {
			return nil, err
		}
		if u, ok := v.(value.Unknown); ok {
			reasons = value.MergeReasons(reasons, u.Reasons)
		}
		vals[i] = v
	}
	if reasons != nil {
		return value.Derived(reasons), nil
	}
	block, ok := vals[0].(string)
	if !ok {
		return nil, s.fail(args[0], "Fn::Cidr block is %s, not a string", value.Kind(vals[0]))
	}
	prefix, err := netip.ParsePrefix(block)
	if err != nil {
		return nil, s.fail(args[0], "Fn::Cidr block %q: %v", block, err)
	}
	prefix = prefix.Masked()
	count, ok1 := value.AsInt(vals[1])
	bits, ok2 := value.AsInt(vals[2])
	if !ok1 || !ok2 {
		return nil, s.fail(arg, "Fn::Cidr count and cidrBits must be integers")
	}
	c, _ := strconv.Atoi(string(count.(json.Number)))
	hb, _ := strconv.Atoi(string(bits.(json.Number)))
	total := prefix.Addr().BitLen()
	newLen := total - hb
	if c < 1 || c > 256 || hb < 1 || newLen < prefix.Bits() {
		return nil, s.fail(arg, "Fn::Cidr cannot cut %d blocks of %d host bits out of %s", c, hb, block)
	}
	if newLen-prefix.Bits() < 63 && c > 1<<(newLen-prefix.Bits()) {
		return nil, s.fail(arg, "Fn::Cidr: %s holds fewer than %d blocks of /%d", block, c, newLen)
	}
	base := new(big.Int).SetBytes(prefix.Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(hb))
	out := make([]any, 0, c)
	for i := 0; i < c; i++ {
		b := base.FillBytes(make([]byte, total/8))
		addr, _ := netip.AddrFromSlice(b)
		out = append(out, netip.PrefixFrom(addr, newLen).String())
		base.Add(base, step)
	}
	return out, nil
}
