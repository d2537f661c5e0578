package schema

import (
	"slices"
	"strings"
)

// The reference implementations of Merge and Fill: the code before rule
// schemas were layered (Filled), Fill sorted and affected filtered, kept
// verbatim for the tests that compare the new code's answers with the
// old one's. They run on flat schemas only.

// MergeReference is Merge as it was.
func (s *Schema) MergeReference(o *Schema) {
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
	s.normalize(s.affectedReference(changed))
	if len(o.conventions) == 0 {
		return
	}
	cs := make([]convention, 0, len(o.conventions)+len(s.conventions))
	cs = append(cs, o.conventions...)
	cs = append(cs, s.conventions...)
	s.setConventions(cs)
}

// FillReference is Fill as it was (taking o's fields in map order).
func (s *Schema) FillReference(o *Schema) {
	names := make([]string, 0, len(o.fields))
	for name := range o.fields {
		names = append(names, name)
	}
	s.fillReference(o, names)
}

// fillReference is FillReference taking o's fields in the order of names.
func (s *Schema) fillReference(o *Schema, names []string) {
	added := make([]string, 0, len(o.fields))
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
	if len(added) > 0 {
		s.normalize(s.affectedReference(added))
	}
}

// affectedReference is affected as it was.
func (s *Schema) affectedReference(names []string) []string {
	out := slices.Clone(names)
	inside := map[string]bool{}
	for _, n := range names {
		if _, ok := s.prefixes[n]; ok {
			inside[n] = true
		}
	}
	if len(inside) > 0 {
		// A name lies inside one of them only if its first part is
		// theirs: most names are passed over with one look-up.
		firsts := map[string]bool{}
		for n := range inside {
			firsts[firstPart(n)] = true
		}
		for name := range s.fields {
			if !firsts[firstPart(name)] {
				continue
			}
			for j := strings.LastIndexByte(name, '.'); j > 0; j = strings.LastIndexByte(name[:j], '.') {
				if inside[name[:j]] {
					out = append(out, name)
					break
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Flat reports whether s is flat (not layered over another schema).
func (s *Schema) Flat() bool { return s.under == nil }

// SelectReference is Select as it was: the data streams' fields filled
// one after the other (FillReference) into a new flat schema.
func (ig *Integrations) SelectReference(sel IntegrationSelection) (*Schema, error) {
	if err := ig.load(); err != nil {
		return nil, err
	}
	_, refs, m, err := ig.pick(sel)
	if err != nil || m == nil {
		return nil, err
	}
	out := New()
	for _, r := range refs {
		s, err := r.get()
		if err != nil {
			return nil, err
		}
		out.FillReference(s)
	}
	return out, nil
}
