package emitter_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
)

func TestIntegrationSelection(t *testing.T) {
	r := &rules.Rule{
		Type: rules.TypeQuery, Language: rules.LangKuery,
		Query:               `event.dataset : "aws.cloudtrail" and not data_stream.dataset : "aws.guardduty" and (data_stream.dataset : aws.s3access or x : 1) and event.dataset : aws.cloudtrail`,
		Index:               []string{"filebeat-*", "logs-aws*", "logs-*", "-logs-aws.vpcflow-*", "remote:logs-gcp.audit-*,logs-okta.system-*"},
		RelatedIntegrations: []rules.RelatedIntegration{{Package: "aws", Integration: "cloudtrail", Version: "^2.0.0"}},
		Integrations:        []string{"aws", "gcp"},
	}
	q, err := emitter.RuleQuery(r)
	if err != nil {
		t.Fatal(err)
	}
	got := emitter.IntegrationSelection(r, q)
	want := schema.IntegrationSelection{
		Datasets:      []string{"aws.cloudtrail", "aws.s3access"}, // negated ones are not where the data comes from
		Packages:      []schema.IntegrationRef{{Package: "aws", Integration: "cloudtrail", Version: "^2.0.0"}, {Package: "gcp"}},
		IndexDatasets: []string{"aws*", "gcp.audit", "okta.system"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IntegrationSelection =\n%+v\nwant\n%+v", got, want)
	}
	if got := emitter.IntegrationSelection(r, nil); got.Datasets != nil || len(got.Packages) != 2 {
		t.Errorf("without the query: %+v", got)
	}
}

// TestRuleSchemasForRule: the layers of a rule's schema, and their sharing.
func TestRuleSchemasForRule(t *testing.T) {
	ig, err := schema.ParseIntegrations([]byte(`{
	  "windows": {"1.46.0": {"powershell": {"powershell.file.script_block_text": "text", "process.name": "text"}}},
	  "endpoint": {"8.15.0": {"process": {"process.Ext.relative_file_creation_time": "double"}}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	endpoint, err := schema.Parse([]byte(`{"process.Ext.session_info.logon_type": "keyword", "process.Ext.relative_file_creation_time": "long"}`))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "non-ecs-schema.json")
	if err := os.WriteFile(p, []byte(`{"winlogbeat-*": {"winlog.event_data.Count": "long"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	nonECS, err := schema.LoadNonECS(p)
	if err != nil {
		t.Fatal(err)
	}
	rs := &emitter.RuleSchemas{Base: schema.Default(), Endpoint: endpoint, Integrations: ig, NonECS: nonECS}
	ps := &rules.Rule{Type: rules.TypeQuery, Language: rules.LangKuery, Query: `powershell.file.script_block_text : (a and b)`,
		Index: []string{"winlogbeat-*", "logs-windows.powershell*"}}
	q, err := emitter.RuleQuery(ps)
	if err != nil {
		t.Fatal(err)
	}
	s := rs.ForRule(ps, q)
	if f := s.Field("powershell.file.script_block_text"); f.Type != estype.Text {
		t.Errorf("script_block_text: %+v", f)
	}
	if f := s.Field("winlog.event_data.Count"); f.Type != estype.Long {
		t.Errorf("non-ECS field: %+v", f)
	}
	// The integration only fills in: ECS's process.name stays a keyword.
	if f := s.Field("process.name"); f.Type != estype.Keyword || len(f.MultiFields) == 0 {
		t.Errorf("process.name: %+v", f)
	}
	if _, ok := s.Lookup("process.Ext.session_info.logon_type"); ok {
		t.Error("endpoint schema applied to a rule on winlogbeat-*")
	}
	if again := rs.ForRule(ps, q); again != s {
		t.Error("the same rule got a new schema")
	}
	ep := &rules.Rule{Type: rules.TypeEQL, Language: rules.LangEQL, Query: `process where process.Ext.relative_file_creation_time < 500`,
		Index: []string{"logs-endpoint.events.process-*"}}
	q, err = emitter.RuleQuery(ep)
	if err != nil {
		t.Fatal(err)
	}
	s = rs.ForRule(ep, q)
	// The endpoint schema beats the integration's type.
	if f := s.Field("process.Ext.relative_file_creation_time"); f.Type != estype.Long {
		t.Errorf("relative_file_creation_time: %+v", f)
	}
	if f := s.Field("process.Ext.session_info.logon_type"); !f.Known {
		t.Errorf("endpoint field unknown: %+v", f)
	}
	if rs.Err() != nil {
		t.Error(rs.Err())
	}
	// Without integrations or layers, every rule gets the base.
	plain := &emitter.RuleSchemas{Base: schema.Default()}
	if plain.ForRule(ps, q) != plain.Base {
		t.Error("no layers, yet not the base schema")
	}
}
