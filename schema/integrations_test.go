package schema

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/shared"
)

// integrationsJSON is a small integration schemas file in
// detection-rules' layout.
const integrationsJSON = `{
  "aws": {
    "1.9.0": {"cloudtrail": {"aws.cloudtrail.old_field": "keyword"}},
    "2.10.0": {
      "cloudtrail": {"aws.cloudtrail.user_identity.arn": "keyword", "aws.cloudtrail.flattened.request_parameters": "flattened", "aws.edge_location": "alias", "aws.*.metrics.*.*": "object", "event.module": "constant_keyword"},
      "ec2_logs": {"aws.ec2.ip_address": "ip"},
      "ec2_metrics": {"aws.ec2.cpu.total.pct": "scaled_float"},
      "guardduty": {"aws.guardduty.severity": "float"}
    },
    "2.9.1": {"cloudtrail": {"aws.cloudtrail.mid_field": "keyword"}}
  },
  "endpoint": {
    "8.15.0": {
      "process": {"process.Ext.token.integrity_level_name": "keyword", "process.name": "keyword"},
      "file": {"file.Ext.entropy": "float"},
      "alerts": {"Target.process.name": "keyword"}
    }
  },
  "windows": {
    "1.46.0": {
      "powershell": {"powershell.file.script_block_text": "text", "powershell.command.invocation_details": "array"},
      "sysmon_operational": {"sysmon.dns.status": "keyword"}
    }
  },
  "problemchild": {"2.1.3": {"jobs": ["a", "b"], "problemchild": {"problemchild.prediction": "long"}}}
}`

func testIntegrations(t *testing.T) *Integrations {
	t.Helper()
	ig, err := ParseIntegrations(gzipBytes(t, []byte(integrationsJSON)))
	if err != nil {
		t.Fatal(err)
	}
	return ig
}

func TestIntegrationsVersion(t *testing.T) {
	ig := testIntegrations(t)
	for _, tt := range []struct {
		pkg, constraint, want string
		streams               []string
	}{
		{"aws", "", "2.10.0", []string{"cloudtrail", "ec2_logs", "ec2_metrics", "guardduty"}}, // semver order, not string order
		{"aws", "^2.0.0", "2.10.0", nil},
		{"aws", "~2.9.0", "2.9.1", []string{"cloudtrail"}},
		{"aws", "^1.0.0", "1.9.0", nil},
		{"aws", "^1.0.0 || ^2.0.0", "2.10.0", nil},
		{"aws", "^3.0.0", "2.10.0", nil},                        // nothing fits: the newest
		{"aws", "not a range", "2.10.0", nil},                   // unreadable: the newest
		{"problemchild", "", "2.1.3", []string{"problemchild"}}, // "jobs" is no data stream
		{"nope", "", "", nil},
	} {
		v, streams, err := ig.Version(tt.pkg, tt.constraint)
		if err != nil {
			t.Fatal(err)
		}
		if v != tt.want || tt.streams != nil && !reflect.DeepEqual(streams, tt.streams) {
			t.Errorf("Version(%s, %q) = %s %v, want %s %v", tt.pkg, tt.constraint, v, streams, tt.want, tt.streams)
		}
	}
}

func TestIntegrationsSelect(t *testing.T) {
	ig := testIntegrations(t)
	for _, tt := range []struct {
		name  string
		sel   IntegrationSelection
		picks string
	}{
		{"index dataset", IntegrationSelection{IndexDatasets: []string{"aws.cloudtrail"}}, "aws 2.10.0 (cloudtrail)"},
		{"index dataset pattern", IntegrationSelection{IndexDatasets: []string{"aws*"}}, "aws 2.10.0 (cloudtrail, ec2_logs, ec2_metrics, guardduty)"},
		{"package only", IntegrationSelection{Packages: []IntegrationRef{{Package: "windows"}}}, "windows 1.46.0 (powershell, sysmon_operational)"},
		{"query dataset beats index pattern", IntegrationSelection{Datasets: []string{"windows.powershell"}, IndexDatasets: []string{"windows.*"}}, "windows 1.46.0 (powershell)"},
		{"integration beats index pattern", IntegrationSelection{Packages: []IntegrationRef{{Package: "aws", Integration: "ec2"}}, IndexDatasets: []string{"aws*"}}, "aws 2.10.0 (ec2_logs, ec2_metrics)"},
		{"version constraint", IntegrationSelection{Packages: []IntegrationRef{{Package: "aws", Version: "~2.9"}}, IndexDatasets: []string{"aws.cloudtrail"}}, "aws 2.9.1 (cloudtrail)"},
		{"endpoint event datasets", IntegrationSelection{IndexDatasets: []string{"endpoint.events.process"}}, "endpoint 8.15.0 (process)"},
		{"endpoint event pattern", IntegrationSelection{IndexDatasets: []string{"endpoint.events.*"}}, "endpoint 8.15.0 (alerts, file, process)"},
		{"endpoint alerts", IntegrationSelection{Datasets: []string{"endpoint.alerts"}}, "endpoint 8.15.0 (alerts)"},
		{"several packages", IntegrationSelection{Packages: []IntegrationRef{{Package: "endpoint"}, {Package: "windows"}, {Package: "crowdstrike"}}, IndexDatasets: []string{"endpoint.events.process", "windows.sysmon_operational"}}, "endpoint 8.15.0 (process); windows 1.46.0 (sysmon_operational)"},
		{"unknown package", IntegrationSelection{Packages: []IntegrationRef{{Package: "crowdstrike"}}, IndexDatasets: []string{"crowdstrike.fdr"}}, ""},
		{"nothing", IntegrationSelection{}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, picks, err := ig.Select(tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range picks {
				got = append(got, p.String())
			}
			if strings.Join(got, "; ") != tt.picks {
				t.Errorf("picks %q, want %q", strings.Join(got, "; "), tt.picks)
			}
			if (s == nil) != (tt.picks == "") {
				t.Errorf("schema %v with picks %q", s, tt.picks)
			}
		})
	}
	s, _, err := ig.Select(IntegrationSelection{IndexDatasets: []string{"aws.cloudtrail", "windows.powershell"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]estype.Type{
		"aws.cloudtrail.user_identity.arn":                    estype.Keyword,
		"aws.cloudtrail.flattened.request_parameters.roleArn": estype.Keyword, // a key of a flattened field
		"powershell.file.script_block_text":                   estype.Text,
		"event.module":                                        estype.ConstantKeyword,
	} {
		if f := s.Field(name); f.Type != want || !f.Known {
			t.Errorf("%s: %+v, want %s", name, f, want)
		}
	}
	// Aliases, arrays and dynamic-template patterns are no fields.
	for _, name := range []string{"aws.edge_location", "aws.*.metrics.*.*", "powershell.command.invocation_details"} {
		if _, ok := s.Lookup(name); ok {
			t.Errorf("%s is in the schema", name)
		}
	}
	// The same selection is parsed once.
	again, _, _ := ig.Select(IntegrationSelection{IndexDatasets: []string{"windows.powershell", "aws.cloudtrail"}})
	if again != s {
		t.Error("the same selection was merged twice")
	}
}

func TestIntegrationsConcurrent(t *testing.T) {
	ig := testIntegrations(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ds := []string{"aws.cloudtrail", "windows.*", "endpoint.events.*"}[i%3]
			if s, _, err := ig.Select(IntegrationSelection{IndexDatasets: []string{ds}}); err != nil || s == nil {
				t.Errorf("%s: %v %v", ds, s, err)
			}
		}(i)
	}
	wg.Wait()
}

func TestOpenIntegrations(t *testing.T) {
	p := writeFile(t, "integration-schemas.json.gz", gzipBytes(t, []byte(integrationsJSON)))
	s, ig, err := Open(p)
	if err != nil || s != nil || ig == nil || ig.Name() != p {
		t.Fatalf("Open: %v %v %v", s, ig, err)
	}
	// Load gives every package's newest version.
	all, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]estype.Type{
		"aws.guardduty.severity":            estype.Float,
		"powershell.file.script_block_text": estype.Text,
		"file.Ext.entropy":                  estype.Float,
		"problemchild.prediction":           estype.Long,
	} {
		if f := all.Field(name); f.Type != want || !f.Known {
			t.Errorf("Load: %s: %+v, want %s", name, f, want)
		}
	}
	if _, ok := all.Lookup("aws.cloudtrail.old_field"); ok {
		t.Error("Load took an old version's field")
	}
	// A flat schema is still a schema.
	if s, ig, err := Open(writeFile(t, "flat.json", []byte(`{"aws": {"x": "long"}}`))); err != nil || s == nil || ig != nil {
		t.Errorf("flat JSON: %v %v %v", s, ig, err)
	}
}

func TestIntegrationsDamaged(t *testing.T) {
	for _, tt := range []struct {
		name, data, want string
	}{
		{"package not an object", `{"aws": {"1.0.0": {"s": {"a": "keyword"}}}, "gcp": 3}`, `package "gcp": expected an object of versions`},
		{"bad version", `{"aws": {"1.0.0": {"s": {"a": "keyword"}}, "one": {}}}`, `package aws: version "one"`},
		{"field not a type", `{"aws": {"1.0.0": {"s": {"a": 3}}}}`, "aws 1.0.0 s: field a: expected a type name, got 3"},
		{"bad type", `{"aws": {"1.0.0": {"s": {"a": "a long"}}}}`, `field a: invalid type "a long"`},
		{"bad name", `{"aws": {"1.0.0": {"s": {"a..b": "long"}}}}`, `invalid field name "a..b"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, "integration-schemas.json", []byte(tt.data))
			ig, err := LoadIntegrations(p)
			if err != nil {
				t.Fatal(err) // the content is read when needed
			}
			_, _, err = ig.Select(IntegrationSelection{Packages: []IntegrationRef{{Package: "aws"}}})
			if err == nil {
				_, err = ig.Packages()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %v, want it to name %s and say %q", err, p, tt.want)
			}
		})
	}
	p := writeFile(t, "integration-schemas.json.gz", gzipBytes(t, []byte(integrationsJSON))[:100])
	ig, err := LoadIntegrations(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ig.Packages(); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated gzip: %v", err)
	}
	if _, err := LoadIntegrations(filepath.Join(t.TempDir(), "missing.json.gz")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestFill(t *testing.T) {
	s := New()
	s.Set(Field{Name: "process.name", Type: estype.Keyword, MultiFields: []MultiField{{Name: "text", Type: estype.MatchOnlyText}}})
	s.Set(Field{Name: "process.command_line", Type: estype.Wildcard})
	s.Set(Field{Name: "host.os.name", Type: estype.Keyword})
	o := New()
	for _, f := range []Field{
		{Name: "process.name", Type: estype.Text},                                              // known: stays keyword
		{Name: "process.name.text", Type: estype.Keyword},                                      // a known multi-field: stays
		{Name: "process.command_line.caseless", Type: estype.Keyword, Normalizer: "lowercase"}, // a new multi-field
		{Name: "process.command_line.a.b", Type: estype.Keyword},                               // deep inside a leaf: left out
		{Name: "host.os", Type: estype.Keyword},                                                // would make host.os.name a multi-field: left out
		{Name: "powershell.file.script_block_text", Type: estype.Text},                         // new
		{Name: "okta", Type: estype.Object},                                                    // new object
	} {
		o.set(f)
	}
	s.Fill(o)
	for name, want := range map[string]estype.Type{
		"process.name":                      estype.Keyword,
		"process.name.text":                 estype.MatchOnlyText,
		"process.command_line":              estype.Wildcard,
		"process.command_line.caseless":     estype.Keyword,
		"host.os.name":                      estype.Keyword,
		"powershell.file.script_block_text": estype.Text,
		"okta":                              estype.Object,
	} {
		if f := s.Field(name); f.Type != want || !f.Known {
			t.Errorf("%s: %+v, want %s", name, f, want)
		}
	}
	if f := s.Field("process.command_line.caseless"); f.MultiFieldOf != "process.command_line" || f.Normalizer != "lowercase" {
		t.Errorf("caseless: %+v", f)
	}
	for _, name := range []string{"process.command_line.a.b", "host.os"} {
		if _, ok := s.Lookup(name); ok {
			t.Errorf("%s was filled in", name)
		}
	}
	if _, err := s.Mappings([]string{"process.command_line.caseless", "host.os.name", "powershell.file.script_block_text"}); err != nil {
		t.Errorf("mappings: %v", err)
	}
}

func TestFindCheckout(t *testing.T) {
	root := t.TempDir()
	etc := filepath.Join(root, "detection_rules", "etc")
	for _, p := range []string{
		filepath.Join(etc, "non-ecs-schema.json"),
		filepath.Join(etc, "integration-schemas.json.gz"),
		filepath.Join(etc, "endpoint_schemas", "endpoint_process.json.gz"),
		filepath.Join(etc, "endpoint_schemas", "endpoint_file.json"),
		filepath.Join(etc, "endpoint_schemas", "README.md"),
		filepath.Join(root, "rules", "windows", "a.toml"),
	} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := Checkout{
		Dir:          etc,
		NonECS:       filepath.Join(etc, "non-ecs-schema.json"),
		Integrations: filepath.Join(etc, "integration-schemas.json.gz"),
		Endpoint:     []string{filepath.Join(etc, "endpoint_schemas", "endpoint_file.json"), filepath.Join(etc, "endpoint_schemas", "endpoint_process.json.gz")},
	}
	for _, from := range []string{root, filepath.Join(root, "rules"), filepath.Join(root, "rules", "windows", "a.toml")} {
		c, ok := FindCheckout(from)
		if !ok || !reflect.DeepEqual(c, want) {
			t.Errorf("FindCheckout(%s) = %+v, %v; want %+v", from, c, ok, want)
		}
	}
	if got := want.Files(); !reflect.DeepEqual(got, []string{"non-ecs-schema.json", "integration-schemas.json.gz", "endpoint_schemas/endpoint_file.json", "endpoint_schemas/endpoint_process.json.gz"}) {
		t.Errorf("Files() = %q", got)
	}
	// The search stops at the root of a git repository.
	repo := filepath.Join(root, "sub")
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if c, ok := FindCheckout(repo); ok {
		t.Errorf("FindCheckout crossed a repository root: %+v", c)
	}
	if c, ok := FindCheckout(filepath.Join(t.TempDir(), "nothing")); ok {
		t.Errorf("FindCheckout without a checkout: %+v", c)
	}
}

// TestSharedCheckout: the detection-rules tree in ../shared carries its
// schemas, as a checkout does.
func TestSharedCheckout(t *testing.T) {
	dir := shared.Path(t, "rules/detection-rules")
	c, ok := FindCheckout(filepath.Join(dir, "rules"))
	if !ok || c.NonECS == "" || c.Integrations == "" || len(c.Endpoint) == 0 {
		t.Fatalf("FindCheckout = %+v, %v", c, ok)
	}
	ig, err := LoadIntegrations(c.Integrations)
	if err != nil {
		t.Fatal(err)
	}
	s, picks, err := ig.Select(IntegrationSelection{IndexDatasets: []string{"windows.*"}, Packages: []IntegrationRef{{Package: "windows"}}})
	if err != nil || len(picks) != 1 {
		t.Fatalf("%v %v", picks, err)
	}
	if f := s.Field("powershell.file.script_block_text"); f.Type != estype.Text {
		t.Errorf("powershell.file.script_block_text: %+v", f)
	}
}

// BenchmarkIntegrationsSelect is the cost of the first use of the shared
// integration schemas (decompressing and indexing 60 MB of JSON) and of
// one rule's selection.
func BenchmarkIntegrationsSelect(b *testing.B) {
	p := shared.Path(b, "schemas/integration-schemas.json.gz")
	sel := IntegrationSelection{IndexDatasets: []string{"aws.cloudtrail"}, Packages: []IntegrationRef{{Package: "aws"}}}
	for i := 0; i < b.N; i++ {
		ig, err := LoadIntegrations(p)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := ig.Select(sel); err != nil {
			b.Fatal(err)
		}
	}
}
