package automaton_test

import (
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/solver/automaton"
)

// rulePreds are the wildcard patterns and the ES|QL regular expressions
// of the detection-rules checkout's queries, each once, in the order of
// the rules.
var rulePreds struct {
	once     sync.Once
	patterns []wildcard.Pattern
	esql     []string
}

func detectionRulePreds(tb testing.TB) ([]wildcard.Pattern, []string) {
	tb.Helper()
	path := shared.Path(tb, "rules/detection-rules")
	rulePreds.once.Do(func() {
		all, _ := rules.Load(path)
		seenP, seenR := map[string]bool{}, map[string]bool{}
		for _, r := range (rules.Selector{}).Select(all) {
			q, err := emitter.RuleQuery(r)
			if err != nil || q.Constraints == nil {
				continue
			}
			var walk func(x constraint.Expr)
			walk = func(x constraint.Expr) {
				switch x := x.(type) {
				case *constraint.And:
					for _, y := range x.X {
						walk(y)
					}
				case *constraint.Or:
					for _, y := range x.X {
						walk(y)
					}
				case *constraint.Not:
					walk(x.X)
				case *constraint.Pred:
					switch {
					case x.Op == constraint.Like && !seenP[x.Pattern.String()]:
						seenP[x.Pattern.String()] = true
						rulePreds.patterns = append(rulePreds.patterns, x.Pattern)
					case x.Op == constraint.Regex && q.Lang == query.ESQL && !seenR[x.Regex]:
						seenR[x.Regex] = true
						rulePreds.esql = append(rulePreds.esql, x.Regex)
					}
				}
			}
			for _, ev := range q.Constraints.Events {
				walk(ev.Cond)
			}
			if q.Constraints.Until != nil {
				walk(q.Constraints.Until)
			}
		}
	})
	if len(rulePreds.patterns) < 1000 {
		tb.Fatalf("%d wildcard patterns in the detection rules", len(rulePreds.patterns))
	}
	return rulePreds.patterns, rulePreds.esql
}

// TestWildcardRulePatterns: Wildcard makes the automaton of every
// wildcard pattern of the detection rules (as written and lower-cased,
// case-sensitive and not) that the construction before it made
// (automaton.WildcardReference), state for state and class for class.
func TestWildcardRulePatterns(t *testing.T) {
	patterns, _ := detectionRulePreds(t)
	compared := 0
	for _, p := range patterns {
		for _, q := range []wildcard.Pattern{p, p.Lower()} {
			for _, ci := range []bool{false, true} {
				got, gerr := automaton.Wildcard(q, ci)
				want, werr := automaton.WildcardReference(q, ci)
				if (gerr != nil) != (werr != nil) {
					t.Fatalf("%s (ci %v): errors %v and %v", q, ci, gerr, werr)
				}
				if gerr == nil && !automaton.SameDFA(got, want) {
					t.Fatalf("%s (ci %v): not the automaton of the reference construction", q, ci)
				}
				compared++
			}
		}
	}
	t.Logf("%d automata of %d patterns compared", compared, len(patterns))
}

// BenchmarkWildcardRules builds the automaton of every wildcard pattern of
// the detection rules, as written, case-sensitive and not: about what a
// cold emit check builds.
func BenchmarkWildcardRules(b *testing.B) {
	patterns, _ := detectionRulePreds(b)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		for _, p := range patterns {
			for _, ci := range []bool{false, true} {
				if _, err := automaton.Wildcard(p, ci); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// BenchmarkMinimalRegexRules builds the minimal automaton of every regular
// expression of the detection rules' ES|QL queries, as a cold emit check
// builds them.
func BenchmarkMinimalRegexRules(b *testing.B) {
	_, res := detectionRulePreds(b)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	for i := 0; i < b.N; i++ {
		for _, re := range res {
			if _, err := automaton.MinimalRegex(re, false); err != nil && err != automaton.ErrTooComplex {
				b.Fatal(err)
			}
		}
	}
}

// reportCPU reports the process's CPU time (user and system, the garbage
// collector's included) per operation from now to the call of the
// function it returns: on a shared machine, wall times vary with the
// load, CPU times much less.
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
