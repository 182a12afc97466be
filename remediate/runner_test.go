package remediate

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testNow is the clock of every test run.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// observed collects, per remediation, the APIs its runs called, so the
// catalog test can check the declared APIs are all exercised.
var observed = struct {
	sync.Mutex
	apis map[string]map[string]bool
}{apis: map[string]map[string]bool{}}

func observe(rem string, apis []string) {
	observed.Lock()
	defer observed.Unlock()
	if observed.apis[rem] == nil {
		observed.apis[rem] = map[string]bool{}
	}
	for _, a := range apis {
		observed.apis[rem][a] = true
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	// With the whole suite run, every declared API of every remediation
	// must have been called by some test: declarations that nothing
	// exercises would grant permissions nobody checked.
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		observed.Lock()
		for _, r := range All() {
			for _, api := range r.APIs {
				if !observed.apis[r.ID][api] {
					fmt.Fprintf(os.Stderr, "remediation %s declares %s, but no test saw it called\n", r.ID, api)
					code = 1
				}
			}
		}
		observed.Unlock()
	}
	os.Exit(code)
}

// scenario is one state of the world and what a remediation must do to it.
type scenario struct {
	name   string
	rem    string
	target Target
	// setup installs the fake's handlers (with their state).
	setup func(f *fakeAWS)
	// wantWrites are the APIs the first apply writes, in order.
	wantWrites []string
	// checkWrites checks the exact write requests of the first apply.
	checkWrites func(t *testing.T, writes []call)
	// wantActions are the actions of the first apply.
	wantActions []Action
}

// runScenario plans, applies, and applies again, and checks: the plan
// writes nothing and predicts the apply; the apply makes exactly the wanted
// writes; the second apply writes nothing; every call is declared.
func runScenario(t *testing.T, sc scenario) {
	t.Helper()
	rem, ok := ByID(sc.rem)
	if !ok {
		t.Fatalf("no remediation %s", sc.rem)
	}
	f := newFakeAWS(t)
	sc.setup(f)
	c := f.clients()
	ctx := context.Background()
	clock := WithClock(func() time.Time { return testNow })

	plan, err := rem.Plan(ctx, c, sc.target, clock)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	if w := f.writes(); len(w) > 0 {
		t.Errorf("Plan wrote: %v", apisOf(w))
	}
	if !plan.DryRun || plan.Changed {
		t.Errorf("Plan: dryRun=%t changed=%t, want true, false", plan.DryRun, plan.Changed)
	}
	checkDeclared(t, rem, f.apis())

	f.reset()
	res, err := rem.Apply(ctx, c, sc.target, clock)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	writes := f.writes()
	if diff := cmp.Diff(sc.wantWrites, apisOf(writes)); diff != "" {
		t.Errorf("Apply writes (-want +got):\n%s", diff)
	}
	if sc.checkWrites != nil {
		sc.checkWrites(t, writes)
	}
	if res.Changed != (len(writes) > 0) || res.DryRun {
		t.Errorf("Apply: changed=%t dryRun=%t with %d writes", res.Changed, res.DryRun, len(writes))
	}
	if diff := cmp.Diff(sc.wantActions, res.Actions); diff != "" {
		t.Errorf("Apply actions (-want +got):\n%s", diff)
	}
	// The plan lists the same actions, none applied.
	var predicted []Action
	for _, a := range res.Actions {
		a.Applied = false
		predicted = append(predicted, a)
	}
	if diff := cmp.Diff(predicted, plan.Actions); diff != "" {
		t.Errorf("Plan actions differ from Apply's (-apply +plan):\n%s", diff)
	}
	checkDeclared(t, rem, f.apis())

	f.reset()
	again, err := rem.Apply(ctx, c, sc.target, clock)
	if err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if w := f.writes(); len(w) > 0 {
		t.Errorf("second Apply wrote: %v", apisOf(w))
	}
	if again.Changed {
		t.Errorf("second Apply: changed = true")
	}
	for _, a := range again.Actions {
		if a.Needed || a.Applied {
			t.Errorf("second Apply: action still needed: %+v", a)
		}
	}
	checkDeclared(t, rem, f.apis())
}

// checkDeclared fails on a call the remediation does not declare, and
// records the calls for the catalog-wide check.
func checkDeclared(t *testing.T, rem *Remediation, apis []string) {
	t.Helper()
	for _, api := range apis {
		if !slices.Contains(rem.APIs, api) {
			t.Errorf("%s called %s, which it does not declare", rem.ID, api)
		}
		if !slices.Contains(rem.Actions, IAMAction(api)) {
			t.Errorf("%s called %s, whose IAM action %s it does not declare", rem.ID, api, IAMAction(api))
		}
	}
	observe(rem.ID, apis)
}

func apisOf(calls []call) []string {
	out := []string{}
	for _, c := range calls {
		out = append(out, c.API)
	}
	return out
}

// canonicalXML renders an XML document with namespaces, insignificant
// whitespace and attribute order removed, and child elements stably sorted
// by name (S3 does not care in which order different elements come; it
// does for repeated ones, such as grants, whose order is kept).
func canonicalXML(t *testing.T, doc []byte) string {
	t.Helper()
	type node struct {
		name     string
		attrs    []string
		text     string
		children []*node
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	root := &node{}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v\n%s", err, doc)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local}
			for _, a := range tok.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				n.attrs = append(n.attrs, fmt.Sprintf(" %s=%q", a.Name.Local, a.Value))
			}
			sort.Strings(n.attrs)
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text += strings.TrimSpace(string(tok))
		}
	}
	var render func(n *node, b *strings.Builder)
	render = func(n *node, b *strings.Builder) {
		slices.SortStableFunc(n.children, func(x, y *node) int { return strings.Compare(x.name, y.name) })
		b.WriteString("<" + n.name + strings.Join(n.attrs, "") + ">")
		xml.EscapeText(b, []byte(n.text))
		for _, c := range n.children {
			render(c, b)
		}
		b.WriteString("</" + n.name + ">")
	}
	var b strings.Builder
	for _, c := range root.children {
		render(c, &b)
	}
	return b.String()
}

// checkXML compares a request body with the wanted XML.
func checkXML(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if diff := cmp.Diff(canonicalXML(t, []byte(want)), canonicalXML(t, got)); diff != "" {
		t.Errorf("%s body (-want +got):\n%s", what, diff)
	}
}
