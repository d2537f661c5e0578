package kql

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/source"
)

func addQuerySeeds(f *testing.F) {
	for _, tc := range canonicalTests {
		f.Add(tc.in)
	}
	for _, tc := range errorTests {
		f.Add(tc.in)
	}
	for _, l := range readQueries(f) {
		f.Add(l.query)
	}
}

// FuzzParse: Parse never panics; errors are *source.Error with a valid
// position; a successful parse round-trips through String() and lowers
// (or reports an unsupported construct).
func FuzzParse(f *testing.F) {
	addQuerySeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		if err != nil {
			var pe *source.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q): error %T %v", src, err, err)
			}
			if pe.Lang != "kql" || pe.Pos.Offset < 0 || pe.Pos.Offset > len(src) || pe.Pos != source.PosAt(src, pe.Pos.Offset) {
				t.Fatalf("Parse(%q): bad error position %+v", src, pe.Pos)
			}
			_ = pe.Detail()
			return
		}
		if msg := checkLocs(src, q); msg != "" {
			t.Fatalf("Parse(%q): %s", src, msg)
		}
		s := q.String()
		q2, err := Parse(s)
		if err != nil {
			t.Fatalf("canonical form of %q does not parse: %q: %v", src, s, err)
		}
		if d1, d2 := dump(q.Root), dump(q2.Root); d1 != d2 {
			t.Fatalf("round trip of %q via %q:\n%s\n%s", src, s, d1, d2)
		}
		if s2 := q2.String(); s2 != s {
			t.Fatalf("canonical form unstable: %q -> %q", s, s2)
		}
		if _, err := q.Constraints(); err != nil {
			var ue *constraint.UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("Constraints(%q): %v", src, err)
			}
		}
		MatchAt(q, map[string]any{"a": "b"}, testTypes, evalNow)
	})
}

// FuzzMatch: evaluating any query on any JSON document never panics, and
// "not (q)" matches exactly when q does not.
func FuzzMatch(f *testing.F) {
	docs := []string{`{}`, `{"a":"b"}`}
	for _, tc := range evalTests {
		docs = append(docs, tc.doc)
	}
	i := 0
	for _, tc := range evalTests {
		f.Add(tc.query, tc.doc)
		i++
	}
	for _, l := range readQueries(f) {
		f.Add(l.query, docs[i%len(docs)])
		i++
	}
	f.Fuzz(func(t *testing.T, src, doc string) {
		q, err := Parse(src)
		if err != nil {
			return
		}
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		var m map[string]any
		if dec.Decode(&m) != nil {
			return
		}
		got := MatchAt(q, m, testTypes, evalNow)
		MatchAt(q, m, nil, evalNow)
		if q.Root == nil {
			if !got {
				t.Fatalf("empty query did not match")
			}
			return
		}
		neg, err := Parse("not (" + q.String() + ")")
		if err != nil {
			t.Fatalf("not (%s): %v", q, err)
		}
		if MatchAt(neg, m, testTypes, evalNow) == got {
			t.Fatalf("%q and its negation agree (%v) on %s", src, got, doc)
		}
	})
}
