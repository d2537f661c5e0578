package esvalue

import (
	"encoding/json"
	"math"
	"time"

	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
)

// maxDocMillis bounds a numeric date document value (about three million
// years either side of the epoch).
const maxDocMillis = 1e17

// DocDate reads a date document value: a string in the default format
// (es/date), or a number of milliseconds since the epoch.
func DocDate(v any) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		t, err := date.Parse(x, date.RoundDown)
		return t, err == nil
	case json.Number:
		t, err := date.ParseEpochMillis(string(x), date.RoundDown)
		return t, err == nil
	}
	r, ok := DocNumber(v)
	if !ok {
		return time.Time{}, false
	}
	f, _ := r.Float64()
	if math.Abs(f) > maxDocMillis {
		return time.Time{}, false
	}
	ms := math.Trunc(f)
	ns := math.Round((f - ms) * 1e6)
	return time.UnixMilli(int64(ms)).UTC().Add(time.Duration(ns)), true
}

// QueryDate reads a date query value (a date or date math) for a field of
// type t, rounded up or down as range bounds are (date.BoundRounding), at
// the field's precision; ok is false when Elasticsearch rejects it.
func QueryDate(t estype.Type, s string, now time.Time, roundUp bool) (time.Time, bool) {
	r := date.RoundDown
	if roundUp {
		r = date.RoundUp
	}
	d, err := date.Query(s, now, r, date.ResolutionOf(t))
	return d, err == nil
}

// DocDateOf reads a date document value of a field of type t at the
// field's precision; ok is false for a value the field cannot hold (a
// date_nanos value before 1970 or after 2262).
func DocDateOf(t estype.Type, v any) (time.Time, bool) {
	d, ok := DocDate(v)
	if !ok {
		return time.Time{}, false
	}
	res := date.ResolutionOf(t)
	if _, err := res.Convert(d); err != nil {
		return time.Time{}, false
	}
	return res.Truncate(d), true
}

// Precision truncates a time to what a field of type t stores:
// milliseconds for date, nanoseconds for date_nanos.
func Precision(t estype.Type, d time.Time) time.Time { return date.ResolutionOf(t).Truncate(d) }
