package resource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// Bool is a boolean Config writes as true/false or as "true"/"false". The
// zero value means not recorded (null or absent).
type Bool struct {
	Set   bool
	Value bool
}

// True reports whether the value was recorded as true.
func (b Bool) True() bool { return b.Set && b.Value }

// UnmarshalJSON accepts a JSON boolean, a string holding one, or null.
func (b *Bool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(strings.TrimSpace(string(data)), `"`)
	switch strings.ToLower(s) {
	case "true":
		*b = Bool{Set: true, Value: true}
	case "false":
		*b = Bool{Set: true, Value: false}
	case "null", "":
		*b = Bool{}
	default:
		return fmt.Errorf("want true or false, got %s", truncate(string(data)))
	}
	return nil
}

// MarshalJSON writes the boolean, or null when not recorded.
func (b Bool) MarshalJSON() ([]byte, error) {
	if !b.Set {
		return []byte("null"), nil
	}
	if b.Value {
		return []byte("true"), nil
	}
	return []byte("false"), nil
}

// Text is a string Config may write as a number (ports, sizes) or null.
type Text string

// UnmarshalJSON accepts a string, a number or null.
func (t *Text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0 || string(data) == "null":
		*t = ""
	case data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = Text(s)
	case data[0] == '{' || data[0] == '[':
		return fmt.Errorf("want a string or a number, got %s", truncate(string(data)))
	default:
		*t = Text(data)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// decodeConfiguration decodes the item's configuration object into dst,
// with errors that name the field.
func decodeConfiguration(ci *evaluate.ConfigurationItem, dst any) error {
	if len(ci.Configuration) == 0 {
		return errors.New("configuration: not recorded")
	}
	return decodeField("configuration", ci.Configuration, dst)
}

// decodeSupplementary decodes one supplementary value into dst; it reports
// whether the key was present (and not null).
func decodeSupplementary(ci *evaluate.ConfigurationItem, key string, dst any) (bool, error) {
	raw, ok := ci.SupplementaryConfiguration[key]
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return false, nil
	}
	return true, decodeField("supplementaryConfiguration."+key, raw, dst)
}

// decodeField decodes raw into dst; errors name prefix and the JSON path.
func decodeField(prefix string, raw json.RawMessage, dst any) error {
	err := json.Unmarshal(raw, dst)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		path := prefix
		if te.Field != "" {
			path += "." + te.Field
		}
		return fmt.Errorf("%s: want %s, got %s", path, kind(te.Type.Kind().String()), te.Value)
	}
	return fmt.Errorf("%s: %v", prefix, err)
}

func kind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "a boolean"
	}
	return "a number"
}

// jsonText returns the text of a value that may be a JSON string holding
// JSON, or JSON itself (policy documents are recorded both ways). It
// returns "" for null or an empty string.
func jsonText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	}
	return string(raw), nil
}
