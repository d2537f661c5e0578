package lucene

// LowerTestQueries returns the queries of the lowering tests and of the
// evaluator tests, for the generation tests of package lucene_test.
func LowerTestQueries() []string {
	var out []string
	seen := map[string]bool{}
	add := func(q string) {
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	for _, tc := range lowerTests {
		add(tc.in)
	}
	for _, tc := range evalTests {
		add(tc.q)
	}
	return out
}
