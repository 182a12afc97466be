package policy_test

import (
	"errors"
	"fmt"

	"github.com/guardrails-go/guardrails/rules/policy"
)

func ExampleParse() {
	// The same trust policy as IAM stores it in a Config item (URL-encoded),
	// and a malformed document.
	doc, err := policy.Parse([]byte("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc.Statements[0].Principal.Service, doc.Statements[0].Action)

	_, err = policy.Parse([]byte(`{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":{"StringEquals":"vpce-1"}}]}`))
	fmt.Println(err)

	_, err = policy.Parse([]byte(`null`))
	fmt.Println(errors.Is(err, policy.ErrNoDocument))
	// Output:
	// [lambda.amazonaws.com] [sts:AssumeRole]
	// Statement[0].Condition.StringEquals: must be an object of condition keys and values, found a string
	// true
}

func ExampleMatchAction() {
	fmt.Println(policy.MatchAction("s3:Get*", "s3:GetObject"))
	fmt.Println(policy.MatchAction("S3:*", "s3:PutObject"))
	fmt.Println(policy.MatchAction("s3:Get*", "s3:PutObject"))
	// Output:
	// true
	// true
	// false
}

func ExampleDocument_Grantees() {
	doc, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root","Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetObject","Resource":"*"},
	  {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	g := doc.Grantees()
	fmt.Println(g.Everyone, g.AWS, g.Service, g.SourceIPs)
	// Output:
	// true [arn:aws:iam::111122223333:root] [cloudtrail.amazonaws.com] [192.0.2.0/24]
}

func ExampleACLFromHeaders() {
	// requestParameters of a CloudTrail PutBucketAcl record with grant headers.
	acl, err := policy.ACLFromHeaders(map[string][]string{
		"x-amz-grant-read":  {`uri="http://acs.amazonaws.com/groups/global/AllUsers"`},
		"x-amz-grant-write": {`id="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"`},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acl.PublicPermissions())
	// Output:
	// [READ]
}
