// Package resource provides typed views of AWS Config configuration items,
// one per resource type, for rules to read.
//
// Each view is decoded once per item however many rules read it (see
// evaluate.Model): rules call the Of functions, such as [S3BucketOf], with
// their Input. Views keep Config's meaning: a field Config did not record
// stays distinguishable from one recorded as off, so a rule can tell "not
// configured" from "unknown".
//
// Both item shapes decode alike, since evaluate.ConfigurationItem already
// unwraps the JSON strings of the API shape. Fields that AWS writes as a
// boolean in one shape and as "true"/"false" in another are read as [Bool].
package resource
