package solver

import (
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/solver/automaton"
)

// strDomain is the domain of a string field: a regular language. Exact
// values are kept as such (checked against every other predicate by
// matching), everything else is intersected as automata.
type strDomain struct {
	field string
	text  bool // analyzed text field: equality means "contains the tokens"
	exact *string
	dfa   *automaton.DFA // nil: every string
	preds []*constraint.Pred
	// allowed: the schema's allowed values, preferred when they fit
	allowed []string

	once    *sync.Once
	walker  *automaton.Walker
	fitting []string // allowed values in the domain
}

func newStrDomain(field string, text bool) *strDomain {
	return &strDomain{field: field, text: text, once: new(sync.Once)}
}

func (d *strDomain) hasValue() bool { return d.exact != nil || d.dfa != nil }

func (d *strDomain) clone(p *constraint.Pred) *strDomain {
	c := *d
	c.preds = append(append([]*constraint.Pred(nil), d.preds...), p)
	c.once = new(sync.Once)
	c.walker = nil
	c.fitting = nil
	return &c
}

func (d *strDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	switch p.Op {
	case constraint.Exists:
		return d, nil
	case constraint.CIDR:
		return nil, conflictf(d.field, "cidrMatch on a string field (not an ip): %s", p.Span.Text)
	}
	if d.text {
		p = textAsKeyword(p)
	}
	c := d.clone(p)
	// Plain exact value: the fast path.
	if p.Op == constraint.Eq && !p.Neg && !p.CI && p.Value.Kind != constraint.KindNull {
		v := valueString(p.Value)
		if d.exact != nil && *d.exact != v {
			return nil, conflictf(d.field, "empty solution space, %s", describePreds(c.preds))
		}
		if d.dfa != nil && !d.dfa.Match(v) {
			return nil, conflictf(d.field, "empty solution space, %s", describePreds(c.preds))
		}
		c.exact = &v
		return c, nil
	}
	a, err := env.predDFA(p)
	if err != nil {
		return nil, conflictf(d.field, "%v", err)
	}
	if c.exact != nil {
		if !a.Match(*c.exact) {
			return nil, conflictf(d.field, "empty solution space, %s", describePreds(c.preds))
		}
		return c, nil
	}
	if d.dfa == nil {
		c.dfa = a
	} else {
		m, err := automaton.Intersect(d.dfa, a)
		if err != nil {
			return nil, conflictf(d.field, "%v", err)
		}
		c.dfa = m
	}
	if c.dfa.IsEmpty() {
		return nil, conflictf(d.field, "empty solution space, no string satisfies %s", describePreds(c.preds))
	}
	if s, ok := c.dfa.Singleton(); ok {
		c.exact = &s
	}
	return c, nil
}

func (d *strDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	if d.exact != nil {
		return appendJSONString(dst, *d.exact), nil
	}
	d.once.Do(func() {
		for _, v := range d.allowed {
			if d.matches(v) {
				d.fitting = append(d.fitting, v)
			}
		}
		if d.dfa != nil {
			d.walker = automaton.NewWalker(d.dfa)
		}
	})
	if len(d.fitting) > 0 {
		return appendJSONString(dst, d.fitting[r.IntN(len(d.fitting))]), nil
	}
	if d.dfa == nil {
		g.buf = appendPlausible(r, g.buf[:0], g.field, d.text)
		return appendJSONString(dst, g.buf), nil
	}
	g.buf = d.walker.Walk(r, g.buf[:0], extraLength(r, d.walker.MinLen()))
	return appendJSONString(dst, g.buf), nil
}

// matches reports whether s is in the domain.
func (d *strDomain) matches(s string) bool {
	if d.exact != nil {
		return *d.exact == s
	}
	return d.dfa == nil || d.dfa.Match(s)
}

// extraLength chooses how many characters a walk adds beyond the shortest
// accepted string: a few for long fixed parts, more for free-form ones.
func extraLength(r *rand.Rand, min int) int {
	if min >= 12 {
		return r.IntN(6)
	}
	return 3 + r.IntN(10)
}

func valueString(v constraint.Value) string {
	switch v.Kind {
	case constraint.KindString, constraint.KindNumber:
		return v.Str
	case constraint.KindBool:
		if v.Bool {
			return "true"
		}
		return "false"
	}
	return ""
}

// predDFA builds (and caches) the automaton of a string predicate, negated
// when the predicate is.
func (e *env) predDFA(p *constraint.Pred) (*automaton.DFA, error) {
	key := p
	e.mu.Lock()
	if d, ok := e.dfas[key]; ok {
		e.mu.Unlock()
		return d, nil
	}
	e.mu.Unlock()
	d, err := buildPredDFA(p)
	if err != nil {
		return nil, err
	}
	if p.Neg {
		d = automaton.Complement(d)
	}
	e.mu.Lock()
	if len(e.dfas) < 10000 { // per-document predicates (relations) are not worth keeping
		e.dfas[key] = d
	}
	e.mu.Unlock()
	return d, nil
}

type dfaKey = *constraint.Pred

// textAsKeyword rewrites a predicate on an analyzed text field into one on
// the raw string that implies it: equality becomes "contains the value as
// whole words" (so that several required phrases combine), its negation
// "does not contain the value in any case", and a wildcard matches inside
// the text, case-insensitively.
func textAsKeyword(p *constraint.Pred) *constraint.Pred {
	q := *p
	switch p.Op {
	case constraint.Eq:
		v := valueString(p.Value)
		q.Op = constraint.Like
		if p.Neg {
			q.Pattern, q.CI = constraint.Contains(v), true
		} else {
			q.Pattern, q.CI = textContains(v), false
		}
	case constraint.Like:
		q.Pattern = append(append(constraint.Pattern{{Kind: constraint.AnyString}}, p.Pattern...), constraint.Elem{Kind: constraint.AnyString})
		q.CI = true
	default:
		return p
	}
	return &q
}

func buildPredDFA(p *constraint.Pred) (*automaton.DFA, error) {
	switch p.Op {
	case constraint.Eq:
		return automaton.Literal(valueString(p.Value), p.CI), nil
	case constraint.Like:
		return automaton.Wildcard(p.Pattern, p.CI)
	case constraint.Regex:
		return automaton.Regex(p.Regex, p.CI)
	case constraint.Len:
		n := int(p.Value.Num)
		if float64(n) != p.Value.Num {
			// length compared with a fraction
			switch p.Cmp {
			case constraint.Eq:
				return automaton.Empty(), nil
			case constraint.Lt, constraint.Le:
				return automaton.Length(0, int(p.Value.Num))
			default:
				return automaton.Length(int(p.Value.Num)+1, -1)
			}
		}
		switch p.Cmp {
		case constraint.Eq:
			return automaton.Length(n, n)
		case constraint.Lt:
			return automaton.Length(0, n-1)
		case constraint.Le:
			return automaton.Length(0, n)
		case constraint.Gt:
			return automaton.Length(n+1, -1)
		case constraint.Ge:
			return automaton.Length(n, -1)
		}
	case constraint.Lt:
		return automaton.Less(valueString(p.Value), false), nil
	case constraint.Le:
		return automaton.Less(valueString(p.Value), true), nil
	case constraint.Gt:
		return automaton.Greater(valueString(p.Value), false), nil
	case constraint.Ge:
		return automaton.Greater(valueString(p.Value), true), nil
	}
	return nil, &constraint.UnsupportedError{Span: p.Span, What: "predicate " + p.String() + " on a string field"}
}

// textContains is the pattern of a text value holding the tokens of v as
// whole words: "* v *", so that several required phrases combine.
func textContains(v string) constraint.Pattern {
	return constraint.Pattern{
		{Kind: constraint.AnyString},
		{Kind: constraint.Lit, Lit: " " + strings.TrimSpace(v) + " "},
		{Kind: constraint.AnyString},
	}
}
