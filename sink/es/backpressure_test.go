package es

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/fakees"
)

// fastClock runs the sink's retry timing (backoff, retry budget, the
// progress line's "retry in") factor times faster than real time, so that
// tests exercise the default settings — backoff up to 30s, a budget of
// minutes, a cluster rejecting writes for 30s — in seconds.
type fastClock struct {
	start  time.Time
	factor float64
}

func newFastClock(factor float64) fastClock { return fastClock{start: time.Now(), factor: factor} }

func (c fastClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) * c.factor))
}

func (c fastClock) Timer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(c.real(d))
	return t.C, t.Stop
}

// real is the real time a sink duration takes.
func (c fastClock) real(d time.Duration) time.Duration { return time.Duration(float64(d) / c.factor) }

// speedup is how much faster than real time the fault tests run.
const speedup = 40

// defaultConfig is the configuration of a user who gives no tuning flag
// but the bulk size, on a clock speedup times faster: the retry settings
// are the defaults.
func defaultConfig(srv *fakees.Server, clk fastClock) Config {
	return Config{
		URLs:          []string{srv.URL},
		FlushBytes:    32 << 10,
		FlushInterval: clk.real(DefaultFlushInterval),
		clock:         clk,
	}
}

// busyCluster is the fault mix of a cluster under heavy load: per bulk
// request 5% 503, 3% connections closed before the request is read, 5%
// closed after the documents were stored (the answer is lost), and per
// document item429 rejected with 429 inside a 200.
func busyCluster(seed uint64, item429 float64) fakees.Mix {
	return fakees.Mix{Seed: seed, Status503: 0.05, DropBefore: 0.03, CloseAfter: 0.05, Item429: item429}
}

// deliveredOnce checks that every one of the n documents is stored once
// with its own source, nothing else is stored, the summary agrees and its
// counts add up, and the sink held no more than its in-flight bound.
func deliveredOnce(t *testing.T, srv *fakees.Server, index string, sum Summary, n int, cfg Config) {
	t.Helper()
	if sum.Sent != int64(n) || sum.Indexed != int64(n) || sum.Failed != 0 || sum.Unconfirmed != 0 || !sum.OK() {
		t.Fatalf("summary: %s", sum)
	}
	if sum.Indexed+sum.Failed+sum.Unconfirmed != sum.Sent {
		t.Fatalf("counts don't add up: %s", sum)
	}
	ids := srv.IDs(index)
	if len(ids) != n || srv.TotalDocs() != n {
		t.Fatalf("server holds %d documents in %s (%d in all), want %d", len(ids), index, srv.TotalDocs(), n)
	}
	for i := 0; i < n; i++ {
		d := testDoc(index, i)
		src, _, ok := srv.Doc(index, d.ID)
		if !ok || !bytes.Equal(src, d.Body) {
			t.Fatalf("document #%d (%s): stored %q, want %q", i, d.ID, src, d.Body)
		}
	}
	limit := int64((2*DefaultWorkers + 1) * cfg.FlushBytes)
	if sum.MaxInFlightBytes > limit {
		t.Fatalf("held %d bytes at once, limit %d", sum.MaxInFlightBytes, limit)
	}
}

// Under the busy cluster's fault mix, with 5% and with 20% of the
// documents rejected with 429, every document is delivered exactly once
// with the default settings: nothing fails, nothing is unconfirmed.
func TestBusyClusterDefaults(t *testing.T) {
	const n = 10000
	for _, c := range []struct {
		name    string
		item429 float64
		seeds   []uint64
	}{
		{"5% item 429", 0.05, []uint64{1, 2}},
		{"20% item 429", 0.20, []uint64{3}},
	} {
		for _, seed := range c.seeds {
			t.Run(fmt.Sprintf("%s/seed %d", c.name, seed), func(t *testing.T) {
				srv := fakees.NewForTest(t, fakees.Options{})
				srv.FailRandomly(busyCluster(seed, c.item429))
				cfg := defaultConfig(srv, newFastClock(speedup))
				sum := send(t, newSink(t, cfg), n)
				deliveredOnce(t, srv, testIndex, sum, n, cfg)
				if sum.Retried < int64(c.item429*n/2) || sum.Slowdowns == 0 {
					t.Fatalf("the faults didn't happen: %s", sum)
				}
				// The connections closed after storing made the sink
				// resend stored documents: they overwrote themselves.
				if srv.MaxVersion(testIndex) < 2 {
					t.Fatalf("no document was resent after a lost answer (max version %d)", srv.MaxVersion(testIndex))
				}
				t.Logf("%s", sum)
			})
		}
	}
}

// A data stream is written with op_type create: a document resent after a
// lost answer gets a 409 that confirms it, so each is written exactly once.
func TestBusyClusterDataStream(t *testing.T) {
	const n = 10000
	srv := fakees.NewForTest(t, fakees.Options{})
	if err := srv.PutIndexTemplate("logs", []byte(dsTemplate)); err != nil {
		t.Fatal(err)
	}
	srv.FailRandomly(busyCluster(5, 0.05))
	cfg := defaultConfig(srv, newFastClock(speedup))
	s := newSink(t, cfg)
	const idx = "logs-busy-default"
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: idx, Mappings: []byte(testMappings)}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := s.Add(ctx, testDoc(idx, i)); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deliveredOnce(t, srv, idx, sum, n, cfg)
	if v := srv.MaxVersion(idx); v != 1 || sum.Recovered == 0 {
		t.Fatalf("max version %d (want every document written once), %d recovered by a 409", v, sum.Recovered)
	}
}

// The cluster rejects every request with 429 for 30 seconds: the sink
// waits it out with the default settings, says so on the progress line,
// slows down to one bulk at a time, holds no more documents than usual,
// and delivers everything once.
func TestOverloadWindow(t *testing.T) {
	const n = 6000
	clk := newFastClock(speedup)
	srv := fakees.NewForTest(t, fakees.Options{})
	srv.FailRandomly(fakees.Mix{OverloadAfter: 5, OverloadFor: clk.real(30 * time.Second)})
	cfg := defaultConfig(srv, clk)
	var out syncBuffer
	cfg.Progress, cfg.ProgressInterval = &out, 20*time.Millisecond
	start := time.Now()
	sum := send(t, newSink(t, cfg), n)
	deliveredOnce(t, srv, testIndex, sum, n, cfg)
	if srv.MaxVersion(testIndex) != 1 {
		t.Fatal("a rejected write was applied")
	}
	if took := clk.Now().Sub(clk.start); took < 30*time.Second {
		t.Fatalf("done in %s of sink time, before the window ended", took)
	}
	if sum.Slowdowns == 0 || sum.MinConcurrency != 1 {
		t.Fatalf("the sink didn't slow down: %s", sum)
	}
	text := out.String()
	if !strings.Contains(text, "; waiting: cluster rejecting writes (429), retry in ") {
		t.Fatalf("the progress never said it waits:\n%s", text)
	}
	if !strings.Contains(sum.String(), "the cluster pushed back: sending slowed down") {
		t.Fatalf("summary %s", sum)
	}
	t.Logf("%s (%s real time)", sum, time.Since(start).Round(time.Millisecond))
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Documents whose answer is lost every time (the connection closes after
// storing them) and that run out of retries are unconfirmed, with their
// positions: not failed. The counts add up, and they are indeed stored.
func TestUnconfirmedWhenRetriesRunOut(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	srv.FailBulks(func(int64) fakees.Fault { return fakees.Fault{Close: true} })
	cfg := fastConfig(srv)
	cfg.MaxRetries = 2
	sum := send(t, newSink(t, cfg), 300)
	if sum.Sent != 300 || sum.Indexed != 0 || sum.Failed != 0 || sum.Unconfirmed != 300 || sum.OK() {
		t.Fatalf("summary %s", sum)
	}
	if len(sum.UnconfirmedReasons) != 1 {
		t.Fatalf("reasons %+v", sum.UnconfirmedReasons)
	}
	g := sum.UnconfirmedReasons[0]
	if g.Reason != "bulk request failed: connection error (retries exhausted)" || g.Count != 300 || len(g.Seqs) != maxSeqs ||
		!strings.Contains(g.Example, "gave up after 3 attempts, see --max-retries") {
		t.Fatalf("group %+v", g)
	}
	for _, seq := range g.Seqs {
		if _, _, ok := srv.Doc(testIndex, testDoc(testIndex, int(seq)).ID); !ok {
			t.Fatalf("document #%d reported unconfirmed: it was stored", seq)
		}
	}
	text := sum.String()
	if !strings.Contains(text, "0 failed, 300 unconfirmed in") ||
		!strings.Contains(text, "300 unconfirmed (may have been written): bulk request failed: connection error (retries exhausted) (documents #") {
		t.Fatalf("summary text:\n%s", text)
	}
	if pi := sum.PerIndex[testIndex]; pi.Unconfirmed != 300 {
		t.Fatalf("per index %+v", pi)
	}
}

// A document whose answer was lost and that is then rejected with 429
// until its retries run out is unconfirmed; one rejected with 429 every
// time is failed: nothing says it was written.
func TestUnconfirmedOnlyWhenMaybeWritten(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	srv.FailBulk(1, fakees.Fault{Close: true})
	srv.FailBulks(func(int64) fakees.Fault { return fakees.Fault{Status: 429} })
	cfg := fastConfig(srv)
	cfg.Workers, cfg.MaxRetries = 1, 3
	s := newSink(t, cfg)
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}}); err != nil {
		t.Fatal(err)
	}
	// The first bulk is sent alone, before the others are added.
	if err := s.Add(ctx, testDoc(testIndex, 0)); err != nil {
		t.Fatal(err)
	}
	for srv.BulkRequests() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	for i := 1; i < 50; i++ {
		if err := s.Add(ctx, testDoc(testIndex, i)); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := s.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unconfirmed != 1 || sum.Failed != 49 || sum.Indexed != 0 || sum.UnconfirmedReasons[0].Seqs[0] != 0 {
		t.Fatalf("summary %s", sum)
	}
	if !strings.Contains(sum.UnconfirmedReasons[0].Reason, "429") {
		t.Fatalf("the last failure is the reason: %+v", sum.UnconfirmedReasons)
	}
}

// The retry budget ends the retrying of a document however many retries
// are left; when the cluster accepted nothing during a whole budget, the
// sink stops taking documents.
func TestRetryBudgetSpent(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{})
	srv.FailBulks(func(int64) fakees.Fault { return fakees.Fault{Status: 503} })
	clk := newFastClock(speedup)
	cfg := defaultConfig(srv, clk)
	cfg.RetryTimeout = 40 * time.Second // 1s real
	cfg.FlushBytes = 2 << 10
	s := newSink(t, cfg)
	ctx := context.Background()
	if _, err := s.Prepare(ctx, []Target{{Index: testIndex, Mappings: []byte(testMappings), Create: true}}); err != nil {
		t.Fatal(err)
	}
	var addErr error
	taken := 0
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; addErr == nil && time.Now().Before(deadline); i++ {
		if addErr = s.Add(ctx, testDoc(testIndex, i)); addErr == nil {
			taken++
		}
	}
	if addErr == nil || !strings.Contains(addErr.Error(), "Elasticsearch accepted no document for 40s (--retry-timeout): giving up") ||
		!strings.Contains(addErr.Error(), "503") {
		t.Fatalf("Add: %v", addErr)
	}
	sum, err := s.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent != int64(taken) || sum.Failed != sum.Sent || sum.Indexed != 0 || sum.Unconfirmed != 0 {
		t.Fatalf("taken %d, summary %s", taken, sum)
	}
	g := sum.FailureReasons[0]
	if !strings.HasPrefix(g.Reason, "bulk request failed: 503 Service Unavailable") || !strings.HasSuffix(g.Reason, "(retries exhausted)") ||
		!strings.Contains(g.Example, "s, see --retry-timeout)") {
		t.Fatalf("group %+v", g)
	}
}

// manualClock is a fake clock that moves only when told to. Its timers
// never fire: whoever would wait on one waits for its context.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *manualClock) Timer(time.Duration) (<-chan time.Time, func() bool) {
	return nil, func() bool { return false }
}

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// nextAttempt on a fake clock: a rejected document comes back after the
// first wait (0.5s with jitter) whatever its attempts; the budget ends the
// retrying, with a resend at its very end at the latest; MaxRetries bounds
// the count.
func TestNextAttempt(t *testing.T) {
	st, err := Config{URLs: []string{"http://localhost:9200"}}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if st.RetryTimeout != DefaultRetryTimeout || st.retries != math.MaxInt {
		t.Fatalf("defaults: %s, %d retries", st.RetryTimeout, st.retries)
	}
	longest := func(n int64) int64 { return n - 1 }
	shortest := func(int64) int64 { return 0 }
	for attempts := 1; attempts < 30; attempts++ {
		now := t0.Add(time.Duration(attempts) * time.Second)
		due, why := st.nextAttempt(attempts, t0, now, longest)
		if why != retryAgain || due.Sub(now) != DefaultRetryBackoff {
			t.Fatalf("attempt %d: wait %s, %v", attempts, due.Sub(now), why)
		}
		if due, _ := st.nextAttempt(attempts, t0, now, shortest); due.Sub(now) != DefaultRetryBackoff/2 {
			t.Fatalf("attempt %d: shortest wait %s", attempts, due.Sub(now))
		}
	}
	end := t0.Add(DefaultRetryTimeout)
	if due, why := st.nextAttempt(40, t0, end.Add(-100*time.Millisecond), longest); why != retryAgain || !due.Equal(end) {
		t.Fatalf("near the end: due %s, %v", due.Sub(t0), why)
	}
	if _, why := st.nextAttempt(41, t0, end, longest); why != budgetSpent {
		t.Fatalf("at the end: %v", why)
	}
	// A count: MaxRetries 3 allows attempts 2, 3 and 4.
	st.retries = 3
	for a, want := range map[int]exhaustion{1: retryAgain, 3: retryAgain, 4: retriesUsed} {
		if _, why := st.nextAttempt(a, t0, t0.Add(time.Second), shortest); why != want {
			t.Errorf("attempt %d: %v, want %v", a, why, want)
		}
	}
}

// The window's pause on a fake clock: while every request is rejected
// (a cluster answering 429 for 30 seconds), the requests are held back
// 0.5s, 1s, 2s, ... up to 30s, with jitter: the cluster is probed a few
// times, not hammered, and the first request after the window gets
// through within 60 seconds of the start; then nothing is held back.
func TestWindowPause(t *testing.T) {
	st, err := Config{URLs: []string{"http://localhost:9200"}}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	for name, rnd := range map[string]func(int64) int64{
		"shortest": func(int64) int64 { return 0 },
		"longest":  func(n int64) int64 { return n - 1 },
	} {
		clk := &manualClock{now: t0}
		w := newWindow(2, clk, func(step int) time.Duration { return st.backoff(step, rnd) })
		var pauses []time.Duration
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			e, err := w.acquire(ctx)
			cancel()
			if err != nil {
				t.Fatalf("%s: a request was held back at %s although the pause was over", name, clk.Now().Sub(t0))
			}
			if clk.Now().Sub(t0) >= 30*time.Second {
				w.release(e, accepted)
				break
			}
			w.release(e, pushback)
			p := w.paused()
			pauses = append(pauses, p)
			// Nothing starts during the pause.
			ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
			if _, err := w.acquire(ctx); err == nil {
				t.Fatalf("%s: a request started during the pause", name)
			}
			cancel()
			clk.set(clk.Now().Add(p))
		}
		if through := clk.Now().Sub(t0); through > 60*time.Second {
			t.Errorf("%s: through at %s, want within 60s", name, through)
		}
		if len(pauses) < 6 || len(pauses) > 12 {
			t.Errorf("%s: %d requests during the 30s: %v", name, len(pauses), pauses)
		}
		for i, p := range pauses {
			full := min(DefaultRetryBackoff<<i, DefaultRetryBackoffMax)
			if p < full/2 || p > full {
				t.Errorf("%s: pause %d is %s, want between %s and %s", name, i+1, p, full/2, full)
			}
		}
		if w.paused() != 0 || w.current() != 2 {
			t.Fatalf("%s: after the window: paused %s, window %d", name, w.paused(), w.current())
		}
	}
}

// The window of bulks in flight: halved by pushback once per round trip,
// widened by successes, never below one nor above the workers.
func TestWindowAIMD(t *testing.T) {
	clk := &manualClock{now: t0}
	w := newWindow(4, clk, func(int) time.Duration { return time.Second })
	ctx := context.Background()
	var epochs []uint64
	for i := 0; i < 4; i++ {
		e, err := w.acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		epochs = append(epochs, e)
	}
	// A fifth request waits for room.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	if _, err := w.acquire(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a fifth request got room: %v", err)
	}
	cancel()
	// The four were sent together: their partial rejections halve the
	// window once, and hold nothing back.
	for _, e := range epochs {
		w.release(e, partial)
	}
	if w.current() != 2 || w.paused() != 0 {
		t.Fatalf("after one overload: window %d, paused %s", w.current(), w.paused())
	}
	// Requests sent after the decrease decrease it again, down to one.
	for i := 0; i < 2; i++ {
		e, _ := w.acquire(ctx)
		w.release(e, partial)
		if w.current() != 1 {
			t.Fatalf("window %d, want 1", w.current())
		}
	}
	if d, least := w.stats(); d != 2 || least != 1 {
		t.Fatalf("stats %d decreases, least %d", d, least)
	}
	// Successes widen it by about one per window of answers.
	answers := 0
	for w.current() < 4 {
		e, _ := w.acquire(ctx)
		w.release(e, accepted)
		answers++
	}
	if answers < 4 || answers > 12 {
		t.Fatalf("back to 4 after %d answers", answers)
	}
	for i := 0; i < 50; i++ {
		e, _ := w.acquire(ctx)
		w.release(e, accepted)
	}
	if w.current() != 4 {
		t.Fatalf("window %d above the workers", w.current())
	}
	// A neutral outcome changes nothing.
	e, _ := w.acquire(ctx)
	w.release(e, neutral)
	if w.current() != 4 || w.paused() != 0 {
		t.Fatalf("window %d", w.current())
	}
	// A request that gets nothing through pauses the others; one that
	// gets documents through, even with some rejected, ends the pause.
	e, _ = w.acquire(ctx)
	w.release(e, pushback)
	if w.paused() != time.Second {
		t.Fatalf("paused %s", w.paused())
	}
	clk.set(clk.Now().Add(time.Second))
	e, _ = w.acquire(ctx)
	w.release(e, partial)
	if w.paused() != 0 {
		t.Fatalf("paused %s after a partial answer", w.paused())
	}
}

func TestRetryIn(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Millisecond:                 "retry in 100ms",
		1440 * time.Millisecond:               "retry in 1.4s",
		8*time.Second + 300*time.Millisecond:  "retry in 8.3s",
		12*time.Second + 600*time.Millisecond: "retry in 13s",
	} {
		if got := retryIn(d); got != want {
			t.Errorf("%s: %q, want %q", d, got, want)
		}
	}
}
