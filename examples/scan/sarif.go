package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), the format
// GitHub code scanning and other tools read. Only the parts a scanner
// fills are modelled.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	toolName     = "guardrails"
	toolURI      = "https://github.com/guardrails-go/guardrails"
)

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name,omitempty"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      *sarifText        `json:"fullDescription,omitempty"`
	HelpURI              string            `json:"helpUri,omitempty"`
	Help                 *sarifText        `json:"help,omitempty"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	// SecuritySeverity is the CVSS-like score GitHub ranks alerts by.
	SecuritySeverity string   `json:"security-severity"`
	Severity         string   `json:"severity"`
	Tags             []string `json:"tags"`
	ManagedRule      string   `json:"managedRule,omitempty"`
	Remediations     []string `json:"remediations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]string `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical  `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical  `json:"logicalLocations,omitempty"`
	Message          *sarifText      `json:"message,omitempty"`
	Properties       map[string]bool `json:"properties,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// levels and scores by severity: GitHub shows security-severity above 9.0
// as critical, 7.0 to 8.9 as high, 4.0 to 6.9 as medium, below as low.
var sarifSeverity = map[evaluate.Severity]struct{ level, score string }{
	evaluate.Critical:      {"error", "9.5"},
	evaluate.High:          {"error", "8.0"},
	evaluate.Medium:        {"warning", "5.5"},
	evaluate.Low:           {"note", "3.0"},
	evaluate.Informational: {"note", "0.0"},
}

// sarifReporter streams one SARIF run: the catalog's rules, a result per
// non-compliant evaluation, then the errors as tool notifications.
type sarifReporter struct {
	w         *bufio.Writer
	buf       bytes.Buffer
	enc       *json.Encoder
	index     map[string]int
	severity  map[string]evaluate.Severity
	cwd       string
	n         int
	notes     []sarifNotification
	dropped   int
	err       error
	errorSeen bool
}

func newSARIFReporter(w io.Writer, meta []evaluate.Metadata) *sarifReporter {
	r := &sarifReporter{w: bufio.NewWriterSize(w, 64<<10), index: map[string]int{}, severity: map[string]evaluate.Severity{}}
	r.cwd, _ = os.Getwd()
	r.enc = json.NewEncoder(&r.buf)
	r.enc.SetEscapeHTML(false)
	rules := make([]sarifRule, len(meta))
	for i, m := range meta {
		r.index[m.ID] = i
		r.severity[m.ID] = m.Severity
		rules[i] = ruleOf(m)
	}
	driver := map[string]any{"name": toolName, "informationUri": toolURI, "rules": rules}
	tool, err := json.Marshal(map[string]any{"driver": driver})
	if err != nil {
		r.err = err
		return r
	}
	_, r.err = r.w.WriteString(`{"$schema": "` + sarifSchema + `", "version": "` + sarifVersion + `", "runs": [{"tool": `)
	if r.err == nil {
		_, r.err = r.w.Write(tool)
	}
	if r.err == nil {
		_, r.err = r.w.WriteString(`, "columnKind": "unicodeCodePoints", "results": [`)
	}
	return r
}

func ruleOf(m evaluate.Metadata) sarifRule {
	sev := sarifSeverity[m.Severity]
	tags := []string{"security", "aws"}
	tags = append(tags, m.ResourceTypes...)
	tags = append(tags, m.Controls...)
	r := sarifRule{
		ID:                   m.ID,
		Name:                 ruleName(m.ID),
		ShortDescription:     sarifText{m.Summary},
		HelpURI:              m.URL,
		DefaultConfiguration: sarifRuleConfig{Level: sev.level},
		Properties: sarifRuleProperty{
			SecuritySeverity: sev.score, Severity: string(m.Severity), Tags: tags,
			ManagedRule: m.ManagedRule, Remediations: m.Remediations,
		},
	}
	if m.Rationale != "" {
		r.FullDescription = &sarifText{m.Rationale}
		help := m.Summary + " " + m.Rationale
		if m.URL != "" {
			help += " See " + m.URL + "."
		}
		r.Help = &sarifText{help}
	}
	return r
}

// ruleName turns an id into the PascalCase name SARIF suggests
// ("s3-bucket-versioning-enabled" → "S3BucketVersioningEnabled").
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func (r *sarifReporter) evaluation(ev evaluate.Evaluation) {
	if r.err != nil || ev.Compliance != evaluate.NonCompliant {
		return
	}
	res := sarifResult{
		RuleID:    ev.RuleID,
		RuleIndex: r.index[ev.RuleID],
		Level:     sarifSeverity[r.severity[ev.RuleID]].level,
		Message:   sarifText{ev.ResourceType + " " + ev.ResourceID + ": " + ev.Annotation},
		Locations: []sarifLocation{r.location(ev.Location, ev.ResourceType, ev.ResourceID)},
		Properties: map[string]string{
			"resourceType": ev.ResourceType, "resourceId": ev.ResourceID,
		},
	}
	if ev.AccountID != "" {
		res.Properties["accountId"] = ev.AccountID
	}
	if ev.Region != "" {
		res.Properties["region"] = ev.Region
	}
	// A fingerprint that survives edits elsewhere in the file, so that
	// code scanning tracks the same finding from run to run.
	file := ""
	if ev.Location != nil {
		file = r.uri(ev.Location.File)
	}
	sum := sha256.Sum256([]byte(ev.RuleID + "\x00" + file + "\x00" + ev.ResourceType + "\x00" + ev.ResourceID))
	res.PartialFingerprints = map[string]string{"guardrailsResource/v1": hex.EncodeToString(sum[:16])}
	if _, known := r.index[ev.RuleID]; !known {
		res.RuleIndex = -1
	}
	sep := ",\n  "
	if r.n == 0 {
		sep = "\n  "
	}
	r.n++
	r.buf.Reset()
	if r.err = r.enc.Encode(res); r.err != nil {
		return
	}
	if _, r.err = r.w.WriteString(sep); r.err == nil {
		_, r.err = r.w.Write(bytes.TrimSuffix(r.buf.Bytes(), []byte("\n")))
	}
}

// location places a finding in its file, on the resource's line, and
// names the resource as a logical location.
func (r *sarifReporter) location(l *evaluate.Location, typ, id string) sarifLocation {
	loc := sarifLocation{LogicalLocations: []sarifLogical{{Name: id, Kind: "resource", FullyQualifiedName: typ + "/" + id}}}
	if l == nil || l.File == "" {
		return loc
	}
	if l.Path != "" {
		loc.LogicalLocations[0].FullyQualifiedName = l.Path
	}
	loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: r.uri(l.File)}}
	if l.Line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: l.Line}
	}
	return loc
}

// uri names a file relative to the working directory when it lies below
// it (what code scanning expects of files in the checked-out repository),
// and as a file URI otherwise.
func (r *sarifReporter) uri(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return (&url.URL{Path: filepath.ToSlash(file)}).String()
	}
	if r.cwd != "" {
		if rel, err := filepath.Rel(r.cwd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return (&url.URL{Path: filepath.ToSlash(rel)}).String()
		}
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

func (r *sarifReporter) error(e reportError) {
	r.errorSeen = true
	if len(r.notes) >= maxErrors {
		r.dropped++
		return
	}
	n := sarifNotification{Level: "error", Message: sarifText{e.Message}}
	if e.Source != "" && e.Source != "engine" && e.Source != "scan" {
		n.Locations = []sarifLocation{{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: r.uri(e.Source)}}}}
		if e.line > 0 {
			n.Locations[0].PhysicalLocation.Region = &sarifRegion{StartLine: e.line}
		}
	}
	r.notes = append(r.notes, n)
}

func (r *sarifReporter) finish(stats) error {
	if r.err != nil {
		return r.err
	}
	if r.dropped > 0 {
		r.notes = append(r.notes, sarifNotification{Level: "error", Message: sarifText{strconv.Itoa(r.dropped) + " more errors not listed"}})
	}
	if r.notes == nil {
		r.notes = []sarifNotification{}
	}
	inv, err := json.Marshal([]map[string]any{{
		"executionSuccessful":        !r.errorSeen,
		"toolExecutionNotifications": r.notes,
	}})
	if err != nil {
		return err
	}
	closing := "]"
	if r.n > 0 {
		closing = "\n]"
	}
	if _, err := r.w.WriteString(closing + `, "invocations": `); err != nil {
		return err
	}
	if _, err := r.w.Write(inv); err != nil {
		return err
	}
	if _, err := r.w.WriteString("}]}\n"); err != nil {
		return err
	}
	return r.w.Flush()
}
