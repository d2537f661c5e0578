// Package geo is how Elasticsearch reads geo points: the precision a
// geo_point field keeps (Lucene's GeoEncodingUtils: each of latitude and
// longitude encoded in a 32-bit integer, about a centimeter) and the
// distance between two points that ES|QL's ST_DISTANCE computes (and
// geo_distance queries and sorts): the haversine great-circle distance in
// meters on a sphere of the earth's mean radius, over the quantized points
// (Lucene's SloppyMath.haversinMeters).
//
// Distance computes the haversine with Go's exact trigonometry where Lucene
// uses table-based approximations of cos and asin: Lucene documents its
// error as at most 0.4 m from the exact haversine, and about 1e-5 m below
// 1000 km; that is the tolerance between Distance and Elasticsearch's
// value. The docs' example (Copenhagen airport to the city) agrees to the
// last printed digit.
package geo

import "math"

// EarthMeanRadius is the radius, in meters, of the sphere the distance is
// measured on (Lucene's GeoUtils.EARTH_MEAN_RADIUS).
const EarthMeanRadius = 6_371_008.7714

// The size of one step of the 32-bit encodings.
const (
	latDecode = 180.0 / (1 << 32)
	lonDecode = 360.0 / (1 << 32)
)

// Valid reports whether lat and lon are a point a geo_point field takes
// (latitude in [-90, 90], longitude in [-180, 180]).
func Valid(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}

// QuantizeLat is the latitude a geo_point field keeps of lat (in [-90,
// 90]): rounded down to a multiple of 180/2^32 degrees.
func QuantizeLat(lat float64) float64 {
	if lat == 90 {
		lat = math.Nextafter(lat, 0)
	}
	return float64(int32(math.Floor(lat/latDecode))) * latDecode
}

// QuantizeLon is the longitude a geo_point field keeps of lon (in [-180,
// 180]): rounded down to a multiple of 360/2^32 degrees.
func QuantizeLon(lon float64) float64 {
	if lon == 180 {
		lon = math.Nextafter(lon, 0)
	}
	return float64(int32(math.Floor(lon/lonDecode))) * lonDecode
}

// Distance is the distance in meters between two points (degrees) as
// ST_DISTANCE computes it: the haversine of the quantized points.
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	return haversin(QuantizeLat(lat1), QuantizeLon(lon1), QuantizeLat(lat2), QuantizeLon(lon2))
}

// haversin is SloppyMath.haversinMeters: the haversine's sort key, its
// lowest bits cleared as Lucene clears them, then the distance.
func haversin(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	x1, x2 := lat1*rad, lat2*rad
	h1 := 1 - math.Cos(x1-x2)
	h2 := 1 - math.Cos((lon1-lon2)*rad)
	h := h1 + math.Cos(x1)*math.Cos(x2)*h2
	h = math.Float64frombits(math.Float64bits(h) &^ 7)
	return EarthMeanRadius * 2 * math.Asin(math.Min(1, math.Sqrt(h*0.5)))
}
