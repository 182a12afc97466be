package rules

import (
	"context"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// MultiRegionCloudtrailEnabled checks that the account has a multi-region
// trail that matches the parameters, records management events without
// excluding any event source (ExcludeManagementEventSources, or an
// advanced selector's eventSource filter), and is logging.
//
// Event selectors: a trail without custom selectors logs all management
// events, read and write; a trail with custom ones needs its selectors fact
// (cloudtrail-get-event-selectors-NAME.json). includeManagementEvents, when
// given, must equal what the trail does; without it management events must
// be logged. readWriteType ALL needs reads and writes; ReadOnly or WriteOnly
// is met by a trail that logs at least those. As for cloudtrail-enabled, a
// compliant answer needs the trail's status fact.
func MultiRegionCloudtrailEnabled() evaluate.Rule {
	params := append(append([]evaluate.Parameter(nil), trailParamDefs...),
		evaluate.Parameter{Name: "includeManagementEvents", Type: evaluate.Bool, Description: "Whether the trail's event selectors include management events."},
		evaluate.Parameter{Name: "readWriteType", Type: evaluate.String, Description: "Type of events to record: ReadOnly, WriteOnly or ALL."},
	)
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "multi-region-cloudtrail-enabled",
		Summary:       "A multi-region CloudTrail trail logs management events without exclusions.",
		Rationale:     "A trail in every region, recording every management event, leaves no region or service where an attacker acts unseen.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters:    params,
		Severity:      evaluate.High,
		ManagedRule:   "MULTI_REGION_CLOUD_TRAIL_ENABLED",
		Controls:      []string{"SecurityHub:CloudTrail.1", "CIS-AWS-1.4:3.1"},
		Remediations:  []string{"cloudtrail-enable-multi-region"},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/multi-region-cloudtrail-enabled.html",
		Lookups:       []string{resource.CloudTrailTrailType},
		Facts:         []string{facts.TrailStatusFile("NAME"), facts.EventSelectorsFile("NAME")},
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		want := bindTrailParams(p)
		mgmtGiven, mgmtWanted := p.Has("includeManagementEvents"), p.Bool("includeManagementEvents")
		var wantRead, wantWrite bool
		switch rw := p.String("readWriteType"); strings.ToLower(rw) {
		case "":
		case "all":
			wantRead, wantWrite = true, true
		case "readonly":
			wantRead = true
		case "writeonly":
			wantWrite = true
		default:
			return nil, &evaluate.ParamError{Name: "readWriteType", Value: rw, Err: fmt.Errorf("want ReadOnly, WriteOnly or ALL")}
		}
		tf := newTrailFacts()
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			trails, err := accountTrails(ctx, in)
			if err != nil {
				return insufficient(err)
			}
			account := in.Item.AccountID
			var v trailVerdict
			for _, t := range trails {
				if !t.IsMultiRegionTrail.Set {
					if err := v.judge(&missingFactError{annotation: fmt.Sprintf("Trail %s: isMultiRegionTrail is not recorded.", t.Name)}); err != nil {
						return evaluate.Result{}, err
					}
					continue
				}
				if !t.IsMultiRegionTrail.Value {
					v.fail(t, "is not multi-region")
					continue
				}
				if m := want.mismatch(t); m != "" {
					v.fail(t, "%s", m)
					continue
				}
				sel, err := tf.eventSelectors(ctx, in, t)
				if err != nil {
					if err := v.judge(err); err != nil {
						return evaluate.Result{}, err
					}
					continue
				}
				m := managementCoverage(sel)
				switch {
				case mgmtGiven && m.included() != mgmtWanted:
					v.fail(t, "has includeManagementEvents %v, want %v", m.included(), mgmtWanted)
					continue
				case !mgmtGiven && !m.included():
					v.fail(t, "logs no management events")
					continue
				case len(m.excluded) > 0:
					v.fail(t, "excludes management events of %s", strings.Join(m.excluded, ", "))
					continue
				case m.included() && (wantRead && !m.read || wantWrite && !m.write):
					v.fail(t, "logs %s management events, want %s", m.readWriteType(), p.String("readWriteType"))
					continue
				}
				logging, err := tf.logging(ctx, in, t)
				if err != nil {
					if err := v.judge(err); err != nil {
						return evaluate.Result{}, err
					}
					continue
				}
				if !logging {
					v.fail(t, "is not logging")
					continue
				}
				v.ok = fmt.Sprintf("Multi-region trail %s logs %s management events of account %s.", t.Name, m.readWriteType(), account)
				break
			}
			return v.result(fmt.Sprintf("No multi-region trail of account %s qualifies.", account)), nil
		}), nil
	})
}
