package iac

import (
	"bytes"
	"regexp"

	"github.com/guardrails-go/guardrails/iac/internal/tfplan"
)

var (
	// Keys of AWS Config data: a file that has them is not ours.
	configDataKey = regexp.MustCompile(`"(configurationItems|configurationItem|resourceType|configurationItemCaptureTime|configRuleName|invokingEvent|ConfigurationItems|BaseConfigurationItems|Results)"\s*:`)

	jsonTemplateVersion = regexp.MustCompile(`"AWSTemplateFormatVersion"\s*:`)
	jsonResources       = regexp.MustCompile(`"Resources"\s*:\s*\{`)
	jsonResourceType    = regexp.MustCompile(`"Type"\s*:\s*"(AWS|Custom|Alexa)::`)

	yamlTemplateVersion = regexp.MustCompile(`(?m)^["']?AWSTemplateFormatVersion["']?\s*:`)
	yamlResources       = regexp.MustCompile(`(?m)^["']?Resources["']?\s*:\s*(#.*)?$`)
	yamlSection         = regexp.MustCompile(`(?m)^(Parameters|Mappings|Conditions|Metadata|Outputs|Transform|Description)\s*:`)
	yamlResourceType    = regexp.MustCompile(`(?m)^\s+["']?Type["']?\s*:\s*["']?(AWS|Custom)::[A-Za-z0-9]+::`)

	planFormatVersion = regexp.MustCompile(`"format_version"\s*:\s*"`)
	planSection       = regexp.MustCompile(`"(planned_values|resource_changes|prior_state|resource_drift)"\s*:`)
	planTerraform     = regexp.MustCompile(`"terraform_version"\s*:`)
	stateValues       = regexp.MustCompile(`"values"\s*:\s*\{\s*"(root_module|outputs)"`)
)

// IsTemplate reports whether the first bytes of a file (up to a few KiB)
// look like a CloudFormation template: YAML or JSON with
// AWSTemplateFormatVersion, or a Resources section of AWS:: types. AWS
// Config data (items, snapshots, rule events) is never claimed.
func IsTemplate(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	body := skipComments(head)
	if len(body) == 0 {
		return false
	}
	if body[0] == '{' {
		if configDataKey.Match(head) || planFormatVersion.Match(head) {
			return false
		}
		return jsonTemplateVersion.Match(head) || (jsonResources.Match(head) && jsonResourceType.Match(head))
	}
	if body[0] == '[' {
		return false
	}
	if yamlTemplateVersion.Match(head) || yamlResources.Match(head) {
		return true
	}
	// Resources may begin past the head, after long Parameters.
	return yamlSection.Match(head) && yamlResourceType.Match(head)
}

// skipComments drops leading blank lines and YAML comments.
func skipComments(b []byte) []byte {
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		if len(b) == 0 || b[0] != '#' {
			return b
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			return nil
		}
		b = b[i+1:]
	}
}

// IsPlan reports whether the first bytes of a file look like a Terraform
// plan in JSON ("terraform show -json"): a format_version with
// planned_values or resource_changes (or, in a head cut before them, a
// terraform_version and no state values). UTF-16 files are decoded first.
func IsPlan(head []byte) bool {
	head = tfplan.UTF8Head(head)
	body := bytes.TrimLeft(head, " \t\r\n")
	if len(body) == 0 || body[0] != '{' {
		return false
	}
	if !planFormatVersion.Match(head) || configDataKey.Match(head) {
		return false
	}
	if planSection.Match(head) {
		return true
	}
	return planTerraform.Match(head) && !stateValues.Match(head) && len(head) >= 4000
}
