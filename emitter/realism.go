package emitter

import (
	"strings"
	"time"

	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/telemetry"
)

// generate draws one match of s at time base, on a host and for a user of
// the population (none with Options.Minimal). When the query's values
// place the event on another operating system than the host's (a Windows
// path, host.os.type : linux), the match is drawn again on a host of that
// system.
func (e *Emitter) generate(src *Source, s *solver.Solver, base time.Time) (*telemetry.Event, error) {
	e.match.Base = base
	if e.pop == nil {
		e.match.Values = nil
		return nil, s.Generate(e.rng, &e.match)
	}
	ev := e.pop.NewEvent(e.rng)
	if src.os != nil && ev.OS != *src.os {
		ev = e.pop.NewEventOn(e.rng, *src.os)
	}
	for try := 0; ; try++ {
		e.match.Values = ev
		if err := s.Generate(e.rng, &e.match); err != nil {
			return nil, err
		}
		o, ok := impliedOS(e.match.Docs)
		if !ok || o == ev.OS || try > 0 {
			return ev, nil
		}
		ev = e.pop.NewEventOn(e.rng, o)
	}
}

// impliedOS is the operating system a match's values say its events
// happen on: host.os.type or family, else the form of its paths.
func impliedOS(docs []solver.Doc) (telemetry.OS, bool) {
	for _, d := range docs {
		for i, f := range d.Fields {
			v := string(d.Values[i])
			switch {
			case f == "host.os.type" || f == "host.os.family" || f == "host.os.platform":
				switch {
				case strings.Contains(v, "windows"):
					return telemetry.Windows, true
				case strings.Contains(v, "macos") || strings.Contains(v, "darwin"):
					return telemetry.MacOS, true
				case strings.Contains(v, "linux") || strings.Contains(v, "debian") || strings.Contains(v, "redhat") ||
					strings.Contains(v, "ubuntu") || strings.Contains(v, "rhel") || strings.Contains(v, "centos"):
					return telemetry.Linux, true
				}
			case strings.HasSuffix(f, ".executable") || strings.HasSuffix(f, ".name") || strings.HasSuffix(f, ".path") && !strings.HasPrefix(f, "url.") && !strings.HasPrefix(f, "registry."):
				s, _ := telemetryText(d.Values[i])
				switch {
				case windowsProgram(s):
					return telemetry.Windows, true
				case strings.HasSuffix(f, ".name"):
				case len(s) > 2 && s[1] == ':' || strings.HasPrefix(s, `\\`):
					return telemetry.Windows, true
				case strings.HasPrefix(s, "/Applications/") || strings.HasPrefix(s, "/Users/") || strings.HasPrefix(s, "/System/") || strings.HasPrefix(s, "/Library/"):
					return telemetry.MacOS, true
				case strings.HasPrefix(s, "/"):
					return telemetry.Linux, true
				}
			}
		}
	}
	return 0, false
}

func telemetryText(raw []byte) (string, bool) {
	d := telemetry.Doc{Fields: []string{"x"}, Values: [][]byte{raw}}
	return d.Get("x")
}

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

// mergeSorted merges two field lists sorted by name; the first wins on a
// name in both.
func mergeSorted(fa []string, va [][]byte, fb []string, vb [][]byte) ([]string, [][]byte) {
	fs := make([]string, 0, len(fa)+len(fb))
	vs := make([][]byte, 0, len(fa)+len(fb))
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

// namedFields is the Named function of a source: the fields its query
// names, as written.
func namedFields(src *Source) func(string) bool {
	fields := QueryFields(src.Query.Constraints)
	return telemetry.NamedSet(fields)
}
