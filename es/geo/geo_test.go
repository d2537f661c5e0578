package geo

import (
	"math"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		want, tol              float64 // meters
	}{
		// Elasticsearch's ST_DISTANCE docs: CPH airport to Copenhagen.
		{"copenhagen", 55.6285017221528, 12.6493508684508, 55.6761, 12.5683, 7339.573896618216, 1e-6},
		{"same point", 51.5074, -0.1278, 51.5074, -0.1278, 0, 0},
		// Great-circle distances on the 6371.0088 km sphere, to 1 km.
		{"london-new york", 51.5074, -0.1278, 40.7128, -74.0060, 5_570_000, 1_000},
		{"paris-berlin", 48.8566, 2.3522, 52.5200, 13.4050, 878_000, 1_000},
		{"san francisco-tokyo", 37.7749, -122.4194, 35.6762, 139.6503, 8_275_000, 1_000},
		{"london-dublin", 51.5074, -0.1278, 53.3498, -6.2603, 464_000, 1_000},
		{"across the dateline", 0, 179.5, 0, -179.5, 111_195, 1},
		{"pole to pole", 90, 0, -90, 0, math.Pi * EarthMeanRadius, 1},
	} {
		got := Distance(c.lat1, c.lon1, c.lat2, c.lon2)
		if math.Abs(got-c.want) > c.tol {
			t.Errorf("%s: Distance = %.6f, want %.6f ± %g", c.name, got, c.want, c.tol)
		}
		if back := Distance(c.lat2, c.lon2, c.lat1, c.lon1); back != got {
			t.Errorf("%s: not symmetric: %v and %v", c.name, got, back)
		}
	}
}

func TestQuantize(t *testing.T) {
	for _, c := range []struct{ in, lat, lon float64 }{
		{0, 0, 0},
		{90, 90 - latDecode, 90},
		{-90, -90, -90},
		{180, 0, 180 - lonDecode},
		{-180, 0, -180},
	} {
		if c.in >= -90 && c.in <= 90 {
			if got := QuantizeLat(c.in); got != c.lat {
				t.Errorf("QuantizeLat(%v) = %v, want %v", c.in, got, c.lat)
			}
		}
		if got := QuantizeLon(c.in); got != c.lon {
			t.Errorf("QuantizeLon(%v) = %v, want %v", c.in, got, c.lon)
		}
	}
	// Within one step below the value.
	for _, v := range []float64{40.7128, -74.006, 12.6493508684508, -33.8688} {
		if q := QuantizeLat(v); q > v || v-q >= latDecode {
			t.Errorf("QuantizeLat(%v) = %v", v, q)
		}
		if q := QuantizeLon(v); q > v || v-q >= lonDecode {
			t.Errorf("QuantizeLon(%v) = %v", v, q)
		}
	}
}
