package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emit-sec/emit/es/estype"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func fixtureSchema(t *testing.T) *Schema {
	t.Helper()
	o, err := Load("testdata/ecs_flat.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := Default()
	s.Merge(o)
	return s
}

func TestMappingsGolden(t *testing.T) {
	s := fixtureSchema(t)
	fields := []string{
		"process.name.text", "process.pid", "source.ip", "event.category", "event.outcome",
		"container.cpu.usage", "dll.pe.sections.name", "dll.pe.imports.name", "labels.env",
		"custom.unknown", "process.args", "user.name", "destination.port",
		"*.ip", "process.*.name", "foo.*", "*.cpu.usage",
	}
	got, err := s.Mappings(fields)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "mappings.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("mappings differ from %s (go test -update to rewrite):\n%s", golden, got)
	}
	// Deterministic, whatever the order and repetitions of the fields.
	rev := make([]string, 0, 2*len(fields))
	for i := len(fields) - 1; i >= 0; i-- {
		rev = append(rev, fields[i], fields[i])
	}
	again, err := s.Mappings(rev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Error("mappings depend on the order of the fields")
	}
	var v map[string]any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
}

// mappingAt returns the mapping object of a dotted field in a Mappings
// output.
func mappingAt(t *testing.T, out []byte, name string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	cur := v
	for _, part := range strings.Split(name, ".") {
		props, ok := cur["properties"].(map[string]any)
		if !ok {
			t.Fatalf("%s: no properties above %s in %s", name, part, out)
		}
		cur, ok = props[part].(map[string]any)
		if !ok {
			t.Fatalf("%s: no %s in %s", name, part, out)
		}
	}
	return cur
}

func TestMappings(t *testing.T) {
	s := fixtureSchema(t)
	tests := []struct {
		name   string
		schema *Schema
		fields []string
		check  func(t *testing.T, out []byte)
	}{
		{"timestamp alone", New(), nil, func(t *testing.T, out []byte) {
			if got := mappingAt(t, out, "@timestamp")["type"]; got != "date" {
				t.Errorf("@timestamp is %v", got)
			}
		}},
		{"scaled_float without factor", func() *Schema {
			s := New()
			s.Set(Field{Name: "m.load", Type: "scaled_float"})
			return s
		}(), []string{"m.load"}, func(t *testing.T, out []byte) {
			if got := mappingAt(t, out, "m.load")["scaling_factor"]; got != 1000.0 {
				t.Errorf("scaling_factor %v", got)
			}
		}},
		{"scaled_float with factor", s, []string{"container.cpu.usage"}, func(t *testing.T, out []byte) {
			m := mappingAt(t, out, "container.cpu.usage")
			if m["type"] != "scaled_float" || m["scaling_factor"] != 1000.0 {
				t.Errorf("container.cpu.usage: %v", m)
			}
		}},
		{"nested parent", s, []string{"dll.pe.sections.name"}, func(t *testing.T, out []byte) {
			if got := mappingAt(t, out, "dll.pe.sections")["type"]; got != "nested" {
				t.Errorf("dll.pe.sections type %v", got)
			}
			if got := mappingAt(t, out, "dll.pe")["type"]; got != nil {
				t.Errorf("dll.pe type %v", got)
			}
		}},
		{"nested leaf and child", s, []string{"dll.pe.sections", "dll.pe.sections.name"}, func(t *testing.T, out []byte) {
			if got := mappingAt(t, out, "dll.pe.sections")["type"]; got != "nested" {
				t.Errorf("dll.pe.sections type %v", got)
			}
		}},
		{"flattened", s, []string{"dll.pe.imports.name", "dll.pe.imports", "dll.pe.imports.type"}, func(t *testing.T, out []byte) {
			m := mappingAt(t, out, "dll.pe.imports")
			if m["type"] != "flattened" || m["properties"] != nil {
				t.Errorf("dll.pe.imports: %v", m)
			}
		}},
		{"object with children", s, []string{"labels", "labels.env"}, func(t *testing.T, out []byte) {
			if got := mappingAt(t, out, "labels.env")["type"]; got != "keyword" {
				t.Errorf("labels.env %v", got)
			}
		}},
		{"object alone", s, []string{"labels"}, func(t *testing.T, out []byte) {
			if got := mappingAt(t, out, "labels")["type"]; got != "object" {
				t.Errorf("labels %v", got)
			}
		}},
		{"multi-field and its parent", s, []string{"process.name", "process.name.text"}, func(t *testing.T, out []byte) {
			m := mappingAt(t, out, "process.name")
			if m["type"] != "keyword" || m["ignore_above"] != 1024.0 || m["fields"] == nil {
				t.Errorf("process.name: %v", m)
			}
		}},
		{"unknown is keyword", New(), []string{"a.b", "a.c"}, func(t *testing.T, out []byte) {
			if mappingAt(t, out, "a.b")["type"] != "keyword" || mappingAt(t, out, "a.c")["type"] != "keyword" {
				t.Errorf("%s", out)
			}
		}},
		{"dynamic template typed by convention", Default(), []string{"*.bytes"}, func(t *testing.T, out []byte) {
			// ECS's *.bytes disagree (registry.data.bytes is a keyword):
			// the convention decides.
			if !strings.Contains(string(out), `"path_match": "*.bytes"`) || !strings.Contains(string(out), `"type": "long"`) {
				t.Errorf("%s", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.schema.Mappings(tt.fields)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, out)
		})
	}
}

func TestMappingsECSPatterns(t *testing.T) {
	s := loadECS(t, "8.11.0")
	out, err := s.Mappings([]string{"*.ip", "process.*.name", "*.entropy"})
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Templates []map[string]struct {
			PathMatch string         `json:"path_match"`
			Mapping   map[string]any `json:"mapping"`
		} `json:"dynamic_templates"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"*.ip": "ip", "process.*.name": "keyword", "*.entropy": "long"}
	if len(v.Templates) != len(want) {
		t.Fatalf("templates: %s", out)
	}
	for _, tmpl := range v.Templates {
		for name, tt := range tmpl {
			if tt.PathMatch != name || tt.Mapping["type"] != want[name] {
				t.Errorf("%s: %+v", name, tt)
			}
			// Not every process.*.name has the .text multi-field.
			if name == "process.*.name" && (tt.Mapping["fields"] != nil || tt.Mapping["ignore_above"] != 1024.0) {
				t.Errorf("%s: %+v", name, tt.Mapping)
			}
		}
	}
}

func TestMappingsConflicts(t *testing.T) {
	s := fixtureSchema(t)
	tests := []struct {
		name   string
		fields []string
		leaf   string
		typ    string
		child  string
	}{
		{"unknown leaf then child", []string{"a.b", "a.b.c"}, "a.b", "keyword", "a.b.c"},
		{"child then leaf", []string{"a.b.c.d", "a.b"}, "a.b", "keyword", "a.b.c.d"},
		{"inside a long", []string{"process.pid", "process.pid.value"}, "process.pid", "long", "process.pid.value"},
		{"inside a keyword with multi-fields", []string{"process.name.text", "process.name.other"}, "process.name", "keyword", "process.name.other"},
		{"multi-field after a child", []string{"source.ip.v4", "source.ip"}, "source.ip", "ip", "source.ip.v4"},
		{"timestamp", []string{"@timestamp.x"}, "@timestamp", "date", "@timestamp.x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.Mappings(tt.fields)
			if err == nil {
				t.Fatalf("no error:\n%s", out)
			}
			var me *MappingError
			if !errors.As(err, &me) {
				t.Fatalf("error %v is not a *MappingError", err)
			}
			if me.Field != tt.leaf || me.Type != estype.Type(tt.typ) || me.Child != tt.child {
				t.Errorf("error %+v, want leaf %s (%s) and child %s", me, tt.leaf, tt.typ, tt.child)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.leaf) || !strings.Contains(msg, tt.child) {
				t.Errorf("message %q names not both fields", msg)
			}
		})
	}
	for _, bad := range []string{"", "a..b", ".a", "a."} {
		if _, err := s.Mappings([]string{bad}); err == nil {
			t.Errorf("Mappings(%q) succeeded", bad)
		}
	}
}

func BenchmarkMappings(b *testing.B) {
	s := Default()
	fields := []string{"process.name", "process.parent.name", "process.args", "source.ip", "destination.port", "event.category", "event.type", "user.name", "file.path", "*.ip"}
	for b.Loop() {
		if _, err := s.Mappings(fields); err != nil {
			b.Fatal(err)
		}
	}
}
