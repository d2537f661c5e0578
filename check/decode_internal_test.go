package check

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeDocument reads what encoding/json with UseNumber reads, and fails
// where it fails, with its message.
func TestDecodeDocument(t *testing.T) {
	for _, src := range []string{
		`{}`,
		`{"@timestamp":"2024-06-01T00:00:00.000Z","process":{"name":"cmd.exe","pid":4242,"args":["a","b\"c",""]}}`,
		`{"a":1.50,"b":-0,"c":1e3,"d":12345678901234567890,"e":true,"f":false,"g":null,"h":[],"i":{}}`,
		`{"s":"tab\there\nnew \u0001 \\ \/ é 日本 😀","dup":1,"dup":2}`,
		`{"deep":[[1,[2,{"x":[{}]}]],{"y":"z"}]}`,
		` {"space": 1} `,
	} {
		got, err := decodeDocument([]byte(src))
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		var want map[string]any
		dec := json.NewDecoder(strings.NewReader(src))
		dec.UseNumber()
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", src, got, want)
		}
	}
	for _, src := range []string{`{"a":`, `[1]`, "{\"a\":\"\xff\"}x", `{"a":1} trailing`} {
		got, err := decodeDocument([]byte(src))
		var want map[string]any
		dec := json.NewDecoder(bytes.NewReader([]byte(src)))
		dec.UseNumber()
		werr := dec.Decode(&want)
		switch {
		case (err != nil) != (werr != nil):
			t.Errorf("%q: error %v, encoding/json %v", src, err, werr)
		case err != nil && !strings.Contains(err.Error(), werr.Error()):
			t.Errorf("%q: error %v, want one with %v", src, err, werr)
		case err == nil && !reflect.DeepEqual(got, want):
			t.Errorf("%q: got %#v, want %#v", src, got, want)
		}
	}
}
