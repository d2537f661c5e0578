package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/shared"
)

// neverMatches are rules that cannot match in Elasticsearch either, each
// with the reason, which emit check rightly calls unsolvable.
var neverMatches = map[string]string{
	// "Entra ID OAuth User Impersonation to Microsoft Graph": its WHERE
	// asks one row for Esql.signin_source_asn IS NOT NULL and
	// Esql.graph_source_asn IS NOT NULL, each a CASE on another value of
	// data_stream.dataset (a data stream's constant_keyword).
	"0d3d2254-2b4a-11f0-a019-f661ea17fbcc": "one row in two datasets",
}

// TestRulesetsWithoutFlags: on both shared rulesets, with no schema flag
// (the detection-rules checkout brings its schemas, the package relies on
// the default), emit check finds no rule unsolvable, unparsable or failed:
// every such verdict would be false, as every rule of both fires in
// Elastic's own tests.
func TestRulesetsWithoutFlags(t *testing.T) {
	for _, rel := range []string{"rules/detection-rules", "rules/security_detection_engine-8.2.1.zip"} {
		t.Run(rel, func(t *testing.T) {
			args := []string{"check", "--rules", shared.Path(t, rel), "--format", "json", "--matches", "3"}
			if rel == "rules/detection-rules" {
				// As README's CI recipe runs, in the checkout.
				t.Chdir(shared.Path(t, rel))
				args = []string{"check", "--rules", "rules", "--rules", "rules_building_block", "--format", "json", "--matches", "3"}
			}
			code, out, errs := runEmit(t, args...)
			counts := map[string]int{}
			for _, l := range lines(out) {
				var r struct {
					ID                   string `json:"rule_id"`
					Name, Status, Reason string
				}
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("%v: %s", err, l)
				}
				counts[r.Status]++
				switch {
				case r.Status == "ok", r.Status == "unsupported":
				case r.Status == "unsolvable" && neverMatches[r.ID] != "":
				default:
					t.Errorf("%s: %s (%s): %.500s", r.Status, r.Name, r.ID, r.Reason)
				}
			}
			t.Logf("%s: %v", rel, counts)
			if rel == "rules/detection-rules" && !strings.HasPrefix(errs, "emit check: schemas from detection_rules/etc: ") {
				t.Errorf("the checkout's schemas were not found: %s", errs)
			}
			want := 0
			if counts["unsolvable"] > 0 {
				want = 1 // a rule that never matches fails the gate
			}
			if code != want || counts["ok"] == 0 {
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
	for _, w := range []string{"schemas from ", "skipped 106 rules: unsupported machine_learning (no ML jobs given: --ml-jobs) (--verbose lists them)"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	// ES|QL rules are generated: only those with a construct emit cannot
	// invert are skipped.
	if strings.Contains(errs, "unsupported esql") {
		t.Errorf("ES|QL rules skipped as a type:\n%s", errs)
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
