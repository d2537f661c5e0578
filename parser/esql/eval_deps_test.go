package esql

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestEvaluatorIndependentOfSolver checks the layering: the evaluator
// judges the documents the solver generates, so package esql (its
// non-test code) must not depend on the solver, the emitter, the checker
// or the telemetry that make those documents.
func TestEvaluatorIndependentOfSolver(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("the go tool is needed to list dependencies")
			}
			t.Skip("the go tool is needed to list dependencies")
		}
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const module = "github.com/emit-sec/emit/"
	for _, dep := range strings.Fields(string(out)) {
		rel, ok := strings.CutPrefix(dep, module)
		if !ok {
			continue
		}
		for _, banned := range []string{"solver", "emitter", "check", "telemetry"} {
			if rel == banned || strings.HasPrefix(rel, banned+"/") {
				t.Errorf("parser/esql depends on %s", dep)
			}
		}
	}
}
