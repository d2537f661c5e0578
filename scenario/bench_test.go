package scenario_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/scenario"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/telemetry"
)

// BenchmarkEntraSignins10kUsers30Days runs entra-signins for 10,000 users
// over 30 days (about 270,000 documents) and reports documents per second
// and the peak of the Go heap, sampled every 10,000 documents: the run
// holds per user only its next event, never the dataset.
func BenchmarkEntraSignins10kUsers30Days(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sc, err := scenario.LoadBuiltin("entra-signins")
		if err != nil {
			b.Fatal(err)
		}
		sc.Entities[0].Count = 10000
		start := testEnd.Add(-30 * 24 * time.Hour)
		pop := sc.Population(telemetry.Default(), 1)
		e := emitter.New(emitter.Options{Seed: 1, End: testEnd, Start: start, Schema: sc.Schema(schema.Default()), Population: pop})
		r, err := scenario.New(sc, e, scenario.Config{Seed: 1, Start: start, End: testEnd})
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		var bytes int64
		var peak uint64
		var ms runtime.MemStats
		t0 := time.Now()
		err = r.Run(func(d emitter.Document) error {
			n++
			bytes += int64(len(d.Source))
			if n%10000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(t0)
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		b.ReportMetric(float64(n), "docs")
		b.ReportMetric(float64(n)/el.Seconds(), "docs/s")
		b.ReportMetric(float64(bytes)/el.Seconds()/1e6, "MB/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
}
