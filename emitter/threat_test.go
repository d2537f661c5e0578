package emitter_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/telemetry"
)

var threatEnd = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// threatRule is an indicator match rule as detection-rules ships them:
// network events matched with address indicators, by source or by
// destination, and URL indicators.
func threatRule() *rules.Rule {
	return &rules.Rule{
		ID: "t1", Name: "indicator match", Type: rules.TypeThreatMatch, Language: rules.LangKuery,
		Query: `source.ip:* or destination.ip:* or url.full:*`,
		Index: []string{"logs-*", "packetbeat-*"}, From: "now-65m", Interval: "1h",
		ThreatMatch: &rules.ThreatMatch{
			Query:         `@timestamp >= "now-30d/d" and event.module:(threatintel or ti_*) and not labels.is_ioc_transform_source:"true"`,
			Language:      rules.LangKuery,
			Index:         []string{"filebeat-*", "logs-ti_*"},
			IndicatorPath: "threat.indicator",
			Filters: []rules.Filter{
				{Query: map[string]any{"match_phrase": map[string]any{"event.category": "threat"}}},
				{Query: map[string]any{"match_phrase": map[string]any{"event.kind": "enrichment"}}},
			},
			Mapping: [][]rules.ThreatMapEntry{
				{{Field: "source.ip", Type: "mapping", Value: "threat.indicator.ip"}},
				{{Field: "destination.ip", Type: "mapping", Value: "threat.indicator.ip"}},
				{{Field: "url.full", Type: "mapping", Value: "threat.indicator.url.full"}},
			},
		},
	}
}

// field is a document's value of a dotted field, as JSON.
func field(doc []byte, f string) string { return gjson.GetBytes(doc, document.Path(f)).Raw }

// TestThreatMatchPairs: every match of an indicator match rule is an
// indicator in an index of the rule's threat_index, then an event in the
// rule's index, that satisfy their queries and share the value of one
// group of the mapping; every group is drawn; the event lies in the rule's
// look-back and the indicator, published before it, in the last 30 days.
func TestThreatMatchPairs(t *testing.T) {
	r := threatRule()
	e := emitter.New(emitter.Options{Seed: 7, End: threatEnd})
	src, err := e.AddRule(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if src.Threat == nil || len(src.Threat.Groups) != 3 || src.Events() != 2 {
		t.Fatalf("threat side %+v, %d events", src.Threat, src.Events())
	}
	if got := src.Indices(); got[0] != "logs-generic-default" || len(got) < 3 {
		t.Errorf("indices %v", got)
	}
	used := map[string]int{}
	for i := 0; i < 60; i++ {
		docs, err := e.NextFrom(src)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 2 || !docs[0].Indicator || docs[1].Indicator {
			t.Fatalf("match %d: %d documents, indicator first: %v", i, len(docs), docs[0].Indicator)
		}
		ind, ev := docs[0], docs[1]
		if !schema.SearchesIndex(r.ThreatMatch.Index, ind.Index) || ev.Index != "logs-generic-default" {
			t.Errorf("indices %s, %s", ind.Index, ev.Index)
		}
		if !slicesContain(src.Indices(), ind.Index) {
			t.Errorf("indicator index %s not among the source's %v", ind.Index, src.Indices())
		}
		matched := ""
		for _, g := range r.ThreatMatch.Mapping {
			m := g[0]
			if v := field(ind.Source, m.Value); v != "" && v[0] != '[' && field(ev.Source, m.Field) == v {
				matched = m.Field
				break
			}
		}
		if matched == "" {
			t.Fatalf("no mapping group matches:\n%s\n%s", ind.Source, ev.Source)
		}
		used[matched]++
		evAt, _ := date.Parse(gjson.GetBytes(ev.Source, "@timestamp").String(), date.RoundDown)
		indAt, _ := date.Parse(gjson.GetBytes(ind.Source, "@timestamp").String(), date.RoundDown)
		if evAt.Before(threatEnd.Add(-r.Window())) || evAt.After(threatEnd) {
			t.Errorf("event at %v, outside the look-back", evAt)
		}
		if !indAt.Before(evAt) || indAt.Before(threatEnd.AddDate(0, 0, -31)) {
			t.Errorf("indicator at %v, event at %v", indAt, evAt)
		}
		if !src.Query.MatchAt(decode(t, ev.Source), src.Schema().Types(), threatEnd) ||
			!src.Threat.Query.MatchAt(decode(t, ind.Source), src.Schema().Types(), threatEnd) {
			t.Errorf("an evaluator rejects the pair:\n%s\n%s", ind.Source, ev.Source)
		}
		if field(ev.Source, "labels.is_ioc_transform_source") != "" || field(ind.Source, "labels.is_ioc_transform_source") != "" {
			t.Errorf("labels the feed does not set:\n%s\n%s", ind.Source, ev.Source)
		}
	}
	for _, f := range []string{"source.ip", "destination.ip", "url.full"} {
		if used[f] == 0 {
			t.Errorf("the group of %s was never drawn: %v", f, used)
		}
	}
}

func slicesContain(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// decode reads a document for an evaluator.
func decode(t *testing.T, doc []byte) []map[string]any {
	t.Helper()
	v, ok := gjson.ParseBytes(doc).Value().(map[string]any)
	if !ok {
		t.Fatalf("not an object: %s", doc)
	}
	return []map[string]any{v}
}

// TestThreatMatchGroupOfSeveralEntries: the entries of a group are ANDed:
// the event has the indicator's address and its port.
func TestThreatMatchGroupOfSeveralEntries(t *testing.T) {
	r := threatRule()
	r.ThreatMatch.Mapping = [][]rules.ThreatMapEntry{{
		{Field: "destination.ip", Type: "mapping", Value: "threat.indicator.ip"},
		{Field: "destination.port", Type: "mapping", Value: "threat.indicator.port"},
	}}
	e := emitter.New(emitter.Options{Seed: 3, End: threatEnd, Minimal: true})
	src, err := e.AddRule(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		docs, err := e.NextFrom(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range r.ThreatMatch.Mapping[0] {
			if v := field(docs[0].Source, m.Value); v == "" || field(docs[1].Source, m.Field) != v {
				t.Fatalf("%s != %s:\n%s\n%s", m.Field, m.Value, docs[0].Source, docs[1].Source)
			}
		}
	}
}

// TestThreatMatchDeadGroups: a group the queries leave no common value for
// is a warning; a rule whose every group is dead is unsolvable.
func TestThreatMatchDeadGroups(t *testing.T) {
	r := threatRule()
	r.Query = `source.ip : 10.0.0.0/8 and destination.ip : *`
	r.ThreatMatch.Query = `threat.indicator.ip : 185.220.0.0/16`
	r.ThreatMatch.Mapping = r.ThreatMatch.Mapping[:2]
	e := emitter.New(emitter.Options{Seed: 1, End: threatEnd})
	src, err := e.AddRule(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws := src.Warnings()
	if len(ws) != 1 || !strings.Contains(ws[0].String(), "threat_mapping[0]: source.ip == threat.indicator.ip") {
		t.Errorf("warnings %v", ws)
	}
	if len(src.Threat.Groups) != 1 || src.Threat.Groups[0][0].Field != "destination.ip" {
		t.Errorf("live groups %v", src.Threat.Groups)
	}
	strict := emitter.New(emitter.Options{Seed: 1, End: threatEnd, Strict: true})
	if _, err := strict.AddRule(r, nil); !errors.Is(err, emitter.ErrUnsolvable) || !strings.Contains(err.Error(), "threat_mapping[0]") {
		t.Errorf("a dead group with --strict: %v", err)
	}
	r.ThreatMatch.Mapping = r.ThreatMatch.Mapping[:1]
	if _, err := e.AddRule(r, nil); !errors.Is(err, emitter.ErrUnsolvable) || !strings.Contains(err.Error(), "source.ip") {
		t.Errorf("every group dead: %v", err)
	}
}

// TestThreatMatchErrors: what emit cannot generate for, or cannot read, is
// said, with the indicator side named.
func TestThreatMatchErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(r *rules.Rule)
		is   error
		want string
	}{
		{"language", func(r *rules.Rule) { r.ThreatMatch.Language = "eql" }, emitter.ErrUnsupported, "unsupported: threat_language eql"},
		{"syntax", func(r *rules.Rule) { r.ThreatMatch.Query = "threat.indicator.ip : (a or" }, emitter.ErrSyntax, "threat_query: kql: 1:"},
		{"filter", func(r *rules.Rule) {
			r.ThreatMatch.Filters = []rules.Filter{{Query: map[string]any{"script": map[string]any{}}}}
		}, emitter.ErrUnsupported, "threat_filters: filter 1:"},
		{"free text", func(r *rules.Rule) { r.ThreatMatch.Query = "evil" }, emitter.ErrUnsupported, "threat_query: free-text search"},
		{"sequence", func(r *rules.Rule) {
			r.Language = rules.LangEQL
			r.Query = `sequence [network where true] [network where true]`
		}, emitter.ErrUnsupported, "threat_match with an eql sequence"},
		{"no mapping", func(r *rules.Rule) { r.ThreatMatch.Mapping = nil }, emitter.ErrUnsupported, "without a threat_mapping"},
		{"no threat side", func(r *rules.Rule) { r.ThreatMatch = nil }, emitter.ErrUnsupported, "without a threat_mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := threatRule()
			tc.edit(r)
			e := emitter.New(emitter.Options{Seed: 1, End: threatEnd})
			_, err := e.AddRule(r, nil)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %v containing %q", err, tc.is, tc.want)
			}
		})
	}
}

// TestThreatMatchMappings: the mappings of a threat_match rule cover the
// event's fields and the indicator's, completion included.
func TestThreatMatchMappings(t *testing.T) {
	e := emitter.New(emitter.Options{Seed: 1, End: threatEnd})
	src, err := e.AddRule(threatRule(), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.MappingsOf([]*emitter.Source{src})
	if err != nil {
		t.Fatal(err)
	}
	for f, typ := range map[string]string{
		"source.ip": "ip", "destination.ip": "ip", "threat.indicator.ip": "ip", "threat.indicator.first_seen": "date",
		"threat.indicator.last_seen": "date", "threat.indicator.type": "keyword", "threat.feed.name": "keyword",
		"threat.indicator.url.domain": "keyword", "threat.indicator.marking.tlp": "keyword", "threat.indicator.confidence": "keyword",
		"event.kind": "keyword", "host.name": "keyword",
	} {
		path := "properties." + strings.ReplaceAll(f, ".", ".properties.") + ".type"
		if got := gjson.GetBytes(m, path).String(); got != typ {
			t.Errorf("%s: %q, want %q", f, got, typ)
		}
	}
	// Documents hold no field the mappings leave out.
	for i := 0; i < 20; i++ {
		docs, err := e.NextFrom(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			gjson.ParseBytes(d.Source).ForEach(func(k, v gjson.Result) bool {
				checkMapped(t, m, "properties."+k.String(), v, d.Source)
				return true
			})
		}
	}
}

func checkMapped(t *testing.T, m []byte, path string, v gjson.Result, doc []byte) {
	t.Helper()
	if v.IsObject() {
		v.ForEach(func(k, x gjson.Result) bool {
			checkMapped(t, m, path+".properties."+k.String(), x, doc)
			return true
		})
		return
	}
	if !gjson.GetBytes(m, path).Exists() {
		t.Errorf("%s is not mapped: %s", path, doc)
	}
}

// TestThreatMatchReproducible: the same seed gives the same pairs.
func TestThreatMatchReproducible(t *testing.T) {
	run := func() []byte {
		e := emitter.New(emitter.Options{Seed: 11, End: threatEnd})
		src, err := e.AddRule(threatRule(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		for i := 0; i < 10; i++ {
			docs, err := e.NextFrom(src)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range docs {
				b.WriteString(d.Index + " ")
				b.Write(d.Source)
				b.WriteByte('\n')
			}
		}
		return b.Bytes()
	}
	if a, b := run(), run(); !bytes.Equal(a, b) {
		t.Error("two runs with one seed differ")
	}
}

// TestIndicatorRealism: with fixed seeds, indicators look like the
// documents threat-intel feeds write: the type their value says, the
// feed's name and event fields, first seen before last seen before
// published, a confidence and a TLP marking, and an event.dataset that is
// their data stream's.
func TestIndicatorRealism(t *testing.T) {
	for _, tc := range []struct {
		value, event string // the mapping's fields
		typ          []string
	}{
		{"threat.indicator.ip", "destination.ip", []string{"ipv4-addr", "ipv6-addr"}},
		{"threat.indicator.url.full", "url.full", []string{"url"}},
		{"threat.indicator.url.domain", "dns.question.name", []string{"domain-name"}},
		{"threat.indicator.file.hash.sha256", "file.hash.sha256", []string{"file"}},
		{"threat.indicator.email.address", "email.from.address", []string{"email-addr"}},
		{"threat.indicator.registry.path", "registry.path", []string{"windows-registry-key"}},
	} {
		t.Run(tc.typ[0], func(t *testing.T) {
			r := threatRule()
			r.Query = tc.event + " : *"
			r.ThreatMatch.Query = `@timestamp >= "now-30d/d"`
			r.ThreatMatch.Filters = nil
			r.ThreatMatch.Mapping = [][]rules.ThreatMapEntry{{{Field: tc.event, Type: "mapping", Value: tc.value}}}
			e := emitter.New(emitter.Options{Seed: 5, End: threatEnd})
			src, err := e.AddRule(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			feeds := map[string]bool{}
			for i := 0; i < 30; i++ {
				docs, err := e.NextFrom(src)
				if err != nil {
					t.Fatal(err)
				}
				ind := docs[0].Source
				get := func(f string) string { return gjson.GetBytes(ind, document.Path(f)).String() }
				if typ := get("threat.indicator.type"); !slicesContain(tc.typ, typ) {
					t.Errorf("type %q for %s: %s", typ, tc.value, ind)
				}
				if get("event.kind") != "enrichment" || get("event.category") != `["threat"]` && get("event.category") != "threat" ||
					gjson.GetBytes(ind, "event.type.0").String() != "indicator" {
					t.Errorf("event fields: %s", ind)
				}
				name, dataset, module := get("threat.feed.name"), get("event.dataset"), get("event.module")
				feeds[name] = true
				if name == "" || get("threat.indicator.provider") == "" || get("threat.indicator.confidence") == "" ||
					get("threat.indicator.marking.tlp") == "" || get("agent.type") != "filebeat" {
					t.Errorf("feed fields: %s", ind)
				}
				if !strings.HasPrefix(dataset, module+".") || !strings.Contains(docs[0].Index, dataset) && !strings.HasPrefix(docs[0].Index, "filebeat-8") {
					t.Errorf("dataset %s, module %s in %s", dataset, module, docs[0].Index)
				}
				first, _ := date.Parse(get("threat.indicator.first_seen"), date.RoundDown)
				last, _ := date.Parse(get("threat.indicator.last_seen"), date.RoundDown)
				at, _ := date.Parse(get("@timestamp"), date.RoundDown)
				if first.IsZero() || last.Before(first) || at.Before(last) {
					t.Errorf("first seen %v, last seen %v, published %v", first, last, at)
				}
				if ok, why := telemetry.Consistent(telemetry.ReadMap(decode(t, ind)[0]), nil); !ok {
					t.Errorf("inconsistent indicator (%s): %s", why.Name, ind)
				}
			}
			if len(feeds) < 2 {
				t.Errorf("one feed only: %v", feeds)
			}
		})
	}
}

// BenchmarkThreatMatch measures the matches of an indicator match rule of
// three groups: an indicator and its event each, whole documents.
func BenchmarkThreatMatch(b *testing.B) {
	for _, minimal := range []bool{true, false} {
		name := "whole"
		if minimal {
			name = "minimal"
		}
		b.Run(name, func(b *testing.B) {
			e := emitter.New(emitter.Options{Seed: 1, End: threatEnd, Minimal: minimal})
			src, err := e.AddRule(threatRule(), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				if _, err := e.NextFrom(src); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "matches/s")
		})
	}
}
