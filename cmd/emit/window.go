package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/date"
)

// windowFlags place the documents in time and on a population.
type windowFlags struct {
	start, end   string
	span         time.Duration
	rate         float64
	hosts, users int
	minimal      bool
}

func (w *windowFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&w.start, "start", "", "the start of the documents' time window: RFC 3339 or date math such as now-1h (default: --end less --span; with --rules, each rule's look-back)")
	fs.StringVar(&w.end, "end", "", "the end of the window, and \"now\" for date math in queries: RFC 3339 or date math (default: now; no document lies after it)")
	fs.DurationVar(&w.span, "span", 0, "the window's length when --start is not given (default 15m)")
	fs.Float64Var(&w.rate, "rate", 0, "matches per second: the window is as long as --count matches take at this rate")
	fs.IntVar(&w.hosts, "hosts", 0, "how many hosts the documents happen on (default 25)")
	fs.IntVar(&w.users, "users", 0, "how many users the documents happen for (default 40)")
	fs.BoolVar(&w.minimal, "minimal", false, "documents hold only what the query constrains: no hosts, users or usual fields of the event")
}

// apply sets the window and population options; now is the current time.
func (w *windowFlags) apply(opts *emitter.Options, now time.Time) error {
	now = now.Truncate(time.Millisecond)
	end := now
	if w.end != "" {
		t, err := readTime(w.end, now)
		if err != nil {
			return fmt.Errorf("--end: %w", err)
		}
		end = t
	}
	opts.End = end
	if w.start != "" {
		t, err := readTime(w.start, end)
		if err != nil {
			return fmt.Errorf("--start: %w", err)
		}
		if !t.Before(end) {
			return fmt.Errorf("--start %s is not before --end %s", date.Format(t), date.Format(end))
		}
		opts.Start = t
	}
	if w.span < 0 || w.rate < 0 || w.hosts < 0 || w.users < 0 {
		return fmt.Errorf("--span, --rate, --hosts and --users must not be negative")
	}
	opts.Span = w.span
	opts.Hosts, opts.Users, opts.Minimal = w.hosts, w.users, w.minimal
	return nil
}

// readTime reads an RFC 3339 time or date math relative to now ("now-15m").
func readTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := date.Math(s, now, date.RoundDown)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2024-01-01T00:00:00Z) nor date math (now-15m)", s)
	}
	return t.UTC(), nil
}
