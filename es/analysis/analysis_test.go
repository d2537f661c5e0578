package analysis

import (
	"strings"
	"testing"
)

func TestAnalyze(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Login FAILED for bob", "login|failed|for|bob"},
		{"C:\\Windows\\System32\\cmd.exe", "c|windows|system32|cmd.exe"},
		{"foo:bar baz", "foo:bar|baz"},
		{"can't stop", "can't|stop"},
		{"e.g. this", "e.g|this"},
		{"version 1.2.3 and 1,000.50", "version|1.2.3|and|1,000.50"},
		{"10.0.0.1:443", "10.0.0.1|443"},
		{"abc123def", "abc123def"},
		{"a.1", "a|1"},
		{"snake_case_name", "snake_case_name"},
		{"_leading", "_leading"},
		{"___", ""},
		{"-- !! --", ""},
		{"user@example.com", "user|example.com"},
		{"https://www.elastic.co/guide", "https|www.elastic.co|guide"},
		{"Ünïcödé WÖRDS", "ünïcödé|wörds"},
		{"日本語のテキスト", "日|本|語|の|テキスト"},
		{"café\u0301 ok", "café\u0301|ok"},
		{"x\u200by", "x\u200by"},
		{"end.", "end"},
		{"'quoted'", "quoted"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := strings.Join(Analyze(tt.in), "|"); got != tt.want {
			t.Errorf("Analyze(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := strings.Repeat("a", 600)
	toks := Analyze(long + " b")
	if len(toks) != 4 || len(toks[0]) != 255 || len(toks[1]) != 255 || len(toks[2]) != 90 || toks[3] != "b" {
		t.Errorf("a 600-letter word: %d tokens", len(toks))
	}
}

// FuzzAnalyze checks that the analyzer never panics and only yields
// non-empty lowercased words.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"Login FAILED", "10.0.0.1:443", "日本語のテキスト", "a\u0301b", "___x", "can't.stop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tok := range Analyze(s) {
			if tok == "" || len([]rune(tok)) > MaxTokenLength {
				t.Fatalf("Analyze(%q): bad token %q", s, tok)
			}
		}
	})
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"Hello World-X*": "hello world-x*", "ÉTÉ": "été", "İ": "i", "": ""} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
