package scenario

import (
	"sync"
	"time"
	_ "time/tzdata" // the entities' local time needs the zone database everywhere

	"gopkg.in/yaml.v3"

	"github.com/emit-sec/emit/internal/activity"
)

// Profile shapes activity over time: a weight per hour of the local day
// and per day of the week (Monday first). Arrivals are spread over the
// window in proportion to the weights, in the entity's local time.
type Profile = activity.Profile

// flat is the profile of round-the-clock activity.
var flat = activity.Flat

func (r *reader) profile(n *yaml.Node, field string) *Profile {
	if n.Kind == yaml.ScalarNode {
		name := r.str(n, field)
		p, ok := activity.Named(name)
		if !ok {
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

// timelines caches the timelines of one profile and window per offset.
type timelines struct {
	mu         sync.Mutex
	p          *Profile
	start, end time.Time
	by         map[int]*activity.Timeline
}

func (ts *timelines) get(offset int) *activity.Timeline {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if tl, ok := ts.by[offset]; ok {
		return tl
	}
	if ts.by == nil {
		ts.by = map[int]*activity.Timeline{}
	}
	tl := activity.NewTimeline(ts.p, ts.start, ts.end, offset)
	ts.by[offset] = tl
	return tl
}
