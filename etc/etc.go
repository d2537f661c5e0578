// Package etc holds the data files that emit embeds: the default schema
// (default-schema.yml) used when no --schema is given, the vocabularies of
// telemetry (telemetry.yml) and the grok patterns of ES|QL (grok-patterns).
package etc

import _ "embed"

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
