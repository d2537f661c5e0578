package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/internal/fakees"
	"github.com/emit-sec/emit/internal/shared"
)

func TestMLSetupAgainstFake(t *testing.T) {
	dir := shared.Path(t, "ml")
	ruleDir := shared.Path(t, "rules/detection-rules/rules/ml")
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	// Two jobs of the auth module, with the rules that alert on them
	// (anomaly_threshold 75); the end is inside a bucket, whose documents
	// the datafeed reads too.
	args := []string{"--ml-jobs", dir, "--ml-job", "auth_rare_user_ea", "--ml-job", "auth_high_count_logon_fails_ea",
		"--rules", filepath.Join(ruleDir, "initial_access_ml_auth_rare_user_logon.toml"),
		"--rules", filepath.Join(ruleDir, "credential_access_ml_auth_spike_in_failed_logon_events.toml"),
		"--seed", "1", "--end", "2026-12-01T00:07:30Z", "--es-url", srv.URL, "--create-index", "--ml-setup"}
	code, out, errs := runEmit(t, args...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if out != "" {
		t.Errorf("stdout: %q", out)
	}

	for _, want := range []string{
		"ML data: 2/2 jobs ok, ",
		"emit: setting up 2 ML jobs in Elasticsearch",
		"ML jobs in Elasticsearch: 2 ran (2 reach their rules' threshold), 0 existing, 0 failed",
		"in the anomaly window (1 records): the rules alert",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if n := len(srv.MLJobs()); n != 2 {
		t.Errorf("%d jobs in the cluster, want 2", n)
	}
	// Each job's documents went to its own data stream, which its datafeed
	// reads: the summary's documents, the index's and the job's processed
	// ones are the same.
	for _, id := range []string{"auth_rare_user_ea", "auth_high_count_logon_fails_ea"} {
		df := srv.MLDatafeed("datafeed-" + id)
		ix := fmt.Sprint(df["indices"])
		n := srv.Count(strings.Trim(ix, "[]"))
		if !strings.HasSuffix(ix, "-"+id+"]") || n == 0 {
			t.Errorf("datafeed of %s reads %s", id, ix)
		}
		var docs, processed int
		for _, l := range lines(errs) {
			f := strings.Fields(l)
			switch {
			case len(f) > 2 && f[0] == id && f[1] == "security_auth":
				docs, _ = strconv.Atoi(f[2])
			case len(f) > 1 && f[0] == id:
				processed, _ = strconv.Atoi(f[1])
			}
		}
		if docs != n || processed != n {
			t.Errorf("%s: %d documents in the summary, %d in %s, %d processed", id, docs, n, ix, processed)
		}
	}
	// Again: the jobs are there, reported and left alone.
	code, _, errs = runEmit(t, args...)
	if code != 0 || !strings.Contains(errs, "ML jobs in Elasticsearch: 0 ran (0 reach their rules' threshold), 2 existing, 0 failed") {
		t.Errorf("rerun: exit %d:\n%s", code, errs)
	}
	code, _, errs = runEmit(t, append(args, "--ml-replace")...)
	if code != 0 || !strings.Contains(errs, "ML jobs in Elasticsearch: 2 ran") || !strings.Contains(errs, "replaced;") {
		t.Errorf("replace: exit %d:\n%s", code, errs)
	}
}

func TestMLFlagErrors(t *testing.T) {
	dir := shared.Path(t, "ml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--ml-module", "security_auth"}, "--ml-module and --ml-job select among the jobs of --ml-jobs"},
		{[]string{"--ml-jobs", dir, "--ml-module", "security_auth", "--ml-setup"}, "--ml-setup needs the Elasticsearch sink"},
		{[]string{"--ml-jobs", dir, "--ml-module", "security_auth", "--ml-replace", "--es-url", "http://localhost:1"}, "--ml-replace goes with --ml-setup"},
		{[]string{"--ml-jobs", dir, "--ml-module", "security_auth", "--ml-setup", "--ml-records", "--es-url", "http://localhost:1"}, "not with --ml-records"},
		{[]string{"--ml-jobs", dir, "--ml-module", "nope"}, "--ml-module nope: no job of the ML jobs read belongs to it; modules: ded, dga, lmd, pad"},
		{[]string{"--ml-jobs", dir, "--ml-job", "nope"}, "--ml-job nope: unknown ML job"},
		{[]string{"--ml-jobs", dir, "--ml-job", "auth_rare_user_ea", "--query", "a:b"}, "not with --query"},
		{[]string{"--query", "a:b", "--ml-setup", "--es-url", "http://localhost:1", "--index", "x"}, "--ml-setup: no ML job to set up"},
		{[]string{"--query", "a:b", "--ml-replace"}, "--ml-replace goes with --ml-setup"},
	} {
		code, _, errs := runEmit(t, c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("emit %v: exit %d:\n%s\nwant %q", c.args, code, errs, c.want)
		}
	}
}

// The machine_learning rules of --rules are an ML run too: the summary
// ends it, and --ml-setup runs their jobs.
func TestMLRulesSetup(t *testing.T) {
	dir := shared.Path(t, "ml")
	rule := filepath.Join(shared.Path(t, "rules/detection-rules/rules/ml"), "initial_access_ml_auth_rare_user_logon.toml")
	code, out, errs := runEmit(t, "--rules", rule, "--ml-jobs", dir, "--seed", "2", "--end", "2026-12-01T00:00:00Z", "--ml-baseline", "2d", "--format", "bulk")
	if code != 0 || !strings.Contains(errs, "ML data: 1/1 jobs ok, ") || !strings.Contains(errs, "auth_rare_user_ea") || !strings.Contains(errs, "2d (192)") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	// Without --ml-setup the rules' data goes where their datafeeds' index
	// patterns lead; with it, to the job's own data stream.
	if n := strings.Count(out, "\n"); n == 0 || !strings.Contains(out, `"_index":"logs-generic-default"`) {
		t.Errorf("%d documents, not in logs-generic-default", n)
	}
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	code, _, errs = runEmit(t, "--rules", rule, "--ml-jobs", dir, "--seed", "2", "--end", "2026-12-01T00:00:00Z", "--ml-baseline", "2d",
		"--es-url", srv.URL, "--create-index", "--ml-setup")
	if code != 0 || !strings.Contains(errs, "ML jobs in Elasticsearch: 1 ran (1 reach their rules' threshold), 0 existing, 0 failed") {
		t.Errorf("setup: exit %d:\n%s", code, errs)
	}
	if df := srv.MLDatafeed("datafeed-auth_rare_user_ea"); fmt.Sprint(df["indices"]) != "[logs-generic-auth_rare_user_ea]" {
		t.Errorf("the datafeed reads %v", df["indices"])
	}
}

// BenchmarkMLModule generates the data of the security_auth module's 7
// jobs (28050 documents at the default 14-day baseline) and discards it.
func BenchmarkMLModule(b *testing.B) {
	dir := shared.Path(b, "ml")
	args := []string{"--ml-jobs", dir, "--ml-module", "security_auth", "--seed", "1", "--end", "2026-12-01T00:00:00Z", "--quiet"}
	for b.Loop() {
		if code := run(args, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// jobSummary reads a job's line of the ML summary: its documents, the
// anomalies injected and their documents.
func jobSummary(t *testing.T, errs, id string) (docs, injected, anomalous int) {
	t.Helper()
	for _, l := range lines(errs) {
		f := strings.Fields(l)
		if len(f) >= 8 && f[0] == id {
			docs, _ = strconv.Atoi(f[2])
			injected, _ = strconv.Atoi(f[5])
			anomalous, _ = strconv.Atoi(f[6])
			return
		}
	}
	t.Fatalf("no summary line of %s:\n%s", id, errs)
	return
}

// --ml-density scales each job's baseline, --ml-anomalies gives each job
// that many anomalies (records with --ml-records); the defaults are the
// output of neither flag, and the output is reproducible.
func TestMLVolume(t *testing.T) {
	dir := shared.Path(t, "ml")
	jobs := []string{"auth_high_count_logon_fails_ea", "auth_rare_user_ea", "auth_rare_hour_for_a_user_ea"}
	base := []string{"--ml-jobs", dir, "--ml-job", jobs[0], "--ml-job", jobs[1], "--ml-job", jobs[2], "--seed", "1", "--end", "2026-12-01T00:00:00Z", "--ml-baseline", "4d", "--format", "bulk"}
	code, out1, errs1 := runEmit(t, base...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs1)
	}
	code, out, errs := runEmit(t, append(base, "--ml-density", "1", "--ml-anomalies", "1")...)
	if code != 0 || out != out1 {
		t.Errorf("--ml-density 1 --ml-anomalies 1: exit %d, not the defaults' documents:\n%s", code, errs)
	}
	more := append(base, "--ml-density", "4", "--ml-anomalies", "3")
	code, out4, errs4 := runEmit(t, more...)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs4)
	}
	if _, again, _ := runEmit(t, more...); again != out4 {
		t.Errorf("--ml-density 4 --ml-anomalies 3 twice: different documents")
	}
	for _, id := range jobs {
		d1, n1, a1 := jobSummary(t, errs1, id)
		d4, n4, a4 := jobSummary(t, errs4, id)
		if n1 != 1 || n4 != 3 || a4 < 3*a1 {
			t.Errorf("%s: %d anomalies (%d documents), then %d (%d documents); want 1 and 3", id, n1, a1, n4, a4)
		}
		// Four times the baseline: the first two jobs have no split
		// fields (one series has the three anomalies), the third (by
		// user.name) three anomalous users and one more instead of one
		// and one, each at the same rate: 4 × 4/2. Every rate scales.
		want := 4.0
		if id == jobs[2] {
			want = 8
		}
		if r := float64(d4-a4) / float64(d1-a1); r < 0.9*want || r > 1.1*want {
			t.Errorf("%s: %d baseline documents at density 4, %d at 1: %.2f times, want %.1f ± 10%%", id, d4-a4, d1-a1, r, want)
		}
	}
	if !strings.Contains(errs4, "ML data: 3/3 jobs ok, ") || !strings.Contains(errs4, " 9 anomalies injected (") {
		t.Errorf("summary:\n%s", errs4)
	}
	// One record per anomaly, each in a bucket of its own.
	code, recs, errs := runEmit(t, append(base[:len(base)-2], "--ml-records", "--ml-anomalies", "3", "--quiet")...)
	if code != 0 {
		t.Fatalf("--ml-records: exit %d:\n%s", code, errs)
	}
	times, users := map[string]map[string]bool{}, map[string]bool{}
	for _, l := range lines(recs) {
		id, ts := gjson.Get(l, "job_id").String(), gjson.Get(l, "timestamp").String()
		if times[id] == nil {
			times[id] = map[string]bool{}
		}
		times[id][ts] = true
		if id == jobs[2] {
			users[gjson.Get(l, "by_field_value").String()] = true
		}
		if gjson.Get(l, "record_score").Float() < 50 {
			t.Errorf("record below the threshold of no rule (50): %s", l)
		}
	}
	for _, id := range jobs {
		if len(times[id]) != 3 {
			t.Errorf("%s: records at %v, want 3 buckets", id, times[id])
		}
	}
	if len(users) != 3 {
		t.Errorf("%s: records of users %v, want 3", jobs[2], users)
	}
	for _, c := range []struct{ flag, val, want string }{
		{"--ml-density", "0", "--ml-density 0: want a positive factor"},
		{"--ml-density", "-2", "--ml-density -2: want a positive factor"},
		{"--ml-density", "NaN", "--ml-density NaN: want a positive factor"},
		{"--ml-anomalies", "0", "--ml-anomalies 0: want at least 1"},
	} {
		if code, _, errs := runEmit(t, append(base, c.flag, c.val)...); code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%s %s: exit %d:\n%s", c.flag, c.val, code, errs)
		}
	}
}

// --ml-setup with several anomalies: the test server's jobs write a
// record in each anomaly's bucket, and the setup says how many of them
// reach the threshold.
func TestMLSetupAnomalies(t *testing.T) {
	dir := shared.Path(t, "ml")
	ruleDir := shared.Path(t, "rules/detection-rules/rules/ml")
	srv := fakees.NewForTest(t, fakees.Options{AllowAutoCreate: true})
	code, _, errs := runEmit(t, "--ml-jobs", dir, "--ml-job", "auth_rare_user_ea", "--ml-job", "auth_high_count_logon_fails_ea",
		"--rules", filepath.Join(ruleDir, "initial_access_ml_auth_rare_user_logon.toml"),
		"--rules", filepath.Join(ruleDir, "credential_access_ml_auth_spike_in_failed_logon_events.toml"),
		"--seed", "1", "--end", "2026-12-01T00:00:00Z", "--ml-baseline", "4d", "--ml-anomalies", "3",
		"--es-url", srv.URL, "--create-index", "--ml-setup")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	for _, id := range []string{"auth_rare_user_ea", "auth_high_count_logon_fails_ea"} {
		if !strings.Contains(errs, "emit: ML job "+id+": ") || !strings.Contains(errs, "3 of 3 anomalies have a record >= 75") {
			t.Errorf("%s: stderr:\n%s", id, errs)
		}
		buckets := map[string]bool{}
		for _, r := range srv.MLRecords(id) {
			if s, _ := r["record_score"].(float64); s >= 75 {
				buckets[fmt.Sprint(r["timestamp"])] = true
			}
		}
		if len(buckets) < 3 {
			t.Errorf("%s: records of score 75 or more in %d buckets, want the 3 anomalies'", id, len(buckets))
		}
	}
}

// BenchmarkMLModuleVolume generates the security_auth module's data at
// densities 1 and 4 with 1 and 5 anomalies per job, and discards it.
func BenchmarkMLModuleVolume(b *testing.B) {
	dir := shared.Path(b, "ml")
	for _, c := range []struct{ density, anomalies string }{{"1", "1"}, {"4", "1"}, {"1", "5"}, {"4", "5"}} {
		b.Run("density="+c.density+"/anomalies="+c.anomalies, func(b *testing.B) {
			args := []string{"--ml-jobs", dir, "--ml-module", "security_auth", "--seed", "1", "--end", "2026-12-01T00:00:00Z", "--quiet",
				"--ml-density", c.density, "--ml-anomalies", c.anomalies}
			for b.Loop() {
				if code := run(args, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
