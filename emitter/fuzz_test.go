package emitter_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/schema"
)

// FuzzQueryToDocuments: any text either fails with an error or yields
// documents that are valid JSON and that the query's own evaluator accepts;
// it never panics or hangs.
func FuzzQueryToDocuments(f *testing.F) {
	for _, s := range []string{
		`process.name : *.exe`,
		`destination.port < 1024 and (destination.port > 512 or destination.port > 1024)`,
		`x : *foo* and x : *bar* and not x : *baz*`,
		`source.ip : 10.0.0.0/8 and not source.ip : 10.1.0.0/16`,
		`process where process.name : ("a*", "b?c") and length(process.command_line) > 3`,
		`sequence by host.id with maxspan=1m [process where true] [network where destination.port == 443]`,
		`file where file.path regex~ "c:\\\\windows\\\\.*\\.dll"`,
		`any where startsWith~(process.name, "pow") and not process.name like "*.exe"`,
		`tags : (a and b) and @timestamp > now-1d`,
		`iam where not startsWith~(a.b, substring(c.d, 0, length(c.d) - 1)) and substring(e, 1, length(e)) == "x"`,
	} {
		f.Add(s)
	}
	sch := schema.Default()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 2000 {
			return
		}
		e := emitter.New(emitter.Options{Schema: sch, Seed: 1, End: start})
		src, err := e.AddQuery(text, query.Guess)
		if err != nil {
			return
		}
		if err := check.Verify(e, src, 3); err != nil && !strings.HasPrefix(err.Error(), "generation:") {
			t.Fatalf("%q: %v", text, err)
		}
	})
}
