package document

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// Decode reads a JSON object as encoding/json decodes it into a map with
// UseNumber: objects are map[string]any, arrays []any, numbers
// json.Number. Valid UTF-8 JSON is read with gjson (several times faster,
// for the same values); anything else goes through encoding/json, whose
// error is returned.
func Decode(src []byte) (map[string]any, error) {
	if utf8.Valid(src) && gjson.ValidBytes(src) {
		if r := gjson.ParseBytes(src); r.IsObject() {
			return jsonValue(r).(map[string]any), nil
		}
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// jsonValue is a valid JSON value as encoding/json decodes it into an
// interface with UseNumber.
func jsonValue(r gjson.Result) any {
	switch r.Type {
	case gjson.Null:
		return nil
	case gjson.False:
		return false
	case gjson.True:
		return true
	case gjson.Number:
		return json.Number(r.Raw)
	case gjson.String:
		return r.String()
	}
	if r.IsArray() {
		out := []any{}
		r.ForEach(func(_, v gjson.Result) bool {
			out = append(out, jsonValue(v))
			return true
		})
		return out
	}
	out := map[string]any{}
	r.ForEach(func(k, v gjson.Result) bool {
		out[k.String()] = jsonValue(v)
		return true
	})
	return out
}
