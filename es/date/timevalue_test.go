package date

import (
	"strings"
	"testing"
	"time"
)

func TestParseTimeValue(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"15m": 15 * time.Minute, "1h": time.Hour, "900s": 900 * time.Second, "2d": 48 * time.Hour,
		"250ms": 250 * time.Millisecond, "3micros": 3 * time.Microsecond, "7nanos": 7, " 45M ": 45 * time.Minute, "0s": 0,
	} {
		got, err := ParseTimeValue(in)
		if err != nil || got != want {
			t.Errorf("ParseTimeValue(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"15":   "unit is missing",
		"1.5h": "fractional",
		"-1m":  "negative",
		"m":    "not a time value",
		"15x":  "unit is missing",
		"":     "unit is missing",
		"abcs": "not a time value",
	} {
		if _, err := ParseTimeValue(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseTimeValue(%q): error %v, want one saying %q", in, err, msg)
		}
	}
}
