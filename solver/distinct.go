package solver

// Distinct keys (constraint.Query.Distinct): fields whose values differ
// pairwise across the events that take part, as ES|QL's count_distinct
// counts them. Within one match, values are drawn in event order, each
// avoiding the values taken before it: a few draws, then the field's
// domain without those values, then another solution of the event's
// condition that leaves room (its alternatives may fix the field to a
// value already taken). A join value that takes part is drawn the same
// way, before the events.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/solver/automaton"
)

// distinctState is what the distinct keys have taken in one match.
type distinctState struct {
	used []map[string]bool // per key, the JSON of the values taken
	// bound[d][i] is the join key that fixes key d's field in event i
	// (-1: none).
	bound [][]int
	keys  [][]int32
	// rooms holds, per field, node and keys, the node's domain without
	// the values the keys took so far in the match (see leavesRoom).
	rooms map[roomKey]*room
}

type roomKey struct {
	f, node int32
	keys    uint64 // the distinct keys whose values are excluded, a bit each
}

// room is a domain narrowed by the values taken: seen holds those it is
// narrowed by, conf the conflict once none is left.
type room struct {
	dom  domain
	seen map[string]bool
	conf *Conflict
}

func (s *Solver) newDistinctState() *distinctState {
	ds := &distinctState{used: make([]map[string]bool, len(s.distinct)), bound: make([][]int, len(s.distinct)), keys: s.distinct}
	for d, key := range s.distinct {
		ds.used[d] = map[string]bool{}
		ds.bound[d] = make([]int, len(key))
		for i, f := range key {
			ds.bound[d][i] = -1
			if f < 0 {
				continue
			}
			for k, jk := range s.joins {
				if jk[i] == f {
					ds.bound[d][i] = k
				}
			}
		}
	}
	return ds
}

// takes reports whether field f of event i takes part in a distinct key
// on its own (not through a join).
func (ds *distinctState) takes(i int, f int32) bool {
	for d, key := range ds.keys {
		if key[i] == f && ds.bound[d][i] < 0 {
			return true
		}
	}
	return false
}

// excludedFor is the union of the values the keys that f of event i takes
// part in have taken: the key's own set when there is one such key (which
// callers only read, before the next record).
func (ds *distinctState) excludedFor(i int, f int32) map[string]bool {
	one := -1
	for d, key := range ds.keys {
		if key[i] == f && ds.bound[d][i] < 0 {
			if one >= 0 {
				one = -2
				break
			}
			one = d
		}
	}
	if one >= 0 {
		return ds.used[one]
	}
	out := map[string]bool{}
	for d, key := range ds.keys {
		if key[i] == f && ds.bound[d][i] < 0 {
			for v := range ds.used[d] {
				out[v] = true
			}
		}
	}
	return out
}

// record notes the values event i drew for its distinct fields.
func (ds *distinctState) record(s *Solver, m *Match, i int, vals []val) {
	for d, key := range ds.keys {
		if key[i] < 0 || ds.bound[d][i] >= 0 {
			continue
		}
		if sp, ok := lookup(vals, key[i]); ok {
			ds.used[d][string(m.buf[sp.lo:sp.hi])] = true
		}
	}
}

// maxDistinctDraws is how many plain draws a distinct value gets before
// the domain is narrowed.
const maxDistinctDraws = 48

// drawJoinDistinct draws the value of join key k, different from the
// values of the distinct keys it takes part in.
func (s *Solver) drawJoinDistinct(r *rand.Rand, m *Match, ds *distinctState, k int, n int32) ([]byte, span, error) {
	excl := map[string]bool{}
	var keys []int
	for d := range ds.keys {
		parts := 0
		for i := range ds.bound[d] {
			if ds.bound[d][i] == k {
				parts++
			}
		}
		if parts > 1 {
			return m.buf, span{}, &UnsolvableError{Conflicts: []*Conflict{conflictf(s.keyField(s.joins, k), "must hold one value and different values")}}
		}
		if parts == 1 {
			keys = append(keys, d)
			for v := range ds.used[d] {
				excl[v] = true
			}
		}
	}
	out, sp, err := s.drawAvoiding(r, m, s.nodes[n].dom, s.nodes[n].field, excl)
	if err != nil {
		return out, sp, err
	}
	for _, d := range keys {
		ds.used[d][string(out[sp.lo:sp.hi])] = true
	}
	return out, sp, nil
}

// drawDistinct draws field f of event i, different from the values its
// distinct keys took.
func (s *Solver) drawDistinct(r *rand.Rand, m *Match, ds *distinctState, i int, f int32, dom domain) ([]byte, span, error) {
	return s.drawAvoiding(r, m, dom, f, ds.excludedFor(i, f))
}

// drawAvoiding draws a value of dom outside excl: the event's own value
// first (one event's context gives every member the same), then values of
// the domain, then a value of the domain narrowed by the exclusions.
func (s *Solver) drawAvoiding(r *rand.Rand, m *Match, dom domain, f int32, excl map[string]bool) ([]byte, span, error) {
	values := m.g.values
	defer func() { m.g.values = values }()
	for try := 0; try < maxDistinctDraws; try++ {
		if try > 0 {
			m.g.values = nil
		}
		lo := len(m.buf)
		out, err := dom.generate(r, m.buf, &m.g)
		if err != nil {
			return m.buf, span{}, err
		}
		if !excl[string(out[lo:])] {
			m.buf = out
			return out, span{lo, len(out)}, nil
		}
		m.buf = out[:lo]
	}
	if sd, ok := dom.(*strDomain); ok && !sd.text {
		return s.drawAvoidingStr(r, m, sd, f, excl)
	}
	narrow, conf := s.excluding(dom, f, excl)
	if conf != nil {
		return m.buf, span{}, &UnsolvableError{Conflicts: []*Conflict{conflictf(s.fields[f], "needs %d different values, more than the conditions allow (%s)", len(excl)+1, conf.Reason())}}
	}
	lo := len(m.buf)
	out, err := narrow.generate(r, m.buf, &m.g)
	if err != nil {
		return m.buf, span{}, err
	}
	if excl[string(out[lo:])] {
		return out[:lo], span{}, fmt.Errorf("no value left outside the %d taken", len(excl))
	}
	m.buf = out
	return out, span{lo, len(out)}, nil
}

// excluding is dom without the values of excl.
func (s *Solver) excluding(dom domain, f int32, excl map[string]bool) (domain, *Conflict) {
	for raw := range excl {
		p := &constraint.Pred{Field: s.fields[f], Op: constraint.Eq, Neg: true, Whole: true, Value: valueOfJSON([]byte(raw))}
		var conf *Conflict
		if dom, conf = dom.with(p, s.env); conf != nil {
			return nil, conf
		}
	}
	return dom, nil
}

// distinctPlan returns a plan for event i whose distinct fields can avoid
// the values taken: p itself when its domains leave room, else another
// solution of the event's condition, with its join fields at the values
// drawn for them.
func (s *Solver) distinctPlan(r *rand.Rand, m *Match, ds *distinctState, c *choice, i int, p *plan) (*plan, error) {
	var tight []int32
	for d, key := range ds.keys {
		f := key[i]
		if f < 0 || ds.bound[d][i] >= 0 || len(ds.used[d]) == 0 {
			continue
		}
		if !s.leavesRoom(ds, i, f, p.doms[f]) {
			tight = append(tight, f)
		}
	}
	if len(tight) == 0 {
		return p, nil
	}
	init := s.startDoms(s.events[i])
	for k, key := range s.joins {
		if key[i] < 0 {
			continue
		}
		sp := m.joinVals[k]
		n, conf := s.meet(init[key[i]], s.synthPred(key[i], valueOfJSON(m.buf[sp.lo:sp.hi]), false))
		if conf != nil {
			return nil, &UnsolvableError{Conflicts: []*Conflict{conf}}
		}
		init[key[i]] = n
	}
	for _, f := range tight {
		n := init[f]
		for raw := range ds.excludedFor(i, f) {
			var conf *Conflict
			if n, conf = s.meet(n, s.synthPred(f, valueOfJSON([]byte(raw)), true)); conf != nil {
				return nil, &UnsolvableError{Conflicts: []*Conflict{conflictf(s.fields[f], "needs more different values than the conditions allow (%s)", conf.Reason())}}
			}
		}
		init[f] = n
	}
	ctx := &searchCtx{r: r, budget: checkBudget / 10, event: s.events[i].src}
	if _, ok := s.dfs([]constraint.Expr{s.events[i].cond}, init, nil, ctx); !ok {
		reason := "the conditions allow no more"
		if cs := ctx.distinctConflicts(); len(cs) > 0 {
			reason = cs[0].Reason()
		}
		return nil, &UnsolvableError{Conflicts: []*Conflict{conflictf(s.fields[tight[0]], "needs %d different values: %s", len(ds.excludedFor(i, tight[0]))+1, reason)}}
	}
	return ctx.plan, nil
}

// leavesRoom reports whether node n of field f of event i has a value
// outside those its distinct keys took (excludedFor). The values taken
// only grow in a match, event by event: the domain narrowed by those
// of the earlier events is kept, and narrowed by the new ones alone.
func (s *Solver) leavesRoom(ds *distinctState, i int, f, n int32) bool {
	if len(ds.keys) > 64 {
		_, conf := s.excluding(s.nodes[n].dom, f, ds.excludedFor(i, f))
		return conf == nil
	}
	k := roomKey{f: f, node: n}
	for d, key := range ds.keys {
		if key[i] == f && ds.bound[d][i] < 0 {
			k.keys |= 1 << d
		}
	}
	rm := ds.rooms[k]
	if rm == nil {
		if ds.rooms == nil {
			ds.rooms = map[roomKey]*room{}
		}
		rm = &room{dom: s.nodes[n].dom, seen: map[string]bool{}}
		ds.rooms[k] = rm
	}
	for d := range ds.keys {
		if rm.conf != nil {
			return false
		}
		if k.keys&(1<<d) == 0 {
			continue
		}
		for raw := range ds.used[d] {
			if rm.seen[raw] {
				continue
			}
			rm.seen[raw] = true
			p := &constraint.Pred{Field: s.fields[f], Op: constraint.Eq, Neg: true, Whole: true, Value: valueOfJSON([]byte(raw))}
			narrow, conf := rm.dom.with(p, s.env)
			if conf != nil {
				rm.conf = conf
				return false
			}
			rm.dom = narrow
		}
	}
	return rm.conf == nil
}

// synthKey identifies a predicate made for a drawn value.
type synthKey struct {
	f   int32
	v   string
	neg bool
}

// synthPred is the predicate "field f equals v" (not equals, with neg),
// made once per field and value.
func (s *Solver) synthPred(f int32, v constraint.Value, neg bool) int32 {
	k := synthKey{f, strconv.Itoa(int(v.Kind)) + ":" + v.String(), neg}
	if id, ok := s.synth[k]; ok {
		return id
	}
	if s.synth == nil {
		s.synth = map[synthKey]int32{}
	}
	p := &constraint.Pred{Field: s.fields[f], Op: constraint.Eq, Neg: neg, Whole: true, Value: v, Span: constraint.Span{Text: s.fields[f] + " == " + v.String()}}
	id := int32(len(s.preds))
	s.preds = append(s.preds, p)
	s.predField = append(s.predField, f)
	s.relOther = append(s.relOther, 0)
	s.synth[k] = id
	return id
}

// valueOfJSON reads a drawn value as a predicate value (the first element
// of a list).
func valueOfJSON(raw []byte) constraint.Value {
	if len(raw) > 0 && raw[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) == nil && len(arr) > 0 {
			raw = arr[0]
		}
	}
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var str string
		if json.Unmarshal(raw, &str) == nil {
			return constraint.String(str)
		}
	case string(raw) == "true" || string(raw) == "false":
		return constraint.Boolean(string(raw) == "true")
	}
	if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
		v := constraint.Number(f)
		v.Str = string(raw)
		return v
	}
	return constraint.String(string(raw))
}

// drawAvoidingStr draws a string of d outside excl once plain draws keep
// meeting taken values: a plausible value made unique by a suffix when
// the field is free, else a walk of d's language less the taken values.
func (s *Solver) drawAvoidingStr(r *rand.Rand, m *Match, d *strDomain, f int32, excl map[string]bool) ([]byte, span, error) {
	if d.exact != nil {
		return m.buf, span{}, &UnsolvableError{Conflicts: []*Conflict{conflictf(s.fields[f], "needs %d different values, and the conditions allow one", len(excl)+1)}}
	}
	if d.pos == nil {
		const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
		for try := 0; try < 8; try++ {
			m.g.buf = appendPlausible(r, m.g.buf[:0], s.fields[f], d.text)
			m.g.buf = append(m.g.buf, '-')
			for i := 0; i < 8; i++ {
				m.g.buf = append(m.g.buf, alnum[r.IntN(len(alnum))])
			}
			v := string(m.g.buf)
			lo := len(m.buf)
			out := document.AppendString(m.buf, v)
			if d.admits(v) && !excl[string(out[lo:])] {
				m.buf = out
				return out, span{lo, len(out)}, nil
			}
		}
	}
	// The language less the taken values, as one automaton: the taken
	// values make a trie, complemented once.
	lits := make([]*regexp.Node, 0, len(excl))
	for raw := range excl {
		v := valueOfJSON([]byte(raw))
		lits = append(lits, regexp.Literal(v.Str))
	}
	taken, err := automaton.FromRegexp(&regexp.Regexp{Root: regexp.Union(lits...)})
	if err != nil {
		return m.buf, span{}, err
	}
	acc := automaton.Complement(taken)
	if d.pos != nil {
		acc, err = automaton.Intersect(d.pos, acc)
	} else {
		acc, err = automaton.Intersect(automaton.ValidUTF8(), acc)
	}
	if err != nil {
		return m.buf, span{}, err
	}
	if acc.IsEmpty() {
		return m.buf, span{}, &UnsolvableError{Conflicts: []*Conflict{conflictf(s.fields[f], "needs %d different values, more than the conditions allow", len(excl)+1)}}
	}
	w := automaton.NewWalker(acc)
	for try := 0; try < 32; try++ {
		m.g.buf = w.Walk(r, m.g.buf[:0], extraLength(r, w.MinLen()))
		v := string(m.g.buf)
		if d.admits(v) {
			lo := len(m.buf)
			out := document.AppendString(m.buf, v)
			m.buf = out
			return out, span{lo, len(out)}, nil
		}
	}
	return m.buf, span{}, &UnsolvableError{Conflicts: []*Conflict{conflictf(s.fields[f], "no value found outside the %d taken", len(excl))}}
}
