package esql

import (
	"encoding/json"
	"math"
	"math/big"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/esindex"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/geo"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
)

// This file is FROM and ROW: which documents a query reads, the columns
// they make, and how a document's JSON values become ES|QL values of the
// field's type.

// source runs the source command.
func (ev *queryRunner) source(c Command) (*evalTable, error) {
	switch x := c.(type) {
	case *From:
		return ev.from(x)
	case *Row:
		return ev.rowCommand(x)
	}
	return nil, ev.unsupported(c.Location(), "%s as a source command", c.Name())
}

// rowCommand runs ROW: one row of the given values.
func (ev *queryRunner) rowCommand(x *Row) (*evalTable, error) {
	t := &evalTable{}
	r := &evalRow{doc: -1}
	for _, a := range x.Fields {
		fn, err := ev.compile(&evalTable{}, a.X)
		if err != nil {
			return nil, err
		}
		v := fn(r)
		if ev.err != nil {
			return nil, ev.err
		}
		name := ev.assignName(a)
		if i := t.colIndex(name); i >= 0 {
			t.cols = append(t.cols[:i], t.cols[i+1:]...)
			r.vals = append(r.vals[:i], r.vals[i+1:]...)
		}
		t.cols = append(t.cols, Column{Name: name})
		r.vals = append(r.vals, v)
	}
	t.rows = []*evalRow{r}
	return t, nil
}

// assignName is the column name of an assignment: its name, or the
// source text of its expression.
func (ev *queryRunner) assignName(a *Assign) string {
	if a.Name != nil {
		return a.Name.Name
	}
	if f, ok := a.X.(*Field); ok {
		return f.Name
	}
	return ev.text(a.X.Location())
}

// fieldColumn is a column FROM reads from the documents.
type fieldColumn struct {
	name    string
	mapping estype.Mapping
	typ     Type
}

// from runs FROM: the documents of the named indices, a column per field
// of theirs (and per field the query reads), the requested metadata.
func (ev *queryRunner) from(x *From) (*evalTable, error) {
	var selected []int
	for i := range ev.docs {
		if ev.opts.Indices == nil || i < len(ev.opts.Indices) && ev.indexSelected(x, ev.opts.Indices[i]) {
			if ev.opts.Window == nil || ev.inWindow(ev.docs[i]) {
				selected = append(selected, i)
			}
		}
	}
	for _, p := range x.Indices {
		if strings.HasPrefix(p.Index, "<") && strings.HasSuffix(p.Index, ">") {
			return nil, ev.unsupported(p.Loc, "date math index name %s", p.Index)
		}
	}
	fields := ev.fieldColumns(selected)
	t := &evalTable{}
	for _, f := range fields {
		t.cols = append(t.cols, Column{Name: f.name, Type: f.typ})
	}
	var meta []string
	for _, m := range x.Metadata {
		switch m.Name {
		case "_id", "_index", "_index_mode", "_ignored", "_source":
			t.cols = append(t.cols, Column{Name: m.Name, Type: metaTypes[m.Name]})
		case "_version":
			t.cols = append(t.cols, Column{Name: m.Name, Type: TypeLong})
		case "_score":
			t.cols = append(t.cols, Column{Name: m.Name, Type: TypeDouble})
		default:
			return nil, ev.errorf(m.Loc, "unknown metadata field [%s]", m.Name)
		}
		meta = append(meta, m.Name)
	}
	t.rows = make([]*evalRow, 0, len(selected))
	var raw []any
	for _, d := range selected {
		doc := ev.docs[d]
		r := &evalRow{doc: d, vals: make([]any, 0, len(t.cols))}
		for _, f := range fields {
			raw = raw[:0]
			document.Lookup(doc, f.name, &raw)
			if len(raw) == 0 && (f.typ == TypeKeyword || f.typ == TypeText) {
				raw = multiFieldValues(doc, f.name, raw)
			}
			r.vals = append(r.vals, readField(f.typ, f.mapping, raw))
		}
		for _, m := range meta {
			r.vals = append(r.vals, ev.metadata(m, d))
		}
		t.rows = append(t.rows, r)
	}
	return t, nil
}

var metaTypes = map[string]Type{
	"_id": TypeKeyword, "_index": TypeKeyword, "_index_mode": TypeKeyword, "_ignored": TypeKeyword, "_source": TypeSource,
}

// metadata is the value of a METADATA field for document d.
func (ev *queryRunner) metadata(name string, d int) any {
	switch name {
	case "_id":
		if d < len(ev.opts.IDs) && ev.opts.IDs[d] != "" {
			return ev.opts.IDs[d]
		}
		return nil
	case "_index":
		if d < len(ev.opts.Indices) && ev.opts.Indices[d] != "" {
			return ev.opts.Indices[d]
		}
		return nil
	case "_version":
		return int64(1) // a document indexed once
	case "_index_mode":
		return "standard"
	case "_score":
		return float64(0) // no full-text scoring
	case "_source":
		return sourceDoc{doc: ev.docs[d]}
	case "_ignored":
		return ev.ignored(ev.docs[d])
	}
	return nil
}

// ignored is the _ignored metadata field of a document: the fields, sorted,
// of which Elasticsearch ignored a value (a string longer than the field's
// ignore_above, see estype.Mapping.Ignores); null when none.
func (ev *queryRunner) ignored(doc map[string]any) any {
	names := map[string]bool{}
	ev.leafPaths(doc, "", names)
	var out []any
	for _, n := range sortedKeys(names) {
		m := ev.mapping(n)
		if m.IgnoreAbove <= 0 {
			continue
		}
		for _, v := range document.Scalars(doc, n) {
			if s, ok := v.(string); ok && m.Ignores(s) {
				out = append(out, n)
				break
			}
		}
	}
	return mvOf(out)
}

// inWindow reports whether a document's time field has a value within
// RunOptions.Window.
func (ev *queryRunner) inWindow(doc map[string]any) bool {
	w := ev.opts.Window
	field := w.Field
	if field == "" {
		field = "@timestamp"
	}
	t := ev.mapping(field).Type
	if !t.IsDate() {
		t = estype.Date
	}
	for _, v := range document.Scalars(doc, field) {
		if d, ok := esvalue.DocDateOf(t, v); ok && !d.Before(w.From) && !d.After(w.To) {
			return true
		}
	}
	return false
}

// aliases are the names that reach the concrete index name besides its
// own: the data stream of a backing index, the alerts alias of Kibana's
// concrete alerts index.
func (ev *queryRunner) aliases(name string) []string { return esindex.Aliases(name) }

// indexSelected reports whether FROM's patterns select index name (a
// backing index of a data stream is selected by the stream's name too, the
// concrete alerts index by its alias):
// comma-separated patterns with "*" wildcards, applied in order, an
// exclusion "-pattern" removing what the patterns before it selected.
// Remote cluster prefixes are ignored (every document is local); the
// failure store (::failures) holds no documents. A wildcard does not
// select a hidden index (a name starting with ".") unless the pattern
// starts with ".".
func (ev *queryRunner) indexSelected(x *From, name string) bool {
	k := selectedKey{x, name}
	if sel, ok := ev.selected[k]; ok {
		return sel
	}
	sel := ev.selects(x, name)
	if ev.selected == nil {
		ev.selected = map[selectedKey]bool{}
	}
	ev.selected[k] = sel
	return sel
}

// selects is indexSelected, worked out.
func (ev *queryRunner) selects(x *From, name string) bool {
	aliases := ev.aliases(name)
	selected := false
	for _, p := range x.Indices {
		if p.Selector == "failures" {
			continue
		}
		parts := []string{p.Index}
		if p.Quoted {
			parts = strings.Split(p.Index, ",")
		}
		for _, part := range parts {
			part = strings.TrimSpace(part)
			if p.Quoted {
				if _, local, ok := strings.Cut(part, ":"); ok && !strings.HasPrefix(local, ":") {
					part = local
				}
				if base, sel, ok := strings.Cut(part, "::"); ok {
					if sel == "failures" {
						continue
					}
					part = base
				}
			}
			exclude := strings.HasPrefix(part, "-")
			if exclude {
				part = part[1:]
			}
			if indexMatches(part, name) || slices.ContainsFunc(aliases, func(a string) bool { return indexMatches(part, a) }) {
				selected = !exclude
			}
		}
	}
	return selected
}

// indexMatches matches one index pattern against an index name.
func indexMatches(pattern, name string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == name
	}
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") {
		return false
	}
	return wildcard.MatchString(pattern, name)
}

// fieldColumns returns the columns FROM reads from the documents: every
// leaf field the selected documents hold, and every field the query reads
// without defining it (a mapped field no document holds is a column of
// nulls), typed by RunOptions.Types.
func (ev *queryRunner) fieldColumns(selected []int) []fieldColumn {
	names := map[string]bool{}
	if ev.needsAllFields() {
		for _, d := range selected {
			ev.leafPaths(ev.docs[d], "", names)
		}
	}
	for n := range ev.sourceFields() {
		names[n] = true
	}
	out := make([]fieldColumn, 0, len(names))
	var raw []any
	for _, n := range sortedKeys(names) {
		m := ev.mapping(n)
		if m.Type.HoldsFields() {
			continue
		}
		typ := esqlType(m.Type)
		if m.Type == estype.Empty {
			// Dynamic mapping: the first value a document holds types the field.
			typ = TypeNull
			for _, d := range selected {
				raw = raw[:0]
				document.Lookup(ev.docs[d], n, &raw)
				if t, ok := dynamicType(raw); ok {
					typ = t
					break
				}
			}
			m = estype.Mapping{Type: estypeOf(typ)}
		}
		out = append(out, fieldColumn{name: n, mapping: m, typ: typ})
	}
	return out
}

// needsAllFields reports whether the columns FROM reads beyond the
// fields the query names can show: they cannot when a STATS, or a KEEP of
// plain names, comes before any command that lists columns by pattern
// (KEEP, DROP with "*") and before the end of the query.
func (ev *queryRunner) needsAllFields() bool {
	if ev.opts.RowsOnly {
		return false
	}
	for _, c := range ev.q.Commands[1:] {
		switch x := c.(type) {
		case *Stats:
			if !x.Inline {
				return false
			}
		case *Keep:
			return len(plainNames(x.Patterns)) != len(x.Patterns)
		case *Drop:
			if len(plainNames(x.Patterns)) != len(x.Patterns) {
				return true
			}
		case *Fork:
			return true
		}
	}
	return true
}

// mapping returns the mapping of a source field.
func (ev *queryRunner) mapping(field string) estype.Mapping {
	if ev.opts.Types == nil {
		return estype.Mapping{}
	}
	return ev.opts.Types(field)
}

// leafPaths adds the dotted paths of the fields a document holds: the
// leaves of its objects, and the objects a mapping types as a value
// (geo_point, flattened, ...).
func (ev *queryRunner) leafPaths(node any, prefix string, out map[string]bool) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			ev.leafValue(v, p, out)
		}
	case []any:
		for _, v := range n {
			ev.leafPaths(v, prefix, out)
		}
	}
}

func (ev *queryRunner) leafValue(v any, path string, out map[string]bool) {
	switch x := v.(type) {
	case nil:
		return
	case []any:
		for _, y := range x {
			ev.leafValue(y, path, out)
		}
	case map[string]any:
		if f := ev.mapping(path).Type.Family(); f == estype.GeoFamily || f == estype.FlattenedFamily {
			out[path] = true // an object that is one value: a point, a flattened field
			return
		}
		ev.leafPaths(x, path, out)
	default:
		out[path] = true
	}
}

// sourceFields returns the fields the query reads from the documents: the
// names its commands read before a command before them defines them
// (metadata fields aside).
func (ev *queryRunner) sourceFields() map[string]bool {
	out := map[string]bool{}
	var run func(cs []Command, defined map[string]bool)
	run = func(cs []Command, defined map[string]bool) {
		read := func(names ...string) {
			for _, n := range names {
				if !defined[n] && !metadataFields[n] {
					out[n] = true
				}
			}
		}
		readExpr := func(e Expr) {
			if e != nil {
				read(Fields(e)...)
			}
		}
		for _, c := range cs {
			switch x := c.(type) {
			case *Row:
				for _, a := range x.Fields {
					readExpr(a.X)
					defined[ev.assignName(a)] = true
				}
			case *Eval:
				for _, a := range x.Fields {
					readExpr(a.X)
					defined[ev.assignName(a)] = true
				}
			case *Stats:
				for _, e := range Exprs(x) {
					readExpr(e)
				}
				for _, a := range x.Aggs {
					if a.Name != nil {
						defined[a.Name.Name] = true
					} else {
						defined[ev.text(a.X.Location())] = true
					}
				}
				for _, a := range x.By {
					defined[ev.assignName(a)] = true
				}
			case *Keep:
				read(plainNames(x.Patterns)...)
			case *Drop:
				read(plainNames(x.Patterns)...)
			case *Rename:
				for _, p := range x.Pairs {
					if !p.Old.HasWildcard() {
						read(p.Old.Pattern)
					}
					defined[p.New.Pattern] = true
				}
			case *Dissect:
				readExpr(x.X)
				if d, err := ev.dissectParser(x); err == nil {
					for _, k := range d.outputs {
						defined[k] = true
					}
				}
			case *Grok:
				readExpr(x.X)
				if g, err := ev.grokParser(x); err == nil {
					for _, c := range g.columns {
						defined[c.name] = true
					}
				}
			case *Fork:
				for _, b := range x.Branches {
					inner := map[string]bool{}
					for k := range defined {
						inner[k] = true
					}
					run(b.Commands, inner)
				}
			default:
				for _, e := range Exprs(c) {
					readExpr(e)
				}
			}
		}
	}
	run(ev.q.Commands, map[string]bool{})
	return out
}

// plainNames returns the patterns without wildcards.
func plainNames(ps []*NamePattern) []string {
	var out []string
	for _, p := range ps {
		if !p.HasWildcard() {
			out = append(out, p.Pattern)
		}
	}
	return out
}

// multiFieldValues reads a multi-field (process.command_line.text) from
// the value of its parent field: a field below a scalar can only be one of
// the scalar's multi-fields, which index the parent's value.
func multiFieldValues(doc map[string]any, path string, raw []any) []any {
	for i := len(path) - 1; i > 0; i-- {
		if path[i] != '.' {
			continue
		}
		var parent []any
		document.Lookup(doc, path[:i], &parent)
		found := false
		for _, v := range parent {
			switch v.(type) {
			case nil, map[string]any:
			default:
				raw = append(raw, v)
				found = true
			}
		}
		if found || len(parent) > 0 {
			return raw
		}
	}
	return raw
}

// esqlType is the ES|QL type of a field type.
func esqlType(t estype.Type) Type {
	switch t {
	case estype.Empty:
		return TypeNull
	case estype.Version:
		return TypeVersion
	case estype.Long:
		return TypeLong
	case estype.Integer, estype.Short, estype.Byte, estype.TokenCount:
		return TypeInteger
	case estype.UnsignedLong:
		return TypeUnsignedLong
	case estype.DateNanos:
		return TypeDateNanos
	case estype.GeoPoint:
		return TypeGeoPoint
	case estype.Point:
		return TypeCartesianPoint
	}
	switch t.Family() {
	case estype.KeywordFamily:
		return TypeKeyword
	case estype.TextFamily:
		return TypeText
	case estype.FloatFamily:
		return TypeDouble
	case estype.DateFamily:
		return TypeDate
	case estype.BooleanFamily:
		return TypeBoolean
	case estype.IPFamily:
		return TypeIP
	}
	return TypeUnsupported
}

// estypeOf is the field type dynamic mapping gives a field of ES|QL type t.
func estypeOf(t Type) estype.Type {
	switch t {
	case TypeLong:
		return estype.Long
	case TypeDouble:
		return estype.Double
	case TypeBoolean:
		return estype.Boolean
	}
	return estype.Keyword
}

// dynamicType is the type Elasticsearch's dynamic mapping gives a field
// from its first value (strings as keyword: emit does not detect dates).
func dynamicType(raw []any) (Type, bool) {
	for _, v := range raw {
		switch x := v.(type) {
		case nil, map[string]any:
			continue
		case string:
			return TypeKeyword, true
		case bool:
			return TypeBoolean, true
		case json.Number:
			if _, err := strconv.ParseInt(string(x), 10, 64); err == nil {
				return TypeLong, true
			}
			return TypeDouble, true
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return TypeLong, true
			}
			return TypeDouble, true
		case float32:
			return TypeDouble, true
		case int, int64, int32, uint64, uint32:
			return TypeLong, true
		}
	}
	return "", false
}

// readField reads the JSON values of a field as ES|QL reads them from a
// field of type t: strings of keyword fields sorted and deduplicated (as
// their doc values are), numbers, dates, booleans and addresses sorted,
// text in the order of the source. Values the field cannot hold (which
// Elasticsearch would reject) are left out.
func readField(t Type, m estype.Mapping, raw []any) any {
	if len(raw) == 0 {
		return nil
	}
	if len(raw) == 1 {
		if v, ok := readOne(t, m, raw[0]); ok {
			return v
		}
		if t != TypeGeoPoint && t != TypeCartesianPoint {
			return nil
		}
	}
	vals := make([]any, 0, len(raw))
	switch t {
	case TypeKeyword, TypeText, TypeVersion:
		for _, v := range raw {
			s, ok := esvalue.KeywordString(v)
			if !ok {
				continue
			}
			if m.Lowercase() {
				s = strings.ToLower(s)
			}
			if t == TypeVersion {
				vals = append(vals, Version(s))
			} else {
				vals = append(vals, s)
			}
		}
		if t != TypeText {
			sortValues(vals)
			vals = dedupeValues(vals)
		}
		return mvOf(vals)
	case TypeLong, TypeInteger, TypeUnsignedLong, TypeDouble:
		for _, v := range raw {
			r, ok := esvalue.DocStored(m, v)
			if !ok {
				continue
			}
			if n, ok := numberOf(t, r); ok {
				vals = append(vals, n)
			}
		}
	case TypeDate, TypeDateNanos:
		for _, v := range raw {
			if d, ok := esvalue.DocDateOf(m.Type, v); ok {
				vals = append(vals, d.UTC())
			}
		}
	case TypeBoolean:
		for _, v := range raw {
			if b, ok := esvalue.DocBool(v); ok {
				vals = append(vals, b)
			}
		}
	case TypeIP:
		for _, v := range raw {
			if a, ok := esvalue.DocIP(v); ok {
				vals = append(vals, netip.AddrFrom16(a))
			}
		}
		sortValues(vals)
		return mvOf(dedupeValues(vals))
	case TypeGeoPoint, TypeCartesianPoint:
		vals = readPoints(t, raw)
		return mvOf(vals)
	default:
		return nil
	}
	sortValues(vals)
	return mvOf(vals)
}

// readOne reads a field's one JSON value (readField's common case); ok is
// false when the field cannot hold it or it is a point.
func readOne(t Type, m estype.Mapping, v any) (any, bool) {
	switch t {
	case TypeKeyword, TypeText, TypeVersion:
		s, ok := esvalue.KeywordString(v)
		if !ok {
			return nil, false
		}
		if m.Lowercase() {
			s = strings.ToLower(s)
		}
		if t == TypeVersion {
			return Version(s), true
		}
		return s, true
	case TypeLong, TypeInteger, TypeUnsignedLong, TypeDouble:
		r, ok := esvalue.DocStored(m, v)
		if !ok {
			return nil, false
		}
		return numberOf(t, r)
	case TypeDate, TypeDateNanos:
		d, ok := esvalue.DocDateOf(m.Type, v)
		return d.UTC(), ok
	case TypeBoolean:
		return esvalue.DocBool(v)
	case TypeIP:
		a, ok := esvalue.DocIP(v)
		return netip.AddrFrom16(a), ok
	}
	return nil, false
}

// numberOf converts an exact number, as a numeric field stores it, to the
// Go value of ES|QL type t.
func numberOf(t Type, r *big.Rat) (any, bool) {
	switch t {
	case TypeDouble:
		f, _ := r.Float64()
		return f, !math.IsInf(f, 0)
	case TypeUnsignedLong:
		if !r.IsInt() || r.Sign() < 0 || r.Num().BitLen() > 64 {
			return nil, false
		}
		return r.Num().Uint64(), true
	}
	if !r.IsInt() || !r.Num().IsInt64() {
		return nil, false
	}
	n := r.Num().Int64()
	if t == TypeInteger {
		if n < math.MinInt32 || n > math.MaxInt32 {
			return nil, false
		}
		return int32(n), true
	}
	return n, true
}

// readPoints reads point values: {"lat": .., "lon": ..} objects (x and y
// for cartesian points), "lat,lon" strings, WKT "POINT (lon lat)" and
// [lon, lat] arrays (which arrive as pairs of numbers).
func readPoints(t Type, raw []any) []any {
	var out []any
	var pending []float64
	mk := func(x, y float64) any {
		if t == TypeCartesianPoint {
			return CartesianPoint{X: x, Y: y}
		}
		return GeoPoint{Lon: x, Lat: y}
	}
	for _, v := range raw {
		switch p := v.(type) {
		case map[string]any:
			xk, yk := "lon", "lat"
			if t == TypeCartesianPoint {
				xk, yk = "x", "y"
			}
			x, okx := jsonFloat(p[xk])
			y, oky := jsonFloat(p[yk])
			if okx && oky {
				out = append(out, mk(x, y))
			}
		case string:
			if x, y, ok := parseWKTPoint(p); ok {
				out = append(out, mk(x, y))
				continue
			}
			if t == TypeGeoPoint {
				if lat, lon, ok := strings.Cut(p, ","); ok {
					la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
					lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
					if err1 == nil && err2 == nil {
						out = append(out, mk(lo, la))
					}
				}
			}
		default:
			if f, ok := jsonFloat(v); ok {
				pending = append(pending, f)
				if len(pending) == 2 {
					out = append(out, mk(pending[0], pending[1]))
					pending = pending[:0]
				}
			}
		}
	}
	if t == TypeGeoPoint {
		valid := out[:0]
		for _, p := range out {
			g := p.(GeoPoint)
			if geo.Valid(g.Lat, g.Lon) {
				valid = append(valid, p)
			}
		}
		out = valid
	}
	return out
}

// jsonFloat reads a JSON number.
func jsonFloat(v any) (float64, bool) {
	r, ok := esvalue.DocNumber(v)
	if !ok {
		return 0, false
	}
	f, _ := r.Float64()
	return f, true
}

// parseWKTPoint reads "POINT (x y)" (case-insensitive, spaces optional
// around the parentheses).
func parseWKTPoint(s string) (x, y float64, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) < 5 || !strings.EqualFold(s[:5], "point") {
		return 0, 0, false
	}
	s = strings.TrimSpace(s[5:])
	if !strings.HasPrefix(s, "(") || !strings.HasSuffix(s, ")") {
		return 0, 0, false
	}
	f := strings.Fields(s[1 : len(s)-1])
	if len(f) != 2 {
		return 0, 0, false
	}
	x, err1 := strconv.ParseFloat(f[0], 64)
	y, err2 := strconv.ParseFloat(f[1], 64)
	if err1 != nil || err2 != nil || math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return 0, 0, false
	}
	return x, y, true
}
