package job

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/source"
)

// Problem is an input, or part of one, that could not be read: an
// unreadable file, malformed JSON (with the line and column), a job whose
// configuration is invalid.
type Problem struct {
	File string
	// Pos is where in File, when known.
	Pos source.Pos
	Err error
	src string
}

func (p *Problem) Error() string {
	if p.Pos.IsValid() {
		return fmt.Sprintf("%s:%d:%d: %v", p.File, p.Pos.Line, p.Pos.Col, p.Err)
	}
	return fmt.Sprintf("%s: %v", p.File, p.Err)
}

// Unwrap returns the underlying error.
func (p *Problem) Unwrap() error { return p.Err }

// Detail is Error with the line of the file and a caret under the
// position, when known.
func (p *Problem) Detail() string {
	if !p.Pos.IsValid() || p.src == "" {
		return p.Error()
	}
	e := &source.Error{Pos: p.Pos, Msg: p.Err.Error(), Src: p.src}
	return p.File + ":" + e.Detail()
}

// Load reads the jobs and datafeeds of files and directories (walked for
// .json files; hidden directories are skipped). Every readable job is in
// the catalog, with the datafeed that names it (by job_id, by datafeed_id
// "datafeed-<job>", or as Kibana modules pair them, datafeed_<job>.json
// beside <job>.json); a later job replaces an earlier one of the same id.
// Problems list what could not be read; the rest still loads.
func Load(paths ...string) (*Catalog, []*Problem) {
	l := &loader{cat: NewCatalog(), notes: map[string]string{}}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			l.problem(&Problem{File: p, Err: errors.Unwrap(err)})
			continue
		}
		if !info.IsDir() {
			l.file(p, true)
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				l.problem(&Problem{File: path, Err: errors.Unwrap(err)})
				return nil
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".json") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			l.problem(&Problem{File: p, Err: err})
		}
		sort.Strings(files)
		for _, f := range files {
			l.file(f, false)
		}
	}
	l.pair()
	return l.cat, l.problems
}

// Parse reads the jobs and datafeeds of one JSON text (name is the file
// it comes from, for messages and for Kibana's datafeed_<job>.json
// pairing).
func Parse(name string, data []byte) (*Catalog, []*Problem) {
	l := &loader{cat: NewCatalog(), notes: map[string]string{}}
	l.parse(name, data, true)
	l.pair()
	return l.cat, l.problems
}

type loader struct {
	cat      *Catalog
	order    []*Job
	loose    []looseDatafeed
	notes    map[string]string // job id -> what is uncertain (index.json)
	problems []*Problem
}

// looseDatafeed is a datafeed read apart from its job.
type looseDatafeed struct {
	df    *Datafeed
	jobID string // as the datafeed names it ("" or the JOB_ID placeholder: unknown)
	file  string
}

func (l *loader) problem(p *Problem) { l.problems = append(l.problems, p) }

func (l *loader) file(path string, explicit bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		l.problem(&Problem{File: path, Err: errors.Unwrap(err)})
		return
	}
	l.parse(path, data, explicit)
}

// parse reads one file's text. A file that holds no job or datafeed is
// a problem when named on its own, and passed over in a directory (a
// module's manifest, say).
func (l *loader) parse(name string, data []byte, explicit bool) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if err := syntax(data); err != nil {
		err.File = name
		l.problem(err)
		return
	}
	f := &fileCtx{l: l, name: name, src: data}
	root := gjson.ParseBytes(data)
	if !f.walk(root, "", 0) && explicit {
		l.problem(&Problem{File: name, Err: errors.New("no anomaly-detection job or datafeed: want a job (analysis_config), a datafeed (indices, query), Elasticsearch's get-jobs or get-datafeeds response, or a Kibana job export or ML module")})
	}
}

// syntax reports the first JSON syntax error of data, with its position.
func syntax(data []byte) *Problem {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	err := dec.Decode(&v)
	if err == nil {
		off := int(dec.InputOffset())
		for off < len(data) && strings.ContainsRune(" \t\r\n", rune(data[off])) {
			off++
		}
		if off < len(data) {
			return &Problem{Pos: source.PosAt(string(data), off), Err: errors.New("invalid JSON: text after the JSON value"), src: string(data)}
		}
		return nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		off := max(0, int(se.Offset)-1)
		return &Problem{Pos: source.PosAt(string(data), off), Err: fmt.Errorf("invalid JSON: %v", se), src: string(data)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &Problem{Pos: source.PosAt(string(data), len(data)), Err: errors.New("invalid JSON: unexpected end of input"), src: string(data)}
	}
	return &Problem{Err: fmt.Errorf("invalid JSON: %v", err)}
}

// fileCtx reads the values of one file.
type fileCtx struct {
	l    *loader
	name string
	src  []byte
}

// at is a problem at the value v of the file.
func (f *fileCtx) at(v gjson.Result, format string, args ...any) {
	p := &Problem{File: f.name, Err: fmt.Errorf(format, args...), src: string(f.src)}
	if v.Index > 0 || (v.Exists() && len(f.src) > 0 && strings.HasPrefix(string(f.src), v.Raw)) {
		p.Pos = source.PosAt(string(f.src), v.Index)
	}
	f.l.problem(p)
}

// decode decodes the value v (of the file) into out; a type error is a
// problem at its position.
func (f *fileCtx) decode(v gjson.Result, what string, out any) bool {
	dec := json.NewDecoder(strings.NewReader(v.Raw))
	dec.UseNumber()
	err := dec.Decode(out)
	if err == nil {
		return true
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		p := &Problem{File: f.name, src: string(f.src), Pos: source.PosAt(string(f.src), v.Index+valueStart(v.Raw, te))}
		field := te.Field
		if field != "" {
			field = ": " + field
		}
		p.Err = fmt.Errorf("%s%s: want %s, found JSON %s", what, field, kindName(te.Type), te.Value)
		f.l.problem(p)
		return false
	}
	f.at(v, "%s: %v", what, err)
	return false
}

// valueStart is where, in text, the value of a type error begins: after
// the last occurrence of its key before the offset the decoder reports.
func valueStart(text string, te *json.UnmarshalTypeError) int {
	off := min(max(int(te.Offset), 0), len(text))
	key := te.Field
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		key = key[i+1:]
	}
	if key == "" {
		return off
	}
	k := strings.LastIndex(text[:off], `"`+key+`"`)
	if k < 0 {
		return off
	}
	i := k + len(key) + 2
	for i < len(text) && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r' || text[i] == ':') {
		i++
	}
	return i
}

func kindName(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another value"
}

// walk reads the jobs and datafeeds of a value; it reports whether it
// found any.
func (f *fileCtx) walk(v gjson.Result, id string, depth int) bool {
	if depth > 8 {
		return false
	}
	if v.IsArray() {
		found := false
		for _, e := range v.Array() {
			found = f.walk(e, "", depth+1) || found
		}
		return found
	}
	if !v.IsObject() {
		return false
	}
	has := func(k string) bool { return v.Get(gjson.Escape(k)).Exists() }
	switch {
	case has("uncertain_inferred_datafeeds") && has("rules"):
		// ../shared/etc/ml/index.json: what is uncertain per job.
		v.Get("uncertain_inferred_datafeeds").ForEach(func(k, why gjson.Result) bool {
			f.l.notes[k.String()] = why.String()
			return true
		})
		return true
	case has("attributes") && v.Get("attributes").IsObject():
		return f.walk(v.Get("attributes"), "", depth+1)
	case has("job") && v.Get("job").IsObject():
		// One job with its datafeed: ../shared/etc/ml's layout, or an
		// element of Kibana's job export.
		jid := v.Get("job_id").String()
		j := f.job(v.Get("job"), jid)
		if j == nil {
			return true
		}
		if df := v.Get("datafeed"); df.IsObject() {
			if d, _ := f.datafeed(df); d != nil {
				j.Datafeed = d
			}
		}
		if m := v.Get("module"); m.IsObject() {
			j.Module.ID = firstString(m, "manifest_id", "module_id", "package", "dir", "id")
			for _, k := range []string{"manifest_id", "module_id", "package", "dir", "id"} {
				if n := m.Get(k).String(); n != "" && !slices.Contains(j.Module.Names, n) {
					j.Module.Names = append(j.Module.Names, n)
				}
			}
			j.Module.DefaultIndexPattern = m.Get("defaultIndexPattern").String()
		}
		if n := v.Get("datafeed_inferred"); n.Exists() {
			from := n.String()
			if n.IsObject() {
				from = n.Get("content_taken_from").String()
			}
			if i := strings.LastIndexAny(from, "/:"); i >= 0 {
				from = from[i+1:]
			}
			j.Note = "the datafeed is inferred (taken from " + strings.TrimSpace(from) + ")"
		}
		f.add(j)
		return true
	case has("jobs") || has("datafeeds"):
		found := false
		v.Get("jobs").ForEach(func(_, e gjson.Result) bool {
			if e.Get("config").IsObject() {
				// A Kibana ML module: {"id": job, "config": {...}}.
				if j := f.job(e.Get("config"), e.Get("id").String()); j != nil {
					f.add(j)
				}
			} else if j := f.job(e, ""); j != nil {
				f.add(j)
			}
			found = true
			return true
		})
		v.Get("datafeeds").ForEach(func(_, e gjson.Result) bool {
			jobID := e.Get("job_id").String()
			if c := e.Get("config"); c.IsObject() {
				if jobID == "" {
					jobID = c.Get("job_id").String()
				}
				if d, _ := f.datafeed(c); d != nil {
					if d.ID == "" {
						d.ID = e.Get("id").String()
					}
					f.l.loose = append(f.l.loose, looseDatafeed{df: d, jobID: jobID, file: f.name})
				}
			} else if d, jid := f.datafeed(e); d != nil {
				f.l.loose = append(f.l.loose, looseDatafeed{df: d, jobID: jid, file: f.name})
			}
			found = true
			return true
		})
		return found
	case has("analysis_config"):
		if j := f.job(v, id); j != nil {
			f.add(j)
		}
		return true
	case has("indices") || has("indexes") || has("datafeed_id") || (has("query") && has("job_id")):
		if d, jid := f.datafeed(v); d != nil {
			f.l.loose = append(f.l.loose, looseDatafeed{df: d, jobID: jid, file: f.name})
		}
		return true
	}
	return false
}

func firstString(v gjson.Result, keys ...string) string {
	for _, k := range keys {
		if s := v.Get(k).String(); s != "" {
			return s
		}
	}
	return ""
}

func (f *fileCtx) add(j *Job) {
	f.l.order = append(f.l.order, j)
}

// rawJob is a job configuration as Elasticsearch writes it.
type rawJob struct {
	JobID          string   `json:"job_id"`
	Description    string   `json:"description"`
	Groups         []string `json:"groups"`
	AnalysisConfig *struct {
		BucketSpan              string        `json:"bucket_span"`
		SummaryCountFieldName   string        `json:"summary_count_field_name"`
		CategorizationFieldName string        `json:"categorization_field_name"`
		Detectors               []rawDetector `json:"detectors"`
		Influencers             []string      `json:"influencers"`
	} `json:"analysis_config"`
	DataDescription struct {
		TimeField  string `json:"time_field"`
		TimeFormat string `json:"time_format"`
	} `json:"data_description"`
}

type rawDetector struct {
	DetectorDescription string `json:"detector_description"`
	Function            string `json:"function"`
	FieldName           string `json:"field_name"`
	ByFieldName         string `json:"by_field_name"`
	OverFieldName       string `json:"over_field_name"`
	PartitionFieldName  string `json:"partition_field_name"`
	ExcludeFrequent     string `json:"exclude_frequent"`
	UseNull             bool   `json:"use_null"`
	DetectorIndex       *int   `json:"detector_index"`
	CustomRules         []struct {
		Actions    []string            `json:"actions"`
		Scope      map[string]any      `json:"scope"`
		Conditions []rawRuleConditions `json:"conditions"`
	} `json:"custom_rules"`
}

type rawRuleConditions struct {
	AppliesTo string      `json:"applies_to"`
	Operator  string      `json:"operator"`
	Value     json.Number `json:"value"`
}

// job reads a job configuration; id, when set, is the job's id where the
// configuration has none (a Kibana module's entry), else the file's name.
func (f *fileCtx) job(v gjson.Result, id string) *Job {
	var raw rawJob
	if !f.decode(v, "job", &raw) {
		return nil
	}
	j := &Job{ID: strings.TrimSpace(raw.JobID), Description: raw.Description, Groups: raw.Groups, File: f.name,
		TimeField: raw.DataDescription.TimeField, TimeFormat: raw.DataDescription.TimeFormat, Config: json.RawMessage(v.Raw)}
	if j.ID == "" {
		j.ID = strings.TrimSpace(id)
	}
	if j.ID == "" {
		j.ID = strings.TrimSuffix(filepath.Base(f.name), filepath.Ext(f.name))
	}
	if j.TimeField == "" {
		j.TimeField = "@timestamp"
	}
	ac := raw.AnalysisConfig
	if ac == nil {
		f.at(v, "job %s: no analysis_config", j.ID)
		return nil
	}
	span, err := parseBucketSpan(ac.BucketSpan)
	if ac.BucketSpan == "" {
		err = errors.New("missing (want a time value such as 15m)")
	}
	if err != nil {
		f.at(v.Get("analysis_config.bucket_span"), "job %s: analysis_config.bucket_span: %v", j.ID, err)
		return nil
	}
	j.BucketSpan = span
	j.SummaryCountField = ac.SummaryCountFieldName
	j.CategorizationField = ac.CategorizationFieldName
	j.Influencers = ac.Influencers
	if len(ac.Detectors) == 0 {
		f.at(v.Get("analysis_config"), "job %s: analysis_config has no detectors", j.ID)
		return nil
	}
	for i, rd := range ac.Detectors {
		d := Detector{Index: i, Description: rd.DetectorDescription, Function: strings.TrimSpace(rd.Function),
			FieldName: rd.FieldName, ByFieldName: rd.ByFieldName, OverFieldName: rd.OverFieldName,
			PartitionFieldName: rd.PartitionFieldName, ExcludeFrequent: rd.ExcludeFrequent, UseNull: rd.UseNull}
		if rd.DetectorIndex != nil {
			d.Index = *rd.DetectorIndex
		}
		if d.Function == "" {
			f.at(v.Get(fmt.Sprintf("analysis_config.detectors.%d", i)), "job %s: detector %d has no function", j.ID, i)
			return nil
		}
		for k, cr := range rd.CustomRules {
			rule := CustomRule{Actions: cr.Actions, Scoped: len(cr.Scope) > 0}
			for m, c := range cr.Conditions {
				x, err := c.Value.Float64()
				if err != nil {
					f.at(v.Get(fmt.Sprintf("analysis_config.detectors.%d.custom_rules.%d.conditions.%d.value", i, k, m)),
						"job %s: detector %d: custom rule condition value %q is not a number", j.ID, i, c.Value)
					return nil
				}
				rule.Conditions = append(rule.Conditions, Condition{AppliesTo: c.AppliesTo, Operator: c.Operator, Value: x})
			}
			d.CustomRules = append(d.CustomRules, rule)
		}
		j.Detectors = append(j.Detectors, d)
	}
	if dc := v.Get("datafeed_config"); dc.IsObject() {
		if d, _ := f.datafeed(dc); d != nil {
			j.Datafeed = d
		}
	}
	return j
}

// rawDatafeed is a datafeed configuration as Elasticsearch writes it.
type rawDatafeed struct {
	DatafeedID      string   `json:"datafeed_id"`
	JobID           string   `json:"job_id"`
	Indices         []string `json:"indices"`
	Indexes         []string `json:"indexes"`
	RuntimeMappings map[string]struct {
		Type   string          `json:"type"`
		Script json.RawMessage `json:"script"`
	} `json:"runtime_mappings"`
	ScriptFields map[string]json.RawMessage `json:"script_fields"`
}

// datafeed reads a datafeed configuration and the job it names.
func (f *fileCtx) datafeed(v gjson.Result) (*Datafeed, string) {
	var raw rawDatafeed
	if !f.decode(v, "datafeed", &raw) {
		return nil, ""
	}
	d := &Datafeed{ID: raw.DatafeedID, Indices: raw.Indices, Config: json.RawMessage(v.Raw)}
	if len(d.Indices) == 0 {
		d.Indices = raw.Indexes
	}
	q := v.Get("query")
	switch {
	case !q.Exists():
		d.Query = json.RawMessage(`{"match_all":{}}`)
	case !q.IsObject():
		f.at(q, "datafeed %s: query: want a Query DSL object", raw.DatafeedID)
		return nil, ""
	default:
		d.Query = json.RawMessage(q.Raw)
	}
	if len(raw.RuntimeMappings) > 0 {
		d.RuntimeMappings = map[string]RuntimeField{}
		for name, rf := range raw.RuntimeMappings {
			script := ""
			var s string
			var obj struct {
				Source string `json:"source"`
			}
			switch {
			case len(rf.Script) == 0:
			case json.Unmarshal(rf.Script, &s) == nil:
				script = s
			case json.Unmarshal(rf.Script, &obj) == nil:
				script = obj.Source
			}
			d.RuntimeMappings[name] = RuntimeField{Type: rf.Type, Script: script}
		}
	}
	for name := range raw.ScriptFields {
		d.ScriptFields = append(d.ScriptFields, name)
	}
	sort.Strings(d.ScriptFields)
	d.Aggregated = v.Get("aggregations").Exists() || v.Get("aggs").Exists()
	return d, strings.TrimSpace(raw.JobID)
}

// pair gives each job its datafeed, and the catalog its jobs.
func (l *loader) pair() {
	for _, j := range l.order {
		if n, ok := l.notes[j.ID]; ok && j.Note != "" {
			j.Note += ": " + n
		} else if ok {
			j.Note = n
		}
		l.cat.Add(j)
	}
	for _, ld := range l.loose {
		id := ld.jobID
		if id == "" || id == "JOB_ID" {
			id = ""
			if x, ok := strings.CutPrefix(ld.df.ID, "datafeed-"); ok {
				id = x
			} else if x, ok := strings.CutPrefix(strings.TrimSuffix(filepath.Base(ld.file), filepath.Ext(ld.file)), "datafeed_"); ok {
				id = x
			}
		}
		if j, ok := l.cat.Job(id); ok {
			j.Datafeed = ld.df
		}
	}
}
