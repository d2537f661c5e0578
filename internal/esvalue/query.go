package esvalue

import (
	"encoding/json"
	"math/big"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/estype"
)

// This file is how Elasticsearch's leaf queries — term, range, exists and
// the pattern queries (wildcard, prefix, regexp) — judge the values of one
// field, per field type. The KQL, Query DSL and Lucene evaluators all
// answer their leaves through it, so that a field type is compared one way
// in every language.

// Verdict is the outcome of a query clause on a document: it matches, it
// does not, or Elasticsearch would reject the query (a value the field
// cannot read, a pattern query on a number).
type Verdict uint8

const (
	No Verdict = iota
	Yes
	Invalid
)

// Of is Yes for true and No for false.
func Of(b bool) Verdict {
	if b {
		return Yes
	}
	return No
}

// Lenient turns Invalid into No: a query with "lenient" matches nothing
// where it cannot read a value instead of failing.
func (v Verdict) Lenient() Verdict {
	if v == Invalid {
		return No
	}
	return v
}

// queryText is the text of a query value: a string as it is, a number or
// boolean as JSON writes it (as KeywordString reads document values). ok
// is false for null, objects and arrays.
func queryText(q any) (string, bool) { return KeywordString(q) }

// StringValues returns the indexed strings of a keyword-like field's
// values (every leaf of a flattened field), lower-cased by a lowercase
// normalizer.
func StringValues(m estype.Mapping, vals []any) []string {
	var out []string
	add := func(v any) bool {
		if s, ok := KeywordString(v); ok {
			if m.Lowercase() {
				s = strings.ToLower(s)
			}
			out = append(out, s)
		}
		return true
	}
	for _, v := range vals {
		if m.Type == estype.Flattened {
			leaves(v, add)
			continue
		}
		add(v)
	}
	return out
}

// leaves calls fn on every scalar under v (the keys of a flattened field).
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

// Tokens returns the indexed words of a text field's values, in order
// (positions run on across values).
func Tokens(vals []any) []string {
	var out []string
	for _, v := range vals {
		if s, ok := KeywordString(v); ok {
			out = append(out, analysis.Analyze(s)...)
		}
	}
	return out
}

// Phrase reports whether one value of a text field holds the analyzed
// phrase: a phrase never spans two values of an array (Elasticsearch puts
// a position gap of 100 between them).
func Phrase(vals []any, phrase []string) bool {
	for _, v := range vals {
		if s, ok := KeywordString(v); ok && analysis.ContainsPhrase(analysis.Analyze(s), phrase) {
			return true
		}
	}
	return false
}

// TokenCount reads a token_count field's value: the number of words the
// analyzer finds in its string (a number is indexed as its text).
func TokenCount(v any) (*big.Rat, bool) {
	s, ok := KeywordString(v)
	if !ok {
		return nil, false
	}
	return new(big.Rat).SetInt64(int64(len(analysis.Analyze(s)))), true
}

// docNumber reads a document value of a numeric field as the field stores
// it.
func docNumber(m estype.Mapping, v any) (*big.Rat, bool) {
	if m.Type == estype.TokenCount {
		return TokenCount(v)
	}
	return DocStored(m, v)
}

// Term is a term query (KQL "field : value" without wildcards, Query DSL
// term, a match query on a field that is not analyzed): whether a value of
// the field equals q, read as the field's type reads it. ci is the
// case_insensitive option of string fields. For text fields Term compares
// q with each indexed word, unanalyzed, as Elasticsearch's term query
// does.
func Term(m estype.Mapping, vals []any, q any, ci bool, now time.Time) Verdict {
	t := m.Type
	switch fam := t.Family(); {
	case fam == estype.KeywordFamily || fam == estype.FlattenedFamily:
		qs, ok := queryText(q)
		if !ok {
			return Invalid
		}
		if m.Lowercase() {
			qs = strings.ToLower(qs)
		}
		for _, s := range StringValues(m, vals) {
			if s == qs || ci && CIEqual(s, qs) {
				return Yes
			}
		}
		return No
	case fam == estype.TextFamily:
		qs, ok := queryText(q)
		if !ok {
			return Invalid
		}
		for _, tok := range Tokens(vals) {
			if tok == qs || ci && CIEqual(tok, qs) {
				return Yes
			}
		}
		return No
	case fam == estype.ObjectFamily:
		return No
	case ci:
		return Invalid // only string fields match case-insensitively
	case t.Numeric():
		qn, ok := QueryNumber(m, q)
		if !ok {
			return Invalid
		}
		if t.Family() == estype.IntegerFamily && !qn.IsInt() {
			return No
		}
		for _, v := range vals {
			if d, ok := docNumber(m, v); ok && d.Cmp(qn) == 0 {
				return Yes
			}
		}
		return No
	case t.IsDate():
		qs, ok := q.(string)
		if n, isNum := q.(json.Number); isNum {
			qs, ok = string(n), true
		}
		if !ok {
			return Invalid
		}
		// A date term is the range its precision covers: "2024-01-15" is
		// the whole day.
		lo, ok1 := QueryDate(t, qs, now, false)
		hi, ok2 := QueryDate(t, qs, now, true)
		if !ok1 || !ok2 {
			return Invalid
		}
		for _, v := range vals {
			if d, ok := DocDateOf(t, v); ok && !d.Before(lo) && !d.After(hi) {
				return Yes
			}
		}
		return No
	case fam == estype.IPFamily:
		qs, ok := q.(string)
		if !ok {
			return Invalid
		}
		for _, v := range vals {
			a, ok := DocIP(v)
			if !ok {
				continue
			}
			match, valid := MatchIP(qs, a)
			if !valid {
				return Invalid
			}
			if match {
				return Yes
			}
		}
		if _, valid := MatchIP(qs, [16]byte{}); !valid {
			return Invalid
		}
		return No
	case fam == estype.BooleanFamily:
		qb, ok := QueryBool(q)
		if !ok {
			return Invalid
		}
		for _, v := range vals {
			if d, ok := DocBool(v); ok && d == qb {
				return Yes
			}
		}
		return No
	}
	return Invalid
}

// Bound is one end of a range query: its value and whether it is
// inclusive (gte, lte) or not (gt, lt).
type Bound struct {
	Value     any
	Inclusive bool
}

// Range is a range query: whether a value of the field lies between lo and
// hi (nil: unbounded). Strings compare by code points; on text fields
// each indexed word is compared. Date bounds round as Elasticsearch rounds
// them: gt and lte up, gte and lt down.
func Range(m estype.Mapping, vals []any, lo, hi *Bound, now time.Time) Verdict {
	t := m.Type
	fam := t.Family()
	switch fam {
	case estype.ObjectFamily:
		return No
	case estype.OtherFamily, estype.GeoFamily, estype.RangeFamily:
		return Invalid
	}
	loCmp, ok := rangeBound(m, lo, lo != nil && !lo.Inclusive, now)
	if !ok {
		return Invalid
	}
	hiCmp, ok := rangeBound(m, hi, hi != nil && hi.Inclusive, now)
	if !ok {
		return Invalid
	}
	holds := func(v any) bool {
		if loCmp == nil && hiCmp == nil {
			_, ok := readable(m, v)
			return ok
		}
		if loCmp != nil {
			c, ok := loCmp(v)
			if !ok || c < 0 || c == 0 && !lo.Inclusive {
				return false
			}
		}
		if hiCmp != nil {
			c, ok := hiCmp(v)
			if !ok || c > 0 || c == 0 && !hi.Inclusive {
				return false
			}
		}
		return true
	}
	var candidates []any
	switch fam {
	case estype.TextFamily:
		for _, w := range Tokens(vals) {
			candidates = append(candidates, w)
		}
	case estype.KeywordFamily, estype.FlattenedFamily:
		for _, s := range StringValues(m, vals) {
			candidates = append(candidates, s)
		}
	default:
		candidates = vals
	}
	for _, v := range candidates {
		if holds(v) {
			return Yes
		}
	}
	return No
}

// readable reports whether v is a value the field can hold.
func readable(m estype.Mapping, v any) (any, bool) {
	t := m.Type
	switch {
	case t.IsString() || t.Family() == estype.FlattenedFamily:
		s, ok := KeywordString(v)
		return s, ok
	case t.Numeric():
		return docNumber(m, v)
	case t.IsDate():
		return DocDateOf(t, v)
	case t.Family() == estype.IPFamily:
		return DocIP(v)
	case t.Family() == estype.BooleanFamily:
		return DocBool(v)
	}
	return nil, false
}

// rangeBound returns how a document value compares to the bound b (nil
// for no bound); ok is false when the field cannot read b.
func rangeBound(m estype.Mapping, b *Bound, roundUp bool, now time.Time) (func(any) (int, bool), bool) {
	if b == nil {
		return nil, true
	}
	t := m.Type
	switch {
	case t.IsString() || t.Family() == estype.FlattenedFamily:
		q, ok := queryText(b.Value)
		if !ok {
			return nil, false
		}
		return func(v any) (int, bool) {
			s, ok := v.(string)
			return strings.Compare(s, q), ok
		}, true
	case t.Numeric():
		q, ok := QueryNumber(m, b.Value)
		if !ok {
			return nil, false
		}
		return func(v any) (int, bool) {
			d, ok := docNumber(m, v)
			if !ok {
				return 0, false
			}
			return d.Cmp(q), true
		}, true
	case t.IsDate():
		qs, ok := b.Value.(string)
		if n, isNum := b.Value.(json.Number); isNum {
			qs, ok = string(n), true
		}
		if !ok {
			return nil, false
		}
		q, ok := QueryDate(t, qs, now, roundUp)
		if !ok {
			return nil, false
		}
		return func(v any) (int, bool) {
			d, ok := DocDateOf(t, v)
			return d.Compare(q), ok
		}, true
	case t.Family() == estype.IPFamily:
		qs, ok := b.Value.(string)
		if !ok {
			return nil, false
		}
		q, ok := ParseIP(qs)
		if !ok {
			return nil, false
		}
		return func(v any) (int, bool) {
			d, ok := DocIP(v)
			return CompareIP(d, q), ok
		}, true
	case t.Family() == estype.BooleanFamily:
		q, ok := QueryBool(b.Value)
		if !ok {
			return nil, false
		}
		return func(v any) (int, bool) {
			d, ok := DocBool(v)
			return boolInt(d) - boolInt(q), ok
		}, true
	}
	return nil, false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Pattern is a wildcard, prefix or regexp query: match is applied to the
// whole indexed value of keyword-like fields and to each indexed word of
// text fields. Elasticsearch rejects pattern queries on numbers, dates,
// IPs and booleans.
func Pattern(m estype.Mapping, vals []any, match func(string) bool) Verdict {
	switch m.Type.Family() {
	case estype.KeywordFamily, estype.FlattenedFamily:
		for _, s := range StringValues(m, vals) {
			if match(s) {
				return Yes
			}
		}
		return No
	case estype.TextFamily:
		for _, w := range Tokens(vals) {
			if match(w) {
				return Yes
			}
		}
		return No
	case estype.ObjectFamily:
		return No
	}
	return Invalid
}

// Exists reports whether any of a field's values counts for an exists
// query.
func Exists(vals []any) bool {
	for _, v := range vals {
		if document.HasValue(v) {
			return true
		}
	}
	return false
}

// QueryNumber reads a query value for a numeric field: a JSON number or a
// numeric string (surrounding spaces allowed). For integer fields the
// value stays exact (a fraction matches no stored integer); floating-point
// values are rounded to the field's precision, and a value beyond the
// type's range compares as the exact value.
func QueryNumber(m estype.Mapping, q any) (*big.Rat, bool) {
	var s string
	switch x := q.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = string(x)
	case float64, int, int64:
		s, _ = queryText(x)
	default:
		return nil, false
	}
	r, ok := ParseDecimal(s)
	if !ok {
		return nil, false
	}
	if m.Type.Family() == estype.IntegerFamily {
		return r, true
	}
	if st, ok := Stored(m, r); ok {
		return st, true
	}
	return r, true
}

// QueryBool reads a query value for a boolean field: a boolean, or the
// string "true" or "false".
func QueryBool(q any) (bool, bool) {
	switch x := q.(type) {
	case bool:
		return x, true
	case string:
		return ParseBool(x)
	}
	return false, false
}

// DocIP reads an IP document value.
func DocIP(v any) ([16]byte, bool) {
	s, ok := v.(string)
	if !ok {
		return [16]byte{}, false
	}
	return ParseIP(s)
}

// altCase is the other case of a character: upper for a lowercase letter,
// lower otherwise (Elasticsearch's case-insensitive automata).
func altCase(r rune) rune {
	if unicode.IsLower(r) {
		return unicode.ToUpper(r)
	}
	return unicode.ToLower(r)
}

// CIRune reports whether a document character matches a query character
// case-insensitively, as Elasticsearch's case_insensitive automata do.
func CIRune(doc, query rune) bool { return doc == query || doc == altCase(query) }

// CIEqual compares a document value with a query value case-insensitively.
func CIEqual(doc, query string) bool {
	for query != "" {
		if doc == "" {
			return false
		}
		q, qn := utf8.DecodeRuneInString(query)
		d, dn := utf8.DecodeRuneInString(doc)
		if !CIRune(d, q) {
			return false
		}
		query, doc = query[qn:], doc[dn:]
	}
	return doc == ""
}
