package emitter

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/esindex"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/parser/esql"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/telemetry"
)

// ES|QL queries and rules: a match is the documents that make one row of
// the query's result, a group for a query that aggregates (see
// esql.Plan). The generator places the group in time (in one bucket of a
// date_trunc key, spread as the query asks), computes the fields the
// lowering derives (an encoded value), keeps the keys fresh that the
// query bounds from above, and has the ES|QL evaluator confirm that the
// documents make a row, drawing again when they do not.

// DefaultMaxGroup is the default cap on the documents of one ES|QL group.
const DefaultMaxGroup = 1000

// esqlAttempts is how many groups the generator draws before it gives up
// on one that makes a row.
const esqlAttempts = 24

// ErrGroupTooLarge is what errors.Is finds when an ES|QL group needs more
// documents than Options.MaxGroup allows.
var ErrGroupTooLarge = errors.New("group too large")

// GroupTooLargeError says that one match of an ES|QL query needs more
// documents than the cap allows.
type GroupTooLargeError struct {
	Need, Cap int
}

func (e *GroupTooLargeError) Error() string {
	return fmt.Sprintf("a match needs a group of %d documents, more than the cap of %d (raise it with --max-group)", e.Need, e.Cap)
}

// Is makes errors.Is(err, ErrGroupTooLarge) and errors.Is(err,
// ErrUnsupported) hold.
func (e *GroupTooLargeError) Is(target error) bool {
	return target == ErrGroupTooLarge || target == ErrUnsupported
}

// esqlGen generates the matches of an ES|QL query.
type esqlGen struct {
	q    *esql.Query
	plan *esql.Plan
	// fresh holds the keys (Plan.FreshKeys) of earlier groups.
	fresh map[string]bool
	// used holds the real values of Plan.Fresh's fields offered so far.
	used  map[string]map[string]bool
	types func(string) schema.Field
	// buf holds derived values until the documents are built.
	buf []byte
	// cities are the places of Plan.Geo's documents; rng draws them and
	// attempt is the number of the group drawn (see next); room is how
	// long a group may last from where place put it (0: unknown).
	cities  []telemetry.City
	rng     *rand.Rand
	attempt int
	room    time.Duration
	// target is the index the source writes to; end the end of the run,
	// the day its indices are made (see query.ConcreteIndices).
	target string
	end    time.Time
	// minimal: Options.Minimal.
	minimal bool
}

// beginChunk forgets the keys and values of earlier chunks' groups (see
// Run): within a chunk, and across the run when a Plan.PerRule run keeps
// the rule's matches in one chunk, keys that must be new are new.
func (g *esqlGen) beginChunk() {
	clear(g.fresh)
	clear(g.used)
}

// stateless: no key of the query's groups must be new in the run.
func (g *esqlGen) stateless() bool { return len(g.plan.FreshKeys) == 0 && len(g.plan.Fresh) == 0 }

// withIgnored maps the fields whose values the query needs Elasticsearch
// to ignore (Plan.Ignored) with ECS's ignore_above (a keyword where the
// schema does not say), which the lowering drew their values longer than.
func withIgnored(sch *schema.Schema, fields []string) *schema.Schema {
	if len(fields) == 0 {
		return sch
	}
	out := sch.Clone()
	for _, name := range fields {
		f := out.Field(name)
		if f.Known && !ignorable(f) {
			continue // see metadataTypes
		}
		if !f.Known {
			f.Name, f.Type = name, estype.Keyword
		}
		f.IgnoreAbove = estype.ECSIgnoreAbove
		out.Set(f)
	}
	return out
}

// ignorable: a value of the field can be ignored for its length
// (ignore_above).
func ignorable(f schema.Field) bool {
	return f.Type.Family() == estype.KeywordFamily && f.Type != estype.ConstantKeyword
}

// metadataTypes checks that the fields the plan makes values of for
// metadata conditions and counts have types that take them: _ignored ==
// "f" needs f ignorable (a keyword, a wildcard), MV_COUNT(f) other than 1
// different values of a string or a number.
func metadataTypes(p *esql.Plan, sch *schema.Schema) error {
	for _, name := range p.Ignored {
		if f := sch.Field(name); f.Known && !ignorable(f) {
			return &constraint.UnsupportedError{What: fmt.Sprintf("_ignored == %q: emit makes Elasticsearch ignore a value of a keyword or wildcard field (ignore_above), and %s has type %s", name, name, f.Type)}
		}
	}
	for _, d := range p.Derived {
		if d.Fn != "mv" {
			continue
		}
		switch sch.Field(d.Field).Type.Family() {
		case estype.KeywordFamily, estype.TextFamily, estype.IntegerFamily, estype.FloatFamily:
		default:
			return &constraint.UnsupportedError{What: fmt.Sprintf("MV_COUNT(%s) other than 1: emit makes several values of a string or number field, and %s has type %s", d.Field, d.Field, sch.Field(d.Field).Type)}
		}
	}
	return nil
}

// withTypes types the fields a schema does not know (and the string
// fields the query reads as numbers, booleans, IPs or dates, which ES|QL
// would refuse) as the query's use of them says.
func withTypes(sch *schema.Schema, plan *esql.Plan) *schema.Schema {
	sch = withIgnored(sch, plan.Ignored)
	types := plan.Types
	var set []schema.Field
	for _, name := range sortedNames(types) {
		t := types[name]
		cur := sch.Field(name)
		if cur.Known && (cur.Type == t || !cur.Type.IsString() || t.IsString()) {
			continue
		}
		if cur.MultiFieldOf != "" {
			continue
		}
		f := cur
		f.Name, f.Type = name, t
		set = append(set, f)
	}
	if len(set) == 0 {
		return sch
	}
	out := sch.Clone()
	for _, f := range set {
		out.Set(f)
	}
	return out
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// typeVirtual types the virtual fields that stand for a grouping key as
// the fields they equal (an IP key is drawn as an IP).
func typeVirtual(sch *schema.Schema, c *constraint.Query) *schema.Schema {
	var set []schema.Field
	done := map[string]bool{}
	for _, ev := range c.Events {
		constraint.EachPred(ev.Cond, func(p *constraint.Pred) {
			if p.Op != constraint.Rel || !strings.HasPrefix(p.Other, esql.VirtualPrefix) || done[p.Other] {
				return
			}
			f := sch.Field(p.Field)
			if !f.Known || f.MultiFieldOf != "" {
				return
			}
			done[p.Other] = true
			set = append(set, schema.Field{Name: p.Other, Type: f.Type})
		})
	}
	if len(set) == 0 {
		return sch
	}
	out := sch.Clone()
	for _, f := range set {
		out.Set(f)
	}
	return out
}

// addESQL solves an ES|QL query (its plan, else the plan's alternatives)
// for a source whose window is w.
func (e *Emitter) addESQL(q *query.Query, sch *schema.Schema, w *window) (*solver.Solver, *esqlGen, error) {
	if err := metadataTypes(q.ESQL, sch); err != nil {
		return nil, nil, err
	}
	plans := append([]*esql.Plan{q.ESQL}, q.ESQL.Alternatives...)
	var firstErr error
	for _, p := range plans {
		if n := len(p.Constraints.Events); n > e.maxGroup() {
			if firstErr == nil {
				firstErr = &GroupTooLargeError{Need: n, Cap: e.maxGroup()}
			}
			continue
		}
		c := fitWindow(p, w)
		s, err := solver.New(c, e.solverOptions(typedLiterals(typeVirtual(sch, c), c, query.ESQL), c, w))
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		return s, &esqlGen{q: q.ESQLQuery(), plan: p, fresh: map[string]bool{}, types: sch.Field, cities: e.pop.V.Cities, minimal: e.opts.Minimal}, nil
	}
	return nil, nil, narrowedError(firstErr, q.ESQL.Narrowed)
}

// narrowedError says of a conflict on a field the lowering read narrower
// than the query (a GROK's source as a whole match of its pattern) that
// emit found no value, not that none exists.
func narrowedError(err error, narrowed map[string]constraint.Span) error {
	var ue *solver.UnsolvableError
	if !errors.As(err, &ue) {
		return err
	}
	for _, c := range ue.Conflicts {
		if span, ok := narrowed[c.Field]; ok {
			return &constraint.UnsupportedError{Span: span, What: fmt.Sprintf("GROK of %s: emit reads the field as a whole match of each pattern, and no value is that for every condition (%s)", c.Field, c.Reason())}
		}
	}
	return err
}

func (e *Emitter) maxGroup() int {
	if e.opts.MaxGroup > 0 {
		return e.opts.MaxGroup
	}
	return DefaultMaxGroup
}

// fitWindow bounds a group's time span so that it fits in the window (and
// in one bucket of a date_trunc key) with room to spare.
func fitWindow(p *esql.Plan, w *window) *constraint.Query {
	c := *p.Constraints
	limit := w.end.Sub(w.start) / 2
	if p.Bucket > 0 {
		limit = min(limit, p.Bucket/2)
	}
	if p.MinSpan > 0 {
		limit = max(limit, p.MinSpan*2)
	}
	if len(c.Events) > 1 && limit > 0 && (c.MaxSpan == 0 || limit < c.MaxSpan) {
		c.MaxSpan = limit
	}
	return &c
}

// place is the time of a group's first document: in the window, and with
// a time bucket, early enough in a bucket that the whole group lies in it.
func (g *esqlGen) place(r *rand.Rand, w *window, span time.Duration) time.Time {
	span = max(span, g.plan.MinSpan)
	g.room = span
	base := w.next(r, span)
	b := g.plan.Bucket
	if b <= 0 {
		return base
	}
	// Buckets are aligned on the epoch (DATE_TRUNC of a fixed span).
	start := time.UnixMilli(base.UnixMilli() / b.Milliseconds() * b.Milliseconds()).UTC()
	if base.Add(span).Before(start.Add(b)) {
		return base
	}
	// The group crosses a boundary: start it at the next bucket, or at
	// the start of this one when the next is past the window.
	next := start.Add(b)
	if !next.Add(span).After(w.end) {
		return next
	}
	if !start.Before(w.start) {
		return start
	}
	return base
}

// values keeps the real values of the fields whose values must be new in
// the run (the keys of a group an upper bound reads) to one use in the
// run: later groups draw them from their constraints (a population's
// values recur). The _index a condition reads is the concrete index the
// document is written to (see indexValues).
func (g *esqlGen) values(v solver.Values) solver.Values {
	v = &indexValues{Values: v, names: g.indexNames()}
	if len(g.plan.Fresh) == 0 {
		return v
	}
	if g.used == nil {
		g.used = map[string]map[string]bool{}
	}
	return &distinctValues{Values: v, fields: g.plan.Fresh, used: g.used}
}

// post stretches a group over the least span the query asks, and
// computes the derived fields.
func (g *esqlGen) post(m *solver.Match) error {
	if g.plan.Instant {
		for i := range m.Docs {
			m.Docs[i].Offset = 0
		}
	}
	if min := g.plan.MinSpan; min > 0 && len(m.Docs) > 1 {
		last := m.Docs[len(m.Docs)-1].Offset
		if last < min {
			for i := range m.Docs {
				if last > 0 {
					m.Docs[i].Offset = m.Docs[i].Offset * (min + time.Second) / last
				} else {
					m.Docs[i].Offset = time.Duration(i) * (min + time.Second) / time.Duration(len(m.Docs)-1)
				}
			}
		}
	}
	g.placeGeo(m)
	g.usualIndices(m)
	g.buf = g.buf[:0]
	for i := range m.Docs {
		d := &m.Docs[i]
		fields, values := d.Fields[:0:0], d.Values[:0:0]
		vals := map[string]string{} // virtual and derived fields' values
		for j, f := range d.Fields {
			if strings.HasPrefix(f, esql.VirtualPrefix) {
				vals[f] = textOf(d.Values[j])
				continue
			}
			fields, values = append(fields, f), append(values, d.Values[j])
		}
		for _, x := range g.plan.Derived {
			if x.Fn != "mv" {
				continue
			}
			if k := slices.Index(fields, x.Field); k >= 0 {
				if mv, ok := esql.MultiValues(values[k], x.Count); ok {
					values[k] = mv
				}
			}
		}
		if len(vals) == 0 {
			d.Fields, d.Values = fields, values
			continue
		}
		get := func(f string) (string, bool) {
			if v, ok := vals[f]; ok {
				return v, true
			}
			for j, name := range fields {
				if name == f {
					return textOf(values[j]), true
				}
			}
			return "", false
		}
		for _, x := range g.plan.Derived {
			if x.Fn == "mv" {
				continue // above
			}
			if _, ok := get(x.From); !ok {
				continue // a derivation of other members
			}
			v, err := x.Apply(get)
			if errors.Is(err, esql.ErrNotDerived) {
				continue
			}
			if err != nil {
				return err
			}
			vals[x.Field] = v
			if !strings.HasPrefix(x.Field, esql.VirtualPrefix) {
				lo := len(g.buf)
				g.buf = appendJSON(g.buf, v)
				fields, values = mergeFields(fields, values, []string{x.Field}, [][]byte{g.buf[lo:len(g.buf):len(g.buf)]})
			}
		}
		d.Fields, d.Values = fields, values
	}
	return nil
}

// textOf reads a drawn JSON value as text: a string's contents, else the
// JSON itself (a number).
func textOf(raw []byte) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw)
}

func appendJSON(dst []byte, s string) []byte {
	b, _ := json.Marshal(s)
	return append(dst, b...)
}

// next draws groups until one makes a row of the query and keeps its
// fresh fields new.
func (g *esqlGen) next(e *Emitter, src *Source) error {
	var why string
	for attempt := 0; attempt < esqlAttempts; attempt++ {
		mark, ndocs, nspans := len(e.buf), len(e.docs), len(e.spans)
		g.rng, g.attempt, g.room, g.target, g.end = e.rng, attempt, 0, src.Index, e.opts.End
		e.decodeNow = true
		err := e.emitMatch(src, src.solver, nil)
		if err != nil {
			return err
		}
		parsed, err := parseDocs(e, nspans)
		if err != nil {
			return err
		}
		keys, err := g.freshKeys(e, src, parsed)
		if err != nil {
			return unsupportedRun(err)
		}
		if !g.freshOK(keys) {
			why = "its keys were taken by earlier groups"
			e.buf, e.docs, e.spans = e.buf[:mark], e.docs[:ndocs], e.spans[:nspans]
			continue
		}
		ok, err := g.makesRow(e, src, parsed, e.docs[ndocs:])
		if err != nil {
			return err
		}
		if !ok {
			why = "the ES|QL evaluator found no row in the documents"
			e.buf, e.docs, e.spans = e.buf[:mark], e.docs[:ndocs], e.spans[:nspans]
			continue
		}
		g.keepFresh(keys)
		e.decoded = parsed // read by the evaluator, which changes no document
		return nil
	}
	if src.Rule != nil {
		return fmt.Errorf("rule %q (%s): esql: no group made a row in %d attempts (%s)", src.Rule.Name, src.Rule.ID, esqlAttempts, why)
	}
	return fmt.Errorf("esql: no group made a row in %d attempts (%s)", esqlAttempts, why)
}

// freshKeys lists the keys the group's documents make for the STATS
// whose keys must be new in the run (Plan.FreshKeys), as the evaluator
// computes them.
func (g *esqlGen) freshKeys(e *Emitter, src *Source, docs []map[string]any) ([]string, error) {
	var out []string
	for i, kq := range g.plan.FreshKeys {
		rows, err := query.RunESQL(kq, docs, src.schema.Types(), e.opts.End)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			b, err := json.Marshal(r.Values)
			if err != nil {
				return nil, err
			}
			out = append(out, strconv.Itoa(i)+"\x00"+string(b))
		}
	}
	return out, nil
}

func (g *esqlGen) freshOK(keys []string) bool {
	for _, k := range keys {
		if g.fresh[k] {
			return false
		}
	}
	return true
}

func (g *esqlGen) keepFresh(keys []string) {
	for _, k := range keys {
		g.fresh[k] = true
	}
}

// parseDocs returns the documents of a group, the spans from on, as
// document.Decode reads them: as the builder decoded them.
func parseDocs(e *Emitter, from int) ([]map[string]any, error) {
	if len(e.built) < len(e.spans) {
		return nil, fmt.Errorf("esql: %d documents built, %d decoded", len(e.spans), len(e.built))
	}
	parsed := slices.Clone(e.built[from:len(e.spans)])
	for i, doc := range parsed {
		if doc == nil {
			sp := e.spans[from+i]
			_, err := document.Decode(e.buf[sp[0]:sp[1]])
			return nil, fmt.Errorf("generated invalid JSON: %v", err)
		}
	}
	return parsed, nil
}

// makesRow runs the query over the group's documents.
func (g *esqlGen) makesRow(e *Emitter, src *Source, parsed []map[string]any, docs []Document) (bool, error) {
	targets := make([]string, len(docs))
	for i, d := range docs {
		targets[i] = d.Index
	}
	rows, err := src.Query.ESQLRows(parsed, query.ConcreteIndices(targets, e.opts.End), src.schema.Types(), e.opts.End)
	if err != nil {
		return false, unsupportedRun(err)
	}
	return rows > 0, nil
}

// unsupportedRun turns the evaluator's "unsupported" into emit's.
func unsupportedRun(err error) error {
	var re *esql.RunError
	if errors.As(err, &re) && re.Unsupported {
		return &constraint.UnsupportedError{What: re.Msg}
	}
	return err
}

// esqlFields lists the fields an ES|QL source's documents can carry
// beyond its solver's: the derived ones, and not the virtual ones.
func esqlFields(src *Source, fields []string) []string {
	g, ok := src.gen.(*esqlGen)
	if !ok {
		return fields
	}
	out := fields[:0:0]
	for _, f := range fields {
		if !strings.HasPrefix(f, esql.VirtualPrefix) && f != "_index" {
			out = append(out, f)
		}
	}
	for _, d := range g.plan.Derived {
		if d.Fn == "mv" {
			continue // the field of the values it repeats
		}
		out = append(out, d.Field)
	}
	out = append(out, geoFields(g.plan)...)
	sort.Strings(out)
	out = slices.Compact(out)
	return out
}

// indexNames are the concrete indices a document of the query lands in,
// as METADATA _index shows them, the source's own first: the backing
// index of the data stream each FROM pattern names (its namespace
// "default", see rules.IndexName), or the concrete index behind the
// alerts alias, made on the run's day (up to the 28th, the days
// esindex.BackingRegex draws; usualIndices sets the day).
func (g *esqlGen) indexNames() []string {
	if g.end.IsZero() {
		return nil
	}
	day := g.end.UTC()
	if day.Day() > 28 {
		day = time.Date(day.Year(), day.Month(), 28, 0, 0, 0, 0, time.UTC)
	}
	var out []string
	add := func(target string) {
		if c, _ := esindex.Concrete(target, day); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	if g.target != "" {
		add(g.target)
	}
	for _, p := range g.plan.Indices {
		for _, part := range strings.Split(p, ",") {
			if part = strings.TrimSpace(part); part != "" && !strings.HasPrefix(part, "-") {
				add(rules.IndexName(part))
			}
		}
	}
	return out
}

// indexValues offers the concrete indices a document lands in as the
// values of _index, the source's own first.
type indexValues struct {
	solver.Values
	names []string
}

func (v *indexValues) Value(field string, drawn func(string) (string, bool)) (string, bool) {
	if field == "_index" && len(v.names) > 0 {
		return v.names[0], true
	}
	return v.Values.Value(field, drawn)
}

func (v *indexValues) Candidates(field string) []string {
	if field == "_index" && len(v.names) > 1 {
		return v.names[1:]
	}
	return v.Values.Candidates(field)
}

// usualIndices makes the _index a condition reads the usual concrete
// index of its dataset (esindex.Usual: the default namespace, made the
// day of the run, as query.ConcreteIndices has the evaluator read it)
// where the solver drew another: in the first half of the attempts, which
// the evaluator judges; the others keep what the solver drew, for a query
// that needs an unusual index. The document is written to the index's
// data stream or alias (esindex.Target).
func (g *esqlGen) usualIndices(m *solver.Match) {
	if g.end.IsZero() || g.attempt >= esqlAttempts/2 {
		return
	}
	for i := range m.Docs {
		d := &m.Docs[i]
		k := slices.Index(d.Fields, "_index")
		if k < 0 {
			continue
		}
		var name string
		if json.Unmarshal(d.Values[k], &name) != nil {
			continue
		}
		if u := esindex.Usual(name, g.end); u != name {
			b, _ := json.Marshal(u)
			d.Values[k] = b
		}
	}
}
