// Package cfn reads CloudFormation templates (YAML or JSON) and turns their
// resources into AWS Config configuration items.
//
// The template is parsed into go.yaml.in/yaml/v3 nodes (JSON is YAML, and
// nodes keep line numbers and the short-form tags). Intrinsic functions are
// resolved on the nodes: parameters take the values given or their
// Default, conditions are evaluated, and what is known only after the stack
// is deployed becomes a value.Unknown.
package cfn
