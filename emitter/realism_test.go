package emitter

import (
	"strconv"
	"testing"

	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/telemetry"
)

// TestImpliedOS: the system a match's values place its events on.
func TestImpliedOS(t *testing.T) {
	v := telemetry.Default()
	for _, c := range []struct {
		fields []string
		values []string
		os     telemetry.OS
		ok     bool
	}{
		{[]string{"process.name"}, []string{"bash"}, telemetry.Linux, true},
		{[]string{"process.parent.name"}, []string{"sshd"}, telemetry.Linux, true},
		{[]string{"process.name"}, []string{"cmd.exe"}, telemetry.Windows, true},
		{[]string{"process.name"}, []string{"svchost"}, 0, false}, // no extension, no Linux program of that name
		{[]string{"file.name"}, []string{"bash"}, 0, false},       // a file of that name says nothing
		{[]string{"process.executable"}, []string{"/Applications/Safari.app/Contents/MacOS/Safari"}, telemetry.MacOS, true},
		{[]string{"process.executable", "process.name"}, []string{`C:\Windows\System32\bash.exe`, "bash.exe"}, telemetry.Windows, true},
		{[]string{"host.os.type", "process.name"}, []string{"windows", "bash"}, telemetry.Windows, true},
		{[]string{"process.command_line"}, []string{"powershell -enc AAAA"}, telemetry.Windows, true},
	} {
		d := solver.Doc{Fields: c.fields}
		for _, s := range c.values {
			d.Values = append(d.Values, []byte(strconv.Quote(s)))
		}
		o, ok := impliedOS([]solver.Doc{d}, v)
		if o != c.os || ok != c.ok {
			t.Errorf("%v = %q: %s (%v), want %s (%v)", c.fields, c.values, o, ok, c.os, c.ok)
		}
	}
}
