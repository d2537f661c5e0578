package esql

import (
	"fmt"
	"testing"

	"github.com/emit-sec/emit/es/estype"
)

func TestConcreteRegex(t *testing.T) {
	patterns := []string{"metrics-*", ".alerts-security.*", "winlogbeat-*"}
	re, err := compileRLike(concreteIndexRegex(patterns))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want bool
	}{
		{".ds-metrics-system.cpu-default-2026.12.06-000001", true},
		{".ds-metrics-system.cpu-default-2026.12.30-000001", false}, // a day not every month has
		{".ds-logs-system.cpu-default-2026.12.06-000001", false},    // no pattern selects the stream
		{".internal.alerts-security.alerts-default-000001", true},
		{".internal.alerts-security.alerts-default-000002", false}, // not the first generation
		{"winlogbeat-default", true},
		{"winlogbeat-Default", false},
		{"metrics-x", true},
		{".ds-metrics-a-b-c-2026.12.06-000001", false}, // not a data stream's name
		{"filebeat-default", false},
		{"metrics-system.cpu-default", false}, // a data stream: its documents land in a backing index
	} {
		if got := re.Match(tc.name); got != tc.want {
			t.Errorf("%s: match %v, want %v (%s)", tc.name, got, tc.want, concreteIndexRegex(patterns))
		}
	}
}

func TestMultiValues(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		n    int
		want string
	}{
		{`"a"`, 3, `["a","a-2","a-3"]`},
		{`7`, 2, `[7,8]`},
		{`1.5`, 2, `[1.5,2.5]`},
		{`true`, 2, ``},
		{`{"a":1}`, 2, ``},
	} {
		got, ok := MultiValues([]byte(tc.raw), tc.n)
		if ok != (tc.want != "") || ok && string(got) != tc.want {
			t.Errorf("MultiValues(%s, %d) = %s, %v; want %s", tc.raw, tc.n, got, ok, tc.want)
		}
	}
}

// TestIgnored: _ignored lists the fields of which Elasticsearch ignored a
// value (longer than ignore_above), sorted; null when none.
func TestIgnored(t *testing.T) {
	types := func(f string) estype.Mapping {
		switch f {
		case "a", "b":
			return estype.Mapping{Type: estype.Keyword, IgnoreAbove: 3}
		case "w":
			return estype.Mapping{Type: estype.Wildcard, IgnoreAbove: 2}
		case "n":
			return estype.Mapping{Type: estype.Long, IgnoreAbove: 1}
		}
		return estype.Mapping{Type: estype.Keyword}
	}
	for _, tc := range []struct {
		doc  map[string]any
		want string
	}{
		{map[string]any{"a": "abc", "b": "ab", "c": "abcdefgh"}, "null"},
		{map[string]any{"a": "abcd", "b": "ab"}, "a"},
		{map[string]any{"a": []any{"x", "abcd"}, "b": "abcd", "w": "xyz", "n": int64(12345)}, "[a b w]"},
		{map[string]any{"a": "ééé"}, "null"}, // characters, not bytes
		{map[string]any{"w": "😀"}, "null"},   // two UTF-16 units: not above 2
		{map[string]any{"w": "😀x"}, "w"},
	} {
		q, err := Parse(`FROM x METADATA _ignored | KEEP _ignored`)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := Run(q, []map[string]any{tc.doc}, RunOptions{Types: types})
		if err != nil {
			t.Fatal(err)
		}
		got := "null"
		if v := rows[0].Values[0]; v != nil {
			got = fmt.Sprint(v)
		}
		if got != tc.want {
			t.Errorf("%v: _ignored = %s, want %s", tc.doc, got, tc.want)
		}
	}
}
