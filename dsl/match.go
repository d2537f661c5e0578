package dsl

import (
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/internal/esvalue"
	"github.com/emit-sec/emit/rules"
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
func Match(clause map[string]any, doc map[string]any, types func(string) string) bool {
	return MatchAt(clause, doc, types, time.Now())
}

// MatchAt is Match with the time date math is relative to.
func MatchAt(clause map[string]any, doc map[string]any, types func(string) string, now time.Time) bool {
	q, err := Parse(clause)
	if err != nil {
		return false
	}
	return q.MatchAt(doc, types, now)
}

// MatchFilters reports whether the document passes every enabled filter:
// it matches the clause of each filter that is not negated and does not
// match the clause of each negated one. A filter that cannot run (see
// Match) fails the whole set, as Elasticsearch fails the search.
func MatchFilters(fs []rules.Filter, doc map[string]any, types func(string) string) bool {
	return MatchFiltersAt(fs, doc, types, time.Now())
}

// MatchFiltersAt is MatchFilters with the time date math is relative to.
func MatchFiltersAt(fs []rules.Filter, doc map[string]any, types func(string) string, now time.Time) bool {
	p, err := ParseFilters(fs)
	if err != nil {
		return false
	}
	return p.MatchAt(doc, types, now)
}

// Filters is the enabled filters of a rule, parsed once to check many
// documents.
type Filters struct {
	queries []*Query
	negate  []bool
}

// ParseFilters parses the enabled filters; errors are Parse's, placed in
// the rule as FilterExpr places them.
func ParseFilters(fs []rules.Filter) (*Filters, error) {
	p := &Filters{}
	for i, f := range fs {
		if f.Disabled {
			continue
		}
		q, err := Parse(f.Query)
		if err != nil {
			return nil, inFilter(err, i)
		}
		p.queries = append(p.queries, q)
		p.negate = append(p.negate, f.Negate)
	}
	return p, nil
}

// Match is MatchFilters on the parsed filters.
func (p *Filters) Match(doc map[string]any, types func(string) string) bool {
	return p.MatchAt(doc, types, time.Now())
}

// MatchAt is Match with the time date math is relative to.
func (p *Filters) MatchAt(doc map[string]any, types func(string) string, now time.Time) bool {
	ev := evaluator{types: types, now: now.UTC()}
	for i, q := range p.queries {
		switch ev.eval(q.root, scope{doc: doc}) {
		case invalid:
			return false
		case yes:
			if p.negate[i] {
				return false
			}
		case no:
			if !p.negate[i] {
				return false
			}
		}
	}
	return true
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
func (q *Query) Match(doc map[string]any, types func(string) string) bool {
	return q.MatchAt(doc, types, time.Now())
}

// MatchAt is Match with the time date math is relative to.
func (q *Query) MatchAt(doc map[string]any, types func(string) string, now time.Time) bool {
	ev := evaluator{types: types, now: now.UTC()}
	return ev.eval(q.root, scope{doc: doc}) == yes
}

// verdict is the outcome of a clause on a document. invalid means
// Elasticsearch would fail the search: it makes the whole query fail, even
// under must_not.
type verdict uint8

const (
	no verdict = iota
	yes
	invalid
)

func of(b bool) verdict {
	if b {
		return yes
	}
	return no
}

type evaluator struct {
	types func(string) string
	now   time.Time
}

// scope is where fields resolve: the document, or inside a nested query
// one object under path.
type scope struct {
	doc  any
	path string
}

func (ev *evaluator) kind(field string) esvalue.Kind {
	if ev.types == nil {
		return esvalue.Keyword
	}
	return esvalue.KindOf(ev.types(field))
}

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
		return ev.pattern(x.field, sc, func(s string) bool { return x.wild.match(s, x.ci) })
	case *regexpNode:
		return ev.pattern(x.field, sc, x.re.Match)
	case *boolNode:
		return ev.boolQuery(x, sc)
	case *nestedNode:
		if t := ev.typeName(x.path); t != "" && t != "nested" {
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

func (ev *evaluator) typeName(field string) string {
	if ev.types == nil {
		return ""
	}
	t := ev.types(field)
	if t == "keyword" {
		// Unknown fields read as keyword: not a statement about objects.
		return ""
	}
	return t
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
	esvalue.Lookup(sc.doc, rel, &out)
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

// leaves calls fn on every scalar under v (flattened fields).
func leaves(v any, fn func(any) bool) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, y := range x {
			if !leaves(y, fn) {
				return false
			}
		}
		return true
	case []any:
		for _, y := range x {
			if !leaves(y, fn) {
				return false
			}
		}
		return true
	case nil:
		return true
	}
	return fn(v)
}

// stringValues returns the string values of a keyword-like field (every leaf of
// a flattened field).
func (ev *evaluator) stringValues(k esvalue.Kind, vals []any) []string {
	var out []string
	for _, v := range vals {
		if k == esvalue.Flattened {
			leaves(v, func(l any) bool {
				if s, ok := esvalue.KeywordString(l); ok {
					out = append(out, s)
				}
				return true
			})
			continue
		}
		if s, ok := esvalue.KeywordString(v); ok {
			out = append(out, s)
		}
	}
	return out
}

func (ev *evaluator) exists(field string, sc scope) bool {
	if strings.Contains(field, "*") {
		pat := constraint.ParseWildcard(field, false)
		found := false
		esvalue.Walk(sc.doc, sc.path, func(path string, v any) bool {
			if pat.Match(path, false) && esvalue.HasValue(v) {
				found = true
				return false
			}
			return true
		})
		return found
	}
	for _, v := range ev.values(field, sc) {
		if esvalue.HasValue(v) {
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
	k := ev.kind(field)
	vals := ev.values(field, sc)
	bad := invalid
	if lenient {
		bad = no
	}
	switch k {
	case esvalue.Keyword, esvalue.Flattened:
		q := text(v)
		for _, s := range ev.stringValues(k, vals) {
			if s == q || ci && ciEqual(s, q) {
				return yes
			}
		}
		return no
	case esvalue.Text:
		q := text(v)
		for _, val := range vals {
			s, ok := esvalue.KeywordString(val)
			if !ok {
				continue
			}
			for _, tok := range esvalue.Analyze(s) {
				if tok == q || ci && ciEqual(tok, q) {
					return yes
				}
			}
		}
		return no
	case esvalue.Object:
		return no
	case esvalue.Other:
		return invalid
	}
	if ci {
		return invalid // only string fields match case-insensitively
	}
	switch {
	case k.Numeric():
		q, ok := queryNumber(k, v)
		if !ok {
			return bad
		}
		if k == esvalue.Integer && !q.IsInt() {
			return no
		}
		for _, val := range vals {
			if d, ok := esvalue.DocStored(k, val); ok && d.Cmp(q) == 0 {
				return yes
			}
		}
		return no
	case k.IsDate():
		if v.Kind == constraint.KindBool {
			return bad
		}
		lo, ok1 := esvalue.DateMath(text(v), ev.now, false)
		hi, ok2 := esvalue.DateMath(text(v), ev.now, true)
		if !ok1 || !ok2 {
			return bad
		}
		lo, hi = esvalue.Precision(k, lo), esvalue.Precision(k, hi)
		for _, val := range vals {
			if d, ok := esvalue.DocDate(val); ok {
				d = esvalue.Precision(k, d)
				if !d.Before(lo) && !d.After(hi) {
					return yes
				}
			}
		}
		return no
	case k == esvalue.IP:
		s := text(v)
		var in func([16]byte) bool
		if strings.Contains(s, "/") {
			p, ok := esvalue.ParseCIDR(s)
			if !ok {
				return bad
			}
			in = func(a [16]byte) bool { return p.Contains(netip.AddrFrom16(a)) }
		} else {
			a, ok := esvalue.ParseIP(s)
			if !ok || v.Kind != constraint.KindString {
				return bad
			}
			in = func(b [16]byte) bool { return a == b }
		}
		for _, val := range vals {
			if s, ok := val.(string); ok {
				if a, ok := esvalue.ParseIP(s); ok && in(a) {
					return yes
				}
			}
		}
		return no
	case k == esvalue.Boolean:
		q, ok := queryBool(v)
		if !ok {
			return bad
		}
		for _, val := range vals {
			if d, ok := esvalue.DocBool(val); ok && d == q {
				return yes
			}
		}
		return no
	}
	return invalid
}

func (ev *evaluator) match(x *matchNode, sc scope) verdict {
	k := ev.kind(x.field)
	if k != esvalue.Text {
		return ev.term(x.field, x.value, false, x.lenient, sc)
	}
	want := esvalue.Analyze(text(x.value))
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
		for _, s := range texts {
			if esvalue.ContainsPhrase(esvalue.Analyze(s), want) {
				return yes
			}
		}
		return no
	}
	// One term clause per query word, over all values of the field.
	have := map[string]bool{}
	for _, s := range texts {
		for _, t := range esvalue.Analyze(s) {
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
	k := ev.kind(x.field)
	vals := ev.values(x.field, sc)
	// cmp compares a document value to a bound; ok is false when the
	// document value cannot be read.
	var lo, hi func(any) (int, bool)
	bound := func(b *rangeBound, roundUp bool) (func(any) (int, bool), bool) {
		if b == nil {
			return nil, true
		}
		switch {
		case k == esvalue.Keyword || k == esvalue.Flattened || k == esvalue.Text:
			q := text(b.value)
			return func(v any) (int, bool) {
				s, ok := v.(string)
				if !ok {
					return 0, false
				}
				return strings.Compare(s, q), true
			}, true
		case k.Numeric():
			q, ok := queryNumber(k, b.value)
			if !ok {
				return nil, false
			}
			return func(v any) (int, bool) {
				d, ok := esvalue.DocStored(k, v)
				if !ok {
					return 0, false
				}
				return d.Cmp(q), true
			}, true
		case k.IsDate():
			if b.value.Kind == constraint.KindBool {
				return nil, false
			}
			t, ok := esvalue.DateMath(text(b.value), ev.now, roundUp)
			if !ok {
				return nil, false
			}
			t = esvalue.Precision(k, t)
			return func(v any) (int, bool) {
				d, ok := esvalue.DocDate(v)
				if !ok {
					return 0, false
				}
				return esvalue.Precision(k, d).Compare(t), true
			}, true
		case k == esvalue.IP:
			a, ok := esvalue.ParseIP(text(b.value))
			if !ok || b.value.Kind != constraint.KindString {
				return nil, false
			}
			return func(v any) (int, bool) {
				s, ok := v.(string)
				if !ok {
					return 0, false
				}
				d, ok := esvalue.ParseIP(s)
				if !ok {
					return 0, false
				}
				return esvalue.CompareIP(d, a), true
			}, true
		case k == esvalue.Boolean:
			q, ok := queryBool(b.value)
			if !ok {
				return nil, false
			}
			return func(v any) (int, bool) {
				d, ok := esvalue.DocBool(v)
				if !ok {
					return 0, false
				}
				return boolInt(d) - boolInt(q), true
			}, true
		}
		return nil, false
	}
	switch k {
	case esvalue.Object:
		return no
	case esvalue.Other:
		return invalid
	}
	var ok bool
	// gt and lte round date bounds up, gte and lt down.
	if lo, ok = bound(x.lower, x.lower != nil && !x.lower.inclusive); !ok {
		return invalid
	}
	if hi, ok = bound(x.upper, x.upper != nil && x.upper.inclusive); !ok {
		return invalid
	}
	holds := func(v any) bool {
		if lo == nil && hi == nil {
			// Any value the field can hold.
			switch {
			case k == esvalue.Keyword || k == esvalue.Flattened || k == esvalue.Text:
				_, ok := esvalue.KeywordString(v)
				return ok
			case k.Numeric():
				_, ok := esvalue.DocStored(k, v)
				return ok
			case k.IsDate():
				_, ok := esvalue.DocDate(v)
				return ok
			case k == esvalue.IP:
				s, ok := v.(string)
				if !ok {
					return false
				}
				_, ok = esvalue.ParseIP(s)
				return ok
			case k == esvalue.Boolean:
				_, ok := esvalue.DocBool(v)
				return ok
			}
			return false
		}
		if lo != nil {
			c, ok := lo(v)
			if !ok || c < 0 || c == 0 && !x.lower.inclusive {
				return false
			}
		}
		if hi != nil {
			c, ok := hi(v)
			if !ok || c > 0 || c == 0 && !x.upper.inclusive {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		switch k {
		case esvalue.Text:
			s, ok := esvalue.KeywordString(v)
			if !ok {
				continue
			}
			for _, t := range esvalue.Analyze(s) {
				if holds(t) {
					return yes
				}
			}
		case esvalue.Keyword, esvalue.Flattened:
			found := false
			leaves(v, func(l any) bool {
				if s, ok := esvalue.KeywordString(l); ok && holds(s) {
					found = true
					return false
				}
				return true
			})
			if found {
				return yes
			}
		default:
			if holds(v) {
				return yes
			}
		}
	}
	return no
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pattern evaluates wildcard, prefix and regexp queries: against whole
// values on keyword fields, against single words on text fields.
func (ev *evaluator) pattern(field string, sc scope, match func(string) bool) verdict {
	k := ev.kind(field)
	vals := ev.values(field, sc)
	switch k {
	case esvalue.Keyword, esvalue.Flattened:
		for _, s := range ev.stringValues(k, vals) {
			if match(s) {
				return yes
			}
		}
		return no
	case esvalue.Text:
		for _, v := range vals {
			if s, ok := esvalue.KeywordString(v); ok {
				for _, t := range esvalue.Analyze(s) {
					if match(t) {
						return yes
					}
				}
			}
		}
		return no
	case esvalue.Object:
		return no
	}
	// Elasticsearch refuses pattern queries on numbers, dates, ips, booleans.
	return invalid
}

// ---- case-insensitive comparison, as Elasticsearch builds it ----

// altCase is the other case of a character: upper for a lowercase letter,
// lower otherwise (Elasticsearch's case-insensitive automata).
func altCase(r rune) rune {
	if unicode.IsLower(r) {
		return unicode.ToUpper(r)
	}
	return unicode.ToLower(r)
}

func ciRune(doc, query rune) bool { return doc == query || doc == altCase(query) }

// ciEqual compares a document value with a query value case-insensitively.
func ciEqual(doc, query string) bool {
	for query != "" {
		if doc == "" {
			return false
		}
		q, qn := utf8.DecodeRuneInString(query)
		d, dn := utf8.DecodeRuneInString(doc)
		if !ciRune(d, q) {
			return false
		}
		query, doc = query[qn:], doc[dn:]
	}
	return doc == ""
}

// wildTok is one element of a wildcard pattern: "*", "?" or a character.
type wildTok struct {
	star, any bool
	r         rune
}

type wildPattern []wildTok

func compileWildcard(p constraint.Pattern) wildPattern {
	var pt wildPattern
	for _, e := range p {
		switch e.Kind {
		case constraint.AnyString:
			pt = append(pt, wildTok{star: true})
		case constraint.AnyChar:
			pt = append(pt, wildTok{any: true})
		default:
			for _, r := range e.Lit {
				pt = append(pt, wildTok{r: r})
			}
		}
	}
	return pt
}

// match matches s against the pattern, over code points, with
// Elasticsearch's case-insensitivity: the classic two-pointer algorithm
// that backtracks to the last "*".
func (pt wildPattern) match(s string, ci bool) bool {
	i, j := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if j < len(pt) && !pt[j].star && (pt[j].any || r == pt[j].r || ci && ciRune(r, pt[j].r)) {
			i += size
			j++
			continue
		}
		if j < len(pt) && pt[j].star {
			starP, starI = j, i
			j++
			continue
		}
		if starP >= 0 {
			_, size := utf8.DecodeRuneInString(s[starI:])
			starI += size
			i, j = starI, starP+1
			continue
		}
		return false
	}
	for j < len(pt) && pt[j].star {
		j++
	}
	return j == len(pt)
}
