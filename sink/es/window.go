package es

import (
	"context"
	"sync"
	"time"
)

// outcome is what a bulk request says about the cluster's load.
type outcome int

const (
	neutral  outcome = iota // says nothing (a 400, the run interrupted)
	accepted                // answered without rejecting anything
	partial                 // some documents indexed, some rejected with 429 or 503
	pushback                // nothing indexed: a 429 or 503 (whole or for every document), a dropped connection, a timeout
)

// window paces the bulk requests to the cluster's load. The indexer's
// workers wait in acquire before each request, so documents queue behind
// them and Add blocks on the sink's in-flight bytes as usual.
//
// It bounds the requests in flight with AIMD, as TCP's congestion window:
// it starts at the number of workers; every request answered without
// pushback widens it by 1/size (one more request per window of answers),
// pushback (whole or partial) halves it, never below one. Requests sent
// before a decrease cannot decrease it again: one overload halves it once,
// not once per request that was already on its way.
//
// And it backs off as a whole while the cluster gets nothing through (a
// 429 for every request during a merge storm, an outage): after the n-th
// such request in a row no request starts for backoff(n) — the first wait
// doubling up to the longest, with jitter — so the cluster is probed by one
// request at growing intervals instead of hammered; the first request that
// gets documents through reopens it.
type window struct {
	clock   clock
	backoff func(step int) time.Duration

	mu      sync.Mutex
	max     float64
	size    float64
	active  int
	epoch   uint64        // incremented by each decrease
	wake    chan struct{} // closed when a request ends
	stalls  int           // requests in a row that got nothing through
	resume  time.Time     // no request starts before (zero: none)
	nopause bool          // the sink gave up: send what is left at once

	decreases int64 // times it shrank
	least     int   // smallest size reached
}

func newWindow(max int, clk clock, backoff func(step int) time.Duration) *window {
	return &window{clock: clk, backoff: backoff, max: float64(max), size: float64(max), least: max, wake: make(chan struct{})}
}

// acquire waits until a request may start; the epoch it returns goes back
// to release.
func (w *window) acquire(ctx context.Context) (uint64, error) {
	w.mu.Lock()
	for {
		var pause time.Duration
		if !w.resume.IsZero() {
			pause = w.resume.Sub(w.clock.Now())
		}
		if pause <= 0 && w.active < int(w.size) {
			break
		}
		ch := w.wake
		w.mu.Unlock()
		var timer <-chan time.Time
		stop := func() bool { return false }
		if pause > 0 {
			timer, stop = w.clock.Timer(pause)
		}
		select {
		case <-ch:
		case <-timer:
		case <-ctx.Done():
			stop()
			return 0, ctx.Err()
		}
		stop()
		w.mu.Lock()
	}
	w.active++
	e := w.epoch
	w.mu.Unlock()
	return e, nil
}

// release ends a request and adapts to its outcome.
func (w *window) release(epoch uint64, o outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.active--
	switch o {
	case accepted, partial:
		w.stalls = 0
		w.resume = time.Time{}
	case pushback:
		w.stalls++
		if !w.nopause {
			w.resume = w.clock.Now().Add(w.backoff(w.stalls))
		}
	}
	switch o {
	case accepted:
		w.size = min(w.max, w.size+1/w.size)
	case partial, pushback:
		if epoch == w.epoch {
			if w.size > 1 {
				w.decreases++
			}
			w.size = max(1, w.size/2)
			w.epoch++
			w.least = min(w.least, int(w.size))
		}
	}
	close(w.wake)
	w.wake = make(chan struct{})
}

// stopPausing ends the pauses for good: the sink gave up on the cluster
// and sends what is left once, without waiting.
func (w *window) stopPausing() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.nopause = true
	w.resume = time.Time{}
	close(w.wake)
	w.wake = make(chan struct{})
}

// paused is how long until requests may start again (0: they may).
func (w *window) paused() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.resume.IsZero() {
		return 0
	}
	return max(0, w.resume.Sub(w.clock.Now()))
}

// current is the number of requests allowed in flight at once now.
func (w *window) current() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return int(w.size)
}

// stats are the decreases and the smallest size reached.
func (w *window) stats() (decreases int64, least int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.decreases, w.least
}
