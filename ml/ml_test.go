package ml

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
)

// testEnd is the end of the test data: a Tuesday afternoon.
var testEnd = time.Date(2026, 3, 10, 14, 7, 31, 0, time.UTC)

// testJob makes a job of one detector (JSON), its datafeed searching
// logs-* with query, in a Kibana export.
func testJob(t *testing.T, id, span, detector, query string, influencers ...string) *job.Job {
	t.Helper()
	inf, _ := json.Marshal(influencers)
	if influencers == nil {
		inf = []byte("[]")
	}
	text := fmt.Sprintf(`[{"job":{"job_id":%q,"analysis_config":{"bucket_span":%q,"detectors":[%s],"influencers":%s},
		"data_description":{"time_field":"@timestamp"}},
		"datafeed":{"datafeed_id":"datafeed-%s","job_id":%q,"indices":["logs-*"],"query":%s}}]`, id, span, detector, inf, id, id, query)
	cat, problems := job.Parse(id+".json", []byte(text))
	for _, p := range problems {
		t.Fatalf("%v", p)
	}
	j, ok := cat.Job(id)
	if !ok {
		t.Fatalf("job %s not read", id)
	}
	return j
}

func testRule(id string, threshold int) *rules.Rule {
	return &rules.Rule{ID: "rule-" + id, Name: "ML " + id, Type: rules.TypeMachineLearning, From: "now-45m", Interval: "15m",
		MachineLearning: &rules.MachineLearning{JobIDs: []string{id}, AnomalyThreshold: threshold}}
}

// datafeedJudge is the datafeed query's evaluator on a document.
func datafeedJudge(t *testing.T, p *Plan) func([]byte, bool) error {
	q, err := query.Parse(string(p.Job.Datafeed.Query), query.DSL)
	if err != nil {
		t.Fatal(err)
	}
	types := p.Emitter().Schema().Types()
	return func(doc []byte, _ bool) error {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return err
		}
		if !q.MatchAt([]map[string]any{m}, types, p.End) {
			return fmt.Errorf("the datafeed query rejects %s", doc)
		}
		return nil
	}
}

func plan(t *testing.T, j *job.Job, opts Options) *Plan {
	t.Helper()
	if opts.Emitter.End.IsZero() {
		opts.Emitter.End = testEnd
	}
	if opts.Emitter.Seed == 0 {
		opts.Emitter.Seed = 7
	}
	r := testRule(j.ID, 75)
	plans, errs := PlanRules([]*rules.Rule{r}, job.NewCatalog(j), opts)
	if err := errs[r]; err != nil {
		t.Fatalf("%s: %v", j.ID, err)
	}
	return plans[0]
}

// digest runs a plan and hashes its documents.
func digest(t *testing.T, p *Plan) (uint64, int) {
	h := fnv.New64a()
	n := 0
	if err := p.Run(func(d emitter.Document) error {
		n++
		h.Write([]byte(d.Index))
		h.Write(d.Source)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return h.Sum64(), n
}

const processQuery = `{"bool":{"filter":[{"term":{"event.category":"process"}},{"term":{"event.type":"start"}}]}}`

const (
	networkQuery = `{"bool":{"filter":[{"term":{"event.category":"network"}}]}}`
	dnsQuery     = `{"bool":{"filter":[{"term":{"event.category":"network"}},{"exists":{"field":"dns.question.name"}}]}}`
	authQuery    = `{"bool":{"filter":[{"term":{"event.category":"authentication"}},{"term":{"event.outcome":"success"}}]}}`
)

// functionCases are one job per detector function, with what its test's
// explanation must say.
var functionCases = []struct {
	id, span, det, query string
	// what the test's explanation must say
	want string
}{
	{"rare", "15m", `{"function":"rare","by_field_name":"process.name","partition_field_name":"host.name"}`, processQuery, "never occurs in the baseline"},
	{"freq_rare", "15m", `{"function":"freq_rare","by_field_name":"process.name","over_field_name":"user.name"}`, processQuery, "never occurs in the baseline"},
	{"count", "15m", `{"function":"count","partition_field_name":"host.name"}`, processQuery, "events in the anomaly bucket"},
	{"high_count", "15m", `{"function":"high_count","partition_field_name":"host.name"}`, processQuery, "want at least 10 times"},
	{"high_non_zero_count", "1h", `{"function":"high_non_zero_count","by_field_name":"user.name"}`, authQuery, "want at least 10 times"},
	{"low_count", "1h", `{"function":"low_count","partition_field_name":"host.name"}`, processQuery, "want at most a 10th"},
	{"high_distinct_count", "15m", `{"function":"high_distinct_count","field_name":"destination.port","over_field_name":"source.ip"}`, networkQuery, "distinct values"},
	{"low_distinct_count", "15m", `{"function":"low_distinct_count","field_name":"process.name","partition_field_name":"host.name"}`, processQuery, "want at most a 5th"},
	{"high_sum", "1h", `{"function":"high_sum","field_name":"destination.bytes","over_field_name":"destination.geo.country_iso_code"}`, networkQuery, "want at least 10 times the median"},
	{"sum", "1h", `{"function":"sum","field_name":"source.bytes","partition_field_name":"host.name"}`, networkQuery, "want at least 10 times the median"},
	{"low_sum", "1h", `{"function":"low_sum","field_name":"source.bytes","partition_field_name":"host.name"}`, networkQuery, "want at most a 10th"},
	{"high_mean", "15m", `{"function":"high_mean","field_name":"event.duration","by_field_name":"user.name"}`, authQuery, "sd above the median"},
	{"low_mean", "15m", `{"function":"low_mean","field_name":"event.duration","by_field_name":"user.name"}`, authQuery, "sd below the median"},
	{"high_median", "1h", `{"function":"high_median","field_name":"source.bytes","partition_field_name":"host.name"}`, networkQuery, "sd above the median"},
	{"high_varp", "1h", `{"function":"high_varp","field_name":"source.bytes","partition_field_name":"host.name"}`, networkQuery, "varp"},
	{"max", "1h", `{"function":"max","field_name":"source.bytes"}`, networkQuery, "max"},
	{"min", "1h", `{"function":"min","field_name":"source.bytes"}`, networkQuery, "min"},
	{"high_info_content", "15m", `{"function":"high_info_content","field_name":"dns.question.name","over_field_name":"host.name"}`, dnsQuery, "information content"},
	{"time_of_day", "1h", `{"function":"time_of_day","by_field_name":"process.name"}`, processQuery, "hours from the nearest baseline time"},
	{"time_of_week", "2h", `{"function":"time_of_week","by_field_name":"user.name"}`, authQuery, "hours from the nearest baseline time"},
	{"lat_long", "1h", `{"function":"lat_long","field_name":"source.geo.location","by_field_name":"user.name"}`, authQuery, "km from the nearest baseline place"},
}

// TestFunctions generates and verifies the data of one job per detector
// function (seed 7, the shipped jobs' bucket spans): every document
// satisfies the datafeed query, lies in the window and in an index the
// datafeed searches, and the anomaly holds by the function's test.
func TestFunctions(t *testing.T) {
	cases := functionCases
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			j := testJob(t, c.id, c.span, c.det, c.query, "host.name", "user.name")
			p := plan(t, j, Options{Baseline: 7 * 24 * time.Hour})
			res, err := p.Verify(datafeedJudge(t, p))
			if err != nil {
				t.Fatalf("%v (%d documents)", err, res.Documents)
			}
			if res.Fired != 0 || !strings.Contains(res.Detectors[0], c.want) {
				t.Errorf("fired %d: %v (want %q)", res.Fired, res.Detectors, c.want)
			}
			if res.Anomalous == 0 && !strings.HasPrefix(c.id, "low_") {
				t.Errorf("no anomalous document")
			}
			if res.Documents > DefaultMaxDocs*11/10 {
				t.Errorf("%d documents for a bound of %d", res.Documents, DefaultMaxDocs)
			}
			if p.AnomalyBucket.Add(p.BucketSpan).After(testEnd) && p.AnomalyBucket.Before(testEnd.Add(-45*time.Minute)) {
				t.Errorf("anomaly bucket %s outside the look-back", p.AnomalyBucket)
			}
			if !p.Start.Before(p.AnomalyBucket) || p.Start.UnixMilli()%p.BucketSpan.Milliseconds() != 0 {
				t.Errorf("start %s, anomaly bucket %s", p.Start, p.AnomalyBucket)
			}
			t.Logf("%d documents, %d anomalous: %s", res.Documents, res.Anomalous, res.Detectors[0])
		})
	}
}

// TestReproducible: the same seed gives the same documents; another seed
// others.
func TestReproducible(t *testing.T) {
	j := testJob(t, "rare", "15m", `{"function":"rare","by_field_name":"process.name","partition_field_name":"host.name"}`, processQuery)
	opts := Options{Buckets: CheckBuckets}
	a, na := digest(t, plan(t, j, opts))
	b, nb := digest(t, plan(t, j, opts))
	if a != b || na != nb || na == 0 {
		t.Errorf("seed 7 twice: %x (%d) and %x (%d)", a, na, b, nb)
	}
	opts.Emitter.Seed = 8
	if c, _ := digest(t, plan(t, j, opts)); c == a {
		t.Errorf("seeds 7 and 8 give the same documents")
	}
	// Several anomalies at another density: the same seed, the same
	// documents, anomalies and records.
	more := Options{Buckets: 4 * CheckBuckets, Anomalies: 3, Density: 2.5}
	x, nx := digest(t, plan(t, j, more))
	y, ny := digest(t, plan(t, j, more))
	if x != y || nx != ny || nx <= na {
		t.Errorf("3 anomalies at density 2.5 twice: %x (%d) and %x (%d), %d at the defaults", x, nx, y, ny, na)
	}
	p1, p2 := plan(t, j, more), plan(t, j, more)
	if fmt.Sprint(p1.AnomalyBuckets) != fmt.Sprint(p2.AnomalyBuckets) || len(p1.AnomalyBuckets) != 3 {
		t.Errorf("anomaly buckets %v and %v", p1.AnomalyBuckets, p2.AnomalyBuckets)
	}
	r1, err1 := p1.Records()
	r2, err2 := p2.Records()
	if err1 != nil || err2 != nil || len(r1) != 3 || len(r2) != 3 {
		t.Fatalf("records: %v, %v", err1, err2)
	}
	for i := range r1 {
		if !bytes.Equal(r1[i].Source, r2[i].Source) {
			t.Errorf("record %d: %s and %s", i, r1[i].Source, r2[i].Source)
		}
	}
}

// TestMaxDocs: a bound shortens the baseline, not below 96 buckets, and
// says so.
func TestMaxDocs(t *testing.T) {
	j := testJob(t, "high_count", "15m", `{"function":"high_count","partition_field_name":"host.name"}`, processQuery)
	p := plan(t, j, Options{MaxDocs: 500})
	if got := int(p.AnomalyBucket.Sub(p.Start) / p.BucketSpan); got < minBuckets || got > 14*96/2 {
		t.Errorf("%d buckets, want from %d to a half of 14 days'", got, minBuckets)
	}
	if len(p.Notes) == 0 || !strings.Contains(strings.Join(p.Notes, "\n"), "--ml-max-docs") {
		t.Errorf("notes: %q", p.Notes)
	}
	res, err := p.Verify(nil)
	if err != nil {
		t.Error(err)
	}
	// The bound is on the expected count: Poisson draws stray a little.
	if res.Documents > 500*13/10 {
		t.Errorf("%d documents for a bound of 500", res.Documents)
	}
	p = plan(t, j, Options{MaxDocs: 100})
	if got := int(p.AnomalyBucket.Sub(p.Start) / p.BucketSpan); got != minBuckets {
		t.Errorf("%d buckets, want %d", got, minBuckets)
	}
}

// TestVerifyRejects: Verify passes on what the judge rejects, and its
// tests fail on data without the anomaly.
func TestVerifyRejects(t *testing.T) {
	j := testJob(t, "high_count", "15m", `{"function":"high_count","partition_field_name":"host.name"}`, processQuery)
	p := plan(t, j, Options{Buckets: CheckBuckets})
	_, err := p.Verify(func([]byte, bool) error { return fmt.Errorf("rejected") })
	if err == nil || err.Error() != "rejected" {
		t.Errorf("judge's error: %v", err)
	}
	// The statistical tests on hand-made statistics.
	d := &detector{d: job.Detector{Function: "rare", ByFieldName: "process.name"}, fn: function{Name: "rare", Family: famRare}}
	p.buckets = 10
	ks := &keyStats{present: map[string]map[int]bool{"a.exe": {0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 10: true}}}
	if ok, _, _ := rareTest(p, ks, 10, nil); ok {
		t.Errorf("rare: a value of the baseline is rare")
	}
	ks.present["b.exe"] = map[int]bool{10: true}
	if ok, what, out := rareTest(p, ks, 10, nil); !ok || out.rare != "b.exe" {
		t.Errorf("rare: a new value after one in 60%% of the buckets: %s", what)
	}
	// An earlier anomaly's bucket is not the baseline's: a value only
	// there is still new, and the share of the others is of the rest.
	ks.present["b.exe"][4] = true
	if ok, what, _ := rareTest(p, ks, 10, map[int]bool{4: true}); !ok {
		t.Errorf("rare: a new value after an earlier anomaly's bucket: %s", what)
	}
	if ok, _, _ := rareTest(p, ks, 10, nil); ok {
		t.Errorf("rare: a value of the baseline (bucket 4) is rare")
	}
	delete(ks.present["b.exe"], 4)
	ks.present["c.exe"] = map[int]bool{1: true}
	if ok, _, _ := rareTest(p, ks, 10, nil); ok {
		t.Errorf("rare: a baseline value in 10%% of the buckets counts as usual")
	}
	_ = d
	cd := &detector{d: job.Detector{Function: "high_count"}, fn: function{Name: "high_count", Family: famCount, Side: sideHigh}}
	ds := &detStats{d: cd}
	ks = &keyStats{history: map[int]float64{10: 29}}
	for i := 0; i < 10; i++ {
		ks.history[i] = 3
	}
	if ok, _, _ := ds.test(p, ks, 10, nil); ok {
		t.Errorf("high_count: 29 after a median of 3 is less than 10 times")
	}
	ks.history[10] = 30
	if ok, _, _ := ds.test(p, ks, 10, nil); !ok {
		t.Errorf("high_count: 30 after a median of 3")
	}
	// Earlier anomalies' buckets of 300 are left out of the baseline.
	earlier := map[int]bool{}
	for i := 5; i < 10; i++ {
		ks.history[i] = 300
		earlier[i] = true
	}
	if ok, _, _ := ds.test(p, ks, 10, nil); ok {
		t.Errorf("high_count: 30 after five buckets of 300 and five of 3")
	}
	if ok, what, _ := ds.test(p, ks, 10, earlier); !ok {
		t.Errorf("high_count: 30 after five buckets of 3 and five earlier anomalies: %s", what)
	}
	// A custom rule skips the result.
	cd.d.CustomRules = []job.CustomRule{{Actions: []string{"skip_result"}, Conditions: []job.Condition{{AppliesTo: "actual", Operator: "lt", Value: 350}}}}
	if ok, what, _ := ds.test(p, ks, 10, nil); ok || !strings.Contains(what, "custom rule") {
		t.Errorf("custom rule: %s", what)
	}
}

// TestRecords: the record of a rare job names the new value, its entity
// and influencers, at or above the rule's threshold, in the anomaly bucket.
func TestRecords(t *testing.T) {
	j := testJob(t, "rare", "15m", `{"function":"rare","by_field_name":"process.name","partition_field_name":"host.name"}`, processQuery, "host.name", "process.name", "user.name")
	p := plan(t, j, Options{Buckets: CheckBuckets})
	docs, err := p.Records()
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Index != RecordsIndex {
		t.Fatalf("%d records: %+v", len(docs), docs)
	}
	r := gjson.ParseBytes(docs[0].Source)
	if !json.Valid(docs[0].Source) {
		t.Fatalf("invalid JSON: %s", docs[0].Source)
	}
	host := r.Get("partition_field_value").String()
	checks := []struct {
		what string
		ok   bool
	}{
		{"job_id", r.Get("job_id").String() == "rare"},
		{"result_type", r.Get("result_type").String() == "record"},
		{"is_interim", r.Get("is_interim").Exists() && !r.Get("is_interim").Bool()},
		{"record_score", r.Get("record_score").Float() >= 75 && r.Get("record_score").Float() < 100},
		{"timestamp", r.Get("timestamp").Int() == p.AnomalyBucket.UnixMilli()},
		{"by_field", r.Get("by_field_name").String() == "process.name" && r.Get("by_field_value").String() != ""},
		{"partition", r.Get("partition_field_name").String() == "host.name" && host != ""},
		{"entity fields", r.Get(`host\.name.0`).String() == host && r.Get(`process\.name.0`).String() == r.Get("by_field_value").String()},
		{"influencers", r.Get("influencers.#").Int() >= 2 && r.Get(`influencers.#(influencer_field_name=="host.name").influencer_field_values.0`).String() == host},
		{"actual/typical", r.Get("actual.0").Exists() && r.Get("typical.0").Exists()},
		{"bucket_span", r.Get("bucket_span").Int() == 900},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: %s", c.what, docs[0].Source)
		}
	}
	// The new value occurs in the anomaly bucket and never before.
	seen := false
	if err := p.Run(func(d emitter.Document) error {
		ts := gjson.GetBytes(d.Source, "@timestamp").Time()
		if gjson.GetBytes(d.Source, "host.name").String() == host && gjson.GetBytes(d.Source, "process.name").String() == r.Get("by_field_value").String() {
			if ts.Before(p.AnomalyBucket) {
				t.Errorf("the rare value occurs at %s, before the anomaly bucket", ts)
			}
			seen = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !seen {
		t.Errorf("the record's value %s is not in the data", r.Get("by_field_value"))
	}
	mp, err := RecordsMappings([]*Plan{p})
	if err != nil {
		t.Fatal(err)
	}
	m := gjson.ParseBytes(mp)
	if m.Get("properties.record_score.type").String() != "double" || m.Get("properties.influencers.type").String() != "nested" ||
		m.Get("properties.host.properties.name.type").String() != "keyword" {
		t.Errorf("records mappings: %s", mp)
	}
}

// TestUnsupported: what emit cannot generate for is unsupported with the
// reason, an unknown job too.
func TestUnsupported(t *testing.T) {
	cat := job.NewCatalog(testJob(t, "cat", "15m", `{"function":"count","by_field_name":"mlcategory"}`, processQuery))
	r := testRule("cat", 75)
	missing := testRule("nope", 75)
	_, errs := PlanRules([]*rules.Rule{r, missing}, cat, Options{Emitter: emitter.Options{End: testEnd, Seed: 1}})
	if err := errs[r]; err == nil || !strings.Contains(err.Error(), "categorization") {
		t.Errorf("mlcategory: %v", err)
	}
	if err := errs[missing]; err == nil || err.Error() != "unknown ML job nope" {
		t.Errorf("unknown job: %v", err)
	}
}

// TestBaselineShape measures the baseline against the shapes the README
// states, over a week of buckets (seed 7): the tolerances are those of
// Poisson counts over that many buckets.
func TestBaselineShape(t *testing.T) {
	week := Options{Baseline: 7 * 24 * time.Hour}
	perBucket := func(p *Plan, key func(doc []byte) string) map[string]map[int]int {
		out := map[string]map[int]int{}
		if err := p.Run(func(d emitter.Document) error {
			ts := gjson.GetBytes(d.Source, "@timestamp").Time()
			if !ts.Before(p.AnomalyBucket) {
				return nil
			}
			k := key(d.Source)
			if out[k] == nil {
				out[k] = map[int]int{}
			}
			out[k][p.bucketOf(ts)]++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("high_count", func(t *testing.T) {
		j := testJob(t, "high_count", "15m", `{"function":"high_count","partition_field_name":"host.name"}`, processQuery)
		p := plan(t, j, week)
		anomalous := p.anomalous.key.pins[0].val.Str
		counts := perBucket(p, func(doc []byte) string { return gjson.GetBytes(doc, "host.name").String() })
		n := 0
		for _, c := range counts[anomalous] {
			n += c
		}
		// 3 events per bucket: over 672 buckets the mean is within 5%.
		if mean := float64(n) / float64(p.buckets); mean < 2.85 || mean > 3.15 {
			t.Errorf("%s: %.2f events per bucket, want 3 ± 5%%", anomalous, mean)
		}
	})
	t.Run("rare", func(t *testing.T) {
		j := testJob(t, "rare", "15m", `{"function":"rare","by_field_name":"process.name","partition_field_name":"host.name"}`, processQuery)
		p := plan(t, j, week)
		present := perBucket(p, func(doc []byte) string {
			return gjson.GetBytes(doc, "host.name").String() + " " + gjson.GetBytes(doc, "process.name").String()
		})
		if len(present) < 4 {
			t.Errorf("%d baseline values, want 2 or 3 for each of 2 hosts", len(present))
		}
		for k, bs := range present {
			// In 75% of the buckets: within 5 points over 672 buckets.
			if share := float64(len(bs)) / float64(p.buckets); share < 0.70 || share > 0.80 {
				t.Errorf("%s in %.0f%% of the buckets, want 75%% ± 5", k, 100*share)
			}
		}
	})
	t.Run("high_mean", func(t *testing.T) {
		j := testJob(t, "high_mean", "15m", `{"function":"high_mean","field_name":"event.duration","by_field_name":"user.name"}`,
			`{"bool":{"filter":[{"term":{"event.category":"authentication"}}]}}`)
		p := plan(t, j, week)
		a := p.anomalous
		sum, n := 0.0, 0
		if err := p.Run(func(d emitter.Document) error {
			if gjson.GetBytes(d.Source, "user.name").String() == a.key.pins[0].val.Str && gjson.GetBytes(d.Source, "@timestamp").Time().Before(p.AnomalyBucket) {
				sum += gjson.GetBytes(d.Source, "event.duration").Float()
				n++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// Values around the level (spread 25%): the mean of hundreds is
		// within 5% of it.
		if mean := sum / float64(n); math.Abs(mean-a.level) > 0.05*a.level {
			t.Errorf("mean %.1f of %d values, level %.1f", mean, n, a.level)
		}
	})
}

// seriesDocs counts the baseline documents of series s by bucket (the
// documents whose values of its key fields are its; every document when
// it has none), leaving out the anomalies' buckets.
func seriesDocs(t *testing.T, p *Plan, s *series) (docs, buckets int) {
	t.Helper()
	slots := map[int]bool{}
	for _, b := range p.slotIndices() {
		slots[b] = true
	}
	if err := p.Run(func(d emitter.Document) error {
		b := p.bucketOf(gjson.GetBytes(d.Source, "@timestamp").Time())
		if b >= p.buckets || slots[b] {
			return nil
		}
		for _, pn := range s.key.pins {
			if v, ok := p.valueOf(d.Source, pn.field); !ok || v.String() != pn.val.String() {
				return nil
			}
		}
		docs++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return docs, p.buckets - len(slots) + 1
}

// activeBuckets is how many buckets' worth of time the series of a time
// function is active in the baseline (the anomalies' buckets left out),
// to the minute: in the hours whose start is active (an hour the series
// starts in the middle of has no events).
func activeBuckets(p *Plan, s *series) float64 {
	slots := map[int]bool{}
	for _, b := range p.slotIndices() {
		slots[b] = true
	}
	week := p.dets[0].fn.Week
	minutes := 0
	for t := p.Start; t.Before(p.AnomalyBucket); t = t.Add(time.Minute) {
		if !slots[p.bucketOf(t)] && s.active(t.Add(30*time.Second), week) && s.active(t.Truncate(time.Hour), week) {
			minutes++
		}
	}
	return float64(minutes) / p.BucketSpan.Minutes()
}

// wantRate is the baseline rate of a function's first (anomalous)
// series the README states, at density f: events per bucket (rare: of
// all its baseline values; time functions: per bucket of active time).
func wantRate(p *Plan, f float64) float64 {
	fn := p.dets[0].fn
	s := p.series[0]
	switch fn.Family {
	case famRare:
		// Below density 1, fewer values (as many times F, at least
		// one), each as regular.
		return rarePresence * math.Max(f, 1) * float64(len(s.values))
	case famCount:
		if highSide(fn) {
			return countRate * f
		}
		return lowCountRate * math.Max(f, 1)
	case famDistinct:
		if highSide(fn) {
			return distinctRate * f
		}
		return 12 * math.Max(f, 1)
	case famMetric:
		return math.Max((metricRate+1)*f, 1)
	case famInfo:
		return math.Max((infoRate+1)*f, 1)
	case famTime:
		return activeRate * f * p.BucketSpan.Hours()
	case famLatLong:
		return f
	}
	return 0
}

// TestDensity: at densities 0.5, 1 and 4 every function's first series
// has the README's baseline rate times the density (seed 7, a week of
// buckets, two days and at most 5000 documents at density 4; tolerance:
// 4 standard deviations of a Poisson count of that many events,
// 4/sqrt(n) of the rate), and its anomaly still holds; a density that
// needs more than --ml-max-docs shortens the baseline, which bounds the
// documents.
func TestDensity(t *testing.T) {
	for _, c := range functionCases {
		t.Run(c.id, func(t *testing.T) {
			j := testJob(t, c.id, c.span, c.det, c.query, "host.name", "user.name")
			for _, f := range []float64{0.5, 1, 4} {
				days, bound := 7, DefaultMaxDocs
				if f > 1 {
					days, bound = 2, 5000
				}
				if c.id == "low_distinct_count" {
					// 24 events per 15 minutes at any density: two days
					// are thousands of events.
					days = 2
				}
				p := plan(t, j, Options{Baseline: time.Duration(days) * 24 * time.Hour, Density: f, MaxDocs: bound})
				res, err := p.Verify(datafeedJudge(t, p))
				if err != nil {
					t.Fatalf("density %g: %v (%d documents)", f, err, res.Documents)
				}
				if p.buckets > minBuckets && res.Documents > bound*11/10 {
					t.Errorf("density %g: %d documents for a bound of %d", f, res.Documents, bound)
				}
				if p.Shortened != (p.perBucket()*float64(int(time.Duration(days)*24*time.Hour/p.BucketSpan)) > float64(bound)) {
					t.Errorf("density %g: shortened %v with %.1f documents per bucket", f, p.Shortened, p.perBucket())
				}
				docs, buckets := seriesDocs(t, p, p.series[0])
				want := wantRate(p, f) * float64(buckets)
				if p.dets[0].fn.Family == famTime {
					want = wantRate(p, f) * activeBuckets(p, p.series[0])
				}
				tol := 4 / math.Sqrt(want)
				if got := float64(docs); math.Abs(got-want) > tol*want {
					t.Errorf("density %g: %d baseline documents of the first series in %d buckets, want %.0f ± %.0f%%", f, docs, buckets, want, 100*tol)
				}
				t.Logf("density %g: %d documents (first series %d, want %.0f), %s", f, res.Documents, docs, want, res.Detectors[0])
			}
		})
	}
}

// TestAnomalies: 3 anomalies per job, for every function, each passing
// its test against the baseline before it, in buckets of their own after
// the learning period (the baseline's first half), on entities of their
// own where the job has split fields, the last in the anomaly bucket;
// and one record per anomaly.
func TestAnomalies(t *testing.T) {
	for _, c := range functionCases {
		t.Run(c.id, func(t *testing.T) {
			j := testJob(t, c.id, c.span, c.det, c.query, "host.name", "user.name")
			p := plan(t, j, Options{Baseline: 7 * 24 * time.Hour, Anomalies: 3})
			res, err := p.Verify(datafeedJudge(t, p))
			if err != nil {
				t.Fatalf("%v (%d documents)", err, res.Documents)
			}
			if len(res.Anomalies) != 3 || len(p.AnomalyBuckets) != 3 {
				t.Fatalf("%d anomalies judged, %d placed; notes %q", len(res.Anomalies), len(p.AnomalyBuckets), p.Notes)
			}
			learn := p.Start.Add(time.Duration((p.buckets+1)/2) * p.BucketSpan)
			buckets, keys := map[time.Time]bool{}, map[string]bool{}
			for i, a := range res.Anomalies {
				if a.Fired < 0 || !strings.Contains(a.Detectors[a.Fired], c.want) {
					t.Errorf("anomaly %d: fired %d: %v (want %q)", i, a.Fired, a.Detectors, c.want)
					continue
				}
				if a.Bucket.Before(learn) {
					t.Errorf("anomaly %d at %s, in the learning period (before %s)", i, a.Bucket, learn)
				}
				if buckets[a.Bucket] {
					t.Errorf("two anomalies in bucket %s", a.Bucket)
				}
				buckets[a.Bucket] = true
				if len(j.Detectors[0].SplitFields()) > 0 {
					if keys[a.key] {
						t.Errorf("two anomalies of entity %q", a.key)
					}
					keys[a.key] = true
				}
				t.Logf("anomaly %d at %s: %s", i, a.Bucket.Format(time.RFC3339), a.Detectors[a.Fired])
			}
			if c.id == "high_distinct_count" {
				// Each anomalous entity bursts into values of its own.
				seen := map[string]int{}
				for k, s := range p.series {
					if s.anomalous {
						for _, v := range s.anomaly {
							if o, ok := seen[pinKey(v.pins)]; ok {
								t.Errorf("series %d and %d burst into the same value %s", o, k, pinKey(v.pins))
							}
							seen[pinKey(v.pins)] = k
						}
					}
				}
			}
			if last := res.Anomalies[2].Bucket; !last.Equal(p.AnomalyBucket) {
				t.Errorf("last anomaly at %s, want the anomaly bucket %s", last, p.AnomalyBucket)
			}
			// The records (Records' own, of this Verify's result).
			for i := range res.Anomalies {
				r := gjson.ParseBytes(p.record(&res.Anomalies[i]))
				if ts := r.Get("timestamp").Int(); ts != res.Anomalies[i].Bucket.UnixMilli() || r.Get("record_score").Float() < 75 {
					t.Errorf("record %d: %s, anomaly at %s", i, r.Raw, res.Anomalies[i].Bucket)
				}
			}
		})
	}
}

// TestAnomaliesClamp: anomalies that do not fit are left out with a
// note, and those that fit still hold: a time function's one entity
// has few buckets at its quiet hour after the learning period, and a
// job's entities run out.
func TestAnomaliesClamp(t *testing.T) {
	j := testJob(t, "time_of_day", "1h", `{"function":"time_of_day"}`, processQuery)
	p := plan(t, j, Options{Baseline: 2 * 24 * time.Hour, Anomalies: 10})
	if n := len(p.AnomalyBuckets); n < 2 || n >= 10 || !strings.Contains(strings.Join(p.Notes, "\n"), "10 anomalies asked for, ") {
		t.Errorf("%d anomalies placed; notes %q", n, p.Notes)
	}
	res, err := p.Verify(datafeedJudge(t, p))
	if err != nil || len(res.Anomalies) != len(p.AnomalyBuckets) {
		t.Fatalf("%v: %d anomalies judged", err, len(res.Anomalies))
	}
	// Each within an hour of the last one's time of day.
	for _, a := range res.Anomalies {
		if d := circular(float64(a.Bucket.Hour()), float64(p.AnomalyBucket.Hour()), 24); d > 1 {
			t.Errorf("anomaly at %s, %g hours from the quiet hour (%s's)", a.Bucket, d, p.AnomalyBucket)
		}
	}
	j = testJob(t, "high_count", "15m", `{"function":"high_count","partition_field_name":"host.name"}`, processQuery)
	p = plan(t, j, Options{Buckets: 4 * CheckBuckets, Anomalies: 200})
	if n := len(p.AnomalyBuckets); n == 0 || n >= 200 || !strings.Contains(strings.Join(p.Notes, "\n"), "200 anomalies need as many entities (host.name)") {
		t.Errorf("%d anomalies placed; notes %q", n, p.Notes)
	}
	if _, err := p.Verify(nil); err != nil {
		t.Error(err)
	}
}

// TestRareUsualValues: rare's usual values occur in at least half of the
// whole buckets of any prefix of the baseline, at any density and seed,
// so that a short baseline (emit check's 24 buckets) never makes a usual
// value look rare by chance.
func TestRareUsualValues(t *testing.T) {
	j := testJob(t, "rare", "15m", `{"function":"rare","by_field_name":"process.name","partition_field_name":"host.name"}`, processQuery)
	for _, f := range []float64{0.25, 0.5, 1} {
		for seed := uint64(1); seed <= 20; seed++ {
			opts := Options{Baseline: time.Hour, Density: f}
			opts.Emitter.Seed = seed
			p := plan(t, j, opts)
			if _, err := p.Verify(datafeedJudge(t, p)); err != nil {
				t.Fatalf("density %g, seed %d: %v", f, seed, err)
			}
			for _, s := range p.series {
				for i, n := range s.seen {
					if whole := p.buckets; 2*n < whole {
						t.Errorf("density %g, seed %d: usual value %d of a series in %d of %d buckets", f, seed, i, n, whole)
					}
				}
			}
		}
	}
}
