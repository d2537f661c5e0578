package emitter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/parser/esql"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
)

func TestZZDebug(t *testing.T) {
	name := os.Getenv("ZZ")
	if name == "" {
		t.Skip()
	}
	base, _ := schema.LoadAll([]string{"/work/shared/etc/ecs/ecs-v9.5.0.tar.gz", "/work/shared/etc/schemas/endpoint_process.json.gz"})
	n, _ := schema.LoadNonECS("/work/shared/etc/schemas/non-ecs-schema.json")
	rs := &RuleSchemas{Base: base, NonECS: n}
	all, _ := rules.Load("/work/shared/etc/rules/detection-rules")
	for _, r := range all {
		if !strings.Contains(r.Source, name) {
			continue
		}
		fmt.Println(r.Query)
		sch := rs.For(r.IndexPatterns())
		e := New(Options{Schema: sch, Seed: 1, End: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Minimal: os.Getenv("ZZMIN") != ""})
		src, err := e.AddRule(r, sch)
		if err != nil {
			fmt.Println("ADD:", err)
			return
		}
		g := src.gen.(*esqlGen)
		c := src.solver.Query()
		fmt.Printf("events=%d joins=%v distinct=%v maxspan=%v fresh=%v\n", len(c.Events), c.Joins, c.Distinct, c.MaxSpan, g.plan.Fresh)
		for i, ev := range c.Events {
			if i < 4 {
				fmt.Printf("[%d] %s\n", i, ev.Cond)
			}
		}
		e.buf, e.docs, e.spans = e.buf[:0], e.docs[:0], e.spans[:0]
		if err := e.emitMatch(src, src.solver, nil); err != nil {
			fmt.Println("EMIT:", err)
			return
		}
		var parsed []map[string]any
		for _, sp := range e.spans {
			fmt.Println(string(e.buf[sp[0]:sp[1]]))
			var d map[string]any
			dec := json.NewDecoder(bytes.NewReader(e.buf[sp[0]:sp[1]]))
			dec.UseNumber()
			dec.Decode(&d)
			parsed = append(parsed, d)
		}
		// Run the query prefix by prefix.
		q := g.q
		for k := 2; k <= len(q.Commands); k++ {
			sub := &esql.Query{Src: q.Src, Commands: q.Commands[:k], Loc: q.Loc}
			res, err := esql.Execute(sub, parsed, esql.RunOptions{Types: src.schema.Types(), Now: e.opts.End})
			if err != nil {
				fmt.Printf("after %s: ERR %v\n", q.Commands[k-1].Name(), err)
				break
			}
			fmt.Printf("after %s (%s): %d rows\n", q.Commands[k-1].Name(), q.Commands[k-1].Location().Start, len(res.Rows))
			if len(res.Rows) == 0 {
				break
			}
			if k == len(q.Commands) || os.Getenv("ZZROWS") != "" {
				for _, row := range res.Rows[:min(3, len(res.Rows))] {
					s := row.String()
					if len(s) > 1500 {
						s = s[:1500]
					}
					fmt.Println("   ", s)
				}
			}
		}
		return
	}
}
