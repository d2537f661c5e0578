package wildcard

import "testing"

func TestOverlap(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"logs-endpoint.events.*", "logs-endpoint.events.process-*", true},
		{"logs-endpoint.events.process-*", "logs-endpoint.events.*", true},
		{"logs-endpoint.events.api-*", "logs-endpoint.events.process-*", false},
		{"logs-*", "logs-endpoint.events.*", true},
		{"logs-*", "winlogbeat-*", false},
		{"winlogbeat-*", "winlogbeat-*", true},
		{"logs-okta*", "logs-okta.system-*", true},
		{"logs-google_workspace*", "logs-google_workspace.admin-*", true},
		{"*", "anything", true},
		{"*-a", "b-*", true}, // b-a
		{"a*", "*b", true},   // ab
		{"a*c", "ab*", true}, // abc
		{"a*c", "*b", false},
		{"logs-windows.*", "logs-windows.sysmon_operational-*", true},
		{"logs-system.security*", "logs-system.auth-*", false},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"", "", true},
		{"", "*", true},
		{"", "a", false},
		{"a**b", "a*x*y*b", true},
		{"*a*a*a*a*a*a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*a*a*c", false},
	}
	for _, tt := range tests {
		if got := Overlap(tt.a, tt.b); got != tt.want {
			t.Errorf("Overlap(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := Overlap(tt.b, tt.a); got != tt.want {
			t.Errorf("Overlap(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// FuzzOverlap: a pattern overlaps itself and what it matches, and the
// answer does not depend on the order.
func FuzzOverlap(f *testing.F) {
	f.Add("logs-endpoint.events.*", "logs-*-process")
	f.Add("a*b", "*c")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 64 || len(b) > 64 {
			return
		}
		if Overlap(a, b) != Overlap(b, a) {
			t.Errorf("asymmetric on %q, %q", a, b)
		}
		if !Overlap(a, a) {
			t.Errorf("%q does not overlap itself", a)
		}
		if MatchString(a, b) && !Overlap(a, b) {
			t.Errorf("%q matches %q but they do not overlap", a, b)
		}
	})
}
