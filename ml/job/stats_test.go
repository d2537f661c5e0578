package job

import (
	"math"
	"testing"
)

func TestStatistic(t *testing.T) {
	xs := []float64{4, 1, 3, 2}
	for _, c := range []struct {
		name string
		want float64
	}{
		{"sum", 10}, {"mean", 2.5}, {"median", 2.5}, {"min", 1}, {"max", 4}, {"varp", 1.25},
	} {
		got, ok := Statistic(c.name, xs)
		if !ok || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Statistic(%q) = %v, %v; want %v", c.name, got, ok, c.want)
		}
	}
	if _, ok := Statistic("sum", nil); ok {
		t.Error("a statistic of no values")
	}
	if _, ok := Statistic("rare", xs); ok {
		t.Error("rare is not a statistic")
	}
	if m := Median([]float64{5, 1, 3}); m != 3 {
		t.Errorf("Median = %v", m)
	}
	if xs[0] != 4 {
		t.Error("Median sorted its argument")
	}
}

func TestEntropy(t *testing.T) {
	for _, c := range []struct {
		s    string
		want float64
	}{
		{"", 0}, {"aaaa", 0}, {"abab", 1}, {"abcd", 2},
	} {
		if got := Entropy(c.s); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Entropy(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}
