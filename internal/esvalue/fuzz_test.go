package esvalue

import (
	"testing"
	"time"

	"github.com/emit-sec/emit/es/estype"
)

// FuzzDates checks that date reading never panics and that a date read
// with rounding up is never before the same date read down.
func FuzzDates(f *testing.F) {
	for _, s := range []string{"2024-01-02T03:04:05.123+01:00", "now-1d/d", "2024||+1M/M", "-1.5", "999999999999999999", "2024-02-29T23"} {
		f.Add(s)
	}
	now := time.Date(2024, 5, 15, 13, 45, 30, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		lo, ok1 := DateMath(s, now, false)
		hi, ok2 := DateMath(s, now, true)
		if ok1 != ok2 {
			t.Fatalf("DateMath(%q): valid down %v, up %v", s, ok1, ok2)
		}
		if ok1 && hi.Before(lo) {
			t.Fatalf("DateMath(%q): up %v before down %v", s, hi, lo)
		}
		DocDate(s)
		if r, ok := ParseDecimal(s); ok {
			for _, t := range []estype.Type{estype.Long, estype.HalfFloat, estype.Float, estype.Double, estype.ScaledFloat} {
				Stored(estype.Mapping{Type: t, ScalingFactor: 100}, r)
			}
		}
	})
}
