// Package policy provides the shared analyser of IAM-style policy documents,
// S3 access control lists and S3 Block Public Access settings.
package policy
