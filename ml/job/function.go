package job

import (
	"fmt"
	"strings"
)

// Family groups the analysis functions that model a bucket alike.
type Family uint8

// The families of analysis functions.
const (
	FamRare     Family = iota + 1 // rare, freq_rare
	FamCount                      // count, high_count, low_count, (high_|low_)non_zero_count
	FamDistinct                   // distinct_count, high_distinct_count, low_distinct_count
	FamMetric                     // sum, mean, median, min, max, varp, metric, non_null_sum
	FamInfo                       // info_content, high_info_content, low_info_content
	FamTime                       // time_of_day, time_of_week
	FamLatLong                    // lat_long
)

// Side is the direction of the anomalies a function reports.
type Side uint8

// The sides of analysis functions.
const (
	SideBoth Side = iota // unusually high or low
	SideHigh
	SideLow
)

// Function is an anomaly-detection analysis function, as Elasticsearch
// reads a detector's "function" (its short names nzc, dc, nns and avg
// included).
type Function struct {
	Name    string
	Family  Family
	Side    Side
	NonZero bool   // non_zero_count: empty buckets do not count
	Metric  string // the statistic of FamMetric: sum, mean, median, min, max, varp, metric
	Week    bool   // time_of_week
}

// String is the function's name.
func (f Function) String() string { return f.Name }

// ParseFunction reads an analysis function's name.
func ParseFunction(name string) (Function, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	fn := Function{Name: n}
	base := n
	switch {
	case strings.HasPrefix(n, "high_"):
		fn.Side, base = SideHigh, n[len("high_"):]
	case strings.HasPrefix(n, "low_"):
		fn.Side, base = SideLow, n[len("low_"):]
	}
	unknown := fmt.Errorf("unknown ML function %q", name)
	switch base {
	case "count":
		fn.Family = FamCount
	case "non_zero_count", "nzc":
		fn.Family, fn.NonZero = FamCount, true
	case "distinct_count", "dc":
		fn.Family = FamDistinct
	case "info_content":
		fn.Family = FamInfo
	case "sum", "non_null_sum", "nns":
		fn.Family, fn.Metric = FamMetric, "sum"
	case "mean", "avg":
		fn.Family, fn.Metric = FamMetric, "mean"
	case "median":
		fn.Family, fn.Metric = FamMetric, "median"
	case "varp":
		fn.Family, fn.Metric = FamMetric, "varp"
	case "min", "max", "metric":
		if fn.Side != SideBoth {
			return fn, unknown
		}
		fn.Family, fn.Metric = FamMetric, base
		switch base {
		case "min":
			fn.Side = SideLow
		case "max":
			fn.Side = SideHigh
		}
	case "rare", "freq_rare":
		if fn.Side != SideBoth {
			return fn, unknown
		}
		fn.Family = FamRare
	case "time_of_day", "time_of_week":
		if fn.Side != SideBoth {
			return fn, unknown
		}
		fn.Family, fn.Week = FamTime, base == "time_of_week"
	case "lat_long":
		if fn.Side != SideBoth {
			return fn, unknown
		}
		fn.Family = FamLatLong
	default:
		return fn, unknown
	}
	return fn, nil
}
