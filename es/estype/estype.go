// Package estype names Elasticsearch's field types and says, once for the
// whole project, what each one is: its family (how queries compare its
// values), whether its text is analyzed, and the range and precision of its
// numbers. Every part of emit that depends on a field's type — the solver's
// domains, the evaluators' comparisons, the mappings, the sink's conflict
// checks, the test server — asks this package instead of switching on type
// names itself.
//
// The facts follow Elasticsearch's "Field data types" reference
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/mapping-types.html).
package estype

import "math"

// Type is an Elasticsearch field type, spelled as in a mapping ("keyword",
// "match_only_text", "scaled_float", ...). A type this package does not
// know keeps its name (mappings print it back) and belongs to the keyword
// family, which is what Kibana and the detection-rules schemas assume of a
// field they cannot type.
type Type string

// The field types. Empty is no type at all (an unknown field).
const (
	Empty Type = ""

	Keyword         Type = "keyword"
	ConstantKeyword Type = "constant_keyword"
	Wildcard        Type = "wildcard"
	Version         Type = "version"

	Text            Type = "text"
	MatchOnlyText   Type = "match_only_text"
	AnnotatedText   Type = "annotated_text"
	SearchAsYouType Type = "search_as_you_type"

	TokenCount   Type = "token_count"
	Long         Type = "long"
	Integer      Type = "integer"
	Short        Type = "short"
	Byte         Type = "byte"
	UnsignedLong Type = "unsigned_long"

	Double      Type = "double"
	Float       Type = "float"
	HalfFloat   Type = "half_float"
	ScaledFloat Type = "scaled_float"

	Date      Type = "date"
	DateNanos Type = "date_nanos"

	Boolean Type = "boolean"
	IP      Type = "ip"

	GeoPoint Type = "geo_point"
	GeoShape Type = "geo_shape"
	Point    Type = "point"
	Shape    Type = "shape"

	Flattened Type = "flattened"
	Object    Type = "object"
	Nested    Type = "nested"

	IntegerRange Type = "integer_range"
	LongRange    Type = "long_range"
	FloatRange   Type = "float_range"
	DoubleRange  Type = "double_range"
	DateRange    Type = "date_range"
	IPRange      Type = "ip_range"

	Binary                Type = "binary"
	Histogram             Type = "histogram"
	DenseVector           Type = "dense_vector"
	SparseVector          Type = "sparse_vector"
	RankFeature           Type = "rank_feature"
	RankFeatures          Type = "rank_features"
	Completion            Type = "completion"
	AggregateMetricDouble Type = "aggregate_metric_double"
	Alias                 Type = "alias"
	Join                  Type = "join"
	Percolator            Type = "percolator"
	SemanticText          Type = "semantic_text"
)

// Family groups types by how a query compares their values.
type Family uint8

const (
	// KeywordFamily: exact strings (keyword, constant_keyword, wildcard,
	// version, and types this package does not know).
	KeywordFamily Family = iota
	// TextFamily: analyzed strings; a query matches their words.
	TextFamily
	// IntegerFamily: whole numbers (long ... unsigned_long, token_count).
	IntegerFamily
	// FloatFamily: floating-point numbers of some precision.
	FloatFamily
	// DateFamily: instants (date in milliseconds, date_nanos).
	DateFamily
	// BooleanFamily: true and false.
	BooleanFamily
	// IPFamily: IPv4 and IPv6 addresses.
	IPFamily
	// GeoFamily: points and shapes.
	GeoFamily
	// FlattenedFamily: an object whose every leaf is indexed as a keyword.
	FlattenedFamily
	// ObjectFamily: object and nested, which hold fields, not values.
	ObjectFamily
	// RangeFamily: the *_range types, which hold a range per value.
	RangeFamily
	// OtherFamily: types a query can only test for existence (binary,
	// vectors, histograms, ...).
	OtherFamily
)

var familyNames = [...]string{"keyword", "text", "integer", "float", "date", "boolean", "ip", "geo", "flattened", "object", "range", "other"}

func (f Family) String() string {
	if int(f) < len(familyNames) {
		return familyNames[f]
	}
	return "family?"
}

type facts struct {
	family Family
	// integers: the range of the values; floats: the largest magnitude.
	lo, hi float64
	// bits of significand of a floating-point type (0: exact decimal).
	bits int
}

var table = map[Type]facts{
	Keyword:         {family: KeywordFamily},
	ConstantKeyword: {family: KeywordFamily},
	Wildcard:        {family: KeywordFamily},
	Version:         {family: KeywordFamily},

	Text:            {family: TextFamily},
	MatchOnlyText:   {family: TextFamily},
	AnnotatedText:   {family: TextFamily},
	SearchAsYouType: {family: TextFamily},
	SemanticText:    {family: TextFamily},

	// token_count indexes the number of tokens of a string as an integer.
	TokenCount:   {family: IntegerFamily, lo: 0, hi: math.MaxInt32},
	Long:         {family: IntegerFamily, lo: math.MinInt64, hi: math.MaxInt64},
	Integer:      {family: IntegerFamily, lo: math.MinInt32, hi: math.MaxInt32},
	Short:        {family: IntegerFamily, lo: math.MinInt16, hi: math.MaxInt16},
	Byte:         {family: IntegerFamily, lo: math.MinInt8, hi: math.MaxInt8},
	UnsignedLong: {family: IntegerFamily, lo: 0, hi: math.MaxUint64},

	Double:    {family: FloatFamily, lo: -math.MaxFloat64, hi: math.MaxFloat64, bits: 53},
	Float:     {family: FloatFamily, lo: -math.MaxFloat32, hi: math.MaxFloat32, bits: 24},
	HalfFloat: {family: FloatFamily, lo: -65504, hi: 65504, bits: 11},
	// scaled_float stores round(value × scaling_factor) as a long and
	// reads it back as a double.
	ScaledFloat: {family: FloatFamily, lo: -math.MaxFloat64, hi: math.MaxFloat64, bits: 53},

	Date:      {family: DateFamily},
	DateNanos: {family: DateFamily},

	Boolean: {family: BooleanFamily},
	IP:      {family: IPFamily},

	GeoPoint: {family: GeoFamily},
	GeoShape: {family: GeoFamily},
	Point:    {family: GeoFamily},
	Shape:    {family: GeoFamily},

	Flattened: {family: FlattenedFamily},
	Object:    {family: ObjectFamily},
	Nested:    {family: ObjectFamily},

	IntegerRange: {family: RangeFamily},
	LongRange:    {family: RangeFamily},
	FloatRange:   {family: RangeFamily},
	DoubleRange:  {family: RangeFamily},
	DateRange:    {family: RangeFamily},
	IPRange:      {family: RangeFamily},

	Binary:                {family: OtherFamily},
	Histogram:             {family: OtherFamily},
	DenseVector:           {family: OtherFamily},
	SparseVector:          {family: OtherFamily},
	RankFeature:           {family: OtherFamily},
	RankFeatures:          {family: OtherFamily},
	Completion:            {family: OtherFamily},
	AggregateMetricDouble: {family: OtherFamily},
	Alias:                 {family: OtherFamily},
	Join:                  {family: OtherFamily},
	Percolator:            {family: OtherFamily},
}

// Known reports whether t is a type Elasticsearch has.
func (t Type) Known() bool {
	_, ok := table[t]
	return ok
}

// Family is how queries compare values of t; unknown and empty types are
// keywords.
func (t Type) Family() Family { return table[t].family }

// String returns the type's name ("" for Empty).
func (t Type) String() string { return string(t) }

// IsString reports whether a document holds t's values as JSON strings that
// queries compare as strings: the keyword and text families.
func (t Type) IsString() bool {
	f := t.Family()
	return f == KeywordFamily || f == TextFamily
}

// Analyzed reports whether Elasticsearch runs t's values through an
// analyzer: the text family, and token_count, which indexes the number of
// tokens of its string.
func (t Type) Analyzed() bool { return t.Family() == TextFamily || t == TokenCount }

// Numeric reports whether t holds numbers.
func (t Type) Numeric() bool {
	f := t.Family()
	return f == IntegerFamily || f == FloatFamily
}

// IsDate reports whether t holds instants.
func (t Type) IsDate() bool { return t.Family() == DateFamily }

// HoldsFields reports whether t is an object or nested field: it holds
// fields, not a value of its own.
func (t Type) HoldsFields() bool { return t.Family() == ObjectFamily }

// Bounds is the range of t's values: the smallest and largest integer of
// an integer type, minus and plus the largest finite value of a
// floating-point type. ok is false for types that are not numeric.
func (t Type) Bounds() (lo, hi float64, ok bool) {
	f, known := table[t]
	if !known || (f.family != IntegerFamily && f.family != FloatFamily) {
		return 0, 0, false
	}
	return f.lo, f.hi, true
}

// IntBounds is the range of an integer type in int64, the range emit draws
// from: unsigned_long's values above 2^63-1 are left out. ok is false for
// other types.
func (t Type) IntBounds() (lo, hi int64, ok bool) {
	f, known := table[t]
	if !known || f.family != IntegerFamily {
		return 0, 0, false
	}
	lo = int64(f.lo)
	if f.hi >= math.MaxInt64 {
		return lo, math.MaxInt64, true
	}
	return lo, int64(f.hi), true
}

// SignificandBits is the precision of a floating-point type (53 for
// double and scaled_float's reading, 24 for float, 11 for half_float); 0
// for other types.
func (t Type) SignificandBits() int { return table[t].bits }

// Nanos reports whether t keeps instants to the nanosecond (date_nanos)
// rather than the millisecond.
func (t Type) Nanos() bool { return t == DateNanos }

// Mapping is what a query evaluator needs to know of one field: its type
// and the mapping parameters that change how its values compare.
type Mapping struct {
	Type Type
	// Normalizer of a keyword field ("lowercase": values and query terms
	// are lower-cased before they compare); "" for none.
	Normalizer string
	// ScalingFactor of a scaled_float.
	ScalingFactor float64
	// IgnoreAbove of a keyword or wildcard field: a string value longer
	// than that many characters (UTF-16 code units, Java's length) is
	// not indexed, and Elasticsearch lists the field in the document's
	// _ignored metadata field (see Ignores). 0: no limit.
	IgnoreAbove int
}

// ECSIgnoreAbove is the ignore_above ECS gives its keyword fields.
const ECSIgnoreAbove = 1024

// Ignores reports whether Elasticsearch ignores the string value s of a
// field of mapping m (ignore_above), which lists the field in _ignored.
func (m Mapping) Ignores(s string) bool {
	if m.IgnoreAbove <= 0 || m.Type.Family() != KeywordFamily || m.Type == ConstantKeyword {
		return false
	}
	if len(s) <= m.IgnoreAbove {
		return false // UTF-16 units are never more than bytes
	}
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n > m.IgnoreAbove
}

// Lowercase reports whether the field's keyword values are lower-cased by
// its normalizer.
func (m Mapping) Lowercase() bool { return m.Normalizer == NormalizerLowercase }

// NormalizerLowercase is the built-in normalizer of Elastic's integration
// mappings for case-insensitive keyword multi-fields (Elastic Defend's
// "caseless" multi-fields).
const NormalizerLowercase = "lowercase"

// Lookup tells the mapping of a field by its dotted name.
type Lookup func(field string) Mapping

// Of is the mapping l gives field, as Elasticsearch sees a field no
// mapping declares: keyword (what dynamic mapping makes of text) when l is
// nil or does not know the field.
func (l Lookup) Of(field string) Mapping {
	if l == nil {
		return Mapping{Type: Keyword}
	}
	m := l(field)
	if m.Type == Empty {
		m.Type = Keyword
	}
	return m
}

// Uniform returns a Lookup that types every field t.
func Uniform(t Type) Lookup { return func(string) Mapping { return Mapping{Type: t} } }

// ByName returns the Lookup of a function that names each field's type
// (no normalizer, no scaling factor).
func ByName(name func(field string) string) Lookup {
	return func(field string) Mapping { return Mapping{Type: Type(name(field))} }
}
