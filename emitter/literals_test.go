package emitter

import (
	"testing"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/schema"
)

func TestTypedLiterals(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  map[string]estype.Type
	}{
		{`okta.security_context.is_proxy:true`, map[string]estype.Type{"okta.security_context.is_proxy": estype.Boolean}},
		{`problemchild.prediction : 1 and x.ratio > 0.5`, map[string]estype.Type{"problemchild.prediction": estype.Long, "x.ratio": estype.Double}},
		{`any where x.flag == false and x.count >= 3`, map[string]estype.Type{"x.flag": estype.Boolean, "x.count": estype.Long}},
		// A quoted KQL value, a string in EQL, a pattern, mixed evidence:
		// keyword, as Elasticsearch would map the text.
		{`x.a : "1" and x.b : 1* and (x.c : 1 or x.c : abc) and x.d : (true or 1)`, map[string]estype.Type{
			"x.a": estype.Keyword, "x.b": estype.Keyword, "x.c": estype.Keyword, "x.d": estype.Keyword}},
		{`any where x.e == "true"`, map[string]estype.Type{"x.e": estype.Keyword}},
		// Fields a schema knows keep their type.
		{`destination.port : 80 and process.name : 1`, map[string]estype.Type{"destination.port": estype.Long, "process.name": estype.Keyword}},
	} {
		q, err := query.Parse(tc.query, query.Guess)
		if err != nil {
			t.Fatal(err)
		}
		sch := typedLiterals(schema.Default(), q.Constraints, q.Lang)
		for f, want := range tc.want {
			if got := sch.Field(f).Type; got != want {
				t.Errorf("%s: %s is %s, want %s", tc.query, f, got, want)
			}
		}
	}
	// Nothing to type: the schema itself, not a copy.
	q, _ := query.Parse(`process.name : cmd.exe`, query.Guess)
	if sch := schema.Default(); typedLiterals(sch, q.Constraints, q.Lang) != sch {
		t.Error("a query with nothing to type copied the schema")
	}
}
