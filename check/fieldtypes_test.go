package check_test

import (
	"testing"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/schema"
)

// Field types the solver and the evaluators read one way (estype): each
// query is checked against a schema that types its fields, and must be ok.
func TestFieldTypesOneReading(t *testing.T) {
	sch, err := schema.Parse([]byte(`{
		"msg.count": "token_count", "msg.body": "annotated_text", "msg.words": "search_as_you_type",
		"v": "version", "w": "wildcard", "c": "constant_keyword", "h": "half_float", "b": "byte",
		"s": {"type": "scaled_float", "scaling_factor": 100},
		"p.name": {"type": "keyword", "fields": {"caseless": {"type": "keyword", "normalizer": "lowercase"}}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	base := schema.Default().Clone()
	base.Merge(sch)
	opts := check.Options{Schemas: &emitter.RuleSchemas{Base: base}, Matches: 20}
	for _, q := range []string{
		`msg.count > 5`,
		`msg.count : 3`,
		`msg.count >= 2 and msg.count < 4 and not msg.count : 3`,
		`msg.body : hello and msg.body : world`,
		`msg.body : "hello world"`,
		`msg.words : quick`,
		`v : 1.2.3`,
		`w : *powershell*enc*`,
		`c : prod`,
		`h > 1000.2 and h < 1001`, // 1000.5, the only half between
		`b < -100`,
		`s : 12.34`,
		`p.name.caseless : "CMD.EXE"`,
		`p.name.caseless : cmd*`,
		`any where msg.count == 4`,
		`any where p.name.caseless == "cmd.exe"`,
	} {
		if r := check.Query(q, query.Guess, opts); r.Status != check.OK {
			t.Errorf("%s: %s (%s)", q, r.Status, r.Reason)
		}
	}
	for q, want := range map[string]check.Status{
		`msg.count : abc`: check.Unsolvable,
		`b > 127`:         check.Unsolvable,
		`h > 65504`:       check.Unsolvable,
		`msg.count < 0`:   check.Unsolvable,
		`msg.body : hello and not msg.body : hello`: check.Unsolvable,
	} {
		if r := check.Query(q, query.Guess, opts); r.Status != want {
			t.Errorf("%s: %s (%s), want %s", q, r.Status, r.Reason, want)
		}
	}
}
