// Package ml generates the data of machine_learning detection rules: for
// the anomaly-detection job a rule names (package job reads them), a
// baseline of the job's source documents over a period, bucket by bucket,
// that ends in an anomaly in the last bucket the rule's look-back sees;
// or, instead, the anomaly records the job would write. Every document
// satisfies the job's datafeed query (the emitter's solver draws it, with
// the values of the detector's fields fixed as constraints) and goes to
// an index the datafeed searches.
//
// What the baseline and the anomaly are follows the detector's function
// (see the README's machine-learning section): a few values that recur
// then a new one (rare), a steady Poisson rate then a burst or a drop
// (counts), few distinct values then many (distinct_count), values around
// a level then far from it (sums, means, medians, variances), activity in
// working hours then at night (time_of_day, time_of_week), short repeated
// strings then long random ones (info_content), places near home then far
// (lat_long). Plan.Verify judges generated data by a statistical test per
// function.
package ml

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/telemetry"
)

// Options configure the plans of a run.
type Options struct {
	// Emitter is how each plan's emitter is made: its Seed, End (the end
	// of the data, and "now"; zero: the current time), Start (when set,
	// the baseline's start, instead of Baseline), Population (the hosts
	// and users, shared with the run's other documents), Minimal and
	// TagRuleField.
	Emitter emitter.Options
	// Schemas type the fields the datafeeds search (nil: the default
	// schema).
	Schemas *emitter.RuleSchemas
	// Baseline is the history before the anomaly (default 14 days).
	Baseline time.Duration
	// MaxDocs bounds each job's baseline documents (default 20000): a
	// baseline that would need more is shortened, to at least 96 buckets.
	MaxDocs int
	// Buckets, when set, is the baseline's length in buckets instead of
	// Baseline: emit check judges a shorter baseline (CheckBuckets) by
	// the same tests.
	Buckets int
	// Density is a factor on every series' baseline event rate (0: 1):
	// 4 makes four times the documents per bucket (and MaxDocs then
	// shortens the baseline sooner), 0.5 half. Functions that detect a
	// drop (low_count, low_distinct_count) are not thinned below 1; a
	// rare function's entities then have fewer usual values, each as
	// regular; metric and info_content ones keep a value per bucket.
	Density float64
	// Anomalies is how many anomalies each job's data has (0: 1): each
	// in a bucket of its own after the baseline's first half (the
	// model's learning period), on an entity of its own where the job
	// has split fields, the last in the anomaly bucket. Fewer fit when
	// the buckets or entities run out (the plan's Notes say so).
	Anomalies int
}

// CheckBuckets is the baseline emit check generates and judges: enough
// buckets for every function's test, a fraction of a run's cost.
const CheckBuckets = 24

// UnknownJobError says that a rule names a job no input defines.
type UnknownJobError struct{ ID string }

func (e *UnknownJobError) Error() string { return "unknown ML job " + e.ID }

// Is makes errors.Is(err, constraint.ErrUnsupported) hold.
func (e *UnknownJobError) Is(target error) bool { return target == constraint.ErrUnsupported }

// UnsupportedError says what of a job emit cannot generate for.
type UnsupportedError struct {
	Job  string
	What string
}

func (e *UnsupportedError) Error() string { return "ML job " + e.Job + ": " + e.What }

// Is makes errors.Is(err, constraint.ErrUnsupported) hold.
func (e *UnsupportedError) Is(target error) bool { return target == constraint.ErrUnsupported }

// JobsOf returns the jobs rule r names, or an *UnknownJobError for the
// first the catalog lacks.
func JobsOf(r *rules.Rule, cat *job.Catalog) ([]*job.Job, error) {
	if r.MachineLearning == nil || len(r.MachineLearning.JobIDs) == 0 {
		return nil, &query.UnsupportedError{What: "machine_learning rule without machine_learning_job_id"}
	}
	var out []*job.Job
	for _, id := range r.MachineLearning.JobIDs {
		j, ok := cat.Job(id)
		if !ok {
			return nil, &UnknownJobError{ID: strings.TrimSpace(id)}
		}
		out = append(out, j)
	}
	return out, nil
}

// PlanRules makes one plan per job the rules name (a job several rules
// share is generated once, for all of them). A rule whose jobs cannot be
// planned is in errs with the reason; the plans of its other jobs are
// left out too.
func PlanRules(rs []*rules.Rule, cat *job.Catalog, opts Options) (plans []*Plan, errs map[*rules.Rule]error) {
	errs = map[*rules.Rule]error{}
	byJob := map[string][]*rules.Rule{}
	var order []*job.Job
	for _, r := range rs {
		js, err := JobsOf(r, cat)
		if err != nil {
			errs[r] = err
			continue
		}
		for _, j := range js {
			if _, ok := byJob[j.ID]; !ok {
				order = append(order, j)
			}
			byJob[j.ID] = append(byJob[j.ID], r)
		}
	}
	failed := map[string]error{}
	for _, j := range order {
		p, err := NewPlan(j, byJob[j.ID], opts)
		if err != nil {
			failed[j.ID] = err
			for _, r := range byJob[j.ID] {
				if errs[r] == nil {
					errs[r] = err
				}
			}
			continue
		}
		plans = append(plans, p)
	}
	// A rule with a failed job has no data of its own: drop its other plans.
	kept := plans[:0]
	for _, p := range plans {
		ok := true
		for _, r := range p.Rules {
			if errs[r] != nil {
				ok = false
			}
		}
		if ok {
			kept = append(kept, p)
		}
	}
	return kept, errs
}

// Plan is one job's data: when the baseline starts, where the anomaly
// is, which entities and values the detectors see.
type Plan struct {
	Job *job.Job
	// Rules are the rules the job serves.
	Rules []*rules.Rule
	// Threshold is the highest anomaly_threshold of the rules: the
	// record_score the anomaly must reach.
	Threshold int
	// Indices are the datafeed's indices, Kibana's placeholder resolved
	// (the module's default index pattern, else logs-* and the output of
	// the transforms the job reads).
	Indices []string
	// Index is where the documents go: an index the indices match.
	Index string
	// Start is the first baseline bucket's start; AnomalyBucket the
	// anomaly bucket's (the last anomaly's); End the end of the data (no
	// document after it).
	Start, AnomalyBucket, End time.Time
	// AnomalyBuckets are the starts of the buckets of every anomaly, in
	// time order: AnomalyBucket last.
	AnomalyBuckets []time.Time
	// Shortened says that MaxDocs shortened the baseline.
	Shortened bool
	// BucketSpan is the job's.
	BucketSpan time.Duration
	// DatafeedEnd is where the datafeed must run to for the job to close
	// the anomaly bucket: its end, after End when the bucket holds End.
	DatafeedEnd time.Time
	// Notes say what the plan adapted or what is uncertain about the
	// job (a baseline shortened to fit MaxDocs, an inferred datafeed).
	Notes []string

	opts      Options
	e         *emitter.Emitter
	pop       *telemetry.Population
	rng       *rand.Rand
	sch       *schema.Schema
	q         *query.Query // the datafeed's query
	named     map[string]bool
	dets      []*detector
	runtime   map[string]*runtimeField
	transform *transform
	extras    []string // derived fields the documents carry
	base      *emitter.Source
	sources   map[string]*emitter.Source
	samples   []sample
	series    []*series
	anomalous *series
	buckets   int // baseline buckets
	lookback  time.Duration
	timeField string
	builder   *document.Builder
	vocab     map[string][]string // real-looking values of free fields
}

// detector is a job's detector as emit generates for it.
type detector struct {
	d  job.Detector
	fn function
	// source fields of the function's field and of the by, over and
	// partition fields (a runtime field's first source field); "" when
	// the detector has none.
	field, by, over, partition string
}

// splits are the detector's split fields as the job names them.
func (d *detector) splits() []string { return d.d.SplitFields() }

// NewPlan plans the data of job j for rules rs.
func NewPlan(j *job.Job, rs []*rules.Rule, opts Options) (*Plan, error) {
	if opts.Baseline <= 0 {
		opts.Baseline = DefaultBaseline
	}
	if opts.MaxDocs <= 0 {
		opts.MaxDocs = DefaultMaxDocs
	}
	if opts.Density <= 0 {
		opts.Density = 1
	}
	if opts.Anomalies <= 0 {
		opts.Anomalies = 1
	}
	if opts.Emitter.End.IsZero() {
		opts.Emitter.End = time.Now().UTC().Truncate(time.Millisecond)
	}
	p := &Plan{Job: j, Rules: rs, opts: opts, End: opts.Emitter.End, BucketSpan: j.BucketSpan,
		runtime: map[string]*runtimeField{}, sources: map[string]*emitter.Source{}, timeField: j.TimeField}
	for _, r := range rs {
		if r.MachineLearning != nil && r.MachineLearning.AnomalyThreshold > p.Threshold {
			p.Threshold = r.MachineLearning.AnomalyThreshold
		}
	}
	if err := p.readJob(); err != nil {
		return nil, err
	}
	p.layout()
	if err := p.prepare(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Plan) unsupported(format string, args ...any) error {
	return &UnsupportedError{Job: p.Job.ID, What: fmt.Sprintf(format, args...)}
}

// readJob checks that emit can generate for the job, and reads its
// detectors and runtime fields.
func (p *Plan) readJob() error {
	j := p.Job
	switch {
	case j.Datafeed == nil:
		return p.unsupported("no datafeed (give the datafeed's JSON with the job's)")
	case j.Datafeed.Aggregated:
		return p.unsupported("the datafeed sends aggregations")
	case j.SummaryCountField != "":
		return p.unsupported("summary_count_field_name %s (pre-aggregated input)", j.SummaryCountField)
	case j.CategorizationField != "":
		return p.unsupported("categorization (categorization_field_name %s)", j.CategorizationField)
	}
	scripted := map[string]bool{}
	for _, s := range j.Datafeed.ScriptFields {
		scripted[s] = true
	}
	p.transform = transformOf(j)
	srcOf := func(f string) (string, error) {
		if f == "" {
			return "", nil
		}
		if f == "mlcategory" {
			return "", p.unsupported("categorization (mlcategory)")
		}
		if scripted[f] {
			return "", p.unsupported("script field %s", f)
		}
		if rf, ok := j.Datafeed.RuntimeMappings[f]; ok {
			rt, err := readRuntime(f, rf)
			if err != nil {
				return "", p.unsupported("%v", err)
			}
			p.runtime[f] = rt
			return rt.from[0], nil
		}
		return f, nil
	}
	for _, d := range j.Detectors {
		fn, err := functionOf(d.Function)
		if err != nil {
			return p.unsupported("%v", err)
		}
		det := &detector{d: d, fn: fn}
		for _, x := range []struct {
			dst  *string
			name string
		}{{&det.field, d.FieldName}, {&det.by, d.ByFieldName}, {&det.over, d.OverFieldName}, {&det.partition, d.PartitionFieldName}} {
			src, err := srcOf(x.name)
			if err != nil {
				return err
			}
			*x.dst = src
		}
		needField := fn.Family == famMetric || fn.Family == famDistinct || fn.Family == famInfo || fn.Family == famLatLong
		if needField && det.field == "" {
			return p.unsupported("%s without field_name", fn)
		}
		if fn.Family == famRare && det.by == "" {
			return p.unsupported("%s without by_field_name", fn)
		}
		for _, cr := range d.CustomRules {
			if cr.Scoped {
				return p.unsupported("detector %d: custom rule with a scope (filter lists)", d.Index)
			}
		}
		p.dets = append(p.dets, det)
	}
	// Runtime fields the influencers name are read when emit can; the
	// others are left to the datafeed.
	for _, f := range j.Influencers {
		if rf, ok := j.Datafeed.RuntimeMappings[f]; ok && p.runtime[f] == nil {
			if rt, err := readRuntime(f, rf); err == nil {
				p.runtime[f] = rt
			}
		}
	}
	if j.Note != "" {
		p.Notes = append(p.Notes, j.Note+": the documents follow the job and also satisfy the datafeed")
	}
	return nil
}

// layout places the baseline and the anomaly in time, and the documents
// in an index.
func (p *Plan) layout() {
	span := p.BucketSpan
	window, lookback := ruleWindows(p.Rules)
	b, where := anomalyBucket(p.End, span, window, lookback)
	p.AnomalyBucket = b
	p.DatafeedEnd = b.Add(span)
	p.lookback = lookback
	switch where {
	case inLookback:
		p.Notes = append(p.Notes, fmt.Sprintf("no whole bucket of %s starts within the rule's window of %s before the end: the anomaly bucket %s lies in its look-back of %s, which a run at the end sees but a later one may not",
			span, window, date.Format(b), lookback))
	case holdsEnd:
		p.Notes = append(p.Notes, fmt.Sprintf("no whole bucket of %s starts within the rule's look-back of %s before the end: the anomaly bucket %s holds the end; run the datafeed to %s for the job to close it",
			span, lookback, date.Format(b), date.Format(p.DatafeedEnd)))
	}
	start := b.Add(-time.Duration((int64(p.opts.Baseline) + int64(span) - 1) / int64(span) * int64(span)))
	switch {
	case p.opts.Buckets > 0:
		start = b.Add(-time.Duration(p.opts.Buckets) * span)
	case !p.opts.Emitter.Start.IsZero():
		start = align(p.opts.Emitter.Start.Add(span-time.Millisecond), span)
		if !start.Before(b) {
			start = b.Add(-span)
		}
	}
	// A time function's entity needs whole days (weeks) of history for
	// its usual hours to be seen.
	if d := p.dets[0]; d.fn.Family == famTime {
		least := 2 * 24 * time.Hour
		if d.fn.Week {
			least = 7 * 24 * time.Hour
		}
		if b.Sub(start) < least {
			start = b.Add(-time.Duration((int64(least) + int64(span) - 1) / int64(span) * int64(span)))
			p.Notes = append(p.Notes, fmt.Sprintf("the baseline is %s, the least a %s detector's usual hours need", fmtDuration(b.Sub(start)), d.fn))
		}
	}
	p.Start = start
	p.buckets = int(b.Sub(start) / span)
	p.Indices, p.Index = p.indices()
}

// indices resolves the datafeed's indices and picks the documents'.
func (p *Plan) indices() ([]string, string) {
	var out []string
	for _, ix := range p.Job.Datafeed.Indices {
		if ix != job.IndexPatternPlaceholder {
			out = append(out, ix)
			continue
		}
		if d := p.Job.Module.DefaultIndexPattern; d != "" {
			for _, x := range strings.Split(d, ",") {
				if x = strings.TrimSpace(x); x != "" {
					out = append(out, x)
				}
			}
			continue
		}
		out = append(out, "logs-*")
		if p.transform != nil {
			out = append(out, p.transform.index)
		}
	}
	if p.transform != nil {
		for _, ix := range out {
			if ix == p.transform.index {
				return out, ix
			}
		}
	}
	// Elastic Agent's data streams first: logs-<dataset>-default when the
	// query names the dataset.
	for _, ix := range out {
		if ix == "logs-*" {
			if ds := p.datasetOfQuery(); ds != "" {
				return out, "logs-" + ds + "-default"
			}
			return out, rules.IndexName(ix)
		}
	}
	if len(out) == 0 {
		return out, rules.DefaultIndex
	}
	return out, rules.IndexName(out[0])
}

// datasetOfQuery is the dataset the datafeed query requires
// (event.dataset or data_stream.dataset), if one.
func (p *Plan) datasetOfQuery() string {
	q, err := query.Parse(string(p.Job.Datafeed.Query), query.DSL)
	if err != nil {
		return ""
	}
	sel := emitter.IntegrationSelection(&rules.Rule{}, q)
	if len(sel.Datasets) == 1 {
		return strings.ToLower(sel.Datasets[0])
	}
	return ""
}

// seedOf derives a plan's seed from the run's and the job's id.
func seedOf(seed uint64, id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return seed ^ h.Sum64()
}

// prepare parses the datafeed's query, types its fields, makes the
// plan's emitter and draws the entities and values of the detectors.
func (p *Plan) prepare() error {
	q, err := query.Parse(string(p.Job.Datafeed.Query), query.DSL)
	if err != nil {
		return fmt.Errorf("ML job %s: datafeed query: %w", p.Job.ID, err)
	}
	p.q = q
	p.named = map[string]bool{}
	for _, f := range emitter.QueryFields(q.Constraints) {
		p.named[f] = true
	}
	p.sch = p.schema()
	eo := p.opts.Emitter
	eo.Seed = seedOf(eo.Seed, p.Job.ID)
	eo.Schema = p.sch
	eo.Start = time.Time{}
	p.e = emitter.New(eo)
	p.pop = p.e.Population()
	p.rng = rand.New(rand.NewPCG(eo.Seed, 0x6d6c706c616e))
	p.vocab = p.vocabulary()
	p.extras = p.extraFields()
	base, err := p.addSource(nil)
	if err != nil {
		return fmt.Errorf("ML job %s: datafeed query: %w", p.Job.ID, err)
	}
	p.base = base
	if err := p.discover(); err != nil {
		return err
	}
	return p.plan()
}

// schema types the datafeed's fields: the rules' schema (for the job's
// indices and module), with the types the integration packages give the
// fields their pipelines and transforms add, the job's time field a
// date, and the numeric fields its metric functions read numbers.
func (p *Plan) schema() *schema.Schema {
	rs := p.opts.Schemas
	if rs == nil {
		rs = &emitter.RuleSchemas{Base: p.opts.Emitter.Schema}
		if rs.Base == nil {
			rs.Base = schema.Default()
		}
	}
	var like rules.Rule
	if len(p.Rules) > 0 {
		like = *p.Rules[0]
	}
	like.Type, like.Language, like.Query, like.Filters = rules.TypeQuery, rules.LangKuery, "", nil
	like.Index = p.Indices
	if p.Job.Module.ID != "" && p.Job.Module.DefaultIndexPattern == "" {
		like.Integrations = append(like.Integrations[:len(like.Integrations):len(like.Integrations)], p.Job.Module.ID)
	}
	sch := rs.ForRule(&like, p.q).Clone()
	set := func(name string, t estype.Type) {
		if f := sch.Field(name); !f.Known {
			sch.Set(schema.Field{Name: name, Type: t})
		}
	}
	for _, d := range derivedFields {
		set(d.name, d.typ)
	}
	set(p.timeField, estype.Date)
	for _, d := range p.dets {
		if d.fn.Family == famMetric && d.field != "" {
			set(d.field, estype.Double)
		}
		if d.fn.Family == famLatLong && d.field != "" {
			set(d.field, estype.GeoPoint)
		}
	}
	return sch
}

// extraFields are the derived fields the job's documents carry: those
// its query or detectors read, with the fields the same pipeline adds.
func (p *Plan) extraFields() []string {
	want := map[string]bool{}
	add := func(f string) {
		if derivedFields[f] == nil {
			return
		}
		want[f] = true
		switch {
		case strings.HasPrefix(f, "problemchild.") || f == "blocklist_label":
			want["problemchild.prediction"], want["problemchild.prediction_probability"], want["blocklist_label"] = true, true, true
		case strings.HasPrefix(f, "ml_is_dga."):
			want["ml_is_dga.malicious_prediction"], want["ml_is_dga.malicious_probability"] = true, true
		}
	}
	for f := range p.named {
		add(f)
	}
	for _, d := range p.dets {
		for _, f := range []string{d.field, d.by, d.over, d.partition} {
			add(f)
		}
	}
	if t := p.transform; t != nil {
		for _, f := range t.fields {
			add(f)
		}
		add(p.timeField)
	}
	var out []string
	for f := range want {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Fields lists the fields the plan's documents carry besides those of
// its sources' queries (the derived fields), for mappings.
func (p *Plan) Fields() []string {
	out := append([]string(nil), p.extras...)
	if p.transform != nil {
		out = append(out, p.transform.fields...)
	}
	for _, rt := range p.runtime {
		out = append(out, rt.from...)
	}
	out = append(out, p.timeField)
	sort.Strings(out)
	k := 0
	for i, f := range out {
		if i == 0 || f != out[k-1] {
			out[k] = f
			k++
		}
	}
	return out[:k]
}

// Sources are the plan's emitter sources (the datafeed query with the
// detectors' values fixed), for mappings.
func (p *Plan) Sources() []*emitter.Source {
	out := []*emitter.Source{p.base}
	keys := make([]string, 0, len(p.sources))
	for k := range p.sources {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if s := p.sources[k]; s != nil && s != p.base {
			out = append(out, s)
		}
	}
	return out
}

// Emitter is the emitter the plan draws its documents with.
func (p *Plan) Emitter() *emitter.Emitter { return p.e }

// Mappings are the mappings of the plan's documents.
func (p *Plan) Mappings() ([]byte, error) { return p.e.MappingsWith(p.Sources(), p.Fields()) }
