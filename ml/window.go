package ml

import (
	"math"
	"time"

	"github.com/emit-sec/emit/rules"
)

// DefaultBaseline is how much history before its anomaly a job's data
// covers when --ml-baseline does not say.
const DefaultBaseline = 14 * 24 * time.Hour

// DefaultMaxDocs bounds the baseline documents of one job when
// --ml-max-docs does not say.
const DefaultMaxDocs = 20000

// minBuckets is the least baseline a job gets when MaxDocs shortens it.
const minBuckets = 96

// align is t rounded down to a bucket boundary: Elasticsearch aligns a
// job's buckets on multiples of the bucket span since the Unix epoch.
func align(t time.Time, span time.Duration) time.Time {
	ms := t.UnixMilli()
	s := span.Milliseconds()
	b := ms - ((ms%s)+s)%s
	return time.UnixMilli(b).UTC()
}

// Where an anomaly bucket lies, as anomalyBucket places it.
const (
	inWindow   = iota // a whole bucket that the rules' next run surely sees
	inLookback        // a whole bucket that a run at the end sees
	holdsEnd          // the bucket that holds the end: the datafeed must run to its end
)

// anomalyBucket places the anomaly in the last whole bucket (ending at or
// before end) that starts within the rules' window before end, the
// window their next run surely sees (rules.Rule.Window); else in the
// last whole bucket that starts within their look-back (a run at end
// sees it); else in the bucket that holds end (its documents stop at
// end, and the job closes the bucket only when the datafeed runs to the
// bucket's end).
func anomalyBucket(end time.Time, span, window, lookback time.Duration) (start time.Time, where int) {
	last := align(end, span) // the bucket holding end (end itself when on a boundary)
	whole := last.Add(-span)
	switch {
	case !whole.Before(end.Add(-window)):
		return whole, inWindow
	case !whole.Before(end.Add(-lookback)):
		return whole, inLookback
	case last.Equal(end):
		return whole, inLookback
	}
	return last, holdsEnd
}

// ruleWindows is the narrowest window and look-back of the rules: where
// the anomaly record must lie for every one of them to see it.
func ruleWindows(rs []*rules.Rule) (window, lookback time.Duration) {
	for i, r := range rs {
		w, lb := r.Window(), r.Lookback()
		if i == 0 || w < window {
			window = w
		}
		if i == 0 || lb < lookback {
			lookback = lb
		}
	}
	if len(rs) == 0 {
		// No rule looks: the anomaly goes into the last whole bucket
		// before the end.
		window, lookback = math.MaxInt64, math.MaxInt64
	}
	return window, lookback
}
