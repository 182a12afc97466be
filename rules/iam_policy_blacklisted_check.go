package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// IAMPolicyBlacklistedCheck checks that none of the managed policies named
// in policyArns (AdministratorAccess by default) is attached directly to an
// IAM user, group or role. Users, groups and roles named in exceptionList
// are NOT_APPLICABLE (the managed rule's page leaves their outcome open).
//
// Where the page leaves things open, the rule takes the safer reading:
// ARNs match whatever their partition, so the default also finds
// AdministratorAccess in aws-cn and aws-us-gov; names in exceptionList
// match exactly (IAM keeps the case given); and since IAM names may hold
// commas, names in exceptionList are separated by ";" as the page shows,
// and a comma inside the brackets is an error rather than a guess.
//
// Before deployment (infrastructure as code) an attached policy whose ARN
// is not known yet, or a blocked policy on an identity whose name is not
// known while exceptionList names identities of its kind, is
// INSUFFICIENT_DATA.
func IAMPolicyBlacklistedCheck() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "iam-policy-blacklisted-check",
		Summary:       "No IAM user, group or role has a blocked managed policy (AdministratorAccess by default) attached.",
		Rationale:     "Broad policies such as AdministratorAccess give any holder full control of the account; keeping them off identities limits what a stolen credential can do.",
		ResourceTypes: []string{resource.IAMUserType, resource.IAMGroupType, resource.IAMRoleType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{
			{Name: "policyArns", Type: evaluate.CSV, Default: "arn:aws:iam::aws:policy/AdministratorAccess",
				Description: "Comma-separated ARNs of the managed policies that must not be attached to any IAM user, group or role."},
			{Name: "exceptionList", Type: evaluate.CSV,
				Description: "Users, groups and roles the rule does not judge, by name (not ARN): users:[user1;user2], groups:[group1;group2], roles:[role1;role2]."},
		},
		Severity:    evaluate.High,
		ManagedRule: "IAM_POLICY_BLACKLISTED_CHECK",
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-blacklisted-check.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		blocked, err := parseBlockedPolicyARNs(p.List("policyArns"))
		if err != nil {
			return nil, &evaluate.ParamError{Name: "policyArns", Value: p.Raw("policyArns"), Err: err}
		}
		if len(blocked) == 0 {
			return nil, &evaluate.ParamError{Name: "policyArns", Value: p.Raw("policyArns"), Err: errors.New("no policy ARN given")}
		}
		exceptions, err := parseIAMExceptionList(p.Raw("exceptionList"))
		if err != nil {
			return nil, &evaluate.ParamError{Name: "exceptionList", Value: p.Raw("exceptionList"), Err: err}
		}
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			return judgeBlockedPolicies(in, blocked, exceptions)
		}), nil
	})
}

// iamIdentity is what the rule reads of a user, group or role.
type iamIdentity struct {
	kind      string // user, group or role
	name      string
	nameField string // the configuration field holding the name
	policies  resource.IAMPolicies
}

func iamIdentityOf(in *evaluate.Input) (*iamIdentity, error) {
	switch in.Item.ResourceType {
	case resource.IAMUserType:
		u, err := resource.IAMUserOf(in)
		if err != nil {
			return nil, err
		}
		return &iamIdentity{kind: "user", name: u.Name, nameField: "configuration.userName", policies: u.Policies}, nil
	case resource.IAMGroupType:
		g, err := resource.IAMGroupOf(in)
		if err != nil {
			return nil, err
		}
		return &iamIdentity{kind: "group", name: g.Name, nameField: "configuration.groupName", policies: g.Policies}, nil
	case resource.IAMRoleType:
		r, err := resource.IAMRoleOf(in)
		if err != nil {
			return nil, err
		}
		return &iamIdentity{kind: "role", name: r.Name, nameField: "configuration.roleName", policies: r.Policies}, nil
	}
	return nil, fmt.Errorf("resource type %s is not an IAM user, group or role", in.Item.ResourceType)
}

func judgeBlockedPolicies(in *evaluate.Input, blocked map[string]bool, exceptions map[string]map[string]bool) (evaluate.Result, error) {
	const listPath = "configuration.attachedManagedPolicies"
	if u := in.Item.UnknownAt(listPath); u != "" {
		return evaluate.InsufficientDataf("The managed policies attached to %s are not known before deployment (%s).", in.Item.ResourceID, u), nil
	}
	id, err := iamIdentityOf(in)
	if err != nil {
		return evaluate.Result{}, err
	}
	who := id.kind + " " + id.name
	nameUnknown := in.Item.UnknownUnder(id.nameField) != ""
	if nameUnknown {
		who = id.kind + " " + in.Item.ResourceID
	}
	excepted := exceptions[id.kind]
	if !nameUnknown && excepted[id.name] {
		return evaluate.NotApplicablef("The %s is in exceptionList.", who), nil
	}
	if !id.policies.ManagedRecorded {
		return evaluate.InsufficientDataf("The item of %s records no attachedManagedPolicies.", who), nil
	}
	var found []string
	unknownARN := ""
	for i, pol := range id.policies.Managed {
		key, ok := policyARNKey(pol.ARN)
		if !ok && len(in.Item.Unknown) > 0 {
			// An ARN unknown but for its partition is still decided.
			if u := in.Item.UnknownUnder(fmt.Sprintf("%s[%d].policyArn", listPath, i)); u != "" {
				if unknownARN == "" {
					unknownARN = u
				}
				continue
			}
		}
		if ok && blocked[key] && !slices.Contains(found, pol.ARN) {
			found = append(found, pol.ARN)
		}
	}
	switch {
	case len(found) > 0 && nameUnknown && len(excepted) > 0:
		return evaluate.InsufficientDataf("The %s has %s attached, and whether it is in exceptionList is not known before deployment.", who, listSome(found, 2)), nil
	case len(found) > 0:
		return evaluate.NonCompliantf("The %s has blocked policies attached: %s.", who, listSome(found, 3)), nil
	case unknownARN != "":
		return evaluate.InsufficientDataf("A policy attached to %s is not known before deployment (%s).", who, unknownARN), nil
	}
	return evaluate.Compliantf("The %s has none of the policies in policyArns attached.", who), nil
}

// policyARNKey is the part of a managed policy ARN that names the policy
// in every partition: the account ("aws" for AWS managed policies) and
// the policy's path and name. The partition may be a placeholder for a
// value known only after deployment (arn:${AWS::Partition}:... in a
// template): it does not change the key.
func policyARNKey(arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "", false
	}
	// The account and the resource hold no colons, the partition
	// placeholder may: read from the right.
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return "", false
	}
	res := rest[i+1:]
	j := strings.LastIndexByte(rest[:i], ':')
	if j < 0 {
		return "", false
	}
	account := rest[j+1 : i]
	partition, ok := strings.CutSuffix(rest[:j], ":iam:")
	if !ok || account == "" || !plainPartition(partition) {
		return "", false
	}
	name, ok := strings.CutPrefix(res, "policy/")
	if !ok || name == "" || strings.HasSuffix(name, "/") || strings.ContainsAny(account+res, "${}") {
		return "", false
	}
	return account + ":" + res, true
}

// plainPartition accepts a partition name, or one placeholder standing
// for it.
func plainPartition(p string) bool {
	if inner, ok := strings.CutPrefix(p, "${unknown:"); ok {
		return strings.HasSuffix(inner, "}") && !strings.Contains(inner, "${")
	}
	return p != "" && !strings.ContainsAny(p, ":${}")
}

func parseBlockedPolicyARNs(arns []string) (map[string]bool, error) {
	out := make(map[string]bool, len(arns))
	for i, a := range arns {
		key, ok := policyARNKey(a)
		if !ok || strings.Contains(a, "${") {
			return nil, fmt.Errorf("item %d %q is not a managed policy ARN (such as arn:aws:iam::aws:policy/AdministratorAccess)", i+1, truncateText(a, 80))
		}
		out[key] = true
	}
	return out, nil
}

// iamExceptionKinds maps the exceptionList keys to identity kinds.
var iamExceptionKinds = map[string]string{"users": "user", "groups": "group", "roles": "role"}

// parseIAMExceptionList reads "users:[u1;u2], groups:[g1], roles:[r1;r2]"
// into names by identity kind. Entries are separated by commas outside
// the brackets, names inside by semicolons.
func parseIAMExceptionList(s string) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	entries, err := splitOutsideBrackets(s)
	if err != nil {
		return nil, err
	}
	for n, entry := range entries {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		key, list, ok := strings.Cut(entry, ":")
		list = strings.TrimSpace(list)
		if !ok || !strings.HasPrefix(list, "[") || !strings.HasSuffix(list, "]") {
			return nil, fmt.Errorf("entry %d %q: want users:[name;name], groups:[name;name] or roles:[name;name]", n+1, truncateText(entry, 60))
		}
		kind, known := iamExceptionKinds[strings.ToLower(strings.TrimSpace(key))]
		if !known {
			return nil, fmt.Errorf("entry %d: unknown resource type %q (want users, groups or roles)", n+1, truncateText(strings.TrimSpace(key), 40))
		}
		inner := list[1 : len(list)-1]
		if strings.Contains(inner, ",") {
			return nil, fmt.Errorf("entry %d %q: separate names with ';', as in %s:[name1;name2]", n+1, truncateText(entry, 60), strings.ToLower(strings.TrimSpace(key)))
		}
		for _, name := range strings.Split(inner, ";") {
			name = strings.TrimSpace(name)
			switch {
			case name == "":
				continue
			case strings.HasPrefix(name, "arn:"):
				return nil, fmt.Errorf("entry %d: %q is an ARN; give the %s's name", n+1, truncateText(name, 60), kind)
			case strings.ContainsAny(name, "[]:"):
				return nil, fmt.Errorf("entry %d: %q is not an IAM name", n+1, truncateText(name, 60))
			}
			if out[kind] == nil {
				out[kind] = map[string]bool{}
			}
			out[kind][name] = true
		}
	}
	return out, nil
}

// splitOutsideBrackets splits s at the commas that are not inside square
// brackets; unbalanced brackets are an error.
func splitOutsideBrackets(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[':
			if depth > 0 {
				return nil, fmt.Errorf("nested '[' at position %d", i+1)
			}
			depth++
		case ']':
			if depth == 0 {
				return nil, fmt.Errorf("']' without '[' at position %d", i+1)
			}
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if depth > 0 {
		return nil, errors.New("'[' without ']'")
	}
	return append(out, s[start:]), nil
}

// listSome joins up to most values, then says how many are left out.
func listSome(values []string, most int) string {
	if len(values) <= most {
		return strings.Join(values, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(values[:most], ", "), len(values)-most)
}

// truncateText shortens s for an error message.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
