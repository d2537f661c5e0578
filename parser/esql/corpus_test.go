package esql

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/source"
)

// esqlRules loads the ES|QL rules of the detection-rules tree (rules/**
// and rules_building_block/**, deprecated rules included).
func esqlRules(tb testing.TB) []*rules.Rule {
	tb.Helper()
	dir := shared.Path(tb, "rules/detection-rules")
	rs, ps := rules.Load(filepath.Join(dir, "rules"), filepath.Join(dir, "rules_building_block"))
	if len(ps) > 0 {
		tb.Fatalf("%d problems loading the rules, first: %v", len(ps), ps[0])
	}
	var out []*rules.Rule
	for _, r := range rs {
		if r.Type == rules.TypeESQL {
			out = append(out, r)
		}
	}
	return out
}

// TestDetectionRulesCorpus parses every ES|QL rule of the detection-rules
// tree and checks that each prints to ES|QL that parses back to the same
// tree.
func TestDetectionRulesCorpus(t *testing.T) {
	rs := esqlRules(t)
	if len(rs) != 212 {
		t.Errorf("%d ES|QL rules, want 212", len(rs))
	}
	failed := 0
	for _, r := range rs {
		if _, err := Parse(r.Query); err != nil {
			failed++
			var perr *source.Error
			if errors.As(err, &perr) {
				t.Errorf("%s:\n%s", r.Source, perr.Detail())
			} else {
				t.Errorf("%s: %v", r.Source, err)
			}
			continue
		}
		roundTrip(t, r.Query)
	}
	t.Logf("%d ES|QL rules, %d failed", len(rs), failed)
}
