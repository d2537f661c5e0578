package esql

import (
	"math"
	"strings"
	"testing"
)

// TestLowerGeo: a condition on ST_DISTANCE lowers to the needs of its
// points: the fields they come from, apart or together, the bounds in
// meters where the condition bounds the distance itself, the constant
// point, the fields whose values make a place.
func TestLowerGeo(t *testing.T) {
	inf := math.Inf(1)
	paris := &GeoPoint{Lon: 2.3522, Lat: 48.8566}
	box := `STATS lat = AVG(ST_Y(source.geo.location)), lon = AVG(ST_X(source.geo.location)), t = MIN(@timestamp) BY user.name, source.geo.country_name, source.geo.region_name
| STATS lat0 = MIN(lat), lat1 = MAX(lat), lon0 = MIN(lon), lon1 = MAX(lon), t0 = MIN(t), t1 = MAX(t), r = COUNT_DISTINCT(source.geo.region_name) BY user.name
| WHERE r >= 2 | EVAL p = TO_GEOPOINT(CONCAT("POINT(", TO_STRING(lon0), " ", TO_STRING(lat0), ")")), q = TO_GEOPOINT(CONCAT("POINT(", TO_STRING(lon1), " ", TO_STRING(lat1), ")"))
| EVAL km = ROUND(ST_DISTANCE(p, q) / 1000.0, 0), m = DATE_DIFF("minute", t0, t1), kmh = CASE(m > 0, ROUND(km * 60.0 / m, 0), null)`
	for _, tc := range []struct {
		name, q string
		want    []GeoNeed
		err     string
	}{
		{"at least", `FROM logs-* | WHERE ST_DISTANCE(source.geo.location, destination.geo.location) >= 1000`,
			[]GeoNeed{{Fields: []string{"source.geo.location", "destination.geo.location"}, Far: true, Min: 1000, Max: inf}}, ""},
		{"at most, flipped", `FROM logs-* | WHERE 5000 > ST_DISTANCE(source.geo.location, destination.geo.location)`,
			[]GeoNeed{{Fields: []string{"source.geo.location", "destination.geo.location"}, Min: 0, Max: 5000}}, ""},
		{"negated", `FROM logs-* | WHERE NOT ST_DISTANCE(source.geo.location, destination.geo.location) < 10`,
			[]GeoNeed{{Fields: []string{"source.geo.location", "destination.geo.location"}, Far: true, Min: 10, Max: inf}}, ""},
		{"kilometers rounded", `FROM logs-* | EVAL km = ROUND(ST_DISTANCE(source.geo.location, TO_GEOPOINT("POINT(2.3522 48.8566)")) / 1000.0, 0) | WHERE km <= 400`,
			[]GeoNeed{{Fields: []string{"source.geo.location"}, Min: 0, Max: 400499.9995, Anchor: paris}}, ""},
		{"a constant cast", `FROM logs-* | WHERE ST_DISTANCE("POINT(2.3522 48.8566)"::geo_point, client.geo.location) > 1e6`,
			[]GeoNeed{{Fields: []string{"client.geo.location"}, Far: true, Min: 1e6, Max: inf, Anchor: paris}}, ""},
		{"places of a group", `FROM logs-* | ` + box + ` | WHERE km >= 500 AND kmh >= 800`,
			[]GeoNeed{
				{Fields: []string{"source.geo.location"}, Far: true, Min: 499500, Max: inf, Keys: []string{"user.name", "source.geo.country_name", "source.geo.region_name"}},
				{Fields: []string{"source.geo.location"}, Far: true, Min: 0, Max: inf, Keys: []string{"user.name", "source.geo.country_name", "source.geo.region_name"}},
			}, ""},
		{"documents of a group", `FROM logs-* | STATS x0 = MIN(ST_X(source.geo.location)), x1 = MAX(ST_X(source.geo.location)) BY user.name | WHERE ST_DISTANCE(TO_GEOPOINT(CONCAT("POINT(", TO_STRING(x0), " 0)")), TO_GEOPOINT(CONCAT("POINT(", TO_STRING(x1), " 0)"))) < 1000`,
			[]GeoNeed{{Fields: []string{"source.geo.location"}, Min: 0, Max: 1000}}, ""},
		{"equal", `FROM logs-* | WHERE ST_DISTANCE(source.geo.location, destination.geo.location) == 1`, nil, "1:21: unsupported: ST_DISTANCE() compared with ==: emit meets a bound on a distance, not a value"},
		{"two constants", `FROM logs-* | WHERE ST_DISTANCE(TO_GEOPOINT("POINT(1 1)"), TO_GEOPOINT("POINT(2 2)")) > 1 AND host.name == "x"`, nil, "1:21: unsupported: ST_DISTANCE() of two constant points compared to a number"},
		{"a number's point", `FROM logs-* | WHERE ST_DISTANCE(TO_GEOPOINT(CONCAT("POINT(", TO_STRING(a), " ", TO_STRING(b), ")")), source.geo.location) > 1`, nil, "ST_DISTANCE() of a point that is not a geo_point field's, or computed from one"},
	} {
		q, err := Parse(tc.q)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		p, err := q.Lower()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(p.Geo) != len(tc.want) {
			t.Errorf("%s: needs %+v, want %+v", tc.name, p.Geo, tc.want)
			continue
		}
		for i, n := range p.Geo {
			w := tc.want[i]
			n.level = 0
			if strings.Join(n.Fields, ",") != strings.Join(w.Fields, ",") || n.Far != w.Far || math.Abs(n.Min-w.Min) > 1e-3 || n.Max != w.Max && math.Abs(n.Max-w.Max) > 1e-3 ||
				(n.Anchor == nil) != (w.Anchor == nil) || n.Anchor != nil && *n.Anchor != *w.Anchor || strings.Join(n.Keys, ",") != strings.Join(w.Keys, ",") {
				t.Errorf("%s: need %d %+v (anchor %v), want %+v (anchor %v)", tc.name, i, n, n.Anchor, w, w.Anchor)
			}
		}
	}
}
