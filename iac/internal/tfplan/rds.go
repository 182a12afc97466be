package tfplan

import (
	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["aws_db_instance"] = mapping{"AWS::RDS::DBInstance", rdsInstance}
	mappings["aws_db_snapshot"] = mapping{"AWS::RDS::DBSnapshot", rdsSnapshot}
	companions["aws_db_snapshot"] = rdsSnapshotInstance
}

func rdsInstance(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	name := v.StringOr("identifier", value.ResourceID(r.Address, r.Address+".identifier"))
	arn := value.Concat("arn:", c.partition(), ":rds:", c.regionOf(r), ":", c.account(), ":db:", name)
	b.Config["dBInstanceIdentifier"] = name
	b.Config["dbiResourceId"] = r.Address
	b.Config["dBInstanceArn"] = arn
	b.ARN = arn
	b.Config["dBInstanceClass"] = v.StringOr("instance_class", nil)
	b.Config["engine"] = v.StringOr("engine", nil)
	b.Config["engineVersion"] = v.StringOr("engine_version", nil)
	b.Config["dBInstanceStatus"] = "available"
	b.Config["allocatedStorage"] = v.IntOr("allocated_storage", nil)
	b.Config["storageType"] = v.StringOr("storage_type", nil)
	b.Config["dBName"] = v.StringOr("db_name", v.StringOr("name", nil))
	b.Config["masterUsername"] = v.StringOr("username", nil)
	az, hasAZ := v.String("availability_zone")
	b.Config["availabilityZone"] = ci.OrNil(az, hasAZ)
	multiAZ := v.BoolOr("multi_az", false)
	b.Config["multiAZ"] = multiAZ
	if multiAZ == true {
		b.AZ = "Multiple Availability Zones"
	} else if s, ok := az.(string); ok {
		b.AZ = s
	}
	var inheritedFrom string
	switch {
	case v.Has("cluster_identifier"):
		inheritedFrom = "DB cluster"
	case v.Has("snapshot_identifier"):
		inheritedFrom = "DB snapshot"
	case v.Has("replicate_source_db"):
		inheritedFrom = "source DB instance"
	}
	encrypted, asked := v.Bool("storage_encrypted")
	if (!asked || encrypted == false) && inheritedFrom != "" {
		encrypted = value.NewUnknown("encryption of the " + inheritedFrom).Typed()
	} else if !asked {
		encrypted = false
	}
	b.Config["storageEncrypted"] = encrypted
	switch key, set := c.computed(r, "kms_key_id", nil); {
	case set && key != "":
		b.Config["kmsKeyId"] = key
	case encrypted == true:
		b.Config["kmsKeyId"] = value.NewUnknown("ARN of the aws/rds key")
	default:
		b.Config["kmsKeyId"] = nil
	}
	b.Config["publiclyAccessible"] = v.BoolOr("publicly_accessible", false)
	if inheritedFrom == "DB cluster" {
		b.Config["dBClusterIdentifier"] = v.StringOr("cluster_identifier", nil)
		b.Config["backupRetentionPeriod"] = value.NewUnknown("backup retention period of the DB cluster").Typed()
	} else {
		b.Config["backupRetentionPeriod"] = v.IntOr("backup_retention_period", ci.Int(1))
	}
	b.Config["autoMinorVersionUpgrade"] = v.BoolOr("auto_minor_version_upgrade", true)
	b.Config["deletionProtection"] = v.BoolOr("deletion_protection", false)
	b.Config["iAMDatabaseAuthenticationEnabled"] = v.BoolOr("iam_database_authentication_enabled", false)
	b.Config["copyTagsToSnapshot"] = v.BoolOr("copy_tags_to_snapshot", false)
	b.Config["monitoringInterval"] = v.IntOr("monitoring_interval", ci.Int(0))
	b.Config["monitoringRoleArn"] = emptyAsNil(v.StringOr("monitoring_role_arn", nil))
	b.Config["performanceInsightsEnabled"] = v.BoolOr("performance_insights_enabled", false)
	logs := []any{}
	if l, ok := v.Strings("enabled_cloudwatch_logs_exports"); ok {
		logs = listOf(l)
	}
	b.Config["enabledCloudwatchLogsExports"] = logs
	if n, ok := v.Int("port"); ok {
		b.Config["dbInstancePort"] = n
	}
	sgs := []any{}
	for _, g := range c.refList(r, v, "vpc_security_group_ids") {
		sgs = append(sgs, map[string]any{"vpcSecurityGroupId": g, "status": "active"})
		if s, ok := g.(string); ok && c.p.byAddress[s] != nil {
			b.Relate("AWS::EC2::SecurityGroup", s, "Is associated with SecurityGroup")
		}
	}
	b.Config["vpcSecurityGroups"] = sgs
	if s, ok := v.String("db_subnet_group_name"); ok {
		b.Config["dBSubnetGroup"] = map[string]any{"dBSubnetGroupName": s}
	}
	tags(r, b)
	b.Supp["Tags"] = ci.KeyValueTags(b.Tags)
	return b
}

func rdsSnapshot(c *conv, r *res) *ci.Builder {
	v := r.v
	b := ci.NewBuilder("", "")
	id := v.StringOr("db_snapshot_identifier", value.NewUnknown(r.Address+".db_snapshot_identifier"))
	b.Config["dBSnapshotIdentifier"] = id
	b.Config["dBSnapshotArn"] = value.Concat("arn:", c.partition(), ":rds:", c.regionOf(r), ":", c.account(), ":snapshot:", id)
	b.ARN = b.Config["dBSnapshotArn"]
	b.Config["dBInstanceIdentifier"] = v.StringOr("db_instance_identifier", nil)
	b.Config["snapshotType"] = "manual"
	b.Config["status"] = "available"
	// The snapshot has the encryption of its instance.
	encrypted, _ := v.Bool("encrypted")
	kms := emptyAsNil(v.StringOr("kms_key_id", nil))
	if encrypted == nil {
		encrypted = value.NewUnknown("encryption of the DB instance").Typed()
	}
	b.Config["encrypted"] = encrypted
	b.Config["kmsKeyId"] = kms
	values := []any{}
	if l, ok := v.Strings("shared_accounts"); ok {
		values = listOf(l)
	}
	b.Supp["DBSnapshotAttributes"] = []any{map[string]any{"attributeName": "restore", "attributeValues": values}}
	tags(r, b)
	b.Supp["Tags"] = ci.KeyValueTags(b.Tags)
	return b
}

// rdsSnapshotInstance gives a snapshot of an instance of the plan that
// instance's encryption and engine.
func rdsSnapshotInstance(c *conv, r *res) error {
	b := c.touch(c.builders[r.Address])
	t := c.refInstance(r.Instance, "db_instance_identifier", "aws_db_instance")
	if b == nil || t == nil {
		return nil
	}
	b.Config["dBInstanceIdentifier"] = t.Address
	if inst := c.builders[t.Address]; inst != nil {
		b.Config["encrypted"] = inst.Config["storageEncrypted"]
		b.Config["kmsKeyId"] = inst.Config["kmsKeyId"]
		b.Config["engine"] = inst.Config["engine"]
	}
	return nil
}
