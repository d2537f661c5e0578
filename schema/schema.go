// Package schema knows the type of every field: Elasticsearch field types
// from ECS (ecs_flat.yml or a release archive), flat JSON maps and the
// detection-rules non-ECS schema, over an embedded default that types the
// fields every user touches by ECS naming convention.
//
// A Schema answers three questions: what is this field (Field, Types), which
// concrete fields does a wildcard field name stand for (Match), and how must
// an index be mapped to hold the fields of some queries (Mappings).
package schema

import (
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
)

// Field is what the schema knows of one field.
//
// Slices and maps in a Field returned by a Schema are shared with the
// schema: treat them as read-only.
type Field struct {
	Name string
	// Type is the Elasticsearch field type (estype says what each is).
	Type estype.Type
	// Normalizer of a keyword ("lowercase"), from the mapping or the
	// schema; "" for none.
	Normalizer string
	// Array: the field holds a list of values (ECS normalize: [array]).
	Array bool
	// AllowedValues: the only values the field may take (ECS categorization
	// fields such as event.category, event.type, event.outcome).
	AllowedValues []string
	// ExpectedEventTypes maps an event.category value to the event.type
	// values ECS expects with it.
	ExpectedEventTypes map[string][]string
	// ExpectedValues: the values ECS expects the field to take
	// (expected_values, e.g. host.os.type), advisory unlike AllowedValues.
	ExpectedValues []string
	// ScalingFactor of a scaled_float.
	ScalingFactor float64
	// Example is ECS's example value, when it has one.
	Example string
	// IgnoreAbove of a keyword, when set.
	IgnoreAbove int
	// MultiFields are the other ways the field is indexed (Elasticsearch
	// "fields"), e.g. process.name has {text match_only_text}: the field
	// process.name.text can be queried and holds process.name's value.
	MultiFields []MultiField
	// MultiFieldOf is set on a multi-field (process.name.text): the field
	// whose value it indexes (process.name). A document never holds a
	// multi-field itself; it holds the parent's value.
	MultiFieldOf string
	// FlattenedIn is set on a key inside a flattened field
	// (dll.pe.imports.name): the flattened field (dll.pe.imports), which is
	// what a mapping declares. Such keys are keyword.
	FlattenedIn string
	// ObjectType of an object field whose keys all share one type
	// (ECS labels: keyword); the keys below it get that type.
	ObjectType estype.Type
	// Known: the field came from a loaded schema or the default, not from
	// the keyword fallback for unknown fields.
	Known bool
	// Inferred: the field's type comes from the literals a query compares
	// it with, no schema knowing it. A field inside an inferred one (or
	// an inferred one inside a leaf) is not a multi-field of it: documents
	// hold both, and a mapping of both is a conflict.
	Inferred bool
}

// MultiField is one Elasticsearch multi-field of a field: the sub-field
// Name (e.g. "text"), its Type (e.g. "match_only_text") and, for a
// keyword, its Normalizer (Elastic Defend's "caseless" multi-fields are
// keywords with the lowercase normalizer).
type MultiField struct {
	Name       string
	Type       estype.Type
	Normalizer string
}

// Schema maps dotted field names to fields. The zero value is not usable:
// use New or Default. A Schema is safe for concurrent reads; Set, Merge and
// AddConvention must not run concurrently with anything else.
type Schema struct {
	// fields are never changed in place (a change stores a new *Field), so
	// that clones share them. In a layered schema (under != nil) they are
	// the top layer, where a nil *Field hides under's field of that name.
	fields map[string]*Field
	// under is the read-only lower layer of a layered schema (see Filled):
	// its fields count where fields has no entry. nil for a flat schema.
	// Changing a layered schema first flattens it.
	under *Schema
	// hidden is the number of under's fields that fields has an entry for
	// (a field or nil): Len is len(fields)-nils+len(under)-hidden.
	hidden, nils int
	// index is what Filled knows of the schema's fields, when it has
	// looked; every change drops it.
	index atomic.Pointer[fillIndex]
	// prefixes holds every proper prefix of a name ever stored in fields
	// ("a" and "a.b" for "a.b.c"): where normalize must look for fields
	// inside a new leaf. It may hold prefixes of deleted fields.
	prefixes map[string]struct{}
	// conventions type fields by name pattern (path.Match syntax over the
	// whole dotted name, or a suffix beginning with "*."). The first that
	// matches wins.
	conventions []convention
	// bySuffix indexes the suffix conventions ("*.a.b") by their last name
	// segment ("b"): the positions in conventions, ascending.
	bySuffix map[string][]int
	// general lists the positions of the other conventions, ascending.
	general []int
}

// convention types the fields whose name matches pattern like field (whose
// Name is the pattern).
type convention struct {
	pattern string
	field   Field
}

// New returns an empty schema: every field is keyword.
func New() *Schema {
	return &Schema{fields: map[string]*Field{}, prefixes: map[string]struct{}{}}
}

// Clone returns an independent copy of s. It is cheap (the field
// definitions, which are never changed in place, are shared): clone a
// loaded schema to add what one rule needs.
func (s *Schema) Clone() *Schema {
	// The conventions and their index are shared too: they are replaced,
	// never changed in place.
	return &Schema{
		fields:      maps.Clone(s.fields),
		prefixes:    maps.Clone(s.prefixes),
		under:       s.under,
		hidden:      s.hidden,
		nils:        s.nils,
		conventions: s.conventions,
		bySuffix:    s.bySuffix,
		general:     s.general,
	}
}

// Set adds or replaces a field. As Elasticsearch can only index something
// inside a leaf field as a multi-field, a field inside a known leaf
// (process.name.text when process.name is a keyword) is recorded as a
// multi-field of the leaf, and a field inside a flattened field is dropped
// (Field types it as a key of the flattened field).
func (s *Schema) Set(f Field) {
	s.flatten()
	s.set(f)
	s.normalize(s.affected([]string{f.Name}))
}

// set stores f as is; the loaders normalize once they are done.
func (s *Schema) set(f Field) {
	s.index.Store(nil)
	f.Known = true
	s.fields[f.Name] = &f
	for i := strings.IndexByte(f.Name, '.'); i > 0; i = nextDot(f.Name, i) {
		s.prefixes[f.Name[:i]] = struct{}{}
	}
}

// nextDot is the index of the next "." in name after i, or -1.
func nextDot(name string, i int) int {
	j := strings.IndexByte(name[i+1:], '.')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// affected returns, sorted, those of the names changed and of the loaded
// fields inside them that lie inside a loaded field: what normalize must
// look at after a change of names.
func (s *Schema) affected(names []string) []string {
	// normalize changes only the fields that lie inside a loaded field:
	// the others are left out before sorting.
	var out []string
	inside := map[string]bool{}
	for _, n := range names {
		if _, ok := s.prefixes[n]; ok {
			inside[n] = true
		}
		if s.inLoaded(n) {
			out = append(out, n)
		}
	}
	out = append(out, s.inside(inside)...)
	slices.Sort(out)
	return slices.Compact(out)
}

// inLoaded reports whether a loaded field holds name (s flat).
func (s *Schema) inLoaded(name string) bool {
	for j := strings.LastIndexByte(name, '.'); j > 0; j = strings.LastIndexByte(name[:j], '.') {
		if _, ok := s.fields[name[:j]]; ok {
			return true
		}
	}
	return false
}

// firstPart is a dotted name up to its first dot.
func firstPart(name string) string {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return name
}

// normalizeAll applies normalize to every field.
func (s *Schema) normalizeAll() { s.normalize(s.Names()) }

// normalize applies what Set says of fields inside leaf and flattened
// fields to the fields names (sorted, parents before children).
func (s *Schema) normalize(names []string) {
	s.index.Store(nil)
	for _, name := range names {
		f, ok := s.fields[name]
		if !ok {
			continue
		}
		last := strings.LastIndexByte(name, '.')
		for j := last; j > 0; j = strings.LastIndexByte(name[:j], '.') {
			p, ok := s.fields[name[:j]]
			if !ok {
				continue
			}
			switch {
			case p.Type == estype.Flattened:
				delete(s.fields, name)
			case !p.Type.HoldsFields() && j == last && !f.Inferred && !p.Inferred:
				c := *p
				c.MultiFields = withMultiField(p.MultiFields, MultiField{Name: name[j+1:], Type: f.Type, Normalizer: f.Normalizer})
				s.fields[c.Name] = &c
				delete(s.fields, name)
			}
			break
		}
	}
}

// withMultiField returns a copy of mfs where m replaces the multi-field of
// the same name, or is added.
func withMultiField(mfs []MultiField, m MultiField) []MultiField {
	out := make([]MultiField, 0, len(mfs)+1)
	found := false
	for _, x := range mfs {
		if x.Name == m.Name {
			x, found = m, true
		}
		out = append(out, x)
	}
	if !found {
		out = append(out, m)
	}
	return out
}

// AddConvention adds a naming convention with the lowest priority: the
// fields that no loaded definition and no earlier convention types, and
// whose name matches f.Name, are typed like f. f.Name is a suffix pattern
// ("*.port": names ending in ".port", and "port" itself) or a path.Match
// pattern over the whole dotted name ("process.*.pid").
func (s *Schema) AddConvention(f Field) {
	f.Known = true
	s.setConventions(append(slices.Clone(s.conventions), convention{pattern: f.Name, field: f}))
}

// Conventions returns the naming conventions in priority order; each
// Field's Name is its pattern.
func (s *Schema) Conventions() []Field {
	out := make([]Field, len(s.conventions))
	for i, c := range s.conventions {
		out[i] = c.field
	}
	return out
}

func (s *Schema) setConventions(cs []convention) {
	s.conventions = cs
	s.bySuffix = map[string][]int{}
	s.general = nil
	for i, c := range cs {
		if isSuffixPattern(c.pattern) {
			last := c.pattern[strings.LastIndexByte(c.pattern, '.')+1:]
			s.bySuffix[last] = append(s.bySuffix[last], i)
		} else {
			s.general = append(s.general, i)
		}
	}
}

// Merge overlays o on s: o's fields replace s's, and o's conventions come
// before s's. When both know a field with the same type, what o leaves
// unset (array, allowed values, multi-fields, ignore_above, ...) is kept
// from s, so that a flat map of types over ECS does not lose what ECS says.
func (s *Schema) Merge(o *Schema) {
	s.flatten()
	o = o.flat()
	changed := make([]string, 0, len(o.fields))
	for name, f := range o.fields {
		if old, ok := s.fields[name]; ok && old.Type == f.Type {
			c := complete(*f, *old)
			s.set(c)
		} else {
			s.set(*f)
		}
		changed = append(changed, name)
	}
	s.normalize(s.affected(changed))
	if len(o.conventions) == 0 {
		return
	}
	cs := make([]convention, 0, len(o.conventions)+len(s.conventions))
	cs = append(cs, o.conventions...)
	cs = append(cs, s.conventions...)
	s.setConventions(cs)
}

// Fill adds the fields of o that s does not know: the names s neither
// defines nor has as a multi-field, that would not turn a field of s into
// an object, nor lie deeper than a multi-field inside a leaf of s. What s
// says of a field stays (ECS types stay ECS's); o only adds what s lacks,
// as an Elastic integration's fields add to ECS. Conventions are not
// changed. Where o's fields only fit one at a time (a field, and one deep
// inside it where s has a leaf between), those taken in name order first
// win.
func (s *Schema) Fill(o *Schema) {
	s.flatten()
	o = o.flat()
	if !o.fillIndex().clean {
		names := make([]string, 0, len(o.fields))
		for n := range o.fields {
			names = append(names, n)
		}
		slices.Sort(names)
		s.fill(o, names)
		return
	}
	// The fields of a clean o that are not related to those of s are
	// added as they are whatever the order (Filled says why), those that
	// s has are left out whatever the order: only the other related ones
	// need sorting and weighing.
	var related, free []string
	for name := range o.fields {
		if _, ok := s.fields[name]; ok {
			continue // s's field stays, whatever the order
		}
		if s.related(name) {
			related = append(related, name)
		} else {
			free = append(free, name)
		}
	}
	s.index.Store(nil)
	for _, name := range free {
		s.fields[name] = o.fields[name]
		for i := strings.IndexByte(name, '.'); i > 0; i = nextDot(name, i) {
			s.prefixes[name[:i]] = struct{}{}
		}
	}
	slices.Sort(related)
	s.fill(o, related)
}

// fill is Fill with the fields names of o, sorted: a field comes before
// those inside it, so that what Fill keeps of fields that only fit one at
// a time does not depend on map order.
func (s *Schema) fill(o *Schema, names []string) {
	s.index.Store(nil)
	var added []string
	for _, name := range names {
		f := o.fields[name]
		if _, ok := s.Lookup(name); ok {
			continue
		}
		if _, parent := s.prefixes[name]; parent && !f.Type.HoldsFields() && s.holdsLoaded(name) {
			continue
		}
		if s.deepInLeaf(name) {
			continue
		}
		// o's field is loaded (Known) and never changed in place: share it.
		s.fields[name] = f
		for i := strings.IndexByte(name, '.'); i > 0; i = nextDot(name, i) {
			s.prefixes[name[:i]] = struct{}{}
		}
		added = append(added, name)
	}
	// normalize changes only fields inside a loaded field. Fields of s
	// inside added ones need no look: a field is only added over loaded
	// ones (a prefix of theirs) when it holds fields, and a field that
	// holds fields changes nothing inside it (s was normalized).
	inside := added[:0]
	for _, n := range added {
		if s.inLoaded(n) {
			inside = append(inside, n)
		}
	}
	s.normalize(inside) // sorted, as names are
}

// holdsLoaded reports whether a loaded field lies inside name (prefixes
// may remember deleted fields).
func (s *Schema) holdsLoaded(name string) bool {
	for n := range s.fields {
		if len(n) > len(name) && n[len(name)] == '.' && strings.HasPrefix(n, name) {
			return true
		}
	}
	return false
}

// deepInLeaf reports whether name lies inside a loaded leaf field other
// than as its direct child (a multi-field): no mapping can hold it.
func (s *Schema) deepInLeaf(name string) bool {
	last := strings.LastIndexByte(name, '.')
	for j := last; j > 0; j = strings.LastIndexByte(name[:j], '.') {
		if p, ok := s.fields[name[:j]]; ok {
			return j != last && !p.Type.HoldsFields()
		}
	}
	return false
}

// complete fills what f leaves unset from old (same name and type).
func complete(f, old Field) Field {
	f.Array = f.Array || old.Array
	if len(f.AllowedValues) == 0 {
		f.AllowedValues = old.AllowedValues
	}
	if len(f.ExpectedEventTypes) == 0 {
		f.ExpectedEventTypes = old.ExpectedEventTypes
	}
	if len(f.ExpectedValues) == 0 {
		f.ExpectedValues = old.ExpectedValues
	}
	if f.ScalingFactor == 0 {
		f.ScalingFactor = old.ScalingFactor
	}
	if f.Example == "" {
		f.Example = old.Example
	}
	if f.IgnoreAbove == 0 {
		f.IgnoreAbove = old.IgnoreAbove
	}
	if len(f.MultiFields) == 0 {
		f.MultiFields = old.MultiFields
	}
	if f.ObjectType == "" {
		f.ObjectType = old.ObjectType
	}
	return f
}

// Lookup returns the field as loaded, without conventions or fallback. The
// multi-fields of loaded fields (process.name.text) count as loaded.
func (s *Schema) Lookup(name string) (Field, bool) {
	if f, ok := s.get(name); ok {
		return *f, true
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if p, ok := s.get(name[:i]); ok {
			if mf, ok := multiField(*p, name, name[i+1:]); ok {
				return mf, true
			}
		}
	}
	return Field{}, false
}

// Field returns what is known of name: the loaded definition, else a
// multi-field of a known field (process.name.text), else a key inside a
// loaded flattened field or typed object, else the naming convention that
// matches, else an unknown keyword.
func (s *Schema) Field(name string) Field {
	if f, ok := s.get(name); ok {
		return *f
	}
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		if p, ok := s.base(name[:i]); ok {
			if mf, ok := multiField(p, name, name[i+1:]); ok {
				return mf
			}
		}
		// Walk the prefixes up: the nearest loaded one decides.
		for j := i; j > 0; j = strings.LastIndexByte(name[:j], '.') {
			p, ok := s.get(name[:j])
			if !ok {
				continue
			}
			switch {
			case p.Type == estype.Flattened:
				return Field{Name: name, Type: estype.Keyword, FlattenedIn: p.Name, Known: true}
			case p.ObjectType != "" && p.Type.HoldsFields():
				return Field{Name: name, Type: p.ObjectType, Known: true}
			}
			break
		}
	}
	if f, ok := s.convention(name); ok {
		return f
	}
	return Field{Name: name, Type: estype.Keyword}
}

// base is the loaded definition of name, else its convention.
func (s *Schema) base(name string) (Field, bool) {
	if f, ok := s.get(name); ok {
		return *f, true
	}
	return s.convention(name)
}

// convention types name by the first convention that matches it.
func (s *Schema) convention(name string) (Field, bool) {
	best := -1
	last := name[strings.LastIndexByte(name, '.')+1:]
	for _, i := range s.bySuffix[last] {
		if matchConvention(s.conventions[i].pattern, name) {
			best = i
			break
		}
	}
	for _, i := range s.general {
		if best >= 0 && i > best {
			break
		}
		if matchConvention(s.conventions[i].pattern, name) {
			best = i
			break
		}
	}
	if best < 0 {
		return Field{}, false
	}
	f := s.conventions[best].field
	f.Name = name
	return f, true
}

// multiField returns parent's multi-field sub as the field name.
func multiField(parent Field, name, sub string) (Field, bool) {
	for _, m := range parent.MultiFields {
		if m.Name == sub {
			return Field{Name: name, Type: m.Type, Normalizer: m.Normalizer, MultiFieldOf: parent.Name, Known: true}, true
		}
	}
	return Field{}, false
}

func isSuffixPattern(pattern string) bool {
	return strings.HasPrefix(pattern, "*.") && !strings.ContainsAny(pattern[2:], "*?[\\")
}

func matchConvention(pattern, name string) bool {
	if isSuffixPattern(pattern) {
		return name == pattern[2:] || strings.HasSuffix(name, pattern[1:])
	}
	ok, _ := path.Match(pattern, name)
	return ok
}

// Names returns the loaded field names, sorted (multi-fields are not
// listed: they are not fields of a document).
func (s *Schema) Names() []string {
	names := make([]string, 0, s.Len())
	for n := range s.each {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Len is the number of loaded fields.
func (s *Schema) Len() int {
	if s.under == nil {
		return len(s.fields)
	}
	return len(s.fields) - s.nils + len(s.under.fields) - s.hidden
}

// Types returns what the query evaluators need to know of a field to
// compare its values as Elasticsearch does: its type, a keyword's
// normalizer, a scaled_float's scaling factor.
func (s *Schema) Types() estype.Lookup {
	return func(name string) estype.Mapping { return s.Field(name).Mapping() }
}

// Mapping is the part of f that changes how its values compare.
func (f Field) Mapping() estype.Mapping {
	return estype.Mapping{Type: f.Type, Normalizer: f.Normalizer, ScalingFactor: f.ScalingFactor, IgnoreAbove: f.IgnoreAbove}
}

// Match returns, sorted, the concrete field names that the KQL wildcard
// field pattern matches: "*" stands for any run of characters, dots
// included, possibly empty (as Kibana expands "process.*.name" or "*.ip").
// The candidates are the loaded fields and their multi-fields, except the
// object and nested fields, which hold no value of their own. A pattern
// without "*" matches itself when the schema knows it.
func (s *Schema) Match(pattern string) []string {
	var out []string
	for name, f := range s.each {
		if !f.Type.HoldsFields() && wildcard.MatchString(pattern, name) {
			out = append(out, name)
		}
		for _, m := range f.MultiFields {
			if full := name + "." + m.Name; wildcard.MatchString(pattern, full) {
				if _, dup := s.get(full); !dup {
					out = append(out, full)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
