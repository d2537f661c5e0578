package schema

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// CheckoutDir is where a detection-rules checkout keeps the schemas its
// own validation uses, relative to the checkout's root.
const CheckoutDir = "detection_rules/etc"

// Checkout is the schemas of a detection-rules checkout: the files of its
// detection_rules/etc that type rule fields ("" or nil for those absent).
type Checkout struct {
	// Dir is the detection_rules/etc directory.
	Dir string
	// NonECS is non-ecs-schema.json: fields outside ECS by index pattern
	// (LoadNonECS).
	NonECS string
	// Integrations is integration-schemas.json.gz: the fields of Elastic
	// integration packages (LoadIntegrations).
	Integrations string
	// Endpoint are endpoint_schemas/*.json(.gz): Elastic Defend's fields
	// (Load), sorted.
	Endpoint []string
}

// Files are the checkout's schema files, relative to Dir.
func (c Checkout) Files() []string {
	var out []string
	for _, p := range append([]string{c.NonECS, c.Integrations}, c.Endpoint...) {
		if p == "" {
			continue
		}
		if rel, err := filepath.Rel(c.Dir, p); err == nil {
			p = filepath.ToSlash(rel)
		}
		out = append(out, p)
	}
	return out
}

// FindCheckout finds the schemas of the detection-rules checkout that path
// (a rules directory or file) belongs to: in path's detection_rules/etc
// when path is a directory, then in that of every directory above it, up
// to the root of its git repository (the directory holding .git) or of the
// file system. ok is false when no directory on the way has any of the
// files.
func FindCheckout(path string) (c Checkout, ok bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Checkout{}, false
	}
	dir := abs
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		dir = filepath.Dir(abs)
	}
	for {
		if c, ok := checkoutIn(filepath.Join(dir, filepath.FromSlash(CheckoutDir))); ok {
			return c, true
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return Checkout{}, false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return Checkout{}, false
		}
		dir = parent
	}
}

// checkoutIn reads the schema files of an etc directory.
func checkoutIn(etc string) (Checkout, bool) {
	c := Checkout{Dir: etc}
	file := func(name string) string {
		p := filepath.Join(etc, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
		return ""
	}
	c.NonECS = file("non-ecs-schema.json")
	c.Integrations = file("integration-schemas.json.gz")
	if c.Integrations == "" {
		c.Integrations = file("integration-schemas.json")
	}
	if entries, err := os.ReadDir(filepath.Join(etc, "endpoint_schemas")); err == nil {
		for _, e := range entries {
			if name := e.Name(); e.Type().IsRegular() && (strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".json.gz")) {
				c.Endpoint = append(c.Endpoint, filepath.Join(etc, "endpoint_schemas", name))
			}
		}
		sort.Strings(c.Endpoint)
	}
	return c, c.NonECS != "" || c.Integrations != "" || len(c.Endpoint) > 0
}
