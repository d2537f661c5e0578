// Package emitter is emit's library API: give it a schema and queries (or
// rules), then draw matches (lists of documents that satisfy a query) and
// the mappings of the fields they use.
//
//	e := emitter.New(emitter.Options{Seed: 42})
//	if _, err := e.AddQuery(`process.name : *.exe`, query.KQL); err != nil { ... }
//	docs, err := e.Next() // one match: a single document for a KQL query
package emitter

import (
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/esindex"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/source"
	"github.com/emit-sec/emit/telemetry"
)

// Options configure an Emitter.
type Options struct {
	// Schema types the fields; nil means schema.Default().
	Schema *schema.Schema
	// Seed makes the output reproducible: the same seed, window and
	// inputs give the same documents.
	Seed uint64
	// End is the end of the run's time window, and "now" for date math in
	// queries; zero means now. No document lies after it.
	End time.Time
	// Start is the start of the window. Zero means End less Span for
	// queries; a rule's documents then lie in the rule's own look-back
	// window before End (see rules.Rule.Window), where the rule's next run
	// sees them.
	Start time.Time
	// Span is the window's length when Start is zero (default 15 minutes).
	Span time.Duration
	// Count is how many matches the run draws, when known: they spread
	// evenly over the window, in time order. Zero: each match at a random
	// time of its window.
	Count int
	// PerRule is how many matches each rule source draws, when known.
	PerRule int
	// Minimal leaves documents as the query makes them: the values the
	// query constrains, without the usual fields of the event.
	Minimal bool
	// Hosts and Users size the population of the documents' entities
	// (defaults: telemetry.DefaultHosts, DefaultUsers).
	Hosts, Users int
	// Strict makes dead alternatives errors.
	Strict bool
	// Population, when set, is the hosts and users the documents happen
	// on (Hosts and Users are then ignored): a scenario shares its
	// entities with the emitter this way.
	Population *telemetry.Population
	// TagRuleField, when set, adds the rule's id and name to each document
	// of a rule under this field (FIELD.id, FIELD.name).
	TagRuleField string
	// MaxGroup caps the documents of one match of an ES|QL query that
	// aggregates (default DefaultMaxGroup).
	MaxGroup int
}

// Source is one query (or rule) the emitter draws matches from.
type Source struct {
	Query *query.Query
	// Index is where its documents belong ("" when not known).
	Index string
	// Rule is the rule the source was made for (nil for a query).
	Rule *rules.Rule
	// Threat is the indicator side of a threat_match rule (nil for other
	// sources): each match is an indicator, then an event.
	Threat *ThreatSide
	solver *solver.Solver
	// window is where the source's matches lie in time; complete, per
	// event, completes its documents.
	window   *window
	complete []*telemetry.Completer
	os       *telemetry.OS // the operating system the rule is about
	// distinct are the fields whose values differ across the events of a
	// match (a threshold rule's cardinality fields).
	distinct []string
	// redraws counts the matches in a row that stayed inconsistent after
	// redrawing (see generate).
	redraws int
	// consistency are the consistency rules its documents may break
	// (telemetry.RulesFor its fields), set on the first match.
	consistency    []*telemetry.Rule
	consistencySet bool
	gen            generator
	schema         *schema.Schema

	tagFields []string
	tagValues [][]byte
	draw      *drawInfo // what DrawAt knows of the query, once needed

	// rebuild adds the same source to another emitter (Fork).
	rebuild func(*Emitter) (*Source, error)
	// os0 is os as the source was added: a chunk starts from it.
	os0 *telemetry.OS
	// epoch is the chunk of the run (Emitter.epoch) the source's state
	// belongs to; a source first used in a later chunk starts afresh.
	epoch uint64
}

// beginChunk forgets what the source learnt from the matches of earlier
// chunks, so that a chunk's documents depend on the chunk alone.
func (s *Source) beginChunk(epoch uint64) {
	s.epoch = epoch
	s.os = s.os0
	s.redraws = 0
	if c, ok := s.gen.(chunkState); ok {
		c.beginChunk()
	}
}

// Indices lists where the source's documents go: its Index, then for a
// threat_match rule the indices of its indicators.
func (s *Source) Indices() []string {
	out := []string{s.Index}
	if s.Threat != nil {
		for _, ix := range s.Threat.Indices {
			if ix != s.Index {
				out = append(out, ix)
			}
		}
	}
	return out
}

// Schema is the schema the source's fields are typed with.
func (s *Source) Schema() *schema.Schema { return s.schema }

// Warnings lists the dead alternatives of the source's query (of a
// threat_match rule, of its queries and its mapping).
func (s *Source) Warnings() []solver.Warning {
	if s.Threat != nil {
		return s.Threat.warnings()
	}
	return s.solver.Warnings()
}

// Named lists the concrete fields the source's query names (multi-fields
// included, wildcard names resolved).
func (s *Source) Named() []string {
	if s.Threat != nil {
		return append([]string(nil), s.Threat.named...)
	}
	return s.solver.Named()
}

// Events is how many documents one match of the source has.
func (s *Source) Events() int { return s.solver.Events() }

// Fields lists the fields the source's documents can carry.
func (s *Source) Fields() []string {
	if s.Threat != nil {
		return append([]string(nil), s.Threat.fields...)
	}
	return s.solver.Fields()
}

// generator makes one match of a source; plain queries use the solver
// directly, rule types (threshold, new_terms) wrap it.
type generator interface {
	next(e *Emitter, src *Source) error
}

// chunkState is a generator that keeps state across matches: it forgets
// it when a chunk of a run begins (see Run).
type chunkState interface{ beginChunk() }

// Document is one generated document.
type Document struct {
	// Source is the document's JSON. It is valid until the next call to
	// Next or NextFrom.
	Source []byte
	// Index is the document's target index: its source's (or "" when not
	// known), or for a threat indicator the index of its feed.
	Index string
	// From is the source the document was made for.
	From *Source
	// Indicator: the document is the threat indicator of a threat_match
	// rule's match (the match's first document), not an event.
	Indicator bool
}

// Emitter draws documents. It is not safe for concurrent use.
type Emitter struct {
	opts   Options
	schema *schema.Schema
	rng    *rand.Rand
	pcg    *rand.PCG // rng's source, reseeded per chunk of a run
	// origin, in a fork a run draws with, is the emitter forked: its
	// sources are built here when first drawn (sourceAt), and documents
	// name them.
	origin *Emitter
	// epoch counts the chunks begun (see Run); 0 outside runs.
	epoch   uint64
	window  *window // the window of plain queries
	pop     *telemetry.Population
	event   *telemetry.Event // the last match's context, reused
	sources []*Source
	builder *document.Builder
	match   solver.Match
	// merged fields and values of a document, reused
	mergedF []string
	mergedV [][]byte
	buf     []byte
	docs    []Document
	spans   [][2]int
	// decoded holds the documents of the last NextFrom as document.Decode
	// reads them, when its generator read them or decoding is on (see
	// Decoded).
	decoded []map[string]any
	// decoding: the documents NextFrom draws are decoded (SetDecoding);
	// decodeNow: the documents being built are, as they are built.
	decoding, decodeNow bool
	// built holds the decoded documents, one per span when decoding.
	built []map[string]any
	// at is the draw DrawAt is making (nil: matches at times of their
	// windows, in contexts drawn from the population).
	at *Draw
	// fields and values of documents with Draw.Set applied, reused
	setF    []string
	setV    [][]byte
	setKeep []bool
	setOwnB []bool
}

// New returns an Emitter.
func New(opts Options) *Emitter {
	if opts.Schema == nil {
		opts.Schema = schema.Default()
	}
	if opts.End.IsZero() {
		opts.End = time.Now().UTC().Truncate(time.Millisecond)
	}
	if opts.Span <= 0 {
		opts.Span = DefaultSpan
	}
	start := opts.Start
	if start.IsZero() {
		start = opts.End.Add(-opts.Span)
	}
	pcg := rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)
	e := &Emitter{
		opts:    opts,
		schema:  opts.Schema,
		pcg:     pcg,
		rng:     rand.New(pcg),
		window:  &window{start: start, end: opts.End, planned: opts.Count},
		builder: document.NewBuilder(),
	}
	e.pop = opts.Population
	if e.pop == nil {
		e.pop = telemetry.NewPopulation(telemetry.Default(), opts.Seed, opts.Hosts, opts.Users)
	}
	return e
}

// DefaultSpan is the length of a run's window when neither its start nor
// a rule says.
const DefaultSpan = 15 * time.Minute

// Now is the emitter's "now": the end of its window, for date math in
// queries.
func (e *Emitter) Now() time.Time { return e.opts.End }

// Population is the hosts and users the documents happen on.
func (e *Emitter) Population() *telemetry.Population { return e.pop }

// Schema is the emitter's schema.
func (e *Emitter) Schema() *schema.Schema { return e.schema }

// Sources lists the sources added so far.
func (e *Emitter) Sources() []*Source { return e.sources }

// AddQuery parses text in lang (query.Guess: EQL first, then KQL), solves
// it and adds it as a source. Errors match ErrSyntax (a *source.Error with
// the position), ErrUnsupported or ErrUnsolvable (a
// *solver.UnsolvableError naming the conflicts) with errors.Is.
func (e *Emitter) AddQuery(text string, lang query.Language) (*Source, error) {
	q, err := query.Parse(text, lang)
	if err != nil {
		return nil, err
	}
	return e.AddParsed(q, "")
}

// AddParsed adds an already parsed query with its target index.
func (e *Emitter) AddParsed(q *query.Query, index string) (*Source, error) {
	var s *solver.Solver
	var gen generator = plainGen{}
	var err error
	sch := e.schema
	if q.ESQL != nil {
		var g *esqlGen
		sch = typedLiterals(withTypes(sch, q.ESQL), q.Constraints, q.Lang)
		s, g, err = e.addESQL(q, sch, e.window)
		gen = g
	} else {
		sch = typedLiterals(sch, q.Constraints, q.Lang)
		s, err = solver.New(q.Constraints, e.solverOptions(sch, q.Constraints, e.window))
	}
	if err != nil {
		return nil, err
	}
	src := &Source{Query: q, Index: index, solver: s, gen: gen, schema: sch, window: e.window,
		rebuild: func(f *Emitter) (*Source, error) { return f.AddParsed(q, index) }}
	src.complete = completers(src)
	e.sources = append(e.sources, src)
	return src, nil
}

// Solve prepares a solver for constraints with the emitter's schema and options.
func (e *Emitter) Solve(c *constraint.Query) (*solver.Solver, error) {
	return solver.New(c, e.solverOptions(e.schema, c, e.window))
}

// solverOptions are the options of a source's solver: its matches lie in
// window w.
func (e *Emitter) solverOptions(sch *schema.Schema, c *constraint.Query, w *window) solver.Options {
	return solver.Options{Schema: sch, Now: e.opts.End, Strict: e.opts.Strict, Prefer: preferences(c, e.opts.Minimal),
		Within: w.end.Sub(w.start)}
}

// ErrNoSource is returned by Next when nothing was added.
var ErrNoSource = errors.New("emitter: no query or rule added")

// The kinds of error AddQuery and AddRule return, for errors.Is.
var (
	// ErrSyntax: the query (or a rule's filter) is malformed.
	ErrSyntax = source.ErrSyntax
	// ErrUnsupported: a valid query or rule emit cannot generate for.
	ErrUnsupported = constraint.ErrUnsupported
	// ErrUnsolvable: no document can satisfy the query.
	ErrUnsolvable = solver.ErrUnsolvable
)

// Next draws one match from a source chosen at random.
func (e *Emitter) Next() ([]Document, error) {
	if len(e.sources) == 0 {
		return nil, ErrNoSource
	}
	src := e.sources[0]
	if len(e.sources) > 1 {
		src = e.sources[e.rng.IntN(len(e.sources))]
	}
	return e.NextFrom(src)
}

// Matches draws n matches (with n <= 0, until the loop stops), each from
// a source chosen at random, for a range loop:
//
//	for docs, err := range e.Matches(10) { ... }
//
// The documents are valid until the next iteration. An error ends the
// sequence.
func (e *Emitter) Matches(n int) iter.Seq2[[]Document, error] {
	return func(yield func([]Document, error) bool) {
		for i := 0; n <= 0 || i < n; i++ {
			docs, err := e.Next()
			if !yield(docs, err) || err != nil {
				return
			}
		}
	}
}

// NextFrom draws one match from src.
func (e *Emitter) NextFrom(src *Source) ([]Document, error) {
	if src.epoch != e.epoch {
		src.beginChunk(e.epoch)
	}
	e.buf = e.buf[:0]
	e.docs = e.docs[:0]
	e.spans = e.spans[:0]
	e.decoded = nil
	e.built = nil
	// Decoding as documents are built pays off when every document built
	// is kept: not for the generators that draft and drop documents
	// (threshold groups, new terms), whose kept documents the caller
	// decodes. (An ES|QL generator decodes its groups itself.)
	switch src.gen.(type) {
	case plainGen, threatGen:
		e.decodeNow = e.decoding
	}
	err := src.gen.next(e, src)
	decodedAll := e.decodeNow
	e.decodeNow = false
	if err != nil {
		return nil, err
	}
	for i, sp := range e.spans {
		e.docs[i].Source = e.buf[sp[0]:sp[1]]
	}
	if e.decoded == nil && decodedAll && len(e.built) >= len(e.spans) {
		e.decoded = e.built[:len(e.spans)]
	}
	e.built = nil
	return e.docs, nil
}

// SetDecoding turns on (or off) decoding the documents NextFrom draws,
// for Decoded, as they are built: the emitter knows each document's
// objects and values, so this costs less than reading the documents back.
// (Where a generator drafts documents it may drop, Decoded stays nil.)
func (e *Emitter) SetDecoding(on bool) { e.decoding = on }

// Decoded returns the documents the last NextFrom drew as
// document.Decode reads their sources, one per document and in their
// order, when decoding is on (SetDecoding) or the source's generator read
// them itself (an ES|QL query's generator has its evaluator judge each
// group); nil otherwise. The maps are the caller's: the emitter keeps no
// reference to them.
func (e *Emitter) Decoded() []map[string]any {
	out := e.decoded
	e.decoded = nil
	return out
}

// emitMatch generates one match of the solver and appends its documents,
// at a time of the source's window; extra fields are set in every
// document. Unless Options.Minimal, the match happens on a host and for a
// user of the population, and each document gets the fields of its kind.
func (e *Emitter) emitMatch(src *Source, s *solver.Solver, extra func(doc int) ([]string, [][]byte)) error {
	shaper, _ := src.gen.(matchShaper)
	var base time.Time
	switch {
	case e.at != nil:
		base = e.at.Time
	case shaper != nil:
		base = shaper.place(e.rng, src.window, s.Span())
	default:
		base = src.window.next(e.rng, s.Span())
	}
	ev, err := e.generate(src, s, base)
	if err != nil {
		return err
	}
	if shaper != nil {
		if err := shaper.post(&e.match); err != nil {
			return err
		}
	}
	return e.emitDocs(src, ev, base, nil, extra)
}

// emitDocs appends the documents of the match drawn (e.match) for src in
// context ev, the first at time base and the others at their offsets.
// With ind, the first document is a threat indicator: it goes to its own
// index and is completed as the indicator it is.
func (e *Emitter) emitDocs(src *Source, ev *telemetry.Event, base time.Time, ind *indicatorDoc, extra func(doc int) ([]string, [][]byte)) error {
	if tf, tv := e.ruleTag(src); tf != nil {
		inner := extra
		extra = func(doc int) ([]string, [][]byte) {
			if inner == nil {
				return tf, tv
			}
			f, v := inner(doc)
			return append(f, tf...), append(v, tv...)
		}
	}
	for i := range e.match.Docs {
		d := &e.match.Docs[i]
		fields, values := d.Fields, d.Values
		ts := base.Add(d.Offset)
		index, isInd := src.Index, ind != nil && i == 0
		if isInd {
			index = ind.index
		} else if k := slices.Index(fields, "_index"); k >= 0 {
			// The query chose the concrete index (ES|QL's METADATA
			// _index): write where the document lands there.
			var name string
			if err := json.Unmarshal(values[k], &name); err != nil {
				return fmt.Errorf("the drawn _index %s: %v", values[k], err)
			}
			index = esindex.Target(name)
			fields = slices.Delete(slices.Clone(fields), k, k+1)
			values = slices.Delete(slices.Clone(values), k, k+1)
		}
		if !e.opts.Minimal && (e.at == nil || !e.at.Bare) {
			doc := telemetry.Doc{Fields: fields, Values: values}
			comps := src.complete
			if ind != nil {
				comps = ind.complete
			}
			c := comps[min(i, len(comps)-1)]
			var cf []string
			var cv [][]byte
			if isInd {
				cf, cv = c.CompleteIndicator(ind.ind, &doc, index, ts, e.opts.End)
			} else {
				cf, cv = c.Complete(ev, &doc, index, ts, e.opts.End)
			}
			if len(cf) > 0 {
				fields, values = e.merge(fields, values, cf, cv)
			}
		}
		if e.at != nil && e.at.Set != nil {
			if sf, sv := e.at.Set(i); len(sf) > 0 {
				fields, values = e.setFields(src, fields, values, sf, sv)
			}
		}
		if extra != nil {
			ef, ev := extra(i)
			if len(ef) > 0 {
				fields, values = mergeFields(fields, values, ef, ev)
			}
		}
		lo := len(e.buf)
		var err error
		if e.decodeNow {
			var doc map[string]any
			if e.buf, doc, err = e.builder.BuildDecoded(e.buf, ts, fields, values); err != nil {
				return fmt.Errorf("building document: %w", err)
			}
			// Aligned with the spans (a generator may have dropped some).
			e.built = append(e.built[:min(len(e.built), len(e.spans))], doc)
		} else if e.buf, err = e.builder.Build(e.buf, ts, fields, values); err != nil {
			return fmt.Errorf("building document: %w", err)
		}
		e.spans = append(e.spans, [2]int{lo, len(e.buf)})
		e.docs = append(e.docs, Document{Index: index, From: src, Indicator: isInd})
	}
	return nil
}

// mergeFields adds (or overrides) fields, keeping names sorted.
func mergeFields(fields []string, values [][]byte, ef []string, ev [][]byte) ([]string, [][]byte) {
	type fv struct {
		f string
		v []byte
	}
	m := map[string][]byte{}
	for i, f := range fields {
		m[f] = values[i]
	}
	for i, f := range ef {
		m[f] = ev[i]
	}
	all := make([]fv, 0, len(m))
	for f, v := range m {
		all = append(all, fv{f, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].f < all[j].f })
	fields, values = make([]string, len(all)), make([][]byte, len(all))
	for i, x := range all {
		fields[i], values[i] = x.f, x.v
	}
	return fields, values
}

// ruleTag is the rule identification a rule's documents carry with
// Options.TagRuleField.
func (e *Emitter) ruleTag(src *Source) ([]string, [][]byte) {
	r := src.Rule
	if r == nil || e.opts.TagRuleField == "" {
		return nil, nil
	}
	if src.tagFields == nil {
		src.tagFields = []string{e.opts.TagRuleField + ".id", e.opts.TagRuleField + ".name"}
		src.tagValues = [][]byte{jsonString(r.ID), jsonString(r.Name)}
	}
	return src.tagFields, src.tagValues
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// matchShaper is a generator that places its matches in time and
// reshapes a match before its documents are built (ES|QL groups).
type matchShaper interface {
	place(r *rand.Rand, w *window, span time.Duration) time.Time
	post(m *solver.Match) error
	// values shapes the real values a match draws from.
	values(v solver.Values) solver.Values
}

type plainGen struct{}

func (plainGen) next(e *Emitter, src *Source) error { return e.emitMatch(src, src.solver, nil) }

// Fields lists every field the sources' documents can carry, plus
// @timestamp, sorted.
func (e *Emitter) Fields() []string { return e.fieldsOf(e.sources) }

func (e *Emitter) fieldsOf(srcs []*Source) []string {
	set := map[string]bool{document.TimestampField: true}
	if !e.opts.Minimal && len(srcs) > 0 {
		// Completion adds the usual fields of events: map them too, or
		// Elasticsearch guesses their types from the first values.
		for _, f := range telemetry.Fields() {
			set[f] = true
		}
	}
	for _, s := range srcs {
		if f, _ := e.ruleTag(s); f != nil {
			for _, x := range f {
				set[x] = true
			}
		}
		for _, f := range esqlFields(s, s.Fields()) {
			set[f] = true
		}
		for _, f := range patternFields(s.Query.Constraints) {
			set[f] = true
		}
		if t := s.Threat; t != nil {
			for _, f := range patternFields(t.Query.Constraints) {
				set[f] = true
			}
			if !e.opts.Minimal {
				for _, f := range telemetry.IndicatorFields(t.Path, t.types()) {
					set[f] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// patternFields lists the wildcard field names a query uses.
func patternFields(q *constraint.Query) []string {
	var out []string
	for _, f := range QueryFields(q) {
		if strings.Contains(f, "*") {
			out = append(out, f)
		}
	}
	return out
}

// QueryFields lists the field names a query's predicates name, as written
// (multi-fields and wildcard names included), sorted and distinct.
func QueryFields(q *constraint.Query) []string {
	set := map[string]bool{}
	add := func(p *constraint.Pred) {
		set[p.Field] = true
		if p.Op == constraint.Rel {
			set[p.Other] = true
		}
	}
	for _, ev := range q.Events {
		constraint.EachPred(ev.Cond, add)
	}
	if q.Until != nil {
		constraint.EachPred(q.Until, add)
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Mappings returns {"properties": ...} for every field the sources use,
// typed by the schemas the sources were added with.
func (e *Emitter) Mappings() ([]byte, error) { return e.MappingsOf(e.sources) }

// MappingsOf returns the mappings of the fields of some of the sources
// (those writing to one index, say).
func (e *Emitter) MappingsOf(srcs []*Source) ([]byte, error) { return e.MappingsWith(srcs, nil) }

// MappingsWith is MappingsOf with more fields: those a caller sets in the
// sources' documents (Draw.Set).
func (e *Emitter) MappingsWith(srcs []*Source, extra []string) ([]byte, error) {
	sch := e.schema
	merged := false
	for _, src := range srcs {
		if src.schema != nil && src.schema != e.schema {
			if !merged {
				sch = e.schema.Clone()
				merged = true
			}
			sch.Merge(src.schema)
		}
	}
	fields := e.fieldsOf(srcs)
	if len(extra) > 0 {
		fields = append(fields, extra...)
		sort.Strings(fields)
		fields = slices.Compact(fields)
	}
	return sch.Mappings(fields)
}
