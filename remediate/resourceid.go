package remediate

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// AWS Config resource types the remediations act on.
const (
	accountType        = "AWS::::Account"
	bucketType         = "AWS::S3::Bucket"
	securityGroupType  = "AWS::EC2::SecurityGroup"
	instanceType       = "AWS::EC2::Instance"
	vpcType            = "AWS::EC2::VPC"
	trailType          = "AWS::CloudTrail::Trail"
	userType           = "AWS::IAM::User"
	keyType            = "AWS::KMS::Key"
	dbInstanceType     = "AWS::RDS::DBInstance"
	accountIDPattern   = `^[0-9]{12}$`
	resourceIDMaxBytes = 2048
)

var resourceIDPatterns = map[string]struct {
	re   *regexp.Regexp
	what string
}{
	accountType:       {regexp.MustCompile(accountIDPattern), "a 12-digit account id"},
	securityGroupType: {regexp.MustCompile(`^sg-([0-9a-f]{8}|[0-9a-f]{17})$`), "a security group id sg-…"},
	instanceType:      {regexp.MustCompile(`^i-([0-9a-f]{8}|[0-9a-f]{17})$`), "an instance id i-…"},
	vpcType:           {regexp.MustCompile(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`), "a VPC id vpc-…"},
	userType:          {regexp.MustCompile(`^AIDA[A-Z0-9]{8,124}$`), "an IAM user unique id AIDA…"},
	keyType:           {regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`), "a KMS key id (a UUID or mrk-…)"},
	dbInstanceType:    {regexp.MustCompile(`^db-[A-Z0-9]{26}$`), "an RDS DbiResourceId db-…"},
}

// checkResourceID refuses ids that do not fit the type, before any request
// carries them.
func checkResourceID(typ, id string) error {
	if id == "" {
		return invalid("resourceId is empty")
	}
	if len(id) > resourceIDMaxBytes {
		return invalid("resourceId is longer than %d bytes", resourceIDMaxBytes)
	}
	var err error
	switch typ {
	case bucketType:
		err = checkBucketName(id)
	case trailType:
		err = checkTrailNameOrARN(id)
	default:
		p, ok := resourceIDPatterns[typ]
		if !ok {
			return invalid("resource type %q is not supported", typ)
		}
		if !p.re.MatchString(id) {
			err = fmt.Errorf("it is not %s", p.what)
		}
	}
	if err != nil {
		return invalid("resourceId %q does not fit %s: %v", id, typ, err)
	}
	return nil
}

var bucketNameChars = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)

// checkBucketName applies the general purpose bucket naming rules. The SDK
// does not check names, and a name is put into a request path.
func checkBucketName(name string) error {
	switch {
	case len(name) < 3 || len(name) > 63:
		return fmt.Errorf("a bucket name has 3 to 63 characters, not %d", len(name))
	case !bucketNameChars.MatchString(name):
		return fmt.Errorf("a bucket name has only lower-case letters, digits, dots and hyphens, and starts and ends with a letter or digit")
	case strings.Contains(name, ".."):
		return fmt.Errorf("a bucket name has no two adjacent dots")
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return fmt.Errorf("a bucket name is not an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return fmt.Errorf("a bucket name does not start with %q", p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return fmt.Errorf("a bucket name does not end with %q", s)
		}
	}
	return nil
}

var (
	trailNameChars = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{1,126})[A-Za-z0-9]$`)
	trailARN       = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:[0-9]{12}:trail/(.+)$`)
	adjacentPunct  = regexp.MustCompile(`[._-][._-]`)
)

// checkTrailNameOrARN applies CloudTrail's naming rules to a name or the
// name inside a trail ARN.
func checkTrailNameOrARN(id string) error {
	name := id
	if strings.HasPrefix(id, "arn:") {
		m := trailARN.FindStringSubmatch(id)
		if m == nil {
			return fmt.Errorf("a trail ARN is arn:<partition>:cloudtrail:<region>:<account>:trail/<name>")
		}
		name = m[1]
	}
	switch {
	case !trailNameChars.MatchString(name):
		return fmt.Errorf("a trail name has 3 to 128 ASCII letters, digits, dots, underscores or hyphens, and starts and ends with a letter or digit")
	case adjacentPunct.MatchString(name):
		return fmt.Errorf("a trail name has no adjacent dots, underscores or hyphens")
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return fmt.Errorf("a trail name is not an IP address")
	}
	return nil
}

// partition returns the ARN partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	}
	return "aws"
}

func (r *run) partition() string { return partition(r.clients.Region) }

func (r *run) bucketARN(bucket string) string {
	return "arn:" + r.partition() + ":s3:::" + bucket
}

func (r *run) ec2ARN(owner, kind, id string) string {
	return fmt.Sprintf("arn:%s:ec2:%s:%s:%s/%s", r.partition(), r.clients.Region, owner, kind, id)
}

// accountARN names an account-level setting, which has no ARN of its own:
// arn:<partition>:<service>:<region>:<account>:account (region empty for
// global services).
func (r *run) accountARN(service, region string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:account", r.partition(), service, region, r.id)
}
