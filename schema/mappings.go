package schema

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/emit-sec/emit/es/estype"
)

// defaultScalingFactor is used for a scaled_float whose schema gives no
// scaling_factor (Elasticsearch requires one): ECS's choice for all its
// scaled_floats.
const defaultScalingFactor = 1000

// MappingError is a field set that no mapping can hold: Field would be a
// leaf (of type Type) and an object, the parent of Child.
type MappingError struct {
	Field string
	Type  estype.Type
	Child string
}

func (e *MappingError) Error() string {
	return fmt.Sprintf("mappings: field %s is a %s, not an object, but field %s is inside it", e.Field, e.Type, e.Child)
}

// mnode is a node of the mapping tree: a leaf field or an object.
type mnode struct {
	name     string // full dotted name
	field    *Field // the leaf (or typed object) declared here, if any
	children map[string]*mnode
	// via is a field that made this node an object, for errors.
	via string
}

// Mappings returns the Elasticsearch mappings ({"properties": ...},
// indented JSON with keys in a fixed order) for fields and @timestamp,
// typed from the schema (keyword where unknown): dotted names become
// nested object properties, nested fields are "type": "nested", and each
// field carries the parameters its type needs (scaling_factor, ignore_above
// where the schema sets it, multi-fields as "fields"). A multi-field
// (process.name.text) maps its parent with the multi-field, a key inside a
// flattened field maps the flattened field. Names containing "*" become
// dynamic_templates (path_match) with the type the schema gives the names
// the pattern matches, else keyword. A field that would be both a leaf and
// an object is an error (*MappingError) naming both fields.
func (s *Schema) Mappings(fields []string) ([]byte, error) {
	root := &mnode{children: map[string]*mnode{}}
	patterns := map[string]bool{}
	all := append([]string{"@timestamp"}, fields...)
	// Insert shorter names first so that errors name the leaf, then the
	// field inside it, in a stable order.
	sort.SliceStable(all, func(i, j int) bool { return all[i] < all[j] })
	for _, name := range all {
		if strings.Contains(name, "*") {
			patterns[name] = true
			continue
		}
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("mappings: %w", err)
		}
		f := s.Field(name)
		switch {
		case name == "@timestamp" && !f.Known:
			f = Field{Name: name, Type: estype.Date, Known: true}
		case f.MultiFieldOf != "":
			f = s.Field(f.MultiFieldOf)
		case f.FlattenedIn != "":
			f = s.Field(f.FlattenedIn)
		}
		if err := root.insert(s, f, name); err != nil {
			return nil, err
		}
	}
	root.prune()
	out := map[string]any{"properties": root.properties()}
	if len(patterns) > 0 {
		names := sortedKeys(patterns)
		templates := make([]any, 0, len(names))
		for _, p := range names {
			templates = append(templates, map[string]any{
				p: map[string]any{
					"path_match": p,
					"mapping":    leafMapping(s.patternField(p)),
				},
			})
		}
		out["dynamic_templates"] = templates
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// patternField is the field definition a dynamic template gives the names
// that pattern matches: the type of the schema's fields it matches when
// they agree (with the parameters they all share), else what the
// conventions give the pattern itself ("*.ip" is typed by the convention
// *.ip), else keyword.
func (s *Schema) patternField(pattern string) Field {
	var common *Field
	for _, name := range s.Match(pattern) {
		f := s.Field(name)
		if f.MultiFieldOf != "" {
			continue
		}
		if common == nil {
			common = &Field{Name: pattern, Type: f.Type, ScalingFactor: f.ScalingFactor, IgnoreAbove: f.IgnoreAbove, MultiFields: f.MultiFields}
			continue
		}
		if common.Type != f.Type {
			common = nil
			break
		}
		if common.ScalingFactor != f.ScalingFactor {
			common.ScalingFactor = 0
		}
		if common.IgnoreAbove != f.IgnoreAbove {
			common.IgnoreAbove = 0
		}
		if !slices.Equal(common.MultiFields, f.MultiFields) {
			common.MultiFields = nil
		}
	}
	if common != nil {
		return *common
	}
	if f, ok := s.convention(pattern); ok {
		return f
	}
	return Field{Name: pattern, Type: estype.Keyword}
}

// insert adds field f under the dotted name key (f.Name, or the name that
// asked for it for errors).
func (n *mnode) insert(s *Schema, f Field, asked string) error {
	parts := strings.Split(f.Name, ".")
	cur := n
	for i, part := range parts {
		child, ok := cur.children[part]
		if !ok {
			child = &mnode{name: strings.Join(parts[:i+1], ".")}
			cur.children[part] = child
		}
		last := i == len(parts)-1
		if !last {
			if child.field != nil && !child.field.Type.HoldsFields() {
				if child.field.Type == estype.Flattened {
					return nil // keys inside a flattened field need no mapping
				}
				return &MappingError{Field: child.name, Type: child.field.Type, Child: asked}
			}
			if child.children == nil {
				child.children = map[string]*mnode{}
			}
			if child.via == "" {
				child.via = asked
			}
			if child.field == nil {
				// An intermediate object the schema declares (nested,
				// typed object) keeps its declaration.
				if pf, ok := s.Lookup(child.name); ok && pf.Type.HoldsFields() {
					child.field = &pf
				}
			}
			cur = child
			continue
		}
		if child.field != nil && child.field.Name == f.Name {
			return nil // already there (a field and its multi-field)
		}
		if len(child.children) > 0 && !f.Type.HoldsFields() && f.Type != estype.Flattened {
			return &MappingError{Field: f.Name, Type: f.Type, Child: child.via}
		}
		fc := f
		child.field = &fc
	}
	return nil
}

// prune drops the children of flattened fields, which their mapping
// covers.
func (n *mnode) prune() {
	for _, c := range n.children {
		if c.field != nil && c.field.Type == estype.Flattened {
			c.children = nil
			continue
		}
		c.prune()
	}
}

// properties renders the children of n.
func (n *mnode) properties() map[string]any {
	props := make(map[string]any, len(n.children))
	for part, c := range n.children {
		props[part] = c.mapping()
	}
	return props
}

func (n *mnode) mapping() map[string]any {
	if len(n.children) == 0 {
		if n.field == nil {
			return map[string]any{"type": "object"}
		}
		return leafMapping(*n.field)
	}
	m := map[string]any{"properties": n.properties()}
	if n.field != nil && n.field.Type == estype.Nested {
		m["type"] = "nested"
	}
	return m
}

// leafMapping is the mapping of one field with the parameters its type
// needs.
func leafMapping(f Field) map[string]any {
	m := map[string]any{"type": f.Type}
	switch f.Type {
	case estype.ScaledFloat:
		sf := f.ScalingFactor
		if sf <= 0 {
			sf = defaultScalingFactor
		}
		m["scaling_factor"] = sf
	case estype.Keyword, estype.Wildcard, estype.Flattened:
		if f.IgnoreAbove > 0 {
			m["ignore_above"] = f.IgnoreAbove
		}
	}
	if f.Normalizer != "" && f.Type == estype.Keyword {
		m["normalizer"] = f.Normalizer
	}
	if len(f.MultiFields) > 0 {
		mf := make(map[string]any, len(f.MultiFields))
		for _, sub := range f.MultiFields {
			sm := map[string]any{"type": sub.Type}
			if sub.Normalizer != "" && sub.Type == estype.Keyword {
				sm["normalizer"] = sub.Normalizer
			}
			mf[sub.Name] = sm
		}
		m["fields"] = mf
	}
	return m
}
