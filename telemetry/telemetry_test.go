package telemetry

import (
	"math/rand/v2"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestVocabulary(t *testing.T) {
	v := Default()
	for _, o := range []OS{Windows, Linux, MacOS} {
		for _, p := range v.processes(o) {
			if PathOS(p.Exe, o) != o {
				t.Errorf("%s: %s is not a %s path", o, p.Exe, o)
			}
			for _, parent := range p.Parents {
				if v.Process(o, parent) == nil {
					t.Errorf("%s: parent %s of %s is not in the vocabulary", o, parent, p.Exe)
				}
			}
		}
		for _, d := range v.Directories[o.String()] {
			if PathOS(d, o) != o || strings.HasSuffix(d, string(o.Sep())) {
				t.Errorf("%s: directory %q", o, d)
			}
		}
	}
	if _, err := Parse([]byte("processes: {}")); err == nil {
		t.Error("an incomplete vocabulary parsed")
	}
	if _, err := Parse([]byte("unknown_key: 1")); err == nil {
		t.Error("an unknown key parsed")
	}
}

func TestPaths(t *testing.T) {
	tests := []struct {
		path           string
		os             OS
		base, dir, ext string
	}{
		{`C:\Windows\System32\cmd.exe`, Windows, "cmd.exe", `C:\Windows\System32`, "exe"},
		{`C:\cmd.exe`, Windows, "cmd.exe", `C:\`, "exe"},
		{`\\fileserver\share\report.docx`, Windows, "report.docx", `\\fileserver\share`, "docx"},
		{"/usr/bin/bash", Linux, "bash", "/usr/bin", ""},
		{"/etc/passwd", Linux, "passwd", "/etc", ""},
		{"/tmp/backup.tar.gz", Linux, "backup.tar.gz", "/tmp", "gz"},
		{"/home/jsmith/.bashrc", Linux, ".bashrc", "/home/jsmith", ""},
		{"/bin", Linux, "bin", "/", ""},
		{"cmd.exe", Windows, "cmd.exe", "", "exe"},
	}
	for _, tt := range tests {
		if o := PathOS(tt.path, tt.os); o != tt.os {
			t.Errorf("PathOS(%q) = %s", tt.path, o)
		}
		if b := Base(tt.path, tt.os); b != tt.base {
			t.Errorf("Base(%q) = %q", tt.path, b)
		}
		if d := Dir(tt.path, tt.os); d != tt.dir {
			t.Errorf("Dir(%q) = %q", tt.path, d)
		}
		if x := Ext(Base(tt.path, tt.os)); x != tt.ext {
			t.Errorf("Ext(%q) = %q", tt.path, x)
		}
		if tt.dir != "" && Join(tt.dir, tt.base, tt.os) != tt.path {
			t.Errorf("Join(%q, %q) = %q", tt.dir, tt.base, Join(tt.dir, tt.base, tt.os))
		}
	}
	if got := CommandLine(`C:\Program Files\Google\Chrome\Application\chrome.exe`, "--incognito", Windows); got != `"C:\Program Files\Google\Chrome\Application\chrome.exe" --incognito` {
		t.Errorf("CommandLine: %s", got)
	}
	if got := SplitArgs(`"C:\Program Files\x.exe" -a 'b c' d`); !reflect.DeepEqual(got, []string{`C:\Program Files\x.exe`, "-a", "b c", "d"}) {
		t.Errorf("SplitArgs: %q", got)
	}
}

func TestPopulation(t *testing.T) {
	v := Default()
	a := NewPopulation(v, 7, 30, 50)
	b := NewPopulation(v, 7, 30, 50)
	if !reflect.DeepEqual(a.Hosts, b.Hosts) || !reflect.DeepEqual(a.Users, b.Users) {
		t.Fatal("the same seed gave different populations")
	}
	if len(a.Hosts) != 30 || len(a.Users) != 50 {
		t.Fatalf("%d hosts, %d users", len(a.Hosts), len(a.Users))
	}
	sid := regexp.MustCompile(`^S-1-5-21-\d+-\d+-\d+-\d+$`)
	mac := regexp.MustCompile(`^([0-9A-F]{2}-){5}[0-9A-F]{2}$`)
	names := map[string]bool{}
	for _, h := range a.Hosts {
		if names[h.Name] {
			t.Errorf("host name %s twice", h.Name)
		}
		names[h.Name] = true
		if len(h.ID) != 32 || !mac.MatchString(h.MAC) || !strings.HasPrefix(h.IP, "10.") || h.Release == nil {
			t.Errorf("host %+v", h)
		}
	}
	for _, u := range a.Users {
		if !sid.MatchString(u.SID) || u.UID == "" || u.Name == "" || len(u.Cities) == 0 || len(u.Cities) > 3 {
			t.Errorf("user %+v", u)
		}
	}
	// A skewed frequency: over 1000 draws, a few hosts take most.
	r := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	for i := 0; i < 1000; i++ {
		counts[a.Host(r).Name]++
	}
	top := 0
	for _, h := range a.Hosts[:3] {
		top += counts[h.Name]
	}
	if len(counts) < 15 || top < 250 {
		t.Errorf("host draws: %d distinct, top three %d of 1000", len(counts), top)
	}
}

func TestEventAgrees(t *testing.T) {
	p := NewPopulation(Default(), 3, 20, 20)
	r := rand.New(rand.NewPCG(4, 5))
	for i := 0; i < 300; i++ {
		e := p.NewEvent(r)
		exe, _ := e.Value("process.executable", nil)
		name, _ := e.Value("process.name", nil)
		cmd, _ := e.Value("process.command_line", nil)
		if Base(exe, e.OS) != name || PathOS(exe, e.OS) != e.OS {
			t.Fatalf("%s: executable %s, name %s", e.OS, exe, name)
		}
		if !strings.HasPrefix(cmd, exe) && !strings.HasPrefix(cmd, `"`+exe+`"`) {
			t.Fatalf("command line %q does not start with %q", cmd, exe)
		}
		parent, _ := e.Value("process.parent.name", nil)
		child := p.V.Process(e.OS, name)
		if child != nil && len(child.Parents) > 0 && !contains(child.Parents, parent) {
			t.Fatalf("%s started by %s, want one of %v", name, parent, child.Parents)
		}
		path, _ := e.Value("file.path", nil)
		fname, _ := e.Value("file.name", nil)
		dir, _ := e.Value("file.directory", nil)
		if Join(dir, fname, e.OS) != path || strings.HasSuffix(path, string(e.OS.Sep())) {
			t.Fatalf("file %s: directory %s, name %s", path, dir, fname)
		}
		hn, _ := e.Value("host.name", nil)
		ot, _ := e.Value("host.os.type", nil)
		if hn != e.Host.Name || ot != e.OS.String() {
			t.Fatalf("host %s %s", hn, ot)
		}
		id, _ := e.Value("user.id", nil)
		if e.OS == Windows && !strings.HasPrefix(id, "S-1-5-21-") || e.OS != Windows && strings.HasPrefix(id, "S-") {
			t.Fatalf("%s user.id %s", e.OS, id)
		}
	}
	// What the document holds wins.
	e := p.NewEvent(r)
	drawn := func(f string) (string, bool) {
		if f == "process.executable" {
			return `C:\Windows\System32\rundll32.exe`, true
		}
		return "", false
	}
	if name, _ := e.Value("process.name", drawn); name != "rundll32.exe" {
		t.Errorf("name of a drawn executable: %s", name)
	}
	drawn = func(f string) (string, bool) {
		if f == "file.path" {
			return "/tmp/x.sh", true
		}
		return "", false
	}
	if ext, _ := e.Value("file.extension", drawn); ext != "sh" {
		t.Errorf("extension of a drawn path: %s", ext)
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if strings.EqualFold(y, x) {
			return true
		}
	}
	return false
}
