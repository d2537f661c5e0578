package dsl

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/parser/lucene"
	"github.com/emit-sec/emit/source"
)

// The query_string query: its query is the Lucene syntax, which package
// parser/lucene parses, lowers and evaluates; this file reads the clause's
// parameters into lucene.Options.

// queryStringNode is a query_string query.
type queryStringNode struct {
	query *lucene.Query
	opts  lucene.Options
}

// queryStringParams are the parameters of a query_string query.
var queryStringParams = []string{
	"query", "default_field", "fields", "default_operator", "analyze_wildcard", "allow_leading_wildcard",
	"lenient", "phrase_slop", "fuzziness", "fuzzy_prefix_length", "fuzzy_transpositions",
	"fuzzy_max_expansions", "fuzzy_rewrite", "rewrite", "max_determinized_states", "time_zone", "type",
	"tie_breaker", "auto_generate_synonyms_phrase_query", "enable_position_increments",
	"analyzer", "quote_analyzer", "quote_field_suffix", "minimum_should_match", "escape",
	"boost", "_name",
}

func parseQueryString(body any, path string) (node, error) {
	m, err := object(body, path, queryStringParams...)
	if err != nil {
		return nil, err
	}
	v, ok := m["query"]
	if !ok {
		return nil, errorf(path, "[query_string] requires 'query' field")
	}
	qs, err := stringParam(v, join(path, "query"))
	if err != nil {
		return nil, err
	}
	unsupported := func(param, why string) error {
		return &constraint.UnsupportedError{
			Span: constraint.Span{Text: "query_string " + strconv.Quote(truncate(qs))},
			What: fmt.Sprintf("query_string with %s at %s: %s", param, path, why),
		}
	}
	n := &queryStringNode{}
	o := &n.opts
	allowLeading := true
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		kp := join(path, k)
		switch k {
		case "default_field":
			if o.DefaultField, err = stringParam(v, kp); err != nil {
				return nil, err
			}
		case "fields":
			arr, ok := v.([]any)
			if !ok {
				return nil, errorf(kp, "expected an array of field names, found %s", describe(v))
			}
			for i, x := range arr {
				f, err := stringParam(x, index(kp, i))
				if err != nil {
					return nil, err
				}
				// "title^2": the boost only scores.
				if at := strings.LastIndexByte(f, '^'); at > 0 {
					if _, err := strconv.ParseFloat(f[at+1:], 32); err == nil {
						f = f[:at]
					}
				}
				o.Fields = append(o.Fields, f)
			}
		case "default_operator":
			s, err := stringParam(v, kp)
			if err != nil {
				return nil, err
			}
			switch strings.ToLower(s) {
			case "or":
				o.DefaultOperator = lucene.OperatorOr
			case "and":
				o.DefaultOperator = lucene.OperatorAnd
			default:
				return nil, errorf(kp, "unknown operator [%s], expected AND or OR", s)
			}
		case "analyze_wildcard":
			if o.AnalyzeWildcard, err = boolParam(v, kp); err != nil {
				return nil, err
			}
		case "allow_leading_wildcard":
			if allowLeading, err = boolParam(v, kp); err != nil {
				return nil, err
			}
		case "lenient":
			b, err := boolParam(v, kp)
			if err != nil {
				return nil, err
			}
			o.Lenient = &b
		case "fuzzy_transpositions":
			b, err := boolParam(v, kp)
			if err != nil {
				return nil, err
			}
			o.NoFuzzyTranspositions = !b
		case "phrase_slop", "fuzzy_prefix_length", "fuzzy_max_expansions", "max_determinized_states":
			i, err := intParam(v, kp)
			if err != nil {
				return nil, err
			}
			if i < 0 {
				return nil, errorf(kp, "expected a non-negative integer, found %d", i)
			}
			switch k {
			case "phrase_slop":
				o.PhraseSlop = i
			case "fuzzy_prefix_length":
				o.FuzzyPrefixLength = i
			}
		case "fuzziness":
			s, ok := scalar(v)
			if !ok {
				return nil, errorf(kp, "expected a fuzziness, found %s", describe(v))
			}
			f, err := lucene.ParseFuzziness(text(s))
			if err != nil {
				return nil, errorf(kp, "%v", err)
			}
			o.Fuzziness = &f
		case "time_zone":
			s, err := stringParam(v, kp)
			if err != nil {
				return nil, err
			}
			if !utcZone(s) {
				return nil, unsupported(fmt.Sprintf("time_zone %q", s), "only UTC is supported")
			}
		case "type":
			s, err := stringParam(v, kp)
			if err != nil {
				return nil, err
			}
			switch strings.ToLower(s) {
			case "best_fields", "most_fields":
			case "cross_fields", "phrase", "phrase_prefix", "bool_prefix":
				return nil, unsupported(fmt.Sprintf("type %q", s), "only best_fields and most_fields are modelled")
			default:
				return nil, errorf(kp, "unknown type [%s]", s)
			}
		case "analyzer", "quote_analyzer":
			if _, err := stringParam(v, kp); err != nil {
				return nil, err
			}
			return nil, unsupported("an "+k, "only the fields' own analysis is modelled")
		case "quote_field_suffix":
			return nil, unsupported("quote_field_suffix", "phrases searching other fields are not modelled")
		case "minimum_should_match":
			return nil, unsupported("minimum_should_match", "only the query's own clause rules are modelled")
		case "escape":
			b, err := boolParam(v, kp)
			if err != nil {
				return nil, err
			}
			if b {
				return nil, unsupported(`"escape": true`, "the query read as literal text is not modelled")
			}
		case "fuzzy_rewrite", "rewrite":
			if _, err := stringParam(v, kp); err != nil {
				return nil, err
			}
		case "tie_breaker":
			if s, ok := scalar(v); !ok || s.Kind != constraint.KindNumber {
				return nil, errorf(kp, "expected a number, found %s", describe(v))
			}
		case "auto_generate_synonyms_phrase_query", "enable_position_increments":
			if _, err := boolParam(v, kp); err != nil {
				return nil, err
			}
		}
	}
	if o.DefaultField != "" && len(o.Fields) > 0 {
		return nil, errorf(path, "cannot use [fields] parameter in conjunction with [default_field]")
	}
	if strings.TrimSpace(qs) == "" {
		// Elasticsearch matches no document for an empty query string.
		return &constNode{v: false}, nil
	}
	q, err := lucene.Parse(qs)
	if err != nil {
		var se *source.Error
		if errors.As(err, &se) {
			return nil, errorf(join(path, "query"), "%s", se.Detail())
		}
		return nil, errorf(join(path, "query"), "%v", err)
	}
	if !allowLeading {
		var bad *lucene.Wildcard
		lucene.Walk(q.Root, func(x lucene.Node) bool {
			if w, ok := x.(*lucene.Wildcard); ok && bad == nil && !w.IsStar() && len(w.Pattern) > 0 && w.Pattern[0].Kind != wildcard.Lit {
				bad = w
			}
			return true
		})
		if bad != nil {
			return nil, errorf(join(path, "query"), "%s: '*' or '?' not allowed as first character in WildcardQuery", bad.String())
		}
	}
	n.query = q
	return n, nil
}

// intParam reads an integer parameter (a number or a numeric string).
func intParam(v any, path string) (int, error) {
	s, ok := scalar(v)
	if ok && (s.Kind == constraint.KindNumber || s.Kind == constraint.KindString) {
		if i, err := strconv.Atoi(strings.TrimSpace(s.Str)); err == nil {
			return i, nil
		}
	}
	return 0, errorf(path, "expected an integer, found %s", describe(v))
}

// utcZone reports whether a time_zone parameter names UTC.
func utcZone(s string) bool {
	switch strings.ToUpper(s) {
	case "UTC", "Z", "ZULU", "+00:00", "-00:00", "+00", "GMT", "ETC/UTC", "UTC+00:00":
		return true
	}
	return false
}

// lowerQueryString lowers the query with the clause's options; spans name
// the clause (JSON has no positions to point at).
func (l *lowerer) lowerQueryString(x *queryStringNode) (constraint.Expr, error) {
	cq, err := x.query.ConstraintsWith(x.opts)
	if err != nil {
		var ue *constraint.UnsupportedError
		if errors.As(err, &ue) {
			return nil, &constraint.UnsupportedError{
				Span: l.text("query_string: " + ue.Span.Text),
				What: "query_string " + strconv.Quote(truncate(x.query.Src)) + ": " + ue.What,
			}
		}
		return nil, err
	}
	e := cq.Events[0].Cond
	var relabel func(e constraint.Expr)
	relabel = func(e constraint.Expr) {
		switch y := e.(type) {
		case *constraint.Pred:
			y.Span = l.text("query_string: " + y.Span.Text)
		case *constraint.And:
			y.Span = l.text("query_string: " + y.Span.Text)
			for _, z := range y.X {
				relabel(z)
			}
		case *constraint.Or:
			y.Span = l.text("query_string: " + y.Span.Text)
			for _, z := range y.X {
				relabel(z)
			}
		case *constraint.Not:
			y.Span = l.text("query_string: " + y.Span.Text)
			relabel(y.X)
		case *constraint.Bool:
			y.Span = l.text("query_string: " + y.Span.Text)
		}
	}
	relabel(e)
	return e, nil
}

// evalQueryString evaluates the query in scope: inside a nested query the
// object under the path, its fields named in full.
func (ev *evaluator) evalQueryString(x *queryStringNode, sc scope) verdict {
	doc, _ := sc.doc.(map[string]any)
	if sc.path != "" {
		parts := strings.Split(sc.path, ".")
		var inner any = sc.doc
		for i := len(parts) - 1; i >= 0; i-- {
			inner = map[string]any{parts[i]: inner}
		}
		doc = inner.(map[string]any)
	}
	return x.query.Eval(doc, ev.lookup(), ev.now, x.opts)
}

// lookup is the evaluator's types, with fields of no type read as
// keywords.
func (ev *evaluator) lookup() estype.Lookup {
	return func(f string) estype.Mapping { return ev.mapping(f) }
}

func (n *queryStringNode) write(b *strings.Builder) {
	b.WriteString("query_string " + strconv.Quote(n.query.Src))
	if n.opts.DefaultField != "" {
		b.WriteString(" (default_field " + n.opts.DefaultField + ")")
	}
	if len(n.opts.Fields) > 0 {
		b.WriteString(" (fields " + strings.Join(n.opts.Fields, ", ") + ")")
	}
	if n.opts.DefaultOperator == lucene.OperatorAnd {
		b.WriteString(" (default_operator AND)")
	}
}
