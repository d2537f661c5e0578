package esql

import (
	"testing"
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
