package job

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/shared"
)

// TestSharedJobs reads ../shared/etc/ml: every job the ML rules use, with
// its datafeed.
func TestSharedJobs(t *testing.T) {
	dir := shared.Path(t, "ml")
	cat, problems := Load(dir)
	for _, p := range problems {
		t.Errorf("%v", p)
	}
	if cat.Len() != 106 {
		t.Fatalf("%d jobs, want 106", cat.Len())
	}
	functions := map[string]int{}
	for _, j := range cat.Jobs() {
		if j.Datafeed == nil || len(j.Datafeed.Indices) == 0 || len(j.Datafeed.Query) == 0 {
			t.Errorf("%s: datafeed %+v", j.ID, j.Datafeed)
		}
		if j.BucketSpan <= 0 || j.TimeField == "" {
			t.Errorf("%s: bucket span %v, time field %q", j.ID, j.BucketSpan, j.TimeField)
		}
		for _, d := range j.Detectors {
			functions[d.Function]++
		}
	}
	// The counts ../shared/etc/ml/index.json states.
	want := map[string]int{"rare": 60, "high_sum": 17, "high_non_zero_count": 15, "high_distinct_count": 5, "high_count": 4,
		"high_mean": 4, "high_info_content": 2, "high_varp": 2, "time_of_day": 1, "time_of_week": 1, "low_count": 1, "high_median": 1}
	for f, n := range want {
		if functions[f] != n {
			t.Errorf("%s: %d detectors, want %d", f, functions[f], n)
		}
	}
	dns, _ := cat.Job("dns_tunneling_ea")
	if dns == nil || len(dns.Detectors[0].CustomRules) != 1 || dns.Detectors[0].OverFieldName != "dns_question_etld" ||
		dns.Datafeed.RuntimeMappings["dns_question_etld"].Type != "keyword" || dns.Module.ID != "security_network" ||
		dns.Module.DefaultIndexPattern != "logs-*,filebeat-*,packetbeat-*" || dns.BucketSpan != 15*time.Minute {
		t.Errorf("dns_tunneling_ea: %+v", dns)
	}
	if r := dns.Detectors[0].CustomRules[0]; !r.Skips(349, 0) || r.Skips(350, 0) {
		t.Errorf("skip if actual < 350: %+v", r)
	}
	rdp, _ := cat.Job("lmd_high_mean_rdp_session_duration_ea")
	if rdp == nil || rdp.TimeField != "session.start_time" || rdp.Datafeed.Indices[0] != "ml-rdp-lmd_ea" || rdp.BucketSpan != 6*time.Hour {
		t.Errorf("lmd rdp job: %+v", rdp)
	}
	gcp, _ := cat.Job("gcp_audit_rare_method_for_a_user_email_ea")
	if gcp == nil || !strings.Contains(gcp.Note, "inferred") || !strings.Contains(gcp.Note, "client.user.email") {
		t.Errorf("gcp note: %q", gcp.Note)
	}
}

// The shapes Elasticsearch and Kibana export jobs in.
func TestFormats(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// GET _ml/anomaly_detectors: jobs with their datafeed_config.
	write("es-jobs.json", `{"count": 1, "jobs": [{"job_id": "es_job", "analysis_config": {"bucket_span": "1h",
		"detectors": [{"function": "high_count", "partition_field_name": "host.name"}], "influencers": ["host.name"]},
		"data_description": {"time_field": "@timestamp"},
		"datafeed_config": {"datafeed_id": "datafeed-es_job", "job_id": "es_job", "indices": ["logs-*"], "query": {"match_all": {}}}}]}`)
	// GET _ml/anomaly_detectors without datafeeds, then GET _ml/datafeeds.
	write("bare-jobs.json", `{"count": 1, "jobs": [{"job_id": "bare_job", "analysis_config": {"bucket_span": "15m",
		"detectors": [{"function": "rare", "by_field_name": "process.name"}]}, "data_description": {}}]}`)
	write("datafeeds.json", `{"count": 1, "datafeeds": [{"datafeed_id": "datafeed-bare_job", "job_id": "bare_job",
		"indices": ["winlogbeat-*"], "query": {"term": {"event.code": "4688"}},
		"runtime_mappings": {"x": {"type": "keyword", "script": "emit('a')"}}}]}`)
	// Kibana's job export.
	write("export.json", `[{"job": {"job_id": "kb_job", "analysis_config": {"bucket_span": "30m",
		"detectors": [{"function": "high_sum", "field_name": "source.bytes", "over_field_name": "destination.ip"}]}},
		"datafeed": {"job_id": "kb_job", "indices": ["logs-*"], "query": {"bool": {"filter": [{"exists": {"field": "source.bytes"}}]}}}}]`)
	// A data recognizer module: ml/<job>.json beside ml/datafeed_<job>.json.
	write("module/ml/mod_job.json", `{"description": "d", "analysis_config": {"bucket_span": "2h", "detectors": [{"function": "time_of_day", "by_field_name": "user.name"}]}}`)
	write("module/ml/datafeed_mod_job.json", `{"job_id": "JOB_ID", "indices": ["INDEX_PATTERN_NAME"], "query": {"match_all": {}}}`)
	write("module/manifest.json", `{"id": "mod", "title": "a module manifest is not a job"}`)
	// An integration's ml_module saved object.
	write("pkg-ml.json", `{"attributes": {"jobs": [{"id": "pkg_job", "config": {"analysis_config": {"bucket_span": "3h",
		"detectors": [{"function": "high_distinct_count", "field_name": "destination.ip", "partition_field_name": "source.ip"}]}}}],
		"datafeeds": [{"id": "datafeed-pkg_job", "job_id": "pkg_job", "config": {"indices": ["ml-rdp"], "query": {"match_all": {}}}}]}}`)
	write(".hidden/skipped.json", `{"not": json`)
	cat, problems := Load(dir)
	for _, p := range problems {
		t.Errorf("%v", p)
	}
	for id, want := range map[string]struct {
		span    time.Duration
		index   string
		fn      string
		hasFeed bool
	}{
		"es_job":   {time.Hour, "logs-*", "high_count", true},
		"bare_job": {15 * time.Minute, "winlogbeat-*", "rare", true},
		"kb_job":   {30 * time.Minute, "logs-*", "high_sum", true},
		"mod_job":  {2 * time.Hour, "INDEX_PATTERN_NAME", "time_of_day", true},
		"pkg_job":  {3 * time.Hour, "ml-rdp", "high_distinct_count", true},
	} {
		j, ok := cat.Job(id)
		if !ok {
			t.Errorf("%s: not read", id)
			continue
		}
		if j.BucketSpan != want.span || j.Detectors[0].Function != want.fn || (j.Datafeed != nil) != want.hasFeed ||
			j.Datafeed == nil || j.Datafeed.Indices[0] != want.index || j.TimeField != "@timestamp" {
			t.Errorf("%s: %+v %+v", id, j, j.Datafeed)
		}
	}
	if cat.Len() != 5 {
		t.Errorf("%d jobs, want 5", cat.Len())
	}
	if j, _ := cat.Job("bare_job"); j == nil || j.Datafeed.RuntimeMappings["x"].Script != "emit('a')" {
		t.Errorf("runtime field script: %+v", j.Datafeed)
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"{\n  \"job_id\": \"x\",\n  \"analysis_config\": {\"bucket_span\": \"15m\" \"detectors\": []}\n}",
			`x.json:3:44: invalid JSON: invalid character '"' after object key:value pair`},
		{`{"job_id": "x", "analysis_config": {"bucket_span": "15m", "detectors": [{"function": "rare"}]}`,
			"x.json:1:95: invalid JSON: unexpected end of input"},
		{`{"job_id": "x", "analysis_config": {"bucket_span": "15q", "detectors": [{"function": "rare"}]}}`,
			`x.json:1:52: job x: analysis_config.bucket_span: "15q" is not a time value: the unit is missing or unknown`},
		{`{"job_id": "x", "analysis_config": {"bucket_span": "1500ms", "detectors": [{"function": "rare"}]}}`,
			"a bucket span is a positive whole number of seconds"},
		{`{"job_id": "x", "analysis_config": {"bucket_span": "1h", "detectors": []}}`,
			"x.json:1:36: job x: analysis_config has no detectors"},
		{`{"job_id": "x", "analysis_config": {"bucket_span": "1h", "detectors": [{"field_name": "a"}]}}`,
			"job x: detector 0 has no function"},
		{`{"job_id": "x", "analysis_config": {"bucket_span": "1h", "detectors": [{"function": "rare", "by_field_name": 7}]}}`,
			"x.json:1:110: job: analysis_config.detectors.by_field_name: want a string, found JSON number"},
		{`{"job_id": "x", "analysis_config": {"bucket_span": "1h", "detectors": [{"function": "rare"}]}} {}`,
			"x.json:1:96: invalid JSON: text after the JSON value"},
		{`{"title": "nothing"}`, "x.json: no anomaly-detection job or datafeed"},
		{`{"datafeed_id": "d", "indices": ["a"], "query": "x"}`, "x.json:1:49: datafeed d: query: want a Query DSL object"},
	} {
		_, problems := Parse("x.json", []byte(tc.text))
		if len(problems) != 1 || !strings.Contains(problems[0].Error(), tc.want) {
			t.Errorf("%s:\n got %v\nwant %s", tc.text, problems, tc.want)
		}
	}
	// Detail shows the line with a caret under the position.
	_, problems := Parse("x.json", []byte("{\n  \"job_id\": \"x\",\n  \"analysis_config\": {\"bucket_span\": \"15m\" \"detectors\": []}\n}"))
	if d := problems[0].Detail(); !strings.HasSuffix(d, "\"15m\" \"detectors\": []}\n                                             ^") {
		t.Errorf("detail:\n%s", d)
	}
	_, problems = Load(filepath.Join(t.TempDir(), "absent"))
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "no such file") {
		t.Errorf("absent path: %v", problems)
	}
}
