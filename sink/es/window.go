package es

import (
	"context"
	"sync"
)

// outcome is what a bulk request says about the cluster's load.
type outcome int

const (
	neutral  outcome = iota // says nothing (a 400, the run interrupted)
	accepted                // answered without rejecting anything
	pushback                // a 429 or 503 (whole or per document), a dropped connection, a timeout
)

// window bounds the bulk requests in flight: AIMD, as TCP's congestion
// window. It starts at the number of workers; every request answered
// without pushback widens it by 1/size (one more request per window of
// answers), pushback halves it (never below one). Requests sent before a
// decrease cannot decrease it again: one overload halves it once, not once
// per request that was already on its way.
//
// The indexer's workers wait in acquire, so fewer bulks are sent while
// the cluster pushes back; documents queue behind them, and Add blocks on
// the sink's in-flight bytes as usual.
type window struct {
	mu     sync.Mutex
	max    float64
	size   float64
	active int
	epoch  uint64        // incremented by each decrease
	wake   chan struct{} // closed when a request ends

	decreases int64 // times halved
	least     int   // smallest size reached
}

func newWindow(max int) *window {
	return &window{max: float64(max), size: float64(max), least: max, wake: make(chan struct{})}
}

// acquire waits for room for one more request; the epoch it returns goes
// back to release.
func (w *window) acquire(ctx context.Context) (uint64, error) {
	w.mu.Lock()
	for w.active >= int(w.size) {
		ch := w.wake
		w.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		w.mu.Lock()
	}
	w.active++
	e := w.epoch
	w.mu.Unlock()
	return e, nil
}

// release ends a request and adapts the window to its outcome.
func (w *window) release(epoch uint64, o outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.active--
	switch o {
	case accepted:
		w.size = min(w.max, w.size+1/w.size)
	case pushback:
		if epoch == w.epoch {
			w.size = max(1, w.size/2)
			w.epoch++
			w.decreases++
			w.least = min(w.least, int(w.size))
		}
	}
	close(w.wake)
	w.wake = make(chan struct{})
}

// current is the number of requests allowed in flight now.
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
