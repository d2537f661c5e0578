package rules

import (
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	tests := []struct {
		from, interval   string
		lookback, window time.Duration
	}{
		{"", "", 6 * time.Minute, time.Minute},
		{"now-9m", "5m", 9 * time.Minute, 4 * time.Minute},
		{"now-60m", "1h", time.Hour, 15 * time.Minute},
		{"now-119m", "60m", 119 * time.Minute, 59 * time.Minute},
		{"now-24h", "10m", 24 * time.Hour, 24*time.Hour - 10*time.Minute},
		{"now-2d", "1d", 48 * time.Hour, 24 * time.Hour},
		{"garbage", "x", 6 * time.Minute, time.Minute},
		{"now+5m", "5m", 6 * time.Minute, time.Minute},
	}
	for _, tt := range tests {
		r := &Rule{From: tt.from, Interval: tt.interval}
		if got := r.Lookback(); got != tt.lookback {
			t.Errorf("Lookback(%q) = %v, want %v", tt.from, got, tt.lookback)
		}
		if got := r.Window(); got != tt.window {
			t.Errorf("Window(%q, %q) = %v, want %v", tt.from, tt.interval, got, tt.window)
		}
	}
}
