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

// The Config resource types of IAM. Config records them in the "global"
// region.
const (
	IAMUserType   = "AWS::IAM::User"
	IAMRoleType   = "AWS::IAM::Role"
	IAMGroupType  = "AWS::IAM::Group"
	IAMPolicyType = "AWS::IAM::Policy"
)

// IAMInlinePolicy is an inline policy of a user, role or group.
type IAMInlinePolicy struct {
	Name string
	// Document is the policy text as Config records it: URL-encoded JSON in
	// real items, plain JSON in some tools' output. rules/policy parses
	// both.
	Document string
}

// IAMAttachedPolicy is a managed policy attached to a user, role or group.
type IAMAttachedPolicy struct {
	Name string `json:"policyName"`
	ARN  string `json:"policyArn"`
}

// IAMPolicies are the policies of an identity. The Recorded flags say
// whether Config recorded the lists at all: an absent list is unknown, an
// empty one is none.
type IAMPolicies struct {
	Inline          []IAMInlinePolicy
	InlineRecorded  bool
	Managed         []IAMAttachedPolicy
	ManagedRecorded bool
}

// IAMUser is the view of an AWS::IAM::User item.
type IAMUser struct {
	Name, ID, ARN, Path string
	AccountID           string
	Policies            IAMPolicies
	// Groups are the names of the user's groups.
	Groups                 []string
	PermissionsBoundaryARN string
}

// IAMRole is the view of an AWS::IAM::Role item.
type IAMRole struct {
	Name, ID, ARN, Path string
	AccountID           string
	// AssumeRolePolicy is the trust policy, as recorded (URL-encoded JSON
	// in real items).
	AssumeRolePolicy       string
	Policies               IAMPolicies
	PermissionsBoundaryARN string
}

// IAMGroup is the view of an AWS::IAM::Group item.
type IAMGroup struct {
	Name, ID, ARN, Path string
	AccountID           string
	Policies            IAMPolicies
}

// IAMPolicyVersion is one version of a managed policy.
type IAMPolicyVersion struct {
	VersionID string
	IsDefault Bool
	// Document is the version's text as recorded (URL-encoded JSON in real
	// items).
	Document string
}

// IAMPolicy is the view of an AWS::IAM::Policy item: a customer managed
// policy (Config does not record AWS managed policies as items).
type IAMPolicy struct {
	Name, ID, ARN, Path string
	AccountID           string
	DefaultVersionID    string
	IsAttachable        Bool
	// AttachmentCount and PermissionsBoundaryUsageCount are -1 when not
	// recorded.
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	Versions                      []IAMPolicyVersion
}

// DefaultVersion returns the version in force: the one marked default, or
// the one named by DefaultVersionID; nil when neither was recorded.
func (p *IAMPolicy) DefaultVersion() *IAMPolicyVersion {
	for i := range p.Versions {
		if p.Versions[i].IsDefault.True() {
			return &p.Versions[i]
		}
	}
	for i := range p.Versions {
		if p.DefaultVersionID != "" && p.Versions[i].VersionID == p.DefaultVersionID {
			return &p.Versions[i]
		}
	}
	return nil
}

// AWSManaged reports whether the policy is an AWS managed policy (its ARN
// is in the "aws" account).
func (p *IAMPolicy) AWSManaged() bool {
	return strings.HasPrefix(p.ARN, "arn:aws:iam::aws:") || strings.Contains(p.ARN, ":iam::aws:policy/")
}

var (
	iamUsers    = evaluate.NewModel(IAMUserType, DecodeIAMUser)
	iamRoles    = evaluate.NewModel(IAMRoleType, DecodeIAMRole)
	iamGroups   = evaluate.NewModel(IAMGroupType, DecodeIAMGroup)
	iamPolicies = evaluate.NewModel(IAMPolicyType, DecodeIAMPolicy)
)

// IAMUserOf returns the view of the input's user, decoded once per item.
func IAMUserOf(in *evaluate.Input) (*IAMUser, error) { return iamUsers.Of(in) }

// IAMRoleOf returns the view of the input's role, decoded once per item.
func IAMRoleOf(in *evaluate.Input) (*IAMRole, error) { return iamRoles.Of(in) }

// IAMGroupOf returns the view of the input's group, decoded once per item.
func IAMGroupOf(in *evaluate.Input) (*IAMGroup, error) { return iamGroups.Of(in) }

// IAMPolicyOf returns the view of the input's policy, decoded once per
// item.
func IAMPolicyOf(in *evaluate.Input) (*IAMPolicy, error) { return iamPolicies.Of(in) }

// wireInline is an inline policy as recorded: userPolicyList,
// rolePolicyList and groupPolicyList entries.
type wireInline struct {
	PolicyName     string          `json:"policyName"`
	PolicyDocument json.RawMessage `json:"policyDocument"`
}

type wireBoundary struct {
	ARN string `json:"permissionsBoundaryArn"`
}

func decodePolicies(field string, inline *[]wireInline, managed *[]IAMAttachedPolicy) (IAMPolicies, error) {
	var p IAMPolicies
	if inline != nil {
		p.InlineRecorded = true
		for i, w := range *inline {
			doc, err := documentText(fmt.Sprintf("configuration.%s[%d].policyDocument", field, i), w.PolicyDocument)
			if err != nil {
				return p, err
			}
			p.Inline = append(p.Inline, IAMInlinePolicy{Name: w.PolicyName, Document: doc})
		}
	}
	if managed != nil {
		p.ManagedRecorded = true
		p.Managed = *managed
	}
	return p, nil
}

// documentText returns a recorded policy document as text: the string
// itself (URL-encoded or JSON), or the JSON of an object. The hand-made
// items of aws-config-rdk wrap the document in an array of one; that array
// is unwrapped.
func documentText(path string, raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var docs []json.RawMessage
		if err := json.Unmarshal(raw, &docs); err != nil {
			return "", fmt.Errorf("%s: %v", path, err)
		}
		if len(docs) != 1 {
			return "", fmt.Errorf("%s: want one document, got an array of %d", path, len(docs))
		}
		raw = bytes.TrimSpace(docs[0])
	}
	if len(raw) > 0 && raw[0] != '"' && raw[0] != '{' && string(raw) != "null" {
		return "", fmt.Errorf("%s: want a policy document (a string or an object), got %s", path, truncate(string(raw)))
	}
	text, err := jsonText(raw)
	if err != nil {
		return "", fmt.Errorf("%s: %v", path, err)
	}
	return text, nil
}

// DecodeIAMUser decodes an AWS::IAM::User item.
func DecodeIAMUser(ci *evaluate.ConfigurationItem) (*IAMUser, error) {
	var conf struct {
		UserName                string               `json:"userName"`
		UserID                  string               `json:"userId"`
		ARN                     string               `json:"arn"`
		Path                    string               `json:"path"`
		UserPolicyList          *[]wireInline        `json:"userPolicyList"`
		AttachedManagedPolicies *[]IAMAttachedPolicy `json:"attachedManagedPolicies"`
		GroupList               []string             `json:"groupList"`
		PermissionsBoundary     *wireBoundary        `json:"permissionsBoundary"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	pol, err := decodePolicies("userPolicyList", conf.UserPolicyList, conf.AttachedManagedPolicies)
	if err != nil {
		return nil, err
	}
	u := &IAMUser{Name: orIAM(conf.UserName, ci.ResourceName), ID: orIAM(conf.UserID, ci.ResourceID), ARN: orIAM(conf.ARN, ci.ARN),
		Path: conf.Path, AccountID: ci.AccountID, Policies: pol, Groups: conf.GroupList}
	if conf.PermissionsBoundary != nil {
		u.PermissionsBoundaryARN = conf.PermissionsBoundary.ARN
	}
	return u, nil
}

// DecodeIAMRole decodes an AWS::IAM::Role item.
func DecodeIAMRole(ci *evaluate.ConfigurationItem) (*IAMRole, error) {
	var conf struct {
		RoleName                 string               `json:"roleName"`
		RoleID                   string               `json:"roleId"`
		ARN                      string               `json:"arn"`
		Path                     string               `json:"path"`
		AssumeRolePolicyDocument json.RawMessage      `json:"assumeRolePolicyDocument"`
		RolePolicyList           *[]wireInline        `json:"rolePolicyList"`
		AttachedManagedPolicies  *[]IAMAttachedPolicy `json:"attachedManagedPolicies"`
		PermissionsBoundary      *wireBoundary        `json:"permissionsBoundary"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	pol, err := decodePolicies("rolePolicyList", conf.RolePolicyList, conf.AttachedManagedPolicies)
	if err != nil {
		return nil, err
	}
	trust, err := documentText("configuration.assumeRolePolicyDocument", conf.AssumeRolePolicyDocument)
	if err != nil {
		return nil, err
	}
	r := &IAMRole{Name: orIAM(conf.RoleName, ci.ResourceName), ID: orIAM(conf.RoleID, ci.ResourceID), ARN: orIAM(conf.ARN, ci.ARN),
		Path: conf.Path, AccountID: ci.AccountID, AssumeRolePolicy: trust, Policies: pol}
	if conf.PermissionsBoundary != nil {
		r.PermissionsBoundaryARN = conf.PermissionsBoundary.ARN
	}
	return r, nil
}

// DecodeIAMGroup decodes an AWS::IAM::Group item.
func DecodeIAMGroup(ci *evaluate.ConfigurationItem) (*IAMGroup, error) {
	var conf struct {
		GroupName               string               `json:"groupName"`
		GroupID                 string               `json:"groupId"`
		ARN                     string               `json:"arn"`
		Path                    string               `json:"path"`
		GroupPolicyList         *[]wireInline        `json:"groupPolicyList"`
		AttachedManagedPolicies *[]IAMAttachedPolicy `json:"attachedManagedPolicies"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	pol, err := decodePolicies("groupPolicyList", conf.GroupPolicyList, conf.AttachedManagedPolicies)
	if err != nil {
		return nil, err
	}
	return &IAMGroup{Name: orIAM(conf.GroupName, ci.ResourceName), ID: orIAM(conf.GroupID, ci.ResourceID), ARN: orIAM(conf.ARN, ci.ARN),
		Path: conf.Path, AccountID: ci.AccountID, Policies: pol}, nil
}

// iamCount is a number Config may write as an integer, a float (4.0) or a
// string; -1 when not recorded.
type iamCount int

func (c *iamCount) UnmarshalJSON(data []byte) error {
	s := strings.Trim(strings.TrimSpace(string(data)), `"`)
	if s == "null" || s == "" {
		*c = -1
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
		return fmt.Errorf("want a count, got %s", truncate(string(data)))
	}
	*c = iamCount(f)
	return nil
}

// DecodeIAMPolicy decodes an AWS::IAM::Policy item.
func DecodeIAMPolicy(ci *evaluate.ConfigurationItem) (*IAMPolicy, error) {
	var conf struct {
		PolicyName                    string    `json:"policyName"`
		PolicyID                      string    `json:"policyId"`
		ARN                           string    `json:"arn"`
		Path                          string    `json:"path"`
		DefaultVersionID              string    `json:"defaultVersionId"`
		IsAttachable                  Bool      `json:"isAttachable"`
		AttachmentCount               *iamCount `json:"attachmentCount"`
		PermissionsBoundaryUsageCount *iamCount `json:"permissionsBoundaryUsageCount"`
		PolicyVersionList             []struct {
			Document         json.RawMessage `json:"document"`
			VersionID        string          `json:"versionId"`
			IsDefaultVersion Bool            `json:"isDefaultVersion"`
		} `json:"policyVersionList"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	p := &IAMPolicy{Name: orIAM(conf.PolicyName, ci.ResourceName), ID: orIAM(conf.PolicyID, ci.ResourceID), ARN: orIAM(conf.ARN, ci.ARN),
		Path: conf.Path, AccountID: ci.AccountID, DefaultVersionID: conf.DefaultVersionID, IsAttachable: conf.IsAttachable,
		AttachmentCount: -1, PermissionsBoundaryUsageCount: -1}
	if conf.AttachmentCount != nil {
		p.AttachmentCount = int(*conf.AttachmentCount)
	}
	if conf.PermissionsBoundaryUsageCount != nil {
		p.PermissionsBoundaryUsageCount = int(*conf.PermissionsBoundaryUsageCount)
	}
	for i, v := range conf.PolicyVersionList {
		doc, err := documentText(fmt.Sprintf("configuration.policyVersionList[%d].document", i), v.Document)
		if err != nil {
			return nil, err
		}
		p.Versions = append(p.Versions, IAMPolicyVersion{VersionID: v.VersionID, IsDefault: v.IsDefaultVersion, Document: doc})
	}
	return p, nil
}

// orIAM returns the first value that is not empty.
func orIAM(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
