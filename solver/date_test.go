package solver

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/date/datetest"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/esvalue"
	"github.com/emit-sec/emit/internal/interval"
	"github.com/emit-sec/emit/schema"
)

// msFloor and msCeil are an instant's epoch milliseconds rounded towards
// the past and the future.
func msFloor(t time.Time) int64 {
	ms := t.Unix() * 1000
	return ms + int64(t.Nanosecond()/1e6)
}

func msCeil(t time.Time) int64 {
	if t.Nanosecond()%1e6 != 0 {
		return msFloor(t) + 1
	}
	return msFloor(t)
}

// TestDateConformance reads the conformance table through the solver's
// date domains: a gte bound admits the milliseconds from the value read
// down, an lte bound those up to the value read up, on a date field (whose
// bounds are whole milliseconds) and a date_nanos field (whose bounds are
// nanoseconds, of which the domain takes the milliseconds inside), and a
// value Elasticsearch rejects, or the field cannot hold, is an error.
func TestDateConformance(t *testing.T) {
	tab, err := datetest.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tab.Cases {
		for _, res := range []date.Resolution{date.Millis, date.Nanos} {
			v := constraint.String(c.Input)
			ge, errGe := dateSet(v, constraint.Ge, tab.Now, res)
			le, errLe := dateSet(v, constraint.Le, tab.Now, res)
			downOK, upOK := !c.Err, !c.Err
			if !c.Err {
				_, e1 := res.Convert(c.Down)
				_, e2 := res.Convert(c.Up)
				downOK, upOK = e1 == nil, e2 == nil
			}
			if (errGe == nil) != downOK || (errLe == nil) != upOK {
				t.Errorf("line %d, %v: %q: gte error %v, lte error %v; want readable %v, %v", c.Line, res, c.Input, errGe, errLe, downOK, upOK)
				continue
			}
			if downOK {
				want := msFloor(c.Down)
				if res == date.Nanos {
					want = msCeil(c.Down)
				}
				if ge.IsEmpty() || int64(ge.Min()) != want || ge.Max() != interval.MaxInt {
					t.Errorf("line %d, %v: gte %q = %v, want from %d", c.Line, res, c.Input, ge, want)
				}
			}
			if upOK {
				want := msFloor(c.Up)
				if le.IsEmpty() || int64(le.Max()) != want || le.Min() != interval.MinInt {
					t.Errorf("line %d, %v: lte %q = %v, want to %d", c.Line, res, c.Input, le, want)
				}
			}
		}
	}
}

// TestDateErrorConflict: a date the field cannot read is a conflict naming
// the field and the value.
func TestDateErrorConflict(t *testing.T) {
	d := newDomain(schema.Field{Name: "event.created", Type: estype.Date}, false)
	p := &constraint.Pred{Field: "event.created", Op: constraint.Gt, Value: constraint.String("2024-03-14 10:15:30")}
	_, c := d.with(p, &env{now: time.Now()})
	want := `event.created: "2024-03-14 10:15:30" is not a date Elasticsearch reads (strict_date_optional_time||epoch_millis)`
	if c == nil || c.Error() != want {
		t.Errorf("conflict %v, want %s", c, want)
	}
}

// TestDateDifferential draws date query values from the grammar of
// strict_date_optional_time, epoch_millis and date math, with mutations,
// and checks that the solver's reading (the milliseconds a predicate
// admits) and the evaluators' reading (esvalue's term and range queries on
// a document holding one of those milliseconds) agree, on date and
// date_nanos fields: the same values are rejected, and the same
// milliseconds match.
func TestDateDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 2024))
	now := time.Date(2024, 5, 15, 13, 45, 30, 250999000, time.UTC)
	n := 4000
	if testing.Short() {
		n = 500
	}
	ops := []constraint.Op{constraint.Eq, constraint.Lt, constraint.Le, constraint.Gt, constraint.Ge}
	valid := 0
	for i := 0; i < n; i++ {
		s := randomDate(r)
		for _, typ := range []estype.Type{estype.Date, estype.DateNanos} {
			m := estype.Mapping{Type: typ}
			domainMax := dateDomainMax(date.ResolutionOf(typ))
			for _, op := range ops {
				set, err := dateSet(constraint.String(s), op, now, date.ResolutionOf(typ))
				eval := func(ms int64) esvalue.Verdict {
					doc := []any{date.Format(time.UnixMilli(ms))}
					switch op {
					case constraint.Eq:
						return esvalue.Term(m, doc, s, false, now)
					case constraint.Lt, constraint.Le:
						return esvalue.Range(m, doc, nil, &esvalue.Bound{Value: s, Inclusive: op == constraint.Le}, now)
					default:
						return esvalue.Range(m, doc, &esvalue.Bound{Value: s, Inclusive: op == constraint.Ge}, nil, now)
					}
				}
				if err != nil {
					if v := eval(0); v != esvalue.Invalid {
						t.Errorf("%s %q on %s: solver rejects (%v), evaluator says %v", op, s, typ, err, v)
					}
					continue
				}
				valid++
				// The domain's edges and points around them, and random
				// points, within what a document of the domain can hold.
				points := []int64{0, 1, domainMax, r.Int64N(domainMax)}
				for _, iv := range set.R {
					for _, x := range []interval.Int{iv.Lo, iv.Hi} {
						if x != interval.MinInt && x != interval.MaxInt {
							points = append(points, int64(x)-1, int64(x), int64(x)+1)
						}
					}
				}
				for _, ms := range points {
					if ms < 0 || ms > domainMax {
						continue
					}
					want := set.Contains(interval.Int(ms))
					if got := eval(ms); got != esvalue.Of(want) {
						t.Errorf("%s %q on %s, document %s: solver admits %v, evaluator says %v", op, s, typ, date.Format(time.UnixMilli(ms)), want, got)
					}
				}
			}
		}
	}
	t.Logf("%d readable predicates of %d", valid, n*10)
	if valid < n/4 {
		t.Errorf("only %d readable predicates of %d: the generator drifts from the grammar", valid, n*10)
	}
}

// randomDate draws a date query value from the grammar, sometimes mutated.
func randomDate(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	digits := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		return b.String()
	}
	two := func(max int) string {
		v := r.IntN(max + 1)
		if r.IntN(10) == 0 {
			return digits(r.IntN(3) + 1)
		}
		return strconv.Itoa(100 + v)[1:]
	}
	iso := func() string {
		var b strings.Builder
		if r.IntN(20) == 0 {
			b.WriteString("-")
		}
		switch r.IntN(20) {
		case 0:
			b.WriteString(digits(3 + 2*r.IntN(2)))
		case 1:
			b.WriteString(pick("0000", "9999", "1970", "1969", "2262"))
		default:
			b.WriteString(strconv.Itoa(1970 + r.IntN(100)))
		}
		depth := r.IntN(8)
		if depth >= 1 {
			b.WriteString("-" + two(13))
		}
		if depth >= 2 {
			b.WriteString("-" + two(31))
		}
		if depth >= 3 || r.IntN(30) == 0 {
			b.WriteString(pick("T", "T", "T", "t", " "))
		}
		if depth >= 4 {
			b.WriteString(two(24))
		}
		if depth >= 5 {
			b.WriteString(":" + two(60))
		}
		if depth >= 6 {
			b.WriteString(":" + two(60))
		}
		if depth >= 7 {
			b.WriteString(pick(".", ",") + digits(r.IntN(11)))
		}
		if depth >= 4 && r.IntN(3) == 0 {
			b.WriteString(pick("Z", "z", "+01:00", "-0530", "+05", "+19", "+18:00", "UTC", "GMT-02:00", "Europe/Paris", "Z+0100", "+01:00:30"))
		}
		return b.String()
	}
	epoch := func() string {
		s := pick("", "", "", "-", "+") + digits(1+r.IntN(20))
		if r.IntN(4) == 0 {
			s += "." + digits(r.IntN(8))
		}
		return s
	}
	var s string
	switch r.IntN(4) {
	case 0:
		s = epoch()
	case 1:
		s = iso()
	default:
		if r.IntN(2) == 0 {
			s = "now"
		} else {
			anchor := iso
			if r.IntN(3) == 0 {
				anchor = epoch
			}
			s = anchor() + "||"
		}
		for k := r.IntN(4); k > 0; k-- {
			op := pick("+", "-", "/", "+", "-", "*")
			num := ""
			switch r.IntN(6) {
			case 0:
				num = strconv.Itoa(r.IntN(3))
			case 1:
				num = strconv.FormatInt(r.Int64N(math.MaxInt32)*2, 10)
			case 2, 3:
				num = strconv.Itoa(r.IntN(500))
			}
			if op == "/" && r.IntN(4) != 0 {
				num = ""
			}
			s += op + num + pick("y", "M", "w", "d", "h", "H", "m", "s", "x")
		}
	}
	if r.IntN(15) == 0 && s != "" { // a mutation: a character dropped or doubled
		i := r.IntN(len(s))
		if r.IntN(2) == 0 {
			s = s[:i] + s[i+1:]
		} else {
			s = s[:i+1] + s[i:]
		}
	}
	return s
}
