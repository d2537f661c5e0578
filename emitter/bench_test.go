package emitter_test

import (
	"context"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
)

// benchEmit measures the whole path of one document: solve (branch
// choice), draw values, build JSON, write NDJSON to io.Discard, on one
// goroutine. The
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
	cpu0 := cpuTime()
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
	b.StopTimer()
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
	// The CPU time per document holds on a shared machine, where the wall
	// time per document grows with the load.
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(docs), "cpu-ns/doc")
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

// benchRun measures Run: b.N matches of q drawn on jobs goroutines and
// written as NDJSON to io.Discard in order, as emit writes them. Besides
// the wall time it reports the CPU time of the process per document
// (cpu-ns/doc: the same for every jobs when nothing is wasted), the cores
// the run kept busy (cores: cpu time over wall time) and the time the
// ordered merge spent handing documents out (merge-ns/doc), the part that
// stays serial: on an idle machine, jobs 2 is faster than jobs 1 by
// cpu/max(cpu/2, merge). The machine the project runs its benchmarks on
// is shared: compare cpu-ns/doc and cores, not only ns/op.
func benchRun(b *testing.B, q string, minimal bool, jobs int) {
	e := emitter.New(emitter.Options{Seed: 1, End: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Minimal: minimal, Count: b.N})
	if _, err := e.AddQuery(q, query.Guess); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1<<16)
	docs := 0
	var merge time.Duration
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	err := e.Run(context.Background(), emitter.Plan{Count: b.N, Jobs: jobs}, func(ds []emitter.Document, _ int64) error {
		t0 := time.Now()
		for _, d := range ds {
			buf = append(buf, d.Source...)
			buf = append(buf, '\n')
			docs++
			if len(buf) > 1<<15 {
				io.Discard.Write(buf)
				buf = buf[:0]
			}
		}
		merge += time.Since(t0)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(docs)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(docs), "cpu-ns/doc")
	b.ReportMetric(cpu.Seconds()/b.Elapsed().Seconds(), "cores")
	b.ReportMetric(float64(merge.Nanoseconds())/float64(docs), "merge-ns/doc")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkRunWildcardJobs1(b *testing.B) { benchRun(b, `process.name : *.exe`, true, 1) }
func BenchmarkRunWildcardJobs2(b *testing.B) { benchRun(b, `process.name : *.exe`, true, 2) }

func BenchmarkRunTelemetryJobs1(b *testing.B) {
	benchRun(b, `process where process.name : ("cmd.exe", "powershell.exe") and process.args : "-enc*"`, false, 1)
}

func BenchmarkRunTelemetryJobs2(b *testing.B) {
	benchRun(b, `process where process.name : ("cmd.exe", "powershell.exe") and process.args : "-enc*"`, false, 2)
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
// group of 10 documents with 10 different users from one address), of
// a filter rule (one document per match) and of an impossible travel
// (ST_DISTANCE over the places of two STATS, see travelQuery).
func BenchmarkESQLGroups(b *testing.B) {
	b.Run("count_distinct", func(b *testing.B) {
		benchGroups(b, `FROM logs-* | WHERE event.category == "authentication" AND event.outcome == "failure"
		  | STATS users = COUNT_DISTINCT(user.name) BY source.ip | WHERE users >= 10`)
	})
	b.Run("filter", func(b *testing.B) {
		benchGroups(b, `FROM logs-* | WHERE process.name == "powershell.exe" AND process.command_line LIKE "*-enc*"`)
	})
	// Without the rules' upper bound on the regions, whose fresh users a
	// run of Next without chunks runs out of.
	b.Run("impossible_travel", func(b *testing.B) { benchGroups(b, strings.Replace(travelQuery, " AND regions <= 5", "", 1)) })
}
