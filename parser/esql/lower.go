package esql

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
)

// Plan is an ES|QL query lowered for generation: what the solver solves,
// and what the generator must respect beyond it.
type Plan struct {
	// Constraints holds one event for a query whose rows are documents
	// (WHERE, EVAL, DISSECT, GROK, ... without STATS), or the members of
	// one group for a query that aggregates: each member an event, the
	// BY keys as Joins, count_distinct requirements as Distinct, the
	// members in time order.
	Constraints *constraint.Query
	// Fresh lists fields whose values must differ from those of every
	// earlier group of the run: the keys of a group that an upper bound
	// ("count <= 3", "count_distinct(host.id) == 1") or an INLINE STATS
	// reads, so that no other group's documents join it.
	Fresh []string
	// FreshKeys are queries whose rows are the keys of a group that must
	// be new in the run (those Fresh's fields hold): run over a group's
	// documents, no row may repeat one of an earlier group.
	FreshKeys []*Query
	// Bucket is the interval of a date_trunc (or BUCKET) grouping key:
	// the whole group lies in one such bucket of @timestamp. 0: none.
	Bucket time.Duration
	// MinSpan is the least time from the group's first to its last
	// document (DATE_DIFF(..., min(@timestamp), max(@timestamp)) >= n).
	MinSpan time.Duration
	// Instant puts all the group's documents at one instant
	// (MIN(@timestamp) == MAX(@timestamp)).
	Instant bool
	// Indices are the FROM index patterns, as written.
	Indices []string
	// Ignored lists the fields a condition on METADATA _ignored needs
	// Elasticsearch to ignore a value of: the lowering draws a value longer
	// than estype.ECSIgnoreAbove, and the mapping gives the field that
	// ignore_above.
	Ignored []string
	// Aggregates tells whether the query aggregates (STATS): a match is a
	// group of documents, and one row of the query's result.
	Aggregates bool
	// Derived lists the fields whose values the generator computes from
	// others after the solver drew them (an encoded field from its decoded
	// value, a parsed field from its parts), in the order to compute them.
	Derived []Derivation
	// Alternatives are other ways to make a group, in order, for when the
	// solver finds the constraints of this one unsatisfiable (a condition
	// the lowering cannot tell is contradictory).
	Alternatives []*Plan
	// Reads lists the fields the query reads anywhere (conditions, keys,
	// aggregates, ...): a generator leaves them as the plan makes them,
	// since an aggregate counts what other fields would add.
	Reads []string
	// Types are the field types the query's use of fields implies (a
	// field compared to an integer is a long, one tested as a condition a
	// boolean): ES|QL refuses a query whose fields have other types, so
	// where a schema does not know a field, it has this type.
	Types map[string]estype.Type
	// Narrowed lists the fields read narrower than the query reads them
	// (a GROK's source, made a whole-value match of its pattern where
	// GROK finds a match anywhere in it), by field, with the command that
	// reads them: that no value fits such a field shows no more than that
	// emit found none.
	Narrowed map[string]constraint.Span
	// Geo lists the conditions on distances between geo points
	// (ST_DISTANCE) that the generator meets by placing the documents.
	Geo []GeoNeed
}

// Constraints lowers the query to constraints (Lang "esql"); see Lower.
func (q *Query) Constraints() (*constraint.Query, error) {
	p, err := q.Lower()
	if err != nil {
		return nil, err
	}
	return p.Constraints, nil
}

// Lower lowers the query for generation.
//
// Rows before the first STATS are documents: WHERE conditions become a
// formula over their fields, with EVAL columns substituted by their
// expressions and the functions of the condition inverted where they
// have an exact inverse (to_lower, concat, substring, coalesce, case,
// starts_with, locate, length, replace, url_decode, from_base64,
// json_extract, date_trunc, mv_* on single values, ...); DISSECT and GROK
// columns constrain the field they parse, composed from the pattern.
// ES|QL's three-valued logic holds: a comparison with a missing field is
// null, and so is its negation, so "NOT f == x" needs f present. Fields
// hold single values (a multi-valued field compares as null) and text
// fields compare whole, as ES|QL reads them.
//
// A STATS makes a match a group of rows sharing the BY values, shaped so
// that the conditions after it hold: n members for count(*) >= n, n
// pairwise different values for count_distinct(f) >= n, members that
// satisfy an aggregate's filter (or CASE) for a filtered count, values
// drawn within bounds for min, max, avg and sum, minimal groups with
// fresh keys for upper bounds. Several STATS nest: the members of the
// last are groups of the one before.
//
// A condition on ST_DISTANCE leaves the points to the generator (Plan.Geo:
// apart or together, the bounds in meters, the places), which puts the
// documents at real places; the evaluator confirms.
//
// What has no exact inverse yields a *constraint.UnsupportedError with
// the construct and its position; COMPLETION, ENRICH, LOOKUP JOIN, FORK
// and the other commands that need data emit does not generate are
// unsupported with the reason.
func (q *Query) Lower() (*Plan, error) { return q.LowerWith(LowerOptions{}) }

// LowerOptions gives the lowering what the ES|QL package does not have:
// the lowerings of the query languages ES|QL's full-text functions take.
type LowerOptions struct {
	// KQL lowers the query of KQL() to a condition on a document (emit's
	// KQL lowering, parser/kql); nil makes KQL() unsupported.
	KQL func(query string) (constraint.Expr, error)
	// QueryString lowers the query of QSTR() (Lucene's query string
	// syntax, parser/lucene); nil makes QSTR() unsupported.
	QueryString func(query string) (constraint.Expr, error)
}

// LowerWith is Lower with the lowerings of KQL() and QSTR().
func (q *Query) LowerWith(opts LowerOptions) (*Plan, error) {
	l := &lowerer{src: q.Src, q: q, opts: opts, extracts: map[Command]extraction{}, types: map[string]estype.Type{}, narrowed: map[string]constraint.Span{}, keys: exprKeys{}}
	l.derived = &derivations{}
	p, err := l.plan()
	if err != nil {
		return nil, err
	}
	p.Derived = l.derived.list
	p.Types = l.types
	p.Narrowed = l.narrowed
	p.Reads = q.readFields()
	l.geoKeys(p)
	for _, alt := range p.Alternatives {
		alt.Types = p.Types
		alt.Reads = p.Reads
		alt.Derived = p.Derived
		alt.Narrowed = p.Narrowed
		alt.MinSpan = p.MinSpan
		alt.Instant = p.Instant
		alt.Geo = p.Geo
	}
	return p, nil
}

type lowerer struct {
	src  string
	q    *Query
	opts LowerOptions
	// ignoredExpanded: an MV_EXPAND _ignored came before (a row per
	// ignored field, see docAlg.ignored).
	ignoredExpanded bool
	// levels[0] is the row level of documents; levels[i] the rows of the
	// i-th STATS.
	levels []*level
	plan_  Plan
	// limit is the least LIMIT before the first STATS (0: none): a group
	// has at most that many members.
	limit int64
	// nextTerm numbers the aggregate terms.
	nextTerm int
	// inlineKeys are the BY keys of INLINE STATS (over documents).
	inlineKeys []Expr
	// inlineGroups are the INLINE STATS ... BY over documents.
	inlineGroups []*Stats
	// narrowed: Plan.Narrowed.
	narrowed map[string]constraint.Span
	// inlineAggs are the aggregates of INLINE STATS read as singletons.
	inlineAggs []*aggRef
	// derived are the virtual fields the lowering makes.
	derived *derivations
	// extracts are the parsed DISSECT and GROK patterns.
	extracts map[Command]extraction
	// types are the field types the query implies.
	types map[string]estype.Type
	// hints, when not nil, records the calls of hint (lowerDocConds).
	hints *[]typeHint
	// condCache holds the lowerings of lowerDocConds by key.
	condCache map[string]cachedCond
	// truths holds the lowerings of docAlg.condTruth, by index in
	// levels[0].conds.
	truths []*cachedCond
	// keys are the keys of the conditions of groups' members.
	keys exprKeys
}

// level is the row set after one STATS (or the documents, level 0) and the
// commands up to the next STATS.
type level struct {
	n int
	// env maps a column to its expression over the level's input: at
	// level 0 document fields and DISSECT/GROK outputs, above it the
	// keys and aggregates of the STATS that made the level.
	env map[string]Expr
	// dropped columns (DROP, RENAME, KEEP) that later commands cannot
	// read.
	dropped map[string]bool
	// conds are the WHERE conditions, in order, over the input.
	conds []Expr
	// stats is the STATS that made the level (nil at level 0).
	stats *Stats
	// keys are its BY keys, in order.
	keys []*keyRef
	// extracts are the DISSECT and GROK commands of level 0.
	inline bool // the level holds an INLINE STATS
}

func (l *lowerer) span(loc Loc) constraint.Span {
	if !loc.Start.IsValid() {
		return constraint.Span{}
	}
	return constraint.Span{Pos: loc.Start, Text: loc.Text(l.src)}
}

func (l *lowerer) unsupported(loc Loc, format string, args ...any) error {
	return &constraint.UnsupportedError{Span: l.span(loc), What: fmt.Sprintf(format, args...)}
}

func (l *lowerer) plan() (*Plan, error) {
	if len(l.q.Commands) == 0 {
		return nil, fmt.Errorf("esql: empty query")
	}
	switch src := l.q.Commands[0].(type) {
	case *From:
		if src.TS {
			return nil, l.unsupported(src.Loc, "TS: time-series aggregation reads metrics emit does not generate")
		}
		for _, ip := range src.Indices {
			if ip.Cluster != "" {
				l.plan_.Indices = append(l.plan_.Indices, ip.Cluster+":"+ip.Index)
				continue
			}
			l.plan_.Indices = append(l.plan_.Indices, ip.Index)
		}
	case *Row:
		return nil, l.unsupported(src.Loc, "ROW: the query makes its own rows and reads no documents")
	case *Show:
		return nil, l.unsupported(src.Loc, "SHOW: the query reads no documents")
	}
	cur := &level{env: map[string]Expr{}, dropped: map[string]bool{}}
	l.levels = []*level{cur}
	for _, c := range l.q.Commands[1:] {
		var err error
		if cur, err = l.command(cur, c); err != nil {
			return nil, err
		}
	}
	out, err := l.realizeTop()
	if err != nil {
		return nil, err
	}
	if len(l.inlineAggs) > 0 && neverTrue(out) {
		// Each row is alone in its inline group (singleton): a condition
		// that needs more rows in it is beyond that model, not false.
		return nil, l.unsupported(l.inlineAggs[0].Loc, "INLINE STATS whose condition needs more than one row in a group: emit makes each row its own group")
	}
	l.plan_.Constraints = out
	l.plan_.Aggregates = len(l.levels) > 1
	return &l.plan_, nil
}

// command applies one processing command to the current level and
// returns the level after it (a new one after STATS).
func (l *lowerer) command(cur *level, c Command) (*level, error) {
	switch x := c.(type) {
	case *Where:
		cond, err := l.resolve(cur, x.Cond)
		if err != nil {
			return nil, err
		}
		cur.conds = append(cur.conds, cond)
	case *Eval:
		for _, a := range x.Fields {
			v, err := l.resolve(cur, a.X)
			if err != nil {
				return nil, err
			}
			cur.set(assignName(l.src, a), v)
		}
	case *Rename:
		for _, p := range x.Pairs {
			if p.Old.HasWildcard() || p.New.HasWildcard() {
				return nil, l.unsupported(p.Loc, "RENAME with a wildcard pattern")
			}
			v, err := l.resolve(cur, &Field{Name: p.Old.Pattern, Loc: p.Old.Loc})
			if err != nil {
				return nil, err
			}
			cur.set(p.New.Pattern, v)
			if p.Old.Pattern != p.New.Pattern {
				cur.drop(p.Old.Pattern)
			}
		}
	case *Drop:
		for _, p := range x.Patterns {
			if !p.HasWildcard() {
				cur.drop(p.Pattern)
			}
		}
	case *Keep, *Sort:
		// KEEP only narrows what the result shows; SORT orders it. Neither
		// decides whether a row exists.
	case *Limit:
		if x.Param != nil {
			return nil, l.unsupported(x.Loc, "LIMIT with a parameter")
		}
		if x.N == 0 {
			return nil, &constraint.UnsupportedError{Span: l.span(x.Loc), What: "LIMIT 0 returns no rows"}
		}
		if cur.n == 0 && (l.limit == 0 || x.N < l.limit) {
			l.limit = x.N
		}
	case *MvExpand:
		// Generated fields hold single values: MV_EXPAND keeps each row as
		// it is.
		v, err := l.resolve(cur, x.Field)
		if err != nil {
			return nil, err
		}
		if cur.n > 0 && refersToAgg(v) {
			return nil, l.unsupported(x.Loc, "MV_EXPAND of an aggregate")
		}
		if f, ok := v.(*Field); ok && f.Name == "_ignored" {
			l.ignoredExpanded = true
		}
	case *Dissect:
		return cur, l.dissect(cur, x)
	case *Grok:
		return cur, l.grok(cur, x)
	case *Stats:
		if x.Inline {
			return cur, l.inlineStats(cur, x)
		}
		return l.stats(cur, x)
	case *Completion:
		return nil, l.unsupported(x.Loc, "COMPLETION: its rows depend on what an inference endpoint answers")
	case *Enrich:
		return nil, l.unsupported(x.Loc, "ENRICH: its columns come from an enrich policy's index, which emit does not generate")
	case *LookupJoin:
		return nil, l.unsupported(x.Loc, "LOOKUP JOIN: its columns come from a lookup index, which emit does not generate")
	case *Rerank:
		return nil, l.unsupported(x.Loc, "RERANK: its scores come from an inference endpoint")
	case *ChangePoint:
		return nil, l.unsupported(x.Loc, "CHANGE_POINT: detecting a change in a series is not something emit inverts")
	case *Sample:
		return nil, l.unsupported(x.Loc, "SAMPLE keeps rows at random")
	case *Fork:
		return nil, l.unsupported(x.Loc, "FORK")
	default:
		return nil, l.unsupported(c.Location(), "%s", c.Name())
	}
	return cur, nil
}

// assignName is the column an assignment makes: its name, or for a bare
// expression the expression's source text (a field keeps its name).
func assignName(src string, a *Assign) string {
	if a.Name != nil {
		return a.Name.Name
	}
	if f, ok := a.X.(*Field); ok {
		return f.Name
	}
	if t := a.X.Location().Text(src); t != "" {
		return t
	}
	return a.X.String()
}

func (lv *level) set(name string, v Expr) {
	lv.env[name] = v
	delete(lv.dropped, name)
}

func (lv *level) drop(name string) {
	delete(lv.env, name)
	lv.dropped[name] = true
}

// resolve substitutes the level's columns into e: at level 0 a name that
// no command assigned is a document field.
func (l *lowerer) resolve(lv *level, e Expr) (Expr, error) {
	var err error
	out := substitute(e, func(f *Field) Expr {
		if v, ok := lv.env[f.Name]; ok {
			return v
		}
		if err == nil && (lv.dropped[f.Name] || lv.n > 0) {
			err = l.unsupported(f.Loc, "unknown column %s", f.Name)
		}
		return f
	})
	if err != nil {
		return nil, err
	}
	// JSON_EXTRACT(_source, "path") reads the document's field at path.
	out = substituteRefs(out, func(x Expr) (Expr, bool) {
		if c, ok := x.(*Call); ok && c.Name == "json_extract" {
			if f, ok := sourcePath(c); ok {
				return f, true
			}
		}
		return nil, false
	})
	return out, nil
}

func isMetadata(name string) bool { return metadataFields[name] }

// substitute returns e with each field replaced by what fn returns for it,
// copying only the nodes that change.
func substitute(e Expr, fn func(*Field) Expr) Expr {
	each := func(xs []Expr) ([]Expr, bool) {
		var out []Expr
		for i, x := range xs {
			y := substitute(x, fn)
			if y != x && out == nil {
				out = make([]Expr, len(xs))
				copy(out, xs[:i])
			}
			if out != nil {
				out[i] = y
			}
		}
		return out, out != nil
	}
	switch x := e.(type) {
	case *Field:
		return fn(x)
	case *Or:
		if xs, ok := each(x.X); ok {
			return &Or{X: xs, Loc: x.Loc}
		}
	case *And:
		if xs, ok := each(x.X); ok {
			return &And{X: xs, Loc: x.Loc}
		}
	case *Not:
		if y := substitute(x.X, fn); y != x.X {
			return &Not{X: y, Loc: x.Loc}
		}
	case *Compare:
		a, b := substitute(x.L, fn), substitute(x.R, fn)
		if a != x.L || b != x.R {
			return &Compare{Op: x.Op, L: a, R: b, Loc: x.Loc}
		}
	case *In:
		y := substitute(x.X, fn)
		xs, ok := each(x.List)
		if y != x.X || ok {
			if !ok {
				xs = x.List
			}
			return &In{X: y, List: xs, Not: x.Not, Loc: x.Loc}
		}
	case *Like:
		if y := substitute(x.X, fn); y != x.X {
			c := *x
			c.X = y
			return &c
		}
	case *IsNull:
		if y := substitute(x.X, fn); y != x.X {
			return &IsNull{X: y, Not: x.Not, Loc: x.Loc}
		}
	case *Match:
		if y := substitute(x.Field, fn); y != Expr(x.Field) {
			return &matchOn{X: y, M: x}
		}
	case *Arith:
		a, b := substitute(x.L, fn), substitute(x.R, fn)
		if a != x.L || b != x.R {
			return &Arith{Op: x.Op, L: a, R: b, Loc: x.Loc}
		}
	case *Neg:
		if y := substitute(x.X, fn); y != x.X {
			return &Neg{X: y, Loc: x.Loc}
		}
	case *Cast:
		if y := substitute(x.X, fn); y != x.X {
			return &Cast{X: y, Type: x.Type, Loc: x.Loc}
		}
	case *Call:
		if xs, ok := each(x.Args); ok {
			c := *x
			c.Args = xs
			return &c
		}
	case *aggRef:
		args, ok := each(x.Args)
		var filter Expr
		if x.Filter != nil {
			filter = substitute(x.Filter, fn)
		}
		if ok || filter != x.Filter {
			c := *x
			if ok {
				c.Args = args
			}
			c.Filter = filter
			return &c
		}
	}
	return e
}

// refersToAgg reports whether e reads an aggregate.
func refersToAgg(e Expr) bool {
	found := false
	walkAll(e, func(x Expr) bool {
		if _, ok := x.(*aggRef); ok {
			found = true
		}
		return !found
	})
	return found
}

// walkAll is Walk that also enters the lowering's own nodes.
func walkAll(e Expr, fn func(Expr) bool) {
	Walk(e, func(x Expr) bool {
		if !fn(x) {
			return false
		}
		switch y := x.(type) {
		case *keyRef:
			walkAll(y.X, fn)
		case *aggRef:
			for _, a := range y.Args {
				walkAll(a, fn)
			}
			if y.Filter != nil {
				walkAll(y.Filter, fn)
			}
		case *extractRef:
			walkAll(y.Src, fn)
		case *matchOn:
			walkAll(y.X, fn)
		}
		return true
	})
}

// keyRef is a BY key of a STATS: the value of X (an expression over the
// STATS's input rows) that all rows of a group share.
type keyRef struct {
	Level int // the level the STATS makes
	X     Expr
	Name  string
	// Bucket is the interval of a date_trunc(interval, @timestamp) key.
	Bucket time.Duration
	Loc    Loc
}

// aggRef is an aggregate function of a STATS over a group's rows: Fn of
// Args (over the input rows), counting only the rows where Filter holds.
type aggRef struct {
	Level  int
	Fn     string
	Args   []Expr
	Star   bool
	Filter Expr // nil: every row
	// Inline marks an aggregate of INLINE STATS, computed over the rows
	// that share Keys with the row, added to each row.
	Inline bool
	Keys   []Expr
	Loc    Loc
	id     int
}

// extractRef is a column DISSECT or GROK extracts from Src.
type extractRef struct {
	Src Expr
	// X is the DISSECT or GROK command.
	X   Command
	Key string
	// Type is the conversion of a GROK key ("int", "float"; "" for a
	// string).
	Type string
	Loc  Loc
}

// matchOn is the match operator applied to a substituted column.
type matchOn struct {
	X Expr
	M *Match
}

func (*keyRef) exprNode()     {}
func (*aggRef) exprNode()     {}
func (*extractRef) exprNode() {}
func (*matchOn) exprNode()    {}

func (e *keyRef) Location() Loc     { return e.Loc }
func (e *aggRef) Location() Loc     { return e.Loc }
func (e *extractRef) Location() Loc { return e.Loc }
func (e *matchOn) Location() Loc    { return e.M.Loc }

func (e *keyRef) String() string     { return e.Name }
func (e *extractRef) String() string { return e.Key }
func (e *matchOn) String() string    { return e.X.String() + " : " + e.M.Query.String() }

func (e *aggRef) String() string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(e.Fn))
	b.WriteByte('(')
	if e.Star {
		b.WriteByte('*')
	}
	for i, a := range e.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	b.WriteByte(')')
	if e.Filter != nil {
		b.WriteString(" WHERE ")
		b.WriteString(e.Filter.String())
	}
	return b.String()
}

// stats makes the level of a STATS's rows.
func (l *lowerer) stats(cur *level, x *Stats) (*level, error) {
	next := &level{n: cur.n + 1, env: map[string]Expr{}, dropped: map[string]bool{}, stats: x}
	for _, a := range x.By {
		v, err := l.resolve(cur, a.X)
		if err != nil {
			return nil, err
		}
		k := &keyRef{Level: next.n, X: v, Name: assignName(l.src, a), Loc: a.Loc}
		if call, ok := a.X.(*Call); ok && call.Func() != nil && call.Func().Kind == GroupingFunc {
			if err := l.groupingKey(k, call); err != nil {
				return nil, err
			}
		} else if d, ok, err := l.truncKey(v); err != nil {
			return nil, err
		} else if ok {
			k.Bucket = d
		} else if inner, ok := v.(*keyRef); ok && inner.Bucket > 0 {
			// A time bucket of the STATS before: the same bucket.
			k.Bucket = inner.Bucket
		}
		next.keys = append(next.keys, k)
		next.set(k.Name, k)
	}
	for _, a := range x.Aggs {
		v, err := l.aggregate(cur, next.n, a, false, nil)
		if err != nil {
			return nil, err
		}
		name := ""
		if a.Name != nil {
			name = a.Name.Name
		} else {
			name = a.X.Location().Text(l.src)
			if name == "" {
				name = a.X.String()
			}
		}
		next.set(name, v)
	}
	l.levels = append(l.levels, next)
	return next, nil
}

// aggregate resolves an aggregate expression of STATS: each aggregate
// function call becomes an aggRef over the input rows.
func (l *lowerer) aggregate(cur *level, n int, a *Agg, inline bool, keys []Expr) (Expr, error) {
	var filter Expr
	if a.Filter != nil {
		f, err := l.resolve(cur, a.Filter)
		if err != nil {
			return nil, err
		}
		filter = f
	}
	var err error
	var rewrite func(e Expr) Expr
	rewrite = func(e Expr) Expr {
		switch x := e.(type) {
		case *Call:
			if x.IsAggregate() {
				r := &aggRef{Level: n, Fn: x.Name, Star: x.Star, Filter: filter, Inline: inline, Keys: keys, Loc: x.Loc, id: l.nextTerm}
				l.nextTerm++
				for _, arg := range x.Args {
					v, rerr := l.resolve(cur, arg)
					if rerr != nil && err == nil {
						err = rerr
					}
					r.Args = append(r.Args, v)
				}
				if inline {
					v, serr := l.singleton(r)
					if serr != nil && err == nil {
						err = serr
					}
					return v
				}
				return r
			}
			c := *x
			c.Args = make([]Expr, len(x.Args))
			for i, arg := range x.Args {
				c.Args[i] = rewrite(arg)
			}
			return &c
		case *Arith:
			return &Arith{Op: x.Op, L: rewrite(x.L), R: rewrite(x.R), Loc: x.Loc}
		case *Neg:
			return &Neg{X: rewrite(x.X), Loc: x.Loc}
		case *Cast:
			return &Cast{X: rewrite(x.X), Type: x.Type, Loc: x.Loc}
		case *Field:
			// A column outside the aggregate functions: only a BY key
			// (already a column of the new level) can be read so.
			if err == nil {
				err = l.unsupported(x.Loc, "%s outside an aggregate function", x.Name)
			}
			return x
		}
		return e
	}
	out := rewrite(a.X)
	if err != nil {
		return nil, err
	}
	if !inline && !refersToAgg(out) {
		return nil, l.unsupported(a.Loc, "an aggregate without an aggregate function")
	}
	return out, nil
}

// singleton is an INLINE STATS aggregate over a group of one row, the row
// itself: the lowering makes the inline group's keys fresh in the run, so
// that each row is alone in its group.
func (l *lowerer) singleton(r *aggRef) (Expr, error) {
	l.inlineAggs = append(l.inlineAggs, r)
	var arg Expr
	if len(r.Args) > 0 {
		arg = r.Args[0]
	}
	one := &Literal{Kind: LitInt, Int: 1, Loc: r.Loc}
	zero := &Literal{Kind: LitInt, Int: 0, Loc: r.Loc}
	null := &Literal{Kind: LitNull, Loc: r.Loc}
	when := func(c Expr, v, otherwise Expr) Expr {
		if c == nil {
			return v
		}
		return &Call{Name: "case", Args: []Expr{c, v, otherwise}, Loc: r.Loc}
	}
	switch r.Fn {
	case "count", "count_distinct":
		if r.Star || arg == nil {
			return when(r.Filter, one, zero), nil
		}
		return when(andExpr(r.Filter, &IsNull{X: arg, Not: true, Loc: r.Loc}), one, zero), nil
	case "values", "min", "max", "avg", "sum", "median", "first", "last", "top", "sample":
		return when(r.Filter, arg, null), nil
	}
	return nil, l.unsupported(r.Loc, "%s() in INLINE STATS", strings.ToUpper(r.Fn))
}

// inlineStats adds the aggregates of an INLINE STATS to every row of the
// level.
func (l *lowerer) inlineStats(cur *level, x *Stats) error {
	var keys []Expr
	for _, a := range x.By {
		v, err := l.resolve(cur, a.X)
		if err != nil {
			return err
		}
		if call, ok := a.X.(*Call); ok && call.Func() != nil && call.Func().Kind == GroupingFunc {
			return l.unsupported(call.Loc, "%s in INLINE STATS", strings.ToUpper(call.Name))
		}
		keys = append(keys, v)
	}
	cols := map[string]Expr{}
	for _, a := range x.Aggs {
		v, err := l.aggregate(cur, cur.n, a, true, keys)
		if err != nil {
			return err
		}
		name := ""
		if a.Name != nil {
			name = a.Name.Name
		} else {
			name = a.X.Location().Text(l.src)
		}
		cols[name] = v
	}
	for i, a := range x.By {
		cur.set(assignName(l.src, a), keys[i])
	}
	for n, v := range cols {
		cur.set(n, v)
	}
	cur.inline = true
	if cur.n == 0 {
		l.inlineKeys = append(l.inlineKeys, keys...)
		if len(keys) > 0 {
			l.inlineGroups = append(l.inlineGroups, x)
		}
	} else if len(keys) > 0 {
		return l.unsupported(x.Loc, "INLINE STATS ... BY after STATS")
	}
	return nil
}

// groupingKey reads a grouping function of STATS ... BY: BUCKET over
// @timestamp with a span is a time bucket like date_trunc.
func (l *lowerer) groupingKey(k *keyRef, call *Call) error {
	if call.Name != "bucket" || len(call.Args) != 2 {
		return l.unsupported(call.Loc, "%s as a grouping key", strings.ToUpper(call.Name))
	}
	d, ok := l.spanOf(call.Args[1])
	f, isField := k.X.(*Call).Args[0].(*Field)
	if !ok || !isField || f.Name != timestampField {
		return l.unsupported(call.Loc, "BUCKET other than of @timestamp by a fixed span")
	}
	k.Bucket = d
	k.X = &Call{Name: "date_trunc", Args: []Expr{call.Args[1], f}, Loc: call.Loc}
	return nil
}

// truncKey recognizes date_trunc(span, @timestamp) (possibly through a
// column) as a time bucket key.
func (l *lowerer) truncKey(v Expr) (time.Duration, bool, error) {
	c, ok := v.(*Call)
	if !ok || c.Name != "date_trunc" || len(c.Args) != 2 {
		return 0, false, nil
	}
	f, ok := c.Args[1].(*Field)
	if !ok || f.Name != timestampField {
		return 0, false, nil
	}
	d, ok := l.spanOf(c.Args[0])
	if !ok {
		return 0, false, l.unsupported(c.Loc, "date_trunc of @timestamp by a calendar period as a grouping key")
	}
	return d, true, nil
}

// spanOf reads a constant time span of fixed length (up to weeks).
func (l *lowerer) spanOf(e Expr) (time.Duration, bool) {
	lit, ok := e.(*Literal)
	if !ok {
		return 0, false
	}
	switch lit.Kind {
	case LitDuration:
		return lit.Duration(), lit.Int > 0
	case LitPeriod:
		y, m, d := lit.Period()
		if y != 0 || m != 0 || d <= 0 {
			return 0, false
		}
		return time.Duration(d) * 24 * time.Hour, true
	}
	return 0, false
}

// timestampField is the field date math and time buckets read.
const timestampField = "@timestamp"

// hint records the type the query's use of a field implies; a double
// wins over a long (a field compared to 0.7 and to 1 holds doubles).
func (l *lowerer) hint(field string, t estype.Type) {
	if l.hints != nil {
		*l.hints = append(*l.hints, typeHint{field, t})
	}
	if field == "" || isMetadata(field) || strings.HasPrefix(field, VirtualPrefix) {
		return
	}
	if old, ok := l.types[field]; ok && (old == estype.Double || old == t) {
		return
	}
	l.types[field] = t
}

// readFields lists the names the query's expressions read (fields and
// columns alike), sorted.
func (q *Query) readFields() []string {
	seen := map[string]bool{}
	var walk func(cmds []Command)
	walk = func(cmds []Command) {
		for _, c := range cmds {
			for _, e := range Exprs(c) {
				for _, f := range Fields(e) {
					seen[f] = true
				}
			}
			if f, ok := c.(*Fork); ok {
				for _, b := range f.Branches {
					walk(b.Commands)
				}
			}
		}
	}
	walk(q.Commands)
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// neverTrue reports whether every event of q is the constant false.
func neverTrue(q *constraint.Query) bool {
	if q == nil || len(q.Events) == 0 {
		return false
	}
	for _, ev := range q.Events {
		if b, ok := ev.Cond.(*constraint.Bool); !ok || b.V {
			return false
		}
	}
	return true
}
