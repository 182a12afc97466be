package watch

import (
	"fmt"
	"strings"
)

const rdsSource = "rds.amazonaws.com"

func rdsDetections() []Detection {
	return []Detection{
		{
			ID:           "rds-instance-made-public",
			Summary:      "A DB instance created, restored or modified with publiclyAccessible true: it gets a public DNS name and address, reachable from the internet where its security groups allow.",
			Severity:     High,
			EventSource:  rdsSource,
			EventNames:   []string{"ModifyDBInstance", "CreateDBInstance", "CreateDBInstanceReadReplica", "RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceToPointInTime", "RestoreDBInstanceFromS3"},
			Rules:        []string{"rds-instance-public-access-check"},
			Remediations: []string{"rds-disable-public-access"},
			judge:        judgeRDSPublic,
		},
		{
			ID:          "rds-instance-created-unencrypted",
			Summary:     "A DB instance created without storage encryption (storageEncrypted absent or false). Encryption cannot be turned on later: the data must be copied to a new, encrypted instance.",
			Severity:    Medium,
			EventSource: rdsSource,
			EventNames:  []string{"CreateDBInstance"},
			Rules:       []string{"rds-storage-encrypted"},
			judge:       judgeRDSUnencrypted,
		},
		{
			ID:          "rds-snapshot-made-public",
			Summary:     "A DB snapshot or DB cluster snapshot shared with all accounts (restore attribute value \"all\"): anyone can restore the data.",
			Severity:    High,
			EventSource: rdsSource,
			EventNames:  []string{"ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"},
			Rules:       []string{"rds-snapshots-public-prohibited"},
			judge:       judgeRDSSnapshotPublic,
		},
	}
}

// dbInstance reads the instance a request names, its ARN and, from the
// response, its DbiResourceId (what remediations take).
func (c *call) dbInstance(v *verdict) (string, error) {
	id, err := requiredStr(c.params.getFold("dBInstanceIdentifier"))
	if err != nil {
		return "", err
	}
	v.resources = []string{c.arn("rds", "db:"+id)}
	if len(c.rec.ResponseElements) > 0 {
		dbi, _ := c.response().get("dbiResourceId").str()
		if dbi != "" {
			v.target = &Target{ResourceType: dbInstanceType, ResourceID: dbi}
		}
	}
	if v.target == nil {
		v.noTarget = "the record's response gives no dbiResourceId for instance " + id
	}
	return id, nil
}

func judgeRDSPublic(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	public, _, err := c.params.get("publiclyAccessible").boolean()
	if err != nil || !public {
		return nil, err
	}
	v := &verdict{severity: High, rules: []string{"rds-instance-public-access-check"}, remediations: []string{"rds-disable-public-access"}}
	id, err := c.dbInstance(v)
	if err != nil {
		return nil, err
	}
	how := "made publicly accessible"
	if c.rec.EventName != "ModifyDBInstance" {
		how = "created publicly accessible (" + c.rec.EventName + ")"
	}
	v.summary = fmt.Sprintf("DB instance %s %s.", id, how)
	return v, nil
}

func judgeRDSUnencrypted(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	engine, err := c.params.get("engine").str()
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(strings.ToLower(engine), "aurora") {
		return nil, nil // an Aurora instance's storage is its cluster's
	}
	encrypted, _, err := c.params.get("storageEncrypted").boolean()
	if err != nil || encrypted {
		return nil, err
	}
	v := &verdict{severity: Medium, rules: []string{"rds-storage-encrypted"}}
	id, err := c.dbInstance(v)
	if err != nil {
		return nil, err
	}
	v.target, v.noTarget = nil, ""
	v.summary = fmt.Sprintf("DB instance %s created without storage encryption.", id)
	return v, nil
}

func judgeRDSSnapshotPublic(c *call) (*verdict, error) {
	if err := c.params.object(); err != nil {
		return nil, err
	}
	attr, err := c.params.get("attributeName").str()
	if err != nil {
		return nil, err
	}
	if attr != "restore" {
		return nil, nil
	}
	add, err := c.params.get("valuesToAdd").strs()
	if err != nil {
		return nil, err
	}
	public := false
	for _, a := range add {
		if strings.EqualFold(a, "all") {
			public = true
		}
	}
	if !public {
		return nil, nil
	}
	kind, key, res := "DB snapshot", "dBSnapshotIdentifier", "snapshot:"
	if c.rec.EventName == "ModifyDBClusterSnapshotAttribute" {
		kind, key, res = "DB cluster snapshot", "dBClusterSnapshotIdentifier", "cluster-snapshot:"
	}
	id, err := requiredStr(c.params.getFold(key))
	if err != nil {
		return nil, err
	}
	arn := id
	if !strings.HasPrefix(id, "arn:") {
		arn = c.arn("rds", res+id)
	}
	return &verdict{
		severity:  High,
		summary:   fmt.Sprintf("%s %s shared with all AWS accounts: anyone can restore it.", kind, id),
		rules:     []string{"rds-snapshots-public-prohibited"},
		resources: []string{arn},
	}, nil
}
