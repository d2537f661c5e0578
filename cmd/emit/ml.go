package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/ml"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/sink/es"
)

// mlFlags shape the data of machine_learning rules.
type mlFlags struct {
	baseline    string
	maxDocs     int
	records     bool
	density     float64
	anomalies   int
	baselineSet bool // --ml-baseline was given
}

func (f *mlFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.baseline, "ml-baseline", "14d", "with --rules: the history before a machine_learning rule's anomaly (an Elasticsearch time value: 14d, 36h)")
	fs.IntVar(&f.maxDocs, "ml-max-docs", ml.DefaultMaxDocs, "with --rules: at most about this many baseline documents per ML job (a longer baseline is shortened, to 96 buckets at least)")
	fs.BoolVar(&f.records, "ml-records", false, "with --rules: write each ML rule's anomaly record into "+ml.RecordsIndex+" instead of the job's source documents")
	f.registerVolume(fs)
}

// registerVolume registers --ml-density and --ml-anomalies (emit check
// has them too).
func (f *mlFlags) registerVolume(fs *pflag.FlagSet) {
	fs.Float64Var(&f.density, "ml-density", 1, "a factor on the baseline's event rates of every ML job (4: four times the documents per bucket, 0.5: half; still bounded by --ml-max-docs)")
	fs.IntVar(&f.anomalies, "ml-anomalies", 1, "anomalies per ML job: each in a bucket of its own after the baseline's first half, on an entity of its own, the last in the anomaly bucket (one record each with --ml-records)")
}

// checkVolume checks --ml-density and --ml-anomalies.
func (f *mlFlags) checkVolume() error {
	if !(f.density > 0) || math.IsInf(f.density, 0) {
		return fmt.Errorf("--ml-density %g: want a positive factor such as 0.5 or 4", f.density)
	}
	if f.anomalies < 1 {
		return fmt.Errorf("--ml-anomalies %d: want at least 1", f.anomalies)
	}
	return nil
}

// options are the plans' options.
func (f *mlFlags) options(opts emitter.Options, rs *emitter.RuleSchemas) (ml.Options, error) {
	d, err := date.ParseTimeValue(f.baseline)
	if err != nil || d <= 0 {
		return ml.Options{}, fmt.Errorf("--ml-baseline %q: want a positive time value such as 14d or 36h", f.baseline)
	}
	if f.maxDocs <= 0 {
		return ml.Options{}, fmt.Errorf("--ml-max-docs must be positive")
	}
	if err := f.checkVolume(); err != nil {
		return ml.Options{}, err
	}
	opts.PerRule, opts.Count, opts.Span = 0, 0, 0
	mo := ml.Options{Emitter: opts, Schemas: rs, Baseline: d, MaxDocs: f.maxDocs, Density: f.density, Anomalies: f.anomalies}
	if f.records && !f.baselineSet && opts.Start.IsZero() {
		// A record's typical value is the baseline's median: emit check's
		// baseline tells it as well as two weeks', in a tenth of the time.
		// Several anomalies need room after the learning period: as many
		// times the buckets.
		mo.Buckets = ml.CheckBuckets * f.anomalies
	}
	return mo, nil
}

// mlJobs reads the --ml-jobs inputs; each problem is an error (with the
// line and a caret), and ok is false when there was any.
func (r *ruleFlags) mlJobs(m *messages) (*job.Catalog, bool) {
	if len(r.mlJobPaths) == 0 {
		return job.NewCatalog(), true
	}
	cat, problems := job.Load(r.mlJobPaths...)
	for _, p := range problems {
		m.errorf("--ml-jobs: %s", p.Detail())
	}
	return cat, len(problems) == 0
}

// mlRun is the machine_learning rules' part of a run: a plan per job.
type mlRun struct {
	plans   []*ml.Plan
	records bool
	jobs    mlTally // per plan: what it generated, and where (mlrun.go)
}

// splitML separates the machine_learning rules from the others.
func splitML(rs []*rules.Rule) (others, mls []*rules.Rule) {
	for _, r := range rs {
		if r.Type == rules.TypeMachineLearning {
			mls = append(mls, r)
		} else {
			others = append(others, r)
		}
	}
	return others, mls
}

// planML plans the ML rules' data; a rule that cannot be planned is
// skipped with its reason. Each plan's notes are said once.
func planML(mls []*rules.Rule, cat *job.Catalog, opts ml.Options, records bool, skip *skipped, m *messages) *mlRun {
	run := &mlRun{records: records}
	if len(mls) == 0 {
		return run
	}
	if cat.Len() == 0 {
		for _, r := range mls {
			skip.add("unsupported "+check.NoMLJobs, ruleLabel(r)+": unsupported: "+check.NoMLJobs)
		}
		return run
	}
	plans, errs := ml.PlanRules(mls, cat, opts)
	for _, r := range mls {
		if err := errs[r]; err != nil {
			reason := skipReason(err)
			var unknown *ml.UnknownJobError
			if errors.As(err, &unknown) {
				reason = "unsupported: unknown ML job (give its job and datafeed with --ml-jobs)"
			}
			skip.add(reason, ruleLabel(r)+": "+describeError(err))
		}
	}
	for _, p := range plans {
		for _, n := range p.Notes {
			m.notef("ML job %s: %s", p.Job.ID, n)
		}
	}
	run.plans = plans
	return run
}

// active reports whether the ML data is part of the run's plan: the
// whole run, or its first shard (the ML data is not split in shards).
func (r *mlRun) active(plan emitter.Plan) bool {
	return r != nil && len(r.plans) > 0 && (plan.Shards == 0 || plan.Shard == 1)
}

// each generates the plans' documents (or records) in turn, after the
// rules' run: their numbers (seq, which ids derive from) follow the
// whole run's, of every shard.
func (r *mlRun) each(e *emitter.Emitter, plan emitter.Plan, fn func(docs []emitter.Document, seq int64) error) error {
	if !r.active(plan) {
		return nil
	}
	whole := plan
	whole.Shard, whole.Shards = 0, 0
	seq := ruleDocs(e, whole) + 1
	one := make([]emitter.Document, 1)
	for i, p := range r.plans {
		// A plan's solvers and samples are done with once it has run.
		r.plans[i] = nil
		if r.records {
			docs, err := p.Records()
			if err != nil {
				return err
			}
			r.jobs.records(p, len(docs))
			if err := fn(docs, seq); err != nil {
				return err
			}
			seq += int64(len(docs))
			continue
		}
		if err := r.jobs.run(p, func(d emitter.Document) error {
			one[0] = d
			err := fn(one, seq)
			seq++
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// ruleDocs is how many documents the rules' (and queries') run has.
func ruleDocs(e *emitter.Emitter, plan emitter.Plan) int64 {
	if len(e.Sources()) == 0 {
		return 0
	}
	return e.Docs(plan)
}

// runRules runs the rules' (and queries') plan; nothing when only ML
// rules were selected.
func runRules(e *emitter.Emitter, plan emitter.Plan, fn func(docs []emitter.Document, seq int64) error) error {
	if len(e.Sources()) == 0 {
		return nil
	}
	return e.Run(context.Background(), plan, fn)
}

// mappings are the mappings of the run's documents, by index.
func (r *mlRun) mappings() (map[string][]byte, error) {
	out := map[string][]byte{}
	if r == nil || len(r.plans) == 0 {
		return out, nil
	}
	if r.records {
		m, err := ml.RecordsMappings(r.plans)
		if err != nil {
			return nil, err
		}
		out[ml.RecordsIndex] = m
		return out, nil
	}
	for _, p := range r.plans {
		m, err := p.Mappings()
		if err != nil {
			return nil, fmt.Errorf("ML job %s: mappings: %w", p.Job.ID, err)
		}
		ix := r.jobs.index(p)
		if prev, ok := out[ix]; ok {
			if m, err = mergeMappings(prev, m); err != nil {
				return nil, err
			}
		}
		out[ix] = m
	}
	return out, nil
}

// mergeMappings merges two {"properties": ...} mappings: the fields of
// both; where both map a field, the first's mapping.
func mergeMappings(a, b []byte) ([]byte, error) {
	var ma, mb map[string]any
	if err := json.Unmarshal(a, &ma); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &mb); err != nil {
		return nil, err
	}
	mergeInto(ma, mb)
	return json.MarshalIndent(ma, "", "  ")
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		d, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		dm, ok1 := d.(map[string]any)
		sm, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			mergeInto(dm, sm)
		}
	}
}

// allMappings is one mapping of every field the run writes: the
// emitter's sources' and the ML plans'.
func allMappings(e *emitter.Emitter, run *mlRun) ([]byte, error) {
	var out []byte
	if len(e.Sources()) > 0 || run == nil || len(run.plans) == 0 {
		m, err := e.Mappings()
		if err != nil {
			return nil, err
		}
		out = m
	}
	by, err := run.mappings()
	if err != nil {
		return nil, err
	}
	for _, n := range slices.Sorted(maps.Keys(by)) {
		if out == nil {
			out = by[n]
			continue
		}
		if out, err = mergeMappings(out, by[n]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// mlTargets adds the ML data's indices to the targets, merging the
// mappings of an index both write to.
func mlTargets(tgts []es.Target, run *mlRun, create bool) ([]es.Target, error) {
	by, err := run.mappings()
	if err != nil {
		return nil, err
	}
	for _, n := range slices.Sorted(maps.Keys(by)) {
		found := false
		for i := range tgts {
			if tgts[i].Index == n {
				found = true
				if tgts[i].Mappings, err = mergeMappings(tgts[i].Mappings, by[n]); err != nil {
					return nil, err
				}
			}
		}
		if !found {
			tgts = append(tgts, es.Target{Index: n, Mappings: by[n], Create: create})
		}
	}
	return tgts, nil
}
