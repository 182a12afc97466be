package remediate

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// trail reads the target trail. A trail is updated only from its home
// region; elsewhere UpdateTrail fails, so that is refused up front.
func (r *run) trail() (*cttypes.Trail, string, error) {
	name := r.id
	out, err := r.clients.CloudTrail.GetTrail(r.ctx, &cloudtrail.GetTrailInput{Name: &name})
	if err != nil {
		return nil, "", apiError("cloudtrail:GetTrail", r.trailARN(name), err)
	}
	t := out.Trail
	if t == nil {
		return nil, "", fmt.Errorf("cloudtrail:GetTrail %s: the answer has no trail", r.trailARN(name))
	}
	arn := aws.ToString(t.TrailARN)
	if arn == "" {
		arn = r.trailARN(name)
	}
	if err := r.checkHomeRegion(t, arn); err != nil {
		return nil, "", err
	}
	return t, arn, nil
}

func (r *run) checkHomeRegion(t *cttypes.Trail, arn string) error {
	if home := aws.ToString(t.HomeRegion); home != "" && r.clients.Region != "" && home != r.clients.Region {
		return fmt.Errorf("trail %s has home region %s; a trail is updated only from its home region, and these clients act in %s", arn, home, r.clients.Region)
	}
	return nil
}

// trailARN is the ARN reported before the trail has been read: the id when
// it is an ARN, else one with the account left empty.
func (r *run) trailARN(id string) string {
	if trailARN.MatchString(id) {
		return id
	}
	return fmt.Sprintf("arn:%s:cloudtrail:%s::trail/%s", r.partition(), r.clients.Region, id)
}
