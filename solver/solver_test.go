package solver_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/internal/conformance"
	"github.com/emit-sec/emit/parser/kql"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
)

func testSchema() *schema.Schema {
	s := schema.New()
	s.Set(schema.Field{Name: "destination.port", Type: "long"})
	s.Set(schema.Field{Name: "source.port", Type: "long"})
	s.Set(schema.Field{Name: "source.ip", Type: "ip"})
	s.Set(schema.Field{Name: "destination.ip", Type: "ip"})
	s.Set(schema.Field{Name: "process.pid", Type: "long"})
	s.Set(schema.Field{Name: "event.category", Type: "keyword", Array: true})
	s.Set(schema.Field{Name: "tags", Type: "keyword", Array: true})
	s.Set(schema.Field{Name: "message", Type: "match_only_text"})
	s.Set(schema.Field{Name: "@timestamp", Type: "date"})
	s.Set(schema.Field{Name: "file.Ext.entropy", Type: "double"})
	s.Set(schema.Field{Name: "process.code_signature.trusted", Type: "boolean"})
	s.Set(schema.Field{Name: "error.count", Type: "short"})
	return s
}

func newSolver(t *testing.T, q string) (*solver.Solver, error) {
	t.Helper()
	k, err := kql.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	c, err := k.Constraints()
	if err != nil {
		t.Fatalf("lower %q: %v", q, err)
	}
	return solver.New(c, solver.Options{Schema: testSchema(), Now: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)})
}

// docOf turns a generated match's first document into a flat map.
func docOf(t *testing.T, m *solver.Match) map[string]any {
	out := map[string]any{}
	for i, f := range m.Docs[0].Fields {
		var v any
		if err := json.Unmarshal(m.Docs[0].Values[i], &v); err != nil {
			t.Fatalf("%s: invalid JSON %q: %v", f, m.Docs[0].Values[i], err)
		}
		out[f] = v
	}
	return out
}

func TestUnsolvable(t *testing.T) {
	tests := []struct{ q, want string }{
		{`destination.port < 1024 and destination.port > 1024`, "destination.port (empty solution space, 1025 <= x <= 1023)"},
		{`destination.port > 70000`, "destination.port (empty solution space, 70001 <= x <= 65535)"},
		{`process.name : a and process.name : b`, "process.name"},
		{`process.name : *.exe and not process.name : *.exe`, "no string satisfies"},
		{`process.name : * and not process.name : *`, "process.name"},
		{`source.ip : 10.0.0.0/8 and source.ip : 192.168.0.0/16`, "source.ip"},
		{`error.count > 40000`, "error.count (empty solution space, 40001 <= x <= 32767)"},
		{`process.code_signature.trusted : true and process.code_signature.trusted : false`, "trusted"},
		{`(a : 1 or a : 2) and a : 3`, "a (empty solution space"},
		{`destination.port : foo`, `"foo" is not a valid long`},
	}
	for _, tt := range tests {
		_, err := newSolver(t, tt.q)
		var ue *solver.UnsolvableError
		if !errors.As(err, &ue) {
			t.Errorf("%s: expected UnsolvableError, got %v", tt.q, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s:\n got %s\nwant %s", tt.q, err, tt.want)
		}
	}
}

func TestDeadAlternatives(t *testing.T) {
	s, err := newSolver(t, `destination.port < 1024 and (destination.port > 512 or destination.port > 1024)`)
	if err != nil {
		t.Fatal(err)
	}
	ws := s.Warnings()
	if len(ws) != 1 {
		t.Fatalf("warnings = %v", ws)
	}
	want := `1:56: "destination.port > 1024" can never match here (destination.port: empty solution space, 1025 <= x <= 1023)`
	if ws[0].String() != want {
		t.Errorf("warning\n got %s\nwant %s", ws[0], want)
	}
	// A branch emptied only by a distributed "not" is normal.
	s, err = newSolver(t, `x : a and not (x : a and y : b)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings()) != 0 {
		t.Errorf("unexpected warnings %v", s.Warnings())
	}
	// Strict: an error.
	k, _ := kql.Parse(`destination.port < 1024 and (destination.port > 512 or destination.port > 1024)`)
	c, _ := k.Constraints()
	if _, err := solver.New(c, solver.Options{Strict: true}); err == nil {
		t.Error("strict should fail on a dead alternative")
	}
}

func TestGenerateSatisfies(t *testing.T) {
	tests := []struct {
		q     string
		check func(d map[string]any) bool
	}{
		{`process.name : *.exe`, func(d map[string]any) bool { return strings.HasSuffix(d["process.name"].(string), ".exe") }},
		{`x : *foo* and x : *bar* and not x : *baz*`, func(d map[string]any) bool {
			s := d["x"].(string)
			return strings.Contains(s, "foo") && strings.Contains(s, "bar") && !strings.Contains(s, "baz")
		}},
		{`destination.port < 1024 and (destination.port > 512 or destination.port > 1024)`, func(d map[string]any) bool {
			p := d["destination.port"].(float64)
			return p > 512 && p < 1024
		}},
		{`source.ip : 10.0.0.0/8 and not source.ip : 10.1.0.0/16`, func(d map[string]any) bool {
			ip := d["source.ip"].(string)
			return strings.HasPrefix(ip, "10.") && !strings.HasPrefix(ip, "10.1.")
		}},
		{`source.ip : "2001:db8::/32"`, func(d map[string]any) bool { return strings.HasPrefix(d["source.ip"].(string), "2001:db8:") }},
		{`tags : a and tags : b`, func(d map[string]any) bool {
			a := d["tags"].([]any)
			return len(a) == 2 && a[0] == "a" && a[1] == "b"
		}},
		{`event.category : process`, func(d map[string]any) bool { return d["event.category"].([]any)[0] == "process" }},
		{`not process.name : *`, func(d map[string]any) bool { _, ok := d["process.name"]; return !ok }},
		{`file.Ext.entropy >= 7`, func(d map[string]any) bool { return d["file.Ext.entropy"].(float64) >= 7 }},
		{`@timestamp >= "2024-01-01" and @timestamp < "2024-01-02"`, func(d map[string]any) bool {
			return strings.HasPrefix(d["@timestamp"].(string), "2024-01-01T")
		}},
		{`@timestamp > now-1h`, func(d map[string]any) bool { return d["@timestamp"].(string) >= "2024-04-30T23:00:00" }},
		{`message : "hello world"`, func(d map[string]any) bool { return strings.Contains(d["message"].(string), "hello world") }},
		{`process.pid : *`, func(d map[string]any) bool { return d["process.pid"].(float64) > 0 }},
		{`process.code_signature.trusted : false`, func(d map[string]any) bool { return d["process.code_signature.trusted"] == false }},
		{`user.name : (alice or bob) and not user.name : alice`, func(d map[string]any) bool { return d["user.name"] == "bob" }},
	}
	r := rand.New(rand.NewPCG(7, 7))
	for _, tt := range tests {
		s, err := newSolver(t, tt.q)
		if err != nil {
			t.Errorf("%s: %v", tt.q, err)
			continue
		}
		var m solver.Match
		for i := 0; i < 200; i++ {
			if err := s.Generate(r, &m); err != nil {
				t.Fatalf("%s: %v", tt.q, err)
			}
			d := docOf(t, &m)
			if !tt.check(d) {
				t.Fatalf("%s: document %v does not satisfy the query", tt.q, d)
			}
		}
	}
}

func TestManyBranchesNoBlowup(t *testing.T) {
	// 10 fields x 20 alternatives: 20^10 branches, never expanded.
	var parts []string
	for f := 0; f < 10; f++ {
		var alts []string
		for a := 0; a < 20; a++ {
			alts = append(alts, "v"+string(rune('a'+a)))
		}
		parts = append(parts, "f"+string(rune('0'+f))+" : ("+strings.Join(alts, " or ")+")")
	}
	s, err := newSolver(t, strings.Join(parts, " and "))
	if err != nil {
		t.Fatal(err)
	}
	var m solver.Match
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		if err := s.Generate(r, &m); err != nil {
			t.Fatal(err)
		}
		seen[string(m.Docs[0].Values[0])] = true
	}
	if len(seen) < 15 {
		t.Errorf("branch choice is not random enough: %d distinct values", len(seen))
	}
}

// The analyzer conformance table, read by the solver: a text value drawn
// for "message contains TEXT" holds every word the analyzer finds in TEXT,
// and a phrase holds them in order.
func TestAnalysisConformance(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, l := range conformance.Read(t, "analysis.txt") {
		head, words, _ := conformance.Lists(l.Fields)
		if len(words) == 0 {
			continue
		}
		for _, phrase := range []bool{false, true} {
			p := &constraint.Pred{Field: "message", Op: constraint.Eq, Value: constraint.String(head[0]), Phrase: phrase}
			c := &constraint.Query{Kind: constraint.EventQuery, Events: []constraint.Event{{Cond: p, Runs: 1}}}
			s, err := solver.New(c, solver.Options{Schema: testSchema()})
			if err != nil {
				t.Errorf("analysis.txt:%d: %v", l.N, err)
				continue
			}
			var m solver.Match
			for i := 0; i < 10; i++ {
				if err := s.Generate(r, &m); err != nil {
					t.Fatalf("analysis.txt:%d: %v", l.N, err)
				}
				v, _ := document.Text(m.Docs[0].Values[0])
				toks := analysis.Analyze(v)
				ok := analysis.ContainsPhrase(toks, words)
				if !phrase {
					for _, w := range words {
						ok = ok || slices.Contains(toks, w)
						if !slices.Contains(toks, w) {
							ok = false
							break
						}
					}
				}
				if !ok {
					t.Errorf("analysis.txt:%d: drawn %q (words %q) for %q (phrase %v)", l.N, v, toks, head[0], phrase)
					break
				}
			}
		}
	}
}

// fixedNumbers fixes numeric values (solver.Fixed) and offers no strings.
type fixedNumbers map[string]float64

func (f fixedNumbers) Value(string, func(string) (string, bool)) (string, bool) { return "", false }
func (f fixedNumbers) Candidates(string) []string                               { return nil }
func (f fixedNumbers) Prefixes(string) []string                                 { return nil }
func (f fixedNumbers) Words(string) [][]byte                                    { return nil }
func (f fixedNumbers) Fixed(field string) (float64, bool)                       { v, ok := f[field]; return v, ok }

func TestFixedNumbers(t *testing.T) {
	s, err := newSolver(t, `destination.port >= 1024 and file.Ext.entropy : * and error.count : *`)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		fixed           fixedNumbers
		port            float64
		entropy, errors float64
		portFixed       bool
	}{
		// Taken where the domain holds them.
		{fixed: fixedNumbers{"destination.port": 8443, "file.Ext.entropy": 5.75, "error.count": 12}, port: 8443, entropy: 5.75, errors: 12, portFixed: true},
		// Not where it does not: below the range, a fraction of a long,
		// beyond a short.
		{fixed: fixedNumbers{"destination.port": 80, "error.count": 70000}},
		{fixed: fixedNumbers{"destination.port": 2048.5}},
	} {
		m := &solver.Match{Values: tc.fixed}
		if err := s.Generate(r, m); err != nil {
			t.Fatal(err)
		}
		d := docOf(t, m)
		port := d["destination.port"].(float64)
		if port < 1024 || (tc.portFixed && port != tc.port) || (!tc.portFixed && port == tc.fixed["destination.port"]) {
			t.Errorf("%v: destination.port %v", tc.fixed, port)
		}
		if tc.entropy != 0 && d["file.Ext.entropy"].(float64) != tc.entropy {
			t.Errorf("%v: file.Ext.entropy %v", tc.fixed, d["file.Ext.entropy"])
		}
		if e := d["error.count"].(float64); (tc.errors != 0 && e != tc.errors) || e > 32767 {
			t.Errorf("%v: error.count %v", tc.fixed, e)
		}
	}
}
