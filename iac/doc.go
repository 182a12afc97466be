// Package iac provides readers that turn infrastructure as code into AWS
// Config configuration items, so that the rules of the catalog, written
// against Config's item shapes, run unchanged on resources before they are
// deployed.
//
// Two sources are read: CloudFormation templates (YAML or JSON, short and
// long intrinsic forms) and Terraform plans in the JSON form of
// "terraform show -json". [Formats] plugs both into evaluate.Reader;
// [ReadTemplate] and [ReadPlan] read one file; [IsTemplate] and [IsPlan]
// recognise a file by its first bytes and never claim AWS Config data.
//
//	src := evaluate.Reader{Formats: iac.Formats(iac.WithRegion("eu-west-1"))}.Files("infra/")
//
// # Items
//
// Each resource becomes one item whose ResourceID and ResourceName are the
// CloudFormation logical id ("RawBucket") or the Terraform address
// ("module.audit.aws_cloudtrail.main", `aws_s3_bucket.logs["raw"]`), whose
// ResourceType is the AWS type (AWS::S3::Bucket for aws_s3_bucket), and
// whose Location names the file, the line of the logical id (templates) or
// of the address in resource_changes (plans; 0 in one-line plans), and the
// path ("Resources.RawBucket" or the address). Items have status OK, a zero
// CaptureTime (the engine then stamps evaluations with the scan time), and
// the account and region given with [WithAccount] and [WithRegion]; when
// they are not given, AccountID and Region are empty and the values built
// from them (ARNs, AWS::AccountId) are unknown. IAM items have region
// "global", as in Config.
//
// The configuration and supplementaryConfiguration follow what Config
// records once the resource is deployed (the Config resource schema and
// real items of aws-config-rdk and cloud-custodian), including AWS's
// defaults for what the code leaves out: a new S3 bucket has SSE-S3 default
// encryption (since January 2023), Block Public Access on and ACLs disabled
// by BucketOwnerEnforced (since April 2023), versioning "Off"; a new
// security group made by CloudFormation allows all egress (Terraform removes
// that rule); a KMS key has rotation off and the default key policy.
// Documents Config records as strings are strings: a bucket policy's
// policyText, the AccessControlList, a key policy; IAM policy documents are
// URL-encoded JSON, as IAM returns them.
//
// Resources that Config records as part of another are merged into it: a
// bucket policy, split Terraform bucket resources (encryption, versioning,
// public access block, policy, logging, ACL, ownership controls), security
// group rules, network ACL entries, IAM inline policies and attachments,
// Lambda permissions. They are joined to their target through Ref/GetAtt,
// Terraform's configuration references (the bucket id is not known at plan
// time), or equal known names. One whose target is not in the file is an
// error: its effect cannot be evaluated.
//
// References between resources of one file are written as the referenced
// item's ResourceID: a security group's vpcId, a flow log's resourceId, an
// instance's subnetId are "Vpc01" or "aws_vpc.main", so that a rule that
// looks up the related item finds it.
//
// # Unknown values
//
// Some values are known only once the stack is deployed: a parameter with
// no value and no Default, Fn::ImportValue, most Fn::GetAtt attributes, a
// resource name CloudFormation generates, Terraform's "known after apply",
// a default that depends on the account (EBS encryption by default, the
// IMDS defaults of an AMI). They are handled in two ways at once:
//
//   - the item's Unknown field lists the JSON path of every unknown value,
//     such as "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyID".
//     For documents Config records as strings (policyText, the ACL, IAM
//     documents) the path continues inside the decoded document, e.g.
//     "supplementaryConfiguration.BucketPolicy.policyText.Statement[0].Resource",
//     so a rule knows whether the part it needs is unknown;
//   - the value itself is a placeholder string "${unknown:WHAT}" naming what
//     it depends on ("${unknown:Key.Arn}", "${unknown:parameter VpcId}",
//     "${unknown:aws_kms_key.logs.arn}"); strings built from known and
//     unknown parts keep the known parts ("arn:aws:s3:::${unknown:Bucket}/*").
//     Unknown booleans, numbers and whole documents are null instead, so that
//     typed readers of the item do not fail on a string.
//
// A rule that needs an unknown value answers INSUFFICIENT_DATA naming it; a
// rule that only needs another value, or only the presence of this one, is
// not blocked: an aws:kms default encryption whose key is
// "${unknown:Key.Arn}" is still encryption. The canonical id of a bucket's
// owner is always unknown (paths ...AccessControlList.owner.id and the
// owner grant's grantee.id); group grants (AllUsers, AuthenticatedUsers)
// are known.
//
// CloudFormation conditions are evaluated when their inputs are known: a
// resource whose condition is false is not created and gives no item, and
// Fn::If takes the branch its condition selects; AWS::NoValue removes the
// property. A resource whose condition cannot be decided is read as if
// created.
//
// # Errors
//
// A file that is not a template or plan, a YAML alias bomb, a plan of an
// unsupported format_version give one error for the file. An unknown
// intrinsic, a Ref to a missing parameter or resource, a property of the
// wrong type give an error for that resource (an *evaluate.Error with the
// file, line and the property's path, e.g.
// "Resources.Bucket.Properties.VersioningConfiguration.Status"), and the
// other resources are still produced.
package iac
