package rules

import (
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/date"
)

// Kibana's defaults for a rule that does not say: look back 6 minutes,
// run every 5.
const (
	DefaultLookback = 6 * time.Minute
	DefaultInterval = 5 * time.Minute
)

// Lookback is how far before each run the rule looks: From ("now-9m",
// date math relative to the run) read as a duration.
func (r *Rule) Lookback() time.Duration {
	if strings.TrimSpace(r.From) == "" {
		return DefaultLookback
	}
	now := time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC)
	t, err := date.Math(strings.TrimSpace(r.From), now, date.RoundDown)
	if err != nil || !t.Before(now) {
		return DefaultLookback
	}
	return now.Sub(t)
}

// RunInterval is how often the rule runs (Interval: "5m", "1h", "30s").
func (r *Rule) RunInterval() time.Duration {
	if d, ok := kibanaDuration(r.Interval); ok {
		return d
	}
	return DefaultInterval
}

// Window is how long before the time its documents are loaded the rule's
// next run surely still sees them: the lookback less the interval (Kibana's
// additional look-back), since the next run may come up to one interval
// later; a quarter of the lookback when it is no longer than the interval.
func (r *Rule) Window() time.Duration {
	lb, iv := r.Lookback(), r.RunInterval()
	if lb > iv {
		return lb - iv
	}
	return max(lb/4, time.Second)
}

// kibanaDuration reads a Kibana rule duration: a whole number and one of
// s, m, h, d.
func kibanaDuration(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, false
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}
