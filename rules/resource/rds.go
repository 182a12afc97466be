package resource

import (
	"encoding/json"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
)

// The Config resource types of RDS.
const (
	RDSDBInstanceType        = "AWS::RDS::DBInstance"
	RDSDBSnapshotType        = "AWS::RDS::DBSnapshot"
	RDSDBClusterSnapshotType = "AWS::RDS::DBClusterSnapshot"
)

// RDSDBInstance is the view of an AWS::RDS::DBInstance item. Bool and
// WholeNumber fields are unset when Config did not record them.
type RDSDBInstance struct {
	// Identifier is the DB instance identifier (dBInstanceIdentifier).
	Identifier string
	// ResourceID is the DbiResourceId, Config's resource id.
	ResourceID         string
	Engine             string
	StorageEncrypted   Bool
	KMSKeyID           string
	PubliclyAccessible Bool
	MultiAZ            Bool
	// BackupRetentionPeriod is the days automated backups are kept; 0
	// means automated backups are off.
	BackupRetentionPeriod WholeNumber
	// PreferredBackupWindow is "hh24:mi-hh24:mi" in UTC.
	PreferredBackupWindow string
	// ReadReplicaSource is the instance this one replicates, "" for a
	// primary.
	ReadReplicaSource string
	// ClusterIdentifier is the Aurora (or Multi-AZ) cluster the instance
	// belongs to, "" for none.
	ClusterIdentifier string
}

// ReadReplica reports whether the instance is a read replica.
func (d *RDSDBInstance) ReadReplica() bool { return d.ReadReplicaSource != "" }

var rdsInstances = evaluate.NewModel(RDSDBInstanceType, DecodeRDSDBInstance)

// RDSDBInstanceOf returns the view of the input's DB instance, decoded once
// per item.
func RDSDBInstanceOf(in *evaluate.Input) (*RDSDBInstance, error) { return rdsInstances.Of(in) }

// DecodeRDSDBInstance decodes an AWS::RDS::DBInstance item.
func DecodeRDSDBInstance(ci *evaluate.ConfigurationItem) (*RDSDBInstance, error) {
	var conf struct {
		Identifier            string          `json:"dBInstanceIdentifier"`
		ResourceID            string          `json:"dbiResourceId"`
		Engine                string          `json:"engine"`
		StorageEncrypted      json.RawMessage `json:"storageEncrypted"`
		KMSKeyID              string          `json:"kmsKeyId"`
		PubliclyAccessible    json.RawMessage `json:"publiclyAccessible"`
		MultiAZ               json.RawMessage `json:"multiAZ"`
		BackupRetentionPeriod json.RawMessage `json:"backupRetentionPeriod"`
		PreferredBackupWindow string          `json:"preferredBackupWindow"`
		ReadReplicaSource     string          `json:"readReplicaSourceDBInstanceIdentifier"`
		ClusterIdentifier     string          `json:"dBClusterIdentifier"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	d := &RDSDBInstance{
		Identifier:            nonEmptyOr(conf.Identifier, nonEmptyOr(ci.ResourceName, ci.ResourceID)),
		ResourceID:            nonEmptyOr(conf.ResourceID, ci.ResourceID),
		Engine:                strings.ToLower(conf.Engine),
		KMSKeyID:              conf.KMSKeyID,
		PreferredBackupWindow: conf.PreferredBackupWindow,
		ReadReplicaSource:     conf.ReadReplicaSource,
		ClusterIdentifier:     conf.ClusterIdentifier,
	}
	for _, m := range []struct {
		path string
		raw  json.RawMessage
		dst  any
	}{
		{"configuration.storageEncrypted", conf.StorageEncrypted, &d.StorageEncrypted},
		{"configuration.publiclyAccessible", conf.PubliclyAccessible, &d.PubliclyAccessible},
		{"configuration.multiAZ", conf.MultiAZ, &d.MultiAZ},
		{"configuration.backupRetentionPeriod", conf.BackupRetentionPeriod, &d.BackupRetentionPeriod},
	} {
		if err := decodeAtPath(ci, m.path, m.raw, m.dst); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// RDSSnapshot is the view of an AWS::RDS::DBSnapshot or
// AWS::RDS::DBClusterSnapshot item.
type RDSSnapshot struct {
	Identifier string
	// Cluster is true for a DB cluster snapshot.
	Cluster bool
	Engine  string
	// SnapshotType is "manual", "automated", "shared", ...
	SnapshotType string
	// Encrypted is encrypted (DB snapshots) or storageEncrypted (cluster
	// snapshots); unset when not recorded.
	Encrypted Bool
	KMSKeyID  string
	// Restore lists the accounts allowed to restore the snapshot ("all"
	// makes it public); nil when Config recorded no snapshot attributes.
	Restore []string
	// AttributesRecorded says whether Config recorded the snapshot
	// attributes (DBSnapshotAttributes or DBClusterSnapshotAttributes).
	AttributesRecorded bool
}

// Public reports whether anyone may restore the snapshot.
func (s *RDSSnapshot) Public() bool {
	for _, a := range s.Restore {
		if strings.EqualFold(a, "all") {
			return true
		}
	}
	return false
}

// Kind names the snapshot kind for annotations.
func (s *RDSSnapshot) Kind() string {
	if s.Cluster {
		return "DB cluster snapshot"
	}
	return "DB snapshot"
}

var (
	rdsSnapshots        = evaluate.NewModel(RDSDBSnapshotType, DecodeRDSSnapshot)
	rdsClusterSnapshots = evaluate.NewModel(RDSDBClusterSnapshotType, DecodeRDSSnapshot)
)

// RDSSnapshotOf returns the view of the input's DB snapshot or DB cluster
// snapshot, decoded once per item.
func RDSSnapshotOf(in *evaluate.Input) (*RDSSnapshot, error) {
	if in.Item != nil && in.Item.ResourceType == RDSDBClusterSnapshotType {
		return rdsClusterSnapshots.Of(in)
	}
	return rdsSnapshots.Of(in)
}

// DecodeRDSSnapshot decodes an AWS::RDS::DBSnapshot or
// AWS::RDS::DBClusterSnapshot item.
func DecodeRDSSnapshot(ci *evaluate.ConfigurationItem) (*RDSSnapshot, error) {
	var conf struct {
		SnapshotID             string          `json:"dBSnapshotIdentifier"`
		ClusterSnapshotID      string          `json:"dBClusterSnapshotIdentifier"`
		ClusterSnapshotIDLower string          `json:"dbclusterSnapshotIdentifier"`
		Engine                 string          `json:"engine"`
		SnapshotType           string          `json:"snapshotType"`
		Encrypted              json.RawMessage `json:"encrypted"`
		StorageEncrypted       json.RawMessage `json:"storageEncrypted"`
		KMSKeyID               string          `json:"kmsKeyId"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	s := &RDSSnapshot{
		Cluster:      ci.ResourceType == RDSDBClusterSnapshotType,
		Engine:       strings.ToLower(conf.Engine),
		SnapshotType: conf.SnapshotType,
		KMSKeyID:     conf.KMSKeyID,
	}
	attrKey := "DBSnapshotAttributes"
	encPath, encRaw := "configuration.encrypted", conf.Encrypted
	s.Identifier = conf.SnapshotID
	if s.Cluster {
		attrKey = "DBClusterSnapshotAttributes"
		encPath, encRaw = "configuration.storageEncrypted", conf.StorageEncrypted
		s.Identifier = nonEmptyOr(conf.ClusterSnapshotID, conf.ClusterSnapshotIDLower)
	}
	s.Identifier = nonEmptyOr(s.Identifier, nonEmptyOr(ci.ResourceName, ci.ResourceID))
	if err := decodeAtPath(ci, encPath, encRaw, &s.Encrypted); err != nil {
		return nil, err
	}
	var attrs []struct {
		Name   string   `json:"attributeName"`
		Values []string `json:"attributeValues"`
	}
	ok, err := decodeSupplementary(ci, attrKey, &attrs)
	if err != nil {
		return nil, err
	}
	if ok {
		s.AttributesRecorded = true
		s.Restore = []string{}
		for _, a := range attrs {
			if strings.EqualFold(a.Name, "restore") {
				s.Restore = append(s.Restore, a.Values...)
			}
		}
	}
	return s, nil
}
