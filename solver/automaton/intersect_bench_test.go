package automaton

import "testing"

// BenchmarkIntersectLarge intersects a long alternation of patterns that
// may occur anywhere (a detection rule's RLIKE, 11k states) with a
// shorter one and with that one's complement: products of 20-50k states,
// as an ES|QL CASE over command lines makes them.
func BenchmarkIntersectLarge(b *testing.B) {
	big, err := Regex(`.*(config-helper\s.*--format|auth\s+print-access-token|auth\s+print-identity-token|auth\s+application-default\s+print|get-access-token\s.*--output|Get-AzAccessToken|azd\s+auth\s+token|az\s+account\s+get-access-token|gh\s+auth\s+(token|status)|aws\s+sts\s+(get-session-token|get-caller-identity|assume-role)|aws\s+configure\s+(export-credentials|list)|kubectl\s+config\s+view\s.*--raw|kubectl\s+get\s+secret|doctl\s+auth\s+(list|init)|oci\s+session\s+authenticate|oci\s+iam\s.*token).*`, false)
	if err != nil {
		b.Fatal(err)
	}
	branch, err := Regex(`.*(gcloud|config-helper|print-access-token|print-identity-token).*`, false)
	if err != nil {
		b.Fatal(err)
	}
	other, err := Regex(`.*(azd auth|az account|Get-AzAccessToken).*`, false)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := Intersect(big, other)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Intersect(m, Complement(branch)); err != nil {
			b.Fatal(err)
		}
	}
}
