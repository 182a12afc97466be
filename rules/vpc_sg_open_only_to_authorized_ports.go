package rules

import (
	"context"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/policy"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// VPCSGOpenOnlyToAuthorizedPorts checks that the inbound rules of a
// security group that are open to a /0 range open only authorized TCP and
// UDP ports. A group with no such rule is NOT_APPLICABLE, as for the
// managed rule; without parameters every world-open TCP or UDP port is
// unauthorized. A rule for all traffic (-1) opens every port; ICMP and
// other protocols open no TCP or UDP port and are not judged.
func VPCSGOpenOnlyToAuthorizedPorts() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "vpc-sg-open-only-to-authorized-ports",
		Summary:       "Security groups open to 0.0.0.0/0 or ::/0 open only authorized TCP and UDP ports.",
		Rationale:     "Every port open to the internet is attack surface; listing the ports that may be public keeps the rest closed.",
		ResourceTypes: []string{resource.SecurityGroupType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange, evaluate.Periodic},
		Parameters: []evaluate.Parameter{
			{Name: "authorizedTcpPorts", Type: evaluate.String, Description: `TCP ports that may be open to 0.0.0.0/0 or ::/0: ports and ranges, comma-separated, for example "443,1020-1025".`},
			{Name: "authorizedUdpPorts", Type: evaluate.String, Description: `UDP ports that may be open to 0.0.0.0/0 or ::/0: ports and ranges, comma-separated, for example "500,1020-1025".`},
		},
		Severity:    evaluate.High,
		ManagedRule: "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
		Controls:    []string{"SecurityHub:EC2.18"},
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/vpc-sg-open-only-to-authorized-ports.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		tcp, err := policy.ParsePortList(p.String("authorizedTcpPorts"))
		if err != nil {
			return nil, &evaluate.ParamError{Name: "authorizedTcpPorts", Value: p.String("authorizedTcpPorts"), Err: err}
		}
		udp, err := policy.ParsePortList(p.String("authorizedUdpPorts"))
		if err != nil {
			return nil, &evaluate.ParamError{Name: "authorizedUdpPorts", Value: p.String("authorizedUdpPorts"), Err: err}
		}
		authorized := "TCP " + portsOrNone(tcp.String()) + ", UDP " + portsOrNone(udp.String())
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			sg, err := sgViews.Of(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			open, err := policy.OpenToWorld(sg.Ingress)
			if err != nil {
				return evaluate.Result{}, sgPermissionError(err, "configuration.ipPermissions", sg.ingressIndex)
			}
			bad, err := policy.UnauthorizedPorts(sg.Ingress, tcp, udp)
			if err != nil {
				return evaluate.Result{}, sgPermissionError(err, "configuration.ipPermissions", sg.ingressIndex)
			}
			switch {
			case len(bad) > 0:
				return evaluate.NonCompliantf("Security group %s opens unauthorized ports to the world: %s (authorized: %s).", sg.ID, describeUnauthorized(bad), authorized), nil
			case sg.unknownIngress != "":
				return evaluate.InsufficientDataf("Security group %s: %s is not known until deployment.", sg.ID, sg.unknownIngress), nil
			case len(open) == 0:
				return evaluate.NotApplicablef("Security group %s has no inbound rule open to a /0 range.", sg.ID), nil
			}
			return evaluate.Compliantf("Security group %s opens only authorized ports to the world (%s).", sg.ID, authorized), nil
		}), nil
	})
}

func portsOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// describeUnauthorized writes "0.0.0.0/0 on TCP 1020-1030, of which
// 1026-1030 are not authorized".
func describeUnauthorized(exps []policy.PortExposure) string {
	out := ""
	for i, e := range exps {
		if i == 3 {
			return out + "; and more"
		}
		if i > 0 {
			out += "; "
		}
		out += e.String()
		if e.Protocol != policy.AllProtocols && (len(e.Matched) != 1 || e.Matched[0] != e.Ports) {
			out += " (" + e.Matched.String() + " not authorized)"
		}
	}
	return out
}
