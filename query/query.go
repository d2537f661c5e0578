// Package query reads a query in any of emit's languages — KQL, EQL,
// Lucene (the query_string syntax) and the Query DSL — or a whole detection rule's query with its Kibana
// filters: it guesses the language when not told, lowers the syntax tree
// to constraints for the solver, and evaluates documents against the
// original query with the language's own evaluator (the independent check
// of every generated document).
package query

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/esindex"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/parser/dsl"
	"github.com/emit-sec/emit/parser/eql"
	"github.com/emit-sec/emit/parser/esql"
	"github.com/emit-sec/emit/parser/kql"
	"github.com/emit-sec/emit/parser/lucene"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/source"
)

// Language is a query language.
type Language uint8

const (
	// Guess: read the text as EQL first, then KQL.
	Guess Language = iota
	KQL
	EQL
	// DSL is Elasticsearch's Query DSL: one JSON query clause.
	DSL
	// Lucene is the query_string syntax (Kibana's "Lucene"), run as
	// Kibana runs a rule's query (lucene.Kibana). Never guessed.
	Lucene
	// ESQL is Elasticsearch's piped query language, ES|QL.
	ESQL
)

var languageNames = [...]string{Guess: "", KQL: "kql", EQL: "eql", DSL: "dsl", Lucene: "lucene", ESQL: "esql"}

// String is the language's name: kql, eql, dsl, lucene, esql ("" for Guess).
func (l Language) String() string {
	if int(l) < len(languageNames) {
		return languageNames[l]
	}
	return fmt.Sprintf("language(%d)", l)
}

// ParseLanguage reads a language name as users and rules give it: kql (or
// Kibana's "kuery"), eql, dsl, esql; "" is Guess.
func ParseLanguage(name string) (Language, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "":
		return Guess, nil
	case "kql", "kuery":
		return KQL, nil
	case "eql":
		return EQL, nil
	case "dsl", "query_dsl":
		return DSL, nil
	case "lucene":
		return Lucene, nil
	case "esql", "es|ql":
		return ESQL, nil
	}
	return Guess, fmt.Errorf("unsupported query language %q (want kql, eql, lucene, dsl or esql)", name)
}

// Query is a parsed query with its constraints.
type Query struct {
	Lang        Language
	Text        string
	Constraints *constraint.Query
	// Filters are the Kibana filters of a rule's query (nil for a plain
	// query): Constraints already hold them, and Match checks them.
	Filters *Filters
	// ESQL is the lowering of an ES|QL query: its groups, the fields to
	// derive and keep fresh (nil for other languages).
	ESQL   *esql.Plan
	kql    *kql.Query
	eql    *eql.Query
	dsl    *dsl.Query
	lucene *lucene.Query
	esql   *esql.Query
	// kqlCache: the queries of the ES|QL query's KQL() calls (shared by
	// copies of the Query).
	kqlCache *kqlCache
}

// Parse reads text in lang (Guess: a JSON object is a DSL clause, a text
// that starts with FROM, ROW, SHOW or TS an ES|QL query; else EQL first,
// then KQL, and when both fail, EQL's error for a text that begins as only
// EQL does ("process where", "sequence", "sample"), else the error of the
// language whose parse got further; Lucene only when asked). Errors are
// *source.Error for syntax (and *dsl.Error for a malformed DSL clause),
// *constraint.UnsupportedError for what emit cannot lower.
func Parse(text string, lang Language) (*Query, error) {
	if !utf8.ValidString(text) {
		off := 0
		for off < len(text) {
			r, size := utf8.DecodeRuneInString(text[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return nil, source.Errorf(lang.String(), text, off, "the query is not valid UTF-8")
	}
	switch lang {
	case KQL:
		return parseKQL(text)
	case EQL:
		return parseEQL(text)
	case DSL:
		return parseDSL(text)
	case ESQL:
		return parseESQL(text)
	case Lucene:
		return parseLucene(text)
	case Guess:
	default:
		return nil, fmt.Errorf("unsupported query language %s", lang)
	}
	if strings.HasPrefix(strings.TrimSpace(text), "{") {
		return parseDSL(text) // only a JSON clause starts with "{"
	}
	if esql.LooksLikeESQL(text) {
		if q, err := parseESQL(text); err == nil || !isSyntax(err) {
			return q, err
		}
		// KQL free text may start with "from ": let the others try.
		if q, err := parseKQL(text); err == nil {
			return q, nil
		}
		return parseESQL(text)
	}
	q, eqlErr := parseEQL(text)
	if eqlErr == nil {
		return q, nil
	}
	q, kqlErr := parseKQL(text)
	if kqlErr == nil {
		return q, nil
	}
	// A text that begins as only EQL queries do is EQL, whatever KQL
	// made of it (free text, say).
	if looksEQL(text) {
		return nil, eqlErr
	}
	// Not a syntax error (e.g. unsupported): that language understood it.
	var pe *source.Error
	if !errors.As(eqlErr, &pe) {
		return nil, eqlErr
	}
	if !errors.As(kqlErr, &pe) {
		return nil, kqlErr
	}
	if offset(eqlErr) > offset(kqlErr) {
		return nil, eqlErr
	}
	return nil, kqlErr
}

// eqlStart is how EQL queries begin: "<category> where", a quoted
// category, or a sequence or sample.
var eqlStart = regexp.MustCompile(`^\s*(([A-Za-z_][\w.]*|"[^"]*"|\x60[^\x60]*\x60)\s+where\b|(sequence|sample)\b)`)

// looksEQL reports whether text begins as only EQL queries do, so that its
// EQL error is the one to show even when KQL read further.
func looksEQL(text string) bool { return eqlStart.MatchString(text) }

func offset(err error) int {
	var pe *source.Error
	if errors.As(err, &pe) {
		return pe.Pos.Offset
	}
	return -1
}

func parseKQL(text string) (*Query, error) {
	k, err := kql.Parse(text)
	if err != nil {
		return nil, err
	}
	c, err := k.Constraints()
	if err != nil {
		return nil, err
	}
	return &Query{Lang: KQL, Text: text, Constraints: c, kql: k}, nil
}

func parseEQL(text string) (*Query, error) {
	e, err := eql.Parse(text)
	if err != nil {
		return nil, err
	}
	c, err := e.Constraints()
	if err != nil {
		return nil, err
	}
	return &Query{Lang: EQL, Text: text, Constraints: c, eql: e}, nil
}

// isSyntax reports whether err is a syntax error.
func isSyntax(err error) bool {
	var pe *source.Error
	return errors.As(err, &pe)
}

func parseESQL(text string) (*Query, error) {
	q, err := esql.Parse(text)
	if err != nil {
		return nil, err
	}
	p, err := q.LowerWith(esqlLowering)
	if err != nil {
		return nil, err
	}
	return &Query{Lang: ESQL, Text: text, Constraints: p.Constraints, ESQL: p, esql: q, kqlCache: &kqlCache{}}, nil
}

// esqlLowering lowers the queries of ES|QL's KQL() and QSTR() with emit's
// KQL and Lucene lowerings.
var esqlLowering = esql.LowerOptions{
	KQL:         func(text string) (constraint.Expr, error) { return eventCond(kql.Parse(text)) },
	QueryString: func(text string) (constraint.Expr, error) { return eventCond(lucene.Parse(text)) },
}

// eventCond is the condition on the one event of a parsed KQL or Lucene
// query.
func eventCond[Q interface {
	Constraints() (*constraint.Query, error)
}](q Q, err error) (constraint.Expr, error) {
	if err != nil {
		return nil, err
	}
	c, err := q.Constraints()
	if err != nil {
		return nil, err
	}
	return c.Events[0].Cond, nil
}

// RunESQL runs an ES|QL query over documents with emit's evaluators (the
// ES|QL evaluator, and the KQL one for its KQL() function) and returns
// the rows.
func (q *Query) RunESQL(docs []map[string]any, types estype.Lookup, now time.Time) ([]esql.ResultRow, error) {
	if q.esql == nil {
		return nil, fmt.Errorf("query: not an ES|QL query")
	}
	return RunESQL(q.esql, docs, types, now)
}

// RunESQL runs a parsed ES|QL query (one a lowering made, such as
// esql.Plan's FreshKeys) as Query.RunESQL does.
func RunESQL(q *esql.Query, docs []map[string]any, types estype.Lookup, now time.Time) ([]esql.ResultRow, error) {
	return esql.Run(q, docs, esqlOptions(types, now))
}

// ESQLRows counts the rows of the query's ES|QL query over docs (as
// RunESQL, reading only the fields the query names: what it shows
// besides does not change its rows).
//
// indices, when not nil, holds the concrete index of each document (see
// ConcreteIndices), which FROM selects and METADATA _index shows.
func (q *Query) ESQLRows(docs []map[string]any, indices []string, types estype.Lookup, now time.Time) (int, error) {
	if q.esql == nil {
		return 0, fmt.Errorf("query: not an ES|QL query")
	}
	opts := esqlOptionsWith(q.kqlCache, types, now)
	opts.RowsOnly = true
	opts.Indices = indices
	rows, err := esql.Run(q.esql, docs, opts)
	return len(rows), err
}

// ConcreteIndices are the concrete indices documents written to the
// targets land in, on the day created (see esindex.Concrete); nil when a
// target is not known (""), for FROM to read every document.
func ConcreteIndices(targets []string, created time.Time) []string {
	out := make([]string, len(targets))
	for i, t := range targets {
		if t == "" {
			return nil
		}
		out[i], _ = esindex.Concrete(t, created)
	}
	return out
}

// esqlOptions runs ES|QL at now, with emit's KQL evaluator for KQL().
func esqlOptions(types estype.Lookup, now time.Time) esql.RunOptions {
	return esqlOptionsWith(nil, types, now)
}

// esqlOptionsWith is esqlOptions reading the queries of KQL() through
// cache (nil: none).
func esqlOptionsWith(cache *kqlCache, types estype.Lookup, now time.Time) esql.RunOptions {
	return esql.RunOptions{Types: types, Now: now, KQL: func(text string) (func(map[string]any) bool, error) {
		k, err := cache.parse(text)
		if err != nil {
			return nil, err
		}
		return func(doc map[string]any) bool { return kql.MatchAt(k, doc, types, now) }, nil
	}}
}

// kqlCache holds the parsed queries of an ES|QL query's KQL() calls, which
// each run of the query reads again. Parsed queries are not modified by
// their evaluation: runs in parallel share them.
type kqlCache struct{ m sync.Map } // text -> kqlParsed

type kqlParsed struct {
	q   *kql.Query
	err error
}

// parse is kql.Parse, once per text (on a nil cache, every time).
func (c *kqlCache) parse(text string) (*kql.Query, error) {
	if c == nil {
		return kql.Parse(text)
	}
	if p, ok := c.m.Load(text); ok {
		return p.(kqlParsed).q, p.(kqlParsed).err
	}
	q, err := kql.Parse(text)
	c.m.Store(text, kqlParsed{q, err})
	return q, err
}

func parseLucene(text string) (*Query, error) {
	l, err := lucene.Parse(text)
	if err != nil {
		return nil, err
	}
	c, err := l.ConstraintsWith(lucene.Kibana)
	if err != nil {
		return nil, err
	}
	return &Query{Lang: Lucene, Text: text, Constraints: c, lucene: l}, nil
}

func parseDSL(text string) (*Query, error) {
	var clause map[string]any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&clause); err != nil {
		return nil, &dsl.Error{Msg: "not a JSON object: " + err.Error()}
	}
	if dec.More() {
		return nil, &dsl.Error{Msg: "text after the JSON object"}
	}
	d, err := dsl.Parse(clause)
	if err != nil {
		return nil, err
	}
	e, err := d.Expr()
	if err != nil {
		return nil, err
	}
	c := &constraint.Query{Lang: DSL.String(), Source: text, Kind: constraint.EventQuery,
		Events: []constraint.Event{{Cond: e, Runs: 1}}}
	return &Query{Lang: DSL, Text: text, Constraints: c, dsl: d}, nil
}

// UnsupportedError says that a rule's type or language has no reader.
type UnsupportedError struct {
	What string // the type or language
}

func (e *UnsupportedError) Error() string { return "unsupported: " + e.What }

// Is makes errors.Is(err, constraint.ErrUnsupported) hold.
func (e *UnsupportedError) Is(target error) bool { return target == constraint.ErrUnsupported }

// ForRule reads a rule's query in its language, with its Kibana filters
// joined to every event. Errors: *UnsupportedError for a language emit
// does not read, and Parse's and ParseFilters'.
func ForRule(r *rules.Rule) (*Query, error) {
	return ruleQuery(r.Query, r.Language, r.Filters, r.Type)
}

// ForThreat reads the indicator side of a threat_match rule: its
// threat_query in its threat_language, with its threat_filters joined to
// it (an empty threat_query matches every indicator, as in Kibana).
// Errors: those of ForRule, and an *UnsupportedError for a rule without
// an indicator side.
func ForThreat(r *rules.Rule) (*Query, error) {
	tm := r.ThreatMatch
	if tm == nil {
		return nil, &UnsupportedError{What: r.Type + " without a threat query"}
	}
	if tm.Language != rules.LangKuery && tm.Language != rules.LangLucene {
		// Kibana reads indicators with KQL or Lucene only.
		return nil, &UnsupportedError{What: "threat_language " + tm.Language}
	}
	q, err := ruleQuery(tm.Query, tm.Language, tm.Filters, "threat query")
	if err != nil {
		return nil, threatError(err)
	}
	return q, nil
}

// threatError says that an error of reading a query or its filters is
// about the rule's indicator side (threat_query, threat_filters), keeping
// its type (and with it its status and caret).
func threatError(err error) error {
	switch e := err.(type) {
	case *source.Error:
		c := *e
		c.Lang = strings.TrimSuffix("threat_query: "+e.Lang, ": ")
		return &c
	case *dsl.Error:
		return &dsl.Error{Path: "threat_" + e.Path, Msg: e.Msg}
	case *constraint.UnsupportedError:
		what := "threat_query: " + e.What
		if strings.HasPrefix(e.What, "filter ") {
			what = "threat_filters: " + e.What
		}
		return &constraint.UnsupportedError{Span: e.Span, What: what}
	}
	if strings.HasPrefix(err.Error(), "filter ") {
		return fmt.Errorf("threat_filters: %w", err)
	}
	return fmt.Errorf("threat_query: %w", err)
}

// ruleQuery reads text in a rule's language name with the rule's filters;
// what names the query in messages (its rule's type).
func ruleQuery(text, language string, filters []rules.Filter, what string) (*Query, error) {
	var lang Language
	switch language {
	case rules.LangKuery:
		lang = KQL
	case rules.LangEQL:
		lang = EQL
	case rules.LangESQL:
		lang = ESQL
	case rules.LangLucene:
		lang = Lucene
	case "":
		return nil, &UnsupportedError{What: what + " without a language"}
	default:
		return nil, &UnsupportedError{What: language}
	}
	q, err := Parse(text, lang)
	if err != nil {
		return nil, err
	}
	if len(filters) == 0 {
		return q, nil
	}
	if lang == ESQL {
		return nil, &UnsupportedError{What: "Kibana filters on an ES|QL rule"}
	}
	fs, err := ParseFilters(filters)
	if err != nil {
		return nil, err
	}
	cond, err := fs.Expr()
	if err != nil {
		return nil, err
	}
	q.Filters = fs
	if cond != nil {
		q.Constraints = q.Constraints.Where(cond)
	}
	return q, nil
}

// Match reports whether the documents of one match satisfy the query: each
// document for an event query, the documents in order for a sequence or
// sample; a rule's filters hold for every document.
func (q *Query) Match(docs []map[string]any, types estype.Lookup) bool {
	return q.MatchAt(docs, types, time.Now())
}

// MatchAt is Match with the time date math ("now-1d") is relative to. An
// ES|QL query matches documents when it returns a row from them.
func (q *Query) MatchAt(docs []map[string]any, types estype.Lookup, now time.Time) bool {
	return q.MatchIn(docs, nil, types, now)
}

// MatchIn is MatchAt with the concrete index of each document (nil: not
// known), which an ES|QL query's FROM selects and METADATA _index shows.
func (q *Query) MatchIn(docs []map[string]any, indices []string, types estype.Lookup, now time.Time) bool {
	if len(docs) == 0 {
		return false
	}
	if q.esql != nil {
		opts := esqlOptionsWith(q.kqlCache, types, now)
		opts.Indices = indices
		rows, err := esql.Run(q.esql, docs, opts)
		return err == nil && len(rows) > 0
	}
	if q.Filters != nil {
		for _, d := range docs {
			if !q.Filters.MatchAt(d, types, now) {
				return false
			}
		}
	}
	switch {
	case q.kql != nil:
		for _, d := range docs {
			if !kql.MatchAt(q.kql, d, types, now) {
				return false
			}
		}
		return true
	case q.dsl != nil:
		for _, d := range docs {
			if !q.dsl.MatchAt(d, types, now) {
				return false
			}
		}
		return true
	case q.lucene != nil:
		for _, d := range docs {
			if !lucene.Match(q.lucene, d, types, now) {
				return false
			}
		}
		return true
	}
	return eql.Match(q.eql, docs, types)
}

// ESQLQuery is the parsed ES|QL query (nil for other languages).
func (q *Query) ESQLQuery() *esql.Query { return q.esql }

// String prints the query back in canonical form.
func (q *Query) String() string {
	switch {
	case q.esql != nil:
		return q.esql.String()
	case q.kql != nil:
		return q.kql.String()
	case q.dsl != nil:
		return q.dsl.String()
	case q.lucene != nil:
		return q.lucene.String()
	}
	return q.eql.String()
}
