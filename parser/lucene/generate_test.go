package lucene_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/parser/lucene"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/solver"
)

// generationQueries add queries on typed ECS fields to the test queries
// (whose fields are mostly unknown, so keywords).
var generationQueries = []string{
	`message:hello`,
	`message:"hello world"`,
	`message:(quick fox) AND NOT message:slow`,
	`message:"quick brown fox"~3`,
	`NOT message:"quick fox"~2 AND message:quick`,
	`message:HEL*`,
	`message:w?rld`,
	`message:/wor.d/`,
	`message:quikc~`,
	`NOT message:hello~ AND _exists_:message`,
	`process.name.text:cmd`,
	`process.command_line:*powershell*`,
	`destination.port:(53 OR 80 OR 8080 OR 443)`,
	`destination.port:[1024 TO 2048} AND NOT destination.port:1500`,
	`destination.port:>=49152`,
	`NOT destination.port:[1 TO 65000]`,
	`source.ip:"10.0.0.0/8" AND NOT source.ip:"10.1.0.0/16"`,
	`source.ip:[192.168.0.0 TO 192.168.255.255]`,
	`@timestamp:[now-1h TO now]`,
	`event.created:>2023-12-31`,
	`event.created:2023-12-31`,
	`process.pid:{100 TO 200]`,
	`event.risk_score:[21.5 TO 47]`,
	`dns.question.name:/[a-z]{3}\.stage\.[0-9]{8}\..*/`,
	`url.full:/http:\/\/[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}\/cd/`,
	`process.args:("+s" OR "u+s" OR /4[0-9]{3}/ OR g+s OR /2[0-9]{3}/) AND NOT process.args:(/\/usr\/bin\/.+/ OR "/var/crash")`,
	`file.path:C\:\\Windows\\*.dll AND NOT file.name:kernel32.dll`,
	`user.name:(admin OR root) AND -user.domain:*`,
	`_exists_:process.parent.name AND NOT _exists_:process.parent.pid`,
	`host.os.type:windows AND (process.name:cmd.exe OR process.name:powershell.exe) AND NOT process.parent.name:explorer.exe`,
}

// knownGap says why emit may draw documents Elasticsearch would not
// return for the query (the README's Lucene section lists these), or "":
// on a text field, a regular expression (the generator writes it as a
// whole value, Elasticsearch compares it with lowercased words), and a
// term, phrase or analyzed prefix that leaves no word (Elasticsearch drops
// the clause, which the type-free lowering cannot know); a fuzzy term on a
// field that is not a string (Elasticsearch refuses it, the generator
// writes the exact value).
func knownGap(q *lucene.Query, types estype.Lookup) string {
	gap := ""
	var walk func(b *lucene.Bool, field string)
	walk = func(b *lucene.Bool, field string) {
		for _, c := range b.Clauses {
			f := field
			if fn := c.Node.FieldName(); fn != nil {
				f = fn.Name
			}
			if g, ok := c.Node.(*lucene.Group); ok {
				walk(g.Query, f)
				continue
			}
			if f == "" || f == lucene.ExistsField {
				continue
			}
			switch fam := types(f).Type.Family(); {
			case fam == estype.TextFamily:
			case fam == estype.KeywordFamily || fam == estype.FlattenedFamily:
				continue
			default:
				if t, ok := c.Node.(*lucene.Term); ok && t.Fuzzy != "" {
					gap = "a fuzzy term on the " + fam.String() + " field " + f
				}
				continue
			}
			switch x := c.Node.(type) {
			case *lucene.Regexp:
				gap = "a regular expression on the text field " + f
			case *lucene.Term:
				if len(analysis.Analyze(x.Text())) == 0 {
					gap = "a term without words on the text field " + f
				}
			case *lucene.Phrase:
				if len(analysis.Analyze(x.Text)) == 0 {
					gap = "a phrase without words on the text field " + f
				}
			case *lucene.Wildcard:
				if x.IsPrefix() && len(analysis.Analyze(x.Pattern[0].Lit)) == 0 {
					gap = "a prefix without words on the text field " + f
				}
			}
		}
	}
	if q.Root != nil {
		walk(q.Root, "")
	}
	return gap
}

// TestGenerationMatches: for every test query that lowers, the documents
// the emitter draws (through its library API) satisfy the evaluator.
func TestGenerationMatches(t *testing.T) {
	sch := schema.Default()
	end := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	queries := append(lucene.LowerTestQueries(), generationQueries...)
	solved := 0
	for _, text := range queries {
		e := emitter.New(emitter.Options{Schema: sch, Seed: 7, End: end, Minimal: true})
		src, err := e.AddQuery(text, query.Lucene)
		var ue *solver.UnsolvableError
		switch {
		case errors.Is(err, constraint.ErrUnsupported), errors.As(err, &ue):
			continue // no documents to check (NOT *:*, a term without a field)
		case err != nil:
			t.Errorf("%q: %v", text, err)
			continue
		}
		solved++
		q, err := lucene.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		// The documents are typed by the source's schema (a field no
		// schema knows takes the type of its literals), as emit's
		// mappings would index them.
		types := src.Schema().Types()
		gap := knownGap(q, types)
		multi := check.MultiFields(src)
		for i := 0; i < 5; i++ {
			docs, err := e.NextFrom(src)
			if err != nil {
				t.Errorf("%q: generation: %v", text, err)
				break
			}
			for _, d := range docs {
				var doc map[string]any
				dec := json.NewDecoder(strings.NewReader(string(d.Source)))
				dec.UseNumber()
				if err := dec.Decode(&doc); err != nil {
					t.Fatalf("%q: invalid JSON %s: %v", text, d.Source, err)
				}
				check.IndexMultiFields(doc, d.Source, multi)
				if !lucene.Match(q, doc, types, end) {
					if gap != "" {
						t.Logf("%q: known gap (%s): the evaluator rejects %s", text, gap, d.Source)
						continue
					}
					t.Errorf("%q: the evaluator rejects %s", text, d.Source)
				}
			}
		}
	}
	if solved < len(queries)*3/4 {
		t.Errorf("only %d of %d queries solved", solved, len(queries))
	}
	t.Logf("%d of %d queries solved and verified", solved, len(queries))
}

// FuzzQueryToDocuments: any text read as a Lucene query either fails with
// an error or yields documents that are valid JSON and that the Lucene
// evaluator accepts; it never panics or hangs.
func FuzzQueryToDocuments(f *testing.F) {
	for _, q := range generationQueries {
		f.Add(q)
	}
	for _, q := range lucene.LowerTestQueries() {
		f.Add(q)
	}
	sch := schema.Default()
	end := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 2000 {
			return
		}
		e := emitter.New(emitter.Options{Schema: sch, Seed: 1, End: end})
		src, err := e.AddQuery(text, query.Lucene)
		if err != nil {
			return
		}
		if err := check.Verify(e, src, 3); err != nil && !strings.HasPrefix(err.Error(), "generation:") {
			if q, perr := lucene.Parse(text); perr == nil {
				if gap := knownGap(q, src.Schema().Types()); gap != "" {
					t.Skipf("%q: known gap: %s", text, gap)
				}
			}
			t.Fatalf("%q: %v", text, err)
		}
	})
}
