package es

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/internal/fakees"
	"github.com/emit-sec/emit/query"
)

// Benchmarks of the sink into the in-process test server over loopback,
// with emit's own documents (process starts with the usual fields of the
// event: about 1.3 kB each). The server only counts (fakees CountOnly), so
// that the figures are the sink's, not the stand-in's; both share the
// machine's cores.
//
//	go test ./sink/es -run '^$' -bench 'SinkLoopback|SinkFlushBytes' -benchtime 3s
//	go test ./sink/es -run '^$' -bench SinkMemory -benchtime 1x
//
// Each reports docs/s, body-B/doc (the bulk body per document) and
// wire-B/doc (what went over the wire: the compressed body with
// compression).

const benchIndex = "emit-bench"

var benchDocs struct {
	once     sync.Once
	bodies   [][]byte
	mappings []byte
	err      error
}

// realDocs returns 4096 documents emit makes for a process rule, and their
// mappings.
func realDocs(b *testing.B) ([][]byte, []byte) {
	b.Helper()
	benchDocs.once.Do(func() {
		e := emitter.New(emitter.Options{Seed: 7, End: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Count: 4096})
		if _, err := e.AddQuery(`event.category : "process" and event.type : "start" and process.name : *.exe`, query.KQL); err != nil {
			benchDocs.err = err
			return
		}
		for len(benchDocs.bodies) < 4096 {
			docs, err := e.Next()
			if err != nil {
				benchDocs.err = err
				return
			}
			for _, d := range docs {
				benchDocs.bodies = append(benchDocs.bodies, append([]byte(nil), d.Source...))
			}
		}
		benchDocs.mappings, benchDocs.err = e.Mappings()
	})
	if benchDocs.err != nil {
		b.Fatal(benchDocs.err)
	}
	return benchDocs.bodies, benchDocs.mappings
}

// TestFakeesProcess is the server of the benchmarks when they start it in
// a process of its own (see serverProcess); otherwise it skips.
func TestFakeesProcess(t *testing.T) {
	if os.Getenv("EMIT_FAKEES_PROCESS") != "1" {
		t.Skip("the server process of the sink benchmarks: runs when they start it")
	}
	srv := fakees.Start(fakees.Options{CountOnly: true, Lifetime: time.Hour})
	defer srv.Close()
	fmt.Println(srv.URL)
	// Serve until the benchmark closes stdin.
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// serverProcess starts a counting fakees in a child process (this test
// binary running TestFakeesProcess), so that the benchmark's CPU figures
// are the sink's alone; stop ends it and returns the CPU it used.
func serverProcess(b *testing.B) (url string, stop func() time.Duration) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFakeesProcess$")
	cmd.Env = append(os.Environ(), "EMIT_FAKEES_PROCESS=1")
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://127.0.0.1:") {
		in.Close()
		_ = cmd.Wait()
		b.Fatalf("server process: %q %v", line, err)
	}
	stopped := false
	stop = func() time.Duration {
		if stopped {
			return 0
		}
		stopped = true
		in.Close()
		go io.Copy(io.Discard, out)
		if err := cmd.Wait(); err != nil {
			b.Errorf("server process: %v", err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		return 0
	}
	b.Cleanup(func() { stop() })
	return strings.TrimSpace(line), stop
}

// benchRun sends n documents through a sink configured by cfg.
func benchRun(b *testing.B, cfg Config, n int) Summary {
	b.Helper()
	bodies, mappings := realDocs(b)
	s := newSink(b, cfg)
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: benchIndex, Mappings: mappings, Create: true}}); err != nil {
		b.Fatal(err)
	}
	id := make([]byte, 0, 32)
	for i := 0; i < n; i++ {
		id = strconv.AppendInt(append(id[:0], "bench-"...), int64(i), 10)
		if err := s.Add(ctx, Doc{Index: benchIndex, ID: string(id), Seq: int64(i), Body: bodies[i%len(bodies)]}); err != nil {
			b.Fatal(err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil || !sum.OK() {
		b.Fatalf("%v %s", err, sum)
	}
	return sum
}

// cpuTime is the CPU time the process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// report reports the figures of a run: documents per second of wall
// time, the CPU per document of the sink and of the server, and bytes per
// document.
func report(b *testing.B, sum Summary, elapsed, sinkCPU, serverCPU time.Duration) {
	b.ReportMetric(float64(sum.Indexed)/elapsed.Seconds(), "docs/s")
	b.ReportMetric(float64(sinkCPU.Nanoseconds())/1e3/float64(sum.Indexed), "sink-cpu-µs/doc")
	b.ReportMetric(float64(serverCPU.Nanoseconds())/1e3/float64(sum.Indexed), "server-cpu-µs/doc")
	b.ReportMetric(float64(sum.BulkBytes)/float64(sum.Indexed), "body-B/doc")
	b.ReportMetric(float64(sum.WireBytes)/float64(sum.Indexed), "wire-B/doc")
}

// measure runs n documents through a sink configured by cfg into a
// server process and reports the figures.
func measure(b *testing.B, cfg Config, n int) Summary {
	url, stop := serverProcess(b)
	cfg.URLs = []string{url}
	start, cpu := time.Now(), cpuTime()
	sum := benchRun(b, cfg, n)
	elapsed, sinkCPU := time.Since(start), cpuTime()-cpu
	report(b, sum, elapsed, sinkCPU, stop())
	return sum
}

// compressions are the settings compared: off, and gzip at its fastest
// and default levels.
var compressions = []struct {
	name  string
	on    bool
	level int
}{{"off", false, 0}, {"gzip1", true, gzip.BestSpeed}, {"gzip6", true, gzip.DefaultCompression}}

// withLevel runs fn with compressLevel set to level.
func withLevel(level int, fn func()) {
	saved := compressLevel
	if level != 0 {
		compressLevel = level
	}
	defer func() { compressLevel = saved }()
	fn()
}

// BenchmarkSinkLoopback: workers and compression at the default flush
// size.
func BenchmarkSinkLoopback(b *testing.B) {
	for _, c := range compressions {
		for _, workers := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("compress=%s/workers=%d", c.name, workers), func(b *testing.B) {
				withLevel(c.level, func() { measure(b, Config{Workers: workers, Compress: c.on}, b.N) })
			})
		}
	}
}

// BenchmarkSinkFlushBytes: the bulk size at the default workers.
func BenchmarkSinkFlushBytes(b *testing.B) {
	for _, c := range compressions[:2] {
		for _, flush := range []int{256 << 10, 1 << 20, 2 << 20, 5 << 20, 10 << 20, 20 << 20} {
			b.Run(fmt.Sprintf("compress=%s/flush=%dKiB", c.name, flush>>10), func(b *testing.B) {
				withLevel(c.level, func() { measure(b, Config{FlushBytes: flush, Compress: c.on}, b.N) })
			})
		}
	}
}

// memorySampler records the peak of the Go heap and of the process's
// resident set while a run goes on.
type memorySampler struct {
	stop              chan struct{}
	done              chan struct{}
	peakHeap, peakRSS uint64
}

func sampleMemory(every time.Duration) *memorySampler {
	m := &memorySampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(m.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			metrics.Read(samples)
			m.peakHeap = max(m.peakHeap, samples[0].Value.Uint64())
			m.peakRSS = max(m.peakRSS, residentBytes())
			select {
			case <-t.C:
			case <-m.stop:
				return
			}
		}
	}()
	return m
}

func (m *memorySampler) finish() { close(m.stop); <-m.done }

// residentBytes is the process's resident set (VmRSS; 0 where /proc
// doesn't tell).
func residentBytes() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:")); ok {
			var kb uint64
			fmt.Sscan(string(v), &kb)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkSinkMemory streams 1 and 10 million documents (1.3 and 13 GB
// of bulk bodies) with the default settings into a server process and
// reports the peaks of the sink's heap and of its process's resident set
// (the benchmark's own 5 MB of documents included): flat, whatever the
// count.
func BenchmarkSinkMemory(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		b.Run(fmt.Sprintf("docs=%dM", n/1_000_000), func(b *testing.B) {
			realDocs(b)
			for i := 0; i < b.N; i++ {
				runtime.GC()
				m := sampleMemory(20 * time.Millisecond)
				sum := measure(b, Config{}, n)
				m.finish()
				b.ReportMetric(float64(m.peakHeap)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(m.peakRSS)/(1<<20), "peak-RSS-MiB")
				b.ReportMetric(float64(sum.MaxInFlightBytes)/(1<<20), "held-MiB")
			}
		})
	}
}
