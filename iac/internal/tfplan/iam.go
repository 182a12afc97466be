package tfplan

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["aws_iam_role"] = mapping{"AWS::IAM::Role", iamRole}
	mappings["aws_iam_user"] = mapping{"AWS::IAM::User", iamUser}
	mappings["aws_iam_group"] = mapping{"AWS::IAM::Group", iamGroup}
	mappings["aws_iam_policy"] = mapping{"AWS::IAM::Policy", iamPolicy}
	companions["aws_iam_policy"] = iamPolicyCount
	companions["aws_iam_role_policy"] = iamInline("role", "aws_iam_role", "rolePolicyList")
	companions["aws_iam_user_policy"] = iamInline("user", "aws_iam_user", "userPolicyList")
	companions["aws_iam_group_policy"] = iamInline("group", "aws_iam_group", "groupPolicyList")
	companions["aws_iam_role_policy_attachment"] = iamAttachment("role", "aws_iam_role")
	companions["aws_iam_user_policy_attachment"] = iamAttachment("user", "aws_iam_user")
	companions["aws_iam_group_policy_attachment"] = iamAttachment("group", "aws_iam_group")
	companions["aws_iam_policy_attachment"] = iamPolicyAttachment
	companions["aws_iam_user_group_membership"] = iamUserGroupMembership
	companions["aws_iam_group_membership"] = iamGroupMembership
}

// iamEntity fills what roles, users and groups share.
func iamEntity(c *conv, r *res, kind, idKey, nameKey, listKey string) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.Region = "global"
	b.AZ = "Not Applicable"
	name := v.StringOr("name", value.ResourceID(r.Address, r.Address+".name"))
	path := v.StringOr("path", "/")
	arn := value.Concat("arn:", c.partition(), ":iam::", c.account(), ":"+kind, path, name)
	b.Config[nameKey] = name
	b.Config[idKey] = r.Address
	b.Config["path"] = path
	b.Config["arn"] = arn
	b.ARN = arn
	inline := []any{}
	if list, ok := v.Objs("inline_policy"); ok {
		for _, p := range list {
			if n := p.StringOr("name", ""); n != "" {
				doc, _ := p.Raw("policy")
				inline = append(inline, ci.InlinePolicy(n, doc))
			}
		}
	}
	b.Config[listKey] = inline
	attached := []any{}
	if l, ok := v.Strings("managed_policy_arns"); ok {
		for _, a := range listOf(l) {
			attached = append(attached, ci.AttachedPolicy(a))
		}
	}
	b.Config["attachedManagedPolicies"] = attached
	if p := v.StringOr("permissions_boundary", ""); p != "" {
		b.Config["permissionsBoundary"] = map[string]any{"permissionsBoundaryArn": p, "permissionsBoundaryType": "Policy"}
	}
	tags(r, b)
	if kind != "group" {
		b.Config["tags"] = ci.KeyValueTags(b.Tags)
	}
	return b
}

func iamRole(c *conv, r *res) *ci.Builder {
	b := iamEntity(c, r, "role", "roleId", "roleName", "rolePolicyList")
	doc, ok := r.v.Raw("assume_role_policy")
	if !ok {
		r.v.Fail("assume_role_policy", "is required")
	}
	b.Config["assumeRolePolicyDocument"] = ci.IAMDoc(doc)
	b.Config["instanceProfileList"] = []any{}
	b.Config["description"] = r.v.StringOr("description", nil)
	b.Config["maxSessionDuration"] = r.v.IntOr("max_session_duration", ci.Int(3600))
	return b
}

func iamUser(c *conv, r *res) *ci.Builder {
	b := iamEntity(c, r, "user", "userId", "userName", "userPolicyList")
	b.Config["groupList"] = []any{}
	return b
}

func iamGroup(c *conv, r *res) *ci.Builder {
	return iamEntity(c, r, "group", "groupId", "groupName", "groupPolicyList")
}

func iamPolicy(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	b.Region = "global"
	b.AZ = "Not Applicable"
	name := v.StringOr("name", value.ResourceID(r.Address, r.Address+".name"))
	path := v.StringOr("path", "/")
	arn := value.Concat("arn:", c.partition(), ":iam::", c.account(), ":policy", path, name)
	doc, ok := v.Raw("policy")
	if !ok {
		v.Fail("policy", "is required")
	}
	b.Config["policyName"] = name
	b.Config["policyId"] = r.Address
	b.Config["arn"] = arn
	b.ARN = arn
	b.Config["path"] = path
	b.Config["description"] = v.StringOr("description", "")
	b.Config["defaultVersionId"] = "v1"
	b.Config["isAttachable"] = true
	b.Config["attachmentCount"] = ci.Int(0)
	b.Config["permissionsBoundaryUsageCount"] = ci.Int(0)
	b.Config["policyVersionList"] = []any{map[string]any{
		"document": ci.IAMDoc(doc), "versionId": "v1", "isDefaultVersion": true,
	}}
	tags(r, b)
	return b
}

// iamPolicyCount counts the attachments of a policy of the plan once every
// attachment resource has been merged.
func iamPolicyCount(c *conv, r *res) error {
	b := c.builders[r.Address]
	if b == nil {
		return nil
	}
	b.Finish = func() {
		n := 0
		for addr, other := range c.builders {
			switch c.p.byAddress[addr].Type {
			case "aws_iam_role", "aws_iam_user", "aws_iam_group":
			default:
				continue
			}
			for _, e := range other.Config["attachedManagedPolicies"].([]any) {
				if m, ok := e.(map[string]any); ok && sameText(m["policyArn"], b.Config["arn"]) {
					n++
				}
			}
		}
		b.Config["attachmentCount"] = ci.Int(n)
	}
	return nil
}

func sameText(a, b any) bool {
	text := func(v any) (string, bool) {
		switch x := v.(type) {
		case string:
			return x, true
		case value.Unknown:
			return x.Text, true
		}
		return "", false
	}
	sa, ok1 := text(a)
	sb, ok2 := text(b)
	return ok1 && ok2 && sa == sb
}

// targets returns the builders of every resource of type typ an attribute
// designates (a list of names, or one name).
func (c *conv) targets(r *res, attr, typ string) ([]*ci.Builder, error) {
	var out []*ci.Builder
	seen := map[string]bool{}
	for _, ref := range c.p.References(r.Instance, attr) {
		if t, ok := c.p.Resolve(r.Instance, []string{ref}); ok && t.Type == typ && !seen[t.Address] {
			seen[t.Address] = true
			if b := c.builders[t.Address]; b != nil {
				out = append(out, c.touch(b))
			}
		}
	}
	raw, ok := r.v.Raw(attr)
	if !ok {
		return out, nil
	}
	for _, e := range listOf(raw) {
		s, isStr := e.(string)
		if !isStr {
			continue
		}
		found := false
		for _, cand := range c.p.Instances {
			if cand.Type == typ && (cand.Values["name"] == s || cand.Values["id"] == s) {
				found = true
				if !seen[cand.Address] {
					seen[cand.Address] = true
					if b := c.builders[cand.Address]; b != nil {
						out = append(out, c.touch(b))
					}
				}
			}
		}
		if !found {
			return nil, propErr(attr, "%s %q is not in this plan, so its configuration is not known", typ, s)
		}
	}
	if len(out) == 0 {
		if u, isUnknown := raw.(value.Unknown); isUnknown {
			return nil, propErr(attr, "is known only after apply (%s) and references no %s of this plan", u.Reason(), typ)
		}
	}
	return out, nil
}

func iamInline(attr, typ, list string) companion {
	return func(c *conv, r *res) error {
		_, b, err := c.target(r, attr, typ, "name")
		if err != nil {
			return err
		}
		doc, ok := r.v.Raw("policy")
		if !ok {
			r.v.Fail("policy", "is required")
			return nil
		}
		name := r.v.StringOr("name", value.NewUnknown(r.Address+".name"))
		b.Config[list] = append(b.Config[list].([]any), ci.InlinePolicy(name, doc))
		return nil
	}
}

// policyARN returns a policy_arn attribute; a reference to a policy of the
// plan gives that policy's ARN as its item shows it.
func (c *conv) policyARN(r *res) any {
	if t := c.refInstance(r.Instance, "policy_arn", "aws_iam_policy"); t != nil {
		if b := c.builders[t.Address]; b != nil {
			return b.Config["arn"]
		}
	}
	return r.v.StringOr("policy_arn", nil)
}

func attach(entity *ci.Builder, arn any) {
	list := entity.Config["attachedManagedPolicies"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && sameText(m["policyArn"], arn) {
			return
		}
	}
	entity.Config["attachedManagedPolicies"] = append(list, ci.AttachedPolicy(arn))
}

func iamAttachment(attr, typ string) companion {
	return func(c *conv, r *res) error {
		_, b, err := c.target(r, attr, typ, "name")
		if err != nil {
			return err
		}
		attach(b, c.policyARN(r))
		return nil
	}
}

func iamPolicyAttachment(c *conv, r *res) error {
	arn := c.policyARN(r)
	for _, k := range []struct{ attr, typ string }{{"roles", "aws_iam_role"}, {"users", "aws_iam_user"}, {"groups", "aws_iam_group"}} {
		bs, err := c.targets(r, k.attr, k.typ)
		if err != nil {
			return err
		}
		for _, b := range bs {
			attach(b, arn)
		}
	}
	return nil
}

func addGroup(user *ci.Builder, group any) {
	list := user.Config["groupList"].([]any)
	for _, g := range list {
		if sameText(g, group) {
			return
		}
	}
	user.Config["groupList"] = append(list, group)
}

func iamUserGroupMembership(c *conv, r *res) error {
	_, user, err := c.target(r, "user", "aws_iam_user", "name")
	if err != nil {
		return err
	}
	groups, _ := r.v.Strings("groups")
	bs, _ := c.targets(r, "groups", "aws_iam_group")
	for _, b := range bs {
		addGroup(user, b.Config["groupName"])
	}
	for _, g := range listOf(groups) {
		if s, ok := g.(string); ok {
			addGroup(user, s)
		}
	}
	return nil
}

func iamGroupMembership(c *conv, r *res) error {
	group := r.v.StringOr("group", nil)
	if t := c.refInstance(r.Instance, "group", "aws_iam_group"); t != nil {
		group = c.builders[t.Address].Config["groupName"]
	}
	users, err := c.targets(r, "users", "aws_iam_user")
	if err != nil {
		return err
	}
	for _, u := range users {
		addGroup(u, group)
	}
	return nil
}
