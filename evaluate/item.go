package evaluate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

// ItemStatus is a configuration item's configurationItemStatus.
type ItemStatus string

// The statuses AWS Config records.
const (
	StatusOK                         ItemStatus = "OK"
	StatusResourceDiscovered         ItemStatus = "ResourceDiscovered"
	StatusResourceNotRecorded        ItemStatus = "ResourceNotRecorded"
	StatusResourceDeleted            ItemStatus = "ResourceDeleted"
	StatusResourceDeletedNotRecorded ItemStatus = "ResourceDeletedNotRecorded"
)

// Deleted reports whether the status says the resource no longer exists.
func (s ItemStatus) Deleted() bool {
	return s == StatusResourceDeleted || s == StatusResourceDeletedNotRecorded
}

func (s ItemStatus) valid() bool {
	switch s {
	case "", StatusOK, StatusResourceDiscovered, StatusResourceNotRecorded,
		StatusResourceDeleted, StatusResourceDeletedNotRecorded:
		return true
	}
	return false
}

// AccountResourceType is the resource type Config uses for evaluations of
// the account as a whole.
const AccountResourceType = "AWS::::Account"

// Relationship links an item to another resource.
type Relationship struct {
	ResourceType string `json:"resourceType"`
	ResourceID   string `json:"resourceId"`
	ResourceName string `json:"resourceName,omitempty"`
	// Name is the relationship, such as "Is contained in Vpc".
	Name string `json:"name"`
}

// Location says where an item was read: a file, a line when known (0 when
// not), and the item's place inside the file (an index into a snapshot, a
// CloudFormation logical id, a Terraform address).
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Path string `json:"path,omitempty"`
}

func (l *Location) String() string {
	if l == nil {
		return ""
	}
	s := l.File
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
	}
	if l.Path != "" {
		if s != "" {
			s += " "
		}
		s += l.Path
	}
	return s
}

// ConfigurationItem is AWS Config's record of one resource at one time.
//
// Decoding accepts both shapes AWS produces: the change-notification and
// snapshot shape (configuration and supplementary values are JSON objects;
// keys ARN and awsAccountId) and the API shape of GetResourceConfigHistory
// and BatchGetResourceConfig (configuration and supplementary values are
// JSON strings; keys arn and accountId). Either way Configuration holds the
// configuration object itself and each supplementary value its decoded JSON,
// so rules see one shape. Encoding writes the notification shape.
type ConfigurationItem struct {
	Version              string
	CaptureTime          time.Time
	Status               ItemStatus
	StateID              string
	AccountID            string
	ResourceType         string
	ResourceID           string
	ResourceName         string
	ARN                  string
	Region               string
	AvailabilityZone     string
	ResourceCreationTime time.Time
	Tags                 map[string]string
	Relationships        []Relationship
	// Configuration is the configuration JSON object, or nil when Config
	// recorded none (a deleted resource).
	Configuration json.RawMessage
	// SupplementaryConfiguration maps each key to its JSON value, decoded
	// from the string AWS may wrap it in.
	SupplementaryConfiguration map[string]json.RawMessage
	// Unknown lists the paths whose values are not known: values known
	// only after deployment (infrastructure as code), such as
	// "supplementaryConfiguration.ServerSideEncryptionConfiguration.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyID",
	// or envelope fields an API did not return ("tags", "relationships" for
	// BatchGetResourceConfig). Items of snapshots and notifications have
	// none. Ask with [ConfigurationItem.UnknownUnder].
	Unknown []string
	// Location says where the item was read; nil when it did not come from
	// a file.
	Location *Location
}

// wireItem holds every key of both shapes; encoding/json prefers exact key
// matches, so ARN and arn land in their own fields.
type wireItem struct {
	ConfigurationItemVersion   string                     `json:"configurationItemVersion"`
	Version                    string                     `json:"version"`
	CaptureTime                json.RawMessage            `json:"configurationItemCaptureTime"`
	Status                     string                     `json:"configurationItemStatus"`
	StateID                    json.RawMessage            `json:"configurationStateId"`
	AwsAccountID               string                     `json:"awsAccountId"`
	AccountID                  string                     `json:"accountId"`
	ResourceType               string                     `json:"resourceType"`
	ResourceID                 string                     `json:"resourceId"`
	ResourceName               string                     `json:"resourceName"`
	ARN                        string                     `json:"ARN"`
	Arn                        string                     `json:"arn"`
	AwsRegion                  string                     `json:"awsRegion"`
	AvailabilityZone           string                     `json:"availabilityZone"`
	ResourceCreationTime       json.RawMessage            `json:"resourceCreationTime"`
	Tags                       map[string]string          `json:"tags"`
	Relationships              []wireRelationship         `json:"relationships"`
	Configuration              json.RawMessage            `json:"configuration"`
	SupplementaryConfiguration map[string]json.RawMessage `json:"supplementaryConfiguration"`
}

type wireRelationship struct {
	ResourceType     string `json:"resourceType"`
	ResourceID       string `json:"resourceId"`
	ResourceName     string `json:"resourceName"`
	Name             string `json:"name"`
	RelationshipName string `json:"relationshipName"`
}

// decodeTime reads a time as Config writes it: an ISO 8601 string, or
// epoch seconds as a number (the API wire and the CLI).
func decodeTime(b json.RawMessage) (time.Time, error) {
	if len(b) == 0 || string(b) == "null" {
		return time.Time{}, nil
	}
	if b[0] == '"' {
		var s string
		if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 {
			s = string(b[1 : len(b)-1]) // the common case: no escapes to undo
		} else if err := json.Unmarshal(b, &s); err != nil {
			return time.Time{}, err
		}
		if s == "" {
			return time.Time{}, nil
		}
		return parseTime(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, fmt.Errorf("want a time, got %s", truncate(string(b), 40))
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), nil
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700", // +0000 without a colon
	"2006-01-02T15:04:05.999999999",      // no zone: UTC
	"2006-01-02 15:04:05.999999999Z07:00",
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("want an ISO 8601 time, got %q", truncate(s, 40))
}

// decodeStateID accepts a string or a number (configurationStateId is a
// number in notifications and a string in the API).
func decodeStateID(b json.RawMessage) (string, error) {
	switch {
	case len(b) == 0 || string(b) == "null":
		return "", nil
	case b[0] == '"':
		var v string
		err := json.Unmarshal(b, &v)
		return v, err
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		return string(b), nil
	}
	return "", fmt.Errorf("want a string or a number, got %s", truncate(string(b), 40))
}

// FieldError says which field of an item could not be decoded.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// UnmarshalJSON decodes either shape of a configuration item.
func (ci *ConfigurationItem) UnmarshalJSON(b []byte) error {
	item, err := decodeItem(b)
	if err != nil {
		return err
	}
	*ci = *item
	return nil
}

// DecodeItem decodes one configuration item in either shape.
func DecodeItem(data []byte) (*ConfigurationItem, error) {
	return decodeItem(data)
}

// wireItems recycles decoding structs: the engine decodes millions.
var wireItems = sync.Pool{New: func() any { return new(wireItem) }}

func decodeItem(data []byte) (*ConfigurationItem, error) {
	if ci, ok := fastDecodeItem(data); ok {
		return ci, nil
	}
	return slowDecodeItem(data)
}

// slowDecodeItem decodes with encoding/json, whose errors name the field.
func slowDecodeItem(data []byte) (*ConfigurationItem, error) {
	w := wireItems.Get().(*wireItem)
	defer func() {
		*w = wireItem{} // the item keeps the maps; the struct is reused
		wireItems.Put(w)
	}()
	if err := json.Unmarshal(data, w); err != nil {
		return nil, describeJSONError(err)
	}
	return w.item()
}

// describeJSONError rewrites encoding/json's errors, which name Go types,
// into ones that name the item's fields.
func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			return fmt.Errorf("want a JSON object, got %s", te.Value)
		}
		return &FieldError{Field: field, Err: fmt.Errorf("want %s, got %s", jsonKind(te.Type.Kind().String()), te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("malformed JSON at byte %d of the item: %v", se.Offset, se)
	}
	return err
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "a boolean"
	case "ptr":
		return "a value"
	}
	return "a number"
}

func (w *wireItem) item() (*ConfigurationItem, error) {
	ci := &ConfigurationItem{
		Version:          first(w.ConfigurationItemVersion, w.Version),
		Status:           ItemStatus(w.Status),
		AccountID:        first(w.AwsAccountID, w.AccountID),
		ResourceType:     w.ResourceType,
		ResourceID:       w.ResourceID,
		ResourceName:     w.ResourceName,
		ARN:              first(w.ARN, w.Arn),
		Region:           w.AwsRegion,
		AvailabilityZone: w.AvailabilityZone,
	}
	var err error
	if ci.CaptureTime, err = decodeTime(w.CaptureTime); err != nil {
		return nil, &FieldError{Field: "configurationItemCaptureTime", Err: err}
	}
	if ci.ResourceCreationTime, err = decodeTime(w.ResourceCreationTime); err != nil {
		return nil, &FieldError{Field: "resourceCreationTime", Err: err}
	}
	if ci.StateID, err = decodeStateID(w.StateID); err != nil {
		return nil, &FieldError{Field: "configurationStateId", Err: err}
	}
	if !ci.Status.valid() {
		return nil, &FieldError{Field: "configurationItemStatus", Err: fmt.Errorf("unknown status %q", truncate(w.Status, 40))}
	}
	if len(w.Tags) > 0 {
		ci.Tags = w.Tags // JSON null values decode as ""
	}
	if len(w.Relationships) > 0 {
		ci.Relationships = make([]Relationship, len(w.Relationships))
		for i, r := range w.Relationships {
			ci.Relationships[i] = Relationship{ResourceType: r.ResourceType, ResourceID: r.ResourceID,
				ResourceName: r.ResourceName, Name: first(r.Name, r.RelationshipName)}
		}
	}
	conf, err := normalizeConfiguration(w.Configuration)
	if err != nil {
		return nil, &FieldError{Field: "configuration", Err: err}
	}
	ci.Configuration = conf
	if len(w.SupplementaryConfiguration) > 0 {
		for k, v := range w.SupplementaryConfiguration {
			if u := unwrapJSONString(v); len(u) != len(v) {
				w.SupplementaryConfiguration[k] = u
			}
		}
		ci.SupplementaryConfiguration = w.SupplementaryConfiguration
	}
	return ci, nil
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// normalizeConfiguration returns the configuration object: as given in the
// notification shape, decoded from its string in the API shape, nil for null.
func normalizeConfiguration(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	switch raw[0] {
	case '{':
		return raw, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		s = strings.TrimSpace(s)
		if s == "" || s == "null" {
			return nil, nil
		}
		if s[0] != '{' || !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("the string does not hold a JSON object: %s", truncate(s, 60))
		}
		return json.RawMessage(s), nil
	}
	return nil, fmt.Errorf("want an object or a JSON string, got %s", truncate(string(raw), 40))
}

// unwrapJSONString decodes a value while it is a string holding valid JSON:
// API-shape supplementary values are strings, and some (AccessControlList)
// are encoded twice. A string that is not JSON is a plain string value.
func unwrapJSONString(v json.RawMessage) json.RawMessage {
	return unwrapDecoded(v, "")
}

// unwrapDecoded is unwrapJSONString given, when not "", the decoded text
// of the string v (which saves decoding it again).
func unwrapDecoded(v json.RawMessage, decoded string) json.RawMessage {
	levels := 3
	if decoded != "" {
		inner := []byte(strings.TrimSpace(decoded))
		if len(inner) == 0 || !json.Valid(inner) {
			return v
		}
		v = inner
		levels--
	}
	for range levels {
		v = bytes.TrimSpace(v)
		if len(v) < 2 || v[0] != '"' {
			return v
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return v
		}
		inner := []byte(strings.TrimSpace(s))
		if len(inner) == 0 || !json.Valid(inner) {
			return v
		}
		v = inner
	}
	return v
}

// MarshalJSON writes the item in the notification (snapshot) shape.
func (ci *ConfigurationItem) MarshalJSON() ([]byte, error) {
	type rel struct {
		ResourceType string  `json:"resourceType"`
		ResourceID   string  `json:"resourceId"`
		ResourceName *string `json:"resourceName"`
		Name         string  `json:"name"`
	}
	out := struct {
		Version                    string                     `json:"configurationItemVersion,omitempty"`
		CaptureTime                *time.Time                 `json:"configurationItemCaptureTime,omitempty"`
		Status                     ItemStatus                 `json:"configurationItemStatus,omitempty"`
		StateID                    json.RawMessage            `json:"configurationStateId,omitempty"`
		AccountID                  string                     `json:"awsAccountId,omitempty"`
		ResourceType               string                     `json:"resourceType"`
		ResourceID                 string                     `json:"resourceId"`
		ResourceName               *string                    `json:"resourceName"`
		ARN                        string                     `json:"ARN,omitempty"`
		Region                     string                     `json:"awsRegion,omitempty"`
		AvailabilityZone           *string                    `json:"availabilityZone"`
		ResourceCreationTime       *time.Time                 `json:"resourceCreationTime,omitempty"`
		Tags                       map[string]string          `json:"tags"`
		Relationships              []rel                      `json:"relationships"`
		Configuration              json.RawMessage            `json:"configuration"`
		SupplementaryConfiguration map[string]json.RawMessage `json:"supplementaryConfiguration"`
	}{
		Version:                    ci.Version,
		Status:                     ci.Status,
		AccountID:                  ci.AccountID,
		ResourceType:               ci.ResourceType,
		ResourceID:                 ci.ResourceID,
		ARN:                        ci.ARN,
		Region:                     ci.Region,
		Tags:                       ci.Tags,
		Configuration:              ci.Configuration,
		SupplementaryConfiguration: ci.SupplementaryConfiguration,
		Relationships:              []rel{},
	}
	if !ci.CaptureTime.IsZero() {
		out.CaptureTime = &ci.CaptureTime
	}
	if !ci.ResourceCreationTime.IsZero() {
		out.ResourceCreationTime = &ci.ResourceCreationTime
	}
	if ci.ResourceName != "" {
		out.ResourceName = &ci.ResourceName
	}
	if ci.AvailabilityZone != "" {
		out.AvailabilityZone = &ci.AvailabilityZone
	}
	if ci.StateID != "" {
		if _, err := strconv.ParseInt(ci.StateID, 10, 64); err == nil {
			out.StateID = json.RawMessage(ci.StateID)
		} else {
			out.StateID, _ = json.Marshal(ci.StateID)
		}
	}
	if out.Tags == nil {
		out.Tags = map[string]string{}
	}
	if out.SupplementaryConfiguration == nil {
		out.SupplementaryConfiguration = map[string]json.RawMessage{}
	}
	for _, r := range ci.Relationships {
		o := rel{ResourceType: r.ResourceType, ResourceID: r.ResourceID, Name: r.Name}
		if r.ResourceName != "" {
			name := r.ResourceName
			o.ResourceName = &name
		}
		out.Relationships = append(out.Relationships, o)
	}
	return json.Marshal(out)
}

// FromAPI converts an item the Config API returned (GetResourceConfigHistory).
func FromAPI(in types.ConfigurationItem) (*ConfigurationItem, error) {
	ci := &ConfigurationItem{
		Version:          deref(in.Version),
		Status:           ItemStatus(in.ConfigurationItemStatus),
		StateID:          deref(in.ConfigurationStateId),
		AccountID:        deref(in.AccountId),
		ResourceType:     string(in.ResourceType),
		ResourceID:       deref(in.ResourceId),
		ResourceName:     deref(in.ResourceName),
		ARN:              deref(in.Arn),
		Region:           deref(in.AwsRegion),
		AvailabilityZone: deref(in.AvailabilityZone),
		Tags:             in.Tags,
	}
	for _, r := range in.Relationships {
		ci.Relationships = append(ci.Relationships, Relationship{
			ResourceType: string(r.ResourceType), ResourceID: deref(r.ResourceId),
			ResourceName: deref(r.ResourceName), Name: deref(r.RelationshipName),
		})
	}
	return ci, ci.fromAPI(in.ConfigurationItemCaptureTime, in.ResourceCreationTime, in.Configuration, in.SupplementaryConfiguration)
}

// FromBaseItem converts an item BatchGetResourceConfig returned.
func FromBaseItem(in types.BaseConfigurationItem) (*ConfigurationItem, error) {
	ci := &ConfigurationItem{
		Version:          deref(in.Version),
		Status:           ItemStatus(in.ConfigurationItemStatus),
		StateID:          deref(in.ConfigurationStateId),
		AccountID:        deref(in.AccountId),
		ResourceType:     string(in.ResourceType),
		ResourceID:       deref(in.ResourceId),
		ResourceName:     deref(in.ResourceName),
		ARN:              deref(in.Arn),
		Region:           deref(in.AwsRegion),
		AvailabilityZone: deref(in.AvailabilityZone),
	}
	return ci, ci.fromAPI(in.ConfigurationItemCaptureTime, in.ResourceCreationTime, in.Configuration, in.SupplementaryConfiguration)
}

func (ci *ConfigurationItem) fromAPI(capture, created *time.Time, conf *string, supp map[string]string) error {
	if capture != nil {
		ci.CaptureTime = *capture
	}
	if created != nil {
		ci.ResourceCreationTime = *created
	}
	if !ci.Status.valid() {
		return &FieldError{Field: "configurationItemStatus", Err: fmt.Errorf("unknown status %q", truncate(string(ci.Status), 40))}
	}
	if conf != nil {
		quoted, _ := json.Marshal(*conf)
		c, err := normalizeConfiguration(quoted)
		if err != nil {
			return &FieldError{Field: "configuration", Err: err}
		}
		ci.Configuration = c
	}
	if len(supp) > 0 {
		ci.SupplementaryConfiguration = make(map[string]json.RawMessage, len(supp))
		for k, v := range supp {
			quoted, _ := json.Marshal(v)
			ci.SupplementaryConfiguration[k] = unwrapJSONString(quoted)
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// truncate shortens s for an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cutUTF8(s, n) + "…"
}

// validResourceType reports whether t has the form Config uses:
// three non-empty parts joined by "::", or AWS::::Account.
func validResourceType(t string) bool {
	if t == AccountResourceType {
		return true
	}
	parts := strings.Split(t, "::")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				return false
			}
		}
	}
	return true
}

// UnknownUnder returns the first unknown path that is p itself, lies under
// p, or contains p: a rule that reads p cannot rely on it. It returns ""
// when everything at p is known.
func (ci *ConfigurationItem) UnknownUnder(p string) string {
	for _, u := range ci.Unknown {
		if u == p || under(u, p) || under(p, u) {
			return u
		}
	}
	return ""
}

// under reports whether path a lies below path b ("x.y[0].z" under "x.y").
func under(a, b string) bool {
	return len(a) > len(b) && strings.HasPrefix(a, b) && (a[len(b)] == '.' || a[len(b)] == '[')
}

// UnknownAt returns the unknown path that is p itself or contains p: the
// value at p is not known as a whole, though values inside it may be. It
// returns "" when p's value is known.
func (ci *ConfigurationItem) UnknownAt(p string) string {
	for _, u := range ci.Unknown {
		if u == p || under(p, u) {
			return u
		}
	}
	return ""
}
