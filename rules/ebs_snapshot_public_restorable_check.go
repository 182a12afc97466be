package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/guardrails-go/guardrails/evaluate"
	"github.com/guardrails-go/guardrails/facts"
)

// publicSnapshotLists parses each public snapshot fact once per content.
var publicSnapshotLists = newParsedFacts(facts.ParsePublicSnapshots)

// EBSSnapshotPublicRestorableCheck checks that none of the account's EBS
// snapshots in a region may be restored by anyone (create-volume
// permission for "all"). Config does not record snapshots' permissions: the
// rule reads the fact ec2-describe-snapshots-public.json, what `aws ec2
// describe-snapshots --owner-ids self --restorable-by-user-ids all` prints,
// and answers INSUFFICIENT_DATA without it. A fact listing a snapshot of
// another account was not made for this one (or not with --owner-ids
// self), so it is an error rather than a verdict.
func EBSSnapshotPublicRestorableCheck() evaluate.Rule {
	return evaluate.NewRule(evaluate.Metadata{
		ID:            "ebs-snapshot-public-restorable-check",
		Summary:       "No EBS snapshot of the account can be restored by anyone.",
		Rationale:     "Anyone can create a volume from a public snapshot and read all the data on it.",
		ResourceTypes: []string{evaluate.AccountResourceType},
		Trigger:       []evaluate.Trigger{evaluate.Periodic},
		Parameters:    []evaluate.Parameter{},
		Severity:      evaluate.Critical,
		ManagedRule:   "EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK",
		Controls:      []string{"SecurityHub:EC2.1"},
		Facts:         []string{factPublicSnapshots},
		URL:           "https://docs.aws.amazon.com/config/latest/developerguide/ebs-snapshot-public-restorable-check.html",
	}, func(evaluate.Params) (evaluate.Evaluator, error) {
		return evaluate.EvaluatorFunc(func(ctx context.Context, in *evaluate.Input) (evaluate.Result, error) {
			acct, region := in.Item.AccountID, in.Item.Region
			if acct == "" {
				acct = in.Item.ResourceID
			}
			where := "account " + acct
			if region != "" {
				where += " in " + region
			}
			data, err := in.Lookup.Fact(ctx, acct, region, factPublicSnapshots)
			var snaps []facts.Snapshot
			if err == nil {
				snaps, err = publicSnapshotLists.get(data)
			}
			switch {
			case errors.Is(err, evaluate.ErrUnknown):
				return evaluate.InsufficientDataf("No %s for %s (aws ec2 describe-snapshots --owner-ids self --restorable-by-user-ids all): %s.", factPublicSnapshots, where, reason(err)), nil
			case err != nil:
				return evaluate.Result{}, err
			}
			ids := make([]string, 0, len(snaps))
			for _, s := range snaps {
				if s.OwnerId != "" && s.OwnerId != acct {
					return evaluate.Result{}, fmt.Errorf("fact %s for %s lists snapshot %s of account %s: make it for each account with --owner-ids self", factPublicSnapshots, where, s.SnapshotId, s.OwnerId)
				}
				ids = append(ids, s.SnapshotId)
			}
			if len(ids) == 0 {
				return evaluate.Compliantf("No EBS snapshot of %s is public.", where), nil
			}
			slices.Sort(ids)
			ids = slices.Compact(ids)
			if len(ids) == 1 {
				return evaluate.NonCompliantf("EBS snapshot %s of %s is public: anyone can create a volume from it.", ids[0], where), nil
			}
			return evaluate.NonCompliantf("%d EBS snapshots of %s are public: %s.", len(ids), where, listSome(ids, 3)), nil
		}), nil
	})
}
