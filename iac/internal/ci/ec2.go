package ci

import "github.com/guardrails-go/guardrails/iac/internal/value"

// VolumeEncrypted decides whether a new EBS volume is encrypted: true when
// asked; otherwise the account's encryption-by-default setting decides (it
// encrypts even volumes that ask for false), and a volume restored from a
// snapshot inherits the snapshot's encryption. asked is true, false, nil
// (not set) or an Unknown.
func VolumeEncrypted(byDefault *bool, asked any, fromSnapshot bool) any {
	if asked == true {
		return true
	}
	if u, unknown := asked.(value.Unknown); unknown {
		return u.Typed()
	}
	if byDefault != nil && *byDefault {
		return true
	}
	if fromSnapshot {
		return value.NewUnknown("encryption of the snapshot").Typed()
	}
	if byDefault == nil {
		return value.NewUnknown("account EBS encryption-by-default setting").Typed()
	}
	return false
}

// ACLProtocol writes a network ACL protocol as EC2 records it: a protocol
// number as text, "-1" for all.
func ACLProtocol(p any) any {
	s, ok := p.(string)
	if !ok {
		if n, isNum := value.AsString(p); isNum {
			if str, isStr := n.(string); isStr {
				s = str
			} else {
				return p
			}
		} else {
			return p
		}
	}
	switch s {
	case "tcp", "TCP":
		return "6"
	case "udp", "UDP":
		return "17"
	case "icmp", "ICMP":
		return "1"
	case "icmpv6", "ICMPV6":
		return "58"
	case "all", "ALL", "-1":
		return "-1"
	}
	return s
}
