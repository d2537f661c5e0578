package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/fakees"
)

func TestScenarioList(t *testing.T) {
	code, out, errs := runEmit(t, "scenario", "--list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, name := range []string{"entra-signins", "windows-auth", "exchange-admin-sessions", "rule-haystack"} {
		if !strings.Contains(out, name) {
			t.Errorf("--list lacks %s:\n%s", name, out)
		}
	}
}

// TestScenarioSeed: the same seed and window give the same documents, in
// time order, and -n stops after that many.
func TestScenarioSeed(t *testing.T) {
	args := []string{"scenario", "entra-signins", "--seed", "4", "--users", "20", "--span", "30d", "--end", "2024-06-01T00:00:00Z", "-n", "50"}
	code, a, errs := runEmit(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	_, b, _ := runEmit(t, args...)
	if a != b {
		t.Error("two runs with one seed differ")
	}
	ls := lines(a)
	if len(ls) != 50 {
		t.Fatalf("%d documents, want 50", len(ls))
	}
	prev := ""
	for _, l := range ls {
		ts := l[strings.Index(l, `"@timestamp":"`)+14:]
		ts = ts[:strings.IndexByte(ts, '"')]
		if ts < prev || ts < "2024-05-02" || ts > "2024-06-01T00:00:00.000Z" {
			t.Fatalf("timestamp %s after %s or outside the window", ts, prev)
		}
		prev = ts
	}
	if !strings.Contains(errs, "emit scenario: 50 documents: ") {
		t.Errorf("stats: %s", errs)
	}
}

// TestScenarioFileErrors: a bad scenario file is reported with its file,
// line, column, field and a caret.
func TestScenarioFileErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.yaml")
	text := "name: bad\nentities:\n  users: {kind: user, count: 5}\nstreams:\n  - name: s\n    entity: users\n    index: x\n    query: 'event.category : \"authentication\"'\n    arrival: {rate: lots}\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runEmit(t, "scenario", file)
	if code == 0 {
		t.Fatal("a bad file ran")
	}
	want := file + ":9:21: streams[0].arrival.rate: want a rate such as 3/day, 0.5/hour or 10/week"
	if !strings.Contains(errs, want) || !strings.Contains(errs, "\n      arrival: {rate: lots}\n"+strings.Repeat(" ", 22)+"^") {
		t.Errorf("errors:\n%s\nwant %s with a caret", errs, want)
	}
	if code, _, errs := runEmit(t, "scenario", "no-such-scenario"); code == 0 || !strings.Contains(errs, `no built-in scenario "no-such-scenario"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, errs := runEmit(t, "scenario", "rule-haystack"); code == 0 || !strings.Contains(errs, "give rules (--rules") {
		t.Errorf("rule-haystack without rules: exit %d: %s", code, errs)
	}
}

// TestScenarioElasticsearch: windows-auth into Elasticsearch creates its
// index with the scenario's explicit mappings (winlog.event_data
// flattened) and sends every document.
func TestScenarioElasticsearch(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	code, out, errs := runEmit(t, "scenario", "windows-auth", "--seed", "2", "--users", "10", "--span", "7d",
		"--end", "2024-06-01T00:00:00Z", "--es-url", srv.URL, "--create-index", "--replicas", "0")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	if out != "" {
		t.Errorf("stdout: %q", out)
	}
	n := srv.Count("winlogbeat-security-auth-000001")
	if n < 100 || !strings.Contains(errs, " indexed, 0 failed") {
		t.Fatalf("%d documents indexed:\n%s", n, errs)
	}
	if m := toJSON(t, srv.Mapping("winlogbeat-security-auth-000001")); !strings.Contains(m, `"flattened"`) {
		t.Errorf("mappings: %s", m)
	}
}

func TestScenarioMappings(t *testing.T) {
	code, out, errs := runEmit(t, "scenario", "exchange-admin-sessions", "--mappings", "--seed", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m struct {
		Properties struct {
			O365 struct {
				Properties struct {
					Audit struct {
						Properties map[string]struct {
							Type string `json:"type"`
						} `json:"properties"`
					} `json:"audit"`
				} `json:"properties"`
			} `json:"o365"`
		} `json:"properties"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	audit := m.Properties.O365.Properties.Audit.Properties
	if audit["Parameters"].Type != "flattened" || audit["RecordType"].Type != "long" {
		t.Errorf("o365.audit mappings: %v", audit)
	}
	if !strings.Contains(out, `"label"`) {
		t.Errorf("no label fields in the mappings:\n%s", out)
	}
}
