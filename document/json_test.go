package document

import "testing"

func TestTextOfArrays(t *testing.T) {
	for raw, want := range map[string]string{
		`["a","b"]`: "a", `[ "x\"y" , 1]`: `x"y`, `[12,3]`: "12", `[true]`: "true", `["\u00e9"]`: "é",
		`[["n"]]`: "n",
	} {
		if got, ok := Text([]byte(raw)); !ok || got != want {
			t.Errorf("Text(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for _, raw := range []string{`[]`, `[`, `["a`, `[null]`, `[{}]`} {
		if got, ok := Text([]byte(raw)); ok {
			t.Errorf("Text(%s) = %q, want not ok", raw, got)
		}
	}
}
