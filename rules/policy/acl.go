package policy

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Permission is an S3 ACL permission.
type Permission string

// The S3 ACL permissions.
const (
	Read        Permission = "READ"
	Write       Permission = "WRITE"
	ReadACP     Permission = "READ_ACP"
	WriteACP    Permission = "WRITE_ACP"
	FullControl Permission = "FULL_CONTROL"
)

// The predefined S3 groups.
const (
	AllUsersURI           = "http://acs.amazonaws.com/groups/global/AllUsers"
	AuthenticatedUsersURI = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	LogDeliveryURI        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// GranteeType is the kind of an ACL grantee.
type GranteeType string

// The grantee types of S3 ACLs.
const (
	CanonicalUser         GranteeType = "CanonicalUser"
	Group                 GranteeType = "Group"
	AmazonCustomerByEmail GranteeType = "AmazonCustomerByEmail"
)

// A Grantee is who an ACL grant is for: a canonical user (ID), a group (URI)
// or an email address.
type Grantee struct {
	Type        GranteeType
	ID          string
	URI         string
	Email       string
	DisplayName string
}

// Everyone reports whether the grantee is AllUsers or AuthenticatedUsers.
// S3 counts both as public: any AWS account can sign a request.
func (g Grantee) Everyone() bool {
	return g.Type == Group && (strings.EqualFold(g.URI, AllUsersURI) || strings.EqualFold(g.URI, AuthenticatedUsersURI))
}

// An ACLGrant is one grant of an ACL.
type ACLGrant struct {
	Grantee    Grantee
	Permission Permission
}

// An ACL is an S3 access control list.
type ACL struct {
	Owner  string // canonical id of the owner, "" when not recorded
	Grants []ACLGrant
}

// PublicGrants returns the grants to AllUsers or AuthenticatedUsers.
func (a *ACL) PublicGrants() []ACLGrant {
	var out []ACLGrant
	for _, g := range a.Grants {
		if g.Grantee.Everyone() {
			out = append(out, g)
		}
	}
	return out
}

// GrantsEveryone reports whether AllUsers or AuthenticatedUsers hold
// permission p, directly or through FULL_CONTROL.
func (a *ACL) GrantsEveryone(p Permission) bool {
	for _, g := range a.Grants {
		if g.Grantee.Everyone() && (g.Permission == p || g.Permission == FullControl) {
			return true
		}
	}
	return false
}

// PublicPermissions lists the permissions AllUsers or AuthenticatedUsers
// hold, with FULL_CONTROL spelled out as the four permissions it stands for,
// in the order READ, WRITE, READ_ACP, WRITE_ACP.
func (a *ACL) PublicPermissions() []Permission {
	var out []Permission
	for _, p := range []Permission{Read, Write, ReadACP, WriteACP} {
		if a.GrantsEveryone(p) {
			out = append(out, p)
		}
	}
	return out
}

// ParseACL decodes an S3 access control list in any of the shapes it is
// recorded in:
//
//   - AWS Config's supplementaryConfiguration.AccessControlList:
//     {"grantList": [{"grantee": {"id", "displayName"} | "AllUsers", "permission": "Read"}], "grantSet": null, "owner": {...}},
//     as an object or as a JSON string (encoded once in change notifications,
//     twice in the API shape); group grantees are the group's name
//     ("AllUsers", "AuthenticatedUsers", "LogDelivery"), permissions are
//     spelled "FullControl", "Read", "Write", "ReadAcp", "WriteAcp";
//   - CloudTrail's PutBucketAcl requestParameters.AccessControlPolicy (or the
//     whole requestParameters): AccessControlList.Grant is an object for a
//     single grant and an array for several, with Grantee {"xsi:type": "Group"
//     | "CanonicalUser" | "AmazonCustomerByEmail", "URI" | "ID" | "EmailAddress"};
//   - the S3 API (GetBucketAcl output): {"Owner": {...}, "Grants": [{"Grantee": {"Type", "URI", "ID"}, "Permission"}]}.
//
// Anything else is an [*Error] naming the place.
func ParseACL(data []byte) (*ACL, error) {
	v, err := decodeLayers(string(data))
	if err != nil {
		return nil, err
	}
	if v.kind != jsonObject {
		return nil, errorAt("", "an ACL must be a JSON object, found "+v.kind.String())
	}
	if rp := member(&v, "AccessControlPolicy"); rp != nil {
		return parseACP(rp, "AccessControlPolicy")
	}
	switch {
	case member(&v, "grantList") != nil || member(&v, "grantSet") != nil:
		return parseConfigACL(&v)
	case member(&v, "AccessControlList") != nil:
		return parseACP(&v, "")
	case member(&v, "Grants") != nil:
		return parseAPIACL(&v)
	}
	return nil, errorAt("", "not an ACL: expected grantList (AWS Config), Grants (S3 API) or AccessControlPolicy (CloudTrail)")
}

// decodeLayers unwraps JSON strings holding JSON, up to maxEncodingLayers.
func decodeLayers(s string) (jsonValue, error) {
	for layer := 0; ; layer++ {
		t := strings.TrimSpace(s)
		if t == "" || t == "null" {
			return jsonValue{}, &Error{Msg: "no document (empty or null)", err: ErrNoDocument}
		}
		v, err := readJSON(t)
		if err != nil {
			return jsonValue{}, &Error{Msg: err.Error(), err: err}
		}
		if v.kind != jsonString {
			return v, nil
		}
		if layer >= maxEncodingLayers {
			return jsonValue{}, errorAt("", fmt.Sprintf("encoded more than %d times", maxEncodingLayers))
		}
		s = v.text
	}
}

// member returns the member of an object whose key matches name without
// regard to case, or nil.
func member(v *jsonValue, name string) *jsonValue {
	for i, k := range v.keys {
		if strings.EqualFold(k, name) {
			return &v.elems[i]
		}
	}
	return nil
}

func memberString(v *jsonValue, name string) string {
	if m := member(v, name); m != nil && m.kind == jsonString {
		return m.text
	}
	return ""
}

func path(base, elem string) string {
	if base == "" {
		return elem
	}
	return base + "." + elem
}

func parseConfigACL(v *jsonValue) (*ACL, error) {
	acl := &ACL{}
	if o := member(v, "owner"); o != nil && o.kind == jsonObject {
		acl.Owner = memberString(o, "id")
	}
	for _, name := range []string{"grantList", "grantSet"} {
		list := member(v, name)
		if list == nil || list.kind == jsonNull {
			continue
		}
		if list.kind != jsonArray {
			return nil, errorAt(name, "must be an array, found "+list.kind.String())
		}
		for i := range list.elems {
			p := name + "[" + strconv.Itoa(i) + "]"
			g := &list.elems[i]
			if g.kind != jsonObject {
				return nil, errorAt(p, "must be an object, found "+g.kind.String())
			}
			grantee, err := configGrantee(member(g, "grantee"), p+".grantee")
			if err != nil {
				return nil, err
			}
			perm, err := permission(member(g, "permission"), p+".permission")
			if err != nil {
				return nil, err
			}
			acl.Grants = append(acl.Grants, ACLGrant{Grantee: grantee, Permission: perm})
		}
	}
	return acl, nil
}

// configGroups maps the group names AWS Config records to their URIs.
var configGroups = map[string]string{
	"allusers":           AllUsersURI,
	"authenticatedusers": AuthenticatedUsersURI,
	"logdelivery":        LogDeliveryURI,
}

func configGrantee(v *jsonValue, p string) (Grantee, error) {
	if v == nil {
		return Grantee{}, errorAt(p, "missing")
	}
	switch v.kind {
	case jsonString:
		if uri, ok := configGroups[strings.ToLower(v.text)]; ok {
			return Grantee{Type: Group, URI: uri}, nil
		}
		if strings.HasPrefix(v.text, "http://") || strings.HasPrefix(v.text, "https://") {
			return Grantee{Type: Group, URI: v.text}, nil
		}
		return Grantee{}, errorAt(p, fmt.Sprintf("unknown group %q", v.text))
	case jsonObject:
		return objectGrantee(v, p)
	default:
		return Grantee{}, errorAt(p, "must be a group name or an object, found "+v.kind.String())
	}
}

// objectGrantee reads a grantee object of any shape: Config's {id,
// displayName}, CloudTrail's {xsi:type, ID | URI | EmailAddress}, the API's
// {Type, ID | URI | EmailAddress}.
func objectGrantee(v *jsonValue, p string) (Grantee, error) {
	g := Grantee{
		ID:          memberString(v, "ID"),
		URI:         memberString(v, "URI"),
		Email:       memberString(v, "EmailAddress"),
		DisplayName: memberString(v, "DisplayName"),
	}
	if g.Email == "" {
		if id := memberString(v, "identifier"); strings.ContainsRune(id, '@') {
			g.Email = id
		} else if g.ID == "" {
			g.ID = id
		}
	}
	typ := memberString(v, "xsi:type")
	if typ == "" {
		typ = memberString(v, "Type")
	}
	switch {
	case strings.EqualFold(typ, "Group") || (typ == "" && g.URI != ""):
		g.Type = Group
		if g.URI == "" {
			return Grantee{}, errorAt(p, "a Group grantee needs a URI")
		}
		if uri, ok := configGroups[strings.ToLower(g.URI)]; ok {
			g.URI = uri
		}
	case strings.EqualFold(typ, "CanonicalUser") || (typ == "" && g.ID != ""):
		g.Type = CanonicalUser
		if g.ID == "" {
			return Grantee{}, errorAt(p, "a CanonicalUser grantee needs an ID")
		}
	case strings.EqualFold(typ, "AmazonCustomerByEmail") || (typ == "" && g.Email != ""):
		g.Type = AmazonCustomerByEmail
		if g.Email == "" {
			return Grantee{}, errorAt(p, "an AmazonCustomerByEmail grantee needs an EmailAddress")
		}
	case typ != "":
		return Grantee{}, errorAt(p, fmt.Sprintf("unknown grantee type %q", typ))
	default:
		return Grantee{}, errorAt(p, "grantee has no ID, URI or EmailAddress")
	}
	return g, nil
}

// permission normalizes "FullControl", "FULL_CONTROL", "full-control" and the
// like.
func permission(v *jsonValue, p string) (Permission, error) {
	if v == nil {
		return "", errorAt(p, "missing")
	}
	if v.kind != jsonString {
		return "", errorAt(p, "must be a string, found "+v.kind.String())
	}
	if perm, ok := normalizePermission(v.text); ok {
		return perm, nil
	}
	return "", errorAt(p, fmt.Sprintf("unknown permission %q", v.text))
}

// permissionSeparators are dropped when reading a permission, so that
// FULL_CONTROL, FullControl and full-control are one.
var permissionSeparators = strings.NewReplacer("_", "", "-", "")

func normalizePermission(s string) (Permission, bool) {
	key := permissionSeparators.Replace(strings.ToUpper(s))
	switch key {
	case "READ":
		return Read, true
	case "WRITE":
		return Write, true
	case "READACP":
		return ReadACP, true
	case "WRITEACP":
		return WriteACP, true
	case "FULLCONTROL":
		return FullControl, true
	}
	return "", false
}

// parseACP reads CloudTrail's AccessControlPolicy.
func parseACP(v *jsonValue, base string) (*ACL, error) {
	if v.kind != jsonObject {
		return nil, errorAt(base, "must be an object, found "+v.kind.String())
	}
	acl := &ACL{}
	if o := member(v, "Owner"); o != nil && o.kind == jsonObject {
		acl.Owner = memberString(o, "ID")
	}
	list := member(v, "AccessControlList")
	lp := path(base, "AccessControlList")
	if list == nil {
		return nil, errorAt(lp, "missing")
	}
	if list.kind == jsonString && list.text == "" {
		return acl, nil // an empty XML element: no grants
	}
	if list.kind != jsonObject {
		return nil, errorAt(lp, "must be an object, found "+list.kind.String())
	}
	grants := member(list, "Grant")
	gp := lp + ".Grant"
	var items []jsonValue
	switch {
	case grants == nil || grants.kind == jsonNull:
	case grants.kind == jsonObject:
		items = []jsonValue{*grants}
	case grants.kind == jsonArray:
		items = grants.elems
	default:
		return nil, errorAt(gp, "must be an object or an array, found "+grants.kind.String())
	}
	for i := range items {
		p := gp
		if grants.kind == jsonArray {
			p += "[" + strconv.Itoa(i) + "]"
		}
		g, err := apiGrant(&items[i], p)
		if err != nil {
			return nil, err
		}
		acl.Grants = append(acl.Grants, g)
	}
	return acl, nil
}

func parseAPIACL(v *jsonValue) (*ACL, error) {
	acl := &ACL{}
	if o := member(v, "Owner"); o != nil && o.kind == jsonObject {
		acl.Owner = memberString(o, "ID")
	}
	grants := member(v, "Grants")
	if grants.kind == jsonNull {
		return acl, nil
	}
	if grants.kind != jsonArray {
		return nil, errorAt("Grants", "must be an array, found "+grants.kind.String())
	}
	for i := range grants.elems {
		g, err := apiGrant(&grants.elems[i], "Grants["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		acl.Grants = append(acl.Grants, g)
	}
	return acl, nil
}

func apiGrant(v *jsonValue, p string) (ACLGrant, error) {
	if v.kind != jsonObject {
		return ACLGrant{}, errorAt(p, "must be an object, found "+v.kind.String())
	}
	gv := member(v, "Grantee")
	if gv == nil {
		return ACLGrant{}, errorAt(p+".Grantee", "missing")
	}
	if gv.kind != jsonObject {
		return ACLGrant{}, errorAt(p+".Grantee", "must be an object, found "+gv.kind.String())
	}
	grantee, err := objectGrantee(gv, p+".Grantee")
	if err != nil {
		return ACLGrant{}, err
	}
	perm, err := permission(member(v, "Permission"), p+".Permission")
	if err != nil {
		return ACLGrant{}, err
	}
	return ACLGrant{Grantee: grantee, Permission: perm}, nil
}

// cannedACLs lists the grants each canned ACL adds to the owner's full
// control (the owner's own grant is not listed).
var cannedACLs = map[string][]ACLGrant{
	"private":                   nil,
	"public-read":               {{Grantee{Type: Group, URI: AllUsersURI}, Read}},
	"public-read-write":         {{Grantee{Type: Group, URI: AllUsersURI}, Read}, {Grantee{Type: Group, URI: AllUsersURI}, Write}},
	"authenticated-read":        {{Grantee{Type: Group, URI: AuthenticatedUsersURI}, Read}},
	"aws-exec-read":             nil, // EC2 gets READ on AMI bundles; not a grantee of this model
	"bucket-owner-read":         nil, // object ACL: the bucket owner (a canonical user) reads
	"bucket-owner-full-control": nil,
	"log-delivery-write":        {{Grantee{Type: Group, URI: LogDeliveryURI}, Write}, {Grantee{Type: Group, URI: LogDeliveryURI}, ReadACP}},
}

// CannedACL returns the grants of a canned ACL (the x-amz-acl header, the
// ACL parameter): public-read gives AllUsers READ, public-read-write READ and
// WRITE, authenticated-read gives AuthenticatedUsers READ; private,
// aws-exec-read, bucket-owner-read and bucket-owner-full-control grant
// nothing to a group; log-delivery-write grants the LogDelivery group WRITE
// and READ_ACP. The owner's full control is implicit and not listed.
func CannedACL(name string) (*ACL, error) {
	grants, ok := cannedACLs[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		known := make([]string, 0, len(cannedACLs))
		for k := range cannedACLs {
			known = append(known, k)
		}
		sort.Strings(known)
		return nil, fmt.Errorf("unknown canned ACL %q (known: %s)", name, strings.Join(known, ", "))
	}
	return &ACL{Grants: append([]ACLGrant(nil), grants...)}, nil
}

// grantHeaders maps the x-amz-grant-* request headers to their permission.
var grantHeaders = map[string]Permission{
	"x-amz-grant-read":         Read,
	"x-amz-grant-write":        Write,
	"x-amz-grant-read-acp":     ReadACP,
	"x-amz-grant-write-acp":    WriteACP,
	"x-amz-grant-full-control": FullControl,
}

// ACLFromHeaders builds the ACL a PutBucketAcl, PutObjectAcl or CreateBucket
// request sets through headers, as CloudTrail records them in
// requestParameters: "x-amz-acl" (a canned ACL) and the "x-amz-grant-*"
// headers, whose values list grantees as `uri="http://..."`, `id="..."` or
// `emailAddress="..."`, separated by commas. Header names are matched
// without regard to case; other headers are ignored. An ACL without any of
// these headers has no grants.
func ACLFromHeaders(headers map[string][]string) (*ACL, error) {
	acl := &ACL{}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names) // deterministic order of grants
	for _, name := range names {
		key := strings.ToLower(name)
		if key == "x-amz-acl" {
			for _, v := range headers[name] {
				canned, err := CannedACL(v)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				acl.Grants = append(acl.Grants, canned.Grants...)
			}
			continue
		}
		perm, ok := grantHeaders[key]
		if !ok {
			continue
		}
		for _, v := range headers[name] {
			grantees, err := parseGrantHeader(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			for _, g := range grantees {
				acl.Grants = append(acl.Grants, ACLGrant{Grantee: g, Permission: perm})
			}
		}
	}
	return acl, nil
}

// parseGrantHeader reads `uri="...", id="...", emailAddress="..."`.
func parseGrantHeader(v string) ([]Grantee, error) {
	var out []Grantee
	rest := strings.TrimSpace(v)
	for rest != "" {
		typ, after, found := strings.Cut(rest, "=")
		if !found {
			return nil, fmt.Errorf("grantee %q: expected type=\"value\"", rest)
		}
		typ = strings.TrimSpace(typ)
		after = strings.TrimSpace(after)
		var value string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("grantee %q: unterminated quote", rest)
			}
			value, rest = after[1:1+end], after[2+end:]
		} else {
			value, rest, _ = strings.Cut(after, ",")
			value = strings.TrimSpace(value)
			rest = "," + rest
		}
		rest = strings.TrimSpace(rest)
		rest = strings.TrimPrefix(rest, ",")
		rest = strings.TrimSpace(rest)
		switch strings.ToLower(typ) {
		case "uri":
			out = append(out, Grantee{Type: Group, URI: value})
		case "id":
			out = append(out, Grantee{Type: CanonicalUser, ID: value})
		case "emailaddress":
			out = append(out, Grantee{Type: AmazonCustomerByEmail, Email: value})
		default:
			return nil, fmt.Errorf("grantee type %q: expected uri, id or emailAddress", typ)
		}
	}
	return out, nil
}
