package remediate

import (
	"encoding/json"
	"maps"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const trailARNMain = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"

// fakeTrails keeps trails as CloudTrail's JSON shows them; UpdateTrail
// changes only the fields it sets.
type fakeTrails struct {
	mu     sync.Mutex
	trails []map[string]any
}

func (f *fakeAWS) trails(trails ...map[string]any) *fakeTrails {
	ft := &fakeTrails{}
	for _, t := range trails {
		ft.trails = append(ft.trails, maps.Clone(t))
	}
	find := func(name string) map[string]any {
		for _, t := range ft.trails {
			if t["Name"] == name || t["TrailARN"] == name {
				return t
			}
		}
		return nil
	}
	f.on("cloudtrail:GetTrail", func(c call) reply {
		in := c.JSON(f.t)
		ft.mu.Lock()
		defer ft.mu.Unlock()
		t := find(in["Name"].(string))
		if t == nil {
			return f.errorReply("cloudtrail:GetTrail", 400, "TrailNotFoundException", "Unknown trail")
		}
		b, _ := json.Marshal(map[string]any{"Trail": t})
		return ok200(string(b))
	})
	f.on("cloudtrail:DescribeTrails", func(c call) reply {
		ft.mu.Lock()
		defer ft.mu.Unlock()
		b, _ := json.Marshal(map[string]any{"trailList": ft.trails})
		return ok200(string(b))
	})
	f.on("cloudtrail:UpdateTrail", func(c call) reply {
		in := c.JSON(f.t)
		ft.mu.Lock()
		defer ft.mu.Unlock()
		t := find(in["Name"].(string))
		if t == nil {
			return f.errorReply("cloudtrail:UpdateTrail", 400, "TrailNotFoundException", "Unknown trail")
		}
		for k, v := range in {
			switch k {
			case "Name":
			case "EnableLogFileValidation":
				t["LogFileValidationEnabled"] = v
			case "KmsKeyId":
				t["KmsKeyId"] = keyA // CloudTrail answers with the key's ARN
			default:
				t[k] = v
			}
		}
		b, _ := json.Marshal(t)
		return ok200(string(b))
	})
	return ft
}

func trail(name, home string, fields map[string]any) map[string]any {
	t := map[string]any{
		"Name": name, "TrailARN": "arn:aws:cloudtrail:" + home + ":123456789012:trail/" + name, "HomeRegion": home,
		"S3BucketName": "trail-logs", "IsMultiRegionTrail": false, "IncludeGlobalServiceEvents": true,
		"LogFileValidationEnabled": false, "IsOrganizationTrail": false,
	}
	maps.Copy(t, fields)
	return t
}

// checkJSON compares a JSON request body with the wanted value.
func checkJSON(t *testing.T, c call, want map[string]any) {
	t.Helper()
	if diff := cmp.Diff(want, c.JSON(t)); diff != "" {
		t.Errorf("%s body (-want +got):\n%s", c.API, diff)
	}
}

func TestCloudTrailRemediations(t *testing.T) {
	tests := []struct {
		reason     string
		rem        string
		target     Target
		trails     []map[string]any
		wantUpdate map[string]any
		resource   string
		detail     string
	}{
		{
			reason: "log file validation off: turned on", rem: "cloudtrail-enable-log-file-validation",
			target:     Target{ResourceID: "main"},
			trails:     []map[string]any{trail("main", testRegion, nil)},
			wantUpdate: map[string]any{"Name": trailARNMain, "EnableLogFileValidation": true},
			resource:   trailARNMain, detail: "log file validation is off; turn it on",
		},
		{
			reason: "log file validation on, trail named by ARN: nothing to do", rem: "cloudtrail-enable-log-file-validation",
			target:   Target{ResourceID: trailARNMain},
			trails:   []map[string]any{trail("main", testRegion, map[string]any{"LogFileValidationEnabled": true})},
			resource: trailARNMain, detail: "log file validation is already on",
		},
		{
			reason: "not encrypted: encrypted with the key", rem: "cloudtrail-enable-encryption",
			target:     Target{ResourceID: "main", Parameters: map[string]string{"kmsKeyId": keyAAlias}},
			trails:     []map[string]any{trail("main", testRegion, nil)},
			wantUpdate: map[string]any{"Name": trailARNMain, "KmsKeyId": keyAAlias},
			resource:   trailARNMain, detail: "log files are not encrypted with KMS; encrypt them with alias/data",
		},
		{
			reason: "encrypted with another key: not replaced", rem: "cloudtrail-enable-encryption",
			target:   Target{ResourceID: "main", Parameters: map[string]string{"kmsKeyId": keyAAlias}},
			trails:   []map[string]any{trail("main", testRegion, map[string]any{"KmsKeyId": keyB})},
			resource: trailARNMain, detail: "log files are already encrypted with " + keyB + "; not replaced by alias/data",
		},
		{
			reason: "single-region without global events: both turned on", rem: "cloudtrail-enable-multi-region",
			target:     Target{ResourceType: "AWS::CloudTrail::Trail", ResourceID: "main"},
			trails:     []map[string]any{trail("main", testRegion, map[string]any{"IncludeGlobalServiceEvents": false})},
			wantUpdate: map[string]any{"Name": trailARNMain, "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true},
			resource:   trailARNMain, detail: "the trail logs one region; make it multi-region, with global service events",
		},
		{
			reason: "account target: the region's only trail is converted", rem: "cloudtrail-enable-multi-region",
			target:     Target{ResourceID: testAccount},
			trails:     []map[string]any{trail("main", testRegion, nil), trail("eu", "eu-west-1", nil)},
			wantUpdate: map[string]any{"Name": trailARNMain, "IsMultiRegionTrail": true},
			resource:   trailARNMain, detail: "the trail logs one region; make it multi-region",
		},
		{
			reason: "account target with a multi-region trail (a shadow of another region's): nothing to do", rem: "cloudtrail-enable-multi-region",
			target:   Target{ResourceType: "AWS::::Account", ResourceID: testAccount},
			trails:   []map[string]any{trail("main", testRegion, nil), trail("org", "eu-west-1", map[string]any{"IsMultiRegionTrail": true})},
			resource: "arn:aws:cloudtrail:eu-west-1:123456789012:trail/org", detail: "the account already has a multi-region trail",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    tt.rem,
				target: tt.target,
				setup: func(f *fakeAWS) {
					f.trails(tt.trails...)
					f.keys(testKeys)
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "cloudtrail:UpdateTrail", Resource: tt.resource, Detail: tt.detail}},
			}
			if tt.wantUpdate != nil {
				sc.wantWrites = []string{"cloudtrail:UpdateTrail"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) { checkJSON(t, w[0], tt.wantUpdate) }
			}
			runScenario(t, sc)
		})
	}
}

func TestKMSEnableKeyRotation(t *testing.T) {
	tests := []struct {
		reason     string
		key        fakeKey
		rotation   bool
		wantEnable bool
		detail     string
	}{
		{reason: "rotation off: turned on", key: fakeKey{arn: keyA}, wantEnable: true, detail: "automatic key rotation is off; turn it on"},
		{reason: "rotation on: nothing to do", key: fakeKey{arn: keyA}, rotation: true, detail: "automatic key rotation is already on"},
		{reason: "an AWS managed key: AWS rotates it", key: fakeKey{arn: keyA, manager: "AWS"}, detail: "an AWS managed key; AWS rotates it"},
		{reason: "a multi-Region primary key: turned on", key: fakeKey{arn: keyA, multiRegion: "PRIMARY"}, wantEnable: true, detail: "automatic key rotation is off; turn it on"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "kms-enable-key-rotation",
				target: Target{ResourceID: keyAID},
				setup: func(f *fakeAWS) {
					rotation := tt.rotation
					f.keys(map[string]fakeKey{keyAID: tt.key})
					f.on("kms:GetKeyRotationStatus", func(c call) reply {
						b, _ := json.Marshal(map[string]any{"KeyId": keyA, "KeyRotationEnabled": rotation, "RotationPeriodInDays": 365})
						return ok200(string(b))
					})
					f.on("kms:EnableKeyRotation", func(c call) reply {
						rotation = true
						return ok200("{}")
					})
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "kms:EnableKeyRotation", Resource: keyA, Detail: tt.detail}},
			}
			if tt.wantEnable {
				sc.wantWrites = []string{"kms:EnableKeyRotation"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) { checkJSON(t, w[0], map[string]any{"KeyId": keyAID}) }
			}
			runScenario(t, sc)
		})
	}
}

func TestRDSDisablePublicAccess(t *testing.T) {
	const dbi = "db-HHTTSRD6HXUIKXPFPI6WFVZ4PA"
	const arn = "arn:aws:rds:us-east-1:123456789012:db:prod"
	for _, tt := range []struct {
		reason string
		public bool
		detail string
	}{
		{reason: "public: turned off", public: true, detail: "the instance is publicly accessible; turn that off"},
		{reason: "private: nothing to do", detail: "the instance is not publicly accessible"},
	} {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "rds-disable-public-access",
				target: Target{ResourceID: dbi},
				setup: func(f *fakeAWS) {
					public := tt.public
					instance := func() string {
						return `<DBInstance><DBInstanceIdentifier>prod</DBInstanceIdentifier><DbiResourceId>` + dbi + `</DbiResourceId><DBInstanceArn>` + arn +
							`</DBInstanceArn><Engine>postgres</Engine><PubliclyAccessible>` + map[bool]string{true: "true", false: "false"}[public] + `</PubliclyAccessible></DBInstance>`
					}
					f.on("rds:DescribeDBInstances", func(c call) reply {
						if c.Form.Get("Filters.Filter.1.Name") != "dbi-resource-id" || c.Form.Get("Filters.Filter.1.Values.Value.1") != dbi {
							return f.errorReply("rds:DescribeDBInstances", 400, "InvalidParameterValue", "want a dbi-resource-id filter")
						}
						return ok200(`<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult><DBInstances>` + instance() +
							`</DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeDBInstancesResponse>`)
					})
					f.on("rds:ModifyDBInstance", func(c call) reply {
						public = c.Form.Get("PubliclyAccessible") == "true"
						return ok200(`<ModifyDBInstanceResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><ModifyDBInstanceResult>` + instance() +
							`</ModifyDBInstanceResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ModifyDBInstanceResponse>`)
					})
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "rds:ModifyDBInstance", Resource: arn, Detail: tt.detail}},
			}
			if tt.public {
				sc.wantWrites = []string{"rds:ModifyDBInstance"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					checkForm(t, w[0], map[string][]string{"DBInstanceIdentifier": {"prod"}, "PubliclyAccessible": {"false"}})
				}
			}
			runScenario(t, sc)
		})
	}
}
