package watch

import (
	"fmt"
	"strings"
)

const cloudTrailSource = "cloudtrail.amazonaws.com"

func cloudTrailDetections() []Detection {
	return []Detection{
		{
			ID:          "cloudtrail-logging-stopped",
			Summary:     "A trail stopped (StopLogging) or deleted: API calls in its regions are no longer recorded, which is what an intruder does first.",
			Severity:    Critical,
			EventSource: cloudTrailSource,
			EventNames:  []string{"StopLogging", "DeleteTrail"},
			Rules:       []string{"cloudtrail-enabled", "multi-region-cloudtrail-enabled"},
			judge:       judgeTrailStopped,
		},
		{
			ID:           "cloudtrail-trail-weakened",
			Summary:      "A trail left without log file validation, without SSE-KMS encryption or single-region, by CreateTrail (which takes the API's defaults for what it leaves out) or by an UpdateTrail that sets one of these off.",
			Severity:     High,
			EventSource:  cloudTrailSource,
			EventNames:   []string{"CreateTrail", "UpdateTrail"},
			Rules:        []string{"cloud-trail-log-file-validation-enabled", "cloud-trail-encryption-enabled", "multi-region-cloudtrail-enabled"},
			Remediations: []string{"cloudtrail-enable-log-file-validation", "cloudtrail-enable-encryption", "cloudtrail-enable-multi-region"},
			judge:        judgeTrailSettings,
		},
		{
			ID:          "cloudtrail-management-events-stopped",
			Summary:     "PutEventSelectors that leaves a trail recording no write management events: configuration changes are no longer logged.",
			Severity:    High,
			EventSource: cloudTrailSource,
			EventNames:  []string{"PutEventSelectors"},
			Rules:       []string{"multi-region-cloudtrail-enabled"},
			judge:       judgeEventSelectors,
		},
	}
}

// trailARN names a trail given as a name or an ARN.
func (c *call) trailARN(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return c.arn("cloudtrail", "trail/"+nameOrARN)
}

func (c *call) trailTarget(nameOrARN string) *Target {
	return &Target{ResourceType: trailType, ResourceID: nameOrARN}
}

func judgeTrailStopped(c *call) (*verdict, error) {
	name, err := requiredStr(c.params.get("name"))
	if err != nil {
		return nil, err
	}
	what := "stopped"
	if c.rec.EventName == "DeleteTrail" {
		what = "deleted"
	}
	return &verdict{
		severity:  Critical,
		summary:   fmt.Sprintf("Trail %s %s: API calls are no longer recorded by it.", name, what),
		rules:     []string{"cloudtrail-enabled", "multi-region-cloudtrail-enabled"},
		resources: []string{c.trailARN(name)},
	}, nil
}

func judgeTrailSettings(c *call) (*verdict, error) {
	name, err := requiredStr(c.params.get("name"))
	if err != nil {
		return nil, err
	}
	create := c.rec.EventName == "CreateTrail"
	v := &verdict{severity: High, resources: []string{c.trailARN(name)}, target: c.trailTarget(name)}
	var off []string

	validation, set, err := c.params.get("enableLogFileValidation").boolean()
	if err != nil {
		return nil, err
	}
	if !validation && (set || create) {
		off = append(off, "log file validation")
		v.rules = append(v.rules, "cloud-trail-log-file-validation-enabled")
		v.remediations = append(v.remediations, "cloudtrail-enable-log-file-validation")
	}
	key := c.params.get("kmsKeyId")
	kms, err := key.str()
	if err != nil {
		return nil, err
	}
	if kms == "" && (key.present() || create) {
		off = append(off, "SSE-KMS encryption")
		v.rules = append(v.rules, "cloud-trail-encryption-enabled")
		v.remediations = append(v.remediations, "cloudtrail-enable-encryption")
	}
	multi, set, err := c.params.get("isMultiRegionTrail").boolean()
	if err != nil {
		return nil, err
	}
	if !multi && (set || create) {
		off = append(off, "multi-region")
		v.rules = append(v.rules, "multi-region-cloudtrail-enabled")
		v.remediations = append(v.remediations, "cloudtrail-enable-multi-region")
	}
	if len(off) == 0 {
		return nil, nil
	}
	how := "updated with"
	if create {
		how = "created without"
	}
	if !create {
		for i := range off {
			off[i] += " off"
		}
	}
	v.summary = fmt.Sprintf("Trail %s %s %s.", name, how, joinAnd(off))
	return v, nil
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(s []string) string {
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func judgeEventSelectors(c *call) (*verdict, error) {
	name, err := requiredStr(c.params.get("trailName"))
	if err != nil {
		return nil, err
	}
	basic := c.params.get("eventSelectors")
	advanced := c.params.get("advancedEventSelectors")
	if basic.null() && advanced.null() {
		return nil, c.params.errorf("neither eventSelectors nor advancedEventSelectors: the selectors the call sets are not in the record")
	}
	records := false
	if !basic.null() {
		if basic.kind() != '[' {
			return nil, basic.errorf("want an array, found %s", basic.describe())
		}
		for _, sel := range basic.list() {
			if err := sel.object(); err != nil {
				return nil, err
			}
			include, set, err := sel.get("includeManagementEvents").boolean()
			if err != nil {
				return nil, err
			}
			if !set {
				include = true // the API's default
			}
			rw, err := sel.get("readWriteType").str()
			if err != nil {
				return nil, err
			}
			if include && rw != "ReadOnly" {
				records = true
			}
		}
	}
	if !advanced.null() {
		if advanced.kind() != '[' {
			return nil, advanced.errorf("want an array, found %s", advanced.describe())
		}
		for _, sel := range advanced.list() {
			ok, err := advancedRecordsManagementWrites(sel)
			if err != nil {
				return nil, err
			}
			if ok {
				records = true
			}
		}
	}
	if records {
		return nil, nil
	}
	return &verdict{
		severity:  High,
		summary:   fmt.Sprintf("Event selectors of trail %s record no write management events: configuration changes are no longer logged by it.", name),
		rules:     []string{"multi-region-cloudtrail-enabled"},
		resources: []string{c.trailARN(name)},
	}, nil
}

// advancedRecordsManagementWrites reports whether an advanced event
// selector records write management events: its eventCategory field
// selects Management, and no readOnly field limits it to reads.
func advancedRecordsManagementWrites(sel value) (bool, error) {
	if err := sel.object(); err != nil {
		return false, err
	}
	fields := sel.get("fieldSelectors")
	if fields.kind() != '[' && !fields.null() {
		return false, fields.errorf("want an array, found %s", fields.describe())
	}
	management, writes := false, true
	for _, f := range fields.list() {
		if err := f.object(); err != nil {
			return false, err
		}
		field, err := f.get("field").str()
		if err != nil {
			return false, err
		}
		equals, err := f.get("equals").strs()
		if err != nil {
			return false, err
		}
		notEquals, err := f.get("notEquals").strs()
		if err != nil {
			return false, err
		}
		switch field {
		case "eventCategory":
			for _, e := range equals {
				if e == "Management" {
					management = true
				}
			}
		case "readOnly":
			for _, e := range equals {
				if strings.EqualFold(e, "true") {
					writes = false
				}
			}
			for _, e := range notEquals {
				if strings.EqualFold(e, "false") {
					writes = false
				}
			}
		}
	}
	return management && writes, nil
}
