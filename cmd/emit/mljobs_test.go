package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/ml/job"
)

func TestSelectJobs(t *testing.T) {
	cat, probs := job.Load(shared.Path(t, "ml"))
	if len(probs) > 0 {
		t.Fatal(probs[0].Detail())
	}
	ids := func(js []*job.Job) []string {
		var out []string
		for _, j := range js {
			out = append(out, j.ID)
		}
		return out
	}
	for _, c := range []struct {
		modules, ids []string
		want         int
	}{
		{[]string{"security_auth"}, nil, 7},
		{[]string{"security_linux"}, nil, 14},
		{[]string{"security_linux_v3"}, nil, 14},                                            // the manifest id
		{[]string{"pad"}, nil, 21},                                                          // the package
		{[]string{"pad-ml"}, nil, 21},                                                       // the module id
		{[]string{"security_auth", "security_auth"}, nil, 7},                                // once
		{[]string{"security_auth"}, []string{"auth_rare_user_ea"}, 7},                       // a job of the module: once
		{[]string{"dga"}, []string{"auth_rare_user_ea", " dga_high_sum_probability_ea"}, 2}, // ids trimmed
		{nil, []string{"auth_rare_user_ea"}, 1},
	} {
		js, err := selectJobs(cat, c.modules, c.ids)
		if err != nil || len(js) != c.want {
			t.Errorf("modules %v ids %v: %v, %v; want %d jobs", c.modules, c.ids, ids(js), err, c.want)
		}
		for i := 1; i < len(js); i++ {
			if js[i-1].ID >= js[i].ID {
				t.Errorf("not sorted by id: %v", ids(js))
			}
		}
	}
	_, err := selectJobs(cat, []string{"security_nope"}, nil)
	if err == nil || !strings.Contains(err.Error(), "--ml-module security_nope: no job of the ML jobs read belongs to it; modules: ded, dga, lmd, pad, problemchild, security_auth") {
		t.Errorf("unknown module: %v", err)
	}
	_, err = selectJobs(cat, nil, []string{"nope_ea"})
	if err == nil || !strings.Contains(err.Error(), "--ml-job nope_ea: unknown ML job (106 jobs read") {
		t.Errorf("unknown job: %v", err)
	}
}

func TestMLSummary(t *testing.T) {
	stats := []mlJobStats{
		{job: "auth_rare_user_ea", module: "security_auth", docs: 40000, injected: 12, anomalies: 12, baseline: 14 * 24 * time.Hour, buckets: 1344, elapsed: 1930 * time.Millisecond},
		{job: "v3_linux_rare_sudo_user_ea", module: "security_linux", docs: 40000, injected: 2, anomalies: 24, baseline: 36*time.Hour + 15*time.Minute, buckets: 145, shortened: true, elapsed: 2 * time.Second},
		{job: "gcp_x_ea", module: "security_gcp_audit", err: errors.New("ML job gcp_x_ea: categorization")},
	}
	got := mlSummary(stats, 4190*time.Millisecond, true)
	want := `job                         module              documents        baseline  anomalies  anomalous      rate     time
auth_rare_user_ea           security_auth           40000     14d (1344)          12         12    0.030%    1.93s
v3_linux_rare_sudo_user_ea  security_linux          40000  1d12h15m (145)*          2         24    0.060%    2.00s
gcp_x_ea                    security_gcp_audit  failed: ML job gcp_x_ea: categorization
ML data: 2/3 jobs ok, 80000 documents, 14 anomalies injected (36 anomalous documents), 0.045% anomaly rate
ML data: * baseline shortened to keep to --ml-max-docs (1 jobs)
ML data: 4.19s
`
	if got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if s := mlSummary(stats[:1], time.Second, false); strings.Contains(s, "1.93s") || !strings.Contains(s, "ML data: 1/1 jobs ok, 40000 documents, 12 anomalies injected (12 anomalous documents), 0.030% anomaly rate\n") {
		t.Errorf("summary without times:\n%s", s)
	}
}
