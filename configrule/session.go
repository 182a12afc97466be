package configrule

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// roleSessionName names the sessions of assumed roles in CloudTrail.
const roleSessionName = "guardrails-config-rule"

// roleDuration is how long assumed credentials last; the cache renews them
// a minute before they expire.
const roleDuration = 15 * time.Minute

// session is the AWS configuration and Config client of one role and
// region, kept across invocations.
type session struct {
	cfg    aws.Config
	config *configservice.Client
	role   string
}

type sessionKey struct{ role, region string }

// session returns the clients an event's calls use: the Lambda's own
// credentials, or with cross-account access the credentials of the
// execution role, cached and renewed by the SDK's credentials cache.
func (h *Handler) session(ctx context.Context, ev events.ConfigEvent, roleName string) (*session, error) {
	base, err := h.baseConfig(ctx)
	if err != nil {
		return nil, err
	}
	role, err := h.role(ev, roleName)
	if err != nil {
		return nil, err
	}
	region := base.Region
	if a, err := arn.Parse(ev.ConfigRuleArn); err == nil && a.Region != "" {
		region = a.Region
	}
	if region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION or give the region in the AWS configuration")
	}
	key := sessionKey{role, region}
	h.sessionsMu.Lock()
	defer h.sessionsMu.Unlock()
	if s, ok := h.sessions[key]; ok {
		return s, nil
	}
	cfg := base.Copy()
	cfg.Region = region
	if role != "" {
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = roleSessionName
			o.Duration = roleDuration
		})
		cfg.Credentials = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) {
			o.ExpiryWindow = time.Minute
		})
	}
	if cfg.Retryer == nil && cfg.RetryMode == "" {
		cfg.RetryMode = aws.RetryModeAdaptive
	}
	if cfg.RetryMaxAttempts == 0 {
		cfg.RetryMaxAttempts = h.o.maxAttempts
	}
	s := &session{cfg: cfg, config: configservice.NewFromConfig(cfg, h.o.configOptions...), role: role}
	h.sessions[key] = s
	return s, nil
}

func (h *Handler) baseConfig(ctx context.Context) (aws.Config, error) {
	if h.o.awsConfig != nil {
		return *h.o.awsConfig, nil
	}
	h.baseOnce.Do(func() {
		h.base, h.baseErr = config.LoadDefaultConfig(ctx)
		if h.baseErr != nil {
			h.baseErr = fmt.Errorf("loading the AWS configuration: %w", h.baseErr)
		}
	})
	return h.base, h.baseErr
}

// role returns the role to assume, "" for the Lambda's own credentials.
// As in rdklib, ExecutionRoleName replaces the role name of the event's
// executionRoleArn, keeping its account.
func (h *Handler) role(ev events.ConfigEvent, paramName string) (string, error) {
	name := paramName
	if name == "" {
		name = h.o.roleName
	}
	if !h.o.crossAccount {
		if paramName != "" {
			return "", fmt.Errorf("rule parameter %s is set, but cross-account access is off (WithCrossAccount; GUARDRAILS_CROSS_ACCOUNT=true in the example Lambda)", ExecutionRoleNameParameter)
		}
		return "", nil
	}
	if ev.ExecutionRoleArn == "" {
		if name != "" {
			return "", fmt.Errorf("%s %q is set, but the event has no executionRoleArn to take the account from", ExecutionRoleNameParameter, name)
		}
		return "", nil
	}
	a, err := arn.Parse(ev.ExecutionRoleArn)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return "", fmt.Errorf("executionRoleArn %q is not an IAM role ARN", truncate(ev.ExecutionRoleArn, 120))
	}
	if name == "" {
		return ev.ExecutionRoleArn, nil
	}
	if strings.ContainsAny(name, ":/ ") {
		return "", fmt.Errorf("%s %q is not a role name", ExecutionRoleNameParameter, truncate(name, 80))
	}
	a.Resource = "role/" + name
	return a.String(), nil
}

// assume retrieves the session's credentials when it assumes a role, so a
// role that cannot be assumed fails the invocation before any evaluation,
// with advice. The credentials cache makes this free while they are valid.
func (s *session) assume(ctx context.Context) error {
	if s.role == "" {
		return nil
	}
	if _, err := s.cfg.Credentials.Retrieve(ctx); err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && strings.Contains(ae.ErrorCode(), "AccessDenied") {
			return fmt.Errorf("assuming the execution role %s: %w (the role's trust policy must let the Lambda's role assume it; %s names another role of that account)", s.role, err, ExecutionRoleNameParameter)
		}
		return fmt.Errorf("assuming the execution role %s: %w", s.role, err)
	}
	return nil
}

// describeAWSError adds advice to an access error: whose permissions lack
// the action.
func describeAWSError(err error, role string) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	code := ae.ErrorCode()
	if strings.Contains(code, "AccessDenied") || strings.Contains(code, "UnauthorizedOperation") {
		if role != "" {
			return fmt.Errorf("%w (grant the action to %s)", err, role)
		}
		return fmt.Errorf("%w (grant the action to the Lambda's execution role)", err)
	}
	return err
}
