package resource

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/guardrails-go/guardrails/evaluate"
)

func ec2Item(typ, id, conf string) *evaluate.ConfigurationItem {
	return &evaluate.ConfigurationItem{ResourceType: typ, ResourceID: id, Status: evaluate.StatusOK, Configuration: json.RawMessage(conf)}
}

func TestDecodeSecurityGroup(t *testing.T) {
	cases := []struct {
		reason  string
		conf    string
		want    []IPPermission
		wantV4  [][]string
		wantErr string
	}{
		{
			reason: "items before late 2017: ipRanges as strings, no ports for all traffic",
			conf:   `{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"-1","ipRanges":["0.0.0.0/0"],"userIdGroupPairs":[],"prefixListIds":[]}]}`,
			want:   []IPPermission{{IPProtocol: "-1", IPRanges: CIDRs{"0.0.0.0/0"}, PrefixListIDs: []PrefixListID{}, GroupPairs: []UserGroupPair{}}},
			wantV4: [][]string{{"0.0.0.0/0"}},
		},
		{
			reason: "current items: both lists, null ports, IPv6, prefix lists, group pairs",
			conf: `{"groupId":"sg-1","ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":["0.0.0.0/0"],
				"ipv4Ranges":[{"cidrIp":"0.0.0.0/0"},{"cidrIp":"10.0.0.0/8","description":"office"}],"ipv6Ranges":[{"cidrIpv6":"::/0"}],
				"prefixListIds":[{"prefixListId":"pl-1"}],"userIdGroupPairs":[{"groupId":"sg-2","userId":"111122223333"}]},
				{"ipProtocol":"-1","fromPort":null,"toPort":null}]}`,
			want: []IPPermission{
				{IPProtocol: "tcp", FromPort: "22", ToPort: "22", IPRanges: CIDRs{"0.0.0.0/0"}, IPv4Ranges: CIDRs{"0.0.0.0/0", "10.0.0.0/8"},
					IPv6Ranges: CIDRs{"::/0"}, PrefixListIDs: []PrefixListID{{"pl-1"}}, GroupPairs: []UserGroupPair{{GroupID: "sg-2", UserID: "111122223333"}}},
				{IPProtocol: "-1"},
			},
			wantV4: [][]string{{"0.0.0.0/0", "10.0.0.0/8"}, nil},
		},
		{
			reason: "ipv4Ranges written as strings",
			conf:   `{"ipPermissions":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipv4Ranges":["0.0.0.0/0"],"ipv6Ranges":["::/0"]}]}`,
			want:   []IPPermission{{IPProtocol: "tcp", FromPort: "22", ToPort: "22", IPv4Ranges: CIDRs{"0.0.0.0/0"}, IPv6Ranges: CIDRs{"::/0"}}},
			wantV4: [][]string{{"0.0.0.0/0"}},
		},
		{
			reason:  "a range that is neither a string nor a cidr object",
			conf:    `{"ipPermissions":[{"ipProtocol":"tcp","ipv4Ranges":[{"prefix":"0.0.0.0/0"}]}]}`,
			wantErr: "configuration.ipPermissions[0].ipv4Ranges[0]: no cidrIp or cidrIpv6",
		},
		{
			reason:  "ipPermissions not a list",
			conf:    `{"ipPermissions":{"ipProtocol":"tcp"}}`,
			wantErr: "configuration.ipPermissions: want an array",
		},
	}
	for _, c := range cases {
		sg, err := DecodeSecurityGroup(ec2Item(SecurityGroupType, "sg-1", c.conf))
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error = %v, want one containing %q", c.reason, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		if diff := cmp.Diff(c.want, sg.Ingress); diff != "" {
			t.Errorf("%s: ingress (-want +got):\n%s", c.reason, diff)
		}
		for i := range sg.Ingress {
			if diff := cmp.Diff(c.wantV4[i], sg.Ingress[i].IPv4()); diff != "" {
				t.Errorf("%s: permission %d IPv4() (-want +got):\n%s", c.reason, i, diff)
			}
		}
	}
}

func TestDecodeEC2Volume(t *testing.T) {
	cases := []struct {
		reason       string
		conf         string
		wantState    string
		wantAttached bool
	}{
		{"state as a string, attached", `{"volumeId":"vol-1","state":"in-use","attachments":[{"instanceId":"i-1","state":"attached"}]}`, "in-use", true},
		{"state as an object", `{"volumeId":"vol-1","state":{"value":"available"},"attachments":[]}`, "available", false},
		{"a detached attachment", `{"volumeId":"vol-1","state":"available","attachments":[{"instanceId":"i-1","state":"detached"}]}`, "available", false},
		{"in use without attachments recorded", `{"volumeId":"vol-1","state":"in-use"}`, "in-use", true},
	}
	for _, c := range cases {
		v, err := DecodeEC2Volume(ec2Item(EC2VolumeType, "vol-1", c.conf))
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		if v.State != c.wantState || v.Attached() != c.wantAttached {
			t.Errorf("%s: state %q attached %v, want %q %v", c.reason, v.State, v.Attached(), c.wantState, c.wantAttached)
		}
	}
}

func TestDecodeEC2Instance(t *testing.T) {
	inst, err := DecodeEC2Instance(ec2Item(EC2InstanceType, "i-1", `{"instanceId":"i-1","state":{"code":16,"name":"running"},
		"publicIpAddress":"34.1.1.1","iamInstanceProfile":{"arn":"arn:aws:iam::1:instance-profile/p"},
		"networkInterfaces":[{"association":{"publicIp":"34.1.1.1"},"privateIpAddresses":[{"association":null},{"association":{"publicIp":"52.2.2.2"}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &EC2Instance{ID: "i-1", State: "running", PublicIPs: []string{"34.1.1.1", "52.2.2.2"}, InstanceProfileARN: "arn:aws:iam::1:instance-profile/p"}
	if diff := cmp.Diff(want, inst); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDecodeManagedInstance(t *testing.T) {
	item := func(conf string, supp map[string]json.RawMessage) *evaluate.ConfigurationItem {
		ci := ec2Item(ManagedInstanceInventoryType, "i-1", conf)
		ci.SupplementaryConfiguration = supp
		return ci
	}
	cases := []struct {
		reason  string
		ci      *evaluate.ConfigurationItem
		want    *ManagedInstance
		wantErr string
	}{
		{
			reason: "content keyed by instance id, as Config writes it",
			ci:     item(`{"AWS:InstanceInformation":{"SchemaVersion":"1.0","Content":{"i-1":{"InstanceId":"i-1","InstanceStatus":"Active","AgentVersion":"3.2"}}}}`, nil),
			want:   &ManagedInstance{InstanceID: "i-1", InstanceStatus: "Active", AgentVersion: "3.2"},
		},
		{
			reason: "content as one entry",
			ci:     item(`{"AWS:InstanceInformation":{"Content":{"InstanceId":"i-1","PingStatus":"Online"}}}`, nil),
			want:   &ManagedInstance{InstanceID: "i-1", PingStatus: "Online"},
		},
		{
			reason: "content as a list",
			ci:     item(`{"AWS:InstanceInformation":{"Content":[{"InstanceId":"i-0"},{"InstanceId":"i-1","InstanceStatus":"Terminated"}]}}`, nil),
			want:   &ManagedInstance{InstanceID: "i-1", InstanceStatus: "Terminated"},
		},
		{
			reason: "status only in the supplementary configuration",
			ci:     item(`{"AWS:Network":{"Content":[]}}`, map[string]json.RawMessage{"instanceStatus": json.RawMessage(`"Stopped"`)}),
			want:   &ManagedInstance{InstanceID: "i-1", InstanceStatus: "Stopped"},
		},
		{
			reason:  "content that is neither",
			ci:      item(`{"AWS:InstanceInformation":{"Content":"i-1"}}`, nil),
			wantErr: "configuration.AWS:InstanceInformation.Content: want an object or an array",
		},
	}
	for _, c := range cases {
		got, err := DecodeManagedInstance(c.ci)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error = %v, want one containing %q", c.reason, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.reason, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: (-want +got):\n%s", c.reason, diff)
		}
	}
}
