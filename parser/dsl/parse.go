package dsl

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/source"
)

// Error is a clause Elasticsearch would reject: a malformed clause, an
// unknown parameter, a value of the wrong kind, an invalid regular
// expression. Path says where in the clause, as a JSON path
// ("bool.must[1].range.@timestamp.gte").
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return "query dsl: " + e.Msg
	}
	return "query dsl: " + e.Path + ": " + e.Msg
}

// Is makes errors.Is(err, source.ErrSyntax) hold: a malformed clause is a
// syntax error.
func (e *Error) Is(target error) bool { return target == source.ErrSyntax }

// Query is a parsed Query DSL clause. Parse it once to lower it (Expr) and
// to evaluate it against many documents (Match).
type Query struct {
	root node
}

// Parse reads a Query DSL clause such as {"term": {"process.name": "x"}}.
//
// Errors: *Error for what Elasticsearch would reject (Path tells where),
// *constraint.UnsupportedError for valid clauses emit does not handle
// (script, fuzzy matching, ...), naming the clause and where it is.
func Parse(clause map[string]any) (*Query, error) {
	n, err := parseClause(clause, "")
	if err != nil {
		return nil, err
	}
	return &Query{root: n}, nil
}

// String renders the clause compactly, e.g. `term process.name: "x"`.
func (q *Query) String() string { return render(q.root) }

// ---- syntax tree ----

type node interface {
	write(b *strings.Builder)
}

// termNode is term, and also what match and match_phrase become on fields
// that are not analyzed.
type termNode struct {
	field string
	value constraint.Value
	ci    bool
}

type termsNode struct {
	field  string
	values []constraint.Value
}

type matchNode struct {
	field   string
	value   constraint.Value
	phrase  bool   // match_phrase (or match with "type": "phrase")
	and     bool   // "operator": "and"
	msm     string // minimum_should_match, "" when unset
	lenient bool
}

type existsNode struct{ field string }

type rangeBound struct {
	value     constraint.Value
	inclusive bool
}

type rangeNode struct {
	field        string
	lower, upper *rangeBound // nil: unbounded
}

// patternNode is wildcard or prefix.
type patternNode struct {
	clause  string // "wildcard" or "prefix"
	field   string
	raw     string
	pattern wildcard.Pattern
	ci      bool
}

type regexpNode struct {
	field string
	raw   string
	flags int
	ci    bool
	re    *compiledRegex
}

type boolNode struct {
	must, filter, should, mustNot []node
	msmSpec                       string // as written; "" when unset
	need                          int    // should clauses that must match
}

type constNode struct{ v bool }

type nestedNode struct {
	path  string
	query node
}

type disMaxNode struct{ queries []node }

// ---- parsing ----

func errorf(path, format string, args ...any) *Error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// supported lists the clauses Parse understands, for messages.
const supported = "term, terms, match, match_phrase, exists, range, wildcard, prefix, regexp, query_string, bool, match_all, match_none, nested, constant_score, dis_max, boosting"

// known lists Elasticsearch queries emit does not handle.
var known = map[string]bool{
	"simple_query_string": true, "multi_match": true, "combined_fields": true,
	"match_bool_prefix": true, "match_phrase_prefix": true, "fuzzy": true, "ids": true,
	"terms_set": true, "script": true, "script_score": true, "function_score": true,
	"has_child": true, "has_parent": true, "parent_id": true, "geo_bounding_box": true,
	"geo_distance": true, "geo_grid": true, "geo_polygon": true, "geo_shape": true, "shape": true,
	"more_like_this": true, "percolate": true, "rank_feature": true, "distance_feature": true,
	"wrapper": true, "pinned": true, "intervals": true, "span_term": true, "span_near": true,
	"span_or": true, "span_not": true, "span_first": true, "span_multi": true,
	"span_containing": true, "span_within": true, "field_masking_span": true, "knn": true,
	"semantic": true, "sparse_vector": true, "text_expansion": true, "weighted_tokens": true, "rule": true,
}

func parseClause(v any, path string) (node, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(path, "a query clause must be an object, not %s", describe(v))
	}
	if len(m) != 1 {
		if len(m) == 0 {
			return nil, errorf(path, "empty query clause")
		}
		return nil, errorf(path, "a query clause has exactly one key, found %s", strings.Join(slices.Sorted(maps.Keys(m)), ", "))
	}
	for name, body := range m {
		p := join(path, name)
		switch name {
		case "term":
			return parseTerm(body, p)
		case "terms":
			return parseTerms(body, p)
		case "match", "match_phrase":
			return parseMatch(name, body, p)
		case "exists":
			return parseExists(body, p)
		case "range":
			return parseRange(body, p)
		case "wildcard", "prefix":
			return parsePattern(name, body, p)
		case "regexp":
			return parseRegexp(body, p)
		case "query_string":
			return parseQueryString(body, p)
		case "bool":
			return parseBool(body, p)
		case "match_all", "match_none":
			obj, ok := body.(map[string]any)
			if !ok {
				return nil, errorf(p, "expected an object, found %s", describe(body))
			}
			if err := onlyKeys(obj, p, "boost", "_name"); err != nil {
				return nil, err
			}
			return &constNode{v: name == "match_all"}, nil
		case "nested":
			return parseNested(body, p)
		case "constant_score":
			obj, err := object(body, p, "filter", "boost", "_name")
			if err != nil {
				return nil, err
			}
			f, ok := obj["filter"]
			if !ok {
				return nil, errorf(p, "[constant_score] requires a 'filter' element")
			}
			return parseClause(f, join(p, "filter"))
		case "boosting":
			obj, err := object(body, p, "positive", "negative", "negative_boost", "boost", "_name")
			if err != nil {
				return nil, err
			}
			for _, k := range []string{"positive", "negative", "negative_boost"} {
				if _, ok := obj[k]; !ok {
					return nil, errorf(p, "[boosting] requires '%s'", k)
				}
			}
			if _, err := parseClause(obj["negative"], join(p, "negative")); err != nil {
				return nil, err
			}
			// The negative query only lowers scores.
			return parseClause(obj["positive"], join(p, "positive"))
		case "dis_max":
			obj, err := object(body, p, "queries", "tie_breaker", "boost", "_name")
			if err != nil {
				return nil, err
			}
			qs, err := clauses(obj["queries"], join(p, "queries"))
			if err != nil {
				return nil, err
			}
			if len(qs) == 0 {
				return nil, errorf(p, "[dis_max] requires 'queries' with at least one clause")
			}
			return &disMaxNode{queries: qs}, nil
		}
		what := "unknown query clause"
		if known[name] {
			what = "query clause"
		}
		where := ""
		if path != "" {
			where = " at " + path
		}
		return nil, &constraint.UnsupportedError{
			Span: constraint.Span{Text: compactJSON(m)},
			What: fmt.Sprintf("%s %q%s (supported: %s)", what, name, where, supported),
		}
	}
	panic("unreachable")
}

// object checks that v is an object with only the allowed keys.
func object(v any, path string, allowed ...string) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(path, "expected an object, found %s", describe(v))
	}
	return m, onlyKeys(m, path, allowed...)
}

func onlyKeys(m map[string]any, path string, allowed ...string) error {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(allowed, k) {
			return errorf(path, "unknown parameter [%s] (allowed: %s)", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// clauses reads one clause or an array of clauses.
func clauses(v any, path string) ([]node, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]node, 0, len(x))
		for i, c := range x {
			n, err := parseClause(c, index(path, i))
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	case map[string]any:
		n, err := parseClause(x, path)
		if err != nil {
			return nil, err
		}
		return []node{n}, nil
	}
	return nil, errorf(path, "expected a query clause or an array of them, found %s", describe(v))
}

// fieldForm reads the body of a single-field clause:
// {"field": value} (short form) or {"field": {...}} (long form), with
// optional top-level "boost" and "_name". It returns the field and its
// value.
func fieldForm(body any, path, clause string) (string, any, error) {
	m, ok := body.(map[string]any)
	if !ok {
		return "", nil, errorf(path, "expected an object, found %s", describe(body))
	}
	field, found := "", false
	var val any
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		if k == "boost" || k == "_name" {
			if _, ok := v.(map[string]any); !ok {
				continue
			}
		}
		if found {
			return "", nil, errorf(path, "[%s] query doesn't support multiple fields, found [%s] and [%s]", clause, field, k)
		}
		field, val, found = k, v, true
	}
	if !found {
		return "", nil, errorf(path, "[%s] query requires a field", clause)
	}
	return field, val, nil
}

// fieldName checks a field name of a leaf clause.
func fieldName(field, path, clause string) error {
	if strings.TrimSpace(field) == "" {
		return errorf(path, "[%s] query requires a non-empty field name", clause)
	}
	if !utf8.ValidString(field) {
		return errorf(path, "field name is not valid UTF-8")
	}
	if strings.Contains(field, "*") {
		return &constraint.UnsupportedError{
			Span: constraint.Span{Text: clause + " " + field},
			What: fmt.Sprintf("field name %q with \"*\" in a %s clause at %s (Elasticsearch reads it literally)", field, clause, path),
		}
	}
	return nil
}

// value reads a scalar query value.
func value(v any, path string) (constraint.Value, error) {
	if v == nil {
		return constraint.Value{}, errorf(path, "value cannot be null")
	}
	s, ok := scalar(v)
	if !ok {
		return constraint.Value{}, errorf(path, "expected a string, number or boolean, found %s", describe(v))
	}
	return s, nil
}

func boolParam(v any, path string) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch x {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, errorf(path, "expected true or false, found %s", describe(v))
}

func stringParam(v any, path string) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", errorf(path, "expected a string, found %s", describe(v))
}

func parseTerm(body any, path string) (node, error) {
	field, val, err := fieldForm(body, path, "term")
	if err != nil {
		return nil, err
	}
	p := join(path, field)
	if err := fieldName(field, p, "term"); err != nil {
		return nil, err
	}
	n := &termNode{field: field}
	if long, ok := val.(map[string]any); ok {
		if err := onlyKeys(long, p, "value", "case_insensitive", "boost", "_name"); err != nil {
			return nil, err
		}
		v, ok := long["value"]
		if !ok {
			return nil, errorf(p, "[term] query requires a value")
		}
		if n.value, err = value(v, join(p, "value")); err != nil {
			return nil, err
		}
		if ci, ok := long["case_insensitive"]; ok {
			if n.ci, err = boolParam(ci, join(p, "case_insensitive")); err != nil {
				return nil, err
			}
		}
		return n, nil
	}
	if n.value, err = value(val, p); err != nil {
		return nil, err
	}
	return n, nil
}

func parseTerms(body any, path string) (node, error) {
	field, val, err := fieldForm(body, path, "terms")
	if err != nil {
		return nil, err
	}
	p := join(path, field)
	if err := fieldName(field, p, "terms"); err != nil {
		return nil, err
	}
	arr, ok := val.([]any)
	if !ok {
		if _, lookup := val.(map[string]any); lookup {
			return nil, &constraint.UnsupportedError{
				Span: constraint.Span{Text: "terms " + field + ": " + compactJSON(val)},
				What: "terms lookup (values read from another document) at " + p,
			}
		}
		return nil, errorf(p, "[terms] query expects an array of values, found %s", describe(val))
	}
	n := &termsNode{field: field, values: make([]constraint.Value, 0, len(arr))}
	for i, x := range arr {
		v, err := value(x, index(p, i))
		if err != nil {
			return nil, err
		}
		n.values = append(n.values, v)
	}
	return n, nil
}

func parseMatch(clause string, body any, path string) (node, error) {
	field, val, err := fieldForm(body, path, clause)
	if err != nil {
		return nil, err
	}
	p := join(path, field)
	if err := fieldName(field, p, clause); err != nil {
		return nil, err
	}
	n := &matchNode{field: field, phrase: clause == "match_phrase"}
	long, ok := val.(map[string]any)
	if !ok {
		if n.value, err = value(val, p); err != nil {
			return nil, err
		}
		return n, nil
	}
	allowed := []string{"query", "analyzer", "slop", "zero_terms_query", "boost", "_name"}
	if clause == "match" {
		allowed = []string{"query", "operator", "minimum_should_match", "lenient", "zero_terms_query",
			"analyzer", "fuzziness", "prefix_length", "max_expansions", "fuzzy_transpositions",
			"fuzzy_rewrite", "auto_generate_synonyms_phrase_query", "cutoff_frequency", "type", "slop",
			"boost", "_name"}
	}
	if err := onlyKeys(long, p, allowed...); err != nil {
		return nil, err
	}
	q, ok := long["query"]
	if !ok {
		return nil, errorf(p, "[%s] query requires a query", clause)
	}
	if n.value, err = value(q, join(p, "query")); err != nil {
		return nil, err
	}
	unsupported := func(param, why string) error {
		return &constraint.UnsupportedError{
			Span: constraint.Span{Text: clause + " " + field + ": " + compactJSON(long)},
			What: fmt.Sprintf("%s with %s at %s: %s", clause, param, p, why),
		}
	}
	for _, k := range slices.Sorted(maps.Keys(long)) {
		v := long[k]
		kp := join(p, k)
		switch k {
		case "type":
			s, err := stringParam(v, kp)
			if err != nil {
				return nil, err
			}
			switch strings.ToLower(s) {
			case "boolean":
			case "phrase":
				n.phrase = true
			case "phrase_prefix":
				return nil, unsupported(`"type": "phrase_prefix"`, "prefix matching of the last word")
			default:
				return nil, errorf(kp, "unknown match type [%s]", s)
			}
		case "operator":
			s, err := stringParam(v, kp)
			if err != nil {
				return nil, err
			}
			switch strings.ToLower(s) {
			case "or":
			case "and":
				n.and = true
			default:
				return nil, errorf(kp, "unknown operator [%s], expected and or or", s)
			}
		case "minimum_should_match":
			switch x := v.(type) {
			case string:
				n.msm = x
			default:
				s, ok := scalar(v)
				if !ok || s.Kind != constraint.KindNumber {
					return nil, errorf(kp, "expected a string or an integer, found %s", describe(v))
				}
				n.msm = s.Str
			}
			if _, err := minShouldMatch(1, n.msm); err != nil {
				return nil, errorf(kp, "%v", err)
			}
		case "lenient":
			if n.lenient, err = boolParam(v, kp); err != nil {
				return nil, err
			}
		case "zero_terms_query":
			s, err := stringParam(v, kp)
			if err != nil {
				return nil, err
			}
			switch strings.ToLower(s) {
			case "none":
			case "all":
				return nil, unsupported(`"zero_terms_query": "all"`, "a query without words would match every document")
			default:
				return nil, errorf(kp, "unknown zero_terms_query [%s]", s)
			}
		case "analyzer":
			return nil, unsupported("an analyzer", "only the fields' own analysis is modelled")
		case "fuzziness":
			if s, ok := scalar(v); !ok || (text(s) != "0" && text(s) != "0.0") {
				return nil, unsupported("fuzziness", "fuzzy matching is not modelled")
			}
		case "slop":
			s, ok := scalar(v)
			if !ok || s.Kind != constraint.KindNumber && s.Kind != constraint.KindString {
				return nil, errorf(kp, "expected an integer, found %s", describe(v))
			}
			if d, ok := decimal(s.Str); !ok || !d.IsInt() {
				return nil, errorf(kp, "expected an integer, found %s", s)
			} else if d.Sign() != 0 {
				return nil, unsupported("slop", "only exact phrases are modelled")
			}
		case "cutoff_frequency":
			return nil, unsupported("cutoff_frequency", "frequency-dependent matching is not modelled")
		case "prefix_length", "max_expansions", "fuzzy_transpositions", "fuzzy_rewrite",
			"auto_generate_synonyms_phrase_query", "boost", "_name":
			// Without fuzziness or synonyms these only affect scoring.
		}
	}
	return n, nil
}

func parseExists(body any, path string) (node, error) {
	m, err := object(body, path, "field", "boost", "_name")
	if err != nil {
		return nil, err
	}
	field, err := nonEmptyParam(m, "field", path, "[exists] must be provided with a [field]", "[exists] requires a non-empty field name")
	if err != nil {
		return nil, err
	}
	return &existsNode{field: field}, nil
}

// nonEmptyParam reads the required string parameter key of a query
// object m at path: missing is the error when it is absent, empty the
// error when it is blank.
func nonEmptyParam(m map[string]any, key, path, missing, empty string) (string, error) {
	v, ok := m[key]
	if !ok {
		return "", errorf(path, "%s", missing)
	}
	s, err := stringParam(v, join(path, key))
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(s) == "" {
		return "", errorf(join(path, key), "%s", empty)
	}
	return s, nil
}

func parseRange(body any, path string) (node, error) {
	field, val, err := fieldForm(body, path, "range")
	if err != nil {
		return nil, err
	}
	p := join(path, field)
	if err := fieldName(field, p, "range"); err != nil {
		return nil, err
	}
	m, ok := val.(map[string]any)
	if !ok {
		return nil, errorf(p, "[range] query expects an object of bounds, found %s", describe(val))
	}
	if err := onlyKeys(m, p, "gt", "gte", "lt", "lte", "from", "to", "include_lower", "include_upper",
		"format", "time_zone", "relation", "boost", "_name"); err != nil {
		return nil, err
	}
	unsupported := func(what string) error {
		return &constraint.UnsupportedError{
			Span: constraint.Span{Text: "range " + field + ": " + compactJSON(m)},
			What: "range at " + p + " " + what,
		}
	}
	// Elasticsearch applies these keys in the order written, which a
	// decoded object no longer has: several ways of giving one bound are
	// refused rather than guessed.
	pick := func(keys ...string) (string, error) {
		found := ""
		for _, k := range keys {
			if _, ok := m[k]; ok {
				if found != "" {
					return "", unsupported(fmt.Sprintf("with both %s and %s (the order of keys decides in Elasticsearch)", found, k))
				}
				found = k
			}
		}
		return found, nil
	}
	bound := func(keys []string, inclusiveKey, incl string) (*rangeBound, error) {
		k, err := pick(keys...)
		if err != nil {
			return nil, err
		}
		if _, ok := m[incl]; ok && k != "" && k != inclusiveKey {
			return nil, unsupported(fmt.Sprintf("with both %s and %s (the order of keys decides in Elasticsearch)", k, incl))
		}
		if k == "" || m[k] == nil {
			return nil, nil
		}
		v, err := value(m[k], join(p, k))
		if err != nil {
			return nil, err
		}
		b := &rangeBound{value: v, inclusive: k != keys[0]}
		if k == inclusiveKey {
			b.inclusive = true
			if x, ok := m[incl]; ok {
				if b.inclusive, err = boolParam(x, join(p, incl)); err != nil {
					return nil, err
				}
			}
		}
		return b, nil
	}
	n := &rangeNode{field: field}
	if n.lower, err = bound([]string{"gt", "gte", "from"}, "from", "include_lower"); err != nil {
		return nil, err
	}
	if n.upper, err = bound([]string{"lt", "lte", "to"}, "to", "include_upper"); err != nil {
		return nil, err
	}
	if f, ok := m["format"]; ok {
		s, err := stringParam(f, join(p, "format"))
		if err != nil {
			return nil, err
		}
		for _, name := range strings.Split(s, "||") {
			if !date.ReadsFormat(name) {
				return nil, unsupported(fmt.Sprintf("with date format %q (supported: strict_date_optional_time, date_optional_time, epoch_millis)", s))
			}
		}
	}
	if tz, ok := m["time_zone"]; ok {
		s, err := stringParam(tz, join(p, "time_zone"))
		if err != nil {
			return nil, err
		}
		if !utcZone(s) {
			return nil, unsupported(fmt.Sprintf("with time_zone %q (only UTC is supported)", s))
		}
	}
	if r, ok := m["relation"]; ok {
		s, err := stringParam(r, join(p, "relation"))
		if err != nil {
			return nil, err
		}
		switch strings.ToUpper(s) {
		case "INTERSECTS":
		case "WITHIN", "CONTAINS":
			return nil, unsupported(fmt.Sprintf("with relation %q (range fields are not modelled)", s))
		default:
			return nil, errorf(join(p, "relation"), "unknown relation [%s]", s)
		}
	}
	return n, nil
}

func parsePattern(clause string, body any, path string) (node, error) {
	field, val, err := fieldForm(body, path, clause)
	if err != nil {
		return nil, err
	}
	p := join(path, field)
	if err := fieldName(field, p, clause); err != nil {
		return nil, err
	}
	n := &patternNode{clause: clause, field: field}
	var raw any = val
	if long, ok := val.(map[string]any); ok {
		keys := []string{"value", "case_insensitive", "rewrite", "boost", "_name"}
		if clause == "wildcard" {
			keys = append(keys, "wildcard")
		}
		if err := onlyKeys(long, p, keys...); err != nil {
			return nil, err
		}
		v, hasValue := long["value"]
		w, hasWild := long["wildcard"]
		switch {
		case hasValue && hasWild:
			return nil, errorf(p, "[wildcard] query takes either value or wildcard, not both")
		case hasWild:
			v = w
		case !hasValue:
			return nil, errorf(p, "[%s] query requires a value", clause)
		}
		raw = v
		if ci, ok := long["case_insensitive"]; ok {
			if n.ci, err = boolParam(ci, join(p, "case_insensitive")); err != nil {
				return nil, err
			}
		}
		if r, ok := long["rewrite"]; ok {
			if _, err := stringParam(r, join(p, "rewrite")); err != nil {
				return nil, err
			}
		}
	}
	v, err := value(raw, p)
	if err != nil {
		return nil, err
	}
	n.raw = text(v)
	if clause == "wildcard" {
		n.pattern = wildcard.Parse(n.raw, wildcard.StarAndQuestion)
	} else {
		n.pattern = wildcard.Prefix(n.raw)
	}
	return n, nil
}

func parseRegexp(body any, path string) (node, error) {
	field, val, err := fieldForm(body, path, "regexp")
	if err != nil {
		return nil, err
	}
	p := join(path, field)
	if err := fieldName(field, p, "regexp"); err != nil {
		return nil, err
	}
	n := &regexpNode{field: field, flags: flagsAll}
	raw := val
	if long, ok := val.(map[string]any); ok {
		if err := onlyKeys(long, p, "value", "flags", "flags_value", "case_insensitive",
			"max_determinized_states", "rewrite", "boost", "_name"); err != nil {
			return nil, err
		}
		v, ok := long["value"]
		if !ok {
			return nil, errorf(p, "[regexp] query requires a value")
		}
		raw = v
		if f, ok := long["flags"]; ok {
			s, err := stringParam(f, join(p, "flags"))
			if err != nil {
				return nil, err
			}
			if n.flags, err = regexFlags(s); err != nil {
				return nil, errorf(join(p, "flags"), "%v", err)
			}
		}
		if f, ok := long["flags_value"]; ok {
			s, ok := scalar(f)
			d, isNum := decimal(s.Str)
			if !ok || s.Kind != constraint.KindNumber || !isNum || !d.IsInt() || d.Sign() < 0 || d.Num().Int64() > 0xffff {
				return nil, errorf(join(p, "flags_value"), "expected an integer flag mask, found %s", describe(f))
			}
			n.flags = int(d.Num().Int64()) & flagsAll
		}
		if ci, ok := long["case_insensitive"]; ok {
			if n.ci, err = boolParam(ci, join(p, "case_insensitive")); err != nil {
				return nil, err
			}
		}
		for _, k := range []string{"max_determinized_states"} {
			if x, ok := long[k]; ok {
				if s, ok := scalar(x); !ok || s.Kind != constraint.KindNumber {
					return nil, errorf(join(p, k), "expected an integer, found %s", describe(x))
				}
			}
		}
	}
	v, err := value(raw, p)
	if err != nil {
		return nil, err
	}
	n.raw = text(v)
	if n.re, err = compileRegex(n.raw, n.flags, n.ci); err != nil {
		return nil, errorf(p, "invalid regular expression %q: %v", n.raw, err)
	}
	return n, nil
}

func parseBool(body any, path string) (node, error) {
	m, err := object(body, path, "must", "filter", "should", "must_not", "minimum_should_match",
		"adjust_pure_negative", "boost", "_name")
	if err != nil {
		return nil, err
	}
	n := &boolNode{}
	for _, part := range []struct {
		key string
		dst *[]node
	}{{"must", &n.must}, {"filter", &n.filter}, {"should", &n.should}, {"must_not", &n.mustNot}} {
		if *part.dst, err = clauses(m[part.key], join(path, part.key)); err != nil {
			return nil, err
		}
	}
	if v, ok := m["minimum_should_match"]; ok && v != nil {
		kp := join(path, "minimum_should_match")
		switch x := v.(type) {
		case string:
			n.msmSpec = x
		default:
			s, ok := scalar(v)
			if !ok || s.Kind != constraint.KindNumber {
				return nil, errorf(kp, "expected a string or an integer, found %s", describe(v))
			}
			n.msmSpec = s.Str
		}
		if n.need, err = minShouldMatch(len(n.should), n.msmSpec); err != nil {
			return nil, errorf(kp, "%v", err)
		}
	}
	if n.need < 1 && len(n.should) > 0 && len(n.must) == 0 && len(n.filter) == 0 {
		// Without required clauses, a document must match one of the
		// optional ones (Lucene's pure disjunction).
		n.need = 1
	}
	return n, nil
}

// minShouldMatch computes how many of n optional clauses a
// minimum_should_match spec requires, as Elasticsearch does: an integer,
// a negative integer (all but), a percentage (rounded down), a negative
// percentage, or conditional specs "3<90%" ("up to 3 clauses all are
// required, beyond that 90%") and several of them, space separated.
func minShouldMatch(n int, spec string) (int, error) {
	spec = strings.TrimSpace(spec)
	if strings.Contains(spec, "<") {
		// Spaces around "<" are allowed.
		for strings.Contains(spec, " <") || strings.Contains(spec, "< ") {
			spec = strings.ReplaceAll(strings.ReplaceAll(spec, " <", "<"), "< ", "<")
		}
		result := n
		for _, part := range strings.Fields(spec) {
			bound, rest, ok := strings.Cut(part, "<")
			if !ok {
				return 0, fmt.Errorf("invalid minimum_should_match %q", spec)
			}
			upper, err := strconv.Atoi(bound)
			if err != nil {
				return 0, fmt.Errorf("invalid minimum_should_match %q", spec)
			}
			if n <= upper {
				return result, nil
			}
			if result, err = minShouldMatch(n, rest); err != nil {
				return 0, err
			}
		}
		return result, nil
	}
	result := n
	if pct, ok := strings.CutSuffix(spec, "%"); ok {
		p, err := strconv.Atoi(pct)
		if err != nil {
			return 0, fmt.Errorf("invalid minimum_should_match %q", spec)
		}
		calc := float32(n*p) * (1 / float32(100))
		if calc < 0 {
			result = n + int(calc)
		} else {
			result = int(calc)
		}
	} else {
		c, err := strconv.Atoi(spec)
		if err != nil {
			return 0, fmt.Errorf("invalid minimum_should_match %q", spec)
		}
		if c < 0 {
			result = n + c
		} else {
			result = c
		}
	}
	return max(result, 0), nil
}

func parseNested(body any, path string) (node, error) {
	m, err := object(body, path, "path", "query", "score_mode", "ignore_unmapped", "inner_hits", "boost", "_name")
	if err != nil {
		return nil, err
	}
	np, err := nonEmptyParam(m, "path", path, "[nested] requires 'path' field", "[nested] requires a non-empty path")
	if err != nil {
		return nil, err
	}
	qv, ok := m["query"]
	if !ok {
		return nil, errorf(path, "[nested] requires 'query' field")
	}
	q, err := parseClause(qv, join(path, "query"))
	if err != nil {
		return nil, err
	}
	if sm, ok := m["score_mode"]; ok {
		s, err := stringParam(sm, join(path, "score_mode"))
		if err != nil {
			return nil, err
		}
		switch s {
		case "avg", "sum", "min", "max", "none":
		default:
			return nil, errorf(join(path, "score_mode"), "illegal score_mode [%s]", s)
		}
	}
	if iu, ok := m["ignore_unmapped"]; ok {
		if _, err := boolParam(iu, join(path, "ignore_unmapped")); err != nil {
			return nil, err
		}
	}
	return &nestedNode{path: np, query: q}, nil
}

// ---- rendering ----

const maxRender = 200

// render is the compact rendering of a node used in spans and messages,
// cut to maxRender characters.
func render(n node) string {
	var b strings.Builder
	n.write(&b)
	return truncate(b.String())
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= maxRender {
		return s
	}
	r := []rune(s)
	return string(r[:maxRender-1]) + "…"
}

func writeValue(b *strings.Builder, v constraint.Value) { b.WriteString(v.String()) }

func (n *termNode) write(b *strings.Builder) {
	b.WriteString("term " + n.field + ": ")
	writeValue(b, n.value)
	if n.ci {
		b.WriteString(" (case_insensitive)")
	}
}

func (n *termsNode) write(b *strings.Builder) {
	b.WriteString("terms " + n.field + ": [")
	for i, v := range n.values {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 10 {
			fmt.Fprintf(b, "… %d more", len(n.values)-i)
			break
		}
		writeValue(b, v)
	}
	b.WriteByte(']')
}

func (n *matchNode) write(b *strings.Builder) {
	if n.phrase {
		b.WriteString("match_phrase ")
	} else {
		b.WriteString("match ")
	}
	b.WriteString(n.field + ": ")
	writeValue(b, n.value)
	if n.and {
		b.WriteString(" (operator and)")
	}
	if n.msm != "" {
		b.WriteString(" (minimum_should_match " + n.msm + ")")
	}
}

func (n *existsNode) write(b *strings.Builder) { b.WriteString("exists " + n.field) }

func (n *rangeNode) write(b *strings.Builder) {
	b.WriteString("range " + n.field + ":")
	if n.lower == nil && n.upper == nil {
		b.WriteString(" {}")
	}
	if n.lower != nil {
		b.WriteString(" " + n.lower.op(lowerSide) + " ")
		writeValue(b, n.lower.value)
		if n.upper != nil {
			b.WriteByte(',')
		}
	}
	if n.upper != nil {
		b.WriteString(" " + n.upper.op(upperSide) + " ")
		writeValue(b, n.upper.value)
	}
}

// side is which end of a range a bound is.
type side bool

const (
	lowerSide side = false
	upperSide side = true
)

// op is the range parameter that writes the bound at its side.
func (r *rangeBound) op(at side) string {
	switch {
	case at == lowerSide && r.inclusive:
		return "gte"
	case at == lowerSide:
		return "gt"
	case r.inclusive:
		return "lte"
	}
	return "lt"
}

func (n *patternNode) write(b *strings.Builder) {
	b.WriteString(n.clause + " " + n.field + ": " + strconv.Quote(n.raw))
	if n.ci {
		b.WriteString(" (case_insensitive)")
	}
}

func (n *regexpNode) write(b *strings.Builder) {
	b.WriteString("regexp " + n.field + ": " + strconv.Quote(n.raw))
	if n.ci {
		b.WriteString(" (case_insensitive)")
	}
	if n.flags != flagsAll {
		fmt.Fprintf(b, " (flags %#x)", n.flags)
	}
}

func (n *boolNode) write(b *strings.Builder) {
	b.WriteString("bool{")
	first := true
	for _, part := range []struct {
		key string
		ns  []node
	}{{"must", n.must}, {"filter", n.filter}, {"should", n.should}, {"must_not", n.mustNot}} {
		if len(part.ns) == 0 {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(part.key + ": [")
		for i, c := range part.ns {
			if i > 0 {
				b.WriteString(", ")
			}
			c.write(b)
			if b.Len() > 4*maxRender {
				b.WriteString("…")
				break
			}
		}
		b.WriteByte(']')
	}
	if n.msmSpec != "" {
		if !first {
			b.WriteString(", ")
		}
		b.WriteString("minimum_should_match: " + strconv.Quote(n.msmSpec))
	}
	b.WriteByte('}')
}

func (n *constNode) write(b *strings.Builder) {
	if n.v {
		b.WriteString("match_all")
	} else {
		b.WriteString("match_none")
	}
}

func (n *nestedNode) write(b *strings.Builder) {
	b.WriteString("nested " + n.path + ": {")
	n.query.write(b)
	b.WriteByte('}')
}

func (n *disMaxNode) write(b *strings.Builder) {
	b.WriteString("dis_max[")
	for i, q := range n.queries {
		if i > 0 {
			b.WriteString(", ")
		}
		q.write(b)
		if b.Len() > 4*maxRender {
			b.WriteString("…")
			break
		}
	}
	b.WriteByte(']')
}

// compactJSON renders a clause as one-line JSON, cut to maxRender characters.
func compactJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return truncate(string(data))
}
