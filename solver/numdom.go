package solver

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/number"
	"github.com/emit-sec/emit/internal/interval"
)

// numberOf reads a predicate value as a number (es/number: Elasticsearch
// reads plain decimals, surrounding spaces allowed in query strings).
func numberOf(v constraint.Value) (float64, bool) {
	switch v.Kind {
	case constraint.KindNumber:
		return v.Num, !math.IsNaN(v.Num) && !math.IsInf(v.Num, 0)
	case constraint.KindString:
		return number.Float(strings.TrimSpace(v.Str))
	}
	return 0, false
}

// literalNumber extracts a number from an equality-like predicate: Eq, or
// Like with a pattern without wildcards (EQL's ":" on a number).
func literalValue(p *constraint.Pred) (constraint.Value, bool) {
	switch p.Op {
	case constraint.Eq:
		return p.Value, true
	case constraint.Like:
		if !p.Pattern.HasWildcard() {
			s := ""
			for _, e := range p.Pattern {
				s += e.Lit
			}
			return constraint.String(s), true
		}
	}
	return constraint.Value{}, false
}

// intDomain is the domain of an integer field (long, integer, short, byte,
// unsigned_long) and, with millisecond points, of a date field.
type intDomain struct {
	field    string
	typ      estype.Type
	set      interval.Set[interval.Int]
	lo, hi   interval.Int // tightest bounds, for messages
	plausLo  interval.Int
	plausHi  interval.Int
	narrowed bool
	preds    []*constraint.Pred
	date     bool
	res      date.Resolution // of a date field
	// words: a token_count field, whose document value is a text of as
	// many words as the number drawn.
	words bool
}

func newIntDomain(field string, typ estype.Type, lo, hi, plausLo, plausHi int64) *intDomain {
	return &intDomain{
		field: field, typ: typ,
		set: interval.Of(interval.Int(lo), interval.Int(hi)),
		lo:  interval.Int(lo), hi: interval.Int(hi),
		plausLo: interval.Int(plausLo), plausHi: interval.Int(plausHi),
	}
}

func (d *intDomain) hasValue() bool { return d.narrowed }

func (d *intDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	if p.Op == constraint.Exists {
		return d, nil
	}
	c := *d
	c.preds = append(append([]*constraint.Pred(nil), d.preds...), p)
	c.narrowed = true
	var r interval.Set[interval.Int]
	if d.date {
		op, v := p.Op, p.Value
		if lit, isLit := literalValue(p); isLit {
			op, v = constraint.Eq, lit
		}
		switch op {
		case constraint.Eq, constraint.Lt, constraint.Le, constraint.Gt, constraint.Ge:
		default:
			return nil, conflictf(d.field, "%s cannot apply to a %s field", p.Span.Text, d.typ)
		}
		// A value the field cannot read fails the whole query in
		// Elasticsearch, negated or not.
		var err error
		if r, err = dateSet(v, op, env.now, d.res); err != nil {
			return nil, conflictf(d.field, "%s", err)
		}
	} else {
		var x float64
		var ok bool
		op := p.Op
		if v, isLit := literalValue(p); isLit {
			op = constraint.Eq
			x, ok = numberOf(v)
			if !ok {
				if p.Neg {
					return d, nil // a non-number is never equal: the negation always holds
				}
				return nil, conflictf(d.field, "%s is not a valid %s", v, d.typ)
			}
		} else {
			switch p.Op {
			case constraint.Lt, constraint.Le, constraint.Gt, constraint.Ge:
				x, ok = numberOf(p.Value)
				if !ok {
					return nil, conflictf(d.field, "%s is not a valid %s", p.Value, d.typ)
				}
			default:
				return nil, conflictf(d.field, "%s cannot apply to a %s field", p.Span.Text, d.typ)
			}
		}
		switch op {
		case constraint.Eq:
			if x != math.Trunc(x) {
				r = interval.Set[interval.Int]{}
			} else {
				r = interval.Of(toInt(x), toInt(x))
			}
		case constraint.Lt:
			r = interval.Of(interval.MinInt, toInt(math.Ceil(x)-1))
		case constraint.Le:
			r = interval.Of(interval.MinInt, toInt(math.Floor(x)))
		case constraint.Gt:
			r = interval.Of(toInt(math.Floor(x)+1), interval.MaxInt)
		case constraint.Ge:
			r = interval.Of(toInt(math.Ceil(x)), interval.MaxInt)
		}
	}
	if p.Neg {
		c.set = c.set.Subtract(r)
	} else {
		c.set = c.set.Intersect(r)
		if len(r.R) == 1 {
			if r.R[0].Lo.Cmp(c.lo) > 0 {
				c.lo = r.R[0].Lo
			}
			if r.R[0].Hi.Cmp(c.hi) < 0 {
				c.hi = r.R[0].Hi
			}
		}
	}
	if c.set.IsEmpty() {
		if c.lo > c.hi {
			if d.date {
				return nil, conflictf(d.field, "empty solution space, %s <= x <= %s", formatDate(int64(c.lo)), formatDate(int64(c.hi)))
			}
			return nil, conflictf(d.field, "empty solution space, %d <= x <= %d", c.lo, c.hi)
		}
		return nil, emptyConflict(d.field, "empty solution space, ", c.preds)
	}
	return &c, nil
}

func toInt(x float64) interval.Int {
	switch {
	case x >= 9.2e18:
		return interval.MaxInt
	case x <= -9.2e18:
		return interval.MinInt
	}
	return interval.Int(x)
}

func (d *intDomain) pick(r *rand.Rand) int64 {
	s := d.set.Clamp(d.plausLo, d.plausHi)
	if s.IsEmpty() {
		s = d.set
		// Stay near the plausible range: the closest end of the domain.
		if s.Max() < d.plausLo {
			lo := s.Max() - 1000
			if lo < s.Max() && lo >= s.Min() {
				s = s.Clamp(lo, s.Max())
			}
		} else if s.Min() > d.plausHi {
			hi := s.Min() + 1000
			if hi > s.Min() {
				s = s.Clamp(s.Min(), hi)
			}
		}
	}
	// Choose an interval weighted by its size, then a point in it.
	var total float64
	for _, iv := range s.R {
		total += float64(iv.Hi) - float64(iv.Lo) + 1
	}
	x := r.Float64() * total
	for _, iv := range s.R {
		w := float64(iv.Hi) - float64(iv.Lo) + 1
		if x < w || &iv == &s.R[len(s.R)-1] {
			span := uint64(iv.Hi - iv.Lo)
			if span == math.MaxUint64 {
				return int64(r.Uint64())
			}
			return int64(iv.Lo) + int64(r.Uint64N(span+1))
		}
		x -= w
	}
	return int64(s.R[len(s.R)-1].Hi)
}

func (d *intDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	if d.date {
		// Dates follow the run's clock: the document's own time when the
		// domain allows it, else a time of the month before it, else the
		// domain's nearest.
		var v int64
		switch {
		case g.timestamp != 0 && d.set.Contains(interval.Int(g.timestamp)):
			v = g.timestamp
		case g.timestamp != 0 && !d.set.Clamp(interval.Int(g.timestamp-30*86400000), interval.Int(g.timestamp)).IsEmpty():
			w := *d
			w.plausLo, w.plausHi = interval.Int(g.timestamp-30*86400000), interval.Int(g.timestamp)
			v = w.pick(r)
		default:
			w := *d
			w.plausLo, w.plausHi = interval.Int(g.timestamp), interval.Int(g.timestamp)
			v = w.pick(r)
		}
		dst = append(dst, '"')
		dst = appendDate(dst, v)
		return append(dst, '"'), nil
	}
	if d.words {
		return appendWords(r, dst, d.field, d.pick(r))
	}
	if v, ok := g.fixed(); ok && v == math.Trunc(v) && math.Abs(v) < 9e18 && d.contains(int64(v)) {
		return strconv.AppendInt(dst, int64(v), 10), nil
	}
	return strconv.AppendInt(dst, d.pick(r), 10), nil
}

// contains reports whether the integer x is in the domain.
func (d *intDomain) contains(x int64) bool { return d.set.Contains(interval.Int(x)) }

// floatDomain is the domain of a floating-point field.
type floatDomain struct {
	field    string
	typ      estype.Type
	set      interval.Set[interval.Float]
	lo, hi   interval.Float
	plausLo  interval.Float
	plausHi  interval.Float
	narrowed bool
	preds    []*constraint.Pred
	// m says what the field can store: values are drawn from those.
	m estype.Mapping
}

func newFloatDomain(field string, m estype.Mapping, lo, hi, plausLo, plausHi float64) *floatDomain {
	return &floatDomain{
		field: field, typ: m.Type, m: m,
		set: interval.Of(interval.Float(lo), interval.Float(hi)),
		lo:  interval.Float(lo), hi: interval.Float(hi),
		plausLo: interval.Float(plausLo), plausHi: interval.Float(plausHi),
	}
}

// storable narrows s to the values the field can store: each interval's
// ends move inward to the nearest storable values (a half_float holds
// 1000.5 and 1001, nothing between), so that any value drawn inside and
// rounded to the type's precision stays inside.
func (d *floatDomain) storable(s interval.Set[interval.Float]) interval.Set[interval.Float] {
	if d.m.Type == estype.Double {
		return s
	}
	var out interval.Set[interval.Float]
	for _, iv := range s.R {
		lo, hi := d.m.Ceil(float64(iv.Lo)), d.m.Floor(float64(iv.Hi))
		if lo <= hi {
			out = out.Union(interval.Of(interval.Float(lo), interval.Float(hi)))
		}
	}
	return out
}

func (d *floatDomain) hasValue() bool { return d.narrowed }

func (d *floatDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	if p.Op == constraint.Exists {
		return d, nil
	}
	c := *d
	c.preds = append(append([]*constraint.Pred(nil), d.preds...), p)
	c.narrowed = true
	op := p.Op
	val := p.Value
	if v, isLit := literalValue(p); isLit {
		op, val = constraint.Eq, v
	} else if op < constraint.Lt || op > constraint.Ge {
		return nil, conflictf(d.field, "%s cannot apply to a %s field", p.Span.Text, d.typ)
	}
	x, ok := numberOf(val)
	if !ok {
		if p.Neg && op == constraint.Eq {
			return d, nil
		}
		return nil, conflictf(d.field, "%s is not a valid %s", val, d.typ)
	}
	f := interval.Float(x)
	inf := interval.Float(math.Inf(1))
	var r interval.Set[interval.Float]
	switch op {
	case constraint.Eq:
		r = interval.Of(f, f)
	case constraint.Lt:
		r = interval.Of(-inf, f.Pred())
	case constraint.Le:
		r = interval.Of(-inf, f)
	case constraint.Gt:
		r = interval.Of(f.Succ(), inf)
	case constraint.Ge:
		r = interval.Of(f, inf)
	}
	if p.Neg {
		c.set = c.set.Subtract(r)
	} else {
		c.set = c.set.Intersect(r)
		if len(r.R) == 1 {
			if r.R[0].Lo.Cmp(c.lo) > 0 {
				c.lo = r.R[0].Lo
			}
			if r.R[0].Hi.Cmp(c.hi) < 0 {
				c.hi = r.R[0].Hi
			}
		}
	}
	c.set = c.storable(c.set)
	if c.set.IsEmpty() {
		if c.lo > c.hi {
			return nil, conflictf(d.field, "empty solution space, %v <= x <= %v", float64(c.lo), float64(c.hi))
		}
		if d.m.Type != estype.Double {
			return nil, emptyConflict(d.field, "empty solution space: no "+d.typ.String()+" value satisfies ", c.preds)
		}
		return nil, emptyConflict(d.field, "empty solution space, ", c.preds)
	}
	return &c, nil
}

func (d *floatDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	if v, ok := g.fixed(); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
		if v = d.m.Round(v); d.set.Contains(interval.Float(v)) {
			return strconv.AppendFloat(dst, v, 'f', -1, 64), nil
		}
	}
	s := d.set.Clamp(d.plausLo, d.plausHi)
	if s.IsEmpty() {
		s = d.set
		// Stay near the plausible range, as integers do: the closest end
		// of the domain, not a value near the largest double.
		if s.Max() < d.plausLo {
			if lo := s.Max() - 1000; lo < s.Max() && lo >= s.Min() {
				s = s.Clamp(lo, s.Max())
			}
		} else if s.Min() > d.plausHi {
			if hi := s.Min() + 1000; hi > s.Min() {
				s = s.Clamp(s.Min(), hi)
			}
		}
	}
	iv := s.R[r.IntN(len(s.R))]
	lo, hi := float64(iv.Lo), float64(iv.Hi)
	lo = math.Max(lo, -math.MaxFloat64)
	hi = math.Min(hi, math.MaxFloat64)
	v := lo
	if hi > lo {
		v = lo + r.Float64()*(hi-lo)
		// Two decimals read better, when they stay inside.
		if rv := math.Round(v*100) / 100; rv >= lo && rv <= hi {
			v = rv
		}
		// The value the field stores; the interval's ends are storable,
		// so rounding stays inside.
		v = min(max(d.m.Round(v), lo), hi)
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64), nil
}

// boolDomain is the domain of a boolean field.
type boolDomain struct {
	field    string
	allowT   bool
	allowF   bool
	narrowed bool
	preds    []*constraint.Pred
}

func (d *boolDomain) hasValue() bool { return d.narrowed }

func (d *boolDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	if p.Op == constraint.Exists {
		return d, nil
	}
	v, ok := literalValue(p)
	if !ok {
		return nil, conflictf(d.field, "%s cannot apply to a boolean field", p.Span.Text)
	}
	var b bool
	switch {
	case v.Kind == constraint.KindBool:
		b = v.Bool
	case v.Kind == constraint.KindString && strings.EqualFold(v.Str, "true"):
		b = true
	case v.Kind == constraint.KindString && strings.EqualFold(v.Str, "false"):
		b = false
	default:
		if p.Neg {
			return d, nil
		}
		return nil, conflictf(d.field, "%s is not a boolean", v)
	}
	c := *d
	c.preds = append(append([]*constraint.Pred(nil), d.preds...), p)
	c.narrowed = true
	if b != p.Neg {
		c.allowF = false
	} else {
		c.allowT = false
	}
	if !c.allowT && !c.allowF {
		return nil, emptyConflict(d.field, "empty solution space, ", c.preds)
	}
	return &c, nil
}

func (d *boolDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	v := d.allowT && (!d.allowF || r.IntN(2) == 0)
	return strconv.AppendBool(dst, v), nil
}

// geoDomain is the domain of a geo_point: only its presence can be asked.
type geoDomain struct{ field string }

func (d *geoDomain) hasValue() bool { return false }

func (d *geoDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	if p.Op == constraint.Exists {
		return d, nil
	}
	return nil, conflictf(d.field, "%s cannot apply to a geo_point field", p.Span.Text)
}

func (d *geoDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	lat := math.Round((r.Float64()*140-70)*1e4) / 1e4
	lon := math.Round((r.Float64()*360-180)*1e4) / 1e4
	dst = append(dst, `{"lat":`...)
	dst = strconv.AppendFloat(dst, lat, 'f', -1, 64)
	dst = append(dst, `,"lon":`...)
	dst = strconv.AppendFloat(dst, lon, 'f', -1, 64)
	return append(dst, '}'), nil
}

// objDomain is the domain of an object field (ECS labels, a nested
// object): only its presence can be asked; a value is an object with one
// key, unless a field under it is in the document already.
type objDomain struct {
	field   string
	keyType estype.Type
}

func (d *objDomain) hasValue() bool { return false }

func (d *objDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	if p.Op == constraint.Exists {
		return d, nil
	}
	return nil, conflictf(d.field, "%s cannot apply to an object field; name a field under it", p.Span.Text)
}

func (d *objDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	dst = append(dst, '{')
	dst = document.AppendString(dst, words[r.IntN(len(words))])
	dst = append(dst, ':')
	if d.keyType.Family() == estype.IntegerFamily {
		dst = strconv.AppendInt(dst, int64(r.IntN(1000)), 10)
	} else {
		dst = document.AppendString(dst, words[r.IntN(len(words))])
	}
	return append(dst, '}'), nil
}
