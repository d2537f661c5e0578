package esql

import (
	"testing"
)

// BenchmarkParseRules parses every ES|QL rule of the detection-rules tree
// once per iteration; bytes/s is over the rules' query text.
func BenchmarkParseRules(b *testing.B) {
	rs := esqlRules(b)
	size := 0
	for _, r := range rs {
		size += len(r.Query)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range rs {
			if _, err := Parse(r.Query); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(rs))*float64(b.N)/b.Elapsed().Seconds(), "rules/s")
}

// BenchmarkScanRules runs only the lexer over the same rules.
func BenchmarkScanRules(b *testing.B) {
	rs := esqlRules(b)
	size := 0
	for _, r := range rs {
		size += len(r.Query)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range rs {
			if _, err := scan(r.Query); err != nil {
				b.Fatal(err)
			}
		}
	}
}

const benchQuery = `FROM logs-endpoint.events.process-* METADATA _id, _version, _index
| WHERE host.os.type == "windows" AND event.type == "start" AND process.name IN ("cmd.exe", "powershell.exe")
    AND NOT process.parent.name LIKE "explorer*" AND process.command_line RLIKE """.*-enc(odedcommand)? .*"""
| EVAL Esql.time_bucket = DATE_TRUNC(5 minutes, @timestamp), Esql.cmd = TO_LOWER(process.command_line)
| STATS Esql.count = COUNT(*), Esql.hosts = COUNT_DISTINCT(host.id) WHERE user.name IS NOT NULL BY Esql.time_bucket, user.name
| WHERE Esql.hosts >= 3
| SORT Esql.count DESC NULLS LAST
| KEEP Esql.*, user.name
| LIMIT 100`

func BenchmarkParseQuery(b *testing.B) {
	b.SetBytes(int64(len(benchQuery)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}
