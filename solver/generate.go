package solver

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
)

// Doc is one generated event: its fields (sorted by name) and their values
// as JSON.
type Doc struct {
	Fields []string
	Values [][]byte
	// Offset is the event's time after the first event of its match.
	Offset time.Duration
}

// Match is the documents of one match of the query: one for an event query,
// one per step (and run) for a sequence or sample. A Match is reused across
// calls to Generate to save allocations; its contents are valid until then.
type Match struct {
	// Base is the time of the match's first event, set by the caller:
	// dates the query constrains follow it where they can.
	Base time.Time
	// Values, when set by the caller, gives real-looking values of the
	// event's context (see Values).
	Values Values
	// Each, when it has an entry per document, gives each document of
	// the match its own time (instead of Base and the offsets the query
	// spaces its events by) and context (instead of Values; nil keeps
	// Values): the documents of a match that is no burst of one context,
	// such as an event and the threat indicator it matches, which a feed
	// published days before. Join values are drawn in the first
	// document's context.
	Each []DocContext
	Docs []Doc
	buf  []byte
	g    genCtx
	// scratch, reused across calls
	offsets  []time.Duration
	joinVals []span
	first    [][]val // per event, values drawn with the join values
	vals     [][]val
	fields   []int32
}

// DocContext is one document's own time and context (see Match.Each).
type DocContext struct {
	Time   time.Time
	Values Values
}

type span struct{ lo, hi int }

type val struct {
	field int32
	sp    span
}

// choice is a solution of every event plus the join domains.
type choice struct {
	plans []*plan
	joins []int32 // joint node per join key
}

// choose picks a solution per event. With join keys, the events are solved
// in order and each later event starts from the join values' domain so far,
// so that its branch choices (and backtracking) respect the join.
func (s *Solver) choose(r *rand.Rand) (*choice, error) {
	var last []*Conflict
	for attempt := 0; attempt < 20; attempt++ {
		c, conf := s.chooseOnce(r, attempt)
		if conf == nil {
			return c, nil
		}
		last = append(last, conf)
		if r == nil {
			break // deterministic: another attempt would do the same
		}
	}
	if len(last) > 5 {
		last = last[:5]
	}
	return nil, &UnsolvableError{Conflicts: last}
}

func (s *Solver) chooseOnce(r *rand.Rand, attempt int) (*choice, *Conflict) {
	c := &choice{plans: make([]*plan, len(s.events))}
	joint := make([]int32, len(s.joins))
	have := make([]bool, len(s.joins)) // a key's joint domain has begun
	// The values earlier events' solutions fix for distinct keys (an
	// alternative "f == x"): later events' solutions leave them out.
	taken := make([][]constraint.Value, len(s.distinct))
	for i, ev := range s.events {
		joined := false
		for k, key := range s.joins {
			if key[i] >= 0 && have[k] {
				joined = true
			}
		}
		apart := false
		for d, key := range s.distinct {
			if key[i] >= 0 && len(taken[d]) > 0 {
				apart = true
			}
		}
		if !joined && !apart {
			if r == nil {
				c.plans[i] = ev.first
			} else {
				c.plans[i] = s.pickPlan(r, ev)
			}
		} else {
			p, conf := s.joinedPlan(r, i, joint, have, taken)
			if conf != nil {
				return nil, conf
			}
			c.plans[i] = p
		}
		for k, key := range s.joins {
			if key[i] >= 0 {
				joint[k] = s.keyNode(c.plans[i], key[i])
				have[k] = true
			}
		}
		for d, key := range s.distinct {
			if f := key[i]; f >= 0 {
				if sd, ok := s.nodes[c.plans[i].doms[f]].dom.(*strDomain); ok && sd.exact != nil {
					taken[d] = append(taken[d], constraint.String(*sd.exact))
				}
			}
		}
	}
	for k, n := range joint {
		if s.nodes[n].absent {
			return nil, conflictf(s.keyField(s.joins, k), "join key field must be absent")
		}
		c.joins = append(c.joins, s.presentNode(n))
	}
	return c, nil
}

// joinedPlan solves event i (not the first) from the domains of the join
// keys so far (joint, a node per key; have tells the keys an earlier event
// took part in), avoiding the exact values of distinct keys taken by
// earlier events.
func (s *Solver) joinedPlan(r *rand.Rand, i int, joint []int32, have []bool, taken [][]constraint.Value) (*plan, *Conflict) {
	init, conf := s.joinedInit(i, joint, have)
	if conf != nil {
		return nil, conf
	}
	for d, key := range s.distinct {
		f := key[i]
		if f < 0 || d >= len(taken) {
			continue
		}
		for _, v := range taken[d] {
			n, conf := s.meet(init[f], s.synthPred(f, v, true))
			if conf != nil {
				return nil, conflictf(s.fields[f], "needs %d different values, more than the conditions allow", len(taken[d])+1)
			}
			init[f] = n
		}
	}
	joined := false
	for k, key := range s.joins {
		joined = joined || key[i] >= 0 && have[k]
	}
	ctx := &searchCtx{r: r, budget: checkBudget / 10, event: s.events[i].src}
	if _, ok := s.dfs([]constraint.Expr{s.events[i].cond}, init, nil, ctx); !ok {
		if cs := ctx.distinctConflicts(); len(cs) > 0 && !joined {
			return nil, conflictf(cs[0].Field, "needs more different values than the conditions allow: %s", cs[0].Reason())
		}
		if cs := ctx.distinctConflicts(); len(cs) > 0 {
			return nil, conflictf(cs[0].Field, "join key has no common value across events: %s", cs[0].Reason())
		}
		return nil, conflictf(s.keyField(s.joins, 0), "join key has no common value across events")
	}
	return ctx.plan, nil
}

// joinedInit is the initial domains of event i: its join fields start
// from the joint domains of the keys so far.
func (s *Solver) joinedInit(i int, joint []int32, have []bool) ([]int32, *Conflict) {
	init := s.startDoms(s.events[i])
	for k, key := range s.joins {
		if key[i] >= 0 && have[k] {
			n, conf := s.retarget(joint[k], key[i])
			if conf != nil {
				return nil, conflictf(s.keyField(s.joins, k), "join key has no common value across events: %s", conf.Reason())
			}
			init[key[i]] = n
		}
	}
	return init, nil
}

// keyNode is the domain of join field f in plan p: with the constraints
// of the fields equal to it (their shared value is the join value).
func (s *Solver) keyNode(p *plan, f int32) int32 {
	for _, eq := range p.equal {
		if eq.a == f || eq.b == f {
			return eq.joint
		}
	}
	return p.doms[f]
}

// allKeys is a have for joinedPlan when every key's joint domain is known.
func allKeys(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = true
	}
	return out
}

// firstOfKey is the first event taking part in join key k.
func (s *Solver) firstOfKey(k int) int {
	for i, f := range s.joins[k] {
		if f >= 0 {
			return i
		}
	}
	return 0
}

// keyField names key k of keys: its field in the first event that takes
// part.
func (s *Solver) keyField(keys [][]int32, k int) string {
	for _, f := range keys[k] {
		if f >= 0 {
			return s.fields[f]
		}
	}
	return "query"
}

// retarget carries node n's constraints over to field f.
func (s *Solver) retarget(n, f int32) (int32, *Conflict) {
	if s.nodes[n].field == f {
		return n, nil
	}
	out, conf := s.meetAll(f, n) // f is also the index of f's initial node
	if conf != nil {
		return -1, conf
	}
	if s.nodes[n].present {
		out = s.presentNode(out)
	}
	return out, nil
}

// meetAcross meets node n with predicate p of another field (a join).
func (s *Solver) meetAcross(n, p int32) (int32, *Conflict) {
	if s.predField[p] == s.nodes[n].field {
		return s.meet(n, p)
	}
	key := memoKey(n, -p-1)
	if v, ok := s.memo[key]; ok {
		if v < 0 {
			return -1, s.conflicts[-v-1]
		}
		return v, nil
	}
	// Meet a copy of the predicate retargeted to n's field.
	pred := *s.preds[p]
	pred.Field = s.fields[s.nodes[n].field]
	id := int32(len(s.preds))
	s.preds = append(s.preds, &pred)
	s.predField = append(s.predField, s.nodes[n].field)
	res, conf := s.meet(n, id)
	if conf != nil {
		s.memo[key] = -int32(len(s.conflicts))
		return -1, conf
	}
	s.memo[key] = res
	return res, nil
}

// Generate fills m with one random match of the query.
func (s *Solver) Generate(r *rand.Rand, m *Match) error {
	c, err := s.choose(r)
	if err != nil {
		return err
	}
	m.buf = m.buf[:0]
	each := len(m.Each) == len(s.events)
	m.g.values, m.g.s, m.g.m, m.g.vals = m.Values, s, m, nil
	if each {
		// The join values belong to the first document.
		m.g.values, m.g.timestamp = m.docValues(0), m.Each[0].Time.UnixMilli()
	}
	if cap(m.Docs) < len(s.events) {
		m.Docs = make([]Doc, len(s.events))
	}
	m.Docs = m.Docs[:len(s.events)]
	joinVals := m.joinVals[:0]
	var ds *distinctState
	if len(s.distinct) > 0 {
		ds = s.newDistinctState()
	}
	// first holds, per event, the values drawn with the join values (the
	// fields the first event of a key relates to its join field).
	first := m.first[:0]
	for range s.events {
		first = append(first, nil)
	}
	for k, n := range c.joins {
		if ds != nil {
			m.g.field = s.keyField(s.joins, k)
			var sp span
			if m.buf, sp, err = s.drawJoinDistinct(r, m, ds, k, n); err != nil {
				return err
			}
			joinVals = append(joinVals, sp)
			continue
		}
		e := s.firstOfKey(k)
		var sp span
		if sp, first[e], err = s.drawJoin(r, m, c.plans[e], s.joins[k][e], n, first[e]); err != nil {
			return err
		}
		joinVals = append(joinVals, sp)
	}
	m.joinVals, m.first = joinVals, first
	offsets := s.offsets(r, m.offsets[:0])
	if each {
		for i := range offsets {
			offsets[i] = m.Each[i].Time.Sub(m.Each[0].Time)
		}
	}
	m.offsets = offsets
	// Values are appended to one buffer; slices into it are taken once it
	// stops growing.
	for len(m.vals) < len(c.plans) {
		m.vals = append(m.vals, nil)
	}
	perDoc := m.vals[:len(c.plans)]
	hopeless := false // no choice of an event lets its fields agree with the join values
	for i, p := range c.plans {
		m.g.timestamp = 0
		switch {
		case each:
			m.g.timestamp = m.Each[i].Time.UnixMilli()
			m.g.values = m.docValues(i)
		case !m.Base.IsZero():
			m.g.timestamp = m.Base.Add(offsets[i]).UnixMilli()
		}
		vals := perDoc[i][:0]
		vals = append(vals, first[i]...)
		if ds != nil {
			np, err := s.distinctPlan(r, m, ds, c, i, p)
			if err != nil {
				return err
			}
			p = np
		}
		fields := p.order
		if len(s.joins) > 0 {
			fields = append(m.fields[:0], fields...)
			for _, key := range s.joins {
				if key[i] >= 0 && !slices.Contains(fields, key[i]) {
					fields = append(fields, key[i])
				}
			}
			m.fields = fields
		}
		// Join values first: fields equal to a join field take its value.
		for k, key := range s.joins {
			if key[i] >= 0 && !slices.ContainsFunc(vals, func(v val) bool { return v.field == key[i] }) {
				vals = append(vals, val{key[i], joinVals[k]})
			}
		}
		// The event's choices among the query's alternatives were made
		// before the join values were drawn: another choice may let
		// fields agree with them (a file name with the joined path).
		if i > 0 && !hopeless && !s.partsFit(p, m.buf, vals) {
			hopeless = true
			for try := 0; try < 32; try++ {
				if q, conf := s.joinedPlan(r, i, c.joins, allKeys(len(c.joins)), nil); conf == nil && s.partsFit(q, m.buf, vals) {
					p, hopeless = q, false
					break
				}
			}
		}
		for _, f := range fields {
			m.g.vals = vals
			if slices.ContainsFunc(vals, func(v val) bool { return v.field == f }) {
				continue
			}
			if sp, ok := s.equalValue(r, m, p, f, vals); ok {
				vals = append(vals, val{f, sp})
				continue
			}
			if len(s.joins) > 0 {
				// A join draws a compared field before the field it is
				// compared with: this one is then a part of that value.
				if sp, ok := s.partOfDrawn(r, m, p, f, vals); ok {
					vals = append(vals, val{f, sp})
					continue
				}
			}
			lo := len(m.buf)
			m.g.field = s.fields[f]
			nd := s.nodes[p.doms[f]]
			if ds != nil && ds.takes(i, f) {
				var sp span
				if m.buf, sp, err = s.drawDistinct(r, m, ds, i, f, nd.dom); err != nil {
					return fmt.Errorf("%s: %w", s.fields[f], err)
				}
				vals = append(vals, val{f, sp})
				continue
			}
			if len(nd.rels) > 0 {
				var sp span
				if m.buf, sp, err = s.generateRelated(r, m, p, f, vals); err != nil {
					return fmt.Errorf("%s: %w", s.fields[f], err)
				}
				vals = append(vals, val{f, sp})
				continue
			}
			if m.buf, err = nd.dom.generate(r, m.buf, &m.g); err != nil {
				return fmt.Errorf("%s: %w", s.fields[f], err)
			}
			vals = append(vals, val{f, span{lo, len(m.buf)}})
		}
		slices.SortFunc(vals, func(a, b val) int { return int(a.field - b.field) })
		perDoc[i] = vals
		if ds != nil {
			ds.record(s, m, i, vals)
		}
	}
	for i, vals := range perDoc {
		d := &m.Docs[i]
		d.Fields = d.Fields[:0]
		d.Values = d.Values[:0]
		for _, v := range vals {
			d.Fields = append(d.Fields, s.fields[v.field])
			d.Values = append(d.Values, m.buf[v.sp.lo:v.sp.hi])
		}
		d.Offset = offsets[i]
	}
	return nil
}

// docValues is the context of document i of a match with Each.
func (m *Match) docValues(i int) Values {
	if v := m.Each[i].Values; v != nil {
		return v
	}
	return m.Values
}

// equalValue draws (once) the shared value of a pair of equal fields.
func (s *Solver) equalValue(r *rand.Rand, m *Match, p *plan, f int32, vals []val) (span, bool) {
	// f may equal several fields, and they each other: a field of that
	// class already drawn (a join value, say) gives the value.
	class := []int32{f}
	for i := 0; i < len(class); i++ {
		for _, eq := range p.equal {
			var other int32 = -1
			switch class[i] {
			case eq.a:
				other = eq.b
			case eq.b:
				other = eq.a
			}
			if other >= 0 && !slices.Contains(class, other) {
				class = append(class, other)
			}
		}
	}
	for _, g := range class[1:] {
		if v, ok := lookup(vals, g); ok {
			return v, true
		}
	}
	for _, eq := range p.equal {
		if eq.a != f && eq.b != f {
			continue
		}
		other := eq.a
		if other == f {
			other = eq.b
		}
		if v, ok := lookup(vals, other); ok {
			return v, true
		}
		lo := len(m.buf)
		m.g.field = s.fields[f]
		var err error
		if m.buf, err = s.nodes[eq.joint].dom.generate(r, m.buf, &m.g); err != nil {
			return span{}, false
		}
		return span{lo, len(m.buf)}, true
	}
	return span{}, false
}

func lookup(vals []val, f int32) (span, bool) {
	for _, v := range vals {
		if v.field == f {
			return v.sp, true
		}
	}
	return span{}, false
}

// generateRelated draws a value of field f that relates to the values
// already drawn for the fields it is compared with.
func (s *Solver) generateRelated(r *rand.Rand, m *Match, p *plan, f int32, vals []val) ([]byte, span, error) {
	nd := s.nodes[p.doms[f]]
	if out, sp, ok := s.softRelated(r, m, nd, vals); ok {
		return out, sp, nil
	}
	dom := nd.dom
	var checks []*constraint.Pred
	var others [][]byte
	for _, ri := range nd.rels {
		pred := s.preds[ri]
		sp, ok := lookup(vals, s.relOther[ri])
		if !ok {
			continue
		}
		ov := m.buf[sp.lo:sp.hi]
		if pred.Neg || pred.Rel == constraint.RelEq && pred.OtherSlice == nil {
			checks = append(checks, pred)
			others = append(others, ov)
			continue
		}
		if pred.Rel == constraint.RelArgv0 {
			// The array's domain puts the program first where it may.
			if m.g.argv0 == "" {
				m.g.argv0, _ = scalarOf(ov)
			}
			continue
		}
		tmp := relPred(pred, ov)
		d, conf := dom.with(tmp, s.env)
		if conf != nil && s.isSoft[ri] {
			// A preference the drawn values leave no room for: it holds
			// still if this field's value can give the other's.
			if out, sp, ok := s.reverseRelated(r, m, p, f, ri, vals); ok {
				return out, sp, nil
			}
			continue
		}
		if conf != nil {
			// The other field's value does not fit in this one: draw this
			// one first and make the other a part of it.
			if out, sp, ok := s.reverseRelated(r, m, p, f, ri, vals); ok {
				return out, sp, nil
			}
			return m.buf, span{}, fmt.Errorf("%s: %s", pred.Span.Text, conf.Reason())
		}
		dom = d
		if pred.Rel == constraint.RelPathEnd {
			m.g.pathEnd, _ = scalarOf(ov)
		}
	}
	defer func() { m.g.pathEnd, m.g.argv0 = "", "" }()
	values := m.g.values
	defer func() { m.g.values = values }()
	for try := 0; try < 20; try++ {
		if try == 2 {
			// The event's own value (the same each time) keeps failing
			// the checks: values of the domain at large.
			m.g.values = nil
		}
		lo := len(m.buf)
		out, err := dom.generate(r, m.buf, &m.g)
		if err != nil {
			return m.buf, span{}, err
		}
		ok := true
		for i, pred := range checks {
			if relHolds(pred, out[lo:], others[i]) == pred.Neg {
				ok = false
				break
			}
		}
		if ok {
			return out, span{lo, len(out)}, nil
		}
		m.buf = out[:lo]
	}
	return m.buf, span{}, fmt.Errorf("no value found that satisfies %s", checks[0].Span.Text)
}

// softRelated draws f from its own domain, whose automata are built once,
// and keeps the value when every preference relating it to the values
// drawn holds: real values that agree (a command line of the program the
// document names) usually do, and a relation's own automaton, built anew
// for each value of the other field, is then not needed. Only for fields
// whose relations are all preferences; ok is false when no draw agrees.
func (s *Solver) softRelated(r *rand.Rand, m *Match, nd *node, vals []val) ([]byte, span, bool) {
	for _, ri := range nd.rels {
		if !s.isSoft[ri] || s.preds[ri].Rel == constraint.RelArgv0 {
			return m.buf, span{}, false
		}
	}
	// A command line starts with its program: walk the domain's own
	// automaton on from the program.
	if sd, ok := nd.dom.(*strDomain); ok && len(nd.rels) == 1 && s.preds[nd.rels[0]].Rel == constraint.RelCommand {
		ri := nd.rels[0]
		if sp, ok := lookup(vals, s.relOther[ri]); ok {
			other := m.buf[sp.lo:sp.hi]
			for _, prefix := range s.commandPrefixes(r, m, other) {
				lo := len(m.buf)
				if out, ok := sd.generateFrom(r, m.buf, &m.g, prefix); ok && relHolds(s.preds[ri], out[lo:], other) {
					return out, span{lo, len(out)}, true
				}
			}
		}
	}
	if m.g.values == nil {
		return m.buf, span{}, false
	}
	for try := 0; try < 3; try++ {
		lo := len(m.buf)
		out, err := nd.dom.generate(r, m.buf, &m.g)
		if err != nil {
			return m.buf, span{}, false
		}
		holds := true
		for _, ri := range nd.rels {
			if sp, ok := lookup(vals, s.relOther[ri]); ok && !relHolds(s.preds[ri], out[lo:], m.buf[sp.lo:sp.hi]) {
				holds = false
				break
			}
		}
		if holds {
			return out, span{lo, len(out)}, true
		}
		m.buf = out[:lo]
	}
	return m.buf, span{}, false
}

// commandPrefixes are beginnings of a command line that runs program (a
// path, or a bare name): the real ones of the event first.
func (s *Solver) commandPrefixes(r *rand.Rand, m *Match, program []byte) []string {
	v, _ := scalarOf(program)
	quoted := v
	if strings.ContainsRune(v, ' ') {
		quoted = `"` + v + `"`
	}
	var out []string
	if m.g.values != nil && !strings.ContainsAny(v, `/\`) {
		for _, p := range m.g.values.Prefixes(m.g.field) {
			if prog, ok := commandProgram(p); ok && prog[strings.LastIndexAny(prog, `/\`)+1:] == v {
				out = append(out, p)
			}
		}
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return append(out, quoted+" ", quoted)
}

// reverseRelated satisfies "f contains (starts with, ends with) o" by
// drawing f from its own domain and then replacing o's value with a part of
// f's value that o's domain admits.
func (s *Solver) reverseRelated(r *rand.Rand, m *Match, p *plan, f, ri int32, vals []val) ([]byte, span, bool) {
	pred := s.preds[ri]
	o := s.relOther[ri]
	if pred.Neg || pred.OtherSlice != nil {
		return m.buf, span{}, false
	}
	switch {
	case pred.Rel == constraint.RelLt, pred.Rel == constraint.RelLe, pred.Rel == constraint.RelGt, pred.Rel == constraint.RelGe:
		return s.reverseOrdered(r, m, p, f, ri, vals)
	case !partRel(pred.Rel):
		return m.buf, span{}, false
	}
	od, isStr := s.nodes[p.doms[o]].dom.(*strDomain)
	if !isStr {
		return m.buf, span{}, false
	}
	oi := -1
	for i, v := range vals {
		if v.field == o {
			oi = i
		}
	}
	if oi < 0 {
		return m.buf, span{}, false
	}
	for try := 0; try < 10; try++ {
		lo := len(m.buf)
		out, err := s.nodes[p.doms[f]].dom.generate(r, m.buf, &m.g)
		if err != nil {
			return m.buf, span{}, false
		}
		v, _ := scalarOf(out[lo:])
		cands := relParts(pred.Rel, v, od.matches)
		if len(cands) == 0 {
			m.buf = out[:lo]
			continue
		}
		// o's new value goes after f's; spans stay valid in the buffer.
		olo := len(out)
		out = document.AppendString(out, cands[r.IntN(len(cands))])
		vals[oi].sp = span{olo, len(out)}
		return out, span{lo, olo}, true
	}
	return m.buf, span{}, false
}

// drawJoin draws the value of join key field f from its joint node n.
// When the first event relates f to a field drawn later as a part of f's
// value (a path and its file name, a command line and its program), that
// field is drawn first, and f's value made to hold it: the join key then
// agrees with the fields of every event.
func (s *Solver) drawJoin(r *rand.Rand, m *Match, p *plan, f, n int32, first []val) (span, []val, error) {
	dom := s.nodes[n].dom
	for _, ri := range s.nodes[p.doms[f]].rels {
		pred := s.preds[ri]
		o := s.relOther[ri]
		if pred.Neg || pred.OtherSlice != nil || !partRel(pred.Rel) || slices.ContainsFunc(first, func(v val) bool { return v.field == o }) {
			continue
		}
		od := s.nodes[p.doms[o]]
		if _, isStr := od.dom.(*strDomain); !isStr || len(od.rels) > 0 {
			continue
		}
		lo := len(m.buf)
		m.g.field = s.fields[o]
		out, err := od.dom.generate(r, m.buf, &m.g)
		if err != nil {
			continue
		}
		d, conf := dom.with(relPred(pred, out[lo:]), s.env)
		if conf != nil {
			m.buf = out[:lo]
			continue
		}
		m.buf, dom = out, d
		first = append(first, val{o, span{lo, len(out)}})
		if pred.Rel == constraint.RelPathEnd {
			m.g.pathEnd, _ = scalarOf(out[lo:])
		}
	}
	lo := len(m.buf)
	m.g.field = s.fields[f]
	m.g.vals = first // the event's own value agrees with them
	var err error
	m.buf, err = dom.generate(r, m.buf, &m.g)
	m.g.pathEnd, m.g.vals = "", nil
	return span{lo, len(m.buf)}, first, err
}

// partsFit reports whether each drawn value (of buf) leaves the fields
// related to it as a part of it (a path's file name) a value of their
// domains in plan p.
func (s *Solver) partsFit(p *plan, buf []byte, vals []val) bool {
	for _, v := range vals {
		for _, ri := range s.nodes[p.doms[v.field]].rels {
			pred := s.preds[ri]
			o := s.relOther[ri]
			od, isStr := s.nodes[p.doms[o]].dom.(*strDomain)
			if pred.Neg || pred.OtherSlice != nil || !partRel(pred.Rel) || !isStr ||
				slices.ContainsFunc(vals, func(w val) bool { return w.field == o }) {
				continue
			}
			text, _ := scalarOf(buf[v.sp.lo:v.sp.hi])
			if len(relParts(pred.Rel, text, od.matches)) == 0 {
				return false
			}
		}
	}
	return true
}

// partOfDrawn draws f, when a field compared with it is already drawn, as
// a part of that field's value that fits f's domain.
func (s *Solver) partOfDrawn(r *rand.Rand, m *Match, p *plan, f int32, vals []val) (span, bool) {
	od, isStr := s.nodes[p.doms[f]].dom.(*strDomain)
	if !isStr {
		return span{}, false
	}
	for _, v := range vals {
		for _, ri := range s.nodes[p.doms[v.field]].rels {
			pred := s.preds[ri]
			if s.relOther[ri] != f || pred.Neg || pred.OtherSlice != nil || !partRel(pred.Rel) {
				continue
			}
			text, _ := scalarOf(m.buf[v.sp.lo:v.sp.hi])
			if cands := relParts(pred.Rel, text, od.matches); len(cands) > 0 {
				lo := len(m.buf)
				m.buf = document.AppendString(m.buf, cands[r.IntN(len(cands))])
				return span{lo, len(m.buf)}, true
			}
		}
	}
	return span{}, false
}

// partRel tells the relations whose other field holds a part of the
// field's value.
func partRel(rel constraint.RelKind) bool {
	switch rel {
	case constraint.RelContains, constraint.RelPrefix, constraint.RelSuffix, constraint.RelPathEnd, constraint.RelCommand,
		constraint.RelExtension:
		return true
	}
	return false
}

// relParts are the parts of v that another field may hold for v to
// relate to it by rel (v contains, starts or ends with the part; v is a
// path ending in it, a command line running it) and that fit the other
// field's domain.
func relParts(rel constraint.RelKind, v string, fits func(string) bool) []string {
	var out []string
	switch rel {
	case constraint.RelPathEnd:
		if i := strings.LastIndexAny(v, `/\`); i >= 0 && fits(v[i+1:]) {
			out = append(out, v[i+1:])
		}
		return out
	case constraint.RelCommand:
		// The program, or its bare name (for process.name).
		if exe, ok := commandProgram(v); ok {
			for _, p := range []string{exe, exe[strings.LastIndexAny(exe, `/\`)+1:]} {
				if fits(p) {
					return append(out, p)
				}
			}
		}
		return out
	case constraint.RelExtension:
		if i := strings.LastIndexByte(v, '.'); i >= 0 && !strings.ContainsAny(v[i:], `/\`) && fits(v[i+1:]) {
			out = append(out, v[i+1:])
		}
		return out
	}
	for i := 0; i < len(v); i++ {
		for j := i + 1; j <= len(v); j++ {
			if rel == constraint.RelPrefix && i > 0 || rel == constraint.RelSuffix && j < len(v) {
				continue
			}
			if fits(v[i:j]) {
				out = append(out, v[i:j])
			}
		}
	}
	return out
}

// commandProgram is the program a command line runs: its first word, or
// the quoted text it starts with.
func commandProgram(cmd string) (string, bool) {
	if rest, ok := strings.CutPrefix(cmd, `"`); ok {
		exe, _, found := strings.Cut(rest, `"`)
		return exe, found && exe != ""
	}
	exe, _, _ := strings.Cut(cmd, " ")
	return exe, exe != ""
}

// reverseOrdered satisfies "f < o" (<=, >, >=) by drawing f from its own
// domain and then o from its domain narrowed by the flipped order.
func (s *Solver) reverseOrdered(r *rand.Rand, m *Match, p *plan, f, ri int32, vals []val) ([]byte, span, bool) {
	pred := s.preds[ri]
	o := s.relOther[ri]
	oi := slices.IndexFunc(vals, func(v val) bool { return v.field == o })
	if oi < 0 {
		return m.buf, span{}, false
	}
	flip := map[constraint.RelKind]constraint.RelKind{
		constraint.RelLt: constraint.RelGt, constraint.RelLe: constraint.RelGe,
		constraint.RelGt: constraint.RelLt, constraint.RelGe: constraint.RelLe,
	}[pred.Rel]
	for try := 0; try < 10; try++ {
		lo := len(m.buf)
		out, err := s.nodes[p.doms[f]].dom.generate(r, m.buf, &m.g)
		if err != nil {
			return m.buf, span{}, false
		}
		fv := out[lo:]
		back := &constraint.Pred{Field: pred.Other, Op: constraint.Rel, Rel: flip, CI: pred.CI, Span: pred.Span}
		od, conf := s.nodes[p.doms[o]].dom.with(relPred(back, fv), s.env)
		if conf != nil {
			m.buf = out[:lo]
			continue
		}
		olo := len(out)
		if out, err = od.generate(r, out, &m.g); err != nil || !relHolds(pred, out[lo:olo], out[olo:]) {
			m.buf = out[:lo]
			continue
		}
		vals[oi].sp = span{olo, len(out)}
		return out, span{lo, olo}, true
	}
	return m.buf, span{}, false
}

// Span is the longest time from the first to the last event of a match.
func (s *Solver) Span() time.Duration {
	if n := len(s.events); n > 1 {
		return time.Duration(n-1) * s.step()
	}
	return 0
}

// step is the largest gap between two events of a match.
func (s *Solver) step() time.Duration {
	n := len(s.events)
	step := 30 * time.Second
	if s.q.Kind == constraint.Sample {
		// Samples (and threshold groups) are bursts.
		step = time.Second
	}
	if s.q.MaxSpan > 0 && n > 1 {
		step = s.q.MaxSpan * 9 / 10 / time.Duration(n-1)
	}
	if s.within > 0 && n > 1 {
		step = min(step, s.within*9/10/time.Duration(n-1))
	}
	return max(step, time.Millisecond)
}

// offsets spaces the events of a match in time: strictly increasing, and
// within the query's maxspan.
func (s *Solver) offsets(r *rand.Rand, out []time.Duration) []time.Duration {
	n := len(s.events)
	for len(out) < n {
		out = append(out, 0)
	}
	out = out[:n]
	out[0] = 0
	if n == 1 {
		return out
	}
	step := s.step()
	for i := 1; i < n; i++ {
		gap := time.Millisecond + time.Duration(r.Int64N(int64(step)))
		if gap > step {
			gap = step
		}
		out[i] = out[i-1] + gap
	}
	return out
}

// Query is the query the solver was made for.
func (s *Solver) Query() *constraint.Query { return s.q }
