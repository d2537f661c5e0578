package solver_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/parser/kql"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
)

// pathEnd is the preference emit gives a query naming a path and its
// file name: the path ends with the name.
func pathEnd(path, name string) *constraint.Pred {
	return &constraint.Pred{Field: path, Op: constraint.Rel, Rel: constraint.RelPathEnd, Other: name,
		Span: constraint.Span{Text: path + " ends with " + name}}
}

func value(d solver.Doc, field string) string {
	for i, f := range d.Fields {
		if f == field {
			v, _ := document.Text(d.Values[i])
			return v
		}
	}
	return ""
}

// TestPreferences: a path and its file name agree wherever the query
// lets them, also when the path is a join key drawn once for every event
// and when the query's alternatives must be chosen for it; a preference
// never makes a solvable query unsolvable.
func TestPreferences(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		events      int  // > 1: a sample of this many events joined by process.executable
		agree       bool // every document agrees (else: the query forbids it)
	}{
		{"alternatives of the path", `process.executable : (/etc/crontab or /tmp/*) and process.name : * and not process.name : (apt or curl)`, 1, true},
		{"alternatives of the name", `process.executable : * and process.name : (cat or tar or sshd)`, 1, true},
		{"joined path, alternatives of the name", `process.name : (ping or nping or hping3)`, 5, true},
		{"the query forbids it", `process.executable : "/etc/crontab" and process.name : cat`, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := kql.Parse(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			c, err := k.Constraints()
			if err != nil {
				t.Fatal(err)
			}
			if tc.events > 1 {
				c.Kind = constraint.Sample
				ev := c.Events[0]
				key := make([]string, tc.events)
				for i := range key {
					c.Events = append(c.Events, ev)
					key[i] = "process.executable"
				}
				c.Events = c.Events[:tc.events]
				c.Joins = [][]string{key}
			}
			s, err := solver.New(c, solver.Options{Schema: schema.Default(),
				Prefer: []*constraint.Pred{pathEnd("process.executable", "process.name")}})
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(3, 4))
			var m solver.Match
			for i := 0; i < 200; i++ {
				if err := s.Generate(r, &m); err != nil {
					t.Fatal(err)
				}
				for _, d := range m.Docs {
					exe, name := value(d, "process.executable"), value(d, "process.name")
					if tc.agree != (strings.HasSuffix(exe, "/"+name) || strings.HasSuffix(exe, `\`+name)) {
						t.Fatalf("executable %q, name %q", exe, name)
					}
					if strings.Contains(exe, "/") && strings.Contains(exe, `\`) {
						t.Fatalf("executable %q mixes separators", exe)
					}
				}
			}
		})
	}
}
