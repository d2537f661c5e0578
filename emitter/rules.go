package emitter

import (
	"fmt"
	"strings"
	"sync"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
)

// RuleSchemas types the fields of rules: a base schema, plus for each rule
// Elastic Defend's endpoint schemas (rules on logs-endpoint.* indices),
// the non-ECS fields of its index patterns, and the fields of the
// integration data streams it reads (see ForRule). It is safe for
// concurrent use.
type RuleSchemas struct {
	Base   *schema.Schema
	NonECS *schema.NonECS // may be nil
	// Endpoint are the endpoint schemas (detection-rules'
	// endpoint_schemas); may be nil.
	Endpoint *schema.Schema
	// Integrations type the fields of integration packages
	// (integration-schemas.json.gz); may be nil.
	Integrations *schema.Integrations

	mu    sync.Mutex
	cache map[schemaKey]*builtSchema
	err   error
}

// CheckoutSchemas are the rule schemas over base of a detection-rules
// checkout's schemas (schema.FindCheckout): its non-ECS fields, its
// integration packages' fields and its endpoint schemas, those it has.
func CheckoutSchemas(base *schema.Schema, c schema.Checkout) (*RuleSchemas, error) {
	rs := &RuleSchemas{Base: base}
	var err error
	if c.NonECS != "" {
		if rs.NonECS, err = schema.LoadNonECS(c.NonECS); err != nil {
			return nil, err
		}
	}
	if c.Integrations != "" {
		if rs.Integrations, err = schema.LoadIntegrations(c.Integrations); err != nil {
			return nil, err
		}
	}
	if len(c.Endpoint) > 0 {
		if rs.Endpoint, err = schema.LoadMerged(c.Endpoint); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// builtSchema is a schema of the cache, built once outside the cache's
// lock: rules checked in parallel wait only for the schema they need.
type builtSchema struct {
	once sync.Once
	s    *schema.Schema
}

// schemaKey tells apart the schemas of the cache: those of the base with
// the endpoint fields or not and the non-ECS fields nonECS (with the
// integration data streams picks, when not ""), and those of threat_match
// rules (threat: a and b are the event and the indicator sides).
type schemaKey struct {
	endpoint, threat bool
	a, b             *schema.Schema
	picks            string
}

// cached returns the schema cached under key, built by build the first
// time.
func (rs *RuleSchemas) cached(key schemaKey, build func() *schema.Schema) *schema.Schema {
	rs.mu.Lock()
	if rs.cache == nil {
		rs.cache = map[schemaKey]*builtSchema{}
	}
	b, ok := rs.cache[key]
	if !ok {
		b = &builtSchema{}
		rs.cache[key] = b
	}
	rs.mu.Unlock()
	b.once.Do(func() { b.s = build() })
	return b.s
}

// EndpointIndex is the index pattern of Elastic Defend's data: the
// endpoint schemas type the rules that search it.
const EndpointIndex = "logs-endpoint.*"

// For returns the schema for a rule searching the index patterns,
// without integration fields (ForRule adds them).
func (rs *RuleSchemas) For(patterns []string) *schema.Schema {
	return rs.build(patterns, nil, nil)
}

// ForRule returns the schema for rule r, whose query q (nil: not read) may
// name the datasets it reads: the base schema, overlaid (later wins) by the
// endpoint schemas when r searches logs-endpoint.*, by the non-ECS fields
// of its index patterns, and completed (schema.Schema.Fill: what the
// others leave untyped) by the fields of the integration data streams r
// reads: the datasets its query compares event.dataset or
// data_stream.dataset with, its related integrations (with their version
// constraints) and the datasets of its index patterns
// (schema.Integrations.Select). Schemas are shared between rules that
// read the same: treat them as read-only. A damaged integrations file
// leaves the integration fields out; Err says why.
func (rs *RuleSchemas) ForRule(r *rules.Rule, q *query.Query) *schema.Schema {
	s := rs.forRule(r, q)
	tm := r.ThreatMatch
	if tm == nil || r.Type != rules.TypeThreatMatch || len(tm.Index) == 0 {
		return s
	}
	// A threat_match rule's documents are also its indicators: the fields
	// of its threat indices type what the event's leave untyped.
	ind := rs.forRule(&rules.Rule{Index: tm.Index, RelatedIntegrations: r.RelatedIntegrations, Integrations: r.Integrations}, nil)
	if ind == s || ind == rs.Base {
		return s
	}
	return rs.cached(schemaKey{threat: true, a: s, b: ind}, func() *schema.Schema {
		c := s.Clone()
		c.Fill(ind)
		return c
	})
}

// forRule is ForRule for one side of a rule: its index patterns and query.
func (rs *RuleSchemas) forRule(r *rules.Rule, q *query.Query) *schema.Schema {
	var integ *schema.Schema
	var picks []schema.IntegrationPick
	if rs.Integrations != nil {
		var err error
		integ, picks, err = rs.Integrations.Select(IntegrationSelection(r, q))
		if err != nil {
			rs.mu.Lock()
			if rs.err == nil {
				rs.err = err
			}
			rs.mu.Unlock()
			integ, picks = nil, nil
		}
	}
	return rs.build(r.IndexPatterns(), integ, picks)
}

// Err is the first error reading the integrations file, if any.
func (rs *RuleSchemas) Err() error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.err
}

// build layers the schemas for index patterns and integration fields.
func (rs *RuleSchemas) build(patterns []string, integ *schema.Schema, picks []schema.IntegrationPick) *schema.Schema {
	endpoint := rs.Endpoint != nil && schema.SearchesIndex(patterns, EndpointIndex)
	var nonECS *schema.Schema
	if rs.NonECS != nil && len(patterns) > 0 {
		if n := rs.NonECS.Shared(patterns); n.Len() > 0 {
			nonECS = n
		}
	}
	if !endpoint && nonECS == nil && integ == nil {
		return rs.Base
	}
	// Rules whose layers are the same share a schema: the base with the
	// endpoint and non-ECS fields (a few hundred fields, for a few index
	// pattern sets), and over the integration fields (hundreds to
	// thousands, shared by the rules that read the same data streams)
	// only what differs (schema.Filled).
	top := rs.cached(schemaKey{endpoint: endpoint, a: nonECS}, func() *schema.Schema {
		if !endpoint && nonECS == nil {
			return rs.Base
		}
		s := rs.Base.Clone()
		if endpoint {
			s.Merge(rs.Endpoint)
		}
		if nonECS != nil {
			s.Merge(nonECS)
		}
		return s
	})
	if integ == nil {
		return top
	}
	var key strings.Builder
	for _, p := range picks {
		key.WriteString(p.Package)
		key.WriteByte(0)
		key.WriteString(p.Version)
		for _, st := range p.Streams {
			key.WriteByte(0)
			key.WriteString(st)
		}
		key.WriteByte(1)
	}
	return rs.cached(schemaKey{endpoint: endpoint, a: nonECS, picks: key.String()}, func() *schema.Schema { return schema.Filled(top, integ) })
}

// datasetFields are the fields that name a document's dataset.
var datasetFields = map[string]bool{"event.dataset": true, "data_stream.dataset": true}

// IntegrationSelection is what rule r (with its query q, nil when not
// read) says of the integration data it reads: the datasets q requires
// (event.dataset or data_stream.dataset equal to a value), the packages r
// names (related_integrations, metadata.integration) and the datasets of
// its data stream index patterns (rules.DatasetPattern).
func IntegrationSelection(r *rules.Rule, q *query.Query) schema.IntegrationSelection {
	var sel schema.IntegrationSelection
	if q != nil && q.Constraints != nil {
		seen := map[string]bool{}
		var walk func(constraint.Expr)
		walk = func(x constraint.Expr) {
			switch x := x.(type) {
			case *constraint.And:
				for _, y := range x.X {
					walk(y)
				}
			case *constraint.Or:
				for _, y := range x.X {
					walk(y)
				}
			case *constraint.Pred:
				if datasetFields[x.Field] && x.Op == constraint.Eq && !x.Neg && x.Value.Kind == constraint.KindString && !seen[x.Value.Str] {
					seen[x.Value.Str] = true
					sel.Datasets = append(sel.Datasets, x.Value.Str)
				}
			}
		}
		for _, ev := range q.Constraints.Events {
			walk(ev.Cond)
		}
	}
	named := map[string]bool{}
	for _, ri := range r.RelatedIntegrations {
		sel.Packages = append(sel.Packages, schema.IntegrationRef{Package: ri.Package, Integration: ri.Integration, Version: ri.Version})
		named[ri.Package] = true
	}
	for _, p := range r.Integrations {
		if !named[p] {
			sel.Packages = append(sel.Packages, schema.IntegrationRef{Package: p})
			named[p] = true
		}
	}
	for _, p := range r.IndexPatterns() {
		for _, one := range strings.Split(p, ",") {
			if ds, ok := rules.DatasetPattern(one); ok {
				sel.IndexDatasets = append(sel.IndexDatasets, ds)
			}
		}
	}
	return sel
}

// RuleQuery reads a rule's query with its filters (of a threat_match
// rule, its event side: AddRuleQuery reads the threat query), or says why
// the rule is not supported (a *query.UnsupportedError: a type or language
// emit has no generator for).
func RuleQuery(r *rules.Rule) (*query.Query, error) {
	switch r.Type {
	case rules.TypeQuery, rules.TypeEQL, rules.TypeThreshold, rules.TypeNewTerms, rules.TypeThreatMatch, rules.TypeESQL:
	default:
		return nil, &query.UnsupportedError{What: r.Type}
	}
	return query.ForRule(r)
}

// AddRule adds a rule: its query and filters, typed with sch (nil: the
// emitter's schema), generated as its type requires. Documents go to the
// rule's target index. Errors: *query.UnsupportedError, or those of
// AddQuery.
func (e *Emitter) AddRule(r *rules.Rule, sch *schema.Schema) (*Source, error) {
	q, err := RuleQuery(r)
	if err != nil {
		return nil, err
	}
	return e.AddRuleQuery(r, q, sch)
}

// AddRuleWith adds a rule typed by the schema rs gives it (ForRule, which
// reads the datasets its query names): AddRule with the query read once.
func (e *Emitter) AddRuleWith(r *rules.Rule, rs *RuleSchemas) (*Source, error) {
	q, err := RuleQuery(r)
	if err != nil {
		return nil, err
	}
	return e.AddRuleQuery(r, q, rs.ForRule(r, q))
}

// AddRuleQuery is AddRule with the rule's query already read (RuleQuery).
func (e *Emitter) AddRuleQuery(r *rules.Rule, q *query.Query, sch *schema.Schema) (*Source, error) {
	src, err := e.addRuleQuery(r, q, sch)
	if err != nil {
		return nil, err
	}
	src.rebuild = func(f *Emitter) (*Source, error) { return f.AddRuleQuery(r, q, sch) }
	src.os0 = src.os
	return src, nil
}

func (e *Emitter) addRuleQuery(r *rules.Rule, q *query.Query, sch *schema.Schema) (*Source, error) {
	if sch == nil {
		sch = e.schema
	}
	if r.Type == rules.TypeThreatMatch {
		return e.addThreatRule(r, q, sch)
	}
	c := q.Constraints
	var gen generator = plainGen{}
	switch {
	case r.Type == rules.TypeThreshold && r.Threshold != nil && (q.Lang == query.KQL || q.Lang == query.Lucene):
		c = thresholdQuery(c, r.Threshold)
		gen = &thresholdGen{t: r.Threshold}
	case r.Type == rules.TypeNewTerms && r.NewTerms != nil && len(r.NewTerms.Fields) > 0:
		c = withExisting(c, r.NewTerms.Fields)
		gen = &newTermsGen{fields: r.NewTerms.Fields, seen: map[string]bool{}}
	}
	w := e.ruleWindow(r)
	var s *solver.Solver
	var err error
	if q.ESQL != nil {
		var g *esqlGen
		sch = typedLiterals(withTypes(sch, q.ESQL), c, q.Lang)
		s, g, err = e.addESQL(q, sch, w)
		gen = g
	} else {
		sch = typedLiterals(sch, c, q.Lang)
		s, err = solver.New(c, e.solverOptions(sch, c, w))
	}
	if err != nil {
		return nil, err
	}
	src := &Source{Query: q, Index: r.TargetIndex(), Rule: r, solver: s, gen: gen, schema: sch,
		window: w, os: ruleOS(r.Tags, r.IndexPatterns())}
	src.complete = completers(src)
	if r.Type == rules.TypeThreshold && r.Threshold != nil {
		for _, cd := range r.Threshold.Cardinality {
			src.distinct = append(src.distinct, cd.Field)
		}
	}
	e.sources = append(e.sources, src)
	return src, nil
}

// ruleWindow is where a rule's matches lie: the run's window when its
// start was given, else the rule's look-back before the end, where the
// rule's next run sees them.
func (e *Emitter) ruleWindow(r *rules.Rule) *window {
	if !e.opts.Start.IsZero() {
		return e.window
	}
	return &window{start: e.opts.End.Add(-r.Window()), end: e.opts.End, planned: e.opts.PerRule}
}

// thresholdQuery turns an event query into a sample of t.Value events that
// share the values of the threshold fields.
func thresholdQuery(c *constraint.Query, t *rules.Threshold) *constraint.Query {
	// Enough events for the count and for every cardinality.
	n := max(t.Value, 1)
	for _, cd := range t.Cardinality {
		n = max(n, cd.Value)
	}
	out := *c
	out.Kind = constraint.Sample
	out.Events = nil
	for i := 0; i < n; i++ {
		out.Events = append(out.Events, c.Events[0])
	}
	out.Joins = nil
	for _, f := range t.Field {
		key := make([]string, n)
		for i := range key {
			key[i] = f
		}
		out.Joins = append(out.Joins, key)
	}
	// Cardinality fields must be present to be counted.
	if len(t.Cardinality) > 0 {
		var fields []string
		for _, cd := range t.Cardinality {
			fields = append(fields, cd.Field)
		}
		out = *withExisting(&out, fields)
	}
	return &out
}

// withExisting requires fields to be present in every event.
func withExisting(c *constraint.Query, fields []string) *constraint.Query {
	out := *c
	out.Events = make([]constraint.Event, len(c.Events))
	for i, ev := range c.Events {
		parts := []constraint.Expr{ev.Cond}
		for _, f := range fields {
			parts = append(parts, &constraint.Pred{Field: f, Op: constraint.Exists, Span: constraint.Span{Text: f + " : *"}})
		}
		ev.Cond = constraint.NNF(&constraint.And{X: parts, Span: ev.Span})
		out.Events[i] = ev
	}
	return &out
}

// thresholdGen emits the events of a threshold alert: t.Value documents
// sharing the threshold field values, with at least the required distinct
// values of the cardinality fields.
type thresholdGen struct{ t *rules.Threshold }

func (g *thresholdGen) next(e *Emitter, src *Source) error {
	for attempt := 0; attempt < 50; attempt++ {
		mark, docs, spans := len(e.buf), len(e.docs), len(e.spans)
		if err := e.emitMatch(src, src.solver, nil); err != nil {
			return err
		}
		if g.cardinalityMet(e, spans) {
			return nil
		}
		e.buf, e.docs, e.spans = e.buf[:mark], e.docs[:docs], e.spans[:spans]
	}
	return fmt.Errorf("threshold: could not reach the cardinality %v", g.t.Cardinality)
}

func (g *thresholdGen) cardinalityMet(e *Emitter, from int) bool {
	for _, c := range g.t.Cardinality {
		distinct := map[string]bool{}
		for _, sp := range e.spans[from:] {
			distinct[jsonField(e.buf[sp[0]:sp[1]], c.Field)] = true
		}
		if len(distinct) < c.Value {
			return false
		}
	}
	return true
}

// newTermsGen emits documents whose combination of new-terms field values
// no earlier document of the chunk had. A run (see Run) never splits the
// matches of a new_terms rule drawn with Plan.PerRule up to
// NewTermsChunk of them: they are new across the whole run.
type newTermsGen struct {
	fields []string
	seen   map[string]bool
}

// beginChunk: the combinations of earlier chunks are forgotten, as the
// chunk's documents must not depend on which chunks ran before it (on
// which worker, in a sharded or parallel run).
func (g *newTermsGen) beginChunk() { clear(g.seen) }

func (g *newTermsGen) next(e *Emitter, src *Source) error {
	for attempt := 0; attempt < 50; attempt++ {
		mark, docs, spans := len(e.buf), len(e.docs), len(e.spans)
		if err := e.emitMatch(src, src.solver, nil); err != nil {
			return err
		}
		doc := e.buf[e.spans[spans][0]:e.spans[spans][1]]
		var key strings.Builder
		for _, f := range g.fields {
			key.WriteString(jsonField(doc, f))
			key.WriteByte(0)
		}
		if !g.seen[key.String()] {
			g.seen[key.String()] = true
			return nil
		}
		e.buf, e.docs, e.spans = e.buf[:mark], e.docs[:docs], e.spans[:spans]
	}
	return fmt.Errorf("new_terms: no new combination of %s left", strings.Join(g.fields, ", "))
}
