package main

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/shared"
)

// BenchmarkCheckCLI times `emit check --rules detection-rules` as a user
// runs it: a fresh process each time, so that nothing stays warm between
// runs (the solver's automata caches, the schemas, the rules), loading
// included. Besides the wall time per run (ns/op) it reports the CPU
// seconds of both cores summed (user and system) and the peak RSS, which
// tell the work apart from the machine's load.
func BenchmarkCheckCLI(b *testing.B) {
	rules := shared.Path(b, "rules/detection-rules")
	bin := filepath.Join(b.TempDir(), "emit")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var user, sys time.Duration
	var rss int64
	for b.Loop() {
		cmd := exec.Command(bin, "check", "--rules", rules, "--quiet")
		// Exit status 1 is the verdict (one rule of the tree is rightly
		// unsolvable), not a failure of the run.
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitFail {
				b.Fatalf("emit check: %v", err)
			}
		}
		user += cmd.ProcessState.UserTime()
		sys += cmd.ProcessState.SystemTime()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = max(rss, ru.Maxrss)
		}
	}
	b.ReportMetric((user+sys).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(rss)/1024, "peak-MB")
}
