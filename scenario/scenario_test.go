package scenario_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/scenario"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/telemetry"
)

var testEnd = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// doc is one generated document, parsed.
type doc struct {
	raw  []byte
	m    map[string]any
	src  *emitter.Source
	t    time.Time
	kind string // the label's kind ("" for the background)
	id   string // the label's instance id
}

func (d *doc) str(path string) string {
	var cur any = d.m
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = m[p]
	}
	switch x := cur.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return fmt.Sprint(x)
	case []any:
		if len(x) > 0 {
			return fmt.Sprint(x[0])
		}
	}
	return ""
}

func (d *doc) num(path string) float64 {
	var f float64
	fmt.Sscan(d.str(path), &f)
	return f
}

type runOpts struct {
	users, hosts int
	span         time.Duration
	seed         uint64
	rules        []*rules.Rule
}

// run runs a built-in scenario and returns its documents.
func run(t testing.TB, name string, o runOpts) ([]*doc, *scenario.Scenario, *scenario.Runner) {
	t.Helper()
	sc, err := scenario.LoadBuiltin(name)
	if err != nil {
		t.Fatal(err)
	}
	return runScenario(t, sc, o)
}

func runScenario(t testing.TB, sc *scenario.Scenario, o runOpts) ([]*doc, *scenario.Scenario, *scenario.Runner) {
	t.Helper()
	for _, es := range sc.Entities {
		if es.Kind == "user" && o.users > 0 {
			es.Count = o.users
		}
		if es.Kind == "host" && o.hosts > 0 {
			es.Count = o.hosts
		}
	}
	start := time.Time{}
	if o.span > 0 {
		start = testEnd.Add(-o.span)
	}
	pop := sc.Population(telemetry.Default(), o.seed)
	e := emitter.New(emitter.Options{Seed: o.seed, End: testEnd, Start: start, Schema: sc.Schema(schema.Default()), Population: pop})
	for _, r := range o.rules {
		if _, err := e.AddRule(r, nil); err != nil {
			t.Fatalf("rule %s: %v", r.Name, err)
		}
	}
	r, err := scenario.New(sc, e, scenario.Config{Seed: o.seed, Start: start, End: testEnd})
	if err != nil {
		t.Fatal(err)
	}
	var docs []*doc
	err = r.Run(func(d emitter.Document) error {
		x := &doc{raw: append([]byte(nil), d.Source...), src: d.From}
		dec := json.NewDecoder(bytes.NewReader(x.raw))
		dec.UseNumber()
		if err := dec.Decode(&x.m); err != nil {
			return fmt.Errorf("invalid JSON %v: %s", err, d.Source)
		}
		ts, err := time.Parse(time.RFC3339Nano, x.str("@timestamp"))
		if err != nil {
			return fmt.Errorf("@timestamp: %v", err)
		}
		x.t = ts
		x.kind, x.id = x.str("emit.label.kind"), x.str("emit.label.id")
		docs = append(docs, x)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range r.Warnings() {
		t.Logf("warning: %s", w)
	}
	return docs, sc, r
}

// testRules are rules of the rules package's tests: a KQL query, an EQL
// sequence, a threshold and a new_terms rule.
func testRules(t testing.TB) []*rules.Rule {
	all, problems := rules.Load("../rules/testdata/tree/windows")
	_ = problems // the directory holds broken files on purpose
	var out []*rules.Rule
	for _, r := range all {
		if q, err := emitter.RuleQuery(r); err == nil && q != nil {
			out = append(out, r)
		}
	}
	if len(out) < 2 {
		t.Fatalf("found %d usable test rules", len(out))
	}
	return out
}

// TestEveryDocumentSatisfiesItsQuery: every document of every built-in
// scenario satisfies the query of the stream (or rule) it came from, as
// the query language's evaluator judges it; documents come out in time
// order, inside the window, keep the consistency rules of real telemetry,
// and are the same for the same seed.
func TestEveryDocumentSatisfiesItsQuery(t *testing.T) {
	bs, err := scenario.Builtins()
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) < 4 {
		t.Fatalf("%d built-in scenarios", len(bs))
	}
	for _, b := range bs {
		t.Run(b.Name, func(t *testing.T) {
			o := runOpts{users: 30, hosts: 10, span: 10 * 24 * time.Hour, seed: 3}
			if b.Name == "rule-haystack" {
				o.rules = testRules(t)
				o.span = 2 * 24 * time.Hour
			}
			docs, _, _ := run(t, b.Name, o)
			if len(docs) < 100 {
				t.Fatalf("%d documents", len(docs))
			}
			start := testEnd.Add(-o.span)
			injected := 0
			for i, d := range docs {
				if i > 0 && d.t.Before(docs[i-1].t) {
					t.Fatalf("document %d at %s comes after one at %s", i, d.t, docs[i-1].t)
				}
				if d.t.Before(start) || d.t.After(testEnd) {
					t.Fatalf("document at %s outside [%s, %s]", d.t, start, testEnd)
				}
				if d.kind != "" {
					injected++
				}
				if d.src == nil {
					t.Fatalf("document without a source: %s", d.raw)
				}
				// The consistency of real telemetry (telemetry.Rules).
				rd := telemetry.ReadMap(d.m)
				for _, rule := range telemetry.Rules {
					if applies, holds := rule.Check(rd); applies && !holds {
						t.Fatalf("%s does not hold:\n%s", rule.Name, d.raw)
					}
				}
				if d.src.Events() != 1 {
					continue // a rule's sequence: its documents come one by one
				}
				parsed := []map[string]any{d.m}
				check.IndexMultiFields(parsed[0], d.raw, check.MultiFields(d.src))
				if !d.src.Query.MatchAt(parsed, d.src.Schema().Types(), testEnd) {
					t.Fatalf("the evaluator of %q rejects\n%s", d.src.Query.Text, d.raw)
				}
			}
			if injected == 0 {
				t.Errorf("no injected document among %d", len(docs))
			}
			// The same seed, the same documents.
			again, _, _ := run(t, b.Name, o)
			if len(again) != len(docs) {
				t.Fatalf("second run: %d documents, first %d", len(again), len(docs))
			}
			for i := range docs {
				if !bytes.Equal(docs[i].raw, again[i].raw) {
					t.Fatalf("document %d differs between runs with one seed:\n%s\n%s", i, docs[i].raw, again[i].raw)
				}
			}
		})
	}
}

// TestSessionsPerUser: entra-signins gives each user Poisson(5)+1
// sessions (each starts with one interactive sign-in). With 1,200 users
// the sample mean has a standard error of sqrt(5/1200) = 0.065 and the
// sample variance one of sqrt((λ+2λ²)/n) = 0.21; the test allows four
// standard errors, and every user has at least one session.
func TestSessionsPerUser(t *testing.T) {
	const users = 1200
	docs, _, _ := run(t, "entra-signins", runOpts{users: users, seed: 11, span: 365 * 24 * time.Hour})
	per := map[string]int{}
	for _, d := range docs {
		if d.kind == "" && d.str("azure.signinlogs.category") == "SignInLogs" {
			per[d.str("user.id")]++
		}
	}
	if len(per) != users {
		t.Fatalf("%d users signed in, want all %d (Poisson+1 is at least one session)", len(per), users)
	}
	var sum, sq float64
	for _, n := range per {
		if n < 1 {
			t.Fatalf("a user with %d sessions", n)
		}
		sum += float64(n)
	}
	mean := sum / users
	for _, n := range per {
		sq += (float64(n) - mean) * (float64(n) - mean)
	}
	variance := sq / (users - 1)
	if math.Abs(mean-6) > 4*math.Sqrt(5.0/users) {
		t.Errorf("sessions per user: mean %.3f, want 6 ± %.3f", mean, 4*math.Sqrt(5.0/users))
	}
	if se := math.Sqrt((5 + 2*25.0) / users); math.Abs(variance-5) > 4*se {
		t.Errorf("sessions per user: variance %.3f, want 5 ± %.3f", variance, 4*se)
	}
}

// TestEventsPerSession: each entra-signins session is one interactive
// sign-in and refreshes, 2 to 7 events uniformly (mean 4.5, variance
// 35/12). The test allows four standard errors on the mean and a
// chi-square of the six counts below 20.5 (5 degrees of freedom,
// p = 0.001).
func TestEventsPerSession(t *testing.T) {
	docs, _, _ := run(t, "entra-signins", runOpts{users: 600, seed: 5, span: 365 * 24 * time.Hour})
	type sess struct {
		n     int
		first time.Time
	}
	per := map[string]*sess{}
	for _, d := range docs {
		if d.kind != "" {
			continue
		}
		id := d.str("azure.correlation_id")
		s := per[id]
		if s == nil {
			s = &sess{first: d.t}
			per[id] = s
			if d.str("azure.signinlogs.category") != "SignInLogs" {
				t.Fatalf("session %s starts with a %s event", id, d.str("azure.signinlogs.category"))
			}
		} else if d.str("azure.signinlogs.category") != "NonInteractiveUserSignInLogs" {
			t.Fatalf("session %s goes on with a %s event", id, d.str("azure.signinlogs.category"))
		}
		s.n++
	}
	counts := make([]int, 8)
	total, sum, sumsq := 0, 0.0, 0.0
	for _, s := range per {
		if s.first.After(testEnd.Add(-6 * time.Hour)) {
			continue // may be cut by the window's end
		}
		if s.n < 2 || s.n > 7 {
			t.Fatalf("a session of %d events, want 2 to 7", s.n)
		}
		counts[s.n]++
		total++
		sum += float64(s.n)
		sumsq += float64(s.n * s.n)
	}
	mean := sum / float64(total)
	if se := math.Sqrt(35.0 / 12 / float64(total)); math.Abs(mean-4.5) > 4*se {
		t.Errorf("events per session: mean %.3f over %d sessions, want 4.5 ± %.3f", mean, total, 4*se)
	}
	chi := 0.0
	want := float64(total) / 6
	for k := 2; k <= 7; k++ {
		chi += (float64(counts[k]) - want) * (float64(counts[k]) - want) / want
	}
	if chi > 20.5 {
		t.Errorf("events per session %v: chi-square %.1f against uniform over 2..7", counts[2:], chi)
	}
}

// TestImpossibleTravel: between consecutive unlabelled sign-ins of a user
// the travel is at plausible speeds (at most the entity set's 900 km/h);
// every labelled impossible travel needs more than the injection's
// 1,000 km/h from the user's previous sign-in; about 3% of sessions get
// one (four binomial standard errors).
func TestImpossibleTravel(t *testing.T) {
	docs, sc, _ := run(t, "entra-signins", runOpts{users: 1000, seed: 9, span: 365 * 24 * time.Hour})
	var speed float64
	for _, inj := range sc.Injections {
		if inj.Kind == scenario.ImpossibleTravel {
			speed = inj.Speed
		}
	}
	type seen struct {
		lat, lon float64
		t        time.Time
		ok       bool
	}
	last := map[string]*seen{}
	sessions, travels, moves := 0, 0, 0
	for _, d := range docs {
		u := d.str("user.id")
		lat, lon := d.num("source.geo.location.lat"), d.num("source.geo.location.lon")
		p := last[u]
		if p == nil {
			p = &seen{}
			last[u] = p
		}
		switch d.kind {
		case "":
			if p.ok {
				v := scenario.Speed(scenario.Distance(p.lat, p.lon, lat, lon), d.t.Sub(p.t))
				if v > 900 {
					t.Fatalf("user %s travels at %.0f km/h between unlabelled sign-ins at %s and %s", u, v, p.t, d.t)
				}
				if v > 0 {
					moves++
				}
			}
			*p = seen{lat, lon, d.t, true}
			if d.str("azure.signinlogs.category") == "SignInLogs" {
				sessions++
			}
		case scenario.ImpossibleTravel:
			travels++
			if !p.ok {
				t.Fatalf("an impossible travel before any sign-in of user %s", u)
			}
			if v := scenario.Speed(scenario.Distance(p.lat, p.lon, lat, lon), d.t.Sub(p.t)); v <= speed {
				t.Fatalf("labelled impossible travel of user %s at %.0f km/h, want more than %.0f", u, v, speed)
			}
		default:
			t.Fatalf("unexpected label %q", d.kind)
		}
	}
	if moves == 0 {
		t.Error("no user ever moved between home cities")
	}
	p := 0.03
	se := math.Sqrt(float64(sessions) * p * (1 - p))
	if math.Abs(float64(travels)-p*float64(sessions)) > 4*se {
		t.Errorf("%d impossible travels in %d sessions, want %.0f ± %.0f", travels, sessions, p*float64(sessions), 4*se)
	}
}

// TestBruteForceAndSpray: a brute-force burst is failures then one success
// from one source address against one user, the failures before the
// success; a password spray is one failure per user, for many users, from
// one address.
func TestBruteForceAndSpray(t *testing.T) {
	docs, _, _ := run(t, "windows-auth", runOpts{users: 80, seed: 4, span: 60 * 24 * time.Hour})
	bursts := map[string][]*doc{}
	for _, d := range docs {
		if d.kind != "" {
			bursts[d.id] = append(bursts[d.id], d)
		}
		if d.kind == "" && d.str("source.ip") != "" && !strings.HasPrefix(d.str("source.ip"), "10.") && d.str("source.ip") != "127.0.0.1" {
			t.Fatalf("a background logon from outside: %s", d.raw)
		}
	}
	brute, spray := 0, 0
	for id, ds := range bursts {
		ip := ds[0].str("source.ip")
		for _, d := range ds {
			if d.str("source.ip") != ip || d.str("winlog.event_data.IpAddress") != ip {
				t.Fatalf("%s: sources %s and %s", id, ip, d.str("source.ip"))
			}
		}
		switch ds[0].kind {
		case scenario.BruteForce:
			brute++
			n := len(ds)
			if n < 16 || n > 61 {
				t.Fatalf("%s: %d events, want 15 to 60 failures and a success", id, n)
			}
			for i, d := range ds {
				code, user := d.str("event.code"), d.str("user.name")
				if user != ds[0].str("user.name") {
					t.Fatalf("%s: users %s and %s", id, user, ds[0].str("user.name"))
				}
				if i < n-1 && (code != "4625" || d.str("event.outcome") != "failure") {
					t.Fatalf("%s: event %d is %s %s, want a failure (4625)", id, i, code, d.str("event.outcome"))
				}
				if i == n-1 && (code != "4624" || d.str("event.outcome") != "success") {
					t.Fatalf("%s: the last event is %s, want the success (4624)", id, code)
				}
			}
		case scenario.PasswordSpray:
			spray++
			users := map[string]bool{}
			failures := 0
			for _, d := range ds {
				if d.str("event.code") == "4625" {
					failures++
					users[d.str("user.name")] = true
				}
			}
			if len(users) < 15 || len(users) != failures {
				t.Fatalf("%s: %d failures for %d users, want one per user, at least 15", id, failures, len(users))
			}
		default:
			t.Fatalf("unexpected label %q", ds[0].kind)
		}
	}
	if brute == 0 || spray == 0 {
		t.Fatalf("%d brute-force bursts and %d sprays in 60 days, want some of each (1 a week)", brute, spray)
	}
}

// TestAnomalousSessions: the background's command sessions take only the
// transitions of the scenario's model, and every labelled anomalous
// session takes at least one transition the background never takes.
func TestAnomalousSessions(t *testing.T) {
	docs, sc, _ := run(t, "exchange-admin-sessions", runOpts{users: 25, seed: 8, span: 60 * 24 * time.Hour})
	m := sc.Streams[0].Arrival.Markov
	byName := map[string]*scenario.Variant{}
	for _, v := range sc.Streams[0].Variants {
		byName[v.Name] = v
	}
	sessions := map[string][]string{}
	var order []string
	anomalous := map[string]bool{}
	for _, d := range docs {
		id := d.str("o365.audit.SessionId")
		if _, ok := sessions[id]; !ok {
			order = append(order, id)
		}
		sessions[id] = append(sessions[id], d.str("o365.audit.Operation"))
		if d.kind == scenario.AnomalousSequence {
			anomalous[id] = true
		}
		if d.str("event.action") != d.str("o365.audit.Operation") {
			t.Fatalf("event.action %s, Operation %s", d.str("event.action"), d.str("o365.audit.Operation"))
		}
	}
	background := map[[2]string]bool{}
	for _, id := range order {
		if anomalous[id] {
			continue
		}
		s := sessions[id]
		if m.Start[byName[s[0]]] <= 0 {
			t.Fatalf("a background session starts with %s, which the model never starts with", s[0])
		}
		for i := 1; i < len(s); i++ {
			if m.Next[byName[s[i-1]]][byName[s[i]]] <= 0 {
				t.Fatalf("background transition %s -> %s is not in the model", s[i-1], s[i])
			}
			background[[2]string{s[i-1], s[i]}] = true
		}
	}
	if len(anomalous) < 3 {
		t.Fatalf("%d anomalous sessions, want 6", len(anomalous))
	}
	for id := range anomalous {
		s := sessions[id]
		novel := 0
		for i := 1; i < len(s); i++ {
			if !background[[2]string{s[i-1], s[i]}] {
				novel++
			}
		}
		if novel == 0 {
			t.Errorf("anomalous session %s %v takes only background transitions", id, s)
		}
	}
}

// TestArrivalProfile: windows-auth logons follow the office profile: most
// happen on weekdays in working hours, local time.
func TestArrivalProfile(t *testing.T) {
	docs, _, _ := run(t, "windows-auth", runOpts{users: 60, seed: 2, span: 28 * 24 * time.Hour})
	weekend := 0
	for _, d := range docs {
		if wd := d.t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weekend++
		}
	}
	// The profile gives a weekend day 0.12–0.15 of a weekday's activity:
	// about 5% of the events (time zones blur the days' edges a little).
	share := float64(weekend) / float64(len(docs))
	if share > 0.12 {
		t.Errorf("%.1f%% of logons on weekends, want about 5%%", 100*share)
	}
}

// TestMappings: the windows-auth index gets the seed's explicit
// mappings; a computed index maps the templates' fields with the
// scenario's types.
func TestMappings(t *testing.T) {
	_, _, r := run(t, "windows-auth", runOpts{users: 2, seed: 1, span: time.Hour})
	m, err := r.Mappings("winlogbeat-security-auth-000001")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m), `"winlog.event_data":{"type":"flattened"}`) || !strings.Contains(string(m), `"dynamic":true`) {
		t.Errorf("windows-auth mappings: %s", m)
	}
	_, _, r = run(t, "entra-signins", runOpts{users: 2, seed: 1, span: time.Hour})
	m, err = r.Mappings("logs-azure.signinlogs-default")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(m, &got); err != nil {
		t.Fatal(err)
	}
	props := got["properties"].(map[string]any)
	leaf := func(path string) string {
		cur := props
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			next, _ := cur[p].(map[string]any)
			if next == nil {
				return ""
			}
			cur, _ = next["properties"].(map[string]any)
		}
		f, _ := cur[parts[len(parts)-1]].(map[string]any)
		s, _ := f["type"].(string)
		return s
	}
	for path, want := range map[string]string{
		"azure.signinlogs.properties.status.error_code": "long",
		"source.geo.location":                           "geo_point",
		"source.ip":                                     "ip",
		"emit.label.kind":                               "keyword",
	} {
		if got := leaf(path); got != want {
			t.Errorf("%s mapped as %q, want %q", path, got, want)
		}
	}
}

// TestParseErrors: mistakes in scenario files are reported with the
// file, line and column, and the field.
func TestParseErrors(t *testing.T) {
	base := `name: x
entities:
  users: {kind: user, count: 5}
streams:
  - name: s
    entity: users
    index: logs-x
    query: 'event.category : "authentication"'
    arrival: {rate: 1/day}
`
	for _, tt := range []struct{ text, want string }{
		{strings.Replace(base, "rate: 1/day", "rate: often", 1), "x.yaml:9:21: streams[0].arrival.rate: want a rate such as 3/day"},
		{strings.Replace(base, "kind: user", "kind: robot", 1), "x.yaml:3:17: entities.users.kind: unknown kind \"robot\""},
		{strings.Replace(base, "entity: users", "entity: admins", 1), "x.yaml:6:13: streams[0].entity: no entity set named \"admins\""},
		{strings.Replace(base, `'event.category : "authentication"'`, `'event.category : (a or'`, 1), "x.yaml:8:"},
		{strings.Replace(base, "    index: logs-x\n", "    index: logs-x\n    fields: {user.name: \"{{user.nmae}}\"}\n", 1), "x.yaml:8:25: streams[0].fields.user.name: {{user.nmae}}: unknown attribute"},
		{strings.Replace(base, "    index: logs-x\n", "    index: logs-x\n    colour: blue\n", 1), "x.yaml:8:5: streams[0].colour: unknown field"},
		{base + "injections:\n  - {kind: brute_force, stream: s, rate: 1/day}\n", "x.yaml:11:5: injections[0].failure: missing"},
		{base + "injections:\n  - {kind: teleport, stream: s}\n", "injections[0].kind: unknown kind \"teleport\""},
		{strings.Replace(base, "arrival: {rate: 1/day}", "arrival: {sessions: {poisson: 5, min: 1}}", 1), "x.yaml:9:25: streams[0].arrival.sessions: give poisson"},
		{"name: [\n", "x.yaml:"},
		{"", "x.yaml: scenario: empty file"},
	} {
		_, err := scenario.Parse("x.yaml", []byte(tt.text))
		if err == nil {
			t.Errorf("no error for\n%s", tt.text)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("error %q, want it to contain %q", err, tt.want)
		}
	}
}

// TestUnsolvableStream: a stream whose query no document satisfies is an
// error at the query's place in the file.
func TestUnsolvableStream(t *testing.T) {
	sc, err := scenario.Parse("x.yaml", []byte(`name: x
entities:
  users: {kind: user, count: 5}
streams:
  - name: s
    entity: users
    index: logs-x
    query: 'destination.port < 10 and destination.port > 20'
    arrival: {rate: 1/day}
`))
	if err != nil {
		t.Fatal(err)
	}
	e := emitter.New(emitter.Options{Seed: 1, End: testEnd, Population: sc.Population(telemetry.Default(), 1)})
	_, err = scenario.New(sc, e, scenario.Config{End: testEnd})
	if err == nil || !strings.HasPrefix(err.Error(), "x.yaml:8:12: streams[0].query: ") {
		t.Fatalf("error %v, want one at x.yaml:8:12", err)
	}
}

// TestTemplateValuesMeetTheQuery: a template's value for a field the query
// names is kept where the query allows it, and the query decides where it
// does not (with a warning).
func TestTemplateValuesMeetTheQuery(t *testing.T) {
	sc, err := scenario.Parse("x.yaml", []byte(`name: x
entities:
  users: {kind: user, count: 20}
streams:
  - name: s
    entity: users
    index: logs-x
    query: 'event.code : ("1" or "2" or "3") and not user.name : root'
    fields: {user.name: "{{user.name}}"}
    variants:
      - {name: one, fields: {event.code: "1"}}
      - {name: two, fields: {event.code: "2"}}
      - {name: nine, fields: {event.code: "9"}}
    arrival: {rate: 5/day}
`))
	if err != nil {
		t.Fatal(err)
	}
	docs, _, r := runScenario(t, sc, runOpts{seed: 1, span: 48 * time.Hour})
	codes := map[string]int{}
	for _, d := range docs {
		codes[d.str("event.code")]++
		if d.str("user.name") == "" || d.str("user.name") == "root" {
			t.Fatalf("user.name %q", d.str("user.name"))
		}
	}
	if codes["9"] > 0 || codes["1"] == 0 || codes["2"] == 0 {
		t.Errorf("event codes %v: want 1 and 2 from their variants, never 9", codes)
	}
	// One in three events is of variant nine: the query picks 1, 2 or 3.
	if codes["3"] == 0 {
		t.Errorf("event codes %v: variant nine should get the query's own values", codes)
	}
	if len(r.Warnings()) != 1 || !strings.Contains(r.Warnings()[0], `event.code : "9"`) {
		t.Errorf("warnings %q", r.Warnings())
	}
}

func scenarioParse(file, text string) (*scenario.Scenario, error) {
	return scenario.Parse(file, []byte(text))
}

// TestRareProcess: rule-haystack's credential dumper runs only where it is
// injected, labelled, on a Windows host.
func TestRareProcess(t *testing.T) {
	docs, _, _ := run(t, "rule-haystack", runOpts{seed: 6, span: 21 * 24 * time.Hour, hosts: 3, users: 2, rules: testRules(t)})
	n := 0
	for _, d := range docs {
		dump := strings.EqualFold(d.str("process.name"), "procdump64.exe")
		if dump != (d.kind == scenario.RareProcess) {
			t.Fatalf("process %s labelled %q", d.str("process.name"), d.kind)
		}
		if dump {
			n++
			if d.str("host.os.type") != "windows" || !strings.Contains(d.str("process.command_line"), "lsass") {
				t.Errorf("the dumper: %s", d.raw)
			}
		}
	}
	if n == 0 {
		t.Error("no rare process in three weeks (two a week)")
	}
}
