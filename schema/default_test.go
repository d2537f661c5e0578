package schema

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/etc"
	"github.com/emit-sec/emit/internal/shared"
)

// subset reports whether every element of a is in b.
func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// TestDefaultAgreesWithECS: whatever the default says of a field (by an
// explicit definition or a naming convention) is what ECS says: type,
// array, multi-fields, scaling factor, ignore_above; its allowed and
// expected values are among ECS's.
func TestDefaultAgreesWithECS(t *testing.T) {
	d := Default()
	for _, version := range []string{"8.11.0", "9.5.0"} {
		t.Run(version, func(t *testing.T) {
			ecs := loadECS(t, version)
			known := 0
			for _, name := range ecs.Names() {
				want, _ := ecs.Lookup(name)
				got := d.Field(name)
				if !got.Known {
					continue
				}
				known++
				if got.Type != want.Type || got.Array != want.Array {
					t.Errorf("%s: default %s (array %v), ECS %s (array %v)", name, got.Type, got.Array, want.Type, want.Array)
				}
				if !reflect.DeepEqual(ecsMultiFields(name, got.MultiFields), want.MultiFields) {
					t.Errorf("%s: default multi-fields %v, ECS %v", name, got.MultiFields, want.MultiFields)
				}
				if got.ScalingFactor != want.ScalingFactor {
					t.Errorf("%s: default scaling factor %v, ECS %v", name, got.ScalingFactor, want.ScalingFactor)
				}
				if got.IgnoreAbove != 0 && got.IgnoreAbove != want.IgnoreAbove {
					t.Errorf("%s: default ignore_above %d, ECS %d", name, got.IgnoreAbove, want.IgnoreAbove)
				}
				if got.ObjectType != want.ObjectType {
					t.Errorf("%s: default object_type %q, ECS %q", name, got.ObjectType, want.ObjectType)
				}
				if !subset(got.AllowedValues, want.AllowedValues) || len(got.AllowedValues) == 0 && len(want.AllowedValues) > 0 && version == "8.11.0" {
					t.Errorf("%s: default allowed values %v, ECS %v", name, got.AllowedValues, want.AllowedValues)
				}
				for cat, types := range got.ExpectedEventTypes {
					if !subset(types, want.ExpectedEventTypes[cat]) {
						t.Errorf("%s: %s: default expected event types %v, ECS %v", name, cat, types, want.ExpectedEventTypes[cat])
					}
				}
				if !subset(got.ExpectedValues, want.ExpectedValues) {
					t.Errorf("%s: default expected values %v, ECS %v", name, got.ExpectedValues, want.ExpectedValues)
				}
				for _, mf := range want.MultiFields {
					if g := d.Field(name + "." + mf.Name); g.Known && (g.Type != mf.Type || g.MultiFieldOf != name) {
						t.Errorf("%s.%s: default %+v, ECS multi-field %s", name, mf.Name, g, mf.Type)
					}
				}
			}
			t.Logf("the default types %d of ECS %s's %d fields", known, version, ecs.Len())
		})
	}
}

// TestDefaultIsECS: every field the default defines exists in ECS (8.11 or
// 9.5, where it is then checked above), and every convention types some
// ECS field.
func TestDefaultIsECS(t *testing.T) {
	d := Default()
	e8, e9 := loadECS(t, "8.11.0"), loadECS(t, "9.5.0")
	for _, name := range d.Names() {
		if defaultIntegrationFields()[name] {
			continue // checked by TestDefaultIntegrationFields
		}
		_, in8 := e8.Lookup(name)
		_, in9 := e9.Lookup(name)
		if !in8 && !in9 {
			t.Errorf("%s is in the default but in neither ECS release", name)
		}
	}
	for _, c := range d.Conventions() {
		used := false
		for _, name := range e8.Names() {
			if matchConvention(c.Name, name) {
				used = true
				break
			}
		}
		if !used {
			t.Errorf("convention %s types no ECS 8.11 field", c.Name)
		}
	}
}

// defaultIntegrationFields are the names under integration_fields in the
// default schema: fields Elastic integrations add to ECS.
var defaultIntegrationFields = sync.OnceValue(func() map[string]bool {
	var doc struct {
		IntegrationFields map[string]any `yaml:"integration_fields"`
	}
	if err := yaml.Unmarshal(etc.DefaultSchema, &doc); err != nil {
		panic(err)
	}
	out := map[string]bool{}
	for name := range doc.IntegrationFields {
		out[name] = true
	}
	return out
})

// ecsMultiFields leaves out the multi-fields of field that the default's
// integration_fields add (Elastic Defend's caseless).
func ecsMultiFields(field string, mfs []MultiField) []MultiField {
	var out []MultiField
	for _, m := range mfs {
		if !defaultIntegrationFields()[field+"."+m.Name] {
			out = append(out, m)
		}
	}
	return out
}

// TestDefaultIntegrationFields: every field of the default's
// integration_fields is typed as the endpoint schema or the newest version
// of some integration package types it, with the normalizer the flat
// schemas imply (Elastic Defend's caseless keywords: lowercase).
func TestDefaultIntegrationFields(t *testing.T) {
	d := Default()
	endpoint, err := Load(shared.Path(t, "schemas/endpoint_process.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	ig, err := LoadIntegrations(shared.Path(t, "schemas/integration-schemas.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	packages, err := ig.Packages()
	if err != nil {
		t.Fatal(err)
	}
	var newest []*Schema
	for _, p := range packages {
		s, _, err := ig.Select(IntegrationSelection{Packages: []IntegrationRef{{Package: p}}})
		if err != nil {
			t.Fatal(err)
		}
		if s != nil {
			newest = append(newest, s)
		}
	}
	if len(defaultIntegrationFields()) == 0 {
		t.Fatal("no integration_fields in the default schema")
	}
	for name := range defaultIntegrationFields() {
		got := d.Field(name)
		if !got.Known {
			t.Errorf("%s: not known to the default", name)
			continue
		}
		found := false
		for _, s := range append([]*Schema{endpoint}, newest...) {
			want, ok := s.Lookup(name)
			if !ok {
				continue
			}
			found = true
			if got.Type != want.Type || got.Normalizer != want.Normalizer {
				t.Errorf("%s: default %s (normalizer %q), the integration says %s (normalizer %q)", name, got.Type, got.Normalizer, want.Type, want.Normalizer)
			}
			break
		}
		if !found {
			t.Errorf("%s: in no integration's schema", name)
		}
		if i := strings.LastIndexByte(name, '.'); strings.HasSuffix(name, ".caseless") && got.MultiFieldOf != name[:i] {
			t.Errorf("%s: not a multi-field of %s: %+v", name, name[:i], got)
		}
	}
}

func TestDefaultKnows(t *testing.T) {
	d := Default()
	tests := []struct {
		name, typ string
		array     bool
		known     bool
	}{
		{"@timestamp", "date", false, true},
		{"event.category", "keyword", true, true},
		{"event.type", "keyword", true, true},
		{"event.kind", "keyword", false, true},
		{"event.outcome", "keyword", false, true},
		{"source.ip", "ip", false, true},
		{"host.ip", "ip", true, true},
		{"my.custom.ip", "ip", false, true}, // convention
		{"ip", "ip", false, true},           // a suffix convention matches the bare name
		{"destination.port", "long", false, true},
		{"process.parent.Ext.real.pid", "long", false, true},
		{"process.pid", "long", false, true},
		{"network.bytes", "long", false, true},
		{"registry.data.bytes", "keyword", false, true},
		{"threat.indicator.registry.data.bytes", "keyword", false, true},
		{"client.nat.port", "long", false, true},
		{"source.geo.location", "geo_point", false, true},
		{"file.pe.sections.entropy", "long", false, true},
		{"process.args", "keyword", true, true},
		{"process.parent.args_count", "long", false, true},
		{"process.code_signature.trusted", "boolean", false, true},
		{"process.Ext.code_signature.trusted", "boolean", false, true},
		{"host.cpu.usage", "scaled_float", false, true},
		{"file.created", "date", false, true},
		{"process.command_line", "wildcard", false, true},
		{"process.name.text", "match_only_text", false, true},
		{"process.name.caseless", "keyword", false, true},
		{"process.command_line.caseless", "keyword", false, true},
		{"powershell.file.script_block_text", "text", false, true},
		{"process.executable.text", "match_only_text", false, true},
		{"labels.team", "keyword", false, true},
		{"data_stream.dataset", "constant_keyword", false, true},
		{"message", "match_only_text", false, true},
		{"user.name", "keyword", false, true},
		{"source.address", "keyword", false, true},
		{"file.Ext.header_bytes", "keyword", false, false},
		{"process.name", "keyword", false, true},
		{"unknown.field", "keyword", false, false},
		{"ipaddress", "keyword", false, false},
	}
	for _, tt := range tests {
		f := d.Field(tt.name)
		if f.Type != estype.Type(tt.typ) || f.Array != tt.array || f.Known != tt.known || f.Name != tt.name {
			t.Errorf("Field(%s) = %+v, want %s array=%v known=%v", tt.name, f, tt.typ, tt.array, tt.known)
		}
	}
	cat := d.Field("event.category")
	if !slices.Equal(cat.ExpectedEventTypes["process"], []string{"access", "change", "end", "info", "start"}) || len(cat.AllowedValues) != 20 {
		t.Errorf("event.category = %+v", cat)
	}
	if got := d.Field("event.outcome").AllowedValues; !slices.Equal(got, []string{"failure", "success", "unknown"}) {
		t.Errorf("event.outcome allowed values = %v", got)
	}
	if types := d.Types(); types("source.ip").Type != "ip" || types("nothing.here").Type != "keyword" || types("process.name.text").Type != "match_only_text" {
		t.Error("Types disagrees with Field")
	}
}

func TestDefaultIsACopy(t *testing.T) {
	a := Default()
	a.Set(Field{Name: "source.ip", Type: "keyword"})
	a.AddConvention(Field{Name: "*.zzz", Type: "long"})
	b := Default()
	if b.Field("source.ip").Type != "ip" || b.Field("a.zzz").Type != "keyword" {
		t.Error("changing one Default() changed another")
	}
	if a.Field("a.zzz").Type != "long" || a.Field("source.ip").Type != "keyword" {
		t.Error("Set or AddConvention had no effect")
	}
}

func TestConventionPriority(t *testing.T) {
	s := New()
	s.AddConvention(Field{Name: "process.*.pid", Type: "integer"})
	s.AddConvention(Field{Name: "*.pid", Type: "long"})
	s.AddConvention(Field{Name: "*.x.pid", Type: "short"})
	for name, want := range map[string]string{
		"process.parent.pid": "integer", // path.Match pattern, first
		"process.pid":        "long",
		"a.x.pid":            "long", // *.pid comes before *.x.pid
		"pid":                "long",
		"apid":               "keyword",
	} {
		if got := s.Field(name).Type; got != estype.Type(want) {
			t.Errorf("Field(%s) = %s, want %s", name, got, want)
		}
	}
	o := New()
	o.AddConvention(Field{Name: "*.pid", Type: "keyword"})
	s.Merge(o)
	if got := s.Field("process.pid").Type; got != "keyword" {
		t.Errorf("merged convention: %s", got)
	}
	if got := s.Conventions(); len(got) != 4 || got[0].Type != "keyword" || !strings.HasPrefix(got[1].Name, "process.") {
		t.Errorf("conventions = %v", got)
	}
}
