package scenario

import (
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
	_ "time/tzdata" // the entities' local time needs the zone database everywhere

	"gopkg.in/yaml.v3"
)

// Profile shapes activity over time: a weight per hour of the local day
// and per day of the week (Monday first). Arrivals are spread over the
// window in proportion to the weights, in the entity's local time.
type Profile struct {
	Hours    [24]float64
	Weekdays [7]float64
}

// flat is the profile of round-the-clock activity.
var flat = func() *Profile {
	p := &Profile{}
	for i := range p.Hours {
		p.Hours[i] = 1
	}
	for i := range p.Weekdays {
		p.Weekdays[i] = 1
	}
	return p
}()

// namedProfiles are the profiles scenario files name.
var namedProfiles = map[string]*Profile{
	"flat": flat,
	// office: busy 8:00–18:00, quieter evenings, little at night, a
	// seventh of a weekday's activity on weekends.
	"office": {
		Hours:    [24]float64{0.05, 0.03, 0.03, 0.03, 0.05, 0.1, 0.3, 0.6, 1, 1, 1, 1, 0.8, 1, 1, 1, 0.9, 0.7, 0.5, 0.35, 0.25, 0.2, 0.12, 0.08},
		Weekdays: [7]float64{1, 1, 1, 1, 0.9, 0.15, 0.12},
	},
	// server: steady with a mild working-hours bump.
	"server": {
		Hours:    [24]float64{0.7, 0.7, 0.7, 0.7, 0.7, 0.75, 0.8, 0.9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.7},
		Weekdays: [7]float64{1, 1, 1, 1, 1, 0.8, 0.8},
	},
}

func (r *reader) profile(n *yaml.Node, field string) *Profile {
	if n.Kind == yaml.ScalarNode {
		name := r.str(n, field)
		p := namedProfiles[name]
		if p == nil {
			r.errorf(n, field, "unknown profile %q (want flat, office, server, or {hours: [...], weekdays: [...]})", name)
			return flat
		}
		return p
	}
	p := *flat
	r.mapping(n, field, []string{"hours", "weekdays"}, func(key string, k, v *yaml.Node, path string) {
		items := r.list(v, path)
		want := 24
		if key == "weekdays" {
			want = 7
		}
		if items != nil && len(items) != want {
			r.errorf(v, path, "want %d weights, got %d", want, len(items))
			return
		}
		for i, it := range items {
			w := r.number(it, path, 0, 1e6)
			if key == "hours" {
				p.Hours[i] = w
			} else {
				p.Weekdays[i] = w
			}
		}
	})
	total := 0.0
	for _, h := range p.Hours {
		total += h
	}
	wd := 0.0
	for _, w := range p.Weekdays {
		wd += w
	}
	if total == 0 || wd == 0 {
		r.errorf(n, field, "the weights must not all be zero")
		return flat
	}
	return &p
}

// timeline is a profile laid over a window in one UTC offset: the
// cumulative weight at the end of each hour, for drawing times in
// proportion to the profile.
type timeline struct {
	start time.Time
	cum   []float64 // cum[i]: the weight of the window's first i hours
	bins  []time.Time
}

func newTimeline(p *Profile, start, end time.Time, offset int) *timeline {
	tl := &timeline{start: start, cum: []float64{0}, bins: []time.Time{start}}
	zone := time.FixedZone("", offset)
	for t := start; t.Before(end); {
		next := t.Truncate(time.Hour).Add(time.Hour)
		if next.After(end) {
			next = end
		}
		local := t.In(zone)
		wd := (int(local.Weekday()) + 6) % 7 // Monday first
		w := p.Hours[local.Hour()] * p.Weekdays[wd] * next.Sub(t).Hours()
		tl.cum = append(tl.cum, tl.cum[len(tl.cum)-1]+w)
		tl.bins = append(tl.bins, next)
		t = next
	}
	return tl
}

// at is the time at quantile u ∈ [0, 1) of the timeline's weight.
func (tl *timeline) at(u float64) time.Time {
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

// timelines caches the timelines of one profile and window per offset.
type timelines struct {
	mu         sync.Mutex
	p          *Profile
	start, end time.Time
	by         map[int]*timeline
}

func (ts *timelines) get(offset int) *timeline {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if tl, ok := ts.by[offset]; ok {
		return tl
	}
	if ts.by == nil {
		ts.by = map[int]*timeline{}
	}
	tl := newTimeline(ts.p, ts.start, ts.end, offset)
	ts.by[offset] = tl
	return tl
}

// orderStats draws n uniforms in [0, 1) in ascending order, one at a
// time, without holding them: the next is the least of the remaining
// draws above the last.
type orderStats struct {
	left int
	u    float64
}

func (o *orderStats) next(r *rand.Rand) (float64, bool) {
	if o.left <= 0 {
		return 0, false
	}
	v := r.Float64()
	o.u += (1 - o.u) * (1 - math.Pow(1-v, 1/float64(o.left)))
	o.left--
	if o.u >= 1 {
		o.u = math.Nextafter(1, 0)
	}
	return o.u, true
}
