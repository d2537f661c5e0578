package solver_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/parser/kql"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
)

// fixedValues offers one value per field.
type fixedValues map[string]string

func (f fixedValues) Value(field string, _ func(string) (string, bool)) (string, bool) {
	v, ok := f[field]
	return v, ok
}
func (fixedValues) Candidates(string) []string { return nil }
func (fixedValues) Prefixes(string) []string   { return nil }
func (fixedValues) Words(string) [][]byte      { return nil }

func kqlEvent(t *testing.T, q string) constraint.Event {
	t.Helper()
	k, err := kql.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	c, err := k.Constraints()
	if err != nil {
		t.Fatal(err)
	}
	return c.Events[0]
}

// TestEachDocumentsContext: with Match.Each, each document has its own time
// (a date the query constrains follows it, Offset says it) and context; the
// join value is drawn in the first document's context; a preference of one
// event holds in that event's documents only.
func TestEachDocumentsContext(t *testing.T) {
	c := &constraint.Query{Kind: constraint.Sample, Events: []constraint.Event{
		kqlEvent(t, `@timestamp >= "2024-05-01" and threat.indicator.ip : * and not labels.source : "x"`),
		kqlEvent(t, `destination.ip : * and not labels.source : "y"`),
	}, Joins: [][]string{{"threat.indicator.ip", "destination.ip"}}}
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	s, err := solver.New(c, solver.Options{Schema: schema.Default(), Now: now,
		EventPrefer: [][]*constraint.Pred{nil, {{Field: "labels.source", Op: constraint.Exists, Span: constraint.Span{Text: "labels.source : *"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	published, seen := now.Add(-72*time.Hour), now.Add(-time.Minute)
	m := &solver.Match{Base: now, Values: fixedValues{"destination.ip": "10.1.2.3"},
		Each: []solver.DocContext{{Time: published, Values: fixedValues{"threat.indicator.ip": "185.220.1.2"}}, {Time: seen}}}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 10; i++ {
		if err := s.Generate(r, m); err != nil {
			t.Fatal(err)
		}
		ind, ev := m.Docs[0], m.Docs[1]
		if got := value(ind, "@timestamp"); got != "2024-05-29T12:00:00.000Z" {
			t.Errorf("the indicator's @timestamp %s, want its own time", got)
		}
		if ind.Offset != 0 || ev.Offset != seen.Sub(published) {
			t.Errorf("offsets %v %v", ind.Offset, ev.Offset)
		}
		if value(ind, "threat.indicator.ip") != "185.220.1.2" || value(ev, "destination.ip") != "185.220.1.2" {
			t.Errorf("the join value is not the first document's: %v / %v", ind.Values, ev.Values)
		}
		if value(ind, "labels.source") != "" || value(ev, "labels.source") == "" {
			t.Errorf("the event's preference: %v / %v", ind.Fields, ev.Fields)
		}
	}
}
