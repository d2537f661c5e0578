package ml

import (
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/geo"
	"github.com/emit-sec/emit/internal/activity"
	"github.com/emit-sec/emit/ml/job"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/telemetry"
)

// pin fixes a field's value: an equality conjoined to the datafeed's
// query, so that the solver draws the rest of the document around it.
type pin struct {
	field string
	val   constraint.Value
}

// ectx is where an event happens: its host, user and place.
type ectx struct {
	host *telemetry.Host
	user *telemetry.User
	city *telemetry.City
}

// choice is values (pins) with the context they were drawn in.
type choice struct {
	pins []pin
	ctx  ectx
}

// sample is one document drawn from the datafeed's query, to learn which
// values and contexts it allows.
type sample struct {
	ctx  ectx
	vals map[string]constraint.Value
}

// series is one entity of the detectors: the values of their split
// fields, with the contexts its events happen in and how it behaves.
type series struct {
	key choice
	// anomalous says the series has anomalies: want of them (more than
	// one only for a job without split fields, whose one series has them
	// all), in the buckets slots (ascending, bucket indices from the
	// baseline's start).
	anomalous bool
	want      int
	slots     []int
	// values the detector's value field takes: rare's baseline values,
	// distinct_count's and info_content's pool.
	values []choice
	// seen counts, per baseline value of rare, the buckets it occurred in
	// so far.
	seen []int
	// anomaly are the values of the anomalies: rare's new value,
	// distinct_count's and info_content's fresh ones; perSlot of them for
	// each anomaly in turn, or (0) all of them for every anomaly.
	anomaly []choice
	perSlot int
	rate    float64 // events per bucket (time_of_day: per active hour)
	level   float64 // metric: the series' level
	model   *valueModel
	// quiet is the hour of day (time_of_week: of the week) the series is
	// never active around: where its anomaly lies.
	quiet float64
	home  *telemetry.City // lat_long: where the series' places lie
}

// slotAt is which of the series' anomalies lies in bucket bi (-1: none).
func (s *series) slotAt(bi int) int {
	for k, b := range s.slots {
		if b == bi {
			return k
		}
	}
	return -1
}

// anomalyOf are the values of the series' k-th anomaly.
func (s *series) anomalyOf(k int) []choice {
	if s.perSlot == 0 {
		return s.anomaly
	}
	return s.anomaly[k*s.perSlot : (k+1)*s.perSlot]
}

// event is one document to draw.
type event struct {
	t       time.Time
	s       *series
	value   *choice
	num     float64 // the value field's number (metric functions)
	hasNum  bool
	anomaly bool
	far     *telemetry.City // lat_long: the anomaly's place
}

// The baseline's shape, per function family.
const (
	rarePresence  = 0.75 // the chance a baseline value occurs in a bucket
	countRate     = 3.0  // high counts: events per bucket
	lowCountRate  = 8.0  // low counts
	contextRate   = 1.5  // the other series of a count detector
	distinctRate  = 3.0
	distinctPool  = 2
	distinctBurst = 25
	metricRate    = 1.5 // plus one: every bucket has a value
	infoRate      = 1.5
	infoBurst     = 40  // DNS names carrying data
	infoScripts   = 3   // long encoded values
	activeRate    = 2.0 // time_of_day: events per active hour
	activeHours   = 8
)

// required are the fields every document must hold: the detectors'
// source fields the emitter must draw (the others are set).
func (p *Plan) required() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range p.dets {
		fs := []string{d.by, d.over, d.partition}
		if d.fn.Family == famRare || d.fn.Family == famDistinct || d.fn.Family == famInfo {
			fs = append(fs, d.field)
		}
		for _, f := range fs {
			if f == "" || seen[f] || derivedFields[f] != nil && !p.named[f] {
				continue
			}
			seen[f] = true
			out = append(out, f)
		}
	}
	for _, rt := range p.runtime {
		if len(rt.from) == 1 && !seen[rt.from[0]] && p.usesField(rt.name) {
			seen[rt.from[0]] = true
			out = append(out, rt.from[0])
		}
	}
	sort.Strings(out)
	return out
}

// usesField reports whether a detector reads field f.
func (p *Plan) usesField(f string) bool {
	for _, d := range p.dets {
		for _, x := range []string{d.d.FieldName, d.d.ByFieldName, d.d.OverFieldName, d.d.PartitionFieldName} {
			if x == f {
				return true
			}
		}
	}
	return false
}

// sourceRule is the rule the plan's sources are made for (their
// operating system and tag come from it).
func (p *Plan) sourceRule() *rules.Rule {
	if len(p.Rules) > 0 {
		return p.Rules[0]
	}
	return &rules.Rule{ID: p.Job.ID, Name: p.Job.ID, Type: rules.TypeMachineLearning}
}

// addSource is the datafeed's query with the required fields present and
// the pins' values fixed, solved once per set of pins.
func (p *Plan) addSource(pins []pin) (*emitter.Source, error) {
	key := pinKey(pins)
	if s, ok := p.sources[key]; ok {
		if s == nil {
			return nil, errUnsolvablePins
		}
		return s, nil
	}
	var parts []constraint.Expr
	for _, f := range p.required() {
		parts = append(parts, &constraint.Pred{Field: f, Op: constraint.Exists, Span: constraint.Span{Text: f + " : *"}})
	}
	for _, pn := range pins {
		parts = append(parts, &constraint.Pred{Field: pn.field, Op: constraint.Eq, Value: pn.val, Span: constraint.Span{Text: pn.field + " : " + pn.val.String()}})
	}
	q := *p.q
	if len(parts) > 0 {
		q.Constraints = p.q.Constraints.Where(&constraint.And{X: parts})
	}
	src, err := p.e.AddRuleQuery(p.sourceRule(), &q, p.sch)
	if err != nil {
		p.sources[key] = nil
		if len(pins) > 0 {
			return nil, errUnsolvablePins
		}
		return nil, err
	}
	src.Index = p.Index
	p.sources[key] = src
	return src, nil
}

var errUnsolvablePins = fmt.Errorf("the datafeed's query does not allow these values")

func pinKey(pins []pin) string {
	ks := make([]string, len(pins))
	for i, pn := range pins {
		ks[i] = pn.field + "\x00" + pn.val.String()
	}
	sort.Strings(ks)
	return strings.Join(ks, "\x01")
}

// valueFields are the source fields whose values the plan learns from
// samples: the detectors' split fields and categorical value fields.
func (p *Plan) valueFields() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range p.dets {
		fs := []string{d.by, d.over, d.partition}
		if d.fn.Family == famRare || d.fn.Family == famDistinct {
			fs = append(fs, d.field)
		}
		if d.field == "process.command_line_entropy" {
			fs = append(fs, "process.command_line")
		}
		for _, f := range fs {
			if f != "" && !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// discover draws documents of the datafeed's query to learn the values
// and contexts it allows.
func (p *Plan) discover() error {
	fields := p.valueFields()
	n := 48
	for _, d := range p.dets {
		if d.fn.Family == famDistinct {
			n = 4 * distinctBurst
		}
	}
	// Several anomalies need as many entities, and values of their own.
	n = max(n, 16*(p.opts.Anomalies+1))
	at := p.AnomalyBucket.Add(-p.BucketSpan)
	for i := 0; i < n; i++ {
		tev := p.pop.NewEvent(p.rng)
		vals := &fixedValues{Event: tev, vocab: p.vocab, rng: p.rng}
		docs, err := p.e.DrawAt(p.base, emitter.Draw{Time: at, Bare: p.transform != nil, Event: tev, Values: vals})
		if err != nil {
			return fmt.Errorf("ML job %s: %w", p.Job.ID, err)
		}
		doc := docs[0].Source
		s := sample{ctx: p.contextOf(doc), vals: map[string]constraint.Value{}}
		for _, f := range fields {
			if v, ok := p.valueOf(doc, f); ok {
				s.vals[f] = v
			}
		}
		p.samples = append(p.samples, s)
	}
	return nil
}

// valueOf is a document's value of field f (its first, for an array).
func (p *Plan) valueOf(doc []byte, f string) (constraint.Value, bool) {
	v := gjson.GetBytes(doc, document.Path(f))
	if v.IsArray() {
		v = v.Get("0")
	}
	switch v.Type {
	case gjson.String:
		return constraint.String(v.Str), true
	case gjson.Number:
		return constraint.Value{Kind: constraint.KindNumber, Num: v.Num, Str: v.Raw}, true
	case gjson.True, gjson.False:
		return constraint.Boolean(v.Type == gjson.True), true
	}
	return constraint.Value{}, false
}

// contextOf finds the population's host and user a document names.
func (p *Plan) contextOf(doc []byte) ectx {
	var c ectx
	if h := gjson.GetBytes(doc, "host.name"); h.Exists() {
		c.host = p.pop.FindHost("host.name", h.String())
	}
	for _, f := range []string{"user.name", "user.email", "user.id"} {
		if u := gjson.GetBytes(doc, document.Path(f)); u.Exists() && c.user == nil {
			c.user = p.pop.FindUser(f, u.String())
		}
	}
	return c
}

// entityKind tells which entity of an event a field names: 'h' a host,
// 'u' a user, 'g' a place.
func entityKind(f string) byte {
	switch {
	case f == "host.name" || f == "host.hostname" || f == "host.id" || f == "host.ip":
		return 'h'
	case f == "user.name" || f == "user.email" || f == "user.id":
		return 'u'
	case strings.Contains(f, ".geo.") && (strings.HasSuffix(f, ".city_name") || strings.HasSuffix(f, ".country_iso_code") ||
		strings.HasSuffix(f, ".country_name") || strings.HasSuffix(f, ".region_name")):
		return 'g'
	}
	return 0
}

// cityOf is a city whose geo field last has value v.
func (p *Plan) cityOf(field string, v string) *telemetry.City {
	last := field[strings.LastIndexByte(field, '.')+1:]
	for i := range p.pop.V.Cities {
		c := &p.pop.V.Cities[i]
		var x string
		switch last {
		case "city_name":
			x = c.City
		case "country_iso_code":
			x = c.ISO
		case "country_name":
			x = c.Country
		case "region_name":
			x = c.Region
		}
		if x == v {
			return c
		}
	}
	return nil
}

// choiceOf is the choice of sample s's values of fields.
func (p *Plan) choiceOf(s *sample, fields []string) (choice, bool) {
	c := choice{ctx: s.ctx}
	for _, f := range fields {
		v, ok := s.vals[f]
		if !ok {
			return c, false
		}
		c.pins = append(c.pins, pin{field: f, val: v})
		if entityKind(f) == 'g' && c.ctx.city == nil {
			c.ctx.city = p.cityOf(f, v.Str)
		}
	}
	return c, true
}

// distinctChoices are up to n choices of fields' values, distinct, in
// the order the samples show them, leaving out those of skip.
func (p *Plan) distinctChoices(fields []string, n int, skip map[string]bool) []choice {
	var out []choice
	for i := range p.samples {
		c, ok := p.choiceOf(&p.samples[i], fields)
		if !ok {
			continue
		}
		k := pinKey(c.pins)
		if skip[k] {
			continue
		}
		skip[k] = true
		out = append(out, c)
		if len(out) == n {
			break
		}
	}
	return out
}

// keyFields are the fields whose values make the series: the split
// fields (for rare, those but the by field, whose values it rates).
func (p *Plan) keyFields() []string {
	seen := map[string]bool{}
	var out []string
	for i, d := range p.dets {
		fs := []string{d.partition, d.over, d.by}
		if d.fn.Family == famRare && i == 0 {
			fs = []string{d.partition, d.over}
		}
		for _, f := range fs {
			if f != "" && !seen[f] && !(p.dets[0].fn.Family == famRare && f == p.dets[0].by) {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// plan chooses the series, their values and behaviours, and the
// baseline's length.
func (p *Plan) plan() error {
	// Several anomalies need more values than one (rare's new ones, its
	// entities' usual ones): when the datafeed's query allows too few,
	// fewer anomalies.
	notes := len(p.Notes)
	for want := p.opts.Anomalies; ; want-- {
		err := p.planSeries(want)
		if err == nil || want == 1 {
			return err
		}
		why := err.Error()
		var ue *UnsupportedError
		if errors.As(err, &ue) {
			why = ue.What
		}
		p.Notes = append(p.Notes[:notes], fmt.Sprintf("%d anomalies asked for, %d fit: %s", p.opts.Anomalies, want-1, why))
		p.series, p.anomalous, p.AnomalyBuckets = nil, nil, nil
	}
}

// planSeries plans the series for want anomalies.
func (p *Plan) planSeries(want int) error {
	d0 := p.dets[0]
	keys := p.keyFields()
	// One anomalous series per anomaly, on entities of their own, and one
	// that only gives context; a job without split fields has one series,
	// with every anomaly.
	nSeries, perSeries := 1, want
	if len(keys) > 0 {
		nSeries, perSeries = want+1, 1
	}
	used := map[string]bool{}
	var keyChoices []choice
	if len(keys) > 0 {
		keyChoices = p.distinctChoices(keys, nSeries, used)
		if len(keyChoices) == 0 {
			return p.unsupported("the datafeed's query gives no values of %s", strings.Join(keys, ", "))
		}
	} else {
		keyChoices = []choice{{ctx: p.samples[0].ctx}}
	}
	nAnom := 1
	if len(keys) > 0 {
		nAnom = min(want, len(keyChoices))
		if nAnom < want {
			p.Notes = append(p.Notes, fmt.Sprintf("%d anomalies need as many entities (%s): the datafeed's query gave %d; %d anomalies",
				p.opts.Anomalies, strings.Join(keys, ", "), len(keyChoices), nAnom))
		}
	}
	for i, kc := range keyChoices {
		s := &series{key: kc, anomalous: i < nAnom}
		if s.anomalous {
			s.want = perSeries
		}
		p.series = append(p.series, s)
	}
	p.anomalous = p.series[0]
	var err error
	switch d0.fn.Family {
	case famRare:
		err = p.planRare(d0)
	case famCount:
		for _, s := range p.series {
			s.rate = p.scaled(countRate, false)
			if !highSide(d0.fn) {
				s.rate = p.scaled(lowCountRate, true)
			}
			if !s.anomalous {
				s.rate = p.scaled(contextRate, false)
			}
		}
	case famDistinct:
		err = p.planPools(d0, distinctPool, distinctBurst)
	case famInfo:
		err = p.planInfo(d0)
	case famMetric:
		p.planMetric(d0)
	case famTime:
		p.planTime(d0)
	case famLatLong:
		p.planLatLong()
	}
	if err != nil {
		return err
	}
	p.fitBaseline()
	p.placeAnomalies()
	return nil
}

// density is the factor on the baseline's event rates (Options.Density).
func (p *Plan) density() float64 {
	if p.opts.Density <= 0 {
		return 1
	}
	return p.opts.Density
}

// scaled is a baseline rate at the plan's density. A drop (drop true:
// low_count, low_distinct_count) is thinned no lower than density 1's
// rate: an empty or narrow bucket must stay unusual for it to score.
func (p *Plan) scaled(rate float64, drop bool) float64 {
	f := p.density()
	if drop {
		f = math.Max(f, 1)
	}
	return rate * f
}

// scaledPlusOne is the Poisson part of a rate that has one event in
// every bucket besides it (metric and info_content series: every bucket
// has a value): at density F, F times rate+1 events in all, never fewer
// than the one.
func (p *Plan) scaledPlusOne(rate float64) float64 {
	return math.Max(p.density()*(rate+1)-1, 0)
}

// occurrences is how many times an event with chance q in a bucket
// happens at the plan's density F: a chance for each whole unit of F,
// and one for its fraction (at density 1, one chance of q). A rare
// function's values are not thinned: they keep one chance below 1.
func (p *Plan) occurrences(q float64) int {
	n := 0
	f := p.density()
	if p.dets[0].fn.Family == famRare {
		f = math.Max(f, 1)
	}
	for ; f > 0; f-- {
		if p.rng.Float64() < q*math.Min(1, f) {
			n++
		}
	}
	return n
}

// placeAnomalies puts each anomalous series' anomalies in buckets of
// their own: the first series' last one in the anomaly bucket, the
// others in buckets drawn after the learning period (the baseline's
// first half), never two in one bucket. For a time function's series
// with several, each lies at the hour of the day its series is quiet.
// Anomalies that do not fit are left out, with a note.
func (p *Plan) placeAnomalies() {
	learn := (p.buckets + 1) / 2
	taken := map[int]bool{p.buckets: true}
	var cands []int
	for b := learn; b < p.buckets; b++ {
		cands = append(cands, b)
	}
	// Drawn in a random order, once: each series takes the next that fit.
	if p.opts.Anomalies > 1 {
		p.rng.Shuffle(len(cands), func(i, k int) { cands[i], cands[k] = cands[k], cands[i] })
	}
	next := 0
	d0 := p.dets[0]
	placed, wanted := 0, 0
	for i, s := range p.series {
		if !s.anomalous {
			continue
		}
		wanted += s.want
		if i == 0 {
			s.slots = []int{p.buckets}
		}
		if d0.fn.Family == famTime && len(s.slots) > 0 {
			// The series' quiet hour is set: its other anomalies lie there.
			for _, b := range cands {
				if len(s.slots) == s.want {
					break
				}
				if !taken[b] && circular(quietOf(p.anomalyTimeAt(p.bucketStart(b)), false), math.Mod(s.quiet, 24), 24) <= 1 {
					taken[b] = true
					s.slots = append(s.slots, b)
				}
			}
		}
		for len(s.slots) < s.want && next < len(cands) && !(d0.fn.Family == famTime && i == 0) {
			if b := cands[next]; !taken[b] {
				taken[b] = true
				s.slots = append(s.slots, b)
			}
			next++
		}
		sort.Ints(s.slots)
		if d0.fn.Family == famTime && i > 0 && len(s.slots) > 0 {
			s.quiet = quietOf(p.anomalyTimeAt(p.bucketStart(s.slots[len(s.slots)-1])), d0.fn.Week)
		}
		if len(s.slots) == 0 {
			s.anomalous = false
		}
		placed += len(s.slots)
	}
	if placed < wanted {
		where := "in the baseline's second half"
		if d0.fn.Family == famTime && len(p.series) == 1 {
			where += ", at the hour of the day the series is quiet"
		}
		p.Notes = append(p.Notes, fmt.Sprintf("%d anomalies asked for, %d fit (one per bucket, %s, of %d buckets)",
			p.opts.Anomalies, placed, where, p.buckets))
	}
	for _, s := range p.series {
		for _, b := range s.slots {
			p.AnomalyBuckets = append(p.AnomalyBuckets, p.bucketStart(b))
		}
	}
	sort.Slice(p.AnomalyBuckets, func(i, k int) bool { return p.AnomalyBuckets[i].Before(p.AnomalyBuckets[k]) })
}

// bucketStart is the start of bucket bi (from the baseline's start).
func (p *Plan) bucketStart(bi int) time.Time {
	return p.Start.Add(time.Duration(bi) * p.BucketSpan)
}

// planRare gives each series a few values that recur, and the anomalous
// one a value no series has.
func (p *Plan) planRare(d *detector) error {
	per := 3
	if len(p.series) > 1 {
		per = 2
	}
	if f := p.density(); f < 1 {
		// A thinner baseline has fewer usual values, each as regular:
		// a value seen in fewer buckets would not be usual.
		per = max(1, int(math.Round(float64(per)*f)))
	}
	taken := map[string]bool{}
	var all []choice
	for _, s := range p.series {
		got := 0
		for _, c := range p.distinctChoices([]string{d.by}, per+len(p.series)*per+1, map[string]bool{}) {
			k := pinKey(c.pins)
			if taken[k] || got == per {
				continue
			}
			if _, err := p.addSource(append(append([]pin(nil), s.key.pins...), c.pins...)); err != nil {
				continue
			}
			taken[k] = true
			s.values = append(s.values, c)
			all = append(all, c)
			got++
		}
		s.rate = rarePresence * float64(len(s.values)) * math.Max(p.density(), 1)
	}
	// Each anomaly a value new to its series, and to every other anomaly.
	for _, s := range p.series {
		if !s.anomalous {
			continue
		}
		s.perSlot = 1
		for _, c := range p.distinctChoices([]string{d.by}, 64+len(p.series)*per, map[string]bool{}) {
			if len(s.anomaly) == s.want {
				break
			}
			if taken[pinKey(c.pins)] {
				continue
			}
			if _, err := p.addSource(append(append([]pin(nil), s.key.pins...), c.pins...)); err != nil {
				continue
			}
			taken[pinKey(c.pins)] = true
			s.anomaly = append(s.anomaly, c)
		}
		if s == p.anomalous && len(s.anomaly) > 0 && len(s.anomaly) < s.want {
			p.Notes = append(p.Notes, fmt.Sprintf("%d anomalies need as many new values of %s: the datafeed's query gave %d; %d anomalies",
				s.want, d.d.ByFieldName, len(s.anomaly), len(s.anomaly)))
		}
		if s != p.anomalous && (len(s.anomaly) == 0 || len(s.values) == 0) {
			// Too few values for this entity's anomaly: the others keep theirs.
			p.Notes = append(p.Notes, fmt.Sprintf("too few values of %s for a rare one on every anomalous entity: one anomaly fewer", d.d.ByFieldName))
			s.anomalous, s.anomaly = false, nil
			continue
		}
		s.want = len(s.anomaly)
	}
	if len(p.anomalous.anomaly) == 0 || len(p.anomalous.values) == 0 {
		return p.unsupported("the datafeed's query allows too few values of %s for one to be rare (%d seen)", d.d.ByFieldName, len(all))
	}
	return nil
}

// planPools gives each series a small pool of values, and the anomalous
// one many fresh ones (distinct_count).
func (p *Plan) planPools(d *detector, pool, burst int) error {
	taken := map[string]bool{}
	for _, s := range p.series {
		s.values = p.distinctChoices([]string{d.field}, pool, taken)
		s.rate = p.scaled(distinctRate, false)
		if !highSide(d.fn) {
			s.values = append(s.values, p.distinctChoices([]string{d.field}, 10-pool, taken)...)
			s.rate = p.scaled(12, true)
		}
		if len(s.values) == 0 {
			return p.unsupported("the datafeed's query gives no values of %s", d.d.FieldName)
		}
	}
	if highSide(d.fn) {
		p.anomalous.anomaly = p.distinctChoices([]string{d.field}, burst, taken)
		if len(p.anomalous.anomaly) < burst {
			// More samples for more values, beyond the vocabulary's.
			defer func(vs []string) { p.vocab[d.field] = vs }(p.vocab[d.field])
			delete(p.vocab, d.field)
			for tries := 0; tries < 4 && len(p.anomalous.anomaly) < burst; tries++ {
				if err := p.discover(); err != nil {
					return err
				}
				p.anomalous.anomaly = append(p.anomalous.anomaly, p.distinctChoices([]string{d.field}, burst-len(p.anomalous.anomaly), taken)...)
			}
		}
		if len(p.anomalous.anomaly) < 10*len(p.anomalous.values) {
			return p.unsupported("the datafeed's query allows too few values of %s for a burst of distinct ones (%d)", d.d.FieldName, len(p.anomalous.anomaly)+len(p.anomalous.values))
		}
		// Each other anomalous entity bursts into fresh values of its own
		// where the values go round, else into the same ones.
		for _, s := range p.series {
			if !s.anomalous || s == p.anomalous {
				continue
			}
			s.anomaly = p.anomalous.anomaly
			if own := p.distinctChoices([]string{d.field}, len(p.anomalous.anomaly), taken); len(own) >= 10*len(s.values) {
				s.anomaly = own
			}
		}
	} else {
		for _, s := range p.series {
			if s.anomalous {
				s.anomaly = s.values[:1]
			}
		}
	}
	return nil
}

// planInfo gives each series a few short values that repeat, and the
// anomalous one long random ones (info_content).
func (p *Plan) planInfo(d *detector) error {
	for _, s := range p.series {
		s.rate = p.scaledPlusOne(infoRate)
		for k := 0; k < 2; k++ {
			v := p.lowInfo(d, s, k)
			s.values = append(s.values, choice{pins: []pin{{field: d.field, val: constraint.String(v)}}, ctx: s.key.ctx})
		}
	}
	n := infoBurst
	switch {
	case !highSide(d.fn):
		n = 1
	case !strings.HasPrefix(d.field, "dns.question."):
		// A few encoded scripts (each some 800 random characters)
		// carry ten times a bucket's usual content.
		n = infoScripts
	}
	// Fresh values for each anomaly.
	for _, a := range p.series {
		if !a.anomalous {
			continue
		}
		a.perSlot = n
		for k := 0; k < n*a.want; k++ {
			v := p.highInfo(d, a)
			if !highSide(d.fn) {
				v = p.lowInfo(d, a, 0)
			}
			a.anomaly = append(a.anomaly, choice{pins: []pin{{field: d.field, val: constraint.String(v)}}, ctx: a.key.ctx})
		}
	}
	return nil
}

// domainOf is the registered domain a series' DNS names end with.
func (p *Plan) domainOf(s *series) string {
	for _, pn := range s.key.pins {
		if strings.HasPrefix(pn.field, "dns.question.") {
			return pn.val.Str
		}
	}
	return p.pop.V.Domains.DNS[0]
}

// lowInfo is the k-th short, repeating value of an info_content field.
func (p *Plan) lowInfo(d *detector, s *series, k int) string {
	if strings.HasPrefix(d.field, "dns.question.") {
		return []string{"www", "mail", "api", "cdn"}[k%4] + "." + p.domainOf(s)
	}
	if strings.Contains(d.field, "script_block") {
		return []string{"Get-Service -Name Spooler", "Get-ChildItem -Path C:\\Scripts", "Get-Process | Sort-Object CPU -Descending | Select-Object -First 5"}[k%3]
	}
	return []string{"ok", "ready", "done"}[k%3]
}

// highInfo is a long random value of an info_content field: a DNS name
// carrying data in its labels, an encoded script.
func (p *Plan) highInfo(d *detector, s *series) string {
	b := make([]byte, 36)
	for i := range b {
		b[i] = byte(p.rng.IntN(256))
	}
	if strings.HasPrefix(d.field, "dns.question.") {
		enc := strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString(b), "="))
		return enc[:30] + "." + enc[30:] + "." + p.domainOf(s)
	}
	big := make([]byte, 600)
	for i := range big {
		big[i] = byte(p.rng.IntN(256))
	}
	blob := base64.StdEncoding.EncodeToString(big)
	if strings.Contains(d.field, "script_block") {
		return "$d = [System.Convert]::FromBase64String('" + blob + "'); $a = [System.Reflection.Assembly]::Load($d); $a.EntryPoint.Invoke($null, $null)"
	}
	return blob
}

// planMetric gives each series a level of the value field.
func (p *Plan) planMetric(d *detector) {
	m := p.modelOf(d.field)
	for i, s := range p.series {
		s.rate = p.scaledPlusOne(metricRate)
		s.model = m
		s.level = m.clamp(m.level * (1 + 0.25*float64(i)))
	}
	if d.field == "process.command_line_entropy" {
		// The pipeline computes the entropy from the command line: each
		// series runs a few command lines of its own, and the anomaly's
		// carry an encoded payload.
		// Command lines of like entropy, for a steady median.
		taken := map[string]bool{}
		for _, s := range p.series {
			var ok []choice
			for _, c := range p.distinctChoices([]string{"process.command_line"}, 12, taken) {
				if _, err := p.addSource(append(append([]pin(nil), s.key.pins...), c.pins...)); err == nil {
					ok = append(ok, c)
				}
			}
			sort.SliceStable(ok, func(i, k int) bool { return job.Entropy(ok[i].pins[0].val.Str) < job.Entropy(ok[k].pins[0].val.Str) })
			best := 0
			for i := 0; i+3 <= len(ok); i++ {
				if job.Entropy(ok[i+2].pins[0].val.Str)-job.Entropy(ok[i].pins[0].val.Str) < job.Entropy(ok[best+2].pins[0].val.Str)-job.Entropy(ok[best].pins[0].val.Str) {
					best = i
				}
			}
			s.values = ok[best:min(best+3, len(ok))]
		}
		for _, a := range p.series {
			if !a.anomalous {
				continue
			}
			for _, c := range p.distinctChoices([]string{"process.command_line"}, 8, map[string]bool{}) {
				blob := make([]byte, 300)
				for i := range blob {
					blob[i] = byte(p.rng.IntN(256))
				}
				cl := c.pins[0].val.Str + " " + base64.StdEncoding.EncodeToString(blob)
				v := choice{pins: []pin{{field: "process.command_line", val: constraint.String(cl)}}, ctx: c.ctx}
				if _, err := p.addSource(append(append([]pin(nil), a.key.pins...), v.pins...)); err == nil {
					a.anomaly = append(a.anomaly, v)
				}
				if len(a.anomaly) == 4 {
					break
				}
			}
		}
	}
}

// modelOf is how the values of a numeric field spread.
func (p *Plan) modelOf(f string) *valueModel {
	if d := derivedFields[f]; d != nil && d.model != nil {
		return d.model
	}
	m := &valueModel{level: 100, spread: 0.15, min: 0, max: 1e12}
	if t := p.sch.Field(f).Type; t.Family() == estype.IntegerFamily {
		m.integer = true
	}
	switch {
	case strings.HasSuffix(f, ".bytes") || strings.HasSuffix(f, ".size"):
		m.level, m.spread = 40000, 0.3
	case strings.HasSuffix(f, ".duration"):
		m.level, m.spread = 1800, 0.25
	case strings.HasSuffix(f, ".port"):
		m.level, m.spread, m.max = 443, 0, 65535
	}
	return m
}

// planTime gives each series working hours away from the anomaly's time.
// The other anomalous series get theirs where their anomalies lie
// (placeAnomalies).
func (p *Plan) planTime(d *detector) {
	q := quietOf(p.anomalyTimeAt(p.AnomalyBucket), d.fn.Week)
	for _, s := range p.series {
		s.rate = p.scaled(activeRate, false)
		s.quiet = q
		if !s.anomalous {
			s.quiet = math.Mod(s.quiet+12, 24)
		}
	}
}

// quietOf is the quiet time of a series whose anomaly is at t: its hour
// of the day (of the week).
func quietOf(t time.Time, week bool) float64 {
	q := float64(t.Hour()) + float64(t.Minute())/60
	if week {
		q += 24 * float64(activity.Weekday(t))
	}
	return q
}

// anomalyTimeAt is when the events of an anomaly in the bucket starting
// at b happen: early in the bucket, before the end.
func (p *Plan) anomalyTimeAt(b time.Time) time.Time {
	end := b.Add(p.BucketSpan)
	if end.After(p.End) {
		end = p.End
	}
	return b.Add(end.Sub(b) / 4)
}

// active reports whether a series of a time function is active at t: on
// the working hours that lie half a day (and, by the week, half a week)
// from its quiet time.
func (s *series) active(t time.Time, week bool) bool {
	h := float64(t.Hour()) + float64(t.Minute())/60
	if week {
		wh := h + 24*float64(activity.Weekday(t))
		q := s.quiet
		// Weekdays only, Monday to Friday, away from the quiet time of
		// the week by at least a day.
		if activity.Weekday(t) >= 5 || circular(wh, q, 168) < 24 {
			return false
		}
		return circular(h, math.Mod(q+12, 24), 24) < activeHours/2
	}
	return circular(h, math.Mod(s.quiet+12, 24), 24) < activeHours/2
}

// circular is the distance of a and b on a circle of length n.
func circular(a, b, n float64) float64 {
	d := math.Mod(math.Abs(a-b), n)
	return math.Min(d, n-d)
}

// planLatLong gives each series a home city.
func (p *Plan) planLatLong() {
	cs := p.pop.V.Cities
	for i, s := range p.series {
		s.rate = p.density()
		s.home = &cs[(i*7)%len(cs)]
	}
}

// perBucket is how many baseline documents a bucket holds on average.
func (p *Plan) perBucket() float64 {
	total := 0.0
	d0 := p.dets[0]
	for _, s := range p.series {
		switch d0.fn.Family {
		case famMetric, famInfo:
			total += s.rate + 1
		case famTime:
			total += s.rate * activeHours / 24 * p.BucketSpan.Hours()
		default:
			total += s.rate
		}
	}
	return total
}

// fitBaseline shortens the baseline to fit MaxDocs.
func (p *Plan) fitBaseline() {
	per := p.perBucket()
	if per <= 0 || float64(p.buckets)*per <= float64(p.opts.MaxDocs) {
		return
	}
	n := max(int(float64(p.opts.MaxDocs)/per), minBuckets)
	if n >= p.buckets {
		return
	}
	old := p.AnomalyBucket.Sub(p.Start)
	p.Shortened = true
	p.buckets = n
	p.Start = p.AnomalyBucket.Add(-time.Duration(n) * p.BucketSpan)
	if float64(n)*per > 1.1*float64(p.opts.MaxDocs) {
		// The least baseline is denser than the bound: say so.
		p.Notes = append(p.Notes, fmt.Sprintf("the baseline is %s (%d buckets, the least) instead of %s: about %.0f documents, more than --ml-max-docs %d at this density",
			fmtDuration(p.AnomalyBucket.Sub(p.Start)), n, fmtDuration(old), float64(n)*per, p.opts.MaxDocs))
		return
	}
	p.Notes = append(p.Notes, fmt.Sprintf("the baseline is %s instead of %s, to keep to %d documents (--ml-max-docs)",
		fmtDuration(p.AnomalyBucket.Sub(p.Start)), fmtDuration(old), p.opts.MaxDocs))
}

// fmtDuration writes a duration in days, hours and minutes when it is a
// day or longer (11d13h45m), else as time.Duration does.
func fmtDuration(d time.Duration) string {
	if d < 24*time.Hour || d%time.Minute != 0 {
		return d.String()
	}
	days, rest := d/(24*time.Hour), d%(24*time.Hour)
	out := fmt.Sprintf("%dd", days)
	if h := rest / time.Hour; h > 0 {
		out += fmt.Sprintf("%dh", h)
	}
	if m := rest % time.Hour / time.Minute; m > 0 {
		out += fmt.Sprintf("%dm", m)
	}
	return out
}

// Run generates the plan's documents in time order, bucket by bucket,
// calling fn with each (its Source is valid until fn returns). Only one
// bucket's events are held at a time.
func (p *Plan) Run(fn func(emitter.Document) error) error {
	return p.run(func(d emitter.Document, _ bool) error { return fn(d) })
}

// run is Run, telling fn whether a document is one of the anomaly's.
func (p *Plan) run(fn func(d emitter.Document, anomaly bool) error) error {
	span := p.BucketSpan
	var evs []event
	for _, s := range p.series {
		s.seen = nil
	}
	bi := 0
	for b := p.Start; b.Before(p.End); b, bi = b.Add(span), bi+1 {
		end := b.Add(span)
		if end.After(p.End) {
			end = p.End
		}
		evs = p.bucketEvents(evs[:0], bi, b, end)
		sort.SliceStable(evs, func(i, k int) bool { return evs[i].t.Before(evs[k].t) })
		for i := range evs {
			if err := p.emit(&evs[i], fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// uniform is a time in [b, end).
func (p *Plan) uniform(b, end time.Time) time.Time {
	d := end.Sub(b)
	if d <= 0 {
		return b
	}
	return b.Add(time.Duration(p.rng.Int64N(int64(d)))).Truncate(time.Millisecond)
}

// bucketEvents lays out the events of the bucket [b, end), the bi-th
// from the baseline's start.
func (p *Plan) bucketEvents(evs []event, bi int, b, end time.Time) []event {
	d0 := p.dets[0]
	frac := end.Sub(b).Seconds() / p.BucketSpan.Seconds()
	for _, s := range p.series {
		slot := s.slotAt(bi)
		burst := slot >= 0
		var anomaly []choice
		if burst {
			anomaly = s.anomalyOf(slot)
		}
		switch d0.fn.Family {
		case famRare:
			if len(s.seen) != len(s.values) {
				s.seen = make([]int, len(s.values))
			}
			for i := range s.values {
				// More events of each value at a density above 1; below,
				// fewer values (planRare). A usual value stays usual: it
				// occurs in at least half of the whole buckets so far,
				// whatever the draws.
				n := p.occurrences(rarePresence * frac)
				if n == 0 && frac == 1 && 2*s.seen[i] < bi+1 {
					n = 1
				}
				if n > 0 {
					s.seen[i]++
				}
				for ; n > 0; n-- {
					evs = append(evs, event{t: p.uniform(b, end), s: s, value: &s.values[i]})
				}
			}
			if burst {
				evs = append(evs, event{t: p.anomalyTimeAt(b), s: s, value: &anomaly[0], anomaly: true})
			}
		case famCount:
			n := activity.Poisson(p.rng, s.rate*frac)
			if burst {
				if highSide(d0.fn) {
					// Ten times the usual count and a margin over it (a
					// quarter of the rate, at least one event: a denser
					// baseline's median strays further).
					n = 10*(int(math.Ceil(s.rate))+int(math.Ceil(s.rate/4))) + 5
				} else {
					n = 0
				}
			}
			for i := 0; i < n; i++ {
				evs = append(evs, event{t: p.uniform(b, end), s: s, anomaly: burst})
			}
		case famDistinct:
			n := activity.Poisson(p.rng, s.rate*frac)
			for i := 0; i < n && !(burst && !highSide(d0.fn)); i++ {
				evs = append(evs, event{t: p.uniform(b, end), s: s, value: &s.values[p.rng.IntN(len(s.values))]})
			}
			if burst {
				for i := range anomaly {
					evs = append(evs, event{t: p.uniform(b, end), s: s, value: &anomaly[i], anomaly: true})
				}
				if !highSide(d0.fn) {
					for i := 0; i < 6; i++ {
						evs = append(evs, event{t: p.uniform(b, end), s: s, value: &anomaly[0], anomaly: true})
					}
				}
			}
		case famInfo:
			n := activity.Poisson(p.rng, s.rate*frac) + 1
			for i := 0; i < n; i++ {
				evs = append(evs, event{t: p.uniform(b, end), s: s, value: &s.values[p.rng.IntN(len(s.values))]})
			}
			if burst {
				for i := range anomaly {
					evs = append(evs, event{t: p.uniform(b, end), s: s, value: &anomaly[i], anomaly: true})
				}
			}
		case famMetric:
			evs = p.metricEvents(evs, d0, s, b, end, frac, burst)
		case famTime:
			for t := b; t.Before(end); t = t.Add(time.Hour) {
				he := t.Add(time.Hour)
				if he.After(end) {
					he = end
				}
				if !s.active(t, d0.fn.Week) {
					continue
				}
				n := activity.Poisson(p.rng, s.rate*he.Sub(t).Hours())
				for i := 0; i < n; i++ {
					at := p.uniform(t, he)
					if s.active(at, d0.fn.Week) {
						evs = append(evs, event{t: at, s: s})
					}
				}
			}
			if burst {
				evs = append(evs, event{t: p.anomalyTimeAt(b), s: s, anomaly: true})
			}
		case famLatLong:
			for n := p.occurrences(frac); n > 0; n-- {
				evs = append(evs, event{t: p.uniform(b, end), s: s})
			}
			if burst {
				evs = append(evs, event{t: p.anomalyTimeAt(b), s: s, anomaly: true, far: p.farCity(s.home)})
			}
		}
	}
	return evs
}

// metricEvents lays out a metric series' events of a bucket: a few
// values around its level, and in the anomaly far from it.
func (p *Plan) metricEvents(evs []event, d *detector, s *series, b, end time.Time, frac float64, burst bool) []event {
	m := s.model
	n := activity.Poisson(p.rng, s.rate*frac) + 1
	if burst {
		// An anomaly of several values, however little of its bucket
		// lies before the end (a variance needs two).
		n = max(n, 4)
		if d.fn.Metric == "sum" && !highSide(d.fn) && p.density() < 1 {
			// A thin baseline's buckets sum few values: one low value
			// is a tenth of them.
			n = 1
		}
	}
	if burst && d.fn.Metric == "sum" && highSide(d.fn) {
		// Enough high values for the sum to pass ten times the usual.
		top := m.clamp(20 * math.Max(s.level, 1))
		n = int(math.Ceil(12*(s.rate+1)*math.Max(s.level, 1)/math.Max(top, 1e-9))) + 2
		if s.level == 0 {
			n = 12
		}
	}
	for i := 0; i < n; i++ {
		// Within three spreads of the level: a value at the field's floor
		// (0 bytes) would leave a low anomaly no lower than the baseline.
		v := m.clamp(s.level * (1 + m.spread*math.Max(-3, math.Min(3, p.rng.NormFloat64()))))
		ev := event{t: p.uniform(b, end), s: s, num: v, hasNum: true, anomaly: burst}
		switch {
		case burst && len(s.anomaly) > 0:
			ev.value, ev.hasNum = &s.anomaly[i%len(s.anomaly)], false
		case burst:
			ev.num = p.anomalousValue(d, s, i)
		case len(s.values) > 0:
			ev.value = &s.values[p.rng.IntN(len(s.values))]
		}
		evs = append(evs, ev)
	}
	return evs
}

// anomalousValue is the i-th value of a metric series' anomaly.
func (p *Plan) anomalousValue(d *detector, s *series, i int) float64 {
	m := s.model
	high := m.clamp(math.Max(20*s.level, s.level+20*m.spread*math.Max(s.level, 1)))
	if m.max < 20*s.level || s.level == 0 {
		high = m.max
	}
	low := m.clamp(s.level / 20)
	switch {
	case d.fn.Metric == "varp" && highSide(d.fn):
		if i%2 == 0 {
			return m.clamp(s.level * 0.05)
		}
		return high
	case d.fn.Metric == "varp":
		return m.clamp(s.level)
	case highSide(d.fn):
		return high
	}
	return low
}

// farCity is a city far from c.
func (p *Plan) farCity(c *telemetry.City) *telemetry.City {
	cs := p.pop.V.Cities
	best, far := c, 0.0
	for i := range cs {
		if d := distanceKm(c.Lat, c.Lon, cs[i].Lat, cs[i].Lon); d > far {
			best, far = &cs[i], d
		}
	}
	return best
}

// distanceKm is the distance of two places as Elasticsearch measures it.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	return geo.Distance(lat1, lon1, lat2, lon2) / 1000
}

// emit draws one event's document and hands it on.
func (p *Plan) emit(ev *event, fn func(emitter.Document, bool) error) error {
	pins := ev.s.key.pins
	ctx := ev.s.key.ctx
	if ev.value != nil {
		pins = append(append([]pin(nil), pins...), ev.value.pins...)
		ctx = mergeCtx(ctx, ev.value)
	}
	pins = append(pins, p.flagPins(ev)...)
	src, err := p.addSource(pins)
	if err != nil {
		// A combination the query does not allow: the series' own values.
		if src, err = p.addSource(ev.s.key.pins); err != nil {
			return fmt.Errorf("ML job %s: %w", p.Job.ID, err)
		}
	}
	if t := p.transform; t != nil && t.interval > 0 {
		// The transform's date histogram: its documents lie on its
		// interval's boundaries.
		ms := ev.t.UnixMilli()
		ev.t = time.UnixMilli(ms - ms%t.interval).UTC()
	}
	h, u := ctx.host, ctx.user
	if u == nil {
		u = p.pop.User(p.rng, h)
	}
	tev := p.pop.EventFor(p.rng, h, u)
	if ctx.city != nil {
		tev.SetCity(ctx.city)
	}
	if ev.far != nil {
		tev.SetCity(ev.far)
	} else if ev.s.home != nil {
		tev.SetCity(ev.s.home)
	}
	vals := &fixedValues{Event: tev, vocab: p.vocab, rng: p.rng}
	set := p.setFields(ev, tev, vals)
	docs, err := p.e.DrawAt(src, emitter.Draw{Time: ev.t, Event: tev, Values: vals, Bare: p.transform != nil,
		Set: func(int) ([]string, [][]byte) { return set.names, set.vals }})
	if err != nil {
		return fmt.Errorf("ML job %s: %w", p.Job.ID, err)
	}
	for _, d := range docs {
		d.Source = p.finish(d.Source)
		if err := fn(d, ev.anomaly); err != nil {
			return err
		}
	}
	return nil
}

// mergeCtx is the context of a series' event with a value: the value's
// host, user or place where the value names one.
func mergeCtx(c ectx, v *choice) ectx {
	for _, pn := range v.pins {
		switch entityKind(pn.field) {
		case 'h':
			c.host = v.ctx.host
		case 'u':
			c.user = v.ctx.user
			if c.host == nil {
				c.host = v.ctx.host
			}
		case 'g':
			c.city = v.ctx.city
		}
	}
	return c
}

// flagPins fix the derived flags the query names (problemchild's
// prediction and blocklist label): baseline events are the model's
// detections, anomalous ones also on the blocklist.
func (p *Plan) flagPins(ev *event) []pin {
	var out []pin
	for _, f := range p.extras {
		d := derivedFields[f]
		if !p.named[f] || d.model == nil || d.model.max-d.model.min != 1 || !d.model.integer {
			continue
		}
		if p.isValueField(f) && ev.hasNum {
			out = append(out, pin{field: f, val: constraint.Number(ev.num)})
			continue
		}
		v := d.model.level
		if ev.anomaly && p.isValueFieldOfAny(f) {
			v = d.model.max
		}
		if f == "blocklist_label" && ev.anomaly {
			v = 1
		}
		out = append(out, pin{field: f, val: constraint.Number(v)})
	}
	return out
}

// isValueField reports whether f is the first detector's value field.
func (p *Plan) isValueField(f string) bool { return p.dets[0].field == f }

// isValueFieldOfAny reports whether a detector analyses f.
func (p *Plan) isValueFieldOfAny(f string) bool {
	for _, d := range p.dets {
		if d.field == f {
			return true
		}
	}
	return false
}

// fixedValues offers the solver an event's values, and fixes the numbers
// of the fields the plan sets a value of (solver.Fixed).
type fixedValues struct {
	*telemetry.Event
	fixed map[string]float64
	// vocab offers real-looking values of fields the event has none of.
	vocab map[string][]string
	rng   *rand.Rand
}

// Value is the event's value of field, else one of the vocabulary's.
func (v *fixedValues) Value(field string, drawn func(string) (string, bool)) (string, bool) {
	if x, ok := v.Event.Value(field, drawn); ok {
		return x, true
	}
	return offer(v.vocab, v.rng, field)
}

// Fixed is the number the plan wants for field.
func (v *fixedValues) Fixed(field string) (float64, bool) {
	x, ok := v.fixed[field]
	return x, ok
}

// setList is fields and their JSON values, sorted by name.
type setList struct {
	names []string
	vals  [][]byte
}

func (s *setList) add(name string, val []byte) {
	s.names = append(s.names, name)
	s.vals = append(s.vals, val)
}

func (s *setList) Len() int           { return len(s.names) }
func (s *setList) Less(i, k int) bool { return s.names[i] < s.names[k] }
func (s *setList) Swap(i, k int) {
	s.names[i], s.names[k] = s.names[k], s.names[i]
	s.vals[i], s.vals[k] = s.vals[k], s.vals[i]
}

func jsonNumber(x float64) []byte { return strconv.AppendFloat(nil, x, 'f', -1, 64) }

// setFields are the fields an event's document gets besides what its
// query gives: the value field's number, the derived fields, a
// transform's output fields.
func (p *Plan) setFields(ev *event, tev *telemetry.Event, vals *fixedValues) *setList {
	set := &setList{}
	num := func(f string, x float64) {
		if p.named[f] {
			if vals.fixed == nil {
				vals.fixed = map[string]float64{}
			}
			vals.fixed[f] = x
		} else {
			set.add(f, jsonNumber(x))
		}
	}
	d0 := p.dets[0]
	done := map[string]bool{}
	if ev.hasNum && d0.field != "" {
		for _, d := range p.dets {
			if d.fn.Family == famMetric && !done[d.field] && d.field != "process.command_line_entropy" {
				done[d.field] = true
				if derivedFields[d.field] == nil || !derivedFields[d.field].model.integer || d.field == d0.field {
					num(d.field, ev.num)
				}
			}
		}
	}
	if d0.fn.Family == famLatLong {
		c := tev.City()
		lat := c.Lat + (p.rng.Float64()-0.5)*0.2
		lon := c.Lon + (p.rng.Float64()-0.5)*0.2
		set.add(d0.field, document.AppendString(nil, strconv.FormatFloat(lat, 'f', 4, 64)+","+strconv.FormatFloat(lon, 'f', 4, 64)))
		done[d0.field] = true
	}
	// The derived fields' values, as their pipeline leaves them.
	prob := 0.0
	for _, f := range p.extras {
		d := derivedFields[f]
		if done[f] || d.model == nil || f == "process.command_line_entropy" {
			continue
		}
		if d.model.max-d.model.min == 1 && d.model.integer && p.named[f] {
			continue // a flag the query names: pinned
		}
		x := d.model.clamp(d.model.level * (1 + d.model.spread*p.rng.NormFloat64()))
		switch f {
		case "problemchild.prediction_probability":
			if ev.anomaly {
				x = 0.9 + 0.099*p.rng.Float64()
			}
		case "ml_is_dga.malicious_probability":
			if ev.anomaly {
				x = 0.95 + 0.049*p.rng.Float64()
			}
			prob = x
		case "ml_is_dga.malicious_prediction":
			continue // follows the probability, below
		case "session.duration":
			if ev.hasNum && d0.field == f {
				x = ev.num
			}
			// A session ends before the end of the data.
			x = math.Max(1, math.Min(x, p.End.Sub(ev.t).Seconds()))
			set.add("session.complete_time", []byte(`"`+date.Format(ev.t.Add(time.Duration(x*float64(time.Second))))+`"`))
		}
		num(f, x)
	}
	if slicesContains(p.extras, "ml_is_dga.malicious_prediction") {
		if v, ok := vals.fixed["ml_is_dga.malicious_probability"]; ok {
			prob = v
		}
		pred := 0.0
		if prob > 0.5 {
			pred = 1
		}
		num("ml_is_dga.malicious_prediction", pred)
	}
	if t := p.transform; t != nil {
		p.transformFields(set, t, ev, tev)
	}
	if p.timeField != "@timestamp" && !p.named[p.timeField] {
		set.add(p.timeField, []byte(`"`+date.Format(ev.t)+`"`))
	}
	// Only the fields not already set, once each.
	seen := map[string]bool{}
	k := 0
	for i, f := range set.names {
		if !seen[f] {
			seen[f] = true
			set.names[k], set.vals[k] = f, set.vals[i]
			k++
		}
	}
	set.names, set.vals = set.names[:k], set.vals[:k]
	sort.Sort(set)
	return set
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// transformFields are a transform's output fields of an event: its
// group-by fields from the event's host and user, the rest as the
// transform computes them.
func (p *Plan) transformFields(set *setList, t *transform, ev *event, tev *telemetry.Event) {
	h, u := tev.Host, tev.User
	str := func(f, v string) {
		if v != "" && !p.named[f] && !p.pinned(ev, f) {
			set.add(f, document.AppendString(nil, v))
		}
	}
	for _, f := range t.fields {
		switch f {
		case "host.name":
			str(f, h.Name)
		case "host.id":
			str(f, h.ID)
		case "user.name":
			str(f, u.Name)
		case "user.id":
			str(f, u.ID(h.OS))
		case "user.email":
			str(f, u.Email)
		case "source.user.full_name":
			str(f, u.FullName)
		case "agent.name":
			str(f, "okta")
		case "event.module":
			switch {
			case strings.HasPrefix(t.name, "lmd"):
				str(f, "endpoint")
			case strings.Contains(t.name, "okta"):
				str(f, "okta")
			default:
				str(f, "windows")
			}
		case "event.action":
			str(f, "logged-in-special")
		case "event.category":
			str(f, "iam")
		case "event.code":
			str(f, "4672")
		case "process.Ext.authentication_id":
			str(f, fmt.Sprintf("0x%x", 0x10000+p.rng.IntN(0xfffff)))
		case "destination.ip":
			str(f, h.IP)
		}
	}
}

// pinned reports whether an event's source fixes field f.
func (p *Plan) pinned(ev *event, f string) bool {
	for _, pn := range ev.s.key.pins {
		if pn.field == f {
			return true
		}
	}
	if ev.value != nil {
		for _, pn := range ev.value.pins {
			if pn.field == f {
				return true
			}
		}
	}
	return false
}

// finish adds to a drawn document what its pipeline computes from it
// (the pad pipeline's command-line entropy), and aligns a transform's
// date histogram.
func (p *Plan) finish(doc []byte) []byte {
	if slicesContains(p.extras, "process.command_line_entropy") {
		if cl := gjson.GetBytes(doc, "process.command_line"); cl.Exists() {
			if p.builder == nil {
				p.builder = document.NewBuilder()
			}
			own := append([]byte(nil), doc...)
			if out, err := p.builder.Set(own, "process.command_line_entropy", jsonNumber(math.Round(job.Entropy(cl.String())*1e6)/1e6)); err == nil {
				doc = out
			}
		}
	}
	return doc
}
