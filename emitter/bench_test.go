package emitter_test

import (
	"io"
	"testing"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
)

// benchEmit measures the whole path of one document: solve (branch
// choice), draw values, build JSON, write NDJSON to io.Discard. The
// documents are minimal (what the query constrains), as --minimal makes
// them; benchTelemetry measures whole events.
func benchEmit(b *testing.B, q string) { benchDocs(b, q, true) }

// benchTelemetry is benchEmit with whole events: host, user, the usual
// fields of the event's kind.
func benchTelemetry(b *testing.B, q string) { benchDocs(b, q, false) }

func benchDocs(b *testing.B, q string, minimal bool) {
	e := emitter.New(emitter.Options{Seed: 1, End: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Minimal: minimal})
	if _, err := e.AddQuery(q, query.Guess); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1<<16)
	b.ReportAllocs()
	b.ResetTimer()
	docs := 0
	for i := 0; i < b.N; i++ {
		ds, err := e.Next()
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range ds {
			buf = append(buf, d.Source...)
			buf = append(buf, '\n')
			docs++
		}
		if len(buf) > 1<<15 {
			io.Discard.Write(buf)
			buf = buf[:0]
		}
	}
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
}

func BenchmarkEmitWildcard(b *testing.B) { benchEmit(b, `process.name : *.exe`) }

func BenchmarkEmitSixFields(b *testing.B) {
	benchEmit(b, `process.name : *.exe and process.command_line : *powershell*enc* and source.ip : 10.0.0.0/8 and not source.ip : 10.1.0.0/16 and destination.port >= 1024 and destination.port < 5000 and user.name : (alice or bob or carol)`)
}

func BenchmarkEmitEQLEvent(b *testing.B) {
	benchEmit(b, `process where process.name : ("cmd.exe", "powershell.exe") and process.args : "-enc*" and process.pid > 4`)
}

func BenchmarkEmitSequence3(b *testing.B) {
	benchEmit(b, `sequence by host.id with maxspan=1m
	  [process where process.name : "cmd.exe"]
	  [network where destination.port == 443]
	  [file where file.extension : "exe"]`)
}

func BenchmarkTelemetryWildcard(b *testing.B) { benchTelemetry(b, `process.name : *.exe`) }

func BenchmarkTelemetryEQLEvent(b *testing.B) {
	benchTelemetry(b, `process where process.name : ("cmd.exe", "powershell.exe") and process.args : "-enc*" and process.pid > 4`)
}

func BenchmarkTelemetrySequence3(b *testing.B) {
	benchTelemetry(b, `sequence by host.id with maxspan=1m
	  [process where process.name : "cmd.exe"]
	  [network where destination.port == 443]
	  [file where file.extension : "exe"]`)
}

// benchGroups measures ES|QL matches: one match is a result row, after
// STATS a whole group of documents (whole events, as emit writes them).
func benchGroups(b *testing.B, q string) {
	e := emitter.New(emitter.Options{Seed: 1, End: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	if _, err := e.AddQuery(q, query.ESQL); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	docs := 0
	for i := 0; i < b.N; i++ {
		ds, err := e.Next()
		if err != nil {
			b.Fatal(err)
		}
		docs += len(ds)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "groups/s")
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkESQLGroups: groups per second of a count_distinct rule (a
// group of 10 documents with 10 different users from one address) and of
// a filter rule (one document per match).
func BenchmarkESQLGroups(b *testing.B) {
	b.Run("count_distinct", func(b *testing.B) {
		benchGroups(b, `FROM logs-* | WHERE event.category == "authentication" AND event.outcome == "failure"
		  | STATS users = COUNT_DISTINCT(user.name) BY source.ip | WHERE users >= 10`)
	})
	b.Run("filter", func(b *testing.B) {
		benchGroups(b, `FROM logs-* | WHERE process.name == "powershell.exe" AND process.command_line LIKE "*-enc*"`)
	})
}
