package schema

import (
	"archive/tar"
	"compress/gzip"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/shared"
	"gopkg.in/yaml.v3"
)

var (
	ecsMu    sync.Mutex
	ecsCache = map[string]*Schema{}
)

// loadECS loads a shared ECS archive once per test binary.
func loadECS(t *testing.T, version string) *Schema {
	t.Helper()
	p := shared.Path(t, "ecs/ecs-v"+version+".tar.gz")
	ecsMu.Lock()
	defer ecsMu.Unlock()
	if s, ok := ecsCache[version]; ok {
		return s
	}
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	ecsCache[version] = s
	return s
}

func TestECSArchives(t *testing.T) {
	common := map[string]string{
		"@timestamp": "date", "process.pid": "long", "process.name": "keyword", "process.name.text": "match_only_text",
		"process.command_line": "wildcard", "source.ip": "ip", "destination.port": "long", "host.ip": "ip",
		"source.geo.location": "geo_point", "event.duration": "long", "host.cpu.usage": "scaled_float",
		"process.code_signature.trusted": "boolean", "dll.pe.sections": "nested", "labels": "object",
		"data_stream.dataset": "constant_keyword", "message": "match_only_text", "registry.data.strings": "wildcard",
		"file.elf.sections.entropy": "long", "dll.pe.imports": "flattened", "event.risk_score": "float",
	}
	tests := []struct {
		version string
		fields  int
		types   map[string]string
		eventTy int
	}{
		{"8.11.0", 1659, map[string]string{"process.tty": "object"}, 17},
		{"9.5.0", 2614, map[string]string{"entity.type": "keyword", "vulnerability.status": "keyword"}, 18},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			s := loadECS(t, tt.version)
			if s.Len() != tt.fields {
				t.Errorf("Len = %d, want %d", s.Len(), tt.fields)
			}
			for name, typ := range common {
				if f := s.Field(name); f.Type != estype.Type(typ) || !f.Known {
					t.Errorf("Field(%s) = %s (known %v), want %s", name, f.Type, f.Known, typ)
				}
			}
			for name, typ := range tt.types {
				if f := s.Field(name); f.Type != estype.Type(typ) {
					t.Errorf("Field(%s) = %s, want %s", name, f.Type, typ)
				}
			}
			for _, name := range []string{"event.category", "event.type", "host.ip", "process.args", "related.ip", "tags", "dll.pe.sections"} {
				if !s.Field(name).Array {
					t.Errorf("%s is not an array", name)
				}
			}
			for _, name := range []string{"event.kind", "event.outcome", "process.name", "source.ip"} {
				if s.Field(name).Array {
					t.Errorf("%s is an array", name)
				}
			}
			if got := s.Field("event.outcome").AllowedValues; !slices.Equal(got, []string{"failure", "success", "unknown"}) {
				t.Errorf("event.outcome allowed values = %v", got)
			}
			if got := s.Field("event.kind").AllowedValues; len(got) != 8 || !slices.Contains(got, "alert") || !slices.Contains(got, "signal") {
				t.Errorf("event.kind allowed values = %v", got)
			}
			if got := s.Field("event.type").AllowedValues; len(got) != tt.eventTy || !slices.Contains(got, "start") {
				t.Errorf("event.type allowed values = %v", got)
			}
			cat := s.Field("event.category")
			if len(cat.AllowedValues) != 20 || !slices.Equal(cat.ExpectedEventTypes["authentication"], []string{"start", "end", "info"}) || !slices.Equal(cat.ExpectedEventTypes["threat"], []string{"indicator"}) {
				t.Errorf("event.category = %v, %v", cat.AllowedValues, cat.ExpectedEventTypes)
			}
			if f := s.Field("host.cpu.usage"); f.ScalingFactor != 1000 {
				t.Errorf("host.cpu.usage scaling factor = %v", f.ScalingFactor)
			}
			if f := s.Field("process.name"); f.IgnoreAbove != 1024 || f.Example != "ssh" {
				t.Errorf("process.name = %+v", f)
			}
			if f := s.Field("host.os.type"); !slices.Contains(f.ExpectedValues, "windows") {
				t.Errorf("host.os.type expected values = %v", f.ExpectedValues)
			}
			if f := s.Field("labels.env"); f.Type != "keyword" || !f.Known {
				t.Errorf("labels.env = %+v", f)
			}
			if f := s.Field("dll.pe.imports.name"); f.FlattenedIn != "dll.pe.imports" {
				t.Errorf("dll.pe.imports.name = %+v", f)
			}
		})
	}
}

// ecsFlatFromArchive reads the raw ecs_flat.yml of a shared archive.
func ecsFlatFromArchive(t *testing.T, version string) []byte {
	t.Helper()
	f, err := os.Open(shared.Path(t, "ecs/ecs-v"+version+".tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "ecs-"+version+"/generated/ecs/ecs_flat.yml" {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
}

// TestKeepECSPropertiesOnReleases: parsing the filtered ecs_flat.yml gives
// exactly what parsing the whole text gives.
func TestKeepECSPropertiesOnReleases(t *testing.T) {
	for _, version := range []string{"8.11.0", "9.5.0"} {
		t.Run(version, func(t *testing.T) {
			data := ecsFlatFromArchive(t, version)
			kept := keepECSProperties(data)
			if len(kept) > len(data)/2 {
				t.Errorf("kept %d of %d bytes", len(kept), len(data))
			}
			var full, filtered map[string]ecsField
			if err := yaml.Unmarshal(data, &full); err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal(kept, &filtered); err != nil {
				t.Fatal(err)
			}
			if len(full) != len(filtered) {
				t.Fatalf("%d fields, %d after filtering", len(full), len(filtered))
			}
			for name, a := range full {
				fa, err := a.field(name)
				if err != nil {
					t.Fatal(err)
				}
				fb, err := filtered[name].field(name)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(fa, fb) {
					t.Errorf("%s: %+v != %+v", name, fa, fb)
				}
			}
		})
	}
}

func TestEndpointSchemaOverECS(t *testing.T) {
	ecs := shared.Path(t, "ecs/ecs-v8.11.0.tar.gz")
	endpoint := shared.Path(t, "schemas/endpoint_process.json.gz")
	s, err := LoadAll([]string{ecs, endpoint})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range map[string]string{
		"process.Ext.session_info.id": "unsigned_long", "process.Ext.code_signature": "nested",
		"process.Ext.relative_file_creation_time": "double", "process.thread.Ext.start": "date",
		"process.ppid": "long", "process.name.caseless": "keyword", "process.name.text": "text",
	} {
		if f := s.Field(name); f.Type != estype.Type(typ) || !f.Known {
			t.Errorf("Field(%s) = %+v, want %s", name, f, typ)
		}
	}
	// The endpoint's process.name.text (text) is process.name's
	// multi-field, overriding ECS's match_only_text; ECS's ignore_above
	// and example stay.
	f := s.Field("process.name")
	if f.IgnoreAbove != 1024 || f.Example != "ssh" || len(f.MultiFields) != 2 {
		t.Errorf("process.name = %+v", f)
	}
	if mf := s.Field("process.name.text"); mf.MultiFieldOf != "process.name" {
		t.Errorf("process.name.text = %+v", mf)
	}
	if _, err := s.Mappings([]string{"process.name", "process.name.text", "process.name.caseless", "process.Ext.session_info.id"}); err != nil {
		t.Error(err)
	}
}

func TestNonECSForIndices(t *testing.T) {
	n, err := LoadNonECS(shared.Path(t, "schemas/non-ecs-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Patterns()) != 28 {
		t.Errorf("%d patterns: %v", len(n.Patterns()), n.Patterns())
	}
	tests := []struct {
		indices []string
		known   map[string]string
		unknown []string
	}{
		{
			indices: []string{"logs-endpoint.events.process-*"},
			known:   map[string]string{"file.Ext.entropy": "long", "process.parent.Ext.real.pid": "long", "process.Ext.effective_parent.executable": "keyword"},
			unknown: []string{"winlog.event_data.AccessList", "process.Ext.api.parameters.consumer_type"},
		},
		{
			indices: []string{"winlogbeat-*", "logs-windows.*", "logs-system.security*"},
			known:   map[string]string{"winlog.event_data.AccessList": "keyword", "powershell.file.script_block_text": "text", "blocklist_label": "long"},
			unknown: []string{"file.Ext.entropy"},
		},
		{
			indices: []string{"logs-*"},
			known:   map[string]string{"file.Ext.entropy": "long", "o365.audit.IsManagedDevice": "boolean", "process.Ext.api.parameters.consumer_type": "keyword"},
			unknown: []string{"winlog.event_data.AccessList", "endgame.metadata.type"},
		},
		{
			indices: []string{"-logs-endpoint.events.*", "remote:endgame-*"},
			known:   map[string]string{"endgame.metadata.type": "keyword"},
			unknown: []string{"file.Ext.entropy"},
		},
		{
			indices: []string{"packetbeat-*"},
			unknown: []string{"file.Ext.entropy", "winlog.event_data.AccessList"},
		},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.indices, ","), func(t *testing.T) {
			s := n.ForIndices(tt.indices)
			for name, typ := range tt.known {
				if f := s.Field(name); f.Type != estype.Type(typ) || !f.Known {
					t.Errorf("Field(%s) = %+v, want %s", name, f, typ)
				}
			}
			for _, name := range tt.unknown {
				if f, ok := s.Lookup(name); ok {
					t.Errorf("%s known: %+v", name, f)
				}
			}
		})
	}
	all, err := Load(shared.Path(t, "schemas/non-ecs-schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	sameSchema(t, all, n.All())
}

func TestNonECSFixture(t *testing.T) {
	n, err := LoadNonECS("testdata/non-ecs.json")
	if err != nil {
		t.Fatal(err)
	}
	// The file pattern is more specific than logs-endpoint.events.*.
	if got := n.ForIndices([]string{"logs-endpoint.events.file-default"}).Field("file.Ext.header_bytes").Type; got != "wildcard" {
		t.Errorf("file index: header_bytes = %s", got)
	}
	if got := n.ForIndices([]string{"logs-endpoint.events.process-*"}).Field("file.Ext.header_bytes").Type; got != "keyword" {
		t.Errorf("process index: header_bytes = %s", got)
	}
	for _, bad := range []string{`[]`, `{"logs-*": "keyword"}`, ``, `{"logs-*": {"a": true}}`} {
		if _, err := parseNonECS([]byte(bad)); err == nil {
			t.Errorf("parseNonECS(%q) succeeded", bad)
		}
	}
}

// TestConcurrentReads: a loaded schema and a NonECS serve many goroutines
// (go test -race).
func TestConcurrentReads(t *testing.T) {
	n, err := LoadNonECS("testdata/non-ecs.json")
	if err != nil {
		t.Fatal(err)
	}
	base := Default()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				s := base.Clone()
				s.Merge(n.ForIndices([]string{"logs-endpoint.events.*", "winlogbeat-*"}[i%2:]))
				endpoint := i%2 == 0
				if s.Field("process.name.text").MultiFieldOf != "process.name" || base.Field("file.Ext.header_bytes").Known || s.Field("file.Ext.header_bytes").Known != endpoint {
					t.Error("clone and base mixed up")
					return
				}
				_ = base.Match("*.ip")
				_, _ = base.Mappings([]string{"source.ip", "process.name"})
			}
		}(i)
	}
	wg.Wait()
}
