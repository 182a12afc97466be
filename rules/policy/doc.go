// Package policy provides the shared analyser of IAM-style policy documents
// (bucket, key, queue, function and role trust policies, identity policies),
// S3 access control lists and S3 Block Public Access settings.
//
// Rules, remediations, infrastructure-as-code adapters and CloudTrail
// detections all call this package, so that "public", "TLS only" and "admin
// access" mean the same thing everywhere. The package depends on the standard
// library only.
//
// # Parsing
//
// [Parse] accepts every form in which AWS hands a policy over: a JSON
// object; a JSON string holding one (AWS Config's BucketPolicy.policyText,
// the policy of CloudTrail's PutKeyPolicy, Terraform plan values); URL-encoded
// JSON (IAM policyDocument and assumeRolePolicyDocument in Config items); and
// these nested up to four times. Statement may be an object or an array;
// Action, Resource, NotAction, NotResource and every principal type may be a
// string or an array; condition values may be strings, booleans, numbers or
// arrays of them, and are normalized to strings. Element names, Effect
// values, condition operators and condition keys are matched without regard
// to case, and each [Condition] keeps its key as written and in lower case.
//
// A document AWS would refuse is an [*Error] naming the place, such as
// "Statement[2].Condition.StringEquals.aws:SourceVpce: value must be a
// string, a boolean, a number or an array of them, found an object". That
// includes CloudFormation intrinsic functions ({"Fn::Sub": ...}) left in a
// policy: resolving them is the template adapter's job. Empty input and JSON
// null are [ErrNoDocument], which callers test with errors.Is to treat a
// resource as having no policy.
//
// Each statement keeps its original JSON text. [Document.MarshalJSON] writes
// Version, Id and the Statement array, every parsed statement byte for byte;
// [Document.Append] returns a new document with statements added (checked as
// Parse checks them), which is how a remediation merges
// [DenyInsecureTransport] into an existing bucket policy without touching the
// other statements.
//
// # Patterns
//
// '*' matches any run of characters and '?' exactly one. Actions compare
// without regard to case ([MatchAction]); resources and principals are
// case-sensitive ([MatchResource]). Decisions that compare two patterns ask
// whether one covers every string the other matches ("s3:*" covers
// "s3:Get*"; "arn:aws:s3:::b*" covers "arn:aws:s3:::b/*") or whether they
// overlap ("s3:G*" and "s3:*Object"). Intersection is exact; coverage can
// answer "no" for exotic pairs mixing '?' and '*' where the true answer is
// "yes", and every caller treats "no" as the cautious outcome.
//
// # Public
//
// [Document.Public] follows S3's definition (S3 User Guide, "The meaning of
// public"): a policy is public unless it grants access only to fixed values.
// An Allow statement is public when its principal is "*", {"AWS": "*"}, a
// list holding "*" for any principal type (a partial wildcard such as
// "arn:aws:iam::*:root" is not a valid principal and is read as "*"), or when
// it uses NotPrincipal, unless one of its conditions pins it to fixed values
// of one of these keys:
//
//	aws:SourceIp (IpAddress, every range narrower than /0)
//	aws:SourceVpce, aws:SourceVpc
//	aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount, aws:PrincipalArn
//	aws:SourceAccount, aws:SourceArn, aws:SourceOwner, aws:userid
//	s3:DataAccessPointArn, s3:DataAccessPointAccount
//	kms:CallerAccount (key policies; every AWS managed key policy uses it)
//
// A condition pins when its operator is StringEquals, StringEqualsIgnoreCase,
// StringLike, ArnEquals or ArnLike (IpAddress for aws:SourceIp), without the
// IfExists suffix (a request that lacks the key would pass), without
// ForAllValues (true when the key is absent), and when every value is fixed:
// no '*', no '?', no policy variable ("${...}"), not empty. Two keys admit a
// wildcard by nature: s3:DataAccessPointArn in the access point name when the
// account is fixed (as S3 documents), and aws:PrincipalOrgPaths after a fixed
// organization id ("o-a1b2c3d4e5/*"). ForAnyValue with fixed values pins. A
// /0 range of any address ("0.0.0.0/0", "::/0", "192.168.1.0/0") and a value
// that does not parse restrict nothing. Negated operators (StringNotEquals,
// NotIpAddress) never pin. The safer choices where AWS leaves a case open:
// any wildcard in aws:SourceArn or aws:PrincipalArn opens the statement even
// when the account is fixed; s3:x-amz-server-side-encryption-aws-kms-key-id,
// which older SDK documentation lists, does not pin; aws:PrincipalServiceName
// and aws:SourceOrgID do not pin. Deny statements are not taken to offset a
// public Allow.
//
// Each [Grant] says which statement, how it opens up, its actions, and
// whether it reads (an action in [ReadActions]: s3:Get*, s3:List*) or writes
// (an action in [WriteActions]: s3:Put*, s3:Delete*, s3:AbortMultipartUpload,
// s3:RestoreObject, and the replication, object lock bypass, ownership
// override and session actions). Wildcards count ("s3:*", "*"), and an Allow
// with NotAction grants everything it does not list.
//
// # TLS
//
// [Document.DeniesInsecureTransport] checks the statement the managed rule
// s3-bucket-ssl-requests-only looks for: a Deny for every principal ("*" or
// {"AWS": "*"}; NotPrincipal does not qualify), for every S3 action ("s3:*",
// "*", or a NotAction that excludes no S3 action; a subset such as
// s3:GetObject alone does not qualify, since HTTP requests for the other
// actions would still be allowed), whose only condition is
// aws:SecureTransport = false under Bool or BoolIfExists (the string "false"
// or JSON false), covering both the bucket ARN and all its objects
// (bucket/*), in the bucket's partition (aws, aws-cn, aws-us-gov...). The
// covering may be split over several statements. A deny covering only the
// objects, or only the bucket, is reported with the part that is missing. A
// Deny with a further condition (for example a VPC endpoint exception)
// does not qualify, and an Allow conditioned on aws:SecureTransport = true is
// not a deny.
//
// # Other decisions
//
//   - [Document.Grantees] lists the principals, IP ranges, VPCs and VPC
//     endpoints of the Allow statements; [Document.GranteesOutside]
//     implements s3-bucket-policy-grantee-check (each statement must be
//     restricted by an allowed principal, IP range or VPC; an account id in
//     the allowlist stands for the account principal, not every role in it).
//   - [Document.NotMorePermissive] implements
//     s3-bucket-policy-not-more-permissive: every Allow statement must be
//     covered by one Allow statement of the control policy in principals,
//     actions, resources and conditions.
//   - [Document.AdminAccess] implements
//     iam-policy-no-statements-with-admin-access (Action "*" or "*:*" on
//     Resource "*"), [Document.FullAccess]
//     iam-policy-no-statements-with-full-access ("service:*" on any
//     resource; "ec2:Describe*" is not full access), and
//     [Document.NotActionAllows] lists the Allow + NotAction statements those
//     managed rules do not document, for rules that count them.
//   - [Document.RestrictedToVPC] checks for a Deny of every S3 action on the
//     bucket and its objects unless the request comes through given VPC
//     endpoints or VPCs (StringNotEquals on aws:SourceVpce / aws:SourceVpc);
//     when endpoints or VPCs are given, every exception must be among them.
//   - [Document.DeniesUnencryptedUploads] checks for a Deny of s3:PutObject
//     on every object of the bucket when the request does not ask for
//     server-side encryption (Null = true, or a negated string operator, on
//     s3:x-amz-server-side-encryption): the alternative to default
//     encryption that s3-bucket-server-side-encryption-enabled accepts.
//   - [Document.BlacklistedActions] implements
//     s3-bucket-blacklisted-actions-prohibited: Allow statements that let a
//     principal outside the owner's account (including "*", NotPrincipal,
//     service principals and principals whose account cannot be read)
//     perform an action matching a blacklisted pattern; conditions are not
//     considered, as the managed rule documents.
//
// # ACLs and Block Public Access
//
// [ParseACL] reads an S3 ACL as AWS Config records it (grantList with group
// grantees written "AllUsers", "AuthenticatedUsers", "LogDelivery" and
// permissions "FullControl", "Read"...), as CloudTrail records PutBucketAcl
// (AccessControlPolicy.AccessControlList.Grant, an object for one grant and
// an array for several, with "xsi:type" grantees) and as the S3 API returns
// it (Grants). [CannedACL] and [ACLFromHeaders] give the grants of x-amz-acl
// and the x-amz-grant-* headers. AllUsers and AuthenticatedUsers both count
// as everyone; FULL_CONTROL stands for READ, WRITE, READ_ACP and WRITE_ACP.
//
// [PublicAccessBlock] holds the four settings; [PublicAccessBlock.Combine]
// merges account and bucket settings, either one blocking. Per the S3 API
// reference, only IgnorePublicAcls makes existing public ACL grants
// ineffective ([PublicAccessBlock.BlocksPublicACLs]); BlockPublicAcls only
// refuses new public ACLs. Only RestrictPublicBuckets makes an existing
// public policy ineffective for everyone but AWS services and the owner's
// account ([PublicAccessBlock.BlocksPublicPolicy]); BlockPublicPolicy only
// refuses new public policies.
//
// # Ports
//
// [IPPermission] is the neutral form of a security group rule that Config
// items, CloudTrail AuthorizeSecurityGroupIngress parameters and templates
// all map into. [WorldOpen] says which /0 ranges (any /0, including
// 192.168.1.0/0) reach given TCP or UDP ports: protocol -1 opens every
// port, while group pairs and prefix lists are never the world.
// [UnauthorizedPorts] checks world-open TCP and UDP ports against authorized
// lists. [NetworkACLWorldOpen] applies network ACL entries in rule-number
// order. [ParsePortList] reads "443,1020-1025" lists, for rule parameters
// and for the ec2-revoke-world-open-ingress remediation's ports.
//
// # Speed
//
// A bucket policy is parsed in one pass without intermediate maps;
// BenchmarkDecide (parse, Public and DeniesInsecureTransport over 10,000
// generated policies, 870 bytes on average) takes a median of 5 to 7 µs per
// policy on two shared cores, with 22 allocations.
package policy
