package awslookup

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

// globalIAMTypes are the types includeGlobalResourceTypes governs.
var globalIAMTypes = []string{"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"}

type recording struct {
	recorders []types.ConfigurationRecorder
}

// Recorded reports whether a configuration recorder of the account and
// region records resourceType, reading the recorders once per Lookup.
func (l *Lookup) Recorded(ctx context.Context, resourceType string) (bool, error) {
	rec, err := l.recording.do(ctx, "", func() (*recording, error) {
		out, err := l.client.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
		if err != nil {
			return nil, fmt.Errorf("describing the configuration recorders: %w", err)
		}
		return &recording{recorders: out.ConfigurationRecorders}, nil
	})
	if err != nil {
		return false, err
	}
	for _, r := range rec.recorders {
		if records(r.RecordingGroup, resourceType) {
			return true, nil
		}
	}
	return false, nil
}

// records applies a recording group's rules, as the RecordingGroup API
// reference states them: the exclusion strategy records every type but the
// excluded ones (global IAM types included); "all supported" records every
// type but the global IAM ones unless includeGlobalResourceTypes; otherwise
// only the listed types are recorded.
func records(g *types.RecordingGroup, resourceType string) bool {
	if g == nil {
		return false
	}
	strategy := types.RecordingStrategyType("")
	if g.RecordingStrategy != nil {
		strategy = g.RecordingStrategy.UseOnly
	}
	has := func(list []types.ResourceType) bool {
		return slices.Contains(list, types.ResourceType(resourceType))
	}
	switch {
	case strategy == types.RecordingStrategyTypeExclusionByResourceTypes:
		return g.ExclusionByResourceTypes == nil || !has(g.ExclusionByResourceTypes.ResourceTypes)
	case g.AllSupported || strategy == types.RecordingStrategyTypeAllSupportedResourceTypes:
		if slices.Contains(globalIAMTypes, resourceType) {
			return g.IncludeGlobalResourceTypes || has(g.ResourceTypes)
		}
		return true
	}
	return has(g.ResourceTypes)
}
