package watch

import (
	"encoding/json"
	"slices"
	"strings"
)

// Detection is one kind of change the watcher reports. A detection judges
// the request, not just the event name: it turns the request into the
// state the call sets and asks the shared analysers of package
// rules/policy (or the catalog rule itself) whether that state breaks a
// rule.
type Detection struct {
	// ID is stable; SNS subscribers filter on it.
	ID string `json:"id"`
	// Summary says what the detection means for a responder.
	Summary string `json:"summary"`
	// Severity is the highest severity the detection reports; some
	// requests it looks at give less, or nothing.
	Severity Severity `json:"severity"`
	// EventSource and EventNames are the calls it looks at.
	EventSource string   `json:"eventSource"`
	EventNames  []string `json:"eventNames"`
	// Rules are the catalog rules whose compliance the change can break.
	Rules []string `json:"rules"`
	// Remediations are the ids of the remediations that undo it.
	Remediations []string `json:"remediations"`

	judge func(c *call) (*verdict, error)
}

// MarshalJSON writes empty lists as [] rather than null.
func (d Detection) MarshalJSON() ([]byte, error) {
	type plain Detection
	p := plain(d)
	for _, s := range []*[]string{&p.EventNames, &p.Rules, &p.Remediations} {
		if *s == nil {
			*s = []string{}
		}
	}
	return json.Marshal(p)
}

// verdict is what a detection found in one request.
type verdict struct {
	severity     Severity
	summary      string
	rules        []string
	remediations []string
	// resources are the ARNs the call changed, when the detection knows
	// them better than the record's resources list.
	resources []string
	// target is what the remediations act on, when the record names it.
	target *Target
	// noTarget says why the record names no target.
	noTarget string
}

// Target is what a remediation acts on: an AWS Config resource type and
// what AWS Config passes as RESOURCE_ID for it.
type Target struct {
	ResourceType string
	ResourceID   string
	// Parameters are remediation parameters derived from the request,
	// such as the ports to close.
	Parameters map[string]string
}

// Resource types of remediation targets.
const (
	accountType       = "AWS::::Account"
	bucketType        = "AWS::S3::Bucket"
	securityGroupType = "AWS::EC2::SecurityGroup"
	instanceType      = "AWS::EC2::Instance"
	trailType         = "AWS::CloudTrail::Trail"
	keyType           = "AWS::KMS::Key"
	dbInstanceType    = "AWS::RDS::DBInstance"
)

// Detections returns the catalog of detections, in a stable order, as a
// new slice.
func Detections() []Detection {
	var all []Detection
	for _, family := range [][]Detection{
		s3Detections(),
		cloudTrailDetections(),
		configDetections(),
		ec2Detections(),
		kmsDetections(),
		iamDetections(),
		rdsDetections(),
		{catchAll()},
	} {
		all = append(all, family...)
	}
	return all
}

// DetectionByID returns the detection with the given id.
func DetectionByID(id string) (Detection, bool) {
	for _, d := range Detections() {
		if d.ID == id {
			return d, true
		}
	}
	return Detection{}, false
}

// s3ConfigurationChanged is the catch-all: every other S3 bucket
// configuration change, reported at INFORMATIONAL.
const s3ConfigurationChanged = "s3-configuration-changed"

// catchAll describes the INFORMATIONAL catch-all; it has no judge of its
// own: the watcher applies it to S3 bucket configuration calls no other
// detection reported.
func catchAll() Detection {
	return Detection{
		ID:          s3ConfigurationChanged,
		Summary:     "Any other S3 configuration change (Put*, Delete*, Create* on a bucket, not on objects, and the account-level public access block set all true), for the operations team to see them all.",
		Severity:    Informational,
		EventSource: "s3.amazonaws.com",
		EventNames:  []string{"Put*", "Delete*", "Create*"},
	}
}

// index finds the detections for an event by source and name.
type index map[string]map[string][]*Detection

func newIndex(ds []Detection) index {
	idx := make(index)
	for i := range ds {
		d := &ds[i]
		if d.judge == nil {
			continue
		}
		byName := idx[d.EventSource]
		if byName == nil {
			byName = make(map[string][]*Detection)
			idx[d.EventSource] = byName
		}
		for _, n := range d.EventNames {
			byName[n] = append(byName[n], d)
		}
	}
	return idx
}

// lookup returns the detections for a call; the []byte forms avoid
// allocating in the hot path.
func (idx index) lookup(source, name []byte) []*Detection {
	return idx[string(source)][string(name)]
}

// objectCalls are S3 calls on objects, not on the bucket's configuration.
var objectCalls = map[string]bool{
	"PutObject": true, "PutObjectAcl": true, "PutObjectTagging": true, "PutObjectRetention": true,
	"PutObjectLegalHold": true, "DeleteObject": true, "DeleteObjects": true, "DeleteObjectTagging": true,
	"CreateMultipartUpload": true, "CreateSession": true, "DeleteObjectVersion": true,
}

// s3BucketChangeName reports whether an S3 call name is a configuration
// change of the Put*/Delete*/Create* kind, judged on the name alone; the
// request must also name a bucket and no object key.
func s3BucketChangeName(name []byte) bool {
	n := string(name)
	if !(strings.HasPrefix(n, "Put") || strings.HasPrefix(n, "Delete") || strings.HasPrefix(n, "Create")) {
		return false
	}
	return !objectCalls[n]
}

// mergeVerdicts combines what several detections found in one request:
// the highest severity wins, rules and remediations are joined.
func mergeVerdicts(ds []*Detection, vs []*verdict) (*Detection, *verdict) {
	best := -1
	for i, v := range vs {
		if v == nil {
			continue
		}
		if best < 0 || rank(v.severity) > rank(vs[best].severity) {
			best = i
		}
	}
	if best < 0 {
		return nil, nil
	}
	out := *vs[best]
	out.rules = slices.Clone(out.rules)
	out.remediations = slices.Clone(out.remediations)
	var also []string
	for i, v := range vs {
		if v == nil || i == best {
			continue
		}
		also = append(also, v.summary)
		out.rules = appendNew(out.rules, v.rules...)
		out.remediations = appendNew(out.remediations, v.remediations...)
		out.resources = appendNew(out.resources, v.resources...)
		if out.target == nil {
			out.target = v.target
		}
	}
	if len(also) > 0 {
		out.summary += " Also: " + strings.Join(also, " ")
	}
	return ds[best], &out
}

// appendNew appends the values not already in list.
func appendNew(list []string, vals ...string) []string {
	for _, v := range vals {
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
