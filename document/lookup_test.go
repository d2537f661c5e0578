package document

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"
)

func TestLookup(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(`{
		"process": {"name": "a", "args": ["x", ["y"]], "parent": [{"name": "p1"}, {"name": "p2"}]},
		"process.name": "b",
		"host": {"os.name": "linux"},
		"empty": null
	}`), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want []any
	}{
		{"process.name", []any{"b", "a"}},
		{"process.args", []any{"x", "y"}},
		{"process.parent.name", []any{"p1", "p2"}},
		{"host.os.name", []any{"linux"}},
		{"empty", []any{nil}},
		{"missing", nil},
	}
	for _, tt := range tests {
		var got []any
		Lookup(doc, tt.path, &got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Lookup(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	for v, want := range map[string]bool{`null`: false, `[]`: false, `{}`: false, `[null, {"a": null}]`: false,
		`[null, 0]`: true, `{"a": {"b": false}}`: true, `""`: true} {
		var x any
		if err := json.Unmarshal([]byte(v), &x); err != nil {
			t.Fatal(err)
		}
		if got := HasValue(x); got != want {
			t.Errorf("HasValue(%s) = %v, want %v", v, got, want)
		}
	}
}

func TestWalk(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"a": {"b": [1, [2, {"c": null}]], "d": []}, "e": [{"f": "x"}, "y"]}`), &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string][]string{}
	Walk(doc, "", func(path string, v any) bool {
		s := "obj"
		if _, ok := v.(map[string]any); !ok {
			s = fmt.Sprint(v)
		}
		seen[path] = append(seen[path], s)
		return true
	})
	for _, v := range seen {
		sort.Strings(v)
	}
	want := map[string][]string{
		"a": {"obj"}, "a.b": {"1", "2", "obj"}, "a.b.c": {"<nil>"},
		"e": {"obj", "y"}, "e.f": {"x"},
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("Walk visited %v, want %v", seen, want)
	}
	var under []string
	Walk(map[string]any{"x": 1}, "p.q", func(path string, _ any) bool { under = append(under, path); return true })
	if !reflect.DeepEqual(under, []string{"p.q.x"}) {
		t.Errorf("Walk under a path visited %v", under)
	}
	n := 0
	if Walk(doc, "", func(string, any) bool { n++; return n < 3 }) || n != 3 {
		t.Errorf("Walk did not stop: %d calls", n)
	}
	if !Walk("scalar", "", func(string, any) bool { t.Error("fn called for the root"); return true }) {
		t.Error("Walk of a scalar stopped")
	}
}
