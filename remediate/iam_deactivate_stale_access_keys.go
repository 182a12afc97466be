package remediate

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func iamDeactivateStaleAccessKeys() *Remediation {
	return &Remediation{
		ID: "iam-deactivate-stale-access-keys",
		Summary: "Deactivates (never deletes) a user's active access keys that are older than maxAccessKeyAge days " +
			"or unused for maxCredentialUsageAge days (a key never used counts from its creation).",
		ResourceTypes: []string{userType},
		Fixes:         []string{"access-keys-rotated", "iam-user-unused-credentials-check"},
		Parameters: []Parameter{
			{Name: "maxAccessKeyAge", Type: IntegerParameter, Default: "90", Min: 1, Max: 36500,
				Description: "Deactivate active keys created more than this many days ago."},
			{Name: "maxCredentialUsageAge", Type: IntegerParameter, Default: "90", Min: 1, Max: 36500,
				Description: "Deactivate active keys not used for more than this many days."},
		},
		APIs: []string{"iam:ListUsers", "iam:ListAccessKeys", "iam:GetAccessKeyLastUsed", "iam:UpdateAccessKey"},
		run:  runIAMDeactivateStaleAccessKeys,
	}
}

// user finds the IAM user whose unique id is the target's: AWS Config
// passes that id, while the IAM API takes the name.
func (r *run) user() (*iamtypes.User, error) {
	where := fmt.Sprintf("arn:%s:iam:::user (unique id %s)", r.partition(), r.id)
	p := iam.NewListUsersPaginator(r.clients.IAM, &iam.ListUsersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			return nil, apiError("iam:ListUsers", where, err)
		}
		for i := range page.Users {
			if aws.ToString(page.Users[i].UserId) == r.id {
				return &page.Users[i], nil
			}
		}
	}
	return nil, fmt.Errorf("iam:ListUsers %s: no IAM user has this unique id", where)
}

func runIAMDeactivateStaleAccessKeys(r *run) error {
	u, err := r.user()
	if err != nil {
		return err
	}
	name, arn := aws.ToString(u.UserName), aws.ToString(u.Arn)
	maxAge := time.Duration(r.values.integer("maxAccessKeyAge")) * 24 * time.Hour
	maxUnused := time.Duration(r.values.integer("maxCredentialUsageAge")) * 24 * time.Hour

	var keys []iamtypes.AccessKeyMetadata
	p := iam.NewListAccessKeysPaginator(r.clients.IAM, &iam.ListAccessKeysInput{UserName: &name})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			return apiError("iam:ListAccessKeys", arn, err)
		}
		keys = append(keys, page.AccessKeyMetadata...)
	}
	if len(keys) == 0 {
		r.skip("iam:UpdateAccessKey", arn, "the user has no access keys")
		return nil
	}
	for _, k := range keys {
		id := aws.ToString(k.AccessKeyId)
		if k.Status != iamtypes.StatusTypeActive {
			r.skip("iam:UpdateAccessKey", arn, fmt.Sprintf("access key %s is already %s", id, k.Status))
			continue
		}
		created := aws.ToTime(k.CreateDate)
		last, err := r.clients.IAM.GetAccessKeyLastUsed(r.ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: &id})
		if err != nil {
			return apiError("iam:GetAccessKeyLastUsed", arn, err)
		}
		used, usedText := created, "never used"
		if last.AccessKeyLastUsed != nil && last.AccessKeyLastUsed.LastUsedDate != nil {
			used = *last.AccessKeyLastUsed.LastUsedDate
			usedText = fmt.Sprintf("last used %s", days(r.now.Sub(used)))
		}
		age, unused := r.now.Sub(created), r.now.Sub(used)
		facts := fmt.Sprintf("access key %s created %s, %s", id, days(age), usedText)
		var why string
		switch {
		case age > maxAge:
			why = fmt.Sprintf("older than %d days", r.values.integer("maxAccessKeyAge"))
		case unused > maxUnused:
			why = fmt.Sprintf("unused for more than %d days", r.values.integer("maxCredentialUsageAge"))
		default:
			r.skip("iam:UpdateAccessKey", arn, facts+"; within limits")
			continue
		}
		if err := r.write("iam:UpdateAccessKey", arn, fmt.Sprintf("%s: %s; deactivate it", facts, why), func(ctx context.Context) error {
			_, err := r.clients.IAM.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
				UserName: &name, AccessKeyId: &id, Status: iamtypes.StatusTypeInactive,
			})
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// days says a duration in whole days: "12 days ago".
func days(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if n == 1 {
		return "1 day ago"
	}
	return fmt.Sprintf("%d days ago", n)
}
