package iac

import (
	"github.com/guardrails-go/guardrails/iac/internal/cfn"
	"github.com/guardrails-go/guardrails/iac/internal/tfplan"
)

// ItemTypes lists, per source, the AWS types of the items the readers
// produce (for the catalog-wide parity test).
func ItemTypes() (cloudFormation, terraform []string) { return cfn.ItemTypes(), tfplan.ItemTypes() }
