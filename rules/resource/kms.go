package resource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/guardrails-go/guardrails/evaluate"
)

// KMSKeyType is the Config resource type of KMS keys.
const KMSKeyType = "AWS::KMS::Key"

// KMSKey is the view of an AWS::KMS::Key item.
//
// KeyManager, KeySpec, KeyUsage and Origin are as Config recorded them, or
// the CreateKey defaults when the item leaves them out (an item built from
// a template): only AWS services create AWS managed keys, and Config always
// records keyManager for them.
type KMSKey struct {
	ID        string
	ARN       string
	AccountID string
	Region    string
	// KeyManager is "AWS" or "CUSTOMER".
	KeyManager string
	// KeySpec is keySpec, or the older customerMasterKeySpec, such as
	// "SYMMETRIC_DEFAULT", "RSA_2048" or "HMAC_256".
	KeySpec string
	// KeyUsage is "ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"
	// or "KEY_AGREEMENT".
	KeyUsage string
	// Origin is "AWS_KMS", "EXTERNAL" (imported key material),
	// "AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE" (custom key stores).
	Origin           string
	CustomKeyStoreID string
	// KeyState is "Enabled", "Disabled", "PendingDeletion", ...; "" when
	// not recorded.
	KeyState string
	Enabled  Bool
	// DeletionDate is when the key will be deleted; zero when none is
	// scheduled.
	DeletionDate time.Time
	// RotationEnabled is supplementaryConfiguration.KeyRotationStatus;
	// unset when Config recorded none.
	RotationEnabled Bool
}

// Customer reports whether the key is customer managed.
func (k *KMSKey) Customer() bool { return k.KeyManager == "CUSTOMER" }

// PendingDeletion reports whether the key is scheduled for deletion.
func (k *KMSKey) PendingDeletion() bool {
	return k.KeyState == "PendingDeletion" || k.KeyState == "PendingReplicaDeletion" || !k.DeletionDate.IsZero()
}

var kmsKeys = evaluate.NewModel(KMSKeyType, DecodeKMSKey)

// KMSKeyOf returns the view of the input's key, decoded once per item.
func KMSKeyOf(in *evaluate.Input) (*KMSKey, error) { return kmsKeys.Of(in) }

// DecodeKMSKey decodes an AWS::KMS::Key item.
func DecodeKMSKey(ci *evaluate.ConfigurationItem) (*KMSKey, error) {
	var conf struct {
		KeyID                 string          `json:"keyId"`
		ARN                   string          `json:"arn"`
		KeyManager            string          `json:"keyManager"`
		KeySpec               string          `json:"keySpec"`
		CustomerMasterKeySpec string          `json:"customerMasterKeySpec"`
		KeyUsage              string          `json:"keyUsage"`
		Origin                string          `json:"origin"`
		CustomKeyStoreID      string          `json:"customKeyStoreId"`
		KeyState              string          `json:"keyState"`
		Enabled               json.RawMessage `json:"enabled"`
		DeletionDate          json.RawMessage `json:"deletionDate"`
	}
	if err := decodeConfiguration(ci, &conf); err != nil {
		return nil, err
	}
	k := &KMSKey{
		ID:               nonEmptyOr(conf.KeyID, ci.ResourceID),
		ARN:              nonEmptyOr(conf.ARN, ci.ARN),
		AccountID:        ci.AccountID,
		Region:           ci.Region,
		KeyManager:       nonEmptyOr(conf.KeyManager, "CUSTOMER"),
		KeySpec:          nonEmptyOr(conf.KeySpec, nonEmptyOr(conf.CustomerMasterKeySpec, "SYMMETRIC_DEFAULT")),
		KeyUsage:         nonEmptyOr(conf.KeyUsage, "ENCRYPT_DECRYPT"),
		Origin:           nonEmptyOr(conf.Origin, "AWS_KMS"),
		CustomKeyStoreID: conf.CustomKeyStoreID,
		KeyState:         conf.KeyState,
	}
	if err := decodeAtPath(ci, "configuration.enabled", conf.Enabled, &k.Enabled); err != nil {
		return nil, err
	}
	if !unknownUntilDeployed(ci, "configuration.deletionDate") {
		deletion, err := decodeConfigDate(conf.DeletionDate)
		if err != nil {
			return nil, fmt.Errorf("configuration.deletionDate: %v", err)
		}
		k.DeletionDate = deletion
	}
	if raw, ok := ci.SupplementaryConfiguration["KeyRotationStatus"]; ok {
		if err := decodeAtPath(ci, "supplementaryConfiguration.KeyRotationStatus", raw, &k.RotationEnabled); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// decodeConfigDate reads a date Config writes inside configuration: an ISO 8601
// string, or epoch milliseconds (or seconds) as a number. Null and "" are
// the zero time.
func decodeConfigDate(raw json.RawMessage) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
		if s = strings.TrimSpace(s); s == "" {
			return time.Time{}, nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return epochDate(f)
		}
		return time.Time{}, fmt.Errorf("want a date, got %q", truncate(s))
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("want a date, got %s", truncate(string(raw)))
	}
	return epochDate(f)
}

// epochDate reads epoch milliseconds, or seconds for values too small to be
// milliseconds of this century.
func epochDate(f float64) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e14 {
		return time.Time{}, fmt.Errorf("want a date, got %v", f)
	}
	if f < 1e11 {
		f *= 1000
	}
	return time.UnixMilli(int64(f)).UTC(), nil
}

func nonEmptyOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
