package facts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/smithy-go"

	"github.com/guardrails-go/guardrails/evaluate"
)

// IAMAPI is the part of the IAM client the facts need.
type IAMAPI interface {
	GenerateCredentialReport(ctx context.Context, in *iam.GenerateCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(ctx context.Context, in *iam.GetCredentialReportInput, optFns ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	GetAccountPasswordPolicy(ctx context.Context, in *iam.GetAccountPasswordPolicyInput, optFns ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	GetAccountSummary(ctx context.Context, in *iam.GetAccountSummaryInput, optFns ...func(*iam.Options)) (*iam.GetAccountSummaryOutput, error)
}

// EC2API is the part of the EC2 client the facts need.
type EC2API interface {
	GetEbsEncryptionByDefault(ctx context.Context, in *ec2.GetEbsEncryptionByDefaultInput, optFns ...func(*ec2.Options)) (*ec2.GetEbsEncryptionByDefaultOutput, error)
	DescribeSnapshots(ctx context.Context, in *ec2.DescribeSnapshotsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error)
}

// S3ControlAPI is the part of the S3 Control client the facts need.
type S3ControlAPI interface {
	GetPublicAccessBlock(ctx context.Context, in *s3control.GetPublicAccessBlockInput, optFns ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error)
}

// CloudTrailAPI is the part of the CloudTrail client the facts need.
type CloudTrailAPI interface {
	GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, optFns ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

var (
	_ IAMAPI        = (*iam.Client)(nil)
	_ EC2API        = (*ec2.Client)(nil)
	_ S3ControlAPI  = (*s3control.Client)(nil)
	_ CloudTrailAPI = (*cloudtrail.Client)(nil)
)

// Option configures an [AWS] provider.
type Option func(*options)

type options struct {
	iam          IAMAPI
	ec2          EC2API
	s3control    S3ControlAPI
	cloudtrail   CloudTrailAPI
	lambda       LambdaGetFunctionConfigurationAPI
	region       string
	pollInterval time.Duration
	maxWait      time.Duration
	sleep        func(context.Context, time.Duration) error
}

// WithIAM sets the IAM client, instead of one made from the aws.Config.
func WithIAM(c IAMAPI) Option { return func(o *options) { o.iam = c } }

// WithEC2 sets the EC2 client.
func WithEC2(c EC2API) Option { return func(o *options) { o.ec2 = c } }

// WithS3Control sets the S3 Control client.
func WithS3Control(c S3ControlAPI) Option { return func(o *options) { o.s3control = c } }

// WithCloudTrail sets the CloudTrail client.
func WithCloudTrail(c CloudTrailAPI) Option { return func(o *options) { o.cloudtrail = c } }

// WithLambda sets the Lambda client, for the per-function facts.
func WithLambda(c LambdaGetFunctionConfigurationAPI) Option { return func(o *options) { o.lambda = c } }

// WithCredentialReportWait sets how often to ask whether the credential
// report is ready (default 2s) and how long to wait for it in all (default
// 60s). A report that is not ready in time is an unknown fact.
func WithCredentialReportWait(interval, max time.Duration) Option {
	return func(o *options) { o.pollInterval, o.maxWait = interval, max }
}

// AWS reads account facts through the AWS APIs and renders each exactly as
// its facts file holds it, so rules read one format whether they run in a
// scan or in Lambda. It answers for one account, the one its credentials
// belong to; it caches every answer, so make one per Lambda invocation
// (the credential report is then generated or fetched once). It is safe for
// concurrent use.
type AWS struct {
	account string
	opts    options

	mu    sync.Mutex
	cache map[factKey]*factEntry
}

type factKey struct{ region, name string }

type factEntry struct {
	done chan struct{}
	data []byte
	err  error
}

var _ evaluate.Facts = (*AWS)(nil)

// NewAWS returns a provider of the facts of account accountID ("" for the
// account of the credentials, whichever it is), whose
// clients are made from cfg unless options set them. Regional facts (EBS
// encryption by default, trails) are read in the region they are asked
// for, or cfg.Region when none is given.
func NewAWS(cfg aws.Config, accountID string, opts ...Option) *AWS {
	o := options{region: cfg.Region, pollInterval: 2 * time.Second, maxWait: 60 * time.Second, sleep: sleepCtx}
	for _, opt := range opts {
		opt(&o)
	}
	if o.iam == nil {
		o.iam = iam.NewFromConfig(cfg)
	}
	if o.ec2 == nil {
		o.ec2 = ec2.NewFromConfig(cfg)
	}
	if o.s3control == nil {
		o.s3control = s3control.NewFromConfig(cfg)
	}
	if o.cloudtrail == nil {
		o.cloudtrail = cloudtrail.NewFromConfig(cfg)
	}
	if o.lambda == nil {
		o.lambda = lambda.NewFromConfig(cfg)
	}
	if o.pollInterval <= 0 {
		o.pollInterval = 2 * time.Second
	}
	return &AWS{account: accountID, opts: o, cache: map[factKey]*factEntry{}}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Fact returns a fact of the provider's account, fetching it on first use.
// Errors wrap evaluate.ErrUnknown when the fact cannot be read (another
// account, an API error, a report never ready); "does not exist" answers
// are not errors but the fact's error document (see the package
// documentation).
func (a *AWS) Fact(ctx context.Context, accountID, region, name string) ([]byte, error) {
	if accountID != "" && a.account != "" && accountID != a.account {
		return nil, fmt.Errorf("%w: fact %s of account %s: this provider reads account %s", evaluate.ErrUnknown, name, accountID, a.account)
	}
	fetch, regional, err := a.fetcher(name)
	if err != nil {
		return nil, err
	}
	key := factKey{name: name}
	if regional {
		if region == "" || region == "global" {
			region = a.opts.region
		}
		key.region = region
	}
	a.mu.Lock()
	e, ok := a.cache[key]
	if !ok {
		e = &factEntry{done: make(chan struct{})}
		a.cache[key] = e
	}
	a.mu.Unlock()
	if ok {
		select {
		case <-e.done:
			return e.data, e.err
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: fact %s: %v", evaluate.ErrUnknown, name, ctx.Err())
		}
	}
	e.data, e.err = fetch(ctx, key.region)
	if e.err != nil && ctx.Err() != nil {
		// A cancelled fetch says nothing about the fact: let a later call
		// try again.
		a.mu.Lock()
		delete(a.cache, key)
		a.mu.Unlock()
	}
	close(e.done)
	return e.data, e.err
}

type fetchFunc func(ctx context.Context, region string) ([]byte, error)

// fetcher returns how to read a fact and whether it is regional.
func (a *AWS) fetcher(name string) (fetchFunc, bool, error) {
	switch name {
	case CredentialReportFile:
		return a.credentialReport, false, nil
	case PasswordPolicyFile:
		return a.passwordPolicy, false, nil
	case AccountSummaryFile:
		return a.accountSummary, false, nil
	case EBSEncryptionByDefaultFile:
		return a.ebsEncryptionByDefault, true, nil
	case PublicAccessBlockFile:
		return a.publicAccessBlock, false, nil
	case PublicSnapshotsFile:
		return a.publicSnapshots, true, nil
	}
	if strings.HasPrefix(name, LambdaFunctionConfigurationPrefix) {
		fetch := LambdaFunctionConfiguration(a.opts.lambda)
		return func(ctx context.Context, region string) ([]byte, error) { return fetch(ctx, a.account, region, name) }, true, nil
	}
	if prefix, trail, ok := trailFact(name); ok {
		if prefix == trailStatusPrefix {
			return func(ctx context.Context, region string) ([]byte, error) { return a.trailStatus(ctx, region, trail) }, true, nil
		}
		return func(ctx context.Context, region string) ([]byte, error) { return a.eventSelectors(ctx, region, trail) }, true, nil
	}
	return nil, false, fmt.Errorf("%w: no fact named %s", evaluate.ErrUnknown, name)
}

// apiFailure wraps an API error as an unknown fact, naming the call.
func apiFailure(api string, err error) error {
	return fmt.Errorf("%w: %s: %w", evaluate.ErrUnknown, api, err)
}

// notExistDocument renders a "does not exist" API answer as its fact
// file holds it.
func notExistDocument(err error) ([]byte, bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) || !notExistCodes[ae.ErrorCode()] {
		return nil, false
	}
	doc := map[string]map[string]string{"Error": {"Code": ae.ErrorCode()}}
	if m := ae.ErrorMessage(); m != "" {
		doc["Error"]["Message"] = m
	}
	data, _ := json.Marshal(doc)
	return data, true
}

func render(v any) ([]byte, error) { return json.MarshalIndent(v, "", "    ") }

// credentialReport asks IAM to generate the report until it is complete,
// within the configured wait, then reads it.
func (a *AWS) credentialReport(ctx context.Context, _ string) ([]byte, error) {
	deadline := time.Now().Add(a.opts.maxWait)
	for {
		gen, err := a.opts.iam.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, apiFailure("iam:GenerateCredentialReport", err)
		}
		if gen.State == iamtypes.ReportStateTypeComplete {
			out, err := a.opts.iam.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
			var notReady *iamtypes.CredentialReportNotReadyException
			switch {
			case errors.As(err, &notReady):
				// Generated but not yet readable: wait as for INPROGRESS.
			case err != nil:
				return nil, apiFailure("iam:GetCredentialReport", err)
			case out.ReportFormat != "" && out.ReportFormat != iamtypes.ReportFormatTypeTextCsv:
				return nil, fmt.Errorf("%w: iam:GetCredentialReport returned format %s, want text/csv", evaluate.ErrUnknown, out.ReportFormat)
			default:
				return out.Content, nil
			}
		} else if gen.State != iamtypes.ReportStateTypeStarted && gen.State != iamtypes.ReportStateTypeInprogress {
			return nil, fmt.Errorf("%w: iam:GenerateCredentialReport returned state %q", evaluate.ErrUnknown, gen.State)
		}
		if !time.Now().Add(a.opts.pollInterval).Before(deadline) {
			return nil, fmt.Errorf("%w: the credential report was not ready within %s", evaluate.ErrUnknown, a.opts.maxWait)
		}
		if err := a.opts.sleep(ctx, a.opts.pollInterval); err != nil {
			return nil, fmt.Errorf("%w: waiting for the credential report: %v", evaluate.ErrUnknown, err)
		}
	}
}

func (a *AWS) passwordPolicy(ctx context.Context, _ string) ([]byte, error) {
	out, err := a.opts.iam.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		if doc, ok := notExistDocument(err); ok {
			return doc, nil
		}
		return nil, apiFailure("iam:GetAccountPasswordPolicy", err)
	}
	if out.PasswordPolicy == nil {
		return nil, fmt.Errorf("%w: iam:GetAccountPasswordPolicy returned no policy", evaluate.ErrUnknown)
	}
	p := out.PasswordPolicy
	return render(map[string]PasswordPolicy{"PasswordPolicy": {
		MinimumPasswordLength:      intPtr(p.MinimumPasswordLength),
		RequireSymbols:             p.RequireSymbols,
		RequireNumbers:             p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters,
		RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword,
		ExpirePasswords:            p.ExpirePasswords,
		MaxPasswordAge:             intPtr(p.MaxPasswordAge),
		PasswordReusePrevention:    intPtr(p.PasswordReusePrevention),
		HardExpiry:                 p.HardExpiry,
	}})
}

func intPtr(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

func (a *AWS) accountSummary(ctx context.Context, _ string) ([]byte, error) {
	out, err := a.opts.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return nil, apiFailure("iam:GetAccountSummary", err)
	}
	m := make(map[string]int32, len(out.SummaryMap))
	for k, v := range out.SummaryMap {
		m[k] = v
	}
	return render(map[string]any{"SummaryMap": m})
}

// inEC2Region sends an EC2 request to region, when one is given.
func inEC2Region(region string) func(*ec2.Options) {
	return func(o *ec2.Options) {
		if region != "" {
			o.Region = region
		}
	}
}

func (a *AWS) ebsEncryptionByDefault(ctx context.Context, region string) ([]byte, error) {
	out, err := a.opts.ec2.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{}, inEC2Region(region))
	if err != nil {
		return nil, apiFailure("ec2:GetEbsEncryptionByDefault", err)
	}
	if out.EbsEncryptionByDefault == nil {
		return nil, fmt.Errorf("%w: ec2:GetEbsEncryptionByDefault returned no EbsEncryptionByDefault", evaluate.ErrUnknown)
	}
	return render(EBSEncryptionByDefault{EbsEncryptionByDefault: *out.EbsEncryptionByDefault, SseType: string(out.SseType)})
}

// publicSnapshots lists the account's snapshots that anyone may restore,
// every page, as aws ec2 describe-snapshots --owner-ids self
// --restorable-by-user-ids all prints them.
func (a *AWS) publicSnapshots(ctx context.Context, region string) ([]byte, error) {
	pages := ec2.NewDescribeSnapshotsPaginator(a.opts.ec2, &ec2.DescribeSnapshotsInput{
		OwnerIds:            []string{"self"},
		RestorableByUserIds: []string{"all"},
	})
	doc := struct {
		Snapshots []Snapshot `json:"Snapshots"`
	}{Snapshots: []Snapshot{}}
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx, inEC2Region(region))
		if err != nil {
			return nil, apiFailure("ec2:DescribeSnapshots", err)
		}
		for _, s := range out.Snapshots {
			if aws.ToString(s.SnapshotId) == "" {
				return nil, fmt.Errorf("%w: ec2:DescribeSnapshots returned a snapshot without an id", evaluate.ErrUnknown)
			}
			doc.Snapshots = append(doc.Snapshots, snapshotDocument(s))
		}
	}
	return render(doc)
}

func snapshotDocument(s ec2types.Snapshot) Snapshot {
	out := Snapshot{
		DataEncryptionKeyId:       aws.ToString(s.DataEncryptionKeyId),
		Description:               s.Description,
		Encrypted:                 s.Encrypted,
		KmsKeyId:                  aws.ToString(s.KmsKeyId),
		OwnerId:                   aws.ToString(s.OwnerId),
		Progress:                  aws.ToString(s.Progress),
		SnapshotId:                aws.ToString(s.SnapshotId),
		StartTime:                 cliTime(s.StartTime),
		State:                     string(s.State),
		StateMessage:              aws.ToString(s.StateMessage),
		VolumeId:                  aws.ToString(s.VolumeId),
		VolumeSize:                intPtr(s.VolumeSize),
		OwnerAlias:                aws.ToString(s.OwnerAlias),
		OutpostArn:                aws.ToString(s.OutpostArn),
		StorageTier:               string(s.StorageTier),
		RestoreExpiryTime:         cliTime(s.RestoreExpiryTime),
		SseType:                   string(s.SseType),
		AvailabilityZone:          aws.ToString(s.AvailabilityZone),
		TransferType:              string(s.TransferType),
		CompletionDurationMinutes: intPtr(s.CompletionDurationMinutes),
		CompletionTime:            cliTime(s.CompletionTime),
		FullSnapshotSizeInBytes:   s.FullSnapshotSizeInBytes,
	}
	for _, t := range s.Tags {
		out.Tags = append(out.Tags, Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
	}
	return out
}

func (a *AWS) publicAccessBlock(ctx context.Context, _ string) ([]byte, error) {
	out, err := a.opts.s3control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(a.account)})
	if err != nil {
		if doc, ok := notExistDocument(err); ok {
			return doc, nil
		}
		return nil, apiFailure("s3control:GetPublicAccessBlock", err)
	}
	c := out.PublicAccessBlockConfiguration
	if c == nil {
		return nil, fmt.Errorf("%w: s3control:GetPublicAccessBlock returned no configuration", evaluate.ErrUnknown)
	}
	return render(map[string]PublicAccessBlock{"PublicAccessBlockConfiguration": {
		BlockPublicAcls:       aws.ToBool(c.BlockPublicAcls),
		IgnorePublicAcls:      aws.ToBool(c.IgnorePublicAcls),
		BlockPublicPolicy:     aws.ToBool(c.BlockPublicPolicy),
		RestrictPublicBuckets: aws.ToBool(c.RestrictPublicBuckets),
	}})
}

func inRegion(region string) func(*cloudtrail.Options) {
	return func(o *cloudtrail.Options) {
		if region != "" {
			o.Region = region
		}
	}
}

func (a *AWS) trailStatus(ctx context.Context, region, trail string) ([]byte, error) {
	out, err := a.opts.cloudtrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trail)}, inRegion(region))
	if err != nil {
		if doc, ok := notExistDocument(err); ok {
			return doc, nil
		}
		return nil, apiFailure("cloudtrail:GetTrailStatus", err)
	}
	if out.IsLogging == nil {
		return nil, fmt.Errorf("%w: cloudtrail:GetTrailStatus returned no IsLogging for trail %s", evaluate.ErrUnknown, trail)
	}
	return render(TrailStatus{
		IsLogging:                         out.IsLogging,
		LatestDeliveryTime:                cliTime(out.LatestDeliveryTime),
		LatestDeliveryError:               aws.ToString(out.LatestDeliveryError),
		LatestCloudWatchLogsDeliveryTime:  cliTime(out.LatestCloudWatchLogsDeliveryTime),
		LatestCloudWatchLogsDeliveryError: aws.ToString(out.LatestCloudWatchLogsDeliveryError),
		StartLoggingTime:                  cliTime(out.StartLoggingTime),
		StopLoggingTime:                   cliTime(out.StopLoggingTime),
	})
}

func cliTime(t *time.Time) CLITime {
	if t == nil {
		return CLITime{}
	}
	return CLITime{t.UTC()}
}

func (a *AWS) eventSelectors(ctx context.Context, region, trail string) ([]byte, error) {
	out, err := a.opts.cloudtrail.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(trail)}, inRegion(region))
	if err != nil {
		if doc, ok := notExistDocument(err); ok {
			return doc, nil
		}
		return nil, apiFailure("cloudtrail:GetEventSelectors", err)
	}
	doc := EventSelectors{TrailARN: aws.ToString(out.TrailARN)}
	for _, s := range out.EventSelectors {
		doc.EventSelectors = append(doc.EventSelectors, basicSelector(s))
	}
	for _, s := range out.AdvancedEventSelectors {
		as := AdvancedEventSelector{Name: aws.ToString(s.Name), FieldSelectors: []FieldSelector{}}
		for _, f := range s.FieldSelectors {
			as.FieldSelectors = append(as.FieldSelectors, FieldSelector{
				Field: aws.ToString(f.Field), Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
				NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith,
			})
		}
		doc.AdvancedEventSelectors = append(doc.AdvancedEventSelectors, as)
	}
	return render(doc)
}

func basicSelector(s cttypes.EventSelector) EventSelector {
	out := EventSelector{
		ReadWriteType:                 string(s.ReadWriteType),
		IncludeManagementEvents:       s.IncludeManagementEvents,
		ExcludeManagementEventSources: s.ExcludeManagementEventSources,
	}
	for _, d := range s.DataResources {
		out.DataResources = append(out.DataResources, DataResource{Type: aws.ToString(d.Type), Values: d.Values})
	}
	return out
}
