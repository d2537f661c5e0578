package ml

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/ml/job"
)

// runtimeField is a datafeed runtime field emit reads: the value it gives
// a document, computed from the document's own fields. The shipped jobs
// use three shapes of script, which emit recognises (whitespace aside):
// a copy of a field with a default (winlog_logon_type), the first of
// several fields that is present (dns_question_etld) and the directory of
// a path (file_directory). Documents carry the source fields; the runtime
// value follows from them.
type runtimeField struct {
	name string
	kind byte     // 'c': copy (first present of from), 'd': directory of from[0]
	from []string // source fields
	dflt string   // the value when the source fields are absent
}

var (
	// if (doc.containsKey('A') && doc['A'].size() != 0) { emit(doc['A'].value); } else { emit('D'); }
	copyScript = regexp.MustCompile(`^if\(doc\.containsKey\('([^']+)'\)&&doc\['([^']+)'\]\.size\(\)!=0\)\{emit\(doc\['([^']+)'\]\.value\);?\}else\{emit\('([^']*)'\);?\}$`)
	// if (!doc.containsKey('A') || doc['A'].size() == 0) { <copy of B with default D> } else { emit(doc['A'].value); }
	firstScript = regexp.MustCompile(`^if\(!doc\.containsKey\('([^']+)'\)\|\|doc\['([^']+)'\]\.size\(\)==0\)\{(.*)\}else\{emit\(doc\['([^']+)'\]\.value\);?\}$`)
	// The directory of a path: its last segment (after / or \) removed.
	dirScript = regexp.MustCompile(`^defst=newString\(\);defst1=newString\(\);if\(doc\.containsKey\('([^']+)'\)&&doc\['([^']+)'\]\.size\(\)!=0\)\{st=doc\['([^']+)'\]\.value\.replace\('/','\\\\'\)\.splitOnToken\('\\\\'\)\[-1\];st1=doc\['([^']+)'\]\.value\.replace\(st,""\);emit\(\(?st1\)?\);?\}else\{emit\('([^']*)'\);?\}$`)
)

// readRuntime recognises a runtime field's script.
func readRuntime(name string, rf job.RuntimeField) (*runtimeField, error) {
	s := strings.Join(strings.Fields(rf.Script), "")
	if m := copyScript.FindStringSubmatch(s); m != nil && m[1] == m[2] && m[2] == m[3] {
		return &runtimeField{name: name, kind: 'c', from: []string{m[1]}, dflt: m[4]}, nil
	}
	if m := firstScript.FindStringSubmatch(s); m != nil && m[1] == m[2] && m[2] == m[4] {
		inner, err := readRuntime(name, job.RuntimeField{Type: rf.Type, Script: m[3]})
		if err == nil && inner.kind == 'c' {
			return &runtimeField{name: name, kind: 'c', from: append([]string{m[1]}, inner.from...), dflt: inner.dflt}, nil
		}
	}
	if m := dirScript.FindStringSubmatch(s); m != nil && m[1] == m[2] && m[2] == m[3] && m[3] == m[4] {
		return &runtimeField{name: name, kind: 'd', from: []string{m[1]}, dflt: m[5]}, nil
	}
	return nil, fmt.Errorf("runtime field %s: emit cannot read its script (it reads copies of a field, the first field present, and a path's directory)", name)
}

// value is the runtime field's value for a document.
func (rt *runtimeField) value(doc []byte) string {
	for _, f := range rt.from {
		v := gjson.GetBytes(doc, document.Path(f))
		if v.IsArray() {
			v = v.Get("0")
		}
		if !v.Exists() || v.Type == gjson.Null {
			continue
		}
		if rt.kind == 'd' {
			return directory(v.String())
		}
		return v.String()
	}
	return rt.dflt
}

// directory is what file_directory's script makes of a path: the path
// with every occurrence of its last segment (after the last / or \)
// removed, as Painless's String.replace removes them all.
func directory(path string) string {
	last := path
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		last = path[i+1:]
	}
	if last == "" {
		return path
	}
	return strings.ReplaceAll(path, last, "")
}

// derived is a field that an integration's ingest pipeline or transform
// adds to the data an ML job reads, with the type its package maps it
// with and how emit generates it.
type derived struct {
	name string
	typ  estype.Type
	// by is what adds it: "the problemchild ingest pipeline", ...
	by string
	// values are the field's values (a keyword field), when it has few.
	values []string
	// model is how a numeric field's values spread; nil for keywords.
	model *valueModel
}

// valueModel is how a numeric field's baseline values spread: around
// level, with a relative spread, within [min, max].
type valueModel struct {
	level, spread float64
	min, max      float64
	integer       bool
}

// clamp keeps x within the model's range (and whole for an integer
// field).
func (m *valueModel) clamp(x float64) float64 {
	x = math.Min(math.Max(x, m.min), m.max)
	if m.integer {
		x = math.Round(x)
	} else {
		x = math.Round(x*1000) / 1000
	}
	return x
}

// The fields the shipped ML jobs read that no event carries: the
// integration packages' pipelines and transforms add them (their
// packages' fields.yml give the types).
var derivedFields = map[string]*derived{
	"problemchild.prediction": {name: "problemchild.prediction", typ: estype.Long, by: "the problemchild ingest pipeline (1: the model deems the process malicious)",
		model: &valueModel{level: 1, min: 0, max: 1, integer: true}},
	"problemchild.prediction_probability": {name: "problemchild.prediction_probability", typ: estype.Float, by: "the problemchild ingest pipeline (the model's probability)",
		model: &valueModel{level: 0.62, spread: 0.08, min: 0.5, max: 0.999}},
	"blocklist_label": {name: "blocklist_label", typ: estype.Long, by: "the problemchild ingest pipeline (1: the process is on its blocklist)",
		model: &valueModel{level: 0, min: 0, max: 1, integer: true}},
	"ml_is_dga.malicious_prediction": {name: "ml_is_dga.malicious_prediction", typ: estype.Long, by: "the dga ingest pipeline",
		model: &valueModel{level: 0, min: 0, max: 1, integer: true}},
	"ml_is_dga.malicious_probability": {name: "ml_is_dga.malicious_probability", typ: estype.Float, by: "the dga ingest pipeline (the model's probability that the domain is generated)",
		model: &valueModel{level: 0.04, spread: 0.5, min: 0.0001, max: 0.999}},
	"process.command_line_entropy": {name: "process.command_line_entropy", typ: estype.Float, by: "the pad ingest pipeline (Shannon entropy of process.command_line)",
		model: &valueModel{level: 4, spread: 0.05, min: 0, max: 8}},
	"privilege_type": {name: "privilege_type", typ: estype.Keyword, by: "the pad transform pivot_transform_win_privilege_list_ea (winlog.event_data.PrivilegeList)",
		values: []string{"SeDebugPrivilege", "SeTakeOwnershipPrivilege", "SeBackupPrivilege", "SeRestorePrivilege", "SeImpersonatePrivilege", "SeAssignPrimaryTokenPrivilege"}},
	"okta_distinct_ips": {name: "okta_distinct_ips", typ: estype.Long, by: "the pad transform pivot_transform_okta_sessions_ea (distinct client.ip per user and 30 minutes)",
		model: &valueModel{level: 2, spread: 0.15, min: 2, max: 60, integer: true}},
	"okta_distinct_countries": {name: "okta_distinct_countries", typ: estype.Long, by: "the pad transform pivot_transform_okta_sessions_ea",
		model: &valueModel{level: 2, spread: 0.1, min: 2, max: 8, integer: true}},
	"okta_session_info.has_end_event": {name: "okta_session_info.has_end_event", typ: estype.Long, by: "the pad transform pivot_transform_okta_sessions_ea",
		model: &valueModel{level: 0, min: 0, max: 0, integer: true}},
	"session.start_time":    {name: "session.start_time", typ: estype.Date, by: "the lmd transform pivot_transform_ea"},
	"session.complete_time": {name: "session.complete_time", typ: estype.Date, by: "the lmd transform pivot_transform_ea"},
	"session.duration": {name: "session.duration", typ: estype.Float, by: "the lmd transform pivot_transform_ea (seconds)",
		model: &valueModel{level: 1800, spread: 0.25, min: 30, max: 86400}},
	"number_processes_per_session": {name: "number_processes_per_session", typ: estype.Long, by: "the lmd transform pivot_transform_ea",
		model: &valueModel{level: 24, spread: 0.2, min: 1, max: 100000, integer: true}},
	"total_length_process_args": {name: "total_length_process_args", typ: estype.Double, by: "the lmd transform pivot_transform_ea (process.args_count summed)",
		model: &valueModel{level: 70, spread: 0.2, min: 1, max: 1e6}},
}

// transform is an integration transform whose output an ML job reads:
// emit generates the transform's output documents directly.
type transform struct {
	name string
	// index is where the datafeed finds its output.
	index string
	// reads tells whether a job reads the transform's output: its
	// datafeed names the index, or its detectors the transform's fields.
	field string
	// fields are the transform's output fields besides the time.
	fields []string
	// interval is its date histogram's (0: none).
	interval int64 // milliseconds
}

var transforms = []*transform{
	{name: "lmd pivot_transform_ea", index: "ml-rdp-lmd_ea", field: "session.start_time",
		fields: []string{"host.name", "host.id", "destination.ip", "user.name", "user.id", "event.module", "source.ip", "process.Ext.authentication_id",
			"number_processes_per_session", "total_length_process_args", "session.start_time", "session.complete_time", "session.duration"}},
	{name: "pad pivot_transform_win_privilege_list_ea", index: "ml_windows_privilege_type_pad_ea.latest", field: "privilege_type",
		fields: []string{"host.name", "host.id", "user.name", "user.id", "event.module", "privilege_type", "event.action", "event.category", "event.code"}},
	{name: "pad pivot_transform_okta_sessions_ea", index: "ml_okta_multiple_user_sessions_pad_ea.latest", field: "okta_distinct_ips",
		fields: []string{"user.name", "user.email", "event.module", "host.name", "agent.name", "source.user.full_name",
			"okta_distinct_ips", "okta_distinct_countries", "okta_session_info.has_end_event"}, interval: 30 * 60 * 1000},
}

// transformOf is the transform whose output j reads, if any.
func transformOf(j *job.Job) *transform {
	for _, t := range transforms {
		if j.Datafeed != nil {
			for _, ix := range j.Datafeed.Indices {
				if ix == t.index {
					return t
				}
			}
		}
		if j.TimeField == t.field {
			return t
		}
		for _, d := range j.Detectors {
			if d.FieldName == t.field || d.ByFieldName == t.field || d.OverFieldName == t.field || d.PartitionFieldName == t.field {
				return t
			}
		}
	}
	return nil
}
