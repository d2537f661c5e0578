package esql

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/source"
)

// This file is the evaluator's API: Run and Execute run a whole query over
// documents, as Elasticsearch would over the same documents indexed with
// the same mappings, and return its rows. The evaluator is independent of
// the solver: it judges the documents the solver generates.

// RunOptions tells Run what a query cannot say by itself.
type RunOptions struct {
	// Types tells the mapping of a source field. A nil Types, or an Empty
	// type, types a field as Elasticsearch's dynamic mapping would type
	// its JSON values: strings as keyword, whole numbers as long, other
	// numbers as double, true and false as boolean.
	Types estype.Lookup
	// Now is the instant of NOW() and of date math; zero means time.Now().
	Now time.Time
	// Indices holds the index of each document (same length as the
	// documents), which FROM's patterns select and METADATA _index shows:
	// an index, a data stream, or a data stream's backing index
	// (.ds-<stream>-<yyyy.MM.dd>-<generation>), which the patterns select
	// by its stream's name too. When nil, every document lies in every
	// index FROM names and _index is null.
	Indices []string
	// IDs holds the _id of each document; when nil (or "" for a
	// document), _id is null.
	IDs []string
	// KQL compiles the query of the KQL() function into a test of a
	// document. It is emit's KQL evaluator (parser/kql), which the layers
	// keep package esql from importing:
	//
	//	KQL: func(q string) (func(map[string]any) bool, error) {
	//		parsed, err := kql.Parse(q)
	//		if err != nil {
	//			return nil, err
	//		}
	//		return func(doc map[string]any) bool { return kql.MatchAt(parsed, doc, types, now) }, nil
	//	}
	//
	// When nil, KQL() is unsupported.
	KQL func(query string) (func(doc map[string]any) bool, error)
	// Window, when set, is the time range a detection rule runs over:
	// FROM reads only the documents whose time field has a value in it,
	// as the range filter Kibana sends with a rule's query.
	Window *Window
	// Warn, when set, receives the warnings Elasticsearch sends in its
	// Warning headers: a multi-valued value where a function takes one
	// value, an arithmetic overflow, a value a conversion cannot read. Each
	// distinct warning is reported once.
	Warn func(Warning)
	// RowsOnly says only which rows the query returns matters, not the
	// columns it shows: FROM reads the fields the query names, not every
	// field the documents hold.
	RowsOnly bool
}

// Window is a range of time, both ends included, over a date field
// (@timestamp when Field is "").
type Window struct {
	Field    string
	From, To time.Time
}

// Warning is a runtime problem Elasticsearch reports without failing the
// query: the expression at Loc evaluated to null for the reason Msg.
type Warning struct {
	Loc Loc
	Msg string
}

func (w Warning) String() string { return fmt.Sprintf("%s: %s", w.Loc.Start, w.Msg) }

// Column is a column of a result: its name and its ES|QL type ("keyword",
// "long", "datetime", ...; "null" for a column of nulls only).
type Column struct {
	Name string
	Type Type
}

// ResultRow is one row of a result (Row is the ROW command). Values holds the value of each column, in
// the order of the result's columns: nil for null, a single value, or a
// []any of two or more values for a multi-valued value.
//
// Single values are Go values of the column's type: bool (boolean), int32
// (integer), int64 (long), uint64 (unsigned_long), float64 (double),
// string (keyword, text), time.Time (datetime, date_nanos), netip.Addr
// (ip), Version (version), GeoPoint (geo_point), CartesianPoint
// (cartesian_point), and map[string]any for _source.
type ResultRow struct {
	Columns []Column // shared by every row of a result
	Values  []any
}

// Get returns the value of the named column; ok is false when the row has
// no such column.
func (r ResultRow) Get(name string) (v any, ok bool) {
	for i, c := range r.Columns {
		if c.Name == name {
			return r.Values[i], true
		}
	}
	return nil, false
}

// Map returns the row as a map from column name to value.
func (r ResultRow) Map() map[string]any {
	m := make(map[string]any, len(r.Columns))
	for i, c := range r.Columns {
		m[c.Name] = r.Values[i]
	}
	return m
}

// String renders the row as "name=value, ..." with values as ES|QL's
// TO_STRING writes them and multi-values in brackets.
func (r ResultRow) String() string {
	var b strings.Builder
	for i, c := range r.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
		b.WriteByte('=')
		b.WriteString(FormatValue(r.Values[i]))
	}
	return b.String()
}

// FormatValue renders a value of a row: "null", a single value as
// TO_STRING writes it, a multi-value as "[a, b]".
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = FormatValue(y)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return toStringValue(v)
}

// Result is the output of a query: its columns and its rows.
type Result struct {
	Columns []Column
	Rows    []ResultRow
	// Warnings are the distinct warnings of the run, in the order they
	// arose.
	Warnings []Warning
}

// RunError is an error of running a query: what Elasticsearch rejects when
// it plans or runs the query (an unknown column, a type mismatch, an
// invalid pattern), or, with Unsupported, what this evaluator does not
// evaluate (ENRICH, LOOKUP JOIN, COMPLETION, ...). It points at the
// offending part of the query.
type RunError struct {
	Loc         Loc
	Msg         string
	Src         string // the query text
	Unsupported bool
}

func (e *RunError) Error() string {
	if e.Unsupported {
		return fmt.Sprintf("esql: %s: unsupported: %s", e.Loc.Start, e.Msg)
	}
	return fmt.Sprintf("esql: %s: %s", e.Loc.Start, e.Msg)
}

// Detail renders the error with the query line and a caret under the
// offending spot.
func (e *RunError) Detail() string {
	msg := e.Msg
	if e.Unsupported {
		msg = "unsupported: " + msg
	}
	return (&source.Error{Lang: "esql", Pos: e.Loc.Start, Msg: msg, Src: e.Src}).Detail()
}

// Is makes errors.Is(err, constraint.ErrUnsupported) hold for what the
// evaluator does not evaluate.
func (e *RunError) Is(target error) bool { return e.Unsupported && target == constraint.ErrUnsupported }

// Limits of a result (Elasticsearch's defaults): a query without LIMIT
// returns at most defaultLimit rows, and no query more than maxLimit
// (esql.query.result_truncation_max_size).
const (
	defaultLimit = 1000
	maxLimit     = 10000
)

// Run runs a query over documents and returns its rows. The documents are
// JSON objects as encoding/json decodes them (numbers as float64 or
// json.Number); fields are looked up through nested objects, arrays of
// objects and dotted keys.
//
// The query runs as Elasticsearch runs it: FROM keeps the documents of the
// indices its patterns name, NULL is three-valued, WHERE keeps the rows
// whose condition is true, a multi-valued value in a comparison or a
// single-value function is null (with a Warning), STATS ... BY groups a
// row under each value of a multi-valued key. Errors are *RunError values.
func Run(q *Query, docs []map[string]any, opts RunOptions) ([]ResultRow, error) {
	res, err := Execute(q, docs, opts)
	if err != nil {
		return nil, err
	}
	return res.Rows, nil
}

// Execute is Run returning the whole result: columns, rows and warnings.
func Execute(q *Query, docs []map[string]any, opts RunOptions) (*Result, error) {
	if q == nil || len(q.Commands) == 0 {
		return nil, &RunError{Msg: "empty query"}
	}
	ev := newEvaluator(q, docs, opts)
	if err := ev.check(q.Commands, false); err != nil {
		return nil, err
	}
	t, err := ev.source(q.Commands[0])
	if err != nil {
		return nil, err
	}
	t, err = ev.pipeline(t, q.Commands[1:])
	if err != nil {
		return nil, err
	}
	limit := defaultLimit
	if ev.hasLimit {
		limit = maxLimit
	}
	if len(t.rows) > limit {
		t.rows = t.rows[:limit]
	}
	return ev.result(t), nil
}

// queryRunner holds what one run shares: the query, the documents, the
// options, the warnings and the first error.
type queryRunner struct {
	q        *Query
	docs     []map[string]any
	opts     RunOptions
	now      time.Time
	hasLimit bool
	warned   map[Warning]bool
	warnings []Warning
	err      *RunError
	// selected remembers indexSelected's answers (the documents of a run
	// mostly share their index).
	selected map[selectedKey]bool
}

type selectedKey struct {
	from  *From
	index string
}

func newEvaluator(q *Query, docs []map[string]any, opts RunOptions) *queryRunner {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	return &queryRunner{
		q: q, docs: docs, opts: opts, now: now.UTC(),
		warned: map[Warning]bool{},
	}
}

// errorf builds a RunError at loc.
func (ev *queryRunner) errorf(loc Loc, format string, args ...any) *RunError {
	return &RunError{Loc: loc, Msg: fmt.Sprintf(format, args...), Src: ev.q.Src}
}

// unsupported builds an Unsupported RunError at loc.
func (ev *queryRunner) unsupported(loc Loc, format string, args ...any) *RunError {
	return &RunError{Loc: loc, Msg: fmt.Sprintf(format, args...), Src: ev.q.Src, Unsupported: true}
}

// fail records the first error found while evaluating rows; the command
// that is running stops at the end of its rows.
func (ev *queryRunner) fail(loc Loc, format string, args ...any) {
	if ev.err == nil {
		ev.err = ev.errorf(loc, format, args...)
	}
}

// warn records a warning once.
func (ev *queryRunner) warn(loc Loc, format string, args ...any) {
	w := Warning{Loc: loc, Msg: fmt.Sprintf(format, args...)}
	if ev.warned[w] {
		return
	}
	ev.warned[w] = true
	ev.warnings = append(ev.warnings, w)
	if ev.opts.Warn != nil {
		ev.opts.Warn(w)
	}
}

// text returns the source text of a node, which names unnamed columns.
func (ev *queryRunner) text(loc Loc) string { return loc.Text(ev.q.Src) }

// check rejects, before anything runs, the commands the evaluator does
// not run, and notes whether the query limits its rows.
func (ev *queryRunner) check(cmds []Command, inFork bool) error {
	for i, c := range cmds {
		if i == 0 && !inFork {
			switch x := c.(type) {
			case *From:
				if x.TS {
					return ev.unsupported(x.Loc, "TS: time-series aggregations are not evaluated")
				}
				continue
			case *Row:
				continue
			case *Show:
				return ev.unsupported(x.Loc, "SHOW INFO: it describes the Elasticsearch node, not documents")
			}
		}
		switch x := c.(type) {
		case *Enrich:
			return ev.unsupported(x.Loc, "ENRICH: it reads the enrich index of policy %q, which the evaluator does not have", x.Policy)
		case *LookupJoin:
			return ev.unsupported(x.Loc, "LOOKUP JOIN: it reads lookup index %s, which the evaluator does not have", x.Index.Index)
		case *Completion:
			return ev.unsupported(x.Loc, "COMPLETION: it sends prompts to an inference endpoint")
		case *Rerank:
			return ev.unsupported(x.Loc, "RERANK: it scores rows with an inference endpoint")
		case *ChangePoint:
			return ev.unsupported(x.Loc, "CHANGE_POINT: its statistical tests are not evaluated")
		case *Sample:
			return ev.unsupported(x.Loc, "SAMPLE: it keeps a random subset of the rows")
		case *Limit:
			ev.hasLimit = true
		case *Fork:
			for _, b := range x.Branches {
				if err := ev.check(b.Commands, true); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// result turns the final table into a Result, typing the columns whose
// type is only known from their values.
func (ev *queryRunner) result(t *evalTable) *Result {
	cols := make([]Column, len(t.cols))
	copy(cols, t.cols)
	for i := range cols {
		if cols[i].Type != "" {
			continue
		}
		cols[i].Type = TypeNull
		for _, r := range t.rows {
			if v := r.vals[i]; v != nil {
				cols[i].Type = valueType(v)
				break
			}
		}
	}
	res := &Result{Columns: cols, Warnings: ev.warnings}
	res.Rows = make([]ResultRow, len(t.rows))
	for i, r := range t.rows {
		vals := make([]any, len(r.vals))
		for j, v := range r.vals {
			vals[j] = exportValue(v)
		}
		res.Rows[i] = ResultRow{Columns: cols, Values: vals}
	}
	return res
}

// exportValue turns an internal value into what a Row holds.
func exportValue(v any) any {
	switch x := v.(type) {
	case multiValue:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = exportValue(y)
		}
		return out
	case sourceDoc:
		return map[string]any(x.doc)
	}
	return v
}

// evalTable is the rows between two commands.
type evalTable struct {
	cols []Column
	rows []*evalRow
}

// evalRow is one row: a value per column, and the document it came from (-1
// when it no longer stands for one document: after STATS, or from ROW).
type evalRow struct {
	vals []any
	doc  int
}

// colIndex returns the position of the named column; -1 when absent.
func (t *evalTable) colIndex(name string) int {
	for i, c := range t.cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// compiledCache holds what patterns compile to (regular expressions, grok
// and dissect parsers, RLIKE matchers, or the error of an invalid one), by
// kind and text, for every run of the process: rules run over and over.
// It stops growing at maxCompiled entries.
var compiledCache = struct {
	sync.Mutex
	m map[string]compiled
}{m: map[string]compiled{}}

const maxCompiled = 4096

type compiled struct {
	v   any
	err error
}

// cachedCompile returns what build makes of key, building it once.
func cachedCompile[T any](key string, build func() (T, error)) (T, error) {
	compiledCache.Lock()
	c, ok := compiledCache.m[key]
	compiledCache.Unlock()
	if !ok {
		v, err := build()
		c = compiled{v: v, err: err}
		compiledCache.Lock()
		if len(compiledCache.m) < maxCompiled {
			compiledCache.m[key] = c
		}
		compiledCache.Unlock()
	}
	v, _ := c.v.(T)
	return v, c.err
}
