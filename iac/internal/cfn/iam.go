package cfn

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["AWS::IAM::Role"] = mapping{"AWS::IAM::Role", iamRole}
	mappings["AWS::IAM::User"] = mapping{"AWS::IAM::User", iamUser}
	mappings["AWS::IAM::Group"] = mapping{"AWS::IAM::Group", iamGroup}
	mappings["AWS::IAM::ManagedPolicy"] = mapping{"AWS::IAM::Policy", iamManagedPolicy}
	companions["AWS::IAM::ManagedPolicy"] = iamManagedPolicyAttach
	companions["AWS::IAM::Policy"] = iamInlinePolicy
	companions["AWS::IAM::RolePolicy"] = iamEntityPolicy("RoleName", "AWS::IAM::Role", "rolePolicyList")
	companions["AWS::IAM::UserPolicy"] = iamEntityPolicy("UserName", "AWS::IAM::User", "userPolicyList")
	companions["AWS::IAM::GroupPolicy"] = iamEntityPolicy("GroupName", "AWS::IAM::Group", "groupPolicyList")
	companions["AWS::IAM::UserToGroupAddition"] = iamUserToGroup
	companions["AWS::IAM::InstanceProfile"] = iamInstanceProfile
}

// iamEntity fills what roles, users and groups share: name, id, ARN, path,
// inline policies (Policies) and managed policies (ManagedPolicyArns).
func iamEntity(c *conv, r *res, kind, nameProp, idKey, nameKey, listKey string) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.Region = "global"
	b.AZ = "Not Applicable"
	name, err := c.t.name(r.Resource)
	if err != nil {
		r.errs.Add(nameProp, "%s", errMsg(err))
		return b
	}
	c.nameIs(r.Type, name, r.LogicalID)
	b.Config[nameKey] = name
	b.Config[idKey] = r.LogicalID
	b.Config["path"] = p.StringOr("Path", "/")
	arn, err := c.t.iamARN(r.Resource, kind, nameProp)
	if err != nil {
		r.errs.Add(nameProp, "%s", errMsg(err))
	}
	b.Config["arn"] = arn
	b.ARN = arn
	inline := []any{}
	if list, ok := p.Objs("Policies"); ok {
		for _, pol := range list {
			doc, _ := pol.Raw("PolicyDocument")
			inline = append(inline, ci.InlinePolicy(pol.StringOr("PolicyName", nil), doc))
		}
	}
	b.Config[listKey] = inline
	attached := []any{}
	if v, ok := p.Strings("ManagedPolicyArns"); ok {
		if l, isList := v.([]any); isList {
			for _, a := range l {
				attached = append(attached, ci.AttachedPolicy(a))
			}
		} else {
			attached = append(attached, ci.AttachedPolicy(v))
		}
	}
	b.Config["attachedManagedPolicies"] = attached
	if v, ok := p.String("PermissionsBoundary"); ok {
		b.Config["permissionsBoundary"] = map[string]any{"permissionsBoundaryArn": v, "permissionsBoundaryType": "Policy"}
	}
	tags(r, b)
	if kind != "group" {
		b.Config["tags"] = ci.KeyValueTags(b.Tags)
	}
	return b
}

func iamRole(c *conv, r *res) *ci.Builder {
	b := iamEntity(c, r, "role", "RoleName", "roleId", "roleName", "rolePolicyList")
	doc, ok := r.props.Raw("AssumeRolePolicyDocument")
	if !ok {
		r.props.Fail("AssumeRolePolicyDocument", "is required")
	}
	b.Config["assumeRolePolicyDocument"] = ci.IAMDoc(doc)
	b.Config["instanceProfileList"] = []any{}
	b.Config["description"] = r.props.StringOr("Description", nil)
	b.Config["maxSessionDuration"] = r.props.IntOr("MaxSessionDuration", ci.Int(3600))
	return b
}

func iamUser(c *conv, r *res) *ci.Builder {
	b := iamEntity(c, r, "user", "UserName", "userId", "userName", "userPolicyList")
	groups := []any{}
	if v, ok := r.props.Strings("Groups"); ok {
		if l, isList := v.([]any); isList {
			groups = l
		} else {
			groups = []any{v}
		}
	}
	b.Config["groupList"] = groups
	return b
}

func iamGroup(c *conv, r *res) *ci.Builder {
	return iamEntity(c, r, "group", "GroupName", "groupId", "groupName", "groupPolicyList")
}

func iamManagedPolicy(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	b.Region = "global"
	b.AZ = "Not Applicable"
	name, ok := p.String("ManagedPolicyName")
	if !ok {
		name = value.ResourceID(r.LogicalID, r.LogicalID)
	}
	c.nameIs(r.Type, name, r.LogicalID)
	arn, err := c.t.iamARN(r.Resource, "policy", "ManagedPolicyName")
	if err != nil {
		r.errs.Add("ManagedPolicyName", "%s", errMsg(err))
	}
	c.nameIs(r.Type, arn, r.LogicalID)
	doc, ok := p.Raw("PolicyDocument")
	if !ok {
		p.Fail("PolicyDocument", "is required")
	}
	b.Config["policyName"] = name
	b.Config["policyId"] = r.LogicalID
	b.Config["arn"] = arn
	b.ARN = arn
	b.Config["path"] = p.StringOr("Path", "/")
	b.Config["description"] = p.StringOr("Description", "")
	b.Config["defaultVersionId"] = "v1"
	b.Config["isAttachable"] = true
	b.Config["attachmentCount"] = ci.Int(0)
	b.Config["permissionsBoundaryUsageCount"] = ci.Int(0)
	b.Config["policyVersionList"] = []any{map[string]any{
		"document":         ci.IAMDoc(doc),
		"versionId":        "v1",
		"isDefaultVersion": true,
	}}
	return b
}

// attach adds a managed policy attachment to an entity and counts it on
// the policy's own item when the policy is in the template.
func (c *conv) attach(entity *ci.Builder, policyARN any) {
	list := entity.Config["attachedManagedPolicies"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && sameValue(m["policyArn"], policyARN) {
			return
		}
	}
	entity.Config["attachedManagedPolicies"] = append(list, ci.AttachedPolicy(policyARN))
}

func sameValue(a, b any) bool {
	sa, ok1 := value.AsString(a)
	sb, ok2 := value.AsString(b)
	if !ok1 || !ok2 {
		return false
	}
	if ua, ok := sa.(value.Unknown); ok {
		ub, ok := sb.(value.Unknown)
		return ok && ua.Text == ub.Text
	}
	return sa == sb
}

// iamManagedPolicyAttach attaches a managed policy to the Roles, Users and
// Groups it lists, and counts every attachment (also those made through an
// entity's ManagedPolicyArns).
func iamManagedPolicyAttach(c *conv, r *res) error {
	b := c.builders[r.LogicalID]
	if b == nil {
		return nil
	}
	arn := b.Config["arn"]
	for _, kind := range []struct{ key, typ string }{{"Roles", "AWS::IAM::Role"}, {"Users", "AWS::IAM::User"}, {"Groups", "AWS::IAM::Group"}} {
		v, ok := r.props.Strings(kind.key)
		if !ok {
			continue
		}
		l, _ := v.([]any)
		for _, e := range l {
			_, entity, err := c.targetOf(e, kind.key, kind.typ, nil)
			if err != nil {
				return err
			}
			c.attach(entity, arn)
		}
	}
	b.Finish = func() {
		n := 0
		for id, other := range c.builders {
			if t := c.t.resources[id].Type; t != "AWS::IAM::Role" && t != "AWS::IAM::User" && t != "AWS::IAM::Group" {
				continue
			}
			for _, e := range other.Config["attachedManagedPolicies"].([]any) {
				if m, ok := e.(map[string]any); ok && sameValue(m["policyArn"], arn) {
					n++
				}
			}
		}
		b.Config["attachmentCount"] = ci.Int(n)
	}
	return nil
}

// iamInlinePolicy merges AWS::IAM::Policy into the inline policy lists of
// the roles, users and groups it names.
func iamInlinePolicy(c *conv, r *res) error {
	doc, ok := r.props.Raw("PolicyDocument")
	if !ok {
		r.props.Fail("PolicyDocument", "is required")
		return nil
	}
	name := r.props.StringOr("PolicyName", nil)
	found := false
	for _, kind := range []struct{ key, typ, list string }{
		{"Roles", "AWS::IAM::Role", "rolePolicyList"},
		{"Users", "AWS::IAM::User", "userPolicyList"},
		{"Groups", "AWS::IAM::Group", "groupPolicyList"},
	} {
		v, ok := r.props.Strings(kind.key)
		if !ok {
			continue
		}
		l, _ := v.([]any)
		for _, e := range l {
			found = true
			_, entity, err := c.targetOf(e, kind.key, kind.typ, nil)
			if err != nil {
				return err
			}
			entity.Config[kind.list] = append(entity.Config[kind.list].([]any), ci.InlinePolicy(name, doc))
		}
	}
	if !found {
		r.props.Fail("Roles", "one of Roles, Users or Groups is required")
	}
	return nil
}

// iamEntityPolicy merges AWS::IAM::RolePolicy (UserPolicy, GroupPolicy).
func iamEntityPolicy(key, typ, list string) companion {
	return func(c *conv, r *res) error {
		_, entity, err := c.target(r, key, typ, nil)
		if err != nil {
			return err
		}
		doc, _ := r.props.Raw("PolicyDocument")
		entity.Config[list] = append(entity.Config[list].([]any), ci.InlinePolicy(r.props.StringOr("PolicyName", nil), doc))
		return nil
	}
}

func iamUserToGroup(c *conv, r *res) error {
	group, ok := r.props.String("GroupName")
	if !ok {
		r.props.Fail("GroupName", "is required")
		return nil
	}
	users, _ := r.props.Strings("Users")
	l, _ := users.([]any)
	for _, u := range l {
		_, user, err := c.targetOf(u, "Users", "AWS::IAM::User", nil)
		if err != nil {
			return err
		}
		user.Config["groupList"] = append(user.Config["groupList"].([]any), group)
	}
	return nil
}

func iamInstanceProfile(c *conv, r *res) error {
	roles, _ := r.props.Strings("Roles")
	l, _ := roles.([]any)
	name, ok := r.props.String("InstanceProfileName")
	if !ok {
		name = value.ResourceID(r.LogicalID, r.LogicalID)
	}
	for _, e := range l {
		_, role, err := c.targetOf(e, "Roles", "AWS::IAM::Role", nil)
		if err != nil {
			return err
		}
		role.Config["instanceProfileList"] = append(role.Config["instanceProfileList"].([]any), map[string]any{
			"instanceProfileName": name,
			"instanceProfileId":   r.LogicalID,
			"path":                r.props.StringOr("Path", "/"),
			"arn":                 value.Concat("arn:", c.partition(), ":iam::", c.account(), ":instance-profile/", name),
		})
	}
	return nil
}
