// Package tfplan reads Terraform plans in the JSON form of
// "terraform show -json" and turns their AWS resources into AWS Config
// configuration items.
//
// A resource's values are its planned values ("change.after"); what
// Terraform knows only after apply ("change.after_unknown") becomes a
// value.Unknown. The configuration section gives the references between
// resources, which is how split resources (aws_s3_bucket_versioning,
// aws_security_group_rule...) are joined to their bucket or group when the
// bucket's id is not known yet.
package tfplan
