package remediate

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func cloudtrailEnableMultiRegion() *Remediation {
	return &Remediation{
		ID: "cloudtrail-enable-multi-region",
		Summary: "Makes a trail multi-region (with global service events). Given the account, it does nothing when a multi-region trail exists " +
			"and converts the only trail of the region otherwise; it never creates a trail.",
		ResourceTypes: []string{accountType, trailType},
		Fixes:         []string{"multi-region-cloudtrail-enabled"},
		APIs:          []string{"cloudtrail:GetTrail", "cloudtrail:DescribeTrails", "cloudtrail:UpdateTrail"},
		run:           runCloudTrailEnableMultiRegion,
	}
}

func runCloudTrailEnableMultiRegion(r *run) error {
	var t *cttypes.Trail
	var arn string
	if r.typ == accountType {
		accountARN := r.accountARN("cloudtrail", r.clients.Region)
		out, err := r.clients.CloudTrail.DescribeTrails(r.ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
		if err != nil {
			return apiError("cloudtrail:DescribeTrails", accountARN, err)
		}
		var local []*cttypes.Trail
		for i := range out.TrailList {
			tr := &out.TrailList[i]
			if aws.ToBool(tr.IsMultiRegionTrail) {
				r.skip("cloudtrail:UpdateTrail", aws.ToString(tr.TrailARN), "the account already has a multi-region trail")
				return nil
			}
			if aws.ToString(tr.HomeRegion) == r.clients.Region {
				local = append(local, tr)
			}
		}
		switch len(local) {
		case 0:
			return fmt.Errorf("remediation cloudtrail-enable-multi-region: account %s has no trail in %s to make multi-region; it creates none (a trail needs a bucket)", r.id, r.clients.Region)
		case 1:
			t, arn = local[0], aws.ToString(local[0].TrailARN)
		default:
			names := make([]string, len(local))
			for i, tr := range local {
				names[i] = aws.ToString(tr.Name)
			}
			return fmt.Errorf("remediation cloudtrail-enable-multi-region: account %s has %d trails in %s (%s); name the one to convert as the resourceId", r.id, len(local), r.clients.Region, strings.Join(names, ", "))
		}
	} else {
		var err error
		if t, arn, err = r.trail(); err != nil {
			return err
		}
	}
	if aws.ToBool(t.IsMultiRegionTrail) {
		r.skip("cloudtrail:UpdateTrail", arn, "the trail is already multi-region")
		return nil
	}
	in := &cloudtrail.UpdateTrailInput{Name: &arn, IsMultiRegionTrail: aws.Bool(true)}
	detail := "the trail logs one region; make it multi-region"
	// A multi-region trail must include global service events.
	if !aws.ToBool(t.IncludeGlobalServiceEvents) {
		in.IncludeGlobalServiceEvents = aws.Bool(true)
		detail += ", with global service events"
	}
	return r.write("cloudtrail:UpdateTrail", arn, detail, func(ctx context.Context) error {
		_, err := r.clients.CloudTrail.UpdateTrail(ctx, in)
		return err
	})
}
