// Package etc holds the data files that emit embeds: the default schema
// (default-schema.yml) used when no --schema is given, the vocabularies of
// telemetry (telemetry.yml), the grok patterns of ES|QL (grok-patterns)
// and the built-in scenarios (scenarios/).
package etc

import (
	"embed"
)

// DefaultSchema is default-schema.yml: the fields every user touches and
// the ECS naming conventions that type the others, in emit's schema YAML
// format (see package schema).
//
//go:embed default-schema.yml
var DefaultSchema []byte

// Telemetry is telemetry.yml: the vocabularies of real-looking values
// (operating systems, processes, paths, names, services, places) that
// package telemetry draws from.
//
//go:embed telemetry.yml
var Telemetry []byte

// GrokPatterns is grok-patterns: the named patterns the ES|QL evaluator's
// GROK command expands (%{IP}, %{URIHOST}, %{GREEDYDATA}, ...).
//
//go:embed grok-patterns
var GrokPatterns []byte

// Scenarios are the built-in scenarios of emit scenario, one YAML file
// per scenario (scenarios/NAME.yaml), in package scenario's format.
//
//go:embed scenarios/*.yaml
var Scenarios embed.FS
