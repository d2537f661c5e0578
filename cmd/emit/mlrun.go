package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/ml"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/sink/es"
	"github.com/emit-sec/emit/sink/mljobs"
)

// mlRun is the machine-learning part of a run: one plan per job (a job
// several rules share, or that a module and an id both select, once),
// what each generated, and where.
type mlRun struct {
	jobs  []*mlJobRun
	began time.Time
}

// mlJobRun is one job's part.
type mlJobRun struct {
	plan    *ml.Plan // nil when the job could not be planned
	index   string   // where its documents go (jobIndex)
	stats   mlJobStats
	written map[string]bool // indices its documents went to
}

// newMLRun plans the jobs; rs are the selected rules, whose ML rules give
// the jobs they name their look-back and anomaly_threshold. A job that
// cannot be planned is kept with its error, for the summary.
func newMLRun(jobs []*job.Job, rs []*rules.Rule, opts ml.Options) *mlRun {
	r := &mlRun{began: time.Now()}
	byJob := map[string][]*rules.Rule{}
	for _, rule := range rs {
		if rule.MachineLearning == nil {
			continue
		}
		for _, id := range rule.MachineLearning.JobIDs {
			byJob[id] = append(byJob[id], rule)
		}
	}
	for _, j := range jobs {
		jr := &mlJobRun{stats: mlJobStats{job: j.ID, module: moduleName(j.Module)}, written: map[string]bool{}}
		t0 := time.Now()
		p, err := ml.NewPlan(j, byJob[j.ID], opts)
		jr.stats.elapsed = time.Since(t0)
		if err != nil {
			jr.stats.err = err
		} else {
			jr.plan = p
			jr.index = jobIndex(p)
			jr.stats.baseline = p.AnomalyBucket.Sub(p.Start)
			jr.stats.buckets = int(p.AnomalyBucket.Sub(p.Start) / p.BucketSpan)
		}
		r.jobs = append(r.jobs, jr)
	}
	return r
}

// jobIndex is where a job's documents go: the plan's index, except that
// an Elastic Agent data stream of the default namespace
// (logs-<dataset>-default, where the datafeed's index pattern placeholder
// led) takes the job's id as its namespace, so that each job's datafeed
// reads its own documents and not those of the other jobs of the run.
// An index the datafeed names itself (a transform's output) is kept.
func jobIndex(p *ml.Plan) string {
	for _, ix := range p.Job.Datafeed.Indices {
		if ix == p.Index {
			return p.Index
		}
	}
	rest, ok := strings.CutPrefix(p.Index, "logs-")
	if !ok {
		return p.Index
	}
	dataset, ok := strings.CutSuffix(rest, "-default")
	if !ok || strings.Contains(dataset, "-") {
		return p.Index
	}
	ns := strings.ToLower(strings.ReplaceAll(p.Job.ID, "-", "_"))
	return "logs-" + dataset + "-" + ns
}

// plans are the jobs' plans, in order.
func (r *mlRun) plans() []*ml.Plan {
	var out []*ml.Plan
	for _, jr := range r.jobs {
		if jr.plan != nil {
			out = append(out, jr.plan)
		}
	}
	return out
}

// each generates every plan's documents in turn, counting them.
func (r *mlRun) each(fn func(docs []emitter.Document) error) error {
	for _, jr := range r.jobs {
		if jr.plan == nil {
			continue
		}
		t0 := time.Now()
		err := jr.plan.RunMarked(func(d emitter.Document, anomaly bool) error {
			if d.Index == jr.plan.Index {
				d.Index = jr.index
			}
			jr.stats.docs++
			if anomaly {
				jr.stats.anomalies++
			}
			jr.written[d.Index] = true
			return fn([]emitter.Document{d})
		})
		jr.stats.elapsed += time.Since(t0)
		if err != nil {
			jr.stats.err = err
			return fmt.Errorf("ML job %s: %w", jr.stats.job, err)
		}
	}
	return nil
}

// summary is the per-job summary.
func (r *mlRun) summary(timing bool) string {
	stats := make([]mlJobStats, len(r.jobs))
	for i, jr := range r.jobs {
		stats[i] = jr.stats
	}
	return mlSummary(stats, time.Since(r.began), timing)
}

// failed reports whether a job could not be generated.
func (r *mlRun) failed() bool {
	for _, jr := range r.jobs {
		if jr.stats.err != nil {
			return true
		}
	}
	return false
}

// targets are the indices the plans write, with the mappings of their
// documents (merged where several jobs share an index).
func (r *mlRun) targets(create bool) ([]es.Target, error) {
	by := map[string][]*ml.Plan{}
	for _, jr := range r.jobs {
		if jr.plan != nil {
			by[jr.index] = append(by[jr.index], jr.plan)
		}
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []es.Target
	for _, n := range names {
		m, err := mergedMappings(by[n])
		if err != nil {
			return nil, fmt.Errorf("mappings of %s: %w", n, err)
		}
		out = append(out, es.Target{Index: n, Mappings: m, Create: create})
	}
	return out, nil
}

// mergedMappings is the union of the plans' mappings: a field typed by
// two jobs keeps the first job's type.
func mergedMappings(ps []*ml.Plan) ([]byte, error) {
	var merged map[string]any
	for _, p := range ps {
		raw, err := p.Mappings()
		if err != nil {
			return nil, fmt.Errorf("ML job %s: %w", p.Job.ID, err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		if merged == nil {
			merged = m
			continue
		}
		mergeProperties(merged, m)
	}
	return json.Marshal(merged)
}

// mergeProperties adds to dst the properties of src it lacks, through
// objects.
func mergeProperties(dst, src map[string]any) {
	dp, _ := dst["properties"].(map[string]any)
	sp, _ := src["properties"].(map[string]any)
	if sp == nil {
		return
	}
	if dp == nil {
		dst["properties"] = sp
		return
	}
	for k, v := range sp {
		d, ok := dp[k]
		if !ok {
			dp[k] = v
			continue
		}
		dm, dok := d.(map[string]any)
		vm, vok := v.(map[string]any)
		if dok && vok {
			mergeProperties(dm, vm)
		}
	}
}

// setup creates and runs the jobs in Elasticsearch over what was
// generated, and prints what they found.
func (r *mlRun) setup(ctx context.Context, c mljobs.Client, f *mlJobFlags, stderr io.Writer) int {
	var specs []mljobs.Job
	for _, jr := range r.jobs {
		p := jr.plan
		if p == nil || jr.stats.err != nil || jr.stats.docs == 0 {
			continue
		}
		indices := make([]string, 0, len(jr.written))
		for ix := range jr.written {
			indices = append(indices, ix)
		}
		sort.Strings(indices)
		specs = append(specs, mljobs.Job{Job: p.Job, Indices: indices, Start: p.Start, End: p.DatafeedEnd,
			AnomalyStart: p.AnomalyBucket, AnomalyEnd: p.AnomalyBucket.Add(p.BucketSpan), Threshold: p.Threshold})
	}
	if len(specs) == 0 {
		fmt.Fprintln(stderr, "emit: --ml-setup: no ML job has data to run over")
		return exitFail
	}
	fmt.Fprintf(stderr, "emit: setting up %d ML jobs in Elasticsearch\n", len(specs))
	res := mljobs.Run(ctx, c, specs, mljobs.Options{Replace: f.replace, Progress: stderr})
	fmt.Fprint(stderr, mljobs.Summary(res))
	for i := range res {
		if res[i].State == mljobs.Failed {
			return exitFail
		}
	}
	return exitOK
}

// runMLJobs generates the data of the jobs --ml-module and --ml-job
// select, with the selected ML rules giving the jobs they name their
// look-back and threshold; writes it to the output or to Elasticsearch;
// prints the per-job summary; and with --ml-setup creates and runs the
// jobs over it.
func runMLJobs(f *generateFlags, cat *job.Catalog, rs []*rules.Rule, opts ml.Options, m *messages, stdout, stderr io.Writer) int {
	jobs, err := selectJobs(cat, f.ml.modules, f.ml.ids)
	if err != nil {
		m.errorf("%v", err)
		return exitFail
	}
	r := newMLRun(jobs, rs, opts)
	if len(r.plans()) == 0 {
		fmt.Fprint(stderr, r.summary(false))
		m.errorf("no ML job to generate documents for")
		return exitFail
	}
	summary := func() {
		if !f.quiet {
			fmt.Fprint(stderr, r.summary(true))
		}
	}
	if f.mappings {
		mp, err := mergedMappings(r.plans())
		if err != nil {
			m.errorf("%v", err)
			return exitFail
		}
		out, closeOut, err := openOutput(f.output, stdout)
		if err != nil {
			m.errorf("%v", err)
			return exitFail
		}
		if _, err := out.Write(append(mp, '\n')); err != nil {
			m.errorf("%v", err)
			return closeOut(exitFail, stderr)
		}
		return closeOut(exitOK, stderr)
	}
	if f.es.active() {
		tgts, err := r.targets(f.es.createIndex)
		if err != nil {
			m.errorf("%v", err)
			return exitFail
		}
		if f.ml.setup && !f.es.dryRun {
			f.es.after = func(ctx context.Context, cfg es.Config) int {
				summary()
				s, err := es.New(cfg)
				if err != nil {
					m.errorf("%v", err)
					return exitFail
				}
				defer s.Close(context.Background())
				return r.setup(ctx, s, &f.ml, stderr)
			}
			code := sendES(tgts, &f.es, 0, opts.Emitter.Seed, stderr, r.each)
			if code == exitOK && r.failed() {
				code = exitFail
			}
			return code
		}
		code := sendES(tgts, &f.es, 0, opts.Emitter.Seed, stderr, r.each)
		summary()
		if code == exitOK && r.failed() {
			code = exitFail
		}
		return code
	}
	out, closeOut, err := openOutput(f.output, stdout)
	if err != nil {
		m.errorf("%v", err)
		return exitFail
	}
	w := newDocWriter(out, f.format, func(seq int64, body []byte) string { return f.es.docID(opts.Emitter.Seed, seq, body) })
	if err := r.each(w.write); err != nil {
		w.flush()
		m.errorf("%v", err)
		summary()
		return closeOut(exitFail, stderr)
	}
	if err := w.flush(); err != nil {
		m.errorf("%v", err)
		return closeOut(exitFail, stderr)
	}
	summary()
	code := exitOK
	if r.failed() {
		code = exitFail
	}
	return closeOut(code, stderr)
}

// runMLFlags checks the ML flags against the others and runs the jobs
// they select.
func runMLFlags(fs *pflag.FlagSet, f *generateFlags, m *messages, stdout, stderr io.Writer) int {
	switch {
	case !f.ml.selecting():
		m.errorf("--ml-setup and --ml-replace need ML jobs: select them with --ml-module or --ml-job")
		return exitFail
	case len(f.queries) > 0:
		m.errorf("--ml-module and --ml-job generate the jobs' own documents: not with --query")
		return exitFail
	case f.ml.replace && !f.ml.setup:
		m.errorf("--ml-replace goes with --ml-setup")
		return exitFail
	case f.ml.setup && !f.es.active():
		m.errorf("--ml-setup needs the Elasticsearch sink (--es-url, --elasticsearch or --cloud-id)")
		return exitFail
	case f.ml.setup && f.mappings:
		m.errorf("--ml-setup sends documents: not with --mappings")
		return exitFail
	case f.es.active() && (f.output != "" || fs.Changed("format")):
		m.errorf("documents go to Elasticsearch or to --output/--format, not both")
		return exitFail
	case f.format != "ndjson" && f.format != "bulk":
		m.errorf("unknown --format %q (want ndjson or bulk)", f.format)
		return exitFail
	case len(f.mlJobs) == 0:
		m.errorf("--ml-module and --ml-job select among the jobs of --ml-jobs DIR (e.g. --ml-jobs ../shared/etc/ml)")
		return exitFail
	}
	f.es.replicasSet = fs.Changed("replicas")
	if f.ml.setup && f.es.dryRun {
		m.notef("--dry-run: the ML jobs are not set up")
	}
	cat, probs := job.Load(f.mlJobs...)
	for _, p := range probs {
		m.errorf("%s", p.Detail())
	}
	opts, sch, err := emitterOptions(fs, f.schemas, &f.window, f.seed, f.strict, false)
	if err != nil {
		m.errorf("%v", err)
		return exitFail
	}
	mo := ml.Options{Emitter: opts}
	var rs []*rules.Rule
	if f.rules.active() {
		selected, _, err := f.rules.load(m)
		if err != nil {
			m.errorf("%v", err)
			return exitFail
		}
		rs = selected
		if mo.Schemas, err = f.rules.schemas(sch.base, sch.integrations, m); err != nil {
			m.errorf("%v", err)
			return exitFail
		}
	}
	return runMLJobs(f, cat, rs, mo, m, stdout, stderr)
}
