package check_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/rules"
)

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// TestMachineLearningRules checks the machine_learning rules of both
// shared rulesets with the jobs of ../shared/etc/ml: at least 95% of the
// rules whose jobs are there are ok (their data satisfies the datafeed
// query and the anomaly holds by the detector's test); the others say
// their job is unknown.
func TestMachineLearningRules(t *testing.T) {
	cat, problems := job.Load(shared.Path(t, "ml"))
	for _, p := range problems {
		t.Errorf("jobs: %v", p)
	}
	for _, tc := range []struct {
		path, ecs string
		known     int // rules whose jobs are all in ../shared/etc/ml
	}{
		{"rules/detection-rules", "ecs-v9.5.0.tar.gz", 106},
		{"rules/security_detection_engine-8.2.1.zip", "ecs-v8.11.0.tar.gz", -1},
	} {
		t.Run(tc.path, func(t *testing.T) {
			all, problems := rules.Load(shared.Path(t, tc.path))
			for _, p := range problems {
				t.Errorf("load: %v", p)
			}
			sel := rules.Selector{Types: []string{rules.TypeMachineLearning}, IncludeDeprecated: true}.Select(all)
			rs := ruleSchemas(t, tc.ecs)
			cpu, start := cpuSeconds(), time.Now()
			results := check.Rules(sel, check.Options{Schemas: rs, Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), MLJobs: cat})
			t.Logf("%d machine_learning rules checked in %v wall, %.2f CPU-seconds", len(sel), time.Since(start).Round(time.Millisecond), cpuSeconds()-cpu)
			known, ok := 0, 0
			for _, r := range results {
				haveJobs := true
				for _, id := range r.Rule.MachineLearning.JobIDs {
					if _, found := cat.Job(id); !found {
						haveJobs = false
					}
				}
				switch {
				case !haveJobs:
					if r.Status != check.Unsupported || !strings.HasPrefix(r.Reason, "unknown ML job ") {
						t.Errorf("%s: %s: %s (want unsupported: unknown ML job)", r.Name, r.Status, r.Reason)
					}
				case r.Status == check.OK:
					known++
					ok++
				default:
					known++
					t.Logf("%s (%s): %s: %s", r.Name, r.ID, r.Status, r.Reason)
				}
			}
			if tc.known >= 0 && known != tc.known {
				t.Errorf("%d rules with known jobs, want %d", known, tc.known)
			}
			if known > 0 && float64(ok) < 0.95*float64(known) {
				t.Errorf("%d of %d rules with known jobs ok, want at least 95%%", ok, known)
			}
			t.Logf("%d of %d rules with known jobs ok; %d with unknown jobs", ok, known, len(sel)-known)
		})
	}
}

// BenchmarkCheckMLRules times emit check over detection-rules' 106
// machine_learning rules (jobs loaded once): the cost ML rules add to the
// CI gate.
func BenchmarkCheckMLRules(b *testing.B) {
	cat, _ := job.Load(shared.Path(b, "ml"))
	all, _ := rules.Load(shared.Path(b, "rules/detection-rules"))
	sel := rules.Selector{Types: []string{rules.TypeMachineLearning}}.Select(all)
	rs := ruleSchemas(b, "ecs-v9.5.0.tar.gz")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		check.Rules(sel, check.Options{Schemas: rs, MLJobs: cat})
	}
}
