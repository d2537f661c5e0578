package fakees

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/ipaddr"
)

// field is one node of an index mapping: an object (with properties) or a
// leaf field.
type field struct {
	typ             string            // "object" for objects with properties
	props           map[string]*field // object, nested
	fields          map[string]*field // multi-fields
	dynamic         string            // objects: "", "true", "false", "strict", "runtime"; "" inherits
	enabled         bool              // objects: false = store, don't parse
	format          string            // date, date_nanos
	ignoreMalformed bool
	coerce          bool
	value           *string // constant_keyword: nil until set
	params          map[string]any
}

// mapping is an index mapping.
type mapping struct {
	root             *field
	dateDetection    bool
	numericDetection bool
	extra            map[string]any // _source, _meta, dynamic_templates, ...: kept as given
}

func newObject() *field {
	return &field{typ: "object", props: map[string]*field{}, enabled: true, coerce: true}
}

func emptyMapping() *mapping {
	return &mapping{root: newObject(), dateDetection: true, extra: map[string]any{}}
}

// parseMapping reads a "mappings" object ({"properties": ..., "dynamic": ...}).
func parseMapping(raw map[string]any) (*mapping, error) {
	m := emptyMapping()
	for k, v := range raw {
		switch k {
		case "properties":
			props, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("[properties] must be an object")
			}
			if err := parseProps(m.root, "", props); err != nil {
				return nil, err
			}
		case "dynamic":
			d, err := parseDynamic(v)
			if err != nil {
				return nil, err
			}
			m.root.dynamic = d
		case "date_detection":
			b, ok := boolParam(v)
			if !ok {
				return nil, fmt.Errorf("[date_detection] must be a boolean")
			}
			m.dateDetection = b
		case "numeric_detection":
			b, ok := boolParam(v)
			if !ok {
				return nil, fmt.Errorf("[numeric_detection] must be a boolean")
			}
			m.numericDetection = b
		case "enabled":
			b, ok := boolParam(v)
			if !ok {
				return nil, fmt.Errorf("[enabled] must be a boolean")
			}
			m.root.enabled = b
		case "_source", "_meta", "dynamic_templates", "_routing", "runtime", "dynamic_date_formats", "subobjects", "_data_stream_timestamp":
			m.extra[k] = v
		default:
			return nil, fmt.Errorf("Root mapping definition has unsupported parameters:  [%s : %v]", k, v)
		}
	}
	return m, nil
}

func parseDynamic(v any) (string, error) {
	switch d := v.(type) {
	case bool:
		return strconv.FormatBool(d), nil
	case string:
		switch d {
		case "true", "false", "strict", "runtime":
			return d, nil
		}
	}
	return "", fmt.Errorf("no dynamic mapping option for value [%v]", v)
}

func boolParam(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case string:
		switch b {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

// parseProps adds the properties of a mapping object to obj. Dotted names
// ("process.name") are expanded into objects, as Elasticsearch does.
func parseProps(obj *field, path string, props map[string]any) error {
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		def, ok := props[name].(map[string]any)
		if !ok {
			return fmt.Errorf("Expected map for property [fields] on field [%s] but got a %T", join(path, name), props[name])
		}
		if name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
			return fmt.Errorf("field name cannot be empty or contain empty path segments: [%s]", join(path, name))
		}
		parts := strings.Split(name, ".")
		parent, ppath := obj, path
		for _, p := range parts[:len(parts)-1] {
			next, ok := parent.props[p]
			if !ok {
				next = newObject()
				parent.props[p] = next
			} else if next.props == nil {
				return fmt.Errorf("can't merge a non object mapping [%s] with an object mapping", join(ppath, p))
			}
			parent, ppath = next, join(ppath, p)
		}
		last := parts[len(parts)-1]
		f, err := parseField(join(ppath, last), def)
		if err != nil {
			return err
		}
		if old, ok := parent.props[last]; ok && old.props != nil && f.props != nil {
			for k, v := range f.props {
				old.props[k] = v
			}
			continue
		}
		parent.props[last] = f
	}
	return nil
}

func parseField(path string, def map[string]any) (*field, error) {
	typ, _ := def["type"].(string)
	if _, hasType := def["type"]; hasType && typ == "" {
		return nil, fmt.Errorf("type must be a string on field [%s]", path)
	}
	if typ == "" {
		typ = "object"
	}
	if !estype.Type(typ).Known() {
		return nil, fmt.Errorf("No handler for type [%s] declared on field [%s]", typ, path)
	}
	f := &field{typ: typ, enabled: true, coerce: true, params: map[string]any{}}
	for k, v := range def {
		switch k {
		case "type":
		case "properties":
			if typ != "object" && typ != "nested" {
				return nil, fmt.Errorf("unknown parameter [properties] on mapper [%s] of type [%s]", path, typ)
			}
			props, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("[properties] of [%s] must be an object", path)
			}
			f.props = map[string]*field{}
			if err := parseProps(f, path, props); err != nil {
				return nil, err
			}
		case "fields":
			subs, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("[fields] of [%s] must be an object", path)
			}
			f.fields = map[string]*field{}
			for name, sd := range subs {
				sdef, ok := sd.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("Expected map for property [fields] on field [%s] but got a %T", join(path, name), sd)
				}
				sf, err := parseField(path+"."+name, sdef)
				if err != nil {
					return nil, err
				}
				f.fields[name] = sf
			}
		case "dynamic":
			d, err := parseDynamic(v)
			if err != nil {
				return nil, err
			}
			f.dynamic = d
		case "enabled":
			b, ok := boolParam(v)
			if !ok {
				return nil, fmt.Errorf("[enabled] of [%s] must be a boolean", path)
			}
			f.enabled = b
		case "format":
			s, _ := v.(string)
			f.format = s
			f.params[k] = v
		case "ignore_malformed":
			b, _ := boolParam(v)
			f.ignoreMalformed = b
			f.params[k] = v
		case "coerce":
			b, ok := boolParam(v)
			f.coerce = !ok || b
			f.params[k] = v
		case "value":
			if typ == "constant_keyword" {
				s := fmt.Sprint(v)
				f.value = &s
			}
			f.params[k] = v
		default:
			f.params[k] = v
		}
	}
	if (typ == "object" || typ == "nested") && f.props == nil {
		f.props = map[string]*field{}
	}
	if typ == "scaled_float" {
		if _, ok := f.params["scaling_factor"]; !ok {
			return nil, fmt.Errorf("Field [scaling_factor] is required on field [%s]", path)
		}
	}
	if typ == "alias" {
		if _, ok := f.params["path"].(string); !ok {
			return nil, fmt.Errorf("The [path] property must be specified for field [%s].", path)
		}
	}
	return f, nil
}

// toJSON renders the mapping as Elasticsearch returns it.
func (m *mapping) toJSON() map[string]any {
	out := map[string]any{}
	for k, v := range m.extra {
		out[k] = v
	}
	if m.root.dynamic != "" {
		out["dynamic"] = m.root.dynamic
	}
	if !m.dateDetection {
		out["date_detection"] = false
	}
	if m.numericDetection {
		out["numeric_detection"] = true
	}
	if len(m.root.props) > 0 {
		out["properties"] = propsJSON(m.root.props)
	}
	return out
}

func propsJSON(props map[string]*field) map[string]any {
	out := make(map[string]any, len(props))
	for name, f := range props {
		out[name] = f.toJSON()
	}
	return out
}

func (f *field) toJSON() map[string]any {
	out := map[string]any{}
	for k, v := range f.params {
		out[k] = v
	}
	if f.typ != "object" {
		out["type"] = f.typ
	}
	if f.typ == "constant_keyword" && f.value != nil {
		out["value"] = *f.value
	}
	if f.dynamic != "" {
		out["dynamic"] = f.dynamic
	}
	if !f.enabled {
		out["enabled"] = false
	}
	if len(f.props) > 0 {
		out["properties"] = propsJSON(f.props)
	}
	if len(f.fields) > 0 {
		out["fields"] = propsJSON(f.fields)
	}
	return out
}

// clone copies a mapping deeply (constant_keyword values and dynamic
// additions must not leak between indices created from one template).
func (m *mapping) clone() *mapping {
	c, err := parseMapping(roundTrip(m.toJSON()))
	if err != nil {
		panic("fakees: mapping does not round-trip: " + err.Error())
	}
	return c
}

func roundTrip(v map[string]any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// merge overlays o's properties on m (used to apply index templates
// under the mappings of an index creation request, which take precedence).
func (m *mapping) merge(o *mapping) {
	mergeProps(m.root, o.root)
	if o.root.dynamic != "" {
		m.root.dynamic = o.root.dynamic
	}
	for k, v := range o.extra {
		m.extra[k] = v
	}
}

func mergeProps(dst, src *field) {
	for name, sf := range src.props {
		df, ok := dst.props[name]
		if ok && df.props != nil && sf.props != nil {
			mergeProps(df, sf)
			continue
		}
		dst.props[name] = sf
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// itemError is a per-document failure in a bulk response.
type itemError struct {
	status   int
	typ      string
	reason   string
	causeTyp string
	cause    string
}

func (e *itemError) json(index string) map[string]any {
	m := map[string]any{"type": e.typ, "reason": e.reason}
	if index != "" {
		m["index"] = index
	}
	if e.causeTyp != "" {
		m["caused_by"] = map[string]any{"type": e.causeTyp, "reason": e.cause}
	}
	return m
}

// walker validates one document against a mapping and collects the
// dynamic mapping updates it implies. Updates are applied by commit only
// when the whole document is accepted, as Elasticsearch does.
type walker struct {
	m        *mapping
	id       string
	pending  map[*field]map[string]*field // new children of existing nodes
	constant map[*field]string            // constant_keyword values to set
	err      *itemError
}

func newWalker(m *mapping, id string) *walker {
	return &walker{m: m, id: id}
}

func (w *walker) child(parent *field, name string) *field {
	if f, ok := parent.props[name]; ok {
		return f
	}
	return w.pending[parent][name]
}

func (w *walker) add(parent *field, name string, f *field) {
	if w.pending == nil {
		w.pending = map[*field]map[string]*field{}
	}
	if w.pending[parent] == nil {
		w.pending[parent] = map[string]*field{}
	}
	w.pending[parent][name] = f
}

// commit applies the dynamic updates to the mapping.
func (w *walker) commit() {
	for parent, children := range w.pending {
		for name, f := range children {
			parent.props[name] = f
		}
	}
	for f, v := range w.constant {
		if f.value == nil {
			v := v
			f.value = &v
		}
	}
}

func (w *walker) fail(e *itemError) {
	if w.err == nil {
		w.err = e
	}
}

// document checks a parsed document (a JSON object).
func (w *walker) document(doc map[string]any) *itemError {
	w.object(w.m.root, "", doc, "true")
	return w.err
}

func (w *walker) object(obj *field, path string, val map[string]any, dyn string) {
	if obj.dynamic != "" {
		dyn = obj.dynamic
	}
	if !obj.enabled {
		return
	}
	keys := make([]string, 0, len(val))
	for k := range val {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if w.err != nil {
			return
		}
		if k == "" || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") || strings.Contains(k, "..") {
			w.fail(&itemError{status: 400, typ: "mapper_parsing_exception",
				reason: fmt.Sprintf("failed to parse: field name cannot be empty or contain empty path segments [%s]", join(path, k))})
			return
		}
		w.value(obj, path, strings.Split(k, "."), val[k], dyn)
	}
}

func (w *walker) value(parent *field, path string, parts []string, v any, dyn string) {
	name := parts[0]
	full := join(path, name)
	f := w.child(parent, name)
	if len(parts) > 1 {
		// A dotted key steps through an object.
		if f == nil {
			switch dyn {
			case "strict":
				w.fail(strictError(name, path))
				return
			case "false", "runtime":
				return
			}
			f = newObject()
			w.add(parent, name, f)
		}
		if f.props == nil {
			w.fail(&itemError{status: 400, typ: "mapper_parsing_exception",
				reason: fmt.Sprintf("Could not dynamically add mapping for field [%s]. Existing mapping for [%s] must be of type object but found [%s].",
					join(full, strings.Join(parts[1:], ".")), full, f.typ)})
			return
		}
		nd := dyn
		if f.dynamic != "" {
			nd = f.dynamic
		}
		if !f.enabled {
			return
		}
		w.value(f, full, parts[1:], v, nd)
		return
	}
	if arr, ok := v.([]any); ok {
		if f != nil && f.typ == "geo_point" && isLonLat(arr) {
			return
		}
		for _, e := range arr {
			if w.err != nil {
				return
			}
			w.value(parent, path, parts, e, dyn)
		}
		return
	}
	if v == nil {
		return
	}
	if f == nil {
		switch dyn {
		case "strict":
			w.fail(strictError(name, path))
			return
		case "false", "runtime":
			return
		}
		f = w.dynamicField(v)
		if f == nil {
			return
		}
		w.add(parent, name, f)
		if obj, ok := v.(map[string]any); ok {
			w.object(f, full, obj, dyn)
		}
		return
	}
	w.check(f, full, name, v, dyn)
}

func (w *walker) check(f *field, full, name string, v any, dyn string) {
	switch f.typ {
	case "object", "nested":
		obj, ok := v.(map[string]any)
		if !ok {
			w.fail(&itemError{status: 400, typ: "mapper_parsing_exception",
				reason: fmt.Sprintf("object mapping for [%s] tried to parse field [%s] as object, but found a concrete value", full, name)})
			return
		}
		w.object(f, full, obj, dyn)
		return
	case "flattened":
		return
	case "alias":
		w.fail(&itemError{status: 400, typ: "mapper_parsing_exception",
			reason: fmt.Sprintf("Cannot write to a field alias [%s].", full)})
		return
	}
	if obj, ok := v.(map[string]any); ok {
		if f.typ == "geo_point" && validGeoObject(obj) {
			return
		}
		if !knownLeaf(f.typ) {
			return
		}
		w.fail(w.parseError(f, full, preview(v), "illegal_state_exception",
			fmt.Sprintf("Can't get text on a START_OBJECT at 1:%d", len(full)+2)))
		return
	}
	if causeTyp, cause := w.scalar(f, v); causeTyp != "" {
		if f.ignoreMalformed {
			return
		}
		w.fail(w.parseError(f, full, preview(v), causeTyp, cause))
		return
	}
	for sub, sf := range f.fields {
		if causeTyp, cause := w.scalar(sf, v); causeTyp != "" && !sf.ignoreMalformed {
			w.fail(w.parseError(sf, full+"."+sub, preview(v), causeTyp, cause))
			return
		}
	}
}

func strictError(name, path string) *itemError {
	within := path
	if within == "" {
		within = "_doc"
	}
	return &itemError{status: 400, typ: "strict_dynamic_mapping_exception",
		reason: fmt.Sprintf("[1:2] mapping set to strict, dynamic introduction of [%s] within [%s] is not allowed", name, within)}
}

func (w *walker) parseError(f *field, full, pv, causeTyp, cause string) *itemError {
	return &itemError{status: 400, typ: "mapper_parsing_exception",
		reason: fmt.Sprintf("failed to parse field [%s] of type [%s] in document with id '%s'. Preview of field's value: '%s'",
			full, f.typ, w.id, pv),
		causeTyp: causeTyp, cause: cause}
}

func preview(v any) string {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + preview(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	default:
		s := fmt.Sprint(x)
		if len(s) > 100 {
			s = s[:100] + "..."
		}
		return s
	}
}

// knownLeaf reports whether the server validates the values of a type
// (scalar checks them): the string, number, date, ip and boolean types,
// geo_point and binary.
func knownLeaf(typ string) bool {
	t := estype.Type(typ)
	switch t.Family() {
	case estype.KeywordFamily, estype.TextFamily, estype.FloatFamily, estype.DateFamily, estype.IPFamily, estype.BooleanFamily:
		return t.Known() && t != estype.SearchAsYouType && t != estype.SemanticText
	case estype.IntegerFamily:
		return t != estype.TokenCount
	}
	return t == estype.GeoPoint || t == estype.Binary
}

// dynamicField maps a new field from its first value, as Elasticsearch's
// default dynamic mapping does.
func (w *walker) dynamicField(v any) *field {
	leaf := func(typ string) *field {
		return &field{typ: typ, enabled: true, coerce: true, params: map[string]any{}}
	}
	switch x := v.(type) {
	case map[string]any:
		return newObject()
	case bool:
		return leaf("boolean")
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return leaf("float")
		}
		return leaf("long")
	case string:
		if w.m.dateDetection && isDate(x, "strict_date_optional_time") {
			f := leaf("date")
			return f
		}
		if w.m.numericDetection {
			if _, err := strconv.ParseInt(x, 10, 64); err == nil {
				return leaf("long")
			}
			if _, err := strconv.ParseFloat(x, 64); err == nil {
				return leaf("float")
			}
		}
		f := leaf("text")
		kw := leaf("keyword")
		kw.params["ignore_above"] = 256
		f.fields = map[string]*field{"keyword": kw}
		return f
	}
	return nil
}

// scalar validates a scalar value (string, json.Number or bool) for a leaf
// field. It returns the cause of the failure ("" when the value fits).
func (w *walker) scalar(f *field, v any) (causeTyp, cause string) {
	s, isStr := v.(string)
	num, isNum := v.(json.Number)
	b, isBool := v.(bool)
	text := fmt.Sprint(v)
	t := estype.Type(f.typ)
	switch {
	case t == estype.ConstantKeyword:
		if f.value == nil {
			if w.constant == nil {
				w.constant = map[*field]string{}
			}
			if prev, ok := w.constant[f]; ok && prev != text {
				return "illegal_argument_exception", fmt.Sprintf("[constant_keyword] field only accepts values that are equal to the value defined in the mappings [%s], but got [%s]", prev, text)
			}
			w.constant[f] = text
			return "", ""
		}
		if *f.value != text {
			return "illegal_argument_exception", fmt.Sprintf("[constant_keyword] field only accepts values that are equal to the value defined in the mappings [%s], but got [%s]", *f.value, text)
		}
		return "", ""
	case t.Family() == estype.KeywordFamily || t.Family() == estype.TextFamily || t == estype.TokenCount:
		return "", "" // token_count analyzes the text it is given
	case t.Family() == estype.IntegerFamily:
		if isBool {
			return "illegal_argument_exception", fmt.Sprintf("Current token (VALUE_%s) not numeric, can not use numeric value accessors", strings.ToUpper(strconv.FormatBool(b)))
		}
		if isStr && !f.coerce {
			return "illegal_argument_exception", fmt.Sprintf("[%s] coerce is false, cannot parse string value [%s]", f.typ, s)
		}
		if isStr {
			num = json.Number(strings.TrimSpace(s))
		}
		return checkInteger(f.typ, string(num), f.coerce)
	case t.Family() == estype.FloatFamily:
		if isBool {
			return "illegal_argument_exception", fmt.Sprintf("Current token (VALUE_%s) not numeric, can not use numeric value accessors", strings.ToUpper(strconv.FormatBool(b)))
		}
		if isStr && !f.coerce {
			return "illegal_argument_exception", fmt.Sprintf("[%s] coerce is false, cannot parse string value [%s]", f.typ, s)
		}
		x, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return "number_format_exception", fmt.Sprintf("For input string: \"%s\"", text)
		}
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "illegal_argument_exception", fmt.Sprintf("[%s] supports only finite values, but got [%s]", f.typ, text)
		}
		if m := (estype.Mapping{Type: estype.Type(f.typ)}); math.IsInf(m.Round(x), 0) {
			return "illegal_argument_exception", fmt.Sprintf("[%s] supports only finite values, but got [%s]", f.typ, text)
		}
		return "", ""
	case t == estype.Boolean:
		if isBool {
			return "", ""
		}
		if isStr && (s == "true" || s == "false" || s == "") {
			return "", ""
		}
		return "illegal_argument_exception", fmt.Sprintf("Failed to parse value [%s] as only [true] or [false] are allowed.", text)
	case t == estype.IP:
		if !isStr {
			return "illegal_argument_exception", fmt.Sprintf("'%s' is not an IP string literal.", text)
		}
		if _, ok := ipaddr.Parse(s); !ok {
			return "illegal_argument_exception", fmt.Sprintf("'%s' is not an IP string literal.", s)
		}
		return "", ""
	case t.IsDate():
		format := f.format
		if format == "" {
			format = "strict_date_optional_time||epoch_millis"
			if f.typ == "date_nanos" {
				format = "strict_date_optional_time_nanos||epoch_millis"
			}
		}
		if isNum || isStr {
			if isDate(text, format) {
				return "", ""
			}
		}
		return "illegal_argument_exception", fmt.Sprintf("failed to parse date field [%s] with format [%s]", text, format)
	case t == estype.GeoPoint:
		if isStr && validGeoString(s) {
			return "", ""
		}
		return "illegal_argument_exception", fmt.Sprintf("failed to parse [%s] as geo_point", text)
	case t == estype.Binary:
		if !isStr {
			return "illegal_argument_exception", "binary fields take base64 strings"
		}
		if _, err := base64.StdEncoding.DecodeString(s); err != nil {
			return "illegal_argument_exception", fmt.Sprintf("Illegal base64 character in [%s]", s)
		}
		return "", ""
	}
	return "", ""
}

var maxUnsignedLong = new(big.Int).SetUint64(math.MaxUint64)

func checkInteger(typ, s string, coerce bool) (string, string) {
	r, ok := new(big.Rat).SetString(s)
	if !ok || s == "" || strings.ContainsAny(s, "/") {
		return "number_format_exception", fmt.Sprintf("For input string: \"%s\"", s)
	}
	if !r.IsInt() {
		if !coerce {
			return "illegal_argument_exception", fmt.Sprintf("Value [%s] has a decimal part", s)
		}
		// Coercion truncates towards zero.
		q := new(big.Int).Quo(r.Num(), r.Denom())
		r = new(big.Rat).SetInt(q)
	}
	n := r.Num()
	if typ == "unsigned_long" {
		if n.Sign() < 0 || n.Cmp(maxUnsignedLong) > 0 {
			return "illegal_argument_exception", fmt.Sprintf("Value \"%s\" has a decimal part or is out of range of unsigned_long", s)
		}
		return "", ""
	}
	lo, hi, _ := estype.Type(typ).IntBounds()
	if !n.IsInt64() || n.Int64() < lo || n.Int64() > hi {
		return "illegal_argument_exception", fmt.Sprintf("Value [%s] is out of range for %s", s, typeDisplay(typ))
	}
	return "", ""
}

func typeDisplay(typ string) string {
	switch typ {
	case "integer":
		return "an integer"
	default:
		return "a " + typ
	}
}

// isLonLat reports whether an array is a geo_point in [lon, lat] form.
func isLonLat(a []any) bool {
	if len(a) < 2 || len(a) > 3 {
		return false
	}
	lon, ok1 := number(a[0])
	lat, ok2 := number(a[1])
	return ok1 && ok2 && math.Abs(lon) <= 180 && math.Abs(lat) <= 90
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func validGeoObject(o map[string]any) bool {
	lat, ok1 := latLon(o["lat"])
	lon, ok2 := latLon(o["lon"])
	return ok1 && ok2 && math.Abs(lat) <= 90 && math.Abs(lon) <= 180
}

func latLon(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

var (
	geohashRe = regexp.MustCompile(`^[0-9b-hjkmnp-z]{1,12}$`)
	wktPoint  = regexp.MustCompile(`(?i)^\s*POINT\s*\(\s*(\S+)\s+(\S+)\s*\)\s*$`)
)

func validGeoString(s string) bool {
	if m := wktPoint.FindStringSubmatch(s); m != nil {
		lon, err1 := strconv.ParseFloat(m[1], 64)
		lat, err2 := strconv.ParseFloat(m[2], 64)
		return err1 == nil && err2 == nil && math.Abs(lat) <= 90 && math.Abs(lon) <= 180
	}
	if lat, lon, ok := strings.Cut(s, ","); ok {
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		return err1 == nil && err2 == nil && math.Abs(la) <= 90 && math.Abs(lo) <= 180
	}
	return geohashRe.MatchString(s)
}

// isDate reports whether s parses with one of the "||"-separated formats,
// read through es/date: the default format's parts exactly; the shapes of
// strict_date_time (a full date and time with a zone) and strict_date (a
// day) checked on top of it; date_optional_time read as its strict twin;
// epoch_second as a number. A custom pattern (e.g. "yyyy-MM-dd HH:mm") is
// not interpreted and accepts any value.
func isDate(s, formats string) bool {
	for _, f := range strings.Split(formats, "||") {
		switch strings.TrimSpace(f) {
		case "strict_date_optional_time", "strict_date_optional_time_nanos", "date_optional_time", "dateOptionalTime":
			if _, err := date.ParseISO(s, date.RoundDown); err == nil {
				return true
			}
		case "strict_date_time", "date_time":
			if _, err := date.ParseISO(s, date.RoundDown); err == nil && strictTimeRe.MatchString(s) {
				return true
			}
		case "strict_date", "date", "yyyy-MM-dd":
			if _, err := date.ParseISO(s, date.RoundDown); err == nil && plainDateRe.MatchString(s) {
				return true
			}
		case "epoch_millis":
			if _, err := date.ParseEpochMillis(s, date.RoundDown); err == nil {
				return true
			}
		case "epoch_second":
			if epochRe.MatchString(s) {
				return true
			}
		default:
			return true
		}
	}
	return false
}

var (
	strictTimeRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$`)
	plainDateRe  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	epochRe      = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
)
