package solver

// The search: a field's domain in a partial solution is a node; meeting a
// node with a predicate is memoized; disjunctions are chosen lazily with
// backtracking; a solution becomes a plan of the fields to draw.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/constraint"
)

// node is a field's domain in a partial solution. Nodes are shared between
// solutions and documents: meeting a node with a predicate is memoized.
type node struct {
	field   int32
	dom     domain
	present bool // a positive predicate requires a value
	absent  bool // "not f : *" requires no value
	preds   []int32
	rels    []int32 // field-to-field predicates, resolved per document
	// sameKey is the node made by a meet before this one whose fields and
	// predicates hash the same (Solver.byKey), -1 for none.
	sameKey int32
}

type eventPlan struct {
	cond constraint.Expr
	// init is the event's starting domains: its join fields present (nil:
	// the initial domains).
	init   []int32
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

// startDoms is where a search for event ev starts.
func (s *Solver) startDoms(ev *eventPlan) []int32 {
	if ev.init != nil {
		return slices.Clone(ev.init)
	}
	return s.initialDoms()
}

func (s *Solver) initialDoms() []int32 {
	d := make([]int32, len(s.fields))
	for i := range d {
		d[i] = int32(i)
	}
	return d
}

// memoKey is the key of memo for meeting node n with predicate p (a
// negative p: see meetAcross), one word that maps hash fast.
func memoKey(n, p int32) uint64 { return uint64(uint32(n))<<32 | uint64(uint32(p)) }

// meet returns the node for n with predicate p, or the conflict.
func (s *Solver) meet(n, p int32) (int32, *Conflict) {
	key := memoKey(n, p)
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
	// A node is its field and predicates: the same ones met in another
	// order are the same node, which then needs no new domain (the same
	// predicates leave the same values, whatever their order).
	at, _ := slices.BinarySearch(n.preds, pi) // n.preds is sorted, without pi
	preds := make([]int32, len(n.preds)+1)
	copy(preds, n.preds[:at])
	preds[at] = pi
	copy(preds[at+1:], n.preds[at:])
	k := predsHash(n.field, preds)
	last, ok := s.byKey[k]
	for id := last; ok && id >= 0; id = s.nodes[id].sameKey {
		if o := s.nodes[id]; o.field == n.field && slices.Equal(o.preds, preds) {
			return id, nil
		}
	}
	p := s.preds[pi]
	field := s.fields[n.field]
	c := &node{field: n.field, dom: n.dom, present: n.present, absent: n.absent, rels: n.rels, preds: preds, sameKey: -1}
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
	id := int32(len(s.nodes))
	s.nodes = append(s.nodes, c)
	if ok {
		c.sameKey = last
	}
	s.byKey[k] = id
	return id, nil
}

// predsHash hashes a field and its (sorted) predicates, for byKey.
func predsHash(field int32, preds []int32) uint64 {
	h := uint64(14695981039346656037)
	h = (h ^ uint64(uint32(field))) * 1099511628211
	for _, p := range preds {
		h = (h ^ uint64(uint32(p))) * 1099511628211
	}
	return h
}

// altChoice is the alternative a solution takes at a disjunction.
type altChoice struct {
	or  *constraint.Or
	alt int
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
	// toForced, when set, holds the expressions the forced disjunction
	// lies in (itself included): a branch whose pending expressions hold
	// none of them cannot reach it and is not searched.
	toForced map[constraint.Expr]bool
	// towardsForced: of the pending disjunctions, take first one that
	// leads to the forced one (a search that looks for a solution, not
	// for the conflicts of none).
	towardsForced bool
	// path is the choices of a solution found: the alternative taken at
	// each disjunction on its way (innermost first), and hard its domains
	// before preferences.
	path []altChoice
	hard []int32
	// plans known so far (may be nil); plan is the leaf's plan, and
	// planKey its key when it is new.
	plans   map[string]*plan
	plan    *plan
	planKey string
	// event is the query event being solved (Event.src): preferences of
	// other events do not apply.
	event int
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
//
// dfs owns agenda (every caller passes a new slice); ors is copied before
// it grows, and doms before it changes.
func (s *Solver) dfs(agenda []constraint.Expr, doms []int32, ors []*constraint.Or, ctx *searchCtx) ([]int32, bool) {
	doms = slices.Clone(doms)
	ownOrs := false
	stack := agenda
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
			stack = slices.Grow(stack, len(x.X))
			for i := len(x.X) - 1; i >= 0; i-- {
				stack = append(stack, x.X[i])
			}
		case *constraint.Or:
			if !ownOrs {
				ors = append(make([]*constraint.Or, 0, len(ors)+4), ors...)
				ownOrs = true
			}
			ors = append(ors, x)
		case *constraint.Bool:
			if !x.V {
				ctx.fail(&Conflict{Field: "query", reason: "condition is always false"})
				return nil, false
			}
		}
	}
	if len(ors) == 0 {
		if ctx.forced != nil && !ctx.reached {
			return nil, false
		}
		// Preferences hold where they can.
		hard := doms
		doms = s.preferred(doms, ctx.event)
		// A solution whose fields cannot form a document (a value and an
		// object at one name, ...) is a conflict: look further.
		key := planKey(doms)
		if p, ok := ctx.plans[key]; ok {
			ctx.plan, ctx.hard = p, hard
			return doms, true
		}
		p, conf := s.planOf(doms)
		if conf != nil && len(s.soft) > 0 {
			doms = hard
			key = planKey(doms)
			p, conf = s.planOf(doms)
		}
		if conf != nil {
			ctx.fail(conf)
			return nil, false
		}
		ctx.plan, ctx.planKey, ctx.hard = p, key, hard
		return doms, true
	}
	or, rest := ors[0], ors[1:]
	if ctx.towardsForced && !ctx.toForced[or] {
		if k := slices.IndexFunc(ors, func(o *constraint.Or) bool { return ctx.toForced[o] }); k > 0 {
			or = ors[k]
			rest = append(append(make([]*constraint.Or, 0, len(ors)-1), ors[:k]...), ors[k+1:]...)
		}
	}
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
	if or != ctx.forced {
		// An alternative that holds already (A and (A or B)) is tried
		// first: it adds nothing, where another would meet new
		// predicates (a large automaton product) only to be undone when
		// a later conflict backtracks.
		if at := slices.IndexFunc(order, func(i int) bool { return s.holds(or.X[i], doms, rest) }); at > 0 {
			h := order[at]
			copy(order[1:at+1], order[:at])
			order[0] = h
		}
	}
	prune := ctx.toForced != nil && !ctx.reached && or != ctx.forced && !slices.ContainsFunc(rest, func(o *constraint.Or) bool { return ctx.toForced[o] })
	for _, i := range order {
		if prune && !ctx.toForced[or.X[i]] {
			continue
		}
		ctx.steps++
		if ctx.steps > ctx.budget {
			ctx.exhausted = true
			return nil, false
		}
		if res, ok := s.dfs([]constraint.Expr{or.X[i]}, doms, rest, ctx); ok {
			ctx.path = append(ctx.path, altChoice{or, i})
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

// holds reports whether e holds in every solution from doms with the
// disjunctions pending: a predicate its field's node has met already, a
// disjunction pending (the same one, or a copy of it: the lowering repeats
// a condition), one of whose alternatives holds, or a conjunction of such.
// It only orders the search: a wrong "no" costs time, never a solution.
func (s *Solver) holds(e constraint.Expr, doms []int32, pending []*constraint.Or) bool {
	switch x := e.(type) {
	case *constraint.Pred:
		pi, ok := s.predID[x]
		return ok && slices.Contains(s.nodes[doms[s.predField[pi]]].preds, pi)
	case *constraint.And:
		for _, y := range x.X {
			if !s.holds(y, doms, pending) {
				return false
			}
		}
		return len(x.X) > 0
	case *constraint.Or:
		if len(pending) > 0 {
			k := s.exprKey(x)
			if slices.ContainsFunc(pending, func(o *constraint.Or) bool { return o == x || s.exprKey(o) == k }) {
				return true
			}
		}
		return slices.ContainsFunc(x.X, func(y constraint.Expr) bool { return s.holds(y, doms, nil) })
	case *constraint.Bool:
		return x.V
	}
	return false
}

// exprKey is e's shape by predicate ids: copies of one condition share it.
// Disjunctions' keys are kept.
func (s *Solver) exprKey(e constraint.Expr) string {
	switch x := e.(type) {
	case *constraint.Pred:
		if pi, ok := s.predID[x]; ok {
			return strconv.Itoa(int(pi))
		}
		return "?" + x.String()
	case *constraint.Bool:
		return strconv.FormatBool(x.V)
	case *constraint.And:
		return "&(" + s.exprKeys(x.X) + ")"
	case *constraint.Or:
		if k, ok := s.orKey[x]; ok {
			return k
		}
		k := "|(" + s.exprKeys(x.X) + ")"
		if s.orKey == nil {
			s.orKey = map[*constraint.Or]string{}
		}
		s.orKey[x] = k
		return k
	}
	return fmt.Sprintf("%T", e)
}

func (s *Solver) exprKeys(xs []constraint.Expr) string {
	var b strings.Builder
	for i, y := range xs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s.exprKey(y))
	}
	return b.String()
}

// deadAlternatives finds the authored alternatives of ev that no solution
// can choose. An alternative is alive when a solution takes it: the
// solutions found along the way (first, the one New found) prove many at
// once, and the search for one through a given alternative skips the
// branches that cannot reach it. Only an alternative no such search can
// take gets the full forced search, whose conflicts the warning names.
func (s *Solver) deadAlternatives(ev *eventPlan, first []altChoice, firstHard []int32) []Warning {
	var out []Warning
	alive := map[altChoice]bool{}
	sw := s.newSwapper(ev)
	sw.add(first, firstHard)
	witness := func(path []altChoice) {
		// An alternative is proven only where the solution takes it at
		// every occurrence of its disjunction.
		for or, i := range takenAlts(path) {
			if i >= 0 {
				alive[altChoice{or, i}] = true
			}
		}
	}
	witness(first)
	var visit func(e constraint.Expr)
	visit = func(e constraint.Expr) {
		switch x := e.(type) {
		case *constraint.And:
			for _, y := range x.X {
				visit(y)
			}
		case *constraint.Or:
			var toForced map[constraint.Expr]bool
			for i, alt := range x.X {
				if x.Authored && !alive[altChoice{x, i}] && sw.alive(x, i) {
					alive[altChoice{x, i}] = true
				}
				if x.Authored && !alive[altChoice{x, i}] {
					if toForced == nil {
						toForced = map[constraint.Expr]bool{}
						reaches(ev.cond, x, toForced)
					}
					// First a short search that decides the way to x
					// before anything else: a solution it finds proves
					// the alternative alive (the searches below would find
					// one too, or give up: no warning either way).
					if aliveShortcuts {
						ctx := &searchCtx{budget: checkBudget / 100, forced: x, forcedAlt: i, event: ev.src, toForced: toForced, towardsForced: true}
						if _, ok := s.dfs([]constraint.Expr{ev.cond}, s.startDoms(ev), nil, ctx); ok {
							witness(ctx.path)
							sw.add(ctx.path, ctx.hard)
							visit(alt)
							continue
						}
					}
					ctx := &searchCtx{budget: checkBudget / 10, forced: x, forcedAlt: i, event: ev.src, toForced: toForced}
					if _, ok := s.dfs([]constraint.Expr{ev.cond}, s.startDoms(ev), nil, ctx); ok {
						witness(ctx.path)
						sw.add(ctx.path, ctx.hard)
					} else {
						ctx = &searchCtx{budget: checkBudget / 10, forced: x, forcedAlt: i, event: ev.src}
						if _, ok := s.dfs([]constraint.Expr{ev.cond}, s.startDoms(ev), nil, ctx); ok {
							witness(ctx.path)
							sw.add(ctx.path, ctx.hard)
						} else if !ctx.exhausted && ctx.reached == false {
							if cs := ctx.distinctConflicts(); len(cs) > 0 {
								out = append(out, Warning{Span: alt.Source(), Conflict: cs[len(cs)-1]})
							}
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

// swapper proves alternatives alive from the solutions found so far
// without a search each: where a solution takes alternative k of a
// disjunction and k is a predicate or a conjunction of predicates, the
// solution with k's predicates swapped for alternative i's, when i is
// such too, is a solution when the domains admit them and the fields
// still form a document. (A search forced through i, which it saves,
// finds a solution then: the warnings are the same.) Swaps are tried
// only where every event starts from the initial domains and each of k's
// predicates appears once in the condition; any doubt leaves the
// alternative to the search.
type swapper struct {
	s     *Solver
	ev    *eventPlan
	count map[*constraint.Pred]int // occurrences of each predicate in the condition
	// at holds, for each disjunction, the first solution that takes one
	// alternative of it, and base that solution's domains without the
	// alternative's predicates (nil: none).
	at   map[*constraint.Or]swapFrom
	base map[*constraint.Or][]int32
}

// swapFrom is a solution's domains before preferences, and the
// alternative it takes at a disjunction.
type swapFrom struct {
	hard []int32
	alt  int
}

// aliveShortcuts turns on the ways to prove alternatives alive without
// the full searches: swaps and searches towards the alternative (tests
// compare without them).
var aliveShortcuts = true

func (s *Solver) newSwapper(ev *eventPlan) *swapper {
	if !aliveShortcuts || ev.init != nil {
		return nil
	}
	for _, e := range s.events {
		if e.init != nil {
			return nil
		}
	}
	sw := &swapper{s: s, ev: ev, count: map[*constraint.Pred]int{}, at: map[*constraint.Or]swapFrom{}, base: map[*constraint.Or][]int32{}}
	constraint.EachPred(ev.cond, func(p *constraint.Pred) { sw.count[p]++ })
	return sw
}

// takenAlts is the alternative a solution's path takes of each of its
// disjunctions: -1 where it takes different ones at different
// occurrences.
func takenAlts(path []altChoice) map[*constraint.Or]int {
	taken := map[*constraint.Or]int{}
	for _, c := range path {
		if i, ok := taken[c.or]; ok && i != c.alt {
			taken[c.or] = -1
			continue
		}
		taken[c.or] = c.alt
	}
	return taken
}

// add records a solution: its choices and its domains before preferences.
func (sw *swapper) add(path []altChoice, hard []int32) {
	if sw == nil || hard == nil {
		return
	}
	for or, k := range takenAlts(path) {
		if _, ok := sw.at[or]; !ok && k >= 0 {
			sw.at[or] = swapFrom{hard, k}
		}
	}
}

// preds are alternative e's predicates when it is a predicate or a
// conjunction of predicates, each on one field (no relation of two).
func (sw *swapper) preds(e constraint.Expr) ([]*constraint.Pred, bool) {
	var ps []*constraint.Pred
	switch x := e.(type) {
	case *constraint.Pred:
		ps = []*constraint.Pred{x}
	case *constraint.And:
		for _, y := range x.X {
			p, ok := y.(*constraint.Pred)
			if !ok {
				return nil, false
			}
			ps = append(ps, p)
		}
	default:
		return nil, false
	}
	for _, p := range ps {
		if _, ok := sw.s.predID[p]; !ok || p.Op == constraint.Rel {
			return nil, false
		}
	}
	return ps, true
}

// alive reports whether swapping alternative i of x into a solution that
// takes another alternative of x makes a solution.
func (sw *swapper) alive(x *constraint.Or, i int) bool {
	if sw == nil {
		return false
	}
	s := sw.s
	add, ok := sw.preds(x.X[i])
	if !ok {
		return false
	}
	from, ok := sw.at[x]
	if !ok {
		return false
	}
	base, ok := sw.base[x]
	if !ok {
		base = sw.baseOf(x, from)
		sw.base[x] = base
	}
	if base == nil {
		return false
	}
	doms := slices.Clone(base)
	for _, p := range add {
		pi := s.predID[p]
		g := s.predField[pi]
		n, conf := s.meet(doms[g], pi)
		if conf != nil {
			return false
		}
		doms[g] = n
	}
	// As a leaf of the search: preferences where they hold, else none.
	if _, conf := s.planOf(s.preferred(doms, sw.ev.src)); conf == nil {
		return true
	}
	if len(s.soft) == 0 {
		return false
	}
	_, conf := s.planOf(doms)
	return conf == nil
}

// baseOf is solution from's domains without the predicates of the
// alternative of x it takes, the fields of those met anew from their
// initial nodes; nil when the alternative is not predicates each
// appearing once in the condition, or when a node conflicts.
func (sw *swapper) baseOf(x *constraint.Or, from swapFrom) []int32 {
	s := sw.s
	drop, ok := sw.preds(x.X[from.alt])
	if !ok {
		return nil
	}
	dropped := map[int32]bool{}
	for _, p := range drop {
		if sw.count[p] != 1 {
			return nil
		}
		dropped[s.predID[p]] = true
	}
	base := slices.Clone(from.hard)
	start := s.startDoms(sw.ev)
	done := map[int32]bool{}
	for _, p := range drop {
		f := s.predField[s.predID[p]]
		if done[f] {
			continue
		}
		done[f] = true
		n := start[f]
		for _, pi := range s.nodes[from.hard[f]].preds {
			if dropped[pi] {
				continue
			}
			var conf *Conflict
			if n, conf = s.meet(n, pi); conf != nil {
				return nil
			}
		}
		base[f] = n
	}
	return base
}

// reaches marks in set the expressions of e that hold target (target
// included), and reports whether e does.
func reaches(e constraint.Expr, target *constraint.Or, set map[constraint.Expr]bool) bool {
	if in, ok := set[e]; ok {
		return in
	}
	found := false
	switch x := e.(type) {
	case *constraint.And:
		for _, y := range x.X {
			found = reaches(y, target, set) || found
		}
	case *constraint.Or:
		found = x == target
		for _, y := range x.X {
			found = reaches(y, target, set) || found
		}
	default:
		return false
	}
	set[e] = found
	return found
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
					return nil, conflictf(s.fields[i], "%s: no common value (%s)", pred.Span.Text, conf.Reason())
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
				if s.nodes[m].present && under(s.fields[j], s.fields[i]) {
					return nil, conflictf(s.fields[i], "must be absent, and %s is under it", s.fields[j])
				}
			}
		}
		if !s.nodes[n].present {
			continue
		}
		for j, m := range doms {
			if i != j && s.nodes[m].present && under(s.fields[j], s.fields[i]) {
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

// under reports whether field f is under object field obj (f begins with
// obj and a dot), without building obj+".".
func under(f, obj string) bool {
	return len(f) > len(obj) && f[len(obj)] == '.' && strings.HasPrefix(f, obj)
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
	ctx := &searchCtx{r: r, budget: generateBudget, plans: ev.plans, event: ev.src}
	if _, ok := s.dfs([]constraint.Expr{ev.cond}, s.startDoms(ev), nil, ctx); !ok {
		return ev.first
	}
	if ctx.planKey != "" && len(ev.plans) < 100000 {
		ev.plans[ctx.planKey] = ctx.plan
	}
	return ctx.plan
}

// preferred meets a solution of query event ev with each preference of
// the event that its domains allow.
func (s *Solver) preferred(doms []int32, ev int) []int32 {
	if len(s.soft) == 0 {
		return doms
	}
	out := doms
	for _, pi := range s.soft {
		if in, ok := s.softIn[pi]; ok && in != ev {
			continue
		}
		f := s.predField[pi]
		n, conf := s.meet(out[f], pi)
		if conf != nil {
			continue
		}
		if p := s.preds[pi]; p.Op == constraint.Rel {
			// Both fields of a relation hold values.
			o := s.relOther[pi]
			if s.nodes[out[o]].absent {
				continue
			}
		}
		if &out[0] == &doms[0] {
			out = slices.Clone(doms)
		}
		out[f] = n
	}
	return out
}
