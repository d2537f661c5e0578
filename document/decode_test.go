package document_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/emit-sec/emit/document"
)

// Decode reads what encoding/json with UseNumber reads, and fails where
// it fails, with its error.
func TestDecode(t *testing.T) {
	for _, src := range []string{
		`{}`,
		`{"@timestamp":"2024-06-01T00:00:00.000Z","process":{"name":"cmd.exe","pid":4242,"args":["a","b\"c",""]}}`,
		`{"a":1.50,"b":-0,"c":1e3,"d":12345678901234567890,"e":true,"f":false,"g":null,"h":[],"i":{}}`,
		`{"s":"tab\there\nnew \u0001 \\ \/ é 日本 😀","dup":1,"dup":2}`,
		`{"deep":[[1,[2,{"x":[{}]}]],{"y":"z"}]}`,
		` {"space": 1} `,
		`{"a":1} trailing`,
		`{"a":`, `[1]`, "{\"a\":\"\xff\"}x", "{\"a\":\"\xff\"}",
	} {
		got, err := document.Decode([]byte(src))
		var want map[string]any
		dec := json.NewDecoder(bytes.NewReader([]byte(src)))
		dec.UseNumber()
		werr := dec.Decode(&want)
		switch {
		case (err != nil) != (werr != nil):
			t.Errorf("%q: error %v, encoding/json %v", src, err, werr)
		case err != nil && !strings.Contains(err.Error(), werr.Error()):
			t.Errorf("%q: error %v, want %v", src, err, werr)
		case err == nil && !reflect.DeepEqual(got, want):
			t.Errorf("%q: got %#v, want %#v", src, got, want)
		}
	}
}
