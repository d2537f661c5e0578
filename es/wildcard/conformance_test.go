package wildcard_test

import (
	"testing"

	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/conformance"
)

// syntaxes are the SYNTAX column of testdata/conformance/wildcard.txt.
var syntaxes = map[string]wildcard.Syntax{"star": wildcard.StarOnly, "query": wildcard.StarAndQuestion, "eql": wildcard.EQL}

func TestConformance(t *testing.T) {
	for _, l := range conformance.Read(t, "wildcard.txt") {
		head, match, reject := conformance.Lists(l.Fields)
		if len(head) != 3 {
			t.Fatalf("wildcard.txt:%d: want PATTERN SYNTAX CASE", l.N)
		}
		p := wildcard.Parse(head[0], syntaxes[head[1]])
		ci := head[2] == "ci"
		for _, s := range match {
			if !p.Match(s, ci) {
				t.Errorf("wildcard.txt:%d: %q (%s, %s) does not match %q", l.N, head[0], head[1], head[2], s)
			}
		}
		for _, s := range reject {
			if p.Match(s, ci) {
				t.Errorf("wildcard.txt:%d: %q (%s, %s) matches %q", l.N, head[0], head[1], head[2], s)
			}
		}
	}
}
