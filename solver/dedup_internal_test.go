package solver

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/schema"
)

// groupQuery is a group of n documents, as the ES|QL lowering makes one:
// each document's condition a copy of the same predicates, the documents
// joined on host.name, their destination.ip pairwise different.
func groupQuery(n int) *constraint.Query {
	q := &constraint.Query{Lang: "esql", Kind: constraint.Sample, Scalar: true}
	join, distinct := make([]string, n), make([]string, n)
	for i := 0; i < n; i++ {
		span := constraint.Span{Text: `process.executable like "/opt/*"`}
		q.Events = append(q.Events, constraint.Event{Runs: 1, Cond: &constraint.And{X: []constraint.Expr{
			&constraint.Pred{Field: "event.action", Op: constraint.Eq, Whole: true, Value: constraint.String("connection_attempted"), Span: constraint.Span{Text: `event.action == "connection_attempted"`}},
			&constraint.Pred{Field: "process.executable", Op: constraint.Like, Neg: true, Whole: true, Pattern: wildcard.Pattern{{Kind: wildcard.Lit, Lit: "/opt/"}, {Kind: wildcard.AnyString}}, Span: span},
			&constraint.Pred{Field: "destination.ip", Op: constraint.Exists},
		}}})
		join[i], distinct[i] = "host.name", "destination.ip"
	}
	q.Joins, q.Distinct = [][]string{join}, [][]string{distinct}
	return q
}

func groupSchema() *schema.Schema {
	s := schema.New()
	s.Set(schema.Field{Name: "destination.ip", Type: "ip"})
	s.Set(schema.Field{Name: "process.executable", Type: "keyword"})
	s.Set(schema.Field{Name: "event.action", Type: "keyword"})
	s.Set(schema.Field{Name: "host.name", Type: "keyword"})
	return s
}

// Copies of one predicate (one content, one source span) are one
// predicate: a group's documents share their nodes, and a node holds a
// predicate once, however many documents repeat it.
func TestPredicateCopiesShareAnID(t *testing.T) {
	s, err := New(groupQuery(40), Options{Schema: groupSchema()})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.preds) != 3 {
		t.Errorf("%d predicates for 40 copies of 3, want 3", len(s.preds))
	}
	for _, n := range s.nodes {
		seen := map[int32]bool{}
		for _, p := range n.preds {
			if seen[p] {
				t.Fatalf("node of %s holds predicate %d twice", s.fields[n.field], p)
			}
			seen[p] = true
		}
	}
	// The same content at another place of the query is another
	// predicate (its span is reported).
	q := groupQuery(2)
	q.Events[1].Cond.(*constraint.And).X[0].(*constraint.Pred).Span.Pos.Offset = 99
	if s, err = New(q, Options{Schema: groupSchema()}); err != nil {
		t.Fatal(err)
	}
	if len(s.preds) != 4 {
		t.Errorf("%d predicates, want 4", len(s.preds))
	}
}

// A group's distinct values are drawn pairwise different, and a domain
// with fewer values than the group needs is unsolvable, as the room left
// (leavesRoom, narrowed value by value) says.
func TestDistinctRoom(t *testing.T) {
	s, err := New(groupQuery(60), Options{Schema: groupSchema()})
	if err != nil {
		t.Fatal(err)
	}
	var m Match
	r := rand.New(rand.NewPCG(1, 2))
	for try := 0; try < 3; try++ {
		if err := s.Generate(r, &m); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, d := range m.Docs {
			for j, f := range d.Fields {
				if f == "destination.ip" {
					if seen[string(d.Values[j])] {
						t.Fatalf("destination.ip %s twice in a group", d.Values[j])
					}
					seen[string(d.Values[j])] = true
				}
			}
		}
		if len(seen) != 60 {
			t.Fatalf("%d distinct destination.ip, want 60", len(seen))
		}
	}
	// Four addresses for five documents: no room for the fifth.
	q := groupQuery(5)
	for i := range q.Events {
		and := q.Events[i].Cond.(*constraint.And)
		and.X = append(and.X, &constraint.Pred{Field: "destination.ip", Op: constraint.CIDR, Value: constraint.String("10.0.0.0/30"), Span: constraint.Span{Text: `CIDR_MATCH(destination.ip, "10.0.0.0/30")`}})
	}
	if _, err := New(q, Options{Schema: groupSchema()}); err == nil || !strings.Contains(err.Error(), "destination.ip") {
		t.Errorf("5 different addresses in a /30: %v, want unsolvable on destination.ip", err)
	}
	q = groupQuery(4)
	for i := range q.Events {
		and := q.Events[i].Cond.(*constraint.And)
		and.X = append(and.X, &constraint.Pred{Field: "destination.ip", Op: constraint.CIDR, Value: constraint.String("10.0.0.0/30"), Span: constraint.Span{Text: `CIDR_MATCH(destination.ip, "10.0.0.0/30")`}})
	}
	if _, err := New(q, Options{Schema: groupSchema()}); err != nil {
		t.Errorf("4 different addresses in a /30: %v", err)
	}
}

// A string domain that met a pattern has no value once the pattern is
// negated: the conflict is the one building the difference finds.
func TestNegatedPatternWithin(t *testing.T) {
	env := &env{}
	re := &constraint.Pred{Field: "process.command_line", Op: constraint.Regex, Whole: true, Regex: ".*(gcloud|az account).*", Span: constraint.Span{Text: "process.command_line RLIKE ..."}}
	other := &constraint.Pred{Field: "process.command_line", Op: constraint.Regex, Whole: true, Regex: ".*auth.*", Span: constraint.Span{Text: "process.command_line RLIKE auth"}}
	neg := *re
	neg.Neg = true
	d, conf := newKeywordDomain("process.command_line").with(re, env)
	if conf != nil {
		t.Fatal(conf)
	}
	if d, conf = d.with(other, env); conf != nil {
		t.Fatal(conf)
	}
	_, conf = d.with(&neg, env)
	if conf == nil {
		t.Fatal("a pattern and its negation: no conflict")
	}
	// What the difference pos minus the pattern says, built in full.
	sd := d.(*strDomain)
	slow := sd.clone(&neg)
	slow.within = nil
	a, err := env.predDFA(re)
	if err != nil {
		t.Fatal(err)
	}
	slow.negs = append(slow.negs, a)
	if slow.nonEmpty(env) {
		t.Fatal("pos minus the pattern is not empty")
	}
	want := emptyConflict(sd.field, "empty solution space, no string satisfies ", slow.preds)
	if conf.Error() != want.Error() {
		t.Errorf("conflict %q, want %q", conf.Error(), want.Error())
	}
	// Another pattern's negation leaves values.
	negOther := &constraint.Pred{Field: "process.command_line", Op: constraint.Regex, Neg: true, Whole: true, Regex: ".*kubectl.*"}
	if _, conf := d.with(negOther, env); conf != nil {
		t.Errorf("not kubectl: %v", conf)
	}
}
