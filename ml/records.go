package ml

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/schema"
)

// RecordsIndex is where anomaly-detection jobs write their results (the
// alias .ml-anomalies-* searches): machine_learning rules read their
// anomaly records there.
const RecordsIndex = ".ml-anomalies-shared"

// Records are the anomaly records the job would write for the plan's
// data: one per anomaly, in time order, for the detector whose anomaly
// holds, in the anomaly's bucket, with a record_score at or above the
// rules' anomaly_threshold, the entity's split and influencer values,
// and typical and actual as the baseline before it and its bucket have
// them. The plan's documents are generated to find them, but not
// returned.
func (p *Plan) Records() ([]emitter.Document, error) {
	res, err := p.Verify(nil)
	if err != nil {
		return nil, fmt.Errorf("ML job %s: %w", p.Job.ID, err)
	}
	out := make([]emitter.Document, 0, len(res.Anomalies))
	for i := range res.Anomalies {
		out = append(out, emitter.Document{Source: p.record(&res.Anomalies[i]), Index: RecordsIndex})
	}
	return out, nil
}

// score is the record_score of the plan's record: at or above the
// threshold, below 100, from the plan's seed.
func (p *Plan) score() float64 {
	t := float64(p.Threshold)
	if t <= 0 {
		t = 50
	}
	s := t + (100-t)*(0.3+0.5*p.rng.Float64())
	return math.Min(math.Round(s*1000)/1000, 99.999)
}

// record writes the anomaly record of the fired detector's entity.
func (p *Plan) record(res *Anomaly) []byte {
	d := p.dets[res.Fired]
	out := res.out
	ents := res.stats.ents[p.bucketOf(res.Bucket)]
	score := p.score()
	var b []byte
	str := func(k, v string) {
		b = append(b, ',')
		b = document.AppendString(b, k)
		b = append(b, ':')
		b = document.AppendString(b, v)
	}
	num := func(k string, x float64) {
		b = append(b, ',')
		b = document.AppendString(b, k)
		b = append(b, ':')
		b = append(b, jsonNumber(x)...)
	}
	b = append(b, `{"job_id":`...)
	b = document.AppendString(b, p.Job.ID)
	str("result_type", "record")
	num("timestamp", float64(res.Bucket.UnixMilli()))
	num("bucket_span", p.BucketSpan.Seconds())
	num("detector_index", float64(d.d.Index))
	b = append(b, `,"is_interim":false`...)
	num("record_score", score)
	num("initial_record_score", score)
	num("probability", math.Pow(10, -score/10))
	num("multi_bucket_impact", 0)
	str("function", d.fn.Name)
	str("function_description", functionDescription(d.fn))
	if d.d.FieldName != "" {
		str("field_name", d.d.FieldName)
	}
	first := func(f string) string {
		if vs := ents[f]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	}
	split := map[string]string{}
	for _, x := range []struct{ kind, field string }{{"partition", d.d.PartitionFieldName}, {"over", d.d.OverFieldName}, {"by", d.d.ByFieldName}} {
		if x.field == "" {
			continue
		}
		v := first(x.field)
		if x.kind == "by" && out.rare != "" {
			v = out.rare
		}
		split[x.field] = v
		str(x.kind+"_field_name", x.field)
		str(x.kind+"_field_value", v)
	}
	if d.fn.Family == famLatLong {
		b = append(b, `,"geo_results":{"actual_point":`...)
		b = document.AppendString(b, out.actualPoint)
		b = append(b, `,"typical_point":`...)
		b = document.AppendString(b, out.typPoint)
		b = append(b, '}')
	} else {
		b = append(b, `,"actual":[`...)
		b = append(b, jsonNumber(round3(out.actual))...)
		b = append(b, `],"typical":[`...)
		b = append(b, jsonNumber(round3(res.typ))...)
		b = append(b, ']')
	}
	// Influencers: the job's, with the values the anomaly's documents
	// hold (the split field's value first); each also a field of its own.
	fields := map[string][]string{}
	var order []string
	add := func(f string, vs []string) {
		if len(vs) == 0 {
			return
		}
		if _, ok := fields[f]; !ok {
			order = append(order, f)
		}
		for _, v := range vs {
			if !slicesContains(fields[f], v) {
				fields[f] = append(fields[f], v)
			}
		}
	}
	for _, f := range p.Job.Influencers {
		if v, ok := split[f]; ok {
			add(f, []string{v})
			continue
		}
		add(f, ents[f])
	}
	if len(order) > 0 {
		b = append(b, `,"influencers":[`...)
		for i, f := range order {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"influencer_field_name":`...)
			b = document.AppendString(b, f)
			b = append(b, `,"influencer_field_values":`...)
			b = appendStrings(b, fields[f])
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	for f, v := range split {
		add(f, []string{v})
	}
	sort.Strings(order)
	for _, f := range order {
		b = append(b, ',')
		b = document.AppendString(b, f)
		b = append(b, ':')
		b = appendStrings(b, fields[f])
	}
	return append(b, '}')
}

func appendStrings(b []byte, vs []string) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = document.AppendString(b, v)
	}
	return append(b, ']')
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// functionDescription is the function as a record describes it: its name
// without high_ or low_.
func functionDescription(f function) string {
	n := strings.TrimPrefix(strings.TrimPrefix(f.Name, "high_"), "low_")
	switch n {
	case "nzc":
		return "non_zero_count"
	case "dc":
		return "distinct_count"
	case "avg":
		return "mean"
	}
	return n
}

// recordFields are the fields of an anomaly record with the types the
// results index maps them with.
var recordFields = []schema.Field{
	{Name: "@timestamp", Type: estype.Date}, // not in records; every mapping emit writes has it
	{Name: "job_id", Type: estype.Keyword},
	{Name: "result_type", Type: estype.Keyword},
	{Name: "timestamp", Type: estype.Date},
	{Name: "bucket_span", Type: estype.Long},
	{Name: "detector_index", Type: estype.Integer},
	{Name: "is_interim", Type: estype.Boolean},
	{Name: "record_score", Type: estype.Double},
	{Name: "initial_record_score", Type: estype.Double},
	{Name: "probability", Type: estype.Double},
	{Name: "multi_bucket_impact", Type: estype.Double},
	{Name: "function", Type: estype.Keyword},
	{Name: "function_description", Type: estype.Keyword},
	{Name: "field_name", Type: estype.Keyword},
	{Name: "by_field_name", Type: estype.Keyword},
	{Name: "by_field_value", Type: estype.Keyword},
	{Name: "over_field_name", Type: estype.Keyword},
	{Name: "over_field_value", Type: estype.Keyword},
	{Name: "partition_field_name", Type: estype.Keyword},
	{Name: "partition_field_value", Type: estype.Keyword},
	{Name: "actual", Type: estype.Double},
	{Name: "typical", Type: estype.Double},
	{Name: "geo_results.actual_point", Type: estype.GeoPoint},
	{Name: "geo_results.typical_point", Type: estype.GeoPoint},
	{Name: "influencers", Type: estype.Nested},
	{Name: "influencers.influencer_field_name", Type: estype.Keyword},
	{Name: "influencers.influencer_field_values", Type: estype.Keyword},
}

// RecordsMappings are the mappings of the records of plans: the results
// index's fields, and the entity fields of the plans' jobs as keywords
// (as the results index maps them).
func RecordsMappings(plans []*Plan) ([]byte, error) {
	sch := schema.New()
	var names []string
	for _, f := range recordFields {
		sch.Set(f)
		names = append(names, f.Name)
	}
	seen := map[string]bool{}
	for _, p := range plans {
		fs := append([]string(nil), p.Job.Influencers...)
		for _, d := range p.dets {
			fs = append(fs, d.d.SplitFields()...)
		}
		for _, f := range fs {
			if !seen[f] && !sch.Field(f).Known {
				seen[f] = true
				sch.Set(schema.Field{Name: f, Type: estype.Keyword})
				names = append(names, f)
			}
		}
	}
	sort.Strings(names)
	return sch.Mappings(names)
}
