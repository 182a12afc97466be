package watch

func securityGroupDetection() Detection {
	return Detection{
		ID:           "ec2-security-group-opened-to-world",
		Summary:      "A security group ingress rule that lets a /0 range (IPv4 or IPv6) reach a restricted port (20, 21, 22, 3306, 3389, 4333) over TCP or all protocols.",
		Severity:     High,
		EventSource:  ec2Source,
		EventNames:   []string{"AuthorizeSecurityGroupIngress"},
		Rules:        []string{"restricted-ssh", "restricted-common-ports"},
		Remediations: []string{"ec2-revoke-world-open-ingress"},
	}
}
