package schema

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/emit-sec/emit/es/estype"
)

// writeFile writes data to a file named name in a fresh directory.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type tarEntry struct {
	name string
	data []byte
}

func tarBytes(t *testing.T, entries ...tarEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		typ := byte(tar.TypeReg)
		if strings.HasSuffix(e.name, "/") {
			typ = tar.TypeDir
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.data))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// releaseArchive mimics an ECS release: experimental/ and usage-example/
// variants around the real schema.
func releaseArchive(t *testing.T, flat []byte) []byte {
	decoy := []byte("process.pid:\n  type: keyword\n")
	return tarBytes(t,
		tarEntry{name: "ecs-1.2.3/"},
		tarEntry{name: "ecs-1.2.3/README.md", data: []byte("# ECS\n")},
		tarEntry{name: "ecs-1.2.3/experimental/generated/ecs/ecs_flat.yml", data: decoy},
		tarEntry{name: "ecs-1.2.3/generated/ecs/ecs_flat.yml", data: flat},
		tarEntry{name: "ecs-1.2.3/usage-example/generated/ecs/ecs_flat.yml", data: decoy},
	)
}

// checkECSFixture checks what testdata/ecs_flat.yml says.
func checkECSFixture(t *testing.T, s *Schema) {
	t.Helper()
	if s.Len() != 13 {
		t.Errorf("Len = %d, want 13: %v", s.Len(), s.Names())
	}
	types := map[string]string{
		"@timestamp": "date", "process.pid": "long", "source.ip": "ip", "process.name": "keyword",
		"container.cpu.usage": "scaled_float", "dll.pe.sections": "nested", "labels": "object",
		"process.name.text": "match_only_text", "dll.pe.imports.anything": "keyword", "labels.env": "keyword",
	}
	for name, want := range types {
		if f := s.Field(name); f.Type != estype.Type(want) || !f.Known {
			t.Errorf("Field(%s) = %s (known %v), want %s", name, f.Type, f.Known, want)
		}
	}
	cat := s.Field("event.category")
	if !cat.Array || !reflect.DeepEqual(cat.AllowedValues, []string{"api", "authentication", "threat"}) || cat.IgnoreAbove != 1024 {
		t.Errorf("event.category = %+v", cat)
	}
	wantExp := map[string][]string{"api": {"access", "admin"}, "authentication": {"start", "end", "info"}}
	if !reflect.DeepEqual(cat.ExpectedEventTypes, wantExp) {
		t.Errorf("event.category expected event types = %v, want %v", cat.ExpectedEventTypes, wantExp)
	}
	if out := s.Field("event.outcome"); out.Array || !reflect.DeepEqual(out.AllowedValues, []string{"failure", "success"}) {
		t.Errorf("event.outcome = %+v", out)
	}
	if !s.Field("process.args").Array || s.Field("process.name").Array {
		t.Error("process.args must be an array, process.name not")
	}
	if f := s.Field("host.os.type"); !reflect.DeepEqual(f.ExpectedValues, []string{"linux", "windows"}) || f.AllowedValues != nil {
		t.Errorf("host.os.type = %+v", f)
	}
	if f := s.Field("container.cpu.usage"); f.ScalingFactor != 1000 || f.Example != "0.5" {
		t.Errorf("container.cpu.usage = %+v", f)
	}
	for name, want := range map[string]string{"process.name": "ssh", "process.pid": "4242", "source.ip": "", "@timestamp": "2016-05-23T08:05:34.853Z"} {
		if got := s.Field(name).Example; got != want {
			t.Errorf("Field(%s).Example = %q, want %q", name, got, want)
		}
	}
	if f := s.Field("process.name"); !reflect.DeepEqual(f.MultiFields, []MultiField{{Name: "text", Type: "match_only_text"}}) {
		t.Errorf("process.name multi-fields = %v", f.MultiFields)
	}
	if f := s.Field("process.name.text"); f.MultiFieldOf != "process.name" {
		t.Errorf("process.name.text = %+v, want a multi-field of process.name", f)
	}
	if f, ok := s.Lookup("process.name.text"); !ok || f.Type != "match_only_text" {
		t.Errorf("Lookup(process.name.text) = %+v, %v", f, ok)
	}
	if f := s.Field("dll.pe.imports.name"); f.FlattenedIn != "dll.pe.imports" {
		t.Errorf("dll.pe.imports.name = %+v, want a key of dll.pe.imports", f)
	}
	if f := s.Field("labels"); f.ObjectType != "keyword" {
		t.Errorf("labels = %+v", f)
	}
}

func TestLoadFormats(t *testing.T) {
	flatYAML := readTestdata(t, "ecs_flat.yml")
	flatJSON := readTestdata(t, "flat.json")
	checkFlatJSON := func(t *testing.T, s *Schema) {
		t.Helper()
		want := map[string]string{
			"process.Ext.ancestry": "keyword", "process.Ext.code_signature": "nested",
			"process.Ext.code_signature.trusted": "boolean", "process.Ext.session_info.id": "unsigned_long",
			"process.Ext.relative_file_creation_time": "double", "process.thread.Ext.start": "date",
			"host.cpu.usage": "scaled_float", "winlog.event_data.LogonType": "keyword",
			"winlog.event_data.ProcessId": "long", "process.name.text": "text",
		}
		for name, typ := range want {
			if f := s.Field(name); f.Type != estype.Type(typ) || !f.Known {
				t.Errorf("Field(%s) = %+v, want %s", name, f, typ)
			}
		}
		if f := s.Field("host.cpu.usage"); f.ScalingFactor != 100 {
			t.Errorf("host.cpu.usage scaling factor = %v", f.ScalingFactor)
		}
		if !s.Field("tags").Array {
			t.Error("tags must be an array")
		}
		// process.name.text and .caseless sit inside the keyword
		// process.name: multi-fields, not fields of their own.
		if f := s.Field("process.name.caseless"); f.MultiFieldOf != "process.name" || f.Type != "keyword" {
			t.Errorf("process.name.caseless = %+v", f)
		}
		if _, ok := s.fields["process.name.text"]; ok {
			t.Error("process.name.text kept as a field of its own")
		}
	}
	tests := []struct {
		name  string
		file  string
		data  []byte
		check func(*testing.T, *Schema)
	}{
		{"ecs_flat.yml", "ecs_flat.yml", flatYAML, checkECSFixture},
		{"ecs_flat.yml gzipped", "ecs_flat.yml.gz", gzipBytes(t, flatYAML), checkECSFixture},
		{"release tar.gz", "ecs-1.2.3.tar.gz", gzipBytes(t, releaseArchive(t, flatYAML)), checkECSFixture},
		{"release tar", "ecs.tar", releaseArchive(t, flatYAML), checkECSFixture},
		{"tar.gz under another name", "schema.bin", gzipBytes(t, releaseArchive(t, flatYAML)), checkECSFixture},
		{"archive without top directory", "flat.tgz", gzipBytes(t, tarBytes(t, tarEntry{"x/experimental/generated/ecs/ecs_flat.yml", []byte("a: keyword\n")}, tarEntry{"generated/ecs/ecs_flat.yml", flatYAML})), checkECSFixture},
		{"shortest of deeper copies", "deep.tgz", gzipBytes(t, tarBytes(t, tarEntry{"a/b/c/generated/ecs/ecs_flat.yml", []byte("a: keyword\n")}, tarEntry{"a/b/generated/ecs/ecs_flat.yml", flatYAML})), checkECSFixture},
		{"flat JSON", "flat.json", flatJSON, checkFlatJSON},
		{"flat JSON gzipped", "flat.json.gz", gzipBytes(t, flatJSON), checkFlatJSON},
		{"flat JSON under a YAML name", "flat.yml", flatJSON, checkFlatJSON},
		{"Elasticsearch mappings", "mapping.json", readTestdata(t, "mapping.json"), func(t *testing.T, s *Schema) {
			if f := s.Field("process.name"); f.IgnoreAbove != 1024 || len(f.MultiFields) != 1 || f.MultiFields[0].Type != "match_only_text" {
				t.Errorf("process.name = %+v", f)
			}
			for name, typ := range map[string]string{"@timestamp": "date", "process.pid": "long", "dll.pe.sections": "nested", "dll.pe.sections.entropy": "long", "dll.pe": "object"} {
				if got := s.Field(name).Type; got != estype.Type(typ) {
					t.Errorf("Field(%s) = %s, want %s", name, got, typ)
				}
			}
		}},
		{"GET _mapping answer", "idx.json", []byte(`{"idx-1": {"mappings": {"properties": {"a": {"type": "ip"}}}}, "idx-2": {"mappings": {"properties": {"b": {"properties": {"c": {"type": "date"}}}}}}}`), func(t *testing.T, s *Schema) {
			if s.Field("a").Type != "ip" || s.Field("b.c").Type != "date" {
				t.Errorf("fields = %v", s.Names())
			}
		}},
		{"non-ECS per index pattern", "non-ecs.json", readTestdata(t, "non-ecs.json"), func(t *testing.T, s *Schema) {
			for name, typ := range map[string]string{
				"file.Ext.entropy": "long", "winlog.event_data.ProcessId": "long", "endgame.metadata.type": "keyword",
				// the more specific pattern logs-endpoint.events.file-* wins
				"file.Ext.header_bytes": "wildcard",
			} {
				if got := s.Field(name); got.Type != estype.Type(typ) || !got.Known {
					t.Errorf("Field(%s) = %+v, want %s", name, got, typ)
				}
			}
			if f := s.Field("gsuite.admin.new_value"); f.MultiFieldOf != "gsuite.admin" {
				t.Errorf("gsuite.admin.new_value = %+v, want a multi-field of the keyword gsuite.admin", f)
			}
		}},
		{"emit schema YAML", "mine.yml", readTestdata(t, "emit-schema.yml"), func(t *testing.T, s *Schema) {
			if f := s.Field("custom.flags"); !f.Array || !reflect.DeepEqual(f.AllowedValues, []string{"a", "b"}) {
				t.Errorf("custom.flags = %+v", f)
			}
			for name, typ := range map[string]string{"x.score": "float", "custom.a.count": "integer", "other.a.count": "keyword", "custom.id": "keyword"} {
				if got := s.Field(name).Type; got != estype.Type(typ) {
					t.Errorf("Field(%s) = %s, want %s", name, got, typ)
				}
			}
			if len(s.Conventions()) != 2 || s.Len() != 2 {
				t.Errorf("conventions %v, fields %v", s.Conventions(), s.Names())
			}
		}},
		{"YAML map of types", "flat.yml", readTestdata(t, "flat.yml"), func(t *testing.T, s *Schema) {
			for name, typ := range map[string]string{"process.pid": "long", "source.ip": "ip", "custom.when": "date"} {
				if got := s.Field(name); got.Type != estype.Type(typ) || !got.Known {
					t.Errorf("Field(%s) = %+v, want %s", name, got, typ)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(writeFile(t, tt.file, tt.data))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func TestLoadDamaged(t *testing.T) {
	flatYAML := readTestdata(t, "ecs_flat.yml")
	archive := gzipBytes(t, releaseArchive(t, flatYAML))
	flatGz := gzipBytes(t, readTestdata(t, "flat.json"))
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	if w, err := zw.Create("a.json"); err != nil {
		t.Fatal(err)
	} else {
		w.Write([]byte("{}"))
	}
	zw.Close()
	tests := []struct {
		name string
		data []byte
		want string // in the error, after the file name
	}{
		{"empty", nil, "empty file"},
		{"blank", []byte(" \n\t\n"), "empty file"},
		{"truncated archive", archive[:len(archive)/2], "truncated"},
		{"truncated gzip header", archive[:5], "gzip"},
		{"truncated gzipped JSON", flatGz[:len(flatGz)-12], "truncated"},
		{"archive without schema", gzipBytes(t, tarBytes(t, tarEntry{"ecs-1/README.md", []byte("x")})), "no */generated/ecs/ecs_flat.yml in the archive"},
		{"bad YAML in archive", gzipBytes(t, releaseArchive(t, []byte("a: [b\n"))), "ecs-1.2.3/generated/ecs/ecs_flat.yml: invalid YAML"},
		{"not YAML", []byte("a: [b\n  c: d\n"), "invalid YAML"},
		{"prose", []byte("hello, world\n"), "not a schema"},
		{"YAML list", []byte("- a\n- b\n"), "not a schema"},
		{"YAML field without type", []byte("process.pid:\n  description: no type\n"), "field process.pid: no type"},
		{"YAML field with a bad type", []byte("process.pid:\n  type: [long]\n"), "invalid YAML"},
		{"YAML type is prose", []byte("process.pid: a long number\n"), `invalid type "a long number"`},
		{"YAML bad name", []byte("process..pid: long\n"), `invalid field name "process..pid"`},
		{"emit YAML unknown key", []byte("fields:\n  a: {type: long, colour: red}\n"), "colour"},
		{"emit YAML bad convention", []byte("conventions:\n  - {type: long}\n"), "convention 1: invalid match"},
		{"emit YAML empty", []byte("fields: {}\n"), "no fields and no conventions"},
		{"JSON array", []byte(`["a"]`), "JSON array"},
		{"JSON empty object", []byte(`{}`), "no fields"},
		{"JSON syntax", []byte("{\n  \"a\": \"long\",\n  \"b\" \"ip\"\n}"), "invalid JSON at 3:"},
		{"JSON truncated", []byte(`{"a": "long", "b": `), "invalid JSON"},
		{"JSON number as type", []byte(`{"a": 3}`), "field a: expected a type name or an object, got 3"},
		{"JSON empty type", []byte(`{"a": {"type": ""}}`), "field a: no type"},
		{"JSON leaf with properties", []byte(`{"properties": {"a": {"type": "long", "properties": {"b": {"type": "ip"}}}}}`), "field a: a long cannot have properties"},
		{"JSON mapping property not an object", []byte(`{"properties": {"a": "long"}}`), "field a: expected a mapping object"},
		{"non-ECS with a string value", []byte(`{"logs-*": {"a": 1}}`), "index pattern \"logs-*\": field a: expected a type name"},
		{"zip", zipped.Bytes(), "zip archive"},
		{"binary", []byte{0, 1, 2, 3, 0xff, 0xfe}, "invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "input", tt.data)
			s, err := Load(p)
			if err == nil {
				t.Fatalf("Load succeeded with %d fields", s.Len())
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "schema: "+p+": ") || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to name %s and say %q", msg, p, tt.want)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestKeepECSProperties(t *testing.T) {
	data := readTestdata(t, "ecs_flat.yml")
	kept := string(keepECSProperties(data))
	for _, gone := range []string{"dashed_name: timestamp", "short: Process name.", "Sometimes called", "level: core", "original_fieldset: os", "android).'"} {
		if strings.Contains(kept, gone) {
			t.Errorf("%q kept", gone)
		}
	}
	// allowed_values is kept whole, descriptions included.
	for _, stay := range []string{"Multi-line", "normalize:\n  - array", "expected_event_types:\n    - access", "multi_fields:\n  - flat_name: process.name.text", "scaling_factor: 1000"} {
		if !strings.Contains(kept, stay) {
			t.Errorf("%q dropped", stay)
		}
	}
	// Other indentations are kept whole.
	four := "a:\n    type: long\n    description: x\n"
	if got := string(keepECSProperties([]byte(four))); got != four {
		t.Errorf("4-space text changed: %q", got)
	}
}

// sameSchema compares two schemas field by field.
func sameSchema(t *testing.T, a, b *Schema) {
	t.Helper()
	if !slices.Equal(a.Names(), b.Names()) {
		t.Fatalf("names differ: %d vs %d", a.Len(), b.Len())
	}
	for _, n := range a.Names() {
		if fa, fb := a.Field(n), b.Field(n); !reflect.DeepEqual(fa, fb) {
			t.Errorf("%s: %+v != %+v", n, fa, fb)
		}
	}
}

func TestLoadAllOverrides(t *testing.T) {
	a := writeFile(t, "a.json", []byte(`{"x.port": "keyword", "y": "long", "process.name": {"type": "keyword", "ignore_above": 10}}`))
	b := writeFile(t, "b.yml", []byte("y: ip\nz: date\n"))
	s, err := LoadAll([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]string{
		"x.port":     "keyword", // a beats the default's *.port convention
		"y":          "ip",      // b beats a
		"z":          "date",
		"w.port":     "long", // the default's convention still applies
		"@timestamp": "date",
	} {
		if got := s.Field(name).Type; got != estype.Type(typ) {
			t.Errorf("Field(%s) = %s, want %s", name, got, typ)
		}
	}
	// Same type: a's ignore_above wins, the default's multi-fields stay.
	if f := s.Field("process.name"); f.IgnoreAbove != 10 || len(f.MultiFields) != 2 || f.MultiFields[0].Name != "text" || f.MultiFields[1].Name != "caseless" {
		t.Errorf("process.name = %+v", f)
	}
	if _, err := LoadAll([]string{a, filepath.Join(t.TempDir(), "nope.yml")}); err == nil || !strings.Contains(err.Error(), "nope.yml") {
		t.Errorf("LoadAll with a missing file: %v", err)
	}
}

// LoadMerged merges its files in order over no other field: the later
// file's type wins, and none of the default schema's fields is there.
func TestLoadMerged(t *testing.T) {
	a := writeFile(t, "a.json", []byte(`{"x.port": "keyword", "y": "long"}`))
	b := writeFile(t, "b.yml", []byte("y: ip\nz: date\n"))
	s, err := LoadMerged([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Names(); !slices.Equal(got, []string{"x.port", "y", "z"}) {
		t.Errorf("names %v, want x.port, y and z", got)
	}
	if got := s.Field("y").Type; got != estype.Type("ip") {
		t.Errorf("y is %s, want ip (b's)", got)
	}
	if s.Field("@timestamp").Known {
		t.Error("@timestamp known: the default's fields are not LoadMerged's")
	}
	if _, err := LoadMerged([]string{a, filepath.Join(t.TempDir(), "nope.yml")}); err == nil || !strings.Contains(err.Error(), "nope.yml") {
		t.Errorf("LoadMerged with a missing file: %v", err)
	}
}

func TestParseFlatNormalizesAcrossMerge(t *testing.T) {
	s := New()
	s.Set(Field{Name: "process.name", Type: "keyword"})
	o, err := Parse([]byte(`{"process.name.text": "text", "process.name.caseless": "keyword", "dll.pe.imports": "flattened", "dll.pe.imports.name": "keyword"}`))
	if err != nil {
		t.Fatal(err)
	}
	s.Merge(o)
	if f := s.Field("process.name"); !reflect.DeepEqual(f.MultiFields, []MultiField{{"caseless", "keyword", "lowercase"}, {"text", "text", ""}}) {
		t.Errorf("process.name multi-fields = %v", f.MultiFields)
	}
	if f := s.Field("dll.pe.imports.name"); f.FlattenedIn != "dll.pe.imports" {
		t.Errorf("dll.pe.imports.name = %+v", f)
	}
	if !slices.Equal(s.Names(), []string{"dll.pe.imports", "process.name"}) {
		t.Errorf("names = %v", s.Names())
	}
	// Set normalizes too, in both orders.
	s = New()
	s.Set(Field{Name: "a.b.c", Type: "text"})
	s.Set(Field{Name: "a.b", Type: "keyword"})
	if f := s.Field("a.b.c"); f.MultiFieldOf != "a.b" || f.Type != "text" {
		t.Errorf("a.b.c = %+v", f)
	}
}
