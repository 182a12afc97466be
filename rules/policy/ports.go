package policy

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// IPProtocol is an IP protocol as security groups and network ACLs name it:
// its IANA number, or AllProtocols.
type IPProtocol int

// The protocols rules ask about.
const (
	// AllProtocols is what AWS writes as "-1": every protocol, every port.
	AllProtocols IPProtocol = -1
	ICMP         IPProtocol = 1
	TCP          IPProtocol = 6
	UDP          IPProtocol = 17
	ICMPv6       IPProtocol = 58
)

// ParseProtocol reads a protocol as AWS writes it: "tcp", "udp", "icmp",
// "icmpv6", "-1" (or "all") for every protocol, or a number 0-255 such as
// "6". Case and surrounding spaces are ignored.
func ParseProtocol(s string) (IPProtocol, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tcp":
		return TCP, nil
	case "udp":
		return UDP, nil
	case "icmp":
		return ICMP, nil
	case "icmpv6":
		return ICMPv6, nil
	case "-1", "all":
		return AllProtocols, nil
	case "":
		return 0, errors.New("protocol missing")
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 || n > 255 {
		return 0, fmt.Errorf("protocol %q: want tcp, udp, icmp, icmpv6, -1 or a number 0-255", s)
	}
	return IPProtocol(n), nil
}

// String names the protocol for messages: "TCP", "UDP", "ICMP", "ICMPv6",
// "all traffic" or "protocol 50".
func (p IPProtocol) String() string {
	switch p {
	case AllProtocols:
		return "all traffic"
	case TCP:
		return "TCP"
	case UDP:
		return "UDP"
	case ICMP:
		return "ICMP"
	case ICMPv6:
		return "ICMPv6"
	}
	return "protocol " + strconv.Itoa(int(p))
}

// hasPorts reports whether rules for p carry a port range: only TCP and
// UDP do (ICMP's "ports" are types and codes, and AWS opens every port for
// any other protocol).
func (p IPProtocol) hasPorts() bool { return p == TCP || p == UDP }

// carries reports whether a rule for p lets through traffic of protocol q.
func (p IPProtocol) carries(q IPProtocol) bool { return p == AllProtocols || p == q }

// MaxPort is the highest TCP or UDP port.
const MaxPort = 65535

// PortRange is an inclusive range of ports.
type PortRange struct{ From, To int }

// AllPorts is every port.
var AllPorts = PortRange{0, MaxPort}

// Contains reports whether port is in r.
func (r PortRange) Contains(port int) bool { return r.From <= port && port <= r.To }

// String writes "22", "1020-1025" or "0-65535".
func (r PortRange) String() string {
	if r.From == r.To {
		return strconv.Itoa(r.From)
	}
	return strconv.Itoa(r.From) + "-" + strconv.Itoa(r.To)
}

// PortList is a set of ports, held as sorted ranges that neither overlap
// nor touch. Build one with ParsePortList or Ports.
type PortList []PortRange

// Ports returns the list of the given ports.
func Ports(ports ...int) PortList {
	l := make(PortList, 0, len(ports))
	for _, p := range ports {
		l = append(l, PortRange{p, p})
	}
	return normalizePorts(l)
}

// ParsePortList reads a comma-separated list of ports and ranges, such as
// "443,1020-1025" or "20,21,22,3306,3389,4333", the form of the
// authorizedTcpPorts parameter and of remediation port lists. Spaces around
// items are ignored; "" is the empty list. An error names the item (counted
// from 1) and what is wrong with it.
func ParsePortList(s string) (PortList, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	items := strings.Split(s, ",")
	l := make(PortList, 0, len(items))
	for i, item := range items {
		r, err := parsePortItem(strings.TrimSpace(item))
		if err != nil {
			return nil, fmt.Errorf("item %d %q: %v", i+1, strings.TrimSpace(item), err)
		}
		l = append(l, r)
	}
	return normalizePorts(l), nil
}

func parsePortItem(item string) (PortRange, error) {
	if item == "" {
		return PortRange{}, errors.New("empty")
	}
	from, to, isRange := strings.Cut(item, "-")
	a, err := parsePort(from)
	if err != nil {
		return PortRange{}, err
	}
	if !isRange {
		return PortRange{a, a}, nil
	}
	b, err := parsePort(to)
	if err != nil {
		return PortRange{}, err
	}
	if a > b {
		return PortRange{}, fmt.Errorf("the range starts at %d, after its end %d", a, b)
	}
	return PortRange{a, b}, nil
}

func parsePort(s string) (int, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a port number (want a port such as 443 or a range such as 1020-1025)", s)
	}
	if n < 0 || n > MaxPort {
		return 0, fmt.Errorf("port %d is out of range 0-%d", n, MaxPort)
	}
	return n, nil
}

// normalize sorts the ranges and merges those that overlap or touch.
func normalizePorts(l PortList) PortList {
	if len(l) == 0 {
		return nil
	}
	sort.Slice(l, func(i, j int) bool { return l[i].From < l[j].From })
	out := l[:1]
	for _, r := range l[1:] {
		last := &out[len(out)-1]
		if r.From <= last.To+1 {
			if r.To > last.To {
				last.To = r.To
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// Union returns the ports in l or in m.
func (l PortList) Union(m PortList) PortList {
	return normalizePorts(append(append(PortList(nil), l...), m...))
}

// Contains reports whether port is in the list.
func (l PortList) Contains(port int) bool {
	for _, r := range l {
		if r.Contains(port) {
			return true
		}
	}
	return false
}

// Covers reports whether every port of r is in the list.
func (l PortList) Covers(r PortRange) bool {
	for _, x := range l {
		if x.From <= r.From && r.To <= x.To {
			return true
		}
	}
	return false
}

// Intersect returns the ports of the list that are in r.
func (l PortList) Intersect(r PortRange) PortList {
	var out PortList
	for _, x := range l {
		from, to := max(x.From, r.From), min(x.To, r.To)
		if from <= to {
			out = append(out, PortRange{from, to})
		}
	}
	return out
}

// String writes the list as ParsePortList reads it: "20-21,3306".
func (l PortList) String() string {
	parts := make([]string, len(l))
	for i, r := range l {
		parts[i] = r.String()
	}
	return strings.Join(parts, ",")
}

// IPPermission is one rule of a security group (ingress or egress) in a form
// that Config items, CloudTrail request parameters and infrastructure as
// code all map into.
type IPPermission struct {
	// Protocol is as AWS writes it: "tcp", "udp", "icmp", "-1", "6", ...
	Protocol string
	// FromPort and ToPort bound the ports for TCP and UDP; nil (not given)
	// or -1 means every port. For ICMP they are a type and a code, and for
	// other protocols AWS ignores them.
	FromPort, ToPort *int
	// IPv4 and IPv6 are the CIDR ranges the rule lets in (or out).
	IPv4, IPv6 []string
	// PrefixLists are the ids of managed prefix lists the rule names.
	PrefixLists []string
	// Groups are the security groups the rule names; traffic from them is
	// never "the world", whatever their own rules.
	Groups []GroupPair
}

// GroupPair names a security group a permission refers to.
type GroupPair struct {
	GroupID, GroupName, UserID, VpcID, PeeringConnectionID string
}

// Traffic returns the protocol the permission lets through and, for TCP
// and UDP, its port range; for every other protocol the range is AllPorts,
// since AWS ignores ports there.
func (p *IPPermission) Traffic() (IPProtocol, PortRange, error) {
	proto, err := ParseProtocol(p.Protocol)
	if err != nil {
		return 0, PortRange{}, err
	}
	if !proto.hasPorts() {
		return proto, AllPorts, nil
	}
	r, err := fromToPorts(p.FromPort, p.ToPort)
	return proto, r, err
}

// portRange reads a from/to pair: both absent or -1 is every port.
func fromToPorts(from, to *int) (PortRange, error) {
	switch {
	case from == nil && to == nil:
		return AllPorts, nil
	case from == nil:
		return PortRange{}, fmt.Errorf("toPort %d without fromPort", *to)
	case to == nil:
		return PortRange{}, fmt.Errorf("fromPort %d without toPort", *from)
	}
	a, b := *from, *to
	if a == -1 {
		a = 0
	}
	if b == -1 {
		b = MaxPort
	}
	switch {
	case a < 0 || a > MaxPort:
		return PortRange{}, fmt.Errorf("fromPort %d is out of range -1 to %d", *from, MaxPort)
	case b < 0 || b > MaxPort:
		return PortRange{}, fmt.Errorf("toPort %d is out of range -1 to %d", *to, MaxPort)
	case a > b:
		return PortRange{}, fmt.Errorf("fromPort %d is after toPort %d", a, b)
	}
	return PortRange{a, b}, nil
}

// WorldRanges returns the permission's CIDR ranges that span a whole
// address family: any prefix of length 0, such as 0.0.0.0/0, ::/0 or
// 192.168.1.0/0 (the host bits do not narrow a /0). A range that is not a
// CIDR is an error naming it.
func (p *IPPermission) WorldRanges() ([]string, error) {
	var out []string
	for _, list := range [2][]string{p.IPv4, p.IPv6} {
		for _, c := range list {
			world, err := isWorldCIDR(c)
			if err != nil {
				return nil, err
			}
			if world {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

func isWorldCIDR(cidr string) (bool, error) {
	pfx, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return false, fmt.Errorf("range %q is not a CIDR block", cidr)
	}
	return pfx.Bits() == 0, nil
}

// IPPermissionError says which permission (or ACL entry) of a list could not
// be read.
type IPPermissionError struct {
	// Index is the position in the list analysed, from 0.
	Index int
	Err   error
}

func (e *IPPermissionError) Error() string { return fmt.Sprintf("permission %d: %v", e.Index, e.Err) }
func (e *IPPermissionError) Unwrap() error { return e.Err }

// PortExposure says that a permission (or a network ACL entry) lets a whole
// address family reach some ports.
type PortExposure struct {
	// Index is the permission's position in the list analysed, from 0.
	Index int
	// Protocol is the permission's protocol; AllProtocols for all traffic.
	Protocol IPProtocol
	// Ports is the permission's port range (AllPorts for protocols without
	// ports).
	Ports PortRange
	// CIDR is the /0 range, as written.
	CIDR string
	// Matched are the ports asked about that the permission opens; nil when
	// no particular ports were asked.
	Matched PortList
}

// String describes the exposure: "0.0.0.0/0 on TCP 22", "::/0 on TCP
// 0-65535", "0.0.0.0/0 on all traffic".
func (e PortExposure) String() string {
	if !e.Protocol.hasPorts() {
		return e.CIDR + " on " + e.Protocol.String()
	}
	return e.CIDR + " on " + e.Protocol.String() + " " + e.Ports.String()
}

// OpenToWorld returns an exposure for each /0 range of each permission,
// whatever its protocol and ports. Group pairs and prefix lists are never
// the world.
func OpenToWorld(perms []IPPermission) ([]PortExposure, error) {
	var out []PortExposure
	for i := range perms {
		world, err := perms[i].WorldRanges()
		if err != nil {
			return nil, &IPPermissionError{Index: i, Err: err}
		}
		if len(world) == 0 {
			continue
		}
		proto, ports, err := perms[i].Traffic()
		if err != nil {
			return nil, &IPPermissionError{Index: i, Err: err}
		}
		for _, c := range world {
			out = append(out, PortExposure{Index: i, Protocol: proto, Ports: ports, CIDR: c})
		}
	}
	return out, nil
}

// WorldOpen returns the exposures through which a /0 range reaches any of
// ports over proto (TCP or UDP), given a security group's ingress
// permissions. A permission for all traffic counts for both protocols and
// every port, so a rule for "-1", or for TCP 0-65535, opens TCP 22.
func WorldOpen(perms []IPPermission, proto IPProtocol, ports PortList) ([]PortExposure, error) {
	open, err := OpenToWorld(perms)
	if err != nil {
		return nil, err
	}
	out := open[:0]
	for _, e := range open {
		if !e.Protocol.carries(proto) {
			continue
		}
		if m := ports.Intersect(e.Ports); len(m) > 0 {
			e.Matched = m
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// UnauthorizedPorts returns the exposures through which a /0 range reaches TCP
// or UDP ports outside the authorized lists: a TCP permission whose range
// tcp does not cover, a UDP one udp does not cover, and an all-traffic
// permission unless both lists cover every port. Other protocols (ICMP,
// ESP, ...) open no TCP or UDP port and are not reported. Matched holds the
// ports the permission opens that are not authorized.
func UnauthorizedPorts(perms []IPPermission, tcp, udp PortList) ([]PortExposure, error) {
	open, err := OpenToWorld(perms)
	if err != nil {
		return nil, err
	}
	out := open[:0]
	for _, e := range open {
		var missing PortList
		switch e.Protocol {
		case TCP:
			missing = subtractPorts(e.Ports, tcp)
		case UDP:
			missing = subtractPorts(e.Ports, udp)
		case AllProtocols:
			missing = subtractPorts(AllPorts, tcp)
			if len(missing) == 0 {
				missing = subtractPorts(AllPorts, udp)
			}
		default:
			continue
		}
		if len(missing) > 0 {
			e.Matched = missing
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// subtract returns the ports of r that are not in l.
func subtractPorts(r PortRange, l PortList) PortList {
	var out PortList
	next := r.From
	for _, x := range l {
		if x.To < next {
			continue
		}
		if x.From > r.To {
			break
		}
		if x.From > next {
			out = append(out, PortRange{next, x.From - 1})
		}
		next = x.To + 1
		if next > r.To {
			return out
		}
	}
	return append(out, PortRange{next, r.To})
}

// NetworkACLEntry is one entry of a network ACL. Entries are evaluated by
// ascending rule number, and the first entry that matches a packet allows
// or denies it.
type NetworkACLEntry struct {
	RuleNumber int
	Allow      bool
	// IPPermission holds the entry's protocol, port range and CIDR block.
	IPPermission
}

// NetworkACLWorldOpen returns the allow entries through which a /0 range reaches
// any of ports over proto (TCP or UDP), given a network ACL's inbound (or
// outbound) entries. For each port and address family, the first entry by
// rule number that matches the protocol and the port with a /0 range
// decides: an allow opens the port to the world, a deny closes it. Entries
// with narrower ranges before it only carve parts out of the world, so
// they leave it open. Index in each exposure is the entry's position in
// entries.
func NetworkACLWorldOpen(entries []NetworkACLEntry, proto IPProtocol, ports PortList) ([]PortExposure, error) {
	type worldEntry struct {
		index int
		proto IPProtocol
		ports PortRange
		cidr  string
		v6    bool
	}
	var world []worldEntry
	for i := range entries {
		ranges, err := entries[i].WorldRanges()
		if err != nil {
			return nil, &IPPermissionError{Index: i, Err: err}
		}
		if len(ranges) == 0 {
			continue
		}
		p, r, err := entries[i].Traffic()
		if err != nil {
			return nil, &IPPermissionError{Index: i, Err: err}
		}
		if !p.carries(proto) {
			continue
		}
		for _, c := range ranges {
			pfx, _ := netip.ParsePrefix(strings.TrimSpace(c))
			world = append(world, worldEntry{i, p, r, c, pfx.Addr().Is6()})
		}
	}
	sort.SliceStable(world, func(a, b int) bool {
		return entries[world[a].index].RuleNumber < entries[world[b].index].RuleNumber
	})
	// Every port of a segment between two entry boundaries meets the same
	// entries, so one port per segment decides the segment.
	cuts := map[int]bool{}
	for _, w := range world {
		cuts[w.ports.From], cuts[w.ports.To+1] = true, true
	}
	matched := map[int]PortList{} // index into world → ports it opens
	var order []int
	for _, r := range ports {
		points := []int{r.From}
		for c := range cuts {
			if c > r.From && c <= r.To {
				points = append(points, c)
			}
		}
		sort.Ints(points)
		for k, from := range points {
			to := r.To
			if k+1 < len(points) {
				to = points[k+1] - 1
			}
			for _, v6 := range []bool{false, true} {
				for wi, w := range world {
					if w.v6 != v6 || !w.ports.Contains(from) {
						continue
					}
					if entries[w.index].Allow {
						if _, seen := matched[wi]; !seen {
							order = append(order, wi)
						}
						matched[wi] = append(matched[wi], PortRange{from, to})
					}
					break
				}
			}
		}
	}
	if len(order) == 0 {
		return nil, nil
	}
	out := make([]PortExposure, 0, len(order))
	for _, wi := range order {
		w := world[wi]
		out = append(out, PortExposure{Index: w.index, Protocol: w.proto, Ports: w.ports, CIDR: w.cidr, Matched: normalizePorts(matched[wi])})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out, nil
}
