// Package document assembles generated field values into Elasticsearch
// documents: nested JSON objects (never dotted keys), built with sjson.
package document

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/date"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Builder turns (field, JSON value) pairs into a nested JSON document. It
// caches the sjson path of every field name it has seen. A Builder is not
// safe for concurrent use.
//
// Documents with the same field list share a shape, so the Builder lays out
// each shape once with sjson (with placeholders for the values, object by
// object) and then fills the layout: the nesting logic stays sjson's, and
// the per-document cost is a few copies. Shapes are shared by all
// Builders.
type Builder struct {
	paths  map[string]string
	segs   map[string]string // the sjson paths of name segments
	opts   sjson.Options
	shapes map[string]*shape
	key    []byte
	// boxed holds the scalar values decodeTree has made, by their JSON
	// text (see maxBoxedDocs).
	boxed     map[string]any
	boxedDocs int
	// at is where the last document's values went, by slot+1 (@timestamp
	// first).
	at [][2]int
}

// shape is the layout of a document: static JSON text around the values.
// parts[i] precedes the value slots[i]; tail follows the last value.
type shape struct {
	parts [][]byte
	slots []int // index into the field list; -1 is @timestamp
	tail  []byte
	// tree is the objects of the document and where each value goes, for
	// BuildDecoded (unless !decodable: it decodes the document).
	tree      []skel
	decodable bool
}

// sharedShapes holds the shapes laid out so far by field list, for every
// Builder (the emitters of emit check, one per rule, lay out many of the
// same documents); at most maxShared of them (a Builder keeps its own
// beyond).
var (
	sharedShapes sync.Map // string (a Builder's key) → *shape
	sharedCount  atomic.Int64
)

const maxShared = 1 << 12

// NewBuilder returns a Builder.
func NewBuilder() *Builder {
	return &Builder{
		paths:  map[string]string{},
		segs:   map[string]string{},
		boxed:  map[string]any{},
		opts:   sjson.Options{Optimistic: true, ReplaceInPlace: true},
		shapes: map[string]*shape{},
	}
}

// TimestampField is the field every document carries.
const TimestampField = "@timestamp"

// Build appends to dst the document with @timestamp ts (unless fields sets
// it) and the fields, in order. Values must be valid JSON.
func (b *Builder) Build(dst []byte, ts time.Time, fields []string, values [][]byte) ([]byte, error) {
	dst, _, err := b.fill(dst, ts, fields, values)
	return dst, err
}

// BuildDecoded appends the document as Build does, and returns it as
// Decode reads it too (nil when Decode fails on it), made from the values
// without reading the document back: its objects are known from its
// shape, each value is decoded alone (from one copy of the document, as
// Decode reads it).
func (b *Builder) BuildDecoded(dst []byte, ts time.Time, fields []string, values [][]byte) ([]byte, map[string]any, error) {
	start := len(dst)
	dst, sh, err := b.fill(dst, ts, fields, values)
	if err != nil {
		return dst, nil, err
	}
	if sh.decodable {
		text := string(dst[start:])
		// The cached values are parts of the texts of the documents decoded
		// since it was cleared: keep few of those alive.
		if b.boxedDocs++; b.boxedDocs > maxBoxedDocs {
			clear(b.boxed)
			b.boxedDocs = 1
		}
		if doc, ok := b.decodeTree(sh.tree, text, start); ok {
			return dst, doc, nil
		}
	}
	doc, err := Decode(dst[start:])
	if err != nil {
		return dst, nil, nil
	}
	return dst, doc, nil
}

// maxBoxedDocs bounds the documents whose values Builder.boxed holds.
const maxBoxedDocs = 256

// decodeTree makes the object of tree from the values in text (the
// document, built at start); ok is false when a value is not one Decode
// reads as gjson does (invalid JSON or UTF-8, or surrounding space).
func (b *Builder) decodeTree(tree []skel, text string, start int) (map[string]any, bool) {
	obj := make(map[string]any, len(tree))
	for _, k := range tree {
		if k.slot < -1 {
			kid, ok := b.decodeTree(k.kids, text, start)
			if !ok {
				return nil, false
			}
			obj[k.name] = kid
			continue
		}
		at := b.at[k.slot+1]
		v := text[at[0]-start : at[1]-start]
		if k.slot == -1 {
			obj[k.name] = v[1 : len(v)-1] // a formatted date, quoted
			continue
		}
		if x, ok := b.boxed[v]; ok {
			obj[k.name] = x
			continue
		}
		if len(v) == 0 || v[0] <= ' ' || v[len(v)-1] <= ' ' || !utf8.ValidString(v) || !gjson.Valid(v) {
			return nil, false
		}
		x := jsonValue(gjson.Parse(v))
		switch x.(type) {
		case string, json.Number, bool, nil:
			// Immutable: shared by the documents holding the same value.
			b.boxed[v] = x
		}
		obj[k.name] = x
	}
	return obj, true
}

// fill appends the document of the fields' shape (laid out on first use).
func (b *Builder) fill(dst []byte, ts time.Time, fields []string, values [][]byte) ([]byte, *shape, error) {
	b.key = b.key[:0]
	for _, f := range fields {
		b.key = append(b.key, f...)
		b.key = append(b.key, 0)
	}
	sh, ok := b.shapes[string(b.key)]
	if !ok {
		if x, shared := sharedShapes.Load(string(b.key)); shared {
			sh = x.(*shape)
		} else {
			var err error
			if sh, err = b.layout(fields); err != nil {
				return dst, nil, err
			}
			if sharedCount.Load() < maxShared {
				if _, loaded := sharedShapes.LoadOrStore(string(b.key), sh); !loaded {
					sharedCount.Add(1)
				}
			}
		}
		b.shapes[string(b.key)] = sh
	}
	b.at = slices.Grow(b.at[:0], len(fields)+1)[:len(fields)+1]
	for i, slot := range sh.slots {
		dst = append(dst, sh.parts[i]...)
		b.at[slot+1] = [2]int{len(dst), 0}
		if slot < 0 {
			dst = append(dst, '"')
			dst = date.AppendFormat(dst, ts)
			dst = append(dst, '"')
		} else {
			dst = append(dst, values[slot]...)
		}
		b.at[slot+1][1] = len(dst)
	}
	return append(dst, sh.tail...), sh, nil
}

// layout builds the shape of a field list: the document with placeholder
// values, cut at the placeholders.
func (b *Builder) layout(fields []string) (*shape, error) {
	vals := make([][]byte, len(fields))
	for i := range fields {
		vals[i] = []byte(placeholder(i))
	}
	doc, tree, ok := b.buildNested(fields, vals)
	if !ok {
		var err error
		if doc, err = b.build(nil, fields, vals); err != nil {
			return nil, err
		}
		tree, ok = skeleton(doc)
	}
	sh := &shape{}
	prev := 0
	for at := 0; ; {
		i := bytes.Index(doc[at:], slotPrefix)
		if i < 0 {
			break
		}
		at += i
		end := bytes.IndexByte(doc[at+len(slotPrefix):], 0)
		slot, err := strconv.Atoi(string(doc[at+len(slotPrefix) : at+len(slotPrefix)+end]))
		if err != nil || slot < -1 || slot >= len(fields) {
			return nil, fmt.Errorf("laying out %v: a stray placeholder", fields)
		}
		n := len(slotPrefix) + end + 2 // the NUL and the closing quote
		sh.parts = append(sh.parts, doc[prev:at])
		sh.slots = append(sh.slots, slot)
		at += n
		prev = at
	}
	sh.tail = doc[prev:]
	sh.tree, sh.decodable = tree, ok && plainNames(tree)
	return sh, nil
}

// slotPrefix opens every placeholder.
var slotPrefix = []byte("\"\u0000emit-slot-")

// placeholder is a JSON string no generated value can equal (values are
// spliced in place of it, never searched for).
func placeholder(i int) string { return "\"\u0000emit-slot-" + strconv.Itoa(i) + "\u0000\"" }

// build lays out a document with sjson, field after field on the whole
// document; @timestamp gets placeholder -1 unless the fields set it.
func (b *Builder) build(dst []byte, fields []string, values [][]byte) ([]byte, error) {
	start := len(dst)
	hasTS := slices.Contains(fields, TimestampField)
	dst = append(dst, '{')
	if !hasTS {
		dst = append(dst, `"@timestamp":`...)
		dst = append(dst, placeholder(-1)...)
	}
	dst = append(dst, '}')
	doc := dst[start:]
	var err error
	for i, f := range fields {
		if doc, err = sjson.SetRawBytesOptions(doc, b.path(f), values[i], &b.opts); err != nil {
			return dst[:start], err
		}
	}
	return append(dst[:start], doc...), nil
}

// buildNested lays out the same document as build, object by object:
// each object's members are set with sjson into that object alone (an
// inner object once built is set as its member's value), in the order
// their names first appear in fields, which is the order build's sjson
// calls create them. sjson then scans small objects rather than the whole
// document once per field. It returns the document's skeleton too. ok is
// false, and the caller uses build, when a field list has what only
// build's sequence of sets defines: a name set twice, a name that is also
// the prefix of another (a value and an object), an empty name segment or
// one that is not plain (see plainName: sjson writes such keys so that it
// may not find them again), or a failing set.
func (b *Builder) buildNested(fields []string, values [][]byte) ([]byte, []skel, bool) {
	segs := make([][]string, len(fields))
	idx := make([]int, len(fields))
	hasTS := false
	for i, f := range fields {
		segs[i] = strings.Split(f, ".")
		for _, seg := range segs[i] {
			if seg == "" || !plainName(seg) {
				return nil, nil, false
			}
		}
		idx[i] = i
		hasTS = hasTS || f == TimestampField
	}
	top := []byte(`{}`)
	var tree []skel
	if !hasTS {
		top = append([]byte(`{"@timestamp":`), placeholder(-1)...)
		top = append(top, '}')
		tree = append(tree, skel{name: TimestampField, slot: -1})
	}
	return b.object(top, tree, segs, values, idx, 0, !hasTS)
}

// object sets in obj the members at depth of the fields idx (whose names
// share their first depth segments), and adds them to tree.
func (b *Builder) object(obj []byte, tree []skel, segs [][]string, values [][]byte, idx []int, depth int, implicitTS bool) ([]byte, []skel, bool) {
	// The members' names in order of first appearance, each with its
	// fields (objects have few members: a linear search), gathered in one
	// slice member by member.
	var names []string
	member := make([]int, len(idx))
	for j, i := range idx {
		name := segs[i][depth]
		k := 0
		for k < len(names) && names[k] != name {
			k++
		}
		if k == len(names) {
			names = append(names, name)
		}
		member[j] = k
	}
	type group struct {
		name   string
		fields []int
	}
	members := make([]group, len(names))
	grouped := make([]int, 0, len(idx))
	for k, name := range names {
		lo := len(grouped)
		for j, i := range idx {
			if member[j] == k {
				grouped = append(grouped, i)
			}
		}
		members[k] = group{name, grouped[lo:len(grouped):len(grouped)]}
	}
	for _, m := range members {
		g := m.fields
		if implicitTS && m.name == TimestampField {
			return nil, nil, false // a field under the implicit @timestamp value
		}
		var val []byte
		k := skel{name: m.name, slot: -2}
		if len(segs[g[0]]) == depth+1 {
			if len(g) > 1 {
				return nil, nil, false // set twice, or also an object
			}
			val, k.slot = values[g[0]], g[0]
		} else {
			for _, i := range g {
				if len(segs[i]) == depth+1 {
					return nil, nil, false // a value and an object
				}
			}
			var ok bool
			if val, k.kids, ok = b.object([]byte(`{}`), nil, segs, values, g, depth+1, false); !ok {
				return nil, nil, false
			}
		}
		var err error
		if obj, err = sjson.SetRawBytesOptions(obj, b.segPath(m.name), val, &b.opts); err != nil {
			return nil, nil, false
		}
		tree = append(tree, k)
	}
	return obj, tree, true
}

// segPath returns the cached sjson path of one name segment.
func (b *Builder) segPath(seg string) string {
	if p, ok := b.segs[seg]; ok {
		return p
	}
	p := path(seg, true)
	b.segs[seg] = p
	return p
}

// skel is a member of a laid out document's object: the value of slot,
// or (slot < -1) an object with kids.
type skel struct {
	name string
	slot int
	kids []skel
}

// skeleton reads the objects of a layout and where its slots are, for
// BuildDecoded; ok is false when the layout holds anything else. (The
// placeholders' NUL bytes make the layout invalid JSON, which gjson reads
// all the same.)
func skeleton(layout []byte) ([]skel, bool) {
	r := gjson.ParseBytes(layout)
	if !r.IsObject() {
		return nil, false
	}
	return skeletonOf(r)
}

func skeletonOf(obj gjson.Result) ([]skel, bool) {
	var out []skel
	names := map[string]bool{}
	ok := true
	obj.ForEach(func(k, v gjson.Result) bool {
		name := k.String()
		if names[name] {
			ok = false // Decode keeps the last: not expected of a layout
			return false
		}
		names[name] = true
		switch {
		case v.IsObject():
			var kids []skel
			if kids, ok = skeletonOf(v); ok {
				out = append(out, skel{name: name, slot: -2, kids: kids})
			}
		case v.Type == gjson.String:
			var slot int
			if slot, ok = slotOf(v.Str); ok {
				out = append(out, skel{name: name, slot: slot})
			}
		default:
			ok = false
		}
		return ok
	})
	return out, ok
}

// plainNames reports whether every name of tree is valid UTF-8 without a
// quote, a backslash or a control character: written as it is in the
// document, and read back by Decode as it is.
func plainNames(tree []skel) bool {
	for _, k := range tree {
		if !plainName(k.name) || !plainNames(k.kids) {
			return false
		}
	}
	return true
}

// plainName is a name plainNames accepts.
func plainName(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == '"' || r == '\\' })
}

// slotOf reads a placeholder's slot from its decoded text.
func slotOf(s string) (int, bool) {
	const pre = "\u0000emit-slot-"
	if !strings.HasPrefix(s, pre) || !strings.HasSuffix(s, "\u0000") || len(s) < len(pre)+2 {
		return 0, false
	}
	slot, err := strconv.Atoi(s[len(pre) : len(s)-1])
	return slot, err == nil
}

// Set sets one more field in a built document (e.g. the rule a document was
// made for).
func (b *Builder) Set(doc []byte, field string, value []byte) ([]byte, error) {
	return sjson.SetRawBytesOptions(doc, b.path(field), value, &b.opts)
}

// path returns the cached sjson path of a dotted field name.
func (b *Builder) path(field string) string {
	if p, ok := b.paths[field]; ok {
		return p
	}
	p := path(field, true)
	b.paths[field] = p
	return p
}

// Path returns the gjson path that reads a dotted field of a document
// Build made: each dot nests; the characters the path syntax treats
// specially are escaped.
func Path(field string) string { return path(field, false) }

// path renders a dotted field as an sjson/gjson path; for sjson (set) a
// numeric segment is forced to be an object key, not an array index.
func path(field string, set bool) string {
	var sb strings.Builder
	for i, seg := range strings.Split(field, ".") {
		if i > 0 {
			sb.WriteByte('.')
		}
		if set && isNumeric(seg) {
			sb.WriteByte(':')
		}
		for j := 0; j < len(seg); j++ {
			switch c := seg[j]; c {
			case '\\', '*', '?', '|', '#', '@', ':', '!', '=', '<', '>', '%':
				sb.WriteByte('\\')
				sb.WriteByte(c)
			default:
				sb.WriteByte(c)
			}
		}
	}
	return sb.String()
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
