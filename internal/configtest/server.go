// Package configtest provides an httptest server that speaks AWS Config's
// JSON 1.1 protocol (X-Amz-Target: StarlingDoveService.<Op>) and STS's
// AssumeRole in the query protocol, so tests and benchmarks drive the real
// aws-sdk-go-v2 clients and check the requests that went over the wire.
//
// The server holds configuration items, configuration recorders and earlier
// evaluation results in memory, validates requests as the Config API
// reference constrains them (at most 100 evaluations or keys per call,
// annotations of 1 to 256 characters, no INSUFFICIENT_DATA in
// PutEvaluations), and can be told to throttle an operation or to fail
// evaluations.
package configtest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/guardrails-go/guardrails/evaluate"
)

// Region, AccessKeyID and SecretAccessKey are what AWSConfig uses.
const (
	Region          = "us-east-1"
	AccessKeyID     = "AKIDBASECREDENTIALS"
	SecretAccessKey = "base-secret"
)

// Request is one request the server received.
type Request struct {
	// Op is the Config operation (from X-Amz-Target) or the STS action.
	Op     string
	Body   []byte
	Header http.Header
}

// invocation is the SDK's id of an operation call, shared by its attempts.
func (r Request) invocation() string { return r.Header.Get("Amz-Sdk-Invocation-Id") }

// AccessKey returns the access key id that signed the request.
func (r Request) AccessKey() string {
	auth := r.Header.Get("Authorization")
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	rest := auth[i+len("Credential="):]
	if j := strings.IndexByte(rest, '/'); j >= 0 {
		return rest[:j]
	}
	return rest
}

// Evaluation is an evaluation as PutEvaluations carries it on the wire.
type Evaluation struct {
	ComplianceResourceType string   `json:"ComplianceResourceType"`
	ComplianceResourceID   string   `json:"ComplianceResourceId"`
	ComplianceType         string   `json:"ComplianceType"`
	Annotation             *string  `json:"Annotation,omitempty"`
	OrderingTimestamp      *float64 `json:"OrderingTimestamp"`
}

// Time returns the ordering timestamp.
func (e Evaluation) Time() time.Time {
	if e.OrderingTimestamp == nil {
		return time.Time{}
	}
	sec, frac := math.Modf(*e.OrderingTimestamp)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
}

// PutEvaluations is one PutEvaluations request as received.
type PutEvaluations struct {
	Evaluations []Evaluation `json:"Evaluations"`
	ResultToken string       `json:"ResultToken"`
	TestMode    bool         `json:"TestMode"`
	invocation  string
}

// Server is a fake of the Config and STS endpoints.
type Server struct {
	*httptest.Server

	mu          sync.Mutex
	items       map[[2]string]*evaluate.ConfigurationItem
	byType      map[string][]string // resource ids in the order added
	recorders   json.RawMessage
	results     []json.RawMessage
	throttles   map[string]int
	failPut     func(Evaluation) bool
	unprocessed int
	requests    []Request
	puts        []PutEvaluations
}

// New starts a server, closed when the test ends. By default one recorder
// records every supported type, global IAM types included.
func New(t testing.TB) *Server {
	s := NewServer()
	t.Cleanup(s.Close)
	return s
}

// NewServer starts a server; the caller closes it.
func NewServer() *Server {
	s := &Server{
		items:     make(map[[2]string]*evaluate.ConfigurationItem),
		byType:    make(map[string][]string),
		throttles: make(map[string]int),
		recorders: json.RawMessage(`[{"name":"default","roleARN":"arn:aws:iam::123456789012:role/config","recordingGroup":{"allSupported":true,"includeGlobalResourceTypes":true}}]`),
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// AWSConfig returns a configuration that sends every service's requests to
// the server, with static credentials.
func (s *Server) AWSConfig() aws.Config {
	return aws.Config{
		Region:       Region,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
	}
}

// AddItems stores items; a later item of the same resource replaces an
// earlier one.
func (s *Server) AddItems(items ...*evaluate.ConfigurationItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ci := range items {
		k := [2]string{ci.ResourceType, ci.ResourceID}
		if _, ok := s.items[k]; !ok {
			s.byType[k[0]] = append(s.byType[k[0]], k[1])
		}
		s.items[k] = ci
	}
}

// SetRecorders sets the ConfigurationRecorders array DescribeConfigurationRecorders returns.
func (s *Server) SetRecorders(recordersJSON string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recorders = json.RawMessage(recordersJSON)
}

// AddEvaluationResult records an earlier evaluation of a rule, returned by
// GetComplianceDetailsByConfigRule.
func (s *Server) AddEvaluationResult(ruleName, resourceType, resourceID, compliance string) {
	b, _ := json.Marshal(map[string]any{
		"EvaluationResultIdentifier": map[string]any{
			"EvaluationResultQualifier": map[string]any{
				"ConfigRuleName": ruleName, "ResourceType": resourceType, "ResourceId": resourceID, "EvaluationMode": "DETECTIVE",
			},
			"OrderingTimestamp": 1.7e9,
		},
		"ComplianceType":     compliance,
		"ResultRecordedTime": 1.7e9,
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.results = append(s.results, b)
}

// Throttle makes the next n calls of op fail with ThrottlingException.
func (s *Server) Throttle(op string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttles[op] = n
}

// FailEvaluations makes PutEvaluations report the evaluations fail selects
// as FailedEvaluations.
func (s *Server) FailEvaluations(fail func(Evaluation) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failPut = fail
}

// LeaveUnprocessed makes the next BatchGetResourceConfig calls leave n keys
// in all unprocessed.
func (s *Server) LeaveUnprocessed(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unprocessed = n
}

// Requests returns the operation calls received for op ("" for all), in
// order: one request per call, the last attempt of the SDK's retries.
// (aws-sdk-go-v2 now and then retries a call whose answer it could not
// read, "use of closed network connection"; such retries are the SDK's
// business, not the caller's.)
func (s *Server) Requests(op string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	last := map[string]int{}
	for _, r := range s.requests {
		if op != "" && r.Op != op {
			continue
		}
		if i, ok := last[r.invocation()]; ok && r.invocation() != "" {
			out[i] = r
			continue
		}
		last[r.invocation()] = len(out)
		out = append(out, r)
	}
	return out
}

// Attempts returns every request received for op ("" for all), retries
// included, in order.
func (s *Server) Attempts(op string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if op == "" || r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

// Puts returns the PutEvaluations calls that succeeded, in order; of the
// attempts of one call, the last.
func (s *Server) Puts() []PutEvaluations {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]PutEvaluations(nil), s.puts...)
}

// PutEvaluations returns every evaluation put, in order.
func (s *Server) PutEvaluations() []Evaluation {
	var out []Evaluation
	for _, p := range s.Puts() {
		out = append(out, p.Evaluations...)
	}
	return out
}

// Reset forgets the requests received and the evaluations put.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests, s.puts = nil, nil
}

type apiError struct {
	status int
	code   string
	msg    string
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		s.serveSTS(w, r, body)
		return
	}
	op, ok := strings.CutPrefix(target, "StarlingDoveService.")
	if !ok {
		writeError(w, apiError{400, "UnknownOperationException", "unknown target " + target})
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Op: op, Body: body, Header: r.Header.Clone()})
	throttled := s.throttles[op] > 0
	if throttled {
		s.throttles[op]--
	}
	s.mu.Unlock()
	if throttled {
		writeError(w, apiError{400, "ThrottlingException", "Rate exceeded"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeError(w, apiError{400, "SerializationException", "content type " + ct})
		return
	}
	var out any
	var aerr *apiError
	switch op {
	case "GetResourceConfigHistory":
		out, aerr = s.history(body)
	case "ListDiscoveredResources":
		out, aerr = s.list(body)
	case "BatchGetResourceConfig":
		out, aerr = s.batchGet(body)
	case "DescribeConfigurationRecorders":
		s.mu.Lock()
		out = map[string]json.RawMessage{"ConfigurationRecorders": s.recorders}
		s.mu.Unlock()
	case "PutEvaluations":
		out, aerr = s.putEvaluations(body, r.Header.Get("Amz-Sdk-Invocation-Id"))
	case "GetComplianceDetailsByConfigRule":
		out, aerr = s.complianceDetails(body)
	default:
		aerr = &apiError{400, "UnknownOperationException", "the fake does not serve " + op}
	}
	if aerr != nil {
		writeError(w, *aerr)
		return
	}
	resp, err := json.Marshal(out)
	if err != nil {
		writeError(w, apiError{500, "InternalFailure", err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(resp)))
	_, _ = w.Write(resp)
}

func writeError(w http.ResponseWriter, e apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.code)
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.code, "message": e.msg})
}

func validation(format string, args ...any) *apiError {
	return &apiError{400, "ValidationException", fmt.Sprintf(format, args...)}
}

func (s *Server) history(body []byte) (any, *apiError) {
	var in struct {
		ResourceType string `json:"resourceType"`
		ResourceID   string `json:"resourceId"`
		Limit        int    `json:"limit"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, validation("%v", err)
	}
	if in.ResourceType == "" || in.ResourceID == "" {
		return nil, validation("resourceType and resourceId are required")
	}
	s.mu.Lock()
	ci, ok := s.items[[2]string{in.ResourceType, in.ResourceID}]
	s.mu.Unlock()
	if !ok {
		return nil, &apiError{400, "ResourceNotDiscoveredException", fmt.Sprintf("Resource %s of resourceType:%s is unknown or has not been discovered", in.ResourceID, in.ResourceType)}
	}
	return map[string]any{"configurationItems": []any{apiItem(ci, true)}}, nil
}

func (s *Server) list(body []byte) (any, *apiError) {
	var in struct {
		ResourceType string `json:"resourceType"`
		Limit        int    `json:"limit"`
		NextToken    string `json:"nextToken"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, validation("%v", err)
	}
	if in.Limit > 100 {
		return nil, validation("limit %d is more than 100", in.Limit)
	}
	limit := in.Limit
	if limit == 0 {
		limit = 100
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil {
			return nil, &apiError{400, "InvalidNextTokenException", "bad token"}
		}
		start = n
	}
	out := map[string]any{"resourceIdentifiers": []any{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.byType[in.ResourceType]
	var ids []map[string]string
	i := start
	for ; i < len(all) && len(ids) < limit; i++ {
		if ci := s.items[[2]string{in.ResourceType, all[i]}]; !ci.Status.Deleted() {
			ids = append(ids, map[string]string{"resourceType": in.ResourceType, "resourceId": all[i]})
		}
	}
	if len(ids) > 0 {
		out["resourceIdentifiers"] = ids
	}
	if i < len(all) {
		out["nextToken"] = strconv.Itoa(i)
	}
	return out, nil
}

func (s *Server) batchGet(body []byte) (any, *apiError) {
	var in struct {
		ResourceKeys []struct {
			ResourceType string `json:"resourceType"`
			ResourceID   string `json:"resourceId"`
		} `json:"resourceKeys"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, validation("%v", err)
	}
	if n := len(in.ResourceKeys); n == 0 || n > 100 {
		return nil, validation("resourceKeys must hold 1 to 100 keys, got %d", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := []any{}
	unprocessed := []any{}
	for _, k := range in.ResourceKeys {
		if s.unprocessed > 0 {
			s.unprocessed--
			unprocessed = append(unprocessed, map[string]string{"resourceType": k.ResourceType, "resourceId": k.ResourceID})
			continue
		}
		ci, ok := s.items[[2]string{k.ResourceType, k.ResourceID}]
		if !ok || ci.Status.Deleted() {
			continue
		}
		items = append(items, apiItem(ci, false))
	}
	return map[string]any{"baseConfigurationItems": items, "unprocessedResourceKeys": unprocessed}, nil
}

func (s *Server) putEvaluations(body []byte, invocation string) (any, *apiError) {
	var in PutEvaluations
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, validation("%v", err)
	}
	if in.ResultToken == "" {
		return nil, validation("ResultToken is required")
	}
	if len(in.Evaluations) > 100 {
		return nil, validation("Evaluations holds %d items, at most 100 are allowed", len(in.Evaluations))
	}
	for i, e := range in.Evaluations {
		switch {
		case e.ComplianceResourceType == "" || e.ComplianceResourceID == "" || e.OrderingTimestamp == nil:
			return nil, validation("Evaluations[%d]: ComplianceResourceType, ComplianceResourceId and OrderingTimestamp are required", i)
		case e.ComplianceType != "COMPLIANT" && e.ComplianceType != "NON_COMPLIANT" && e.ComplianceType != "NOT_APPLICABLE":
			return nil, &apiError{400, "InvalidParameterValueException", fmt.Sprintf("Evaluations[%d]: ComplianceType %q is not accepted", i, e.ComplianceType)}
		case e.Annotation != nil && (len(*e.Annotation) == 0 || len([]rune(*e.Annotation)) > 256):
			return nil, validation("Evaluations[%d]: Annotation must hold 1 to 256 characters", i)
		}
	}
	failed := []Evaluation{}
	var accepted []Evaluation
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range in.Evaluations {
		if s.failPut != nil && s.failPut(e) {
			failed = append(failed, e)
			continue
		}
		accepted = append(accepted, e)
	}
	put := PutEvaluations{Evaluations: accepted, ResultToken: in.ResultToken, TestMode: in.TestMode, invocation: invocation}
	if n := len(s.puts); n > 0 && invocation != "" && s.puts[n-1].invocation == invocation {
		s.puts[n-1] = put // a retry of the same call
	} else {
		s.puts = append(s.puts, put)
	}
	return map[string]any{"FailedEvaluations": failed}, nil
}

func (s *Server) complianceDetails(body []byte) (any, *apiError) {
	var in struct {
		ConfigRuleName  string   `json:"ConfigRuleName"`
		ComplianceTypes []string `json:"ComplianceTypes"`
		Limit           int      `json:"Limit"`
		NextToken       string   `json:"NextToken"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, validation("%v", err)
	}
	if in.ConfigRuleName == "" {
		return nil, validation("ConfigRuleName is required")
	}
	if in.Limit > 100 {
		return nil, validation("Limit %d is more than 100", in.Limit)
	}
	limit := in.Limit
	if limit == 0 {
		limit = 10
	}
	want := map[string]bool{}
	for _, c := range in.ComplianceTypes {
		want[c] = true
	}
	s.mu.Lock()
	var matched []json.RawMessage
	for _, r := range s.results {
		var probe struct {
			ID struct {
				Q struct {
					ConfigRuleName string
				} `json:"EvaluationResultQualifier"`
			} `json:"EvaluationResultIdentifier"`
			ComplianceType string
		}
		_ = json.Unmarshal(r, &probe)
		if probe.ID.Q.ConfigRuleName == in.ConfigRuleName && (len(want) == 0 || want[probe.ComplianceType]) {
			matched = append(matched, r)
		}
	}
	s.mu.Unlock()
	start, _ := strconv.Atoi(in.NextToken)
	out := map[string]any{"EvaluationResults": []json.RawMessage{}}
	if start < len(matched) {
		end := min(start+limit, len(matched))
		out["EvaluationResults"] = matched[start:end]
		if end < len(matched) {
			out["NextToken"] = strconv.Itoa(end)
		}
	}
	return out, nil
}

// apiItem renders an item in the API shape: configuration and
// supplementary values as JSON strings, times as epoch seconds. History
// items carry tags and relationships; BatchGetResourceConfig's do not.
func apiItem(ci *evaluate.ConfigurationItem, history bool) map[string]any {
	epoch := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return float64(t.UnixMilli()) / 1e3
	}
	conf := "null"
	if ci.Configuration != nil {
		conf = string(ci.Configuration)
	}
	supp := map[string]string{}
	for k, v := range ci.SupplementaryConfiguration {
		supp[k] = string(v)
	}
	m := map[string]any{
		"version":                      ci.Version,
		"accountId":                    ci.AccountID,
		"configurationItemCaptureTime": epoch(ci.CaptureTime),
		"configurationItemStatus":      string(ci.Status),
		"configurationStateId":         ci.StateID,
		"arn":                          ci.ARN,
		"resourceType":                 ci.ResourceType,
		"resourceId":                   ci.ResourceID,
		"resourceName":                 ci.ResourceName,
		"awsRegion":                    ci.Region,
		"availabilityZone":             ci.AvailabilityZone,
		"resourceCreationTime":         epoch(ci.ResourceCreationTime),
		"configuration":                conf,
		"supplementaryConfiguration":   supp,
	}
	for k, v := range m {
		if v == nil || v == "" {
			delete(m, k)
		}
	}
	if history {
		tags := map[string]string{}
		for k, v := range ci.Tags {
			tags[k] = v
		}
		rels := []map[string]string{}
		for _, r := range ci.Relationships {
			rels = append(rels, map[string]string{"resourceType": r.ResourceType, "resourceId": r.ResourceID, "resourceName": r.ResourceName, "relationshipName": r.Name})
		}
		m["tags"] = tags
		m["relationships"] = rels
		m["relatedEvents"] = []string{}
	}
	return m
}

// serveSTS answers AssumeRole with credentials named after the role:
// AccessKeyId "ASIA" + the role's account, SessionToken "token-for-" + the
// role ARN.
func (s *Server) serveSTS(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	action := form.Get("Action")
	s.mu.Lock()
	s.requests = append(s.requests, Request{Op: action, Body: body, Header: r.Header.Clone()})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	if action != "AssumeRole" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the fake does not serve %s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, xmlEscape(action))
		return
	}
	role := form.Get("RoleArn")
	account := ""
	if parts := strings.Split(role, ":"); len(parts) > 4 {
		account = parts[4]
	}
	if strings.Contains(role, "denied") {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: %s</Message></Error><RequestId>1</RequestId></ErrorResponse>`, xmlEscape(role))
		return
	}
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleResult>
<Credentials><AccessKeyId>ASIA%s</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>token-for-%s</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>%s/session</Arn><AssumedRoleId>AROATEST:session</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult>
<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</AssumeRoleResponse>`, xmlEscape(account), xmlEscape(role), time.Now().Add(time.Hour).UTC().Format(time.RFC3339), xmlEscape(role))
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Ops returns the operations called, in order (one per call, retries
// aside), for assertions on the sequence of calls.
func (s *Server) Ops() []string {
	reqs := s.Requests("")
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Op
	}
	return out
}

// CountOps counts the requests of each operation.
func (s *Server) CountOps() map[string]int {
	out := map[string]int{}
	for _, op := range s.Ops() {
		out[op]++
	}
	return out
}

// SortedKeys returns the keys of the evaluations put as "type/id=compliance",
// sorted, for order-independent comparisons.
func SortedKeys(evs []Evaluation) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ComplianceResourceType + "/" + e.ComplianceResourceID + "=" + e.ComplianceType
	}
	sort.Strings(out)
	return out
}
