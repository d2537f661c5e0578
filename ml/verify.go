package ml

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/schema"
)

// Thresholds of the statistical tests (see the README).
const (
	countFactor    = 10  // a high count: at least this times the baseline median
	lowCountFactor = 10  // a low count: at most the median over this, the median at least lowCountMin
	lowCountMin    = 5   //
	distinctFactor = 10  // a high distinct count
	lowDistinctDiv = 5   // a low distinct count: at most the median over this
	sumFactor      = 10  // a high sum: at least this times the baseline median, and above every bucket
	robustSigmas   = 6   // other metrics: this many robust standard deviations from the median, beyond every bucket
	lowMetricDiv   = 10  // other low metrics: or at most the median over this
	infoFactor     = 10  // a high info content
	rareRecurrence = 0.5 // rare: each baseline value of the partition in at least this share of the buckets
	dayGapHours    = 3   // time_of_day: the anomaly this far from every baseline time of day of the entity
	weekGapHours   = 6   // time_of_week: this far from every baseline time of the week
	farKm          = 1000
)

// Result is what Verify found.
type Result struct {
	// Documents is how many documents the plan made; Anomalous how many
	// of them are the anomalies'.
	Documents, Anomalous int
	// Detectors says, per detector, what the test found at the last
	// anomaly (in the anomaly bucket): the anomaly's entity, its value
	// and the baseline's ("high_count partition host.name=ws-12: 45
	// events, baseline median 3").
	Detectors []string
	// Fired is the first detector whose last anomaly holds (-1: none).
	Fired int
	// Anomalies are what the tests found of each anomaly, in time order
	// (the last is the one Detectors and Fired tell of).
	Anomalies []Anomaly
}

// Anomaly is what the tests found of one anomaly.
type Anomaly struct {
	// Bucket is the start of its bucket.
	Bucket time.Time
	// Fired is the first detector whose test holds there (-1: none);
	// Detectors what each detector's test found.
	Fired     int
	Detectors []string

	// The fired detector's entity: its key, statistics and the values
	// of the job's fields in the anomaly's documents (for the record),
	// and what the test found.
	key   string
	stats *keyStats
	out   outcome
	typ   float64
}

// outcome is what a passing test found for the record: the rare value,
// the actual and typical values, a place's points.
type outcome struct {
	rare        string
	actual      float64
	typ         float64
	hasTyp      bool
	actualPoint string
	typPoint    string
}

// Verify generates the plan's documents and judges them. judge (nil:
// none) says whether one document satisfies the datafeed's query;
// anomaly tells whether it is one of the anomaly's. Every document must
// lie in the datafeed's indices and in time, and the detectors' anomaly
// must hold by the test of its function. It returns the result, and an
// error saying what failed.
func (p *Plan) Verify(judge func(doc []byte, anomaly bool) error) (*Result, error) {
	if judge == nil {
		return p.VerifyDocs(nil)
	}
	return p.VerifyDocs(func(d emitter.Document, anomaly bool) error { return judge(d.Source, anomaly) })
}

// VerifyDocs is Verify with a judge that sees the whole document: its
// source (From), to judge a sample of each source's documents, say.
func (p *Plan) VerifyDocs(judge func(d emitter.Document, anomaly bool) error) (*Result, error) {
	st := p.newStats()
	res := &Result{Fired: -1}
	var failure error
	n := 0
	err := p.run(func(d emitter.Document, anomaly bool) error {
		n++
		res.Documents++
		if anomaly {
			res.Anomalous++
		}
		if !schema.SearchesIndex(p.Indices, d.Index) {
			return fmt.Errorf("a document goes to %s, which the datafeed's indices %s do not match", d.Index, strings.Join(p.Indices, ","))
		}
		if judge != nil {
			if err := judge(d, anomaly); err != nil {
				return err
			}
		}
		return st.add(d.Source)
	})
	if err != nil {
		return res, err
	}
	for _, ds := range st.dets {
		for _, ks := range ds.keys {
			ks.finish(ds.d, p)
			ks.cur = -1
		}
	}
	// Each anomaly is judged against the baseline before it, without
	// the buckets of the anomalies before it.
	slots := p.slotIndices()
	earlier := map[int]bool{}
	fired := make([]map[string]bool, len(st.dets)) // per detector, the entities of earlier anomalies
	for k, a := range slots {
		an := Anomaly{Bucket: p.bucketStart(a), Fired: -1}
		for i, ds := range st.dets {
			ok, what, key, ks, out := ds.verdict(p, a, earlier, fired[i])
			an.Detectors = append(an.Detectors, what)
			if ok && an.Fired < 0 {
				if fired[i] == nil {
					fired[i] = map[string]bool{}
				}
				fired[i][key] = true
				an.Fired, an.key, an.stats, an.out = i, key, ks, out
				an.typ = out.typ
				if !out.hasTyp {
					an.typ = job.Median(ks.baseline(ds.d, p, a, earlier))
				}
			}
		}
		if an.Fired < 0 && failure == nil {
			failure = fmt.Errorf("no detector's anomaly holds: %s", strings.Join(an.Detectors, "; "))
			if k < len(slots)-1 {
				failure = fmt.Errorf("anomaly %d of %d (bucket %s): %w", k+1, len(slots), date.Format(an.Bucket), failure)
			}
		}
		res.Anomalies = append(res.Anomalies, an)
		earlier[a] = true
	}
	last := res.Anomalies[len(res.Anomalies)-1]
	res.Detectors, res.Fired = last.Detectors, last.Fired
	return res, failure
}

// slotIndices are the buckets of the plan's anomalies, as indices from
// the baseline's start, ascending (the anomaly bucket, p.buckets, last).
func (p *Plan) slotIndices() []int {
	var out []int
	for _, b := range p.AnomalyBuckets {
		out = append(out, p.bucketOf(b))
	}
	if len(out) == 0 {
		out = []int{p.buckets}
	}
	return out
}

// stats are the per-bucket statistics of every detector.
type stats struct {
	p     *Plan
	dets  []*detStats
	slots map[int]bool // the anomalies' buckets
}

func (p *Plan) newStats() *stats {
	st := &stats{p: p, slots: map[int]bool{}}
	for _, b := range p.slotIndices() {
		st.slots[b] = true
	}
	for _, d := range p.dets {
		st.dets = append(st.dets, &detStats{d: d, keys: map[string]*keyStats{}})
	}
	return st
}

// detStats are one detector's statistics per entity (the values of its
// split fields).
type detStats struct {
	d    *detector
	keys map[string]*keyStats
}

// keyStats are one entity's per-bucket statistics.
type keyStats struct {
	cur     int // the bucket being read
	vals    []float64
	strs    map[string]bool
	count   int
	history map[int]float64 // finished buckets' statistic
	// rare: value -> buckets it occurs in
	present map[string]map[int]bool
	times   []time.Time // time functions: the events' times
	points  []geoPoint  // lat_long: the events' places
	// ents are, per anomaly bucket, the values of the job's influencers
	// and split fields in its documents, first seen first.
	ents map[int]map[string][]string
}

// geoPoint is a place of bucket b.
type geoPoint struct {
	lat, lon float64
	b        int
}

// inBaseline reports whether bucket i is in the baseline of the anomaly
// in bucket a: before it, and not one of the earlier anomalies'.
func inBaseline(i, a int, earlier map[int]bool) bool { return i < a && !earlier[i] }

// baselineBuckets is how many buckets the baseline of the anomaly in
// bucket a has.
func baselineBuckets(a int, earlier map[int]bool) int {
	n := a
	for i := range earlier {
		if i < a {
			n--
		}
	}
	return n
}

// bucketOf is the index of t's bucket from the baseline's start; the
// anomaly bucket is p.buckets.
func (p *Plan) bucketOf(t time.Time) int {
	return int(t.Sub(p.Start) / p.BucketSpan)
}

// fieldText is a document's value of a field of the job, a runtime
// field computed as the datafeed would.
func (p *Plan) fieldText(doc []byte, f string) (string, bool) {
	if rt := p.runtime[f]; rt != nil {
		return rt.value(doc), true
	}
	v := gjson.GetBytes(doc, document.Path(f))
	if v.IsArray() {
		v = v.Get("0")
	}
	if !v.Exists() || v.Type == gjson.Null {
		return "", false
	}
	return v.String(), true
}

func (st *stats) add(doc []byte) error {
	p := st.p
	tv := gjson.GetBytes(doc, document.Path(p.timeField))
	t, err := time.Parse(time.RFC3339Nano, tv.String())
	if err != nil {
		return fmt.Errorf("a document's %s %q is not a date", p.timeField, tv.String())
	}
	if t.After(p.End) || t.Before(p.Start) {
		return fmt.Errorf("a document's %s %s lies outside the data's window [%s, %s]", p.timeField, date.Format(t), date.Format(p.Start), date.Format(p.End))
	}
	b := p.bucketOf(t)
	if b > p.buckets {
		return nil // after the anomaly
	}
	for _, ds := range st.dets {
		d := ds.d
		var key strings.Builder
		fs := []string{d.d.PartitionFieldName, d.d.OverFieldName, d.d.ByFieldName}
		if d.fn.Family == famRare {
			fs = fs[:2]
		}
		missing := false
		for _, f := range fs {
			if f == "" {
				continue
			}
			v, ok := p.fieldText(doc, f)
			if !ok {
				missing = true
			}
			key.WriteString(f + "=" + v + " ")
		}
		if missing {
			continue // the job leaves documents without the split fields out
		}
		k := strings.TrimSpace(key.String())
		ks := ds.keys[k]
		if ks == nil {
			ks = &keyStats{cur: -1, history: map[int]float64{}, present: map[string]map[int]bool{}}
			ds.keys[k] = ks
		}
		if ks.cur != b {
			ks.finish(d, p)
			ks.cur = b
		}
		ks.count++
		if st.slots[b] {
			ks.entities(p, d, doc, b)
		}
		switch d.fn.Family {
		case famRare:
			v, _ := p.fieldText(doc, d.d.ByFieldName)
			if ks.present[v] == nil {
				ks.present[v] = map[int]bool{}
			}
			ks.present[v][b] = true
		case famDistinct, famInfo:
			if v, ok := p.fieldText(doc, d.d.FieldName); ok {
				if ks.strs == nil {
					ks.strs = map[string]bool{}
				}
				ks.strs[v] = true
			}
		case famMetric:
			if v := gjson.GetBytes(doc, document.Path(d.d.FieldName)); v.Type == gjson.Number {
				ks.vals = append(ks.vals, v.Num)
			}
		case famTime:
			ks.times = append(ks.times, t)
		case famLatLong:
			if lat, lon, ok := latLon(gjson.GetBytes(doc, document.Path(d.d.FieldName)).String()); ok {
				ks.points = append(ks.points, geoPoint{lat, lon, b})
			}
		}
	}
	return nil
}

// entities notes the values of the job's influencers and of the
// detector's split and value fields in a document of the anomaly bucket
// b.
func (ks *keyStats) entities(p *Plan, d *detector, doc []byte, b int) {
	if ks.ents == nil {
		ks.ents = map[int]map[string][]string{}
	}
	ents := ks.ents[b]
	if ents == nil {
		ents = map[string][]string{}
		ks.ents[b] = ents
	}
	fs := append(append([]string(nil), p.Job.Influencers...), d.d.SplitFields()...)
	if d.d.FieldName != "" {
		fs = append(fs, d.d.FieldName)
	}
	for _, f := range fs {
		v, ok := p.fieldText(doc, f)
		if !ok || len(ents[f]) >= maxEntityValues || slicesContains(ents[f], v) {
			continue
		}
		ents[f] = append(ents[f], v)
	}
}

// maxEntityValues bounds the values of a field a record names.
const maxEntityValues = 5

// latLon reads a geo point written "lat,lon".
func latLon(s string) (float64, float64, bool) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, false
	}
	var lat, lon float64
	if _, err := fmt.Sscan(strings.TrimSpace(a), &lat); err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscan(strings.TrimSpace(b), &lon); err != nil {
		return 0, 0, false
	}
	return lat, lon, true
}

// finish closes the bucket being read: its statistic goes to the
// history (the anomaly bucket's to actual).
func (ks *keyStats) finish(d *detector, p *Plan) {
	if ks.cur < 0 {
		return
	}
	var x float64
	ok := true
	switch d.fn.Family {
	case famCount:
		x = float64(ks.count)
	case famDistinct:
		x = float64(len(ks.strs))
	case famInfo:
		x = float64(infoContent(ks.strs))
	case famMetric:
		metric := d.fn.Metric
		if metric == "metric" {
			metric = "mean"
		}
		x, ok = job.Statistic(metric, ks.vals)
	default:
		ok = false
	}
	if ok {
		ks.history[ks.cur] = x
	}
	ks.count, ks.vals, ks.strs = 0, ks.vals[:0], nil
}

// infoContent is the information content of a bucket's values, as the
// anomaly detector's info_content measures it: the size in bytes of the
// distinct values compressed together (zlib).
func infoContent(vals map[string]bool) int {
	keys := make([]string, 0, len(vals))
	for v := range vals {
		keys = append(keys, v)
	}
	sort.Strings(keys)
	c := compressors.Get().(*compressor)
	defer compressors.Put(c)
	c.buf.Reset()
	c.w.Reset(&c.buf)
	for _, k := range keys {
		c.w.Write([]byte(k))
		c.w.Write([]byte{0})
	}
	c.w.Close()
	return c.buf.Len()
}

// compressor is a zlib writer with its buffer: a writer costs a quarter
// of a megabyte to make, and a bucket's content is measured by one.
type compressor struct {
	buf bytes.Buffer
	w   *zlib.Writer
}

var compressors = sync.Pool{New: func() any {
	c := &compressor{}
	c.w = zlib.NewWriter(&c.buf)
	return c
}}

// baseline is the entity's baseline statistics before the anomaly in
// bucket a, per bucket, leaving out the earlier anomalies' buckets; for
// count functions (but non_zero_count) the empty buckets count as zeros.
func (ks *keyStats) baseline(d *detector, p *Plan, a int, earlier map[int]bool) []float64 {
	n := baselineBuckets(a, earlier)
	out := make([]float64, 0, n)
	for i, x := range ks.history {
		if inBaseline(i, a, earlier) {
			out = append(out, x)
		}
	}
	if d.fn.Family == famCount && !d.fn.NonZero {
		for len(out) < n {
			out = append(out, 0)
		}
	}
	return out
}

// verdict runs the detector's test for the anomaly in bucket a on every
// entity: the anomaly holds when it does for one. It says what it found
// for the best entity: the first, in order, that an earlier anomaly
// (fired) has not named, where several hold (every entity drops in a
// bucket that holds the end).
func (ds *detStats) verdict(p *Plan, a int, earlier map[int]bool, fired map[string]bool) (bool, string, string, *keyStats, outcome) {
	keys := make([]string, 0, len(ds.keys))
	for k := range ds.keys {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, k int) bool {
		if fired[keys[i]] != fired[keys[k]] {
			return !fired[keys[i]]
		}
		return keys[i] < keys[k]
	})
	var failed []string
	for _, k := range keys {
		ok, what, out := ds.test(p, ds.keys[k], a, earlier)
		if what == "" {
			continue
		}
		label := ds.d.d.String()
		if k != "" {
			label += " " + k
		}
		if ok {
			return true, label + ": " + what, k, ds.keys[k], out
		}
		failed = append(failed, label+": "+what)
	}
	if len(failed) == 0 {
		return false, ds.d.d.String() + ": no entity has data in the anomaly bucket", "", nil, outcome{}
	}
	if len(failed) > 3 {
		failed = append(failed[:3], fmt.Sprintf("%d more entities", len(failed)-3))
	}
	return false, strings.Join(failed, "; "), "", nil, outcome{}
}

// test is the detector's statistical test on one entity for the anomaly
// in bucket a, against the baseline before it without the earlier
// anomalies' buckets; what is empty when the entity has nothing in the
// bucket to test.
func (ds *detStats) test(p *Plan, ks *keyStats, a int, earlier map[int]bool) (ok bool, what string, out outcome) {
	d := ds.d
	fn := d.fn
	switch fn.Family {
	case famRare:
		return rareTest(p, ks, a, earlier)
	case famTime:
		return timeTest(p, ks, fn.Week, a, earlier)
	case famLatLong:
		return latLongTest(ks, a, earlier)
	}
	base := ks.baseline(d, p, a, earlier)
	actual, hasAnom := ks.history[a]
	if fn.Family == famCount && !highSide(fn) && !hasAnom {
		// A drop to nothing: the bucket is empty.
		actual, hasAnom = 0, len(base) > 0
	}
	if !hasAnom || len(base) == 0 {
		return false, "", out
	}
	out.actual = actual
	m := job.Median(base)
	for _, r := range d.d.CustomRules {
		if r.Skips(actual, m) {
			return false, fmt.Sprintf("%g, skipped by a custom rule (%s)", actual, conditions(r.Conditions)), out
		}
	}
	lo, hi := base[0], base[0]
	for _, x := range base {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	switch fn.Family {
	case famCount:
		if highSide(fn) {
			return actual >= countFactor*math.Max(m, 1), fmt.Sprintf("%g events in the anomaly bucket, baseline median %g (want at least %d times)", actual, m, countFactor), out
		}
		return actual <= m/lowCountFactor && m >= lowCountMin, fmt.Sprintf("%g events in the anomaly bucket, baseline median %g (want at most a %dth, of a median of at least %d)", actual, m, lowCountFactor, lowCountMin), out
	case famDistinct:
		if highSide(fn) {
			return actual >= distinctFactor*math.Max(m, 1), fmt.Sprintf("%g distinct values in the anomaly bucket, baseline median %g (want at least %d times)", actual, m, distinctFactor), out
		}
		return actual <= m/lowDistinctDiv && m >= lowCountMin, fmt.Sprintf("%g distinct values in the anomaly bucket, baseline median %g (want at most a %dth)", actual, m, lowDistinctDiv), out
	case famInfo:
		if highSide(fn) {
			return actual >= infoFactor*math.Max(m, 1), fmt.Sprintf("information content %g bytes in the anomaly bucket, baseline median %g (want at least %d times)", actual, m, infoFactor), out
		}
		return actual <= m/infoFactor, fmt.Sprintf("information content %g bytes in the anomaly bucket, baseline median %g (want at most a %dth)", actual, m, infoFactor), out
	case famMetric:
		sigma := 1.4826 * mad(base, m)
		if fn.Metric == "sum" {
			if highSide(fn) {
				return actual >= sumFactor*m && actual > hi, fmt.Sprintf("%s %g in the anomaly bucket, baseline median %g, highest %g (want at least %d times the median, above the highest)", fn.Metric, actual, m, hi, sumFactor), out
			}
			return actual <= m/sumFactor && actual < lo, fmt.Sprintf("%s %g in the anomaly bucket, baseline median %g, lowest %g (want at most a %dth of the median, below the lowest)", fn.Metric, actual, m, lo, sumFactor), out
		}
		gap := robustSigmas * math.Max(sigma, 0.01*math.Abs(m))
		if highSide(fn) {
			return actual-m >= gap && actual > hi, fmt.Sprintf("%s %.4g in the anomaly bucket, baseline median %.4g, robust sd %.3g, highest %.4g (want %d sd above the median, above the highest)", fn.Metric, actual, m, sigma, hi, robustSigmas), out
		}
		// Values that cannot go below zero spread less below their
		// median than above it: a tenth of the median is as far.
		return (m-actual >= gap || actual <= m/lowMetricDiv) && actual < lo, fmt.Sprintf("%s %.4g in the anomaly bucket, baseline median %.4g, robust sd %.3g, lowest %.4g (want %d sd below the median or at most a %dth of it, below the lowest)", fn.Metric, actual, m, sigma, lo, robustSigmas, lowMetricDiv), out
	}
	return false, "", out
}

func conditions(cs []job.Condition) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s %s %g", c.AppliesTo, c.Operator, c.Value))
	}
	return strings.Join(parts, " and ")
}

// mad is the median absolute deviation of xs from m.
func mad(xs []float64, m float64) float64 {
	d := make([]float64, len(xs))
	for i, x := range xs {
		d[i] = math.Abs(x - m)
	}
	return job.Median(d)
}

// rareTest: a value of the anomaly bucket never occurs in the entity's
// baseline, and every baseline value recurs in at least half of the
// baseline buckets.
func rareTest(p *Plan, ks *keyStats, a int, earlier map[int]bool) (bool, string, outcome) {
	var out outcome
	var newVals []string
	seen := false
	for v, bs := range ks.present {
		if !bs[a] {
			continue
		}
		seen = true
		old := false
		for b := range bs {
			if inBaseline(b, a, earlier) {
				old = true
				break
			}
		}
		if !old {
			newVals = append(newVals, v)
		}
	}
	if !seen {
		return false, "", out
	}
	sort.Strings(newVals)
	if len(newVals) == 0 {
		return false, "every value of the anomaly bucket occurs in the baseline", out
	}
	n := baselineBuckets(a, earlier)
	least, leastVal, values := 1.0, "", 0
	vals := make([]string, 0, len(ks.present))
	for v := range ks.present {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	for _, v := range vals {
		k := 0
		for b := range ks.present[v] {
			if inBaseline(b, a, earlier) {
				k++
			}
		}
		if k == 0 {
			continue
		}
		values++
		if share := float64(k) / float64(n); share < least {
			least, leastVal = share, v
		}
	}
	if values == 0 {
		return false, fmt.Sprintf("%q has no baseline to be rare in", newVals[0]), out
	}
	want := rareRecurrence
	what := fmt.Sprintf("%q never occurs in the baseline, whose %d values each occur in at least %.0f%% of the buckets", newVals[0], values, 100*least)
	if least < want {
		return false, fmt.Sprintf("%q never occurs in the baseline, but the baseline value %q occurs in only %.0f%% of the buckets (want %.0f%%)", newVals[0], leastVal, 100*least, 100*want), out
	}
	// The record: the value occurs once where it was never seen.
	out.rare, out.actual, out.typ, out.hasTyp = newVals[0], 1, 0, true
	return true, what, out
}

// timeTest: an event of the anomaly bucket lies at least 3 hours (time of
// day) or 6 hours (time of week) from every baseline event of the entity,
// which is active on at least half of the baseline's days (weeks).
func timeTest(p *Plan, ks *keyStats, week bool, a int, earlier map[int]bool) (bool, string, outcome) {
	var out outcome
	var times, atimes []time.Time
	for _, t := range ks.times {
		switch b := p.bucketOf(t); {
		case b == a:
			atimes = append(atimes, t)
		case inBaseline(b, a, earlier):
			times = append(times, t)
		}
	}
	if len(atimes) == 0 {
		return false, "", out
	}
	period, gap, unit := 24.0, float64(dayGapHours), 24*time.Hour
	if week {
		period, gap, unit = 168, weekGapHours, 7*24*time.Hour
	}
	pos := func(t time.Time) float64 {
		h := float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
		if week {
			h += 24 * float64((int(t.Weekday())+6)%7)
		}
		return h
	}
	units := map[int64]bool{}
	for _, t := range times {
		units[t.Sub(p.Start).Nanoseconds()/int64(unit)] = true
	}
	total := int(math.Ceil(float64(p.bucketStart(a).Sub(p.Start)) / float64(unit)))
	if total == 0 || float64(len(units)) < 0.5*float64(total) {
		return false, fmt.Sprintf("active on %d of %d baseline periods (want half)", len(units), total), out
	}
	best := 0.0
	for _, at := range atimes {
		nearest := period
		for _, t := range times {
			nearest = math.Min(nearest, circular(pos(at), pos(t), period))
		}
		if nearest > best {
			best, out.actual = nearest, math.Round(pos(at)*3600)
		}
	}
	// The typical time: the circular mean of the baseline's.
	var sx, sy float64
	for _, t := range times {
		x := 2 * math.Pi * pos(t) / period
		sx, sy = sx+math.Cos(x), sy+math.Sin(x)
	}
	mean := math.Mod(math.Atan2(sy, sx)/(2*math.Pi)*period+period, period)
	out.typ, out.hasTyp = math.Round(mean*3600), true
	return best >= gap, fmt.Sprintf("the anomaly lies %.1f hours from the nearest baseline time (want %g), active on %d of %d baseline periods", best, gap, len(units), total), out
}

// latLongTest: a place of the anomaly bucket lies at least 1000 km from
// every baseline place of the entity.
func latLongTest(ks *keyStats, a int, earlier map[int]bool) (bool, string, outcome) {
	var out outcome
	var points, apoints [][2]float64
	for _, g := range ks.points {
		switch {
		case g.b == a:
			apoints = append(apoints, [2]float64{g.lat, g.lon})
		case inBaseline(g.b, a, earlier):
			points = append(points, [2]float64{g.lat, g.lon})
		}
	}
	if len(apoints) == 0 || len(points) == 0 {
		return false, "", out
	}
	best := 0.0
	for _, x := range apoints {
		nearest := math.Inf(1)
		for _, b := range points {
			nearest = math.Min(nearest, distanceKm(x[0], x[1], b[0], b[1]))
		}
		if nearest > best {
			best = nearest
			out.actualPoint = fmt.Sprintf("%.4f,%.4f", x[0], x[1])
		}
	}
	var lat, lon float64
	for _, b := range points {
		lat, lon = lat+b[0], lon+b[1]
	}
	n := float64(len(points))
	out.typPoint = fmt.Sprintf("%.4f,%.4f", lat/n, lon/n)
	out.actual, out.typ, out.hasTyp = 1, 1, true
	return best >= farKm, fmt.Sprintf("the anomaly lies %.0f km from the nearest baseline place (want %d)", best, farKm), out
}
