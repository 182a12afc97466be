package awslookup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// ssmRequest is what the fake Systems Manager endpoint saw of one call.
type ssmRequest struct {
	Target, ContentType, Region string
	Body                        map[string]any
}

// fakeSSM speaks JSON 1.1: the operation in X-Amz-Target, JSON in and out.
// pages are the InstanceInformationList entries of each page.
func fakeSSM(t *testing.T, pages []string) (*httptest.Server, func() []ssmRequest) {
	t.Helper()
	var mu sync.Mutex
	var seen []ssmRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		req := ssmRequest{Target: r.Header.Get("X-Amz-Target"), ContentType: r.Header.Get("Content-Type"), Region: signedRegion(r)}
		if err := json.Unmarshal(raw, &req.Body); err != nil {
			t.Errorf("request body %q: %v", raw, err)
		}
		mu.Lock()
		seen = append(seen, req)
		mu.Unlock()
		page := 0
		if tok, _ := req.Body["NextToken"].(string); tok != "" {
			fmt.Sscanf(tok, "page-%d", &page)
			page--
		}
		if page < 0 || page >= len(pages) {
			t.Errorf("page %d asked, of %d pages", page+1, len(pages))
			w.WriteHeader(500)
			return
		}
		next := ""
		if page+1 < len(pages) {
			next = fmt.Sprintf(`,"NextToken":"page-%d"`, page+2)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		fmt.Fprintf(w, `{"InstanceInformationList":[%s]%s}`, pages[page], next)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []ssmRequest { mu.Lock(); defer mu.Unlock(); return append([]ssmRequest(nil), seen...) }
}

func ssmClient(url string) *ssm.Client {
	return ssm.New(ssm.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		Retryer:      aws.NopRetryer{},
	})
}

func instanceInfoJSON(id, ping string) string {
	return fmt.Sprintf(`{"AgentVersion":"3.3.987.0","AssociationStatus":"Success","ComputerName":"ip-172-31-1-10.eu-west-1.compute.internal",
		"IPAddress":"172.31.1.10","InstanceId":%q,"IsLatestVersion":false,"LastPingDateTime":1.7929308E9,"PingStatus":%q,
		"PlatformName":"Amazon Linux","PlatformType":"Linux","PlatformVersion":"2023","ResourceType":"EC2Instance","SourceId":%q,"SourceType":"AWS::EC2::Instance"}`, id, ping, id)
}

func TestManagedInstanceResolver(t *testing.T) {
	srv, requests := fakeSSM(t, []string{
		instanceInfoJSON("i-0aaa", "Online") + "," + instanceInfoJSON("i-0bbb", "ConnectionLost"),
		instanceInfoJSON("i-0ccc", "Inactive"),
	})
	items, err := ManagedInstanceResolver(ssmClient(srv.URL))(context.Background(),
		evaluate.Query{ResourceType: resource.ManagedInstanceInventoryType, AccountID: "111122223333", Region: "us-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	filter := []any{map[string]any{"Key": "ResourceType", "Values": []any{"EC2Instance"}}}
	wantRequests := []ssmRequest{
		{Target: "AmazonSSM.DescribeInstanceInformation", ContentType: "application/x-amz-json-1.1", Region: "us-west-2", Body: map[string]any{"Filters": filter}},
		{Target: "AmazonSSM.DescribeInstanceInformation", ContentType: "application/x-amz-json-1.1", Region: "us-west-2", Body: map[string]any{"Filters": filter, "NextToken": "page-2"}},
	}
	if diff := cmp.Diff(wantRequests, requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	type got struct {
		ID, Account, Region string
		Captured            time.Time
		View                resource.ManagedInstance
	}
	var gotItems []got
	for _, ci := range items {
		mi, err := resource.DecodeManagedInstance(ci)
		if err != nil {
			t.Fatalf("%s: %v", ci.ResourceID, err)
		}
		gotItems = append(gotItems, got{ci.ResourceID, ci.AccountID, ci.Region, ci.CaptureTime, *mi})
	}
	ping := time.Unix(1792930800, 0).UTC()
	want := []got{
		{"i-0aaa", "111122223333", "us-west-2", ping, resource.ManagedInstance{InstanceID: "i-0aaa", PingStatus: "Online", AgentVersion: "3.3.987.0", PlatformName: "Amazon Linux"}},
		{"i-0bbb", "111122223333", "us-west-2", ping, resource.ManagedInstance{InstanceID: "i-0bbb", PingStatus: "ConnectionLost", AgentVersion: "3.3.987.0", PlatformName: "Amazon Linux"}},
		{"i-0ccc", "111122223333", "us-west-2", ping, resource.ManagedInstance{InstanceID: "i-0ccc", PingStatus: "Inactive", AgentVersion: "3.3.987.0", PlatformName: "Amazon Linux"}},
	}
	if diff := cmp.Diff(want, gotItems, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	var conf map[string]any
	if err := json.Unmarshal(items[0].Configuration, &conf); err != nil {
		t.Fatal(err)
	}
	wantConf := map[string]any{"AWS:InstanceInformation": map[string]any{"SchemaVersion": "1.0", "Content": map[string]any{"i-0aaa": map[string]any{
		"InstanceId": "i-0aaa", "AgentVersion": "3.3.987.0", "ComputerName": "ip-172-31-1-10.eu-west-1.compute.internal", "IpAddress": "172.31.1.10",
		"PlatformName": "Amazon Linux", "PlatformType": "Linux", "PlatformVersion": "2023", "ResourceType": "EC2Instance",
		"PingStatus": "Online", "LastPingDateTime": "2026-10-25T12:20:00Z",
	}}}}
	if diff := cmp.Diff(wantConf, conf); diff != "" {
		t.Errorf("configuration (-want +got):\n%s", diff)
	}
}

func TestManagedInstanceResolverErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User is not authorized to perform: ssm:DescribeInstanceInformation"}`)
	}))
	defer srv.Close()
	resolve := ManagedInstanceResolver(ssmClient(srv.URL))
	_, err := resolve(context.Background(), evaluate.Query{ResourceType: resource.ManagedInstanceInventoryType, AccountID: "111122223333"})
	var apiErr smithy.APIError
	if !errors.Is(err, evaluate.ErrUnknown) || !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" {
		t.Errorf("error = %v, want one wrapping ErrUnknown and the AccessDeniedException API error", err)
	}
	if err == nil || !strings.Contains(err.Error(), "ssm:DescribeInstanceInformation in eu-west-1") {
		t.Errorf("error = %v, want it to name the call and the client's region", err)
	}
	if _, err := resolve(context.Background(), evaluate.Query{ResourceType: resource.EC2InstanceType}); err == nil {
		t.Error("a query of another type gave no error")
	}
}

// TestManagedInstanceResolverFeedsTheRule checks that the items are what
// ec2-instance-managed-by-systems-manager reads.
func TestManagedInstanceResolverFeedsTheRule(t *testing.T) {
	srv, _ := fakeSSM(t, []string{instanceInfoJSON("i-0aaa", "Online") + "," + instanceInfoJSON("i-0bbb", "ConnectionLost")})
	lookup := resolverLookup{resource.ManagedInstanceInventoryType: ManagedInstanceResolver(ssmClient(srv.URL))}
	running := func(id string) *evaluate.ConfigurationItem {
		return &evaluate.ConfigurationItem{ResourceType: resource.EC2InstanceType, ResourceID: id, AccountID: "111122223333", Region: "eu-west-1",
			Status: evaluate.StatusOK, Configuration: json.RawMessage(fmt.Sprintf(`{"instanceId":%q,"state":{"code":16,"name":"running"}}`, id))}
	}
	got := judge(t, "ec2-instance-managed-by-systems-manager", lookup, running("i-0aaa"), running("i-0bbb"), running("i-0ccc"))
	want := map[string]evaluate.Compliance{"i-0aaa": evaluate.Compliant, "i-0bbb": evaluate.NonCompliant, "i-0ccc": evaluate.NonCompliant}
	for id, c := range want {
		if got[id].Compliance != c {
			t.Errorf("%s: %s (%s), want %s", id, got[id].Compliance, got[id].Annotation, c)
		}
	}
}
