package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// The user jobs of testdata/ml: two jobs (Elasticsearch's get-jobs and
// get-datafeeds responses) and three rules, one of whose job is missing.
var (
	mlRules = filepath.Join("..", "..", "testdata", "ml", "rules.ndjson")
	mlJobs  = filepath.Join("..", "..", "testdata", "ml", "jobs")
)

func TestMLJobsFlag(t *testing.T) {
	args := []string{"--rules", mlRules, "--ml-jobs", mlJobs, "--seed", "3", "--end", "2026-03-10T14:00:00Z", "--format", "bulk", "--ml-baseline", "3d"}
	code, out, errs := runEmit(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, `skipped rule "Acme Unusual DNS Activity" (c3e8f5a2-7d1b-4e9f-a6c4-2b5d8e1f0a03): unknown ML job acme_rare_dns_question`) {
		t.Errorf("stderr: %s", errs)
	}
	byIndex := map[string]int{}
	ls := lines(out)
	for i := 0; i+1 < len(ls); i += 2 {
		ix := gjson.Get(ls[i], "create._index").String()
		byIndex[ix]++
		ts := gjson.Get(ls[i+1], "@timestamp").Time()
		if ts.After(mustTime(t, "2026-03-10T14:00:00Z")) || ts.Before(mustTime(t, "2026-03-06T00:00:00Z")) {
			t.Errorf("document at %s, outside the 3 days before the end", ts)
		}
		switch ix {
		case "logs-endpoint.events.process-default":
			if gjson.Get(ls[i+1], "host.os.type").String() != "linux" || gjson.Get(ls[i+1], "event.category.0").String() != "process" {
				t.Errorf("process document: %s", ls[i+1])
			}
		case "logs-system.auth-default":
			if gjson.Get(ls[i+1], "event.outcome").String() != "failure" && gjson.Get(ls[i+1], "event.outcome.0").String() != "failure" || !gjson.Get(ls[i+1], "host.name").Exists() {
				t.Errorf("auth document: %s", ls[i+1])
			}
		default:
			t.Errorf("document to %s", ix)
		}
	}
	if byIndex["logs-endpoint.events.process-default"] == 0 || byIndex["logs-system.auth-default"] == 0 {
		t.Errorf("documents by index: %v", byIndex)
	}
	// Reproducible with --seed.
	if _, again, _ := runEmit(t, args...); again != out {
		t.Errorf("the same seed gives other documents")
	}
	// The mappings cover both jobs' fields.
	code, mp, errs := runEmit(t, "--rules", mlRules, "--ml-jobs", mlJobs, "--mappings", "--quiet")
	m := gjson.Parse(mp)
	if code != exitOK || m.Get("properties.process.properties.name.type").String() != "keyword" ||
		m.Get("properties.event.properties.outcome.type").String() != "keyword" || m.Get("properties.@timestamp.type").String() != "date" {
		t.Errorf("mappings (exit %d): %s %s", code, mp, errs)
	}
}

func TestMLRecords(t *testing.T) {
	code, out, errs := runEmit(t, "--rules", mlRules, "--ml-jobs", mlJobs, "--seed", "3", "--end", "2026-03-10T14:00:00Z", "--ml-records", "--format", "bulk", "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	ls := lines(out)
	if len(ls) != 4 {
		t.Fatalf("%d lines, want two records:\n%s", len(ls), out)
	}
	thresholds := map[string]float64{"acme_rare_process_by_user": 50, "acme_high_count_failed_logons": 75}
	for i := 0; i < len(ls); i += 2 {
		if ix := gjson.Get(ls[i], "index._index").String(); ix != ".ml-anomalies-shared" {
			t.Errorf("record to %q: %s", ix, ls[i])
		}
		r := gjson.Parse(ls[i+1])
		th, ok := thresholds[r.Get("job_id").String()]
		if !ok || r.Get("record_score").Float() < th || r.Get("result_type").String() != "record" || r.Get("is_interim").Bool() ||
			!r.Get("typical.0").Exists() || !r.Get("actual.0").Exists() || !r.Get("influencers.0.influencer_field_values.0").Exists() {
			t.Errorf("record: %s", ls[i+1])
		}
		// The record lies in its rule's look-back.
		ts := r.Get("timestamp").Int()
		if end := mustTime(t, "2026-03-10T14:00:00Z").UnixMilli(); ts > end || ts < end-3*3600*1000 {
			t.Errorf("record at %d, outside the look-back", ts)
		}
	}
	if !strings.Contains(ls[3], `"partition_field_name":"host.name"`) || !strings.Contains(ls[3], `"function":"high_count"`) {
		t.Errorf("high_count record: %s", ls[3])
	}
	code, mp, _ := runEmit(t, "--rules", mlRules, "--ml-jobs", mlJobs, "--ml-records", "--mappings", "--quiet")
	m := gjson.Parse(mp)
	if code != exitOK || m.Get("properties.record_score.type").String() != "double" || m.Get("properties.influencers.type").String() != "nested" ||
		m.Get("properties.user.properties.name.type").String() != "keyword" {
		t.Errorf("records mappings: %s", mp)
	}
}

func TestMLCheck(t *testing.T) {
	code, out, errs := runEmit(t, "check", "--rules", mlRules, "--ml-jobs", mlJobs)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
	for _, want := range []string{"checked 3", "ok                2", "unsupported: unknown ML job acme_rare_dns_question (1)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// Three anomalies at four times the rate: each must hold.
	code, out4, errs := runEmit(t, "check", "--rules", mlRules, "--ml-jobs", mlJobs, "--ml-density", "4", "--ml-anomalies", "3")
	if code != exitOK || !strings.Contains(out4, "ok                2") {
		t.Errorf("--ml-density 4 --ml-anomalies 3: exit %d: %s %s", code, out4, errs)
	}
	if code, _, errs := runEmit(t, "check", "--rules", mlRules, "--ml-jobs", mlJobs, "--ml-anomalies", "0"); code != exitUsage || !strings.Contains(errs, "--ml-anomalies 0: want at least 1") {
		t.Errorf("--ml-anomalies 0: exit %d: %s", code, errs)
	}
}

func TestMLJobsErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "job.json")
	if err := os.WriteFile(bad, []byte("{\n  \"job_id\": \"x\",\n  \"analysis_config\": {\"bucket_span\": 15m}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runEmit(t, "--rules", mlRules, "--ml-jobs", bad)
	if code != exitFail || !strings.Contains(errs, "job.json:3:") || !strings.Contains(errs, "^") {
		t.Errorf("exit %d, stderr: %s", code, errs)
	}
	code, _, errs = runEmit(t, "--rules", mlRules, "--ml-jobs", mlJobs, "--ml-baseline", "two weeks")
	if code != exitFail || !strings.Contains(errs, "--ml-baseline") {
		t.Errorf("exit %d, stderr: %s", code, errs)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestMLWithRules: the ML data follows the other rules' matches, its
// document ids after theirs; with --shard, the first shard carries it and
// the shards together are the whole run.
func TestMLWithRules(t *testing.T) {
	args := []string{"--rules", mlRules, "--rules", filepath.Join("testdata", "checkout", "rules", "winlog_sequence.toml"), "--ml-jobs", mlJobs,
		"--seed", "3", "--end", "2026-03-10T14:00:00Z", "--ml-baseline", "1d", "--format", "bulk", "--quiet", "-n", "2"}
	ids := func(out string) []string {
		var out2 []string
		ls := lines(out)
		for i := 0; i < len(ls); i += 2 {
			out2 = append(out2, gjson.Get(ls[i], "*._id").String())
		}
		return out2
	}
	code, out, errs := runEmit(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// The rules' documents go to indices (no ids), the ML data to data
	// streams: each id is the document's number in the run.
	whole := ids(out)
	if len(whole) < 10 || whole[len(whole)-1] == "" {
		t.Fatalf("ids %v", whole)
	}
	for i, id := range whole {
		if want := fmt.Sprintf("3-%d", i+1); id != "" && id != want {
			t.Fatalf("document %d has id %s, want %s", i+1, id, want)
		}
	}
	_, one, _ := runEmit(t, append(args, "--shard", "1/2")...)
	_, two, _ := runEmit(t, append(args, "--shard", "2/2")...)
	got := append(ids(one), ids(two)...)
	sort.Strings(got)
	want := append([]string(nil), whole...)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the shards' ids are not the run's: %d and %d of %d", len(ids(one)), len(ids(two)), len(whole))
	}
}
