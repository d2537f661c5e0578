package main

import (
	"context"
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

// mlTally is what each job of an ML run generated, and where: for the
// per-job summary and the setup of the jobs in Elasticsearch. It keeps
// what it needs of a plan, not the plan (which the run releases once it
// has run). The zero value is ready.
type mlTally struct {
	// isolate sends each job's documents to its own data stream
	// (jobIndex): with --ml-setup, and with --ml-module and --ml-job.
	isolate bool
	began   time.Time
	byJob   map[string]*mlJobRun
	order   []string     // job ids, as first seen
	failed  []mlJobStats // jobs that could not be planned
}

// mlJobRun is one job's part.
type mlJobRun struct {
	stats   mlJobStats
	written map[string]bool // indices its documents went to
	spec    mljobs.Job      // the job and its windows, for the setup
}

func (j *mlTally) of(p *ml.Plan) *mlJobRun {
	if j.byJob == nil {
		j.byJob = map[string]*mlJobRun{}
		j.began = time.Now()
	}
	jr := j.byJob[p.Job.ID]
	if jr == nil {
		jr = &mlJobRun{written: map[string]bool{},
			stats: mlJobStats{job: p.Job.ID, module: moduleName(p.Job.Module), baseline: p.AnomalyBucket.Sub(p.Start),
				buckets: int(p.AnomalyBucket.Sub(p.Start) / p.BucketSpan), injected: int64(len(p.AnomalyBuckets)), shortened: p.Shortened},
			// The datafeed reads the whole generated range, and at least
			// to the anomaly bucket's end (which may lie after the data).
			spec: mljobs.Job{Job: p.Job, Start: p.Start, End: later(p.End, p.DatafeedEnd),
				AnomalyStart: p.AnomalyBucket, AnomalyEnd: p.AnomalyBucket.Add(p.BucketSpan), Threshold: p.Threshold,
				Anomalies: p.AnomalyBuckets, BucketSpan: p.BucketSpan}}
		j.byJob[p.Job.ID] = jr
		j.order = append(j.order, p.Job.ID)
	}
	return jr
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// fail notes a job that could not be planned.
func (j *mlTally) fail(jb *job.Job, err error) {
	j.failed = append(j.failed, mlJobStats{job: jb.ID, module: moduleName(jb.Module), err: err})
}

// run generates a plan's documents into fn, counting them and their
// anomalies, and sending them to the job's own index when the run
// isolates its jobs.
func (j *mlTally) run(p *ml.Plan, fn func(emitter.Document) error) error {
	jr := j.of(p)
	ix := j.index(p)
	t0 := time.Now()
	defer func() { jr.stats.elapsed += time.Since(t0) }()
	err := p.RunMarked(func(d emitter.Document, anomaly bool) error {
		if d.Index == p.Index {
			d.Index = ix
		}
		jr.stats.docs++
		if anomaly {
			jr.stats.anomalies++
		}
		jr.written[d.Index] = true
		return fn(d)
	})
	if err != nil {
		jr.stats.err = err
		return fmt.Errorf("ML job %s: %w", p.Job.ID, err)
	}
	return nil
}

// records counts the anomaly records written for a plan (--ml-records).
func (j *mlTally) records(p *ml.Plan, n int) {
	jr := j.of(p)
	jr.stats.docs += int64(n)
	jr.stats.anomalies += int64(n)
	jr.stats.injected = int64(n)
	jr.stats.baseline, jr.stats.buckets, jr.stats.shortened = 0, 0, false
}

// index is where a plan's documents go: jobIndex when the run isolates
// its jobs, else the plan's index.
func (j *mlTally) index(p *ml.Plan) string {
	if j.isolate {
		return jobIndex(p)
	}
	return p.Index
}

// jobIndex is where a job's documents go: the plan's index, except that
// an Elastic Agent data stream of the default namespace
// (logs-<dataset>-default, where the datafeed's index pattern placeholder
// led) takes the job's id as its namespace, so that each job's datafeed
// reads its own documents and not those of the other jobs of the run.
// An index the datafeed names itself (a transform's output) is kept.
func jobIndex(p *ml.Plan) string {
	if p.Job.Datafeed != nil {
		for _, ix := range p.Job.Datafeed.Indices {
			if ix == p.Index {
				return p.Index
			}
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
	return "logs-" + dataset + "-" + strings.ToLower(strings.ReplaceAll(p.Job.ID, "-", "_"))
}

// summary is the per-job summary of the run, "" when it has no ML job.
func (r *mlRun) summary(timing bool) string {
	if r == nil || len(r.jobs.order)+len(r.jobs.failed) == 0 {
		return ""
	}
	var stats []mlJobStats
	for _, id := range r.jobs.order {
		stats = append(stats, r.jobs.byJob[id].stats)
	}
	stats = append(stats, r.jobs.failed...)
	sort.SliceStable(stats, func(a, b int) bool { return stats[a].job < stats[b].job })
	return mlSummary(stats, time.Since(r.jobs.began), timing)
}

// failed reports whether a job could not be generated.
func (r *mlRun) failed() bool {
	if r == nil {
		return false
	}
	if len(r.jobs.failed) > 0 {
		return true
	}
	for _, jr := range r.jobs.byJob {
		if jr.stats.err != nil {
			return true
		}
	}
	return false
}

// setup creates and runs the jobs in Elasticsearch over what was
// generated, and prints what they found.
func (r *mlRun) setup(ctx context.Context, c mljobs.Client, f *mlJobFlags, stderr io.Writer) int {
	var specs []mljobs.Job
	for _, id := range r.jobs.order {
		jr := r.jobs.byJob[id]
		if jr.stats.err != nil || jr.stats.docs == 0 {
			continue
		}
		sp := jr.spec
		for ix := range jr.written {
			sp.Indices = append(sp.Indices, ix)
		}
		sort.Strings(sp.Indices)
		specs = append(specs, sp)
	}
	if len(specs) == 0 {
		fmt.Fprintln(stderr, "emit: --ml-setup: no ML job has data to run over")
		return exitFail
	}
	fmt.Fprintf(stderr, "emit: setting up %d ML jobs in Elasticsearch\n", len(specs))
	now := time.Now()
	for _, sp := range specs {
		if sp.End.After(now) {
			fmt.Fprintf(stderr, "emit: ML job %s: its anomaly bucket ends at %s, %s from now: the datafeed runs in real time until then\n",
				sp.Job.ID, sp.End.UTC().Format(time.RFC3339), sp.End.Sub(now).Round(time.Second))
		}
	}
	res := mljobs.Run(ctx, c, specs, mljobs.Options{Replace: f.replace, Progress: stderr})
	fmt.Fprint(stderr, mljobs.Summary(res))
	for i := range res {
		if res[i].State == mljobs.Failed {
			return exitFail
		}
	}
	return exitOK
}

// setupAfter makes the Elasticsearch sink set the jobs up once their
// documents are all indexed, printing the data summary first.
func (r *mlRun) setupAfter(ef *esFlags, f *mlJobFlags, m *messages, stderr io.Writer) {
	ef.after = func(ctx context.Context, cfg es.Config) int {
		if !m.quiet {
			fmt.Fprint(stderr, r.summary(true))
		}
		s, err := es.New(cfg)
		if err != nil {
			m.errorf("%v", err)
			return exitFail
		}
		defer s.Close(context.Background())
		return r.setup(ctx, s, f, stderr)
	}
}

// checkMLFlags checks --ml-setup and --ml-replace against the other
// flags; ml tells whether the run has ML jobs to set up.
func checkMLFlags(f *generateFlags) error {
	switch {
	case f.mlSel.replace && !f.mlSel.setup:
		return fmt.Errorf("--ml-replace goes with --ml-setup")
	case !f.mlSel.setup:
		return nil
	case !f.es.active():
		return fmt.Errorf("--ml-setup needs the Elasticsearch sink (--es-url, --elasticsearch or --cloud-id)")
	case f.mappings:
		return fmt.Errorf("--ml-setup sends documents: not with --mappings")
	case f.ml.records:
		return fmt.Errorf("--ml-setup runs the jobs over their source documents: not with --ml-records")
	}
	return nil
}

// runMLJobs generates the data of the jobs --ml-module and --ml-job
// select, the selected machine_learning rules naming a job giving it
// their look-back and anomaly_threshold; writes it to the output or to
// Elasticsearch; prints the per-job summary; and with --ml-setup creates
// and runs the jobs over it.
func runMLJobs(fs *pflag.FlagSet, f *generateFlags, m *messages, stdout, stderr io.Writer) int {
	switch {
	case len(f.queries) > 0:
		m.errorf("--ml-module and --ml-job generate the jobs' own documents: not with --query")
		return exitFail
	case len(f.rules.mlJobPaths) == 0:
		m.errorf("--ml-module and --ml-job select among the jobs of --ml-jobs (e.g. --ml-jobs ../shared/etc/ml)")
		return exitFail
	case f.es.active() && (f.output != "" || fs.Changed("format")):
		m.errorf("documents go to Elasticsearch or to --output/--format, not both")
		return exitFail
	case f.format != "ndjson" && f.format != "bulk":
		m.errorf("unknown --format %q (want ndjson or bulk)", f.format)
		return exitFail
	}
	if err := checkMLFlags(f); err != nil {
		m.errorf("%v", err)
		return exitFail
	}
	f.es.replicasSet = fs.Changed("replicas")
	cat, ok := f.rules.mlJobs(m)
	if !ok {
		return exitFail
	}
	jobs, err := selectJobs(cat, f.mlSel.modules, f.mlSel.ids)
	if err != nil {
		m.errorf("%v", err)
		return exitFail
	}
	opts, sch, err := emitterOptions(fs, f.schemas, &f.window, f.seed, f.strict, false)
	if err != nil {
		m.errorf("%v", err)
		return exitFail
	}
	e := emitter.New(opts)
	var rsch *emitter.RuleSchemas
	byJob := map[string][]*rules.Rule{}
	if f.rules.active() {
		selected, _, err := f.rules.load(m)
		if err != nil {
			m.errorf("%v", err)
			return exitFail
		}
		if rsch, err = f.rules.schemas(sch.base, sch.integrations, m); err != nil {
			m.errorf("%v", err)
			return exitFail
		}
		_, mls := splitML(selected)
		for _, r := range mls {
			for _, id := range r.MachineLearning.JobIDs {
				byJob[strings.TrimSpace(id)] = append(byJob[strings.TrimSpace(id)], r)
			}
		}
	}
	mo, err := f.ml.options(opts, rsch)
	if err != nil {
		m.errorf("%v", err)
		return exitFail
	}
	mo.Emitter.Population = e.Population()
	mlr := &mlRun{records: f.ml.records}
	mlr.jobs.isolate = true
	for _, j := range jobs {
		p, err := ml.NewPlan(j, byJob[j.ID], mo)
		if err != nil {
			mlr.jobs.fail(j, err)
			continue
		}
		for _, n := range p.Notes {
			m.notef("ML job %s: %s", p.Job.ID, n)
		}
		mlr.plans = append(mlr.plans, p)
	}
	summary := func() {
		if !f.quiet {
			fmt.Fprint(stderr, mlr.summary(true))
		}
	}
	if len(mlr.plans) == 0 {
		summary()
		m.errorf("no ML job to generate documents for")
		return exitFail
	}
	if f.mappings {
		mp, err := allMappings(e, mlr)
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
	code := exitOK
	plan := f.run.plan(0, 0) // no rule documents: the jobs' data alone
	if f.es.active() {
		if f.mlSel.setup && !f.es.dryRun {
			mlr.setupAfter(&f.es, &f.mlSel, m, stderr)
			code = runES(e, &f.es, plan, mlr, opts.Seed, stderr)
		} else {
			code = runES(e, &f.es, plan, mlr, opts.Seed, stderr)
			summary()
		}
	} else {
		out, closeOut, err := openOutput(f.output, stdout)
		if err != nil {
			m.errorf("%v", err)
			return exitFail
		}
		w := newDocWriter(out, f.format, func(seq int64, body []byte) string { return f.es.docID(opts.Seed, seq, body) })
		if err := mlr.each(e, plan, w.writeAt); err != nil {
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
		code = closeOut(exitOK, stderr)
	}
	if code == exitOK && mlr.failed() {
		code = exitFail
	}
	return code
}
