package solver

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/solver/automaton"
)

// strDomain is the domain of a string field: a regular language.
//
// Positive constraints intersect into one automaton (pos). Exclusions stay
// lazy: excluded exact values (excl) and excluded languages (negs) are not
// complemented and intersected one by one, which is what makes long
// exclusion lists cheap. Emptiness is proven by a witness (a random walk
// on pos that no exclusion rejects) or, failing that, by the exact
// automaton pos minus the exclusions, which is then kept for generation.
type strDomain struct {
	field string
	text  bool // analyzed text field: equality means "contains the tokens"
	exact *string
	pos   *automaton.DFA // nil: every string
	negs  []*automaton.DFA
	excl  []string
	preds []*constraint.Pred
	// allowed: the schema's allowed values, preferred when they fit
	allowed []string

	oneWord bool // a text value kept to one word (ranges on text)

	// lenLo is the least length the predicates ask for with no upper
	// bound, and short the positive automaton without those bounds (pos
	// when lenLo is 0): when the product of a pattern with a length
	// counter would be too large, pos is short's strings that end in
	// padding long enough (automaton.AtLeast).
	lenLo int
	short *automaton.DFA

	// within lists automata whose languages hold pos's: the predicates'
	// automata pos was intersected with (automata are shared, one per
	// predicate content, see cachedPredDFA). Negating one of them leaves
	// no value, which is then known without building the difference.
	within []*automaton.DFA

	posWalk *lazyWalker // walker of pos, shared while pos is unchanged
	gen     *strGen     // generation state, per domain
	// witness, when known, is a value of the domain (found by nonEmpty):
	// a narrower domain that still admits it is not empty either.
	witness *string
}

// lazyWalker builds a walker on first use.
type lazyWalker struct {
	once sync.Once
	dfa  *automaton.DFA
	w    *automaton.Walker
}

func (l *lazyWalker) get() *automaton.Walker {
	l.once.Do(func() { l.w = automaton.NewWalker(l.dfa) })
	return l.w
}

// strGen is what generation needs, prepared once per domain.
type strGen struct {
	once    sync.Once
	fitting []string    // allowed values in the domain
	cased   *lazyWalker // pos with case-insensitive literals in their written case
	exact   *lazyWalker // pos minus the exclusions, when sampling pos fails
	mu      sync.Mutex
}

// newKeywordDomain is the domain of a string compared whole.
func newKeywordDomain(field string) *strDomain {
	return &strDomain{field: field, gen: &strGen{}}
}

// newTextDomain is the domain of an analyzed string, compared by words.
func newTextDomain(field string) *strDomain {
	return &strDomain{field: field, text: true, gen: &strGen{}}
}

func (d *strDomain) hasValue() bool { return d.exact != nil || d.pos != nil }

func (d *strDomain) clone(p *constraint.Pred) *strDomain {
	c := *d
	c.preds = append(append([]*constraint.Pred(nil), d.preds...), p)
	c.gen = &strGen{}
	return &c
}

func (d *strDomain) empty(c *strDomain) *Conflict {
	return emptyConflict(d.field, "empty solution space, ", c.preds)
}

func (d *strDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	switch p.Op {
	case constraint.Exists:
		return d, nil
	case constraint.CIDR:
		return nil, conflictf(d.field, "cidrMatch on a string field (not an ip): %s", p.Span.Text)
	case constraint.Lt, constraint.Le, constraint.Gt, constraint.Ge:
		if p.Value.Kind == constraint.KindNumber {
			// Reached only when the query also compares the field with
			// strings (else the field is typed numeric): a string never
			// orders against a number.
			if p.Neg {
				return d, nil
			}
			return nil, conflictf(d.field, "%s orders a string field against a number", p.Span.Text)
		}
	}
	if d.text && !p.Whole {
		if p.Op == constraint.Eq && !hasWord(valueString(p.Value)) {
			// Analyzed to no words, the value matches no document (a match
			// query's zero_terms_query is "none"); its negation always holds.
			if p.Neg {
				return d, nil
			}
			return nil, conflictf(d.field, "%s has no words to match in a text field", p.Value)
		}
		if p.Op >= constraint.Lt && p.Op <= constraint.Ge && !d.oneWord {
			// A range on analyzed text compares its words: keep the value
			// to one lower-case word, which the range then compares whole.
			w, conf := d.with(&constraint.Pred{Field: p.Field, Op: constraint.Regex, Regex: "[a-z0-9]+", Span: p.Span}, env)
			if conf != nil {
				return nil, conf
			}
			wd := w.(*strDomain)
			wd.oneWord = true
			return wd.with(p, env)
		}
		if p.Op == constraint.Like && !wordPattern(p.Pattern) {
			// A wildcard on a text field matches single words, which
			// such a pattern cannot.
			if p.Neg {
				return d, nil
			}
			return nil, conflictf(d.field, "%s matches single words of a text field, and no word has that shape", p.Span.Text)
		}
		p = textAsKeyword(p)
	}
	c := d.clone(p)
	exactEq := p.Op == constraint.Eq && !p.CI && p.Value.Kind != constraint.KindNull
	switch {
	case exactEq && !p.Neg:
		v := valueString(p.Value)
		if d.exact != nil && *d.exact != v {
			return nil, d.empty(c)
		}
		c.exact = &v
		if !c.admits(v) {
			return nil, d.empty(c)
		}
		return c, nil
	case exactEq && p.Neg:
		v := valueString(p.Value)
		if d.exact != nil {
			if *d.exact == v {
				return nil, d.empty(c)
			}
			return c, nil
		}
		c.excl = append(slices.Clone(d.excl), v)
	case p.Neg:
		q := *p
		q.Neg = false
		a, err := env.predDFA(&q)
		if err != nil {
			return nil, conflictf(d.field, "%v", err)
		}
		if d.exact != nil {
			if a.Match(*d.exact) {
				return nil, d.empty(c)
			}
			return c, nil
		}
		c.negs = append(slices.Clone(d.negs), a)
		if slices.Contains(d.within, a) {
			// Every value of pos is one of a's: none is left (what
			// nonEmpty would find, building pos minus a to prove it).
			return nil, emptyConflict(d.field, "empty solution space, no string satisfies ", c.preds)
		}
	default:
		a, err := env.predDFA(p)
		if n := lenLowerBound(p); err == automaton.ErrTooComplex && n > 0 && d.exact == nil {
			// "At least n characters" past what a length automaton holds:
			// the strings of the domain without its length bounds that go
			// on for n characters more (a part of them, see
			// automaton.AtLeast).
			base := d.pos
			if d.lenLo > 0 {
				base = d.short // nil: only length bounds so far
			}
			if base == nil {
				base = automaton.ValidUTF8()
			}
			lo := max(d.lenLo, n)
			if long, ok := automaton.AtLeast(base, lo); ok {
				c.lenLo, c.short, c.pos = lo, base, long
				c.within = nil
				c.posWalk = &lazyWalker{dfa: c.pos}
				return c, nil
			}
		}
		if err != nil {
			return nil, conflictf(d.field, "%v", err)
		}
		if d.exact != nil {
			if !a.Match(*d.exact) {
				return nil, d.empty(c)
			}
			return c, nil
		}
		n := lenLowerBound(p)
		if n > 0 && n <= d.lenLo {
			return c, nil // a longer least length holds already
		}
		c.lenLo = max(d.lenLo, n)
		short := d.short
		if d.lenLo == 0 {
			short = d.pos
		}
		if n == 0 {
			if short == nil {
				short = a
			} else if c.lenLo > 0 {
				var err error
				if short, err = automaton.Intersect(short, a); err != nil {
					return nil, conflictf(d.field, "%v", err)
				}
			}
		}
		if d.pos == nil {
			c.pos = a
			c.within = []*automaton.DFA{a}
		} else {
			m, err := intersect(d.pos, a)
			c.within = append(slices.Clone(d.within), a)
			if err == automaton.ErrTooComplex && c.lenLo > 0 && short != nil {
				if long, ok := automaton.AtLeast(short, c.lenLo); ok {
					m, err = long, nil
					c.within = nil
				}
			}
			if err != nil {
				return nil, conflictf(d.field, "%v", err)
			}
			c.pos = m
		}
		c.short = nil
		if c.lenLo > 0 {
			c.short = short
		}
		if c.pos.IsEmpty() {
			return nil, emptyConflict(d.field, "empty solution space, no string satisfies ", c.preds)
		}
		c.posWalk = &lazyWalker{dfa: c.pos}
		single := (*automaton.DFA).Singleton
		if d.pos == nil {
			single = predSingleton // c.pos is a predicate's automaton
		}
		if s, ok := single(c.pos); ok {
			c.exact = &s
			if !c.admits(s) {
				return nil, d.empty(c)
			}
			return c, nil
		}
	}
	if len(c.excl) == 0 && len(c.negs) == 0 {
		return c, nil
	}
	if w := d.witness; w != nil && c.admits(*w) {
		c.witness = w
		return c, nil
	}
	c.witness = nil
	if !c.nonEmpty(env) {
		return nil, emptyConflict(d.field, "empty solution space, no string satisfies ", c.preds)
	}
	return c, nil
}

// lenLowerBound is the least length a predicate asks for with no upper
// bound ("length >= n", "length > n"), else 0.
func lenLowerBound(p *constraint.Pred) int {
	if p.Op != constraint.Len || p.Neg {
		return 0
	}
	v := p.Value.Num
	switch p.Cmp {
	case constraint.Ge:
		return int(math.Ceil(v))
	case constraint.Gt:
		return int(math.Floor(v)) + 1
	}
	return 0
}

// admits reports whether s passes the positive automaton and no exclusion.
func (d *strDomain) admits(s string) bool {
	if d.pos != nil && !d.pos.Match(s) {
		return false
	}
	return !d.excluded(s)
}

func (d *strDomain) excluded(s string) bool {
	if slices.Contains(d.excl, s) {
		return true
	}
	for _, n := range d.negs {
		if n.Match(s) {
			return true
		}
	}
	return false
}

// anyWalker walks the automaton of all strings.
var anyWalker = sync.OnceValue(func() *automaton.Walker { return automaton.NewWalker(automaton.AnyBytes()) })

// witnessRand draws witnesses reproducibly: emptiness must not depend on
// chance between runs.
func witnessRand() *rand.Rand { return rand.New(rand.NewPCG(0x5eed, 0xfeed)) }

// nonEmpty proves the domain has a value: a witness from random walks on
// pos, else the exact automaton (kept for generation).
func (d *strDomain) nonEmpty(env *env) bool {
	r := witnessRand()
	var buf []byte
	var walks *witnessWalks
	if d.pos != nil {
		walks = env.witnesses(d.pos)
	}
	for i := 0; i < 24; i++ {
		if d.pos == nil {
			if i%2 == 0 {
				buf = appendPlausible(r, buf[:0], d.field, false)
			} else {
				buf = anyWalker().Walk(r, buf[:0], 1+i)
			}
		} else {
			// The walks on pos, drawn once per solver: domains of one
			// automaton with other exclusions try the same strings.
			w := walks.at(i, d.posWalk)
			if !d.excluded(w) {
				d.witness = &w
				return true
			}
			continue
		}
		if !d.excluded(string(buf)) {
			w := string(buf)
			d.witness = &w
			return true
		}
	}
	full, err := d.exactDFA()
	if err != nil || full.IsEmpty() {
		return false
	}
	d.gen.exact = &lazyWalker{dfa: full}
	return true
}

// witnessWalks are the strings nonEmpty's walks on an automaton draw, in
// their order (a walk draws from where the one before left witnessRand),
// drawn as they are first needed.
type witnessWalks struct {
	mu    sync.Mutex
	r     *rand.Rand
	walks []string
}

// at is the i-th walk on w's automaton.
func (ww *witnessWalks) at(i int, w *lazyWalker) string {
	ww.mu.Lock()
	defer ww.mu.Unlock()
	for len(ww.walks) <= i {
		ww.walks = append(ww.walks, string(w.get().Walk(ww.r, nil, len(ww.walks)%12)))
	}
	return ww.walks[i]
}

// witnesses are the witness walks on pos, kept for the solver's life.
func (e *env) witnesses(pos *automaton.DFA) *witnessWalks {
	e.mu.Lock()
	defer e.mu.Unlock()
	ww, ok := e.walks[pos]
	if !ok {
		if e.walks == nil {
			e.walks = map[*automaton.DFA]*witnessWalks{}
		}
		ww = &witnessWalks{r: witnessRand()}
		e.walks[pos] = ww
	}
	return ww
}

// exactDFA is pos minus every exclusion, as one automaton.
func (d *strDomain) exactDFA() (*automaton.DFA, error) {
	acc := d.pos
	if acc == nil {
		acc = automaton.AnyBytes()
	}
	for _, v := range d.excl {
		var err error
		if acc, err = automaton.Intersect(acc, automaton.Complement(automaton.Literal(v, false))); err != nil {
			return nil, err
		}
	}
	for _, n := range d.negs {
		var err error
		if acc, err = automaton.Intersect(acc, automaton.Complement(n)); err != nil {
			return nil, err
		}
		if acc.IsEmpty() {
			break
		}
	}
	// Complements hold byte strings that are no text; keep valid UTF-8.
	return automaton.Intersect(acc, automaton.ValidUTF8())
}

func (d *strDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	if d.exact != nil {
		return document.AppendString(dst, *d.exact), nil
	}
	// A walk may leave a free part of a path empty ("Packages/.py"): a
	// few more draws find a path an analyst would take for real.
	lo := len(dst)
	for try := 0; ; try++ {
		out, err := d.generateOnce(r, dst, g)
		if err != nil || try == 3 || !pathLike(g.field) {
			return out, err
		}
		if v, _ := document.Text(out[lo:]); !emptyPathPart(v) {
			return out, nil
		}
		dst = out[:lo]
	}
}

// pathLike tells the fields that hold paths or file names.
func pathLike(field string) bool {
	i := strings.LastIndexByte(field, '.')
	switch field[i+1:] {
	case "path", "executable", "name", "directory", "target_path", "working_directory":
		return strings.Contains(field, "process") || strings.Contains(field, "file") || strings.HasPrefix(field, "dll.")
	}
	return false
}

// emptyPathPart reports a path with an empty file name before its
// extension ("x/.py") or an empty element ("a//b", after a UNC start).
func emptyPathPart(v string) bool {
	if len(v) > 2 && (strings.Contains(v[2:], `\\`) || strings.Contains(v[2:], "//")) {
		return true
	}
	base := v[strings.LastIndexAny(v, `/\`)+1:]
	return strings.HasPrefix(base, ".") && strings.Count(base, ".") == 1 && len(base) <= 5
}

func (d *strDomain) generateOnce(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	gen := d.gen
	gen.once.Do(func() {
		for _, v := range d.allowed {
			if d.admits(v) {
				gen.fitting = append(gen.fitting, v)
			}
		}
		gen.cased = d.casedWalker()
	})
	if len(gen.fitting) > 0 {
		if g.values != nil && !g.notOwn {
			if v, ok := g.values.Value(g.field, g.drawn); ok && slices.Contains(gen.fitting, v) {
				return document.AppendString(dst, v), nil
			}
		}
		return document.AppendString(dst, gen.fitting[r.IntN(len(gen.fitting))]), nil
	}
	// The event's own value when the query allows it, then other real
	// values of the field.
	var words [][]byte
	if g.values != nil {
		if v, ok := g.values.Value(g.field, g.drawn); ok && !g.notOwn && d.matches(v) {
			return document.AppendString(dst, v), nil
		}
		if d.pos != nil && g.pathEnd != "" {
			var inDirs []string
			for _, dir := range g.values.Prefixes(g.field) {
				inDirs = append(inDirs, dir+g.pathEnd)
			}
			if v, ok := d.candidate(r, inDirs); ok {
				return document.AppendString(dst, v), nil
			}
		}
		if d.pos != nil {
			if v, ok := d.candidate(r, g.values.Candidates(g.field)); ok {
				return document.AppendString(dst, v), nil
			}
		}
		words = g.values.Words(g.field)
		if d.pos != nil {
			if out, ok := d.fromPrefix(r, dst, g, g.values.Prefixes(g.field), words); ok {
				return out, nil
			}
		}
	}
	// Mostly, case-insensitive literals keep the case the query wrote them
	// in ("C:\Windows\*" rather than "c:\wINdows\*").
	if gen.cased != nil && r.IntN(4) != 0 {
		w := gen.cased.get()
		g.buf = w.WalkWords(r, g.buf[:0], w.Start(), extraLength(r, w.MinLen()), words)
		if !d.excluded(string(g.buf)) {
			return document.AppendString(dst, g.buf), nil
		}
	}
	// Any value goes (but the excluded ones): a real fragment of the
	// field's values (an argument, a file name) rather than a made-up one.
	if d.pos == nil && len(words) > 0 {
		for try := 0; try < 4; try++ {
			if w := words[r.IntN(len(words))]; !d.excluded(string(w)) {
				return document.AppendString(dst, w), nil
			}
		}
	}
	// Half the time, start from what such a field plausibly holds: the
	// whole plausible value when the domain admits it, else the walk goes
	// on from where the plausible value leaves the automaton's start.
	if d.pos != nil && words == nil && r.IntN(2) == 0 {
		if out, ok := d.plausibleStart(r, dst, g); ok {
			return out, nil
		}
	}
	// Rejection sampling on pos (or plausible values), then the exact
	// automaton when exclusions keep rejecting.
	for try := 0; try < 32; try++ {
		if d.pos == nil {
			g.buf = appendPlausible(r, g.buf[:0], g.field, d.text)
		} else {
			w := d.posWalk.get()
			g.buf = w.WalkWords(r, g.buf[:0], w.Start(), extraLength(r, w.MinLen()), words)
		}
		if !d.excluded(string(g.buf)) {
			return document.AppendString(dst, g.buf), nil
		}
		if len(d.excl) == 0 && len(d.negs) == 0 {
			break
		}
	}
	gen.mu.Lock()
	if gen.exact == nil {
		full, err := d.exactDFA()
		if err != nil {
			gen.mu.Unlock()
			return dst, err
		}
		if full.IsEmpty() {
			gen.mu.Unlock()
			return dst, emptyConflict(d.field, "empty solution space, no string satisfies ", d.preds)
		}
		gen.exact = &lazyWalker{dfa: full}
	}
	w := gen.exact.get()
	gen.mu.Unlock()
	g.buf = w.WalkWords(r, g.buf[:0], w.Start(), extraLength(r, w.MinLen()), words)
	return document.AppendString(dst, g.buf), nil
}

// fromPrefix walks the domain from a real beginning of the field's values
// that its automaton admits, filling the rest with words. Of the
// beginnings, those that take the walk furthest into the pattern are
// tried (for "C:\Users\*\AppData\*.exe", a user's AppData directory
// rather than their Downloads).
func (d *strDomain) fromPrefix(r *rand.Rand, dst []byte, g *genCtx, prefixes []string, words [][]byte) ([]byte, bool) {
	if len(prefixes) == 0 {
		return dst, false
	}
	w := d.posWalk.get()
	if d.gen.cased != nil && r.IntN(4) != 0 {
		// Case-insensitive literals in their written case, mostly.
		w = d.gen.cased.get()
	}
	type fit struct {
		p     string
		state int32
	}
	var best []fit
	bestDist := -1
	for _, p := range prefixes {
		st, ok := w.Run([]byte(p))
		if !ok {
			continue
		}
		switch dist := w.Dist(st); {
		case bestDist < 0 || dist < bestDist:
			best, bestDist = append(best[:0], fit{p, st}), dist
		case dist == bestDist:
			best = append(best, fit{p, st})
		}
	}
	for try := 0; try < 6 && len(best) > 0; try++ {
		f := best[r.IntN(len(best))]
		g.buf = w.WalkWords(r, append(g.buf[:0], f.p...), f.state, extraLength(r, 0), words)
		if !d.excluded(string(g.buf)) {
			return document.AppendString(dst, g.buf), true
		}
	}
	return dst, false
}

// generateFrom draws a value of the domain that starts with prefix; ok is
// false when none does or the draw falls on an excluded value.
func (d *strDomain) generateFrom(r *rand.Rand, dst []byte, g *genCtx, prefix string) ([]byte, bool) {
	switch {
	case d.exact != nil:
		if !strings.HasPrefix(*d.exact, prefix) {
			return dst, false
		}
		return document.AppendString(dst, *d.exact), true
	case d.text:
		return dst, false
	}
	var words [][]byte
	if g.values != nil {
		words = g.values.Words(g.field)
	}
	if d.pos == nil {
		// Anything goes: the prefix alone, or with a word after it.
		g.buf = append(g.buf[:0], prefix...)
		if len(words) > 0 && strings.HasSuffix(prefix, " ") {
			g.buf = append(g.buf, words[r.IntN(len(words))]...)
		}
		g.buf = []byte(strings.TrimSuffix(string(g.buf), " "))
	} else {
		w := d.posWalk.get()
		st, ok := w.Run([]byte(prefix))
		if !ok {
			return dst, false
		}
		g.buf = w.WalkWords(r, append(g.buf[:0], prefix...), st, extraLength(r, 0), words)
	}
	if d.excluded(string(g.buf)) {
		return dst, false
	}
	return document.AppendString(dst, g.buf), true
}

// candidate picks, among real values of the field, one the domain admits:
// a random one of the first few found.
func (d *strDomain) candidate(r *rand.Rand, cands []string) (string, bool) {
	if len(cands) == 0 {
		return "", false
	}
	var found []string
	start := r.IntN(len(cands))
	for i := 0; i < len(cands) && i < 256 && len(found) < 8; i++ {
		if c := cands[(start+i)%len(cands)]; d.matches(c) {
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		return "", false
	}
	return found[r.IntN(len(found))], true
}

// casedWalker walks the strings of the domain's positive constraints with
// their case-insensitive literals in the written case, when the domain has
// such literals and such strings exist; nil otherwise.
func (d *strDomain) casedWalker() *lazyWalker {
	if d.pos == nil {
		return nil
	}
	ci := false
	for _, p := range d.preds {
		ci = ci || !p.Neg && p.CI && (p.Op == constraint.Like || p.Op == constraint.Eq)
	}
	if !ci {
		return nil
	}
	var acc *automaton.DFA
	for _, p := range d.preds {
		if p.Neg || p.Op == constraint.Exists {
			continue
		}
		q := p
		if p.CI && (p.Op == constraint.Like || p.Op == constraint.Eq) {
			c := *p
			c.CI = false
			q = &c
		}
		a, err := cachedPredDFA(q, false) // solvers of one query with fixed values share them (ML baselines)
		if err != nil {
			return nil
		}
		if acc == nil {
			acc = a
		} else if acc, err = automaton.Intersect(acc, a); err != nil || acc.IsEmpty() {
			return nil
		}
	}
	if acc == nil || acc.IsEmpty() {
		return nil
	}
	return &lazyWalker{dfa: acc}
}

// plausibleStart draws a plausible value for the field and keeps it, or
// completes it with a walk, when the domain allows.
func (d *strDomain) plausibleStart(r *rand.Rand, dst []byte, g *genCtx) ([]byte, bool) {
	g.buf = appendPlausible(r, g.buf[:0], g.field, d.text)
	w := d.posWalk.get()
	// Try the whole value, then shorter prefixes of it at word boundaries.
	for cut := len(g.buf); cut > 0; cut-- {
		if cut < len(g.buf) && !isBoundary(g.buf[cut]) {
			continue
		}
		st, ok := w.Run(g.buf[:cut])
		if !ok {
			continue
		}
		buf := g.buf[:cut]
		if !w.Accepts(st) || cut < len(g.buf) {
			buf = w.WalkFrom(r, buf, st, r.IntN(4))
		}
		if !d.excluded(string(buf)) {
			g.buf = buf
			return document.AppendString(dst, buf), true
		}
		return dst, false
	}
	return dst, false
}

func isBoundary(b byte) bool {
	return b == ' ' || b == '.' || b == '\\' || b == '/' || b == '-' || b == '_'
}

// matches reports whether s is in the domain.
func (d *strDomain) matches(s string) bool {
	if d.exact != nil {
		return *d.exact == s
	}
	return d.admits(s)
}

// extraLength chooses how many characters a walk adds beyond the shortest
// accepted string: a few for long fixed parts, more for free-form ones.
func extraLength(r *rand.Rand, min int) int {
	if min >= 12 {
		return 2 + r.IntN(8)
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
	return cachedPredDFA(p, e.minimal)
}

// cachedPredDFA is the automaton of a string predicate, negated when the
// predicate is, built once (dfaCache, which solvers share); with minimal,
// a regex's is minimized (see env.minimal).
func cachedPredDFA(p *constraint.Pred, minimal bool) (*automaton.DFA, error) {
	key := dfaKeyOf(p)
	key.minimal = minimal && p.Op == constraint.Regex
	dfaCache.Lock()
	if e, ok := dfaCache.m[key]; ok {
		dfaCache.Unlock()
		return e.d, e.err
	}
	dfaCache.Unlock()
	var d *automaton.DFA
	var err error
	if key.minimal {
		d, err = automaton.MinimalRegex(p.Regex, p.CI)
	} else {
		d, err = buildPredDFA(p)
	}
	if err == nil && p.Neg {
		d = automaton.Complement(d)
	}
	// Failures are kept too: a pattern too complex for MaxStates is as
	// costly to find so the next time.
	dfaCache.Lock()
	if prev, ok := dfaCache.m[key]; ok {
		d, err = prev.d, prev.err // built meanwhile by another solver: one automaton per key (see strDomain.within)
	} else if len(dfaCache.m) < 50000 { // bounded: per-document predicates (relations) pass through
		dfaCache.m[key] = dfaEntry{d, err}
	}
	dfaCache.Unlock()
	if err != nil {
		return nil, err
	}
	return d, nil
}

// predSingleton is a.Singleton(), kept across solvers for the automata
// of predicates (dfaCache's): a domain that starts from a predicate asks
// it of the same automaton again and again.
func predSingleton(a *automaton.DFA) (string, bool) {
	singletons.Lock()
	e, ok := singletons.m[a]
	singletons.Unlock()
	if ok {
		return e.s, e.ok
	}
	e.s, e.ok = a.Singleton()
	singletons.Lock()
	if len(singletons.m) < 50000 { // bounded, as dfaCache is
		singletons.m[a] = e
	}
	singletons.Unlock()
	return e.s, e.ok
}

var singletons = struct {
	sync.Mutex
	m map[*automaton.DFA]singleton
}{m: map[*automaton.DFA]singleton{}}

// singleton is what DFA.Singleton says of an automaton.
type singleton struct {
	s  string
	ok bool
}

// dfaCache keeps the automata of predicates across solvers: rules share
// many patterns. Automata are immutable.
var dfaCache = struct {
	sync.Mutex
	m map[dfaKey]dfaEntry
}{m: map[dfaKey]dfaEntry{}}

// dfaEntry is a predicate's automaton, or why there is none.
type dfaEntry struct {
	d   *automaton.DFA
	err error
}

// intersect is automaton.Intersect, kept across solvers for automata that
// are (the predicates' automata of dfaCache, and what intersecting them
// made): rules meet many of the same patterns in the same order.
// Automata are immutable, and the product of two is always the same.
func intersect(a, b *automaton.DFA) (*automaton.DFA, error) {
	key := [2]*automaton.DFA{a, b}
	productCache.Lock()
	if e, ok := productCache.m[key]; ok {
		productCache.Unlock()
		return e.d, e.err
	}
	productCache.Unlock()
	d, err := automaton.Intersect(a, b)
	// What an entry holds: the product, and both automata it is of (its
	// key, which may be a solver's own).
	size := 1 + a.Size() + b.Size()
	if err == nil {
		size += d.Size()
	}
	productCache.Lock()
	if prev, ok := productCache.m[key]; ok {
		d, err = prev.d, prev.err // one product per pair, as for predicates
	} else if size <= maxCachedProduct && productCache.size+size <= maxProductCache {
		productCache.m[key] = dfaEntry{d, err}
		productCache.size += size
	}
	productCache.Unlock()
	return d, err
}

// maxProductCache bounds the transitions productCache holds (memory the
// solvers of a check would otherwise give back), and maxCachedProduct
// those of one entry (the product and the two automata of its key).
const (
	maxProductCache  = 1 << 20
	maxCachedProduct = 1 << 14
)

var productCache = struct {
	sync.Mutex
	m    map[[2]*automaton.DFA]dfaEntry
	size int
}{m: map[[2]*automaton.DFA]dfaEntry{}}

// dfaKey identifies a predicate's automaton by what it asserts, whatever
// the field.
type dfaKey struct {
	op, cmp    constraint.Op
	neg, ci    bool
	value      string
	pattern    string
	regex      string
	rel        constraint.RelKind
	valueKind  constraint.Kind
	hasPattern bool
	minimal    bool // a regex's automaton minimized (env.minimal)
}

func dfaKeyOf(p *constraint.Pred) dfaKey {
	k := dfaKey{op: p.Op, cmp: p.Cmp, neg: p.Neg, ci: p.CI, value: p.Value.Str, regex: p.Regex, rel: p.Rel, valueKind: p.Value.Kind}
	if p.Value.Kind == constraint.KindNumber {
		k.value = strconv.FormatFloat(p.Value.Num, 'g', -1, 64)
	}
	if p.Op == constraint.Like {
		k.pattern, k.hasPattern = p.Pattern.String(), true
	}
	return k
}

// hasWord reports whether an analyzer would find a word in s.
func hasWord(s string) bool { return analysis.HasWord(s) }

// wordPattern reports whether the literal parts of a wildcard pattern can
// be inside one word of analyzed text: letters and digits, and the
// characters Unicode word segmentation keeps inside a word when they stand
// between two letters or digits ("cmd.exe", "1.5", "o'neil", "snake_case");
// a wildcard next to such a character supplies the letter or digit.
func wordPattern(p wildcard.Pattern) bool {
	// The standard tokenizer splits long words; keep room for what the
	// wildcards add.
	n := 0
	for _, e := range p {
		n += len([]rune(e.Lit))
	}
	if n > analysis.MaxTokenLength-55 {
		return false
	}
	for j, e := range p {
		if e.Kind != wildcard.Lit {
			continue
		}
		rs := []rune(e.Lit)
		for i, r := range rs {
			if r >= 0x80 {
				// Word segmentation outside ASCII (ideographs are words of
				// their own, ...) is more than emit models.
				return false
			}
			if isWordRune(r) {
				continue
			}
			if !isJoiner(r) {
				return false
			}
			var a, b rune // 0: a wildcard supplies it
			switch {
			case i > 0:
				a = rs[i-1]
			case j == 0 || p[j-1].Kind == wildcard.Lit:
				return false
			}
			switch {
			case i < len(rs)-1:
				b = rs[i+1]
			case j == len(p)-1 || p[j+1].Kind == wildcard.Lit:
				return false
			}
			switch {
			case a == 0 && b == 0:
				continue // wildcards on both sides supply letters
			case a == 0 || b == 0:
				// The wildcard takes the class of the known side, if r
				// joins beside it at all.
				if joinerClass(r, a|b) == "" {
					return false
				}
				continue
			}
			if joinerClass(r, a) == "" || joinerClass(r, a) != joinerClass(r, b) {
				return false
			}
		}
	}
	return true
}

func isWordRune(r rune) bool { return analysis.IsWordRune(r) }

func isJoiner(r rune) bool { return analysis.IsJoiner(r) }

// joinerClass is the class of characters that joiner r keeps in one word
// beside neighbour n (analysis.Joins), as a regex class over the ASCII
// letters and digits emit draws: "[a-z]" for letters, "[0-9]" for digits,
// "[a-z0-9]" for both, "" when r does not join beside n.
func joinerClass(r, n rune) string {
	switch letters, digits := analysis.Joins(r, n); {
	case letters && digits:
		return "[a-z0-9]"
	case letters:
		return "[a-z]"
	case digits:
		return "[0-9]"
	}
	return ""
}

// edgeClass is what a wildcard beside literal element e must supply at
// that side: the class the joiner at e's near edge keeps in a word, or ""
// when e's edge is a letter or digit (or e is a wildcard).
func edgeClass(e wildcard.Elem, atStart bool) string {
	if e.Kind != wildcard.Lit || e.Lit == "" {
		return ""
	}
	rs := []rune(e.Lit)
	j, other := len(rs)-1, len(rs)-2 // the wildcard follows e
	if atStart {
		j, other = 0, 1 // the wildcard precedes e
	}
	if !isJoiner(rs[j]) {
		return ""
	}
	if other < 0 || other >= len(rs) {
		// A lone joiner between wildcards: what it joins on both sides.
		if rs[j] == ',' || rs[j] == ';' {
			return "[0-9]"
		}
		return joinerClass(rs[j], 'a')
	}
	return joinerClass(rs[j], rs[other])
}

// wildcardWord is the regex of a wildcard's part of a word: any letters and
// digits ("?": one), starting with a character of class first and ending
// with one of class last when those are set.
func wildcardWord(one bool, first, last string) string {
	const any = "[a-z0-9]"
	switch {
	case one && first != "" && last != "":
		if first == last || last == any {
			return first
		}
		if first == any {
			return last
		}
		return "#" // no character is both a letter and a digit
	case one && first != "":
		return first
	case one && last != "":
		return last
	case one:
		return any
	case first != "" && last != "":
		one := ""
		switch {
		case first == last || last == any:
			one = first + "|"
		case first == any:
			one = last + "|"
		}
		return "(" + one + first + any + "*" + last + ")"
	case first != "":
		return first + any + "*"
	case last != "":
		return any + "*" + last
	}
	return any + "*"
}

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
			q.Pattern, q.CI = wildcard.Contains(v), true
		} else {
			q.Pattern, q.CI = textContains(v), false
		}
	case constraint.Like:
		// A wildcard matches one word of the text: the value holds, between
		// spaces or at either end, a word of letters and digits that the
		// pattern matches.
		var b strings.Builder
		b.WriteString("(.* )?")
		elems := p.Pattern
		for j, e := range elems {
			switch e.Kind {
			case wildcard.AnyString, wildcard.AnyChar:
				// Next to a joiner (".", "_", ...) at a literal's edge, the
				// wildcard supplies the letter or digit that keeps the word
				// whole.
				first, last := "", ""
				if j > 0 {
					first = edgeClass(elems[j-1], false)
				}
				if j+1 < len(elems) {
					last = edgeClass(elems[j+1], true)
				}
				b.WriteString(wildcardWord(e.Kind == wildcard.AnyChar, first, last))
			default:
				for _, r := range strings.ToLower(e.Lit) {
					if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
						b.WriteByte('\\')
					}
					b.WriteRune(r)
				}
			}
		}
		b.WriteString("( .*)?")
		q.Op, q.Regex, q.CI, q.Pattern = constraint.Regex, b.String(), true, nil
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
func textContains(v string) wildcard.Pattern {
	return wildcard.Pattern{
		{Kind: wildcard.AnyString},
		{Kind: wildcard.Lit, Lit: " " + strings.TrimSpace(v) + " "},
		{Kind: wildcard.AnyString},
	}
}
