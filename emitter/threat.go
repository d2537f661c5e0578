package emitter

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/telemetry"
)

// A threat_match (indicator match) rule alerts on an event of its index
// that satisfies its query and filters when an indicator of its
// threat_index, satisfying its threat_query and threat_filters, has for
// one group of its threat_mapping the value of every event field in the
// group's indicator field. One match of such a rule is two documents, the
// indicator and then the event, drawn by one solver over a two-event query
// whose join keys are the group's pairs of fields: the shared values are
// drawn once, in the indicator's context (an address of a hosting network,
// a URL of a malicious domain), and the event carries them. Each group of
// the mapping has its own solver; a match picks one of the groups that can
// match.

// ThreatSide is the indicator side of a threat_match rule's source.
type ThreatSide struct {
	// Query is the rule's threat_query with its threat_filters.
	Query *query.Query
	// Path is the object of the indicators' fields (threat.indicator).
	Path string
	// Groups are the groups of the rule's threat_mapping that can match,
	// in the rule's order.
	Groups [][]rules.ThreatMapEntry
	// Indices are where the indicators go (the indices of the feeds that
	// publish them), sorted.
	Indices []string
	groups  []*threatGroup
	dead    []solver.Warning // groups that can never match
	fields  []string
	named   []string
}

// threatGroup is one group of a threat_mapping with the solver of its
// pairs of documents and the feeds that publish its indicators.
type threatGroup struct {
	entries []rules.ThreatMapEntry
	solver  *solver.Solver
	typ     string            // the indicator type its indicator fields hold
	feeds   []*telemetry.Feed // the feeds that publish such indicators
	// exact: the rule's threat_index patterns search the feeds' own
	// indices, where their indicators go; else they go to fallback.
	exact    bool
	fallback string
	// complete completes the indicator and the event: each leaves alone
	// what its query and its fields of the group name.
	complete []*telemetry.Completer
}

// index is where the group's indicators of feed f go.
func (g *threatGroup) index(f *telemetry.Feed) string {
	if g.exact {
		return f.IndexName()
	}
	return g.fallback
}

// indicatorDoc is the indicator of a match, its index and the completers
// of the match's documents.
type indicatorDoc struct {
	ind      *telemetry.Indicator
	index    string
	complete []*telemetry.Completer
}

// pairQuery is the query of one group of a threat_match rule: the
// indicator (event 0) and the event (event 1), joined on each entry's
// pair of fields.
func pairQuery(event, indicator *constraint.Query, group []rules.ThreatMapEntry) *constraint.Query {
	c := &constraint.Query{
		Lang:   event.Lang,
		Source: event.Source,
		Kind:   constraint.Sample,
		Events: []constraint.Event{indicator.Events[0], event.Events[0]},
	}
	for _, m := range group {
		c.Joins = append(c.Joins, []string{m.Value, m.Field})
	}
	return c
}

// sideQuery is one side of a pair (the indicator, or the event) with its
// fields of the group's pairs as join keys, for the preferences of that
// side.
func sideQuery(q *constraint.Query, group []rules.ThreatMapEntry, indicator bool) *constraint.Query {
	c := *q
	c.Joins = nil
	for _, m := range group {
		if indicator {
			c.Joins = append(c.Joins, []string{m.Value})
		} else {
			c.Joins = append(c.Joins, []string{m.Field})
		}
	}
	return &c
}

// groupType is the indicator type the indicator fields of a group hold
// (the first entry that tells one), relative to the indicator object path.
func groupType(group []rules.ThreatMapEntry, path string) string {
	for _, m := range group {
		rel, ok := strings.CutPrefix(m.Value, path+".")
		if !ok {
			rel = m.Value
		}
		if t := telemetry.IndicatorType(rel); t != "" {
			return t
		}
	}
	return ""
}

// addThreatRule adds a threat_match rule whose event query (with its
// filters) is q.
func (e *Emitter) addThreatRule(r *rules.Rule, q *query.Query, sch *schema.Schema) (*Source, error) {
	tm := r.ThreatMatch
	if tm == nil || len(tm.Mapping) == 0 {
		return nil, &query.UnsupportedError{What: "threat_match without a threat_mapping"}
	}
	if q.Constraints.Kind != constraint.EventQuery || len(q.Constraints.Events) != 1 {
		return nil, &query.UnsupportedError{What: "threat_match with an " + q.Lang.String() + " sequence or sample"}
	}
	tq, err := query.ForThreat(r)
	if err != nil {
		return nil, err
	}
	if tq.Constraints.Kind != constraint.EventQuery || len(tq.Constraints.Events) != 1 {
		return nil, &query.UnsupportedError{What: "threat_match with a threat query that is not an event query"}
	}
	w := e.ruleWindow(r)
	side := &ThreatSide{Query: tq, Path: tm.IndicatorPath}
	if side.Path == "" {
		side.Path = rules.DefaultIndicatorPath
	}
	ti := &e.pop.V.ThreatIntel
	var firstErr error
	var gsch *schema.Schema
	for i, group := range tm.Mapping {
		c := pairQuery(q.Constraints, tq.Constraints, group)
		gsch = typedLiterals(sch, c, q.Lang)
		opts := e.solverOptions(gsch, c, w)
		opts.Prefer = nil
		opts.EventPrefer = [][]*constraint.Pred{
			// An indicator holds what the feed gives it, not the fields
			// its query names under a negation.
			preferences(sideQuery(tq.Constraints, group, true), true),
			preferences(sideQuery(q.Constraints, group, false), e.opts.Minimal),
		}
		s, err := solver.New(c, opts)
		var ue *solver.UnsolvableError
		switch {
		case errors.As(err, &ue) && len(ue.Dead) == 0:
			if firstErr == nil {
				firstErr = err
			}
			text := fmt.Sprintf("threat_mapping[%d]: %s", i, rules.MappingGroupString(group))
			if len(ue.Conflicts) > 0 {
				side.dead = append(side.dead, solver.Warning{Span: constraint.Span{Text: text}, Conflict: ue.Conflicts[0]})
			}
			continue
		case err != nil:
			return nil, err
		}
		g := &threatGroup{entries: group, solver: s, typ: groupType(group, side.Path)}
		g.feeds, g.exact = ti.FeedsFor(g.typ, side.Path, tm.Index)
		if len(g.feeds) == 0 {
			return nil, fmt.Errorf("threat_match: the vocabulary has no threat-intel feed")
		}
		g.fallback = rules.DefaultIndex
		for _, p := range tm.Index {
			if p != "" && p[0] != '-' {
				g.fallback = rules.IndexName(p)
				break
			}
		}
		side.groups = append(side.groups, g)
		side.Groups = append(side.Groups, group)
	}
	if len(side.groups) == 0 {
		return nil, firstErr
	}
	if e.opts.Strict && len(side.dead) > 0 {
		// A group that can never match is a dead alternative.
		return nil, &solver.UnsolvableError{Dead: side.dead}
	}
	side.index()
	src := &Source{Query: q, Index: r.TargetIndex(), Rule: r, solver: side.groups[0].solver, gen: threatGen{}, schema: gsch,
		window: w, os: ruleOS(r.Tags, r.IndexPatterns()), Threat: side}
	for _, g := range side.groups {
		g.complete = threatCompleters(src, g)
	}
	src.complete = side.groups[0].complete
	e.sources = append(e.sources, src)
	return src, nil
}

// index lists the side's indices, fields and named fields.
func (side *ThreatSide) index() {
	idx, fields, named := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, g := range side.groups {
		for _, f := range g.feeds {
			idx[g.index(f)] = true
		}
		for _, f := range g.solver.Fields() {
			fields[f] = true
		}
		for _, f := range g.solver.Named() {
			named[f] = true
		}
	}
	side.Indices, side.fields, side.named = slices.Sorted(maps.Keys(idx)), slices.Sorted(maps.Keys(fields)), slices.Sorted(maps.Keys(named))
}

// warnings are the dead alternatives of every group, and the groups that
// can never match.
func (side *ThreatSide) warnings() []solver.Warning {
	var out []solver.Warning
	seen := map[string]bool{}
	for _, g := range side.groups {
		for _, w := range g.solver.Warnings() {
			if k := w.String(); !seen[k] {
				seen[k] = true
				out = append(out, w)
			}
		}
	}
	return append(out, side.dead...)
}

// types are the indicator types of the side's groups (with their IPv6
// form for addresses).
func (side *ThreatSide) types() []string {
	var out []string
	for _, g := range side.groups {
		for _, f := range g.feeds {
			for _, t := range f.Types {
				if (t == g.typ || g.typ == "" || g.typ == telemetry.IndicatorIPv4 && t == telemetry.IndicatorIPv6) && !slices.Contains(out, t) {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// threatCompleters complete the documents of a group of a threat_match
// source: the indicator's leaves alone what the threat query and the
// group's indicator fields name, the event's what the query and the
// group's event fields name.
func threatCompleters(src *Source, g *threatGroup) []*telemetry.Completer {
	ind := QueryFields(src.Threat.Query.Constraints)
	ev := QueryFields(src.Query.Constraints)
	for _, m := range g.entries {
		ind, ev = append(ind, m.Value), append(ev, m.Field)
	}
	return []*telemetry.Completer{
		telemetry.NewCompleter(src.schema, telemetry.NamedSet(ind)),
		telemetry.NewCompleter(src.schema, telemetry.NamedSet(ev)),
	}
}

// threatGen draws the matches of a threat_match rule: a group of its
// mapping, a feed that publishes indicators of the group's type, the
// event at a time of the rule's window (or the draw's), the indicator
// published before it, then the pair.
type threatGen struct{}

func (threatGen) next(e *Emitter, src *Source) error {
	side := src.Threat
	g := side.groups[e.rng.IntN(len(side.groups))]
	feed := telemetry.PickFeed(e.rng, g.feeds)
	var at time.Time
	if e.at != nil {
		at = e.at.Time
	} else {
		at = src.window.next(e.rng, 0)
	}
	published := indicatorTime(e.rng, at)
	defer func() { e.match.Each = e.match.Each[:0] }()
	var ind *telemetry.Indicator
	var ev *telemetry.Event
	for try := 0; ; try++ {
		typ := g.typ
		if typ == telemetry.IndicatorIPv4 && feed.Publishes(telemetry.IndicatorIPv6) && e.rng.IntN(8) == 0 {
			typ = telemetry.IndicatorIPv6
		}
		if typ == "" {
			typ = feed.Types[e.rng.IntN(len(feed.Types))]
		}
		ind = e.pop.NewIndicator(e.rng, feed, side.Path, typ, published)
		e.match.Each = append(e.match.Each[:0], solver.DocContext{Time: published, Values: ind}, solver.DocContext{Time: at})
		var err error
		if ev, err = e.generate(src, g.solver, at); err != nil {
			return err
		}
		// The query's alternatives may name another feed's module or
		// dataset than the feed drawn (event.module : (threatintel or
		// ti_*)): the indicator then comes from a feed that has them, or
		// is drawn again.
		if f := g.feedOf(&e.match.Docs[0], side.Path, ind); f != nil {
			ind.Feed, feed = f, f
			break
		}
		if try == 5 {
			break
		}
		feed = telemetry.PickFeed(e.rng, g.feeds)
	}
	return e.emitDocs(src, ev, published, &indicatorDoc{ind: ind, index: g.index(feed), complete: g.complete}, nil)
}

// feedOf is a feed of the group that can have published indicator
// document d, its own first: one whose module, dataset, event.kind, name
// and provider are those d holds, and that publishes indicators of ind's
// type; nil when none.
func (g *threatGroup) feedOf(d *solver.Doc, path string, ind *telemetry.Indicator) *telemetry.Feed {
	type want struct {
		field string
		of    func(f *telemetry.Feed) string
	}
	wants := [...]want{
		{"event.module", func(f *telemetry.Feed) string { return f.Module }},
		{"event.dataset", func(f *telemetry.Feed) string { return f.Dataset }},
		{"event.kind", (*telemetry.Feed).Kind},
		{"threat.feed.name", func(f *telemetry.Feed) string { return f.Name }},
		{path + ".provider", func(f *telemetry.Feed) string { return f.Provider }},
	}
	var held [len(wants)]string
	var has [len(wants)]bool
	for i, w := range wants {
		held[i], has[i] = docText(d, w.field)
	}
	fits := func(f *telemetry.Feed) bool {
		if !f.Publishes(ind.Type) {
			return false
		}
		for i, w := range wants {
			if has[i] && w.of(f) != held[i] {
				return false
			}
		}
		return true
	}
	if fits(ind.Feed) {
		return ind.Feed
	}
	for _, f := range g.feeds {
		if fits(f) {
			return f
		}
	}
	return nil
}

// docText is a drawn document's value of field, as text.
func docText(d *solver.Doc, field string) (string, bool) {
	i := sort.SearchStrings(d.Fields, field)
	if i == len(d.Fields) || d.Fields[i] != field {
		return "", false
	}
	return telemetryText(d.Values[i])
}

// IndicatorWindow is how long before its event an indicator may have been
// published: Kibana's indicator match rules read the indicators of the
// last 30 days (threat_query @timestamp >= "now-30d/d").
const IndicatorWindow = 30 * 24 * time.Hour

// indicatorTime is when the indicator of an event at time at was
// published: a minute to IndicatorWindow (less a day) before it, mostly
// recently, as feeds refresh their indicators.
func indicatorTime(r *rand.Rand, at time.Time) time.Time {
	u := r.Float64()
	return at.Add(-time.Minute - time.Duration(u*u*float64(IndicatorWindow-24*time.Hour))).Truncate(time.Millisecond)
}
