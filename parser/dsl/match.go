package dsl

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
)

// Match reports whether Elasticsearch would return the document for the
// clause. It is an evaluator independent of the solver, meant to prove
// generated documents right; date math ("now-1d") is relative to the
// current time (see MatchAt).
//
// types gives the Elasticsearch type of a field by its full dotted name;
// nil, or "" for a field, means keyword. A clause that Parse rejects, or
// that Elasticsearch would fail to run against fields of these types (a
// term query with "abc" on a long field, a wildcard query on an ip field),
// matches nothing. See Query.Match for the semantics.
func Match(clause map[string]any, doc map[string]any, types estype.Lookup) bool {
	return MatchAt(clause, doc, types, time.Now())
}

// MatchAt is Match with the time date math is relative to.
func MatchAt(clause map[string]any, doc map[string]any, types estype.Lookup, now time.Time) bool {
	q, err := Parse(clause)
	if err != nil {
		return false
	}
	return q.MatchAt(doc, types, now)
}

// Match reports whether Elasticsearch would return the document for the
// query, with date math relative to the current time.
//
// The document is JSON as encoding/json decodes it (numbers as float64 or
// json.Number). A dotted field name resolves through nested objects,
// arrays of objects (flattened) and keys that contain dots; a multi-field
// ("process.name.text") reads the values of its parent field. Per type:
//
//   - keyword (and constant_keyword, wildcard, version, unknown fields):
//     exact values, numbers and booleans by their JSON text;
//     case_insensitive compares each character with its other case.
//   - text, match_only_text: the standard analyzer's words, approximated
//     (see analyze): match holds when any word of the query is present (all
//     with "operator": "and", or as minimum_should_match says, counted over
//     all the values of the field); match_phrase when the words follow each
//     other within one value; term, wildcard, prefix and regexp compare
//     single words, unanalyzed; range compares words as strings.
//   - long, integer, short, byte, unsigned_long, double, float, half_float,
//     scaled_float: numbers, at the type's precision (integers truncate
//     document values, a query value with a fraction matches no integer).
//   - date, date_nanos: strict_date_optional_time or epoch milliseconds;
//     query values may be date math; a term matches the whole period a
//     partial date names, as a range from it rounded down to it rounded up;
//     range bounds round as Elasticsearch does (gt and lte up, gte and lt
//     down).
//   - ip: addresses compare as 16-byte values (IPv4 as IPv4-mapped); a term
//     may be a CIDR block.
//   - boolean: true, false, "true", "false" ("" is false in documents).
//   - flattened: keyword semantics on every leaf value.
//
// exists holds when a field (or for an object, a field under it; a "*" in
// the name matches any run of characters) has a non-null value. bool
// follows Lucene: must and filter all hold, no must_not holds, and at least
// minimum_should_match should clauses hold (default: one when there is no
// must or filter clause, else none). nested holds when one object under
// the path satisfies the inner query on its own (fields outside the path
// have no values there).
func (q *Query) Match(doc map[string]any, types estype.Lookup) bool {
	return q.MatchAt(doc, types, time.Now())
}

// MatchAt is Match with the time date math is relative to.
func (q *Query) MatchAt(doc map[string]any, types estype.Lookup, now time.Time) bool {
	return q.Eval(doc, types, now) == yes
}

// Eval is the query's verdict on the document: it matches, it does not,
// or Elasticsearch would fail the search (esvalue.Invalid), which fails
// an enclosing query too, even under a negation.
func (q *Query) Eval(doc map[string]any, types estype.Lookup, now time.Time) esvalue.Verdict {
	ev := evaluator{types: types, now: now.UTC()}
	return ev.eval(q.root, scope{doc: doc})
}

// verdict is the outcome of a clause on a document. invalid means
// Elasticsearch would fail the search: it makes the whole query fail, even
// under must_not.
type verdict = esvalue.Verdict

const (
	no      = esvalue.No
	yes     = esvalue.Yes
	invalid = esvalue.Invalid
)

var of = esvalue.Of

type evaluator struct {
	types estype.Lookup
	now   time.Time
}

// scope is where fields resolve: the document, or inside a nested query
// one object under path.
type scope struct {
	doc  any
	path string
}

func (ev *evaluator) mapping(field string) estype.Mapping { return estype.Lookup(ev.types).Of(field) }

func (ev *evaluator) eval(n node, sc scope) verdict {
	switch x := n.(type) {
	case *constNode:
		return of(x.v)
	case *termNode:
		return ev.term(x.field, x.value, x.ci, false, sc)
	case *termsNode:
		return anyOf(len(x.values), func(i int) verdict { return ev.term(x.field, x.values[i], false, false, sc) })
	case *matchNode:
		return ev.match(x, sc)
	case *existsNode:
		return of(ev.exists(x.field, sc))
	case *rangeNode:
		return ev.rangeQuery(x, sc)
	case *patternNode:
		return ev.pattern(x.field, sc, func(s string) bool { return x.pattern.Match(s, x.ci) })
	case *regexpNode:
		return ev.pattern(x.field, sc, x.re.Match)
	case *boolNode:
		return ev.boolQuery(x, sc)
	case *nestedNode:
		// Unknown fields read as keyword: not a statement about objects.
		if t := ev.mapping(x.path).Type; t != estype.Keyword && t != estype.Nested {
			return invalid // Elasticsearch: not of nested type
		}
		vals := ev.values(x.path, sc)
		out := anyOf(len(vals), func(i int) verdict {
			obj, ok := vals[i].(map[string]any)
			if !ok {
				return no
			}
			return ev.eval(x.query, scope{doc: obj, path: x.path})
		})
		if out == no {
			// Validity does not depend on the documents: check the inner
			// query against nothing.
			if ev.eval(x.query, scope{doc: map[string]any{}, path: x.path}) == invalid {
				return invalid
			}
		}
		return out
	case *disMaxNode:
		return anyOf(len(x.queries), func(i int) verdict { return ev.eval(x.queries[i], sc) })
	case *queryStringNode:
		return ev.evalQueryString(x, sc)
	}
	return invalid
}

// anyOf combines the verdicts fn gives for 0..n-1 as a disjunction in
// which an invalid part makes the whole invalid: invalid as soon as one
// is, else yes when one is, else no.
func anyOf(n int, fn func(i int) verdict) verdict {
	out := no
	for i := range n {
		switch fn(i) {
		case invalid:
			return invalid
		case yes:
			out = yes
		}
	}
	return out
}

func (ev *evaluator) boolQuery(x *boolNode, sc scope) verdict {
	out := yes
	for _, part := range [][]node{x.must, x.filter} {
		for _, c := range part {
			switch ev.eval(c, sc) {
			case invalid:
				return invalid
			case no:
				out = no
			}
		}
	}
	for _, c := range x.mustNot {
		switch ev.eval(c, sc) {
		case invalid:
			return invalid
		case yes:
			out = no
		}
	}
	matched := 0
	for _, c := range x.should {
		switch ev.eval(c, sc) {
		case invalid:
			return invalid
		case yes:
			matched++
		}
	}
	if matched < x.need {
		out = no
	}
	return out
}

// ---- field values ----

// values returns the values of a field in scope, arrays flattened.
func (ev *evaluator) values(field string, sc scope) []any {
	rel := field
	if sc.path != "" {
		var ok bool
		if rel, ok = strings.CutPrefix(field, sc.path+"."); !ok {
			return nil // not a field of the nested object
		}
	}
	var out []any
	document.Lookup(sc.doc, rel, &out)
	if len(out) == 0 {
		// A multi-field (process.name.text) indexes its parent's value:
		// when the parent is a leaf, its values are the multi-field's.
		if i := strings.LastIndexByte(field, '.'); i > 0 && (sc.path == "" || i > len(sc.path)) {
			for _, v := range ev.values(field[:i], sc) {
				switch v.(type) {
				case map[string]any, nil:
					continue
				}
				out = append(out, v)
			}
		}
	}
	return out
}

func (ev *evaluator) exists(field string, sc scope) bool {
	if strings.Contains(field, "*") {
		pat := wildcard.Parse(field, wildcard.StarOnly)
		found := false
		document.Walk(sc.doc, sc.path, func(path string, v any) bool {
			if pat.Match(path, false) && document.HasValue(v) {
				found = true
				return false
			}
			return true
		})
		return found
	}
	for _, v := range ev.values(field, sc) {
		if document.HasValue(v) {
			return true
		}
	}
	return false
}

// ---- leaf queries ----

// term evaluates a term query (or a match query on a field that is not
// analyzed). With lenient, a query value the field cannot read matches
// nothing instead of failing.
func (ev *evaluator) term(field string, v constraint.Value, ci, lenient bool, sc scope) verdict {
	out := esvalue.Term(ev.mapping(field), ev.values(field, sc), queryValue(v), ci, ev.now)
	if lenient {
		out = out.Lenient()
	}
	return out
}

// queryValue is a clause's value as JSON gives it to a query.
func queryValue(v constraint.Value) any {
	switch v.Kind {
	case constraint.KindNumber:
		return json.Number(v.Str)
	case constraint.KindBool:
		return v.Bool
	case constraint.KindNull:
		return nil
	}
	return v.Str
}

func (ev *evaluator) match(x *matchNode, sc scope) verdict {
	if ev.mapping(x.field).Type.Family() != estype.TextFamily {
		return ev.term(x.field, x.value, false, x.lenient, sc)
	}
	want := analysis.Analyze(text(x.value))
	if len(want) == 0 {
		return no // zero_terms_query "none"
	}
	var texts []string
	for _, v := range ev.values(x.field, sc) {
		if s, ok := esvalue.KeywordString(v); ok {
			texts = append(texts, s)
		}
	}
	if x.phrase {
		return of(esvalue.Phrase(ev.values(x.field, sc), want))
	}
	// One term clause per query word, over all values of the field.
	have := map[string]bool{}
	for _, s := range texts {
		for _, t := range analysis.Analyze(s) {
			have[t] = true
		}
	}
	matched := 0
	for _, w := range want {
		if have[w] {
			matched++
		}
	}
	need := 1
	switch {
	case x.and:
		need = len(want)
	case x.msm != "":
		if n, err := minShouldMatch(len(want), x.msm); err == nil && n > 1 {
			need = n
		}
	}
	return of(matched >= need)
}

func (ev *evaluator) rangeQuery(x *rangeNode, sc scope) verdict {
	bound := func(b *rangeBound) *esvalue.Bound {
		if b == nil {
			return nil
		}
		return &esvalue.Bound{Value: queryValue(b.value), Inclusive: b.inclusive}
	}
	return esvalue.Range(ev.mapping(x.field), ev.values(x.field, sc), bound(x.lower), bound(x.upper), ev.now)
}

// pattern evaluates wildcard, prefix and regexp queries: against whole
// values on keyword fields, against single words on text fields.
func (ev *evaluator) pattern(field string, sc scope, match func(string) bool) verdict {
	return esvalue.Pattern(ev.mapping(field), ev.values(field, sc), match)
}
