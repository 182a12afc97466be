package iac

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac/internal/cfn"
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/tfplan"
)

// MaxFileSize bounds the files the readers accept (a template or plan is
// read whole).
const MaxFileSize = 512 << 20

// Option sets what the readers know of the deployment target.
type Option func(*options)

type options struct {
	parameters map[string]string
	accountID  string
	region     string
	partition  string
	stackName  string
	ebsDefault *bool
}

// WithParameters gives CloudFormation parameter values by name; they take
// precedence over the parameters' Default. List parameters take
// comma-separated values. See ParseParameters for the files users pass.
func WithParameters(values map[string]string) Option {
	return func(o *options) {
		if o.parameters == nil {
			o.parameters = map[string]string{}
		}
		for k, v := range values {
			o.parameters[k] = v
		}
	}
}

// WithAccount sets the AWS account id the resources are deployed to
// (AWS::AccountId, ARNs, the items' AccountID). Unset, it is unknown.
func WithAccount(id string) Option { return func(o *options) { o.accountID = id } }

// WithRegion sets the region (AWS::Region, ARNs, the items' Region). Unset,
// it is unknown.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithPartition sets the partition (aws, aws-cn, aws-us-gov). Unset, it is
// derived from the region, or unknown.
func WithPartition(partition string) Option { return func(o *options) { o.partition = partition } }

// WithStackName sets AWS::StackName.
func WithStackName(name string) Option { return func(o *options) { o.stackName = name } }

// WithEBSEncryptionByDefault states the account's EBS encryption-by-default
// setting. Unset, a volume that does not ask for encryption has unknown
// encryption.
func WithEBSEncryptionByDefault(on bool) Option { return func(o *options) { o.ebsDefault = &on } }

func collect(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Formats returns the CloudFormation template and Terraform plan formats,
// for evaluate.Reader.
func Formats(opts ...Option) []evaluate.Format {
	return []evaluate.Format{Template(opts...), Plan(opts...)}
}

// Template returns the format of CloudFormation templates (YAML or JSON).
func Template(opts ...Option) evaluate.Format { return templateFormat{collect(opts)} }

// Plan returns the format of Terraform plans ("terraform show -json").
func Plan(opts ...Option) evaluate.Format { return planFormat{collect(opts)} }

type templateFormat struct{ o options }

func (templateFormat) Name() string            { return "cloudformation" }
func (templateFormat) Detect(head []byte) bool { return IsTemplate(head) }
func (f templateFormat) Read(r io.Reader, name string) evaluate.Source {
	return readTemplate(r, name, f.o)
}

type planFormat struct{ o options }

func (planFormat) Name() string            { return "terraform-plan" }
func (planFormat) Detect(head []byte) bool { return IsPlan(head) }
func (f planFormat) Read(r io.Reader, name string) evaluate.Source {
	return readPlan(r, name, f.o)
}

// ReadTemplate reads a CloudFormation template into configuration items,
// one per resource of a supported type (see SupportedTypes), in file order.
// Resources that cannot be read give an error each, and the others are
// still produced; a file that is not a template gives one error. The
// source may be ranged over more than once: the file is read once, the
// conversion runs again.
func ReadTemplate(r io.Reader, name string, opts ...Option) evaluate.Source {
	return readTemplate(r, name, collect(opts))
}

// ReadPlan reads a Terraform plan into configuration items, one per
// resource instance of a supported type that exists after apply (deleted
// resources are left out), in plan order.
func ReadPlan(r io.Reader, name string, opts ...Option) evaluate.Source {
	return readPlan(r, name, collect(opts))
}

func readTemplate(r io.Reader, name string, o options) evaluate.Source {
	data := once(r)
	return func(yield func(*evaluate.ConfigurationItem, error) bool) {
		b, err := data()
		if err != nil {
			yield(nil, &evaluate.Error{Source: name, Err: err})
			return
		}
		t, err := cfn.Parse(b, name, cfn.Options{
			Parameters: o.parameters, AccountID: o.accountID, Region: o.region,
			Partition: o.partition, StackName: o.stackName, EBSEncryptionByDefault: o.ebsDefault,
		})
		if err != nil {
			line, inner := cfn.FileErrorLine(err)
			yield(nil, &evaluate.Error{Source: name, Line: line, Err: inner})
			return
		}
		cfn.Convert(t, func(it *ci.Item, err error) bool {
			if err != nil {
				return yield(nil, sourceError(err, "Resources.", ".Properties."))
			}
			return yield(toItem(it), nil)
		})
	}
}

func readPlan(r io.Reader, name string, o options) evaluate.Source {
	data := once(r)
	return func(yield func(*evaluate.ConfigurationItem, error) bool) {
		b, err := data()
		if err != nil {
			yield(nil, &evaluate.Error{Source: name, Err: err})
			return
		}
		p, err := tfplan.Parse(b, name, tfplan.Options{
			AccountID: o.accountID, Region: o.region, Partition: o.partition, EBSEncryptionByDefault: o.ebsDefault,
		})
		if err != nil {
			yield(nil, &evaluate.Error{Source: name, Err: errors.New(strings.TrimPrefix(err.Error(), name+": "))})
			return
		}
		tfplan.Convert(p, func(it *ci.Item, err error) bool {
			if err != nil {
				return yield(nil, sourceError(err, "", "."))
			}
			return yield(toItem(it), nil)
		})
	}
}

// once reads r whole on first use and keeps the bytes.
func once(r io.Reader) func() ([]byte, error) {
	return sync.OnceValues(func() ([]byte, error) {
		b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
		if err != nil {
			return nil, err
		}
		if len(b) > MaxFileSize {
			return nil, fmt.Errorf("file larger than %d MiB", MaxFileSize>>20)
		}
		return b, nil
	})
}

// sourceError turns a resource error into an evaluate.Error whose Path
// names the property: Resources.Bucket.Properties.BucketName for templates,
// aws_s3_bucket.b.bucket for plans.
func sourceError(err error, prefix, propSep string) error {
	var e *ci.Error
	if !errors.As(err, &e) {
		return err
	}
	out := &evaluate.Error{Source: e.File, Line: e.Line, ResourceType: e.Type, ResourceID: e.Resource, Err: e.Err}
	if e.Resource != "" {
		out.Path = prefix + e.Resource
		if e.Property != "" {
			out.Path += propSep + e.Property
		}
	}
	return out
}

func toItem(it *ci.Item) *evaluate.ConfigurationItem {
	out := &evaluate.ConfigurationItem{
		Version:                    "1.3",
		Status:                     evaluate.StatusOK,
		AccountID:                  it.AccountID,
		ResourceType:               it.ResourceType,
		ResourceID:                 it.ResourceID,
		ResourceName:               it.ResourceName,
		ARN:                        it.ARN,
		Region:                     it.Region,
		AvailabilityZone:           it.AvailabilityZone,
		Tags:                       it.Tags,
		Configuration:              it.Configuration,
		SupplementaryConfiguration: it.Supplementary,
		Location:                   &evaluate.Location{File: it.File, Line: it.Line, Path: it.Path},
	}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	if out.SupplementaryConfiguration == nil {
		out.SupplementaryConfiguration = map[string]json.RawMessage{}
	}
	for _, r := range it.Relationships {
		out.Relationships = append(out.Relationships, evaluate.Relationship{
			ResourceType: r.ResourceType, ResourceID: r.ResourceID, ResourceName: r.ResourceName, Name: r.Name,
		})
	}
	for _, u := range it.Unknowns {
		out.Unknown = append(out.Unknown, u.Path)
	}
	return out
}

// SupportedTypes lists, per source, the resource types the readers turn
// into items or merge into other items.
func SupportedTypes() (cloudFormation, terraform []string) {
	return cfn.SupportedTypes(), tfplan.SupportedTypes()
}
