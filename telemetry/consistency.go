package telemetry

import (
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/schema"
)

// Rule is a consistency rule of real telemetry: what an analyst expects of
// fields that appear together in one event.
type Rule struct {
	Name string
	// Requires are the fields the rule applies only with, and AnyOf
	// (when set) those of which it needs one: a document without them
	// keeps the rule. They let a caller skip rules that cannot apply.
	Requires, AnyOf []string
	// Check tells whether the rule applies to the document and, if so,
	// whether it holds.
	Check func(d Reader) (applies, holds bool)
}

// RulesFor are the rules that may apply to documents holding some of
// fields (sorted): the others never do.
func RulesFor(fields []string) []*Rule {
	has := func(f string) bool {
		i := sort.SearchStrings(fields, f)
		return i < len(fields) && fields[i] == f
	}
	var out []*Rule
	for i := range Rules {
		r := &Rules[i]
		ok := true
		for _, f := range r.Requires {
			ok = ok && has(f)
		}
		if ok && len(r.AnyOf) > 0 {
			ok = false
			for _, f := range r.AnyOf {
				ok = ok || has(f)
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// Reader reads a decoded document's values by dotted name.
type Reader interface {
	// Text is the first value of a field as text.
	Text(field string) (string, bool)
	// Texts is every value of a field as text (the elements of an array).
	Texts(field string) []string
}

// Rules are the consistency rules emit's documents keep: the property
// tests check them on every document of both shared rulesets, and
// cmd/emit's realism report counts them.
var Rules = []Rule{
	basename("process.executable", "process.name"),
	basename("process.parent.executable", "process.parent.name"),
	commandRuns("process"),
	commandRuns("process.parent"),
	{Name: "process.args[0] is process.executable or its name", Requires: []string{"process.args", "process.executable"}, Check: argsStart},
	basename("file.path", "file.name"),
	{Name: "file.directory is the directory of file.path", Requires: []string{"file.directory", "file.path"}, Check: directory("file.path", "file.directory")},
	{Name: "file.extension is the extension of file.name", Requires: []string{"file.extension", "file.name"}, Check: extension},
	basename("dll.path", "dll.name"),
	{Name: "paths follow the host's operating system", Requires: []string{"host.os.type"}, AnyOf: pathFields, Check: pathsFollowOS},
	{Name: "no path ends in a separator", AnyOf: pathFields[:4], Check: noTrailingSeparator},
	{Name: "hashes are hex of their algorithm's length", AnyOf: hashFieldNames(), Check: hashes},
	{Name: "user.id is a SID on Windows and a uid elsewhere", Requires: []string{"host.os.type", "user.id"}, Check: userIDs},
	{Name: "event.type is one ECS expects with event.category", Requires: []string{"event.category", "event.type"}, Check: eventTypes},
	urlDomain("url"),
	urlDomain("threat.indicator.url"),
	{Name: "threat.indicator.type is the kind of value the indicator holds", Requires: []string{"threat.indicator.type"}, Check: indicatorType},
	{Name: "an indicator is seen first, then last, then published", AnyOf: []string{"threat.indicator.first_seen", "threat.indicator.last_seen"}, Check: indicatorSeen},
}

// Consistent reports whether a document keeps every one of rules that
// applies to it (RulesFor its fields; nil: all of Rules), and the first
// it breaks.
func Consistent(d Reader, rules []*Rule) (bool, *Rule) {
	if rules == nil {
		for i := range Rules {
			rules = append(rules, &Rules[i])
		}
	}
	for _, r := range rules {
		if applies, holds := r.Check(d); applies && !holds {
			return false, r
		}
	}
	return true, nil
}

// documentOS is the OS a document says its host runs, from host.os.type.
func documentOS(d Reader) (OS, bool) {
	t, ok := d.Text("host.os.type")
	if !ok {
		return 0, false
	}
	switch strings.ToLower(t) {
	case "windows":
		return Windows, true
	case "linux":
		return Linux, true
	case "macos":
		return MacOS, true
	}
	return 0, false
}

func osOf(d Reader, path string) OS {
	if o, ok := documentOS(d); ok {
		return PathOS(path, o)
	}
	return PathOS(path, Linux)
}

func basename(pathField, nameField string) Rule {
	return Rule{
		Name:     nameField + " is the base name of " + pathField,
		Requires: []string{nameField, pathField},
		Check: func(d Reader) (bool, bool) {
			p, ok1 := d.Text(pathField)
			n, ok2 := d.Text(nameField)
			if !ok1 || !ok2 {
				return false, true
			}
			return true, Base(p, osOf(d, p)) == n
		},
	}
}

func directory(pathField, dirField string) func(Reader) (bool, bool) {
	return func(d Reader) (bool, bool) {
		p, ok1 := d.Text(pathField)
		dir, ok2 := d.Text(dirField)
		if !ok1 || !ok2 {
			return false, true
		}
		return true, Dir(p, osOf(d, p)) == dir
	}
}

func extension(d Reader) (bool, bool) {
	n, ok1 := d.Text("file.name")
	x, ok2 := d.Text("file.extension")
	if !ok1 || !ok2 {
		return false, true
	}
	return true, strings.EqualFold(Ext(n), x)
}

func commandRuns(prefix string) Rule {
	return Rule{
		Name:     prefix + ".command_line runs " + prefix + ".executable",
		Requires: []string{prefix + ".command_line", prefix + ".executable"},
		Check: func(d Reader) (bool, bool) {
			cmd, ok1 := d.Text(prefix + ".command_line")
			exe, ok2 := d.Text(prefix + ".executable")
			if !ok1 || !ok2 {
				return false, true
			}
			base := Base(exe, osOf(d, exe))
			for _, start := range []string{exe, `"` + exe + `"`, base, `"` + base + `"`} {
				if rest, ok := strings.CutPrefix(cmd, start); ok && (rest == "" || rest[0] == ' ') {
					return true, true
				}
			}
			return true, false
		},
	}
}

func argsStart(d Reader) (bool, bool) {
	args := d.Texts("process.args")
	exe, ok := d.Text("process.executable")
	if len(args) == 0 || !ok {
		return false, true
	}
	name := Base(exe, osOf(d, exe))
	return true, strings.EqualFold(args[0], exe) || strings.EqualFold(args[0], name) ||
		strings.EqualFold(Base(args[0], osOf(d, args[0])), name)
}

// pathFields are the fields that hold paths of the host's file system:
// first those of files (never ending in a separator), then directories.
var pathFields = []string{"process.executable", "process.parent.executable", "file.path", "dll.path", "process.working_directory", "file.directory"}

func pathsFollowOS(d Reader) (bool, bool) {
	o, ok := documentOS(d)
	if !ok {
		return false, true
	}
	applies := false
	for _, f := range pathFields {
		p, ok := d.Text(f)
		if !ok || p == "" {
			continue
		}
		applies = true
		win := len(p) >= 3 && isLetter(p[0]) && p[1] == ':' && p[2] == '\\' || strings.HasPrefix(p, `\\`)
		if (o == Windows) != win || o != Windows && !strings.HasPrefix(p, "/") {
			return true, false
		}
	}
	return applies, true
}

func noTrailingSeparator(d Reader) (bool, bool) {
	applies := false
	for _, f := range pathFields[:4] {
		p, ok := d.Text(f)
		if !ok {
			continue
		}
		applies = true
		if strings.HasSuffix(p, `\`) || strings.HasSuffix(p, "/") {
			return true, false
		}
	}
	return applies, true
}

// hashFields are where ECS keeps hashes, with the length of each
// algorithm's hex digest.
var hashFields = func() []struct {
	name string
	n    int
} {
	var out []struct {
		name string
		n    int
	}
	for _, prefix := range []string{"process.hash", "process.parent.hash", "file.hash", "dll.hash"} {
		for _, a := range []struct {
			algo string
			n    int
		}{{"md5", 32}, {"sha1", 40}, {"sha256", 64}, {"sha512", 128}} {
			out = append(out, struct {
				name string
				n    int
			}{prefix + "." + a.algo, a.n})
		}
	}
	return out
}()

func hashFieldNames() []string {
	out := make([]string, len(hashFields))
	for i, f := range hashFields {
		out[i] = f.name
	}
	return out
}

func hashes(d Reader) (bool, bool) {
	applies := false
	for _, f := range hashFields {
		h, ok := d.Text(f.name)
		if !ok {
			continue
		}
		applies = true
		if len(h) != f.n || strings.Trim(strings.ToLower(h), "0123456789abcdef") != "" {
			return true, false
		}
	}
	return applies, true
}

func userIDs(d Reader) (bool, bool) {
	o, ok1 := documentOS(d)
	id, ok2 := d.Text("user.id")
	if !ok1 || !ok2 {
		return false, true
	}
	if o == Windows {
		return true, strings.HasPrefix(id, "S-1-")
	}
	return true, strings.Trim(id, "0123456789") == ""
}

// expectedEventTypes is the event.type values ECS expects of each
// event.category, read once from the default schema (schema.Default
// clones it).
var expectedEventTypes = sync.OnceValue(func() map[string][]string {
	return schema.Default().Field("event.category").ExpectedEventTypes
})

func eventTypes(d Reader) (bool, bool) {
	cats := d.Texts("event.category")
	types := d.Texts("event.type")
	if len(cats) != 1 || len(types) == 0 {
		return false, true
	}
	want, ok := expectedEventTypes()[cats[0]]
	if !ok {
		return false, true
	}
	for _, t := range types {
		found := false
		for _, w := range want {
			found = found || w == t
		}
		if !found {
			return true, false
		}
	}
	return true, true
}

// Within reports whether a document's @timestamp and event.ingested lie
// at or before end.
func Within(d Reader, end time.Time) bool {
	for _, f := range []string{"@timestamp", "event.ingested"} {
		s, ok := d.Text(f)
		if !ok {
			continue
		}
		t, err := date.Parse(s, date.RoundDown)
		if err != nil || t.After(end) {
			return false
		}
	}
	return true
}

// ReadMap reads a document decoded by encoding/json.
func ReadMap(doc map[string]any) Reader { return mapReader{doc} }

type mapReader struct{ doc map[string]any }

func (m mapReader) Text(field string) (string, bool) {
	vals := m.Texts(field)
	if len(vals) == 0 {
		return "", false
	}
	return vals[0], true
}

func (m mapReader) Texts(field string) []string {
	var out []string
	for _, v := range document.Scalars(m.doc, field) {
		if s, ok := document.ScalarText(v); ok {
			out = append(out, s)
		}
	}
	return out
}

// urlDomain: the domain of a URL is the host its full form names.
func urlDomain(prefix string) Rule {
	domainField, urlFields := prefix+".domain", []string{prefix + ".full", prefix + ".original"}
	return Rule{
		Name:     domainField + " is the host of " + urlFields[0],
		Requires: []string{domainField},
		AnyOf:    urlFields,
		Check: func(d Reader) (bool, bool) {
			domain, ok := d.Text(domainField)
			if !ok {
				return false, true
			}
			for _, f := range urlFields {
				if u, ok := d.Text(f); ok && strings.Contains(u, "://") {
					return true, strings.EqualFold(hostOf(u), domain)
				}
			}
			return false, true
		},
	}
}

// indicatorType: an ECS indicator holds a value of its type (an IPv4
// address for ipv4-addr, a hash for file, ...).
func indicatorType(d Reader) (bool, bool) {
	typ, ok := d.Text("threat.indicator.type")
	fields := typeValueFields[typ]
	if !ok || fields == nil {
		return false, true
	}
	for _, f := range fields {
		v, ok := d.Text(f)
		if !ok {
			continue
		}
		if f == "threat.indicator.ip" {
			a, err := netip.ParseAddr(v)
			return true, err == nil && (typ == IndicatorIPv4) == (a.Is4() || a.Is4In6())
		}
		return true, true
	}
	return true, false
}

// typeValueFields are the fields that hold the value of an ECS indicator
// of each type.
var typeValueFields = func() map[string][]string {
	rel := map[string][]string{
		IndicatorIPv4:     {"ip"},
		IndicatorIPv6:     {"ip"},
		IndicatorDomain:   {"url.domain"},
		IndicatorURL:      {"url.full", "url.original"},
		IndicatorFile:     {"file.hash.md5", "file.hash.sha1", "file.hash.sha256", "file.hash.sha512", "file.pe.imphash"},
		IndicatorEmail:    {"email.address"},
		IndicatorRegistry: {"registry.path"},
	}
	out := map[string][]string{}
	for typ, fs := range rel {
		for _, f := range fs {
			out[typ] = append(out[typ], "threat.indicator."+f)
		}
	}
	return out
}()

// indicatorSeen: threat.indicator.first_seen <= last_seen <= @timestamp.
func indicatorSeen(d Reader) (bool, bool) {
	var prev time.Time
	applies := false
	for _, f := range []string{"threat.indicator.first_seen", "threat.indicator.last_seen", "@timestamp"} {
		s, ok := d.Text(f)
		if !ok {
			continue
		}
		t, err := date.Parse(s, date.RoundDown)
		if err != nil {
			return true, false
		}
		if f != "@timestamp" {
			applies = true
		}
		if t.Before(prev) {
			return applies, false
		}
		prev = t
	}
	return applies, true
}
