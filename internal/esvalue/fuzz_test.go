package esvalue

import (
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
)

// FuzzDates checks that date reading never panics and that a date read
// with rounding up is never before the same date read down (but for a
// negative epoch_millis value without fraction, whose round-up fraction
// Elasticsearch adds away from the epoch).
func FuzzDates(f *testing.F) {
	for _, s := range []string{"2024-01-02T03:04:05.123+01:00", "now-1d/d", "2024||+1M/M", "-1.5", "999999999999999999", "2024-02-29T23"} {
		f.Add(s)
	}
	now := time.Date(2024, 5, 15, 13, 45, 30, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		lo, ok1 := QueryDate(estype.Date, s, now, false)
		hi, ok2 := QueryDate(estype.Date, s, now, true)
		if ok1 != ok2 {
			t.Fatalf("QueryDate(%q): valid down %v, up %v", s, ok1, ok2)
		}
		_, isoErr := date.ParseISO(s, date.RoundDown)
		negEpoch := strings.HasPrefix(s, "-") && !strings.Contains(s, ".") && isoErr != nil
		if ok1 && hi.Before(lo) && !negEpoch {
			t.Fatalf("QueryDate(%q): up %v before down %v", s, hi, lo)
		}
		DocDate(s)
		if r, ok := ParseDecimal(s); ok {
			for _, t := range []estype.Type{estype.Long, estype.HalfFloat, estype.Float, estype.Double, estype.ScaledFloat} {
				Stored(estype.Mapping{Type: t, ScalingFactor: 100}, r)
			}
		}
	})
}
