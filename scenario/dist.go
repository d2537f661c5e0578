package scenario

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/emit-sec/emit/internal/activity"
)

// Count is a distribution of whole numbers: a constant, Poisson(λ)+plus,
// or uniform in [min, max].
type Count struct {
	Const    int
	Poisson  float64
	Plus     int
	Min, Max int
	kind     byte // 'c', 'p', 'u'
}

// Draw draws a number.
func (c Count) Draw(r *rand.Rand) int {
	switch c.kind {
	case 'p':
		return activity.Poisson(r, c.Poisson) + c.Plus
	case 'u':
		return c.Min + r.IntN(c.Max-c.Min+1)
	}
	return c.Const
}

func (c Count) String() string {
	switch c.kind {
	case 'p':
		if c.Plus != 0 {
			return fmt.Sprintf("Poisson(%g)+%d", c.Poisson, c.Plus)
		}
		return fmt.Sprintf("Poisson(%g)", c.Poisson)
	case 'u':
		return fmt.Sprintf("uniform[%d, %d]", c.Min, c.Max)
	}
	return strconv.Itoa(c.Const)
}

// ConstCount is a constant count.
func ConstCount(n int) Count { return Count{Const: n, kind: 'c'} }

func (r *reader) count(n *yaml.Node, field string, min int) Count {
	if n.Kind == yaml.ScalarNode {
		return ConstCount(r.integer(n, field, min))
	}
	var c Count
	c.kind = 'c'
	var minN, maxN *yaml.Node
	r.mapping(n, field, []string{"poisson", "plus", "min", "max"}, func(key string, k, v *yaml.Node, path string) {
		switch key {
		case "poisson":
			c.Poisson = r.number(v, path, 0, 1e9)
			c.kind = 'p'
		case "plus":
			c.Plus = r.integer(v, path, 0)
		case "min":
			c.Min = r.integer(v, path, 0)
			minN = v
		case "max":
			c.Max = r.integer(v, path, 0)
			maxN = v
		}
	})
	switch {
	case c.kind == 'p' && (minN != nil || maxN != nil):
		r.errorf(n, field, "give poisson (with plus) or min and max, not both")
	case c.kind == 'p':
	case minN != nil && maxN != nil:
		c.kind = 'u'
		if c.Max < c.Min {
			r.errorf(maxN, field+".max", "max %d is below min %d", c.Max, c.Min)
		}
		if c.Min < min {
			r.errorf(minN, field+".min", "want at least %d", min)
		}
	case n.Kind == yaml.MappingNode:
		r.errorf(n, field, "want a number, {poisson: λ, plus: k} or {min: a, max: b}")
	}
	return c
}

// Duration is a distribution of durations: a constant, uniform in
// [min, max], or min plus an exponential (mean given).
type Duration struct {
	Const, Min, Max, Mean time.Duration
	kind                  byte // 'c', 'u', 'e'
}

// Draw draws a duration.
func (d Duration) Draw(r *rand.Rand) time.Duration {
	switch d.kind {
	case 'u':
		if d.Max <= d.Min {
			return d.Min
		}
		return d.Min + time.Duration(r.Int64N(int64(d.Max-d.Min)+1))
	case 'e':
		return d.Min + time.Duration(r.ExpFloat64()*float64(d.Mean-d.Min))
	}
	return d.Const
}

// ConstDuration is a constant duration.
func ConstDuration(x time.Duration) Duration { return Duration{Const: x, kind: 'c'} }

func (r *reader) duration(n *yaml.Node, field string) Duration {
	if n.Kind == yaml.ScalarNode {
		return ConstDuration(r.dur(n, field))
	}
	d := Duration{kind: 'c'}
	var minN, maxN, meanN *yaml.Node
	r.mapping(n, field, []string{"min", "max", "mean"}, func(key string, k, v *yaml.Node, path string) {
		switch key {
		case "min":
			d.Min, minN = r.dur(v, path), v
		case "max":
			d.Max, maxN = r.dur(v, path), v
		case "mean":
			d.Mean, meanN = r.dur(v, path), v
		}
	})
	switch {
	case meanN != nil && maxN != nil:
		r.errorf(n, field, "give {min, max} (uniform) or {mean, min} (exponential), not both")
	case meanN != nil:
		d.kind = 'e'
		if d.Mean <= d.Min {
			r.errorf(meanN, field+".mean", "the mean must exceed min")
		}
	case minN != nil && maxN != nil:
		d.kind = 'u'
		if d.Max < d.Min {
			r.errorf(maxN, field+".max", "max is below min")
		}
	default:
		r.errorf(n, field, "want a duration (5m), {min: 1m, max: 10m} or {mean: 5m}")
	}
	return d
}

// dur reads one duration: Go's units (ms, s, m, h) plus d (days) and w
// (weeks): "90s", "1h30m", "30d".
func (r *reader) dur(n *yaml.Node, field string) time.Duration {
	s := r.str(n, field)
	d, err := parseDuration(s)
	if err != nil {
		r.errorf(n, field, "%v", err)
	}
	return d
}

// parseDuration is time.ParseDuration with days (d) and weeks (w).
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("want a duration such as 90s, 5m, 2h or 30d")
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		j := i
		for j < len(rest) && (rest[j] < '0' || rest[j] > '9') && rest[j] != '.' {
			j++
		}
		num, unit := rest[:i], rest[i:j]
		rest = rest[j:]
		if num == "" {
			return 0, fmt.Errorf("%q is not a duration (want 90s, 5m, 2h, 30d)", s)
		}
		switch unit {
		case "d", "w":
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, fmt.Errorf("%q is not a duration", s)
			}
			day := 24 * time.Hour
			if unit == "w" {
				day *= 7
			}
			total += time.Duration(f * float64(day))
		default:
			d, err := time.ParseDuration(num + unit)
			if err != nil {
				return 0, fmt.Errorf("%q is not a duration (want 90s, 5m, 2h, 30d)", s)
			}
			total += d
		}
	}
	if total < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return total, nil
}

// ParseDuration reads a duration as scenario files write them (30d, 2h).
func ParseDuration(s string) (time.Duration, error) { return parseDuration(s) }

// rate reads "N/unit" (3/day, 0.5/hour, 10/week, 2/minute, 1/second) as
// events per second.
func (r *reader) rate(n *yaml.Node, field string) float64 {
	s := r.str(n, field)
	num, unit, ok := strings.Cut(s, "/")
	if !ok {
		r.errorf(n, field, "want a rate such as 3/day, 0.5/hour or 10/week")
		return 0
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || f < 0 {
		r.errorf(n, field, "%q: want a non-negative number before the /", num)
		return 0
	}
	per := map[string]float64{"second": 1, "s": 1, "minute": 60, "m": 60, "hour": 3600, "h": 3600,
		"day": 86400, "d": 86400, "week": 7 * 86400, "w": 7 * 86400}[strings.TrimSpace(unit)]
	if per == 0 {
		r.errorf(n, field, "unknown unit %q (want second, minute, hour, day or week)", unit)
		return 0
	}
	return f / per
}
