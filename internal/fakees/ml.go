package fakees

// The machine-learning endpoints: anomaly-detection jobs and their
// datafeeds, as emit's ML setup uses them.
//
//	PUT    /_ml/anomaly_detectors/<job>               create a job
//	GET    /_ml/anomaly_detectors/<job>               its configuration
//	POST   /_ml/anomaly_detectors/<job>/_open         open it
//	POST   /_ml/anomaly_detectors/<job>/_close        close it
//	GET    /_ml/anomaly_detectors/<job>/_stats        state and data_counts
//	DELETE /_ml/anomaly_detectors/<job>[?force=true]  delete it (and its datafeed)
//	GET    /_ml/anomaly_detectors/<job>/results/records
//	PUT    /_ml/datafeeds/<feed>                      create a datafeed
//	GET    /_ml/datafeeds/<feed>                      its configuration
//	POST   /_ml/datafeeds/<feed>/_start?start=&end=   run it over [start, end)
//	POST   /_ml/datafeeds/<feed>/_stop                stop it
//	GET    /_ml/datafeeds/<feed>/_stats               its state
//	DELETE /_ml/datafeeds/<feed>[?force=true]         delete it
//
// Requests and answers have the shapes Elasticsearch documents, and the
// errors its messages (resource_already_exists_exception for a job or
// datafeed id in use, resource_not_found_exception for an unknown one,
// status_exception 409 for a datafeed started while its job is closed,
// security_exception 403 "current license is non-compliant for [ml]" when
// Options.NoMLLicense says the cluster's license lacks ML).
//
// A started datafeed reads the documents of the indices and data streams
// its index patterns match, whose time field lies in [start, end) and
// that satisfy its query (parser/dsl's evaluator, with the indices'
// mappings for types; the datafeed's runtime fields are not computed, so a
// query or detector on one sees no value). It runs in the background; when
// it has read everything it stops and closes its job, as a datafeed with
// an end does.
//
// THE ANOMALY RECORDS ARE NOT ELASTICSEARCH'S. Elasticsearch models each
// series with Bayesian priors and normalises the scores over the job's
// history; this fake does nothing of the kind. It writes records by the
// fixed, deterministic rule below, so that tests of code that reads
// records see records where data departs grossly from its past and none
// where it doesn't. That a job of the fake scores an anomaly says nothing
// about whether Elasticsearch would.
//
// The rule, per detector: the documents are cut into buckets of the job's
// bucket_span aligned on the epoch, and per bucket into series by the
// values of the by, over and partition fields (a document without a value
// for one of them is left out, as without use_null). Per bucket and series
// the fake computes the function's statistic: the document count (count,
// high_count, low_count, non_zero_count, ...), the number of distinct
// values of field_name (distinct_count), the sum, mean, median, minimum,
// maximum or population variance of field_name (sum, mean/avg/metric,
// median, min, max, varp and their high_/low_ variants), the summed
// information content (characters × Shannon entropy of each distinct
// value, info_content), or the mean second of the day or of the week
// (time_of_day, time_of_week). lat_long and unknown functions get no
// records.
//
//   - rare, freq_rare: a series seen for the first time, when the job has
//     already seen data in at least mlWarmup buckets, gets a record with
//     record_score 100·n/(n+mlWarmup), n being those buckets.
//   - the others: once a series has mlWarmup earlier values (the counts of
//     every earlier bucket since the series' first, zeros included, for
//     count, high_count and low_count, whose empty buckets are scored too;
//     the buckets where it had documents otherwise), typical is their
//     median and r = (actual+1)/(typical+1), inverted when below 1; high_
//     functions score only actual > typical, low_ ones only actual <
//     typical, the plain ones either. record_score is 100·(1−1/r); for the
//     value functions (sums, means, medians, min, max, varp,
//     info_content) it is at least 100·(1−3/z) when z, the distance from
//     typical in robust deviations of the history (1.4826 median absolute
//     deviations, at least 5% of typical), exceeds 3. For time_of_day and
//     time_of_week the score is 100 times the circular distance between
//     actual and typical over half a day (half a week).
//
// A record is written when its score reaches mlMinScore and no
// skip_result custom rule of the detector drops it (conditions on actual,
// typical and their difference). Scores are rounded to three decimals;
// initial_record_score equals record_score; probability is
// 10^(−record_score/10).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/esvalue"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/parser/dsl"
)

const (
	// mlWarmup is how many earlier buckets a series (rare: the job) needs
	// before the fake writes records for it.
	mlWarmup = 8
	// mlMinScore is the lowest record_score the fake writes.
	mlMinScore = 25
)

// mlState is the server's anomaly-detection jobs and datafeeds.
type mlState struct {
	jobs      map[string]*mlJob
	datafeeds map[string]*mlDatafeed
	failOpen  map[string]string // job id -> reason its open fails with
	wg        sync.WaitGroup    // running datafeeds
}

type mlJob struct {
	id         string
	config     map[string]any
	bucketSpan time.Duration
	timeField  string
	detectors  []mlDetector
	state      string // closed, opening, opened, failed
	unassigned string // why an opening job waits for a node
	openTime   time.Time
	counts     mlCounts
	records    []map[string]any
	datafeed   string
	model      *mlModel // what the job learnt so far (nil before data)
}

type mlCounts struct {
	processed, buckets, emptyBuckets, missingField int64
	earliest, latest                               time.Time
	lastBucket                                     time.Time
}

type mlDetector struct {
	index                           int
	function                        string
	field, by, over, partition      string
	rules                           []mlRule
	description, functionDescribing string
}

type mlRule struct {
	skip  bool
	conds []mlCond
}

type mlCond struct {
	appliesTo, op string
	value         float64
}

type mlDatafeed struct {
	id, jobID string
	config    map[string]any
	indices   []string
	query     map[string]any
	state     string // stopped, started
	searches  int64
	start     time.Time
	end       time.Time
	stop      chan struct{}
}

func (s *Server) ml() *mlState {
	if s.mlst == nil {
		s.mlst = &mlState{jobs: map[string]*mlJob{}, datafeeds: map[string]*mlDatafeed{}, failOpen: map[string]string{}}
	}
	return s.mlst
}

// FailMLOpen makes opening the job fail with reason, as Elasticsearch
// answers when no ML node can take it (429 status_exception). A job with
// allow_lazy_open opens lazily instead: it stays "opening" with reason as
// its assignment_explanation, and its datafeed, once started, stays
// "starting".
func (s *Server) FailMLOpen(jobID, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ml().failOpen[jobID] = reason
}

// MLRecords returns the anomaly records the job wrote, in the order
// written.
func (s *Server) MLRecords(jobID string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.ml().jobs[jobID]
	if j == nil {
		return nil
	}
	return append([]map[string]any(nil), j.records...)
}

// MLJobs lists the ids of the anomaly-detection jobs.
func (s *Server) MLJobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.ml().jobs {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// MLDatafeed returns a datafeed's configuration as stored (nil when
// unknown).
func (s *Server) MLDatafeed(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.ml().datafeeds[id]; d != nil {
		return roundTrip(d.config)
	}
	return nil
}

// WaitML waits until no datafeed runs.
func (s *Server) WaitML() { s.ml().wg.Wait() }

var mlIDRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9_\-]*[a-z0-9])?$`)

func (s *Server) routeML(w http.ResponseWriter, r *http.Request, segs []string) {
	if s.opts.NoMLLicense {
		esError(w, 403, "security_exception", "current license is non-compliant for [ml]", map[string]any{"license.expired.feature": "ml"})
		return
	}
	m := r.Method
	switch {
	case len(segs) == 2 && segs[0] == "anomaly_detectors" && m == http.MethodPut:
		s.putJob(w, r, segs[1])
	case len(segs) == 2 && segs[0] == "anomaly_detectors" && m == http.MethodGet:
		s.getJob(w, segs[1])
	case len(segs) == 2 && segs[0] == "anomaly_detectors" && m == http.MethodDelete:
		s.deleteJob(w, r, segs[1])
	case len(segs) == 3 && segs[0] == "anomaly_detectors" && segs[2] == "_open" && m == http.MethodPost:
		s.openJob(w, segs[1])
	case len(segs) == 3 && segs[0] == "anomaly_detectors" && segs[2] == "_close" && m == http.MethodPost:
		s.closeJob(w, segs[1])
	case len(segs) == 3 && segs[0] == "anomaly_detectors" && segs[2] == "_stats" && m == http.MethodGet:
		s.jobStats(w, segs[1])
	case len(segs) == 4 && segs[0] == "anomaly_detectors" && segs[2] == "results" && segs[3] == "records" && (m == http.MethodGet || m == http.MethodPost):
		s.getRecords(w, r, segs[1])
	case len(segs) == 2 && segs[0] == "datafeeds" && m == http.MethodPut:
		s.putDatafeed(w, r, segs[1])
	case len(segs) == 2 && segs[0] == "datafeeds" && m == http.MethodGet:
		s.getDatafeed(w, segs[1])
	case len(segs) == 2 && segs[0] == "datafeeds" && m == http.MethodDelete:
		s.deleteDatafeed(w, r, segs[1])
	case len(segs) == 3 && segs[0] == "datafeeds" && segs[2] == "_start" && m == http.MethodPost:
		s.startDatafeed(w, r, segs[1])
	case len(segs) == 3 && segs[0] == "datafeeds" && segs[2] == "_stop" && m == http.MethodPost:
		s.stopDatafeed(w, segs[1])
	case len(segs) == 3 && segs[0] == "datafeeds" && segs[2] == "_stats" && m == http.MethodGet:
		s.datafeedStats(w, segs[1])
	default:
		writeJSON(w, 400, map[string]any{
			"error":  fmt.Sprintf("no handler found for uri [%s] and method [%s]", r.URL.Path, r.Method),
			"status": 400,
		})
	}
}

func unknownJob(w http.ResponseWriter, id string) {
	esError(w, 404, "resource_not_found_exception", "No known job with id '"+id+"'", nil)
}

func unknownDatafeed(w http.ResponseWriter, id string) {
	esError(w, 404, "resource_not_found_exception", "No datafeed with id ["+id+"] exists", nil)
}

// readBody decodes a JSON object body (numbers as json.Number); an empty
// body is an empty object.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		esError(w, 400, "parse_exception", "cannot read request body", nil)
		return nil, false
	}
	out := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return out, true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		esError(w, 400, "x_content_parse_exception", "request body is not a JSON object: "+err.Error(), nil)
		return nil, false
	}
	return out, true
}

// jobCreateOnly are the fields Elasticsearch sets itself and refuses at
// job creation.
var jobCreateOnly = []string{"create_time", "finished_time", "job_version", "model_snapshot_id", "model_snapshot_min_version", "established_model_memory", "deleting", "blocked"}

// mlKind is what the fake models of a detector's function: count,
// rare, distinct_count, info_content, time, lat_long, or the bucket
// statistic (sum, mean, median, min, max, varp; metric reads as mean).
// It is also the records' function_description.
func mlKind(f job.Function) string {
	switch f.Family {
	case job.FamRare:
		return "rare"
	case job.FamCount:
		return "count"
	case job.FamDistinct:
		return "distinct_count"
	case job.FamInfo:
		return "info_content"
	case job.FamTime:
		return "time"
	case job.FamLatLong:
		return "lat_long"
	}
	if f.Metric == "metric" {
		return "mean"
	}
	return f.Metric
}

// createBody checks the id of a job or datafeed to create (idKey:
// job_id or datafeed_id) and reads the request's body, whose own id, if
// it has one, must be the same; it answers the errors itself.
func (s *Server) createBody(w http.ResponseWriter, r *http.Request, idKey, id string) (map[string]any, bool) {
	if !mlIDRe.MatchString(id) {
		esError(w, 400, "illegal_argument_exception", fmt.Sprintf("Invalid %s; '%s' can contain lowercase alphanumeric (a-z and 0-9), hyphens or underscores; must start and end with alphanumeric", idKey, id), nil)
		return nil, false
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return nil, false
	}
	if bid, ok := body[idKey].(string); ok && bid != id {
		esError(w, 400, "illegal_argument_exception", fmt.Sprintf("Inconsistent %s; '%s' specified in the body differs from '%s' specified as a URL argument", idKey, bid, id), nil)
		return nil, false
	}
	return body, true
}

func (s *Server) putJob(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := s.createBody(w, r, "job_id", id)
	if !ok {
		return
	}
	var illegal []string
	for _, k := range jobCreateOnly {
		if _, ok := body[k]; ok {
			illegal = append(illegal, k)
		}
	}
	if len(illegal) > 0 {
		esError(w, 400, "illegal_argument_exception", "The job is configured with fields ["+strings.Join(illegal, ", ")+"] that are illegal to set at job creation", nil)
		return
	}
	j, msg := newMLJob(id, body)
	if msg != "" {
		esError(w, 400, "illegal_argument_exception", msg, nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ml()
	if _, ok := st.jobs[id]; ok {
		esError(w, 400, "resource_already_exists_exception", "The job cannot be created with the Id '"+id+"'. The Id is already used.", nil)
		return
	}
	st.jobs[id] = j
	writeJSON(w, 200, j.config)
}

// newMLJob validates a job configuration and fills Elasticsearch's
// defaults; msg says what is wrong.
func newMLJob(id string, body map[string]any) (*mlJob, string) {
	ac, _ := body["analysis_config"].(map[string]any)
	if ac == nil {
		return nil, "An analysis_config must be set"
	}
	dd, _ := body["data_description"].(map[string]any)
	if dd == nil {
		return nil, "A data_description must be set"
	}
	span := 5 * time.Minute
	if bs, ok := ac["bucket_span"]; ok {
		str, _ := bs.(string)
		d, err := date.ParseTimeValue(str)
		if err != nil || d <= 0 || d%time.Second != 0 {
			return nil, fmt.Sprintf("failed to parse setting [analysis_config.bucket_span] with value [%v] as a time value", bs)
		}
		span = d
	} else {
		ac["bucket_span"] = "5m"
	}
	dets, _ := ac["detectors"].([]any)
	if len(dets) == 0 {
		return nil, "No detectors configured"
	}
	j := &mlJob{id: id, bucketSpan: span, state: "closed", timeField: "@timestamp"}
	if tf, ok := dd["time_field"].(string); ok && tf != "" {
		j.timeField = tf
	} else {
		dd["time_field"] = "time"
		j.timeField = "time"
	}
	if _, ok := dd["time_format"]; !ok {
		dd["time_format"] = "epoch_ms"
	}
	for i, x := range dets {
		dm, _ := x.(map[string]any)
		if dm == nil {
			return nil, fmt.Sprintf("detector %d is not an object", i)
		}
		str := func(k string) string { v, _ := dm[k].(string); return v }
		d := mlDetector{index: i, function: str("function"), field: str("field_name"), by: str("by_field_name"),
			over: str("over_field_name"), partition: str("partition_field_name"), description: str("detector_description")}
		fn, err := job.ParseFunction(d.function)
		if err != nil || fn.Name != d.function {
			return nil, "Unknown function '" + d.function + "'"
		}
		kind := mlKind(fn)
		d.functionDescribing = kind
		if needsField := kind != "count" && kind != "rare" && kind != "time"; needsField && d.field == "" {
			return nil, "field_name must be set when the '" + d.function + "' function is used"
		}
		if kind == "rare" && d.by == "" {
			return nil, "by_field_name must be set when the '" + d.function + "' function is used"
		}
		if kind == "count" && d.field != "" {
			return nil, "field_name cannot be used with function '" + d.function + "'"
		}
		rules, _ := dm["custom_rules"].([]any)
		for _, rx := range rules {
			rm, _ := rx.(map[string]any)
			var rule mlRule
			acts, _ := rm["actions"].([]any)
			if len(acts) == 0 {
				rule.skip = true // skip_result is the default action
			}
			for _, a := range acts {
				rule.skip = rule.skip || a == "skip_result"
			}
			if _, scoped := rm["scope"]; scoped {
				continue // filter lists are not modelled: the rule never applies
			}
			conds, _ := rm["conditions"].([]any)
			for _, cx := range conds {
				cm, _ := cx.(map[string]any)
				v, _ := number(cm["value"])
				a, _ := cm["applies_to"].(string)
				op, _ := cm["operator"].(string)
				rule.conds = append(rule.conds, mlCond{appliesTo: a, op: op, value: v})
			}
			if len(rule.conds) == 0 {
				return nil, "Invalid detector rule: at least scope or a condition is required"
			}
			d.rules = append(d.rules, rule)
		}
		if _, ok := dm["detector_index"]; !ok {
			dm["detector_index"] = i
		}
		j.detectors = append(j.detectors, d)
	}
	cfg := map[string]any{}
	for k, v := range body {
		cfg[k] = v
	}
	delete(cfg, "datafeed_config")
	cfg["job_id"] = id
	cfg["job_type"] = "anomaly_detector"
	cfg["job_version"] = "12.0.0"
	cfg["create_time"] = time.Now().UnixMilli()
	if _, ok := cfg["analysis_limits"]; !ok {
		cfg["analysis_limits"] = map[string]any{"model_memory_limit": "1024mb", "categorization_examples_limit": 4}
	}
	for k, v := range map[string]any{"model_snapshot_retention_days": 10, "daily_model_snapshot_retention_after_days": 1,
		"results_index_name": "shared", "allow_lazy_open": false} {
		if _, ok := cfg[k]; !ok {
			cfg[k] = v
		}
	}
	j.config = roundTrip(cfg)
	return j, ""
}

func (s *Server) getJob(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.ml().jobs[id]
	if j == nil {
		unknownJob(w, id)
		return
	}
	writeJSON(w, 200, map[string]any{"count": 1, "jobs": []any{j.config}})
}

func forced(r *http.Request) bool {
	v := r.URL.Query().Get("force")
	return v == "" && r.URL.Query().Has("force") || v == "true"
}

func (s *Server) deleteJob(w http.ResponseWriter, r *http.Request, id string) {
	force := forced(r)
	s.mu.Lock()
	st := s.ml()
	j := st.jobs[id]
	if j == nil {
		s.mu.Unlock()
		unknownJob(w, id)
		return
	}
	// Elasticsearch 8 deletes the job's datafeed first, with the same
	// force.
	if df := st.datafeeds[j.datafeed]; df != nil {
		if df.state == "started" && !force {
			s.mu.Unlock()
			esError(w, 409, "status_exception", "Cannot delete datafeed ["+df.id+"] while its status is started", nil)
			return
		}
		df.halt()
		delete(st.datafeeds, df.id)
	}
	if j.state == "opened" && !force {
		s.mu.Unlock()
		esError(w, 409, "status_exception", "Cannot delete job ["+id+"] because the job is opened", nil)
		return
	}
	delete(st.jobs, id)
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"acknowledged": true})
}

func (s *Server) openJob(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ml()
	j := st.jobs[id]
	if j == nil {
		unknownJob(w, id)
		return
	}
	if reason, ok := st.failOpen[id]; ok {
		if lazy, _ := j.config["allow_lazy_open"].(bool); lazy {
			j.state, j.unassigned = "opening", reason
			writeJSON(w, 200, map[string]any{"opened": true, "node": ""})
			return
		}
		j.state = "failed"
		esError(w, 429, "status_exception", reason, nil)
		return
	}
	if j.state != "opened" {
		j.state = "opened"
		j.openTime = time.Now()
	}
	writeJSON(w, 200, map[string]any{"opened": true, "node": "fakees-node"})
}

func (s *Server) closeJob(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ml()
	j := st.jobs[id]
	if j == nil {
		unknownJob(w, id)
		return
	}
	if df := st.datafeeds[j.datafeed]; df != nil && df.state == "started" {
		esError(w, 409, "status_exception", "cannot close job ["+id+"], datafeed hasn't been stopped", nil)
		return
	}
	j.state = "closed"
	writeJSON(w, 200, map[string]any{"closed": true})
}

func millisOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func (s *Server) jobStats(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.ml().jobs[id]
	if j == nil {
		unknownJob(w, id)
		return
	}
	c := j.counts
	dc := map[string]any{
		"job_id": id, "processed_record_count": c.processed, "processed_field_count": c.processed,
		"input_record_count": c.processed, "input_field_count": c.processed, "invalid_date_count": 0,
		"missing_field_count": c.missingField, "out_of_order_timestamp_count": 0, "empty_bucket_count": c.emptyBuckets,
		"sparse_bucket_count": 0, "bucket_count": c.buckets,
	}
	for k, t := range map[string]time.Time{"earliest_record_timestamp": c.earliest, "latest_record_timestamp": c.latest, "latest_bucket_timestamp": c.lastBucket} {
		if v := millisOrNil(t); v != nil {
			dc[k] = v
		}
	}
	js := map[string]any{
		"job_id":      id,
		"state":       j.state,
		"data_counts": dc,
		"model_size_stats": map[string]any{"job_id": id, "result_type": "model_size_stats", "model_bytes": 0,
			"memory_status": "ok", "total_by_field_count": 0, "total_partition_field_count": 0, "bucket_allocation_failures_count": 0},
		"forecasts_stats": map[string]any{"total": 0, "forecasted_jobs": 0},
		"timing_stats":    map[string]any{"job_id": id, "bucket_count": c.buckets},
	}
	if j.state == "opening" {
		js["assignment_explanation"] = j.unassigned
	}
	if j.state == "opened" {
		js["node"] = map[string]any{"id": "fakees-node", "name": "fakees-node"}
		js["open_time"] = time.Since(j.openTime).Truncate(time.Second).String()
		js["assignment_explanation"] = ""
	}
	writeJSON(w, 200, map[string]any{"count": 1, "jobs": []any{js}})
}

func (s *Server) putDatafeed(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := s.createBody(w, r, "datafeed_id", id)
	if !ok {
		return
	}
	jobID, _ := body["job_id"].(string)
	if jobID == "" {
		esError(w, 400, "action_request_validation_exception", "Validation Failed: 1: a job_id must be set;", nil)
		return
	}
	var indices []string
	switch ix := body["indices"].(type) {
	case []any:
		for _, x := range ix {
			if str, ok := x.(string); ok {
				indices = append(indices, str)
			}
		}
	case string:
		indices = []string{ix}
	}
	if len(indices) == 0 {
		esError(w, 400, "action_request_validation_exception", "Validation Failed: 1: datafeed indices must be set;", nil)
		return
	}
	q, ok := body["query"].(map[string]any)
	if !ok {
		if _, has := body["query"]; has {
			esError(w, 400, "x_content_parse_exception", "[query] must be an object", nil)
			return
		}
		q = map[string]any{"match_all": map[string]any{}}
	}
	if _, err := dsl.Parse(q); err != nil {
		esError(w, 400, "x_content_parse_exception", "Datafeed query is not parsable: "+err.Error(), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ml()
	if _, ok := st.datafeeds[id]; ok {
		esError(w, 400, "resource_already_exists_exception", "A datafeed with id ["+id+"] already exists", nil)
		return
	}
	j := st.jobs[jobID]
	if j == nil {
		unknownJob(w, jobID)
		return
	}
	if j.datafeed != "" && st.datafeeds[j.datafeed] != nil {
		esError(w, 409, "status_exception", "A datafeed ["+j.datafeed+"] already exists for job ["+jobID+"]", nil)
		return
	}
	cfg := map[string]any{}
	for k, v := range body {
		cfg[k] = v
	}
	cfg["datafeed_id"] = id
	cfg["indices"] = indices
	cfg["query"] = q
	for k, v := range map[string]any{"query_delay": "90s", "scroll_size": 1000, "chunking_config": map[string]any{"mode": "auto"},
		"delayed_data_check_config": map[string]any{"enabled": true}} {
		if _, ok := cfg[k]; !ok {
			cfg[k] = v
		}
	}
	df := &mlDatafeed{id: id, jobID: jobID, config: roundTrip(cfg), indices: indices, query: q, state: "stopped"}
	st.datafeeds[id] = df
	j.datafeed = id
	writeJSON(w, 200, df.config)
}

func (s *Server) getDatafeed(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	df := s.ml().datafeeds[id]
	if df == nil {
		unknownDatafeed(w, id)
		return
	}
	writeJSON(w, 200, map[string]any{"count": 1, "datafeeds": []any{df.config}})
}

func (s *Server) deleteDatafeed(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ml()
	df := st.datafeeds[id]
	if df == nil {
		unknownDatafeed(w, id)
		return
	}
	if df.state == "started" && !forced(r) {
		esError(w, 409, "status_exception", "Cannot delete datafeed ["+id+"] while its status is started", nil)
		return
	}
	df.halt()
	delete(st.datafeeds, id)
	if j := st.jobs[df.jobID]; j != nil && j.datafeed == id {
		j.datafeed = ""
	}
	writeJSON(w, 200, map[string]any{"acknowledged": true})
}

// halt stops a running datafeed (s.mu held).
func (df *mlDatafeed) halt() {
	if df.stop != nil {
		close(df.stop)
		df.stop = nil
	}
	df.state = "stopped"
}

// parseMLTime reads a datafeed or results time parameter: ISO 8601, epoch
// seconds (up to 10 digits) or milliseconds, or date math from now.
func parseMLTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if strings.Trim(s, "0123456789") == "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		if len(s) <= 10 {
			return time.Unix(n, 0).UTC(), true
		}
		return time.UnixMilli(n).UTC(), true
	}
	if strings.HasPrefix(s, "now") {
		t, err := date.Math(s, time.Now().UTC(), date.RoundDown)
		return t, err == nil
	}
	t, err := date.Parse(s, date.RoundDown)
	return t, err == nil
}

// param is a request parameter from the query string or the JSON body.
func param(r *http.Request, body map[string]any, name string) (string, bool) {
	if r.URL.Query().Has(name) {
		return r.URL.Query().Get(name), true
	}
	switch v := body[name].(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func (s *Server) startDatafeed(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var start, end time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"start", &start}, {"end", &end}} {
		v, ok := param(r, body, p.name)
		if !ok {
			continue
		}
		t, ok := parseMLTime(v)
		if !ok {
			esError(w, 400, "illegal_argument_exception", fmt.Sprintf("Query param [%s] with value [%s] cannot be parsed as a date or converted to a number (epoch).", p.name, v), nil)
			return
		}
		*p.dst = t
	}
	if !end.IsZero() && !end.After(start) {
		esError(w, 400, "illegal_argument_exception", "[end] must be after [start]", nil)
		return
	}
	s.mu.Lock()
	st := s.ml()
	df := st.datafeeds[id]
	if df == nil {
		s.mu.Unlock()
		unknownDatafeed(w, id)
		return
	}
	j := st.jobs[df.jobID]
	if j == nil {
		s.mu.Unlock()
		unknownJob(w, df.jobID)
		return
	}
	if df.state == "started" {
		s.mu.Unlock()
		esError(w, 409, "status_exception", "cannot start datafeed ["+id+"] because it has already been started", nil)
		return
	}
	if j.state == "opening" {
		// Lazily opened: the datafeed waits for the job's node.
		df.state = "starting"
		s.mu.Unlock()
		writeJSON(w, 200, map[string]any{"started": true, "node": ""})
		return
	}
	if j.state != "opened" {
		s.mu.Unlock()
		esError(w, 409, "status_exception", "cannot start datafeed ["+id+"] because job ["+j.id+"] is "+j.state, nil)
		return
	}
	if end.IsZero() {
		// Real-time datafeeds never stop by themselves; the fake reads
		// what is there up to now and stays started until stopped.
		df.end = time.Time{}
	} else {
		df.end = end
	}
	df.start = start
	df.state = "started"
	df.stop = make(chan struct{})
	stop := df.stop
	st.wg.Add(1)
	s.mu.Unlock()
	go s.runDatafeed(df, j, start, end, stop)
	writeJSON(w, 200, map[string]any{"started": true, "node": "fakees-node"})
}

func (s *Server) stopDatafeed(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	df := s.ml().datafeeds[id]
	if df == nil {
		unknownDatafeed(w, id)
		return
	}
	df.halt()
	writeJSON(w, 200, map[string]any{"stopped": true})
}

func (s *Server) datafeedStats(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ml()
	df := st.datafeeds[id]
	if df == nil {
		unknownDatafeed(w, id)
		return
	}
	buckets := int64(0)
	if j := st.jobs[df.jobID]; j != nil {
		buckets = j.counts.buckets
	}
	out := map[string]any{
		"datafeed_id": id,
		"state":       df.state,
		"timing_stats": map[string]any{"job_id": df.jobID, "search_count": df.searches, "bucket_count": buckets,
			"total_search_time_ms": 0.0, "average_search_time_per_bucket_ms": 0.0, "exponential_average_search_time_per_hour_ms": 0.0},
	}
	if j := st.jobs[df.jobID]; df.state == "starting" && j != nil {
		out["assignment_explanation"] = j.unassigned
	}
	if df.state == "started" {
		out["node"] = map[string]any{"id": "fakees-node", "name": "fakees-node"}
		out["assignment_explanation"] = ""
		out["running_state"] = map[string]any{"real_time_configured": df.end.IsZero(), "real_time_running": false}
	}
	writeJSON(w, 200, map[string]any{"count": 1, "datafeeds": []any{out}})
}

// mlDoc is a document a datafeed read.
type mlDoc struct {
	t   time.Time
	src map[string]any
}

// runDatafeed reads the datafeed's documents, feeds them to its job, and
// stops the datafeed (closing the job when it has an end).
func (s *Server) runDatafeed(df *mlDatafeed, j *mlJob, start, end time.Time, stop chan struct{}) {
	defer s.ml().wg.Done()
	s.mu.Lock()
	docs := s.datafeedDocs(df, j, start, end)
	df.searches++
	s.mu.Unlock()
	select {
	case <-stop:
		return
	default:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if df.stop != stop { // stopped or deleted meanwhile
		return
	}
	if j.model == nil {
		j.model = newMLModel(j)
	}
	j.model.feed(j, docs, start, end)
	if end.IsZero() {
		return // a real-time datafeed runs until stopped
	}
	df.stop = nil
	df.state = "stopped"
	j.state = "closed"
}

// datafeedDocs are the documents of the datafeed's indices in [start,
// end) that its query matches, by time (s.mu held).
func (s *Server) datafeedDocs(df *mlDatafeed, j *mlJob, start, end time.Time) []mlDoc {
	q, err := dsl.Parse(df.query)
	if err != nil {
		return nil
	}
	var patterns []string
	for _, ix := range df.indices {
		for _, p := range strings.Split(ix, ",") {
			if p = strings.TrimSpace(p); p != "" {
				patterns = append(patterns, p)
			}
		}
	}
	seen := map[*index]bool{}
	var ixs []*index
	add := func(name string, list []*index) {
		for _, p := range patterns {
			if strings.HasPrefix(p, "-") || (strings.HasPrefix(name, ".") && !strings.HasPrefix(p, ".")) {
				continue
			}
			if wildcard.MatchString(p, name) {
				for _, ix := range list {
					if !seen[ix] {
						seen[ix] = true
						ixs = append(ixs, ix)
					}
				}
				return
			}
		}
	}
	for name, ds := range s.streams {
		add(name, ds.backing)
	}
	for name, ix := range s.indices {
		if ix.dataStream == "" {
			add(name, []*index{ix})
		}
	}
	sort.Slice(ixs, func(a, b int) bool { return ixs[a].name < ixs[b].name })
	now := time.Now().UTC()
	var out []mlDoc
	for _, ix := range ixs {
		types := ix.mapping.lookup
		ids := make([]string, 0, len(ix.docs))
		for id := range ix.docs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			d := ix.docs[id]
			if d.source == nil {
				continue
			}
			var src map[string]any
			dec := json.NewDecoder(bytes.NewReader(d.source))
			dec.UseNumber()
			if dec.Decode(&src) != nil {
				continue
			}
			var t time.Time
			ok := false
			for _, v := range document.Scalars(src, j.timeField) {
				if t, ok = esvalue.DocDate(v); ok {
					break
				}
			}
			if !ok || t.Before(start) || (!end.IsZero() && !t.Before(end)) {
				continue
			}
			if !q.MatchAt(src, types, now) {
				continue
			}
			out = append(out, mlDoc{t: t, src: src})
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].t.Before(out[b].t) })
	return out
}

// lookup types a field by its dotted name for the evaluators: keyword
// when unmapped.
func (m *mapping) lookup(name string) estype.Mapping {
	f := m.root
	rest := name
	for f != nil && rest != "" {
		var next *field
		// The longest prefix of rest that is a property (names may hold
		// dots), then the multi-fields.
		for i := len(rest); i > 0; i-- {
			if i < len(rest) && rest[i] != '.' {
				continue
			}
			part := rest[:i]
			if c, ok := f.props[part]; ok {
				next, rest = c, strings.TrimPrefix(rest[i:], ".")
				break
			}
			if c, ok := f.fields[part]; ok {
				next, rest = c, strings.TrimPrefix(rest[i:], ".")
				break
			}
		}
		f = next
	}
	if f == nil || rest != "" || f.typ == "object" || f.typ == "nested" {
		return estype.Mapping{}
	}
	return estype.Mapping{Type: estype.Type(f.typ)}
}

// mlModel is what a job of the fake learnt: per detector and series, the
// statistics of the buckets seen.
type mlModel struct {
	series      []map[string]*mlSeries // per detector
	firstBucket time.Time
	dataBuckets int // buckets with data
	lastBucket  time.Time
}

type mlSeries struct {
	first   time.Time
	history []float64
	fields  map[string]string // split field -> value
}

func newMLModel(j *mlJob) *mlModel {
	m := &mlModel{series: make([]map[string]*mlSeries, len(j.detectors))}
	for i := range m.series {
		m.series[i] = map[string]*mlSeries{}
	}
	return m
}

// bucketAcc accumulates one series' documents in one bucket.
type bucketAcc struct {
	n      int
	nums   []float64
	vals   map[string]bool
	fields map[string]string
}

// feed analyses the documents of [start, end), bucket by bucket.
func (m *mlModel) feed(j *mlJob, docs []mlDoc, start, end time.Time) {
	span := j.bucketSpan
	align := func(t time.Time) time.Time {
		return time.UnixMilli(t.UnixMilli() - t.UnixMilli()%span.Milliseconds()).UTC()
	}
	i := 0
	for i < len(docs) {
		b := align(docs[i].t)
		k := i
		for k < len(docs) && align(docs[k].t).Equal(b) {
			k++
		}
		if !m.lastBucket.IsZero() && b.After(m.lastBucket.Add(span)) {
			j.counts.emptyBuckets += int64(b.Sub(m.lastBucket)/span) - 1
		}
		m.bucket(j, b, docs[i:k])
		i = k
	}
	_ = start
	_ = end
}

func (m *mlModel) bucket(j *mlJob, b time.Time, docs []mlDoc) {
	if m.firstBucket.IsZero() {
		m.firstBucket = b
	}
	j.counts.buckets++
	j.counts.lastBucket = b
	for _, d := range docs {
		j.counts.processed++
		if j.counts.earliest.IsZero() || d.t.Before(j.counts.earliest) {
			j.counts.earliest = d.t
		}
		if d.t.After(j.counts.latest) {
			j.counts.latest = d.t
		}
	}
	for di, det := range j.detectors {
		accs := map[string]*bucketAcc{}
		var keys []string
		for _, d := range docs {
			key, fields, ok := det.seriesOf(d.src)
			if !ok {
				j.counts.missingField++
				continue
			}
			a := accs[key]
			if a == nil {
				a = &bucketAcc{vals: map[string]bool{}, fields: fields}
				accs[key] = a
				keys = append(keys, key)
			}
			a.n++
			switch det.functionDescribing {
			case "time":
				day := d.t.Sub(d.t.Truncate(24 * time.Hour)).Seconds()
				if det.function == "time_of_week" {
					day += float64((int(d.t.Weekday())+6)%7) * 86400
				}
				a.nums = append(a.nums, day)
			case "distinct_count", "info_content":
				for _, v := range document.Scalars(d.src, det.field) {
					if t, ok := document.ScalarText(v); ok {
						a.vals[t] = true
					}
				}
			case "count", "rare", "lat_long":
			default:
				for _, v := range document.Scalars(d.src, det.field) {
					if r, ok := esvalue.DocNumber(v); ok {
						f, _ := r.Float64()
						a.nums = append(a.nums, f)
					}
				}
			}
		}
		sort.Strings(keys)
		series := m.series[di]
		// count, high_count and low_count see the empty buckets of a
		// series as zeros.
		zeros := det.function == "count" || det.function == "high_count" || det.function == "low_count"
		if zeros {
			var all []string
			for k := range series {
				if accs[k] == nil {
					all = append(all, k)
				}
			}
			sort.Strings(all)
			for _, k := range all {
				sr := series[k]
				if len(sr.history) >= mlWarmup {
					typical := job.Median(sr.history)
					if score := det.score(0, typical, sr.history); score >= mlMinScore && !det.skips(0, typical) {
						j.record(det, b, &bucketAcc{fields: sr.fields}, score, []float64{0}, []float64{typical})
					}
				}
				sr.history = append(sr.history, 0)
			}
		}
		for _, key := range keys {
			a := accs[key]
			sr := series[key]
			if sr == nil {
				sr = &mlSeries{first: b, fields: a.fields}
				series[key] = sr
				if det.functionDescribing == "rare" && m.dataBuckets >= mlWarmup {
					n := float64(m.dataBuckets)
					j.record(det, b, a, 100*n/(n+mlWarmup), []float64{1}, []float64{0})
				}
			}
			if det.functionDescribing == "rare" || det.functionDescribing == "lat_long" {
				continue
			}
			actual, ok := det.statistic(a)
			if !ok {
				continue
			}
			if len(sr.history) >= mlWarmup {
				typical := job.Median(sr.history)
				if score := det.score(actual, typical, sr.history); score >= mlMinScore && !det.skips(actual, typical) {
					j.record(det, b, a, score, []float64{actual}, []float64{typical})
				}
			}
			sr.history = append(sr.history, actual)
		}
	}
	m.dataBuckets++
	m.lastBucket = b
}

// seriesOf is the series a document belongs to for the detector.
func (d *mlDetector) seriesOf(src map[string]any) (string, map[string]string, bool) {
	var key strings.Builder
	fields := map[string]string{}
	for _, f := range []string{d.by, d.over, d.partition} {
		if f == "" {
			key.WriteByte(0)
			continue
		}
		vals := document.Scalars(src, f)
		if len(vals) == 0 {
			return "", nil, false
		}
		t, ok := document.ScalarText(vals[0])
		if !ok {
			return "", nil, false
		}
		fields[f] = t
		key.WriteString(t)
		key.WriteByte(0)
	}
	return key.String(), fields, true
}

// statistic is the detector's statistic of a series' bucket.
func (d *mlDetector) statistic(a *bucketAcc) (float64, bool) {
	switch d.functionDescribing {
	case "count":
		return float64(a.n), true
	case "distinct_count":
		return float64(len(a.vals)), true
	case "info_content":
		total := 0.0
		for v := range a.vals {
			total += float64(len([]rune(v))) * job.Entropy(v)
		}
		return total, true
	}
	name := d.functionDescribing
	if name == "time" {
		name = "mean"
	}
	return job.Statistic(name, a.nums)
}

// score is the fake's record_score of actual against typical, the
// median of the series' history.
func (d *mlDetector) score(actual, typical float64, history []float64) float64 {
	if d.functionDescribing == "time" {
		period := 86400.0
		if d.function == "time_of_week" {
			period = 7 * 86400
		}
		dist := math.Mod(math.Abs(actual-typical), period)
		dist = math.Min(dist, period-dist)
		return math.Min(100, 100*dist/(period/2))
	}
	high := strings.HasPrefix(d.function, "high_")
	low := strings.HasPrefix(d.function, "low_")
	if (high && actual <= typical) || (low && actual >= typical) {
		return 0
	}
	a, t := math.Max(actual, 0), math.Max(typical, 0)
	r := (a + 1) / (t + 1)
	if r < 1 {
		r = 1 / r
	}
	score := 100 * (1 - 1/r)
	switch d.functionDescribing {
	case "count", "distinct_count":
		return score
	}
	// Values: also how far actual lies from typical in robust deviations
	// of the history (1.4826 MADs, at least 5% of typical).
	dev := make([]float64, len(history))
	for i, x := range history {
		dev[i] = math.Abs(x - typical)
	}
	s := math.Max(1.4826*job.Median(dev), 0.05*math.Abs(typical))
	if s <= 0 {
		return score
	}
	if z := math.Abs(actual-typical) / s; z > 3 {
		score = math.Max(score, 100*(1-3/z))
	}
	return score
}

// skips reports whether a skip_result custom rule drops the result.
func (d *mlDetector) skips(actual, typical float64) bool {
	for _, r := range d.rules {
		if !r.skip {
			continue
		}
		all := true
		for _, c := range r.conds {
			x := actual
			switch c.appliesTo {
			case "typical":
				x = typical
			case "diff_from_typical":
				x = math.Abs(actual - typical)
			}
			var holds bool
			switch c.op {
			case "gt":
				holds = x > c.value
			case "gte":
				holds = x >= c.value
			case "lt":
				holds = x < c.value
			case "lte":
				holds = x <= c.value
			}
			all = all && holds
		}
		if all {
			return true
		}
	}
	return false
}

// record writes an anomaly record, as Elasticsearch's record results look
// (s.mu held).
func (j *mlJob) record(d mlDetector, b time.Time, a *bucketAcc, score float64, actual, typical []float64) {
	score = math.Round(score*1000) / 1000
	rec := map[string]any{
		"job_id":               j.id,
		"result_type":          "record",
		"probability":          math.Pow(10, -score/10),
		"multi_bucket_impact":  0.0,
		"record_score":         score,
		"initial_record_score": score,
		"bucket_span":          int64(j.bucketSpan / time.Second),
		"detector_index":       d.index,
		"is_interim":           false,
		"timestamp":            b.UnixMilli(),
		"function":             d.function,
		"function_description": d.functionDescribing,
	}
	rec["actual"], rec["typical"] = actual, typical
	if d.field != "" {
		rec["field_name"] = d.field
	}
	for _, x := range []struct{ key, field string }{{"by_field", d.by}, {"over_field", d.over}, {"partition_field", d.partition}} {
		if x.field == "" {
			continue
		}
		rec[x.key+"_name"] = x.field
		rec[x.key+"_value"] = a.fields[x.field]
		rec[x.field] = []any{a.fields[x.field]}
	}
	var infl []any
	inflNames, _ := j.config["analysis_config"].(map[string]any)["influencers"].([]any)
	for _, n := range inflNames {
		name, _ := n.(string)
		if v, ok := a.fields[name]; ok {
			infl = append(infl, map[string]any{"influencer_field_name": name, "influencer_field_values": []any{v}})
		}
	}
	if len(infl) > 0 {
		rec["influencers"] = infl
	}
	j.records = append(j.records, rec)
}

func (s *Server) getRecords(w http.ResponseWriter, r *http.Request, id string) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var start, end time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"start", &start}, {"end", &end}} {
		if v, ok := param(r, body, p.name); ok && v != "-1" {
			t, ok := parseMLTime(v)
			if !ok {
				esError(w, 400, "illegal_argument_exception", fmt.Sprintf("Query param [%s] with value [%s] cannot be parsed as a date or converted to a number (epoch).", p.name, v), nil)
				return
			}
			*p.dst = t
		}
	}
	minScore := 0.0
	if v, ok := param(r, body, "record_score"); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			esError(w, 400, "illegal_argument_exception", "record_score must be a number", nil)
			return
		}
		minScore = f
	}
	sortField := "record_score"
	if v, ok := param(r, body, "sort"); ok && v != "" {
		sortField = v
	}
	desc := false
	if v, ok := param(r, body, "desc"); ok {
		desc = v == "true" || v == ""
	}
	from, size := 0, 100
	page, _ := body["page"].(map[string]any)
	for _, p := range []struct {
		name string
		dst  *int
	}{{"from", &from}, {"size", &size}} {
		v, ok := param(r, page, p.name)
		if !ok {
			v, ok = param(r, body, p.name)
		}
		if ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				esError(w, 400, "illegal_argument_exception", "Parameter ["+p.name+"] cannot be a negative number or not an integer", nil)
				return
			}
			*p.dst = n
		}
	}
	s.mu.Lock()
	j := s.ml().jobs[id]
	var recs []map[string]any
	if j != nil {
		for _, rec := range j.records {
			ts := time.UnixMilli(rec["timestamp"].(int64)).UTC()
			if (!start.IsZero() && ts.Before(start)) || (!end.IsZero() && !ts.Before(end)) || rec["record_score"].(float64) < minScore {
				continue
			}
			recs = append(recs, rec)
		}
	}
	s.mu.Unlock()
	if j == nil {
		unknownJob(w, id)
		return
	}
	key := func(rec map[string]any) float64 {
		switch v := rec[sortField].(type) {
		case float64:
			return v
		case int64:
			return float64(v)
		case int:
			return float64(v)
		}
		return 0
	}
	sort.SliceStable(recs, func(a, b int) bool {
		if desc {
			return key(recs[a]) > key(recs[b])
		}
		return key(recs[a]) < key(recs[b])
	})
	count := len(recs)
	if from > len(recs) {
		from = len(recs)
	}
	recs = recs[from:]
	if size < len(recs) {
		recs = recs[:size]
	}
	out := make([]any, len(recs))
	for i, rec := range recs {
		out[i] = rec
	}
	writeJSON(w, 200, map[string]any{"count": count, "records": out})
}
