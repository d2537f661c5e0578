package date

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeUnits are Elasticsearch's time value units (TimeValue), longest
// suffix first so that "ms" is not read as "s".
var timeUnits = []struct {
	suffix string
	unit   time.Duration
}{
	{"nanos", time.Nanosecond}, {"micros", time.Microsecond}, {"ms", time.Millisecond},
	{"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour},
}

// ParseTimeValue reads an Elasticsearch time value, as settings and APIs
// take them (an ML job's bucket_span, a datafeed's frequency): a whole
// number and a unit, nanos, micros, ms, s, m, h or d, in any case
// ("15m", "1h", "900s"). Fractions, negative values and missing units are
// errors, as in Elasticsearch.
func ParseTimeValue(s string) (time.Duration, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, u := range timeUnits {
		num, ok := strings.CutSuffix(v, u.suffix)
		if !ok {
			continue
		}
		num = strings.TrimSpace(num)
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			if _, ferr := strconv.ParseFloat(num, 64); ferr == nil && num != "" {
				return 0, fmt.Errorf("%q: fractional time values are not supported", s)
			}
			return 0, fmt.Errorf("%q is not a time value (want a whole number and a unit: 15m, 1h, 900s)", s)
		}
		if n < 0 {
			return 0, fmt.Errorf("%q: a time value must not be negative", s)
		}
		if n > int64(1<<63-1)/int64(u.unit) {
			return 0, fmt.Errorf("%q: time value too large", s)
		}
		return time.Duration(n) * u.unit, nil
	}
	return 0, fmt.Errorf("%q is not a time value: the unit is missing or unknown (want nanos, micros, ms, s, m, h or d)", s)
}
