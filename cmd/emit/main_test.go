package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// runEmit runs the CLI in-process.
func runEmit(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func TestGoldenSeed(t *testing.T) {
	args := []string{
		"--query", "user.name : alice and event.outcome : failure and source.ip : 10.0.0.0/8 and destination.port < 1024",
		"--query", "process where process.name : \"*.exe\" and process.pid > 4",
		"-n", "6", "--seed", "42", "--end", "2024-01-01T00:00:00Z",
	}
	code, out, errs := runEmit(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden := filepath.Join("testdata", "seed42.ndjson")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if out != string(want) {
		t.Errorf("output differs from %s:\n%s", golden, out)
	}
	// Byte-identical on every run.
	_, again, _ := runEmit(t, args...)
	if again != out {
		t.Error("same seed, different output")
	}
}

func TestDocumentsAreNestedAndOrdered(t *testing.T) {
	code, out, errs := runEmit(t, "--query", "process.name : *.exe", "-n", "50", "--seed", "1", "--end", "2024-01-01T00:00:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	ls := lines(out)
	if len(ls) != 50 {
		t.Fatalf("%d lines", len(ls))
	}
	prev := ""
	for _, l := range ls {
		var doc struct {
			Timestamp string `json:"@timestamp"`
			Process   struct {
				Name string `json:"name"`
			} `json:"process"`
		}
		if err := json.Unmarshal([]byte(l), &doc); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if !strings.HasSuffix(doc.Process.Name, ".exe") {
			t.Fatalf("process.name %q", doc.Process.Name)
		}
		if doc.Timestamp <= prev {
			t.Fatalf("timestamps not increasing: %s after %s", doc.Timestamp, prev)
		}
		prev = doc.Timestamp
	}
}

func TestExitStatusAndMessages(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		stderr   []string // substrings
		noStdout bool
	}{
		{[]string{"--query", "destination.port < 1024 and destination.port > 1024"}, 1,
			[]string{"unsolvable constraints: destination.port (empty solution space, 1025 <= x <= 1023)"}, true},
		{[]string{"--query", "destination.port < 1024 and (destination.port > 512 or destination.port > 1024)", "-n", "1"}, 0,
			[]string{`emit: warning: 1:56: "destination.port > 1024" can never match here (destination.port: empty solution space, 1025 <= x <= 1023)`}, false},
		{[]string{"--query", "destination.port < 1024 and (destination.port > 512 or destination.port > 1024)", "--strict"}, 1,
			[]string{"can never match here"}, true},
		{[]string{"--query", "process.name : (a or"}, 1, []string{"syntax error", "^"}, true},
		{[]string{"--query", "process where process.name == \"a\" and process.name == \"b\""}, 1, []string{"unsolvable constraints: process.name"}, true},
		{[]string{}, 1, []string{"no --query"}, true},
		{[]string{"--query", "a : b", "--format", "xml"}, 1, []string{"unknown --format"}, true},
		{[]string{"--query", "a : b", "--format", "bulk"}, 1, []string{"needs --index"}, true},
		{[]string{"--query", "a : b", "--start", "yesterday"}, 1, []string{"--start"}, true},
		{[]string{"--query", "a : b", "--schema", "/nonexistent/ecs.yml"}, 1, []string{"nonexistent"}, true},
		{[]string{"--bogus"}, 1, []string{"unknown flag: --bogus (see emit --help)"}, true},
	}
	for _, tt := range tests {
		code, out, errs := runEmit(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (stderr %s)", tt.args, code, tt.code, errs)
		}
		for _, s := range tt.stderr {
			if !strings.Contains(errs, s) {
				t.Errorf("%v: stderr lacks %q:\n%s", tt.args, s, errs)
			}
		}
		if tt.noStdout && out != "" {
			t.Errorf("%v: stdout should be empty, got %q", tt.args, out)
		}
		if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") {
			t.Errorf("%v: stack trace on stderr:\n%s", tt.args, errs)
		}
	}
}

func TestMappingsAndBulk(t *testing.T) {
	code, out, errs := runEmit(t, "--query", "process.name : (*.exe or *.dll) and destination.port > 1", "--mappings")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, f := range []string{"@timestamp", "process", "destination"} {
		if _, ok := m.Properties[f]; !ok {
			t.Errorf("mappings lack %s: %s", f, out)
		}
	}
	code, out, errs = runEmit(t, "--query", "event.category : process", "-n", "3", "--format", "bulk", "--index", "logs-test", "--seed", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	ls := lines(out)
	if len(ls) != 6 || ls[0] != `{"index":{"_index":"logs-test"}}` {
		t.Fatalf("bulk output:\n%s", out)
	}
	// A data stream takes only op_type create; an _id makes a resent file
	// idempotent (the ids the Elasticsearch sink gives: seed and position).
	for _, tc := range []struct {
		flags  []string
		action string
	}{
		{nil, `{"create":{"_index":"logs-test-default","_id":"3-2"}}`},
		{[]string{"--no-ids"}, `{"create":{"_index":"logs-test-default"}}`},
		{[]string{"--id-field", "event.action"}, `{"create":{"_index":"logs-test-default","_id":"logon"}}`},
	} {
		args := append([]string{"--query", "event.action : logon", "-n", "3", "--format", "bulk", "--index", "logs-test-default", "--seed", "3"}, tc.flags...)
		code, out, errs = runEmit(t, args...)
		if ls := lines(out); code != 0 || len(ls) != 6 || ls[2] != tc.action {
			t.Errorf("%v: exit %d, bulk output:\n%s%s", tc.flags, code, out, errs)
		}
	}
}

func TestOutputFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.ndjson")
	code, out, errs := runEmit(t, "--query", "a : b", "-n", "4", "-o", p)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errs)
	}
	data, err := os.ReadFile(p)
	if err != nil || len(lines(string(data))) != 4 {
		t.Fatalf("file: %v %q", err, data)
	}
}

// --matches N draws N matches of each rule (default 1): a new_terms rule
// whose term has two possible values fires twice, and the third match
// finds no new term left; --matches must be at least 1.
func TestCheckMatches(t *testing.T) {
	rule := filepath.Join(t.TempDir(), "two_terms.toml")
	toml := `[metadata]
creation_date = "2026/12/06"

[rule]
name = "Two terms"
rule_id = "two-terms"
type = "new_terms"
language = "kuery"
index = ["logs-*"]
query = "host.name : (alpha or beta)"

[rule.new_terms]
field = "new_terms_fields"
value = ["host.name"]
`
	if err := os.WriteFile(rule, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		matches string
		code    int
		want    string
	}{
		{"", exitOK, `"status":"ok"`},
		{"1", exitOK, `"status":"ok"`},
		{"2", exitOK, `"status":"ok"`},
		{"3", exitFail, "new_terms: no new combination of host.name left"},
		{"0", exitUsage, ""},
	} {
		args := []string{"check", "--rules", rule, "--format", "json"}
		if tc.matches != "" {
			args = append(args, "--matches", tc.matches)
		}
		code, out, errs := runEmit(t, args...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("--matches %s: exit %d, want %d with %q:\n%s%s", tc.matches, code, tc.code, tc.want, out, errs)
		}
	}
}

func TestCheckQuery(t *testing.T) {
	code, out, _ := runEmit(t, "check", "--query", "process.name : *.exe", "--query", "destination.port < 1 and destination.port > 1")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, s := range []string{"ok", "unsolvable", "destination.port"} {
		if !strings.Contains(out, s) {
			t.Errorf("check output lacks %q:\n%s", s, out)
		}
	}
	code, out, _ = runEmit(t, "check", "--query", "process.name : *.exe", "--format", "json")
	if code != 0 || !strings.Contains(out, `"status":"ok"`) {
		t.Errorf("exit %d:\n%s", code, out)
	}
	if code, _, _ := runEmit(t, "check"); code != 2 {
		t.Errorf("check without input: exit %d, want 2", code)
	}
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
