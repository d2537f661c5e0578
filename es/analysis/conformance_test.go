package analysis_test

import (
	"slices"
	"testing"

	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/internal/conformance"
)

func TestConformance(t *testing.T) {
	for _, l := range conformance.Read(t, "analysis.txt") {
		head, want, _ := conformance.Lists(l.Fields)
		if len(head) != 1 {
			t.Fatalf("analysis.txt:%d: want TEXT + TOKEN...", l.N)
		}
		if got := analysis.Analyze(head[0]); !slices.Equal(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Errorf("analysis.txt:%d: Analyze(%q) = %q, want %q", l.N, head[0], got, want)
		}
	}
}
