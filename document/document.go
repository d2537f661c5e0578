// Package document assembles generated field values into Elasticsearch
// documents: nested JSON objects (never dotted keys), built with sjson.
package document

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/date"
	"github.com/tidwall/sjson"
)

// Builder turns (field, JSON value) pairs into a nested JSON document. It
// caches the sjson path of every field name it has seen. A Builder is not
// safe for concurrent use.
//
// Documents with the same field list share a shape, so the Builder lays out
// each shape once with sjson (with placeholders for the values) and then
// fills the layout: the nesting logic stays sjson's, and the per-document
// cost is a few copies.
type Builder struct {
	paths  map[string]string
	opts   sjson.Options
	shapes map[string]*shape
	key    []byte
}

// shape is the layout of a document: static JSON text around the values.
// parts[i] precedes the value slots[i]; tail follows the last value.
type shape struct {
	parts [][]byte
	slots []int // index into the field list; -1 is @timestamp
	tail  []byte
}

// NewBuilder returns a Builder.
func NewBuilder() *Builder {
	return &Builder{
		paths:  map[string]string{},
		opts:   sjson.Options{Optimistic: true, ReplaceInPlace: true},
		shapes: map[string]*shape{},
	}
}

// TimestampField is the field every document carries.
const TimestampField = "@timestamp"

// Build appends to dst the document with @timestamp ts (unless fields sets
// it) and the fields, in order. Values must be valid JSON.
func (b *Builder) Build(dst []byte, ts time.Time, fields []string, values [][]byte) ([]byte, error) {
	b.key = b.key[:0]
	for _, f := range fields {
		b.key = append(b.key, f...)
		b.key = append(b.key, 0)
	}
	sh, ok := b.shapes[string(b.key)]
	if !ok {
		var err error
		if sh, err = b.layout(fields); err != nil {
			return dst, err
		}
		b.shapes[string(b.key)] = sh
	}
	for i, slot := range sh.slots {
		dst = append(dst, sh.parts[i]...)
		if slot < 0 {
			dst = append(dst, '"')
			dst = date.AppendFormat(dst, ts)
			dst = append(dst, '"')
		} else {
			dst = append(dst, values[slot]...)
		}
	}
	return append(dst, sh.tail...), nil
}

// layout builds the shape of a field list: the document with placeholder
// values, cut at the placeholders.
func (b *Builder) layout(fields []string) (*shape, error) {
	vals := make([][]byte, len(fields))
	for i := range fields {
		vals[i] = []byte(placeholder(i))
	}
	doc, err := b.build(nil, fields, vals)
	if err != nil {
		return nil, err
	}
	type hit struct{ at, slot, n int }
	var hits []hit
	for i := -1; i < len(fields); i++ {
		ph := placeholder(i)
		if at := bytes.Index(doc, []byte(ph)); at >= 0 {
			hits = append(hits, hit{at, i, len(ph)})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].at < hits[j].at })
	sh := &shape{}
	prev := 0
	for _, h := range hits {
		sh.parts = append(sh.parts, doc[prev:h.at])
		sh.slots = append(sh.slots, h.slot)
		prev = h.at + h.n
	}
	sh.tail = doc[prev:]
	return sh, nil
}

// placeholder is a JSON string no generated value can equal (values are
// spliced in place of it, never searched for).
func placeholder(i int) string { return "\"\u0000emit-slot-" + strconv.Itoa(i) + "\u0000\"" }

// build lays out a document with sjson; @timestamp gets placeholder -1
// unless the fields set it.
func (b *Builder) build(dst []byte, fields []string, values [][]byte) ([]byte, error) {
	start := len(dst)
	hasTS := false
	for _, f := range fields {
		if f == TimestampField {
			hasTS = true
			break
		}
	}
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
