package schema

import (
	"maps"
	"slices"
	"sort"
	"strings"
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

// fillIndex is what Filled needs to know of the schema it fills with,
// made once per schema.
type fillIndex struct {
	// names are the loaded names, sorted: the fields inside a name x are
	// the run of names beginning with x+".".
	names []string
	// clean: no leaf field (one that holds no fields) has a field inside
	// it, as a multi-field or deeper. Only then does Fill add every field
	// that is unrelated to the filled schema's fields as it is, whatever
	// the order it takes them in, so that only the related ones need
	// Fill's work.
	clean bool
}

// fillIndex is s's fillIndex, made when first needed (by Filled, for a
// shared schema such as Integrations.Select's results: concurrent calls
// may make it twice, and keep one).
func (s *Schema) fillIndex() *fillIndex {
	if x := s.index.Load(); x != nil {
		return x
	}
	x := &fillIndex{names: make([]string, 0, len(s.fields)), clean: true}
	for n := range s.fields {
		x.names = append(x.names, n)
	}
	sort.Strings(x.names)
	for _, n := range x.names {
		f := s.fields[n]
		if f.Type.HoldsFields() {
			continue
		}
		if lo, hi := x.inside(n); lo < hi {
			x.clean = false
			break
		}
	}
	s.index.CompareAndSwap(nil, x)
	return s.index.Load()
}

// inside is the range of names that lie inside name.
func (x *fillIndex) inside(name string) (lo, hi int) {
	p := name + "."
	lo = sort.SearchStrings(x.names, p)
	hi = lo
	for hi < len(x.names) && strings.HasPrefix(x.names[hi], p) {
		hi++
	}
	return lo, hi
}

// Filled returns t with o's fields filled in (t.Clone() then Fill(o)),
// layered over o: the fields of o that no field of t is related to (none
// of t's names is inside or equal to them, nor are they inside one of t's
// fields) are taken as they are, and only the few related ones are filled
// into a copy of t. o must not change afterwards: Integrations.Select's
// schemas never do. The result is a schema like any other; changing it
// (Set, Merge, Fill) first makes it flat.
func Filled(t, o *Schema) *Schema {
	t = t.flat()
	if o.under != nil {
		c := t.Clone()
		c.Fill(o)
		return c
	}
	x := o.fillIndex()
	if !x.clean {
		c := t.Clone()
		c.Fill(o)
		return c
	}
	// The fields of o related to t: equal to a name of t or to one of
	// its prefixes, or inside one of its fields.
	var related []string
	for n := range t.fields {
		if _, ok := o.fields[n]; ok {
			related = append(related, n)
		}
		lo, hi := x.inside(n)
		related = append(related, x.names[lo:hi]...)
	}
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
