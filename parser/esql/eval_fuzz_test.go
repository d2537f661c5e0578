package esql

import (
	"encoding/json"
	"errors"
	"hash/fnv"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/estype"
)

// evalFuzzTypes are the field types FuzzRun draws from.
var evalFuzzTypes = []estype.Type{
	estype.Empty, estype.Keyword, estype.Text, estype.Long, estype.Integer, estype.UnsignedLong,
	estype.Double, estype.Date, estype.DateNanos, estype.Boolean, estype.IP, estype.Version,
	estype.GeoPoint, estype.Point, estype.Object, estype.Flattened, estype.Binary,
}

// FuzzRun checks that Run never panics on a query that parses and small
// documents of any shape, that its errors are *RunError values, and that
// every row has a value per column.
func FuzzRun(f *testing.F) {
	seeds := []string{
		`FROM x | WHERE a > 1 | STATS c = COUNT(*), d = COUNT_DISTINCT(b) BY e | SORT c DESC`,
		`FROM x | EVAL y = CONCAT(a, "-", TO_STRING(b)) | GROK y "%{WORD:w}-%{INT:n:int}" | KEEP w, n`,
		`FROM x | DISSECT a "%{p} %{q}" | MV_EXPAND p | INLINE STATS m = MAX(b) BY p`,
		`FROM x | WHERE a LIKE "*x?" OR b RLIKE "[0-9]+" | EVAL t = DATE_TRUNC(1 hour, c) | LIMIT 3`,
		`ROW a = [1, 2], b = "x" | EVAL c = MV_SLICE(a, 0, 1), d = REPLACE(b, "(x)", "$1$1")`,
		`FROM x | WHERE KQL("a: 1 or b: x") | STATS v = VALUES(a), t = TOP(b, 2, "desc") BY bucket = BUCKET(c, 1 day)`,
	}
	docs := []string{
		`{"a": 1, "b": "x", "c": "2024-01-01T00:00:00Z", "e": ["p", "q"]}`,
		`{"a": [1, 2.5, "3"], "b": {"c": null}, "c": 1700000000000}`,
		`{"a": "10.0.0.1", "b": true, "c": [[1, 2], {"lat": 1, "lon": 2}]}`,
	}
	for i, s := range seeds {
		f.Add(s, docs[i%len(docs)], uint8(i))
	}
	for _, tc := range canonicalTests {
		f.Add(tc.in, docs[0], uint8(3))
	}
	f.Fuzz(func(t *testing.T, query, docText string, sel uint8) {
		q, err := Parse(query)
		if err != nil {
			return
		}
		var ds []map[string]any
		dec := json.NewDecoder(strings.NewReader(docText))
		dec.UseNumber()
		for dec.More() && len(ds) < 8 {
			var d map[string]any
			if dec.Decode(&d) != nil {
				break
			}
			ds = append(ds, d)
		}
		types := func(field string) estype.Mapping {
			h := fnv.New32a()
			h.Write([]byte(field))
			return estype.Mapping{Type: evalFuzzTypes[(int(h.Sum32())+int(sel))%len(evalFuzzTypes)]}
		}
		for _, in := range [][]map[string]any{nil, ds} {
			res, err := Execute(q, in, RunOptions{Types: types, Now: time.Unix(1700000000, 0), KQL: evalKQLOption(types, time.Unix(1700000000, 0))})
			if err != nil {
				var re *RunError
				if !errors.As(err, &re) {
					t.Fatalf("%q: error %T is not a *RunError: %v", query, err, err)
				}
				_ = re.Detail()
				continue
			}
			for _, r := range res.Rows {
				if len(r.Values) != len(res.Columns) {
					t.Fatalf("%q: a row of %d values for %d columns", query, len(r.Values), len(res.Columns))
				}
				_ = r.String()
			}
		}
	})
}
