// Package shared finds the real-world inputs that live outside the project,
// in ../shared/etc beside the project's root (or in the directory named by
// $EMIT_SHARED_ETC), for tests and benchmarks.
//
// When the data is absent, tests skip with a message saying what is missing;
// under CI (CI=true) they fail instead, since CI must run them.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// EnvVar names the directory that replaces ../shared/etc.
const EnvVar = "EMIT_SHARED_ETC"

// Dir returns the shared etc directory, or "" when it cannot be found.
func Dir() string {
	if d := os.Getenv(EnvVar); d != "" {
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared", "etc")
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Path returns the path of rel (e.g. "ecs/ecs-v8.11.0.tar.gz") inside the
// shared etc directory. If it does not exist the test is skipped, or fails
// when CI=true.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	d := Dir()
	p := filepath.Join(d, rel)
	if d == "" {
		missing(tb, "the shared data directory (../shared/etc or $"+EnvVar+")")
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		missing(tb, p)
	}
	return p
}

func missing(tb testing.TB, what string) {
	tb.Helper()
	msg := "shared test data missing: " + what + " (set $" + EnvVar + " to the shared/etc directory)"
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}
