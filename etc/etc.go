// Package etc holds the data files that emit embeds: the default schema
// (default-schema.yml) used when no --schema is given.
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

// Scenarios are the built-in scenarios of emit scenario, one YAML file
// per scenario (scenarios/NAME.yaml), in package scenario's format.
//
//go:embed scenarios/*.yaml
var Scenarios embed.FS
