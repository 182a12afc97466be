package evaluate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// A rule of your own: buckets must carry an owner tag.
func ownerTagRule() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "bucket-has-owner-tag",
		Summary:       "S3 buckets carry an owner tag.",
		ResourceTypes: []string{"AWS::S3::Bucket"},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters:    []evaluate.Parameter{{Name: "tagKey", Type: evaluate.String, Default: "owner"}},
		Severity:      evaluate.Low,
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		key := p.String("tagKey")
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			if v := in.Item.Tags[key]; v != "" {
				return evaluate.Compliantf("Owned by %s.", v), nil
			}
			return evaluate.NonCompliantf("No %s tag.", key), nil
		}), nil
	})
}

const snapshot = `{"fileVersion": "1.0", "configurationItems": [
 {"resourceType": "AWS::S3::Bucket", "resourceId": "reports", "configurationItemStatus": "OK",
  "configurationItemCaptureTime": "2026-11-20T10:00:00Z", "tags": {"team": "finance"}, "configuration": {"name": "reports"}},
 {"resourceType": "AWS::S3::Bucket", "resourceId": "raw", "configurationItemStatus": "OK",
  "configurationItemCaptureTime": "2026-11-20T10:00:00Z", "tags": {"team": "data"}, "configuration": {"name": "raw"}}
]}`

func ExampleEngine_Scan() {
	engine, err := evaluate.NewEngine([]evaluate.Rule{ownerTagRule()},
		evaluate.WithParameters(map[string]map[string]string{"bucket-has-owner-tag": {"tagKey": "team"}}))
	if err != nil {
		fmt.Println(err)
		return
	}
	for ev, err := range engine.Scan(context.Background(), evaluate.Read(strings.NewReader(snapshot), "snapshot.json")) {
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(ev.ResourceID, ev.Compliance, ev.Annotation)
	}
	// Output:
	// reports COMPLIANT Owned by finance.
	// raw COMPLIANT Owned by data.
}

func ExampleNewEngine_parameterError() {
	_, err := evaluate.NewEngine([]evaluate.Rule{ownerTagRule()},
		evaluate.WithParameters(map[string]map[string]string{"bucket-has-owner-tag": {"tagkey": "team"}}))
	fmt.Println(err)
	// Output:
	// rule bucket-has-owner-tag: parameter tagkey: unknown parameter (the rule takes: tagKey)
}

// Rules compose from smaller checks: here, a bucket must have an owner tag
// and a name that does not start with "tmp-".
func ExampleAllOf() {
	owner, _ := ownerTagRule().Prepare(mustParams(ownerTagRule(), nil))
	notTemporary := evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
		if strings.HasPrefix(in.Item.ResourceID, "tmp-") {
			return evaluate.NonCompliantf("%s is a temporary bucket.", in.Item.ResourceID), nil
		}
		return evaluate.Compliantf("Not temporary."), nil
	})
	rule := evaluate.NewRule(evaluate.Metadata{
		ID: "bucket-owned-and-kept", ResourceTypes: []string{"AWS::S3::Bucket"},
		Trigger: []evaluate.Trigger{evaluate.OnChange}, Severity: evaluate.Low,
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.AllOf(owner, notTemporary), nil
	})
	engine, _ := evaluate.NewEngine([]evaluate.Rule{rule})
	item := &evaluate.ConfigurationItem{ResourceType: "AWS::S3::Bucket", ResourceID: "tmp-export", Configuration: json.RawMessage(`{}`)}
	evs, _ := engine.Evaluate(context.Background(), item)
	fmt.Println(evs[0].Compliance, evs[0].Annotation)
	// Output:
	// NON_COMPLIANT No owner tag; tmp-export is a temporary bucket.
}

func mustParams(r evaluate.Rule, raw map[string]string) evaluate.Params {
	p, err := evaluate.BindParams(r.Metadata().Parameters, raw)
	if err != nil {
		panic(err)
	}
	return p
}

func ExampleParseRuleParameters() {
	// Config passes ruleParameters as a JSON string of string values.
	raw, _ := evaluate.ParseRuleParameters(`{"maxAccessKeyAge": "45"}`)
	p, err := evaluate.BindParams([]evaluate.Parameter{{Name: "maxAccessKeyAge", Type: evaluate.Int, Default: "90"}}, raw)
	fmt.Println(p.Int("maxAccessKeyAge"), err)
	// Output:
	// 45 <nil>
}

func ExampleModel() {
	type bucket struct{ Name string }
	buckets := evaluate.NewModel("AWS::S3::Bucket", func(ci *evaluate.ConfigurationItem) (bucket, error) {
		var b bucket
		err := json.Unmarshal(ci.Configuration, &b)
		return b, err
	})
	in := &evaluate.Input{Item: &evaluate.ConfigurationItem{ResourceType: "AWS::S3::Bucket", Configuration: json.RawMessage(`{"name":"logs"}`)}}
	b, err := buckets.Of(in) // decoded once; later calls by other rules reuse it
	fmt.Println(b.Name, err)
	// Output:
	// logs <nil>
}
