package remediate

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	userID  = "AIDAIJBD5UKDCJ3FVAIMU"
	userARN = "arn:aws:iam::123456789012:user/ops/alice"
	iamNS   = `xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`
)

// fakeAccessKey is an access key and when it was last used (zero: never).
type fakeAccessKey struct {
	id       string
	status   string
	created  time.Time
	lastUsed time.Time
}

func daysAgo(n int) time.Time { return testNow.Add(-time.Duration(n) * 24 * time.Hour) }

// iamUsers installs ListUsers (two pages; alice on the second) and the
// access key calls for alice.
func (f *fakeAWS) iamUsers(keys []fakeAccessKey) {
	f.on("iam:ListUsers", func(c call) reply {
		user := func(name, id, arn string) string {
			return fmt.Sprintf(`<member><Path>/</Path><UserName>%s</UserName><UserId>%s</UserId><Arn>%s</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate></member>`, name, id, arn)
		}
		page := user("bob", "AIDAIK37QSK4WVPTLQJVE", "arn:aws:iam::123456789012:user/bob") + `</Users><IsTruncated>true</IsTruncated><Marker>page2</Marker>`
		if c.Form.Get("Marker") == "page2" {
			page = user("alice", userID, userARN) + `</Users><IsTruncated>false</IsTruncated>`
		}
		return ok200(`<ListUsersResponse ` + iamNS + `><ListUsersResult><Users>` + page + `</ListUsersResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListUsersResponse>`)
	})
	f.on("iam:ListAccessKeys", func(c call) reply {
		if c.Form.Get("UserName") != "alice" {
			return f.errorReply("iam:ListAccessKeys", 404, "NoSuchEntity", "The user cannot be found.")
		}
		var members strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&members, `<member><UserName>alice</UserName><AccessKeyId>%s</AccessKeyId><Status>%s</Status><CreateDate>%s</CreateDate></member>`,
				k.id, k.status, k.created.Format(time.RFC3339))
		}
		return ok200(`<ListAccessKeysResponse ` + iamNS + `><ListAccessKeysResult><AccessKeyMetadata>` + members.String() +
			`</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult></ListAccessKeysResponse>`)
	})
	f.on("iam:GetAccessKeyLastUsed", func(c call) reply {
		for _, k := range keys {
			if k.id != c.Form.Get("AccessKeyId") {
				continue
			}
			used := `<ServiceName>N/A</ServiceName><Region>N/A</Region>`
			if !k.lastUsed.IsZero() {
				used = `<LastUsedDate>` + k.lastUsed.Format(time.RFC3339) + `</LastUsedDate><ServiceName>s3</ServiceName><Region>us-east-1</Region>`
			}
			return ok200(`<GetAccessKeyLastUsedResponse ` + iamNS + `><GetAccessKeyLastUsedResult><UserName>alice</UserName><AccessKeyLastUsed>` + used +
				`</AccessKeyLastUsed></GetAccessKeyLastUsedResult></GetAccessKeyLastUsedResponse>`)
		}
		return f.errorReply("iam:GetAccessKeyLastUsed", 404, "NoSuchEntity", "no such key")
	})
	f.on("iam:UpdateAccessKey", func(c call) reply {
		for i := range keys {
			if keys[i].id == c.Form.Get("AccessKeyId") && c.Form.Get("UserName") == "alice" {
				keys[i].status = c.Form.Get("Status")
				return ok200(`<UpdateAccessKeyResponse ` + iamNS + `><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></UpdateAccessKeyResponse>`)
			}
		}
		return f.errorReply("iam:UpdateAccessKey", 404, "NoSuchEntity", "no such key")
	})
	f.fail("iam:DeleteAccessKey", 500, "InternalError", "a remediation never deletes keys")
}

func TestIAMDeactivateStaleAccessKeys(t *testing.T) {
	deactivate := func(id string) url.Values {
		return url.Values{"UserName": {"alice"}, "AccessKeyId": {id}, "Status": {"Inactive"}}
	}
	tests := []struct {
		reason   string
		params   map[string]string
		keys     []fakeAccessKey
		wantOff  []string
		wantActs []Action
	}{
		{
			reason: "default limits: an old key is deactivated though used yesterday; a young unused key stays",
			keys: []fakeAccessKey{
				{id: "AKIAOLD0000000000001", status: "Active", created: daysAgo(200), lastUsed: daysAgo(1)},
				{id: "AKIAYOUNG00000000002", status: "Active", created: daysAgo(30)},
			},
			wantOff: []string{"AKIAOLD0000000000001"},
			wantActs: []Action{
				{API: "iam:UpdateAccessKey", Resource: userARN, Needed: true, Applied: true,
					Detail: "access key AKIAOLD0000000000001 created 200 days ago, last used 1 day ago: older than 90 days; deactivate it"},
				{API: "iam:UpdateAccessKey", Resource: userARN, Detail: "access key AKIAYOUNG00000000002 created 30 days ago, never used; within limits"},
			},
		},
		{
			reason: "unused limit: a key unused for 50 days and one never used in 60 go; inactive keys are left",
			params: map[string]string{"maxAccessKeyAge": "365", "maxCredentialUsageAge": "45"},
			keys: []fakeAccessKey{
				{id: "AKIAIDLE000000000003", status: "Active", created: daysAgo(100), lastUsed: daysAgo(50)},
				{id: "AKIANEVER00000000004", status: "Active", created: daysAgo(60)},
				{id: "AKIAOFF0000000000005", status: "Inactive", created: daysAgo(1000)},
				{id: "AKIABUSY00000000006", status: "Active", created: daysAgo(100), lastUsed: daysAgo(2)},
			},
			wantOff: []string{"AKIAIDLE000000000003", "AKIANEVER00000000004"},
			wantActs: []Action{
				{API: "iam:UpdateAccessKey", Resource: userARN, Needed: true, Applied: true,
					Detail: "access key AKIAIDLE000000000003 created 100 days ago, last used 50 days ago: unused for more than 45 days; deactivate it"},
				{API: "iam:UpdateAccessKey", Resource: userARN, Needed: true, Applied: true,
					Detail: "access key AKIANEVER00000000004 created 60 days ago, never used: unused for more than 45 days; deactivate it"},
				{API: "iam:UpdateAccessKey", Resource: userARN, Detail: "access key AKIAOFF0000000000005 is already Inactive"},
				{API: "iam:UpdateAccessKey", Resource: userARN, Detail: "access key AKIABUSY00000000006 created 100 days ago, last used 2 days ago; within limits"},
			},
		},
		{
			reason:   "no keys: nothing to do",
			wantActs: []Action{{API: "iam:UpdateAccessKey", Resource: userARN, Detail: "the user has no access keys"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:         "iam-deactivate-stale-access-keys",
				target:      Target{ResourceID: userID, Parameters: tt.params},
				setup:       func(f *fakeAWS) { f.iamUsers(append([]fakeAccessKey(nil), tt.keys...)) },
				wantWrites:  []string{},
				wantActions: tt.wantActs,
			}
			for range tt.wantOff {
				sc.wantWrites = append(sc.wantWrites, "iam:UpdateAccessKey")
			}
			sc.checkWrites = func(t *testing.T, w []call) {
				for i, id := range tt.wantOff {
					checkForm(t, w[i], deactivate(id))
				}
			}
			runScenario(t, sc)
		})
	}
}

func TestIAMStrengthenPasswordPolicy(t *testing.T) {
	const arn = "arn:aws:iam::123456789012:account"
	policyXML := func(form url.Values) string {
		var b strings.Builder
		for _, k := range []string{"MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters", "RequireLowercaseCharacters",
			"AllowUsersToChangePassword", "MaxPasswordAge", "PasswordReusePrevention", "HardExpiry"} {
			if v := form.Get(k); v != "" {
				fmt.Fprintf(&b, "<%s>%s</%s>", k, v, k)
			}
		}
		if form.Get("MaxPasswordAge") != "" {
			b.WriteString("<ExpirePasswords>true</ExpirePasswords>")
		}
		return `<GetAccountPasswordPolicyResponse ` + iamNS + `><GetAccountPasswordPolicyResult><PasswordPolicy>` + b.String() +
			`</PasswordPolicy></GetAccountPasswordPolicyResult></GetAccountPasswordPolicyResponse>`
	}
	tests := []struct {
		reason  string
		params  map[string]string
		current url.Values // nil: no policy
		want    url.Values // the UpdateAccountPasswordPolicy request; nil: no write
		detail  string
	}{
		{
			reason: "no policy: created with the defaults",
			// AllowUsersToChangePassword false is the API default: the SDK leaves it out.
			want: url.Values{"MinimumPasswordLength": {"14"}, "RequireSymbols": {"true"}, "RequireNumbers": {"true"},
				"RequireUppercaseCharacters": {"true"}, "RequireLowercaseCharacters": {"true"},
				"MaxPasswordAge": {"90"}, "PasswordReusePrevention": {"24"}, "HardExpiry": {"false"}},
			detail: "the account has no password policy; create one with MinimumPasswordLength 0 → 14, RequireUppercaseCharacters false → true, " +
				"RequireLowercaseCharacters false → true, RequireSymbols false → true, RequireNumbers false → true, PasswordReusePrevention 0 → 24, MaxPasswordAge 0 → 90",
		},
		{
			reason: "field by field: stronger fields kept, weaker raised, the rest carried over",
			current: url.Values{"MinimumPasswordLength": {"20"}, "RequireSymbols": {"false"}, "RequireNumbers": {"true"},
				"RequireUppercaseCharacters": {"true"}, "RequireLowercaseCharacters": {"true"}, "AllowUsersToChangePassword": {"true"},
				"MaxPasswordAge": {"30"}, "PasswordReusePrevention": {"5"}, "HardExpiry": {"true"}},
			want: url.Values{"MinimumPasswordLength": {"20"}, "RequireSymbols": {"true"}, "RequireNumbers": {"true"},
				"RequireUppercaseCharacters": {"true"}, "RequireLowercaseCharacters": {"true"}, "AllowUsersToChangePassword": {"true"},
				"MaxPasswordAge": {"30"}, "PasswordReusePrevention": {"24"}, "HardExpiry": {"true"}},
			detail: "strengthen RequireSymbols false → true, PasswordReusePrevention 5 → 24",
		},
		{
			reason: "weaker parameters never weaken a stronger policy",
			params: map[string]string{"MinimumPasswordLength": "8", "RequireSymbols": "false", "MaxPasswordAge": "365", "PasswordReusePrevention": "1"},
			current: url.Values{"MinimumPasswordLength": {"14"}, "RequireSymbols": {"true"}, "RequireNumbers": {"true"},
				"RequireUppercaseCharacters": {"true"}, "RequireLowercaseCharacters": {"true"}, "AllowUsersToChangePassword": {"false"},
				"MaxPasswordAge": {"90"}, "PasswordReusePrevention": {"24"}, "HardExpiry": {"false"}},
			detail: "the password policy already meets every requested field",
		},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			sc := scenario{
				rem:    "iam-strengthen-password-policy",
				target: Target{ResourceID: testAccount, Parameters: tt.params},
				setup: func(f *fakeAWS) {
					current := tt.current
					f.on("iam:GetAccountPasswordPolicy", func(call) reply {
						if current == nil {
							return f.errorReply("iam:GetAccountPasswordPolicy", 404, "NoSuchEntity", "The Password Policy with domain name 123456789012 cannot be found.")
						}
						return ok200(policyXML(current))
					})
					f.on("iam:UpdateAccountPasswordPolicy", func(c call) reply {
						current = c.Params()
						return ok200(`<UpdateAccountPasswordPolicyResponse ` + iamNS + `><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></UpdateAccountPasswordPolicyResponse>`)
					})
				},
				wantWrites:  []string{},
				wantActions: []Action{{API: "iam:UpdateAccountPasswordPolicy", Resource: arn, Detail: tt.detail}},
			}
			if tt.want != nil {
				sc.wantWrites = []string{"iam:UpdateAccountPasswordPolicy"}
				sc.wantActions[0].Needed, sc.wantActions[0].Applied = true, true
				sc.checkWrites = func(t *testing.T, w []call) { checkForm(t, w[0], tt.want) }
			}
			runScenario(t, sc)
		})
	}
}
