package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/telemetry"
)

// TestRealismOnRulesets judges the documents of every rule of both shared
// rulesets as an analyst would: no event after --end, hosts and users that
// recur, and the consistency rules of real telemetry (telemetry.Rules).
// A consistency rule may fail where a rule's query itself demands the
// inconsistency, so each is held to a stated share of the documents it
// applies to rather than to all of them.
func TestRealismOnRulesets(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every rule of both rulesets")
	}
	const end = "2024-01-01T00:00:00Z"
	endT, _ := time.Parse(time.RFC3339, end)
	for _, rel := range []string{"rules/detection-rules", "rules/security_detection_engine-8.2.1.zip"} {
		t.Run(rel, func(t *testing.T) {
			path := shared.Path(t, rel)
			code, out, errs := runEmit(t, "--rules", path, "--per-rule", "3", "--seed", "1",
				"--end", end, "--tag-rule", "emit.rule")
			if code != 0 {
				t.Fatalf("exit %d:\n%s", code, errs)
			}
			docs := lines(out)
			if len(docs) < 1000 {
				t.Fatalf("only %d documents", len(docs))
			}
			type tally struct{ applies, holds int }
			tallies := make([]tally, len(telemetry.Rules))
			failing := make([]map[string]bool, len(telemetry.Rules))
			hosts, users := map[string]bool{}, map[string]bool{}
			for i, l := range docs {
				var doc map[string]any
				if err := json.Unmarshal([]byte(l), &doc); err != nil {
					t.Fatalf("document %d: %v", i, err)
				}
				d := telemetry.ReadMap(doc)
				if !telemetry.Within(d, endT) {
					t.Errorf("document %d lies after --end %s: %.300s", i, end, l)
				}
				if h, ok := d.Text("host.name"); ok {
					hosts[h] = true
				}
				if u, ok := d.Text("user.name"); ok {
					users[u] = true
				}
				rule, _ := d.Text("emit.rule.name")
				for j, r := range telemetry.Rules {
					applies, holds := r.Check(d)
					if !applies {
						continue
					}
					tallies[j].applies++
					if holds {
						tallies[j].holds++
					} else {
						if failing[j] == nil {
							failing[j] = map[string]bool{}
						}
						failing[j][rule] = true
					}
				}
			}
			per1000 := func(n int) float64 { return 1000 * float64(n) / float64(len(docs)) }
			t.Logf("%d documents: %d distinct hosts (%.1f per 1000), %d distinct users (%.1f per 1000)",
				len(docs), len(hosts), per1000(len(hosts)), len(users), per1000(len(users)))
			// Entities recur: a few hundred rules draw from one population.
			if len(hosts) > len(docs)/4 || len(users) > len(docs)/4 {
				t.Errorf("hosts or users hardly recur: %d hosts, %d users in %d documents", len(hosts), len(users), len(docs))
			}
			for j, r := range telemetry.Rules {
				tl := tallies[j]
				if tl.applies == 0 {
					continue
				}
				share := float64(tl.holds) / float64(tl.applies)
				t.Logf("%5.1f%% of %4d  %s", 100*share, tl.applies, r.Name)
				if share < minShare {
					names := make([]string, 0, len(failing[j]))
					for n := range failing[j] {
						names = append(names, n)
					}
					sort.Strings(names)
					t.Errorf("%s holds in %.1f%% of %d documents (want >= %.0f%%); rules: %s",
						r.Name, 100*share, tl.applies, 100*minShare, abbreviate(names, 10))
				}
			}
		})
	}
}

// minShare is the share of documents each consistency rule must hold in.
const minShare = 0.96

func abbreviate(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, "; ")
	}
	return strings.Join(names[:n], "; ") + fmt.Sprintf("; and %d more", len(names)-n)
}
