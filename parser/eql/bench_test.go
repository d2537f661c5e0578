package eql

import (
	"fmt"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
)

// A sequence rule in the style of Elastic's detection rules.
const benchSequence = `sequence by host.id, process.entity_id with maxspan=1m
  [process where host.os.type == "windows" and event.type == "start" and
     (process.name : "rundll32.exe" or ?process.pe.original_file_name == "RUNDLL32.EXE") and
     process.args : ("*javascript:*", "*vbscript:*", "*mshtml*RunHTMLApplication*") and
     not process.parent.executable : ("C:\\Windows\\System32\\svchost.exe", "C:\\Program Files*\\*.exe")]
  [network where host.os.type == "windows" and event.type == "start" and
     not cidrMatch(destination.ip, "10.0.0.0/8", "127.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16") and
     destination.port in (80, 443, 8080)]
  [file where host.os.type == "windows" and event.type == "creation" and
     file.extension : ("exe", "dll") and length(file.name) > 4 and startsWith~(file.path, "C:\\Users\\")]`

const benchEvent = `process where host.os.type == "windows" and event.type == "start" and
  process.name : ("cmd.exe", "powershell.exe", "pwsh.exe") and
  process.command_line like~ ("*-enc*", "*downloadstring*", "*iex*") and
  not process.parent.name in ("explorer.exe", "services.exe")`

func BenchmarkParseSequence(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchSequence)))
	for b.Loop() {
		if _, err := Parse(benchSequence); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseEvent(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEvent)))
	for b.Loop() {
		if _, err := Parse(benchEvent); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConstraintsSequence(b *testing.B) {
	q := MustParse(benchSequence)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Constraints(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDocs() []map[string]any {
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	at := func(s int) string { return base.Add(time.Duration(s) * time.Second).Format(time.RFC3339) }
	common := func(cat, ts string) map[string]any {
		return map[string]any{
			"@timestamp": ts,
			"event":      map[string]any{"category": []any{cat}, "type": []any{"start"}},
			"host":       map[string]any{"id": "h-1", "os": map[string]any{"type": "windows"}},
			"process":    map[string]any{"entity_id": "p-1"},
		}
	}
	p := common("process", at(0))
	p["process"] = map[string]any{"entity_id": "p-1", "name": "RUNDLL32.EXE", "args": []any{"rundll32.exe", "javascript:alert(1)"}, "parent": map[string]any{"executable": "C:\\Windows\\explorer.exe"}}
	n := common("network", at(10))
	n["destination"] = map[string]any{"ip": "8.8.8.8", "port": 443.0}
	f := common("file", at(20))
	f["event"] = map[string]any{"category": []any{"file"}, "type": []any{"creation"}}
	f["file"] = map[string]any{"extension": "dll", "name": "evil.dll", "path": "c:\\users\\bob\\evil.dll"}
	return []map[string]any{p, n, f}
}

func BenchmarkMatchEvent(b *testing.B) {
	q := MustParse(benchEvent)
	doc := map[string]any{
		"event":   map[string]any{"category": []any{"process"}, "type": []any{"start"}},
		"host":    map[string]any{"os": map[string]any{"type": "windows"}},
		"process": map[string]any{"name": "PowerShell.exe", "command_line": "powershell -enc AAAA", "parent": map[string]any{"name": "winword.exe"}},
	}
	if !MatchEvent(q, 0, doc, nil) {
		b.Fatal("the benchmark document does not match")
	}
	b.ReportAllocs()
	for b.Loop() {
		MatchEvent(q, 0, doc, nil)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkMatchSequence3(b *testing.B) {
	q := MustParse(benchSequence)
	docs := benchDocs()
	types := estype.ByName(func(f string) string {
		switch f {
		case "destination.ip":
			return "ip"
		case "destination.port":
			return "long"
		}
		return "keyword"
	})
	if !Match(q, docs, types) {
		b.Fatal("the benchmark documents do not match")
	}
	b.ReportAllocs()
	for b.Loop() {
		Match(q, docs, types)
	}
	b.ReportMetric(float64(b.N*len(docs))/b.Elapsed().Seconds(), "docs/s")
}

func ExampleParse() {
	q, err := Parse(`sequence by host.id with maxspan=1m
  [process where process.name == "cmd.exe"]
  [network where destination.port == 443]`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)
	c, _ := q.Constraints()
	for _, e := range c.Events {
		fmt.Println(e.Cond)
	}
	fmt.Println(c.Joins, c.MaxSpan)
	// Output:
	// sequence by host.id with maxspan=1m [process where process.name == "cmd.exe"] [network where destination.port == 443]
	// event.category == "process" and process.name == "cmd.exe"
	// event.category == "network" and destination.port == 443
	// [[host.id host.id]] 1m0s
}

func ExampleMatch() {
	q := MustParse(`sequence by host.id [process where process.name : "CMD.EXE"] [network where true]`)
	docs := []map[string]any{
		{"@timestamp": "2024-05-01T10:00:00Z", "event": map[string]any{"category": "process"}, "host": map[string]any{"id": "h1"}, "process": map[string]any{"name": "cmd.exe"}},
		{"@timestamp": "2024-05-01T10:00:05Z", "event": map[string]any{"category": "network"}, "host": map[string]any{"id": "h1"}},
	}
	fmt.Println(Match(q, docs, nil))
	fmt.Println(Match(q, docs[:1], nil))
	// Output:
	// true
	// false
}

func ExampleParse_error() {
	_, err := Parse(`process where process.name = "cmd.exe"`)
	fmt.Println(err.(interface{ Detail() string }).Detail())
	// Output:
	// eql: 1:28: "=" is not a comparison operator: use "==" (case-sensitive) or ":" (case-insensitive)
	//   process where process.name = "cmd.exe"
	//                              ^
}

// BenchmarkParseRules parses every EQL query of the detection-rules tree
// (deprecated rules included) once per iteration; bytes/s is over the
// queries' text.
func BenchmarkParseRules(b *testing.B) {
	qs := ruleQueries(b, rules.LangEQL)
	size := 0
	for _, q := range qs {
		size += len(q)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, q := range qs {
			if _, err := Parse(q); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(qs))*float64(b.N)/b.Elapsed().Seconds(), "rules/s")
}

// ruleQueries returns the queries in language lang of the detection-rules
// tree.
func ruleQueries(tb testing.TB, lang string) []string {
	tb.Helper()
	rs, problems := rules.Load(shared.Path(tb, "rules/detection-rules"))
	if len(problems) > 0 {
		tb.Fatalf("%d problems loading the rules, first: %v", len(problems), problems[0])
	}
	var out []string
	for _, r := range rs {
		if r.Language == lang {
			out = append(out, r.Query)
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no %s rule", lang)
	}
	return out
}
