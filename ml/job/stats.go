package job

import (
	"math"
	"sort"
)

// Statistic is what a detector's metric function computes of one
// bucket's values: "sum", "mean", "median", "min", "max" or "varp" (the
// population variance). It returns false for another name or no values.
// The generator's tests and the test server's scoring read buckets alike.
func Statistic(name string, xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	switch name {
	case "sum":
		return sum(xs), true
	case "mean":
		return sum(xs) / float64(len(xs)), true
	case "median":
		return Median(xs), true
	case "min":
		m := xs[0]
		for _, x := range xs {
			m = math.Min(m, x)
		}
		return m, true
	case "max":
		m := xs[0]
		for _, x := range xs {
			m = math.Max(m, x)
		}
		return m, true
	case "varp":
		mean := sum(xs) / float64(len(xs))
		v := 0.0
		for _, x := range xs {
			v += (x - mean) * (x - mean)
		}
		return v / float64(len(xs)), true
	}
	return 0, false
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// Median is the median of xs (of a sorted copy; 0 for none).
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Entropy is the Shannon entropy of s's characters, in bits per
// character: what the info_content functions measure, and what the pad
// ingest pipeline stores as process.command_line_entropy.
func Entropy(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	h := 0.0
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}
