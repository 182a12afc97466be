package remediate

import (
	"testing"
)

func pabDoc(acls, ignore, policy, restrict string) string {
	return `<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<BlockPublicAcls>` + acls + `</BlockPublicAcls><IgnorePublicAcls>` + ignore + `</IgnorePublicAcls>` +
		`<BlockPublicPolicy>` + policy + `</BlockPublicPolicy><RestrictPublicBuckets>` + restrict + `</RestrictPublicBuckets>` +
		`</PublicAccessBlockConfiguration>`
}

func TestS3BlockPublicAccess(t *testing.T) {
	const bucket, arn = "example-data", "arn:aws:s3:::example-data"
	allOn := pabDoc("true", "true", "true", "true")
	tests := []struct {
		reason  string
		current string
		wantPut bool
		detail  string
	}{
		{reason: "no configuration: all four turned on", wantPut: true,
			detail: "turn on BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets"},
		{reason: "some off: all sent on, none turned off", current: pabDoc("true", "false", "true", "false"), wantPut: true,
			detail: "turn on IgnorePublicAcls, RestrictPublicBuckets"},
		{reason: "all on: nothing to do", current: allOn,
			detail: "all four block public access settings are already on"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "s3-block-public-access",
				target: Target{ResourceID: bucket},
				setup: func(f *fakeAWS) {
					docs := map[string]string{}
					if tt.current != "" {
						docs["publicAccessBlock"] = tt.current
					}
					f.bucket(bucket, docs)
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "s3:PutPublicAccessBlock", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantPut {
				sc.wantWrites = []string{"s3:PutPublicAccessBlock"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					checkXML(t, "PutPublicAccessBlock", w[0].Body, allOn)
				}
			}
			runScenario(t, sc)
		})
	}
}

func TestS3AccountBlockPublicAccess(t *testing.T) {
	const arn = "arn:aws:s3::123456789012:account"
	allOn := pabDoc("true", "true", "true", "true")
	tests := []struct {
		reason  string
		current string
		wantPut bool
		detail  string
	}{
		{reason: "no configuration: all four turned on", wantPut: true,
			detail: "turn on BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets"},
		{reason: "one off", current: pabDoc("true", "true", "false", "true"), wantPut: true, detail: "turn on BlockPublicPolicy"},
		{reason: "all on: nothing to do", current: allOn, detail: "all four account-level block public access settings are already on"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "s3-account-block-public-access",
				target: Target{ResourceID: testAccount, AccountID: testAccount},
				setup: func(f *fakeAWS) {
					stored := tt.current
					f.on("s3control:GetPublicAccessBlock", func(c call) reply {
						if stored == "" {
							return f.errorReply("s3control:GetPublicAccessBlock", 404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
						}
						return ok200(stored)
					})
					f.on("s3control:PutPublicAccessBlock", func(c call) reply {
						stored = string(c.Body)
						return reply{Status: 200}
					})
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "s3control:PutPublicAccessBlock", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantPut {
				sc.wantWrites = []string{"s3control:PutPublicAccessBlock"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					checkXML(t, "PutPublicAccessBlock", w[0].Body, allOn)
					if got := w[0].Header.Get("X-Amz-Account-Id"); got != testAccount {
						t.Errorf("x-amz-account-id = %q, want %s", got, testAccount)
					}
				}
			}
			runScenario(t, sc)
		})
	}
}

func TestS3EnableVersioning(t *testing.T) {
	const bucket, arn = "example-data", "arn:aws:s3:::example-data"
	enabled := `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>`
	tests := []struct {
		reason  string
		current string
		wantPut bool
		detail  string
	}{
		{reason: "never enabled", wantPut: true, detail: "versioning is never enabled; enable it"},
		{reason: "suspended, with MFA delete left out of the request", wantPut: true,
			current: `<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`,
			detail:  "versioning is suspended; enable it"},
		{reason: "enabled: nothing to do", current: enabled, detail: "versioning is already enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "s3-enable-versioning",
				target: Target{ResourceID: bucket},
				setup: func(f *fakeAWS) {
					docs := map[string]string{}
					if tt.current != "" {
						docs["versioning"] = tt.current
					}
					f.bucket(bucket, docs)
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "s3:PutBucketVersioning", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantPut {
				sc.wantWrites = []string{"s3:PutBucketVersioning"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) {
					checkXML(t, "PutBucketVersioning", w[0].Body, enabled)
					if h := w[0].Header.Get("X-Amz-Mfa"); h != "" {
						t.Errorf("x-amz-mfa = %q, want none", h)
					}
				}
			}
			runScenario(t, sc)
		})
	}
}

func TestS3EnableAccessLogging(t *testing.T) {
	const bucket, arn = "example-data", "arn:aws:s3:::example-data"
	logging := func(target, prefix string) string {
		return `<BucketLoggingStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LoggingEnabled><TargetBucket>` + target +
			`</TargetBucket><TargetPrefix>` + prefix + `</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`
	}
	params := map[string]string{"targetBucket": "central-logs", "targetPrefix": "s3/example-data/"}
	tests := []struct {
		reason  string
		current string
		wantPut string
		detail  string
	}{
		{reason: "logging off: turned on to the target", wantPut: logging("central-logs", "s3/example-data/"),
			detail: "access logging is off; log to s3://central-logs/s3/example-data/"},
		{reason: "already logging to the target", current: logging("central-logs", "s3/example-data/"),
			detail: "already logging to s3://central-logs/s3/example-data/"},
		{reason: "logging elsewhere is not replaced", current: logging("team-logs", "x/"),
			detail: "already logging to s3://team-logs/x/; not replaced by s3://central-logs/s3/example-data/"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "s3-enable-access-logging",
				target: Target{ResourceID: bucket, Parameters: params},
				setup: func(f *fakeAWS) {
					docs := map[string]string{}
					if tt.current != "" {
						docs["logging"] = tt.current
					}
					f.bucket(bucket, docs)
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "s3:PutBucketLogging", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantPut != "" {
				sc.wantWrites = []string{"s3:PutBucketLogging"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) { checkXML(t, "PutBucketLogging", w[0].Body, tt.wantPut) }
			}
			runScenario(t, sc)
		})
	}
}

func aclDoc(grants ...string) string {
	s := `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>owner-canonical-id</ID><DisplayName>owner</DisplayName></Owner><AccessControlList>`
	for _, g := range grants {
		s += g
	}
	return s + `</AccessControlList></AccessControlPolicy>`
}

const (
	grantOwner = `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner-canonical-id</ID><DisplayName>owner</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>`
	grantLogs  = `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/s3/LogDelivery</URI></Grantee><Permission>WRITE</Permission></Grant>`
	grantAll   = `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>`
	grantAuth  = `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AuthenticatedUsers</URI></Grantee><Permission>WRITE_ACP</Permission></Grant>`
)

func TestS3RemovePublicACLGrants(t *testing.T) {
	const bucket, arn = "example-data", "arn:aws:s3:::example-data"
	ownership := func(o string) string {
		return `<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>` + o + `</ObjectOwnership></Rule></OwnershipControls>`
	}
	tests := []struct {
		reason    string
		ownership string
		acl       string
		wantPut   string
		detail    string
	}{
		{
			reason: "public grants removed, owner and log delivery grants kept in order",
			acl:    aclDoc(grantOwner, grantAll, grantLogs, grantAuth),
			// The SDK writes the grantee's xsi:type attribute: compare without it.
			wantPut: aclDoc(grantOwner, grantLogs),
			detail:  "remove grants READ to AllUsers, WRITE_ACP to AuthenticatedUsers; keep 2 other grants",
		},
		{
			reason:    "ObjectWriter ownership: ACLs apply, so public grants are removed",
			ownership: ownership("ObjectWriter"),
			acl:       aclDoc(grantOwner, grantAll),
			wantPut:   aclDoc(grantOwner),
			detail:    "remove grants READ to AllUsers; keep 1 other grants",
		},
		{
			reason: "no public grant: nothing to do",
			acl:    aclDoc(grantOwner, grantLogs),
			detail: "the bucket ACL grants nothing to AllUsers or AuthenticatedUsers",
		},
		{
			reason:    "BucketOwnerEnforced: ACLs are disabled, no PutBucketAcl",
			ownership: ownership("BucketOwnerEnforced"),
			acl:       aclDoc(grantOwner),
			detail:    "ACLs are disabled (object ownership BucketOwnerEnforced); no grant has effect",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "s3-remove-public-acl-grants",
				target: Target{ResourceID: bucket},
				setup: func(f *fakeAWS) {
					docs := map[string]string{"acl": tt.acl}
					if tt.ownership != "" {
						docs["ownershipControls"] = tt.ownership
					}
					f.bucket(bucket, docs)
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "s3:PutBucketAcl", Resource: arn, Detail: tt.detail}},
			}
			if tt.wantPut != "" {
				sc.wantWrites = []string{"s3:PutBucketAcl"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) { checkXML(t, "PutBucketAcl", w[0].Body, tt.wantPut) }
			}
			runScenario(t, sc)
		})
	}
}
