package watch_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/guardrails-go/guardrails/watch"
)

// A session reads a log file as CloudTrail delivers it and reports the
// changes that weaken data protection.
func ExampleSession_Read() {
	logFile := `{"Records": [
	  {"eventVersion": "1.09", "eventID": "e-1", "eventTime": "2026-11-20T10:00:00Z",
	   "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances", "readOnly": true,
	   "awsRegion": "eu-west-1", "recipientAccountId": "111122223333", "requestParameters": {}},
	  {"eventVersion": "1.09", "eventID": "e-2", "eventTime": "2026-11-20T10:01:00Z",
	   "eventSource": "s3.amazonaws.com", "eventName": "PutBucketPolicy", "readOnly": false,
	   "awsRegion": "eu-west-1", "recipientAccountId": "111122223333",
	   "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice"},
	   "sourceIPAddress": "198.51.100.7",
	   "requestParameters": {"bucketName": "reports", "policy": [""],
	     "bucketPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
	       "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}}}
	]}`
	w, err := watch.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	sess := w.NewSession()
	for f, err := range sess.Read(context.Background(), strings.NewReader(logFile), "log.json") {
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(f.Severity, f.Detection, f.Actor.ARN, f.SourceIPAddress)
		fmt.Println(f.Rules)
	}
	fmt.Printf("%+v\n", sess.Stats())
	// Output:
	// CRITICAL s3-bucket-policy-weakened arn:aws:iam::111122223333:user/alice 198.51.100.7
	// [s3-bucket-public-read-prohibited s3-bucket-ssl-requests-only]
	// {Files:1 Records:2 Skipped:1 SkippedFiles:0 Findings:1}
}

// A near miss: the same call with a range that is not the world is no
// finding; judging reads the request, not only the event name.
func ExampleWatcher_Judge() {
	w, _ := watch.New()
	for _, cidr := range []string{"0.0.0.0/0", "10.0.0.0/8"} {
		rec, _ := watch.DecodeRecord([]byte(`{"eventID": "e", "eventSource": "ec2.amazonaws.com",
		  "eventName": "AuthorizeSecurityGroupIngress", "awsRegion": "eu-west-1", "recipientAccountId": "111122223333",
		  "requestParameters": {"groupId": "sg-0123456789abcdef0", "ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389,
		  "cidrIp": "` + cidr + `", "ipPermissions": {}}}`))
		f, err := w.Judge(context.Background(), rec)
		switch {
		case err != nil:
			fmt.Println(err)
		case f == nil:
			fmt.Println(cidr, "no finding")
		default:
			fmt.Println(cidr, f.Severity, f.Rules, f.Remediations)
		}
	}
	// Output:
	// 0.0.0.0/0 HIGH [restricted-common-ports] [ec2-revoke-world-open-ingress]
	// 10.0.0.0/8 no finding
}

// JSON lines to standard output, for a log pipeline.
func ExampleJSONLines() {
	sink := watch.NewJSONLines(os.Stdout)
	sink.Send(context.Background(), &watch.Finding{Detection: "kms-key-disabled", Severity: watch.Medium, EventID: "e-1",
		Resources: []string{}, Rules: []string{}, Remediations: []string{}})
	// Output:
	// {"detection":"kms-key-disabled","severity":"MEDIUM","summary":"","eventID":"e-1","eventName":"","eventSource":"","eventTime":"","awsRegion":"","accountId":"","resources":[],"actor":{"arn":"","type":"","invokedBy":"","sessionIssuer":"","accountId":"","principalId":"","accessKeyId":""},"sourceIPAddress":"","userAgent":"","errorCode":"","rules":[],"remediations":[]}
}
