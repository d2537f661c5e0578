package telemetry

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/schema"
)

// Doc is a document being completed: its fields, sorted by name, with
// their JSON values.
type Doc struct {
	Fields []string
	Values [][]byte
}

// Get returns a field's value as text (a string unquoted, the first
// element of an array).
func (d *Doc) Get(field string) (string, bool) {
	i := sort.SearchStrings(d.Fields, field)
	if i >= len(d.Fields) || d.Fields[i] != field {
		return "", false
	}
	return scalarText(d.Values[i])
}

func (d *Doc) has(field string) bool {
	i := sort.SearchStrings(d.Fields, field)
	return i < len(d.Fields) && d.Fields[i] == field
}

// scalarText reads a JSON value as text: strings unquoted, the first
// element of an array.
func scalarText(raw []byte) (string, bool) {
	if len(raw) > 0 && raw[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil || len(arr) == 0 {
			return "", false
		}
		raw = arr[0]
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	}
	return string(raw), len(raw) > 0
}

// Completion is what completing a document needs to know beyond the
// event: the schema (types and arrays of the fields added), the fields the
// query names (never added: the query decides them, absence included), the
// target index, the event's time and the run's end.
type Completion struct {
	Schema *schema.Schema
	// Named reports whether the query names a field (or a pattern that
	// matches it); fields under a named field are left alone too.
	Named func(field string) bool
	Index string
	Time  time.Time
	End   time.Time
}

// NamedSet returns a Named function over a list of field names and
// patterns ("process.*.name").
func NamedSet(fields []string) func(string) bool {
	exact := map[string]bool{}
	var pats []string
	for _, f := range fields {
		if strings.Contains(f, "*") {
			pats = append(pats, f)
		} else {
			exact[f] = true
		}
	}
	return func(f string) bool {
		for p := f; ; {
			if exact[p] {
				return true
			}
			i := strings.LastIndexByte(p, '.')
			if i < 0 {
				break
			}
			p = p[:i]
		}
		for _, p := range pats {
			if wildcard.MatchString(p, f) {
				return true
			}
		}
		return false
	}
}

// Kind tells what an event is about, from its event.category, else from
// its target index, else from the fields it holds: process, network,
// file, registry, library, authentication, dns, web, iam, configuration,
// or "" when nothing tells.
func Kind(d *Doc, index string) string {
	if c, ok := d.Get("event.category"); ok {
		switch c {
		case "process", "network", "file", "registry", "library", "authentication", "iam", "configuration", "web", "driver", "host", "session", "malware", "intrusion_detection":
			return c
		}
	}
	ix := strings.ToLower(index)
	for _, k := range []struct{ sub, kind string }{
		{".process", "process"}, {".network", "network"}, {".file", "file"}, {".registry", "registry"},
		{".library", "library"}, {".security", "authentication"}, {"dns", "dns"}, {"auditd", "process"},
		{"sysmon", "process"}, {"powershell", "process"},
	} {
		if strings.Contains(ix, k.sub) {
			return k.kind
		}
	}
	for _, f := range d.Fields {
		switch {
		case strings.HasPrefix(f, "process."):
			return "process"
		case strings.HasPrefix(f, "dll."):
			return "library"
		case strings.HasPrefix(f, "registry."):
			return "registry"
		case strings.HasPrefix(f, "file."):
			return "file"
		case strings.HasPrefix(f, "dns."):
			return "dns"
		case strings.HasPrefix(f, "destination.") || strings.HasPrefix(f, "source.") || strings.HasPrefix(f, "network."):
			return "network"
		}
	}
	return ""
}

// usual lists the fields an analyst expects of an event of each kind,
// beyond the ones of every event.
var usual = map[string][]string{
	"process": {
		"process.pid", "process.entity_id", "process.executable", "process.name", "process.command_line",
		"process.args", "process.args_count", "process.working_directory",
		"process.parent.pid", "process.parent.entity_id", "process.parent.executable", "process.parent.name",
		"process.parent.command_line", "user.name", "user.id", "user.domain",
	},
	"network": {
		"source.ip", "source.port", "destination.ip", "destination.port", "network.transport", "network.direction",
		"process.pid", "process.name", "process.executable", "process.entity_id", "user.name",
	},
	"dns": {
		"dns.question.name", "dns.question.type", "source.ip", "destination.ip", "destination.port", "network.transport",
		"process.pid", "process.name", "process.executable",
	},
	"file": {
		"file.path", "file.name", "file.extension", "file.directory",
		"process.pid", "process.name", "process.executable", "process.entity_id", "user.name", "user.id", "user.domain",
	},
	"registry": {
		"registry.path", "registry.hive", "registry.key", "registry.value",
		"process.pid", "process.name", "process.executable", "process.entity_id", "user.name", "user.id", "user.domain",
	},
	"library": {
		"dll.path", "dll.name", "process.pid", "process.name", "process.executable", "process.entity_id", "user.name",
	},
	"authentication": {
		"user.name", "user.id", "user.domain", "source.ip", "event.outcome",
	},
	"iam":                 {"user.name", "user.id", "user.domain", "event.outcome"},
	"web":                 {"url.full", "url.domain", "url.path", "http.request.method", "user_agent.original", "source.ip", "destination.ip"},
	"configuration":       {"user.name"},
	"session":             {"user.name", "source.ip"},
	"driver":              {"file.path", "file.name"},
	"host":                {},
	"malware":             {"file.path", "file.name", "process.name"},
	"intrusion_detection": {"source.ip", "destination.ip"},
}

// common are the fields of every event.
var common = []string{
	"event.kind", "event.category", "event.type", "event.module", "event.dataset", "event.ingested",
	"data_stream.type", "data_stream.dataset", "data_stream.namespace", "ecs.version",
	"agent.type", "agent.name", "agent.id", "agent.version",
	"host.name", "host.hostname", "host.id", "host.ip", "host.mac", "host.architecture",
	"host.os.type", "host.os.family", "host.os.name", "host.os.platform", "host.os.version", "host.os.kernel",
}

// Complete returns the fields an analyst expects of the event that the
// document lacks and the query leaves alone, with their values, agreeing
// with what the document holds (process.name from process.executable,
// event.type from event.category, the host from host.name, ...). Field
// names come out sorted.
func (e *Event) Complete(d *Doc, c Completion) ([]string, [][]byte) {
	kind := Kind(d, c.Index)
	e.adoptHost(d)
	e.adoptUser(d)
	var add []string
	add = append(add, common...)
	if kind == "" && (d.has("user.name") || d.has("user.id")) {
		kind = "iam"
	}
	add = append(add, usual[kind]...)
	drawn := func(field string) (string, bool) {
		if v, ok := d.Get(field); ok {
			return v, true
		}
		return e.added(field)
	}
	e.addedF, e.addedV = e.addedF[:0], e.addedV[:0]
	seen := map[string]bool{}
	for _, f := range add {
		if seen[f] || d.has(f) || c.Named != nil && c.Named(f) || blocked(d, f) {
			continue
		}
		seen[f] = true
		raw, ok := e.completeValue(f, kind, d, c, drawn)
		if !ok {
			continue
		}
		e.addedF = append(e.addedF, f)
		e.addedV = append(e.addedV, raw)
	}
	// Sorted by name, values along.
	idx := make([]int, len(e.addedF))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return e.addedF[idx[a]] < e.addedF[idx[b]] })
	fs := make([]string, len(idx))
	vs := make([][]byte, len(idx))
	for i, j := range idx {
		fs[i], vs[i] = e.addedF[j], e.addedV[j]
	}
	return fs, vs
}

// blocked reports whether a document cannot hold f: a value (not an
// object) holds one of f's parents, or f is the parent of a value.
func blocked(d *Doc, f string) bool {
	for p := f; ; {
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
		if d.has(p) {
			return true
		}
	}
	i := sort.SearchStrings(d.Fields, f+".")
	return i < len(d.Fields) && strings.HasPrefix(d.Fields[i], f+".")
}

// added is the value completion has given field so far.
func (e *Event) added(field string) (string, bool) {
	for i, f := range e.addedF {
		if f == field {
			return scalarText(e.addedV[i])
		}
	}
	return "", false
}

// adoptHost makes the event's host the one the document names, when the
// population has it.
func (e *Event) adoptHost(d *Doc) {
	for _, f := range []string{"host.id", "host.name", "host.hostname", "host.ip"} {
		if v, ok := d.Get(f); ok {
			if h := e.Pop.FindHost(f, v); h != nil && h != e.Host {
				e.SetHost(h)
			}
			return
		}
	}
}

// adoptUser makes the event's user the one the document names.
func (e *Event) adoptUser(d *Doc) {
	for _, f := range []string{"user.name", "user.email", "user.id"} {
		if v, ok := d.Get(f); ok {
			if u := e.Pop.FindUser(f, v); u != nil {
				e.User = u
			}
			return
		}
	}
}

// completeValue is the JSON value completion gives field f.
func (e *Event) completeValue(f, kind string, d *Doc, c Completion, drawn Drawn) ([]byte, bool) {
	str := func(s string, ok bool) ([]byte, bool) {
		if !ok || s == "" {
			return nil, false
		}
		return e.encode(c.Schema, f, s), true
	}
	switch f {
	case "event.kind":
		return str("event", true)
	case "event.category":
		if kind == "" || kind == "dns" || kind == "web" {
			if kind == "dns" || kind == "web" {
				return e.encode(c.Schema, f, "network"), true
			}
			return nil, false
		}
		return e.encode(c.Schema, f, kind), true
	case "event.type":
		return str(eventType(kind, d, c.Schema, e))
	case "event.module", "event.dataset", "data_stream.type", "data_stream.dataset", "data_stream.namespace":
		return str(indexValue(f, c.Index, kind))
	case "event.ingested":
		if c.Time.IsZero() {
			return nil, false
		}
		t := c.Time.Add(time.Duration(200+e.r.IntN(4800)) * time.Millisecond)
		if !c.End.IsZero() && t.After(c.End) {
			t = c.End
		}
		if t.Before(c.Time) {
			t = c.Time
		}
		return []byte(`"` + t.UTC().Format("2006-01-02T15:04:05.000Z") + `"`), true
	case "ecs.version":
		return str(e.Pop.V.ECSVersion, true)
	case "agent.type", "agent.name", "agent.version":
		a := agentFor(e.Pop.V, c.Index)
		switch f {
		case "agent.type":
			return str(a.Type, true)
		case "agent.version":
			return str(a.Version, true)
		}
		return str(e.Host.Name, true)
	case "process.pid", "process.parent.pid":
		pid, _ := strconv.Atoi(e.PID())
		if f == "process.parent.pid" {
			if v, ok := d.Get("process.pid"); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 8 {
					pid = max(4, n-1-e.r.IntN(n/2))
				}
			}
		}
		return []byte(strconv.Itoa(pid)), true
	case "process.args":
		cmd, ok := drawn("process.command_line")
		if !ok {
			cmd, ok = e.processValue("process", "command_line", drawn)
		}
		if !ok {
			return nil, false
		}
		args := SplitArgs(cmd)
		if len(args) == 0 {
			return nil, false
		}
		b, _ := json.Marshal(args)
		return b, true
	case "process.args_count":
		if raw, ok := e.rawAdded("process.args"); ok {
			var args []string
			if json.Unmarshal(raw, &args) == nil {
				return []byte(strconv.Itoa(len(args))), true
			}
		}
		return nil, false
	case "source.port":
		return []byte(strconv.Itoa(49152 + e.r.IntN(16383))), true
	case "destination.port":
		return []byte(strconv.Itoa(e.service(d).Port)), true
	case "network.transport":
		return str(e.service(d).Transport, true)
	case "network.direction":
		return str([]string{"egress", "egress", "ingress", "internal"}[e.r.IntN(4)], true)
	case "source.ip":
		if kind == "authentication" || kind == "web" {
			return str(e.Pop.Hosts[e.r.IntN(len(e.Pop.Hosts))].IP, true)
		}
		return str(e.Host.IP, true)
	case "destination.ip":
		if kind == "web" || e.r.IntN(3) > 0 {
			ips := e.Pop.V.PublicIPs
			return str(ips[e.r.IntN(len(ips))], true)
		}
		return str(e.Pop.Hosts[e.r.IntN(len(e.Pop.Hosts))].IP, true)
	case "dns.question.type":
		return str([]string{"A", "A", "AAAA", "CNAME", "TXT"}[e.r.IntN(5)], true)
	case "event.outcome":
		return str([]string{"success", "success", "success", "failure"}[e.r.IntN(4)], true)
	case "user.domain":
		if e.OS != Windows {
			return nil, false
		}
	}
	return str(e.Value(f, drawn))
}

// rawAdded is the JSON value completion has given field so far.
func (e *Event) rawAdded(field string) ([]byte, bool) {
	for i, f := range e.addedF {
		if f == field {
			return e.addedV[i], true
		}
	}
	return nil, false
}

// service is the service a network event reaches: the one on the port the
// document holds, else one drawn once for the event.
func (e *Event) service(d *Doc) Service {
	if p, ok := d.Get("destination.port"); ok {
		for _, s := range e.Pop.V.Ports {
			if strconv.Itoa(s.Port) == p {
				return s
			}
		}
	}
	if e.svc == nil {
		ps := e.Pop.V.Ports
		e.svc = &ps[e.r.IntN(len(ps))]
	}
	return *e.svc
}

// encode writes a completion value as the field's type wants it: numbers
// bare, arrays of one element for ECS array fields, strings quoted.
func (e *Event) encode(sch *schema.Schema, field, s string) []byte {
	var f schema.Field
	if sch != nil {
		f = sch.Field(field)
	}
	var one []byte
	switch {
	case f.Type.Numeric():
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			one = []byte(s)
		}
	case f.Type == estype.Boolean && (s == "true" || s == "false"):
		one = []byte(s)
	}
	if one == nil {
		one, _ = json.Marshal(s)
	}
	if f.Array {
		return append(append([]byte{'['}, one...), ']')
	}
	return one
}

// eventType is an event.type ECS expects with the event's category.
func eventType(kind string, d *Doc, sch *schema.Schema, e *Event) (string, bool) {
	cat, ok := d.Get("event.category")
	if !ok {
		cat = kind
	}
	preferred := map[string]string{
		"process": "start", "network": "connection", "file": "creation", "registry": "change",
		"library": "start", "authentication": "start", "iam": "change", "configuration": "change",
		"web": "access", "driver": "start", "session": "start",
	}
	if sch != nil {
		expected := sch.Field("event.category").ExpectedEventTypes[cat]
		if len(expected) > 0 {
			if p, ok := preferred[cat]; ok && e.r.IntN(3) > 0 {
				for _, x := range expected {
					if x == p {
						return p, true
					}
				}
			}
			return expected[e.r.IntN(len(expected))], true
		}
	}
	p, ok := preferred[cat]
	return p, ok
}

// indexValue derives event.module, event.dataset and data_stream.* from a
// data stream name (logs-endpoint.events.process-default) or a beat index
// (winlogbeat-*).
func indexValue(field, index, kind string) (string, bool) {
	ix := strings.TrimSuffix(strings.TrimSpace(index), "*")
	if parts := strings.SplitN(ix, "-", 3); len(parts) == 3 && (parts[0] == "logs" || parts[0] == "metrics" || parts[0] == "traces") {
		dataset := parts[1]
		if dataset == "" || strings.Contains(dataset, "*") {
			return "", false
		}
		switch field {
		case "data_stream.type":
			return parts[0], true
		case "data_stream.dataset", "event.dataset":
			return dataset, true
		case "data_stream.namespace":
			ns := strings.Trim(parts[2], "*-")
			if ns == "" {
				ns = "default"
			}
			return ns, true
		case "event.module":
			return strings.SplitN(dataset, ".", 2)[0], true
		}
		return "", false
	}
	beat := map[string]string{"winlogbeat": "windows", "auditbeat": "auditd", "filebeat": "system", "packetbeat": "network_traffic"}
	for prefix, module := range beat {
		if strings.HasPrefix(ix, prefix) {
			switch field {
			case "event.module":
				return module, true
			case "event.dataset":
				if module == "windows" {
					return "windows.security", true
				}
				return module + "." + kind, kind != ""
			}
		}
	}
	return "", false
}

// agentFor is the shipper of an index's events.
func agentFor(v *Vocabulary, index string) Agent {
	want := "filebeat"
	switch {
	case strings.Contains(index, "endpoint"):
		want = "endpoint"
	case strings.HasPrefix(index, "winlogbeat"), strings.Contains(index, "windows"):
		want = "winlogbeat"
	case strings.HasPrefix(index, "auditbeat"):
		want = "auditbeat"
	case strings.HasPrefix(index, "packetbeat"):
		want = "packetbeat"
	}
	for _, a := range v.Agents {
		if a.Type == want {
			return a
		}
	}
	return v.Agents[0]
}
