package cfn

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/iac/internal/value"
)

// header is the part of the test template around the value under test.
const header = `
Parameters:
  Env: {Type: String, Default: prod}
  Count: {Type: Number, Default: 3}
  NoDefault: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: "subnet-a, subnet-b"}
  Ami: {Type: "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", Default: /aws/ami}
Mappings:
  Regions:
    eu-west-1: {Ami: ami-eu}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [dev, !Ref Env]
  Unknown: !Equals [!Ref NoDefault, x]
  Both: !And [!Condition IsProd, !Not [!Condition IsDev]]
  Either: !Or [!Condition IsDev, {Condition: Unknown}]
  EitherTrue: !Or [!Condition IsProd, !Condition Unknown]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: named-bucket
  Generated:
    Type: AWS::S3::Bucket
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: app
      Path: /svc/
  Sg:
    Type: AWS::EC2::SecurityGroup
  Thing:
    Type: Test::Thing
    Properties:
      V: `

func resolveValue(t *testing.T, expr string, opts Options) (any, error) {
	t.Helper()
	tp, err := Parse([]byte(header+expr+"\n"), "t.yaml", opts)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return tp.Property(tp.Resource("Thing"), "V")
}

func render(t *testing.T, v any) string {
	t.Helper()
	if value.IsNoValue(v) {
		return "NoValue"
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestIntrinsics(t *testing.T) {
	region := Options{Region: "eu-west-1", AccountID: "123456789012"}
	tests := []struct {
		reason string
		expr   string
		opts   Options
		want   string
	}{
		{"plain scalar", `hello`, Options{}, `"hello"`},
		{"unquoted dates stay text", `2010-09-09`, Options{}, `"2010-09-09"`},
		{"YAML numbers are numbers", `[1, -1, 0x10, 1.5]`, Options{}, `[1,-1,16,1.5]`},
		{"YAML booleans", `[true, false, yes]`, Options{}, `[true,false,"yes"]`},
		{"Ref parameter default", `!Ref Env`, Options{}, `"prod"`},
		{"Ref parameter given", `!Ref Env`, Options{Parameters: map[string]string{"Env": "dev"}}, `"dev"`},
		{"Ref Number parameter is text", `!Ref Count`, Options{}, `"3"`},
		{"Ref parameter without value", `!Ref NoDefault`, Options{}, `"${unknown:parameter NoDefault}"`},
		{"Ref list parameter", `!Ref Subnets`, Options{}, `["subnet-a","subnet-b"]`},
		{"Ref SSM parameter", `!Ref Ami`, Options{}, `"${unknown:SSM parameter Ami}"`},
		{"long form Ref", `{Ref: Env}`, Options{}, `"prod"`},
		{"pseudo parameters unknown", `!Sub "${AWS::Region}/${AWS::AccountId}/${AWS::Partition}"`, Options{}, `"${unknown:AWS::Region}/${unknown:AWS::AccountId}/${unknown:AWS::Partition}"`},
		{"pseudo parameters given", `!Sub "${AWS::Region}/${AWS::AccountId}/${AWS::Partition}/${AWS::URLSuffix}"`, Options{Region: "cn-north-1", AccountID: "1"}, `"cn-north-1/1/aws-cn/amazonaws.com.cn"`},
		{"Ref bucket with name", `!Ref Bucket`, Options{}, `"named-bucket"`},
		{"Ref bucket with generated name", `!Ref Generated`, Options{}, `"${unknown:Generated}"`},
		{"GetAtt bucket Arn", `!GetAtt Bucket.Arn`, region, `"arn:aws:s3:::named-bucket"`},
		{"GetAtt list form", `{"Fn::GetAtt": [Bucket, Arn]}`, region, `"arn:aws:s3:::named-bucket"`},
		{"GetAtt role Arn", `!GetAtt Role.Arn`, region, `"arn:aws:iam::123456789012:role/svc/app"`},
		{"GetAtt unknown attribute", `!GetAtt Sg.VpcId`, Options{}, `"${unknown:Sg.VpcId}"`},
		{"Sub with a variable map", `!Sub ["${A}-${Env}", {A: !Ref Bucket}]`, Options{}, `"named-bucket-prod"`},
		{"Sub literal", `!Sub "${!Literal}-${Bucket.Arn}"`, region, `"${Literal}-arn:aws:s3:::named-bucket"`},
		{"Sub keeps known parts", `!Sub "arn:aws:s3:::${Generated}/*"`, Options{}, `"arn:aws:s3:::${unknown:Generated}/*"`},
		{"Join", `!Join ["-", [a, !Ref Env, "1"]]`, Options{}, `"a-prod-1"`},
		{"Join of a list parameter", `!Join [",", !Ref Subnets]`, Options{}, `"subnet-a,subnet-b"`},
		{"Select", `!Select [1, !Ref Subnets]`, Options{}, `"subnet-b"`},
		{"Select with text index", `!Select ["0", [x, y]]`, Options{}, `"x"`},
		{"Split", `!Split [",", "a,b"]`, Options{}, `["a","b"]`},
		{"FindInMap", `!FindInMap [Regions, !Ref AWS::Region, Ami]`, region, `"ami-eu"`},
		{"FindInMap default", `!FindInMap [Regions, us-east-1, Ami, {DefaultValue: none}]`, Options{}, `"none"`},
		{"FindInMap unknown key", `!FindInMap [Regions, !Ref AWS::Region, Ami]`, Options{}, `"${unknown:AWS::Region}"`},
		{"ImportValue", `!ImportValue shared-vpc`, Options{}, `"${unknown:ImportValue shared-vpc}"`},
		{"Base64", `!Base64 hi`, Options{}, `"aGk="`},
		{"GetAZs", `!GetAZs ""`, region, `"${unknown:Fn::GetAZs eu-west-1}"`},
		{"Cidr", `!Cidr ["10.0.0.0/16", 3, 8]`, Options{}, `["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]`},
		{"Cidr IPv6", `!Cidr ["2001:db8::/56", 2, 64]`, Options{}, `["2001:db8::/64","2001:db8:0:1::/64"]`},
		{"If true", `!If [IsProd, a, b]`, Options{}, `"a"`},
		{"If false", `!If [IsDev, a, b]`, Options{}, `"b"`},
		{"If NoValue", `!If [IsDev, a, !Ref AWS::NoValue]`, Options{}, `NoValue`},
		{"If unknown", `!If [Unknown, a, b]`, Options{}, `"${unknown:parameter NoDefault}"`},
		{"If unknown with equal branches", `!If [Unknown, a, a]`, Options{}, `"a"`},
		{"And, Not", `!If [Both, yes, no]`, Options{}, `"yes"`},
		{"Or with unknown and false", `!If [Either, yes, no]`, Options{}, `"${unknown:parameter NoDefault}"`},
		{"Or with unknown and true", `!If [EitherTrue, yes, no]`, Options{}, `"yes"`},
		{"NoValue drops list elements", `[a, !Ref AWS::NoValue, b]`, Options{}, `["a","b"]`},
		{"NoValue drops keys", `{A: !Ref AWS::NoValue, B: 1}`, Options{}, `{"B":1}`},
		{"long forms", `{"Fn::Join": ["", [{"Fn::Sub": "x"}, {"Fn::If": [IsProd, "y", "z"]}]]}`, Options{}, `"xy"`},
		{"ToJsonString", `{"Fn::ToJsonString": {a: [1]}}`, Options{}, `"{\"a\":[1]}"`},
		{"Length", `{"Fn::Length": [1, 2]}`, Options{}, `2`},
		{"anchors and merge keys", "{a: &x {k: 1}, b: {<<: *x, j: 2}}", Options{}, `{"a":{"k":1},"b":{"j":2,"k":1}}`},
		{"IAM condition keys are plain keys", `{Condition: {Bool: {aws:SecureTransport: false}}}`, Options{}, `{"Condition":{"Bool":{"aws:SecureTransport":false}}}`},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			v, err := resolveValue(t, tc.expr, tc.opts)
			if err != nil {
				t.Fatalf("%s: %v", tc.expr, err)
			}
			if diff := cmp.Diff(tc.want, render(t, v)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}

func TestIntrinsicErrors(t *testing.T) {
	tests := []struct {
		reason string
		expr   string
		want   string
	}{
		{"unknown tag", `!Foo bar`, "unknown intrinsic function tag !Foo"},
		{"unknown function", `{"Fn::Foo": 1}`, "unknown intrinsic function Fn::Foo"},
		{"Ref to nothing", `!Ref Nowhere`, "Ref to Nowhere: no such parameter or resource"},
		{"GetAtt to nothing", `!GetAtt Nowhere.Arn`, "Fn::GetAtt Nowhere.Arn: no such resource"},
		{"GetAtt without attribute", `!GetAtt Bucket`, `want Resource.Attribute`},
		{"Sub to nothing", `!Sub "${Nowhere}"`, "Ref to Nowhere"},
		{"undefined condition", `!If [Nope, a, b]`, "condition Nope is not defined"},
		{"Select out of range", `!Select [5, [a]]`, "index 5 is out of range"},
		{"Join of an object", `!Join [",", {a: 1}]`, "Fn::Join takes a list"},
		{"If arity", `!If [IsProd, a]`, "Fn::If takes 3 arguments, got 2"},
		{"FindInMap miss", `!FindInMap [Regions, mars, Ami]`, "no Regions.mars.Ami in Mappings"},
		{"Cidr too many blocks", `!Cidr ["10.0.0.0/24", 4, 7]`, "holds fewer than 4 blocks"},
		{"Sub of a list", `!Sub "${Subnets}"`, "is a list, not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			_, err := resolveValue(t, tc.expr, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s: error %v, want one containing %q", tc.expr, err, tc.want)
			}
			if line, _, _, ok := ErrorLine(err); !ok || line == 0 {
				t.Errorf("%s: error without a line: %v", tc.expr, err)
			}
		})
	}
}

func TestConditionsDecideResources(t *testing.T) {
	src := `
Parameters:
  Env: {Type: String, Default: prod}
  Free: {Type: String}
Conditions:
  IsDev: !Equals [!Ref Env, dev]
  Maybe: !Equals [!Ref Free, yes]
  Loop: !Not [!Condition Loop]
Resources:
  DevBucket: {Type: AWS::S3::Bucket, Condition: IsDev}
  MaybeBucket: {Type: AWS::S3::Bucket, Condition: Maybe}
  LoopBucket: {Type: AWS::S3::Bucket, Condition: Loop}
  MissingBucket: {Type: AWS::S3::Bucket, Condition: Missing}
`
	tp, err := Parse([]byte(src), "c.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range tp.Resources() {
		ok, err := tp.Deployed(r)
		switch {
		case err != nil:
			got[r.LogicalID] = "error: " + err.Error()
		case ok:
			got[r.LogicalID] = "created"
		default:
			got[r.LogicalID] = "not created"
		}
	}
	want := map[string]string{
		"DevBucket":     "not created",
		"MaybeBucket":   "created", // undecidable: read as created
		"LoopBucket":    "error: condition Loop refers to itself",
		"MissingBucket": "error: condition Missing is not defined",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + strconv.Itoa(i-1))
		}
		b.WriteString("]\n")
	}
	b.WriteString("Resources:\n  Bomb:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: *a11\n")
	tp, err := Parse([]byte(b.String()), "bomb.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tp.Properties(tp.Resource("Bomb"))
	if err == nil || !strings.Contains(err.Error(), "alias bomb") {
		t.Fatalf("error %v, want an alias bomb error", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		reason string
		src    string
		want   string
	}{
		{"not YAML", "a: [b\n", "not a YAML or JSON template"},
		{"not an object", "- a\n- b\n", "template is a list, not an object"},
		{"no resources", "AWSTemplateFormatVersion: 2010-09-09\n", "no Resources section"},
		{"resources not an object", "Resources: [a]\n", "Resources is a list, not an object"},
		{"empty", "", "empty template"},
	}
	for _, tc := range tests {
		t.Run(tc.reason, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), "x.yaml", Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "x.yaml") {
				t.Fatalf("error %v, want one naming x.yaml and containing %q", err, tc.want)
			}
		})
	}
}
