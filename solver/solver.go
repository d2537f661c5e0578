// Package solver turns constraints into values: each field's predicates meet
// into a value domain (string automata, interval sets of numbers, dates and
// IPs, booleans), disjunctions are chosen lazily at random with
// backtracking, and a document is a draw from every field's domain.
package solver

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver/automaton"
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
	// Prefer are soft predicates: each holds in a solution when it can
	// (the fields' other constraints allow it), and is dropped where it
	// cannot, so preferences never make a query unsolvable nor change
	// which alternatives are dead. Emit prefers documents whose fields
	// agree with each other (a command line that runs the executable) and
	// that hold the fields the query names under a negation.
	Prefer []*constraint.Pred
	// EventPrefer are preferences of one event each: EventPrefer[i] hold
	// (where they can) in the documents of the query's i-th event only,
	// as Prefer do in every document. The events of a match that are
	// different things (an event and the threat indicator it matches)
	// each keep their own.
	EventPrefer [][]*constraint.Pred
	// Within, when positive, is the time a match's events may span at
	// most (the window they must fall in): events come closer together
	// than the query's maxspan allows when that is longer.
	Within time.Duration
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
	// minimal: pattern automata are minimized (ES|QL queries, whose
	// lowering writes patterns such as ".*(a|b|c).*" that a subset
	// construction leaves several times too large; other languages keep
	// the automata, and so the walks, their seeded output was made with).
	minimal bool
	// walks are the witness walks drawn on each positive automaton (see
	// strDomain.nonEmpty).
	mu    sync.Mutex
	walks map[*automaton.DFA]*witnessWalks
}

// genCtx carries per-value context into domain generation.
type genCtx struct {
	field     string
	buf       []byte
	timestamp int64
	// values gives real-looking values (nil: the solver's own plausible
	// ones); drawn reads the values the document holds so far.
	values Values
	s      *Solver
	m      *Match
	vals   []val
	// pathEnd, when set, is the file name the drawn path ends with (a
	// relation to the file name drawn before): a real directory of the
	// field's values, then that name, comes first.
	pathEnd string
	// argv0, when set, is the program an argument vector starts with.
	argv0 string
	// notOwn: the event's own value does not do (it is drawn already);
	// other real values of the field still do.
	notOwn bool
}

// Values is where the solver draws real-looking values from: an event's
// context (its host, user, process, ...) that keeps a document's fields in
// agreement. The solver uses a value only where the query allows it.
type Values interface {
	// Value is the event's value of field, agreeing with the values the
	// document already holds (drawn); ok is false when there is none.
	Value(field string, drawn func(field string) (string, bool)) (string, bool)
	// Candidates are other real values of field, tried against the
	// field's constraints when the event's own value does not fit.
	Candidates(field string) []string
	// Prefixes are real beginnings of the field's values (a directory of
	// a path, the executable of a command line): a walk through the
	// field's constraints starts from one when it can.
	Prefixes(field string) []string
	// Words are fragments that fill the free parts of the field's
	// patterns.
	Words(field string) [][]byte
}

// Fixed is what a Values may also implement: the value the caller wants
// for a numeric field (a metric an anomaly-detection job sums, say). The
// solver takes it where the field's domain holds it (after rounding to
// what the field stores), else draws its own, as it does with Value for
// strings.
type Fixed interface {
	Fixed(field string) (float64, bool)
}

// fixed is the value g's Values fixes for g's field, if any.
func (g *genCtx) fixed() (float64, bool) {
	if fx, ok := g.values.(Fixed); ok && fx != nil {
		return fx.Fixed(g.field)
	}
	return 0, false
}

// drawn is the value the document holds for field so far, as text.
func (g *genCtx) drawn(field string) (string, bool) {
	if g.s == nil {
		return "", false
	}
	i, ok := g.s.fieldIdx[field]
	if !ok {
		return "", false
	}
	sp, ok := lookup(g.vals, i)
	if !ok {
		return "", false
	}
	v, _ := scalarOf(g.m.buf[sp.lo:sp.hi])
	return v, true
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
	memo      map[uint64]int32          // memoKey(node, pred) -> node, or -1-conflict index
	byKey     map[uint64]int32          // the last node made by a meet, by predsHash (node.sameKey: the ones before)
	orKey     map[*constraint.Or]string // disjunctions by their shape (exprKey)
	conflicts []*Conflict

	events []*eventPlan
	joins  [][]int32 // per join key, the field index in each event (-1: none)
	// distinct keys: per key, the field index in each event (-1: none)
	// whose values differ pairwise.
	distinct [][]int32
	synth    map[synthKey]int32 // predicates made for one drawn value

	warnings []Warning
	named    map[string]bool // concrete field names the predicates name
	prefer   []*constraint.Pred
	// preferIn is the query event each preference holds in (-1: every
	// event), by index into prefer.
	preferIn []int
	within   time.Duration
	soft     []int32 // the preferences' predicates
	isSoft   map[int32]bool
	softIn   map[int32]int // the query event of a preference of one event
}

// Warning is a dead alternative: something the author wrote that can never
// hold where it stands.
type Warning struct {
	Span     constraint.Span
	Conflict *Conflict
}

func (w Warning) String() string {
	if !w.Span.Pos.IsValid() {
		// Not from a query's text (a rule's threat_mapping).
		return fmt.Sprintf("%q can never match here (%s)", w.Span.Text, w.Conflict)
	}
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
		parts = append(parts, fmt.Sprintf("%s (%s)", c.Field, c.Reason()))
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
		q: q, sch: sch, strict: opts.Strict, within: opts.Within,
		env:      &env{now: now, minimal: q.Lang == "esql"},
		fieldIdx: map[string]int32{},
		predID:   map[*constraint.Pred]int32{},
		memo:     map[uint64]int32{},
		byKey:    map[uint64]int32{},
		named:    map[string]bool{},
	}
	for _, p := range opts.Prefer {
		s.prefer, s.preferIn = append(s.prefer, p), append(s.preferIn, -1)
	}
	for i, ps := range opts.EventPrefer {
		for _, p := range ps {
			s.prefer, s.preferIn = append(s.prefer, p), append(s.preferIn, i)
		}
	}
	if err := s.compile(); err != nil {
		return nil, err
	}
	var dead []Warning
	// A join field is present in every event that takes part in the join.
	for i, ev := range s.events {
		for _, key := range s.joins {
			if f := key[i]; f >= 0 {
				if ev.init == nil {
					ev.init = s.initialDoms()
				}
				ev.init[f] = s.presentNode(ev.init[f])
			}
		}
	}
	// Events of a group often share their condition: solve it once.
	// (Preferences of one event make its solution its own.)
	type solvedKey struct {
		cond  constraint.Expr
		init  string
		event int
	}
	solved := map[solvedKey]*eventPlan{}
	for _, ev := range s.events {
		key := solvedKey{ev.cond, planKey(ev.init), -1}
		if slices.Contains(s.preferIn, ev.src) {
			key.event = ev.src
		}
		if prev, ok := solved[key]; ok {
			ev.first, ev.static, ev.plans = prev.first, prev.static, prev.plans
			continue
		}
		ctx := &searchCtx{budget: checkBudget, event: ev.src}
		doms, ok := s.dfs([]constraint.Expr{ev.cond}, s.startDoms(ev), nil, ctx)
		if !ok {
			return nil, &UnsolvableError{Conflicts: ctx.distinctConflicts(), Exhausted: ctx.exhausted}
		}
		ev.first = ctx.plan
		if !ev.hasOr {
			ev.static = ev.first
		} else {
			ev.plans = map[string]*plan{planKey(doms): ev.first}
		}
		dead = append(dead, s.deadAlternatives(ev, ctx.path, ctx.hard)...)
		solved[key] = ev
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
			if i >= len(key) || key[i] < 0 {
				continue
			}
			for j, n := range ev.first.doms {
				jf, of := s.fields[key[i]], s.fields[j]
				if s.nodes[n].present && (under(of, jf) || under(jf, of)) {
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
	// Distinct keys need enough different values: a draw proves it.
	if len(s.distinct) > 0 {
		if err := s.Generate(witnessRand(), &Match{}); err != nil {
			var ue *UnsolvableError
			if errors.As(err, &ue) {
				return nil, err
			}
			return nil, &UnsolvableError{Conflicts: []*Conflict{{Field: "query", reason: err.Error()}}}
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
