package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

func rdsDisablePublicAccess() *Remediation {
	return &Remediation{
		ID:            "rds-disable-public-access",
		Summary:       "Turns public accessibility off for a DB instance; pending modifications are not applied early.",
		ResourceTypes: []string{dbInstanceType},
		Fixes:         []string{"rds-instance-public-access-check"},
		APIs:          []string{"rds:DescribeDBInstances", "rds:ModifyDBInstance"},
		run:           runRDSDisablePublicAccess,
	}
}

func runRDSDisablePublicAccess(r *run) error {
	where := fmt.Sprintf("arn:%s:rds:%s::db (DbiResourceId %s)", r.partition(), r.clients.Region, r.id)
	var db *rdstypes.DBInstance
	p := rds.NewDescribeDBInstancesPaginator(r.clients.RDS, &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: aws.String("dbi-resource-id"), Values: []string{r.id}}},
	})
	for p.HasMorePages() && db == nil {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			return apiError("rds:DescribeDBInstances", where, err)
		}
		for i := range page.DBInstances {
			if aws.ToString(page.DBInstances[i].DbiResourceId) == r.id {
				db = &page.DBInstances[i]
				break
			}
		}
	}
	if db == nil {
		return fmt.Errorf("rds:DescribeDBInstances %s: no DB instance has this DbiResourceId", where)
	}
	arn, name := aws.ToString(db.DBInstanceArn), aws.ToString(db.DBInstanceIdentifier)
	if !aws.ToBool(db.PubliclyAccessible) {
		r.skip("rds:ModifyDBInstance", arn, "the instance is not publicly accessible")
		return nil
	}
	// PubliclyAccessible takes effect at once whatever ApplyImmediately
	// says; leaving ApplyImmediately out keeps other pending changes for
	// the maintenance window.
	return r.write("rds:ModifyDBInstance", arn, "the instance is publicly accessible; turn that off", func(ctx context.Context) error {
		_, err := r.clients.RDS.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
			DBInstanceIdentifier: &name,
			PubliclyAccessible:   aws.Bool(false),
		})
		return err
	})
}
