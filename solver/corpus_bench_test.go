package solver_test

import (
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
)

// ruleCase is one detection rule's query, as solver.New receives it
// (without emit's preferences and typed literals).
type ruleCase struct {
	c    *constraint.Query
	opts solver.Options
}

var corpus struct {
	once  sync.Once
	cases []ruleCase
}

// detectionRuleQueries reads the queries of the detection-rules checkout
// with the schemas emit check picks for each rule.
func detectionRuleQueries(b *testing.B) []ruleCase {
	path := shared.Path(b, "rules/detection-rules")
	corpus.once.Do(func() {
		c, ok := schema.FindCheckout(path)
		if !ok {
			b.Fatal("no schemas in the detection-rules checkout")
		}
		rs, err := emitter.CheckoutSchemas(schema.Default(), c)
		if err != nil {
			b.Fatal(err)
		}
		all, _ := rules.Load(path)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, r := range (rules.Selector{}).Select(all) {
			q, err := emitter.RuleQuery(r)
			if err != nil || q.Constraints == nil {
				continue
			}
			opts := solver.Options{Schema: rs.ForRule(r, q), Now: now}
			if _, err := solver.New(q.Constraints, opts); err != nil {
				continue
			}
			corpus.cases = append(corpus.cases, ruleCase{q.Constraints, opts})
		}
	})
	if len(corpus.cases) < 1500 {
		b.Fatalf("%d detection rules solved", len(corpus.cases))
	}
	return corpus.cases
}

// BenchmarkNewDetectionRules prepares a solver for every query of the
// detection-rules checkout: cold, with the automata caches solvers share
// emptied first (what one emit check run does), and warm, with the
// predicates' automata and their products kept from the run before.
func BenchmarkNewDetectionRules(b *testing.B) {
	cases := detectionRuleQueries(b)
	for _, cold := range []bool{true, false} {
		name := "warm"
		if cold {
			name = "cold"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for i := 0; i < b.N; i++ {
				if cold {
					solver.ResetCaches()
				}
				for _, rc := range cases {
					if _, err := solver.New(rc.c, rc.opts); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkCompileDetectionRules binds every query of the detection-rules
// checkout to its schemas (fields, types, predicates, the first step of
// solver.New): the part of a solver's preparation that grows with the
// size of the query's expression (ES|QL lowerings repeat conditions in
// every branch of a CASE) rather than with its automata.
func BenchmarkCompileDetectionRules(b *testing.B) {
	cases := detectionRuleQueries(b)
	b.ReportAllocs()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		for _, rc := range cases {
			if err := solver.Compile(rc.c, rc.opts); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkGenerateDetectionRules draws three matches of every query of the
// detection-rules checkout, as emit check does, from solvers made once
// (without emit's real-looking values: the solver's own draws). The draws
// that fail (a query whose matches need more than the solver's own values
// give) are counted, as failures/op.
func BenchmarkGenerateDetectionRules(b *testing.B) {
	cases := detectionRuleQueries(b)
	solvers := make([]*solver.Solver, len(cases))
	for i, rc := range cases {
		s, err := solver.New(rc.c, rc.opts)
		if err != nil {
			b.Fatal(err)
		}
		solvers[i] = s
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	var m solver.Match
	failed := 0
	for i := 0; i < b.N; i++ {
		for j, s := range solvers {
			r := rand.New(rand.NewPCG(uint64(j), 7))
			for k := 0; k < 3; k++ {
				if err := s.Generate(r, &m); err != nil {
					failed++
				}
			}
		}
	}
	b.ReportMetric(float64(failed)/float64(b.N), "failures/op")
}

// reportCPU reports the process's CPU time (user and system) per
// operation from now to the call of the function it returns: on a shared
// machine, wall times vary with the load, CPU times much less.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op") }
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
