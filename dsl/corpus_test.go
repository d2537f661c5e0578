package dsl

import (
	"testing"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
)

func TestCorpusScratch(t *testing.T) {
	for _, p := range []string{"rules/detection-rules", "rules/security_detection_engine-8.2.1.zip"} {
		rs, _ := rules.Load(shared.Path(t, p))
		n := 0
		for _, r := range rs {
			if len(r.Filters) == 0 {
				continue
			}
			n++
			e, err := FilterExpr(r.Filters)
			if err != nil {
				t.Errorf("%s: %v", r.Source, err)
				continue
			}
			t.Logf("%s: %v", r.Name, e)
		}
		t.Logf("%s: %d rules with filters", p, n)
	}
}
