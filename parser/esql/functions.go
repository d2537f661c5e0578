package esql

import (
	"strings"
	"time"
)

// FuncKind tells scalar functions from aggregate and grouping functions.
type FuncKind uint8

// Function kinds.
const (
	ScalarFunc   FuncKind = iota
	AggFunc               // only in the aggregates of STATS and INLINE STATS
	GroupingFunc          // BUCKET, CATEGORIZE, TBUCKET: in STATS ... BY
)

// Func describes an ES|QL function as Elasticsearch's function reference
// documents it.
type Func struct {
	Name string // canonical lower-case name
	Kind FuncKind
	// Min and Max bound the number of arguments, the trailing options map
	// included; Max < 0 means any number from Min.
	Min, Max int
	// Options is set when the last argument may be a named-parameter map
	// ({"key": value}).
	Options bool
	// Aliases are the other names Elasticsearch accepts (to_str for
	// to_string).
	Aliases []string
}

// functions are Elasticsearch's ES|QL functions (the function reference,
// 9.x), keyed by lower-case name and alias: ES|QL resolves function names
// case-insensitively.
var functions = map[string]*Func{}

// variadic marks a function that takes any number of arguments from Min.
const variadic = -1

func init() {
	f := func(name string, kind FuncKind, min, max int, aliases ...string) *Func {
		fn := &Func{Name: name, Kind: kind, Min: min, Max: max, Aliases: aliases}
		functions[name] = fn
		for _, a := range aliases {
			functions[a] = fn
		}
		return fn
	}
	scalar := func(name string, min, max int, aliases ...string) *Func {
		return f(name, ScalarFunc, min, max, aliases...)
	}
	agg := func(name string, min, max int) *Func { return f(name, AggFunc, min, max) }
	unary := func(names ...string) {
		for _, n := range names {
			scalar(n, 1, 1)
		}
	}
	withOptions := func(fn *Func) { fn.Options = true }

	// Aggregate functions.
	for _, n := range []string{"avg", "max", "median", "median_absolute_deviation", "min",
		"st_centroid_agg", "st_extent_agg", "std_dev", "sum", "values", "absent", "present"} {
		agg(n, 1, 1)
	}
	agg("count", 0, 1)
	agg("count_distinct", 1, 2)
	agg("first", 2, 2)
	agg("last", 2, 2)
	agg("percentile", 2, 2)
	agg("sample", 2, 2)
	agg("top", 2, 4)
	agg("weighted_avg", 2, 2)
	// Time-series aggregate functions (TS source command).
	for _, n := range []string{"rate", "irate", "idelta", "delta", "increase", "deriv",
		"avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time",
		"first_over_time", "last_over_time", "absent_over_time", "present_over_time"} {
		agg(n, 1, 1)
	}
	agg("count_distinct_over_time", 1, 2)

	// Grouping functions.
	f("bucket", GroupingFunc, 2, 4, "bin")
	withOptions(f("categorize", GroupingFunc, 1, 2))
	f("tbucket", GroupingFunc, 1, 1)

	// Conditional functions.
	scalar("case", 2, variadic)
	scalar("coalesce", 1, variadic)
	scalar("greatest", 1, variadic)
	scalar("least", 1, variadic)
	scalar("clamp", 3, 3)
	scalar("clamp_min", 2, 2)
	scalar("clamp_max", 2, 2)

	// Math functions.
	unary("abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "ceil", "cos", "cosh",
		"exp", "floor", "log10", "signum", "sin", "sinh", "sqrt", "tan", "tanh")
	for _, n := range []string{"e", "pi", "tau"} {
		scalar(n, 0, 0)
	}
	for _, n := range []string{"atan2", "copy_sign", "hypot", "pow", "scalb"} {
		scalar(n, 2, 2)
	}
	scalar("log", 1, 2)
	scalar("round", 1, 2)
	scalar("round_to", 2, variadic)

	// String functions.
	unary("bit_length", "byte_length", "from_base64", "length", "ltrim", "md5", "reverse", "rtrim",
		"sha1", "sha256", "space", "to_base64", "to_lower", "to_upper", "trim", "url_encode",
		"url_encode_component", "url_decode", "to_ascii")
	withOptions(scalar("chunk", 1, 2))
	scalar("concat", 2, variadic)
	for _, n := range []string{"contains", "ends_with", "hash", "left", "repeat", "right", "split", "starts_with"} {
		scalar(n, 2, 2)
	}
	scalar("locate", 2, 3)
	scalar("replace", 3, 3)
	scalar("substring", 2, 3)
	scalar("json_extract", 2, 2)

	// Date and time functions.
	scalar("date_diff", 3, 3)
	scalar("date_extract", 2, 2)
	scalar("date_format", 1, 2)
	withOptions(scalar("date_parse", 1, 3))
	scalar("date_trunc", 2, 2)
	unary("day_name", "month_name", "day", "hour", "month", "year")
	scalar("now", 0, 0)
	scalar("trange", 1, 2)

	// IP functions.
	scalar("cidr_match", 2, variadic)
	scalar("ip_prefix", 3, 3)

	// Type conversion functions.
	unary("to_aggregate_metric_double", "to_cartesianpoint", "to_cartesianshape", "to_dateperiod",
		"to_degrees", "to_geohash", "to_geohex", "to_geopoint", "to_geoshape", "to_geotile", "to_long",
		"to_radians", "to_timeduration", "to_dense_vector")
	functions["to_aggregatemetricdouble"] = functions["to_aggregate_metric_double"]
	functions["to_aggregate_metric_double"].Aliases = []string{"to_aggregatemetricdouble"}
	scalar("to_boolean", 1, 1, "to_bool")
	scalar("to_datetime", 1, 1, "to_dt")
	scalar("to_date_nanos", 1, 1, "to_datenanos")
	scalar("to_double", 1, 1, "to_dbl")
	scalar("to_integer", 1, 1, "to_int")
	withOptions(scalar("to_ip", 1, 2))
	scalar("to_string", 1, 1, "to_str")
	scalar("to_unsigned_long", 1, 1, "to_ulong", "to_ul")
	scalar("to_version", 1, 1, "to_ver")

	// Multivalue functions.
	unary("mv_avg", "mv_count", "mv_dedupe", "mv_first", "mv_last", "mv_max", "mv_median",
		"mv_median_absolute_deviation", "mv_min", "mv_sum")
	for _, n := range []string{"mv_append", "mv_concat", "mv_contains", "mv_intersection",
		"mv_percentile", "mv_pseries_weighted_sum"} {
		scalar(n, 2, 2)
	}
	scalar("mv_slice", 2, 3)
	scalar("mv_sort", 1, 2)
	scalar("mv_zip", 2, 3)

	// Spatial functions.
	for _, n := range []string{"st_contains", "st_disjoint", "st_intersects", "st_within", "st_distance"} {
		scalar(n, 2, 2)
	}
	unary("st_envelope", "st_x", "st_y", "st_xmax", "st_xmin", "st_ymax", "st_ymin",
		"st_geohash_to_string", "st_geohash_to_long", "st_geohash_to_geoshape",
		"st_geotile_to_string", "st_geotile_to_long", "st_geotile_to_geoshape",
		"st_geohex_to_string", "st_geohex_to_long", "st_geohex_to_geoshape")
	for _, n := range []string{"st_geohash", "st_geotile", "st_geohex"} {
		scalar(n, 2, 3)
	}

	// Search functions.
	withOptions(scalar("kql", 1, 2))
	withOptions(scalar("qstr", 1, 2))
	withOptions(scalar("match", 2, 3))
	withOptions(scalar("match_phrase", 2, 3))
	withOptions(scalar("multi_match", 2, variadic))
	withOptions(scalar("knn", 2, 3))
	scalar("term", 2, 2)
	scalar("score", 1, 1)

	// Dense vector functions.
	for _, n := range []string{"v_cosine", "v_dot_product", "v_l1_norm", "v_l2_norm", "v_hamming"} {
		scalar(n, 2, 2)
	}
	unary("v_magnitude")
}

// LookupFunc finds a function by any spelling of its name or alias; nil
// when ES|QL has no such function.
func LookupFunc(name string) *Func {
	if f, ok := functions[name]; ok {
		return f
	}
	return functions[strings.ToLower(name)]
}

// dataTypes maps the type names "::type" casts accept, and their aliases,
// to the canonical ES|QL type name (Elasticsearch's
// DataType.fromNameOrAlias restricted to the types a cast converts to).
var dataTypes = map[string]string{
	"boolean": "boolean", "bool": "boolean",
	"integer": "integer", "int": "integer",
	"long":          "long",
	"unsigned_long": "unsigned_long",
	"double":        "double",
	"keyword":       "keyword", "string": "keyword",
	"text":     "text",
	"datetime": "datetime", "date": "datetime",
	"date_nanos":              "date_nanos",
	"ip":                      "ip",
	"version":                 "version",
	"geo_point":               "geo_point",
	"geo_shape":               "geo_shape",
	"cartesian_point":         "cartesian_point",
	"cartesian_shape":         "cartesian_shape",
	"geohash":                 "geohash",
	"geotile":                 "geotile",
	"geohex":                  "geohex",
	"date_period":             "date_period",
	"time_duration":           "time_duration",
	"dense_vector":            "dense_vector",
	"aggregate_metric_double": "aggregate_metric_double",
}

// DataType returns the canonical type name of a cast's type name ("string"
// is "keyword"), case-insensitively; ok is false for an unknown type.
func DataType(name string) (canonical string, ok bool) {
	canonical, ok = dataTypes[strings.ToLower(name)]
	return canonical, ok
}

// TimeUnit is the unit of a time span literal (1 hour, 2 days).
type TimeUnit uint8

// Time units, after Elasticsearch's EsqlDataTypeConverter.parseTemporalAmount.
const (
	Millisecond TimeUnit = iota
	Second
	Minute
	Hour
	Day
	Week
	Month
	Quarter
	Year
)

var unitNames = [...]string{"millisecond", "second", "minute", "hour", "day", "week", "month", "quarter", "year"}

// String returns the unit's singular name ("hour").
func (u TimeUnit) String() string {
	if int(u) < len(unitNames) {
		return unitNames[u]
	}
	return "?"
}

// IsPeriod reports whether the unit makes a calendar date_period (days and
// longer) rather than a fixed time_duration.
func (u TimeUnit) IsPeriod() bool { return u >= Day }

var unitDurations = [...]time.Duration{time.Millisecond, time.Second, time.Minute, time.Hour}

// timeUnits maps the spellings of the units, in lower case (ES|QL matches
// them case-insensitively).
var timeUnits = map[string]TimeUnit{
	"millisecond": Millisecond, "milliseconds": Millisecond, "ms": Millisecond,
	"second": Second, "seconds": Second, "sec": Second, "s": Second,
	"minute": Minute, "minutes": Minute, "min": Minute, "m": Minute,
	"hour": Hour, "hours": Hour, "h": Hour,
	"day": Day, "days": Day, "d": Day,
	"week": Week, "weeks": Week, "w": Week,
	"month": Month, "months": Month, "mo": Month,
	"quarter": Quarter, "quarters": Quarter, "q": Quarter,
	"year": Year, "years": Year, "yr": Year, "y": Year,
}

// metadataFields are the fields FROM ... METADATA accepts (Elasticsearch's
// MetadataAttribute).
var metadataFields = map[string]bool{
	"_id": true, "_ignored": true, "_index": true, "_index_mode": true,
	"_score": true, "_source": true, "_version": true,
}
