package facts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
)

// NotExistError is a fact recording that the thing does not exist: the
// account has no password policy (NoSuchEntity), no account-level public
// access block (NoSuchPublicAccessBlockConfiguration), or the trail is gone
// (TrailNotFoundException). It wraps evaluate.ErrNotFound.
//
// In a facts file this is the API's error document,
// {"Error": {"Code": "NoSuchEntity", "Message": "..."}}, which package
// facts also writes when it reads the fact through the API; see the package
// documentation.
type NotExistError struct {
	Fact    string
	Code    string
	Message string
}

func (e *NotExistError) Error() string {
	s := e.Fact + ": " + e.Code
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func (e *NotExistError) Unwrap() error { return evaluate.ErrNotFound }

// notExistCodes are the error codes that mean "does not exist", by fact
// kind.
var notExistCodes = map[string]bool{
	"NoSuchEntity":                         true,
	"NoSuchEntityException":                true,
	"NoSuchPublicAccessBlockConfiguration": true,
	"TrailNotFoundException":               true,
	"TrailNotFound":                        true,
}

// errorDocument is the shape of a recorded API error.
type errorDocument struct {
	Error *struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
	} `json:"Error"`
}

// decodeDocument decodes a JSON fact into dst. A recorded "does not exist"
// error is a *NotExistError; another recorded error wraps
// evaluate.ErrUnknown, since it says only that the fact could not be read.
func decodeDocument(fact string, data []byte, dst any) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return &Error{Fact: fact, Err: errors.New(`empty: want the JSON the AWS CLI prints, or {"Error": {"Code": "..."}} when the API said the thing does not exist`)}
	}
	var probe errorDocument
	if err := json.Unmarshal(data, &probe); err != nil {
		return &Error{Fact: fact, Err: jsonError(err)}
	}
	if probe.Error != nil {
		if probe.Error.Code == "" {
			return &Error{Fact: fact, Field: "Error.Code", Err: errors.New("missing")}
		}
		if notExistCodes[probe.Error.Code] {
			return &NotExistError{Fact: fact, Code: probe.Error.Code, Message: probe.Error.Message}
		}
		return fmt.Errorf("%w: %s records the API error %s", evaluate.ErrUnknown, fact, probe.Error.Code)
	}
	if err := json.Unmarshal(data, dst); err != nil {
		return &Error{Fact: fact, Err: jsonError(err)}
	}
	return nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %s: want %s, got %s", te.Field, te.Type, te.Value)
	}
	return err
}

// PasswordPolicy is the account password policy, as
// GetAccountPasswordPolicy returns it. Optional numbers are nil when the
// policy does not set them.
type PasswordPolicy struct {
	MinimumPasswordLength      *int  `json:"MinimumPasswordLength,omitempty"`
	RequireSymbols             bool  `json:"RequireSymbols"`
	RequireNumbers             bool  `json:"RequireNumbers"`
	RequireUppercaseCharacters bool  `json:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool  `json:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool  `json:"AllowUsersToChangePassword"`
	ExpirePasswords            bool  `json:"ExpirePasswords"`
	MaxPasswordAge             *int  `json:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    *int  `json:"PasswordReusePrevention,omitempty"`
	HardExpiry                 *bool `json:"HardExpiry,omitempty"`
}

// ParsePasswordPolicy parses the output of aws iam
// get-account-password-policy. An account without a password policy is a
// *NotExistError.
func ParsePasswordPolicy(data []byte) (*PasswordPolicy, error) {
	var doc struct {
		PasswordPolicy *PasswordPolicy `json:"PasswordPolicy"`
	}
	if err := decodeDocument(PasswordPolicyFile, data, &doc); err != nil {
		return nil, err
	}
	if doc.PasswordPolicy == nil {
		return nil, &Error{Fact: PasswordPolicyFile, Field: "PasswordPolicy", Err: errors.New("missing")}
	}
	return doc.PasswordPolicy, nil
}

// AccountSummary is the SummaryMap of GetAccountSummary: counts and
// quotas by name, such as "AccountMFAEnabled" and
// "AccountAccessKeysPresent".
type AccountSummary map[string]int

// Value returns a summary entry and whether the summary has it.
func (s AccountSummary) Value(key string) (int, bool) {
	v, ok := s[key]
	return v, ok
}

// ParseAccountSummary parses the output of aws iam get-account-summary.
func ParseAccountSummary(data []byte) (AccountSummary, error) {
	var doc struct {
		SummaryMap map[string]json.Number `json:"SummaryMap"`
	}
	if err := decodeDocument(AccountSummaryFile, data, &doc); err != nil {
		return nil, err
	}
	if doc.SummaryMap == nil {
		return nil, &Error{Fact: AccountSummaryFile, Field: "SummaryMap", Err: errors.New("missing")}
	}
	out := make(AccountSummary, len(doc.SummaryMap))
	for k, v := range doc.SummaryMap {
		n, err := strconv.Atoi(v.String())
		if err != nil {
			return nil, &Error{Fact: AccountSummaryFile, Field: "SummaryMap." + k, Err: fmt.Errorf("want an integer, got %s", v)}
		}
		out[k] = n
	}
	return out, nil
}

// EBSEncryptionByDefault is the output of GetEbsEncryptionByDefault.
type EBSEncryptionByDefault struct {
	EbsEncryptionByDefault bool   `json:"EbsEncryptionByDefault"`
	SseType                string `json:"SseType,omitempty"`
}

// ParseEBSEncryptionByDefault parses the output of aws ec2
// get-ebs-encryption-by-default.
func ParseEBSEncryptionByDefault(data []byte) (*EBSEncryptionByDefault, error) {
	var doc struct {
		EbsEncryptionByDefault *bool  `json:"EbsEncryptionByDefault"`
		SseType                string `json:"SseType"`
	}
	if err := decodeDocument(EBSEncryptionByDefaultFile, data, &doc); err != nil {
		return nil, err
	}
	if doc.EbsEncryptionByDefault == nil {
		return nil, &Error{Fact: EBSEncryptionByDefaultFile, Field: "EbsEncryptionByDefault", Err: errors.New("missing")}
	}
	return &EBSEncryptionByDefault{EbsEncryptionByDefault: *doc.EbsEncryptionByDefault, SseType: doc.SseType}, nil
}

// PublicAccessBlock is an S3 public access block configuration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool `json:"BlockPublicAcls"`
	IgnorePublicAcls      bool `json:"IgnorePublicAcls"`
	BlockPublicPolicy     bool `json:"BlockPublicPolicy"`
	RestrictPublicBuckets bool `json:"RestrictPublicBuckets"`
}

// ParsePublicAccessBlock parses the output of aws s3control
// get-public-access-block. An account without one is a *NotExistError.
func ParsePublicAccessBlock(data []byte) (*PublicAccessBlock, error) {
	var doc struct {
		PublicAccessBlockConfiguration *PublicAccessBlock `json:"PublicAccessBlockConfiguration"`
	}
	if err := decodeDocument(PublicAccessBlockFile, data, &doc); err != nil {
		return nil, err
	}
	if doc.PublicAccessBlockConfiguration == nil {
		return nil, &Error{Fact: PublicAccessBlockFile, Field: "PublicAccessBlockConfiguration", Err: errors.New("missing")}
	}
	return doc.PublicAccessBlockConfiguration, nil
}

// Snapshot is an EBS snapshot as DescribeSnapshots returns it, with the
// AWS CLI's field names; absent fields are nil or zero.
type Snapshot struct {
	DataEncryptionKeyId       string  `json:"DataEncryptionKeyId,omitempty"`
	Description               *string `json:"Description,omitempty"`
	Encrypted                 *bool   `json:"Encrypted,omitempty"`
	KmsKeyId                  string  `json:"KmsKeyId,omitempty"`
	OwnerId                   string  `json:"OwnerId,omitempty"`
	Progress                  string  `json:"Progress,omitempty"`
	SnapshotId                string  `json:"SnapshotId"`
	StartTime                 CLITime `json:"StartTime,omitzero"`
	State                     string  `json:"State,omitempty"`
	StateMessage              string  `json:"StateMessage,omitempty"`
	VolumeId                  string  `json:"VolumeId,omitempty"`
	VolumeSize                *int    `json:"VolumeSize,omitempty"`
	OwnerAlias                string  `json:"OwnerAlias,omitempty"`
	OutpostArn                string  `json:"OutpostArn,omitempty"`
	Tags                      []Tag   `json:"Tags,omitempty"`
	StorageTier               string  `json:"StorageTier,omitempty"`
	RestoreExpiryTime         CLITime `json:"RestoreExpiryTime,omitzero"`
	SseType                   string  `json:"SseType,omitempty"`
	AvailabilityZone          string  `json:"AvailabilityZone,omitempty"`
	TransferType              string  `json:"TransferType,omitempty"`
	CompletionDurationMinutes *int    `json:"CompletionDurationMinutes,omitempty"`
	CompletionTime            CLITime `json:"CompletionTime,omitzero"`
	FullSnapshotSizeInBytes   *int64  `json:"FullSnapshotSizeInBytes,omitempty"`
}

// Tag is a resource tag as EC2 returns it.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// ParsePublicSnapshots parses the output of aws ec2 describe-snapshots
// --owner-ids self --restorable-by-user-ids all: the account's public
// snapshots in one region, none when the list is empty. A document without
// the Snapshots list, or a snapshot without its id, is malformed.
func ParsePublicSnapshots(data []byte) ([]Snapshot, error) {
	var doc struct {
		Snapshots *[]Snapshot `json:"Snapshots"`
	}
	if err := decodeDocument(PublicSnapshotsFile, data, &doc); err != nil {
		return nil, err
	}
	if doc.Snapshots == nil {
		return nil, &Error{Fact: PublicSnapshotsFile, Field: "Snapshots", Err: errors.New("missing")}
	}
	for i, s := range *doc.Snapshots {
		if s.SnapshotId == "" {
			return nil, &Error{Fact: PublicSnapshotsFile, Field: fmt.Sprintf("Snapshots[%d].SnapshotId", i), Err: errors.New("missing")}
		}
	}
	return *doc.Snapshots, nil
}

// CLITime is a time as the AWS CLI prints it: an ISO 8601 string (CLI v2,
// and v1 with cli_timestamp_format = iso8601) or epoch seconds (CLI v1's
// default for JSON services). The zero value means absent.
type CLITime struct{ time.Time }

// UnmarshalJSON accepts an ISO 8601 string, epoch seconds, or null.
func (t *CLITime) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*t = CLITime{}
		return nil
	}
	if data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if s == "" {
			*t = CLITime{}
			return nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
			if v, err := time.Parse(layout, s); err == nil {
				*t = CLITime{v.UTC()}
				return nil
			}
		}
		return fmt.Errorf("want an ISO 8601 time, got %q", cut(s, 40))
	}
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return fmt.Errorf("want a time, got %s", cut(string(data), 40))
	}
	sec, frac := math.Modf(f)
	*t = CLITime{time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()}
	return nil
}

// MarshalJSON writes the time in ISO 8601, as CLI v2 prints it.
func (t CLITime) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format("2006-01-02T15:04:05.000000-07:00"))
}

// TrailStatus is the part of GetTrailStatus's output the rules read.
type TrailStatus struct {
	IsLogging                         *bool   `json:"IsLogging"`
	LatestDeliveryTime                CLITime `json:"LatestDeliveryTime"`
	LatestDeliveryError               string  `json:"LatestDeliveryError,omitempty"`
	LatestCloudWatchLogsDeliveryTime  CLITime `json:"LatestCloudWatchLogsDeliveryTime"`
	LatestCloudWatchLogsDeliveryError string  `json:"LatestCloudWatchLogsDeliveryError,omitempty"`
	StartLoggingTime                  CLITime `json:"StartLoggingTime"`
	StopLoggingTime                   CLITime `json:"StopLoggingTime"`
}

// ParseTrailStatus parses the output of aws cloudtrail get-trail-status
// --name NAME. A trail that does not exist is a *NotExistError.
func ParseTrailStatus(trailName string, data []byte) (*TrailStatus, error) {
	fact := TrailStatusFile(trailName)
	var doc TrailStatus
	if err := decodeDocument(fact, data, &doc); err != nil {
		return nil, err
	}
	if doc.IsLogging == nil {
		return nil, &Error{Fact: fact, Field: "IsLogging", Err: errors.New("missing")}
	}
	return &doc, nil
}

// EventSelectors is the output of GetEventSelectors: basic or advanced
// event selectors (a trail has one kind or the other).
type EventSelectors struct {
	TrailARN               string                  `json:"TrailARN,omitempty"`
	EventSelectors         []EventSelector         `json:"EventSelectors,omitempty"`
	AdvancedEventSelectors []AdvancedEventSelector `json:"AdvancedEventSelectors,omitempty"`
}

// EventSelector is a basic event selector.
type EventSelector struct {
	ReadWriteType                 string         `json:"ReadWriteType,omitempty"`
	IncludeManagementEvents       *bool          `json:"IncludeManagementEvents,omitempty"`
	DataResources                 []DataResource `json:"DataResources,omitempty"`
	ExcludeManagementEventSources []string       `json:"ExcludeManagementEventSources,omitempty"`
}

// DataResource selects data events of one resource type.
type DataResource struct {
	Type   string   `json:"Type"`
	Values []string `json:"Values,omitempty"`
}

// AdvancedEventSelector is an advanced event selector: the events that
// match every field selector.
type AdvancedEventSelector struct {
	Name           string          `json:"Name,omitempty"`
	FieldSelectors []FieldSelector `json:"FieldSelectors"`
}

// FieldSelector is one condition of an advanced event selector.
type FieldSelector struct {
	Field         string   `json:"Field"`
	Equals        []string `json:"Equals,omitempty"`
	StartsWith    []string `json:"StartsWith,omitempty"`
	EndsWith      []string `json:"EndsWith,omitempty"`
	NotEquals     []string `json:"NotEquals,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
	NotEndsWith   []string `json:"NotEndsWith,omitempty"`
}

// ParseEventSelectors parses the output of aws cloudtrail
// get-event-selectors --trail-name NAME. A trail that does not exist is a
// *NotExistError.
func ParseEventSelectors(trailName string, data []byte) (*EventSelectors, error) {
	fact := EventSelectorsFile(trailName)
	var doc EventSelectors
	if err := decodeDocument(fact, data, &doc); err != nil {
		return nil, err
	}
	for i, s := range doc.EventSelectors {
		switch s.ReadWriteType {
		case "", "ReadOnly", "WriteOnly", "All":
		default:
			return nil, &Error{Fact: fact, Field: fmt.Sprintf("EventSelectors[%d].ReadWriteType", i), Err: fmt.Errorf("want ReadOnly, WriteOnly or All, got %q", cut(s.ReadWriteType, 40))}
		}
	}
	for i, s := range doc.AdvancedEventSelectors {
		for j, f := range s.FieldSelectors {
			if f.Field == "" {
				return nil, &Error{Fact: fact, Field: fmt.Sprintf("AdvancedEventSelectors[%d].FieldSelectors[%d].Field", i, j), Err: errors.New("missing")}
			}
		}
	}
	return &doc, nil
}
