package esql

import (
	"math"
	"net/netip"
	"sort"
	"strings"

	"github.com/emit-sec/emit/es/geo"
	"github.com/emit-sec/emit/es/ipaddr"
)

// Multi-value functions (they take the whole multi-value: a single value
// is a multi-value of one), IP functions and spatial functions on points.

func init() {
	regScalar(fnMvPick, "mv_first", "mv_last", "mv_min", "mv_max")
	regScalar(fnMvCount, "mv_count")
	regScalar(fnMvDedupe, "mv_dedupe")
	regScalar(fnMvSort, "mv_sort")
	regScalar(fnMvSlice, "mv_slice")
	regScalar(fnMvConcat, "mv_concat")
	regScalar(fnMvAppend, "mv_append")
	regScalar(fnMvContains, "mv_contains")
	regScalar(fnMvIntersection, "mv_intersection")
	regScalar(fnMvZip, "mv_zip")
	regScalar(fnMvNumeric, "mv_sum", "mv_avg", "mv_median", "mv_median_absolute_deviation")
	regScalar(fnMvPercentile, "mv_percentile")
	regScalar(fnMvPseries, "mv_pseries_weighted_sum")
	regScalar(fnCIDRMatch, "cidr_match")
	regScalar(fnIPPrefix, "ip_prefix")
	regScalar(fnStDistance, "st_distance")
	regScalar(fnStCoord, "st_x", "st_y")
	regScalar(fnStRelation, "st_intersects", "st_disjoint", "st_contains", "st_within")
}

func fnMvPick(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name, arg := call.Name, args[0]
	loc := call.Loc
	return func(r *evalRow) any {
		vals := valuesOf(arg(r))
		if len(vals) == 0 {
			return nil
		}
		switch name {
		case "mv_first":
			return vals[0]
		case "mv_last":
			return vals[len(vals)-1]
		}
		best := vals[0]
		for _, v := range vals[1:] {
			cmp, ok := compareValues(v, best)
			if !ok {
				c.ev.fail(loc, "[%s] does not order values of type [%s]", c.ev.text(loc), typeName(v))
				return nil
			}
			if name == "mv_min" && cmp < 0 || name == "mv_max" && cmp > 0 {
				best = v
			}
		}
		return best
	}, nil
}

func fnMvCount(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	arg := args[0]
	return func(r *evalRow) any {
		n := countOf(arg(r))
		if n == 0 {
			return nil
		}
		return int32(n)
	}, nil
}

func fnMvDedupe(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	arg := args[0]
	return func(r *evalRow) any {
		v := arg(r)
		if m, ok := v.(multiValue); ok {
			return mvOf(dedupeValues(append([]any(nil), m...)))
		}
		return v
	}, nil
}

func fnMvSort(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	desc := false
	if len(call.Args) > 1 {
		o, ok := c.constArg(call, 1)
		s, isStr := o.(string)
		if !ok || !isStr || !strings.EqualFold(s, "asc") && !strings.EqualFold(s, "desc") {
			return nil, c.ev.errorf(call.Args[1].Location(), "the order of MV_SORT must be \"ASC\" or \"DESC\"")
		}
		desc = strings.EqualFold(s, "desc")
	}
	arg := args[0]
	return func(r *evalRow) any {
		v := arg(r)
		m, ok := v.(multiValue)
		if !ok {
			return v
		}
		out := append([]any(nil), m...)
		sortValues(out)
		if desc {
			for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
				out[i], out[j] = out[j], out[i]
			}
		}
		return multiValue(out)
	}, nil
}

// fnMvSlice is MV_SLICE(v, start[, end]): the values from start to end
// inclusive, 0-based, negative positions counting from the end.
func fnMvSlice(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return func(r *evalRow) any {
		vals := valuesOf(args[0](r))
		if len(vals) == 0 {
			return nil
		}
		bound := func(i int) (int64, bool) {
			b, ok := c.single(args[i](r), loc)
			if !ok {
				return 0, false
			}
			n, ok := numberInt64(b)
			if !ok {
				c.typeError(call, i, "integer", b)
			}
			return n, ok
		}
		start, ok := bound(1)
		if !ok {
			return nil
		}
		end := start
		if len(args) > 2 {
			if end, ok = bound(2); !ok {
				return nil
			}
		}
		n := int64(len(vals))
		if start < 0 {
			start += n
		}
		if end < 0 {
			end += n
		}
		if start < 0 && end < 0 || start > end {
			if start > end {
				c.ev.warn(loc, "InvalidArgumentException: Start offset is greater than end offset")
			}
			return nil
		}
		start = max(start, 0)
		if start >= n {
			return nil
		}
		end = min(end, n-1)
		return mvOf(append([]any(nil), vals[start:end+1]...))
	}, nil
}

func fnMvConcat(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return func(r *evalRow) any {
		v := args[0](r)
		d, ok := c.single(args[1](r), loc)
		if v == nil || !ok {
			return nil
		}
		delim, ok := d.(string)
		if !ok {
			c.typeError(call, 1, "string", d)
			return nil
		}
		parts := make([]string, 0, countOf(v))
		for _, x := range valuesOf(v) {
			s, ok := x.(string)
			if !ok {
				c.typeError(call, 0, "string", x)
				return nil
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, delim)
	}, nil
}

func fnMvAppend(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return func(r *evalRow) any {
		a, b := args[0](r), args[1](r)
		switch {
		case a == nil:
			return b
		case b == nil:
			return a
		}
		return mvOf(append(append([]any(nil), valuesOf(a)...), valuesOf(b)...))
	}, nil
}

// fnMvContains is MV_CONTAINS(superset, subset): every value of subset is
// a value of superset (a null is an empty set).
func fnMvContains(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return func(r *evalRow) any {
		have := map[any]bool{}
		for _, v := range valuesOf(args[0](r)) {
			have[hashKey(v)] = true
		}
		for _, v := range valuesOf(args[1](r)) {
			if !have[hashKey(v)] {
				return false
			}
		}
		return true
	}, nil
}

// fnMvIntersection is the distinct values of the first argument that the
// second also holds.
func fnMvIntersection(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return func(r *evalRow) any {
		a, b := args[0](r), args[1](r)
		if a == nil || b == nil {
			return nil
		}
		have := map[any]bool{}
		for _, v := range valuesOf(b) {
			have[hashKey(v)] = true
		}
		var out []any
		for _, v := range dedupeValues(append([]any(nil), valuesOf(a)...)) {
			if have[hashKey(v)] {
				out = append(out, v)
			}
		}
		return mvOf(out)
	}, nil
}

// fnMvZip pairs the values of two multi-values with a delimiter (","):
// the longer one's extra values stand alone.
func fnMvZip(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return func(r *evalRow) any {
		a, b := valuesOf(args[0](r)), valuesOf(args[1](r))
		if len(a) == 0 && len(b) == 0 {
			return nil
		}
		delim := ","
		if len(args) > 2 {
			d, ok := c.single(args[2](r), loc)
			if !ok {
				return nil
			}
			if delim, ok = d.(string); !ok {
				c.typeError(call, 2, "string", d)
				return nil
			}
		}
		n := max(len(a), len(b))
		out := make([]any, n)
		for i := 0; i < n; i++ {
			switch {
			case i < len(a) && i < len(b):
				out[i] = toStringValue(a[i]) + delim + toStringValue(b[i])
			case i < len(a):
				out[i] = toStringValue(a[i])
			default:
				out[i] = toStringValue(b[i])
			}
		}
		return mvOf(out)
	}, nil
}

// numbers reads the values of a numeric multi-value.
func (c *exprCompiler) numbers(call *Call, v any) ([]float64, bool) {
	vals := valuesOf(v)
	out := make([]float64, 0, len(vals))
	for _, x := range vals {
		f, ok := numberFloat(x)
		if !ok {
			c.typeError(call, 0, "numeric", x)
			return nil, false
		}
		out = append(out, f)
	}
	return out, true
}

func fnMvNumeric(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name, loc := call.Name, call.Loc
	return func(r *evalRow) any {
		v := args[0](r)
		if v == nil {
			return nil
		}
		switch name {
		case "mv_sum":
			return c.sumValues(valuesOf(v), call, loc)
		case "mv_avg":
			fs, ok := c.numbers(call, v)
			if !ok {
				return nil
			}
			return c.finite(kahanSum(fs)/float64(len(fs)), loc)
		case "mv_median":
			return medianOf(valuesOf(v), c, call)
		}
		fs, ok := c.numbers(call, v)
		if !ok {
			return nil
		}
		return medianAbsoluteDeviation(fs, valuesOf(v)[0])
	}, nil
}

// sumValues sums numbers: whole numbers exactly (overflow is null with a
// warning), doubles as doubles.
func (c *exprCompiler) sumValues(vals []any, call *Call, loc Loc) any {
	if len(vals) == 0 {
		return nil
	}
	switch vals[0].(type) {
	case float64:
		fs, ok := c.numbers(call, multiValue(vals))
		if !ok {
			return nil
		}
		return c.finite(kahanSum(fs), loc)
	case uint64:
		var s uint64
		for _, v := range vals {
			u, _ := v.(uint64)
			z, ok := uintArith(Add, s, u)
			if !ok {
				c.ev.warn(loc, "ArithmeticException: unsigned_long overflow")
				return nil
			}
			s = z
		}
		return s
	}
	var s int64
	for _, v := range vals {
		n, ok := numberInt64(v)
		if !ok {
			c.typeError(call, 0, "numeric", v)
			return nil
		}
		z, ok := intArith(Add, s, n)
		if !ok {
			c.ev.warn(loc, "ArithmeticException: long overflow")
			return nil
		}
		s = z
	}
	if _, is32 := vals[0].(int32); is32 && call.Name == "mv_sum" {
		if s < math.MinInt32 || s > math.MaxInt32 {
			c.ev.warn(loc, "ArithmeticException: integer overflow")
			return nil
		}
		return int32(s)
	}
	return s
}

// kahanSum sums doubles with compensation, as Elasticsearch's sums do.
func kahanSum(fs []float64) float64 {
	var sum, comp float64
	for _, f := range fs {
		y := f - comp
		t := sum + y
		comp = (t - sum) - y
		sum = t
	}
	return sum
}

// medianOf is the median of numeric values: the middle value, or the mean
// of the two middle values (for whole numbers, rounded down as
// Elasticsearch's MV_MEDIAN does; MEDIAN is always a double).
func medianOf(vals []any, c *exprCompiler, call *Call) any {
	if len(vals) == 0 {
		return nil
	}
	sorted := append([]any(nil), vals...)
	sortValues(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	a, b := sorted[n/2-1], sorted[n/2]
	switch x := a.(type) {
	case float64:
		y := b.(float64)
		return (x + y) / 2
	case int32:
		y := b.(int32)
		return int32(floorDivInt(int64(x)+int64(y), 2))
	case int64:
		y := b.(int64)
		return x/2 + y/2 + floorDivInt(x%2+y%2, 2)
	case uint64:
		y := b.(uint64)
		return x/2 + y/2 + (x%2+y%2)/2
	}
	c.typeError(call, 0, "numeric", a)
	return nil
}

// medianAbsoluteDeviation is the median of the absolute deviations from
// the median, of the type of the values.
func medianAbsoluteDeviation(fs []float64, like any) any {
	if len(fs) == 0 {
		return nil
	}
	m := floatMedian(fs)
	dev := make([]float64, len(fs))
	for i, f := range fs {
		dev[i] = math.Abs(f - m)
	}
	d := floatMedian(dev)
	switch like.(type) {
	case int32:
		return int32(d)
	case int64:
		return int64(d)
	case uint64:
		return uint64(d)
	}
	return d
}

// floatMedian is the median of doubles.
func floatMedian(fs []float64) float64 {
	s := append([]float64(nil), fs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentileOf is the p-th percentile of doubles with linear interpolation
// between the closest ranks.
func percentileOf(fs []float64, p float64) float64 {
	s := append([]float64(nil), fs...)
	sort.Float64s(s)
	if len(s) == 1 {
		return s[0]
	}
	rank := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(rank))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	frac := rank - float64(lo)
	return s[lo] + frac*(s[lo+1]-s[lo])
}

func fnMvPercentile(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return func(r *evalRow) any {
		v := args[0](r)
		pv, ok := c.single(args[1](r), loc)
		if v == nil || !ok {
			return nil
		}
		p, ok := numberFloat(pv)
		if !ok {
			c.typeError(call, 1, "numeric", pv)
			return nil
		}
		if p < 0 || p > 100 {
			c.ev.warn(loc, "IllegalArgumentException: Percentile parameter must be a number between 0 and 100, found [%v]", p)
			return nil
		}
		fs, ok := c.numbers(call, v)
		if !ok {
			return nil
		}
		res := percentileOf(fs, p)
		switch valuesOf(v)[0].(type) {
		case int32:
			return int32(res)
		case int64:
			return int64(res)
		}
		return res
	}, nil
}

// fnMvPseriesWeightedSum is sum(v_i / (i+1)^p) over the values sorted in
// descending order.
func fnMvPseries(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return func(r *evalRow) any {
		v := args[0](r)
		pv, ok := c.single(args[1](r), loc)
		if v == nil || !ok {
			return nil
		}
		p, ok := numberFloat(pv)
		if !ok {
			c.typeError(call, 1, "numeric", pv)
			return nil
		}
		fs, ok := c.numbers(call, v)
		if !ok {
			return nil
		}
		sort.Sort(sort.Reverse(sort.Float64Slice(fs)))
		terms := make([]float64, len(fs))
		for i, f := range fs {
			terms[i] = f / math.Pow(float64(i+1), p)
		}
		return c.finite(kahanSum(terms), loc)
	}, nil
}

// fnCIDRMatch is CIDR_MATCH(ip, block, ...): whether the address lies in
// one of the blocks (an argument may hold several).
func fnCIDRMatch(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return func(r *evalRow) any {
		v, ok := c.single(args[0](r), loc)
		if !ok {
			return nil
		}
		a, ok := v.(netip.Addr)
		if !ok {
			if s, isStr := v.(string); isStr {
				a, ok = ipaddr.Parse(s)
			}
			if !ok {
				c.typeError(call, 0, "ip", v)
				return nil
			}
		}
		for i := 1; i < len(args); i++ {
			for _, b := range valuesOf(args[i](r)) {
				s, ok := b.(string)
				if !ok {
					c.typeError(call, i, "string", b)
					return nil
				}
				p, ok := ipaddr.ParseBlock(s)
				if !ok {
					c.ev.warn(loc, "IllegalArgumentException: invalid CIDR block [%s]", s)
					continue
				}
				if p.Contains(a) {
					return true
				}
			}
		}
		return false
	}, nil
}

// fnIPPrefix is IP_PREFIX(ip, prefixV4, prefixV6): the address masked to
// its family's prefix length.
func fnIPPrefix(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		a, ok := v[0].(netip.Addr)
		if !ok {
			c.typeError(call, 0, "ip", v[0])
			return nil
		}
		l4, ok1 := c.integer(call, v, 1)
		l6, ok2 := c.integer(call, v, 2)
		if !ok1 || !ok2 {
			return nil
		}
		if l4 < 0 || l4 > 32 || l6 < 0 || l6 > 128 {
			c.ev.warn(loc, "IllegalArgumentException: Prefix length v4 must be in range [0, 32], v6 in [0, 128]")
			return nil
		}
		bits := int(l6)
		if a.Is4In6() || a.Is4() {
			bits = 96 + int(l4)
		}
		p, err := netip.AddrFrom16(a.As16()).Prefix(bits)
		if err != nil {
			return nil
		}
		return p.Addr()
	}), nil
}

// fnStDistance is ST_DISTANCE(a, b): for geo points the meters along the
// great circle as Elasticsearch computes them (es/geo: the haversine of
// the points as a geo_point keeps them), for cartesian points the
// Euclidean distance.
func fnStDistance(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return c.strict(call, args, func(v []any) any {
		switch a := v[0].(type) {
		case GeoPoint:
			b, ok := v[1].(GeoPoint)
			if !ok {
				c.typeError(call, 1, "geo_point", v[1])
				return nil
			}
			return geo.Distance(a.Lat, a.Lon, b.Lat, b.Lon)
		case CartesianPoint:
			b, ok := v[1].(CartesianPoint)
			if !ok {
				c.typeError(call, 1, "cartesian_point", v[1])
				return nil
			}
			return math.Hypot(a.X-b.X, a.Y-b.Y)
		}
		c.typeError(call, 0, "geo_point or cartesian_point", v[0])
		return nil
	}), nil
}

func fnStCoord(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	x := call.Name == "st_x"
	return c.strict(call, args, func(v []any) any {
		switch p := v[0].(type) {
		case GeoPoint:
			if x {
				return p.Lon
			}
			return p.Lat
		case CartesianPoint:
			if x {
				return p.X
			}
			return p.Y
		}
		c.typeError(call, 0, "point", v[0])
		return nil
	}), nil
}

// fnStRelation is a spatial relation between two points: they intersect,
// contain and lie within each other when equal.
func fnStRelation(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	disjoint := call.Name == "st_disjoint"
	return c.strict(call, args, func(v []any) any {
		switch v[0].(type) {
		case GeoPoint, CartesianPoint:
		default:
			c.typeError(call, 0, "point", v[0])
			return nil
		}
		eq, ok := equalValues(v[0], v[1])
		if !ok {
			c.typeError(call, 1, typeName(v[0]), v[1])
			return nil
		}
		return eq != disjoint
	}), nil
}
