// Package job reads Elasticsearch anomaly-detection jobs and their
// datafeeds: the configurations the machine_learning detection rules run
// on. It reads them as they come: Elasticsearch's get-jobs and
// get-datafeeds responses, single job and datafeed objects, Kibana's job
// exports ([{"job": ..., "datafeed": ...}]), Kibana ML modules (an
// integration's ml_module file, or a data recognizer module's ml/<job>.json
// beside datafeed_<job>.json), and the one-file-per-job layout of
// ../shared/etc/ml (job, datafeed and the module they come from).
//
// It only reads: generating a job's data is package ml's, creating the job
// in Elasticsearch the sink's. Errors name the file and, for malformed
// JSON, the line and column with a caret.
package job

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/date"
)

// Job is an anomaly-detection job with its datafeed.
type Job struct {
	ID          string
	Description string
	Groups      []string
	// BucketSpan is analysis_config.bucket_span: the job summarises its
	// input in buckets this long, aligned on multiples of it since the
	// Unix epoch.
	BucketSpan time.Duration
	Detectors  []Detector
	// Influencers are the fields the job's results name as the entities
	// that contributed to an anomaly.
	Influencers []string
	// SummaryCountField is analysis_config.summary_count_field_name: the
	// input is pre-aggregated, each document standing for this many.
	SummaryCountField string
	// CategorizationField is analysis_config.categorization_field_name.
	CategorizationField string
	// TimeField is data_description.time_field (default @timestamp);
	// TimeFormat its time_format ("" or epoch_ms, ...).
	TimeField, TimeFormat string
	// Datafeed feeds the job; nil when none was found.
	Datafeed *Datafeed
	// Module is the ML module the job comes from, when the input says.
	Module Module
	// Note says what is uncertain about the job's files (a datafeed taken
	// from a sibling job), when the input says.
	Note string
	// File is where the job was read.
	File string
	// Config is the job's configuration as read (JSON), for creating the
	// job in Elasticsearch.
	Config json.RawMessage
}

// Detector is one detector of a job's analysis_config.
type Detector struct {
	Index       int // detector_index: its position in the job
	Description string
	// Function is the analysis function: count, high_count, rare,
	// high_sum, time_of_day, ...
	Function string
	// FieldName is the field the function analyses (field_name), "" for
	// count and rare functions.
	FieldName string
	// ByFieldName, OverFieldName and PartitionFieldName split the
	// analysis: per value of the by field, within the population of the
	// over field's values, per partition.
	ByFieldName, OverFieldName, PartitionFieldName string
	ExcludeFrequent                                string
	UseNull                                        bool
	CustomRules                                    []CustomRule
}

// SplitFields are the detector's by, over and partition fields that are
// set, in that order.
func (d *Detector) SplitFields() []string {
	var out []string
	for _, f := range []string{d.ByFieldName, d.OverFieldName, d.PartitionFieldName} {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// String is the detector as Kibana describes it: "high_sum(file.size)
// partitionfield=host.name".
func (d *Detector) String() string {
	var b strings.Builder
	b.WriteString(d.Function)
	if d.FieldName != "" {
		fmt.Fprintf(&b, "(%s)", d.FieldName)
	}
	if d.ByFieldName != "" {
		fmt.Fprintf(&b, " by %s", d.ByFieldName)
	}
	if d.OverFieldName != "" {
		fmt.Fprintf(&b, " over %s", d.OverFieldName)
	}
	if d.PartitionFieldName != "" {
		fmt.Fprintf(&b, " partitionfield=%s", d.PartitionFieldName)
	}
	return b.String()
}

// CustomRule is one of a detector's custom_rules: its actions apply to a
// result when every condition holds.
type CustomRule struct {
	Actions    []string // skip_result, skip_model_update
	Conditions []Condition
	// Scoped: the rule has a scope (filter lists), which it applies only
	// to the values those lists hold.
	Scoped bool
}

// Condition is a numerical condition of a custom rule: the result's
// actual or typical value, or their difference, compared with Value.
type Condition struct {
	AppliesTo string // actual, typical, diff_from_typical
	Operator  string // gt, gte, lt, lte
	Value     float64
}

// Holds reports whether the condition holds for a result whose actual
// and typical values are given.
func (c Condition) Holds(actual, typical float64) bool {
	x := actual
	switch c.AppliesTo {
	case "typical":
		x = typical
	case "diff_from_typical":
		x = actual - typical
		if x < 0 {
			x = -x
		}
	}
	switch c.Operator {
	case "gt":
		return x > c.Value
	case "gte":
		return x >= c.Value
	case "lt":
		return x < c.Value
	case "lte":
		return x <= c.Value
	}
	return false
}

// Skips reports whether the rule drops a result (skip_result) with these
// actual and typical values.
func (r CustomRule) Skips(actual, typical float64) bool {
	skip := false
	for _, a := range r.Actions {
		skip = skip || a == "skip_result"
	}
	if !skip || r.Scoped {
		return false
	}
	for _, c := range r.Conditions {
		if !c.Holds(actual, typical) {
			return false
		}
	}
	return true
}

// Datafeed is what feeds a job: the indices it searches, the query it
// searches them with, and the runtime fields it defines.
type Datafeed struct {
	ID string
	// Indices are the index patterns (the placeholder INDEX_PATTERN_NAME
	// in Kibana's module files, which setup replaces).
	Indices []string
	// Query is the Query DSL clause (match_all when the datafeed has
	// none).
	Query json.RawMessage
	// RuntimeMappings are the runtime fields the datafeed defines, by
	// name.
	RuntimeMappings map[string]RuntimeField
	// ScriptFields names the datafeed's script_fields.
	ScriptFields []string
	// Aggregated: the datafeed sends aggregations, not documents.
	Aggregated bool
	// Config is the datafeed as read (JSON).
	Config json.RawMessage
}

// RuntimeField is a runtime field of a datafeed.
type RuntimeField struct {
	Type   string
	Script string // the Painless source
}

// Module is the ML module a job comes from.
type Module struct {
	// ID names it: a Kibana data recognizer module (security_auth) or an
	// integration package (pad, lmd).
	ID string
	// Names are all the names the input gives the module (a Kibana
	// module's directory and manifest id, an integration's package and
	// module id: security_linux, security_linux_v3, pad, pad-ml), ID
	// first.
	Names []string
	// DefaultIndexPattern is what Kibana puts in place of
	// INDEX_PATTERN_NAME by default ("auditbeat-*,logs-*"); "" for
	// integration modules, which take the data view chosen at setup.
	DefaultIndexPattern string
}

// IndexPatternPlaceholder stands for the index pattern chosen at setup in
// Kibana's module datafeeds.
const IndexPatternPlaceholder = "INDEX_PATTERN_NAME"

// Catalog is the jobs read, by id.
type Catalog struct {
	jobs map[string]*Job
}

// NewCatalog returns a catalog of the jobs; a later job replaces an
// earlier one of the same id.
func NewCatalog(jobs ...*Job) *Catalog {
	c := &Catalog{jobs: map[string]*Job{}}
	for _, j := range jobs {
		c.Add(j)
	}
	return c
}

// Add adds a job, replacing one of the same id.
func (c *Catalog) Add(j *Job) {
	if c.jobs == nil {
		c.jobs = map[string]*Job{}
	}
	c.jobs[j.ID] = j
}

// Job returns the job of an id.
func (c *Catalog) Job(id string) (*Job, bool) {
	if c == nil {
		return nil, false
	}
	j, ok := c.jobs[strings.TrimSpace(id)]
	return j, ok
}

// Len is how many jobs the catalog holds.
func (c *Catalog) Len() int {
	if c == nil {
		return 0
	}
	return len(c.jobs)
}

// Jobs lists the jobs by id.
func (c *Catalog) Jobs() []*Job {
	if c == nil {
		return nil
	}
	out := make([]*Job, 0, len(c.jobs))
	for _, j := range c.jobs {
		out = append(out, j)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].ID < out[k].ID })
	return out
}

// parseBucketSpan reads a bucket_span: a time value of whole seconds.
func parseBucketSpan(s string) (time.Duration, error) {
	d, err := date.ParseTimeValue(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 || d%time.Second != 0 {
		return 0, fmt.Errorf("%q: a bucket span is a positive whole number of seconds", s)
	}
	return d, nil
}
