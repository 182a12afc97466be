package rules

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/rules/resource"
)

// backupWindowPattern is RDS's hh24:mi-hh24:mi (UTC).
var backupWindowPattern = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)

// DBInstanceBackupEnabled checks that DB instances keep automated backups
// (backupRetentionPeriod above 0) and, when the parameters ask, that the
// retention equals backupRetentionPeriod, is at least
// backupRetentionMinimum, and that the backup window is
// preferredBackupWindow. Read replicas are not applicable unless
// checkReadReplicas is true, as with the managed rule (PostgreSQL replicas
// cannot keep backups at all).
func DBInstanceBackupEnabled() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "db-instance-backup-enabled",
		Summary:       "RDS DB instances keep automated backups (for the retention and in the window given).",
		Rationale:     "Automated backups allow point-in-time recovery after data is corrupted, deleted or encrypted by an attacker.",
		ResourceTypes: []string{resource.RDSDBInstanceType},
		Trigger:       []evaluate.Trigger{evaluate.OnChange},
		Parameters: []evaluate.Parameter{
			{Name: "backupRetentionPeriod", Type: evaluate.Int, Description: "Retention period for backups, in days (1 to 35): the instance's must be exactly this."},
			{Name: "backupRetentionMinimum", Type: evaluate.Int, Description: "Minimum retention period for backups, in days (1 to 35)."},
			{Name: "preferredBackupWindow", Type: evaluate.String, Description: "Time range in which backups are created, hh24:mi-hh24:mi in UTC."},
			{Name: "checkReadReplicas", Type: evaluate.Bool, Description: "When true, read replicas are evaluated too."},
		},
		Severity:    evaluate.Medium,
		ManagedRule: "DB_INSTANCE_BACKUP_ENABLED",
		Controls:    []string{"SecurityHub:RDS.11"},
		URL:         "https://docs.aws.amazon.com/config/latest/developerguide/db-instance-backup-enabled.html",
	}, func(p evaluate.Params) (evaluate.Evaluator, error) {
		period, minimum := p.Int("backupRetentionPeriod"), p.Int("backupRetentionMinimum")
		for _, name := range []string{"backupRetentionPeriod", "backupRetentionMinimum"} {
			if n := p.Int(name); p.Has(name) && (n < 1 || n > 35) {
				return nil, &evaluate.ParamError{Name: name, Value: p.Raw(name), Err: fmt.Errorf("RDS keeps backups for 1 to 35 days")}
			}
		}
		if p.Has("backupRetentionPeriod") && p.Has("backupRetentionMinimum") && period < minimum {
			return nil, &evaluate.ParamError{Name: "backupRetentionMinimum", Value: p.Raw("backupRetentionMinimum"),
				Err: fmt.Errorf("above backupRetentionPeriod (%d): no instance could comply", period)}
		}
		window := p.String("preferredBackupWindow")
		if window != "" && !backupWindowPattern.MatchString(window) {
			return nil, &evaluate.ParamError{Name: "preferredBackupWindow", Value: window, Err: fmt.Errorf("want hh24:mi-hh24:mi, such as 03:00-03:30")}
		}
		checkReplicas := p.Bool("checkReadReplicas")
		return evaluate.EvaluatorFunc(func(_ context.Context, in *evaluate.Input) (evaluate.Result, error) {
			d, err := resource.RDSDBInstanceOf(in)
			if err != nil {
				return evaluate.Result{}, err
			}
			if d.ReadReplica() && !checkReplicas {
				return evaluate.NotApplicablef("DB instance %s is a read replica of %s (checkReadReplicas is not set).", d.Identifier, d.ReadReplicaSource), nil
			}
			switch {
			case unknownBeforeDeployment(in.Item, "configuration.backupRetentionPeriod"):
				return evaluate.InsufficientDataf("The backup retention of DB instance %s is not known before deployment.", d.Identifier), nil
			case !d.BackupRetentionPeriod.Set:
				return evaluate.InsufficientDataf("Config recorded no backupRetentionPeriod for DB instance %s.", d.Identifier), nil
			case d.BackupRetentionPeriod.Value <= 0:
				return evaluate.NonCompliantf("DB instance %s keeps no automated backups (retention 0 days).", d.Identifier), nil
			}
			days := d.BackupRetentionPeriod.Value
			var problems []string
			if p.Has("backupRetentionPeriod") && days != period {
				problems = append(problems, fmt.Sprintf("retention is %d days, not %d", days, period))
			}
			if p.Has("backupRetentionMinimum") && days < minimum {
				problems = append(problems, fmt.Sprintf("retention is %d days, under the minimum of %d", days, minimum))
			}
			if window != "" {
				switch {
				case unknownBeforeDeployment(in.Item, "configuration.preferredBackupWindow"):
					return evaluate.InsufficientDataf("The backup window of DB instance %s is not known before deployment.", d.Identifier), nil
				case d.PreferredBackupWindow == "":
					return evaluate.InsufficientDataf("Config recorded no preferredBackupWindow for DB instance %s.", d.Identifier), nil
				case !strings.EqualFold(strings.TrimSpace(d.PreferredBackupWindow), window):
					problems = append(problems, fmt.Sprintf("backup window is %s, not %s", d.PreferredBackupWindow, window))
				}
			}
			if len(problems) > 0 {
				return evaluate.NonCompliantf("DB instance %s keeps backups, but its %s.", d.Identifier, strings.Join(problems, "; its ")), nil
			}
			return evaluate.Compliantf("DB instance %s keeps automated backups for %s days.", d.Identifier, strconv.Itoa(days)), nil
		}), nil
	})
}
