package resource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// WholeNumber is an integer Config writes as 7, as 7.0 (SelectResourceConfig
// gives numbers as floats) or as "7". The zero value means not recorded
// (null or absent).
type WholeNumber struct {
	Set   bool
	Value int
}

// UnmarshalJSON accepts a whole JSON number, a string holding one, or null.
func (n *WholeNumber) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*n = WholeNumber{}
		return nil
	}
	text := string(data)
	if data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if s = strings.TrimSpace(s); s == "" {
			*n = WholeNumber{}
			return nil
		}
		text = s
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return fmt.Errorf("want a whole number, got %s", truncate(string(data)))
	}
	*n = WholeNumber{Set: true, Value: int(f)}
	return nil
}

// MarshalJSON writes the number, or null when not recorded.
func (n WholeNumber) MarshalJSON() ([]byte, error) {
	if !n.Set {
		return []byte("null"), nil
	}
	return []byte(strconv.Itoa(n.Value)), nil
}

// decodeAtPath decodes one member that may be absent (raw empty) into dst;
// errors name path. Members of types with their own UnmarshalJSON (Bool,
// WholeNumber) are decoded this way because encoding/json does not say
// which member such a decoder failed on. A member the item marks as not
// known before deployment stays unset: its placeholder is no value.
func decodeAtPath(ci *evaluate.ConfigurationItem, path string, raw json.RawMessage, dst any) error {
	if len(raw) == 0 || unknownUntilDeployed(ci, path) {
		return nil
	}
	return decodeField(path, raw, dst)
}

// unknownUntilDeployed reports whether the item marks the value at path, or
// a value containing it, as not known before deployment.
func unknownUntilDeployed(ci *evaluate.ConfigurationItem, path string) bool {
	return ci.UnknownAt(path) != ""
}
