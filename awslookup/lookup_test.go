package awslookup_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/awslookup"
	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/internal/configtest"
)

// loadItem reads one item from testdata: an item, or the first of a
// GetResourceConfigHistory answer.
func loadItem(t testing.TB, name string) *evaluate.ConfigurationItem {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var wrapped struct {
		Items []json.RawMessage `json:"configurationItems"`
	}
	if json.Unmarshal(data, &wrapped) == nil && len(wrapped.Items) > 0 {
		data = wrapped.Items[0]
	}
	ci, err := evaluate.DecodeItem(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ci
}

// buckets returns n copies of the testdata bucket, named bucket-0000...
func buckets(t testing.TB, n int) []*evaluate.ConfigurationItem {
	base := loadItem(t, "s3-bucket.json")
	out := make([]*evaluate.ConfigurationItem, n)
	for i := range out {
		ci := *base
		ci.ResourceID = fmt.Sprintf("bucket-%04d", i)
		ci.ResourceName = ci.ResourceID
		ci.Configuration = json.RawMessage(fmt.Sprintf(`{"name":%q}`, ci.ResourceID))
		out[i] = &ci
	}
	return out
}

func newLookup(s *configtest.Server, opts ...awslookup.Option) *awslookup.Lookup {
	return awslookup.NewFromConfig(s.AWSConfig(), opts...)
}

func ids(items []*evaluate.ConfigurationItem) []string {
	out := make([]string, len(items))
	for i, ci := range items {
		out[i] = ci.ResourceID
	}
	return out
}

func TestResourcesListsThenReadsInBatches(t *testing.T) {
	s := configtest.New(t)
	all := buckets(t, 250)
	s.AddItems(all...)
	l := newLookup(s, awslookup.WithScope("111122223333", "eu-west-1"))

	got, err := l.Resources(context.Background(), evaluate.Query{ResourceType: "AWS::S3::Bucket", AccountID: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids(all), ids(got)); diff != "" {
		t.Errorf("items, in listing order (-want +got):\n%s", diff)
	}
	if got[7].SupplementaryConfiguration["BucketVersioningConfiguration"] == nil {
		t.Errorf("supplementary configuration lost: %v", got[7].SupplementaryConfiguration)
	}
	if diff := cmp.Diff([]string{"tags", "relationships"}, got[7].Unknown); diff != "" {
		t.Errorf("BatchGetResourceConfig items must say tags and relationships are unknown (-want +got):\n%s", diff)
	}

	var listed []string
	for _, r := range s.Requests("ListDiscoveredResources") {
		var in struct {
			ResourceType string `json:"resourceType"`
			Limit        int    `json:"limit"`
			NextToken    string `json:"nextToken"`
		}
		if err := json.Unmarshal(r.Body, &in); err != nil {
			t.Fatal(err)
		}
		listed = append(listed, fmt.Sprintf("%s limit=%d token=%q", in.ResourceType, in.Limit, in.NextToken))
	}
	wantListed := []string{
		`AWS::S3::Bucket limit=100 token=""`,
		`AWS::S3::Bucket limit=100 token="100"`,
		`AWS::S3::Bucket limit=100 token="200"`,
	}
	if diff := cmp.Diff(wantListed, listed); diff != "" {
		t.Errorf("ListDiscoveredResources requests (-want +got):\n%s", diff)
	}
	var sizes []int
	for _, r := range s.Requests("BatchGetResourceConfig") {
		var in struct {
			Keys []struct{ ResourceType, ResourceID string } `json:"resourceKeys"`
		}
		if err := json.Unmarshal(r.Body, &in); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(in.Keys))
	}
	if total := sizes[0] + sizes[1] + sizes[2]; len(sizes) != 3 || total != 250 || max(sizes[0], sizes[1], sizes[2]) > 100 {
		t.Errorf("BatchGetResourceConfig key counts %v, want 3 calls of at most 100 keys reading 250", sizes)
	}

	// A second query and a Resource of a listed bucket are answered from
	// the cache.
	s.Reset()
	if _, err := l.Resources(context.Background(), evaluate.Query{ResourceType: "AWS::S3::Bucket"}); err != nil {
		t.Fatal(err)
	}
	ci, err := l.Resource(context.Background(), "AWS::S3::Bucket", "bucket-0042")
	if err != nil || ci.ResourceID != "bucket-0042" {
		t.Fatalf("Resource = %v, %v", ci, err)
	}
	if ops := s.Ops(); len(ops) != 0 {
		t.Errorf("cached answers made requests %v", ops)
	}
}

func TestResourcesAsksAgainForUnprocessedKeys(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 30)...)
	s.LeaveUnprocessed(12)
	got, err := newLookup(s).Resources(context.Background(), evaluate.Query{ResourceType: "AWS::S3::Bucket"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 30 {
		t.Errorf("got %d items, want 30", len(got))
	}
	if n := len(s.Requests("BatchGetResourceConfig")); n != 2 {
		t.Errorf("%d BatchGetResourceConfig calls, want 2 (one for the unprocessed keys)", n)
	}
}

func TestResourcesSkipsDeletedAndUnrecorded(t *testing.T) {
	s := configtest.New(t)
	items := buckets(t, 3)
	items[1].Status = evaluate.StatusResourceNotRecorded
	items[1].Configuration = nil
	s.AddItems(items...)
	got, err := newLookup(s).Resources(context.Background(), evaluate.Query{ResourceType: "AWS::S3::Bucket"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"bucket-0000", "bucket-0002"}, ids(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEmptyListing checks that "none listed" becomes "none exist" only
// when a recorder records the type.
func TestEmptyListing(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		recorders    string
		typ          string
		wantErr      error
	}{
		{name: "all supported", reason: "the type is recorded: none exists", typ: "AWS::EC2::FlowLog",
			recorders: `[{"name":"default","recordingGroup":{"allSupported":true}}]`},
		{name: "inclusion without the type", reason: "Config does not record flow logs: unknown", typ: "AWS::EC2::FlowLog", wantErr: evaluate.ErrUnknown,
			recorders: `[{"name":"default","recordingGroup":{"allSupported":false,"resourceTypes":["AWS::EC2::VPC"],"recordingStrategy":{"useOnly":"INCLUSION_BY_RESOURCE_TYPES"}}}]`},
		{name: "inclusion with the type", reason: "recorded", typ: "AWS::EC2::FlowLog",
			recorders: `[{"name":"default","recordingGroup":{"resourceTypes":["AWS::EC2::VPC","AWS::EC2::FlowLog"],"recordingStrategy":{"useOnly":"INCLUSION_BY_RESOURCE_TYPES"}}}]`},
		{name: "excluded", reason: "excluded from recording: unknown", typ: "AWS::EC2::FlowLog", wantErr: evaluate.ErrUnknown,
			recorders: `[{"name":"default","recordingGroup":{"exclusionByResourceTypes":{"resourceTypes":["AWS::EC2::FlowLog"]},"recordingStrategy":{"useOnly":"EXCLUSION_BY_RESOURCE_TYPES"}}}]`},
		{name: "exclusion of others", reason: "the exclusion strategy records the rest", typ: "AWS::EC2::FlowLog",
			recorders: `[{"name":"default","recordingGroup":{"exclusionByResourceTypes":{"resourceTypes":["AWS::EC2::Volume"]},"recordingStrategy":{"useOnly":"EXCLUSION_BY_RESOURCE_TYPES"}}}]`},
		{name: "global IAM not included", reason: "all supported leaves out global IAM types unless asked", typ: "AWS::IAM::User", wantErr: evaluate.ErrUnknown,
			recorders: `[{"name":"default","recordingGroup":{"allSupported":true,"includeGlobalResourceTypes":false}}]`},
		{name: "global IAM included", reason: "includeGlobalResourceTypes", typ: "AWS::IAM::User",
			recorders: `[{"name":"default","recordingGroup":{"allSupported":true,"includeGlobalResourceTypes":true}}]`},
		{name: "second recorder", reason: "a service-linked recorder records the type", typ: "AWS::EC2::FlowLog",
			recorders: `[{"name":"default","recordingGroup":{"resourceTypes":["AWS::EC2::VPC"]}},{"name":"AWSConfigurationRecorderForX","recordingGroup":{"resourceTypes":["AWS::EC2::FlowLog"]}}]`},
		{name: "no recorder", reason: "nothing is recorded", typ: "AWS::EC2::FlowLog", wantErr: evaluate.ErrUnknown, recorders: `[]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			s.SetRecorders(tc.recorders)
			got, err := newLookup(s).Resources(context.Background(), evaluate.Query{ResourceType: tc.typ})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("%s: err = %v, want %v", tc.reason, err, tc.wantErr)
			}
			if len(got) != 0 {
				t.Errorf("%s: got %d items", tc.reason, len(got))
			}
			if n := len(s.Requests("DescribeConfigurationRecorders")); n != 1 {
				t.Errorf("%d DescribeConfigurationRecorders calls, want 1", n)
			}
		})
	}
}

func TestEmptyListingRecordersUnreadable(t *testing.T) {
	s := configtest.New(t)
	s.Throttle("DescribeConfigurationRecorders", 100)
	l := awslookup.New(configservice.NewFromConfig(s.AWSConfig(), func(o *configservice.Options) { o.RetryMaxAttempts = 1 }))
	_, err := l.Resources(context.Background(), evaluate.Query{ResourceType: "AWS::EC2::FlowLog"})
	if !errors.Is(err, evaluate.ErrUnknown) || !strings.Contains(err.Error(), "ThrottlingException") {
		t.Errorf("err = %v, want ErrUnknown naming the API error", err)
	}
}

func TestResource(t *testing.T) {
	sg := loadItem(t, "get-resource-config-history-security-group.json")
	deleted := *sg
	deleted.ResourceID, deleted.Status, deleted.Configuration = "sg-deleted", evaluate.StatusResourceDeleted, nil
	unrecorded := *sg
	unrecorded.ResourceID, unrecorded.Status, unrecorded.Configuration = "sg-unrecorded", evaluate.StatusResourceNotRecorded, nil
	for _, tc := range []struct {
		name, id, reason, recorders string
		wantErr                     error
	}{
		{name: "found", id: "sg-6fbb3807", reason: "the latest item, with its relationships"},
		{name: "deleted", id: "sg-deleted", reason: "a deleted resource does not exist", wantErr: evaluate.ErrNotFound},
		{name: "not recorded", id: "sg-unrecorded", reason: "its configuration is not recorded", wantErr: evaluate.ErrUnknown},
		{name: "not discovered", id: "sg-nope", reason: "the type is recorded, so it does not exist", wantErr: evaluate.ErrNotFound},
		{name: "not discovered, type not recorded", id: "sg-nope", reason: "Config does not record security groups", wantErr: evaluate.ErrUnknown,
			recorders: `[{"name":"default","recordingGroup":{"resourceTypes":["AWS::S3::Bucket"]}}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := configtest.New(t)
			s.AddItems(sg, &deleted, &unrecorded)
			if tc.recorders != "" {
				s.SetRecorders(tc.recorders)
			}
			l := newLookup(s)
			ci, err := l.Resource(context.Background(), "AWS::EC2::SecurityGroup", tc.id)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("%s: err = %v, want %v", tc.reason, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sg.Relationships, ci.Relationships); diff != "" {
				t.Errorf("relationships (-want +got):\n%s", diff)
			}
			var conf struct{ GroupID string }
			if err := json.Unmarshal(ci.Configuration, &conf); err != nil || conf.GroupID != "sg-6fbb3807" {
				t.Errorf("configuration %s: %v", ci.Configuration, err)
			}
			var in struct {
				ResourceType string `json:"resourceType"`
				ResourceID   string `json:"resourceId"`
				Limit        int    `json:"limit"`
			}
			reqs := s.Requests("GetResourceConfigHistory")
			if len(reqs) != 1 {
				t.Fatalf("%d history requests", len(reqs))
			}
			_ = json.Unmarshal(reqs[0].Body, &in)
			want := struct {
				ResourceType string `json:"resourceType"`
				ResourceID   string `json:"resourceId"`
				Limit        int    `json:"limit"`
			}{"AWS::EC2::SecurityGroup", tc.id, 1}
			if in != want {
				t.Errorf("request %+v, want %+v", in, want)
			}
			// Asked again: from the cache.
			if _, err := l.Resource(context.Background(), "AWS::EC2::SecurityGroup", tc.id); err != nil {
				t.Fatal(err)
			}
			if n := len(s.Requests("GetResourceConfigHistory")); n != 1 {
				t.Errorf("%d history requests after a second Resource, want 1", n)
			}
		})
	}
}

func TestLatestItemKeepsDeletedItems(t *testing.T) {
	s := configtest.New(t)
	b := buckets(t, 1)[0]
	b.Status, b.Configuration = evaluate.StatusResourceDeleted, nil
	s.AddItems(b)
	ci, err := newLookup(s).LatestItem(context.Background(), b.ResourceType, b.ResourceID)
	if err != nil {
		t.Fatal(err)
	}
	if ci.Status != evaluate.StatusResourceDeleted || ci.Configuration != nil {
		t.Errorf("status %s configuration %s, want the deleted item", ci.Status, ci.Configuration)
	}
}

func TestScope(t *testing.T) {
	s := configtest.New(t)
	l := newLookup(s, awslookup.WithScope("111122223333", "eu-west-1"))
	for _, q := range []evaluate.Query{
		{ResourceType: "AWS::S3::Bucket", AccountID: "999988887777"},
		{ResourceType: "AWS::S3::Bucket", Region: "us-west-2"},
		{ResourceType: evaluate.AccountResourceType},
	} {
		if _, err := l.Resources(context.Background(), q); !errors.Is(err, evaluate.ErrUnknown) {
			t.Errorf("%+v: err = %v, want ErrUnknown", q, err)
		}
	}
	if ops := s.Ops(); len(ops) != 0 {
		t.Errorf("out-of-scope queries made requests %v", ops)
	}
}

func TestResolver(t *testing.T) {
	s := configtest.New(t)
	var calls []evaluate.Query
	var mu sync.Mutex
	flowLog := &evaluate.ConfigurationItem{ResourceType: "AWS::EC2::FlowLog", ResourceID: "fl-1", AccountID: "111122223333", Region: "eu-west-1", Status: evaluate.StatusOK, Configuration: json.RawMessage(`{"resourceId":"vpc-1"}`)}
	l := newLookup(s, awslookup.WithScope("111122223333", "eu-west-1"),
		awslookup.WithResolver("AWS::EC2::FlowLog", func(_ context.Context, q evaluate.Query) ([]*evaluate.ConfigurationItem, error) {
			mu.Lock()
			calls = append(calls, q)
			mu.Unlock()
			return []*evaluate.ConfigurationItem{flowLog}, nil
		}))
	got, err := l.Resources(context.Background(), evaluate.Query{ResourceType: "AWS::EC2::FlowLog"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Resources = %v, %v", got, err)
	}
	if _, err := l.Resource(context.Background(), "AWS::EC2::FlowLog", "fl-1"); err != nil {
		t.Errorf("Resource(fl-1): %v", err)
	}
	if _, err := l.Resource(context.Background(), "AWS::EC2::FlowLog", "fl-2"); !errors.Is(err, evaluate.ErrNotFound) {
		t.Errorf("Resource(fl-2): err = %v, want ErrNotFound", err)
	}
	want := []evaluate.Query{{ResourceType: "AWS::EC2::FlowLog", AccountID: "111122223333", Region: "eu-west-1"}}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("resolver calls: the query is filled from the scope, and asked once (-want +got):\n%s", diff)
	}
	if ops := s.Ops(); len(ops) != 0 {
		t.Errorf("a resolved type made Config requests %v", ops)
	}
}

func TestConcurrentQueriesShareOneListing(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 150)...)
	l := newLookup(s)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got, err := l.Resources(context.Background(), evaluate.Query{ResourceType: "AWS::S3::Bucket"}); err != nil || len(got) != 150 {
				t.Errorf("Resources = %d items, %v", len(got), err)
			}
		})
	}
	wg.Wait()
	if n := len(s.Requests("ListDiscoveredResources")); n != 2 {
		t.Errorf("%d ListDiscoveredResources calls, want 2 (one listing of two pages)", n)
	}
}

func TestListingFailure(t *testing.T) {
	s := configtest.New(t)
	s.AddItems(buckets(t, 5)...)
	s.Throttle("BatchGetResourceConfig", 100)
	l := awslookup.New(configservice.NewFromConfig(s.AWSConfig(), func(o *configservice.Options) { o.RetryMaxAttempts = 1 }))
	_, err := l.Resources(context.Background(), evaluate.Query{ResourceType: "AWS::S3::Bucket"})
	if !errors.Is(err, evaluate.ErrUnknown) || !strings.Contains(err.Error(), "AWS::S3::Bucket") {
		t.Errorf("err = %v, want ErrUnknown naming the type", err)
	}
}

func TestFact(t *testing.T) {
	s := configtest.New(t)
	if _, err := newLookup(s).Fact(context.Background(), "111122223333", "eu-west-1", "iam-get-account-summary.json"); !errors.Is(err, evaluate.ErrUnknown) {
		t.Errorf("without facts: err = %v, want ErrUnknown", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "iam-get-account-summary.json"), []byte(`{"SummaryMap":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := newLookup(s, awslookup.WithFacts(evaluate.FactsDir(dir))).Fact(context.Background(), "111122223333", "eu-west-1", "iam-get-account-summary.json")
	if err != nil || string(got) != `{"SummaryMap":{}}` {
		t.Errorf("Fact = %s, %v", got, err)
	}
}
