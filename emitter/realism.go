package emitter

import (
	"sort"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/telemetry"
)

// generate draws one match of s at time base, on a host and for a user of
// the population. When the query's values
// place the event on another operating system than the host's (a Windows
// path, host.os.type : linux), the match is drawn again on a host of that
// system.
func (e *Emitter) generate(src *Source, s *solver.Solver, base time.Time) (*telemetry.Event, error) {
	e.match.Base = base
	if at := e.at; at != nil && at.Event != nil {
		// The caller's context: its host and user stay, whatever system
		// the query's values suggest.
		e.match.Values = at.Event
		if at.Values != nil {
			e.match.Values = at.Values
		}
		if len(src.distinct) > 0 {
			e.match.Values = &distinctValues{Values: e.match.Values, fields: src.distinct, used: map[string]map[string]bool{}}
		}
		if sh, ok := src.gen.(matchShaper); ok {
			e.match.Values = sh.values(e.match.Values)
		}
		return at.Event, s.Generate(e.rng, &e.match)
	}
	// One event at a time: its buffers serve the next match.
	ev := e.pop.NextEvent(e.rng, e.event)
	if src.os != nil && ev.OS != *src.os {
		ev = e.pop.NextEventOn(e.rng, *src.os, ev)
	}
	e.event = ev
	for try := 0; ; try++ {
		e.match.Values = ev
		if len(src.distinct) > 0 {
			e.match.Values = &distinctValues{Values: ev, fields: src.distinct, used: map[string]map[string]bool{}}
		}
		if sh, ok := src.gen.(matchShaper); ok {
			e.match.Values = sh.values(e.match.Values)
		}
		if err := s.Generate(e.rng, &e.match); err != nil {
			return nil, err
		}
		// Alternatives the query leaves open may break what real
		// telemetry keeps (an event.type its category never has): a few
		// more draws find a consistent match where the query allows one.
		if !src.consistencySet {
			src.consistency, src.consistencySet = telemetry.RulesFor(src.Fields()), true
		}
		for redraw := 0; redraw < 3 && src.redraws < 20 && !e.consistent(src); redraw++ {
			if err := s.Generate(e.rng, &e.match); err != nil {
				return nil, err
			}
			if e.consistent(src) {
				src.redraws = 0
			} else if redraw == 2 {
				src.redraws++ // a source whose query forbids it stops trying
			}
		}
		docs := e.match.Docs
		if src.Threat != nil {
			docs = docs[1:] // the indicator's values say nothing of the event's host
		}
		o, ok := impliedOS(docs, e.pop.V)
		if !ok || o == ev.OS || try > 0 {
			return ev, nil
		}
		// Later matches of the source start on that system.
		src.os = &o
		ev = e.pop.NextEventOn(e.rng, o, ev)
	}
}

// consistent reports whether every document of the match drawn keeps the
// consistency rules of real telemetry that may apply to the source's
// fields.
func (e *Emitter) consistent(src *Source) bool {
	if len(src.consistency) == 0 {
		return true
	}
	for i := range e.match.Docs {
		d := &e.match.Docs[i]
		if ok, _ := telemetry.Consistent(&telemetry.Doc{Fields: d.Fields, Values: d.Values}, src.consistency); !ok {
			return false
		}
	}
	return true
}

// impliedOS is the operating system a match's values say its events
// happen on: host.os.* when the query set them, else the form of its
// paths, programs and command lines. Windows evidence (a drive letter, a
// backslash path, an .exe) wins over a Unix-looking path, which the host's
// own values may have put there. A program name without a path tells
// Linux when the vocabulary knows it there and not on Windows (bash, sshd).
func impliedOS(docs []solver.Doc, v *telemetry.Vocabulary) (telemetry.OS, bool) {
	var mac, linux bool
	for _, d := range docs {
		for i, f := range d.Fields {
			s, _ := telemetryText(d.Values[i])
			low := strings.ToLower(s)
			switch {
			case f == "host.os.type" || f == "host.os.family" || f == "host.os.platform":
				switch {
				case strings.Contains(low, "windows"):
					return telemetry.Windows, true
				case strings.Contains(low, "macos") || strings.Contains(low, "darwin"):
					return telemetry.MacOS, true
				case strings.Contains(low, "linux") || strings.Contains(low, "debian") || strings.Contains(low, "redhat") ||
					strings.Contains(low, "ubuntu") || strings.Contains(low, "rhel") || strings.Contains(low, "centos"):
					return telemetry.Linux, true
				}
			case strings.HasSuffix(f, ".command_line"):
				if strings.Contains(low, ".exe") || strings.Contains(low, "powershell") || strings.Contains(low, `:\`) {
					return telemetry.Windows, true
				}
			case strings.HasSuffix(f, ".executable") || strings.HasSuffix(f, ".name") ||
				strings.HasSuffix(f, ".path") && !strings.HasPrefix(f, "url.") && !strings.HasPrefix(f, "registry."):
				switch {
				case windowsProgram(s), len(s) > 2 && s[1] == ':', strings.HasPrefix(s, `\\`):
					return telemetry.Windows, true
				case strings.HasSuffix(f, ".name"):
					if (f == "process.name" || f == "process.parent.name") && v != nil &&
						v.Process(telemetry.Linux, s) != nil && v.Process(telemetry.Windows, s) == nil {
						linux = true
					}
				case strings.HasPrefix(s, "/Applications/") || strings.HasPrefix(s, "/Users/") || strings.HasPrefix(s, "/System/") || strings.HasPrefix(s, "/Library/"):
					mac = true
				case strings.HasPrefix(s, "/"):
					linux = true
				}
			}
		}
	}
	switch {
	case mac:
		return telemetry.MacOS, true
	case linux:
		return telemetry.Linux, true
	}
	return 0, false
}

func telemetryText(raw []byte) (string, bool) { return document.Text(raw) }

// windowsProgram reports whether a file name is one only Windows runs.
func windowsProgram(s string) bool {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return false
	}
	switch strings.ToLower(s[i+1:]) {
	case "exe", "dll", "ps1", "bat", "cmd", "vbs", "msi", "lnk", "sys", "scr", "hta", "cpl":
		return true
	}
	return false
}

// ruleOS is the operating system a rule is about: its "OS: ..." tag, else
// what its index patterns name.
func ruleOS(tags, index []string) *telemetry.OS {
	pick := func(o telemetry.OS) *telemetry.OS { return &o }
	for _, t := range tags {
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "os: windows":
			return pick(telemetry.Windows)
		case "os: linux":
			return pick(telemetry.Linux)
		case "os: macos":
			return pick(telemetry.MacOS)
		}
	}
	for _, ix := range index {
		ix = strings.ToLower(ix)
		switch {
		case strings.Contains(ix, "windows") || strings.Contains(ix, "winlog") || strings.Contains(ix, "sysmon"):
			return pick(telemetry.Windows)
		case strings.Contains(ix, "auditd") || strings.Contains(ix, "linux"):
			return pick(telemetry.Linux)
		}
	}
	return nil
}

// merge merges two field lists sorted by name; the first wins on a name in
// both. The result is valid until the next call.
func (e *Emitter) merge(fa []string, va [][]byte, fb []string, vb [][]byte) ([]string, [][]byte) {
	fs, vs := e.mergedF[:0], e.mergedV[:0]
	defer func() { e.mergedF, e.mergedV = fs, vs }()
	i, j := 0, 0
	for i < len(fa) || j < len(fb) {
		switch {
		case j >= len(fb) || i < len(fa) && fa[i] < fb[j]:
			fs, vs = append(fs, fa[i]), append(vs, va[i])
			i++
		case i >= len(fa) || fb[j] < fa[i]:
			fs, vs = append(fs, fb[j]), append(vs, vb[j])
			j++
		default:
			fs, vs = append(fs, fa[i]), append(vs, va[i])
			i++
			j++
		}
	}
	return fs, vs
}

// completers complete a source's documents, one per document of a match:
// each leaves alone the fields the query names for that event, and those
// of the conditions no event may meet (until, missing events) and of the
// join keys, as written.
func completers(src *Source) []*telemetry.Completer {
	q := src.solver.Query()
	shared := map[string]bool{}
	add := func(set map[string]bool) func(p *constraint.Pred) {
		return func(p *constraint.Pred) {
			set[p.Field] = true
			if p.Op == constraint.Rel {
				set[p.Other] = true
			}
		}
	}
	if q.Until != nil {
		constraint.EachPred(q.Until, add(shared))
	}
	for _, key := range q.Joins {
		for _, f := range key {
			shared[f] = true
		}
	}
	if g, ok := src.gen.(*esqlGen); ok {
		// What an ES|QL query aggregates, completion must not add to.
		for _, f := range g.plan.Reads {
			shared[f] = true
		}
	}
	var out []*telemetry.Completer
	for _, ev := range q.Events {
		if ev.Missing {
			constraint.EachPred(ev.Cond, add(shared))
		}
	}
	for _, ev := range q.Events {
		if ev.Missing {
			continue
		}
		set := map[string]bool{}
		for f := range shared {
			set[f] = true
		}
		constraint.EachPred(ev.Cond, add(set))
		fields := make([]string, 0, len(set))
		for f := range set {
			fields = append(fields, f)
		}
		c := telemetry.NewCompleter(src.schema, telemetry.NamedSet(fields))
		for r := max(ev.Runs, 1); r > 0; r-- {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		out = append(out, telemetry.NewCompleter(src.schema, telemetry.NamedSet(QueryFields(q))))
	}
	return out
}

// distinctValues are an event's values for a match whose events must
// differ in some fields (a threshold rule's cardinality): each value of
// those fields is offered once per match.
type distinctValues struct {
	solver.Values
	fields []string
	used   map[string]map[string]bool
}

func (d *distinctValues) distinct(field string) bool {
	for _, f := range d.fields {
		if f == field {
			return true
		}
	}
	return false
}

func (d *distinctValues) offer(field, v string) bool {
	if d.used[field] == nil {
		d.used[field] = map[string]bool{}
	}
	if d.used[field][v] {
		return false
	}
	d.used[field][v] = true
	return true
}

func (d *distinctValues) Value(field string, drawn func(string) (string, bool)) (string, bool) {
	v, ok := d.Values.Value(field, drawn)
	if !ok || !d.distinct(field) {
		return v, ok
	}
	return v, d.offer(field, v)
}

func (d *distinctValues) Candidates(field string) []string {
	cands := d.Values.Candidates(field)
	if !d.distinct(field) || len(cands) == 0 {
		return cands
	}
	var out []string
	for _, c := range cands {
		if !d.used[field][c] {
			out = append(out, c)
		}
	}
	if len(out) > 0 {
		// The solver takes one of the candidates it tries: mark them all
		// as offered would exclude too many; mark the one it will most
		// likely take, the first fitting, by offering in order.
		d.offer(field, out[0])
		return out[:1]
	}
	return nil
}

// relatedFields are pairs of fields real events keep in agreement: the
// first relates to the second as rel says.
var relatedFields = []struct {
	field, other string
	rel          constraint.RelKind
}{
	{"process.command_line", "process.executable", constraint.RelCommand},
	{"process.command_line", "process.name", constraint.RelCommand},
	{"process.parent.command_line", "process.parent.name", constraint.RelCommand},
	{"process.executable", "process.name", constraint.RelPathEnd},
	{"process.parent.command_line", "process.parent.executable", constraint.RelCommand},
	{"process.parent.executable", "process.parent.name", constraint.RelPathEnd},
	{"file.path", "file.name", constraint.RelPathEnd},
	{"dll.path", "dll.name", constraint.RelPathEnd},
	{"file.name", "file.extension", constraint.RelExtension},
	{"file.path", "file.extension", constraint.RelExtension},
	{"dll.name", "dll.extension", constraint.RelExtension},
	{"dll.path", "dll.extension", constraint.RelExtension},
	{"process.args", "process.executable", constraint.RelArgv0},
	{"process.args", "process.name", constraint.RelArgv0},
	{"process.parent.args", "process.parent.executable", constraint.RelArgv0},
	{"process.parent.args", "process.parent.name", constraint.RelArgv0},
	{"url.full", "url.original", constraint.RelEq},
}

// preferences are the soft predicates of a query (solver.Options.Prefer):
// related fields the query names both of agree (a command line runs the
// executable, the executable ends with the process name), and, unless
// minimal, the fields the query names under a negation are there, with a
// value the negation allows (a file event has a file.path even when the
// rule says which it is not).
func preferences(q *constraint.Query, minimal bool) []*constraint.Pred {
	named := map[string]bool{}
	negated := map[string]bool{}
	visit := func(p *constraint.Pred) {
		named[p.Field] = true
		if p.Op == constraint.Rel {
			named[p.Other] = true
		}
		if p.Neg && p.Op != constraint.Exists && !strings.Contains(p.Field, "*") {
			negated[p.Field] = true
		}
	}
	for _, ev := range q.Events {
		if !ev.Missing {
			constraint.EachPred(ev.Cond, visit)
		}
	}
	for _, key := range q.Joins {
		for _, f := range key {
			named[f] = true
		}
	}
	var out []*constraint.Pred
	for _, r := range relatedFields {
		if named[r.field] && named[r.other] {
			text := r.field + " " + r.rel.String() + " " + r.other
			out = append(out, &constraint.Pred{Field: r.field, Op: constraint.Rel, Rel: r.rel, Other: r.other,
				Span: constraint.Span{Text: text}})
		}
	}
	if !minimal {
		fields := make([]string, 0, len(negated))
		for f := range negated {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		for _, f := range fields {
			if f == document.TimestampField {
				continue
			}
			out = append(out, &constraint.Pred{Field: f, Op: constraint.Exists, Span: constraint.Span{Text: f + " : *"}})
		}
	}
	return out
}

// Prefixes and Words of fields whose values must differ are left out: a
// walk through their constraints then gives values that do.
func (d *distinctValues) Prefixes(field string) []string {
	if d.distinct(field) {
		return nil
	}
	return d.Values.Prefixes(field)
}

func (d *distinctValues) Words(field string) [][]byte {
	if d.distinct(field) {
		return nil
	}
	return d.Values.Words(field)
}
