package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// checkout is a miniature detection-rules checkout: rules, and the
// schemas detection-rules keeps in detection_rules/etc.
const checkout = "testdata/checkout"

// checkoutNote is what emit says of the schemas it found there.
const checkoutNote = "schemas from testdata/checkout/detection_rules/etc: non-ecs-schema.json, integration-schemas.json, endpoint_schemas/endpoint_process.json (turn off: --no-auto-schemas)"

func TestHelpOnStdout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"Usage:", "Examples:", "--no-auto-schemas", "--quiet", "--verbose"}},
		{[]string{"-h"}, []string{"Usage:"}},
		{[]string{"check", "--help"}, []string{"Usage:", "Examples:", "--no-auto-schemas", "--quiet"}},
	} {
		code, out, errs := runEmit(t, tc.args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
	// A bad flag is an error on stderr, without the whole usage.
	code, out, errs := runEmit(t, "check", "--bogus")
	if code != exitUsage || out != "" || errs != "emit check: unknown flag: --bogus (see emit check --help)\n" {
		t.Errorf("check --bogus: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestMessagePrefixes: every message says who speaks once.
func TestMessagePrefixes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the whole stderr
	}{
		{[]string{"--rules", checkout + "/rules", "--tags", "OS: (Windows"},
			"emit: --tags: 1:5: expected \"and\" or \"or\" before \"(\"\n  OS: (Windows\n      ^\n"},
		{[]string{"check", "--rules", checkout + "/rules", "--tags", "OS: (Windows"},
			"emit check: --tags: 1:5: expected \"and\" or \"or\" before \"(\"\n  OS: (Windows\n      ^\n"},
		{[]string{"-q", "b : 1", "-q", "b.c : 1", "--mappings"},
			"emit: mappings: field b is a long, not an object, but field b.c is inside it\n"},
		{[]string{"-q", "process.name : (a or"},
			"emit: syntax error: kql: 1:16: unbalanced parenthesis: this \"(\" is never closed\n  process.name : (a or\n                 ^\n"},
	} {
		_, _, errs := runEmit(t, tc.args...)
		if errs != tc.want {
			t.Errorf("%v: stderr\n%s\nwant\n%s", tc.args, errs, tc.want)
		}
	}
}

// TestLongQueryError: a query of 10,000 nested parentheses is not echoed
// whole; the caret still points at the offending one.
func TestLongQueryError(t *testing.T) {
	q := strings.Repeat("(", 10000) + "a : 1" + strings.Repeat(")", 10000)
	for _, args := range [][]string{{"-q", q}, {"check", "-q", q}} {
		code, out, errs := runEmit(t, args...)
		if code != 1 {
			t.Errorf("%s: exit %d", args[0], code)
		}
		if n := len(out) + len(errs); n > 2000 {
			t.Errorf("%s: %d bytes of output", args[0], n)
		}
		if args[0] == "check" {
			continue
		}
		ls := lines(errs)
		if len(ls) != 3 || !strings.Contains(ls[0], "1:1001: parentheses nested deeper than 1000 levels") {
			t.Fatalf("stderr:\n%s", errs)
		}
		at := strings.IndexByte(ls[2], '^')
		if at < 0 || at >= len(ls[1]) || ls[1][at] != '(' || !strings.HasPrefix(ls[1], "  ...(") {
			t.Errorf("caret:\n%s\n%s", ls[1], ls[2])
		}
	}
	// A message that quotes the query is cut too.
	_, _, errs := runEmit(t, "-q", strings.Repeat("x", 20000))
	if len(errs) > 1200 || !strings.Contains(errs, "more bytes)") {
		t.Errorf("free text of 20000 bytes: %d bytes on stderr:\n%.300s", len(errs), errs)
	}
}

// TestGuessEQL: a query that starts as EQL gets EQL's reading and error,
// not KQL's free-text one.
func TestGuessEQL(t *testing.T) {
	code, _, errs := runEmit(t, "-q", "sequence [process where true]")
	want := "emit: syntax error: eql: 1:10: a sequence requires a minimum of 2 queries, found [1]\n  sequence [process where true]\n           ^\n"
	if code != 1 || errs != want {
		t.Errorf("exit %d, stderr\n%s\nwant\n%s", code, errs, want)
	}
}

// TestSkippedRules: rules emit cannot generate are summarised, one line
// per reason (the rule itself when it is the only one); --verbose lists
// them, --quiet says nothing.
func TestSkippedRules(t *testing.T) {
	args := []string{"--rules", checkout + "/rules", "-n", "2", "--seed", "1", "--start", "2024-01-01T00:00:00Z"}
	code, out, errs := runEmit(t, args...)
	want := []string{
		"emit: " + checkoutNote,
		"emit: skipped 2 rules: unsupported query construct (--verbose lists them)",
		`emit: skipped rule "ML Job" (10000000-0000-4000-8000-00000000000f): unsupported: machine_learning (no ML jobs given: --ml-jobs)`,
	}
	if code != 0 || !slices.Equal(lines(errs), want) || len(lines(out)) < 2 {
		t.Errorf("exit %d, stderr\n%s\nwant\n%s\nstdout\n%s", code, errs, strings.Join(want, "\n"), out)
	}
	_, _, errs = runEmit(t, append(args, "--verbose")...)
	for _, w := range []string{
		"emit: skipped 2 rules: unsupported query construct:\n",
		"\n  \"ES|QL One\" (10000000-0000-4000-8000-00000000000d): 1:83: unsupported: COMPLETION: its rows depend on what an inference endpoint answers\n",
		"\n  \"ES|QL Two\" (10000000-0000-4000-8000-00000000000e): 1:83: unsupported: COMPLETION: its rows depend on what an inference endpoint answers\n",
	} {
		if !strings.Contains(errs, w) {
			t.Errorf("--verbose: stderr lacks %q:\n%s", w, errs)
		}
	}
	code, _, errs = runEmit(t, append(args, "--quiet")...)
	if code != 0 || errs != "" {
		t.Errorf("--quiet: exit %d, stderr %q", code, errs)
	}
	// Errors still show with --quiet.
	code, _, errs = runEmit(t, "--rules", checkout+"/rules", "--type", "esql", "--quiet")
	if code != 1 || errs != "emit: no rule to generate documents for (2 selected, 0 input problems)\n" {
		t.Errorf("--quiet, nothing to generate: exit %d, stderr %q", code, errs)
	}
	// A selector that matches nothing is a warning; --quiet silences it.
	_, _, errs = runEmit(t, "--rules", checkout+"/rules", "--rule-id", "nope", "--rule-id", "10000000-0000-4000-8000-00000000000a")
	if !strings.Contains(errs, "emit: warning: ") || !strings.Contains(errs, "nope") {
		t.Errorf("unmatched selector: %s", errs)
	}
	_, _, errs = runEmit(t, "--rules", checkout+"/rules", "--rule-id", "nope", "--rule-id", "10000000-0000-4000-8000-00000000000a", "--quiet")
	if errs != "" {
		t.Errorf("unmatched selector with --quiet: %s", errs)
	}
}

// TestBulkIndices: documents of data streams get create actions with an
// _id, the others index actions; stderr counts documents per index.
func TestBulkIndices(t *testing.T) {
	code, out, errs := runEmit(t, "--rules", checkout+"/rules", "--per-rule", "1", "--format", "bulk", "--seed", "7", "--start", "2024-01-01T00:00:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var actions []string
	for i, l := range lines(out) {
		if i%2 == 0 {
			actions = append(actions, l)
		}
	}
	want := []string{
		`{"create":{"_index":"logs-acme.audit-default","_id":"7-1"}}`,
		`{"create":{"_index":"logs-endpoint.events.process-default","_id":"7-2"}}`,
		`{"index":{"_index":"winlogbeat-default"}}`,
		`{"index":{"_index":"winlogbeat-default"}}`,
	}
	if !slices.Equal(actions, want) {
		t.Errorf("actions\n%s\nwant\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
	}
	// The sequence rule's match is two documents: counted as two.
	if !strings.Contains(errs, "emit: documents went to logs-acme.audit-default (1), logs-endpoint.events.process-default (1), winlogbeat-default (2)\n") {
		t.Errorf("stderr:\n%s", errs)
	}
}

// TestAutoSchemas: --rules on a detection-rules checkout types its rules
// with the checkout's schemas (the integration's text field, the endpoint
// schema's, the non-ECS long), says so once, and --no-auto-schemas turns
// it off.
func TestAutoSchemas(t *testing.T) {
	status := func(out string) map[string]string {
		got := map[string]string{}
		for _, l := range lines(out) {
			var r struct {
				Name, Status string
			}
			if err := json.Unmarshal([]byte(l), &r); err != nil {
				t.Fatalf("%v: %s", err, l)
			}
			got[r.Name] = r.Status
		}
		return got
	}
	code, out, errs := runEmit(t, "check", "--rules", checkout+"/rules", "--format", "json")
	if code != 0 || errs != "emit check: "+checkoutNote+"\n" {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	got := status(out)
	for _, name := range []string{"Acme Notes Words", "Endpoint Description Words", "Winlog Sequence"} {
		if got[name] != "ok" {
			t.Errorf("%s: %s", name, got[name])
		}
	}
	// A rule file inside the checkout finds it too.
	if _, _, errs := runEmit(t, "check", "--rules", checkout+"/rules/acme_notes.toml"); !strings.Contains(errs, checkoutNote) {
		t.Errorf("from a rule file: %q", errs)
	}
	code, out, errs = runEmit(t, "check", "--rules", checkout+"/rules", "--format", "json", "--no-auto-schemas")
	if code != 1 || errs != "" {
		t.Errorf("--no-auto-schemas: exit %d, stderr %q", code, errs)
	}
	got = status(out)
	for _, name := range []string{"Acme Notes Words", "Endpoint Description Words"} {
		if got[name] != "unsolvable" {
			t.Errorf("--no-auto-schemas: %s: %s", name, got[name])
		}
	}
	// --quiet: no note.
	if _, _, errs := runEmit(t, "check", "--rules", checkout+"/rules", "--quiet"); errs != "" {
		t.Errorf("--quiet: %q", errs)
	}
	// The integration schemas file given with --schema: rules take their
	// integration's fields, queries every integration's.
	code, out, errs = runEmit(t, "check", "--rules", checkout+"/rules", "--no-auto-schemas",
		"--schema", checkout+"/detection_rules/etc/integration-schemas.json", "-q", "acme.notes : alpha and acme.notes : beta", "--format", "json")
	got = status(out)
	if got["Acme Notes Words"] != "ok" || !strings.Contains(out, `"query":"acme.notes : alpha and acme.notes : beta","status":"ok"`) {
		t.Errorf("--schema integration-schemas.json: exit %d\n%s%s", code, out, errs)
	}
}
