package schema

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: no input makes the loaders panic, and whatever loads gives
// mappings or an error for its own fields.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a:\n  type: long\n  normalize:\n  - array\n  description: x\n    y\n"))
	f.Add([]byte(`{"a": {"type": "keyword", "fields": {"t": {"type": "text"}}}, "a.b": "long"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			return
		}
		names := s.Names()
		if len(names) > 50 {
			names = names[:50]
		}
		for _, n := range names {
			s.Field(n)
			s.Field(n + ".text")
		}
		_, _ = s.Mappings(names)
		_ = s.Match("*")
	})
}
