// Package awsfake provides a fake AWS for tests: one httptest server per
// service, each speaking the service's wire protocol to the real SDK
// clients (S3 REST-XML with path-style addressing, S3 Control REST-XML,
// EC2 query, IAM and RDS query, CloudTrail and KMS JSON 1.1), recording
// every request so tests can assert what went over the wire.
//
// Tests install a handler per API ("s3:GetBucketVersioning"); a request
// without a handler fails the test.
package awsfake
