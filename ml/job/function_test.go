package job

import "testing"

func TestParseFunction(t *testing.T) {
	for _, c := range []struct {
		name string
		want Function
	}{
		{"high_count", Function{Name: "high_count", Family: FamCount, Side: SideHigh}},
		{"low_nzc", Function{Name: "low_nzc", Family: FamCount, Side: SideLow, NonZero: true}},
		{"dc", Function{Name: "dc", Family: FamDistinct}},
		{"high_non_null_sum", Function{Name: "high_non_null_sum", Family: FamMetric, Side: SideHigh, Metric: "sum"}},
		{"avg", Function{Name: "avg", Family: FamMetric, Metric: "mean"}},
		{"min", Function{Name: "min", Family: FamMetric, Side: SideLow, Metric: "min"}},
		{"freq_rare", Function{Name: "freq_rare", Family: FamRare}},
		{"time_of_week", Function{Name: "time_of_week", Family: FamTime, Week: true}},
		{" Lat_Long ", Function{Name: "lat_long", Family: FamLatLong}},
	} {
		got, err := ParseFunction(c.name)
		if err != nil || got != c.want {
			t.Errorf("ParseFunction(%q) = %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	for _, bad := range []string{"high_rare", "low_max", "high_time_of_day", "mode", ""} {
		if _, err := ParseFunction(bad); err == nil {
			t.Errorf("ParseFunction(%q) accepted", bad)
		}
	}
}
