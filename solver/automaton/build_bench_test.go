package automaton

import (
	"testing"

	"github.com/emit-sec/emit/es/wildcard"
)

// rulePatterns are wildcard patterns as detection rules write them.
var rulePatterns = []string{
	`*.exe`, `*powershell*`, `*-enc*`, `C:\Windows\System32\*`, `*\AppData\Local\Temp\*`,
	`*\Users\*\AppData\Roaming\*.exe`, `?:\ProgramData\*`, `*DownloadString*`, `*.dll`,
	`/tmp/*`, `*/bin/sh*`, `*curl *http*`, `*IEX*`, `*FromBase64String*`, `rundll32.exe`,
	`*\Microsoft\Windows\Start Menu\Programs\Startup\*`, `*.ps1`, `*bash -i*`, `*-nop*-w hidden*`,
	`HKEY_USERS\*\Software\Microsoft\Windows\CurrentVersion\Run\*`,
}

func parsedPatterns(b *testing.B) []wildcard.Pattern {
	var ps []wildcard.Pattern
	for _, s := range rulePatterns {
		ps = append(ps, wildcard.Parse(s, wildcard.EQL))
	}
	return ps
}

// BenchmarkWildcardPatterns builds the automata of rule patterns, as
// written and case-insensitive.
func BenchmarkWildcardPatterns(b *testing.B) {
	ps := parsedPatterns(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, p := range ps {
			for _, ci := range []bool{false, true} {
				if _, err := Wildcard(p, ci); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// BenchmarkIntersectPatterns intersects the automata of rule patterns
// pairwise: the small products that meeting a rule's predicates makes.
func BenchmarkIntersectPatterns(b *testing.B) {
	var ds []*DFA
	for _, p := range parsedPatterns(b) {
		for _, ci := range []bool{false, true} {
			d, err := Wildcard(p, ci)
			if err != nil {
				b.Fatal(err)
			}
			ds = append(ds, d)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j+1 < len(ds); j++ {
			if _, err := Intersect(ds[j], ds[j+1]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkMinimalRegex compiles a long alternation of patterns that may
// occur anywhere, as ES|QL rules' RLIKE and CASE write them: a subset
// construction of 11k states, then its minimization.
func BenchmarkMinimalRegex(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := MinimalRegex(`.*(config-helper\s.*--format|auth\s+print-access-token|auth\s+print-identity-token|auth\s+application-default\s+print|get-access-token\s.*--output|Get-AzAccessToken|azd\s+auth\s+token|az\s+account\s+get-access-token|gh\s+auth\s+(token|status)|aws\s+sts\s+(get-session-token|get-caller-identity|assume-role)|aws\s+configure\s+(export-credentials|list)|kubectl\s+config\s+view\s.*--raw|kubectl\s+get\s+secret|doctl\s+auth\s+(list|init)|oci\s+session\s+authenticate|oci\s+iam\s.*token).*`, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLength builds the length automata of the detection rules'
// bounds (ES|QL's LENGTH(x) >= n): up to 38k states for 2000 characters.
func BenchmarkLength(b *testing.B) {
	bounds := [][2]int{{0, 0}, {1, -1}, {16, -1}, {31, -1}, {51, -1}, {200, -1}, {501, -1}, {1001, -1}, {1025, -1}, {2000, -1}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, bd := range bounds {
			if _, err := Length(bd[0], bd[1]); err != nil {
				b.Fatal(err)
			}
		}
	}
}
