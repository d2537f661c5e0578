package check

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/ml"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
)

// NoMLJobs is why machine_learning rules are unsupported when no job
// was given.
const NoMLJobs = "machine_learning (no ML jobs given: --ml-jobs)"

// checkML checks a machine_learning rule: the data of each of its jobs
// (a baseline of ml.CheckBuckets buckets and the anomaly) satisfies the
// job's datafeed query, by the DSL evaluator, and the anomaly holds by
// the statistical test of a detector's function (package ml's Verify).
func checkML(res Result, r *rules.Rule, opts Options) Result {
	cat := opts.MLJobs
	if cat == nil || cat.Len() == 0 {
		res.Status, res.Reason = Unsupported, NoMLJobs
		return res
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC().Truncate(time.Millisecond)
	}
	plans, errs := ml.PlanRules([]*rules.Rule{r}, cat, ml.Options{
		Emitter: emitter.Options{Seed: 1, End: now, Strict: opts.Strict},
		Schemas: opts.schemas(),
		// Several anomalies need room after the learning period.
		Buckets:   ml.CheckBuckets * max(1, opts.MLAnomalies),
		Density:   opts.MLDensity,
		Anomalies: opts.MLAnomalies,
	})
	if err := errs[r]; err != nil {
		res.Status, res.Reason = classify(err)
		return res
	}
	for _, p := range plans {
		if p.Job.Note != "" {
			res.Warnings = append(res.Warnings, "ML job "+p.Job.ID+": "+p.Job.Note+": the documents follow the job and also satisfy the datafeed")
		}
		if err := verifyPlan(p); err != nil {
			res.Status, res.Reason = Failed, "ML job "+p.Job.ID+": "+err.Error()
			return res
		}
	}
	res.Status = OK
	return res
}

// verifyPlan runs a plan with the datafeed query's evaluator as judge.
func verifyPlan(p *ml.Plan) error {
	q, err := query.Parse(string(p.Job.Datafeed.Query), query.DSL)
	if err != nil {
		return fmt.Errorf("datafeed query: %w", err)
	}
	types := p.Emitter().Schema().Types()
	multi := MultiFields(p.Sources()[0])
	now := p.End
	// The documents of one source (the datafeed query with the same
	// values fixed) are alike: the evaluator judges the first few of
	// each and every one of the anomaly's; the statistics see them all.
	judged := map[*emitter.Source]int{}
	judge := func(d emitter.Document, anomaly bool) error {
		if !anomaly && judged[d.From] >= judgedPerSource {
			return nil
		}
		judged[d.From]++
		doc := d.Source
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(string(doc)))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return fmt.Errorf("generated invalid JSON: %v: %s", err, doc)
		}
		IndexMultiFields(m, doc, multi)
		if !q.MatchAt([]map[string]any{m}, types, now) {
			return fmt.Errorf("the datafeed query's evaluator rejects a document: %s", doc)
		}
		return nil
	}
	_, err = p.VerifyDocs(judge)
	return err
}

// judgedPerSource is how many baseline documents of each source of an ML
// rule's data the datafeed query's evaluator judges.
const judgedPerSource = 5
