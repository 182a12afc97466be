package rules

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// ec2BenchItems generates security groups and instances shaped as Config
// records them, with the SSM inventory the managed-instance rule looks up:
// groups with 1 to 8 permissions (some open to 0.0.0.0/0 or ::/0, some
// for all traffic, some naming groups or prefix lists, a few default
// groups) and instances in various states, most of them managed.
func ec2BenchItems(groups, instances int, missingInventory float64) (items []*evaluate.ConfigurationItem, evaluated int) {
	rng := rand.New(rand.NewPCG(1, 2))
	accounts := []string{"111122223333", "444455556666", "777788889999"}
	regions := []string{"eu-west-1", "us-east-1"}
	capture := time.Date(2026, 11, 2, 9, 14, 27, 0, time.UTC)
	item := func(typ, id string, i int, conf string) *evaluate.ConfigurationItem {
		return &evaluate.ConfigurationItem{
			ResourceType: typ, ResourceID: id, AccountID: accounts[i%len(accounts)], Region: regions[i%len(regions)],
			Status: evaluate.StatusOK, CaptureTime: capture, Configuration: json.RawMessage(conf),
		}
	}
	ports := []int{22, 80, 443, 3306, 3389, 5432, 8080, 27017}
	perm := func() string {
		var b strings.Builder
		proto := "tcp"
		switch r := rng.IntN(20); {
		case r == 0:
			proto = "-1"
		case r < 3:
			proto = "udp"
		}
		from := ports[rng.IntN(len(ports))]
		to := from
		if rng.IntN(10) == 0 {
			to = from + rng.IntN(2000)
		}
		fmt.Fprintf(&b, `{"ipProtocol":%q`, proto)
		if proto != "-1" {
			fmt.Fprintf(&b, `,"fromPort":%d,"toPort":%d`, from, to)
		}
		switch r := rng.IntN(10); {
		case r < 3:
			b.WriteString(`,"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}],"ipRanges":["0.0.0.0/0"],"ipv6Ranges":[],"prefixListIds":[],"userIdGroupPairs":[]}`)
		case r < 4:
			b.WriteString(`,"ipv4Ranges":[],"ipRanges":[],"ipv6Ranges":[{"cidrIpv6":"::/0"}],"prefixListIds":[],"userIdGroupPairs":[]}`)
		case r < 6:
			fmt.Fprintf(&b, `,"ipv4Ranges":[],"ipRanges":[],"ipv6Ranges":[],"prefixListIds":[],"userIdGroupPairs":[{"groupId":"sg-%08x","userId":"111122223333"}]}`, rng.Uint32())
		case r < 7:
			b.WriteString(`,"ipv4Ranges":[],"ipRanges":[],"ipv6Ranges":[],"prefixListIds":[{"prefixListId":"pl-6da54004"}],"userIdGroupPairs":[]}`)
		default:
			fmt.Fprintf(&b, `,"ipv4Ranges":[{"cidrIp":"10.%d.0.0/16"},{"cidrIp":"192.168.%d.0/24"}],"ipRanges":["10.%d.0.0/16","192.168.%d.0/24"],"ipv6Ranges":[],"prefixListIds":[],"userIdGroupPairs":[]}`,
				rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256))
		}
		return b.String()
	}
	for i := range groups {
		id := fmt.Sprintf("sg-%017x", i)
		name := fmt.Sprintf("app-%d", i)
		if i%50 == 0 {
			name = "default"
		}
		n := 1 + rng.IntN(8)
		in := make([]string, n)
		for k := range in {
			in[k] = perm()
		}
		conf := fmt.Sprintf(`{"description":"generated","groupName":%q,"ipPermissions":[%s],"ownerId":"111122223333","groupId":%q,`+
			`"ipPermissionsEgress":[{"ipProtocol":"-1","ipv4Ranges":[{"cidrIp":"0.0.0.0/0"}],"ipRanges":["0.0.0.0/0"],"ipv6Ranges":[],"prefixListIds":[],"userIdGroupPairs":[]}],"tags":[],"vpcId":"vpc-%08x"}`,
			name, strings.Join(in, ","), id, i/20)
		items = append(items, item(resource.SecurityGroupType, id, i, conf))
	}
	states := []string{"running", "running", "running", "running", "running", "running", "stopped", "terminated"}
	for i := range instances {
		id := fmt.Sprintf("i-%017x", i)
		state := states[rng.IntN(len(states))]
		tokens := "required"
		if rng.IntN(3) == 0 {
			tokens = "optional"
		}
		public := ""
		if rng.IntN(4) == 0 {
			public = fmt.Sprintf(`"publicIpAddress":"34.%d.%d.%d",`, rng.IntN(256), rng.IntN(256), rng.IntN(256))
		}
		profile := ""
		if rng.IntN(5) != 0 {
			profile = `"iamInstanceProfile":{"arn":"arn:aws:iam::111122223333:instance-profile/app","id":"AIPAEXAMPLE"},`
		}
		conf := fmt.Sprintf(`{"instanceId":%q,"imageId":"ami-0abcdef1234567890","state":{"code":16,"name":%q},%s%s`+
			`"metadataOptions":{"state":"applied","httpTokens":%q,"httpPutResponseHopLimit":2,"httpEndpoint":"enabled"},`+
			`"networkInterfaces":[{"networkInterfaceId":"eni-%08x","privateIpAddress":"172.31.%d.%d","privateIpAddresses":[{"primary":true,"privateIpAddress":"172.31.%d.%d"}]}],`+
			`"instanceType":"t3.micro","subnetId":"subnet-%08x","vpcId":"vpc-%08x"}`,
			id, state, public, profile, tokens, i, rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256), i/30, i/300)
		items = append(items, item(resource.EC2InstanceType, id, i, conf))
		if rng.Float64() < missingInventory {
			continue
		}
		status := "Active"
		if rng.IntN(20) == 0 {
			status = "Stopped"
		}
		inv := fmt.Sprintf(`{"AWS:InstanceInformation":{"SchemaVersion":"1.0","CaptureTime":"2026-11-02T09:00:00Z","Content":{%q:{"InstanceId":%q,"InstanceStatus":%q,"AgentType":"amazon-ssm-agent","AgentVersion":"3.3.987.0","PlatformType":"Linux","PlatformName":"Amazon Linux","ResourceType":"EC2Instance"}}}}`,
			id, id, status)
		items = append(items, item(resource.ManagedInstanceInventoryType, id, i, inv))
	}
	return items, groups + instances
}

// BenchmarkEC2Family scans 100,000 security groups and instances (plus
// the SSM inventory of most instances) with the family's rules.
func BenchmarkEC2Family(b *testing.B) {
	for _, bc := range []struct {
		name    string
		missing float64
	}{
		{"inventory-for-99pct", 0.01},
		{"inventory-for-all", 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			items, evaluated := ec2BenchItems(60_000, 40_000, bc.missing)
			engine, err := evaluate.NewEngine(ec2Rules(), evaluate.WithClock(func() time.Time { return fixtureClock }))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			var evaluations int
			b.ResetTimer()
			for b.Loop() {
				evaluations = 0
				for _, err := range engine.Scan(ctx, evaluate.Items(items...)) {
					if err != nil {
						b.Fatal(err)
					}
					evaluations++
				}
			}
			b.ReportMetric(float64(evaluated)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(evaluations)*float64(b.N)/b.Elapsed().Seconds(), "evaluations/s")
		})
	}
}
