// Package mljobs sets up Elasticsearch anomaly-detection jobs over the
// documents emit generated for them, runs them, and reads what they
// found: for each job, it creates the job and its datafeed as shipped
// (Kibana's JOB_ID and INDEX_PATTERN_NAME placeholders filled, the
// datafeed reading the indices emit wrote, its runtime mappings kept),
// opens the job, starts the datafeed over exactly the generated time range
// and waits until it stops, then reports the job's processed documents and
// the highest record_score of its anomaly records in the anomaly window,
// next to the threshold the rules alert at.
//
// A job that already exists is reported and left alone, unless
// Options.Replace deletes it (and its datafeed) first. A job that fails
// (no ML in the cluster's license, a job that cannot open, a datafeed
// that reads no data) is reported with Elasticsearch's reason; the others
// go on.
package mljobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/sink/es"
)

// Client sends requests to Elasticsearch; *es.Sink is one.
type Client interface {
	Do(ctx context.Context, method, path string, body any) (*es.Response, error)
}

// Job is a job to set up and run over the documents generated for it.
type Job struct {
	Job *job.Job
	// Indices are where the job's documents were written: they replace
	// the datafeed's INDEX_PATTERN_NAME placeholder (its other indices
	// are kept).
	Indices []string
	// Start and End bound the datafeed's run: [Start, End), the whole
	// generated range (the baseline's first bucket to the end of the
	// anomaly bucket).
	Start, End time.Time
	// AnomalyStart and AnomalyEnd bound the window whose records are
	// reported (the anomaly bucket).
	AnomalyStart, AnomalyEnd time.Time
	// Anomalies, when the data has several, are the starts of their
	// buckets, each BucketSpan long (the last is AnomalyStart's): how
	// many of them have a record is reported too.
	Anomalies  []time.Time
	BucketSpan time.Duration
	// Threshold is the anomaly_threshold of the job's rules (the highest
	// when several share it): a record at or above it makes them alert.
	// 0: no rule was given for the job.
	Threshold int
}

// Options configure a run.
type Options struct {
	// Replace deletes an existing job of the same id, and its datafeed,
	// before creating it (--ml-replace); without it an existing job is
	// reported and left alone.
	Replace bool
	// Parallel is how many jobs run at once (default 2).
	Parallel int
	// Poll is the longest interval between checks of a running datafeed
	// (default 1s; the first checks come sooner).
	Poll time.Duration
	// Wait bounds a datafeed's run (default 10 minutes, counted from its
	// end when that is still to come): past it the datafeed is stopped
	// and the job reported as failed.
	Wait time.Duration
	// Unassigned bounds how long a datafeed may wait for an ML node (a
	// job with allow_lazy_open opens even when no node can take it; its
	// datafeed then waits "starting"); default 1 minute. Past it the
	// datafeed is stopped and the job reported as failed with
	// Elasticsearch's assignment explanation.
	Unassigned time.Duration
	// Progress receives a line per job as it finishes; nil: none.
	Progress io.Writer
}

// Defaults of Options.
const (
	DefaultParallel = 2
	DefaultPoll     = time.Second
	DefaultWait     = 10 * time.Minute
	// DefaultUnassigned is Options.Unassigned's default.
	DefaultUnassigned = time.Minute
)

// State is how a job's setup ended.
type State string

const (
	// Ran: the job was created and its datafeed ran over the range.
	Ran State = "ran"
	// Exists: a job of this id was there; it was left alone.
	Exists State = "exists"
	// Failed: a step failed; Result.Step and Result.Reason say which and
	// why.
	Failed State = "failed"
)

// Result is what happened to one job.
type Result struct {
	JobID, DatafeedID string
	State             State
	// Replaced: an existing job was deleted first (Options.Replace).
	Replaced bool
	// Step is the step that failed: "delete", "create job", "create
	// datafeed", "open", "start", "run", "stats" or "records".
	Step string
	// Reason is Elasticsearch's reason for the failure (its error type
	// and reason), or what went wrong.
	Reason string
	// Processed is the job's processed_record_count, Buckets its
	// bucket_count.
	Processed, Buckets int64
	// Records is the number of anomaly records in the anomaly window;
	// MaxScore the highest record_score among them.
	Records  int
	MaxScore float64
	// Threshold is the rules' anomaly_threshold.
	Threshold int
	// Injected is the number of anomalies of a job's data that has
	// several (Job.Anomalies), Scored how many of their buckets have a
	// record at or above the threshold (any record without one).
	Injected, Scored int
	Elapsed          time.Duration
}

// Alerts reports whether the job's best record in the anomaly window
// reaches the threshold: the rules alert on it.
func (r *Result) Alerts() bool {
	return r.State == Ran && r.Threshold > 0 && r.Records > 0 && r.MaxScore >= float64(r.Threshold)
}

// DatafeedID is the id of a job's datafeed: the one the configuration
// names, else Kibana's "datafeed-<job>".
func DatafeedID(j *job.Job) string {
	if j.Datafeed != nil && j.Datafeed.ID != "" && !strings.Contains(j.Datafeed.ID, "JOB_ID") {
		return j.Datafeed.ID
	}
	return "datafeed-" + j.ID
}

// Run sets up and runs the jobs; results are in the order of jobs. A
// cancelled ctx stops the datafeeds that run and reports the jobs left as
// failed.
func Run(ctx context.Context, c Client, jobs []Job, opts Options) []Result {
	if opts.Parallel <= 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Wait <= 0 {
		opts.Wait = DefaultWait
	}
	if opts.Unassigned <= 0 {
		opts.Unassigned = DefaultUnassigned
	}
	r := &runner{c: c, opts: opts}
	out := make([]Result, len(jobs))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = r.run(ctx, &jobs[i])
			if opts.Progress != nil {
				r.mu.Lock()
				fmt.Fprintln(opts.Progress, "emit: ML job "+out[i].Line())
				r.mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	return out
}

type runner struct {
	c    Client
	opts Options

	mu      sync.Mutex
	license string // the license error, once seen: the other jobs skip
}

// stepError is a failed step.
type stepError struct {
	step, reason string
}

func (e *stepError) Error() string { return e.step + ": " + e.reason }

func (r *runner) run(ctx context.Context, j *Job) (res Result) {
	began := time.Now()
	res = Result{JobID: j.Job.ID, DatafeedID: DatafeedID(j.Job), Threshold: j.Threshold, State: Ran}
	defer func() { res.Elapsed = time.Since(began) }()
	fail := func(err error) Result {
		res.State = Failed
		var se *stepError
		if errors.As(err, &se) {
			res.Step, res.Reason = se.step, se.reason
		} else {
			res.Reason = err.Error()
		}
		return res
	}
	r.mu.Lock()
	lic := r.license
	r.mu.Unlock()
	if lic != "" {
		return fail(&stepError{"create job", lic})
	}
	if j.Job.Datafeed == nil {
		return fail(&stepError{"create datafeed", "the job has no datafeed (give its datafeed's JSON with --ml-jobs)"})
	}
	id, feed := url.PathEscape(j.Job.ID), url.PathEscape(res.DatafeedID)
	if r.opts.Replace {
		replaced, err := r.remove(ctx, id, feed)
		if err != nil {
			return fail(err)
		}
		res.Replaced = replaced
	}
	body, err := jobBody(j.Job)
	if err != nil {
		return fail(&stepError{"create job", err.Error()})
	}
	resp, err := r.c.Do(ctx, "PUT", "/_ml/anomaly_detectors/"+id, body)
	switch {
	case err != nil:
		return fail(&stepError{"create job", err.Error()})
	case resp.ErrorType() == "resource_already_exists_exception":
		res.State = Exists
		res.Reason = resp.Reason()
		return res
	case !resp.OK():
		if isLicense(resp) {
			r.mu.Lock()
			r.license = reason(resp) + " (ML needs a trial or platinum license: POST /_license/start_trial?acknowledge=true starts a 30-day trial)"
			lic = r.license
			r.mu.Unlock()
			return fail(&stepError{"create job", lic})
		}
		return fail(&stepError{"create job", reason(resp)})
	}
	dbody, err := datafeedBody(j)
	if err != nil {
		r.cleanup(ctx, id)
		return fail(&stepError{"create datafeed", err.Error()})
	}
	if resp, err = r.c.Do(ctx, "PUT", "/_ml/datafeeds/"+feed, dbody); err != nil || !resp.OK() {
		r.cleanup(ctx, id)
		return fail(&stepError{"create datafeed", failure(resp, err)})
	}
	if len(j.Indices) > 0 {
		// The documents were just written: make them searchable.
		ix := make([]string, len(j.Indices))
		for i, x := range j.Indices {
			ix[i] = url.PathEscape(x)
		}
		if resp, err = r.c.Do(ctx, "POST", "/"+strings.Join(ix, ",")+"/_refresh?ignore_unavailable=true&allow_no_indices=true", nil); err != nil {
			return fail(&stepError{"start", "refreshing the job's indices: " + err.Error()})
		}
	}
	if resp, err = r.c.Do(ctx, "POST", "/_ml/anomaly_detectors/"+id+"/_open", nil); err != nil || !resp.OK() {
		return fail(&stepError{"open", failure(resp, err)})
	}
	q := url.Values{}
	q.Set("start", strconv.FormatInt(j.Start.UnixMilli(), 10))
	q.Set("end", strconv.FormatInt(j.End.UnixMilli(), 10))
	if resp, err = r.c.Do(ctx, "POST", "/_ml/datafeeds/"+feed+"/_start?"+q.Encode(), nil); err != nil || !resp.OK() {
		return fail(&stepError{"start", failure(resp, err)})
	}
	if err := r.wait(ctx, id, feed, j.End); err != nil {
		return fail(err)
	}
	var stats struct {
		Jobs []struct {
			State      string `json:"state"`
			Reason     string `json:"assignment_explanation"`
			DataCounts struct {
				Processed int64 `json:"processed_record_count"`
				Buckets   int64 `json:"bucket_count"`
			} `json:"data_counts"`
		} `json:"jobs"`
	}
	if err := r.get(ctx, "stats", "/_ml/anomaly_detectors/"+id+"/_stats", nil, &stats); err != nil {
		return fail(err)
	}
	if len(stats.Jobs) == 1 {
		js := stats.Jobs[0]
		res.Processed, res.Buckets = js.DataCounts.Processed, js.DataCounts.Buckets
		if js.State == "failed" {
			return fail(&stepError{"run", "the job failed: " + js.Reason})
		}
	}
	if res.Processed == 0 {
		return fail(&stepError{"run", fmt.Sprintf("the datafeed retrieved no data from %s between %s and %s (do its indices hold the documents, and does its query match them?)",
			strings.Join(indicesOf(j), ","), j.Start.UTC().Format(time.RFC3339), j.End.UTC().Format(time.RFC3339))})
	}
	n, best, err := r.best(ctx, id, j.AnomalyStart, j.AnomalyEnd)
	if err != nil {
		return fail(err)
	}
	res.Records, res.MaxScore = n, best
	if len(j.Anomalies) > 1 {
		res.Injected = len(j.Anomalies)
		for _, a := range j.Anomalies {
			n, best := n, best
			if !a.Equal(j.AnomalyStart) {
				if n, best, err = r.best(ctx, id, a, a.Add(j.BucketSpan)); err != nil {
					return fail(err)
				}
			}
			if n > 0 && best >= float64(j.Threshold) {
				res.Scored++
			}
		}
	}
	return res
}

// best is how many records (not interim) the job wrote in [start, end),
// and the highest record_score among them.
func (r *runner) best(ctx context.Context, id string, start, end time.Time) (int, float64, error) {
	var recs struct {
		Count   int `json:"count"`
		Records []struct {
			Score float64 `json:"record_score"`
		} `json:"records"`
	}
	rq := map[string]any{
		"start": strconv.FormatInt(start.UnixMilli(), 10), "end": strconv.FormatInt(end.UnixMilli(), 10),
		"sort": "record_score", "desc": true, "exclude_interim": true, "page": map[string]any{"from": 0, "size": 1},
	}
	if err := r.get(ctx, "records", "/_ml/anomaly_detectors/"+id+"/results/records", rq, &recs); err != nil {
		return 0, 0, err
	}
	if len(recs.Records) == 0 {
		return recs.Count, 0, nil
	}
	return recs.Count, recs.Records[0].Score, nil
}

// remove deletes the job's datafeed and the job (force); absent ones are
// fine.
func (r *runner) remove(ctx context.Context, id, feed string) (bool, error) {
	removed := false
	for _, path := range []string{"/_ml/datafeeds/" + feed + "?force=true", "/_ml/anomaly_detectors/" + id + "?force=true"} {
		resp, err := r.c.Do(ctx, "DELETE", path, nil)
		switch {
		case err != nil:
			return removed, &stepError{"delete", err.Error()}
		case resp.Status == 404:
		case !resp.OK():
			return removed, &stepError{"delete", reason(resp)}
		default:
			removed = true
		}
	}
	return removed, nil
}

// cleanup deletes a job created for nothing (its datafeed failed).
func (r *runner) cleanup(ctx context.Context, id string) {
	_, _ = r.c.Do(ctx, "DELETE", "/_ml/anomaly_detectors/"+id+"?force=true", nil)
}

// wait polls the datafeed until it stops; Options.Wait after end (or
// after now, when end has passed), or when ctx ends, it stops it.
func (r *runner) wait(ctx context.Context, id, feed string, end time.Time) error {
	began := time.Now()
	deadline := began.Add(r.opts.Wait)
	if end.After(began) {
		// The datafeed reads in real time until end.
		deadline = end.Add(r.opts.Wait)
	}
	// The first checks come quickly (a small job's datafeed is done in
	// moments), then every Poll.
	poll := min(50*time.Millisecond, r.opts.Poll)
	for {
		var st struct {
			Datafeeds []struct {
				State       string `json:"state"`
				Explanation string `json:"assignment_explanation"`
			} `json:"datafeeds"`
		}
		if err := r.get(ctx, "run", "/_ml/datafeeds/"+feed+"/_stats", nil, &st); err != nil {
			return err
		}
		why := ""
		if len(st.Datafeeds) == 1 {
			df := st.Datafeeds[0]
			if df.State == "stopped" {
				return nil
			}
			if df.State == "starting" && df.Explanation != "" && time.Since(began) > r.opts.Unassigned {
				why = "no ML node took the job within " + r.opts.Unassigned.String() + ": " + df.Explanation
			}
		}
		if why == "" {
			select {
			case <-ctx.Done():
				why = "interrupted"
			case <-time.After(poll):
				poll = min(2*poll, r.opts.Poll)
				if time.Now().After(deadline) {
					why = fmt.Sprintf("the datafeed did not finish within %s", r.opts.Wait)
				}
			}
		}
		if why != "" {
			stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, _ = r.c.Do(stopCtx, "POST", "/_ml/datafeeds/"+feed+"/_stop?force=true", nil)
			cancel()
			return &stepError{"run", why}
		}
	}
}

// get sends a GET (with a JSON body, for the results APIs) and decodes
// the answer.
func (r *runner) get(ctx context.Context, step, path string, body, out any) error {
	resp, err := r.c.Do(ctx, "GET", path, body)
	if err != nil || !resp.OK() {
		return &stepError{step, failure(resp, err)}
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return &stepError{step, "unexpected answer: " + err.Error()}
	}
	return nil
}

func failure(resp *es.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return reason(resp)
}

// reason is Elasticsearch's reason for an error answer: "type: reason".
func reason(resp *es.Response) string {
	t, why := resp.ErrorType(), resp.Reason()
	switch {
	case t != "" && why != "":
		return t + ": " + why
	case why != "":
		return why
	}
	return resp.Describe()
}

// isLicense reports an answer refusing ML for the cluster's license.
func isLicense(resp *es.Response) bool {
	return resp.Status == 403 && strings.Contains(resp.Reason(), "non-compliant for [ml]")
}

// jobCreateOnly are fields Elasticsearch sets itself (a get-jobs answer
// holds them) and refuses at creation.
var jobCreateOnly = []string{"create_time", "finished_time", "job_version", "model_snapshot_id", "model_snapshot_min_version",
	"established_model_memory", "deleting", "blocked", "datafeed_config"}

// jobBody is the job's configuration as shipped, its id set.
func jobBody(j *job.Job) (json.RawMessage, error) {
	var m map[string]any
	if err := decode(j.Config, &m); err != nil {
		return nil, fmt.Errorf("job %s: %v", j.ID, err)
	}
	for _, k := range jobCreateOnly {
		delete(m, k)
	}
	m["job_id"] = j.ID
	return json.Marshal(m)
}

// datafeedGetOnly are fields of a get-datafeeds answer that creation
// refuses.
var datafeedGetOnly = []string{"datafeed_id", "authorization", "state"}

// datafeedBody is the job's datafeed as shipped: its job_id set, the
// INDEX_PATTERN_NAME placeholder replaced by the indices written, its
// query and runtime mappings as they are.
func datafeedBody(j *Job) (json.RawMessage, error) {
	var m map[string]any
	if err := decode(j.Job.Datafeed.Config, &m); err != nil {
		return nil, fmt.Errorf("datafeed of %s: %v", j.Job.ID, err)
	}
	for _, k := range datafeedGetOnly {
		delete(m, k)
	}
	delete(m, "indexes")
	m["job_id"] = j.Job.ID
	ix := indicesOf(j)
	if len(ix) == 0 {
		return nil, fmt.Errorf("no index to read: the datafeed's indices are %s and no document was written", strings.Join(j.Job.Datafeed.Indices, ","))
	}
	m["indices"] = ix
	return json.Marshal(m)
}

// indicesOf are the datafeed's indices with the placeholder replaced.
func indicesOf(j *Job) []string {
	var out []string
	seen := map[string]bool{}
	add := func(x string) {
		if x = strings.TrimSpace(x); x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	for _, x := range j.Job.Datafeed.Indices {
		if x != job.IndexPatternPlaceholder {
			add(x)
			continue
		}
		written := append([]string(nil), j.Indices...)
		sort.Strings(written)
		for _, w := range written {
			add(w)
		}
	}
	return out
}

func decode(raw json.RawMessage, out any) error {
	if len(raw) == 0 {
		return errors.New("no configuration")
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	return dec.Decode(out)
}

// Line is the result on one line: "auth_rare_user_ea: 1344 documents, 3
// records in the anomaly window, best record_score 93.4 >= 75: the rules
// alert".
func (r *Result) Line() string {
	var b strings.Builder
	b.WriteString(r.JobID + ": ")
	switch r.State {
	case Exists:
		b.WriteString("exists: left as it is (--ml-replace deletes and recreates it)")
	case Failed:
		if r.Step != "" {
			b.WriteString(r.Step + " failed: ")
		}
		b.WriteString(r.Reason)
	default:
		if r.Replaced {
			b.WriteString("replaced; ")
		}
		fmt.Fprintf(&b, "%d documents processed in %d buckets; ", r.Processed, r.Buckets)
		switch {
		case r.Threshold <= 0 && r.Records == 0:
			b.WriteString("no anomaly record in the anomaly window")
		case r.Threshold <= 0:
			fmt.Fprintf(&b, "best record_score %s in the anomaly window (%d records; no rule gives a threshold)", score(r.MaxScore), r.Records)
		case r.Records == 0:
			fmt.Fprintf(&b, "no anomaly record in the anomaly window: the rules (threshold %d) do not alert", r.Threshold)
		case r.Alerts():
			fmt.Fprintf(&b, "best record_score %s >= %d in the anomaly window (%d records): the rules alert", score(r.MaxScore), r.Threshold, r.Records)
		default:
			fmt.Fprintf(&b, "best record_score %s < %d in the anomaly window (%d records): the rules do not alert", score(r.MaxScore), r.Threshold, r.Records)
		}
		if r.Injected > 1 {
			if r.Threshold > 0 {
				fmt.Fprintf(&b, "; %d of %d anomalies have a record >= %d", r.Scored, r.Injected, r.Threshold)
			} else {
				fmt.Fprintf(&b, "; %d of %d anomalies have a record", r.Scored, r.Injected)
			}
		}
	}
	return b.String()
}

func score(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }

func threshold(t int) string {
	if t <= 0 {
		return "-"
	}
	return strconv.Itoa(t)
}

// Summary renders the results as a table, with a count line.
func Summary(results []Result) string {
	var ran, exists, failed, alert int
	for i := range results {
		switch results[i].State {
		case Ran:
			ran++
			if results[i].Alerts() {
				alert++
			}
		case Exists:
			exists++
		default:
			failed++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ML jobs in Elasticsearch: %d ran (%d reach their rules' threshold), %d existing, %d failed\n", ran, alert, exists, failed)
	w := len("job")
	for i := range results {
		w = max(w, len(results[i].JobID))
	}
	fmt.Fprintf(&b, "%-*s  %9s  %7s  %9s  %9s  %s\n", w, "job", "processed", "records", "max score", "threshold", "result")
	for i := range results {
		r := &results[i]
		switch r.State {
		case Ran:
			best := "-"
			if r.Records > 0 {
				best = score(r.MaxScore)
			}
			verdict := "no alert"
			if r.Alerts() {
				verdict = "alerts"
			}
			if r.Threshold <= 0 {
				verdict = "no rule"
			}
			fmt.Fprintf(&b, "%-*s  %9d  %7d  %9s  %9s  %s\n", w, r.JobID, r.Processed, r.Records, best, threshold(r.Threshold), verdict)
		case Exists:
			fmt.Fprintf(&b, "%-*s  %9s  %7s  %9s  %9s  exists: left as it is (--ml-replace recreates it)\n", w, r.JobID, "-", "-", "-", threshold(r.Threshold))
		default:
			why := r.Reason
			if r.Step != "" {
				why = r.Step + ": " + why
			}
			fmt.Fprintf(&b, "%-*s  %9s  %7s  %9s  %9s  failed: %s\n", w, r.JobID, "-", "-", "-", threshold(r.Threshold), why)
		}
	}
	return b.String()
}
