package telemetry

import (
	"encoding/json"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/date"
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
	return document.Text(d.Values[i])
}

// Text is Get: a Doc is a Reader for the consistency rules.
func (d *Doc) Text(field string) (string, bool) { return d.Get(field) }

// Texts is every value of a field as text: the elements of an array.
func (d *Doc) Texts(field string) []string {
	raw, ok := d.raw(field)
	if !ok {
		return nil
	}
	if len(raw) == 0 || raw[0] != '[' {
		v, ok := document.Text(raw)
		if !ok {
			return nil
		}
		return []string{v}
	}
	var elems []json.RawMessage
	if json.Unmarshal(raw, &elems) != nil {
		return nil
	}
	out := make([]string, 0, len(elems))
	for _, el := range elems {
		if v, ok := document.Text(el); ok {
			out = append(out, v)
		}
	}
	return out
}

// raw is a field's JSON value.
func (d *Doc) raw(field string) ([]byte, bool) {
	i := sort.SearchStrings(d.Fields, field)
	if i >= len(d.Fields) || d.Fields[i] != field {
		return nil, false
	}
	return d.Values[i], true
}

func (d *Doc) has(field string) bool {
	i := sort.SearchStrings(d.Fields, field)
	return i < len(d.Fields) && d.Fields[i] == field
}

// Completer completes the documents of one event of a query: it knows the
// schema (types and arrays of the fields it adds), the fields the query
// names there (never added: the query decides them, absence included) and
// the target index, and keeps what it learns per kind of event, so that a
// document costs only its values.
type Completer struct {
	schema *schema.Schema
	named  func(string) bool
	plans  map[string][]planned // per kind: the fields to add, sorted
}

// indexKey is what indexValue's result depends on.
type indexKey struct {
	index, field, kind string
	os                 OS
}

// planned is a field completion may add, with how its values are written.
type planned struct {
	name    string
	dot     string   // name + "."
	parents []string // the names name is under, nearest first
	array   bool
	numeric bool
	boolean bool
}

// NewCompleter returns a completer. named reports whether the query names
// a field (see NamedSet); sch may be nil (every field keyword).
func NewCompleter(sch *schema.Schema, named func(string) bool) *Completer {
	return &Completer{schema: sch, named: named, plans: map[string][]planned{}}
}

// plan is the fields to add to events of kind, sorted by name.
func (c *Completer) plan(kind string) []planned {
	if p, ok := c.plans[kind]; ok {
		return p
	}
	p := c.planOf(kindFields(kind))
	c.plans[kind] = p
	return p
}

// kindFields is the fields completion adds to events of kind (the common
// ones and the kind's usual ones), sorted by name; the same for every
// completer, so worked out once per kind.
func kindFields(kind string) []string {
	if names, ok := kindNames.Load(kind); ok {
		return names.([]string)
	}
	set := map[string]bool{}
	for _, f := range common {
		set[f] = true
	}
	for _, f := range usual[kind] {
		set[f] = true
	}
	names := make([]string, 0, len(set))
	for f := range set {
		names = append(names, f)
	}
	sort.Strings(names)
	kindNames.Store(kind, names)
	return names
}

// kindNames holds kindFields' answers by kind.
var kindNames sync.Map

// planOf is the plan of the fields names (sorted) that the query does not
// name.
func (c *Completer) planOf(names []string) []planned {
	p := make([]planned, 0, len(names))
	for _, f := range names {
		if c.named != nil && c.named(f) {
			continue
		}
		x := planned{name: f}
		x.dot, x.parents = nameParts(f)
		if c.schema != nil {
			sf := c.schema.Field(f)
			x.array = sf.Array
			x.numeric = sf.Type.Numeric()
			x.boolean = sf.Type == estype.Boolean
		}
		p = append(p, x)
	}
	return p
}

// nameParts returns f + "." and the names f is under, nearest first,
// worked out once per name for every completer.
func nameParts(f string) (string, []string) {
	if x, ok := partsOf.Load(f); ok {
		p := x.(*parts)
		return p.dot, p.parents
	}
	p := &parts{dot: f + "."}
	for q := f; ; {
		i := strings.LastIndexByte(q, '.')
		if i < 0 {
			break
		}
		q = q[:i]
		p.parents = append(p.parents, q)
	}
	partsOf.Store(f, p)
	return p.dot, p.parents
}

type parts struct {
	dot     string
	parents []string
}

// partsOf holds nameParts' answers by name.
var partsOf sync.Map

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
		case "process", "network", "file", "registry", "library", "authentication", "iam", "configuration", "web", "driver", "host", "session", "malware", "intrusion_detection", "email", "vulnerability":
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
		case strings.HasPrefix(f, "url."):
			return "web"
		case strings.HasPrefix(f, "email."):
			return "email"
		case strings.HasPrefix(f, "vulnerability."):
			return "vulnerability"
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
	"email":               {"email.from.address", "email.to.address", "email.subject", "email.direction"},
	"vulnerability":       {},
}

// common are the fields of every event.
var common = []string{
	"event.kind", "event.category", "event.type", "event.module", "event.dataset", "event.ingested",
	"data_stream.type", "data_stream.dataset", "data_stream.namespace", "ecs.version",
	"agent.type", "agent.name", "agent.id", "agent.version",
	"host.name", "host.hostname", "host.id", "host.ip", "host.mac", "host.architecture",
	"host.os.type", "host.os.family", "host.os.name", "host.os.platform", "host.os.version", "host.os.kernel",
}

// Fields lists every field completion may add, sorted: what an index
// mapping for completed documents must cover.
func Fields() []string {
	set := map[string]bool{}
	for _, f := range common {
		set[f] = true
	}
	for _, fs := range usual {
		for _, f := range fs {
			set[f] = true
		}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Complete returns the fields an analyst expects of the event that the
// document lacks and the query leaves alone, with their values, agreeing
// with what the document holds (process.name from process.executable,
// event.type from event.category, the host from host.name, ...). ts is
// the event's time, end the run's end, index the document's target index.
// Field names come out sorted; the slices are reused by the next call.
func (c *Completer) Complete(e *Event, d *Doc, index string, ts, end time.Time) ([]string, [][]byte) {
	kind := Kind(d, index)
	e.adoptHost(d)
	e.adoptUser(d)
	if kind == "" && (d.has("user.name") || d.has("user.id")) {
		kind = "iam"
	}
	drawn := func(field string) (string, bool) {
		if v, ok := d.Get(field); ok {
			return v, true
		}
		return e.added(field)
	}
	e.addedF, e.addedV, e.addedS, e.buf = e.addedF[:0], e.addedV[:0], e.addedS[:0], e.buf[:0]
	spans := e.spans[:0]
	defer func() { e.spans = spans }()
	j := 0 // d.Fields before j sort before the planned field
	for _, f := range c.plan(kind) {
		// The plan and the document's fields are both sorted: walk them
		// together rather than search the document per field.
		for j < len(d.Fields) && d.Fields[j] < f.name {
			j++
		}
		if j < len(d.Fields) && d.Fields[j] == f.name || parentOfValue(d, j, f.dot) || parentHeld(d, f) {
			continue
		}
		lo := len(e.buf)
		var ok bool
		if e.buf, ok = e.completeValue(e.buf, f, kind, d, c, index, ts, end, drawn); !ok {
			e.buf = e.buf[:lo]
			continue
		}
		e.addedF = append(e.addedF, f.name)
		e.addedS = append(e.addedS, e.lastText)
		spans = append(spans, [2]int{lo, len(e.buf)})
		e.addedV = append(e.addedV, e.buf[lo:len(e.buf):len(e.buf)])
	}
	// The buffer may have moved while growing: slice it again.
	for i, sp := range spans {
		e.addedV[i] = e.buf[sp[0]:sp[1]:sp[1]]
	}
	return e.addedF, e.addedV
}

// parentOfValue reports whether a field of d from j on (none before j sorts
// after the field of dot) is under the field, dot being its name and ".".
func parentOfValue(d *Doc, j int, dot string) bool {
	for j < len(d.Fields) && d.Fields[j] < dot {
		j++
	}
	return j < len(d.Fields) && strings.HasPrefix(d.Fields[j], dot)
}

// parentHeld reports whether d holds a value at one of f's parents.
func parentHeld(d *Doc, f planned) bool {
	for _, p := range f.parents {
		if d.has(p) {
			return true
		}
	}
	return false
}

// blocked reports whether a document cannot hold f: a value (not an
// object) holds one of f's parents, or f is the parent of a value.
func blocked(d *Doc, f string) bool { return blockedDot(d, f, f+".") }

// blockedDot is blocked, given f+".".
func blockedDot(d *Doc, f, dot string) bool {
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
	i := sort.SearchStrings(d.Fields, dot)
	return i < len(d.Fields) && strings.HasPrefix(d.Fields[i], dot)
}

// added is the value completion has given field so far, as text.
func (e *Event) added(field string) (string, bool) {
	for i, f := range e.addedF {
		if f == field {
			return e.addedS[i], true
		}
	}
	return "", false
}

// adoptHost makes the event's host the one the document names, when the
// population has it.
func (e *Event) adoptHost(d *Doc) {
	for _, f := range []string{"host.id", "host.name", "host.hostname", "host.ip"} {
		if v, ok := d.Get(f); ok {
			if h := e.Host; h != nil && (f == "host.id" && h.ID == v || f == "host.name" && h.Name == v ||
				f == "host.hostname" && h.Hostname == v || f == "host.ip" && h.IP == v) {
				return // the event's own host: no search
			}
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
			if e.User != nil && (f == "user.name" && e.User.Name == v || f == "user.email" && e.User.Email == v) {
				return // the event's own user: no search
			}
			if u := e.Pop.FindUser(f, v); u != nil {
				e.User = u
			}
			return
		}
	}
}

// completeValue appends the JSON value completion gives field f.
func (e *Event) completeValue(dst []byte, f planned, kind string, d *Doc, c *Completer, index string, ts, end time.Time, drawn Drawn) ([]byte, bool) {
	str := func(s string, ok bool) ([]byte, bool) {
		if !ok || s == "" {
			return dst, false
		}
		e.lastText = s
		return encode(dst, f, s), true
	}
	num := func(n int) ([]byte, bool) {
		e.lastText = strconv.Itoa(n)
		return encode(dst, f, e.lastText), true
	}
	switch f.name {
	case "event.kind":
		return str("event", true)
	case "event.category":
		switch kind {
		case "":
			return dst, false
		case "dns", "web":
			return str("network", true)
		}
		return str(kind, true)
	case "event.type":
		return str(eventType(kind, d, c.schema, e))
	case "event.module", "event.dataset", "data_stream.type", "data_stream.dataset", "data_stream.namespace":
		return str(c.indexValue(f.name, index, kind, e.OS))
	case "event.ingested":
		if ts.IsZero() {
			return dst, false
		}
		e.lastText = date.Format(ingested(ts, end, time.Duration(200+e.r.IntN(4800))*time.Millisecond))
		dst = append(dst, '"')
		dst = append(dst, e.lastText...)
		return append(dst, '"'), true
	case "ecs.version":
		return str(e.Pop.V.ECSVersion, true)
	case "agent.type", "agent.name", "agent.version":
		a := agentFor(e.Pop.V, index)
		switch f.name {
		case "agent.type":
			return str(a.Type, true)
		case "agent.version":
			return str(a.Version, true)
		}
		return str(e.Host.Name, true)
	case "process.pid", "process.parent.pid":
		pid, _ := strconv.Atoi(e.PID())
		if f.name == "process.parent.pid" {
			if v, ok := d.Get("process.pid"); ok {
				if n, err := strconv.Atoi(v); err == nil && n > 8 {
					pid = max(4, n-1-e.r.IntN(n/2))
				}
			}
		}
		return num(pid)
	case "process.args":
		cmd, ok := drawn("process.command_line")
		if !ok {
			cmd, ok = e.processValue("process", "command_line", drawn)
		}
		if !ok {
			return dst, false
		}
		args := SplitArgs(cmd)
		if len(args) == 0 {
			return dst, false
		}
		e.lastText = args[0]
		e.nargs = len(args)
		dst = append(dst, '[')
		for i, a := range args {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = document.AppendString(dst, a)
		}
		return append(dst, ']'), true
	case "process.command_line", "process.parent.command_line":
		// A command line runs the arguments the document holds.
		prefix := strings.TrimSuffix(f.name, ".command_line")
		if raw, ok := d.raw(prefix + ".args"); ok {
			var args []string
			if json.Unmarshal(raw, &args) == nil && len(args) > 0 {
				exe, _ := e.processValue(prefix, "executable", drawn)
				o := PathOS(exe, e.OS)
				if len(args) > 0 && (args[0] == exe || strings.EqualFold(Base(args[0], o), Base(exe, o))) {
					args = args[1:]
				}
				for i, a := range args {
					if strings.ContainsAny(a, " \t") {
						args[i] = `"` + a + `"`
					}
				}
				return str(CommandLine(exe, strings.Join(args, " "), o), exe != "")
			}
		}
	case "process.args_count":
		if _, ok := e.added("process.args"); ok {
			return num(e.nargs)
		}
		// The query's arguments, counted.
		var args []string
		if raw, ok := d.raw("process.args"); ok && json.Unmarshal(raw, &args) == nil && len(args) > 0 {
			return num(len(args))
		}
		return dst, false
	case "source.port":
		return num(49152 + e.r.IntN(16383))
	case "destination.port":
		return num(e.service(d).Port)
	case "network.transport":
		return str(e.service(d).Transport, true)
	case "network.direction":
		dir := []string{"egress", "egress", "ingress", "internal"}[e.r.IntN(4)]
		// The addresses the event holds say which way it goes.
		src, okS := drawn("source.ip")
		dst, okD := drawn("destination.ip")
		switch {
		case okS && external(src):
			dir = "ingress"
		case okD && external(dst):
			dir = "egress"
		case okS && okD:
			dir = "internal"
		}
		return str(dir, true)
	case "source.ip":
		if kind == "authentication" || kind == "web" {
			return str(e.Pop.Hosts[e.r.IntN(len(e.Pop.Hosts))].IP, true)
		}
		return str(e.Host.IP, true)
	case "destination.ip":
		if src, ok := d.Get("source.ip"); ok && kind != "web" && external(src) {
			// A connection from outside reaches the host.
			return str(e.Host.IP, true)
		}
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
			return dst, false
		}
	}
	return str(e.Value(f.name, drawn))
}

// ingested is when an event of time ts reached Elasticsearch, delay
// later but never after the run's end (when set) nor before ts.
func ingested(ts, end time.Time, delay time.Duration) time.Time {
	t := ts.Add(delay)
	if !end.IsZero() && t.After(end) {
		t = end
	}
	if t.Before(ts) {
		t = ts
	}
	return t
}

// external reports whether an address is outside the network: a valid
// address that is not private, loopback or link-local.
func external(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() && !a.IsUnspecified()
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

// encode appends a completion value as the field's type wants it:
// numbers and booleans bare, arrays of one element for ECS array fields,
// strings quoted.
func encode(dst []byte, f planned, s string) []byte {
	if f.array {
		dst = append(dst, '[')
	}
	switch {
	case f.numeric && isNumber(s), f.boolean && (s == "true" || s == "false"):
		dst = append(dst, s...)
	default:
		dst = document.AppendString(dst, s)
	}
	if f.array {
		dst = append(dst, ']')
	}
	return dst
}

// isNumber reports whether s is a plain decimal.
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil && s != "" && s[0] != '+' && !strings.ContainsAny(s, "xXpPnN_iI")
}

// preferred is the usual event.type of an event.category.
var preferred = map[string]string{
	"process": "start", "network": "connection", "file": "creation", "registry": "change",
	"library": "start", "authentication": "start", "iam": "change", "configuration": "change",
	"web": "access", "driver": "start", "session": "start", "email": "info", "vulnerability": "info",
}

// eventType is an event.type ECS expects with the event's category.
func eventType(kind string, d *Doc, sch *schema.Schema, e *Event) (string, bool) {
	cat, ok := d.Get("event.category")
	if !ok {
		cat = kind
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

// indexValue is indexValue, remembered per index, field, kind and
// operating system (by every completer: it depends on nothing else).
func (c *Completer) indexValue(field, index, kind string, os OS) (string, bool) {
	k := indexKey{index, field, kind, os}
	indexValuesMu.RLock()
	x, ok := indexValues[k]
	indexValuesMu.RUnlock()
	if ok {
		return x.value, x.ok
	}
	v, ok := indexValue(field, index, kind, os)
	indexValuesMu.Lock()
	indexValues[k] = cached{v, ok}
	indexValuesMu.Unlock()
	return v, ok
}

// indexValues holds indexValue's answers.
var (
	indexValuesMu sync.RWMutex
	indexValues   = map[indexKey]cached{}
)

type cached struct {
	value string
	ok    bool
}

// indexValue derives event.module, event.dataset and data_stream.* from a
// data stream name (logs-endpoint.events.process-default) or a beat index
// (winlogbeat-*) for an event of a kind on a host with an operating system.
func indexValue(field, index, kind string, os OS) (string, bool) {
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
	var module, dataset string
	switch {
	case strings.HasPrefix(ix, "winlogbeat"):
		module, dataset = "windows", "windows.security"
	case strings.HasPrefix(ix, "auditbeat"):
		module, dataset = auditbeatModule(kind, os)
	case strings.HasPrefix(ix, "filebeat"):
		module, dataset = "system", "system.syslog"
		if kind == "authentication" || kind == "session" {
			dataset = "system.auth"
		}
	case strings.HasPrefix(ix, "packetbeat"):
		module = "network_traffic"
		switch kind {
		case "dns":
			dataset = "network_traffic.dns"
		case "web":
			dataset = "network_traffic.http"
		case "network":
			dataset = "network_traffic.flow"
		}
	default:
		return "", false
	}
	switch field {
	case "event.module":
		return module, true
	case "event.dataset":
		return dataset, dataset != ""
	}
	return "", false
}

// auditbeatModule is the Auditbeat module and dataset that report an event
// of a kind: file changes come from file_integrity (dataset "file"); on
// Linux the auditd module reports the rest (its events carry no dataset);
// elsewhere the system module does, with its datasets process, socket,
// login, user, host and package.
func auditbeatModule(kind string, os OS) (module, dataset string) {
	if kind == "file" {
		return "file_integrity", "file"
	}
	if os == Linux {
		return "auditd", ""
	}
	switch kind {
	case "process":
		return "system", "process"
	case "network", "dns", "web":
		return "system", "socket"
	case "authentication", "session":
		return "system", "login"
	case "iam":
		return "system", "user"
	case "host", "configuration":
		return "system", "host"
	case "package":
		return "system", "package"
	}
	return "system", ""
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
