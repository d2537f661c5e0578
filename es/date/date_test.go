package date

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/date/datetest"
	"github.com/emit-sec/emit/es/estype"
)

func TestConformance(t *testing.T) {
	tab, err := datetest.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Cases) < 120 {
		t.Errorf("only %d conformance cases", len(tab.Cases))
	}
	for _, c := range tab.Cases {
		for _, r := range []Rounding{RoundDown, RoundUp} {
			got, err := Math(c.Input, tab.Now, r)
			want := c.Down
			if r == RoundUp {
				want = c.Up
			}
			switch {
			case c.Err && err == nil:
				t.Errorf("line %d: Math(%q, %v) = %v, want an error", c.Line, c.Input, r, got)
			case !c.Err && err != nil:
				t.Errorf("line %d: Math(%q, %v): %v", c.Line, c.Input, r, err)
			case !c.Err && (!got.Equal(want) || got.Location() != time.UTC):
				t.Errorf("line %d: Math(%q, %v) = %v, want %v", c.Line, c.Input, r, got, want)
			}
		}
	}
}

func TestParseFormats(t *testing.T) {
	// ParseISO and ParseEpochMillis each read one of the two formats.
	if _, err := ParseISO("1700000000000", RoundDown); err == nil {
		t.Error("ParseISO read epoch millis")
	}
	if _, err := ParseEpochMillis("2024-01-01", RoundDown); err == nil {
		t.Error("ParseEpochMillis read an ISO date")
	}
	if got, err := ParseEpochMillis("2024", RoundDown); err != nil || got.UnixMilli() != 2024 {
		t.Errorf("ParseEpochMillis(2024) = %v, %v", got, err)
	}
	if got, err := Parse("2024", RoundDown); err != nil || got.Year() != 2024 {
		t.Errorf("Parse(2024) = %v, %v: strict_date_optional_time comes first", got, err)
	}
	_, err := Parse("2024-03-14 10:15:30", RoundDown)
	want := `"2024-03-14 10:15:30" is not a date Elasticsearch reads (strict_date_optional_time||epoch_millis)`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	_, err = Math("now-1x", time.Now(), RoundDown)
	if err == nil || !strings.Contains(err.Error(), `unit 'x' not supported for date math`) {
		t.Errorf("date math error: %v", err)
	}
}

func TestBoundRounding(t *testing.T) {
	for _, tt := range []struct {
		upper, inclusive bool
		want             Rounding
	}{{false, false, RoundUp}, {false, true, RoundDown}, {true, false, RoundDown}, {true, true, RoundUp}} {
		if got := BoundRounding(tt.upper, tt.inclusive); got != tt.want {
			t.Errorf("BoundRounding(upper %v, inclusive %v) = %v", tt.upper, tt.inclusive, got)
		}
	}
}

func TestResolution(t *testing.T) {
	if ResolutionOf(estype.DateNanos) != Nanos || ResolutionOf(estype.Date) != Millis {
		t.Error("ResolutionOf")
	}
	tests := []struct {
		t      time.Time
		res    Resolution
		want   int64
		errors bool
	}{
		{time.Unix(0, 1500000), Millis, 1, false},
		{time.Unix(-1, 998500000), Millis, -2, false}, // -1.5 ms: towards the past
		{time.Unix(0, 1500000), Nanos, 1500000, false},
		{time.Unix(-1, 999999999), Nanos, 0, true}, // before 1970
		{time.Unix(0, math.MaxInt64), Nanos, math.MaxInt64, false},
		{time.Unix(0, math.MaxInt64).Add(1), Nanos, 0, true},
		{time.UnixMilli(math.MaxInt64), Millis, math.MaxInt64, false},
		{time.UnixMilli(math.MaxInt64).Add(time.Millisecond), Millis, 0, true},
		{time.UnixMilli(math.MinInt64), Millis, math.MinInt64, false},
		{time.UnixMilli(math.MinInt64).Add(-time.Nanosecond), Millis, 0, true},
	}
	for _, tt := range tests {
		got, err := tt.res.Convert(tt.t)
		if (err != nil) != tt.errors || !tt.errors && got != tt.want {
			t.Errorf("%v.Convert(%v) = %d, %v; want %d", tt.res, tt.t, got, err, tt.want)
		}
	}
	d := time.Date(2024, 1, 1, 0, 0, 0, 123456789, time.UTC)
	if got := Millis.Truncate(d); got.Nanosecond() != 123000000 {
		t.Errorf("Millis.Truncate = %v", got)
	}
	if got := Nanos.Truncate(d); !got.Equal(d) {
		t.Errorf("Nanos.Truncate = %v", got)
	}
	now := time.Date(2024, 5, 15, 0, 0, 0, 0, time.UTC)
	if _, err := Query("1960-01-01", now, RoundDown, Nanos); err == nil {
		t.Error("a date_nanos query before 1970 is an error")
	}
	if got, err := Query("2024-01-01T00:00:00.123456789", now, RoundDown, Millis); err != nil || got.Nanosecond() != 123000000 {
		t.Errorf("Query at milliseconds = %v, %v", got, err)
	}
	if _, err := Query("now+300000000y", now, RoundDown, Millis); err == nil {
		t.Error("milliseconds beyond a long are an error")
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2024, 3, 14, 10, 15, 30, 123456789, time.UTC), "2024-03-14T10:15:30.123Z"},
		{time.Date(2024, 3, 14, 10, 15, 30, 0, time.FixedZone("", 3600)), "2024-03-14T09:15:30.000Z"},
		{time.Date(5, 1, 2, 3, 4, 5, 6e6, time.UTC), "0005-01-02T03:04:05.006Z"},
		{time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), "-0001-01-01T00:00:00.000Z"},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "+10000-01-01T00:00:00.000Z"},
	}
	for _, tt := range tests {
		if got := Format(tt.t); got != tt.want {
			t.Errorf("Format(%v) = %s, want %s", tt.t, got, tt.want)
		}
		// Every formatted date of years 0 to 9999 reads back.
		if y := tt.t.UTC().Year(); y >= 0 && y <= 9999 {
			back, err := Parse(Format(tt.t), RoundDown)
			if err != nil || !back.Equal(Millis.Truncate(tt.t)) {
				t.Errorf("Parse(Format(%v)) = %v, %v", tt.t, back, err)
			}
		}
	}
}

// FuzzMath checks that reading never panics, that a date read rounded up
// is never before the same date read down (but for a negative epoch_millis
// value without fraction, whose round-up fraction Elasticsearch adds away
// from the epoch), and that formatting reads back.
func FuzzMath(f *testing.F) {
	for _, s := range []string{"2024-01-02T03:04:05.123+01:00", "now-1d/d", "2024||+1M/M", "-1.5", "9223372036854775807",
		"2024-02-29T23", "2024T10Z+0100", "2024-03-14T10:15:30Europe/Paris", "now+2147483647y", "-0000", "2024-03-14T10:15:30UTC+05"} {
		f.Add(s)
	}
	now := time.Date(2024, 5, 15, 13, 45, 30, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		lo, err1 := Math(s, now, RoundDown)
		hi, err2 := Math(s, now, RoundUp)
		_, isoErr := ParseISO(s, RoundDown)
		negEpoch := strings.HasPrefix(s, "-") && !strings.Contains(s, ".") && isoErr != nil
		if err1 == nil && err2 == nil && hi.Before(lo) && !negEpoch {
			t.Fatalf("Math(%q): up %v before down %v", s, hi, lo)
		}
		if err1 == nil && lo.Year() >= 0 && lo.Year() <= 9999 {
			back, err := Parse(Format(lo), RoundDown)
			if err != nil || !back.Equal(Millis.Truncate(lo)) {
				t.Fatalf("Parse(Format(%v)) = %v, %v", lo, back, err)
			}
		}
	})
}

var benchDates = []string{"2024-03-14T10:15:30.123Z", "2024-03-14", "2024-03-14T10:15:30+01:00", "1700000000000", "2024-03-14T10:15:30.123456789"}

func BenchmarkParse(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(benchDates[i%len(benchDates)], RoundDown); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMath(b *testing.B) {
	now := time.Date(2024, 5, 15, 13, 45, 30, 0, time.UTC)
	exprs := []string{"now-1d/d", "2024-01-31||+1M/M", "now-15m", "2024-03-14T10"}
	for i := 0; b.Loop(); i++ {
		if _, err := Math(exprs[i%len(exprs)], now, RoundUp); err != nil {
			b.Fatal(err)
		}
	}
}
