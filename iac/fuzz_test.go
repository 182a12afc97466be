package iac_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/iac"
)

// seed adds the fixtures matching glob to the corpus (the committed corpus
// under testdata/fuzz holds copies of real-data shapes too).
func seed(f *testing.F, glob string) {
	files, err := filepath.Glob(glob)
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// drain reads a source to the end and checks what every reader promises:
// items carry a type, an id and a location, errors are evaluate.Errors.
func drain(t *testing.T, src evaluate.Source) {
	for it, err := range src {
		if err != nil {
			if _, ok := err.(*evaluate.Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			continue
		}
		if it == nil || it.ResourceType == "" || it.ResourceID == "" || it.Location == nil {
			t.Fatalf("incomplete item %+v", it)
		}
	}
}

func FuzzReadTemplate(f *testing.F) {
	seed(f, "testdata/cfn/*.yaml")
	f.Add([]byte("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: !If [C, [], !Ref AWS::NoValue]\n"))
	f.Add([]byte(`{"Resources": {"B": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [{"IpProtocol": -1}]}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		drain(t, iac.ReadTemplate(bytes.NewReader(data), "fuzz.yaml", iac.WithRegion("eu-west-1")))
		iac.IsTemplate(data)
	})
}

func FuzzReadPlan(f *testing.F) {
	seed(f, "testdata/tfplan/*.json")
	f.Add([]byte(`{"format_version":"1.0","resource_changes":[{"address":"module.a[0].aws_s3_bucket.b[\"k\"]","mode":"managed","type":"aws_s3_bucket","change":{"actions":["create"],"after":{},"after_unknown":{"versioning":[{"enabled":true}]}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		drain(t, iac.ReadPlan(bytes.NewReader(data), "fuzz.json"))
		iac.IsPlan(data)
	})
}
