package kql

import (
	"strings"
	"time"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
	"github.com/emit-sec/emit/parser"
)

// Types tells the mapping of a field, given its full dotted name. A nil
// Types, or an empty type, means keyword.
type Types = estype.Lookup

// Match reports whether a document matches the query, with the semantics
// Kibana and Elasticsearch give it. Date math ("now-1d") is relative to the
// current time; see MatchAt.
//
// The document is nested JSON as decoded by encoding/json (numbers as
// float64, or json.Number with UseNumber). Dotted field names resolve
// through nested objects, arrays of objects (flattened) and literal dotted
// keys ({"process.name": ...}). Per field type:
//
//   - keyword, constant_keyword, wildcard (and unknown types): the whole
//     value, exactly and case-sensitively; "*" wildcards match any run of
//     characters.
//   - text, match_only_text: analyzed (an approximation of the standard
//     analyzer: Unicode word segmentation, lowercased; see analysis.Analyze).
//     An unquoted value is a match query (any
//     of its words), a quoted value a phrase; a wildcard value is a
//     query_string query (terms split on whitespace, each wildcard term
//     matched against the words).
//   - numbers compare as numbers (integer types truncate document values,
//     half_float rounds to half precision, float to single, double and
//     scaled_float to double precision; a document value beyond the type's
//     range matches nothing, as Elasticsearch rejects it); ip values compare as
//     addresses, and "field : 10.0.0.0/8" matches a CIDR block; dates are
//     strict_date_optional_time or epoch milliseconds, compared with
//     Elasticsearch's rounding (field : 2024-01-01 is the whole day) and
//     date math; boolean values are true and false.
//   - "field : *" holds when the field has a value (for an object, any
//     field under it); a negation holds when no value matches, so a missing
//     field matches "not field : x".
//   - "parent : { ... }" holds when one object under parent satisfies the
//     inner query (Elasticsearch's nested query; emit applies the same
//     rule to object fields, where Elasticsearch would refuse the query).
//   - A wildcard value on a keyword-like field matches the whole value, as
//     Kibana's wildcard query on keyword fields does. (For wildcard and
//     constant_keyword fields Kibana sends a query_string query, which
//     splits a value with spaces into terms; emit keeps the whole pattern.)
//     Wildcard values on numbers, dates, IPs and booleans never match
//     (Elasticsearch rejects them).
//   - A value without a field matches when any field of the document
//     matches it (Kibana's lenient multi_match).
func Match(q *Query, doc map[string]any, types Types) bool {
	return MatchAt(q, doc, types, time.Now())
}

// MatchAt is Match with "now" (for date math) given.
func MatchAt(q *Query, doc map[string]any, types Types, now time.Time) bool {
	if q == nil || q.Root == nil {
		return true
	}
	ev := evaluator{types: types, now: now.UTC()}
	return ev.expr(q.Root, doc, "")
}

type evaluator struct {
	types Types
	now   time.Time
}

func (ev *evaluator) mapping(field string) estype.Mapping { return estype.Lookup(ev.types).Of(field) }

// fieldValues is the values of one concrete field.
type fieldValues struct {
	name string // full dotted name
	vals []any
}

func (ev *evaluator) expr(e Expr, scope any, prefix string) bool {
	switch x := e.(type) {
	case *Or:
		for _, y := range x.X {
			if ev.expr(y, scope, prefix) {
				return true
			}
		}
		return false
	case *And:
		for _, y := range x.X {
			if !ev.expr(y, scope, prefix) {
				return false
			}
		}
		return true
	case *Not:
		return !ev.expr(x.X, scope, prefix)
	case *Is:
		if x.Field.IsLoneWildcard() {
			if lit, ok := x.Value.(*Literal); ok && lit.IsLoneWildcard() {
				return true // match_all
			}
		}
		fields := ev.resolve(x.Field, scope, prefix)
		return ev.valueExpr(x.Value, fields)
	case *Range:
		for _, f := range ev.resolve(x.Field, scope, prefix) {
			if ev.rangeMatches(ev.mapping(f.name), x.Op, x.Value.Text(), f.vals) {
				return true
			}
		}
		return false
	case *Nested:
		for _, obj := range ev.objects(x.Field, scope, prefix) {
			if ev.expr(x.Query, obj.vals[0], obj.name+".") {
				return true
			}
		}
		return false
	case *FreeText:
		for _, f := range ev.leaves(scope, prefix) {
			if ev.literalMatches(x.Value, []fieldValues{f}) {
				return true
			}
		}
		return false
	}
	return false
}

// valueExpr evaluates a value (list) against the values of the fields.
func (ev *evaluator) valueExpr(v ValueExpr, fields []fieldValues) bool {
	switch x := v.(type) {
	case *ValueOr:
		for _, y := range x.X {
			if ev.valueExpr(y, fields) {
				return true
			}
		}
		return false
	case *ValueAnd:
		for _, y := range x.X {
			if !ev.valueExpr(y, fields) {
				return false
			}
		}
		return true
	case *ValueNot:
		return !ev.valueExpr(x.X, fields)
	case *Literal:
		return ev.literalMatches(x, fields)
	}
	return false
}

func (ev *evaluator) literalMatches(lit *Literal, fields []fieldValues) bool {
	exists := !lit.Quoted && lit.IsLoneWildcard()
	for _, f := range fields {
		if exists {
			if esvalue.Exists(f.vals) {
				return true
			}
			continue
		}
		if ev.matchLiteral(ev.mapping(f.name), lit, f.vals) {
			return true
		}
	}
	return false
}

// matchLiteral reports whether a value of a field matches a
// "field : value" literal. Kibana sends a match query (a match_phrase for
// a quoted value), or a query_string query for a value with wildcards.
func (ev *evaluator) matchLiteral(m estype.Mapping, lit *Literal, vals []any) bool {
	wild := !lit.Quoted && lit.HasWildcard()
	switch m.Type.Family() {
	case estype.TextFamily:
		switch {
		case lit.Quoted:
			return esvalue.Phrase(vals, analysis.Analyze(lit.Text()))
		case wild:
			return queryStringTextMatch(lit, esvalue.Tokens(vals))
		default:
			return analysis.ContainsAny(esvalue.Tokens(vals), analysis.Analyze(lit.Text()))
		}
	case estype.KeywordFamily, estype.FlattenedFamily:
		if wild {
			// A lowercase normalizer applies to the pattern as to the
			// indexed value.
			pat := lit.Pattern()
			return esvalue.Pattern(m, vals, func(s string) bool { return pat.Match(s, m.Lowercase()) }) == esvalue.Yes
		}
	default:
		if wild {
			return false // Elasticsearch refuses wildcard queries on numbers, dates, IPs, booleans
		}
	}
	return esvalue.Term(m, vals, lit.Text(), false, ev.now) == esvalue.Yes
}

// queryStringTextMatch evaluates a wildcard value on a text field the way
// Kibana's query_string query does: the value splits on whitespace into
// terms, any of which may match; a wildcard term is lowercased and matched
// against each word, other terms are analyzed.
func queryStringTextMatch(lit *Literal, toks []string) bool {
	var terms []wildcard.Pattern
	var cur wildcard.Pattern
	flush := func() {
		if len(cur) > 0 {
			terms = append(terms, cur)
			cur = nil
		}
	}
	for _, p := range lit.Parts {
		if p.Wildcard {
			cur = append(cur, wildcard.Elem{Kind: wildcard.AnyString})
			continue
		}
		words := strings.FieldsFunc(p.Text, parser.IsQueryStringSpace)
		if len(words) == 0 {
			flush()
			continue
		}
		if parser.IsQueryStringSpace(firstRune(p.Text)) {
			flush()
		}
		for i, w := range words {
			if i > 0 {
				flush()
			}
			cur = append(cur, wildcard.Elem{Kind: wildcard.Lit, Lit: w})
		}
		if parser.IsQueryStringSpace(lastRune(p.Text)) {
			flush()
		}
	}
	flush()
	for _, t := range terms {
		if t.HasWildcard() {
			low := make(wildcard.Pattern, len(t))
			for i, e := range t {
				low[i] = e
				if e.Kind == wildcard.Lit {
					low[i].Lit = strings.ToLower(e.Lit)
				}
			}
			for _, tok := range toks {
				if low.Match(tok, false) {
					return true
				}
			}
			continue
		}
		if analysis.ContainsAny(toks, analysis.Analyze(t.String())) {
			return true
		}
	}
	return false
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func lastRune(s string) rune {
	var last rune
	for _, r := range s {
		last = r
	}
	return last
}

// rangeMatches reports whether a value of the field satisfies
// "field op bound".
func (ev *evaluator) rangeMatches(m estype.Mapping, op RangeOp, bound string, vals []any) bool {
	b := &esvalue.Bound{Value: bound, Inclusive: op == Le || op == Ge}
	var lo, hi *esvalue.Bound
	if op == Gt || op == Ge {
		lo = b
	} else {
		hi = b
	}
	return esvalue.Range(m, vals, lo, hi, ev.now) == esvalue.Yes
}

// ---- field resolution ----

// resolve returns the values of the fields a field literal names within
// scope: one field, or every field a wildcard name matches.
func (ev *evaluator) resolve(field *Literal, scope any, prefix string) []fieldValues {
	if !field.Quoted && field.HasWildcard() {
		pat := field.Pattern()
		return leafFields(scope, prefix, func(path string) bool { return pat.Match(path, false) })
	}
	name := field.Text()
	var vals []any
	document.Lookup(scope, name, &vals)
	return []fieldValues{{name: prefix + name, vals: vals}}
}

// leaves returns every leaf field of scope with its values.
func (ev *evaluator) leaves(scope any, prefix string) []fieldValues {
	return leafFields(scope, prefix, nil)
}

// leafFields returns the leaf fields of scope that keep accepts (all with
// a nil keep) with their values, in the order first met.
func leafFields(scope any, prefix string, keep func(path string) bool) []fieldValues {
	var out []fieldValues
	index := map[string]int{}
	walkLeaves(scope, "", func(path string, v any) bool {
		if keep != nil && !keep(path) {
			return true
		}
		i, ok := index[path]
		if !ok {
			i = len(out)
			index[path] = i
			out = append(out, fieldValues{name: prefix + path})
		}
		out[i].vals = append(out[i].vals, v)
		return true
	})
	return out
}

// objects returns the objects under the field a nested query names, each
// as a fieldValues with one value.
func (ev *evaluator) objects(field *Literal, scope any, prefix string) []fieldValues {
	var out []fieldValues
	if !field.Quoted && field.HasWildcard() {
		pat := field.Pattern()
		walkObjects(scope, "", func(path string, m map[string]any) {
			if pat.Match(path, false) {
				out = append(out, fieldValues{name: prefix + path, vals: []any{m}})
			}
		})
		return out
	}
	name := field.Text()
	var vals []any
	document.Lookup(scope, name, &vals)
	for _, v := range vals {
		if m, ok := v.(map[string]any); ok {
			out = append(out, fieldValues{name: prefix + name, vals: []any{m}})
		}
	}
	return out
}

// walkLeaves calls fn for every scalar (or null) under node with its dotted
// path; arrays are flattened. fn returns false to stop.
func walkLeaves(node any, path string, fn func(path string, v any) bool) bool {
	return document.Walk(node, path, func(p string, v any) bool {
		if _, obj := v.(map[string]any); obj {
			return true
		}
		return fn(p, v)
	})
}

// walkObjects calls fn for every object under node (not node itself) with
// its dotted path; arrays are flattened.
func walkObjects(node any, path string, fn func(path string, m map[string]any)) {
	document.Walk(node, path, func(p string, v any) bool {
		if m, obj := v.(map[string]any); obj {
			fn(p, m)
		}
		return true
	})
}
