package lucene

import (
	"errors"
	"testing"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/source"
)

// FuzzParse: Parse never panics; its errors are *source.Error values at a
// valid position; a parsed query has sound locations, its canonical form
// parses back to an equal tree and is stable, and it lowers (or reports an
// unsupported construct) with either default operator.
func FuzzParse(f *testing.F) {
	for _, tc := range parseTests {
		f.Add(tc.in)
	}
	for _, tc := range errorTests {
		f.Add(tc.in)
	}
	for _, tc := range lowerTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var pe *source.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): error %T %v", src, err, err)
			}
			if pe.Lang != "lucene" || pe.Pos.Offset < 0 || pe.Pos.Offset > len(src) || pe.Pos != source.PosAt(src, pe.Pos.Offset) {
				t.Fatalf("Parse(%q): bad error position %+v", src, pe.Pos)
			}
			_ = pe.Detail()
			return
		}
		if msg := roundTrip(src, q); msg != "" {
			t.Fatalf("Parse(%q): %s", src, msg)
		}
		for _, op := range []Operator{OperatorOr, OperatorAnd} {
			cq, err := q.ConstraintsWith(Options{DefaultOperator: op})
			if err != nil {
				var ue *constraint.UnsupportedError
				if !errors.As(err, &ue) {
					t.Fatalf("Constraints(%q): %v", src, err)
				}
				if !ue.Span.Pos.IsValid() || ue.Span.Pos != source.PosAt(src, ue.Span.Pos.Offset) {
					t.Fatalf("Constraints(%q): bad position %+v", src, ue.Span.Pos)
				}
				continue
			}
			if len(cq.Events) != 1 || cq.Events[0].Cond == nil {
				t.Fatalf("Constraints(%q): %+v", src, cq)
			}
		}
		_ = q.Fields()
	})
}
