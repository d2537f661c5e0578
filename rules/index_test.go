package rules

import (
	"slices"
	"strings"
	"testing"
)

func TestIndexName(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"logs-endpoint.events.process-*", "logs-endpoint.events.process-default"},
		{"logs-endpoint.events.process*", "logs-endpoint.events.process-default"},
		{"logs-endpoint.events.*", "logs-endpoint.events.generic-default"},
		{"logs-windows.*", "logs-windows.generic-default"},
		{"logs-ti_*", "logs-ti_generic-default"},
		{"logs-*", "logs-generic-default"},
		{"metrics-*", "metrics-generic-default"},
		{"traces-apm*", "traces-apm-default"},
		{"logs-aws*", "logs-aws-default"},
		{"logs-*-*", "logs-generic-default"},
		{"winlogbeat-*", "winlogbeat-default"},
		{"auditbeat-*", "auditbeat-default"},
		{"packetbeat-*", "packetbeat-default"},
		{"filebeat-*", "filebeat-default"},
		{"filebeat-8*", "filebeat-8-default"},
		{"endgame-*", "endgame-default"},
		{"apm-*-transaction*", "apm-default-transaction-default"},
		{".alerts-security.*", ".alerts-security.alerts-default"},
		{"ml_beaconing.all", "ml_beaconing.all"},
		{"logs-ti_rapid7_threat_command_latest.vulnerability", "logs-ti_rapid7_threat_command_latest.vulnerability"},
		{"foo.*", "foo.default"},
		{"foo*bar", "foobar"},
		{"*-logs", "default-logs"},
		{"*logs", "logs"},
		{"*", DefaultIndex},
		{"", DefaultIndex},
		{"  Logs-Okta*  ", "logs-okta-default"},
		{"remote:logs-aws.cloudtrail-*", "logs-aws.cloudtrail-default"},
		{"logs-*::failures", "logs-generic-default"},
		{"-logs-excluded-*, winlogbeat-*", "winlogbeat-default"},
		{"bad name*", "bad_name-default"},
		{"_internal*", "internal-default"},
		{".", DefaultIndex},
	}
	for _, tt := range tests {
		got := IndexName(tt.pattern)
		if got != tt.want {
			t.Errorf("IndexName(%q) = %q, want %q", tt.pattern, got, tt.want)
		}
		if reason := invalidIndex(got); reason != "" {
			t.Errorf("IndexName(%q) = %q: %s", tt.pattern, got, reason)
		}
	}
}

// indexMatch matches an index name against an index pattern as
// Elasticsearch does: * is the only wildcard.
func indexMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(name, p)
		if i < 0 {
			return false
		}
		name = name[i+len(p):]
	}
	return strings.HasSuffix(name, last)
}

// invalidIndex says why name is not a valid Elasticsearch index name, or "".
func invalidIndex(name string) string {
	switch {
	case name == "":
		return "empty"
	case name == "." || name == "..":
		return "dot name"
	case len(name) > 255:
		return "longer than 255 bytes"
	case strings.ToLower(name) != name:
		return "not lower case"
	case strings.ContainsAny(name, "\\/*?\"<>| ,#:"):
		return "forbidden character"
	case strings.IndexAny(name[:1], "-_+") == 0:
		return "starts with - _ or +"
	}
	return ""
}

func TestIndexMatch(t *testing.T) {
	for _, tt := range []struct {
		p, n string
		want bool
	}{
		{"a-*", "a-b", true}, {"a-*", "a", false}, {"*", "", true}, {"a*b*c", "abc", true},
		{"a*b*c", "acb", false}, {"abc", "abc", true}, {"abc", "abcd", false}, {"*a*", "bab", true},
	} {
		if indexMatch(tt.p, tt.n) != tt.want {
			t.Errorf("indexMatch(%q, %q) != %v", tt.p, tt.n, tt.want)
		}
	}
}

func TestESQLSources(t *testing.T) {
	tests := []struct {
		query string
		want  []string
	}{
		{"from logs-aws.cloudtrail-*", []string{"logs-aws.cloudtrail-*"}},
		{"FROM logs-okta.system-* METADATA _id, _version, _index\n| where x", []string{"logs-okta.system-*"}},
		{"from logs-system.security*, logs-windows.forwarded*, winlogbeat-* metadata _id", []string{"logs-system.security*", "logs-windows.forwarded*", "winlogbeat-*"}},
		{"from\n  logs-nginx.access-*,\n  logs-apache.access-*\n| stats c = count(*)", []string{"logs-nginx.access-*", "logs-apache.access-*"}},
		{"// a comment\n/* another */ from .alerts-security.*\n\n// more", []string{".alerts-security.*"}},
		{"from logs-*|limit 1", []string{"logs-*"}},
		{`FROM "logs-a-*", remote:logs-b-*`, []string{"logs-a-*", "remote:logs-b-*"}},
		{"from logs-a-*// trailing comment", []string{"logs-a-*"}},
		{"row a = 1", nil},
		{"fromage", nil},
		{"", nil},
		{"from ", nil},
		{`from "unterminated`, nil},
	}
	for _, tt := range tests {
		if got := ESQLSources(tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("ESQLSources(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestTargetIndex(t *testing.T) {
	tests := []struct {
		rule Rule
		want string
	}{
		{Rule{Index: []string{"logs-endpoint.events.process-*", "winlogbeat-*"}}, "logs-endpoint.events.process-default"},
		{Rule{Index: []string{"-excluded-*", "auditbeat-*"}}, "auditbeat-default"},
		{Rule{Type: TypeESQL, Language: LangESQL, Query: "from logs-okta*"}, "logs-okta-default"},
		{Rule{Type: TypeMachineLearning}, DefaultIndex},
		{Rule{Type: TypeQuery, DataViewID: "x"}, DefaultIndex},
		{Rule{Index: []string{"-only-excluded-*"}}, DefaultIndex},
	}
	for _, tt := range tests {
		if got := tt.rule.TargetIndex(); got != tt.want {
			t.Errorf("TargetIndex of %+v = %q, want %q", tt.rule, got, tt.want)
		}
	}
}

func FuzzIndexName(f *testing.F) {
	for _, s := range []string{"logs-*", "a*b*c", "*", ".alerts-security.*", "-x,y-*", "r:x::y", "_a*", "É*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		name := IndexName(p)
		if reason := invalidIndex(name); reason != "" {
			t.Fatalf("IndexName(%q) = %q: %s", p, name, reason)
		}
		// A pattern made of what index names may hold (and *) is matched
		// by its name.
		if p != "" && strings.Trim(p, "*") != "" && strings.IndexAny(strings.TrimLeft(p, "*"), "-_+") != 0 &&
			strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789.-_*") == "" && strings.Trim(p, ".*") != "" &&
			len(p) < 200 {
			if !indexMatch(p, name) {
				t.Fatalf("IndexName(%q) = %q does not match it", p, name)
			}
		}
	})
}

func TestDatasetPattern(t *testing.T) {
	for pattern, want := range map[string]string{
		"logs-aws.cloudtrail-*":           "aws.cloudtrail",
		"logs-endpoint.events.process-*":  "endpoint.events.process",
		"logs-endpoint.events.*":          "endpoint.events.*",
		"logs-system.security*":           "system.security*",
		"logs-okta*":                      "okta*",
		"remote:logs-gcp.audit-*":         "gcp.audit",
		" LOGS-Windows.powershell-* ":     "windows.powershell",
		"metrics-system.cpu-default":      "system.cpu",
		"logs-aws.cloudtrail-*::failures": "aws.cloudtrail",
		"logs-*":                          "",
		"logs-*-default":                  "",
		"logs":                            "",
		"winlogbeat-*":                    "",
		"-logs-aws.cloudtrail-*":          "",
		"logs-aws.*,logs-gcp.*":           "",
		"":                                "",
	} {
		got, ok := DatasetPattern(pattern)
		if got != want || ok != (want != "") {
			t.Errorf("DatasetPattern(%q) = %q, %v; want %q", pattern, got, ok, want)
		}
	}
}
