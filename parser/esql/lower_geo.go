package esql

import (
	"math"

	"github.com/emit-sec/emit/constraint"
	"slices"

	"github.com/emit-sec/emit/es/geo"
	"github.com/emit-sec/emit/internal/interval"
)

// Conditions on ST_DISTANCE: no formula on a geo_point field says how far
// two points are, so the lowering leaves the points to the generator,
// which draws them from real places (a GeoNeed), and the evaluator
// confirms the condition on the documents it makes. A condition that
// reads a distance wants the points apart (ST_DISTANCE(a, b) >= d, and
// so a speed computed from it) or together (<= d); where it bounds the
// distance itself, through arithmetic with constants and ROUND, the need
// carries the bounds in meters.

// GeoNeed is a condition on the distance between geo points that the
// generator meets by choosing the points.
type GeoNeed struct {
	// Fields are the geo_point fields the points come from (one field for
	// points of several documents, two for points of one document).
	Fields []string
	// Far: the condition wants the points apart; else together.
	Far bool
	// Min and Max bound the distance in meters where the condition bounds
	// ST_DISTANCE itself (0 and +Inf otherwise).
	Min, Max float64
	// Anchor is the constant point the distance is measured from (nil:
	// the points are the documents').
	Anchor *GeoPoint
	// Keys are the document fields whose values make a place: documents
	// that share them (a group of the first STATS) are at one place, and
	// different ones at different places. Empty: each document is a place.
	Keys []string
	// level is the rows the condition reads (0: documents; n: the groups
	// of the n-th STATS, whose members, rows of level n-1, are places).
	level int
}

// geoReq is a group requirement that a GeoNeed meets.
type geoReq struct{ need GeoNeed }

// readsDistance reports whether e reads ST_DISTANCE.
func readsDistance(e Expr) bool { return len(distanceCalls(e)) > 0 }

// distanceCalls lists the ST_DISTANCE calls e reads.
func distanceCalls(e Expr) []*Call {
	var out []*Call
	walkAll(e, func(x Expr) bool {
		if c, ok := x.(*Call); ok && c.Name == "st_distance" && len(c.Args) == 2 {
			out = append(out, c)
		}
		return true
	})
	return out
}

// geoCompare lowers "l op r is want" where a side reads ST_DISTANCE to the
// needs of its points.
func (l *lowerer) geoCompare(level int, le Expr, op CmpOp, r Expr, want bool, loc Loc) ([]GeoNeed, error) {
	if readsDistance(le) && readsDistance(r) {
		return nil, l.unsupported(loc, "ST_DISTANCE() compared to another distance")
	}
	if !readsDistance(le) {
		le, r, op = r, le, op.flip()
	}
	if !want {
		op = op.negated()
	}
	var far bool
	switch op {
	case Gt, Ge:
		far = true
	case Lt, Le:
	default:
		return nil, l.unsupported(loc, "ST_DISTANCE() compared with %s: emit meets a bound on a distance, not a value", op)
	}
	lo, hi := 0.0, math.Inf(1)
	if v, ok := fold(r); ok && !hasRefs(r) && v.isNumber() {
		if s, ok := distanceSet(le, interval.Compare(op.interval(), v.float())); ok {
			if s.IsEmpty() {
				lo, hi = 1, 0 // no distance: the evaluator finds no row
			} else {
				lo, hi = math.Max(0, float64(s.Min())), float64(s.Max())
			}
		}
	}
	var out []GeoNeed
	for _, c := range distanceCalls(le) {
		n := GeoNeed{Far: far, Min: lo, Max: hi, level: level}
		for _, arg := range c.Args {
			if p, ok := constPoint(arg); ok {
				if n.Anchor != nil {
					return nil, l.unsupported(c.Loc, "ST_DISTANCE() of two constant points compared to a number")
				}
				n.Anchor = &p
				continue
			}
			f, ok := pointField(arg)
			if !ok {
				return nil, l.unsupported(arg.Location(), "ST_DISTANCE() of a point that is not a geo_point field's, or computed from one")
			}
			if !slices.Contains(n.Fields, f) {
				n.Fields = append(n.Fields, f)
			}
		}
		if len(n.Fields) == 0 {
			continue
		}
		l.geoNeed(n)
		out = append(out, n)
	}
	return out, nil
}

// geoNeed records a need of the plan (once).
func (l *lowerer) geoNeed(n GeoNeed) {
	for _, m := range l.plan_.Geo {
		if slices.Equal(m.Fields, n.Fields) && m.level == n.level && m.Far == n.Far && m.Min == n.Min && m.Max == n.Max && (m.Anchor == nil) == (n.Anchor == nil) && (m.Anchor == nil || *m.Anchor == *n.Anchor) {
			return
		}
	}
	l.plan_.Geo = append(l.plan_.Geo, n)
}

// distanceSet inverts arithmetic with constants, ROUND and casts over one
// ST_DISTANCE: the distances (meters) for which e is in s.
func distanceSet(e Expr, s reals) (reals, bool) {
	switch x := e.(type) {
	case *Cast:
		if x.Type == "double" {
			return distanceSet(x.X, s)
		}
	case *Call:
		switch x.Name {
		case "st_distance":
			return s, true
		case "to_double":
			return distanceSet(x.Args[0], s)
		case "round":
			digits := int64(0)
			if len(x.Args) == 2 {
				d, ok := intArg(x, 1)
				if !ok || d < 0 || d > 15 {
					return reals{}, false
				}
				digits = d
			}
			return distanceSet(x.Args[0], roundPre(s, int(digits)))
		}
	case *Arith:
		left := readsDistance(x.L)
		y, c := x.L, x.R
		if !left {
			y, c = x.R, x.L
		}
		cv, ok := fold(c)
		if !ok || hasRefs(c) || !cv.isNumber() {
			return reals{}, false
		}
		k := cv.float()
		// ST_DISTANCE is a double: the arithmetic is on doubles.
		switch x.Op {
		case Add:
			return distanceSet(y, interval.Affine(s, 1, -k))
		case Sub:
			if left {
				return distanceSet(y, interval.Affine(s, 1, k))
			}
			return distanceSet(y, interval.Affine(s, -1, k))
		case Mul:
			if k != 0 {
				return distanceSet(y, interval.Div(s, k))
			}
		case Div:
			if left && k != 0 {
				return distanceSet(y, interval.Affine(s, k, 0))
			}
		}
	}
	return reals{}, false
}

// constPoint reads a constant geo point: TO_GEOPOINT of a WKT string.
func constPoint(e Expr) (GeoPoint, bool) {
	if hasRefs(e) {
		return GeoPoint{}, false
	}
	var arg Expr
	switch x := e.(type) {
	case *Call:
		if x.Name != "to_geopoint" || len(x.Args) != 1 {
			return GeoPoint{}, false
		}
		arg = x.Args[0]
	case *Cast:
		if x.Type != "geo_point" {
			return GeoPoint{}, false
		}
		arg = x.X
	default:
		return GeoPoint{}, false
	}
	v, ok := fold(arg)
	if !ok || v.k != cStr {
		return GeoPoint{}, false
	}
	lon, lat, ok := parseWKTPoint(v.s)
	if !ok || !geo.Valid(lat, lon) {
		return GeoPoint{}, false
	}
	return GeoPoint{Lon: lon, Lat: lat}, true
}

// pointField is the geo_point field a point comes from: the field itself,
// or the field whose coordinates (ST_X, ST_Y) a point is built from,
// through aggregates, strings and conversions (TO_GEOPOINT(CONCAT("POINT(",
// TO_STRING(MIN(AVG(ST_X(f)))), ...))).
func pointField(e Expr) (string, bool) {
	if f, ok := e.(*Field); ok {
		return f.Name, true
	}
	var fields []string
	walkAll(e, func(x Expr) bool {
		c, ok := x.(*Call)
		if !ok {
			return true
		}
		switch c.Name {
		case "st_x", "st_y", "to_geopoint":
			if len(c.Args) == 1 {
				if f, ok := c.Args[0].(*Field); ok && !slices.Contains(fields, f.Name) {
					fields = append(fields, f.Name)
				}
			}
		}
		return true
	})
	if len(fields) != 1 {
		return "", false
	}
	return fields[0], true
}

// geoKeys gives each need the fields that make a place: the keys of the
// STATS whose rows are the members of the condition's groups (none where
// the members are documents), each a field (through the keys of the
// STATS before).
func (l *lowerer) geoKeys(p *Plan) {
	for i := range p.Geo {
		n := &p.Geo[i]
		if n.level < 2 || n.level-1 >= len(l.levels) {
			continue
		}
		var keys []string
		for _, k := range l.levels[n.level-1].keys {
			x := k.X
			for {
				inner, ok := x.(*keyRef)
				if !ok {
					break
				}
				x = inner.X
			}
			if f, ok := x.(*Field); ok {
				keys = append(keys, f.Name)
			}
		}
		n.Keys = keys
	}
}

// geoAtom lowers a condition on a group that reads ST_DISTANCE: the needs
// of its points, which the generator meets.
func (g *groupAlg) geoAtom(l Expr, op CmpOp, r Expr, want bool, loc Loc) (gform, error) {
	needs, err := g.l.geoCompare(g.level, l, op, r, want, loc)
	if err != nil {
		return nil, err
	}
	var xs []gform
	for _, n := range needs {
		xs = append(xs, leaf(geoReq{n}))
		if n.Far && n.Anchor == nil && len(n.Fields) == 1 {
			// Points apart: two places at least, two members.
			t, err := g.termOf(&aggRef{Level: g.level, Fn: "count", Star: true, Loc: loc, id: -1})
			if err != nil {
				return nil, err
			}
			xs = append(xs, leaf(termIn{t: t, set: interval.Compare(interval.Ge, 2)}))
		}
	}
	return g.and(loc, xs...), nil
}

// geoAtom lowers a condition on a document that reads ST_DISTANCE: the
// fields of its points are present, and the generator places them.
func (a *docAlg) geoAtom(l Expr, op CmpOp, r Expr, want bool, loc Loc) (constraint.Expr, error) {
	needs, err := a.l.geoCompare(0, l, op, r, want, loc)
	if err != nil {
		return nil, err
	}
	var xs []constraint.Expr
	for _, n := range needs {
		for _, f := range n.Fields {
			c, err := a.nonNull(&Field{Name: f, Loc: loc})
			if err != nil {
				return nil, err
			}
			xs = append(xs, c)
		}
	}
	return a.and(loc, xs...), nil
}
