package esql

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/interval"
)

// MaxMembers bounds the documents of one lowered group; emit's generator
// applies its own, lower cap (see Plan.Size).
const MaxMembers = 1_000_000

// maxConjunctions bounds the alternatives of a group condition tried.
const maxConjunctions = 64

// maxPlans bounds the alternative plans Lower returns.
const maxPlans = 8

// member is one row of a group: a row of the level below with its
// conditions.
type member struct {
	conds []Expr
	// roles are the conditions (by text) asserted true of the member, and
	// nots those asserted not true.
	roles map[string]bool
	nots  map[string]bool
	// witness: the member already holds a "some member" requirement.
	witness bool
	// keys are the keys of the conditions, shared by the members of a
	// lowering.
	keys exprKeys
}

func newMember(keys exprKeys) *member {
	return &member{roles: map[string]bool{}, nots: map[string]bool{}, keys: keys}
}

// exprKeys holds the keys (exprKey) of the expressions a lowering asks
// for again and again (the conditions of a group's members), by node:
// the nodes of a lowering are not changed once made.
type exprKeys map[Expr]string

func (ks exprKeys) of(e Expr) string {
	if k, ok := ks[e]; ok {
		return k
	}
	k := exprKey(e)
	ks[e] = k
	return k
}

func (m *member) assert(phi Expr) {
	if phi == nil {
		return
	}
	k := m.keys.of(phi)
	if !m.roles[k] {
		m.roles[k] = true
		m.conds = append(m.conds, phi)
		// A conjunction asserts each of its parts.
		var parts func(e Expr)
		parts = func(e Expr) {
			if a, ok := e.(*And); ok {
				for _, x := range a.X {
					m.roles[m.keys.of(x)] = true
					parts(x)
				}
			}
		}
		parts(phi)
	}
}

func (m *member) deny(phi Expr) {
	if phi == nil {
		return
	}
	k := m.keys.of(phi)
	if !m.nots[k] {
		m.nots[k] = true
		m.conds = append(m.conds, notTrueExpr(phi))
	}
}

// roleSig names the member's roles.
func (m *member) roleSig() string {
	return strings.Join(slices.Sorted(maps.Keys(m.roles)), "\x00")
}

// rolesOf is the roles asserting phi gives a member.
func rolesOf(keys exprKeys, phi Expr) map[string]bool {
	m := newMember(keys)
	m.assert(phi)
	return m.roles
}

// has reports whether the member is asserted to meet phi (nil: anything).
func (m *member) has(phi Expr) bool { return phi == nil || m.roles[m.keys.of(phi)] }

// free reports whether the member can take on phi: no role yet, or phi.
func (m *member) free(phi Expr) bool {
	if phi == nil || m.has(phi) {
		return true
	}
	return len(m.roles) == 0 && !m.nots[m.keys.of(phi)]
}

// groupPlan is how one group is made.
type groupPlan struct {
	members  []*member
	shares   []shareSpec
	distinct []shareSpec
	span     timeSpan
	// upper: some requirement bounds the group from above (its key must
	// be fresh in the run).
	upper bool
}

// shareSpec is an expression whose value the listed members share (or,
// for distinct, hold pairwise different).
type shareSpec struct {
	e       Expr
	members []*member
}

// compose makes a group meeting a conjunction of requirements.
func (l *lowerer) compose(n int, g *groupAlg, reqs []any, policy int) (*groupPlan, error) {
	p := &groupPlan{span: timeSpan{lo: 0, hi: -1}}
	sets := map[string]*termIn{}
	var terms []string
	var every []everyMember
	var some []someMember
	var shares []shareValue
	var sums []sumIn
	var checks []check
	var orders []timeOrder
	vsets := map[string]reals{}
	for _, r := range reqs {
		switch x := r.(type) {
		case termIn:
			if s, ok := sets[x.t.key]; ok {
				s.set = s.set.Intersect(x.set)
				s.nullOK = s.nullOK && x.nullOK
			} else {
				c := x
				sets[x.t.key] = &c
				terms = append(terms, x.t.key)
			}
		case everyMember:
			every = append(every, x)
		case someMember:
			some = append(some, x)
		case shareValue:
			shares = append(shares, x)
			p.upper = true
		case sumIn:
			sums = append(sums, x)
		case timeSpan:
			p.span.lo = max(p.span.lo, x.lo)
			if x.hi >= 0 && (p.span.hi < 0 || x.hi < p.span.hi) {
				p.span.hi = x.hi
			}
		case timeOrder:
			orders = append(orders, x)
		case check:
			checks = append(checks, x)
		case valueIn:
			if v, ok := vsets[x.t.key]; ok {
				vsets[x.t.key] = v.Intersect(x.set)
			} else {
				vsets[x.t.key] = x.set
			}
		case negated:
			return nil, l.unsupported(x.loc, "the negation of a condition on a group that has no exact complement")
		}
	}
	if p.span.hi >= 0 && p.span.lo > p.span.hi {
		return nil, l.unsupported(Loc{}, "the group's time span must be at least %s and at most %s", p.span.lo, p.span.hi)
	}
	// Terms the checks read need values too.
	for _, c := range checks {
		var err error
		walkAll(c.e, func(x Expr) bool {
			if r, ok := x.(*aggRef); ok {
				t, terr := g.termOf(r)
				if terr != nil {
					err = terr
					return false
				}
				if _, ok := sets[t.key]; !ok {
					set := interval.AllFloats()
					if v, ok := vsets[t.key]; ok {
						set = v
					}
					sets[t.key] = &termIn{t: t, set: set}
					terms = append(terms, t.key)
				}
				return false // its arguments read the level below
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	// Values for the counts: the least each set admits, then a search
	// when a check fails.
	targets := map[string]int{}
	for _, k := range terms {
		s := sets[k]
		ints := interval.Ints(s.set.Clamp(0, interval.Float(math.Inf(1))))
		if ints.IsEmpty() {
			return nil, l.unsupported(s.t.ref.Loc, "%s can take no value the conditions allow", describe2(s.t.ref))
		}
		v := float64(ints.Min())
		if v == 0 && s.t.kind == tDistinct && policy == 0 && ints.Contains(1) {
			// A distinct count reads a field the members usually hold: one
			// value rather than none, unless that fails.
			v = 1
		}
		if s.t.kind == tCount && s.t.weight != 1 {
			// weight times a whole number of members.
			v = math.Ceil(v/s.t.weight) * s.t.weight
			if !s.set.Contains(interval.Float(v)) {
				return nil, l.unsupported(s.t.ref.Loc, "%s can take no value the conditions allow", describe2(s.t.ref))
			}
		}
		if v > MaxMembers && (s.t.kind == tCount || s.t.kind == tDistinct) {
			return nil, l.unsupported(s.t.ref.Loc, "%s needs %g documents in one group (at most %d)", describe2(s.t.ref), v, MaxMembers)
		}
		targets[k] = int(v)
	}
	checked := map[string]bool{}
	if len(checks) > 0 {
		if err := l.searchChecks(g, checks, sets, terms, targets); err != nil {
			return nil, err
		}
		for _, c := range checks {
			walkAll(c.e, func(x Expr) bool {
				if r, ok := x.(*aggRef); ok {
					if t, err := g.termOf(r); err == nil {
						checked[t.key] = true
					}
					return false
				}
				return true
			})
		}
	}
	// The aggregates of values the checks read take the values found:
	// every member they read holds that value (its SUM, a share).
	for _, k := range terms {
		t := sets[k].t
		switch t.kind {
		case tCount, tDistinct:
			continue
		case tSum:
			v := float64(targets[k])
			sums = append(sums, sumIn{t: t, lo: v, hi: v, loc: t.ref.Loc})
			continue
		}
		loc := t.ref.Loc
		v := constExprOf(cval{k: cInt, i: int64(targets[k])}, loc)
		eq := &Compare{Op: Eq, L: t.e, R: v, Loc: loc}
		// Every member holds the value; of a MAX (MIN), none holds more
		// (less), and one holds it.
		all := Expr(eq)
		switch t.kind {
		case tMax:
			all = &Compare{Op: Le, L: t.e, R: v, Loc: loc}
		case tMin:
			all = &Compare{Op: Ge, L: t.e, R: v, Loc: loc}
		}
		every = append(every, everyMember{phi: t.phi, cond: orNull(t.e, all)})
		some = append(some, someMember{phi: t.phi, cond: eq})
	}
	bounded := func(s *termIn) bool {
		return !math.IsInf(float64(interval.Ints(s.set.Clamp(0, interval.Float(math.Inf(1)))).Max()), 1)
	}
	hiOf := func(s *termIn) int {
		return int(interval.Ints(s.set.Clamp(0, interval.Float(math.Inf(1)))).Max())
	}
	var total *termIn
	for _, k := range terms {
		s := sets[k]
		if s.t.kind == tCount && s.t.phi == nil && s.t.weight == 1 {
			total = s
		}
		if (s.t.kind == tCount || s.t.kind == tDistinct) && bounded(s) {
			p.upper = true
		}
	}
	// Distinct counts first, most values first.
	sort.SliceStable(terms, func(i, j int) bool {
		a, b := sets[terms[i]], sets[terms[j]]
		if (a.t.kind == tDistinct) != (b.t.kind == tDistinct) {
			return a.t.kind == tDistinct
		}
		return targets[terms[i]] > targets[terms[j]]
	})
	// take picks k members that meet phi: those asserted to, then those
	// that can take it on, then new ones.
	take := func(phi Expr, k int) []*member {
		var out []*member
		picked := map[*member]bool{}
		for _, m := range p.members {
			if len(out) == k {
				break
			}
			if phi != nil && m.has(phi) {
				out = append(out, m)
				picked[m] = true
			}
		}
		for _, m := range p.members {
			if len(out) == k {
				break
			}
			if !picked[m] && m.free(phi) {
				out = append(out, m)
				picked[m] = true
			}
		}
		for len(out) < k {
			m := newMember(l.keys)
			p.members = append(p.members, m)
			out = append(out, m)
		}
		for _, m := range out {
			m.assert(phi)
		}
		return out
	}
	distinctOf := map[string][]*member{}
	for _, k := range terms {
		s := sets[k]
		t := s.t
		want := targets[k]
		switch t.kind {
		case tDistinct:
			if want == 0 {
				continue
			}
			vals, enumerated := constBranches(t.e)
			if enumerated && len(vals) < want {
				return nil, l.unsupported(t.ref.Loc, "%s needs %d different values; %s has %d", describe2(t.ref), want, t.e.Location().Text(l.src), len(vals))
			}
			ms := take(t.phi, want)
			for j, m := range ms {
				if enumerated {
					// A role: the value may rule out another requirement's
					// condition (a CASE of the same field).
					m.assert(&Compare{Op: Eq, L: t.e, R: constExprOf(vals[j], t.ref.Loc), Loc: t.ref.Loc})
				} else {
					m.conds = append(m.conds, &IsNull{X: t.e, Not: true, Loc: t.ref.Loc})
				}
			}
			distinctOf[k] = ms
			if !enumerated && len(ms) > 1 {
				p.distinct = append(p.distinct, shareSpec{e: t.e, members: ms})
			}
		case tCount:
			if t.phi == nil {
				continue
			}
			if need := int(math.Ceil(float64(want) / t.weight)); need > 0 {
				take(t.phi, need)
			}
		}
	}
	// The total count: fill up to its least value.
	if total != nil {
		for len(p.members) < targets[total.t.key] {
			p.members = append(p.members, newMember(l.keys))
		}
	}
	// Some member: a witness each, on a member of its own where the total
	// leaves room; that some member's value is present takes no member of
	// its own.
	for _, w := range some {
		var at *member
		if presence(w.cond) {
			for _, m := range p.members {
				if m.has(w.phi) {
					at = m
					break
				}
			}
			if at == nil && len(p.members) > 0 && w.phi == nil {
				at = p.members[0]
			}
			if at != nil {
				at.conds = append(at.conds, w.cond)
				continue
			}
		}
		// A member that already meets the condition in its role (a
		// count's) is the witness; else one whose roles are the
		// witness's at most.
		for _, m := range p.members {
			if m.has(w.phi) && m.has(w.cond) {
				at = m
				break
			}
		}
		if at == nil {
			for _, m := range p.members {
				if m.has(w.phi) && !m.witness && len(m.roles) <= len(rolesOf(l.keys, w.phi)) {
					at = m
					break
				}
			}
		}
		if at == nil {
			for _, m := range p.members {
				if m.has(w.phi) && !m.witness {
					at = m
					break
				}
			}
		}
		if at == nil {
			for _, m := range p.members {
				if m.free(w.phi) && !m.witness {
					at = m
					break
				}
			}
		}
		if at == nil && total != nil && bounded(total) && len(p.members) >= hiOf(total) {
			for _, m := range p.members {
				if m.free(w.phi) {
					at = m
					break
				}
			}
		}
		if at == nil {
			at = newMember(l.keys)
			p.members = append(p.members, at)
		}
		at.assert(w.phi)
		at.conds = append(at.conds, w.cond)
		at.witness = true
	}
	if len(p.members) == 0 {
		p.members = append(p.members, newMember(l.keys))
	}
	// Counts bounded above, and those the checks read: the members
	// beyond the count do not meet its condition.
	for _, k := range terms {
		s := sets[k]
		t := s.t
		if t.kind != tCount || t.phi == nil || !bounded(s) && !checked[k] {
			continue
		}
		n := 0
		for _, m := range p.members {
			if m.has(t.phi) {
				n++
			}
		}
		if bounded(s) && float64(n)*t.weight > float64(hiOf(s)) {
			return nil, l.unsupported(t.ref.Loc, "%s is at most %d, but the group needs %d such documents", describe2(t.ref), hiOf(s), n)
		}
		for _, m := range p.members {
			if !m.has(t.phi) {
				m.deny(t.phi)
			}
		}
	}
	if total != nil && bounded(total) && len(p.members) > hiOf(total) {
		return nil, l.unsupported(total.t.ref.Loc, "the group needs %d documents, but %s is at most %d", len(p.members), describe2(total.t.ref), hiOf(total))
	}
	// Distinct counts bounded above: the other members that count repeat
	// a value (the first member's), or do not count.
	for _, k := range terms {
		s := sets[k]
		t := s.t
		if t.kind != tDistinct || !bounded(s) {
			continue
		}
		ms := distinctOf[k]
		counted := andExpr(t.phi, &IsNull{X: t.e, Not: true, Loc: t.ref.Loc})
		if targets[k] == 0 {
			for _, m := range p.members {
				m.conds = append(m.conds, notTrueExpr(counted))
			}
			continue
		}
		if vals, enumerated := constBranches(t.e); enumerated {
			same := orNull(t.e, &Compare{Op: Eq, L: t.e, R: constExprOf(vals[0], t.ref.Loc), Loc: t.ref.Loc})
			for _, m := range p.members {
				if hasMember(ms, m) {
					continue
				}
				if t.phi == nil || m.has(t.phi) {
					m.conds = append(m.conds, same)
				} else {
					m.conds = append(m.conds, &Or{X: []Expr{notTrueExpr(t.phi), same}, Loc: t.ref.Loc})
				}
			}
			continue
		}
		share := shareSpec{e: t.e}
		if len(ms) > 0 {
			share.members = append(share.members, ms[0])
		}
		// The members by their roles: members of different roles (a
		// trusted and an untrusted source) may not be able to share a
		// value; each role shares its own while the bound allows.
		var sigs []string
		classes := map[string][]*member{}
		for _, m := range p.members {
			if hasMember(ms, m) {
				continue
			}
			if t.phi != nil && !m.has(t.phi) {
				m.deny(t.phi)
				continue
			}
			share.members = append(share.members, m)
			sig := m.roleSig()
			if classes[sig] == nil {
				sigs = append(sigs, sig)
			}
			classes[sig] = append(classes[sig], m)
		}
		if len(sigs) > 1 || len(sigs) == 1 && len(ms) > 0 && ms[0].roleSig() != sigs[0] {
			values := len(ms)
			var split []shareSpec
			for _, sig := range sigs {
				spec := shareSpec{e: t.e}
				for _, m := range ms {
					if m.roleSig() == sig {
						spec.members = append(spec.members, m)
						break
					}
				}
				if len(spec.members) == 0 {
					values++
				}
				spec.members = append(spec.members, classes[sig]...)
				split = append(split, spec)
			}
			if values <= hiOf(s) {
				for _, spec := range split {
					if len(spec.members) > 1 {
						p.shares = append(p.shares, spec)
					}
				}
				continue
			}
		}
		if len(share.members) > 1 {
			p.shares = append(p.shares, share)
		}
	}
	// Every member (where its condition holds) meets these.
	for _, e := range every {
		for _, m := range p.members {
			switch {
			case e.phi == nil || m.has(e.phi):
				m.conds = append(m.conds, e.cond)
			case m.nots[m.keys.of(e.phi)]:
			default:
				m.conds = append(m.conds, &Or{X: []Expr{notTrueExpr(e.phi), e.cond}, Loc: e.cond.Location()})
			}
		}
	}
	// Sums: each member that counts takes its share of the bounds.
	for _, sm := range sums {
		var ms []*member
		for _, m := range p.members {
			if sm.t.phi == nil || m.has(sm.t.phi) {
				ms = append(ms, m)
			} else {
				m.deny(sm.t.phi)
			}
		}
		if len(ms) == 0 {
			m := p.members[0]
			m.assert(sm.t.phi)
			ms = []*member{m}
		}
		k := float64(len(ms))
		for _, m := range ms {
			m.conds = append(m.conds, &IsNull{X: sm.t.e, Not: true, Loc: sm.loc})
			if !math.IsInf(sm.lo, -1) {
				m.conds = append(m.conds, &Compare{Op: Ge, L: sm.t.e, R: constExprOf(cval{k: cFloat, f: sm.lo / k}, sm.loc), Loc: sm.loc})
			}
			if !math.IsInf(sm.hi, 1) {
				m.conds = append(m.conds, &Compare{Op: Le, L: sm.t.e, R: constExprOf(cval{k: cFloat, f: sm.hi / k}, sm.loc), Loc: sm.loc})
			}
		}
	}
	// Shared values.
	for _, sh := range shares {
		spec := shareSpec{e: sh.e}
		for _, m := range p.members {
			if sh.phi == nil || !m.nots[m.keys.of(sh.phi)] {
				spec.members = append(spec.members, m)
			}
		}
		if len(spec.members) > 1 {
			p.shares = append(p.shares, spec)
		}
	}
	// Order in time: the members of a timeOrder's first side first, none
	// of them on the second side, and the second side's members not on
	// the first.
	for _, o := range orders {
		if o.a == nil || o.b == nil {
			continue
		}
		var first, last []*member
		for _, m := range p.members {
			if m.has(o.b) {
				if m.has(o.a) {
					return nil, l.unsupported(o.b.Location(), "a member both before and after itself")
				}
				m.deny(o.a)
				last = append(last, m)
			} else {
				m.deny(o.b)
				first = append(first, m)
			}
		}
		p.members = append(first, last...)
	}
	// The checks on the counts the members make (a witness or a distinct
	// value may add members a count reads): when they fail, again with
	// those counts as the least.
	if len(checks) > 0 {
		real := map[string]int{}
		for k, v := range targets {
			real[k] = v
		}
		var raise []any
		for k := range checked {
			t := sets[k].t
			if t.kind != tCount {
				continue
			}
			n := 0
			for _, m := range p.members {
				if t.phi == nil || m.has(t.phi) {
					n++
				}
			}
			v := int(math.Ceil(float64(n) * t.weight))
			real[k] = v
			if v > targets[k] {
				raise = append(raise, termIn{t: t, set: interval.Compare(interval.Ge, float64(v))})
			}
		}
		if !checksHold(g, checks, real) {
			if len(raise) == 0 || g.recomposed >= 4 {
				return nil, l.unsupported(checks[0].e.Location(), "no group found for which %s holds", checks[0].e.Location().Text(l.src))
			}
			g.recomposed++
			return l.compose(n, g, append(slices.Clip(reqs), raise...), policy)
		}
	}
	return p, nil
}

// checksHold decides the checks on values of the terms.
func checksHold(g *groupAlg, checks []check, vals map[string]int) bool {
	for _, c := range checks {
		e := substituteRefs(c.e, func(x Expr) (Expr, bool) {
			r, ok := x.(*aggRef)
			if !ok {
				return nil, false
			}
			t, _ := g.termOf(r)
			return constExprOf(cval{k: cInt, i: int64(vals[t.key])}, r.Loc), true
		})
		ok, err := foldCond(e, c.want)
		if err != nil || !ok {
			return false
		}
	}
	return true
}

// presence reports whether a witness condition only asks for a value to
// be present.
func presence(c Expr) bool {
	x, ok := c.(*IsNull)
	return ok && x.Not
}

func hasMember(ms []*member, m *member) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

func andExpr(a, b Expr) Expr {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &And{X: []Expr{a, b}, Loc: b.Location()}
}

// branchValues are the values a CASE (its branches' values and its
// default) or a COALESCE (its arguments) can take; false for another call.
func branchValues(c *Call) ([]Expr, bool) {
	switch c.Name {
	case "coalesce":
		return c.Args, true
	case "case":
		var vals []Expr
		for i := 1; i < len(c.Args); i += 2 {
			vals = append(vals, c.Args[i])
		}
		if len(c.Args)%2 == 1 {
			vals = append(vals, c.Args[len(c.Args)-1])
		}
		return vals, true
	}
	return nil, false
}

// constBranches lists the different constant values a CASE (or COALESCE)
// of constants takes (null aside); ok is false for anything else.
func constBranches(e Expr) ([]cval, bool) {
	c, ok := e.(*Call)
	if !ok {
		return nil, false
	}
	vals, ok := branchValues(c)
	if !ok {
		return nil, false
	}
	var out []cval
	seen := map[string]bool{}
	for _, v := range vals {
		if hasRefs(v) {
			return nil, false
		}
		cv, ok := fold(v)
		if !ok {
			return nil, false
		}
		if cv.k == cNull {
			continue
		}
		s, _ := constString(cv)
		if !seen[s] {
			seen[s] = true
			out = append(out, cv)
		}
	}
	return out, true
}

// searchChecks finds values of the counts for which the checks hold,
// starting from the least values and raising the counts the checks read.
func (l *lowerer) searchChecks(g *groupAlg, checks []check, sets map[string]*termIn, terms []string, targets map[string]int) error {
	holds := func(vals map[string]int) bool {
		for _, c := range checks {
			e := substituteRefs(c.e, func(x Expr) (Expr, bool) {
				r, ok := x.(*aggRef)
				if !ok {
					return nil, false
				}
				t, _ := g.termOf(r)
				return constExprOf(cval{k: cInt, i: int64(vals[t.key])}, r.Loc), true
			})
			var ok bool
			var err error
			ok, err = foldCond(e, c.want)
			if err != nil || !ok {
				return false
			}
		}
		return true
	}
	if holds(targets) {
		return nil
	}
	// The terms the checks read, and the values each may take.
	var vars []string
	seen := map[string]bool{}
	for _, c := range checks {
		walkAll(c.e, func(x Expr) bool {
			if r, ok := x.(*aggRef); ok {
				t, _ := g.termOf(r)
				if !seen[t.key] {
					seen[t.key] = true
					vars = append(vars, t.key)
				}
				return false
			}
			return true
		})
	}
	steps := []int{0, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000}
	if len(vars) > 4 {
		steps = steps[:8]
	}
	// The whole numbers the checks compare with: a value (a MAX, a SUM)
	// may have to be near one, far past the steps.
	var lits []int
	for _, c := range checks {
		walkAll(c.e, func(x Expr) bool {
			if v, ok := fold(x); ok && (v.k == cInt || v.k == cFloat) {
				f := v.f
				if v.k == cInt {
					f = float64(v.i)
				}
				if math.Abs(f) < 1e9 {
					n := int(math.Floor(f))
					lits = append(lits, n-1, n, n+1)
				}
			}
			return true
		})
	}
	cands := make([][]int, len(vars))
	for i, k := range vars {
		s := sets[k]
		base := targets[k]
		for _, d := range steps {
			v := base + d
			if s.set.Contains(interval.Float(v)) {
				cands[i] = append(cands[i], v)
			}
		}
		if t := s.t; t.kind != tCount && t.kind != tDistinct {
			for _, v := range lits {
				if v > base+steps[len(steps)-1] && s.set.Contains(interval.Float(v)) && !slices.Contains(cands[i], v) {
					cands[i] = append(cands[i], v)
				}
			}
		}
		if len(cands[i]) == 0 {
			cands[i] = []int{base}
		}
	}
	// Every combination, the smallest totals first.
	type combo struct {
		vals []int
		sum  int
	}
	var all []combo
	var rec func(i int, cur []int, sum int)
	rec = func(i int, cur []int, sum int) {
		if len(all) > 200000 {
			return
		}
		if i == len(vars) {
			all = append(all, combo{append([]int(nil), cur...), sum})
			return
		}
		for _, v := range cands[i] {
			rec(i+1, append(cur, v), sum+v)
		}
	}
	rec(0, nil, 0)
	sort.SliceStable(all, func(i, j int) bool { return all[i].sum < all[j].sum })
	vals := map[string]int{}
	for k, v := range targets {
		vals[k] = v
	}
	for _, c := range all {
		for i, k := range vars {
			vals[k] = c.vals[i]
		}
		if holds(vals) {
			for k, v := range vals {
				targets[k] = v
			}
			return nil
		}
	}
	return l.unsupported(checks[0].e.Location(), "no counts found for which %s holds", checks[0].e.Location().Text(l.src))
}

// foldCond decides a condition over constants.
func foldCond(e Expr, want bool) (bool, error) {
	var a constAlg
	f, err := truth[bool](a, e, want)
	return f, err
}

// constAlg decides conditions over constants.
type constAlg struct{}

func (constAlg) and(_ Loc, xs ...bool) bool {
	for _, x := range xs {
		if !x {
			return false
		}
	}
	return true
}

func (constAlg) or(_ Loc, xs ...bool) bool {
	for _, x := range xs {
		if x {
			return true
		}
	}
	return false
}

func (constAlg) not(_ Loc, x bool) bool   { return !x }
func (constAlg) konst(_ Loc, v bool) bool { return v }
func (constAlg) unsupported(loc Loc, format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

func (constAlg) atom(e Expr, want bool) (bool, error) {
	switch x := e.(type) {
	case *Compare:
		a, ok1 := fold(x.L)
		b, ok2 := fold(x.R)
		if !ok1 || !ok2 {
			return false, fmt.Errorf("not a constant")
		}
		if a.k == cNull || b.k == cNull {
			return false, nil
		}
		v, ok := compareConsts(x.Op, a, b)
		if !ok {
			return false, fmt.Errorf("incomparable")
		}
		return v == want, nil
	case *IsNull:
		a, ok := fold(x.X)
		if !ok {
			return false, fmt.Errorf("not a constant")
		}
		return (a.k == cNull) != x.Not == want, nil
	}
	return false, fmt.Errorf("not a constant condition")
}

// realizer builds the documents of a plan.
type realizer struct {
	l *lowerer
	// policy picks the values of the counts: 0 prefers one value of a
	// distinct count bounded above, 1 the least.
	policy int
	events []constraint.Event
	joins  []map[int]string
	dist   []map[int]string
	fresh  map[string]bool
	// freshStats are the STATS whose groups' keys must be new in the run.
	freshStats []*Stats
	span       timeSpan
	bucket     time.Duration
	cache      map[string]constraint.Expr
}

// keyQueries are the queries that list the keys of the groups of each
// STATS of sts: the commands before it, then STATS BY its keys.
func (l *lowerer) keyQueries(sts []*Stats) []*Query {
	var out []*Query
	for _, st := range sts {
		for i, c := range l.q.Commands {
			if c != Command(st) {
				continue
			}
			cmds := append(slices.Clip(l.q.Commands[:i]), &Stats{By: st.By, Loc: st.Loc})
			out = append(out, &Query{Src: l.q.Src, Commands: cmds, Loc: l.q.Loc})
		}
	}
	return out
}

// realizeTop lowers the query: the rows of the last level, one of which
// the generated documents must make.
func (l *lowerer) realizeTop() (*constraint.Query, error) {
	top := len(l.levels) - 1
	if top == 0 {
		r := &realizer{l: l, fresh: map[string]bool{}, span: timeSpan{hi: -1}, cache: map[string]constraint.Expr{}}
		if _, err := r.realize(0, nil); err != nil {
			return nil, err
		}
		return r.query(), nil
	}
	// The alternatives of the top level: each a plan of its own.
	g := &groupAlg{l: l, level: top, terms: map[string]*term{}}
	form, err := l.groupForm(g, top, nil)
	if err != nil {
		return nil, err
	}
	var firstErr error
	var plans []*constraint.Query
	var fresh [][]string
	var freshKeys [][]*Query
	var buckets []time.Duration
	n := 0
	dnf(form, func(conj []any) bool {
		n++
		for policy := 0; policy < 2; policy++ {
			r := &realizer{l: l, fresh: map[string]bool{}, span: timeSpan{hi: -1}, cache: map[string]constraint.Expr{}, policy: policy}
			if _, err := r.realizeGroup(top, g, conj); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			plans = append(plans, r.query())
			fresh = append(fresh, sortedKeys(r.fresh))
			freshKeys = append(freshKeys, l.keyQueries(r.freshStats))
			buckets = append(buckets, r.bucket)
		}
		return len(plans) >= maxPlans || n >= maxConjunctions
	})
	if len(plans) == 0 {
		if firstErr == nil {
			firstErr = &constraint.UnsupportedError{Span: l.span(l.q.Loc), What: "no group can satisfy the conditions after STATS"}
			if l.levels[top].stats != nil {
				firstErr = l.unsupported(l.levels[top].stats.Loc, "the conditions on the groups of this STATS can never hold")
			}
		}
		return nil, firstErr
	}
	l.plan_.Fresh, l.plan_.FreshKeys = fresh[0], freshKeys[0]
	l.plan_.Bucket = buckets[0]
	for i := 1; i < len(plans); i++ {
		alt := Plan{Constraints: plans[i], Fresh: fresh[i], FreshKeys: freshKeys[i], Bucket: buckets[i], Indices: l.plan_.Indices, Ignored: l.plan_.Ignored, Aggregates: true}
		l.plan_.Alternatives = append(l.plan_.Alternatives, &alt)
	}
	return plans[0], nil
}

// groupForm lowers the conditions a row of level n must meet: the level's
// own WHERE conditions and reqs.
func (l *lowerer) groupForm(g *groupAlg, n int, reqs []Expr) (gform, error) {
	conds := append(append([]Expr(nil), l.levels[n].conds...), reqs...)
	var xs []gform
	for _, c := range conds {
		f, err := truth[gform](g, c, true)
		if err != nil {
			return nil, err
		}
		xs = append(xs, f)
	}
	return g.and(Loc{}, xs...), nil
}

// dnf calls fn with the conjunctions of f's disjunctive normal form, in
// order, until fn returns true.
func dnf(f gform, fn func([]any) bool) {
	var rec func(pending []gform, acc []any) bool
	rec = func(pending []gform, acc []any) bool {
		for len(pending) > 0 {
			x := pending[0]
			pending = pending[1:]
			switch y := x.(type) {
			case *fConst:
				if !y.v {
					return false
				}
			case *fLeaf:
				acc = append(acc, y.r)
			case *fAnd:
				pending = append(append([]gform(nil), y.xs...), pending...)
			case *fOr:
				for _, alt := range y.xs {
					if rec(append([]gform{alt}, pending...), append([]any(nil), acc...)) {
						return true
					}
				}
				return false
			}
		}
		return fn(acc)
	}
	rec([]gform{f}, nil)
}

// realize makes the documents of one row of level n that meets reqs (and
// the level's own conditions); it returns their event indices.
func (r *realizer) realize(n int, reqs []Expr) ([]int, error) {
	l := r.l
	if n == 0 {
		lv := l.levels[0]
		// The key of the conditions: those of reqs, each followed by a
		// NUL. The level's own (its WHERE conditions) are the same in
		// every key of the lowerer, fixed once the plan is made.
		var key strings.Builder
		for _, c := range reqs {
			writeKey(&key, c)
			key.WriteByte(0)
		}
		cond, ok := r.cache[key.String()]
		if !ok {
			var err error
			conds := append(append([]Expr(nil), lv.conds...), reqs...)
			if cond, err = l.lowerDocConds(key.String(), conds); err != nil {
				return nil, err
			}
			r.cache[key.String()] = cond
		}
		if len(r.events) >= MaxMembers {
			return nil, l.unsupported(l.q.Loc, "more than %d documents in one group", MaxMembers)
		}
		r.events = append(r.events, constraint.Event{Cond: cond, Runs: 1, Span: l.span(l.q.Loc)})
		return []int{len(r.events) - 1}, nil
	}
	g := &groupAlg{l: l, level: n, terms: map[string]*term{}}
	form, err := l.groupForm(g, n, reqs)
	if err != nil {
		return nil, err
	}
	var out []int
	var firstErr error
	tries := 0
	dnf(form, func(conj []any) bool {
		tries++
		mark := r.mark()
		docs, err := r.realizeGroup(n, g, conj)
		if err != nil {
			r.reset(mark)
			if firstErr == nil {
				firstErr = err
			}
			return tries >= maxConjunctions
		}
		out = docs
		return true
	})
	if out == nil {
		if firstErr == nil {
			firstErr = l.unsupported(l.levels[n].stats.Loc, "the conditions on the groups of this STATS can never hold")
		}
		return nil, firstErr
	}
	return out, nil
}

// lowerDocConds lowers the conditions of a document, key their key (see
// realize). The lowerings that change nothing of the lowerer but the field
// types it is hinted are kept by key: another realizer (another
// conjunction or policy) gets the same condition, and the hints of its
// lowering again, in order, as lowering it again would.
func (l *lowerer) lowerDocConds(key string, conds []Expr) (constraint.Expr, error) {
	if c, ok := l.condCache[key]; ok {
		for _, h := range c.hints {
			l.hint(h.field, h.t)
		}
		return c.cond, nil
	}
	before := l.effects()
	var hints []typeHint
	l.hints = &hints
	cond, err := newDocAlg(l).lowerConds(conds)
	l.hints = nil
	if err != nil {
		return nil, err
	}
	if l.effects() == before {
		if l.condCache == nil {
			l.condCache = map[string]cachedCond{}
		}
		l.condCache[key] = cachedCond{cond: cond, hints: hints}
	}
	return cond, nil
}

// cachedCond is a lowering of lowerDocConds: the condition and the field
// types the lowering hinted, in order.
type cachedCond struct {
	cond  constraint.Expr
	hints []typeHint
}

type typeHint struct {
	field string
	t     estype.Type
}

// lowerEffects sizes what lowering a condition may add to the lowerer
// besides type hints (each grows only, and only when something new is
// added): the derivations and their numbering, the ignored fields, the
// geo needs and the fields narrowed by an extraction.
type lowerEffects struct{ derived, derivedN, ignored, geo, narrowed int }

func (l *lowerer) effects() lowerEffects {
	e := lowerEffects{ignored: len(l.plan_.Ignored), geo: len(l.plan_.Geo), narrowed: len(l.narrowed)}
	if l.derived != nil {
		e.derived, e.derivedN = len(l.derived.list), l.derived.n
	}
	return e
}

type realizerMark struct{ events, joins, dist int }

func (r *realizer) mark() realizerMark { return realizerMark{len(r.events), len(r.joins), len(r.dist)} }

func (r *realizer) reset(m realizerMark) {
	r.events, r.joins, r.dist = r.events[:m.events], r.joins[:m.joins], r.dist[:m.dist]
}

// realizeGroup makes a group of level n from one conjunction of its
// requirements.
func (r *realizer) realizeGroup(n int, g *groupAlg, conj []any) ([]int, error) {
	l := r.l
	p, err := l.compose(n, g, conj, r.policy)
	if err != nil {
		return nil, err
	}
	lv := l.levels[n]
	// A key that takes its value from one field or another (CASE,
	// COALESCE) is shared through a virtual field: each member's key
	// equals it.
	virtual := map[*keyRef]string{}
	// A GROK key whose string must also differ between members (a
	// distinct count of another key of it): shared through a virtual
	// field written into each member's string, not the whole string.
	apart := map[string]bool{}
	for _, ds := range p.distinct {
		if fields, err := l.valueFields(ds.e, n-1); err == nil {
			for _, f := range fields {
				apart[f] = true
			}
		}
	}
	for _, k := range lv.keys {
		if k.Bucket == 0 && (branching(k.X) || isGrokKey(k.X) && apart[grokSource(k.X)]) {
			v := l.derived.virtualKey()
			virtual[k] = v
			for _, m := range p.members {
				m.conds = append(m.conds, &Compare{Op: Eq, L: k.X, R: &Field{Name: v, Loc: k.Loc}, Loc: k.Loc})
			}
		}
	}
	docsOf := map[*member][]int{}
	var all []int
	for _, m := range p.members {
		docs, err := r.realize(n-1, m.conds)
		if err != nil {
			return nil, err
		}
		docsOf[m] = docs
		all = append(all, docs...)
	}
	// The keys: shared by all the group's documents.
	for _, k := range lv.keys {
		if k.Bucket > 0 {
			if r.bucket == 0 || k.Bucket < r.bucket {
				r.bucket = k.Bucket
			}
			continue
		}
		var fields []string
		if v, ok := virtual[k]; ok {
			fields = []string{v}
		} else {
			var err error
			if fields, err = l.valueFields(k.X, n-1); err != nil {
				return nil, err
			}
			if len(fields) == 0 {
				if fields, err = l.keyFields(k.X, n-1); err != nil {
					return nil, err
				}
			}
		}
		for _, f := range fields {
			j := map[int]string{}
			for _, d := range all {
				j[d] = f
			}
			r.joins = append(r.joins, j)
			if p.upper {
				r.fresh[f] = true
			}
		}
	}
	if p.upper && len(lv.keys) > 0 && !slices.Contains(r.freshStats, lv.stats) {
		r.freshStats = append(r.freshStats, lv.stats)
	}
	// Members that are groups themselves (n >= 2) are different groups of
	// the level below: a key of theirs that this level does not share
	// differs between them.
	if n >= 2 && len(p.members) > 1 {
		shared := map[string]bool{}
		for _, k := range lv.keys {
			if fields, err := l.valueFields(k.X, n-1); err == nil {
				for _, f := range fields {
					shared[f] = true
				}
			}
		}
		var field string
		for _, k := range l.levels[n-1].keys {
			if k.Bucket > 0 || field != "" {
				continue
			}
			fields, err := l.valueFields(k.X, n-2)
			if err != nil {
				continue
			}
			for _, f := range fields {
				if !shared[f] && field == "" {
					field = f
				}
			}
		}
		if field != "" {
			d := map[int]string{}
			for _, m := range p.members {
				if docs := docsOf[m]; len(docs) > 0 {
					d[docs[0]] = field
				}
			}
			if len(d) > 1 {
				r.dist = append(r.dist, d)
			}
		}
	}
	// Shared values among some members.
	for _, sh := range p.shares {
		fields, err := l.valueFields(sh.e, n-1)
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			j := map[int]string{}
			for _, m := range sh.members {
				for _, d := range docsOf[m] {
					j[d] = f
				}
			}
			if len(j) > 1 {
				r.joins = append(r.joins, j)
			}
		}
	}
	// Different values: one document of each member.
	for _, ds := range p.distinct {
		fields, err := l.valueFields(ds.e, n-1)
		if err != nil {
			return nil, err
		}
		if len(fields) == 0 {
			return nil, l.unsupported(ds.e.Location(), "different values of %s, which reads no field", ds.e.Location().Text(l.src))
		}
		d := map[int]string{}
		for _, m := range ds.members {
			d[docsOf[m][0]] = fields[0]
		}
		if len(d) > 1 {
			r.dist = append(r.dist, d)
		}
	}
	if p.span.hi >= 0 && (r.span.hi < 0 || p.span.hi < r.span.hi) {
		r.span.hi = p.span.hi
	}
	r.span.lo = max(r.span.lo, p.span.lo)
	// Keys an INLINE STATS reads: fresh in the run, so that no other
	// row joins the inline group.
	for _, k := range l.inlineKeys {
		fields, err := l.keyFields(k, 0)
		if err == nil {
			for _, f := range fields {
				r.fresh[f] = true
			}
		}
	}
	for _, st := range l.inlineGroups {
		if !slices.Contains(r.freshStats, st) {
			r.freshStats = append(r.freshStats, st)
		}
	}
	return all, nil
}

// keyFields lists the document fields a key expression of level n reads.
func (l *lowerer) keyFields(e Expr, n int) ([]string, error) {
	var out []string
	var err error
	seen := map[string]bool{}
	var walk func(e Expr, n int)
	walk = func(e Expr, n int) {
		walkAll(e, func(x Expr) bool {
			switch y := x.(type) {
			case *Field:
				if y.Name == timestampField {
					if err == nil {
						err = l.unsupported(y.Loc, "a grouping key that reads @timestamp other than through DATE_TRUNC")
					}
					return false
				}
				if !seen[y.Name] {
					seen[y.Name] = true
					out = append(out, y.Name)
				}
			case *keyRef:
				walk(y.X, n-1)
				return false
			case *aggRef:
				if err == nil {
					err = l.unsupported(y.Loc, "a grouping key that reads an aggregate")
				}
				return false
			case *extractRef:
				walk(y.Src, n)
				return false
			}
			return true
		})
	}
	walk(e, n)
	return out, err
}

// valueFields lists the document fields a value e (a column of level n)
// comes from: the fields of its value positions, not of the conditions
// that choose between them (CASE(c, f, null) comes from f), and for a
// VALUES, MIN or MAX aggregate, its argument's.
func (l *lowerer) valueFields(e Expr, n int) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	var err error
	var walk func(e Expr, n int)
	walk = func(e Expr, n int) {
		switch x := e.(type) {
		case *Field:
			if !seen[x.Name] {
				seen[x.Name] = true
				out = append(out, x.Name)
			}
		case *keyRef:
			walk(x.X, n-1)
		case *extractRef:
			walk(x.Src, n)
		case *aggRef:
			if (x.Fn == "values" || x.Fn == "min" || x.Fn == "max" || x.Fn == "top") && len(x.Args) >= 1 {
				walk(x.Args[0], n-1)
			} else if err == nil {
				err = l.unsupported(x.Loc, "the values of %s", describe2(x))
			}
		case *Call:
			switch x.Name {
			case "case":
				vals, _ := branchValues(x)
				for _, v := range vals {
					walk(v, n)
				}
			default:
				for _, a := range x.Args {
					walk(a, n)
				}
			}
		case *Cast:
			walk(x.X, n)
		case *Neg:
			walk(x.X, n)
		case *Arith:
			walk(x.L, n)
			walk(x.R, n)
		}
	}
	walk(e, n)
	return out, err
}

// query assembles the constraint query.
func (r *realizer) query() *constraint.Query {
	q := &constraint.Query{Lang: "esql", Source: r.l.q.Src, Kind: constraint.EventQuery, Events: r.events, Scalar: true}
	if len(r.l.levels) > 1 {
		q.Kind = constraint.Sample
	}
	n := len(r.events)
	// Keys that share a field of a document are one key: nested groups
	// join the inner keys inside the outer one.
	r.joins = mergeJoins(r.joins)
	for _, j := range r.joins {
		key := make([]string, n)
		for i, f := range j {
			key[i] = f
		}
		q.Joins = append(q.Joins, key)
	}
	for _, d := range r.dist {
		key := make([]string, n)
		for i, f := range d {
			key[i] = f
		}
		q.Distinct = append(q.Distinct, key)
	}
	if r.span.hi >= 0 {
		q.MaxSpan = r.span.hi
		if q.MaxSpan == 0 {
			q.MaxSpan = time.Millisecond
			r.l.plan_.Instant = true
		}
	}
	if r.bucket > 0 && (q.MaxSpan == 0 || r.bucket < q.MaxSpan) {
		q.MaxSpan = r.bucket
	}
	r.l.plan_.MinSpan = max(r.l.plan_.MinSpan, r.span.lo)
	return q
}

// exprKey renders an expression for identity, the lowering's own nodes
// included (String leaves them out of the nodes it prints).
func exprKey(e Expr) string {
	var b strings.Builder
	writeKey(&b, e)
	return b.String()
}

func writeKey(b *strings.Builder, e Expr) {
	list := func(xs []Expr) {
		for i, x := range xs {
			if i > 0 {
				b.WriteByte(',')
			}
			writeKey(b, x)
		}
	}
	switch x := e.(type) {
	case nil:
		b.WriteString("<nil>")
	case *Or:
		b.WriteString("or(")
		list(x.X)
		b.WriteByte(')')
	case *And:
		b.WriteString("and(")
		list(x.X)
		b.WriteByte(')')
	case *Not:
		b.WriteString("not(")
		writeKey(b, x.X)
		b.WriteByte(')')
	case *Compare:
		b.WriteString("cmp")
		b.WriteString(x.Op.String())
		b.WriteByte('(')
		writeKey(b, x.L)
		b.WriteByte(',')
		writeKey(b, x.R)
		b.WriteByte(')')
	case *In:
		b.WriteString("in")
		b.WriteString(strconv.FormatBool(x.Not))
		b.WriteByte('(')
		writeKey(b, x.X)
		b.WriteByte(';')
		list(x.List)
		b.WriteByte(')')
	case *Like:
		b.WriteString("like")
		b.WriteString(strconv.FormatBool(x.RLike))
		b.WriteString(strconv.FormatBool(x.Not))
		b.WriteByte('(')
		writeKey(b, x.X)
		for _, p := range x.Patterns {
			b.WriteByte(';')
			writeExpr(b, p)
		}
		b.WriteByte(')')
	case *IsNull:
		b.WriteString("isnull")
		b.WriteString(strconv.FormatBool(x.Not))
		b.WriteByte('(')
		writeKey(b, x.X)
		b.WriteByte(')')
	case *Arith:
		b.WriteString("arith")
		b.WriteString(x.Op.String())
		b.WriteByte('(')
		writeKey(b, x.L)
		b.WriteByte(',')
		writeKey(b, x.R)
		b.WriteByte(')')
	case *Neg:
		b.WriteString("neg(")
		writeKey(b, x.X)
		b.WriteByte(')')
	case *Cast:
		b.WriteString("cast")
		b.WriteString(x.Type)
		b.WriteByte('(')
		writeKey(b, x.X)
		b.WriteByte(')')
	case *Call:
		b.WriteString(x.Name)
		b.WriteString(strconv.FormatBool(x.Star))
		b.WriteByte('(')
		list(x.Args)
		b.WriteByte(')')
	case *matchOn:
		b.WriteString("match(")
		writeKey(b, x.X)
		b.WriteByte(';')
		writeKey(b, x.M.Query)
		b.WriteByte(')')
	case *keyRef:
		fmt.Fprintf(b, "key%d(", x.Level)
		writeKey(b, x.X)
		b.WriteByte(')')
	case *aggRef:
		fmt.Fprintf(b, "agg%d:%s%v(", x.Level, x.Fn, x.Star)
		list(x.Args)
		b.WriteByte(';')
		writeKey(b, x.Filter)
		b.WriteByte(')')
	case *extractRef:
		fmt.Fprintf(b, "extract(%p;%s;", x.X, x.Key)
		writeKey(b, x.Src)
		b.WriteByte(')')
	case *constExpr:
		fmt.Fprintf(b, "const(%d;%s)", x.v.k, x.String())
	case *Field, *Literal:
		writeExpr(b, e) // their String
	default:
		b.WriteString(e.String())
	}
}

// mergeJoins merges the join keys that share a field of an event.
func mergeJoins(joins []map[int]string) []map[int]string {
	parent := make([]int, len(joins))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	type evField struct {
		ev    int
		field string
	}
	owner := map[evField]int{} // a field of an event -> its first key
	for k, j := range joins {
		for ev, f := range j {
			id := evField{ev, f}
			if o, ok := owner[id]; ok {
				parent[find(k)] = find(o)
				continue
			}
			owner[id] = k
		}
	}
	merged := map[int]map[int]string{}
	var order []int
	for k, j := range joins {
		root := find(k)
		m, ok := merged[root]
		if !ok {
			m = map[int]string{}
			merged[root] = m
			order = append(order, root)
		}
		for ev, f := range j {
			m[ev] = f
		}
	}
	out := make([]map[int]string, 0, len(order))
	for _, root := range order {
		out = append(out, merged[root])
	}
	return out
}

// branching reports whether e takes its value from one field or another
// depending on a condition: a CASE or COALESCE (through keys) whose values
// are fields or constants. Such a key is shared through a virtual field;
// another is shared through the fields its value comes from.
// isGrokKey reports whether a key is a GROK key: its value, shared through
// a virtual field, is written into each member's parsed string.
func isGrokKey(e Expr) bool {
	if k, ok := e.(*keyRef); ok {
		return isGrokKey(k.X)
	}
	x, ok := e.(*extractRef)
	if !ok || x.Type != "" {
		return false
	}
	_, isGrok := x.X.(*Grok)
	_, plain := plainSource(x.Src)
	return isGrok && plain
}

// grokSource is the field a GROK key is parsed from.
func grokSource(e Expr) string {
	if k, ok := e.(*keyRef); ok {
		return grokSource(k.X)
	}
	if x, ok := e.(*extractRef); ok {
		if f, ok := plainSource(x.Src); ok {
			return f.Name
		}
	}
	return ""
}

func branching(e Expr) bool {
	switch x := e.(type) {
	case *keyRef:
		return branching(x.X)
	case *Call:
		vals, ok := branchValues(x)
		if !ok {
			return false
		}
		for _, v := range vals {
			if !hasRefs(v) {
				continue
			}
			if _, ok := plainField(v); ok {
				continue
			}
			if _, ok := v.(*extractRef); ok {
				continue
			}
			if !branching(v) {
				return false
			}
		}
		return true
	}
	return false
}
