package remediate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Remediation is one fix from the catalog. Its exported fields are
// metadata; Plan and Apply do the work.
type Remediation struct {
	// ID is the stable identifier, e.g. "s3-enable-default-encryption".
	ID string
	// Summary says in one sentence what the remediation does.
	Summary string
	// ResourceTypes are the AWS Config resource types whose RESOURCE_ID
	// the remediation accepts; the first is the default.
	ResourceTypes []string
	// Fixes lists the catalog rule IDs whose findings it fixes.
	Fixes []string
	// Parameters are the remediation's own parameters.
	Parameters []Parameter
	// APIs are the AWS API operations it may call, as "service:Operation"
	// ("s3:PutBucketEncryption").
	APIs []string
	// Actions are the IAM actions it needs, sorted: the actions of its
	// APIs plus any permission those calls need besides their own
	// (iam:PassRole for a flow log role).
	Actions []string

	// extraActions are the permissions needed besides the APIs' own.
	extraActions []string
	// passRoleTo lists the services a role is passed to (iam:PassRole).
	passRoleTo []string
	// check validates parameter combinations (and their relation to the
	// resource id) after each parameter has been decoded on its own.
	check func(id string, v values) error
	// run reads the state and records (and, when applying, makes) writes.
	run func(r *run) error
}

// Target is what a remediation acts on.
type Target struct {
	// ResourceType is the AWS Config resource type; empty means the
	// remediation's first type.
	ResourceType string
	// ResourceID is what AWS Config passes as RESOURCE_ID: the bucket
	// name, "sg-…", "i-…", "vpc-…", the IAM user's unique id "AIDA…", the
	// KMS key id, the RDS DbiResourceId "db-…", the trail name or ARN, or
	// the account id for account-level settings.
	ResourceID string
	// Parameters are the remediation's parameter values as strings.
	// Absent or empty values take the parameter's default.
	Parameters map[string]string
	// AccountID, when set, is the account the clients act in. Account-level
	// targets must then name this account, so a fix meant for one account
	// is never applied to another.
	AccountID string
}

// Result reports what a plan would do or what an apply did.
type Result struct {
	Remediation  string `json:"remediation"`
	ResourceType string `json:"resourceType"`
	ResourceID   string `json:"resourceId"`
	// DryRun is true for a plan.
	DryRun bool `json:"dryRun"`
	// Changed is true only when a write was made.
	Changed bool     `json:"changed"`
	Actions []Action `json:"actions"`
}

// Action is one write the remediation considered.
type Action struct {
	// API is the operation, "s3:PutBucketEncryption".
	API string `json:"api"`
	// Resource is the ARN acted on.
	Resource string `json:"resource"`
	// Needed is true when the current state is wrong and this call fixes it.
	Needed bool `json:"needed"`
	// Applied is true when the call was made; false in a plan and when
	// nothing needed doing.
	Applied bool   `json:"applied"`
	Detail  string `json:"detail"`
}

// ErrInvalidTarget is wrapped by every error that refuses a target before
// any AWS request: a resource id of the wrong shape, an unknown, missing or
// malformed parameter.
var ErrInvalidTarget = errors.New("invalid remediation target")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidTarget, fmt.Sprintf(format, args...))
}

// Option changes how a plan or an apply runs.
type Option func(*options)

type options struct {
	now func() time.Time
}

// WithClock sets the clock used to judge ages (of access keys); the default
// is time.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// Check validates a target without making any request: the resource type,
// the shape of the resource id, the account, and every parameter.
func (rem *Remediation) Check(t Target) error {
	_, _, err := rem.prepare(t)
	return err
}

// CheckParameters validates parameter values alone, as [Remediation.Check]
// does, for when the resource is not known yet (a document generator).
func (rem *Remediation) CheckParameters(params map[string]string) error {
	v, err := decodeParameters(rem.Parameters, params)
	if err != nil {
		return err
	}
	if rem.check != nil {
		return rem.check("", v)
	}
	return nil
}

// Plan reads the current state and returns the writes Apply would make,
// each with Applied false. It makes no write.
func (rem *Remediation) Plan(ctx context.Context, c *Clients, t Target, opts ...Option) (*Result, error) {
	return rem.execute(ctx, c, t, false, opts)
}

// Apply reads the current state and makes the writes that are needed. When
// a write fails, the returned Result still lists the writes already made
// along with the error.
func (rem *Remediation) Apply(ctx context.Context, c *Clients, t Target, opts ...Option) (*Result, error) {
	return rem.execute(ctx, c, t, true, opts)
}

func (rem *Remediation) prepare(t Target) (string, values, error) {
	typ := t.ResourceType
	if typ == "" {
		typ = rem.ResourceTypes[0]
	}
	if !slices.Contains(rem.ResourceTypes, typ) {
		return "", nil, invalid("remediation %s does not apply to resource type %q (it takes %s)",
			rem.ID, typ, strings.Join(rem.ResourceTypes, ", "))
	}
	if err := checkResourceID(typ, t.ResourceID); err != nil {
		return "", nil, err
	}
	if typ == accountType && t.AccountID != "" && t.ResourceID != t.AccountID {
		return "", nil, invalid("resourceId %s is not the account these clients act in (%s)", t.ResourceID, t.AccountID)
	}
	v, err := decodeParameters(rem.Parameters, t.Parameters)
	if err != nil {
		return "", nil, err
	}
	if rem.check != nil {
		if err := rem.check(t.ResourceID, v); err != nil {
			return "", nil, err
		}
	}
	return typ, v, nil
}

func (rem *Remediation) execute(ctx context.Context, c *Clients, t Target, apply bool, opts []Option) (*Result, error) {
	typ, v, err := rem.prepare(t)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("remediation %s: no clients", rem.ID)
	}
	for _, api := range rem.APIs {
		if svc := c.missing(api); svc != "" {
			return nil, fmt.Errorf("remediation %s: no %s client (it calls %s)", rem.ID, svc, api)
		}
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	r := &run{
		ctx:     ctx,
		clients: c,
		typ:     typ,
		id:      t.ResourceID,
		values:  v,
		apply:   apply,
		now:     o.now(),
		result: &Result{
			Remediation:  rem.ID,
			ResourceType: typ,
			ResourceID:   t.ResourceID,
			DryRun:       !apply,
			Actions:      []Action{},
		},
	}
	if err := rem.run(r); err != nil {
		return r.result, err
	}
	return r.result, nil
}

// run is the state of one plan or apply.
type run struct {
	ctx     context.Context
	clients *Clients
	typ     string
	id      string
	values  values
	apply   bool
	now     time.Time
	result  *Result
}

// write records a needed write and, when applying, makes it.
func (r *run) write(api, resource, detail string, call func(ctx context.Context) error) error {
	a := Action{API: api, Resource: resource, Needed: true, Detail: detail}
	if r.apply {
		if err := call(r.ctx); err != nil {
			return apiError(api, resource, err)
		}
		a.Applied = true
		r.result.Changed = true
	}
	r.result.Actions = append(r.result.Actions, a)
	return nil
}

// skip records a write that is not needed, and why.
func (r *run) skip(api, resource, detail string) {
	r.result.Actions = append(r.result.Actions, Action{API: api, Resource: resource, Detail: detail})
}

// All returns the catalog, fresh on every call, sorted by ID.
func All() []*Remediation {
	all := []*Remediation{
		s3EnableDefaultEncryption(),
		s3RequireTLS(),
		s3BlockPublicAccess(),
		s3AccountBlockPublicAccess(),
		s3EnableVersioning(),
		s3EnableAccessLogging(),
		s3RemovePublicACLGrants(),
		ec2RevokeWorldOpenIngress(),
		ec2CloseDefaultSecurityGroup(),
		ec2RequireIMDSv2(),
		ec2EnableEBSEncryptionByDefault(),
		vpcEnableFlowLogs(),
		cloudtrailEnableLogFileValidation(),
		cloudtrailEnableEncryption(),
		cloudtrailEnableMultiRegion(),
		iamDeactivateStaleAccessKeys(),
		iamStrengthenPasswordPolicy(),
		kmsEnableKeyRotation(),
		rdsDisablePublicAccess(),
	}
	for _, r := range all {
		r.Actions = iamActions(r.APIs, r.extraActions)
	}
	slices.SortFunc(all, func(a, b *Remediation) int { return strings.Compare(a.ID, b.ID) })
	return all
}

// ByID returns the remediation with the given ID.
func ByID(id string) (*Remediation, bool) {
	for _, r := range All() {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}
