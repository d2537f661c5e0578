package emitter

import (
	"math/rand/v2"
	"time"
)

// window is where a source's matches lie in time: [start, end]. With a
// planned number of matches they spread evenly over it, in order, each at
// a random time of its own slot; without, each at a random time.
type window struct {
	start, end time.Time
	planned    int
	// drawn is the place of the next match among the planned ones: a
	// count of the draws for Next, the match's place in the plan for Run
	// (which sets it before each match, so that a chunk's times do not
	// depend on the chunks drawn before it).
	drawn int
}

// next is the time of the next match, whose events span dur: the whole
// match lies in the window, or ends at its end when it is too short (no
// event ever comes after the end).
func (w *window) next(r *rand.Rand, dur time.Duration) time.Time {
	room := w.end.Sub(w.start) - dur
	if room <= 0 {
		return w.end.Add(-dur).Truncate(time.Millisecond)
	}
	var off time.Duration
	if w.planned > 0 {
		slot := room / time.Duration(w.planned)
		k := w.drawn % w.planned
		off = time.Duration(k) * slot
		if slot > 0 {
			off += time.Duration(r.Int64N(int64(slot)))
		}
	} else {
		off = time.Duration(r.Int64N(int64(room) + 1))
	}
	w.drawn++
	return w.start.Add(off).Truncate(time.Millisecond)
}
