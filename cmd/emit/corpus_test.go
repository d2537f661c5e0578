package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/shared"
)

// TestRulesetsWithoutFlags: on both shared rulesets, with no schema flag
// (the detection-rules checkout brings its schemas, the package relies on
// the default), emit check finds no rule unsolvable, unparsable or failed:
// every such verdict would be false, as every rule of both fires in
// Elastic's own tests.
func TestRulesetsWithoutFlags(t *testing.T) {
	for _, rel := range []string{"rules/detection-rules", "rules/security_detection_engine-8.2.1.zip"} {
		t.Run(rel, func(t *testing.T) {
			args := []string{"check", "--rules", shared.Path(t, rel), "--format", "json"}
			if rel == "rules/detection-rules" {
				// As README's CI recipe runs, in the checkout.
				t.Chdir(shared.Path(t, rel))
				args = []string{"check", "--rules", "rules", "--rules", "rules_building_block", "--format", "json"}
			}
			code, out, errs := runEmit(t, args...)
			counts := map[string]int{}
			for _, l := range lines(out) {
				var r struct {
					ID, Name, Status, Reason string
				}
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("%v: %s", err, l)
				}
				counts[r.Status]++
				switch r.Status {
				case "ok", "unsupported":
				default:
					t.Errorf("%s: %s (%s): %.500s", r.Status, r.Name, r.ID, r.Reason)
				}
			}
			t.Logf("%s: %v", rel, counts)
			if rel == "rules/detection-rules" && !strings.HasPrefix(errs, "emit check: schemas from detection_rules/etc: ") {
				t.Errorf("the checkout's schemas were not found: %s", errs)
			}
			if code != 0 || counts["ok"] == 0 {
				t.Errorf("exit %d, %v; stderr:\n%s", code, counts, errs)
			}
		})
	}
}

// TestDetectionRulesWithoutFlags: the README's examples on the
// detection-rules checkout work as written, and say little on stderr.
func TestDetectionRulesWithoutFlags(t *testing.T) {
	path := shared.Path(t, "rules/detection-rules")
	code, out, errs := runEmit(t, "--rules", path, "--tags", "OS: Windows", "--mappings")
	var m struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal([]byte(out), &m); code != 0 || err != nil || m.Properties["process"] == nil {
		t.Errorf("--tags 'OS: Windows' --mappings: exit %d (%v), stderr:\n%s", code, err, errs)
	}
	code, out, errs = runEmit(t, "--rules", path, "-n", "1", "--seed", "1")
	if code != 0 || len(lines(out)) == 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	// The schemas found, a warning or two, and one line per reason rules
	// were skipped for.
	if n := len(lines(errs)); n > 15 {
		t.Errorf("%d lines on stderr:\n%s", n, errs)
	}
	for _, w := range []string{"schemas from ", "skipped 209 rules: unsupported esql (--verbose lists them)"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
}

// TestThreatMatchRulesets: emit check calls every threat_match rule of
// both shared rulesets ok, as a user runs it (no flag): the rules that are
// not deprecated, then with --include-deprecated all of them.
func TestThreatMatchRulesets(t *testing.T) {
	for _, tc := range []struct {
		rel        string
		live, want int
	}{
		{"rules/detection-rules", 6, 9},
		{"rules/security_detection_engine-8.2.1.zip", 2, 2},
	} {
		for _, deprecated := range []bool{false, true} {
			args := []string{"check", "--rules", shared.Path(t, tc.rel), "--type", "threat_match", "--format", "json", "--quiet"}
			want := tc.live
			if deprecated {
				args, want = append(args, "--include-deprecated"), tc.want
			}
			code, out, errs := runEmit(t, args...)
			n := 0
			for _, l := range lines(out) {
				var r struct{ ID, Name, Type, Status, Reason string }
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("%v: %s", err, l)
				}
				n++
				if r.Status != "ok" || r.Type != "threat_match" {
					t.Errorf("%s: %s %s (%s): %.500s", tc.rel, r.Status, r.Name, r.ID, r.Reason)
				}
			}
			if code != 0 || n != want {
				t.Errorf("%s (deprecated %v): exit %d, %d rules, want %d; stderr:\n%s", tc.rel, deprecated, code, n, want, errs)
			}
		}
	}
}
