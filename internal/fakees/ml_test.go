package fakees

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

const authJob = `{
  "description": "rare user and logon bursts",
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
}`

const authDatafeed = `{
  "job_id": "auth",
  "indices": ["logs-*"],
  "query": {"bool": {"filter": [{"term": {"event.category": "authentication"}}]}},
  "runtime_mappings": {"x": {"type": "keyword", "script": {"source": "emit('a')"}}}
}`

// authData indexes a baseline of 2 days (15m buckets): alice and bob log
// on to host h1, 3 times a bucket; the last bucket (base+2d-15m) holds a
// burst of 60 logons on h1 and a first logon by mallory. Documents of
// another category are noise the datafeed query leaves out.
func authData(t *testing.T, s *Server, base time.Time) {
	t.Helper()
	var lines []string
	add := func(ts time.Time, user, cat string) {
		lines = append(lines, `{"create":{}}`,
			fmt.Sprintf(`{"@timestamp":%q,"user":{"name":%q},"host.name":"h1","event":{"category":%q}}`, ts.Format(time.RFC3339Nano), user, cat))
	}
	last := base.Add(48*time.Hour - 15*time.Minute)
	for b := base; b.Before(last); b = b.Add(15 * time.Minute) {
		add(b.Add(time.Minute), "alice", "authentication")
		add(b.Add(2*time.Minute), "bob", "authentication")
		add(b.Add(3*time.Minute), "alice", "authentication")
		add(b.Add(4*time.Minute), "zed", "process") // not the datafeed's
	}
	for i := 0; i < 59; i++ {
		add(last.Add(time.Duration(i)*time.Second), "alice", "authentication")
	}
	add(last.Add(5*time.Minute), "mallory", "authentication")
	if _, err := s.PostBulkIndex("logs-auth", bulkBody(lines...)); err != nil {
		t.Fatal(err)
	}
}

func waitStopped(t *testing.T, s *Server, feed string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		code, body, _ := do(t, s, "GET", "/_ml/datafeeds/"+feed+"/_stats", "")
		if code != 200 {
			t.Fatalf("datafeed stats: %d %v", code, body)
		}
		if body["datafeeds"].([]any)[0].(map[string]any)["state"] == "stopped" {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the datafeed did not stop")
}

func TestMLJobLifecycle(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	authData(t, s, base)

	code, body, _ := do(t, s, "PUT", "/_ml/anomaly_detectors/auth", authJob)
	if code != 200 || body["job_id"] != "auth" || body["job_type"] != "anomaly_detector" {
		t.Fatalf("create job: %d %v", code, body)
	}
	if body["custom_settings"].(map[string]any)["managed"] != true {
		t.Errorf("custom_settings not kept: %v", body)
	}
	code, body, _ = do(t, s, "PUT", "/_ml/anomaly_detectors/auth", authJob)
	if code != 400 || errType(body) != "resource_already_exists_exception" ||
		!strings.Contains(fmt.Sprint(body), "The job cannot be created with the Id 'auth'. The Id is already used.") {
		t.Fatalf("duplicate job: %d %v", code, body)
	}
	code, body, _ = do(t, s, "PUT", "/_ml/datafeeds/datafeed-other", strings.Replace(authDatafeed, `"auth"`, `"other"`, 1))
	if code != 404 || errType(body) != "resource_not_found_exception" {
		t.Fatalf("datafeed of an unknown job: %d %v", code, body)
	}
	code, body, _ = do(t, s, "PUT", "/_ml/datafeeds/datafeed-auth", authDatafeed)
	if code != 200 || body["datafeed_id"] != "datafeed-auth" || body["runtime_mappings"] == nil {
		t.Fatalf("create datafeed: %d %v", code, body)
	}
	code, body, _ = do(t, s, "PUT", "/_ml/datafeeds/datafeed-auth", authDatafeed)
	if code != 400 || errType(body) != "resource_already_exists_exception" {
		t.Fatalf("duplicate datafeed: %d %v", code, body)
	}
	start, end := base.UnixMilli(), base.Add(48*time.Hour).UnixMilli()
	startPath := fmt.Sprintf("/_ml/datafeeds/datafeed-auth/_start?start=%d&end=%d", start, end)
	code, body, _ = do(t, s, "POST", startPath, "")
	if code != 409 || errType(body) != "status_exception" || !strings.Contains(fmt.Sprint(body), "because job [auth] is closed") {
		t.Fatalf("start with the job closed: %d %v", code, body)
	}
	if code, body, _ = do(t, s, "POST", "/_ml/anomaly_detectors/auth/_open", ""); code != 200 || body["opened"] != true {
		t.Fatalf("open: %d %v", code, body)
	}
	if code, body, _ = do(t, s, "POST", startPath, ""); code != 200 || body["started"] != true {
		t.Fatalf("start: %d %v", code, body)
	}
	waitStopped(t, s, "datafeed-auth")
	s.WaitML()

	code, body, _ = do(t, s, "GET", "/_ml/anomaly_detectors/auth/_stats", "")
	js := body["jobs"].([]any)[0].(map[string]any)
	dc := js["data_counts"].(map[string]any)
	// 191 baseline buckets of 3 logons, 60 in the last: the noise is out.
	if code != 200 || js["state"] != "closed" || dc["processed_record_count"] != float64(191*3+60) || dc["bucket_count"] != float64(192) {
		t.Fatalf("job stats after the run: %d %v", code, js)
	}

	// The anomaly bucket's records, best first.
	last := base.Add(48*time.Hour - 15*time.Minute)
	code, body, _ = do(t, s, "GET", "/_ml/anomaly_detectors/auth/results/records",
		fmt.Sprintf(`{"start":"%s","end":%d,"sort":"record_score","desc":true}`, last.Format(time.RFC3339), end))
	if code != 200 {
		t.Fatalf("records: %d %v", code, body)
	}
	recs := body["records"].([]any)
	byFn := map[string]map[string]any{}
	for _, r := range recs {
		rec := r.(map[string]any)
		byFn[rec["function"].(string)] = rec
		if rec["timestamp"] != float64(last.UnixMilli()) || rec["result_type"] != "record" || rec["is_interim"] != false || rec["bucket_span"] != float64(900) {
			t.Errorf("record outside the anomaly bucket or malformed: %v", rec)
		}
	}
	rare := byFn["rare"]
	if rare == nil || rare["by_field_value"] != "mallory" || rare["record_score"].(float64) < 90 ||
		fmt.Sprint(rare["user.name"]) != "[mallory]" || rare["influencers"] == nil {
		t.Errorf("rare record: %v", rare)
	}
	// 60 against a typical 3: r = 61/4, score 100(1-4/61) = 93.443.
	hc := byFn["high_count"]
	if hc == nil || hc["partition_field_value"] != "h1" || hc["record_score"] != 93.443 ||
		fmt.Sprint(hc["actual"]) != "[60]" || fmt.Sprint(hc["typical"]) != "[3]" {
		t.Errorf("high_count record: %v", hc)
	}
	if got := int(body["count"].(float64)); got != len(recs) || got != 2 {
		t.Errorf("count = %v, want the 2 records of the bucket", body["count"])
	}
	// No record in the steady baseline (mallory and the burst are the
	// only departures; bob and alice appear in the first bucket).
	code, body, _ = do(t, s, "GET", fmt.Sprintf("/_ml/anomaly_detectors/auth/results/records?end=%d", last.UnixMilli()), "")
	if code != 200 || body["count"] != float64(0) {
		t.Errorf("baseline records: %d %v", code, body)
	}
	// record_score filters, page bounds.
	_, body, _ = do(t, s, "GET", "/_ml/anomaly_detectors/auth/results/records", `{"record_score":95,"page":{"size":1}}`)
	if body["count"] != float64(1) || len(body["records"].([]any)) != 1 {
		t.Errorf("record_score 95: %v", body)
	}

	// Delete with force removes the datafeed too.
	if code, body, _ = do(t, s, "DELETE", "/_ml/anomaly_detectors/auth?force=true", ""); code != 200 || body["acknowledged"] != true {
		t.Fatalf("delete job: %d %v", code, body)
	}
	if code, _, _ = do(t, s, "GET", "/_ml/datafeeds/datafeed-auth", ""); code != 404 {
		t.Errorf("the datafeed outlived its job: %d", code)
	}
	if code, _, _ = do(t, s, "GET", "/_ml/anomaly_detectors/auth", ""); code != 404 {
		t.Errorf("the job outlived its deletion: %d", code)
	}
}

func TestMLErrors(t *testing.T) {
	s := NewForTest(t, Options{NoMLLicense: true})
	code, body, _ := do(t, s, "PUT", "/_ml/anomaly_detectors/auth", authJob)
	if code != 403 || errType(body) != "security_exception" || !strings.Contains(fmt.Sprint(body), "current license is non-compliant for [ml]") {
		t.Fatalf("no ML license: %d %v", code, body)
	}

	s = NewForTest(t, Options{})
	for _, c := range []struct{ id, body, want string }{
		{"Auth", authJob, "Invalid job_id"},
		{"auth", `{"analysis_config":{"bucket_span":"15m","detectors":[]},"data_description":{}}`, "No detectors configured"},
		{"auth", `{"analysis_config":{"bucket_span":"15m","detectors":[{"function":"rare"}]},"data_description":{}}`, "by_field_name must be set when the 'rare' function is used"},
		{"auth", `{"analysis_config":{"bucket_span":"15m","detectors":[{"function":"nope"}]},"data_description":{}}`, "Unknown function 'nope'"},
		{"auth", `{"analysis_config":{"bucket_span":"15m","detectors":[{"function":"count"}]}}`, "A data_description must be set"},
		{"auth", `{"job_id":"x","analysis_config":{"detectors":[{"function":"count"}]},"data_description":{}}`, "Inconsistent job_id"},
		{"auth", `{"create_time":1,"analysis_config":{"detectors":[{"function":"count"}]},"data_description":{}}`, "illegal to set at job creation"},
	} {
		code, body, _ := do(t, s, "PUT", "/_ml/anomaly_detectors/"+c.id, c.body)
		if code != 400 || !strings.Contains(fmt.Sprint(body), c.want) {
			t.Errorf("PUT job %s %s = %d %v, want 400 %q", c.id, c.body, code, body, c.want)
		}
	}
	do(t, s, "PUT", "/_ml/anomaly_detectors/auth", authJob)
	s.FailMLOpen("auth", "Could not open job because no ML nodes with sufficient capacity were found")
	code, body, _ = do(t, s, "POST", "/_ml/anomaly_detectors/auth/_open", "")
	if code != 429 || !strings.Contains(fmt.Sprint(body), "no ML nodes") {
		t.Fatalf("open failure: %d %v", code, body)
	}
	code, body, _ = do(t, s, "GET", "/_ml/anomaly_detectors/auth/_stats", "")
	if body["jobs"].([]any)[0].(map[string]any)["state"] != "failed" {
		t.Errorf("job state after a failed open: %v", body)
	}
	code, body, _ = do(t, s, "PUT", "/_ml/datafeeds/datafeed-auth", `{"job_id":"auth","indices":["x"],"query":{"nope":{}}}`)
	if code != 400 || !strings.Contains(fmt.Sprint(body), "Datafeed query is not parsable") {
		t.Errorf("bad query: %d %v", code, body)
	}
	code, body, _ = do(t, s, "GET", "/_ml/datafeeds/nope/_stats", "")
	if code != 404 || !strings.Contains(fmt.Sprint(body), "No datafeed with id [nope] exists") {
		t.Errorf("unknown datafeed: %d %v", code, body)
	}
}

func TestMLCustomRuleAndEmptyDatafeed(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	authData(t, s, base)
	// A high_count detector whose custom rule skips results with actual
	// under 100: the burst of 60 makes no record.
	job := `{"analysis_config":{"bucket_span":"15m","detectors":[{"function":"high_count","partition_field_name":"host.name",
	  "custom_rules":[{"actions":["skip_result"],"conditions":[{"applies_to":"actual","operator":"lt","value":100}]}]}]},
	  "data_description":{"time_field":"@timestamp"}}`
	do(t, s, "PUT", "/_ml/anomaly_detectors/skip", job)
	do(t, s, "PUT", "/_ml/datafeeds/datafeed-skip", strings.Replace(authDatafeed, `"auth"`, `"skip"`, 1))
	do(t, s, "POST", "/_ml/anomaly_detectors/skip/_open", "")
	if code, body, _ := do(t, s, "POST", "/_ml/datafeeds/datafeed-skip/_start", fmt.Sprintf(`{"start":"%s","end":"%s"}`,
		base.Format(time.RFC3339), base.Add(48*time.Hour).Format(time.RFC3339))); code != 200 {
		t.Fatalf("start: %d %v", code, body)
	}
	waitStopped(t, s, "datafeed-skip")
	s.WaitML()
	if recs := s.MLRecords("skip"); len(recs) != 0 {
		t.Errorf("the custom rule let records through: %v", recs)
	}

	// A datafeed over indices without data reads nothing.
	do(t, s, "PUT", "/_ml/anomaly_detectors/empty", job)
	do(t, s, "PUT", "/_ml/datafeeds/datafeed-empty", `{"job_id":"empty","indices":["nothing-*"]}`)
	do(t, s, "POST", "/_ml/anomaly_detectors/empty/_open", "")
	do(t, s, "POST", "/_ml/datafeeds/datafeed-empty/_start?start=0&end=now", "")
	waitStopped(t, s, "datafeed-empty")
	s.WaitML()
	_, body, _ := do(t, s, "GET", "/_ml/anomaly_detectors/empty/_stats", "")
	if dc := body["jobs"].([]any)[0].(map[string]any)["data_counts"].(map[string]any); dc["processed_record_count"] != float64(0) {
		t.Errorf("empty datafeed: %v", dc)
	}
}

// A drop to nothing scores for low_count; a value far outside a narrow
// history scores for a median even when the ratio is small.
func TestMLLowCountAndDeviation(t *testing.T) {
	s := NewForTest(t, Options{AllowAutoCreate: true})
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var lines []string
	last := base.Add(24*time.Hour - 15*time.Minute)
	for b := base; b.Before(last); b = b.Add(15 * time.Minute) {
		for i := 0; i < 5; i++ {
			e := 3.5 + float64(i%3)*0.1
			lines = append(lines, `{"create":{}}`, fmt.Sprintf(`{"@timestamp":%q,"host.name":"h1","entropy":%g}`, b.Add(time.Duration(i)*time.Minute).Format(time.RFC3339), e))
		}
	}
	// The last bucket: h1 is silent, h2 writes one high-entropy line.
	lines = append(lines, `{"create":{}}`, fmt.Sprintf(`{"@timestamp":%q,"host.name":"h2","entropy":5.5}`, last.Add(time.Minute).Format(time.RFC3339)))
	for i := 0; i < 5; i++ { // and h1's history of entropy goes on through h3
		lines = append(lines, `{"create":{}}`, fmt.Sprintf(`{"@timestamp":%q,"host.name":"h3","entropy":5.5}`, last.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)))
	}
	if _, err := s.PostBulkIndex("logs-x", bulkBody(lines...)); err != nil {
		t.Fatal(err)
	}
	job := `{"analysis_config":{"bucket_span":"15m","detectors":[
	  {"function":"low_count","partition_field_name":"host.name"},
	  {"function":"high_median","field_name":"entropy"}]},
	  "data_description":{"time_field":"@timestamp"}}`
	do(t, s, "PUT", "/_ml/anomaly_detectors/j", job)
	do(t, s, "PUT", "/_ml/datafeeds/datafeed-j", `{"job_id":"j","indices":["logs-*"]}`)
	do(t, s, "POST", "/_ml/anomaly_detectors/j/_open", "")
	do(t, s, "POST", fmt.Sprintf("/_ml/datafeeds/datafeed-j/_start?start=%d&end=%d", base.UnixMilli(), last.Add(15*time.Minute).UnixMilli()), "")
	waitStopped(t, s, "datafeed-j")
	s.WaitML()
	var low, med map[string]any
	for _, r := range s.MLRecords("j") {
		if r["timestamp"] != last.UnixMilli() {
			t.Errorf("record outside the last bucket: %v", r)
			continue
		}
		switch r["function"] {
		case "low_count":
			low = r
		case "high_median":
			med = r
		}
	}
	// h1: 0 against 5, 100(1-1/6).
	if low == nil || low["partition_field_value"] != "h1" || low["record_score"] != 83.333 {
		t.Errorf("low_count record: %v", low)
	}
	// 5.5 against a median of 3.6: r = 6.5/4.6 scores 29, z = 1.9/0.18 scores 72.
	if med == nil || med["record_score"].(float64) < 70 {
		t.Errorf("high_median record: %v", med)
	}
}
