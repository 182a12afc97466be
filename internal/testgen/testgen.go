// Package testgen writes generated AWS Config snapshots for benchmarks and
// memory measurements: realistic items of the catalog's resource types,
// compliant and not, so every rule family does real work.
package testgen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"strconv"
)

// Account and Region are those of every generated item.
const (
	Account = "123456789012"
	Region  = "eu-west-1"
)

// WriteSnapshot writes a snapshot file of n items to w.
func WriteSnapshot(w io.Writer, n int, seed uint64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, "{\"fileVersion\":\"1.0\",\"configSnapshotId\":\"00000000-0000-4000-8000-%012d\",\"configurationItems\":[\n", seed)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := range n {
		if i > 0 {
			bw.WriteString(",\n")
		}
		b, err := json.Marshal(Item(r, i))
		if err != nil {
			return err
		}
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// Item returns the i-th generated item as a JSON-ready map.
func Item(r *rand.Rand, i int) map[string]any {
	switch k := i % 100; {
	case k < 30:
		return bucket(r, i)
	case k < 50:
		return securityGroup(r, i)
	case k < 62:
		return instance(r, i)
	case k < 72:
		return volume(r, i)
	case k < 77:
		return iamUser(r, i)
	case k < 80:
		return iamPolicy(r, i)
	case k < 84:
		return kmsKey(r, i)
	case k < 87:
		return rdsInstance(r, i)
	case k < 92:
		return lambdaFunction(r, i)
	case k < 94:
		return vpc(i)
	case k < 96:
		return flowLog(i)
	case k < 97:
		return trail(r, i)
	}
	return networkACL(r, i)
}

func envelope(rtype, id, name, arn string, i int, conf map[string]any, supp map[string]any) map[string]any {
	if supp == nil {
		supp = map[string]any{}
	}
	return map[string]any{
		"configurationItemVersion": "1.3", "configurationItemCaptureTime": "2026-11-18T09:12:44.118Z",
		"configurationStateId": 1763457164118 + i, "awsAccountId": Account, "configurationItemStatus": "OK",
		"resourceType": rtype, "resourceId": id, "resourceName": name, "ARN": arn, "awsRegion": Region,
		"availabilityZone": "Regional", "configurationStateMd5Hash": "", "resourceCreationTime": "2025-03-02T10:00:00.000Z",
		"tags":          map[string]string{"team": "team-" + strconv.Itoa(i%17), "env": []string{"prod", "dev", "test"}[i%3]},
		"relatedEvents": []any{}, "relationships": []any{}, "configuration": conf, "supplementaryConfiguration": supp,
	}
}

func policyText(stmts ...map[string]any) string {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": stmts})
	return string(b)
}

func bucket(r *rand.Rand, i int) map[string]any {
	name := fmt.Sprintf("acme-bucket-%07d", i)
	arn := "arn:aws:s3:::" + name
	supp := map[string]any{
		"AccessControlList":               `{"grantSet":null,"grantList":[{"grantee":{"id":"4a5c2e1f8d9b7c6a","displayName":null},"permission":"FullControl"}],"owner":{"displayName":null,"id":"4a5c2e1f8d9b7c6a"},"isRequesterCharged":false}`,
		"BucketAccelerateConfiguration":   map[string]any{"status": nil},
		"BucketLoggingConfiguration":      map[string]any{"destinationBucketName": nil, "logFilePrefix": nil},
		"BucketNotificationConfiguration": map[string]any{"configurations": map[string]any{}},
		"BucketVersioningConfiguration":   map[string]any{"status": []string{"Enabled", "Off", "Suspended"}[r.IntN(3)], "isMfaDeleteEnabled": nil},
		"IsRequesterPaysEnabled":          false,
	}
	if r.IntN(10) < 8 {
		supp["ServerSideEncryptionConfiguration"] = map[string]any{"rules": []any{map[string]any{
			"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": []string{"AES256", "aws:kms"}[r.IntN(2)], "kmsMasterKeyID": nil},
			"bucketKeyEnabled":                   r.IntN(2) == 0}}}
	}
	if r.IntN(10) < 7 {
		supp["PublicAccessBlockConfiguration"] = map[string]any{"blockPublicAcls": true, "ignorePublicAcls": true, "blockPublicPolicy": r.IntN(5) > 0, "restrictPublicBuckets": true}
	}
	if r.IntN(2) == 0 {
		supp["BucketLoggingConfiguration"] = map[string]any{"destinationBucketName": "acme-access-logs", "logFilePrefix": name + "/"}
	}
	var stmts []map[string]any
	if r.IntN(10) < 6 {
		stmts = append(stmts, map[string]any{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
			"Resource": []string{arn, arn + "/*"}, "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}})
	}
	if r.IntN(10) < 3 {
		stmts = append(stmts, map[string]any{"Sid": "ReadFromOrg", "Effect": "Allow", "Principal": "*", "Action": []string{"s3:GetObject", "s3:ListBucket"},
			"Resource": []string{arn, arn + "/*"}, "Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}})
	}
	if r.IntN(20) == 0 {
		stmts = append(stmts, map[string]any{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": arn + "/*"})
	}
	if len(stmts) > 0 {
		supp["BucketPolicy"] = map[string]any{"policyText": policyText(stmts...)}
	} else {
		supp["BucketPolicy"] = map[string]any{"policyText": nil}
	}
	return envelope("AWS::S3::Bucket", name, name, arn, i, map[string]any{"name": name, "owner": map[string]any{"displayName": nil, "id": "4a5c2e1f8d9b7c6a"}, "creationDate": "2025-03-02T10:00:00.000Z"}, supp)
}

func perm(proto string, from, to int, v4, v6 []string) map[string]any {
	p := map[string]any{"ipProtocol": proto, "userIdGroupPairs": []any{}, "prefixListIds": []any{}, "ipRanges": v4}
	if proto != "-1" {
		p["fromPort"], p["toPort"] = from, to
	}
	var r4, r6 []any
	for _, c := range v4 {
		r4 = append(r4, map[string]any{"cidrIp": c})
	}
	for _, c := range v6 {
		r6 = append(r6, map[string]any{"cidrIpv6": c})
	}
	p["ipv4Ranges"], p["ipv6Ranges"] = r4, r6
	return p
}

func securityGroup(r *rand.Rand, i int) map[string]any {
	id := fmt.Sprintf("sg-%017x", i)
	ports := []int{22, 80, 443, 3306, 3389, 5432, 8080, 27017}
	var ingress []any
	for range 1 + r.IntN(4) {
		p := ports[r.IntN(len(ports))]
		cidr := []string{"10.0.0.0/8", "0.0.0.0/0", "172.16.0.0/12", "192.168.10.0/24"}[r.IntN(4)]
		var v6 []string
		if r.IntN(6) == 0 {
			v6 = []string{"::/0"}
		}
		ingress = append(ingress, perm("tcp", p, p, []string{cidr}, v6))
	}
	if r.IntN(30) == 0 {
		ingress = append(ingress, perm("-1", 0, 0, []string{"0.0.0.0/0"}, nil))
	}
	name := fmt.Sprintf("app-%d", i)
	if i%50 == 20 {
		name = "default"
	}
	return envelope("AWS::EC2::SecurityGroup", id, name, fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", Region, Account, id), i,
		map[string]any{"ownerId": Account, "groupName": name, "groupId": id, "description": "generated", "ipPermissions": ingress,
			"ipPermissionsEgress": []any{perm("-1", 0, 0, []string{"0.0.0.0/0"}, nil)}, "vpcId": fmt.Sprintf("vpc-%017x", i%40), "tags": []any{}}, nil)
}

func instance(r *rand.Rand, i int) map[string]any {
	id := fmt.Sprintf("i-%017x", i)
	conf := map[string]any{"instanceId": id, "imageId": "ami-0a1b2c3d4e5f67890", "state": map[string]any{"code": 16, "name": "running"},
		"instanceType": "t3.medium", "launchTime": "2026-10-01T08:00:00.000Z", "subnetId": "subnet-0a1b2c3d", "vpcId": fmt.Sprintf("vpc-%017x", i%40),
		"privateIpAddress": "10.20.1.15", "securityGroups": []any{map[string]any{"groupName": "g", "groupId": fmt.Sprintf("sg-%017x", i+1)}},
		"blockDeviceMappings": []any{map[string]any{"deviceName": "/dev/xvda", "ebs": map[string]any{"volumeId": fmt.Sprintf("vol-%017x", i), "status": "attached"}}},
		"tags":                []any{}, "architecture": "x86_64", "rootDeviceType": "ebs", "hypervisor": "nitro"}
	if r.IntN(4) > 0 {
		conf["metadataOptions"] = map[string]any{"state": "applied", "httpTokens": []string{"required", "optional"}[r.IntN(2)], "httpPutResponseHopLimit": 2, "httpEndpoint": "enabled"}
	}
	if r.IntN(5) == 0 {
		conf["publicIpAddress"] = "203.0.113.24"
	}
	if r.IntN(3) > 0 {
		conf["iamInstanceProfile"] = map[string]any{"arn": "arn:aws:iam::" + Account + ":instance-profile/app", "id": "AIPAEXAMPLE"}
	}
	return envelope("AWS::EC2::Instance", id, "", fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", Region, Account, id), i, conf, nil)
}

func volume(r *rand.Rand, i int) map[string]any {
	id := fmt.Sprintf("vol-%017x", i)
	conf := map[string]any{"volumeId": id, "size": 50, "availabilityZone": Region + "a", "state": "in-use", "createTime": "2026-10-01T08:00:00.000Z",
		"attachments": []any{map[string]any{"volumeId": id, "instanceId": fmt.Sprintf("i-%017x", i), "device": "/dev/xvda", "state": "attached"}},
		"volumeType":  "gp3", "encrypted": r.IntN(4) > 0, "tags": []any{}}
	return envelope("AWS::EC2::Volume", id, "", fmt.Sprintf("arn:aws:ec2:%s:%s:volume/%s", Region, Account, id), i, conf, nil)
}

func iamUser(r *rand.Rand, i int) map[string]any {
	name := fmt.Sprintf("user-%d", i)
	doc := url.QueryEscape(policyText(map[string]any{"Effect": "Allow", "Action": []string{"s3:GetObject"}, "Resource": "*"}))
	var inline []any
	if r.IntN(3) == 0 {
		inline = append(inline, map[string]any{"policyName": "inline", "policyDocument": doc})
	}
	var attached []any
	if r.IntN(3) == 0 {
		attached = append(attached, map[string]any{"policyName": "ReadOnlyAccess", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
	}
	uid := fmt.Sprintf("AIDA%016d", i)
	it := envelope("AWS::IAM::User", uid, name, "arn:aws:iam::"+Account+":user/"+name, i, map[string]any{"path": "/", "userName": name, "userId": uid,
		"arn": "arn:aws:iam::" + Account + ":user/" + name, "createDate": "2024-05-06T09:00:00.000Z", "userPolicyList": inline,
		"groupList": []string{"developers"}, "attachedManagedPolicies": attached}, nil)
	it["awsRegion"] = "global"
	return it
}

func iamPolicy(r *rand.Rand, i int) map[string]any {
	name := fmt.Sprintf("policy-%d", i)
	action := []string{"s3:GetObject", "dynamodb:*", "*"}[r.IntN(3)]
	doc := url.QueryEscape(policyText(map[string]any{"Effect": "Allow", "Action": action, "Resource": "*"}))
	id := fmt.Sprintf("ANPA%016d", i)
	it := envelope("AWS::IAM::Policy", id, name, "arn:aws:iam::"+Account+":policy/"+name, i, map[string]any{"policyName": name, "policyId": id,
		"arn": "arn:aws:iam::" + Account + ":policy/" + name, "defaultVersionId": "v1", "attachmentCount": 1, "isAttachable": true,
		"policyVersionList": []any{map[string]any{"document": doc, "versionId": "v1", "isDefaultVersion": true}}}, nil)
	it["awsRegion"] = "global"
	return it
}

func kmsKey(r *rand.Rand, i int) map[string]any {
	id := fmt.Sprintf("%08x-4b7a-4e0f-9c3d-%012x", i, i)
	return envelope("AWS::KMS::Key", id, "", fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", Region, Account, id), i,
		map[string]any{"keyId": id, "creationDate": 1740909600000, "enabled": true, "keyUsage": "ENCRYPT_DECRYPT", "keyState": "Enabled",
			"origin": "AWS_KMS", "keyManager": "CUSTOMER", "keySpec": "SYMMETRIC_DEFAULT", "multiRegion": false},
		map[string]any{"KeyRotationStatus": r.IntN(2) == 0, "Tags": []any{}})
}

func rdsInstance(r *rand.Rand, i int) map[string]any {
	id := fmt.Sprintf("db-%026d", i)
	return envelope("AWS::RDS::DBInstance", id, fmt.Sprintf("db%d", i), fmt.Sprintf("arn:aws:rds:%s:%s:db:db%d", Region, Account, i), i,
		map[string]any{"dBInstanceIdentifier": fmt.Sprintf("db%d", i), "engine": "postgres", "dBInstanceStatus": "available",
			"backupRetentionPeriod": r.IntN(8), "multiAZ": r.IntN(2) == 0, "publiclyAccessible": r.IntN(5) == 0,
			"storageEncrypted": r.IntN(4) > 0, "dbiResourceId": id}, map[string]any{"Tags": []any{}})
}

func lambdaFunction(r *rand.Rand, i int) map[string]any {
	name := fmt.Sprintf("fn-%d", i)
	vpcConf := map[string]any{"subnetIds": []string{}, "securityGroupIds": []string{}}
	if r.IntN(2) == 0 {
		vpcConf = map[string]any{"subnetIds": []string{"subnet-0a1b2c3d"}, "securityGroupIds": []string{"sg-0a1b2c3d"}}
	}
	return envelope("AWS::Lambda::Function", name, name, fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", Region, Account, name), i,
		map[string]any{"functionName": name, "runtime": "provided.al2023", "handler": "bootstrap", "codeSize": 8830136, "timeout": 30,
			"memorySize": 256, "vpcConfig": vpcConf, "tracingConfig": map[string]any{"mode": "PassThrough"}}, map[string]any{"Tags": map[string]any{}})
}

func vpc(i int) map[string]any {
	id := fmt.Sprintf("vpc-%017x", i%40)
	return envelope("AWS::EC2::VPC", id, "", fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/%s", Region, Account, id), i,
		map[string]any{"vpcId": id, "state": "available", "cidrBlock": "10.20.0.0/16", "isDefault": false, "tags": []any{}}, nil)
}

func flowLog(i int) map[string]any {
	id := fmt.Sprintf("fl-%017x", i)
	return envelope("AWS::EC2::FlowLog", id, "", fmt.Sprintf("arn:aws:ec2:%s:%s:vpc-flow-log/%s", Region, Account, id), i,
		map[string]any{"flowLogId": id, "flowLogStatus": "ACTIVE", "resourceId": fmt.Sprintf("vpc-%017x", i%80), "trafficType": "ALL",
			"logDestinationType": "cloud-watch-logs", "logGroupName": "/vpc"}, nil)
}

func trail(r *rand.Rand, i int) map[string]any {
	name := fmt.Sprintf("trail-%d", i)
	arn := fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", Region, Account, name)
	return envelope("AWS::CloudTrail::Trail", arn, name, arn, i,
		map[string]any{"name": name, "s3BucketName": fmt.Sprintf("acme-bucket-%07d", i-i%100), "isMultiRegionTrail": r.IntN(2) == 0,
			"logFileValidationEnabled": r.IntN(2) == 0, "includeGlobalServiceEvents": true, "homeRegion": Region, "trailARN": arn}, map[string]any{"Tags": []any{}})
}

func networkACL(r *rand.Rand, i int) map[string]any {
	id := fmt.Sprintf("acl-%017x", i)
	cidr := []string{"0.0.0.0/0", "10.0.0.0/8"}[r.IntN(2)]
	return envelope("AWS::EC2::NetworkAcl", id, "", fmt.Sprintf("arn:aws:ec2:%s:%s:network-acl/%s", Region, Account, id), i,
		map[string]any{"networkAclId": id, "vpcId": fmt.Sprintf("vpc-%017x", i%40), "isDefault": false, "entries": []any{
			map[string]any{"ruleNumber": 100, "protocol": "6", "ruleAction": "allow", "egress": false, "cidrBlock": cidr, "portRange": map[string]any{"from": 22, "to": 22}},
			map[string]any{"ruleNumber": 32767, "protocol": "-1", "ruleAction": "deny", "egress": false, "cidrBlock": "0.0.0.0/0"}}}, nil)
}
