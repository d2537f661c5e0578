package esindex_test

import (
	"testing"
	"time"

	"github.com/emit-sec/emit/es/esindex"
)

func TestConcreteAndTarget(t *testing.T) {
	day := time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ target, concrete, alias string }{
		{"logs-endpoint.events.process-default", ".ds-logs-endpoint.events.process-default-2026.12.06-000001", "logs-endpoint.events.process-default"},
		{"metrics-system.cpu-default", ".ds-metrics-system.cpu-default-2026.12.06-000001", "metrics-system.cpu-default"},
		{".alerts-security.alerts-default", ".internal.alerts-security.alerts-default-000001", ".alerts-security.alerts-default"},
		{"winlogbeat-default", "winlogbeat-default", ""},
		{"logs-a-b-c", "logs-a-b-c", ""}, // not <type>-<dataset>-<namespace>
		{"filebeat-8.2.1", "filebeat-8.2.1", ""},
	} {
		c, aliases := esindex.Concrete(tc.target, day)
		if c != tc.concrete {
			t.Errorf("Concrete(%q) = %q, want %q", tc.target, c, tc.concrete)
		}
		if got := esindex.Target(c); got != tc.target {
			t.Errorf("Target(%q) = %q, want %q", c, got, tc.target)
		}
		var want []string
		if tc.alias != "" {
			want = []string{tc.alias}
		}
		if len(aliases) != len(want) || len(want) == 1 && aliases[0] != want[0] {
			t.Errorf("Concrete(%q) aliases %q, want %q", tc.target, aliases, want)
		}
		if got := esindex.Aliases(c); len(got) != len(want) || len(want) == 1 && got[0] != want[0] {
			t.Errorf("Aliases(%q) = %q, want %q", c, got, want)
		}
	}
	for _, name := range []string{".ds-logs-x-default-2026.13.45-000001", ".ds-logs-x-default-000001", ".internal.alerts-security.alerts-default", "logs"} {
		if got := esindex.Target(name); got != name {
			t.Errorf("Target(%q) = %q, want the name itself", name, got)
		}
	}
}

func TestUsual(t *testing.T) {
	day := time.Date(2026, 12, 6, 23, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ in, want string }{
		{".ds-metrics-system.process-ev2t-2391.07.14-000001", ".ds-metrics-system.process-default-2026.12.06-000001"},
		{".ds-logs-system.security-default-2026.12.06-000001", ".ds-logs-system.security-default-2026.12.06-000001"},
		{".internal.alerts-security.alerts-x9q-000001", ".internal.alerts-security.alerts-default-000001"},
		{"winlogbeat-8.2.1", "winlogbeat-8.2.1"},
		{".ds-logs-a-b-c-2026.12.06-000001", ".ds-logs-a-b-c-2026.12.06-000001"}, // not a stream of Elastic's scheme
	} {
		if got := esindex.Usual(tc.in, day); got != tc.want {
			t.Errorf("Usual(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
