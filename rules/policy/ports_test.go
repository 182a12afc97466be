package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func portp(n int) *int { return &n }

func TestParseProtocol(t *testing.T) {
	cases := []struct {
		in      string
		want    IPProtocol
		wantErr string
	}{
		{in: "tcp", want: TCP},
		{in: "TCP", want: TCP},
		{in: " udp ", want: UDP},
		{in: "icmp", want: ICMP},
		{in: "icmpv6", want: ICMPv6},
		{in: "-1", want: AllProtocols},
		{in: "all", want: AllProtocols},
		{in: "6", want: TCP},
		{in: "17", want: UDP},
		{in: "50", want: IPProtocol(50)},
		{in: "", wantErr: "protocol missing"},
		{in: "256", wantErr: `protocol "256": want tcp`},
		{in: "-2", wantErr: `protocol "-2"`},
		{in: "sctp", wantErr: `protocol "sctp"`},
	}
	for _, c := range cases {
		got, err := ParseProtocol(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("ParseProtocol(%q) error = %v, want one containing %q", c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseProtocol(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestParsePortList(t *testing.T) {
	cases := []struct {
		reason  string
		in      string
		want    PortList
		wantErr string
	}{
		{reason: "the managed rule's example", in: "443,1020-1025", want: PortList{{443, 443}, {1020, 1025}}},
		{reason: "the remediation's default, adjacent ports merge", in: "20,21,22,3306,3389,4333", want: PortList{{20, 22}, {3306, 3306}, {3389, 3389}, {4333, 4333}}},
		{reason: "spaces and disorder", in: " 8080 , 80 ,443-443", want: PortList{{80, 80}, {443, 443}, {8080, 8080}}},
		{reason: "overlapping ranges merge", in: "1000-2000,1500-2500,2501", want: PortList{{1000, 2501}}},
		{reason: "the whole range", in: "0-65535", want: PortList{AllPorts}},
		{reason: "empty is the empty list", in: "  ", want: nil},
		{reason: "a word", in: "443,https", wantErr: `item 2 "https": "https" is not a port number`},
		{reason: "out of range", in: "70000", wantErr: `item 1 "70000": port 70000 is out of range 0-65535`},
		{reason: "a reversed range", in: "22,25-20", wantErr: `item 2 "25-20": the range starts at 25, after its end 20`},
		{reason: "an empty item", in: "22,,25", wantErr: `item 2 "": empty`},
		{reason: "a trailing comma", in: "22,", wantErr: `item 2 "": empty`},
		{reason: "a half range", in: "1020-", wantErr: `item 1 "1020-": "" is not a port number`},
		{reason: "a negative port", in: "-1", wantErr: `item 1 "-1": "" is not a port number`},
	}
	for _, c := range cases {
		got, err := ParsePortList(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: ParsePortList(%q) error = %v, want one containing %q", c.reason, c.in, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: ParsePortList(%q): %v", c.reason, c.in, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: ParsePortList(%q) (-want +got):\n%s", c.reason, c.in, diff)
		}
	}
}

func TestPortListQuestions(t *testing.T) {
	l, err := ParsePortList("22,80-90,443")
	if err != nil {
		t.Fatal(err)
	}
	if got := l.String(); got != "22,80-90,443" {
		t.Errorf("String() = %q", got)
	}
	for port, want := range map[int]bool{21: false, 22: true, 80: true, 85: true, 90: true, 91: false, 443: true} {
		if got := l.Contains(port); got != want {
			t.Errorf("Contains(%d) = %v, want %v", port, got, want)
		}
	}
	for r, want := range map[PortRange]bool{{80, 90}: true, {81, 89}: true, {80, 91}: false, {22, 22}: true, {22, 80}: false} {
		if got := l.Covers(r); got != want {
			t.Errorf("Covers(%v) = %v, want %v", r, got, want)
		}
	}
	if diff := cmp.Diff(PortList{{22, 22}, {80, 90}}, l.Intersect(PortRange{0, 100})); diff != "" {
		t.Errorf("Intersect (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(PortList{{20, 22}, {80, 90}, {443, 443}}, l.Union(Ports(21, 20))); diff != "" {
		t.Errorf("Union (-want +got):\n%s", diff)
	}
	if got := l.String(); got != "22,80-90,443" {
		t.Errorf("Union changed its receiver: %q", got)
	}
	if got := l.Intersect(PortRange{23, 79}); got != nil {
		t.Errorf("Intersect of a gap = %v, want nil", got)
	}
	if diff := cmp.Diff(PortList{{0, 21}, {23, 79}, {91, 442}, {444, MaxPort}}, subtractPorts(AllPorts, l)); diff != "" {
		t.Errorf("subtract (-want +got):\n%s", diff)
	}
	if got := subtractPorts(PortRange{80, 90}, l); got != nil {
		t.Errorf("subtract of a covered range = %v, want nil", got)
	}
}

func TestIPPermissionTraffic(t *testing.T) {
	cases := []struct {
		reason    string
		perm      IPPermission
		wantProto IPProtocol
		wantPorts PortRange
		wantErr   string
	}{
		{reason: "tcp 22", perm: IPPermission{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22)}, wantProto: TCP, wantPorts: PortRange{22, 22}},
		{reason: "a range", perm: IPPermission{Protocol: "6", FromPort: portp(20), ToPort: portp(25)}, wantProto: TCP, wantPorts: PortRange{20, 25}},
		{reason: "all traffic ignores ports", perm: IPPermission{Protocol: "-1", FromPort: portp(22), ToPort: portp(22)}, wantProto: AllProtocols, wantPorts: AllPorts},
		{reason: "absent ports are all ports", perm: IPPermission{Protocol: "udp"}, wantProto: UDP, wantPorts: AllPorts},
		{reason: "-1 ports are all ports", perm: IPPermission{Protocol: "tcp", FromPort: portp(-1), ToPort: portp(-1)}, wantProto: TCP, wantPorts: AllPorts},
		{reason: "icmp type and code are not ports", perm: IPPermission{Protocol: "icmp", FromPort: portp(8), ToPort: portp(-1)}, wantProto: ICMP, wantPorts: AllPorts},
		{reason: "a protocol number opens every port", perm: IPPermission{Protocol: "50", FromPort: portp(22), ToPort: portp(22)}, wantProto: IPProtocol(50), wantPorts: AllPorts},
		{reason: "reversed", perm: IPPermission{Protocol: "tcp", FromPort: portp(25), ToPort: portp(20)}, wantErr: "fromPort 25 is after toPort 20"},
		{reason: "only one end", perm: IPPermission{Protocol: "tcp", FromPort: portp(22)}, wantErr: "fromPort 22 without toPort"},
		{reason: "too high", perm: IPPermission{Protocol: "tcp", FromPort: portp(22), ToPort: portp(70000)}, wantErr: "toPort 70000 is out of range"},
		{reason: "no protocol", perm: IPPermission{}, wantErr: "protocol missing"},
	}
	for _, c := range cases {
		proto, ports, err := c.perm.Traffic()
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error = %v, want one containing %q", c.reason, err, c.wantErr)
			}
			continue
		}
		if err != nil || proto != c.wantProto || ports != c.wantPorts {
			t.Errorf("%s: Traffic() = %v, %v, %v; want %v, %v", c.reason, proto, ports, err, c.wantProto, c.wantPorts)
		}
	}
}

func TestIPPermissionWorldRanges(t *testing.T) {
	p := IPPermission{
		IPv4: []string{"10.0.0.0/8", "0.0.0.0/0", "192.168.1.0/0"},
		IPv6: []string{"2001:db8::/32", "::/0"},
	}
	got, err := p.WorldRanges()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"0.0.0.0/0", "192.168.1.0/0", "::/0"}, got); diff != "" {
		t.Errorf("WorldRanges (-want +got):\n%s", diff)
	}
	bad := IPPermission{IPv4: []string{"0.0.0.0"}}
	if _, err := bad.WorldRanges(); err == nil || !strings.Contains(err.Error(), `range "0.0.0.0" is not a CIDR block`) {
		t.Errorf("a range without a prefix length: error = %v", err)
	}
}

func TestWorldOpen(t *testing.T) {
	ssh := Ports(22)
	cases := []struct {
		reason string
		perms  []IPPermission
		proto  IPProtocol
		ports  PortList
		want   []PortExposure
	}{
		{
			reason: "tcp 22 from everywhere",
			perms:  []IPPermission{{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22), IPv4: []string{"0.0.0.0/0"}}},
			proto:  TCP, ports: ssh,
			want: []PortExposure{{Index: 0, Protocol: TCP, Ports: PortRange{22, 22}, CIDR: "0.0.0.0/0", Matched: ssh}},
		},
		{
			reason: "all traffic (-1) covers tcp 22",
			perms:  []IPPermission{{Protocol: "-1", IPv4: []string{"0.0.0.0/0"}}},
			proto:  TCP, ports: ssh,
			want: []PortExposure{{Index: 0, Protocol: AllProtocols, Ports: AllPorts, CIDR: "0.0.0.0/0", Matched: ssh}},
		},
		{
			reason: "a range covering 22",
			perms: []IPPermission{
				{Protocol: "tcp", FromPort: portp(80), ToPort: portp(80), IPv4: []string{"0.0.0.0/0"}},
				{Protocol: "tcp", FromPort: portp(0), ToPort: portp(1024), IPv4: []string{"0.0.0.0/0"}},
			},
			proto: TCP, ports: ssh,
			want: []PortExposure{{Index: 1, Protocol: TCP, Ports: PortRange{0, 1024}, CIDR: "0.0.0.0/0", Matched: ssh}},
		},
		{
			reason: "IPv6 only is as open",
			perms:  []IPPermission{{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22), IPv6: []string{"::/0"}}},
			proto:  TCP, ports: ssh,
			want: []PortExposure{{Index: 0, Protocol: TCP, Ports: PortRange{22, 22}, CIDR: "::/0", Matched: ssh}},
		},
		{
			reason: "a /0 with host bits is still the world",
			perms:  []IPPermission{{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22), IPv4: []string{"192.168.1.0/0"}}},
			proto:  TCP, ports: ssh,
			want: []PortExposure{{Index: 0, Protocol: TCP, Ports: PortRange{22, 22}, CIDR: "192.168.1.0/0", Matched: ssh}},
		},
		{
			reason: "a group reference and a prefix list are not the world",
			perms: []IPPermission{{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22),
				Groups: []GroupPair{{GroupID: "sg-0123", UserID: "111122223333"}}, PrefixLists: []string{"pl-63a5400a"}}},
			proto: TCP, ports: ssh,
		},
		{
			reason: "a narrow range is not the world",
			perms:  []IPPermission{{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22), IPv4: []string{"203.0.113.0/24"}}},
			proto:  TCP, ports: ssh,
		},
		{
			reason: "udp 22 does not open tcp 22",
			perms:  []IPPermission{{Protocol: "udp", FromPort: portp(22), ToPort: portp(22), IPv4: []string{"0.0.0.0/0"}}},
			proto:  TCP, ports: ssh,
		},
		{
			reason: "icmp opens no tcp port",
			perms:  []IPPermission{{Protocol: "icmp", FromPort: portp(-1), ToPort: portp(-1), IPv4: []string{"0.0.0.0/0"}}},
			proto:  TCP, ports: ssh,
		},
		{
			reason: "several blocked ports, one range",
			perms:  []IPPermission{{Protocol: "tcp", FromPort: portp(3000), ToPort: portp(3500), IPv4: []string{"0.0.0.0/0"}, IPv6: []string{"::/0"}}},
			proto:  TCP, ports: Ports(20, 21, 3306, 3389, 4333),
			want: []PortExposure{
				{Index: 0, Protocol: TCP, Ports: PortRange{3000, 3500}, CIDR: "0.0.0.0/0", Matched: Ports(3306, 3389)},
				{Index: 0, Protocol: TCP, Ports: PortRange{3000, 3500}, CIDR: "::/0", Matched: Ports(3306, 3389)},
			},
		},
	}
	for _, c := range cases {
		got, err := WorldOpen(c.perms, c.proto, c.ports)
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: WorldOpen (-want +got):\n%s", c.reason, diff)
		}
	}
}

func TestWorldOpenErrors(t *testing.T) {
	perms := []IPPermission{
		{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22), IPv4: []string{"10.0.0.0/8"}},
		{Protocol: "tcpp", IPv4: []string{"0.0.0.0/0"}},
	}
	_, err := WorldOpen(perms, TCP, Ports(22))
	var pe *IPPermissionError
	if !errors.As(err, &pe) || pe.Index != 1 || !strings.Contains(err.Error(), `protocol "tcpp"`) {
		t.Errorf("error = %v, want a IPPermissionError for permission 1 naming the protocol", err)
	}
}

func TestUnauthorizedPorts(t *testing.T) {
	tcp, _ := ParsePortList("443,1020-1025")
	udp, _ := ParsePortList("500")
	cases := []struct {
		reason   string
		perms    []IPPermission
		tcp, udp PortList
		want     []PortExposure
	}{
		{
			reason: "authorized tcp and udp",
			perms: []IPPermission{
				{Protocol: "tcp", FromPort: portp(443), ToPort: portp(443), IPv4: []string{"0.0.0.0/0"}},
				{Protocol: "tcp", FromPort: portp(1021), ToPort: portp(1024), IPv6: []string{"::/0"}},
				{Protocol: "udp", FromPort: portp(500), ToPort: portp(500), IPv4: []string{"0.0.0.0/0"}},
				{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22), IPv4: []string{"10.0.0.0/8"}},
				{Protocol: "icmp", FromPort: portp(-1), ToPort: portp(-1), IPv4: []string{"0.0.0.0/0"}},
			},
			tcp: tcp, udp: udp,
		},
		{
			reason: "a tcp range partly outside",
			perms:  []IPPermission{{Protocol: "tcp", FromPort: portp(1020), ToPort: portp(1030), IPv4: []string{"0.0.0.0/0"}}},
			tcp:    tcp, udp: udp,
			want: []PortExposure{{Index: 0, Protocol: TCP, Ports: PortRange{1020, 1030}, CIDR: "0.0.0.0/0", Matched: PortList{{1026, 1030}}}},
		},
		{
			reason: "udp 443 is not authorized by the tcp list",
			perms:  []IPPermission{{Protocol: "udp", FromPort: portp(443), ToPort: portp(443), IPv4: []string{"0.0.0.0/0"}}},
			tcp:    tcp, udp: udp,
			want: []PortExposure{{Index: 0, Protocol: UDP, Ports: PortRange{443, 443}, CIDR: "0.0.0.0/0", Matched: Ports(443)}},
		},
		{
			reason: "all traffic opens unauthorized ports",
			perms:  []IPPermission{{Protocol: "-1", IPv6: []string{"::/0"}}},
			tcp:    tcp, udp: udp,
			want: []PortExposure{{Index: 0, Protocol: AllProtocols, Ports: AllPorts, CIDR: "::/0", Matched: subtractPorts(AllPorts, tcp)}},
		},
		{
			reason: "no lists: every open tcp or udp port is unauthorized",
			perms:  []IPPermission{{Protocol: "tcp", FromPort: portp(443), ToPort: portp(443), IPv4: []string{"0.0.0.0/0"}}},
			want:   []PortExposure{{Index: 0, Protocol: TCP, Ports: PortRange{443, 443}, CIDR: "0.0.0.0/0", Matched: Ports(443)}},
		},
	}
	for _, c := range cases {
		got, err := UnauthorizedPorts(c.perms, c.tcp, c.udp)
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: UnauthorizedPorts (-want +got):\n%s", c.reason, diff)
		}
	}
}

func naclEntry(n int, allow bool, proto string, from, to int, cidr string) NetworkACLEntry {
	e := NetworkACLEntry{RuleNumber: n, Allow: allow, IPPermission: IPPermission{Protocol: proto}}
	if from >= 0 {
		e.FromPort, e.ToPort = portp(from), portp(to)
	}
	if strings.Contains(cidr, ":") {
		e.IPv6 = []string{cidr}
	} else {
		e.IPv4 = []string{cidr}
	}
	return e
}

func TestNetworkACLWorldOpen(t *testing.T) {
	sshRDP := Ports(22, 3389)
	cases := []struct {
		reason  string
		entries []NetworkACLEntry
		proto   IPProtocol
		want    []PortExposure
	}{
		{
			reason: "the default ACL: allow all, then deny all",
			entries: []NetworkACLEntry{
				naclEntry(100, true, "-1", -1, -1, "0.0.0.0/0"),
				naclEntry(32767, false, "-1", -1, -1, "0.0.0.0/0"),
			},
			proto: TCP,
			want:  []PortExposure{{Index: 0, Protocol: AllProtocols, Ports: AllPorts, CIDR: "0.0.0.0/0", Matched: sshRDP}},
		},
		{
			reason: "a lower-numbered deny of the world closes 22 but not 3389",
			entries: []NetworkACLEntry{
				naclEntry(200, true, "6", 0, 65535, "0.0.0.0/0"),
				naclEntry(100, false, "6", 22, 22, "0.0.0.0/0"),
			},
			proto: TCP,
			want:  []PortExposure{{Index: 0, Protocol: TCP, Ports: AllPorts, CIDR: "0.0.0.0/0", Matched: Ports(3389)}},
		},
		{
			reason: "a lower-numbered deny of part of the world leaves it open",
			entries: []NetworkACLEntry{
				naclEntry(100, false, "6", 22, 22, "198.51.100.0/24"),
				naclEntry(110, true, "6", 22, 22, "0.0.0.0/0"),
			},
			proto: TCP,
			want:  []PortExposure{{Index: 1, Protocol: TCP, Ports: PortRange{22, 22}, CIDR: "0.0.0.0/0", Matched: Ports(22)}},
		},
		{
			reason: "a higher-numbered deny comes too late",
			entries: []NetworkACLEntry{
				naclEntry(100, true, "6", 3389, 3389, "::/0"),
				naclEntry(110, false, "-1", -1, -1, "::/0"),
			},
			proto: TCP,
			want:  []PortExposure{{Index: 0, Protocol: TCP, Ports: PortRange{3389, 3389}, CIDR: "::/0", Matched: Ports(3389)}},
		},
		{
			reason: "an IPv4 deny does not close IPv6",
			entries: []NetworkACLEntry{
				naclEntry(90, false, "-1", -1, -1, "0.0.0.0/0"),
				naclEntry(100, true, "6", 22, 22, "0.0.0.0/0"),
				naclEntry(101, true, "6", 22, 22, "::/0"),
			},
			proto: TCP,
			want:  []PortExposure{{Index: 2, Protocol: TCP, Ports: PortRange{22, 22}, CIDR: "::/0", Matched: Ports(22)}},
		},
		{
			reason: "only narrow allows",
			entries: []NetworkACLEntry{
				naclEntry(100, true, "6", 22, 22, "10.0.0.0/8"),
				naclEntry(32767, false, "-1", -1, -1, "0.0.0.0/0"),
			},
			proto: TCP,
		},
		{
			reason: "udp entries count when asked about udp",
			entries: []NetworkACLEntry{
				naclEntry(100, true, "17", 3389, 3389, "0.0.0.0/0"),
			},
			proto: UDP,
			want:  []PortExposure{{Index: 0, Protocol: UDP, Ports: PortRange{3389, 3389}, CIDR: "0.0.0.0/0", Matched: Ports(3389)}},
		},
		{
			reason: "udp entries do not count for tcp",
			entries: []NetworkACLEntry{
				naclEntry(100, true, "17", 0, 65535, "0.0.0.0/0"),
			},
			proto: TCP,
		},
	}
	for _, c := range cases {
		got, err := NetworkACLWorldOpen(c.entries, c.proto, sshRDP)
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: NetworkACLWorldOpen (-want +got):\n%s", c.reason, diff)
		}
	}
}

func TestPortExposureString(t *testing.T) {
	cases := map[string]PortExposure{
		"0.0.0.0/0 on TCP 22":      {Protocol: TCP, Ports: PortRange{22, 22}, CIDR: "0.0.0.0/0"},
		"::/0 on UDP 0-65535":      {Protocol: UDP, Ports: AllPorts, CIDR: "::/0"},
		"0.0.0.0/0 on all traffic": {Protocol: AllProtocols, Ports: AllPorts, CIDR: "0.0.0.0/0"},
		"0.0.0.0/0 on ICMP":        {Protocol: ICMP, Ports: AllPorts, CIDR: "0.0.0.0/0"},
	}
	for want, e := range cases {
		if got := e.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

// A CloudTrail AuthorizeSecurityGroupIngress request, a Config item and a
// template all become Permissions; the question is then the same.
func ExampleWorldOpen() {
	ingress := []IPPermission{
		{Protocol: "tcp", FromPort: portp(443), ToPort: portp(443), IPv4: []string{"0.0.0.0/0"}},
		{Protocol: "tcp", FromPort: portp(0), ToPort: portp(1024), IPv6: []string{"::/0"}},
		{Protocol: "tcp", FromPort: portp(22), ToPort: portp(22), Groups: []GroupPair{{GroupID: "sg-0bastion"}}},
	}
	restricted, _ := ParsePortList("20,21,22,3306,3389,4333")
	open, _ := WorldOpen(ingress, TCP, restricted)
	for _, e := range open {
		fmt.Printf("permission %d: %s reaches %s\n", e.Index, e, e.Matched)
	}
	// Output:
	// permission 1: ::/0 on TCP 0-1024 reaches 20-22
}

func ExampleParsePortList() {
	_, err := ParsePortList("443,1025-1020")
	fmt.Println(err)
	l, _ := ParsePortList("1020-1025, 443")
	fmt.Println(l, l.Covers(PortRange{1021, 1022}))
	// Output:
	// item 2 "1025-1020": the range starts at 1025, after its end 1020
	// 443,1020-1025 true
}

func ExampleUnauthorizedPorts() {
	tcp, _ := ParsePortList("443")
	ingress := []IPPermission{
		{Protocol: "tcp", FromPort: portp(443), ToPort: portp(443), IPv4: []string{"0.0.0.0/0"}},
		{Protocol: "tcp", FromPort: portp(8080), ToPort: portp(8081), IPv4: []string{"0.0.0.0/0"}},
	}
	bad, _ := UnauthorizedPorts(ingress, tcp, nil)
	for _, e := range bad {
		fmt.Println(e)
	}
	// Output:
	// 0.0.0.0/0 on TCP 8080-8081
}
