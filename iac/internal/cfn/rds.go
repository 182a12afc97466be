package cfn

import (
	"strings"

	"github.com/guardrails-go/guardrails/iac/internal/ci"
	"github.com/guardrails-go/guardrails/iac/internal/value"
)

func init() {
	mappings["AWS::RDS::DBInstance"] = mapping{"AWS::RDS::DBInstance", rdsInstance}
}

func rdsInstance(c *conv, r *res) *ci.Builder {
	p := r.props
	b := ci.NewBuilder("", "")
	name, err := c.t.name(r.Resource)
	if err != nil {
		r.errs.Add("DBInstanceIdentifier", "%s", errMsg(err))
		return b
	}
	engine := p.StringOr("Engine", nil)
	b.Config["dBInstanceIdentifier"] = name
	b.Config["dbiResourceId"] = r.LogicalID
	b.Config["dBInstanceArn"] = c.t.arn("rds", true, "db:", name)
	b.ARN = b.Config["dBInstanceArn"]
	b.Config["dBInstanceClass"] = p.StringOr("DBInstanceClass", nil)
	b.Config["engine"] = engine
	b.Config["engineVersion"] = p.StringOr("EngineVersion", nil)
	b.Config["dBInstanceStatus"] = "available"
	b.Config["allocatedStorage"] = p.IntOr("AllocatedStorage", nil)
	b.Config["storageType"] = p.StringOr("StorageType", nil)
	b.Config["dBName"] = p.StringOr("DBName", nil)
	b.Config["masterUsername"] = p.StringOr("MasterUsername", nil)
	az, hasAZ := p.String("AvailabilityZone")
	b.Config["availabilityZone"] = ci.OrNil(az, hasAZ)
	multiAZ := p.BoolOr("MultiAZ", false)
	b.Config["multiAZ"] = multiAZ
	switch {
	case multiAZ == true:
		b.AZ = "Multiple Availability Zones"
	case hasAZ:
		if s, ok := az.(string); ok {
			b.AZ = s
		}
	}

	cluster, inCluster := p.String("DBClusterIdentifier")
	fromSnapshot := p.Has("DBSnapshotIdentifier")
	replicaOf := p.Has("SourceDBInstanceIdentifier")
	inherited := func(what string) any {
		switch {
		case inCluster:
			return value.NewUnknown(what + " of DB cluster " + describeName(cluster)).Typed()
		case fromSnapshot:
			return value.NewUnknown(what + " of the DB snapshot").Typed()
		case replicaOf:
			return value.NewUnknown(what + " of the source DB instance").Typed()
		}
		return nil
	}
	encrypted, asked := p.Bool("StorageEncrypted")
	if !asked {
		encrypted = false
		if v := inherited("encryption"); v != nil {
			encrypted = v
		}
	}
	// Storage is encrypted when a key is given, even without StorageEncrypted.
	kms, hasKMS := p.String("KmsKeyId")
	if hasKMS && !asked && !inCluster {
		encrypted = true
	}
	b.Config["storageEncrypted"] = encrypted
	switch {
	case hasKMS:
		b.Config["kmsKeyId"] = kms
	case encrypted == true:
		b.Config["kmsKeyId"] = value.NewUnknown("ARN of the aws/rds key")
	default:
		b.Config["kmsKeyId"] = nil
	}
	if v, ok := p.Bool("PubliclyAccessible"); ok {
		b.Config["publiclyAccessible"] = v
	} else {
		// RDS decides from the VPC: public when its subnets route to an
		// internet gateway.
		b.Config["publiclyAccessible"] = value.NewUnknown("whether the DB subnet group's VPC has an internet gateway").Typed()
	}
	if inCluster {
		b.Config["dBClusterIdentifier"] = cluster
		b.Config["backupRetentionPeriod"] = inherited("backup retention period")
	} else {
		b.Config["backupRetentionPeriod"] = p.IntOr("BackupRetentionPeriod", ci.Int(1))
	}
	b.Config["autoMinorVersionUpgrade"] = p.BoolOr("AutoMinorVersionUpgrade", true)
	b.Config["deletionProtection"] = p.BoolOr("DeletionProtection", false)
	b.Config["iAMDatabaseAuthenticationEnabled"] = p.BoolOr("EnableIAMDatabaseAuthentication", false)
	b.Config["copyTagsToSnapshot"] = p.BoolOr("CopyTagsToSnapshot", false)
	b.Config["monitoringInterval"] = p.IntOr("MonitoringInterval", ci.Int(0))
	b.Config["monitoringRoleArn"] = p.StringOr("MonitoringRoleArn", nil)
	b.Config["performanceInsightsEnabled"] = p.BoolOr("EnablePerformanceInsights", false)
	if v, ok := p.String("PerformanceInsightsKMSKeyId"); ok {
		b.Config["performanceInsightsKMSKeyId"] = v
	}
	logs := []any{}
	if v, ok := p.Strings("EnableCloudwatchLogsExports"); ok {
		if l, isList := v.([]any); isList {
			logs = l
		}
	}
	b.Config["enabledCloudwatchLogsExports"] = logs
	if v, ok := p.Int("Port"); ok {
		b.Config["dbInstancePort"] = v
	}
	sgs := []any{}
	if v, ok := p.Strings("VPCSecurityGroups"); ok {
		if l, isList := v.([]any); isList {
			for _, g := range l {
				sgs = append(sgs, map[string]any{"vpcSecurityGroupId": ci.Ref(g), "status": "active"})
				if id, ok := ci.RefID(g); ok {
					b.Relate("AWS::EC2::SecurityGroup", id, "Is associated with SecurityGroup")
				}
			}
		}
	}
	b.Config["vpcSecurityGroups"] = sgs
	if v, ok := p.String("DBSubnetGroupName"); ok {
		b.Config["dBSubnetGroup"] = map[string]any{"dBSubnetGroupName": ci.Ref(v)}
	}
	tags(r, b)
	b.Supp["Tags"] = ci.KeyValueTags(b.Tags)
	return b
}

func describeName(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case value.Unknown:
		return strings.TrimSuffix(strings.TrimPrefix(x.Text, "${unknown:"), "}")
	}
	return "?"
}
