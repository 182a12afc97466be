// Package facts provides the account facts that AWS Config's items cannot
// hold (the IAM credential report, the password policy, the account
// summary, EBS encryption by default, the account's public EBS snapshots,
// the account-level S3 public access block, a trail's logging status and
// event selectors), in one format for every place a rule runs.
//
// A fact is a file name and the bytes the AWS CLI prints for it (the CSV
// text for the credential report). Rules ask for facts through
// evaluate.Lookup.Fact and parse them with the Parse functions of this
// package. In a scan the bytes come from files (evaluate.FactsDir, best
// wrapped in [Cache]); in Lambda, [AWS] reads them through the SDK and
// renders each exactly as its file would hold it. Either way a rule sees the
// same bytes, and a fact that is missing is an error wrapping
// evaluate.ErrUnknown: the rule answers INSUFFICIENT_DATA and says which
// file would settle it; it never guesses.
//
// # Files
//
// Each file is exactly what the command prints (region and account from
// the CLI's profile; --region for the regional ones):
//
//	iam-credential-report.csv
//	    aws iam generate-credential-report     # repeat until "State": "COMPLETE"
//	    aws iam get-credential-report --query Content --output text | base64 -d
//	    The CSV text, header first, with AWS's N/A, no_information and
//	    not_supported values and the <root_account> row. The CLI's JSON
//	    (Content in base64) is accepted too.
//	iam-get-account-password-policy.json
//	    aws iam get-account-password-policy
//	iam-get-account-summary.json
//	    aws iam get-account-summary
//	    Read for AccountMFAEnabled, AccountAccessKeysPresent and
//	    AccountPasswordPresent (the root user's credentials).
//	ec2-get-ebs-encryption-by-default.json
//	    aws ec2 get-ebs-encryption-by-default --region REGION
//	ec2-describe-snapshots-public.json
//	    aws ec2 describe-snapshots --owner-ids self --restorable-by-user-ids all --region REGION
//	    The account's snapshots anyone may create volumes from; none is
//	    {"Snapshots": []}.
//	s3control-get-public-access-block.json
//	    aws s3control get-public-access-block --account-id ACCOUNT
//	cloudtrail-get-trail-status-NAME.json
//	    aws cloudtrail get-trail-status --name NAME --region HOME_REGION
//	cloudtrail-get-event-selectors-NAME.json
//	    aws cloudtrail get-event-selectors --trail-name NAME --region HOME_REGION
//
// Times may be ISO 8601 strings (CLI v2) or epoch seconds (CLI v1).
//
// # Does not exist
//
// When the API answers that the thing does not exist, the CLI prints
// nothing and exits with an error, and an empty file could as well be a
// failed command; so an empty file is an error, never "none". The fact is
// instead the API's error document, which [AWS] writes too:
//
//	{"Error": {"Code": "NoSuchEntity"}}                          no password policy
//	{"Error": {"Code": "NoSuchPublicAccessBlockConfiguration"}}  no account-level public access block
//	{"Error": {"Code": "TrailNotFoundException"}}                no such trail
//
// The Parse functions return such a document as a [*NotExistError], which
// wraps evaluate.ErrNotFound. Any other recorded code (AccessDenied) means
// the fact could not be read and wraps evaluate.ErrUnknown.
//
// # Directories
//
// evaluate.FactsDir looks a fact up as DIR/ACCOUNT/REGION/NAME, then
// DIR/ACCOUNT/NAME, then DIR/NAME. Put account-wide facts (IAM, the public
// access block) in DIR/ACCOUNT/, regional ones (EBS, snapshots, trails by
// their home region) in DIR/ACCOUNT/REGION/; files directly in DIR apply to every
// account, which suits a single-account scan only.
//
// # In Lambda
//
// [NewAWS] reads the facts of one account through narrow client interfaces
// ([IAMAPI], [EC2API], [S3ControlAPI], [CloudTrailAPI]): the credential
// report with GenerateCredentialReport, polled while STARTED or INPROGRESS
// within a bounded wait, then GetCredentialReport; GetAccountPasswordPolicy;
// GetAccountSummary; GetEbsEncryptionByDefault; DescribeSnapshots (owner
// self, restorable by all, every page); S3 Control's
// GetPublicAccessBlock; GetTrailStatus and GetEventSelectors. Answers are
// cached for the provider's life, so one provider per invocation generates
// or fetches the credential report once however many users are evaluated.
// The function's role needs iam:GenerateCredentialReport,
// iam:GetCredentialReport, iam:GetAccountPasswordPolicy,
// iam:GetAccountSummary, ec2:GetEbsEncryptionByDefault,
// ec2:DescribeSnapshots, s3:GetAccountPublicAccessBlock,
// cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors for the facts
// its rules read.
package facts
