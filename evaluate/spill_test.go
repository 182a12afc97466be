package evaluate

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestSpillInventoryAnswersAsInventory: the scan's file-backed inventory
// gives the same answers as the in-memory one.
func TestSpillInventoryAnswersAsInventory(t *testing.T) {
	t.Run("hashes", testSpillInventory)
	t.Run("every key colliding", func(t *testing.T) {
		keyHash = func(uint32, string) uint64 { return 42 }
		defer func() { keyHash = fnvKeyHash }()
		testSpillInventory(t)
	})
}

func testSpillInventory(t *testing.T) {
	item := func(id, account, region string, at time.Time, status ItemStatus) *ConfigurationItem {
		ci := bucketItem(id)
		ci.AccountID, ci.Region, ci.CaptureTime, ci.Status = account, region, at, status
		ci.Location = &Location{File: "s.json", Line: 3}
		ci.Unknown = []string{"supplementaryConfiguration.BucketPolicy"}
		if status.Deleted() {
			ci.Configuration = nil
		}
		return ci
	}
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	items := []*ConfigurationItem{
		item("a", "111", "eu-west-1", t0, StatusOK),
		item("b", "111", "us-east-1", t0, StatusOK),
		item("a", "111", "eu-west-1", t0.Add(-time.Hour), StatusOK), // older: ignored
		item("gone", "222", "eu-west-1", t0, StatusResourceDeleted),
		item("c", "222", "eu-west-1", t0, StatusOK),
	}
	mem := NewInventory(nil)
	spill, err := newSpillInventory(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer spill.close()
	for _, ci := range items {
		mem.Add(ci)
		if err := spill.add(ci, nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	queries := []Query{
		{ResourceType: "AWS::S3::Bucket"},
		{ResourceType: "AWS::S3::Bucket", AccountID: "111"},
		{ResourceType: "AWS::S3::Bucket", AccountID: "111", Region: "eu-west-1"},
		{ResourceType: "AWS::S3::Bucket", AccountID: "222", ResourceID: "gone"},
		{ResourceType: "AWS::S3::Bucket", AccountID: "222", ResourceID: "c"},
		{ResourceType: "AWS::S3::Bucket", AccountID: "333"},
		{ResourceType: "AWS::S3::Bucket", AccountID: "111", Region: "ap-south-1"},
		{ResourceType: "AWS::EC2::VPC"},
	}
	opts := []cmp.Option{cmpopts.EquateApproxTime(0), cmp.Comparer(jsonEqual), cmpopts.IgnoreFields(ConfigurationItem{}, "Location")}
	for _, q := range queries {
		want, wantErr := mem.Resources(ctx, q)
		got, gotErr := spill.Resources(ctx, q)
		if diff := cmp.Diff(want, got, opts...); diff != "" {
			t.Errorf("%+v: (-memory +spill):\n%s", q, diff)
		}
		if (wantErr == nil) != (gotErr == nil) || wantErr != nil && !errors.Is(gotErr, ErrUnknown) {
			t.Errorf("%+v: errors %v and %v", q, wantErr, gotErr)
		}
	}
	for _, id := range []string{"a", "gone", "nope"} {
		want, wantErr := mem.Resource(ctx, "AWS::S3::Bucket", id)
		got, gotErr := spill.Resource(ctx, "AWS::S3::Bucket", id)
		if diff := cmp.Diff(want, got, opts...); diff != "" {
			t.Errorf("Resource %s (-memory +spill):\n%s", id, diff)
		}
		if errors.Is(wantErr, ErrNotFound) != errors.Is(gotErr, ErrNotFound) || errors.Is(wantErr, ErrUnknown) != errors.Is(gotErr, ErrUnknown) {
			t.Errorf("Resource %s: errors %v and %v", id, wantErr, gotErr)
		}
	}
}
