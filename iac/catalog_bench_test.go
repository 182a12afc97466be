package iac_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
	"github.com/guardrails-go/guardrails/rules"
)

// genCatalogTemplate writes a template of n resources of every kind the
// catalog judges, with the parts that merge into them: buckets with
// policies, security groups with separate rules, network ACLs with
// entries, volumes with attachments, VPCs with flow logs, trails, keys,
// RDS instances, Lambda functions with permissions, CloudFront
// distributions, IAM users, groups, roles and managed policies, instances.
func genCatalogTemplate(n int) []byte {
	var b bytes.Buffer
	b.WriteString("AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Env: {Type: String, Default: prod}\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n")
	kinds := []func(i int) string{
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub \"${Env}-b%d\"\n      VersioningConfiguration: {Status: !If [IsProd, Enabled, Suspended]}\n", i, i)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref R%d\n      PolicyDocument:\n        Statement: [{Effect: Deny, Principal: \"*\", Action: \"s3:*\", Resource: !Sub \"arn:aws:s3:::${R%d}/*\", Condition: {Bool: {aws:SecureTransport: false}}}]\n", i, i-1, i-1)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g%d\n      VpcId: !Ref R%d\n      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0}, {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 10.0.0.0/8}]\n", i, i, i+11)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties: {GroupId: !GetAtt R%d.GroupId, IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0}\n", i, i-1)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::KMS::Key\n    Properties: {EnableKeyRotation: true}\n", i)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::CloudTrail::Trail\n    Properties: {IsLogging: true, S3BucketName: !Ref R%d, EnableLogFileValidation: true, KMSKeyId: !GetAtt R%d.Arn}\n", i, i-5, i-1)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::RDS::DBInstance\n    Properties: {Engine: postgres, DBInstanceClass: db.t3.small, AllocatedStorage: \"20\", StorageEncrypted: true, MultiAZ: true, BackupRetentionPeriod: 7}\n", i)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      Role: arn:aws:iam::123456789012:role/app\n      Code: {ZipFile: x}\n      Environment: {Variables: {STAGE: prod, TABLE: t%d}}\n", i, i)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::Lambda::Permission\n    Properties: {FunctionName: !Ref R%d, Action: lambda:InvokeFunction, Principal: s3.amazonaws.com, SourceAccount: \"123456789012\"}\n", i, i-1)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::CloudFront::Distribution\n    Properties:\n      DistributionConfig:\n        Enabled: true\n        Origins: [{Id: o, DomainName: b.s3.amazonaws.com, S3OriginConfig: {OriginAccessIdentity: \"\"}}]\n        DefaultCacheBehavior: {TargetOriginId: o, ViewerProtocolPolicy: redirect-to-https, ForwardedValues: {QueryString: false}}\n", i)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}\n      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: \"s3:Get*\", Resource: \"*\"}]}}]\n", i)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::VPC\n    Properties: {CidrBlock: 10.%d.0.0/16}\n", i, i%250)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::FlowLog\n    Properties: {ResourceId: !Ref R%d, ResourceType: VPC, TrafficType: ALL, LogDestinationType: s3, LogDestination: arn:aws:s3:::flow-logs}\n", i, i-1)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::NetworkAcl\n    Properties: {VpcId: !Ref R%d}\n", i, i-2)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::NetworkAclEntry\n    Properties: {NetworkAclId: !Ref R%d, RuleNumber: 100, Protocol: 6, RuleAction: allow, CidrBlock: 0.0.0.0/0, PortRange: {From: 443, To: 443}}\n", i, i-1)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::Instance\n    Properties: {ImageId: ami-123, InstanceType: t3.micro, SubnetId: subnet-1, IamInstanceProfile: app, SecurityGroupIds: [!Ref R%d]}\n", i, i-13)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::Volume\n    Properties: {AvailabilityZone: eu-west-1a, Size: 8, Encrypted: true}\n", i)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::EC2::VolumeAttachment\n    Properties: {VolumeId: !Ref R%d, InstanceId: !Ref R%d, Device: /dev/sdf}\n", i, i-1, i-2)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::IAM::User\n    Properties: {UserName: u%d, Groups: [developers]}\n", i, i)
		},
		func(i int) string {
			return fmt.Sprintf("  R%d:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument: {Statement: [{Effect: Allow, Action: [\"ec2:Describe*\"], Resource: \"*\"}]}\n      Users: [!Ref R%d]\n", i, i-1)
		},
	}
	for i := 0; i < n; i++ {
		b.WriteString(kinds[i%len(kinds)](i))
	}
	return b.Bytes()
}

// genCatalogPlan writes a plan of n resource changes of the kinds the
// catalog judges, split resources joined by configuration references,
// half of them in a module.
func genCatalogPlan(n int) []byte {
	type kind struct {
		typ, after, unknown string
		refs                map[string]int // attribute → offset of the referenced resource
	}
	kinds := []kind{
		{"aws_s3_bucket", `{"bucket":"b-%d"}`, `{"id":true,"arn":true,"versioning":true}`, nil},
		{"aws_s3_bucket_versioning", `{"versioning_configuration":[{"status":"Enabled"}]}`, `{"id":true,"bucket":true}`, map[string]int{"bucket": -1}},
		{"aws_s3_bucket_policy", `{"policy":"{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"}`, `{"id":true,"bucket":true}`, map[string]int{"bucket": -2}},
		{"aws_security_group", `{"name":"g-%d","description":"d","ingress":[{"cidr_blocks":["0.0.0.0/0"],"ipv6_cidr_blocks":[],"prefix_list_ids":[],"security_groups":[],"self":false,"from_port":443,"to_port":443,"protocol":"tcp","description":""}],"egress":[]}`, `{"id":true,"arn":true,"vpc_id":true}`, nil},
		{"aws_security_group_rule", `{"type":"ingress","from_port":22,"to_port":22,"protocol":"tcp","cidr_blocks":["10.0.0.0/8"]}`, `{"id":true,"security_group_id":true}`, map[string]int{"security_group_id": -1}},
		{"aws_kms_key", `{"enable_key_rotation":true,"is_enabled":true}`, `{"id":true,"arn":true,"key_id":true,"policy":true}`, nil},
		{"aws_cloudtrail", `{"name":"t-%d","s3_bucket_name":"b-0","enable_log_file_validation":true,"is_multi_region_trail":true}`, `{"id":true,"arn":true,"home_region":true,"kms_key_id":true}`, map[string]int{"kms_key_id": -1}},
		{"aws_db_instance", `{"identifier":"db-%d","engine":"postgres","instance_class":"db.t3.small","allocated_storage":20,"storage_encrypted":true,"multi_az":true,"backup_retention_period":7,"publicly_accessible":false}`, `{"id":true,"arn":true,"resource_id":true,"kms_key_id":true}`, nil},
		{"aws_lambda_function", `{"function_name":"f-%d","runtime":"python3.12","handler":"app.handler","role":"arn:aws:iam::123456789012:role/app","environment":[{"variables":{"STAGE":"prod"}}],"vpc_config":[]}`, `{"id":true,"arn":true}`, nil},
		{"aws_lambda_permission", `{"statement_id":"s3","action":"lambda:InvokeFunction","principal":"s3.amazonaws.com","source_account":"123456789012"}`, `{"id":true,"function_name":true}`, map[string]int{"function_name": -1}},
		{"aws_iam_role", `{"name":"r-%d","assume_role_policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}`, `{"id":true,"arn":true,"unique_id":true}`, nil},
		{"aws_iam_policy", `{"name":"p-%d","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}]}"}`, `{"id":true,"arn":true,"policy_id":true}`, nil},
		{"aws_vpc", `{"cidr_block":"10.0.0.0/16"}`, `{"id":true,"arn":true}`, nil},
		{"aws_flow_log", `{"traffic_type":"ALL","log_destination_type":"s3","log_destination":"arn:aws:s3:::flow-logs"}`, `{"id":true,"arn":true,"vpc_id":true}`, map[string]int{"vpc_id": -1}},
		{"aws_instance", `{"ami":"ami-123","instance_type":"t3.micro","subnet_id":"subnet-1","iam_instance_profile":"app","associate_public_ip_address":false,"metadata_options":[{"http_tokens":"required","http_endpoint":"enabled"}]}`, `{"id":true,"arn":true,"public_ip":true}`, nil},
		{"aws_ebs_volume", `{"availability_zone":"eu-west-1a","size":8,"encrypted":true}`, `{"id":true,"arn":true,"kms_key_id":true}`, nil},
	}
	var changes, config, modConfig []string
	for i := 0; i < n; i++ {
		k := kinds[i%len(kinds)]
		mod := ""
		if (i/len(kinds))%2 == 1 {
			mod = "module.m."
		}
		name := fmt.Sprintf("r%d", i)
		after := k.after
		if strings.Contains(after, "%d") {
			after = fmt.Sprintf(after, i)
		}
		moduleField := ""
		if mod != "" {
			moduleField = `"module_address":"module.m",`
		}
		changes = append(changes, fmt.Sprintf(`{"address":"%s%s.%s",%s"mode":"managed","type":%q,"name":%q,"change":{"actions":["create"],"before":null,"after":%s,"after_unknown":%s}}`,
			mod, k.typ, name, moduleField, k.typ, name, after, k.unknown))
		var exprs []string
		for attr, off := range k.refs {
			t := kinds[(i+off)%len(kinds)].typ
			target := fmt.Sprintf("%s.r%d", t, i+off)
			exprs = append(exprs, fmt.Sprintf(`%q:{"references":["%s.id","%s"]}`, attr, target, target))
		}
		entry := fmt.Sprintf(`{"address":"%s.%s","mode":"managed","type":%q,"name":%q,"expressions":{%s}}`, k.typ, name, k.typ, name, strings.Join(exprs, ","))
		if mod == "" {
			config = append(config, entry)
		} else {
			modConfig = append(modConfig, entry)
		}
	}
	return []byte(`{"format_version":"1.2","terraform_version":"1.9.5","resource_changes":[` + strings.Join(changes, ",\n") +
		`],"configuration":{"root_module":{"resources":[` + strings.Join(config, ",\n") +
		`],"module_calls":{"m":{"source":"./m","module":{"resources":[` + strings.Join(modConfig, ",\n") + `]}}}}}}`)
}

// scanCatalog reads src with the whole catalog, as examples/scan does, and
// counts evaluations, failing on any error.
func scanCatalog(tb testing.TB, engine *evaluate.Engine, src evaluate.Source) (evals, nonCompliant int) {
	for ev, err := range engine.Scan(context.Background(), src) {
		if err != nil {
			tb.Fatal(err)
		}
		evals++
		if ev.Compliance == evaluate.NonCompliant {
			nonCompliant++
		}
	}
	return evals, nonCompliant
}

func catalogEngine(tb testing.TB) *evaluate.Engine {
	engine, err := evaluate.NewEngine(rules.All())
	if err != nil {
		tb.Fatal(err)
	}
	return engine
}

// BenchmarkCatalogTemplate5000: parse a template of 5,000 resources and
// run the whole catalog over it (the target: under a second).
func BenchmarkCatalogTemplate5000(b *testing.B) {
	data := genCatalogTemplate(5000)
	engine := catalogEngine(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		evals, _ := scanCatalog(b, engine, iac.ReadTemplate(bytes.NewReader(data), "gen.yaml", iac.WithAccount("123456789012"), iac.WithRegion("eu-west-1")))
		if evals < 5000 {
			b.Fatalf("%d evaluations", evals)
		}
	}
}

// BenchmarkCatalogPlan5000: the same for a plan of 5,000 resource changes.
func BenchmarkCatalogPlan5000(b *testing.B) {
	data := genCatalogPlan(5000)
	engine := catalogEngine(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		evals, _ := scanCatalog(b, engine, iac.ReadPlan(bytes.NewReader(data), "gen.json", iac.WithAccount("123456789012"), iac.WithRegion("eu-west-1")))
		if evals < 3000 {
			b.Fatalf("%d evaluations", evals)
		}
	}
}

// TestCatalogGenerators: the generated files read without errors and the
// catalog judges them; GUARDRAILS_WRITE_BENCH_FILES=DIR writes them for
// measuring the scanner's memory (/usr/bin/time -v scan -input DIR/...).
func TestCatalogGenerators(t *testing.T) {
	tpl, plan := genCatalogTemplate(400), genCatalogPlan(400)
	engine := catalogEngine(t)
	for name, src := range map[string]evaluate.Source{
		"template": iac.ReadTemplate(bytes.NewReader(tpl), "gen.yaml"),
		"plan":     iac.ReadPlan(bytes.NewReader(plan), "gen.json"),
	} {
		evals, non := scanCatalog(t, engine, src)
		if evals < 300 || non == 0 {
			t.Errorf("%s: %d evaluations, %d non-compliant", name, evals, non)
		}
	}
	if dir := os.Getenv("GUARDRAILS_WRITE_BENCH_FILES"); dir != "" {
		if err := os.WriteFile(dir+"/template5000.yaml", genCatalogTemplate(5000), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dir+"/plan5000.json", genCatalogPlan(5000), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
