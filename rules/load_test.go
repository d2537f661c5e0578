package rules

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// byID indexes rules by rule_id, failing on duplicates.
func byID(t *testing.T, rs []*Rule) map[string]*Rule {
	t.Helper()
	m := map[string]*Rule{}
	for _, r := range rs {
		if _, dup := m[r.ID]; dup {
			t.Fatalf("rule %s loaded twice", r.ID)
		}
		m[r.ID] = r
	}
	return m
}

// problemTexts renders problems, with the testdata prefix cut for brevity.
func problemTexts(ps []*Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, strings.TrimPrefix(p.Error(), "testdata/"))
	}
	return out
}

func wantProblems(t *testing.T, ps []*Problem, want ...string) {
	t.Helper()
	got := problemTexts(ps)
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n got  %q\n want %q", got, want)
	}
}

func TestLoadTOMLTree(t *testing.T) {
	rs, ps := Load("testdata/tree")
	wantProblems(t, ps,
		"tree/windows/invalid_syntax.toml:10:17: invalid TOML: multiline literal string not terminated by '''",
		`tree/windows/no_query.toml: rule 00000000-0000-4000-8000-00000000000a ("Missing Query"): query rule without a query`,
		"tree/windows/wrong_type.toml:7:14: invalid rule: rule.risk_score: want a number, found TOML string",
	)
	// Sorted by source; pyproject.toml (no [rule]), README.md and the hidden
	// directory are passed over.
	var sources []string
	for _, r := range rs {
		sources = append(sources, strings.TrimPrefix(r.Source, "testdata/tree/"))
	}
	wantSources := []string{
		"_deprecated/old_rule.toml",
		"building_block/bb_query.toml",
		"windows/deprecated_maturity.toml",
		"windows/eql_sequence.toml",
		"windows/esql_from.toml",
		"windows/ml_job.toml",
		"windows/new_terms_powershell.toml",
		"windows/threshold_port_scan.toml",
	}
	if !slices.Equal(sources, wantSources) {
		t.Fatalf("sources:\n got  %q\n want %q", sources, wantSources)
	}
	m := byID(t, rs)

	th := m["00000000-0000-4000-8000-000000000001"]
	if th.Name != "Port Scan From One Source" || th.Type != TypeThreshold || th.Language != LangKuery ||
		th.Maturity != "production" || th.Deprecated || th.RiskScore != 21 || th.Severity != "low" ||
		th.TimestampOverride != "event.ingested" || th.From != "now-9m" || th.MaxSignals != 5 ||
		th.Description != "A source scanning many ports." || th.Version != 0 {
		t.Errorf("threshold rule: %+v", th)
	}
	if !slices.Equal(th.Index, []string{"logs-network_traffic.*", "packetbeat-*"}) ||
		!slices.Equal(th.Integrations, []string{"network_traffic", "panw"}) ||
		!slices.Equal(th.Tags, []string{"Domain: Network", "Tactic: Discovery", "Use Case: Network Security Monitoring"}) ||
		!slices.Equal(th.Author, []string{"Elastic"}) {
		t.Errorf("threshold rule lists: index %q integrations %q tags %q", th.Index, th.Integrations, th.Tags)
	}
	if !strings.Contains(th.Query, "network.packets <= 2") {
		t.Errorf("threshold query %q", th.Query)
	}
	if th.Threshold == nil || !slices.Equal(th.Threshold.Field, []string{"destination.ip", "source.ip"}) ||
		th.Threshold.Value != 1 || !slices.Equal(th.Threshold.Cardinality, []Cardinality{{"destination.port", 250}}) {
		t.Errorf("threshold: %+v", th.Threshold)
	}
	if th.NewTerms != nil || th.ThreatMatch != nil || th.MachineLearning != nil || th.AlertSuppression != nil {
		t.Errorf("threshold rule has settings of other types: %+v", th)
	}

	nt := m["00000000-0000-4000-8000-000000000002"]
	if nt.NewTerms == nil || !slices.Equal(nt.NewTerms.Fields, []string{"host.id", "powershell.file.script_block_text"}) ||
		nt.NewTerms.HistoryWindowStart != "now-14d" {
		t.Errorf("new_terms: %+v", nt.NewTerms)
	}
	if !slices.Equal(nt.Integrations, []string{"windows"}) {
		t.Errorf("integration given as a string: %q", nt.Integrations)
	}
	if len(nt.Filters) != 1 || !nt.Filters[0].Negate || nt.Filters[0].Disabled {
		t.Fatalf("filters: %+v", nt.Filters)
	}
	wc, _ := nt.Filters[0].Query["wildcard"].(map[string]any)
	fp, _ := wc["file.path"].(map[string]any)
	if fp["value"] != `?:\ProgramData\Scripts\*.ps1` || fp["case_insensitive"] != true {
		t.Errorf("filter query: %#v", nt.Filters[0].Query)
	}
	if s := nt.AlertSuppression; s == nil || !slices.Equal(s.GroupBy, []string{"host.id"}) || s.Duration != "5m" ||
		s.MissingFieldsStrategy != "suppress" {
		t.Errorf("alert suppression: %+v", nt.AlertSuppression)
	}

	eql := m["00000000-0000-4000-8000-000000000003"]
	if eql.Type != TypeEQL || eql.Language != LangEQL || eql.EventCategoryOverride != "event.type" ||
		!strings.HasPrefix(eql.Query, "sequence by process.entity_id") {
		t.Errorf("eql rule: %+v", eql)
	}

	esql := m["00000000-0000-4000-8000-000000000004"]
	if esql.Type != TypeESQL || esql.Language != LangESQL || esql.Index != nil ||
		!slices.Equal(esql.IndexPatterns(), []string{"logs-endpoint.events.process-*", "logs-system.security*"}) ||
		esql.TargetIndex() != "logs-endpoint.events.process-default" {
		t.Errorf("esql rule: index %q patterns %q target %q", esql.Index, esql.IndexPatterns(), esql.TargetIndex())
	}

	ml := m["00000000-0000-4000-8000-000000000005"]
	if ml.Type != TypeMachineLearning || ml.Language != "" || ml.Query != "" || ml.MachineLearning == nil ||
		!slices.Equal(ml.MachineLearning.JobIDs, []string{"v3_rare_process_by_host_windows"}) ||
		ml.MachineLearning.AnomalyThreshold != 75 || ml.Interval != "15m" || ml.TargetIndex() != DefaultIndex {
		t.Errorf("ml rule: %+v %+v", ml, ml.MachineLearning)
	}

	bb := m["00000000-0000-4000-8000-000000000006"]
	if bb.BuildingBlockType != "default" || bb.Deprecated {
		t.Errorf("building block: %+v", bb)
	}
	// Deprecated by directory, with a production maturity, and by maturity.
	if old := m["00000000-0000-4000-8000-000000000007"]; !old.Deprecated || old.Maturity != "production" {
		t.Errorf("rule under _deprecated: deprecated %v maturity %q", old.Deprecated, old.Maturity)
	}
	if dep := m["00000000-0000-4000-8000-000000000008"]; !dep.Deprecated || dep.Maturity != MaturityDeprecated {
		t.Errorf("deprecated maturity: deprecated %v maturity %q", dep.Deprecated, dep.Maturity)
	}
}

func TestLoadSingleFiles(t *testing.T) {
	// Named files are loaded whatever their place; one that holds no rule
	// is a problem.
	rs, ps := Load("testdata/tree/windows/eql_sequence.toml", "testdata/tree/pyproject.toml", "testdata/tree/README.md")
	if len(rs) != 1 || rs[0].ID != "00000000-0000-4000-8000-000000000003" || rs[0].Source != "testdata/tree/windows/eql_sequence.toml" {
		t.Fatalf("rules %v", rs)
	}
	wantProblems(t, ps,
		"tree/README.md:1:7: not a zip archive, JSON, NDJSON or TOML rules file: invalid TOML: expected '=' after key",
		"tree/pyproject.toml: not a detection-rules file: no [rule] table",
	)
}

func TestLoadKibanaJSON(t *testing.T) {
	rs, ps := Load("testdata/kibana/rule.json", "testdata/kibana/saved_object.json", "testdata/kibana/array.json")
	if len(ps) > 0 {
		t.Fatalf("problems: %q", problemTexts(ps))
	}
	m := byID(t, rs)
	r := m["10000000-0000-4000-8000-000000000001"]
	if r.Name != "Okta Policy Rule Modified" || r.Type != TypeQuery || r.Language != LangKuery || r.Version != 7 ||
		r.Maturity != "" || r.Deprecated || r.Line != 0 || r.Location() != "testdata/kibana/rule.json" ||
		!slices.Equal(r.Integrations, []string{"okta"}) || !slices.Equal(r.Index, []string{"filebeat-*", "logs-okta*"}) {
		t.Errorf("flat rule: %+v", r)
	}
	if want := []RelatedIntegration{{Package: "okta", Version: "^2.0.0"}}; !slices.Equal(r.RelatedIntegrations, want) {
		t.Errorf("related_integrations: %+v, want %+v", r.RelatedIntegrations, want)
	}
	if len(r.Filters) != 1 || !r.Filters[0].Negate || r.Filters[0].Raw["$state"] == nil {
		t.Fatalf("filters: %+v", r.Filters)
	}
	if ex, _ := r.Filters[0].Query["exists"].(map[string]any); ex["field"] != "user_agent.original" || len(r.Filters[0].Query) != 1 {
		t.Errorf("old-style filter clause: %#v", r.Filters[0].Query)
	}

	so := m["10000000-0000-4000-8000-000000000002"]
	if so.Type != TypeThreshold || so.Version != 3 || so.Threshold == nil ||
		!slices.Equal(so.Threshold.Field, []string{"source.ip"}) || so.Threshold.Value != 25 {
		t.Errorf("saved object threshold rule (string field): %+v %+v", so, so.Threshold)
	}

	tm := m["10000000-0000-4000-8000-000000000003"]
	if want := []RelatedIntegration{{Package: "endpoint", Version: "^8.2.0"}, {Package: "ti_abusech", Integration: "malware", Version: "^1.0.0 || ^2.0.0"}}; !slices.Equal(tm.RelatedIntegrations, want) ||
		!slices.Equal(tm.Integrations, []string{"endpoint", "ti_abusech"}) {
		t.Errorf("related_integrations: %+v (packages %q), want %+v", tm.RelatedIntegrations, tm.Integrations, want)
	}
	if tm.Line != 2 || tm.Location() != "testdata/kibana/array.json:2" || tm.ThreatMatch == nil {
		t.Fatalf("threat match rule: line %d %+v", tm.Line, tm.ThreatMatch)
	}
	want := [][]ThreatMapEntry{
		{{"file.hash.md5", "mapping", "threat.indicator.file.hash.md5"}},
		{{"source.ip", "mapping", "threat.indicator.ip"}, {"source.port", "mapping", "threat.indicator.port"}},
	}
	got := tm.ThreatMatch
	if !slices.EqualFunc(got.Mapping, want, slices.Equal) || got.IndicatorPath != "threat.indicator" ||
		got.Language != LangKuery || !slices.Equal(got.Index, []string{"filebeat-*"}) ||
		len(got.Filters) != 1 || got.Filters[0].Query["match_phrase"] == nil ||
		!strings.HasPrefix(got.Query, "@timestamp >=") {
		t.Errorf("threat match: %+v", got)
	}
	if lu := m["10000000-0000-4000-8000-000000000004"]; lu.Line != 23 || lu.Language != LangLucene {
		t.Errorf("second array element: line %d language %q", lu.Line, lu.Language)
	}
}

func TestLoadFindAnswer(t *testing.T) {
	// The rules find API answers {"page": 1, "data": [...]}.
	path := filepath.Join(t.TempDir(), "find.json")
	body := "{\"page\": 1, \"perPage\": 20, \"total\": 2, \"data\": [\n" +
		`{"rule_id": "a", "name": "A", "type": "query", "query": "x:1"},` + "\n" +
		`{"rule_id": "b", "name": "B", "type": "eql", "query": "any where true", "tags": ["T"]}` + "\n]}"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, ps := Load(path)
	if len(ps) != 0 || len(rs) != 2 || rs[0].ID != "a" || rs[0].Line != 2 || rs[1].ID != "b" || rs[1].Line != 3 ||
		rs[1].Language != LangEQL {
		t.Fatalf("rules %v problems %q", rs, problemTexts(ps))
	}
}

func TestLoadNDJSONExport(t *testing.T) {
	rs, ps := Load("testdata/kibana/export.ndjson")
	if len(ps) > 0 {
		t.Fatalf("problems: %q", problemTexts(ps))
	}
	// Three rules; the blank line, the exception list and its item, the
	// action connector and the export summary are skipped.
	var got []string
	for _, r := range rs {
		got = append(got, r.Location()+" "+r.Name)
	}
	want := []string{
		"testdata/kibana/export.ndjson:1 Export One",
		"testdata/kibana/export.ndjson:2 Export New Terms",
		"testdata/kibana/export.ndjson:6 Export EQL",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rules:\n got  %q\n want %q", got, want)
	}
	nt := rs[1]
	if nt.NewTerms == nil || !slices.Equal(nt.NewTerms.Fields, []string{"data.ip.keyword"}) ||
		nt.NewTerms.HistoryWindowStart != "now-1d" || nt.DataViewID != "90ef18c3-04a0-412f-b19f-f51e27273074" ||
		nt.Index != nil || nt.TargetIndex() != DefaultIndex || nt.Filters != nil {
		t.Errorf("new terms rule: %+v %+v", nt, nt.NewTerms)
	}
	if e := rs[2]; e.TiebreakerField != "event.sequence" || e.TimestampField != "@timestamp" || e.Language != LangEQL {
		t.Errorf("eql rule without language: %+v", e)
	}
}

func TestLoadDamagedNDJSON(t *testing.T) {
	rs, ps := Load("testdata/kibana/damaged.ndjson")
	if len(rs) != 2 || rs[0].Line != 1 || rs[1].Line != 6 {
		t.Fatalf("rules: %v", rs)
	}
	wantProblems(t, ps,
		"kibana/damaged.ndjson:2:61: invalid JSON: unexpected end of input",
		`kibana/damaged.ndjson:3: rule 20000000-0000-4000-8000-000000000009 ("No Query"): eql rule without a query`,
		"kibana/damaged.ndjson:4: not a detection rule, exception list or export summary (no rule_id)",
		"kibana/damaged.ndjson:5:119: invalid rule: tags: want a list, found JSON string",
	)
	for _, p := range ps {
		if p.Source != "testdata/kibana/damaged.ndjson" || !p.Pos.IsValid() {
			t.Errorf("problem without source or line: %#v", p)
		}
	}
}

func TestLoadPackageZip(t *testing.T) {
	const zipPath = "testdata/package/security_detection_engine-9.9.9.zip"
	rs, ps := Load(zipPath)
	const entry = zipPath + ":security_detection_engine-9.9.9/kibana/security_rule/"
	wantProblems(t, ps,
		"package/security_detection_engine-9.9.9.zip:security_detection_engine-9.9.9/kibana/security_rule/30000000-0000-4000-8000-00000000000d.json:1:84: invalid JSON: unexpected end of input")
	// The highest version of each rule: from attributes.version (a: 1, 3,
	// 2), or from the entry name when attributes lack it (c: 4 and 10,
	// compared as numbers). The kibana/tag object is not a rule.
	var got []string
	for _, r := range rs {
		got = append(got, strings.TrimPrefix(r.Source, entry)+" "+r.Name)
	}
	want := []string{
		"30000000-0000-4000-8000-00000000000a_3.json Rule A v3",
		"30000000-0000-4000-8000-00000000000b.json Rule B",
		"30000000-0000-4000-8000-00000000000c_10.json Rule C v10",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rules:\n got  %q\n want %q", got, want)
	}
	if rs[0].Version != 3 || rs[1].Version != 5 || rs[2].Version != 10 {
		t.Errorf("versions %d %d %d", rs[0].Version, rs[1].Version, rs[2].Version)
	}
}

func TestLoadDamagedZip(t *testing.T) {
	// The truncated archive is reported; the other inputs load.
	rs, ps := Load("testdata/damaged/truncated.zip", "testdata/kibana/rule.json")
	if len(rs) != 1 || rs[0].ID != "10000000-0000-4000-8000-000000000001" {
		t.Fatalf("rules %v", rs)
	}
	wantProblems(t, ps, "damaged/truncated.zip: damaged zip archive: zip: not a valid zip file")
}

// writeZip builds a zip archive of the given entries (stored, not
// compressed, so that tests can damage an entry's bytes).
func writeZip(t *testing.T, entries [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLoadZipTreeNestedAndCorruptEntry(t *testing.T) {
	// A zip that is not a registry package is read as a tree: its TOML,
	// JSON and NDJSON entries, nested zips included; a damaged entry is
	// reported and the others load.
	inner := writeZip(t, [][2]string{{"rules/inner.json", readFile(t, "testdata/kibana/rule.json")}})
	data := writeZip(t, [][2]string{
		{"detection-rules-main/rules/windows/eql_sequence.toml", readFile(t, "testdata/tree/windows/eql_sequence.toml")},
		{"detection-rules-main/rules/_deprecated/old_rule.toml", readFile(t, "testdata/tree/_deprecated/old_rule.toml")},
		{"detection-rules-main/pyproject.toml", "[project]\nname = \"x\"\n"},
		{"detection-rules-main/docs/README.md", "not a rule"},
		{"detection-rules-main/exports/export.ndjson", readFile(t, "testdata/kibana/export.ndjson")},
		{"detection-rules-main/nested.zip", string(inner)},
		{"detection-rules-main/rules/corrupt.toml", "[rule]\nMARKER = 1\n"},
	})
	// Damage the stored bytes of the last entry: its checksum fails.
	i := bytes.LastIndex(data, []byte("MARKER"))
	data[i] = 'X'
	path := filepath.Join(t.TempDir(), "rules.bin") // the name says nothing
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rs, ps := Load(path)
	if len(ps) != 1 || ps[0].Source != path+":detection-rules-main/rules/corrupt.toml" ||
		!strings.Contains(ps[0].Err.Error(), "damaged zip entry") {
		t.Fatalf("problems %q", problemTexts(ps))
	}
	var got []string
	for _, r := range rs {
		got = append(got, strings.TrimPrefix(r.Location(), path+":"))
	}
	want := []string{
		"detection-rules-main/exports/export.ndjson:1",
		"detection-rules-main/exports/export.ndjson:2",
		"detection-rules-main/exports/export.ndjson:6",
		"detection-rules-main/nested.zip:rules/inner.json",
		"detection-rules-main/rules/_deprecated/old_rule.toml",
		"detection-rules-main/rules/windows/eql_sequence.toml",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("rules:\n got  %q\n want %q", got, want)
	}
	if !rs[4].Deprecated || rs[5].Deprecated {
		t.Errorf("deprecated from the entry path: %v %v", rs[4].Deprecated, rs[5].Deprecated)
	}
}

func TestLoadZipNestingLimit(t *testing.T) {
	// Rules four archives deep load; a fifth level is refused.
	data := []byte(readFile(t, "testdata/kibana/rule.json"))
	name := "rule.json"
	for i := range maxZipDepth + 1 {
		data = writeZip(t, [][2]string{{name, string(data)}})
		name = fmt.Sprintf("level%d.zip", i)
		if i == maxZipDepth-1 {
			path := filepath.Join(t.TempDir(), "ok.zip")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			rs, ps := Load(path)
			if len(rs) != 1 || len(ps) != 0 || strings.Count(rs[0].Source, ".zip:") != maxZipDepth {
				t.Fatalf("%d levels: rules %v problems %q", maxZipDepth, rs, problemTexts(ps))
			}
		}
	}
	path := filepath.Join(t.TempDir(), "deep.zip")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	rs, ps := Load(path)
	if len(rs) != 0 || len(ps) != 1 || !strings.Contains(ps[0].Err.Error(), "nested more than 4 deep") {
		t.Fatalf("rules %v problems %q", rs, problemTexts(ps))
	}
}

func TestLoadDetectsFormatFromContent(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	toml := write("rule.txt", readFile(t, "testdata/tree/windows/eql_sequence.toml"))
	ndjson := write("export.json", readFile(t, "testdata/kibana/export.ndjson"))
	single := write("rule.ndjson", readFile(t, "testdata/kibana/rule.json"))
	pkg := write("package.dat", readFile(t, "testdata/package/security_detection_engine-9.9.9.zip"))
	bom := write("bom", "\xef\xbb\xbf"+readFile(t, "testdata/kibana/saved_object.json"))
	rs, ps := Load(toml, ndjson, single, pkg, bom)
	count := map[string]int{}
	for _, r := range rs {
		base, _, _ := strings.Cut(strings.TrimPrefix(r.Source, dir+string(filepath.Separator)), ":")
		count[base]++
	}
	want := map[string]int{"rule.txt": 1, "export.json": 3, "rule.ndjson": 1, "package.dat": 3, "bom": 1}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%s: %d rules, want %d", k, count[k], v)
		}
	}
	if len(ps) != 1 || !strings.HasPrefix(ps[0].Source, pkg+":") {
		t.Errorf("problems %q (want only the package's damaged entry)", problemTexts(ps))
	}
}

func TestLoadProblems(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.toml")
	tests := []struct {
		path string
		want string // the problem's error, after the path
	}{
		{missing, "cannot read: no such file or directory"},
		{empty, "no detection rules found"},
		{write("zero", ""), "empty file"},
		{write("bin", "\x00\x01\x02binary"), "not a rules file: binary content that is not a zip archive"},
		{write("gz", "\x1f\x8b\x08\x00rest"), "gzip-compressed input is not supported: unpack it, or give a zip archive"},
		{write("norule.json", `{"name": "x"}`), "not a detection rule: no rule_id"},
		{write("summary.json", `{"exported_count": 0, "exported_rules_count": 0}`), "not a detection rule: a Kibana export summary"},
		{write("array.json", `[]`), "not a detection rule: an empty list"},
		{write("string.json", `"rule"`), "not a detection rule: not a JSON object"},
		{write("broken.json", "{\n  \"rule_id\": \"x\",\n  \"name\": \"y\",\n  \"type\" \"query\"\n}"), `4:10: invalid JSON: invalid character '"' after object key`},
		{write("wrongtype.json", `{"rule_id": "x", "name": "y", "type": "query", "query": "a:b", "risk_score": "high"}`), "1:84: invalid rule: risk_score: want a number, found JSON string"},
		{write("noid.json", `{"rule_id": "", "name": "y", "type": "query", "query": "a:b"}`), "not a valid rule: no rule_id"},
		{write("notype.json", `{"rule_id": "x", "name": "y", "query": "a:b"}`), "rule x: no type"},
		{write("noname.json", `{"rule_id": "x", "type": "query", "query": "a:b"}`), "rule x: no name"},
		{write("threshold.json", `{"rule_id": "x", "name": "y", "type": "threshold", "query": "a:b"}`), `rule x ("y"): threshold rule without a threshold`},
		{write("threshold0.json", `{"rule_id": "x", "name": "y", "type": "threshold", "query": "a:b", "threshold": {"field": [], "value": 0}}`), `rule x ("y"): threshold.value is 0, must be at least 1`},
		{write("thresholdfield.json", `{"rule_id": "x", "name": "y", "type": "threshold", "query": "a:b", "threshold": {"field": 3, "value": 1}}`), `rule x ("y"): threshold.field: want a string or a list of strings, found number 3`},
		{write("newterms.json", `{"rule_id": "x", "name": "y", "type": "new_terms", "query": "a:b"}`), `rule x ("y"): new_terms rule without new terms fields`},
		{write("blankquery.json", `{"rule_id": "x", "name": "y", "type": "esql", "query": "  \n"}`), `rule x ("y"): esql rule without a query`},
		{write("badfilter.json", `{"rule_id": "x", "name": "y", "type": "query", "query": "a:b", "filters": [{"meta": {}}]}`), `rule x ("y"): filters: filter 1 has no query clause`},
		{write("threatnoindex.json", `{"rule_id": "x", "name": "y", "type": "threat_match", "query": "source.ip:*", "threat_query": "threat.indicator.ip:*", "threat_mapping": [{"entries": [{"field": "source.ip", "type": "mapping", "value": "threat.indicator.ip"}]}]}`), `rule x ("y"): threat_match rule without a threat_index`},
		{write("threatnomapping.json", `{"rule_id": "x", "name": "y", "type": "threat_match", "query": "source.ip:*", "threat_query": "threat.indicator.ip:*", "threat_index": ["logs-ti_*"]}`), `rule x ("y"): threat_match rule without a threat_mapping`},
		{write("threatemptygroup.json", `{"rule_id": "x", "name": "y", "type": "threat_match", "query": "source.ip:*", "threat_query": "threat.indicator.ip:*", "threat_index": ["logs-ti_*"], "threat_mapping": [{"entries": []}]}`), `rule x ("y"): threat_mapping[0] has no entries`},
		{write("threatnofield.json", `{"rule_id": "x", "name": "y", "type": "threat_match", "query": "source.ip:*", "threat_query": "threat.indicator.ip:*", "threat_index": ["logs-ti_*"], "threat_mapping": [{"entries": [{"type": "mapping", "value": "threat.indicator.ip"}]}]}`), `rule x ("y"): threat_mapping[0].entries[0] has no field (the event's field)`},
		{write("threatnovalue.json", `{"rule_id": "x", "name": "y", "type": "threat_match", "query": "source.ip:*", "threat_query": "threat.indicator.ip:*", "threat_index": ["logs-ti_*"], "threat_mapping": [{"entries": [{"field": "source.ip", "type": "mapping", "value": "threat.indicator.ip"}, {"field": "source.port", "type": "mapping"}]}]}`), `rule x ("y"): threat_mapping[0].entries[1] has no value (the indicator's field)`},
		{write("threatbadtype.json", `{"rule_id": "x", "name": "y", "type": "threat_match", "query": "source.ip:*", "threat_query": "threat.indicator.ip:*", "threat_index": ["logs-ti_*"], "threat_mapping": [{"entries": [{"field": "source.ip", "type": "match", "value": "threat.indicator.ip"}]}]}`), `rule x ("y"): threat_mapping[0].entries[0]: type "match", want "mapping"`},
		{write("threatbadfilter.json", `{"rule_id": "x", "name": "y", "type": "threat_match", "query": "source.ip:*", "threat_query": "threat.indicator.ip:*", "threat_index": ["logs-ti_*"], "threat_filters": [{"meta": {}}], "threat_mapping": [{"entries": [{"field": "source.ip", "type": "mapping", "value": "threat.indicator.ip"}]}]}`), `rule x ("y"): threat_filters: filter 1 has no query clause`},
		{write("threatmappingtype.json", `{"rule_id": "x", "name": "y", "type": "threat_match", "query": "source.ip:*", "threat_query": "threat.indicator.ip:*", "threat_index": ["logs-ti_*"], "threat_mapping": {"entries": []}}`), "1:170: invalid rule: threat_mapping: want a list, found JSON object"},
		{write("toml/threatentries.toml", "[rule]\nrule_id = \"x\"\nname = \"y\"\ntype = \"threat_match\"\nquery = \"source.ip:*\"\nthreat_index = [\"logs-ti_*\"]\n[[rule.threat_mapping]]\nentries = 5\n"), "8:11: invalid rule: rule.threat_mapping.entries: want a list, found TOML integer"},
		{write("exceptions.ndjson", `{"list_id": "l", "type": "detection"}`+"\n"+`{"exported_count": 1}`+"\n"), "no detection rules in this Kibana export"},
		{write("notrules.zip", string(writeZip(t, [][2]string{{"a.txt", "x"}}))), "no detection rules in zip archive (no kibana/security_rule/*.json, .toml, .json or .ndjson entries)"},
		{write("toml/norule.toml", "[metadata]\nmaturity = \"production\"\n"), "not a detection-rules file: no [rule] table"},
		{write("toml/badnewterms.toml", "[rule]\nrule_id = \"x\"\nname = \"y\"\ntype = \"new_terms\"\nquery = \"a:b\"\n[rule.new_terms]\nfield = \"other\"\nvalue = [\"a\"]\n"), `rule x ("y"): new_terms.field is "other", want "new_terms_fields"`},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			rs, ps := Load(tt.path)
			if len(rs) != 0 {
				t.Errorf("rules loaded: %v", rs)
			}
			if len(ps) != 1 {
				t.Fatalf("problems %q", problemTexts(ps))
			}
			if got := strings.TrimPrefix(ps[0].Error(), tt.path+":"); strings.TrimSpace(got) != tt.want {
				t.Errorf("problem %q, want %q", got, tt.want)
			}
		})
	}
	// A missing file still says so to errors.Is.
	_, ps := Load(missing)
	if len(ps) != 1 || !errors.Is(ps[0], fs.ErrNotExist) {
		t.Errorf("missing file problem %v does not wrap fs.ErrNotExist", ps)
	}
}

func TestLoadIsDeterministic(t *testing.T) {
	inputs := []string{"testdata/tree", "testdata/kibana", "testdata/package/security_detection_engine-9.9.9.zip"}
	first, fp := Load(inputs...)
	for range 5 {
		rs, ps := Load(inputs...)
		if !slices.EqualFunc(rs, first, func(a, b *Rule) bool { return a.Location() == b.Location() && a.ID == b.ID }) {
			t.Fatal("rules come in another order")
		}
		if !slices.Equal(problemTexts(ps), problemTexts(fp)) {
			t.Fatal("problems come in another order")
		}
	}
}

// FuzzParse: any content, read as a named file, gives rules or problems
// that name their source, never a panic.
func FuzzParse(f *testing.F) {
	for _, p := range []string{
		"testdata/tree/windows/threshold_port_scan.toml", "testdata/tree/windows/new_terms_powershell.toml",
		"testdata/tree/windows/invalid_syntax.toml", "testdata/kibana/export.ndjson", "testdata/kibana/damaged.ndjson",
		"testdata/kibana/array.json", "testdata/kibana/saved_object.json", "testdata/damaged/truncated.zip",
		"testdata/package/security_detection_engine-9.9.9.zip",
	} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, extOf(p))
	}
	f.Fuzz(func(t *testing.T, data []byte, ext string) {
		l := &loader{sem: make(chan struct{}, 2)}
		in := &input{path: "fuzz"}
		l.parse(&unit{in: in, source: "fuzz", explicit: true, ext: ext, read: func() ([]byte, error) { return data, nil }})
		l.wg.Wait()
		rs, ps := l.finish()
		for _, r := range rs {
			if r.ID == "" || r.Type == "" || !strings.HasPrefix(r.Source, "fuzz") {
				t.Fatalf("incomplete rule %+v", r)
			}
			if queryTypes[r.Type] && strings.TrimSpace(r.Query) == "" {
				t.Fatalf("%s rule without a query", r.Type)
			}
		}
		for _, p := range ps {
			if !strings.HasPrefix(p.Source, "fuzz") || p.Err == nil {
				t.Fatalf("problem without source or reason: %#v", p)
			}
		}
		if len(rs)+len(ps) == 0 {
			t.Fatal("a named file gave neither rules nor problems")
		}
	})
}

// TestLoadThreatMatchTOML: a detection-rules indicator match rule, with
// Kibana's defaults for what it leaves out (threat_language,
// threat_indicator_path, an entry's type).
func TestLoadThreatMatchTOML(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tm.toml")
	src := `[metadata]
maturity = "production"

[rule]
rule_id = "tm"
name = "Indicator Match"
type = "threat_match"
query = "source.ip:* or destination.ip:*"
index = ["logs-*"]
threat_index = ["filebeat-*", " logs-ti_* "]
threat_query = '@timestamp >= "now-30d/d" and threat.indicator.ip:*'

[[rule.threat_filters]]
[rule.threat_filters.meta]
negate = false
[rule.threat_filters.query.match_phrase]
"event.kind" = "enrichment"

[[rule.threat_mapping]]
[[rule.threat_mapping.entries]]
field = "source.ip"
type = "mapping"
value = "threat.indicator.ip"
[[rule.threat_mapping.entries]]
field = "source.port"
value = "threat.indicator.port"

[[rule.threat_mapping]]
[[rule.threat_mapping.entries]]
field = "destination.ip"
type = "mapping"
value = "threat.indicator.ip"
`
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, ps := Load(p)
	if len(ps) != 0 || len(rs) != 1 {
		t.Fatalf("rules %v, problems %v", rs, ps)
	}
	tm := rs[0].ThreatMatch
	want := [][]ThreatMapEntry{
		{{"source.ip", "mapping", "threat.indicator.ip"}, {"source.port", "mapping", "threat.indicator.port"}},
		{{"destination.ip", "mapping", "threat.indicator.ip"}},
	}
	if tm == nil || !slices.EqualFunc(tm.Mapping, want, slices.Equal) || tm.Language != LangKuery ||
		tm.IndicatorPath != DefaultIndicatorPath || !slices.Equal(tm.Index, []string{"filebeat-*", "logs-ti_*"}) ||
		len(tm.Filters) != 1 || tm.Filters[0].Query["match_phrase"] == nil {
		t.Fatalf("threat match %+v", tm)
	}
	if got := tm.String(); got != "source.ip == threat.indicator.ip and source.port == threat.indicator.port or destination.ip == threat.indicator.ip" {
		t.Errorf("String() = %q", got)
	}
}
