// Package activity is how real activity spreads over time: Poisson counts,
// day and week profiles (office hours, servers around the clock) and
// times drawn in proportion to a profile, in order, one at a time. The
// scenario generator and the machine-learning baselines share it.
package activity

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Poisson draws from Poisson(lambda): Knuth's product of uniforms for a
// small mean, Hörmann's transformed rejection (PTRS) for a large one.
func Poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda < 30 {
		l := math.Exp(-lambda)
		k, p := 0, r.Float64()
		for p > l {
			k++
			p *= r.Float64()
		}
		return k
	}
	slam := math.Sqrt(lambda)
	loglam := math.Log(lambda)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invalpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := r.Float64() - 0.5
		v := r.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + lambda + 0.43)
		if us >= 0.07 && v <= vr {
			return int(k)
		}
		if k < 0 || us < 0.013 && v > us {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invalpha)-math.Log(a/(us*us)+b) <= -lambda+k*loglam-lg {
			return int(k)
		}
	}
}

// Profile shapes activity over time: a weight per hour of the local day
// and per day of the week (Monday first).
type Profile struct {
	Hours    [24]float64
	Weekdays [7]float64
}

// Weight is the profile's weight at t, in the local time of a UTC offset
// (seconds).
func (p *Profile) Weight(t time.Time, offset int) float64 {
	local := t.In(time.FixedZone("", offset))
	return p.Hours[local.Hour()] * p.Weekdays[Weekday(local)]
}

// Weekday is t's day of the week, Monday 0.
func Weekday(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// Flat is round-the-clock activity.
var Flat = func() *Profile {
	p := &Profile{}
	for i := range p.Hours {
		p.Hours[i] = 1
	}
	for i := range p.Weekdays {
		p.Weekdays[i] = 1
	}
	return p
}()

// Office is busy 8:00–18:00, quieter evenings, little at night, a seventh
// of a weekday's activity on weekends.
var Office = &Profile{
	Hours:    [24]float64{0.05, 0.03, 0.03, 0.03, 0.05, 0.1, 0.3, 0.6, 1, 1, 1, 1, 0.8, 1, 1, 1, 0.9, 0.7, 0.5, 0.35, 0.25, 0.2, 0.12, 0.08},
	Weekdays: [7]float64{1, 1, 1, 1, 0.9, 0.15, 0.12},
}

// Server is steady with a mild working-hours bump.
var Server = &Profile{
	Hours:    [24]float64{0.7, 0.7, 0.7, 0.7, 0.7, 0.75, 0.8, 0.9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.7},
	Weekdays: [7]float64{1, 1, 1, 1, 1, 0.8, 0.8},
}

// Named returns the profile of a name: flat, office or server.
func Named(name string) (*Profile, bool) {
	p, ok := map[string]*Profile{"flat": Flat, "office": Office, "server": Server}[name]
	return p, ok
}

// Timeline is a profile laid over a window in one UTC offset: the
// cumulative weight at the end of each hour, for drawing times in
// proportion to the profile.
type Timeline struct {
	start time.Time
	cum   []float64 // cum[i]: the weight of the window's first i hours
	bins  []time.Time
}

// NewTimeline lays p over [start, end) in the local time of a UTC offset
// (seconds).
func NewTimeline(p *Profile, start, end time.Time, offset int) *Timeline {
	tl := &Timeline{start: start, cum: []float64{0}, bins: []time.Time{start}}
	zone := time.FixedZone("", offset)
	for t := start; t.Before(end); {
		next := t.Truncate(time.Hour).Add(time.Hour)
		if next.After(end) {
			next = end
		}
		local := t.In(zone)
		w := p.Hours[local.Hour()] * p.Weekdays[Weekday(local)] * next.Sub(t).Hours()
		tl.cum = append(tl.cum, tl.cum[len(tl.cum)-1]+w)
		tl.bins = append(tl.bins, next)
		t = next
	}
	return tl
}

// At is the time at quantile u ∈ [0, 1) of the timeline's weight.
func (tl *Timeline) At(u float64) time.Time {
	total := tl.cum[len(tl.cum)-1]
	if total <= 0 || len(tl.cum) < 2 {
		return tl.start
	}
	x := u * total
	i := sort.SearchFloat64s(tl.cum, x) // cum[i-1] < x <= cum[i]
	if i <= 0 {
		i = 1
	}
	if i >= len(tl.cum) {
		i = len(tl.cum) - 1
	}
	lo, hi := tl.cum[i-1], tl.cum[i]
	frac := 0.0
	if hi > lo {
		frac = (x - lo) / (hi - lo)
	}
	a, b := tl.bins[i-1], tl.bins[i]
	return a.Add(time.Duration(frac * float64(b.Sub(a)))).Truncate(time.Millisecond)
}

// OrderStats draws Left uniforms in [0, 1) in ascending order, one at a
// time, without holding them: the next is the least of the remaining
// draws above the last.
type OrderStats struct {
	Left int
	u    float64
}

// Next is the next uniform, and false when all were drawn.
func (o *OrderStats) Next(r *rand.Rand) (float64, bool) {
	if o.Left <= 0 {
		return 0, false
	}
	v := r.Float64()
	o.u += (1 - o.u) * (1 - math.Pow(1-v, 1/float64(o.Left)))
	o.Left--
	if o.u >= 1 {
		o.u = math.Nextafter(1, 0)
	}
	return o.u, true
}
