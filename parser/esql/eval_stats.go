package esql

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// This file is STATS and INLINE STATS: groups, the aggregate functions,
// filtered aggregates, and the expressions around aggregates
// (MV_SLICE(VALUES(x), 0, 9), COUNT(*) / COUNT_DISTINCT(y)).

// aggSlot is one call to an aggregate function in the aggregates of STATS.
type aggSlot struct {
	newAcc    func() accumulator
	filter    evalFn // nil: every row
	filterLoc Loc
}

// accumulator computes an aggregate over the rows of one group.
type accumulator interface {
	add(r *evalRow)
	result() any
}

// aggGroup is the rows of one combination of BY values.
type aggGroup struct {
	keys []any
	accs []accumulator
}

// statsPlan is a compiled STATS.
type statsPlan struct {
	byNames  []string
	byFns    []evalFn
	byLocs   []Loc
	aggNames []string
	aggFns   []evalFn // over a work row: the BY values, then the slots' results
	slots    []*aggSlot
}

// compileStats compiles the groups and aggregates of a STATS.
func (ev *queryRunner) compileStats(t *evalTable, x *Stats) (*statsPlan, error) {
	p := &statsPlan{}
	for _, b := range x.By {
		fn, err := ev.compileGrouping(t, b.X)
		if err != nil {
			return nil, err
		}
		p.byNames = append(p.byNames, ev.assignName(b))
		p.byFns = append(p.byFns, fn)
		p.byLocs = append(p.byLocs, b.X.Location())
	}
	// The work table: a column per BY value; slots are read by position.
	work := &evalTable{}
	for _, n := range p.byNames {
		work.cols = append(work.cols, Column{Name: n})
	}
	for _, a := range x.Aggs {
		var filter evalFn
		if a.Filter != nil {
			var err error
			if filter, err = ev.compile(t, a.Filter); err != nil {
				return nil, err
			}
		}
		c := &exprCompiler{ev: ev, t: work}
		found := false
		c.agg = func(call *Call) (evalFn, error) {
			found = true
			s, err := ev.compileAggregate(t, call)
			if err != nil {
				return nil, err
			}
			s.filter, s.filterLoc = filter, Loc{}
			if a.Filter != nil {
				s.filterLoc = a.Filter.Location()
			}
			i := len(p.byNames) + len(p.slots)
			p.slots = append(p.slots, s)
			return func(r *evalRow) any { return r.vals[i] }, nil
		}
		fn, err := c.expr(a.X)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, ev.errorf(a.X.Location(), "expected an aggregate function but found [%s]", ev.text(a.X.Location()))
		}
		name := ev.text(a.X.Location())
		if a.Name != nil {
			name = a.Name.Name
		}
		p.aggNames = append(p.aggNames, name)
		p.aggFns = append(p.aggFns, fn)
	}
	return p, nil
}

// compileGrouping compiles a BY expression: any expression, or the
// grouping function BUCKET with a span.
func (ev *queryRunner) compileGrouping(t *evalTable, e Expr) (evalFn, error) {
	call, ok := e.(*Call)
	if !ok || call.Func() == nil || call.Func().Kind != GroupingFunc {
		return ev.compile(t, e)
	}
	if call.Name != "bucket" {
		if why, ok := notEvaluated[call.Name]; ok {
			return nil, ev.unsupported(call.Loc, "grouping function %s: %s", strings.ToUpper(call.Name), why)
		}
		return nil, ev.unsupported(call.Loc, "grouping function %s", strings.ToUpper(call.Name))
	}
	if len(call.Args) != 2 {
		return nil, ev.unsupported(call.Loc, "BUCKET with a number of buckets and a range: Elasticsearch picks the span, which the evaluator does not reproduce")
	}
	c := &exprCompiler{ev: ev, t: t}
	field, err := c.expr(call.Args[0])
	if err != nil {
		return nil, err
	}
	span, ok := c.constant(call.Args[1])
	if !ok || span == nil {
		return nil, ev.errorf(call.Args[1].Location(), "the span of BUCKET must be a constant")
	}
	var round func(time.Time) (time.Time, error)
	switch span.(type) {
	case spanDuration, spanPeriod:
		var why string
		if round, why = truncRounding(span); why != "" {
			return nil, ev.errorf(call.Args[1].Location(), "invalid span of BUCKET: %s", why)
		}
	default:
		f, ok := numberFloat(span)
		if !ok || f <= 0 {
			return nil, ev.errorf(call.Args[1].Location(), "the span of BUCKET must be a positive number or a time span")
		}
	}
	loc := call.Loc
	return func(r *evalRow) any {
		var out []any
		for _, v := range valuesOf(field(r)) {
			switch x := v.(type) {
			case time.Time:
				if round == nil {
					c.typeError(call, 0, "numeric", v)
					return nil
				}
				t, err := round(x)
				if err != nil {
					ev.warn(loc, "ArithmeticException: %v", err)
					continue
				}
				out = append(out, t)
			default:
				f, ok := numberFloat(v)
				if !ok || round != nil {
					c.typeError(call, 0, "numeric or date", v)
					return nil
				}
				s, _ := numberFloat(span)
				out = append(out, math.Floor(f/s)*s)
			}
		}
		return mvOf(out)
	}, nil
}

// groupKey encodes BY values into a map key: equal values (as hashKey
// says) of one type encode alike.
func groupKey(keys []any) string {
	var b []byte
	for _, k := range keys {
		switch x := k.(type) {
		case nil:
			b = append(b, 'n')
		case string:
			b = append(b, 's')
			b = strconv.AppendInt(b, int64(len(x)), 10)
			b = append(b, ':')
			b = append(b, x...)
		case int32:
			b = strconv.AppendInt(append(b, 'i'), int64(x), 10)
		case int64:
			b = strconv.AppendInt(append(b, 'l'), x, 10)
		case time.Time:
			b = strconv.AppendInt(append(b, 't'), x.Unix(), 10)
			b = strconv.AppendInt(append(b, '.'), int64(x.Nanosecond()), 10)
		case netip.Addr:
			a := x.As16()
			b = append(append(b, 'a'), a[:]...)
		case bool:
			b = strconv.AppendBool(append(b, 'b'), x)
		default:
			s := toStringValue(hashKeyValue(k))
			b = append(b, valueType(k)...)
			b = strconv.AppendInt(b, int64(len(s)), 10)
			b = append(b, ':')
			b = append(b, s...)
		}
		b = append(b, 0)
	}
	return string(b)
}

// hashKeyValue is a value as it groups: -0.0 is 0.0.
func hashKeyValue(v any) any {
	if f, ok := v.(float64); ok && f == 0 {
		return float64(0)
	}
	return v
}

// keyCombinations calls fn with every combination of the values of keys: a
// multi-valued key puts the row in a group per value, a null key in the
// null group.
func keyCombinations(keys []any, fn func([]any)) {
	cur := make([]any, len(keys))
	var rec func(i int)
	rec = func(i int) {
		if i == len(keys) {
			fn(cur)
			return
		}
		if m, ok := keys[i].(multiValue); ok {
			for _, v := range m {
				cur[i] = v
				rec(i + 1)
			}
			return
		}
		cur[i] = keys[i]
		rec(i + 1)
	}
	rec(0)
}

// groups runs the rows of t through a STATS plan.
func (ev *queryRunner) groups(t *evalTable, p *statsPlan) (order []*aggGroup, index map[string]*aggGroup) {
	index = map[string]*aggGroup{}
	keys := make([]any, len(p.byFns))
	for _, r := range t.rows {
		for i, fn := range p.byFns {
			keys[i] = fn(r)
		}
		keyCombinations(keys, func(ks []any) {
			k := groupKey(ks)
			g, ok := index[k]
			if !ok {
				g = &aggGroup{keys: append([]any(nil), ks...), accs: make([]accumulator, len(p.slots))}
				for i, s := range p.slots {
					g.accs[i] = s.newAcc()
				}
				index[k] = g
				order = append(order, g)
			}
			for i, s := range p.slots {
				if s.filter != nil {
					if b, ok := (&exprCompiler{ev: ev}).boolean(s.filter(r), s.filterLoc); !ok || !b {
						continue
					}
				}
				g.accs[i].add(r)
			}
		})
	}
	if len(p.byFns) == 0 && len(order) == 0 {
		g := &aggGroup{accs: make([]accumulator, len(p.slots))}
		for i, s := range p.slots {
			g.accs[i] = s.newAcc()
		}
		index[""] = g
		order = append(order, g)
	}
	return order, index
}

// aggValues computes the aggregates of a group.
func (p *statsPlan) aggValues(g *aggGroup) []any {
	work := &evalRow{doc: -1, vals: make([]any, 0, len(g.keys)+len(g.accs))}
	work.vals = append(work.vals, g.keys...)
	for _, a := range g.accs {
		work.vals = append(work.vals, a.result())
	}
	out := make([]any, len(p.aggFns))
	for i, fn := range p.aggFns {
		out[i] = fn(work)
	}
	return out
}

// stats runs STATS: a row per group, its aggregates then its BY values
// (a name given twice keeps its rightmost column).
func (ev *queryRunner) stats(t *evalTable, x *Stats) (*evalTable, error) {
	p, err := ev.compileStats(t, x)
	if err != nil {
		return nil, err
	}
	order, _ := ev.groups(t, p)
	names := append(append([]string(nil), p.aggNames...), p.byNames...)
	keep := rightmost(names)
	out := &evalTable{}
	for i, n := range names {
		if keep[i] {
			out.cols = append(out.cols, Column{Name: n})
		}
	}
	for _, g := range order {
		vals := append(p.aggValues(g), g.keys...)
		r := &evalRow{doc: -1}
		for i, v := range vals {
			if keep[i] {
				r.vals = append(r.vals, v)
			}
		}
		out.rows = append(out.rows, r)
	}
	return out, ev.takeErr()
}

// rightmost marks, for each name, whether it is the last of its name.
func rightmost(names []string) []bool {
	keep := make([]bool, len(names))
	seen := map[string]bool{}
	for i := len(names) - 1; i >= 0; i-- {
		if !seen[names[i]] {
			keep[i] = true
			seen[names[i]] = true
		}
	}
	return keep
}

// inlineStats runs INLINE STATS: every row keeps its columns and gains its
// group's aggregates, then its BY values (which replace columns of the
// same names). A row whose BY value is multi-valued belongs to no one
// group: its aggregates are null.
func (ev *queryRunner) inlineStats(t *evalTable, x *Stats) (*evalTable, error) {
	p, err := ev.compileStats(t, x)
	if err != nil {
		return nil, err
	}
	_, index := ev.groups(t, p)
	added := append(append([]string(nil), p.aggNames...), p.byNames...)
	keepAdded := rightmost(added)
	replaced := map[string]bool{}
	for _, n := range added {
		replaced[n] = true
	}
	out := &evalTable{}
	var kept []int
	for i, c := range t.cols {
		if !replaced[c.Name] {
			out.cols = append(out.cols, c)
			kept = append(kept, i)
		}
	}
	for i, n := range added {
		if keepAdded[i] {
			out.cols = append(out.cols, Column{Name: n})
		}
	}
	cache := map[*aggGroup][]any{}
	keys := make([]any, len(p.byFns))
	for _, r := range t.rows {
		nr := &evalRow{doc: r.doc, vals: make([]any, 0, len(out.cols))}
		for _, i := range kept {
			nr.vals = append(nr.vals, r.vals[i])
		}
		multi := false
		for i, fn := range p.byFns {
			keys[i] = fn(r)
			if _, ok := keys[i].(multiValue); ok {
				multi = true
			}
		}
		aggs := make([]any, len(p.aggFns))
		if !multi {
			if g := index[groupKey(keys)]; g != nil {
				if _, ok := cache[g]; !ok {
					cache[g] = p.aggValues(g)
				}
				aggs = cache[g]
			}
		}
		for i, v := range append(append([]any(nil), aggs...), keys...) {
			if keepAdded[i] {
				nr.vals = append(nr.vals, v)
			}
		}
		out.rows = append(out.rows, nr)
	}
	return out, ev.takeErr()
}

// takeErr returns the error recorded while evaluating rows, if any.
func (ev *queryRunner) takeErr() error {
	if ev.err != nil {
		return ev.err
	}
	return nil
}

// compileAggregate compiles one aggregate function call into a slot.
func (ev *queryRunner) compileAggregate(t *evalTable, call *Call) (*aggSlot, error) {
	c := &exprCompiler{ev: ev, t: t}
	loc := call.Loc
	var args []evalFn
	for _, a := range call.Args {
		fn, err := c.expr(a)
		if err != nil {
			return nil, err
		}
		args = append(args, fn)
	}
	// Aggregates inside aggregates are refused by the parser.
	arg := func(r *evalRow) any { return args[0](r) }
	if !aggregateFuncs[call.Name] {
		if why, ok := notEvaluated[call.Name]; ok {
			return nil, ev.unsupported(call.Loc, "aggregate function %s: %s", strings.ToUpper(call.Name), why)
		}
		return nil, ev.unsupported(call.Loc, "aggregate function %s is not evaluated", strings.ToUpper(call.Name))
	}
	switch call.Name {
	case "count":
		if call.Star || len(args) == 0 {
			return &aggSlot{newAcc: func() accumulator { return &countAcc{star: true} }}, nil
		}
		return &aggSlot{newAcc: func() accumulator { return &countAcc{arg: arg} }}, nil
	case "count_distinct":
		return &aggSlot{newAcc: func() accumulator { return &distinctAcc{arg: arg, count: true} }}, nil
	case "values":
		return &aggSlot{newAcc: func() accumulator { return &distinctAcc{arg: arg} }}, nil
	case "min", "max":
		isMax := call.Name == "max"
		return &aggSlot{newAcc: func() accumulator { return &extremeAcc{c: c, loc: loc, arg: arg, max: isMax} }}, nil
	case "sum":
		return &aggSlot{newAcc: func() accumulator { return &sumAcc{c: c, call: call, arg: arg} }}, nil
	case "avg", "median", "median_absolute_deviation", "std_dev", "percentile":
		var p float64
		if call.Name == "percentile" {
			pv, ok := c.constArg(call, 1)
			f, isNum := numberFloat(pv)
			if !ok || !isNum {
				return nil, ev.errorf(call.Args[1].Location(), "the percentile of PERCENTILE must be a constant number")
			}
			if f < 0 || f > 100 {
				return nil, ev.errorf(call.Args[1].Location(), "Percentile parameter must be a number between 0 and 100, found [%v]", f)
			}
			p = f
		}
		name := call.Name
		return &aggSlot{newAcc: func() accumulator { return &numbersAcc{c: c, call: call, arg: arg, kind: name, p: p} }}, nil
	case "weighted_avg":
		return &aggSlot{newAcc: func() accumulator { return &weightedAcc{c: c, call: call, args: args} }}, nil
	case "top":
		return ev.topSlot(c, call, args)
	case "first", "last":
		isLast := call.Name == "last"
		return &aggSlot{newAcc: func() accumulator { return &firstAcc{value: args[0], sort: args[1], last: isLast} }}, nil
	case "present", "absent":
		absent := call.Name == "absent"
		return &aggSlot{newAcc: func() accumulator { return &presentAcc{arg: arg, absent: absent} }}, nil
	}
	if why, ok := notEvaluated[call.Name]; ok {
		return nil, ev.unsupported(call.Loc, "aggregate function %s: %s", strings.ToUpper(call.Name), why)
	}
	return nil, ev.unsupported(call.Loc, "aggregate function %s is not evaluated", strings.ToUpper(call.Name))
}

// countAcc is COUNT(*) (rows) and COUNT(x) (values, a multi-value
// counting each of its values).
type countAcc struct {
	star bool
	arg  evalFn
	n    int64
}

func (a *countAcc) add(r *evalRow) {
	if a.star {
		a.n++
		return
	}
	a.n += int64(countOf(a.arg(r)))
}

func (a *countAcc) result() any { return a.n }

// distinctAcc is COUNT_DISTINCT (exactly) and VALUES (the distinct
// values, sorted).
type distinctAcc struct {
	arg   evalFn
	count bool
	seen  map[any]bool
	vals  []any
}

func (a *distinctAcc) add(r *evalRow) {
	for _, v := range valuesOf(a.arg(r)) {
		k := hashKey(v)
		if a.seen == nil {
			a.seen = map[any]bool{}
		}
		if a.seen[k] {
			continue
		}
		a.seen[k] = true
		a.vals = append(a.vals, v)
	}
}

func (a *distinctAcc) result() any {
	if a.count {
		return int64(len(a.vals))
	}
	out := append([]any(nil), a.vals...)
	sortValues(out)
	return mvOf(out)
}

// extremeAcc is MIN and MAX over every value.
type extremeAcc struct {
	c    *exprCompiler
	loc  Loc
	arg  evalFn
	max  bool
	best any
}

func (a *extremeAcc) add(r *evalRow) {
	for _, v := range valuesOf(a.arg(r)) {
		if a.best == nil {
			a.best = v
			continue
		}
		cmp, ok := compareValues(v, a.best)
		if !ok {
			a.c.ev.fail(a.loc, "[%s] does not order values of type [%s]", a.c.ev.text(a.loc), typeName(v))
			return
		}
		if a.max && cmp > 0 || !a.max && cmp < 0 {
			a.best = v
		}
	}
}

func (a *extremeAcc) result() any { return a.best }

// sumAcc is SUM: whole numbers as a long (overflow is null with a
// warning), doubles as a double.
type sumAcc struct {
	c    *exprCompiler
	call *Call
	arg  evalFn
	vals []any
}

func (a *sumAcc) add(r *evalRow) { a.vals = append(a.vals, valuesOf(a.arg(r))...) }

func (a *sumAcc) result() any {
	return a.c.sumValues(a.vals, a.call, a.call.Loc)
}

// numbersAcc is AVG, MEDIAN, MEDIAN_ABSOLUTE_DEVIATION, STD_DEV and
// PERCENTILE over every value, as doubles (MEDIAN_ABSOLUTE_DEVIATION and
// PERCENTILE keep whole numbers' type).
type numbersAcc struct {
	c    *exprCompiler
	call *Call
	arg  evalFn
	kind string
	p    float64
	fs   []float64
	like any
}

func (a *numbersAcc) add(r *evalRow) {
	for _, v := range valuesOf(a.arg(r)) {
		f, ok := numberFloat(v)
		if !ok {
			a.c.typeError(a.call, 0, "numeric", v)
			return
		}
		if a.like == nil {
			a.like = v
		}
		a.fs = append(a.fs, f)
	}
}

func (a *numbersAcc) result() any {
	if len(a.fs) == 0 {
		return nil
	}
	switch a.kind {
	case "avg":
		return a.c.finite(kahanSum(a.fs)/float64(len(a.fs)), a.call.Loc)
	case "median":
		return floatMedian(a.fs)
	case "median_absolute_deviation":
		return medianAbsoluteDeviation(a.fs, a.like)
	case "std_dev":
		mean := kahanSum(a.fs) / float64(len(a.fs))
		sq := make([]float64, len(a.fs))
		for i, f := range a.fs {
			sq[i] = (f - mean) * (f - mean)
		}
		return math.Sqrt(kahanSum(sq) / float64(len(a.fs)))
	}
	return percentileOf(a.fs, a.p)
}

// weightedAcc is WEIGHTED_AVG(x, w): sum(x·w) / sum(w), single values only.
type weightedAcc struct {
	c        *exprCompiler
	call     *Call
	args     []evalFn
	num, den float64
	n        int
}

func (a *weightedAcc) add(r *evalRow) {
	x, ok1 := a.c.single(a.args[0](r), a.call.Loc)
	w, ok2 := a.c.single(a.args[1](r), a.call.Loc)
	if !ok1 || !ok2 {
		return
	}
	xf, okx := numberFloat(x)
	wf, okw := numberFloat(w)
	if !okx || !okw {
		a.c.typeError(a.call, 0, "numeric", x)
		return
	}
	a.num += xf * wf
	a.den += wf
	a.n++
}

func (a *weightedAcc) result() any {
	if a.n == 0 || a.den == 0 {
		return nil
	}
	return a.c.finite(a.num/a.den, a.call.Loc)
}

// topSlot compiles TOP(x, n, "asc"|"desc"[, output]): the n smallest
// (largest) values of x, or the values of output of the rows with those
// values.
func (ev *queryRunner) topSlot(c *exprCompiler, call *Call, args []evalFn) (*aggSlot, error) {
	nv, ok := c.constArg(call, 1)
	n, isInt := numberInt64(nv)
	if !ok || !isInt || n <= 0 {
		return nil, ev.errorf(call.Args[1].Location(), "the limit of TOP must be a positive constant integer")
	}
	desc := false
	if len(call.Args) > 2 {
		ov, ok := c.constArg(call, 2)
		s, isStr := ov.(string)
		if !ok || !isStr || !strings.EqualFold(s, "asc") && !strings.EqualFold(s, "desc") {
			return nil, ev.errorf(call.Args[2].Location(), "the order of TOP must be \"asc\" or \"desc\"")
		}
		desc = strings.EqualFold(s, "desc")
	}
	var output evalFn
	if len(args) > 3 {
		output = args[3]
	}
	return &aggSlot{newAcc: func() accumulator {
		return &topAcc{arg: args[0], output: output, n: int(n), desc: desc}
	}}, nil
}

type topAcc struct {
	arg, output evalFn
	n           int
	desc        bool
	vals        [][2]any // value, output
}

func (a *topAcc) add(r *evalRow) {
	var out any
	if a.output != nil {
		out = a.output(r)
	}
	for _, v := range valuesOf(a.arg(r)) {
		o := v
		if a.output != nil {
			o = out
		}
		a.vals = append(a.vals, [2]any{v, o})
	}
}

func (a *topAcc) result() any {
	vals := append([][2]any(nil), a.vals...)
	sortPairs(vals, a.desc)
	var out []any
	for i := 0; i < len(vals) && i < a.n; i++ {
		out = append(out, valuesOf(vals[i][1])...)
	}
	return mvOf(out)
}

// sortPairs sorts (value, output) pairs by value, stably.
func sortPairs(vals [][2]any, desc bool) {
	for i := 1; i < len(vals); i++ {
		for j := i; j > 0; j-- {
			c, _ := compareValues(vals[j][0], vals[j-1][0])
			if desc && c > 0 || !desc && c < 0 {
				vals[j], vals[j-1] = vals[j-1], vals[j]
				continue
			}
			break
		}
	}
}

// firstAcc is FIRST(value, sort) and LAST(value, sort): the value of the
// row with the smallest (largest) sort value; rows without a sort value
// are skipped.
type firstAcc struct {
	value, sort evalFn
	last        bool
	key, val    any
	found       bool
}

func (a *firstAcc) add(r *evalRow) {
	ks := valuesOf(a.sort(r))
	if len(ks) == 0 {
		return
	}
	k := ks[0]
	for _, x := range ks[1:] {
		c, _ := compareValues(x, k)
		if a.last && c > 0 || !a.last && c < 0 {
			k = x
		}
	}
	if a.found {
		c, _ := compareValues(k, a.key)
		if a.last && c <= 0 || !a.last && c >= 0 {
			return
		}
	}
	a.key, a.val, a.found = k, a.value(r), true
}

func (a *firstAcc) result() any { return a.val }

// presentAcc is PRESENT(x) and ABSENT(x).
type presentAcc struct {
	arg     evalFn
	absent  bool
	present bool
}

func (a *presentAcc) add(r *evalRow) {
	if a.arg(r) != nil {
		a.present = true
	}
}

func (a *presentAcc) result() any { return a.present != a.absent }
