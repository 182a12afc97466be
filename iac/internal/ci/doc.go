// Package ci builds AWS Config configuration items from the neutral value
// tree of the IaC readers: the item record, its rendering to JSON with the
// paths of unknown values, and the Config shapes and AWS defaults shared by
// the CloudFormation and Terraform mappings (one file per service).
package ci
