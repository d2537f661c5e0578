package mljobs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/fakees"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/sink/es"
)

// A job as ../shared/etc/ml ships them: Kibana's placeholders in the
// datafeed, a runtime mapping.
const shipped = `{
  "job_id": "auth_test_ea",
  "module": {"manifest_id": "security_auth", "defaultIndexPattern": "auditbeat-*,logs-*"},
  "job": {
    "description": "rare user, logon bursts",
    "groups": ["security"],
    "analysis_config": {
      "bucket_span": "15m",
      "detectors": [
        {"function": "rare", "by_field_name": "user.name"},
        {"function": "high_count", "partition_field_name": "host.name"}
      ],
      "influencers": ["user.name", "host.name"]
    },
    "data_description": {"time_field": "@timestamp"},
    "custom_settings": {"managed": true}
  },
  "datafeed": {
    "job_id": "JOB_ID",
    "indices": ["INDEX_PATTERN_NAME"],
    "query": {"bool": {"filter": [{"term": {"event.category": "authentication"}}]}},
    "runtime_mappings": {"logon_type": {"type": "keyword", "script": {"source": "if (doc.containsKey('winlog.logon.type') && doc['winlog.logon.type'].size() > 0) { emit(doc['winlog.logon.type'].value) }"}}}
  }
}`

func loadJob(t *testing.T, text string) *job.Job {
	t.Helper()
	cat, probs := job.Parse("auth_test_ea.json", []byte(text))
	if len(probs) > 0 {
		t.Fatal(probs[0].Detail())
	}
	return cat.Jobs()[0]
}

func sinkFor(t *testing.T, srv *fakees.Server) *es.Sink {
	t.Helper()
	s, err := es.New(es.Config{URLs: []string{srv.URL}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

var base = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// index writes a baseline of two days (alice and bob log on to h1 three
// times a bucket), then a burst and a new user in the last bucket.
func index(t *testing.T, srv *fakees.Server, name string) {
	t.Helper()
	var b strings.Builder
	add := func(ts time.Time, user string) {
		fmt.Fprintf(&b, "{\"create\":{}}\n{\"@timestamp\":%q,\"user\":{\"name\":%q},\"host\":{\"name\":\"h1\"},\"event\":{\"category\":\"authentication\"}}\n",
			ts.Format(time.RFC3339Nano), user)
	}
	last := base.Add(48*time.Hour - 15*time.Minute)
	for t := base; t.Before(last); t = t.Add(15 * time.Minute) {
		add(t.Add(time.Minute), "alice")
		add(t.Add(2*time.Minute), "bob")
		add(t.Add(3*time.Minute), "alice")
	}
	for i := 0; i < 40; i++ {
		add(last.Add(time.Duration(i)*time.Second), "alice")
	}
	add(last.Add(time.Minute), "mallory")
	if _, err := srv.PostBulkIndex(name, []byte(b.String())); err != nil {
		t.Fatal(err)
	}
}

func spec(j *job.Job, indices ...string) Job {
	last := base.Add(48*time.Hour - 15*time.Minute)
	return Job{Job: j, Indices: indices, Start: base, End: base.Add(48 * time.Hour),
		AnomalyStart: last, AnomalyEnd: last.Add(15 * time.Minute), Threshold: 75}
}

var fast = Options{Poll: 5 * time.Millisecond, Wait: 20 * time.Second}

func TestRunCreatesOpensStartsAndReads(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	index(t, srv, "logs-system.auth-default")
	index(t, srv, "other-index") // not the job's: the datafeed must not read it
	s := sinkFor(t, srv)
	j := loadJob(t, shipped)
	var progress strings.Builder
	opts := fast
	opts.Progress = &progress
	res := Run(context.Background(), s, []Job{spec(j, "logs-system.auth-default")}, opts)
	r := res[0]
	if r.State != Ran || r.Processed != 191*3+41 || r.Buckets != 192 {
		t.Fatalf("result: %+v", r)
	}
	// The fake's rule: the burst (41 against 3) scores 100(1-4/42) = 90.476,
	// mallory's first logon 100·191/199 = 95.98.
	if r.Records != 2 || r.MaxScore < 95 || !r.Alerts() {
		t.Errorf("records: %+v", r)
	}
	df := srv.MLDatafeed("datafeed-auth_test_ea")
	if df == nil || df["job_id"] != "auth_test_ea" || fmt.Sprint(df["indices"]) != "[logs-system.auth-default]" || df["runtime_mappings"] == nil {
		t.Errorf("datafeed as created: %v", df)
	}
	if !strings.Contains(progress.String(), "auth_test_ea: 614 documents processed in 192 buckets; best record_score 96.0 >= 75") {
		t.Errorf("progress: %q", progress.String())
	}
	sum := Summary(res)
	if !strings.Contains(sum, "1 ran (1 reach their rules' threshold), 0 existing, 0 failed") || !strings.Contains(sum, "alerts") {
		t.Errorf("summary:\n%s", sum)
	}

	// A second run finds the job: reported, not overwritten.
	res = Run(context.Background(), s, []Job{spec(j, "logs-system.auth-default")}, fast)
	if res[0].State != Exists || !strings.Contains(res[0].Line(), "--ml-replace") {
		t.Errorf("second run: %+v", res[0])
	}
	if n := len(srv.MLRecords("auth_test_ea")); n != 2 {
		t.Errorf("the existing job was touched: %d records", n)
	}
	// With Replace it is deleted and created again.
	opts = fast
	opts.Replace = true
	res = Run(context.Background(), s, []Job{spec(j, "logs-system.auth-default")}, opts)
	if res[0].State != Ran || !res[0].Replaced || res[0].Records != 2 {
		t.Errorf("replace: %+v", res[0])
	}
}

func TestRunReportsFailuresPerJob(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	index(t, srv, "logs-auth")
	s := sinkFor(t, srv)
	good := loadJob(t, shipped)
	noData := loadJob(t, strings.ReplaceAll(shipped, "auth_test_ea", "nodata_ea"))
	noOpen := loadJob(t, strings.ReplaceAll(shipped, "auth_test_ea", "noopen_ea"))
	srv.FailMLOpen("noopen_ea", "Could not open job because no ML nodes with sufficient capacity were found")
	res := Run(context.Background(), s, []Job{spec(noData, "empty-index"), spec(noOpen, "logs-auth"), spec(good, "logs-auth")}, fast)
	if res[0].State != Failed || res[0].Step != "run" || !strings.Contains(res[0].Reason, "retrieved no data from empty-index") {
		t.Errorf("no data: %+v", res[0])
	}
	if res[1].State != Failed || res[1].Step != "open" || !strings.Contains(res[1].Reason, "status_exception: Could not open job") {
		t.Errorf("no open: %+v", res[1])
	}
	if res[2].State != Ran || !res[2].Alerts() {
		t.Errorf("the good job did not go on: %+v", res[2])
	}
	if sum := Summary(res); !strings.Contains(sum, "1 ran (1 reach their rules' threshold), 0 existing, 2 failed") {
		t.Errorf("summary:\n%s", sum)
	}
}

func TestRunWithoutMLLicense(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true, NoMLLicense: true})
	s := sinkFor(t, srv)
	a := loadJob(t, shipped)
	b := loadJob(t, strings.ReplaceAll(shipped, "auth_test_ea", "other_ea"))
	opts := fast
	opts.Parallel = 1
	before := srv.Requests()
	res := Run(context.Background(), s, []Job{spec(a, "logs-auth"), spec(b, "logs-auth")}, opts)
	for _, r := range res {
		if r.State != Failed || !strings.Contains(r.Reason, "security_exception: current license is non-compliant for [ml]") || !strings.Contains(r.Reason, "start_trial") {
			t.Errorf("license: %+v", r)
		}
	}
	// One refused request is enough: the second job does not ask again.
	if n := srv.Requests() - before; n != 1 {
		t.Errorf("%d requests after the license refusal, want 1", n)
	}
}

func TestDatafeedBody(t *testing.T) {
	j := loadJob(t, strings.Replace(shipped, `"indices": ["INDEX_PATTERN_NAME"]`, `"indices": ["INDEX_PATTERN_NAME", "ml-rdp-lmd_ea"], "datafeed_id": "datafeed-JOB_ID"`, 1))
	raw, err := datafeedBody(&Job{Job: j, Indices: []string{"logs-b", "logs-a", "logs-a"}})
	if err != nil {
		t.Fatal(err)
	}
	got := string(raw)
	for _, want := range []string{`"job_id":"auth_test_ea"`, `"indices":["logs-a","logs-b","ml-rdp-lmd_ea"]`, `"runtime_mappings":{"logon_type"`} {
		if !strings.Contains(got, want) {
			t.Errorf("datafeed body %s lacks %s", got, want)
		}
	}
	if strings.Contains(got, "datafeed_id") || DatafeedID(j) != "datafeed-auth_test_ea" {
		t.Errorf("datafeed id: %s, %s", got, DatafeedID(j))
	}
	if _, err := datafeedBody(&Job{Job: j}); err != nil {
		t.Errorf("a datafeed with a fixed index needs no written one: %v", err)
	}
	j.Datafeed.Indices = []string{job.IndexPatternPlaceholder}
	if _, err := datafeedBody(&Job{Job: j}); err == nil {
		t.Error("no index to read: no error")
	}
}

// Every job and datafeed of ../shared/etc/ml is accepted as shipped (the
// fake holds them to the checks Elasticsearch makes at creation, and parses
// the datafeed queries).
func TestShippedJobsCreate(t *testing.T) {
	cat, probs := job.Load(shared.Path(t, "ml"))
	if len(probs) > 0 {
		t.Fatal(probs[0].Detail())
	}
	srv := fakees.NewForTest(t, fakees.Options{})
	s := sinkFor(t, srv)
	r := &runner{c: s, opts: fast}
	for _, j := range cat.Jobs() {
		body, err := jobBody(j)
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := r.c.Do(context.Background(), "PUT", "/_ml/anomaly_detectors/"+j.ID, body); err != nil || !resp.OK() {
			t.Errorf("job %s: %s", j.ID, failure(resp, err))
			continue
		}
		dbody, err := datafeedBody(&Job{Job: j, Indices: []string{"logs-x-default"}})
		if err != nil {
			t.Errorf("datafeed of %s: %v", j.ID, err)
			continue
		}
		if resp, err := r.c.Do(context.Background(), "PUT", "/_ml/datafeeds/"+DatafeedID(j), dbody); err != nil || !resp.OK() {
			t.Errorf("datafeed of %s: %s", j.ID, failure(resp, err))
		}
	}
	if n := len(srv.MLJobs()); n != cat.Len() || n < 106 {
		t.Errorf("%d jobs created of %d", n, cat.Len())
	}
}

func TestSummaryTable(t *testing.T) {
	res := []Result{
		{JobID: "a_ea", State: Ran, Processed: 614, Buckets: 192, Records: 2, MaxScore: 95.98, Threshold: 75, Injected: 3, Scored: 2},
		{JobID: "b_ea", State: Ran, Processed: 10, Buckets: 5, Records: 1, MaxScore: 40, Threshold: 75},
		{JobID: "c_ea", State: Ran, Processed: 10, Buckets: 5, Records: 1, MaxScore: 40},
		{JobID: "d_ea", State: Exists, Threshold: 50},
		{JobID: "e_ea", State: Failed, Step: "open", Reason: "status_exception: no node", Threshold: 50},
	}
	want := `ML jobs in Elasticsearch: 3 ran (1 reach their rules' threshold), 1 existing, 1 failed
job   processed  records  max score  threshold  result
a_ea        614        2       96.0         75  alerts
b_ea         10        1       40.0         75  no alert
c_ea         10        1       40.0          -  no rule
d_ea          -        -          -         50  exists: left as it is (--ml-replace recreates it)
e_ea          -        -          -         50  failed: open: status_exception: no node
`
	if got := Summary(res); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	for i, want := range []string{
		"a_ea: 614 documents processed in 192 buckets; best record_score 96.0 >= 75 in the anomaly window (2 records): the rules alert; 2 of 3 anomalies have a record >= 75",
		"b_ea: 10 documents processed in 5 buckets; best record_score 40.0 < 75 in the anomaly window (1 records): the rules do not alert",
		"c_ea: 10 documents processed in 5 buckets; best record_score 40.0 in the anomaly window (1 records; no rule gives a threshold)",
		"d_ea: exists: left as it is (--ml-replace deletes and recreates it)",
		"e_ea: open failed: status_exception: no node",
	} {
		if got := res[i].Line(); got != want {
			t.Errorf("line %d: %q, want %q", i, got, want)
		}
	}
}

// A job that opens lazily while no ML node can take it leaves its
// datafeed "starting": past Options.Unassigned the run gives up, with
// Elasticsearch's explanation.
func TestRunUnassigned(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	index(t, srv, "logs-auth")
	s := sinkFor(t, srv)
	j := loadJob(t, strings.Replace(shipped, `"data_description"`, `"allow_lazy_open": true, "data_description"`, 1))
	srv.FailMLOpen("auth_test_ea", "No ML node with sufficient capacity")
	opts := fast
	opts.Unassigned = 50 * time.Millisecond
	r := Run(context.Background(), s, []Job{spec(j, "logs-auth")}, opts)[0]
	if r.State != Failed || r.Step != "run" || !strings.Contains(r.Reason, "no ML node took the job within 50ms: No ML node with sufficient capacity") {
		t.Errorf("unassigned: %+v", r)
	}
	// Its datafeed was stopped.
	if df := srv.MLDatafeed("datafeed-auth_test_ea"); df == nil {
		t.Fatal("no datafeed")
	}
	code, body := getJSON(t, srv, "/_ml/datafeeds/datafeed-auth_test_ea/_stats")
	if code != 200 || !strings.Contains(body, `"state":"stopped"`) {
		t.Errorf("datafeed after giving up: %d %s", code, body)
	}
}

func getJSON(t *testing.T, srv *fakees.Server, path string) (int, string) {
	t.Helper()
	s := sinkFor(t, srv)
	resp, err := s.Do(context.Background(), "GET", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Status, string(resp.Body)
}
