package iac_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/guardrails-go/guardrails/iac"
)

// genTemplate writes a YAML template of n resources: buckets with their
// policies, security groups with standalone rules, KMS keys, IAM roles,
// instances and trails, with parameters, conditions and intrinsics.
func genTemplate(n int) []byte {
	var b bytes.Buffer
	b.WriteString("AWSTemplateFormatVersion: 2010-09-09\nParameters:\n  Env: {Type: String, Default: prod}\n  Cidr: {Type: String, Default: 10.0.0.0/8}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n")
	for i := 0; i < n; i++ {
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, `  Bucket%d:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${Env}-bucket-%d-${AWS::AccountId}"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault: {SSEAlgorithm: aws:kms, KMSMasterKeyID: !GetAtt Key%d.Arn}
      VersioningConfiguration: {Status: !If [IsProd, Enabled, Suspended]}
      Tags: [{Key: n, Value: "%d"}]
`, i, i, i+3, i)
		case 1:
			fmt.Fprintf(&b, `  Policy%d:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket%d
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Deny
            Principal: "*"
            Action: s3:*
            Resource: [!GetAtt Bucket%d.Arn, !Sub "${Bucket%d.Arn}/*"]
            Condition: {Bool: {aws:SecureTransport: false}}
`, i, i-1, i-1, i-1)
		case 2:
			fmt.Fprintf(&b, `  Sg%d:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: group %d
      VpcId: vpc-123
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr}
        - {IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}
`, i, i)
		case 3:
			fmt.Fprintf(&b, `  Key%d:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
`, i)
		case 4:
			fmt.Fprintf(&b, `  Rule%d:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !GetAtt Sg%d.GroupId, IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0}
`, i, i-2)
		case 5:
			fmt.Fprintf(&b, `  Role%d:
    Type: AWS::IAM::Role
    Properties:
      RoleName: role-%d
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]
      Policies:
        - PolicyName: inline
          PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:*", Resource: "*"}]}
`, i, i)
		case 6:
			fmt.Fprintf(&b, `  Instance%d:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: ami-123
      InstanceType: t3.micro
      SecurityGroupIds: [!Ref Sg%d]
`, i, i-4)
		case 7:
			fmt.Fprintf(&b, `  Trail%d:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: !Ref Bucket%d
      EnableLogFileValidation: true
`, i, i-7)
		}
	}
	return b.Bytes()
}

// genPlan writes a plan of n resource changes: buckets with split
// encryption, versioning and public access block resources joined by
// references, security groups with rules, KMS keys, in modules.
func genPlan(n int) []byte {
	var changes, config, modConfig []string
	for i := 0; i < n; i++ {
		mod := ""
		if (i/5)%2 == 1 {
			mod = "module.m."
		}
		addr := func(typ string, j int) string { return fmt.Sprintf("%s%s.r%d", mod, typ, j) }
		var typ, after, unknown, expr string
		switch i % 5 {
		case 0:
			typ = "aws_s3_bucket"
			after = fmt.Sprintf(`{"bucket":"b-%d","tags":{"n":"%d"}}`, i, i)
			unknown = `{"id":true,"arn":true,"versioning":true,"server_side_encryption_configuration":true}`
			expr = fmt.Sprintf(`{"bucket":{"constant_value":"b-%d"}}`, i)
		case 1:
			typ = "aws_s3_bucket_server_side_encryption_configuration"
			after = `{"rule":[{"apply_server_side_encryption_by_default":[{"sse_algorithm":"aws:kms"}],"bucket_key_enabled":true}]}`
			unknown = `{"bucket":true,"id":true,"rule":[{"apply_server_side_encryption_by_default":[{"kms_master_key_id":true}]}]}`
			expr = fmt.Sprintf(`{"bucket":{"references":["aws_s3_bucket.r%d.id","aws_s3_bucket.r%d"]},"rule":[{"apply_server_side_encryption_by_default":[{"kms_master_key_id":{"references":["aws_kms_key.r%d.arn"]}}]}]}`, i-1, i-1, i+2)
			if mod != "" && i%20 == 6 {
				// A module's resource refers to a root bucket through a variable.
				expr = `{"bucket":{"references":["var.bucket"]}}`
			}
		case 2:
			typ = "aws_security_group"
			after = `{"name":"sg","description":"d","ingress":[{"cidr_blocks":["0.0.0.0/0"],"ipv6_cidr_blocks":[],"prefix_list_ids":[],"security_groups":[],"self":false,"from_port":22,"to_port":22,"protocol":"tcp","description":""}]}`
			unknown = `{"id":true,"arn":true,"vpc_id":true,"egress":true}`
			expr = `{"name":{"constant_value":"sg"},"ingress":{"constant_value":[]}}`
		case 3:
			typ = "aws_kms_key"
			after = `{"enable_key_rotation":true,"is_enabled":true}`
			unknown = `{"id":true,"arn":true,"key_id":true,"policy":true}`
			expr = `{"enable_key_rotation":{"constant_value":true}}`
		case 4:
			typ = "aws_security_group_rule"
			after = `{"type":"ingress","from_port":3389,"to_port":3389,"protocol":"tcp","cidr_blocks":["0.0.0.0/0"]}`
			unknown = `{"id":true,"security_group_id":true}`
			expr = fmt.Sprintf(`{"security_group_id":{"references":["aws_security_group.r%d.id","aws_security_group.r%d"]}}`, i-2, i-2)
		}
		a := addr(typ, i)
		moduleField := ""
		if mod != "" {
			moduleField = `"module_address":"module.m",`
		}
		changes = append(changes, fmt.Sprintf(`{"address":%q,%s"mode":"managed","type":%q,"name":"r%d","change":{"actions":["create"],"before":null,"after":%s,"after_unknown":%s}}`,
			a, moduleField, typ, i, after, unknown))
		entry := fmt.Sprintf(`{"address":"%s.r%d","mode":"managed","type":%q,"name":"r%d","expressions":%s}`, typ, i, typ, i, expr)
		if mod == "" {
			config = append(config, entry)
		} else {
			modConfig = append(modConfig, entry)
		}
	}
	return []byte(`{"format_version":"1.2","terraform_version":"1.9.5","resource_changes":[` + strings.Join(changes, ",\n") +
		`],"configuration":{"root_module":{"resources":[` + strings.Join(config, ",\n") +
		`],"module_calls":{"m":{"source":"./m","expressions":{"bucket":{"references":["aws_s3_bucket.r0.id","aws_s3_bucket.r0"]}},"module":{"resources":[` + strings.Join(modConfig, ",\n") + `]}}}}}}`)
}

func BenchmarkReadTemplate5000(b *testing.B) {
	data := genTemplate(5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for it, err := range iac.ReadTemplate(bytes.NewReader(data), "gen.yaml", iac.WithAccount("123456789012"), iac.WithRegion("eu-west-1")) {
			if err != nil {
				b.Fatal(err)
			}
			if it != nil {
				n++
			}
		}
		if n != 5000-2*625 { // policies and ingress rules merge into their bucket and group
			b.Fatalf("%d items", n)
		}
	}
}

func BenchmarkReadPlan5000(b *testing.B) {
	data := genPlan(5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		for it, err := range iac.ReadPlan(bytes.NewReader(data), "gen.json", iac.WithAccount("123456789012"), iac.WithRegion("eu-west-1")) {
			if err != nil {
				b.Fatal(err)
			}
			if it != nil {
				n++
			}
		}
		if n != 3000 { // encryption resources and rules merge into their bucket and group
			b.Fatalf("%d items", n)
		}
	}
}
