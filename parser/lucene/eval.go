package lucene

import (
	"strings"
	"time"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
)

// Match reports whether Elasticsearch returns the document for the query
// as Kibana sends it for a detection rule (with the Kibana options): see
// Query.Eval for the semantics. Date math ("now-1d") is relative to now.
func Match(q *Query, doc map[string]any, types estype.Lookup, now time.Time) bool {
	return q.Eval(doc, types, now, Kibana) == esvalue.Yes
}

// Eval is Elasticsearch's verdict on the document for the query run as a
// query_string query with the options: it matches, it does not, or
// Elasticsearch fails the search (esvalue.Invalid: a value a field cannot
// read, as "abc" on a long field, without lenient), which fails an
// enclosing query too, even under a negation. It is an evaluator
// independent of the solver, meant to prove generated documents right.
//
// types gives the Elasticsearch type of a field by its full dotted name;
// nil, or an empty type, means keyword. The document is JSON as
// encoding/json decodes it; a dotted field resolves through objects,
// arrays of objects and dotted keys. An empty query matches every
// document (Kibana sends it as match_all).
//
// Clauses combine as Lucene's query parser builds them (see Occurs): the
// required clauses all hold and no prohibited one does, and without
// required clauses one optional clause holds (prohibited clauses alone:
// none holds). A clause whose text leaves no word to search on a text
// field ("!" analyzed) is dropped, as if not written; a query left with
// nothing matches no document.
//
// Per field type, a clause searches:
//
//   - text (and match_only_text ...): an unquoted term is analyzed (see
//     package es/analysis) and any of its words must be indexed (all with
//     default_operator AND); a phrase is a phrase query (words in order,
//     within one value; with a slop "~n", within n moves, see
//     esvalue.SloppyPhrase); wildcard, fuzzy and range terms are
//     normalized (lowercased, analysis.Normalize) and compared with single
//     words, as Elasticsearch normalizes the terms query_string does not
//     analyze (elastic/elasticsearch#71751); a prefix term "ab*" with
//     analyze_wildcard (Kibana's default) is analyzed, its last word a
//     prefix; a /regexp/ is compared with single words, unnormalized.
//   - keyword (constant_keyword, wildcard, version, unknown fields): the
//     whole value, exactly (after the field's lowercase normalizer, which
//     also applies to terms, wildcards, prefixes, fuzzy terms, ranges and
//     regexps); a phrase is one term; flattened fields: every leaf so.
//   - numbers, dates, IPs, booleans: a term is a term query read as the
//     type reads it (dates are the period they name, IPs may be CIDR
//     blocks); ranges compare as the type does, with date math and
//     Elasticsearch's rounding of date bounds; wildcard, prefix, regexp and
//     fuzzy terms are refused.
//   - "field:*", "_exists_:field": the field has a value (for an object,
//     a field under it); a field name with "*" is every field it matches
//     among the document's fields; "*:*" and a lone "*" every document.
//   - A term without a field searches the default field, the fields of
//     the "fields" option, or every field of the document: it holds when
//     it holds in one of them.
//
// What a field cannot read fails the search unless the query is lenient
// (Options.Lenient; by default when terms without a field search every
// field, as for rules), in which case it matches nothing; fields chosen by
// a name with "*" or by "every field" are always read leniently (emit
// resolves them among the document's fields, where Elasticsearch takes
// every mapped field).
func (q *Query) Eval(doc map[string]any, types estype.Lookup, now time.Time, opts Options) esvalue.Verdict {
	if q == nil || q.Root == nil {
		return esvalue.Yes
	}
	ev := &evaluator{types: types, now: now.UTC(), opts: opts, doc: doc, lenient: opts.lenient()}
	if out := ev.bool(q.Root, ""); out != dropped {
		return esvalue.Verdict(out)
	}
	// Nothing left to search: Elasticsearch matches no document.
	return esvalue.No
}

// result is a verdict on a clause, or dropped: the clause is no query
// at all (its text leaves no word on a text field).
type result uint8

const (
	no      = result(esvalue.No)
	yes     = result(esvalue.Yes)
	invalid = result(esvalue.Invalid)
	dropped = invalid + 1
)

type evaluator struct {
	types   estype.Lookup
	now     time.Time
	opts    Options
	doc     map[string]any
	lenient bool
	// lowered: the regular expressions as fields with a lowercase
	// normalizer read them.
	lowered map[*Regexp]*esvalue.Regexp
}

func (ev *evaluator) mapping(field string) estype.Mapping { return estype.Lookup(ev.types).Of(field) }

// bool evaluates a clause list whose clauses search field unless they
// name theirs ("" for the default field).
func (ev *evaluator) bool(b *Bool, field string) result {
	res := make([]result, len(b.Clauses))
	drop := make([]bool, len(b.Clauses))
	any := false
	for i, c := range b.Clauses {
		res[i] = ev.node(c.Node, field)
		if res[i] == invalid {
			// The query cannot be built: the search fails.
			return invalid
		}
		drop[i] = res[i] == dropped
		any = any || !drop[i]
	}
	if !any {
		return dropped
	}
	occ := occurs(b.Clauses, ev.opts.DefaultOperator, drop)
	hasMust, hasShould, matched := false, false, false
	for i, o := range occ {
		if drop[i] {
			continue
		}
		switch o {
		case Must:
			hasMust = true
			if res[i] != yes {
				return no
			}
		case MustNot:
			if res[i] == yes {
				return no
			}
		default:
			hasShould = true
			matched = matched || res[i] == yes
		}
	}
	if !hasMust && hasShould && !matched {
		return no
	}
	return yes
}

// node evaluates the node of a clause; field is the field of the
// enclosing group.
func (ev *evaluator) node(n Node, field string) result {
	if f := n.FieldName(); f != nil {
		field = f.Name
	}
	if g, ok := n.(*Group); ok {
		return ev.bool(g.Query, field)
	}
	w, isWild := n.(*Wildcard)
	star := isWild && w.IsStar()
	switch {
	case field == ExistsField:
		return ev.exists(n)
	case star && (field == "*" || field == "" && ev.opts.allFields()):
		return yes // match_all
	case field == "":
		if len(ev.opts.Fields) > 0 {
			out := no
			for _, f := range ev.opts.Fields {
				out = combine(out, ev.node(n, f))
			}
			return out
		}
		if !ev.opts.allFields() {
			return ev.node(n, ev.opts.DefaultField)
		}
		return ev.leaves(n, nil)
	case field == "*":
		return ev.leaves(n, nil)
	case strings.Contains(field, "*"):
		pat := wildcard.Parse(field, wildcard.StarOnly)
		return ev.leaves(n, func(path string) bool { return pat.Match(path, false) })
	}
	var vals []any
	document.Lookup(ev.doc, field, &vals)
	if star {
		return result(esvalue.Of(esvalue.Exists(vals)))
	}
	out := ev.leaf(n, ev.mapping(field), vals)
	if out == invalid && ev.lenient {
		return no
	}
	return out
}

// combine is the verdict of a clause over two groups of fields: it holds
// when it holds in one; it fails when it fails in one; it is dropped when
// it is dropped in both.
func combine(a, b result) result {
	switch {
	case a == invalid || b == invalid:
		return invalid
	case a == yes || b == yes:
		return yes
	case a == dropped && b == dropped:
		return dropped
	}
	return no
}

// leaves evaluates the node on every leaf field of the document that keep
// accepts (all with a nil keep), leniently.
func (ev *evaluator) leaves(n Node, keep func(path string) bool) result {
	var order []string
	values := map[string][]any{}
	document.Walk(ev.doc, "", func(path string, v any) bool {
		if _, obj := v.(map[string]any); obj || keep != nil && !keep(path) {
			return true
		}
		if _, seen := values[path]; !seen {
			order = append(order, path)
		}
		values[path] = append(values[path], v)
		return true
	})
	star := false
	if w, ok := n.(*Wildcard); ok && w.IsStar() {
		star = true
	}
	kept := false // a field where the node is a query
	for _, path := range order {
		var r result
		if star {
			r = result(esvalue.Of(esvalue.Exists(values[path])))
		} else {
			r = ev.leaf(n, ev.mapping(path), values[path])
		}
		switch r {
		case yes:
			return yes
		case dropped:
		default:
			kept = true
		}
	}
	if len(order) > 0 && !kept {
		return dropped // no words to search in any field
	}
	return no
}

// exists evaluates a node under _exists_: a term or phrase names a field
// that must have a value; anything else queries a field named _exists_,
// which no document has.
func (ev *evaluator) exists(n Node) result {
	name := ""
	switch x := n.(type) {
	case *Term:
		if x.Fuzzy != "" {
			return no
		}
		name = x.Text()
	case *Phrase:
		name = x.Text
	default:
		return no
	}
	if strings.Contains(name, "*") {
		pat := wildcard.Parse(name, wildcard.StarOnly)
		found := false
		document.Walk(ev.doc, "", func(path string, v any) bool {
			if pat.Match(path, false) && document.HasValue(v) {
				found = true
				return false
			}
			return true
		})
		return result(esvalue.Of(found))
	}
	var vals []any
	document.Lookup(ev.doc, name, &vals)
	return result(esvalue.Of(esvalue.Exists(vals)))
}

// leaf evaluates a node other than a group on the values of one field of
// mapping m.
func (ev *evaluator) leaf(n Node, m estype.Mapping, vals []any) result {
	text := m.Type.Family() == estype.TextFamily
	switch x := n.(type) {
	case *Term:
		if x.Fuzzy != "" {
			return ev.fuzzy(x, m, vals)
		}
		if text {
			return ev.words(analysis.Analyze(x.Text()), vals)
		}
		return result(esvalue.Term(m, vals, x.Text(), false, ev.now))
	case *Phrase:
		if !text {
			// The field's analyzer leaves the whole text: one term.
			return result(esvalue.Term(m, vals, x.Text, false, ev.now))
		}
		words := analysis.Analyze(x.Text)
		slop := x.SlopWith(ev.opts.PhraseSlop)
		switch {
		case len(words) == 0:
			return dropped
		case len(words) == 1:
			return result(esvalue.Of(analysis.ContainsAny(esvalue.Tokens(vals), words)))
		case slop < 0:
			return invalid // Lucene: slop value cannot be negative
		case slop == 0:
			return result(esvalue.Of(esvalue.Phrase(vals, words)))
		}
		return result(esvalue.Of(esvalue.SloppyPhrase(vals, words, slop)))
	case *Wildcard:
		if x.IsPrefix() {
			return ev.prefix(x.Pattern[0].Lit, m, vals)
		}
		pat := x.Pattern
		if text || m.Lowercase() {
			pat = pat.Lower()
		}
		return result(esvalue.Pattern(m, vals, func(s string) bool { return pat.Match(s, false) }))
	case *Regexp:
		re := ev.regexp(x, m)
		if re == nil {
			return invalid
		}
		return result(esvalue.Pattern(m, vals, re.Match))
	case *Range:
		var lo, hi *esvalue.Bound
		if !x.Lower.Open() {
			lo = &esvalue.Bound{Value: normalized(x.Lower.Text, m), Inclusive: x.IncludeLower}
		}
		if !x.Upper.Open() {
			hi = &esvalue.Bound{Value: normalized(x.Upper.Text, m), Inclusive: x.IncludeUpper}
		}
		return result(esvalue.Range(m, vals, lo, hi, ev.now))
	case *Compare:
		var lo, hi *esvalue.Bound
		if x.Value != "*" {
			b := &esvalue.Bound{Value: normalized(x.Value, m), Inclusive: x.Op == Le || x.Op == Ge}
			if x.Op == Gt || x.Op == Ge {
				lo = b
			} else {
				hi = b
			}
		}
		return result(esvalue.Range(m, vals, lo, hi, ev.now))
	}
	return invalid
}

// normalized is a term as the field's normalizer makes it: lowercased on
// text fields (the standard analyzer's normalization) and on keyword
// fields with a lowercase normalizer.
func normalized(s string, m estype.Mapping) string {
	if m.Type.Family() == estype.TextFamily || m.Lowercase() {
		return analysis.Normalize(s)
	}
	return s
}

// words evaluates the analyzed words of a term on a text field: one of
// them is indexed (all with default_operator AND); no words: no query.
func (ev *evaluator) words(words []string, vals []any) result {
	if len(words) == 0 {
		return dropped
	}
	toks := esvalue.Tokens(vals)
	if ev.opts.DefaultOperator == OperatorAnd {
		for _, w := range words {
			if !analysis.ContainsAny(toks, []string{w}) {
				return no
			}
		}
		return yes
	}
	return result(esvalue.Of(analysis.ContainsAny(toks, words)))
}

// prefix evaluates a prefix term "body*": a prefix of the whole value on
// keyword fields; on text fields a prefix of one word of the normalized
// body, or with analyze_wildcard the body's words (the last a prefix)
// combined with the default operator.
func (ev *evaluator) prefix(body string, m estype.Mapping, vals []any) result {
	if m.Type.Family() != estype.TextFamily || !ev.opts.AnalyzeWildcard {
		p := normalized(body, m)
		return result(esvalue.Pattern(m, vals, func(s string) bool { return strings.HasPrefix(s, p) }))
	}
	words := analysis.Analyze(body)
	if len(words) == 0 {
		return dropped
	}
	toks := esvalue.Tokens(vals)
	and := ev.opts.DefaultOperator == OperatorAnd
	for i, w := range words {
		found := false
		for _, t := range toks {
			if t == w || i == len(words)-1 && strings.HasPrefix(t, w) {
				found = true
				break
			}
		}
		switch {
		case found && !and:
			return yes
		case !found && and:
			return no
		}
	}
	return result(esvalue.Of(and))
}

// fuzzy evaluates a fuzzy term: the normalized term against each word of
// a text field, against the whole value of a keyword field.
func (ev *evaluator) fuzzy(t *Term, m estype.Mapping, vals []any) result {
	f := esvalue.Fuzzy{
		Edits:          ev.opts.fuzzyEdits(t),
		Prefix:         ev.opts.FuzzyPrefixLength,
		Transpositions: !ev.opts.NoFuzzyTranspositions,
	}
	term := normalized(t.Text(), m)
	return result(esvalue.Pattern(m, vals, func(s string) bool { return f.Match(term, s) }))
}

// regexp returns the matcher of a regular expression on a field of
// mapping m: a lowercase normalizer lowercases the expression's text too;
// nil when that makes it invalid.
func (ev *evaluator) regexp(x *Regexp, m estype.Mapping) *esvalue.Regexp {
	if !m.Lowercase() {
		return x.matcher()
	}
	if re, ok := ev.lowered[x]; ok {
		return re
	}
	re, _ := esvalue.ParseRegexp(analysis.Normalize(x.Regex), regexp.All)
	if ev.lowered == nil {
		ev.lowered = map[*Regexp]*esvalue.Regexp{}
	}
	ev.lowered[x] = re
	return re
}
