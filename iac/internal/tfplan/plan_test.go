package tfplan

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAddresses(t *testing.T) {
	tests := []struct {
		addr             string
		module, stripped string
	}{
		{"aws_s3_bucket.b", "", ""},
		{"module.a.aws_s3_bucket.b[0]", "module.a", "module.a"},
		{`module.a["x.y"].module.b[2].aws_s3_bucket.c["k"]`, `module.a["x.y"].module.b[2]`, "module.a.module.b"},
	}
	for _, tc := range tests {
		m := modulePrefix(tc.addr)
		if m != tc.module || stripIndexes(m) != tc.stripped {
			t.Errorf("%s: module %q stripped %q, want %q and %q", tc.addr, m, stripIndexes(m), tc.module, tc.stripped)
		}
	}
	parent, call := parentModule(`module.a["x"].module.b[2]`)
	if parent != `module.a["x"]` || call != "b" {
		t.Errorf("parentModule: %q %q", parent, call)
	}
	if got := moduleIndex(`module.a["x"]`); got != "x" {
		t.Errorf("moduleIndex: %v", got)
	}
}

// TestResolve follows references through indexes, module variables and
// module outputs.
func TestResolve(t *testing.T) {
	plan := `{"format_version": "1.1", "resource_changes": [
  {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main", "change": {"actions": ["create"], "after": {}, "after_unknown": {"id": true}}},
  {"address": "aws_subnet.s[0]", "mode": "managed", "type": "aws_subnet", "name": "s", "index": 0, "change": {"actions": ["create"], "after": {}, "after_unknown": {"id": true}}},
  {"address": "aws_subnet.s[1]", "mode": "managed", "type": "aws_subnet", "name": "s", "index": 1, "change": {"actions": ["create"], "after": {}, "after_unknown": {"id": true}}},
  {"address": "aws_route_table_association.a[1]", "mode": "managed", "type": "aws_route_table_association", "name": "a", "index": 1, "change": {"actions": ["create"], "after": {}, "after_unknown": {"subnet_id": true}}},
  {"address": "module.net[\"eu\"].aws_flow_log.f", "module_address": "module.net[\"eu\"]", "mode": "managed", "type": "aws_flow_log", "name": "f", "change": {"actions": ["create"], "after": {}, "after_unknown": {"vpc_id": true}}},
  {"address": "module.net[\"eu\"].aws_vpc.inner", "module_address": "module.net[\"eu\"]", "mode": "managed", "type": "aws_vpc", "name": "inner", "change": {"actions": ["create"], "after": {}, "after_unknown": {"id": true}}},
  {"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg", "change": {"actions": ["create"], "after": {}, "after_unknown": {"vpc_id": true}}}
 ],
 "configuration": {"root_module": {
  "resources": [
   {"address": "aws_route_table_association.a", "mode": "managed", "type": "aws_route_table_association", "name": "a", "expressions": {"subnet_id": {"references": ["aws_subnet.s", "count.index"]}}},
   {"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg", "expressions": {"vpc_id": {"references": ["module.net.vpc_id", "module.net"]}}}
  ],
  "module_calls": {"net": {"expressions": {"vpc": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}},
   "module": {
    "resources": [
     {"address": "aws_flow_log.f", "mode": "managed", "type": "aws_flow_log", "name": "f", "expressions": {"vpc_id": {"references": ["var.vpc"]}}},
     {"address": "aws_vpc.inner", "mode": "managed", "type": "aws_vpc", "name": "inner", "expressions": {}}
    ],
    "outputs": {"vpc_id": {"expression": {"references": ["aws_vpc.inner.id", "aws_vpc.inner"]}}}
   }}}
 }}}`
	p, err := Parse([]byte(plan), "p.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	resolved := func(addr, attr string) string {
		in := p.byAddress[addr]
		if in == nil {
			t.Fatalf("no instance %s", addr)
		}
		target, ok := p.Resolve(in, p.References(in, attr))
		if !ok {
			return "unresolved"
		}
		return target.Address
	}
	got := []string{
		resolved("aws_route_table_association.a[1]", "subnet_id"),
		resolved(`module.net["eu"].aws_flow_log.f`, "vpc_id"),
		resolved("aws_security_group.sg", "vpc_id"),
	}
	want := []string{"aws_subnet.s[1]", "aws_vpc.main", `module.net["eu"].aws_vpc.inner`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The unknown attribute names what it references.
	if u := p.byAddress[`module.net["eu"].aws_flow_log.f`].Values["vpc_id"]; !strings.Contains(render(u), "var.vpc") {
		t.Errorf("unknown vpc_id renders %s", render(u))
	}
}

func render(v any) string {
	if s, ok := v.(interface{ MarshalJSON() ([]byte, error) }); ok {
		b, _ := s.MarshalJSON()
		return string(b)
	}
	return "not unknown"
}
