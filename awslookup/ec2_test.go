package awslookup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// ec2Request is what the fake EC2 endpoint saw of one call.
type ec2Request struct {
	Action, Version, NextToken, Region string
	Filters                            bool
}

// fakeEC2 speaks the EC2 query protocol: form-encoded requests, XML
// responses. pages are the flowLogSet items of each page, in order.
func fakeEC2(t *testing.T, pages []string) (*httptest.Server, func() []ec2Request) {
	t.Helper()
	var mu sync.Mutex
	var seen []ec2Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("form: %v", err)
		}
		req := ec2Request{Action: r.Form.Get("Action"), Version: r.Form.Get("Version"), NextToken: r.Form.Get("NextToken"), Region: signedRegion(r)}
		for k := range r.Form {
			if strings.HasPrefix(k, "Filter.") {
				req.Filters = true
			}
		}
		mu.Lock()
		seen = append(seen, req)
		mu.Unlock()
		page := 0 // each listing starts again at the first page
		if req.NextToken != "" {
			fmt.Sscanf(req.NextToken, "page-%d", &page)
			page--
		}
		if page >= len(pages) {
			t.Errorf("page %d asked, of %d pages", page+1, len(pages))
			w.WriteHeader(500)
			return
		}
		next := ""
		if page+1 < len(pages) {
			next = fmt.Sprintf("<nextToken>page-%d</nextToken>", page+2)
		}
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<DescribeFlowLogsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>2a8b6d40-3c5e-4a7b-9d0f-1e2f3a4b5c6d</requestId>
    <flowLogSet>%s</flowLogSet>%s
</DescribeFlowLogsResponse>`, pages[page], next)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []ec2Request { mu.Lock(); defer mu.Unlock(); return append([]ec2Request(nil), seen...) }
}

// signedRegion reads the region from the SigV4 credential scope.
func signedRegion(r *http.Request) string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	parts := strings.Split(strings.SplitN(auth[i+len("Credential="):], ",", 2)[0], "/")
	if len(parts) < 3 {
		return ""
	}
	return parts[2]
}

func ec2Client(url string) *ec2.Client {
	return ec2.New(ec2.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		Retryer:      aws.NopRetryer{},
	})
}

func flowLogXML(id, resourceID, traffic, status string) string {
	return fmt.Sprintf(`
        <item>
            <creationTime>2026-03-18T11:05:12.361Z</creationTime>
            <deliverLogsPermissionArn>arn:aws:iam::111122223333:role/flow-logs-delivery</deliverLogsPermissionArn>
            <deliverLogsStatus>SUCCESS</deliverLogsStatus>
            <flowLogId>%s</flowLogId>
            <flowLogStatus>%s</flowLogStatus>
            <logGroupName>/vpc/flow-logs</logGroupName>
            <resourceId>%s</resourceId>
            <trafficType>%s</trafficType>
            <logDestinationType>cloud-watch-logs</logDestinationType>
            <logFormat>${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr}</logFormat>
            <maxAggregationInterval>600</maxAggregationInterval>
            <tagSet>
                <item><key>team</key><value>network</value></item>
            </tagSet>
        </item>`, id, status, resourceID, traffic)
}

func TestFlowLogResolver(t *testing.T) {
	srv, requests := fakeEC2(t, []string{
		flowLogXML("fl-0001", "vpc-0aaa", "ALL", "ACTIVE") + flowLogXML("fl-0002", "subnet-0bbb", "REJECT", "ACTIVE"),
		flowLogXML("fl-0003", "vpc-0ccc", "ACCEPT", "ACTIVE"),
	})
	resolve := FlowLogResolver(ec2Client(srv.URL))
	items, err := resolve(context.Background(), evaluate.Query{ResourceType: resource.FlowLogType, AccountID: "111122223333", Region: "us-west-2"})
	if err != nil {
		t.Fatal(err)
	}
	wantRequests := []ec2Request{
		{Action: "DescribeFlowLogs", Version: "2016-11-15", Region: "us-west-2"},
		{Action: "DescribeFlowLogs", Version: "2016-11-15", NextToken: "page-2", Region: "us-west-2"},
	}
	if diff := cmp.Diff(wantRequests, requests()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	type got struct {
		ID, Account, Region string
		Tags                map[string]string
		Created             time.Time
		View                resource.FlowLog
	}
	var gotItems []got
	for _, ci := range items {
		fl, err := resource.DecodeFlowLog(ci)
		if err != nil {
			t.Fatalf("%s: %v", ci.ResourceID, err)
		}
		gotItems = append(gotItems, got{ci.ResourceID, ci.AccountID, ci.Region, ci.Tags, ci.ResourceCreationTime, *fl})
	}
	created := time.Date(2026, 3, 18, 11, 5, 12, 361e6, time.UTC)
	tags := map[string]string{"team": "network"}
	want := []got{
		{"fl-0001", "111122223333", "us-west-2", tags, created, resource.FlowLog{ID: "fl-0001", ResourceID: "vpc-0aaa", TrafficType: "ALL", Status: "ACTIVE", DeliverStatus: "SUCCESS"}},
		{"fl-0002", "111122223333", "us-west-2", tags, created, resource.FlowLog{ID: "fl-0002", ResourceID: "subnet-0bbb", TrafficType: "REJECT", Status: "ACTIVE", DeliverStatus: "SUCCESS"}},
		{"fl-0003", "111122223333", "us-west-2", tags, created, resource.FlowLog{ID: "fl-0003", ResourceID: "vpc-0ccc", TrafficType: "ACCEPT", Status: "ACTIVE", DeliverStatus: "SUCCESS"}},
	}
	if diff := cmp.Diff(want, gotItems); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	// The configuration keeps Config's field names, tags as [{key, value}].
	var conf map[string]any
	if err := json.Unmarshal(items[0].Configuration, &conf); err != nil {
		t.Fatal(err)
	}
	wantConf := map[string]any{
		"flowLogId": "fl-0001", "resourceId": "vpc-0aaa", "trafficType": "ALL", "flowLogStatus": "ACTIVE", "deliverLogsStatus": "SUCCESS",
		"deliverLogsPermissionArn": "arn:aws:iam::111122223333:role/flow-logs-delivery", "logDestinationType": "cloud-watch-logs",
		"logGroupName": "/vpc/flow-logs", "logFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr}",
		"maxAggregationInterval": float64(600), "creationTime": "2026-03-18T11:05:12.361Z",
		"tags": []any{map[string]any{"key": "team", "value": "network"}},
	}
	if diff := cmp.Diff(wantConf, conf); diff != "" {
		t.Errorf("configuration (-want +got):\n%s", diff)
	}
}

func TestFlowLogResolverUsesTheClientRegion(t *testing.T) {
	srv, requests := fakeEC2(t, []string{""})
	items, err := FlowLogResolver(ec2Client(srv.URL))(context.Background(), evaluate.Query{ResourceType: resource.FlowLogType, AccountID: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 0 {
		t.Errorf("%d items from an empty flowLogSet", len(items))
	}
	if r := requests(); len(r) != 1 || r[0].Region != "eu-west-1" {
		t.Errorf("requests %+v, want one signed for the client's region eu-west-1", r)
	}
}

func TestFlowLogResolverErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>5e2f1c3d-0000-4a7b-9d0f-1e2f3a4b5c6d</RequestID></Response>`)
	}))
	defer srv.Close()
	resolve := FlowLogResolver(ec2Client(srv.URL))
	_, err := resolve(context.Background(), evaluate.Query{ResourceType: resource.FlowLogType, AccountID: "111122223333", Region: "eu-west-1"})
	var apiErr smithy.APIError
	if !errors.Is(err, evaluate.ErrUnknown) || !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnauthorizedOperation" {
		t.Errorf("error = %v, want one wrapping ErrUnknown and the UnauthorizedOperation API error", err)
	}
	if err == nil || !strings.Contains(err.Error(), "ec2:DescribeFlowLogs in eu-west-1") {
		t.Errorf("error = %v, want it to name the call and the region", err)
	}
	if _, err := resolve(context.Background(), evaluate.Query{ResourceType: resource.VPCType}); err == nil || !strings.Contains(err.Error(), "not AWS::EC2::VPC") {
		t.Errorf("a query of another type: error = %v", err)
	}
}

// TestFlowLogResolverFeedsTheRule checks that the items are what
// vpc-flow-logs-enabled reads.
func TestFlowLogResolverFeedsTheRule(t *testing.T) {
	srv, _ := fakeEC2(t, []string{flowLogXML("fl-0001", "vpc-0aaa", "ALL", "ACTIVE") + flowLogXML("fl-0002", "vpc-0bbb", "ALL", "INACTIVE")})
	lookup := resolverLookup{resource.FlowLogType: FlowLogResolver(ec2Client(srv.URL))}
	vpc := func(id string) *evaluate.ConfigurationItem {
		return &evaluate.ConfigurationItem{ResourceType: resource.VPCType, ResourceID: id, AccountID: "111122223333", Region: "eu-west-1",
			Status: evaluate.StatusOK, Configuration: json.RawMessage(fmt.Sprintf(`{"vpcId":%q}`, id))}
	}
	got := judge(t, "vpc-flow-logs-enabled", lookup, vpc("vpc-0aaa"), vpc("vpc-0bbb"))
	if c := got["vpc-0aaa"].Compliance; c != evaluate.Compliant {
		t.Errorf("vpc-0aaa: %s (%s), want COMPLIANT", c, got["vpc-0aaa"].Annotation)
	}
	if c := got["vpc-0bbb"].Compliance; c != evaluate.NonCompliant {
		t.Errorf("vpc-0bbb (inactive flow log): %s (%s), want NON_COMPLIANT", c, got["vpc-0bbb"].Annotation)
	}
}
