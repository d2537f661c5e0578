package ml

import (
	"fmt"
	"strings"
)

// family groups the analysis functions that emit generates alike.
type family uint8

const (
	famRare     family = iota + 1 // rare, freq_rare
	famCount                      // count, high_count, low_count, (high_|low_)non_zero_count
	famDistinct                   // distinct_count, high_distinct_count, low_distinct_count
	famMetric                     // sum, mean, median, min, max, varp, metric, non_null_sum
	famInfo                       // info_content, high_info_content, low_info_content
	famTime                       // time_of_day, time_of_week
	famLatLong                    // lat_long
)

// side is the direction of the anomalies a function reports.
type side uint8

const (
	sideBoth side = iota // unusually high or low: emit makes it high
	sideHigh
	sideLow
)

// function is an analysis function as emit reads it.
type function struct {
	name    string
	fam     family
	side    side
	nonZero bool   // non_zero_count: empty buckets do not count
	metric  string // the metric: sum, mean, median, min, max, varp, metric (famMetric)
	week    bool   // time_of_week
}

// high reports whether the anomaly emit makes is a high value.
func (f function) high() bool { return f.side != sideLow }

// String is the function's name.
func (f function) String() string { return f.name }

// functionOf reads an analysis function's name.
func functionOf(name string) (function, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	fn := function{name: n}
	base := n
	switch {
	case strings.HasPrefix(n, "high_"):
		fn.side, base = sideHigh, n[len("high_"):]
	case strings.HasPrefix(n, "low_"):
		fn.side, base = sideLow, n[len("low_"):]
	}
	switch base {
	case "count":
		fn.fam = famCount
	case "non_zero_count", "nzc":
		fn.fam, fn.nonZero = famCount, true
	case "distinct_count", "dc":
		fn.fam = famDistinct
	case "info_content":
		fn.fam = famInfo
	case "sum", "non_null_sum", "nns":
		fn.fam, fn.metric = famMetric, "sum"
	case "mean", "avg":
		fn.fam, fn.metric = famMetric, "mean"
	case "median":
		fn.fam, fn.metric = famMetric, "median"
	case "varp":
		fn.fam, fn.metric = famMetric, "varp"
	case "min", "max", "metric":
		if fn.side != sideBoth {
			return fn, fmt.Errorf("unknown ML function %q", name)
		}
		fn.fam, fn.metric = famMetric, base
		switch base {
		case "min":
			fn.side = sideLow
		case "max":
			fn.side = sideHigh
		}
	case "rare", "freq_rare":
		if fn.side != sideBoth {
			return fn, fmt.Errorf("unknown ML function %q", name)
		}
		fn.fam = famRare
	case "time_of_day", "time_of_week":
		if fn.side != sideBoth {
			return fn, fmt.Errorf("unknown ML function %q", name)
		}
		fn.fam, fn.week = famTime, base == "time_of_week"
	case "lat_long":
		if fn.side != sideBoth {
			return fn, fmt.Errorf("unknown ML function %q", name)
		}
		fn.fam = famLatLong
	default:
		return fn, fmt.Errorf("unknown ML function %q", name)
	}
	return fn, nil
}
