package es

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/emit-sec/emit/es/estype"
)

// Conflict is a field that emit's mapping and an existing index type
// differently.
type Conflict struct {
	// Index is the concrete index (a data stream's backing index, or the
	// index an index template would create).
	Index string
	// Field is the dotted field name.
	Field string
	// Ours is the type in emit's mapping; Theirs the type in the index
	// ("" when the index doesn't map the field, "object" for objects).
	Ours, Theirs string
	// Blocking: Elasticsearch will reject emit's documents (or their
	// values cannot be indexed as the rules expect). Non-blocking
	// differences are accepted but may change how queries match.
	Blocking bool
	// Why explains the consequence.
	Why string
}

func (c Conflict) String() string {
	theirs := "doesn't map it"
	if c.Theirs != "" {
		theirs = "maps " + c.Theirs
	}
	return fmt.Sprintf("%s: emit maps %s, %s %s: %s", c.Field, c.Ours, c.Index, theirs, c.Why)
}

// mnode is a node of a mapping: an object or a leaf field.
type mnode struct {
	typ     string // "object", "nested" or a leaf type
	props   map[string]*mnode
	dynamic string // "", "true", "false", "strict", "runtime"
	enabled bool
}

// parseMappingJSON reads {"properties": ...} (or {"mappings": {...}}).
func parseMappingJSON(b []byte) (*mnode, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return &mnode{typ: "object", props: map[string]*mnode{}, enabled: true}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("the mapping is not a JSON object")
	}
	if inner, ok := m["mappings"].(map[string]any); ok {
		m = inner
	}
	return mappingTree(m), nil
}

// mappingTree builds the tree of a mapping object, expanding dotted names.
// Unknown or malformed parts are ignored: this reads mappings to compare
// them, Elasticsearch validates them.
func mappingTree(m map[string]any) *mnode {
	root := &mnode{typ: "object", props: map[string]*mnode{}, enabled: true}
	fillNode(root, m)
	return root
}

func fillNode(n *mnode, def map[string]any) {
	switch d := def["dynamic"].(type) {
	case bool:
		n.dynamic = fmt.Sprint(d)
	case string:
		n.dynamic = d
	}
	if e, ok := def["enabled"].(bool); ok {
		n.enabled = e
	}
	props, _ := def["properties"].(map[string]any)
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		sub, ok := props[name].(map[string]any)
		if !ok {
			continue
		}
		parts := strings.Split(name, ".")
		parent := n
		for _, p := range parts[:len(parts)-1] {
			next := parent.props[p]
			if next == nil {
				next = &mnode{typ: "object", props: map[string]*mnode{}, enabled: true}
				parent.props[p] = next
			}
			if next.props == nil {
				next.props = map[string]*mnode{}
			}
			parent = next
		}
		last := parts[len(parts)-1]
		typ, _ := sub["type"].(string)
		if typ == "" {
			typ = "object"
		}
		child := parent.props[last]
		if child == nil || child.typ != typ {
			child = &mnode{typ: typ, enabled: true}
			parent.props[last] = child
		}
		if typ == "object" || typ == "nested" {
			if child.props == nil {
				child.props = map[string]*mnode{}
			}
			fillNode(child, sub)
		}
	}
}

// leaves lists the leaf fields (dotted path -> type), sorted by path.
func (n *mnode) leaves() [][2]string {
	var out [][2]string
	var walk func(prefix string, n *mnode)
	walk = func(prefix string, n *mnode) {
		names := make([]string, 0, len(n.props))
		for k := range n.props {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			c := n.props[k]
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			if c.typ == "object" || c.typ == "nested" {
				walk(p, c)
				continue
			}
			out = append(out, [2]string{p, c.typ})
		}
	}
	walk("", n)
	return out
}

func isObject(typ string) bool { return typ == "object" || typ == "nested" }

// compareMappings compares emit's mapping with an index's and returns the
// conflicts, and the notes about fields the index doesn't map.
func compareMappings(index string, ours, theirs *mnode) (conflicts []Conflict, notes []string) {
	var dynamic, unindexed, runtime []string
	rootDyn := theirs.dynamic
	if rootDyn == "" {
		rootDyn = "true"
	}
	for _, leaf := range ours.leaves() {
		path, typ := leaf[0], leaf[1]
		parts := strings.Split(path, ".")
		cur, dyn := theirs, rootDyn
		for i, part := range parts {
			if !cur.enabled {
				unindexed = append(unindexed, path)
				break
			}
			next := cur.props[part]
			if next == nil {
				switch dyn {
				case "strict":
					conflicts = append(conflicts, Conflict{Index: index, Field: path, Ours: typ, Blocking: true,
						Why: "the mapping is strict (dynamic: strict): documents with this field are rejected"})
				case "false":
					unindexed = append(unindexed, path)
				case "runtime":
					runtime = append(runtime, path)
				default:
					dynamic = append(dynamic, path)
				}
				break
			}
			if next.dynamic != "" {
				dyn = next.dynamic
			}
			if i < len(parts)-1 {
				if next.typ == "flattened" {
					break
				}
				if !isObject(next.typ) {
					prefix := strings.Join(parts[:i+1], ".")
					conflicts = append(conflicts, Conflict{Index: index, Field: path, Ours: typ, Theirs: next.typ + " at " + prefix,
						Blocking: true, Why: fmt.Sprintf("%s is a %s field, emit writes an object under it: documents are rejected", prefix, next.typ)})
					break
				}
				cur = next
				continue
			}
			if isObject(next.typ) {
				if typ == "flattened" {
					conflicts = append(conflicts, Conflict{Index: index, Field: path, Ours: typ, Theirs: next.typ,
						Why: "the index maps the object's keys one by one (dynamically)"})
				} else {
					conflicts = append(conflicts, Conflict{Index: index, Field: path, Ours: typ, Theirs: next.typ, Blocking: true,
						Why: "the index maps an object there, emit writes a value: documents are rejected"})
				}
				break
			}
			if c, ok := compatible(typ, next.typ); !ok {
				c.Index, c.Field = index, path
				conflicts = append(conflicts, c)
			}
		}
	}
	if len(dynamic) > 0 {
		notes = append(notes, fmt.Sprintf("%s doesn't map %s: Elasticsearch will map %s dynamically (strings become text + keyword), which may not match how the rules query %s",
			index, countFields(dynamic), them(dynamic), them(dynamic)))
	}
	if len(unindexed) > 0 {
		notes = append(notes, fmt.Sprintf("%s doesn't index %s (dynamic: false or enabled: false): the values are stored but queries on them won't match",
			index, countFields(unindexed)))
	}
	if len(runtime) > 0 {
		notes = append(notes, fmt.Sprintf("%s maps %s as runtime fields (dynamic: runtime)", index, countFields(runtime)))
	}
	return conflicts, notes
}

func them(list []string) string {
	if len(list) == 1 {
		return "it"
	}
	return "them"
}

func countFields(list []string) string {
	const show = 5
	names := list
	more := ""
	if len(names) > show {
		more = fmt.Sprintf(", ... (%d more)", len(names)-show)
		names = names[:show]
	}
	word := "fields"
	if len(list) == 1 {
		word = "field"
	}
	return fmt.Sprintf("%d %s (%s%s)", len(list), word, strings.Join(names, ", "), more)
}

// family groups field types by how their values are written (es/estype):
// strings, integers, floats, dates; the other types stand for themselves
// (ip, boolean, geo_point, flattened, binary, alias), or are "other".
func family(typ string) string {
	t := estype.Type(typ)
	switch t.Family() {
	case estype.KeywordFamily, estype.TextFamily:
		if t.Known() || typ == "counted_keyword" {
			return "string"
		}
	case estype.IntegerFamily:
		if t != estype.TokenCount {
			return "integer"
		}
	case estype.FloatFamily:
		return "float"
	case estype.DateFamily:
		return "date"
	}
	switch t {
	case estype.IP, estype.Boolean, estype.GeoPoint, estype.Flattened, estype.Binary, estype.Alias:
		return typ
	}
	return "other"
}

// intRank orders integer types by their range; floatRank floating-point
// types by their precision (a scaled_float's depends on its factor: it
// ranks with float).
func intRank(typ string) float64 {
	_, hi, _ := estype.Type(typ).Bounds()
	return hi
}

func floatRank(typ string) int {
	if estype.Type(typ) == estype.ScaledFloat {
		return estype.Float.SignificandBits()
	}
	return estype.Type(typ).SignificandBits()
}

// compatible tells what happens when emit writes values of type ours into a
// field of type theirs. ok: same type; otherwise the conflict (without
// Index and Field).
func compatible(ours, theirs string) (Conflict, bool) {
	if ours == theirs {
		return Conflict{}, true
	}
	c := Conflict{Ours: ours, Theirs: theirs}
	note := func(why string) (Conflict, bool) { c.Why = why; return c, false }
	block := func(why string) (Conflict, bool) { c.Blocking = true; c.Why = why; return c, false }
	fo, ft := family(ours), family(theirs)
	switch {
	case theirs == "alias":
		return block("the index maps a field alias: Elasticsearch refuses writes to it")
	case theirs == "constant_keyword":
		return note("constant_keyword accepts only its one value: documents with another value are rejected")
	case theirs == "flattened":
		return note("the index stores the value in a flattened field: typed queries (ranges, CIDR) won't apply")
	case fo == "other" || ft == "other":
		return note("typed differently; emit can't tell whether Elasticsearch accepts the values")
	case fo == ft:
		switch fo {
		case "string":
			return note("both accept strings, but queries may match differently (e.g. text is analyzed, keyword is exact)")
		case "integer":
			if intRank(theirs) < intRank(ours) || (ours == "unsigned_long") != (theirs == "unsigned_long") {
				return note("values beyond the range of " + theirs + " are rejected")
			}
			return Conflict{}, true // a wider integer type takes every value
		case "float":
			if floatRank(theirs) >= floatRank(ours) {
				return Conflict{}, true
			}
			return note("precision is lower in the index")
		case "date":
			return note("date resolution differs")
		}
		return note("typed differently")
	case ft == "string" && (fo == "geo_point" || fo == "flattened"):
		return block(fmt.Sprintf("emit writes %s values as objects, which a %s field rejects", ours, theirs))
	case ft == "string":
		switch fo {
		case "integer", "float":
			return note("numbers are indexed as strings: range queries won't work as on numbers")
		case "ip":
			return note("IPs are indexed as strings: CIDR queries won't match")
		case "date":
			return note("dates are indexed as strings: date ranges won't work")
		}
		return note("values are indexed as strings")
	case (fo == "integer" && ft == "float") || (fo == "float" && ft == "integer"):
		if fo == "float" {
			return note("fractions are truncated")
		}
		return note("integers are indexed as floating point")
	case (fo == "integer" || fo == "float") && ft == "date":
		return note("numbers are read as epoch milliseconds")
	}
	return block(fmt.Sprintf("emit's %s values don't parse as %s: documents are rejected", ours, theirs))
}
