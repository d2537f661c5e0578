package esvalue

import "testing"

// FuzzAnalyze checks that the analyzer never panics and only yields
// non-empty lowercased words.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"Login FAILED", "10.0.0.1:443", "日本語のテキスト", "a\u0301b", "___x", "can't.stop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Analyze(s) {
			if tok == "" || len([]rune(tok)) > maxTokenLen {
				t.Fatalf("Analyze(%q): bad token %q", s, tok)
			}
		}
	})
}
