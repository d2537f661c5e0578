package query

import (
	"testing"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/parser/eql"
	"github.com/emit-sec/emit/parser/kql"
	"github.com/emit-sec/emit/rules"
)

// TestEveryRuleQueryParses parses every KQL and EQL rule query of the real
// rulesets (deprecated rules included).
func TestEveryRuleQueryParses(t *testing.T) {
	for _, path := range []string{"rules/detection-rules", "rules/security_detection_engine-8.2.1.zip"} {
		all, problems := rules.Load(shared.Path(t, path))
		for _, p := range problems {
			t.Errorf("%s: %v", path, p)
		}
		counts := map[string]int{}
		for _, r := range all {
			var err error
			switch r.Language {
			case rules.LangEQL:
				_, err = eql.Parse(r.Query)
			case rules.LangKuery:
				_, err = kql.Parse(r.Query)
			default:
				continue
			}
			counts[r.Language]++
			if err != nil {
				t.Errorf("%s (%s): %v", r.Name, r.Location(), err)
			}
		}
		t.Logf("%s: parsed %d eql and %d kuery queries", path, counts[rules.LangEQL], counts[rules.LangKuery])
		if counts[rules.LangEQL] == 0 || counts[rules.LangKuery] == 0 {
			t.Errorf("%s: no query found", path)
		}
	}
}
