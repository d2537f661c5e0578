// Package schema knows the type of every field: Elasticsearch field types
// from ECS (ecs_flat.yml or a release archive), flat JSON maps and the
// detection-rules non-ECS schema, over an embedded default that types the
// fields every user touches by ECS naming convention.
package schema

import (
	"path"
	"sort"
	"strings"
)

// Field is what the schema knows of one field.
type Field struct {
	Name string
	// Type is the Elasticsearch field type: keyword, constant_keyword,
	// wildcard, text, match_only_text, long, integer, short, byte,
	// unsigned_long, double, float, half_float, scaled_float, ip, date,
	// boolean, geo_point, flattened, object, nested.
	Type string
	// Array: the field holds a list of values (ECS normalize: [array]).
	Array bool
	// AllowedValues: the only values the field may take (ECS categorization
	// fields such as event.category, event.type, event.outcome).
	AllowedValues []string
	// ExpectedEventTypes maps an event.category value to the event.type
	// values ECS expects with it.
	ExpectedEventTypes map[string][]string
	// ScalingFactor of a scaled_float.
	ScalingFactor float64
	// Example is ECS's example value, when it has one.
	Example string
	// IgnoreAbove of a keyword, when set.
	IgnoreAbove int
	// Known: the field came from a loaded schema or the default, not from
	// the keyword fallback for unknown fields.
	Known bool
}

// Schema maps dotted field names to fields. The zero value is not usable:
// use New or Default.
type Schema struct {
	fields map[string]*Field
	// conventions type fields by name pattern (path.Match syntax over the
	// whole dotted name, or a suffix beginning with "*.")
	conventions []convention
}

type convention struct {
	pattern string
	typ     string
}

// New returns an empty schema: every field is keyword.
func New() *Schema { return &Schema{fields: map[string]*Field{}} }

// Set adds or replaces a field.
func (s *Schema) Set(f Field) {
	f.Known = true
	s.fields[f.Name] = &f
}

// Merge overlays o on s: o's fields replace s's.
func (s *Schema) Merge(o *Schema) {
	for name, f := range o.fields {
		c := *f
		s.fields[name] = &c
	}
	s.conventions = append(o.conventions, s.conventions...)
}

// Lookup returns the field as loaded, without conventions or fallback.
func (s *Schema) Lookup(name string) (Field, bool) {
	if f, ok := s.fields[name]; ok {
		return *f, true
	}
	return Field{}, false
}

// Field returns what is known of name: the loaded definition, else the
// naming convention that matches, else an unknown keyword.
func (s *Schema) Field(name string) Field {
	if f, ok := s.fields[name]; ok {
		return *f
	}
	for _, c := range s.conventions {
		if matchConvention(c.pattern, name) {
			return Field{Name: name, Type: c.typ, Known: true}
		}
	}
	return Field{Name: name, Type: "keyword"}
}

func matchConvention(pattern, name string) bool {
	if strings.HasPrefix(pattern, "*.") && !strings.ContainsAny(pattern[2:], "*?[") {
		return name == pattern[2:] || strings.HasSuffix(name, pattern[1:])
	}
	ok, _ := path.Match(pattern, name)
	return ok
}

// Names returns the loaded field names, sorted.
func (s *Schema) Names() []string {
	names := make([]string, 0, len(s.fields))
	for n := range s.fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Len is the number of loaded fields.
func (s *Schema) Len() int { return len(s.fields) }
