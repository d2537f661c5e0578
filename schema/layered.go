package schema

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// A layered schema is a flat top layer (Schema.fields) over a read-only
// lower layer (Schema.under): a rule's schema is the base schema and its
// few non-ECS and endpoint fields on top of the fields of the integration
// data streams it reads, which many rules share. Filled makes one without
// copying the lower layer; it answers every question exactly as the flat
// schema that Clone and Fill make would.

// get is the loaded field name, in the top layer, else in the lower one.
func (s *Schema) get(name string) (*Field, bool) {
	f, ok := s.fields[name]
	if s.under == nil || ok {
		return f, f != nil
	}
	f, ok = s.under.fields[name]
	return f, ok
}

// each yields every loaded field, in no order.
func (s *Schema) each(yield func(string, *Field) bool) {
	for n, f := range s.fields {
		if f != nil && !yield(n, f) {
			return
		}
	}
	if s.under == nil {
		return
	}
	for n, f := range s.under.fields {
		if _, top := s.fields[n]; !top && !yield(n, f) {
			return
		}
	}
}

// flatten turns a layered s into the flat schema with the same fields,
// before it changes. Its prefixes may then name fields that the top layer
// hides, as prefixes may.
func (s *Schema) flatten() {
	if s.under == nil {
		return
	}
	fields := make(map[string]*Field, s.Len())
	for n, f := range s.each {
		fields[n] = f
	}
	prefixes := maps.Clone(s.under.prefixes)
	for p := range s.prefixes {
		prefixes[p] = struct{}{}
	}
	s.fields, s.prefixes, s.under, s.hidden, s.nils = fields, prefixes, nil, 0, 0
}

// flat is s if it is flat, else a flat copy of it.
func (s *Schema) flat() *Schema {
	if s.under == nil {
		return s
	}
	c := s.Clone()
	c.flatten()
	return c
}

// fillIndex is what Fill and Filled need to know of a schema they fill
// with, made once per schema.
type fillIndex struct {
	// clean: no leaf field (one that holds no fields) has a field inside
	// it, as a multi-field or deeper. Then Fill adds every field that is
	// unrelated to the filled schema's fields (see related) as it is,
	// whatever the order it takes them in: only the related ones need
	// Fill's work, in name order.
	clean bool
	// within caches insideEach: name -> the loaded names inside it.
	within sync.Map
}

// fillIndex is s's fillIndex (s flat), made when first needed: for a
// shared schema such as Integrations.Select's results and data streams,
// concurrent calls may make it twice, and keep one.
func (s *Schema) fillIndex() *fillIndex {
	if x := s.index.Load(); x != nil {
		return x
	}
	x := &fillIndex{clean: true}
	// A leaf holds a field only if it is a prefix of some name (prefixes
	// may remember deleted fields: look then).
	var leaves map[string]bool
	for n, f := range s.fields {
		if _, ok := s.prefixes[n]; ok && !f.Type.HoldsFields() {
			if leaves == nil {
				leaves = map[string]bool{}
			}
			leaves[n] = true
		}
	}
	if len(s.inside(leaves)) > 0 {
		x.clean = false
	}
	s.index.CompareAndSwap(nil, x)
	return s.index.Load()
}

// inside returns the loaded names inside those of set, in no order.
func (s *Schema) inside(set map[string]bool) []string {
	var out []string
	s.eachInside(set, func(name, _ string) bool {
		out = append(out, name)
		return false
	})
	return out
}

// eachInside calls fn with each loaded name inside one of set's and that
// one, the nearest first; fn returns whether to go on to the name's
// farther ones in set.
func (s *Schema) eachInside(set map[string]bool, fn func(name, in string) bool) {
	if len(set) == 0 {
		return
	}
	// A name lies inside one of them only if its first part is theirs:
	// most names are passed over with one look-up.
	firsts := map[string]bool{}
	for n := range set {
		firsts[firstPart(n)] = true
	}
	for name := range s.fields {
		if !firsts[firstPart(name)] {
			continue
		}
		for j := strings.LastIndexByte(name, '.'); j > 0; j = strings.LastIndexByte(name[:j], '.') {
			if set[name[:j]] && !fn(name, name[:j]) {
				break
			}
		}
	}
}

// insideEach appends to out the loaded names inside each of names (s
// flat, shared and never changed: the answers are kept in its fillIndex,
// as the rule schemas layered over s ask about the same names).
func (s *Schema) insideEach(names []string, out []string) []string {
	x := s.fillIndex()
	var todo map[string]bool
	for _, n := range names {
		if v, ok := x.within.Load(n); ok {
			out = append(out, v.([]string)...)
			continue
		}
		if todo == nil {
			todo = map[string]bool{}
		}
		todo[n] = true
	}
	if len(todo) == 0 {
		return out
	}
	found := map[string][]string{}
	s.eachInside(todo, func(name, in string) bool {
		found[in] = append(found[in], name)
		return true
	})
	for n := range todo {
		x.within.Store(n, found[n])
		out = append(out, found[n]...)
	}
	return out
}

// related reports whether Fill must weigh name against the fields of s
// (flat): s has a field or a prefix of that name, or a field holding it.
func (s *Schema) related(name string) bool {
	if _, ok := s.fields[name]; ok {
		return true
	}
	if _, ok := s.prefixes[name]; ok {
		return true
	}
	return s.inLoaded(name)
}

// Filled returns t with o's fields filled in (t.Clone() then Fill(o)),
// layered over o: the fields of o that are not related to t's (see
// related) are taken as they are, and only the few related ones are
// filled into a copy of t. o must not change afterwards:
// Integrations.Select's schemas never do. The result is a schema like any
// other; changing it (Set, Merge, Fill) first makes it flat.
func Filled(t, o *Schema) *Schema {
	t = t.flat()
	if o.under != nil || !o.fillIndex().clean {
		c := t.Clone()
		c.Fill(o)
		return c
	}
	// The fields of o related to t: equal to a name of t or to one of
	// its prefixes, or inside one of its fields (o has names inside a
	// name only when it is one of its prefixes).
	var related, holding []string
	for n := range t.fields {
		if _, ok := o.fields[n]; ok {
			related = append(related, n)
		}
		if _, ok := o.prefixes[n]; ok {
			holding = append(holding, n)
		}
	}
	related = o.insideEach(holding, related)
	for p := range t.prefixes {
		if _, ok := t.fields[p]; ok {
			continue // done above
		}
		if _, ok := o.fields[p]; ok {
			related = append(related, p)
		}
	}
	slices.Sort(related)
	related = slices.Compact(related)
	c := t.Clone()
	c.fill(o, related)
	// The related fields that Fill left out or made multi-fields hide
	// o's.
	for _, n := range related {
		if _, ok := c.fields[n]; !ok {
			c.fields[n] = nil
			c.nils++
		}
	}
	c.under = o
	c.hidden = len(related)
	return c
}
