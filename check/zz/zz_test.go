package zz

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
)

func TestZZ(t *testing.T) {
	base, err := schema.LoadAll([]string{"/work/shared/etc/ecs/ecs-v9.5.0.tar.gz", "/work/shared/etc/schemas/endpoint_process.json.gz"})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := schema.LoadNonECS("/work/shared/etc/schemas/non-ecs-schema.json")
	rs := &emitter.RuleSchemas{Base: base, NonECS: n}
	all, _ := rules.Load("/work/shared/etc/rules/detection-rules")
	sel := rules.Selector{Types: []string{"esql"}}.Select(all)
	filter := os.Getenv("ZZ")
	var lines []string
	counts := map[check.Status]int{}
	for _, r := range sel {
		if filter != "" && !strings.Contains(r.Source, filter) {
			continue
		}
		start := time.Now()
		res := check.Rule(r, check.Options{Schemas: rs, Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
		d := time.Since(start)
		counts[res.Status]++
		src := r.Source[strings.LastIndex(r.Source, "/")+1:]
		lines = append(lines, fmt.Sprintf("%-12s %6.2fs %s\t%s", res.Status, d.Seconds(), src, strings.ReplaceAll(res.Reason, "\n", " | ")))
	}
	sort.Strings(lines)
	for _, l := range lines {
		if len(l) > 700 {
			l = l[:700]
		}
		fmt.Println(l)
	}
	fmt.Println(counts)
}
