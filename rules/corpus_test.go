package rules

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/shared"
)

// census counts rules by "type/language".
func census(rs []*Rule) map[string]int {
	m := map[string]int{}
	for _, r := range rs {
		m[r.Type+"/"+r.Language]++
	}
	return m
}

func TestDetectionRulesCorpus(t *testing.T) {
	dir := shared.Path(t, "rules/detection-rules")
	rs, ps := Load(dir)
	if len(ps) > 0 {
		t.Fatalf("%d problems, first: %v", len(ps), ps[0])
	}
	want := map[string]int{
		"eql/eql":            1081,
		"esql/esql":          212,
		"machine_learning/":  106,
		"new_terms/kuery":    245,
		"query/kuery":        507,
		"query/lucene":       1,
		"threat_match/kuery": 9,
		"threshold/kuery":    31,
	}
	got := census(rs)
	if !maps.Equal(got, want) {
		t.Errorf("rules by type/language:\n got  %v\n want %v", got, want)
	}
	if len(rs) != 2192 {
		t.Errorf("%d rules, want 2192", len(rs))
	}
	var deprecated, underDir, bbr, selected int
	for _, r := range rs {
		if r.Deprecated {
			deprecated++
		}
		if strings.Contains(r.Source, "/_deprecated/") {
			underDir++
			if !r.Deprecated {
				t.Errorf("%s: under _deprecated but not deprecated", r.Source)
			}
		}
		if r.BuildingBlockType != "" {
			bbr++
		}
		switch r.Type {
		case TypeThreshold:
			if r.Threshold == nil || r.Threshold.Value < 1 {
				t.Errorf("%s: threshold %+v", r.Source, r.Threshold)
			}
		case TypeNewTerms:
			if r.NewTerms == nil || len(r.NewTerms.Fields) == 0 || !strings.HasPrefix(r.NewTerms.HistoryWindowStart, "now-") {
				t.Errorf("%s: new terms %+v", r.Source, r.NewTerms)
			}
		case TypeMachineLearning:
			if r.MachineLearning == nil || len(r.MachineLearning.JobIDs) == 0 || r.MachineLearning.AnomalyThreshold == 0 {
				t.Errorf("%s: machine learning %+v", r.Source, r.MachineLearning)
			}
		case TypeThreatMatch:
			if tm := r.ThreatMatch; tm == nil || tm.Query == "" || len(tm.Mapping) == 0 || len(tm.Index) == 0 {
				t.Errorf("%s: threat match %+v", r.Source, r.ThreatMatch)
			}
		case TypeESQL:
			if len(r.IndexPatterns()) == 0 {
				t.Errorf("%s: no FROM sources in %q", r.Source, r.Query)
			}
		}
		if r.ID == "" || r.Name == "" || r.Maturity == "" || len(r.Tags) == 0 || r.RiskScore == 0 || r.Severity == "" {
			t.Errorf("%s: incomplete rule %+v", r.Source, r)
		}
		if !r.Deprecated {
			selected++
		}
	}
	if deprecated != 124 || underDir != 124 {
		t.Errorf("%d deprecated rules, %d under _deprecated; want 124 and 124", deprecated, underDir)
	}
	if bbr != 133 {
		t.Errorf("%d building-block rules, want 133", bbr)
	}
	if n := len(Selector{}.Select(rs)); n != selected || n != 2192-124 {
		t.Errorf("default selection: %d rules, want %d", n, 2192-124)
	}
	t.Logf("detection-rules: %d rules (%d deprecated, %d building blocks): %v", len(rs), deprecated, bbr, got)
	checkIndexNames(t, rs)
}

func TestPackageCorpus(t *testing.T) {
	zip := shared.Path(t, "rules/security_detection_engine-8.2.1.zip")
	rs, ps := Load(zip)
	if len(ps) > 0 {
		t.Fatalf("%d problems, first: %v", len(ps), ps[0])
	}
	want := map[string]int{
		"eql/eql":            315,
		"machine_learning/":  47,
		"query/kuery":        296,
		"query/lucene":       5,
		"threat_match/kuery": 2,
		"threshold/kuery":    15,
	}
	got := census(rs)
	if !maps.Equal(got, want) || len(rs) != 680 {
		t.Errorf("%d rules by type/language:\n got  %v\n want %v", len(rs), got, want)
	}
	prefix := zip + ":security_detection_engine-8.2.1/kibana/security_rule/"
	for _, r := range rs {
		if !strings.HasPrefix(r.Source, prefix) || !strings.HasSuffix(r.Source, r.ID+".json") {
			t.Errorf("source %q of rule %s", r.Source, r.ID)
		}
		if r.Version < 1 || r.Deprecated || r.Maturity != "" {
			t.Errorf("%s: version %d deprecated %v maturity %q", r.Source, r.Version, r.Deprecated, r.Maturity)
		}
	}
	// Threshold rules with cardinality, and one with no group-by field.
	var card, nofield int
	for _, r := range rs {
		if r.Threshold != nil && len(r.Threshold.Cardinality) > 0 {
			card++
		}
		if r.Type == TypeThreshold && len(r.Threshold.Field) == 0 {
			nofield++
		}
	}
	if card != 2 || nofield != 1 {
		t.Errorf("threshold rules: %d with cardinality, %d without fields; want 2 and 1", card, nofield)
	}
	t.Logf("security_detection_engine-8.2.1: %d rules: %v", len(rs), got)
	checkIndexNames(t, rs)
}

// checkIndexNames: every index pattern of the rules is matched by its
// IndexName, which is a valid index name.
func checkIndexNames(t *testing.T, rs []*Rule) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range rs {
		patterns := slices.Clone(r.IndexPatterns())
		if r.ThreatMatch != nil {
			patterns = append(patterns, r.ThreatMatch.Index...)
		}
		for _, p := range patterns {
			if seen[p] {
				continue
			}
			seen[p] = true
			name := IndexName(p)
			if !indexMatch(p, name) {
				t.Errorf("IndexName(%q) = %q does not match it", p, name)
			}
			if reason := invalidIndex(name); reason != "" {
				t.Errorf("IndexName(%q) = %q: %s", p, name, reason)
			}
		}
		if target := r.TargetIndex(); invalidIndex(target) != "" {
			t.Errorf("%s: target index %q", r.Source, target)
		}
	}
	t.Logf("%d distinct index patterns, all matched by their index name", len(seen))
}

// BenchmarkLoadDetectionRules loads the whole detection-rules tree (2192
// TOML files, 21 MB).
func BenchmarkLoadDetectionRules(b *testing.B) {
	dir := shared.Path(b, "rules/detection-rules")
	for b.Loop() {
		rs, ps := Load(dir)
		if len(rs) != 2192 || len(ps) != 0 {
			b.Fatalf("%d rules, %d problems", len(rs), len(ps))
		}
	}
}

// BenchmarkLoadPackage loads the 8.2.1 prebuilt rules package (680 rules).
func BenchmarkLoadPackage(b *testing.B) {
	zip := shared.Path(b, "rules/security_detection_engine-8.2.1.zip")
	for b.Loop() {
		rs, ps := Load(zip)
		if len(rs) != 680 || len(ps) != 0 {
			b.Fatalf("%d rules, %d problems", len(rs), len(ps))
		}
	}
}
