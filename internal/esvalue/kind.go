package esvalue

// Kind groups Elasticsearch field types by how queries match them.
type Kind uint8

// The kinds of field.
const (
	Keyword   Kind = iota // keyword, constant_keyword, wildcard, version, unknown
	Text                  // text, match_only_text, ...: analyzed
	Integer               // long, integer, short, byte, unsigned_long, token_count
	HalfFloat             // half_float
	Float                 // float
	Double                // double, scaled_float
	Date                  // date: millisecond precision
	DateNanos             // date_nanos
	IP                    // ip
	Boolean               // boolean
	Flattened             // flattened: every leaf is a keyword
	Object                // object, nested: no value of their own
	Other                 // geo_point, binary, range types, ...: only exists
)

// KindOf returns the kind of an Elasticsearch field type; an empty or
// unknown type is a keyword.
func KindOf(typ string) Kind {
	switch typ {
	case "", "keyword", "constant_keyword", "wildcard", "version":
		return Keyword
	case "text", "match_only_text", "annotated_text", "search_as_you_type":
		return Text
	case "long", "integer", "short", "byte", "unsigned_long", "token_count":
		return Integer
	case "half_float":
		return HalfFloat
	case "float":
		return Float
	case "double", "scaled_float":
		return Double
	case "date":
		return Date
	case "date_nanos":
		return DateNanos
	case "ip":
		return IP
	case "boolean":
		return Boolean
	case "flattened":
		return Flattened
	case "object", "nested":
		return Object
	case "geo_point", "geo_shape", "point", "shape", "binary", "histogram", "dense_vector",
		"sparse_vector", "rank_feature", "rank_features", "completion", "integer_range",
		"float_range", "long_range", "double_range", "date_range", "ip_range",
		"aggregate_metric_double", "alias", "join", "percolator":
		return Other
	}
	return Keyword
}

// Numeric reports whether k is a numeric kind.
func (k Kind) Numeric() bool { return k >= Integer && k <= Double }

// IsDate reports whether k is a date kind.
func (k Kind) IsDate() bool { return k == Date || k == DateNanos }
