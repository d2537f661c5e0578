// Package solver turns constraints into values: each field's predicates meet
// into a value domain (string automata, interval sets of numbers, dates and
// IPs, booleans), disjunctions are chosen lazily at random with
// backtracking, and a document is a draw from every field's domain.
package solver

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/schema"
)

// Options configure a Solver.
type Options struct {
	// Schema types the fields; nil means every field is keyword.
	Schema *schema.Schema
	// Now is the reference time of date math ("now-1d") and of dates
	// the query leaves free.
	Now time.Time
	// Strict turns dead alternatives into errors.
	Strict bool
}

// timestampField is in every document.
const timestampField = "@timestamp"

// Budgets of the backtracking search, in visited alternatives.
const (
	checkBudget    = 200000 // proving a query solvable or an alternative dead
	generateBudget = 2000   // one random document
)

type env struct {
	now time.Time
}

// genCtx carries per-value context into domain generation.
type genCtx struct {
	field     string
	buf       []byte
	timestamp int64
}

// node is a field's domain in a partial solution. Nodes are shared between
// solutions and documents: meeting a node with a predicate is memoized.
type node struct {
	field   int32
	dom     domain
	present bool // a positive predicate requires a value
	absent  bool // "not f : *" requires no value
	preds   []int32
	rels    []int32 // field-to-field predicates, resolved per document
}

// Solver generates values for one query. It is not safe for concurrent use.
type Solver struct {
	q      *constraint.Query
	sch    *schema.Schema
	env    *env
	strict bool

	fields   []string // concrete field names, sorted
	fieldIdx map[string]int32
	types    []schema.Field

	preds     []*constraint.Pred
	predID    map[*constraint.Pred]int32
	predField []int32
	relOther  []int32 // for Rel predicates: the other field

	nodes     []*node
	memo      map[[2]int32]int32 // (node, pred) -> node, or -1-conflict index
	byKey     map[string]int32
	conflicts []*Conflict

	events []*eventPlan
	joins  [][]int32 // per join key, the field index in each event

	warnings []Warning
	named    map[string]bool // concrete field names the predicates name
}

type eventPlan struct {
	cond   constraint.Expr
	hasOr  bool
	static *plan            // the only plan, when the condition has no "or"
	plans  map[string]*plan // plans found so far, by solution
	first  *plan            // the first solution found (fallback)
	src    int              // index of the query event it comes from
}

// plan is one solution of an event: the domain of every present field.
type plan struct {
	doms  []int32 // node per field
	order []int32 // present fields to draw, a compared field after the other
	equal []eqPair
}

// eqPair is two fields of an event that hold one value (a == b).
type eqPair struct {
	a, b  int32
	joint int32 // node of the shared value
}

// Warning is a dead alternative: something the author wrote that can never
// hold where it stands.
type Warning struct {
	Span     constraint.Span
	Conflict *Conflict
}

func (w Warning) String() string {
	return fmt.Sprintf("%s: %q can never match here (%s)", w.Span.Pos, w.Span.Text, w.Conflict)
}

// UnsolvableError says that no document can satisfy the query, and why.
type UnsolvableError struct {
	Conflicts []*Conflict
	// Exhausted: the search gave up before trying every alternative.
	Exhausted bool
	// Dead lists dead alternatives when Strict made them errors.
	Dead []Warning
}

// ErrUnsolvable is what errors.Is finds in every error that says no
// document can satisfy a query.
var ErrUnsolvable = errors.New("unsolvable")

func (e *UnsolvableError) Error() string {
	if len(e.Dead) > 0 {
		return "unsolvable constraints (strict): " + e.Reason()
	}
	return "unsolvable constraints: " + e.Reason()
}

// Is makes errors.Is(err, ErrUnsolvable) hold.
func (e *UnsolvableError) Is(target error) bool { return target == ErrUnsolvable }

// Reason says why, without the "unsolvable constraints" heading: the
// conflicting fields with their constraints, or the dead alternatives.
func (e *UnsolvableError) Reason() string {
	if len(e.Dead) > 0 {
		parts := make([]string, len(e.Dead))
		for i, w := range e.Dead {
			parts[i] = w.String()
		}
		return strings.Join(parts, "; ")
	}
	parts := make([]string, 0, len(e.Conflicts))
	for _, c := range e.Conflicts {
		parts = append(parts, fmt.Sprintf("%s (%s)", c.Field, c.Reason))
	}
	msg := strings.Join(parts, "; ")
	if e.Exhausted {
		msg += " (search gave up after " + strconv.Itoa(checkBudget) + " alternatives)"
	}
	return msg
}

// New prepares a solver for q: it resolves and types the fields, proves the
// query solvable (or returns an *UnsolvableError naming the conflicts) and
// finds the dead alternatives.
func New(q *constraint.Query, opts Options) (*Solver, error) {
	sch := opts.Schema
	if sch == nil {
		sch = schema.New()
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	s := &Solver{
		q: q, sch: sch, strict: opts.Strict,
		env:      &env{now: now},
		fieldIdx: map[string]int32{},
		predID:   map[*constraint.Pred]int32{},
		memo:     map[[2]int32]int32{},
		byKey:    map[string]int32{},
		named:    map[string]bool{},
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	var dead []Warning
	for _, ev := range s.events {
		ctx := &searchCtx{budget: checkBudget}
		doms, ok := s.dfs([]constraint.Expr{ev.cond}, s.initialDoms(), nil, ctx)
		if !ok {
			return nil, &UnsolvableError{Conflicts: ctx.distinctConflicts(), Exhausted: ctx.exhausted}
		}
		ev.first = ctx.plan
		if !ev.hasOr {
			ev.static = ev.first
		} else {
			ev.plans = map[string]*plan{planKey(doms): ev.first}
		}
		dead = append(dead, s.deadAlternatives(ev)...)
	}
	// A relation whose field is a join key cannot be drawn: the join
	// fixes the value first.
	for i, ev := range s.events {
		if err := s.relationOnJoin(i, ev.cond); err != nil {
			return nil, err
		}
	}
	// Join fields are in every event: none may be the object of another
	// field of its event, nor a value under one.
	for i, ev := range s.events {
		for _, key := range s.joins {
			if i >= len(key) {
				continue
			}
			for j, n := range ev.first.doms {
				jf, of := s.fields[key[i]], s.fields[j]
				if s.nodes[n].present && (strings.HasPrefix(of, jf+".") || strings.HasPrefix(jf, of+".")) {
					return nil, &UnsolvableError{Conflicts: []*Conflict{conflictf(jf, "a field cannot hold a value and the object of %s", of)}}
				}
			}
		}
	}
	// A join key must have a common value across events.
	if len(s.joins) > 0 {
		if _, err := s.choose(nil); err != nil {
			return nil, err
		}
	}
	s.warnings = dedupWarnings(dead)
	if s.strict && len(s.warnings) > 0 {
		return nil, &UnsolvableError{Dead: s.warnings}
	}
	return s, nil
}

// Warnings lists the dead alternatives of the query.
func (s *Solver) Warnings() []Warning { return s.warnings }

// Fields lists every concrete field the query names, sorted.
func (s *Solver) Fields() []string { return append([]string(nil), s.fields...) }

// Named lists the concrete fields the query's predicates name, as named
// (a multi-field such as process.name.text, or the field a wildcard name
// resolved to), sorted. Fields lists what documents hold instead.
func (s *Solver) Named() []string {
	out := make([]string, 0, len(s.named))
	for f := range s.named {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Events is how many documents one match has.
func (s *Solver) Events() int { return len(s.events) }

func dedupWarnings(ws []Warning) []Warning {
	seen := map[string]bool{}
	var out []Warning
	for _, w := range ws {
		k := w.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Span.Pos.Offset < out[j].Span.Pos.Offset })
	return out
}

// compile expands the query's events, collects and types the fields and
// predicates, and sets up the initial nodes.
func (s *Solver) compile() error {
	q := s.q
	var forbid []constraint.Expr // conditions no emitted event may meet
	if q.Until != nil {
		forbid = append(forbid, q.Until)
	}
	for _, ev := range q.Events {
		if ev.Missing {
			forbid = append(forbid, ev.Cond)
		}
	}
	var joinFields [][]string // per emitted event, per key
	for i, ev := range q.Events {
		if ev.Missing {
			continue
		}
		runs := max(ev.Runs, 1)
		for r := 0; r < runs; r++ {
			parts := []constraint.Expr{ev.Cond}
			for _, f := range forbid {
				parts = append(parts, &constraint.Not{X: f})
			}
			cond := constraint.NNF(&constraint.And{X: parts, Span: ev.Span})
			s.events = append(s.events, &eventPlan{cond: cond, src: i})
			var jf []string
			for _, key := range q.Joins {
				if i < len(key) {
					jf = append(jf, key[i])
				}
			}
			joinFields = append(joinFields, jf)
		}
	}
	if len(s.events) == 0 {
		return &UnsolvableError{Conflicts: []*Conflict{{Field: "query", Reason: "no event to generate"}}}
	}
	// A negated predicate on a wildcard field name holds for every field
	// the name matches: spell it out for the fields a document can hold.
	for i, ev := range s.events {
		ev.cond = s.expandNegatedWildcards(ev.cond, joinFields[i])
	}
	// Collect fields and predicates.
	var badField error
	var walk func(e constraint.Expr) bool
	walk = func(e constraint.Expr) bool {
		switch x := e.(type) {
		case *constraint.And:
			or := false
			for _, y := range x.X {
				or = walk(y) || or
			}
			return or
		case *constraint.Or:
			for _, y := range x.X {
				walk(y)
			}
			return true
		case *constraint.Pred:
			for _, name := range []string{x.Field, x.Other} {
				if badField == nil && name != "" && !validFieldName(name) {
					badField = &constraint.UnsupportedError{Span: x.Span, What: fmt.Sprintf("field name %q: Elasticsearch field names have no empty part between dots", name)}
				}
			}
			if _, ok := s.predID[x]; !ok {
				p, field := s.multiField(x, s.resolve(x.Field))
				s.predID[x] = int32(len(s.preds))
				s.preds = append(s.preds, p)
				s.predField = append(s.predField, s.addField(field))
				if p.Op == constraint.Rel {
					s.addField(s.resolve(p.Other))
				}
			}
		}
		return false
	}
	for _, ev := range s.events {
		ev.hasOr = walk(ev.cond)
	}
	if badField != nil {
		return badField
	}
	for _, jf := range joinFields {
		for _, f := range jf {
			s.addField(s.resolve(f))
		}
	}
	// Fields get indices in name order, so documents list them sorted.
	order := slices.Clone(s.fields)
	sort.Strings(order)
	remap := make([]int32, len(s.fields))
	for i, f := range order {
		remap[s.fieldIdx[f]] = int32(i)
		s.fieldIdx[f] = int32(i)
	}
	for i := range s.predField {
		s.predField[i] = remap[s.predField[i]]
	}
	s.relOther = make([]int32, len(s.preds))
	for i, p := range s.preds {
		if p.Op == constraint.Rel {
			s.relOther[i] = s.fieldIdx[s.resolve(p.Other)]
		}
	}
	s.fields = order
	s.types = make([]schema.Field, len(order))
	numeric := s.numericallyCompared()
	for i, f := range order {
		s.types[i] = s.sch.Field(f)
		s.types[i].Name = f
		if (s.types[i].Type == estype.Empty || s.types[i].Type.IsString()) && numeric[f] != "" {
			// A field the schema leaves a string but the query compares
			// with numbers (EQL "x > 0.9" on a field missing from ECS)
			// holds numbers; one it tests as a condition holds booleans.
			s.types[i].Type = numeric[f]
		}
		s.nodes = append(s.nodes, &node{field: int32(i), dom: newDomain(s.types[i])})
	}
	// Join keys: a field index per event; join fields must be present.
	if len(joinFields) > 0 && len(joinFields[0]) > 0 {
		nkeys := len(joinFields[0])
		for k := 0; k < nkeys; k++ {
			var idx []int32
			for _, jf := range joinFields {
				if k < len(jf) {
					idx = append(idx, s.fieldIdx[s.resolve(jf[k])])
				}
			}
			s.joins = append(s.joins, idx)
		}
	}
	return nil
}

// expandNegatedWildcards rewrites "not p*.x : v" into "not f : v" for every
// concrete field f of the event that the pattern matches (the fields the
// query names, its join keys and @timestamp), keeping the original too.
func (s *Solver) expandNegatedWildcards(cond constraint.Expr, joins []string) constraint.Expr {
	names := map[string]bool{"@timestamp": true}
	for _, j := range joins {
		names[j] = true
	}
	constraint.EachPred(cond, func(p *constraint.Pred) {
		if !strings.Contains(p.Field, "*") {
			names[p.Field] = true
		} else if !p.Neg {
			names[s.resolve(p.Field)] = true
		}
	})
	var rewrite func(e constraint.Expr) constraint.Expr
	rewrite = func(e constraint.Expr) constraint.Expr {
		switch x := e.(type) {
		case *constraint.And:
			out := &constraint.And{Span: x.Span}
			for _, y := range x.X {
				out.X = append(out.X, rewrite(y))
			}
			return out
		case *constraint.Or:
			out := &constraint.Or{Span: x.Span, Authored: x.Authored}
			for _, y := range x.X {
				out.X = append(out.X, rewrite(y))
			}
			return out
		case *constraint.Pred:
			if !x.Neg || !strings.Contains(x.Field, "*") {
				return x
			}
			pat := wildcard.Parse(x.Field, wildcard.StarOnly)
			var fields []string
			for n := range names {
				if pat.Match(n, false) {
					fields = append(fields, n)
				}
			}
			if len(fields) == 0 {
				return x
			}
			sort.Strings(fields)
			out := &constraint.And{Span: x.Span, X: []constraint.Expr{x}}
			for _, f := range fields {
				c := *x
				c.Field = f
				out.X = append(out.X, &c)
			}
			return out
		}
		return e
	}
	return constraint.NNF(rewrite(cond))
}

// multiField redirects a predicate on a multi-field (process.name.text) to
// the field whose value it indexes, with the multi-field's semantics.
func (s *Solver) multiField(p *constraint.Pred, field string) (*constraint.Pred, string) {
	f := s.sch.Field(field)
	if f.MultiFieldOf == "" {
		return p, field
	}
	switch {
	case f.Type.Family() == estype.TextFamily:
		p = textAsKeyword(p)
	case f.Mapping().Lowercase():
		q := *p
		q.CI = true
		p = &q
	}
	return p, f.MultiFieldOf
}

// numericallyCompared types the fields the query compares with typed
// literals: "double" for an ordering with a number (<, <=, >, >=),
// "boolean" for equality with true or false (EQL's bare field condition).
func (s *Solver) numericallyCompared() map[string]estype.Type {
	out := map[string]estype.Type{}
	strings := map[string]bool{} // fields the query also compares with strings
	for i, p := range s.preds {
		f := s.fields[s.predField[i]]
		switch {
		case p.Op >= constraint.Lt && p.Op <= constraint.Ge && p.Value.Kind == constraint.KindNumber:
			out[f] = estype.Double
		case p.Op == constraint.Eq && p.Value.Kind == constraint.KindBool && out[f] == "":
			out[f] = estype.Boolean
		case p.Op == constraint.Like || p.Op == constraint.Regex || p.Value.Kind == constraint.KindString && p.Op != constraint.Exists:
			strings[f] = true
		}
	}
	for f := range strings {
		delete(out, f)
	}
	return out
}

// relationOnJoin reports a field relation of event i whose related field
// is one of the event's join keys.
func (s *Solver) relationOnJoin(i int, cond constraint.Expr) error {
	var found *constraint.Pred
	constraint.EachPred(cond, func(x *constraint.Pred) {
		if x.Op != constraint.Rel || x.Rel == constraint.RelEq && x.OtherSlice == nil || found != nil {
			return
		}
		f := s.predField[s.predID[x]]
		for _, key := range s.joins {
			if i < len(key) && key[i] == f {
				found = x
			}
		}
	})
	if found != nil {
		return &constraint.UnsupportedError{Span: found.Span, What: fmt.Sprintf("%s relates a join key (%s) to another field", found.Span.Text, found.Field)}
	}
	return nil
}

// validFieldName reports whether a dotted name can be a document field.
func validFieldName(name string) bool {
	for _, part := range strings.Split(name, ".") {
		if part == "" {
			return false
		}
	}
	return true
}

func (s *Solver) addField(name string) int32 {
	if i, ok := s.fieldIdx[name]; ok {
		return i
	}
	i := int32(len(s.fields))
	s.fieldIdx[name] = i
	s.fields = append(s.fields, name)
	return i
}

// resolve picks a concrete field for a field name with wildcards: the first
// schema field the pattern matches, else the pattern with "*" replaced.
func (s *Solver) resolve(name string) string {
	if !strings.Contains(name, "*") {
		s.named[name] = true
		return name
	}
	// A field of its own, not a multi-field (x.text) of another: a
	// document holds its value under the name the pattern matches.
	for _, m := range s.sch.Match(name) {
		if s.sch.Field(m).MultiFieldOf == "" {
			s.named[m] = true
			return m
		}
	}
	f := strings.ReplaceAll(name, "*", "x")
	s.named[f] = true
	return f
}

func (s *Solver) initialDoms() []int32 {
	d := make([]int32, len(s.fields))
	for i := range d {
		d[i] = int32(i)
	}
	return d
}

// meet returns the node for n with predicate p, or the conflict.
func (s *Solver) meet(n, p int32) (int32, *Conflict) {
	key := [2]int32{n, p}
	if v, ok := s.memo[key]; ok {
		if v < 0 {
			return -1, s.conflicts[-v-1]
		}
		return v, nil
	}
	res, conf := s.meetNew(n, p)
	if conf != nil {
		s.conflicts = append(s.conflicts, conf)
		s.memo[key] = -int32(len(s.conflicts))
		return -1, conf
	}
	s.memo[key] = res
	return res, nil
}

func (s *Solver) meetNew(ni, pi int32) (int32, *Conflict) {
	n := s.nodes[ni]
	if slices.Contains(n.preds, pi) {
		return ni, nil
	}
	p := s.preds[pi]
	field := s.fields[n.field]
	c := &node{field: n.field, dom: n.dom, present: n.present, absent: n.absent, rels: n.rels}
	switch {
	case p.Op == constraint.Rel && s.relOther[pi] == n.field:
		// A field compared with itself: the relation's truth is known.
		holds := false
		switch {
		case p.OtherSlice != nil:
			return -1, conflictf(field, "%s relates the field to a part of itself", p.Span.Text)
		case p.Rel == constraint.RelLt || p.Rel == constraint.RelGt:
		default:
			holds = true
		}
		if holds == p.Neg {
			return -1, conflictf(field, "%s never holds", p.Span.Text)
		}
		if n.absent {
			return -1, conflictf(field, "must be absent and compared (%s)", p.Span.Text)
		}
		c.present = true
	case p.Op == constraint.Rel:
		// Both fields must hold values to compare; the relation itself
		// is resolved when values are drawn.
		if n.absent {
			return -1, conflictf(field, "must be absent and compared (%s)", p.Span.Text)
		}
		c.present = true
		c.rels = append(slices.Clone(n.rels), pi)
	case p.Op == constraint.Exists && p.Neg && field == timestampField:
		return -1, conflictf(field, "every document carries @timestamp (%s)", p.Span.Text)
	case p.Op == constraint.Exists && p.Neg:
		if n.present {
			return -1, conflictf(field, "must be absent (%s) and present", p.Span.Text)
		}
		c.absent = true
	default:
		if !p.Neg {
			if n.absent {
				return -1, conflictf(field, "must be absent and present (%s)", p.Span.Text)
			}
			c.present = true
		}
		d, conf := n.dom.with(p, s.env)
		if conf != nil {
			conf.Field = field
			return -1, conf
		}
		c.dom = d
	}
	c.preds = append(slices.Clone(n.preds), pi)
	slices.Sort(c.preds)
	k := predsKey(n.field, c.preds)
	if id, ok := s.byKey[k]; ok {
		return id, nil
	}
	id := int32(len(s.nodes))
	s.nodes = append(s.nodes, c)
	s.byKey[k] = id
	return id, nil
}

func predsKey(field int32, preds []int32) string {
	b := make([]byte, 0, 4+4*len(preds))
	b = strconv.AppendInt(b, int64(field), 36)
	for _, p := range preds {
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(p), 36)
	}
	return string(b)
}

type searchCtx struct {
	r         *rand.Rand // nil: alternatives in written order
	budget    int
	steps     int
	exhausted bool
	conflicts []*Conflict
	forced    *constraint.Or
	forcedAlt int
	reached   bool
	// plans known so far (may be nil); plan is the leaf's plan, and
	// planKey its key when it is new.
	plans   map[string]*plan
	plan    *plan
	planKey string
}

func (c *searchCtx) fail(conf *Conflict) {
	if len(c.conflicts) < 64 {
		c.conflicts = append(c.conflicts, conf)
	}
}

func (c *searchCtx) distinctConflicts() []*Conflict {
	seen := map[string]bool{}
	var out []*Conflict
	for _, cf := range c.conflicts {
		k := cf.Error()
		if !seen[k] {
			seen[k] = true
			out = append(out, cf)
		}
		if len(out) == 5 {
			break
		}
	}
	return out
}

// dfs solves the agenda from doms: predicates and conjunctions first, then
// one disjunction at a time, trying its alternatives (in random order when
// the context has a random source) and backtracking on conflict.
func (s *Solver) dfs(agenda []constraint.Expr, doms []int32, ors []*constraint.Or, ctx *searchCtx) ([]int32, bool) {
	doms = slices.Clone(doms)
	ors = slices.Clone(ors)
	stack := slices.Clone(agenda)
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch x := e.(type) {
		case *constraint.Pred:
			pi := s.predID[x]
			f := s.predField[pi]
			n, conf := s.meet(doms[f], pi)
			if conf != nil {
				ctx.fail(conf)
				return nil, false
			}
			doms[f] = n
		case *constraint.And:
			// Reversed, so that predicates meet in written order.
			for i := len(x.X) - 1; i >= 0; i-- {
				stack = append(stack, x.X[i])
			}
		case *constraint.Or:
			ors = append(ors, x)
		case *constraint.Bool:
			if !x.V {
				ctx.fail(&Conflict{Field: "query", Reason: "condition is always false"})
				return nil, false
			}
		}
	}
	if len(ors) == 0 {
		if ctx.forced != nil && !ctx.reached {
			return nil, false
		}
		// A solution whose fields cannot form a document (a value and an
		// object at one name, ...) is a conflict: look further.
		key := planKey(doms)
		if p, ok := ctx.plans[key]; ok {
			ctx.plan = p
			return doms, true
		}
		p, conf := s.planOf(doms)
		if conf != nil {
			ctx.fail(conf)
			return nil, false
		}
		ctx.plan, ctx.planKey = p, key
		return doms, true
	}
	or, rest := ors[0], ors[1:]
	n := len(or.X)
	var order []int
	switch {
	case or == ctx.forced:
		ctx.reached = true
		order = []int{ctx.forcedAlt}
	case ctx.r != nil:
		order = ctx.r.Perm(n)
	default:
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	for _, i := range order {
		ctx.steps++
		if ctx.steps > ctx.budget {
			ctx.exhausted = true
			return nil, false
		}
		if res, ok := s.dfs([]constraint.Expr{or.X[i]}, doms, rest, ctx); ok {
			return res, true
		}
		if ctx.exhausted {
			return nil, false
		}
		if or == ctx.forced {
			ctx.reached = false
		}
	}
	return nil, false
}

// deadAlternatives finds the authored alternatives of ev that no solution
// can choose.
func (s *Solver) deadAlternatives(ev *eventPlan) []Warning {
	var out []Warning
	var visit func(e constraint.Expr)
	visit = func(e constraint.Expr) {
		switch x := e.(type) {
		case *constraint.And:
			for _, y := range x.X {
				visit(y)
			}
		case *constraint.Or:
			for i, alt := range x.X {
				if x.Authored {
					ctx := &searchCtx{budget: checkBudget / 10, forced: x, forcedAlt: i}
					if _, ok := s.dfs([]constraint.Expr{ev.cond}, s.initialDoms(), nil, ctx); !ok && !ctx.exhausted && ctx.reached == false {
						if cs := ctx.distinctConflicts(); len(cs) > 0 {
							out = append(out, Warning{Span: alt.Source(), Conflict: cs[len(cs)-1]})
						}
					}
				}
				visit(alt)
			}
		}
	}
	visit(ev.cond)
	return out
}

// planOf makes a plan of a solution: the fields to draw, in an order where
// a field compared to another comes after it, and the equal pairs that
// draw one shared value.
func (s *Solver) planOf(doms []int32) (*plan, *Conflict) {
	doms = slices.Clone(doms)
	p := &plan{doms: doms}
	var dependent []int32
	for i, n := range doms {
		nd := s.nodes[n]
		for _, r := range nd.rels {
			o := s.relOther[r]
			if !s.nodes[doms[o]].present {
				doms[o] = s.presentNode(doms[o])
			}
			pred := s.preds[r]
			if pred.Rel == constraint.RelEq && !pred.Neg && pred.OtherSlice == nil {
				j, conf := s.jointNodes(doms[i], doms[o])
				if conf != nil {
					return nil, conflictf(s.fields[i], "%s: no common value (%s)", pred.Span.Text, conf.Reason)
				}
				p.equal = append(p.equal, eqPair{int32(i), o, j})
			} else if !slices.Contains(dependent, int32(i)) {
				dependent = append(dependent, int32(i))
			}
		}
	}
	for i, n := range doms {
		// @timestamp is in every document: when the query constrains it
		// at all, its value comes from its domain.
		if s.fields[i] == timestampField && len(s.nodes[n].preds) > 0 && !s.nodes[n].present {
			doms[i] = s.presentNode(n)
			n = doms[i]
		}
		if s.nodes[n].present && !slices.Contains(dependent, int32(i)) {
			p.order = append(p.order, int32(i))
		}
	}
	// A document cannot hold both a value at f and an object under f; an
	// object field that must exist is there when a field under it is, and
	// one that must be absent cannot hold any.
	for i, n := range doms {
		if s.nodes[n].absent {
			for j, m := range doms {
				if s.nodes[m].present && strings.HasPrefix(s.fields[j], s.fields[i]+".") {
					return nil, conflictf(s.fields[i], "must be absent, and %s is under it", s.fields[j])
				}
			}
		}
		if !s.nodes[n].present {
			continue
		}
		for j, m := range doms {
			if i != j && s.nodes[m].present && strings.HasPrefix(s.fields[j], s.fields[i]+".") {
				if _, isObj := s.nodes[n].dom.(*objDomain); isObj {
					p.order = slices.DeleteFunc(p.order, func(f int32) bool { return f == int32(i) })
					break
				}
				return nil, conflictf(s.fields[i], "a field cannot hold a value and the object of %s", s.fields[j])
			}
		}
	}
	p.order = append(p.order, dependent...)
	return p, nil
}

// presentNode is n required to hold a value.
func (s *Solver) presentNode(n int32) int32 {
	if s.nodes[n].present {
		return n
	}
	c := *s.nodes[n]
	c.present = true
	s.nodes = append(s.nodes, &c)
	return int32(len(s.nodes) - 1)
}

// jointNodes meets node a with every predicate of node b: the domain of
// a value both fields hold.
func (s *Solver) jointNodes(a, b int32) (int32, *Conflict) {
	n, conf := s.meetAll(a, b)
	if conf != nil {
		return -1, conf
	}
	return s.presentNode(n), nil
}

// meetAll meets node into with every value predicate of node from (field
// relations are resolved per document, not here).
func (s *Solver) meetAll(into, from int32) (int32, *Conflict) {
	n := into
	for _, p := range s.nodes[from].preds {
		if s.preds[p].Op == constraint.Rel {
			continue
		}
		var conf *Conflict
		if n, conf = s.meetAcross(n, p); conf != nil {
			return -1, conf
		}
	}
	return n, nil
}

func planKey(doms []int32) string {
	b := make([]byte, 0, 4*len(doms))
	for _, d := range doms {
		b = strconv.AppendInt(b, int64(d), 36)
		b = append(b, ',')
	}
	return string(b)
}

// pickPlan chooses a random solution of ev.
func (s *Solver) pickPlan(r *rand.Rand, ev *eventPlan) *plan {
	if ev.static != nil {
		return ev.static
	}
	ctx := &searchCtx{r: r, budget: generateBudget, plans: ev.plans}
	if _, ok := s.dfs([]constraint.Expr{ev.cond}, s.initialDoms(), nil, ctx); !ok {
		return ev.first
	}
	if ctx.planKey != "" && len(ev.plans) < 100000 {
		ev.plans[ctx.planKey] = ctx.plan
	}
	return ctx.plan
}
