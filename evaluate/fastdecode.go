package evaluate

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// fastDecodeItem decodes the common shape of an item without reflection:
// it walks the envelope once, keeping the configuration and supplementary
// values as raw JSON, and gives up (ok false) on anything unusual (escapes,
// unexpected types, malformed JSON), for the encoding/json path to decode
// or to report precisely. The values it keeps (configuration,
// supplementary values) are validated; those it skips are only delimited.
func fastDecodeItem(data []byte) (ci *ConfigurationItem, ok bool) {
	p := fastParser{data: data}
	if !p.byte('{') {
		return nil, false
	}
	var w struct {
		version, captureStatus, awsAccount, account string
		arnUpper, arnLower                          string
		capture, created, stateID                   []byte
	}
	ci = &ConfigurationItem{}
	var configuration []byte
	var supplementary map[string]json.RawMessage
	first := true
	for {
		p.space()
		if p.peek() == '}' {
			p.i++
			break
		}
		if !first && !p.byte(',') {
			return nil, false
		}
		first = false
		key, ok := p.plainString()
		if !ok || !p.byte(':') {
			return nil, false
		}
		p.space()
		switch key {
		case "configurationItemVersion":
			ok = p.stringOrNull(&ci.Version)
		case "version":
			ok = p.stringOrNull(&w.version)
		case "configurationItemStatus":
			ok = p.stringOrNull(&w.captureStatus)
		case "awsAccountId":
			ok = p.internedOrNull(&w.awsAccount)
		case "accountId":
			ok = p.internedOrNull(&w.account)
		case "resourceType":
			ok = p.internedOrNull(&ci.ResourceType)
		case "resourceId":
			ok = p.stringOrNull(&ci.ResourceID)
		case "resourceName":
			ok = p.stringOrNull(&ci.ResourceName)
		case "ARN":
			ok = p.stringOrNull(&w.arnUpper)
		case "arn":
			ok = p.stringOrNull(&w.arnLower)
		case "awsRegion":
			ok = p.internedOrNull(&ci.Region)
		case "availabilityZone":
			ok = p.stringOrNull(&ci.AvailabilityZone)
		case "configurationItemCaptureTime":
			w.capture, ok = p.scalar()
		case "resourceCreationTime":
			w.created, ok = p.scalar()
		case "configurationStateId":
			w.stateID, ok = p.scalar()
		case "tags":
			ok = p.tags(ci)
		case "relationships":
			ok = p.relationships(ci)
		case "configuration":
			var v []byte
			v, ok = p.value()
			configuration = v
			ok = ok && json.Valid(v)
		case "supplementaryConfiguration":
			supplementary, ok = p.supplementary()
		default:
			if foldsToKnownKey(key) {
				// encoding/json matches keys case-insensitively: leave such
				// keys to it.
				return nil, false
			}
			_, ok = p.value()
		}
		if !ok {
			return nil, false
		}
	}
	if p.space(); p.i != len(p.data) {
		return nil, false
	}
	if ci.Version == "" {
		ci.Version = w.version
	}
	ci.Status = ItemStatus(w.captureStatus)
	ci.AccountID = first2(w.awsAccount, w.account)
	ci.ARN = first2(w.arnUpper, w.arnLower)
	var err error
	if ci.CaptureTime, err = decodeTime(w.capture); err != nil {
		return nil, false
	}
	if ci.ResourceCreationTime, err = decodeTime(w.created); err != nil {
		return nil, false
	}
	if ci.StateID, err = decodeStateID(w.stateID); err != nil {
		return nil, false
	}
	if !ci.Status.valid() {
		return nil, false
	}
	if configuration != nil {
		conf, err := normalizeConfiguration(bytes.Clone(configuration))
		if err != nil {
			return nil, false
		}
		ci.Configuration = conf
	}
	if len(supplementary) > 0 {
		ci.SupplementaryConfiguration = supplementary
	}
	return ci, true
}

var knownKeys = []string{
	"configurationItemVersion", "version", "configurationItemStatus", "awsAccountId", "accountId",
	"resourceType", "resourceId", "resourceName", "ARN", "awsRegion", "availabilityZone",
	"configurationItemCaptureTime", "resourceCreationTime", "configurationStateId", "tags",
	"relationships", "configuration", "supplementaryConfiguration", "arn",
}

func foldsToKnownKey(key string) bool {
	for _, k := range knownKeys {
		if len(k) == len(key) && strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

func first2(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// fastParser reads JSON text from data[i:].
type fastParser struct {
	data []byte
	i    int
}

func (p *fastParser) peek() byte {
	if p.i < len(p.data) {
		return p.data[p.i]
	}
	return 0
}

func (p *fastParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\n', '\t', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c after optional white space.
func (p *fastParser) byte(c byte) bool {
	p.space()
	if p.peek() != c {
		return false
	}
	p.i++
	return true
}

// plainString reads a string without escapes or control characters.
func (p *fastParser) plainString() (string, bool) {
	p.space()
	if p.peek() != '"' {
		return "", false
	}
	start := p.i + 1
	for j := start; j < len(p.data); j++ {
		switch c := p.data[j]; {
		case c == '"':
			seg := p.data[start:j]
			if !utf8.Valid(seg) {
				return "", false // encoding/json replaces invalid bytes
			}
			p.i = j + 1
			return string(seg), true
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// internedOrNull is stringOrNull for values that repeat across items
// (resource types, accounts, regions): each distinct value is allocated once.
func (p *fastParser) internedOrNull(dst *string) bool {
	if p.literal("null") {
		*dst = ""
		return true
	}
	p.space()
	if p.peek() != '"' {
		return false
	}
	start := p.i + 1
	for j := start; j < len(p.data); j++ {
		switch c := p.data[j]; {
		case c == '"':
			seg := p.data[start:j]
			if !utf8.Valid(seg) {
				return false
			}
			p.i = j + 1
			*dst = intern(seg)
			return true
		case c == '\\' || c < 0x20:
			return false
		}
	}
	return false
}

// interned holds the repeating envelope strings; it is bounded, since a
// file could hold any number of distinct values.
var interned sync.Map // string → string

var internedCount atomic.Int64

const maxInterned = 4096

func intern(b []byte) string {
	if v, ok := interned.Load(string(b)); ok { // no allocation for the lookup
		return v.(string)
	}
	s := string(b)
	if internedCount.Load() < maxInterned {
		if _, loaded := interned.LoadOrStore(s, s); !loaded {
			internedCount.Add(1)
		}
	}
	return s
}

func (p *fastParser) stringOrNull(dst *string) bool {
	if p.literal("null") {
		*dst = ""
		return true
	}
	s, ok := p.plainString()
	*dst = s
	return ok
}

func (p *fastParser) literal(lit string) bool {
	if bytes.HasPrefix(p.data[p.i:], []byte(lit)) {
		end := p.i + len(lit)
		if end == len(p.data) || isDelimiter(p.data[end]) {
			p.i = end
			return true
		}
	}
	return false
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\n', '\t', '\r':
		return true
	}
	return false
}

// scalar returns the text of a string (with its quotes), number or null,
// for the time and state-id decoders; strings with escapes give up.
func (p *fastParser) scalar() ([]byte, bool) {
	start := p.i
	switch c := p.peek(); {
	case c == '"':
		_, ok := p.plainString()
		return p.data[start:p.i], ok
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		j := p.i
		for j < len(p.data) && !isDelimiter(p.data[j]) {
			j++
		}
		if _, err := strconv.ParseFloat(string(p.data[p.i:j]), 64); err != nil {
			return nil, false
		}
		p.i = j
		return p.data[start:j], true
	}
	return nil, false
}

// value skips one value and returns its text. Strings and brackets are
// matched; literals are checked; numbers are delimited.
func (p *fastParser) value() ([]byte, bool) {
	p.space()
	start := p.i
	switch c := p.peek(); {
	case c == '"':
		if !p.anyString() {
			return nil, false
		}
	case c == '{' || c == '[':
		depth := 0
		for p.i < len(p.data) {
			switch p.data[p.i] {
			case '"':
				if !p.anyString() {
					return nil, false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					p.i++
					return p.data[start:p.i], true
				}
			}
			p.i++
		}
		return nil, false
	case c == 't':
		if !p.literal("true") {
			return nil, false
		}
	case c == 'f':
		if !p.literal("false") {
			return nil, false
		}
	case c == 'n':
		if !p.literal("null") {
			return nil, false
		}
	case c == '-' || c >= '0' && c <= '9':
		for p.i < len(p.data) && !isDelimiter(p.data[p.i]) {
			p.i++
		}
		if !json.Valid(p.data[start:p.i]) {
			return nil, false
		}
	default:
		return nil, false
	}
	return p.data[start:p.i], true
}

// anyString skips a string, escapes included.
func (p *fastParser) anyString() bool {
	for j := p.i + 1; j < len(p.data); j++ {
		switch p.data[j] {
		case '"':
			p.i = j + 1
			return true
		case '\\':
			j++
		}
	}
	return false
}

func (p *fastParser) tags(ci *ConfigurationItem) bool {
	if p.literal("null") {
		return true
	}
	if !p.byte('{') {
		return false
	}
	for first := true; ; first = false {
		if p.byte('}') {
			return true
		}
		if !first && !p.byte(',') {
			return false
		}
		k, ok := p.plainString()
		if !ok || !p.byte(':') {
			return false
		}
		p.space()
		var v string
		if !p.stringOrNull(&v) {
			return false
		}
		if ci.Tags == nil {
			ci.Tags = make(map[string]string, 4)
		}
		ci.Tags[k] = v
	}
}

func (p *fastParser) relationships(ci *ConfigurationItem) bool {
	if p.literal("null") {
		return true
	}
	if !p.byte('[') {
		return false
	}
	for first := true; ; first = false {
		if p.byte(']') {
			return true
		}
		if !first && !p.byte(',') {
			return false
		}
		if !p.byte('{') {
			return false
		}
		var r Relationship
		var relName string
		for firstKey := true; ; firstKey = false {
			if p.byte('}') {
				break
			}
			if !firstKey && !p.byte(',') {
				return false
			}
			k, ok := p.plainString()
			if !ok || !p.byte(':') {
				return false
			}
			p.space()
			switch k {
			case "resourceType":
				ok = p.stringOrNull(&r.ResourceType)
			case "resourceId":
				ok = p.stringOrNull(&r.ResourceID)
			case "resourceName":
				ok = p.stringOrNull(&r.ResourceName)
			case "name":
				ok = p.stringOrNull(&r.Name)
			case "relationshipName":
				ok = p.stringOrNull(&relName)
			default:
				for _, known := range []string{"resourceType", "resourceId", "resourceName", "name", "relationshipName"} {
					if strings.EqualFold(k, known) {
						return false
					}
				}
				_, ok = p.value()
			}
			if !ok {
				return false
			}
		}
		if r.Name == "" {
			r.Name = relName
		}
		ci.Relationships = append(ci.Relationships, r)
	}
}

func (p *fastParser) supplementary() (map[string]json.RawMessage, bool) {
	if p.literal("null") {
		return nil, true
	}
	if !p.byte('{') {
		return nil, false
	}
	var m map[string]json.RawMessage
	for first := true; ; first = false {
		if p.byte('}') {
			return m, true
		}
		if !first && !p.byte(',') {
			return nil, false
		}
		k, ok := p.plainString()
		if !ok || !p.byte(':') {
			return nil, false
		}
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		var kept json.RawMessage
		if v[0] == '"' {
			// A string value: decoding it validates it, and it usually
			// holds JSON to unwrap (the API shape, AccessControlList).
			var s string
			if json.Unmarshal(v, &s) != nil {
				return nil, false
			}
			kept = unwrapDecoded(bytes.Clone(v), s)
		} else if json.Valid(v) {
			kept = bytes.Clone(v)
		} else {
			return nil, false
		}
		if m == nil {
			m = make(map[string]json.RawMessage, 8)
		}
		m[k] = kept
	}
}

// decodeEnvelope decodes what the scan's inventory indexes an item by (its
// type, id, account, region, status and capture time), skipping the
// configuration. Items it cannot read that way are decoded whole, which
// also reports their errors.
func decodeEnvelope(data []byte) (*ConfigurationItem, error) {
	p := fastParser{data: data}
	if !p.byte('{') {
		return decodeItem(data)
	}
	ci := &ConfigurationItem{}
	var awsAccount, account, status string
	var capture []byte
	for first := true; ; first = false {
		if p.byte('}') {
			break
		}
		if !first && !p.byte(',') {
			return decodeItem(data)
		}
		key, ok := p.plainString()
		if !ok || !p.byte(':') {
			return decodeItem(data)
		}
		p.space()
		switch key {
		case "resourceType":
			ok = p.internedOrNull(&ci.ResourceType)
		case "resourceId":
			ok = p.stringOrNull(&ci.ResourceID)
		case "awsAccountId":
			ok = p.stringOrNull(&awsAccount)
		case "accountId":
			ok = p.stringOrNull(&account)
		case "awsRegion":
			ok = p.internedOrNull(&ci.Region)
		case "configurationItemStatus":
			ok = p.stringOrNull(&status)
		case "configurationItemCaptureTime":
			capture, ok = p.scalar()
		default:
			if !slices.Contains(knownKeys, key) && foldsToKnownKey(key) {
				ok = false // a case variant: let encoding/json decide
			} else {
				_, ok = p.value()
			}
		}
		if !ok {
			return decodeItem(data)
		}
	}
	ci.AccountID = first2(awsAccount, account)
	ci.Status = ItemStatus(status)
	var err error
	if ci.CaptureTime, err = decodeTime(capture); err != nil || !ci.Status.valid() {
		return decodeItem(data)
	}
	return ci, nil
}
