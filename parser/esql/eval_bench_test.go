package esql

import (
	"fmt"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/estype"
)

// evalBenchDocs builds n authentication events: users spread over hosts and
// source addresses, as a brute-force group and its background look.
func evalBenchDocs(n int) []map[string]any {
	docs := make([]map[string]any, n)
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range docs {
		docs[i] = map[string]any{
			"@timestamp": start.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
			"event":      map[string]any{"category": "authentication", "outcome": []string{"failure", "success"}[i%2], "action": "logon"},
			"user":       map[string]any{"name": fmt.Sprintf("user%d", i%50)},
			"source":     map[string]any{"ip": fmt.Sprintf("10.0.%d.%d", i%7, i%200)},
			"host":       map[string]any{"name": fmt.Sprintf("host%d", i%13)},
			"process":    map[string]any{"name": []string{"cmd.exe", "powershell.exe", "bash"}[i%3], "command_line": fmt.Sprintf("cmd.exe /c whoami %d", i)},
		}
	}
	return docs
}

var evalBenchTypes = evalLookup(map[string]estype.Type{
	"@timestamp": estype.Date, "event.category": estype.Keyword, "event.outcome": estype.Keyword, "event.action": estype.Keyword,
	"user.name": estype.Keyword, "source.ip": estype.IP, "host.name": estype.Keyword, "process.name": estype.Keyword,
	"process.command_line": estype.Wildcard,
})

func benchmarkRun(b *testing.B, query string, n int) {
	q := MustParse(query)
	docs := evalBenchDocs(n)
	opts := RunOptions{Types: evalBenchTypes, Now: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)}
	if _, err := Run(q, docs, opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Run(q, docs, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkRunCountDistinct runs a count_distinct rule (password spraying:
// distinct users failing from one source) over 1000 documents.
func BenchmarkRunCountDistinct(b *testing.B) {
	benchmarkRun(b, `FROM logs-* METADATA _id
| WHERE event.category == "authentication" AND event.outcome == "failure"
| STATS Esql.user_count = COUNT_DISTINCT(user.name), Esql.hosts = VALUES(host.name) BY source.ip
| WHERE Esql.user_count >= 5
| KEEP source.ip, Esql.*`, 1000)
}

// BenchmarkRunFilter runs a filter rule over 1000 documents.
func BenchmarkRunFilter(b *testing.B) {
	benchmarkRun(b, `FROM logs-* METADATA _id, _index, _version
| WHERE process.name IN ("cmd.exe", "powershell.exe") AND process.command_line LIKE "*whoami*" AND TO_LOWER(host.name) != "host1"
| KEEP @timestamp, host.name, process.name, process.command_line`, 1000)
}

// BenchmarkRunGrokWindow runs GROK, EVAL and a date_trunc window over 1000
// documents.
func BenchmarkRunGrokWindow(b *testing.B) {
	benchmarkRun(b, `FROM logs-*
| GROK process.command_line "%{NOTSPACE:exe} /c %{WORD:verb} %{INT:n:int}"
| EVAL Esql.window = DATE_TRUNC(5 minutes, @timestamp)
| STATS Esql.count = COUNT(*), Esql.max_n = MAX(n) BY Esql.window, verb
| WHERE Esql.count > 10`, 1000)
}
