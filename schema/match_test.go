package schema

import (
	"slices"
	"testing"

	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/shared"
)

func TestMatchWildcard(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*.ip", "source.ip", true},
		{"*.ip", "source.nat.ip", true},
		{"*.ip", "ip", false},
		{"*.ip", "source.ipx", false},
		{"process.*.name", "process.parent.name", true},
		{"process.*.name", "process.entry_leader.parent.name", true},
		{"process.*.name", "process.name", false},
		{"process.name*", "process.name", true}, // * may match nothing, as in Kibana
		{"process.name*", "process.name.text", true},
		{"*", "anything.at.all", true},
		{"*", "", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXcYb", false},
		{"*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
	}
	for _, tt := range tests {
		if got := wildcard.MatchString(tt.pattern, tt.name); got != tt.want {
			t.Errorf("wildcard.MatchString(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	s, err := Load("testdata/ecs_flat.yml")
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	tests := []struct {
		s       *Schema
		pattern string
		want    []string
	}{
		{s, "*.ip", []string{"source.ip"}},
		{s, "process.*", []string{"process.args", "process.name", "process.name.text", "process.pid"}},
		{s, "process.n*", []string{"process.name", "process.name.text"}},
		{s, "*.text", []string{"process.name.text"}},
		// nested and object fields hold no value of their own
		{s, "dll.pe.*", []string{"dll.pe.imports", "dll.pe.sections.name"}},
		{s, "labels*", nil},
		{s, "process.pid", []string{"process.pid"}},
		{s, "process.ppid", nil},
		{s, "nothing.*", nil},
		{d, "*.ip", []string{"client.ip", "destination.ip", "host.ip", "host.target.ip", "observer.ip", "orchestrator.resource.ip", "related.ip", "server.ip", "source.ip"}},
		{d, "process.*.pid", []string{"process.parent.pid"}},
		{d, "event.*", []string{"event.action", "event.category", "event.code", "event.dataset", "event.duration", "event.ingested", "event.kind", "event.module", "event.outcome", "event.provider", "event.risk_score", "event.risk_score_norm", "event.sequence", "event.severity", "event.type"}},
	}
	for _, tt := range tests {
		got := tt.s.Match(tt.pattern)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

func TestMatchECS(t *testing.T) {
	s := loadECS(t, "8.11.0")
	got := s.Match("process.*.name")
	for _, want := range []string{"process.parent.name", "process.group_leader.name", "process.entry_leader.supplemental_groups.name", "process.user.name", "process.parent.user.name", "process.pe.sections.name"} {
		if !slices.Contains(got, want) {
			t.Errorf("Match(process.*.name) lacks %s", want)
		}
	}
	if slices.Contains(got, "process.name") || slices.Contains(got, "process.name.text") {
		t.Errorf("Match(process.*.name) = %v", got)
	}
	if !slices.IsSorted(got) {
		t.Error("not sorted")
	}
	ips := s.Match("*.ip")
	if len(ips) != 15 || !slices.Contains(ips, "threat.indicator.ip") || !slices.Contains(ips, "source.nat.ip") {
		t.Errorf("Match(*.ip) = %d fields: %v", len(ips), ips)
	}
	for _, name := range ips {
		if s.Field(name).Type != "ip" {
			t.Errorf("%s is a %s", name, s.Field(name).Type)
		}
	}
}

func BenchmarkMatchECS(b *testing.B) {
	s, err := Load(shared.Path(b, "ecs/ecs-v9.5.0.tar.gz"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s.Match("process.*.name")
	}
}

func BenchmarkField(b *testing.B) {
	s := Default()
	names := []string{"process.name", "process.name.text", "my.custom.port", "unknown.field", "labels.team"}
	for b.Loop() {
		for _, n := range names {
			s.Field(n)
		}
	}
}
