package arch

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/emit-sec/emit/"

// layer of every package of the module; a new package must be given one.
var layer = map[string]int{
	"source": 0, "es/estype": 0, "es/wildcard": 0, "es/number": 0, "es/ipaddr": 0, "es/analysis": 0, "es/esindex": 0, "es/geo": 0,
	"internal/interval": 0, "internal/shared": 0, "internal/activity": 0, "etc": 0, "internal/arch": 0, "internal/conformance": 0,
	"es/date": 1, "es/regexp": 1,
	"es/date/datetest": 2, "es/regexp/regexptest": 2, "document": 2,
	"constraint": 2, "schema": 2, "rules": 2, "ml/job": 2,
	"internal/esvalue": 3, "parser": 3, "solver/automaton": 3, "telemetry": 3,
	"parser/kql": 4, "parser/eql": 4, "parser/esql": 4, "parser/lucene": 4, "solver": 4,
	"parser/dsl": 5, // its query_string clauses are parser/lucene's
	"query":      6, "internal/fakees": 6,
	"emitter": 7, "sink/es": 7, "internal/estest": 7,
	"sink/mljobs": 8,          // ML jobs in Elasticsearch, through sink/es
	"scenario":    8, "ml": 8, // datasets over time on the emitter
	"check":    9, // judges rules, ML ones through ml
	"cmd/emit": 10,
}

// evaluators judge the solver's documents: none may depend on the solver.
var evaluators = []string{"internal/esvalue", "parser/kql", "parser/eql", "parser/dsl", "parser/esql", "parser/lucene", "query"}

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func packages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "github.com/emit-sec/emit/...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func TestLayers(t *testing.T) {
	for _, p := range packages(t) {
		name := strings.TrimPrefix(p.ImportPath, module)
		l, ok := layer[name]
		if !ok {
			t.Errorf("package %s has no layer: give it one in internal/arch", name)
			continue
		}
		for _, imp := range p.Imports {
			dep, ours := strings.CutPrefix(imp, module)
			if !ours {
				continue
			}
			if dl, ok := layer[dep]; ok && dl >= l {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports go down the data flow", name, l, dep, dl)
			}
		}
	}
}

func TestEvaluatorsIndependentOfSolver(t *testing.T) {
	deps := map[string][]string{}
	for _, p := range packages(t) {
		deps[strings.TrimPrefix(p.ImportPath, module)] = p.Deps
	}
	for _, ev := range evaluators {
		for _, d := range deps[ev] {
			if d == module+"solver" || strings.HasPrefix(d, module+"solver/") {
				t.Errorf("evaluator %s depends on %s: evaluators must judge the solver's documents independently", ev, d)
			}
		}
	}
}

func TestConstraintFormHasNoParserPlumbing(t *testing.T) {
	for _, p := range packages(t) {
		name := strings.TrimPrefix(p.ImportPath, module)
		if name != "constraint" && name != "rules" && name != "source" && !strings.HasPrefix(name, "es/") {
			continue
		}
		for _, d := range p.Deps {
			if strings.Contains(d, "participle") || d == module+"parser" {
				t.Errorf("%s depends on %s: only the parsers use participle", name, d)
			}
		}
	}
}
