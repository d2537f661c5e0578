package schema

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/klauspost/compress/gzip"

	"github.com/emit-sec/emit/es/estype"
)

// Load reads a schema file, detecting its format from its content:
//
//   - an ECS release archive (.tar.gz or .tar, as GitHub serves a tag): the
//     schema is */generated/ecs/ecs_flat.yml inside it;
//   - an ecs_flat.yml (YAML: dotted name -> {type, normalize,
//     allowed_values, multi_fields, ...}), or a YAML map of dotted name ->
//     type;
//   - emit's own schema YAML (top-level "fields:" in the ecs_flat.yml form
//     and "conventions:", a list of {match: PATTERN, type: ...}), the format
//     of the embedded default;
//   - a JSON map of dotted name -> type, or -> a definition {"type": ...}
//     (an object with a string "type"; it may also give "array",
//     "normalize", "scaling_factor", "ignore_above", "fields" (multi-fields
//     as in a mapping), "multi_fields", "allowed_values",
//     "expected_values", "object_type"), possibly nested ({"process":
//     {"pid": "long"}}), or in Elasticsearch mapping form ({"properties":
//     ...}, {"mappings": {"properties": ...}}, or the answer of GET
//     <index>/_mapping);
//   - the detection-rules non-ECS schema (non-ecs-schema.json, recognized
//     by its keys, which are all index patterns with "*": index pattern ->
//     nested objects or dotted names -> type): all patterns are merged, see
//     LoadNonECS to pick them by index;
//
// each possibly gzip-compressed. A field inside a leaf field
// (process.name.text, when process.name is a keyword) is read as a
// multi-field of it. Errors name the file and the reason.
//
// An integration schemas file (detection-rules' integration-schemas.json.gz:
// package -> version -> data stream -> {dotted field: type}) gives the
// fields of every package's newest version (Integrations.All); Open keeps
// it as Integrations, for rules to take their own integration's fields.
func Load(name string) (*Schema, error) {
	s, ig, err := Open(name)
	if err != nil || s != nil {
		return s, err
	}
	return ig.All()
}

// Open reads a schema file as Load does, but returns an integration
// schemas file as *Integrations (and a nil *Schema), every other schema as
// *Schema.
func Open(name string) (*Schema, *Integrations, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, fmt.Errorf("schema: %w", err)
	}
	s, ig, err := parseAny(data)
	if err != nil {
		return nil, nil, fmt.Errorf("schema: %s: %w", name, err)
	}
	if ig != nil {
		ig.name = name
	}
	return s, ig, nil
}

// LoadAll returns Default() overlaid by the schema of each path in order
// (later ones override earlier ones, see Merge).
func LoadAll(paths []string) (*Schema, error) { return mergeFiles(Default(), paths) }

// LoadMerged loads each of paths (Load) and merges them in order, over no
// other field (LoadAll's are over the default schema's).
func LoadMerged(paths []string) (*Schema, error) { return mergeFiles(New(), paths) }

// mergeFiles merges into s the schema of each of paths (Load), in order.
func mergeFiles(s *Schema, paths []string) (*Schema, error) {
	for _, p := range paths {
		o, err := Load(p)
		if err != nil {
			return nil, err
		}
		s.Merge(o)
	}
	return s, nil
}

// Parse reads a schema from data in any format Load accepts.
func Parse(data []byte) (*Schema, error) {
	s, ig, err := parseAny(data)
	if err != nil || s != nil {
		return s, err
	}
	return ig.All()
}

// parseAny reads data as Open does.
func parseAny(data []byte) (*Schema, *Integrations, error) {
	if isGzip(data) && !isTarGzip(data) || !isGzip(data) && !isTar(data) {
		text, err := textOf(data)
		if err != nil {
			return nil, nil, err
		}
		if looksLikeIntegrations(text) {
			ig, err := integrationsFrom(text)
			return nil, ig, err
		}
		s, err := parseText([]byte(text))
		return s, nil, err
	}
	s, err := parse(data)
	return s, nil, err
}

// isTarGzip reports whether gzip data holds a tar archive.
func isTarGzip(data []byte) bool {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return false
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(zr, head)
	return isTar(head[:n])
}

func parse(data []byte) (*Schema, error) {
	if !isGzip(data) {
		if isTar(data) {
			return parseArchive(bytes.NewReader(data))
		}
		return parseText(data)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", unexpectedEOF(err))
	}
	// Stream an archive: the schema is usually well before its end.
	br := bufio.NewReaderSize(zr, 64<<10)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("gzip: %w", unexpectedEOF(err))
	}
	if isTar(head) {
		return parseArchive(br)
	}
	raw, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", unexpectedEOF(err))
	}
	return parseText(raw)
}

// parseText parses an uncompressed JSON or YAML schema.
func parseText(data []byte) (*Schema, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("empty file")
	}
	if trimmed[0] == '{' {
		return parseJSON(trimmed)
	}
	if trimmed[0] == '[' {
		return nil, errors.New("not a schema: a JSON array, expected an object of field names")
	}
	return parseYAML(data)
}

func isGzip(data []byte) bool { return len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b }

// isTar recognizes a POSIX (ustar) or GNU tar header.
func isTar(data []byte) bool {
	return len(data) >= 512 && bytes.HasPrefix(data[257:], []byte("ustar"))
}

func gunzip(data []byte) ([]byte, error) {
	var b bytes.Buffer
	if err := gunzipTo(data, &b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// gunzipTo decompresses data into w, allocating once for the size the
// gzip trailer announces (the integration schemas are 60 MB of JSON).
func gunzipTo(data []byte, w interface {
	io.Writer
	Grow(int)
}) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("gzip: %w", unexpectedEOF(err))
	}
	if n := len(data); n >= 18 {
		// ISIZE: the uncompressed size modulo 2^32, a hint only.
		size := int(binary.LittleEndian.Uint32(data[n-4:]))
		w.Grow(min(size, maxEntrySize) + bytes.MinRead)
	}
	if _, err := io.Copy(w, zr); err != nil {
		return fmt.Errorf("gzip: %w", unexpectedEOF(err))
	}
	return nil
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated (unexpected end of data)")
	}
	return err
}

// ecsFlatPath is where an ECS release keeps its flat schema, below the
// archive's top directory.
const ecsFlatPath = "generated/ecs/ecs_flat.yml"

// maxEntrySize bounds the ecs_flat.yml read from an archive (ECS 9.5's is
// 1.3 MB).
const maxEntrySize = 256 << 20

// parseArchive finds the ECS flat schema in a tar stream: the entry
// <top>/generated/ecs/ecs_flat.yml, else the shortest path ending in
// generated/ecs/ecs_flat.yml (releases also carry experimental/ and
// usage-example/ variants, which are not the schema).
func parseArchive(r io.Reader) (*Schema, error) {
	tr := tar.NewReader(r)
	var best string
	var bestData []byte
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("tar: %w", unexpectedEOF(err))
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(h.Name)
		if name != ecsFlatPath && !strings.HasSuffix(name, "/"+ecsFlatPath) {
			continue
		}
		exact := strings.Count(name, "/") <= strings.Count(ecsFlatPath, "/")+1
		if !exact && best != "" && len(name) >= len(best) {
			continue
		}
		if h.Size < 0 || h.Size > maxEntrySize {
			return nil, fmt.Errorf("tar: %s: implausible size %d", name, h.Size)
		}
		data := make([]byte, h.Size)
		_, err = io.ReadFull(tr, data)
		if err != nil {
			return nil, fmt.Errorf("tar: %s: %w", name, unexpectedEOF(err))
		}
		best, bestData = name, data
		if exact {
			break
		}
	}
	if best == "" {
		return nil, fmt.Errorf("no */%s in the archive", ecsFlatPath)
	}
	s, err := parseYAML(bestData)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", best, err)
	}
	return s, nil
}

// parseJSON reads the JSON schema forms (see Load).
func parseJSON(data []byte) (*Schema, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(data, err)
	}
	if len(top) == 0 {
		return nil, errors.New("no fields (an empty JSON object)")
	}
	s := New()
	switch {
	case isObject(top["mappings"]):
		var m map[string]json.RawMessage
		if err := json.Unmarshal(top["mappings"], &m); err != nil {
			return nil, fmt.Errorf("mappings: %w", err)
		}
		if err := walkProperties(s, "", m["properties"]); err != nil {
			return nil, err
		}
	case isObject(top["properties"]):
		if err := walkProperties(s, "", top["properties"]); err != nil {
			return nil, err
		}
	case allObjectsWith(top, "mappings"):
		// GET <index>/_mapping: index name -> {"mappings": ...}
		for _, index := range sortedKeys(top) {
			var m struct {
				Mappings map[string]json.RawMessage `json:"mappings"`
			}
			if err := json.Unmarshal(top[index], &m); err != nil {
				return nil, fmt.Errorf("%s: %w", index, err)
			}
			if err := walkProperties(s, "", m.Mappings["properties"]); err != nil {
				return nil, fmt.Errorf("%s: %w", index, err)
			}
		}
	case isNonECS(top):
		n, err := nonECSFrom(top)
		if err != nil {
			return nil, err
		}
		return n.All(), nil
	default:
		if err := walkFlat(s, "", top); err != nil {
			return nil, err
		}
	}
	if s.Len() == 0 {
		return nil, errors.New("no fields")
	}
	s.normalizeAll()
	return s, nil
}

// jsonError words a JSON syntax error with its line and column.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, int(se.Offset))
		return fmt.Errorf("invalid JSON at %d:%d: %v", line, col, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: truncated (unexpected end of data)")
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("not a schema: expected an object of field names, got a JSON %s", te.Value)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func lineCol(data []byte, off int) (int, int) {
	if off > len(data) {
		off = len(data)
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}

func allObjectsWith(top map[string]json.RawMessage, key string) bool {
	for _, raw := range top {
		if !isObject(raw) {
			return false
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil || !isObject(m[key]) {
			return false
		}
	}
	return true
}

// isNonECS recognizes the per-index-pattern form: every key is an index
// pattern with a wildcard and every value an object.
func isNonECS(top map[string]json.RawMessage) bool {
	for k, raw := range top {
		if !strings.Contains(k, "*") || !isObject(raw) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// jsonField is a field definition of a JSON schema: the type and the
// parameters emit understands, in ECS or Elasticsearch spelling.
type jsonField struct {
	Type          estype.Type                `json:"type"`
	Normalizer    string                     `json:"normalizer"`
	Array         bool                       `json:"array"`
	Normalize     []string                   `json:"normalize"`
	ScalingFactor float64                    `json:"scaling_factor"`
	IgnoreAbove   int                        `json:"ignore_above"`
	Fields        map[string]jsonField       `json:"fields"`
	MultiFields   []ecsMultiField            `json:"multi_fields"`
	AllowedValues []ecsAllowedValue          `json:"allowed_values"`
	Expected      []string                   `json:"expected_values"`
	ObjectType    estype.Type                `json:"object_type"`
	Properties    map[string]json.RawMessage `json:"properties"`
}

func (j jsonField) field(name string) Field {
	f := Field{
		Name:          name,
		Type:          j.Type,
		Normalizer:    j.Normalizer,
		Array:         j.Array || slices.Contains(j.Normalize, "array"),
		ScalingFactor: j.ScalingFactor,
		IgnoreAbove:   j.IgnoreAbove,
		ObjectType:    j.ObjectType,
	}
	f.AllowedValues, f.ExpectedEventTypes = allowedValues(j.AllowedValues)
	if len(j.Expected) > 0 {
		f.ExpectedValues = j.Expected
	}
	for _, m := range j.MultiFields {
		f.MultiFields = append(f.MultiFields, MultiField{Name: m.Name, Type: m.Type, Normalizer: m.Normalizer})
	}
	for _, sub := range sortedKeys(j.Fields) {
		f.MultiFields = append(f.MultiFields, MultiField{Name: sub, Type: j.Fields[sub].Type, Normalizer: j.Fields[sub].Normalizer})
	}
	return f
}

// walkFlat reads a map of (dotted) names to a type name, a field
// definition {"type": ...}, or a nested map of the same.
func walkFlat(s *Schema, prefix string, m map[string]json.RawMessage) error {
	return walkTypes(s, prefix, m, true)
}

// walkNested reads nested objects whose leaves are type names. Unlike the
// flat JSON form, an object is always a level of nesting: {"metadata":
// {"type": "keyword"}} is the field metadata.type.
func walkNested(s *Schema, prefix string, m map[string]json.RawMessage) error {
	return walkTypes(s, prefix, m, false)
}

// walkTypes reads a map of names to type names or to objects; with
// definitions, an object with a "type" is a field definition and one with
// "properties" a mapping, else every object is a level of nesting.
func walkTypes(s *Schema, prefix string, m map[string]json.RawMessage, definitions bool) error {
	for _, k := range sortedKeys(m) {
		name := join(prefix, k)
		if err := checkName(name); err != nil {
			return err
		}
		raw := bytes.TrimSpace(m[k])
		switch {
		case len(raw) > 0 && raw[0] == '"':
			var typ estype.Type
			if err := json.Unmarshal(raw, &typ); err != nil {
				return fmt.Errorf("field %s: %w", name, err)
			}
			if err := checkType(name, typ); err != nil {
				return err
			}
			s.set(Field{Name: name, Type: typ, Normalizer: flatNormalizer(name, typ)})
		case len(raw) > 0 && raw[0] == '{':
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(raw, &obj); err != nil {
				return fmt.Errorf("field %s: %w", name, err)
			}
			if definitions {
				if t, ok := obj["type"]; ok && len(t) > 0 && t[0] == '"' {
					if err := setJSONField(s, name, raw); err != nil {
						return err
					}
					continue
				}
				if isObject(obj["properties"]) {
					if err := walkProperties(s, name, obj["properties"]); err != nil {
						return err
					}
					continue
				}
			}
			if err := walkTypes(s, name, obj, definitions); err != nil {
				return err
			}
		default:
			return fmt.Errorf("field %s: expected a type name or an object, got %s", name, abbreviate(raw))
		}
	}
	return nil
}

// walkMapping reads Elasticsearch mapping properties.
func walkMapping(s *Schema, prefix string, props map[string]json.RawMessage) error {
	for _, k := range sortedKeys(props) {
		name := join(prefix, k)
		if err := checkName(name); err != nil {
			return err
		}
		if !isObject(props[k]) {
			return fmt.Errorf("field %s: expected a mapping object, got %s", name, abbreviate(props[k]))
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(props[k], &obj); err != nil {
			return fmt.Errorf("field %s: %w", name, err)
		}
		if _, ok := obj["type"]; ok {
			if err := setJSONField(s, name, props[k]); err != nil {
				return err
			}
			continue
		}
		sub, err := properties(name, obj["properties"])
		if err != nil {
			return err
		}
		s.set(Field{Name: name, Type: estype.Object})
		if err := walkMapping(s, name, sub); err != nil {
			return err
		}
	}
	return nil
}

// walkProperties reads the raw "properties" of the object field prefix.
func walkProperties(s *Schema, prefix string, raw json.RawMessage) error {
	props, err := properties(prefix, raw)
	if err != nil {
		return err
	}
	return walkMapping(s, prefix, props)
}

// properties decodes the "properties" of the object field name (nothing
// when raw is empty).
func properties(name string, raw json.RawMessage) (map[string]json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil {
		if name == "" {
			return nil, fmt.Errorf("properties: %w", err)
		}
		return nil, fmt.Errorf("properties of %s: %w", name, err)
	}
	return props, nil
}

func setJSONField(s *Schema, name string, raw json.RawMessage) error {
	var jf jsonField
	if err := json.Unmarshal(raw, &jf); err != nil {
		return fmt.Errorf("field %s: %w", name, err)
	}
	if err := checkType(name, jf.Type); err != nil {
		return err
	}
	s.set(jf.field(name))
	if len(jf.Properties) > 0 && !jf.Type.HoldsFields() {
		return fmt.Errorf("field %s: a %s cannot have properties", name, jf.Type)
	}
	return walkMapping(s, name, jf.Properties)
}

func abbreviate(raw []byte) string {
	const max = 40
	s := string(bytes.TrimSpace(raw))
	if len(s) > max {
		s = s[:max] + "..."
	}
	if s == "" {
		s = "nothing"
	}
	return s
}

// checkName rejects field names that no document can hold.
func checkName(name string) error {
	if name == "" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return fmt.Errorf("invalid field name %q", name)
	}
	return nil
}

// checkType rejects type names that are not identifiers (a description
// where a type should be, a number, ...).
func checkType(name string, typ estype.Type) error {
	if typ == "" {
		return fmt.Errorf("field %s: no type", name)
	}
	for _, r := range typ {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("field %s: invalid type %q", name, typ)
		}
	}
	return nil
}

// flatNormalizer is the normalizer of a field that a flat type map (the
// detection-rules schemas: name -> type name) can only call "keyword":
// Elastic Defend maps its "caseless" multi-fields (process.name.caseless,
// file.path.caseless, ...) as keywords with the lowercase normalizer
// (endpoint package, custom_subfields.yml), and the flat maps keep only
// their type.
func flatNormalizer(name string, typ estype.Type) string {
	if typ == estype.Keyword && strings.HasSuffix(name, ".caseless") {
		return estype.NormalizerLowercase
	}
	return ""
}
