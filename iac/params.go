package iac

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ParseParameters reads CloudFormation parameter values in either shape
// users keep them: an object {"Name": "value"} or the CLI's list
// [{"ParameterKey": "Name", "ParameterValue": "value"}]. List values
// (JSON arrays) are joined with commas; numbers and booleans become their
// text, as CloudFormation passes every parameter as a string.
func ParseParameters(data []byte) (map[string]string, error) {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 {
		return nil, errors.New("parameters: empty file")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw any
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("parameters: not JSON: %v", err)
	}
	out := map[string]string{}
	switch v := raw.(type) {
	case map[string]any:
		for k, val := range v {
			s, err := paramText(val)
			if err != nil {
				return nil, fmt.Errorf("parameters: %s: %v", k, err)
			}
			out[k] = s
		}
	case []any:
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("parameters: element %d is not an object", i)
			}
			key, ok := m["ParameterKey"].(string)
			if !ok || key == "" {
				return nil, fmt.Errorf("parameters: element %d has no ParameterKey", i)
			}
			if m["UsePreviousValue"] == true {
				continue // the stack's current value: not known here
			}
			s, err := paramText(m["ParameterValue"])
			if err != nil {
				return nil, fmt.Errorf("parameters: %s: %v", key, err)
			}
			out[key] = s
		}
	default:
		return nil, errors.New(`parameters: want {"Name": "value"} or [{"ParameterKey", "ParameterValue"}]`)
	}
	return out, nil
}

func paramText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return string(x), nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			s, err := paramText(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	case nil:
		return "", errors.New("no value")
	}
	return "", errors.New("want a string")
}
