package kql

import (
	"encoding/json"
	"testing"

	"github.com/emit-sec/emit/internal/shared"
	"github.com/emit-sec/emit/rules"
)

// benchRule is a realistic detection rule query: value lists, wildcards
// with escapes, a quoted path, nots, ranges and CIDR blocks.
const benchRule = `event.category:process and host.os.type:windows and event.type:start and
  process.parent.name:(winword.exe or excel.exe or powerpnt.exe or outlook.exe) and
  process.name:(cmd.exe or powershell.exe or pwsh.exe or wscript.exe or cscript.exe or mshta.exe) and
  not process.executable:(C\:\\Program*Files\\* or "C:\\Windows\\System32\\conhost.exe") and
  not process.args:(-NoProfile and -NonInteractive) and
  (destination.port < 1024 or destination.port >= 49152) and
  not source.ip:(10.0.0.0/8 or 172.16.0.0/12 or 192.168.0.0/16) and
  process.command_line:(*-enc* or *FromBase64String* or *http\://*)`

func BenchmarkParse(b *testing.B) {
	src := benchRule
	if _, err := Parse(src); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSimple(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(`process.name : *.exe`); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	q, err := Parse(`event.category:process and process.name:(cmd.exe or powershell.exe) and not user.name:SYSTEM and destination.port < 1024 and source.ip:10.0.0.0/8`)
	if err != nil {
		b.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(`{"event":{"category":["process"]},"process":{"name":"powershell.exe"},"user":{"name":"alice"},"destination":{"port":443},"source":{"ip":"10.1.2.3"}}`), &doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !MatchAt(q, doc, testTypes, evalNow) {
			b.Fatal("no match")
		}
	}
}

// BenchmarkParseRules parses every KQL query of the detection-rules tree
// (deprecated rules included) once per iteration; bytes/s is over the
// queries' text.
func BenchmarkParseRules(b *testing.B) {
	rs, problems := rules.Load(shared.Path(b, "rules/detection-rules"))
	if len(problems) > 0 {
		b.Fatalf("%d problems loading the rules, first: %v", len(problems), problems[0])
	}
	var qs []string
	size := 0
	for _, r := range rs {
		if r.Language == rules.LangKuery {
			qs = append(qs, r.Query)
			size += len(r.Query)
		}
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
