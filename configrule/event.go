package configrule

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
)

// The message types of a Config rule's invokingEvent.
const (
	// ChangeNotification carries the changed configuration item.
	ChangeNotification = "ConfigurationItemChangeNotification"
	// OversizedChangeNotification carries a summary of an item too large for
	// the event; the item is read with GetResourceConfigHistory.
	OversizedChangeNotification = "OversizedConfigurationItemChangeNotification"
	// ScheduledNotification starts a periodic evaluation.
	ScheduledNotification = "ScheduledNotification"
	// SnapshotDeliveryCompleted is the older periodic trigger, sent when a
	// configuration snapshot was delivered.
	SnapshotDeliveryCompleted = "ConfigurationSnapshotDeliveryCompleted"
)

// invokingEvent is the decoded invokingEvent string of a Config rule event.
type invokingEvent struct {
	messageType string
	// item is the configuration item of a change notification.
	item *evaluate.ConfigurationItem
	// summary is the item summary of an oversized notification: its type,
	// id, status and capture time, no configuration.
	summary *evaluate.ConfigurationItem
	// notified is notificationCreationTime, zero when absent.
	notified time.Time
	// accountID is the account a periodic notification names.
	accountID string
}

func (e *invokingEvent) periodic() bool {
	return e.messageType == ScheduledNotification || e.messageType == SnapshotDeliveryCompleted
}

type wireInvokingEvent struct {
	MessageType              *string         `json:"messageType"`
	ConfigurationItem        json.RawMessage `json:"configurationItem"`
	ConfigurationItemSummary json.RawMessage `json:"configurationItemSummary"`
	NotificationCreationTime *string         `json:"notificationCreationTime"`
	AwsAccountID             string          `json:"awsAccountId"`
}

// decodeInvokingEvent decodes the JSON string Config passes as
// invokingEvent. Errors name the field at fault.
func decodeInvokingEvent(s string) (*invokingEvent, error) {
	data := bytes.TrimSpace([]byte(s))
	if len(data) == 0 {
		return nil, errors.New("invokingEvent is empty")
	}
	if data[0] != '{' {
		return nil, fmt.Errorf("invokingEvent is not a JSON object: it starts with %q", truncate(string(data), 20))
	}
	var w wireInvokingEvent
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("invokingEvent is not valid JSON: %v", describeJSONError(err))
	}
	if w.MessageType == nil || *w.MessageType == "" {
		return nil, errors.New("invokingEvent.messageType is missing")
	}
	ev := &invokingEvent{messageType: *w.MessageType, accountID: w.AwsAccountID}
	if w.NotificationCreationTime != nil && *w.NotificationCreationTime != "" {
		t, err := time.Parse(time.RFC3339Nano, *w.NotificationCreationTime)
		if err != nil {
			return nil, fmt.Errorf("invokingEvent.notificationCreationTime: want an ISO 8601 time, got %q", truncate(*w.NotificationCreationTime, 40))
		}
		ev.notified = t
	}
	switch ev.messageType {
	case ChangeNotification:
		ci, err := decodeEventItem("configurationItem", w.ConfigurationItem)
		if err != nil {
			return nil, err
		}
		ev.item = ci
	case OversizedChangeNotification:
		ci, err := decodeEventItem("configurationItemSummary", w.ConfigurationItemSummary)
		if err != nil {
			return nil, err
		}
		ev.summary = ci
	case ScheduledNotification, SnapshotDeliveryCompleted:
	default:
		return nil, fmt.Errorf("invokingEvent.messageType %q is not one of %s, %s, %s, %s", truncate(ev.messageType, 60),
			ChangeNotification, OversizedChangeNotification, ScheduledNotification, SnapshotDeliveryCompleted)
	}
	return ev, nil
}

func decodeEventItem(field string, raw json.RawMessage) (*evaluate.ConfigurationItem, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, fmt.Errorf("invokingEvent.%s is missing", field)
	}
	ci, err := evaluate.DecodeItem(raw)
	if err != nil {
		var fe *evaluate.FieldError
		if errors.As(err, &fe) {
			return nil, fmt.Errorf("invokingEvent.%s.%s: %v", field, fe.Field, fe.Err)
		}
		return nil, fmt.Errorf("invokingEvent.%s: %v", field, err)
	}
	switch {
	case ci.ResourceType == "":
		return nil, fmt.Errorf("invokingEvent.%s.resourceType is missing", field)
	case ci.ResourceID == "":
		return nil, fmt.Errorf("invokingEvent.%s.resourceId is missing", field)
	}
	return ci, nil
}

// describeJSONError names the field of a type mismatch.
func describeJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("field %s: got a JSON %s", te.Field, te.Value)
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
