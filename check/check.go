// Package check tells, rule by rule or query by query, whether documents
// can ever match: it solves the query, draws matches, and has the query's
// own evaluator judge them. It is emit check's engine and a CI gate.
package check

import (
	"strconv"

	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/source"
	"github.com/emit-sec/emit/telemetry"
)

// Status is the verdict on one rule or query.
type Status string

const (
	OK          Status = "ok"
	Unsolvable  Status = "unsolvable"
	ParseError  Status = "parse error"
	Unsupported Status = "unsupported"
	// Failed: documents were generated but the evaluator rejected them,
	// or generation failed: a defect of emit, never of the rule.
	Failed Status = "failed"
)

// Result is the verdict on one rule (or query) and why.
type Result struct {
	Rule     *rules.Rule `json:"-"`
	ID       string      `json:"rule_id,omitempty"`
	Name     string      `json:"name,omitempty"`
	Type     string      `json:"type,omitempty"`
	Language string      `json:"language,omitempty"`
	Source   string      `json:"source,omitempty"`
	Query    string      `json:"query,omitempty"`
	Status   Status      `json:"status"`
	// Reason explains any status but ok: the conflicting field and
	// constraints, the syntax error with line:col, the unsupported type.
	Reason string `json:"reason,omitempty"`
	// Warnings: dead alternatives (with positions) and fields the schema
	// does not know.
	Warnings []string `json:"warnings,omitempty"`
}

// Options configure a check.
type Options struct {
	Schemas *emitter.RuleSchemas
	Strict  bool
	// UnknownFields: warn about fields the schema does not know (useful
	// only with a real schema loaded).
	UnknownFields bool
	// Matches drawn and judged per rule; zero means DefaultMatches.
	Matches int
	// Workers; default GOMAXPROCS.
	Workers int
	// Now is "now" for date math, and the end of the documents' time
	// window; zero means the current time.
	Now time.Time
	// QuerySchema types the fields of queries (Query); nil means
	// Schemas.Base.
	QuerySchema *schema.Schema
	// MaxGroup caps the documents of one match of an ES|QL query that
	// aggregates; zero means emitter.DefaultMaxGroup.
	MaxGroup int
	// MLJobs are the anomaly-detection jobs machine_learning rules name
	// (nil: none, every ML rule's job is unknown).
	MLJobs *job.Catalog
	// MLDensity and MLAnomalies shape the ML rules' data as
	// --ml-density and --ml-anomalies do (0: 1, one anomaly at the
	// baseline's usual rates); each anomaly must hold.
	MLDensity   float64
	MLAnomalies int
}

func (o Options) schemas() *emitter.RuleSchemas {
	if o.Schemas == nil {
		return &emitter.RuleSchemas{Base: schema.Default()}
	}
	return o.Schemas
}

// Rules checks rules in parallel; results are in the order of rs.
func Rules(rs []*rules.Rule, opts Options) []Result {
	out := make([]Result, len(rs))
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = Rule(rs[i], opts)
			}
		}()
	}
	for _, i := range costliestFirst(rs) {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// costliestFirst orders the rules' indices by how long checking each
// likely takes, longest first (the length of its query and filters, and
// the documents a threshold match takes), so that a long rule does not
// start last and keep one worker busy alone.
func costliestFirst(rs []*rules.Rule) []int {
	order := make([]int, len(rs))
	cost := make([]int, len(rs))
	for i, r := range rs {
		order[i] = i
		cost[i] = len(r.Query) + 64*len(r.Filters)
		if r.ThreatMatch != nil {
			cost[i] += len(r.ThreatMatch.Query)
		}
		if t := r.Threshold; t != nil && r.Type == rules.TypeThreshold {
			// A document costs about what 300 bytes of query do.
			docs := t.Value
			for _, c := range t.Cardinality {
				docs = max(docs, c.Value)
			}
			cost[i] += 300 * docs
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return cost[order[a]] > cost[order[b]] })
	return order
}

// population is the hosts and users of every check's documents: the one
// an emitter of seed 1 draws, drawn once and shared (a population is
// read-only once drawn).
var population = sync.OnceValue(func() *telemetry.Population {
	return telemetry.NewPopulation(telemetry.Default(), 1, 0, 0)
})

// Rule checks one rule.
func Rule(r *rules.Rule, opts Options) (res Result) {
	res = Result{Rule: r, ID: r.ID, Name: r.Name, Type: r.Type, Language: r.Language, Source: r.Location()}
	defer func() {
		// One broken rule never stops the others.
		if p := recover(); p != nil {
			res.Status, res.Reason = Failed, fmt.Sprintf("internal error: %v", p)
		}
	}()
	if r.Type == rules.TypeMachineLearning {
		return checkML(res, r, opts)
	}
	q, err := emitter.RuleQuery(r)
	if err != nil {
		res.Status, res.Reason = classify(err)
		return res
	}
	sch := opts.schemas().ForRule(r, q)
	e := emitter.New(emitter.Options{Schema: sch, Seed: 1, End: opts.Now, Strict: opts.Strict, MaxGroup: opts.MaxGroup, Population: population()})
	src, err := e.AddRuleQuery(r, q, sch)
	if err != nil {
		res.Status, res.Reason = classify(err)
		return res
	}
	return finish(res, e, src, opts)
}

// Query checks one query.
func Query(text string, lang query.Language, opts Options) (res Result) {
	res = Result{Query: text}
	defer func() {
		if p := recover(); p != nil {
			res.Status, res.Reason = Failed, fmt.Sprintf("internal error: %v", p)
		}
	}()
	sch := opts.QuerySchema
	if sch == nil {
		sch = opts.schemas().Base
	}
	e := emitter.New(emitter.Options{Schema: sch, Seed: 1, End: opts.Now, Strict: opts.Strict, MaxGroup: opts.MaxGroup, Population: population()})
	src, err := e.AddQuery(text, lang)
	if err != nil {
		res.Status, res.Reason = classify(err)
		return res
	}
	res.Language = src.Query.Lang.String()
	return finish(res, e, src, opts)
}

func finish(res Result, e *emitter.Emitter, src *emitter.Source, opts Options) Result {
	for _, w := range src.Warnings() {
		res.Warnings = append(res.Warnings, "dead alternative: "+w.String())
	}
	if opts.UnknownFields {
		for _, f := range src.Fields() {
			if !src.Schema().Field(f).Known {
				res.Warnings = append(res.Warnings, "unknown field: "+f+" (typed keyword)")
			}
		}
	}
	if err := Verify(e, src, opts.Matches); err != nil {
		res.Status, res.Reason = Failed, err.Error()
		return res
	}
	res.Status = OK
	return res
}

// classify maps an error to a status and a reason.
func classify(err error) (Status, string) { return Classify(err) }

// Classify is what an error of reading, lowering or solving a query says
// of it: a status and the reason to show. The CLI and check both read
// errors through it.
func Classify(err error) (Status, string) {
	var qu *query.UnsupportedError
	var ue *solver.UnsolvableError
	switch {
	case errors.As(err, &qu):
		return Unsupported, qu.What
	case errors.Is(err, constraint.ErrUnsupported):
		return Unsupported, err.Error()
	case errors.Is(err, source.ErrSyntax):
		return ParseError, err.Error()
	case errors.As(err, &ue):
		return Unsolvable, ue.Reason()
	}
	return Failed, err.Error()
}

// DefaultMatches is how many matches check draws per rule when not told:
// one match the rule's evaluator accepts proves the rule can fire. More
// draws test more of emit's generator (each is judged), and can fail a
// rule that fires only a few times (a new_terms rule of two possible
// terms fires twice).
const DefaultMatches = 1

// Verify draws matches of src (DefaultMatches when matches <= 0) and has
// the query's evaluator judge each.
func Verify(e *emitter.Emitter, src *emitter.Source, matches int) error {
	if matches <= 0 {
		matches = DefaultMatches
	}
	if src.Threat != nil {
		return verifyThreat(e, src, matches)
	}
	types := src.Schema().Types()
	multi := MultiFields(src)
	seen := map[string]bool{} // new_terms combinations of earlier matches
	e.SetDecoding(true)
	for i := 0; i < matches; i++ {
		docs, err := e.NextFrom(src)
		if err != nil {
			return fmt.Errorf("generation: %w", err)
		}
		parsed, err := decoded(e, docs)
		if err != nil {
			return err
		}
		for j, d := range docs {
			IndexMultiFields(parsed[j], d.Source, multi)
		}
		// The query's evaluator, with a rule's filters.
		targets := make([]string, len(docs))
		for j, d := range docs {
			targets[j] = d.Index
		}
		ok := src.Query.MatchIn(parsed, query.ConcreteIndices(targets, e.Now()), types, e.Now())
		if ok && src.Rule != nil {
			if err := ruleCondition(src.Rule, docs, seen); err != nil {
				return err
			}
		}
		if !ok {
			var b strings.Builder
			for _, d := range docs {
				b.Write(d.Source)
				b.WriteByte('\n')
			}
			return fmt.Errorf("the query's evaluator rejects the generated documents:\n%s", b.String())
		}
	}
	return nil
}

// decoded returns the documents of the last NextFrom of e as
// decodeDocument reads them: as the emitter decoded them while building
// them (SetDecoding), or as an ES|QL generator read them.
func decoded(e *emitter.Emitter, docs []emitter.Document) ([]map[string]any, error) {
	parsed := e.Decoded()
	if len(parsed) != len(docs) {
		parsed = make([]map[string]any, len(docs))
	}
	for j, d := range docs {
		if parsed[j] == nil {
			var err error
			if parsed[j], err = decodeDocument(d.Source); err != nil {
				return nil, err
			}
		}
	}
	return parsed, nil
}

// decodeDocument decodes a generated document as encoding/json does with
// UseNumber (document.Decode).
func decodeDocument(src []byte) (map[string]any, error) {
	doc, err := document.Decode(src)
	if err != nil {
		return nil, fmt.Errorf("generated invalid JSON: %v: %s", err, src)
	}
	return doc, nil
}

// ruleCondition checks what a threshold or new_terms rule asks of a match
// beyond its query: a threshold group is at least threshold.value documents
// sharing the threshold fields' values, with at least the required distinct
// values of each cardinality field; a new_terms document carries a
// combination of the new-terms fields no earlier document had.
func ruleCondition(r *rules.Rule, docs []emitter.Document, seen map[string]bool) error {
	switch {
	case r.Threshold != nil && r.Type == rules.TypeThreshold:
		t := r.Threshold
		if len(docs) < t.Value {
			return fmt.Errorf("threshold: %d documents, the rule needs %d", len(docs), t.Value)
		}
		for _, f := range t.Field {
			first := gjson.GetBytes(docs[0].Source, document.Path(f))
			if !first.Exists() {
				return fmt.Errorf("threshold: the documents lack the threshold field %s", f)
			}
			for _, d := range docs[1:] {
				if gjson.GetBytes(d.Source, document.Path(f)).Raw != first.Raw {
					return fmt.Errorf("threshold: the documents do not share %s", f)
				}
			}
		}
		for _, c := range t.Cardinality {
			distinct := map[string]bool{}
			for _, d := range docs {
				if v := gjson.GetBytes(d.Source, document.Path(c.Field)); v.Exists() {
					distinct[v.Raw] = true
				}
			}
			if len(distinct) < c.Value {
				return fmt.Errorf("threshold: %d distinct values of %s, the rule needs %d", len(distinct), c.Field, c.Value)
			}
		}
	case r.NewTerms != nil && r.Type == rules.TypeNewTerms:
		for _, d := range docs {
			var key strings.Builder
			for _, f := range r.NewTerms.Fields {
				v := gjson.GetBytes(d.Source, document.Path(f))
				if !v.Exists() {
					return fmt.Errorf("new_terms: a document lacks %s", f)
				}
				key.WriteString(v.Raw)
				key.WriteByte(0)
			}
			if seen[key.String()] {
				return fmt.Errorf("new_terms: the combination of %s is not new", strings.Join(r.NewTerms.Fields, ", "))
			}
			seen[key.String()] = true
		}
	}
	return nil
}

// MultiFields lists the multi-fields (process.name.caseless) a source's
// query names, with the field whose value each indexes.
func MultiFields(src *emitter.Source) map[string]schema.Field {
	out := map[string]schema.Field{}
	for _, f := range src.Named() {
		if mf := src.Schema().Field(f); mf.MultiFieldOf != "" {
			out[f] = mf
		}
	}
	return out
}

// IndexMultiFields adds to a decoded document the multi-field values
// Elasticsearch would index from it (as literal dotted keys, which the
// evaluators resolve): the parent's value, lower-cased by a lowercase
// normalizer (Elastic Defend's "caseless" multi-fields).
func IndexMultiFields(doc map[string]any, source []byte, multi map[string]schema.Field) {
	for name, mf := range multi {
		v := gjson.GetBytes(source, document.Path(mf.MultiFieldOf))
		if !v.Exists() {
			continue
		}
		val := v.Value()
		if mf.Mapping().Lowercase() {
			val = lowerAll(val)
		}
		if n, ok := val.(float64); ok {
			val = json.Number(strconv.FormatFloat(n, 'f', -1, 64))
		}
		doc[name] = val
	}
}

func lowerAll(v any) any {
	switch x := v.(type) {
	case string:
		return strings.ToLower(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = lowerAll(e)
		}
		return out
	}
	return v
}

// Summary counts results by status.
type Summary struct {
	Total    int
	ByStatus map[Status]int
	Warnings int
}

// Summarize counts the results.
func Summarize(rs []Result) Summary {
	s := Summary{Total: len(rs), ByStatus: map[Status]int{}}
	for _, r := range rs {
		s.ByStatus[r.Status]++
		s.Warnings += len(r.Warnings)
	}
	return s
}

// Failing reports whether the results should fail a CI gate: any
// unsolvable, unparsable or failed rule, and with strict any unsupported.
func Failing(rs []Result, strict bool) bool {
	for _, r := range rs {
		switch r.Status {
		case Unsolvable, ParseError, Failed:
			return true
		case Unsupported:
			if strict {
				return true
			}
		}
	}
	return false
}

// Group is the results that share a status and reason.
type Group struct {
	Status  Status
	Reason  string
	Results []Result
}

// Groups gathers the results that are not ok by status and reason, most
// frequent first. Unsolvable and parse-error reasons are specific to each
// rule, so they group by status alone.
func Groups(rs []Result) []Group {
	idx := map[string]int{}
	var out []Group
	for _, r := range rs {
		if r.Status == OK {
			continue
		}
		reason := r.Reason
		if r.Status != Unsupported {
			reason = ""
		}
		k := string(r.Status) + "\x00" + reason
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Group{Status: r.Status, Reason: reason})
		}
		out[i].Results = append(out[i].Results, r)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].Results) > len(out[j].Results) })
	return out
}
