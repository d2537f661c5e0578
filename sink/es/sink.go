package es

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esutil"
)

// Doc is one document to index.
type Doc struct {
	// Index is the target index or data stream.
	Index string
	// ID is the document's _id. Give deterministic ids (derived from the
	// run's seed and the position) so that a retried request cannot
	// create duplicates; empty: Elasticsearch assigns one.
	ID string
	// Seq is the document's position in the run, reported with failures.
	Seq int64
	// Body is the JSON source. The sink keeps it until the document is
	// confirmed: don't modify it after Add.
	Body []byte
}

// Sink writes documents to Elasticsearch. Create it with New; call
// Prepare, then Add for every document, then Close.
type Sink struct {
	cfg      *settings
	admin    *elasticsearch.Client
	bulkc    *elasticsearch.Client
	bi       esutil.BulkIndexer
	win      *window
	clock    clock
	cluster  Cluster
	warnings []string
	start    time.Time
	bytes    byteCounts

	abortCtx context.Context
	abort    context.CancelCauseFunc

	opsMu      sync.RWMutex
	ops        map[string]string // index -> op type
	classifyMu sync.Mutex
	templates  *templateSet

	addMu  sync.RWMutex // Add holds it shared; Close exclusively to close
	closed bool

	mu          sync.Mutex
	changed     chan struct{} // closed on a state change when changedUsed
	changedUsed bool
	aborted     error
	inflight    int64
	inflightB   int64
	maxInflight int64
	maxInflB    int64
	retryQ      retryHeap
	retryBusy   int
	retryStop   bool
	counts      counts
	lastOK      time.Time // last document confirmed (sink clock)
	pushReason  string    // the last retryable failure, for the progress line
	gaveUp      error     // set when the cluster accepted nothing for a whole retry budget

	retryWake chan struct{}
	retryDone chan struct{}
	progress  *progress
}

// counts are the running totals of a Sink.
type counts struct {
	sent, indexed, failed, unconfirmed, retried, recovered, possibleDup int64
	groups, unconfirmedGroups                                           map[string]*FailureGroup
	perIndex                                                            map[string]*IndexCounts
}

// pending is a document held by the sink until it is confirmed or failed.
type pending struct {
	doc          Doc
	op           string
	size         int64
	attempts     int
	maybeApplied bool // an earlier attempt may have written it
	dupCounted   bool
	firstFail    time.Time // when the first attempt failed: the retry budget starts
	due          time.Time
}

type retryHeap []*pending

func (h retryHeap) Len() int           { return len(h) }
func (h retryHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h retryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *retryHeap) Push(x any)        { *h = append(*h, x.(*pending)) }
func (h *retryHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return p
}

func randInt63n(n int64) int64 { return rand.Int64N(n) }

// New connects to Elasticsearch: it checks the root endpoint (that the
// server is Elasticsearch and accepts the credentials) and starts the bulk
// indexer. Errors say what to fix and never contain a secret.
func New(cfg Config) (*Sink, error) {
	st, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	tr, warnings, err := st.httpTransport()
	if err != nil {
		return nil, err
	}
	admin, bulkc, err := st.newClients(tr)
	if err != nil {
		return nil, err
	}
	s := &Sink{
		cfg:       st,
		admin:     admin,
		bulkc:     bulkc,
		win:       newWindow(st.Workers, st.clock, func(step int) time.Duration { return st.backoff(step, randInt63n) }),
		clock:     st.clock,
		warnings:  warnings,
		ops:       map[string]string{},
		changed:   make(chan struct{}),
		retryWake: make(chan struct{}, 1),
		retryDone: make(chan struct{}),
		counts: counts{groups: map[string]*FailureGroup{}, unconfirmedGroups: map[string]*FailureGroup{},
			perIndex: map[string]*IndexCounts{}},
	}
	s.abortCtx, s.abort = context.WithCancelCause(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), st.Timeout)
	defer cancel()
	fail := func(err error) (*Sink, error) {
		s.abort(err)
		admin.Close(context.Background())
		bulkc.Close(context.Background())
		return nil, err
	}
	if err := s.checkRoot(ctx); err != nil {
		return fail(err)
	}
	s.bi, err = esutil.NewBulkIndexer(esutil.BulkIndexerConfig{
		NumWorkers:    st.Workers,
		FlushBytes:    st.FlushBytes,
		FlushInterval: st.FlushInterval,
		Client:        bulkTransport{c: bulkc, win: s.win, timeout: st.Timeout, bytes: &s.bytes, compress: st.Compress},
		Decoder:       bulkDecoder{},
		FilterPath:    []string{"errors", "items.*._index", "items.*.status", "items.*.error"},
		// Every request ends with the run (the transport adds its timeout).
		OnFlushStart: func(context.Context) context.Context { return s.abortCtx },
	})
	if err != nil {
		return fail(st.errorf(err, "cannot start the bulk indexer: %v", err))
	}
	s.start = time.Now()
	s.lastOK = s.clock.Now()
	go s.retryLoop()
	s.progress = startProgress(s)
	return s, nil
}

// Cluster describes the cluster the sink is connected to.
func (s *Sink) Cluster() Cluster { return s.cluster }

// Warnings are things the user should know about the connection (e.g.
// --insecure), for stderr.
func (s *Sink) Warnings() []string { return append([]string(nil), s.warnings...) }

// Add sends a document. It blocks while the sink holds
// Config.MaxInFlightBytes of unconfirmed documents (back-pressure), and
// returns an error only when the document is not taken (ctx done, the sink
// closed, a document without index or with a body that isn't JSON, or the
// cluster accepted nothing for a whole retry budget). A document that is
// taken is counted in the Summary as indexed, failed or unconfirmed.
//
// Add is safe for concurrent use. Calls must return before Close is
// called (Close waits for them); Add after Close returns an error.
func (s *Sink) Add(ctx context.Context, d Doc) error {
	s.addMu.RLock()
	defer s.addMu.RUnlock()
	if s.closed {
		return s.cfg.errorf(nil, "elasticsearch sink: Add after Close")
	}
	if d.Index == "" {
		return s.cfg.errorf(nil, "document #%d has no index", d.Seq)
	}
	if bytes.IndexByte(d.Body, '\n') >= 0 {
		// A bulk source must be a single line (Elasticsearch splits the
		// body at '\n' only: a '\r' is whitespace to its JSON parser).
		var b bytes.Buffer
		if err := json.Compact(&b, d.Body); err != nil {
			return s.cfg.errorf(err, "document #%d is not valid JSON: %v", d.Seq, err)
		}
		d.Body = b.Bytes()
	}
	if len(d.Body) == 0 {
		return s.cfg.errorf(nil, "document #%d is empty", d.Seq)
	}
	op, err := s.opFor(ctx, d.Index)
	if err != nil {
		return err
	}
	p := &pending{doc: d, op: op, attempts: 1,
		size: int64(len(d.Body) + len(d.ID) + len(d.Index) + 48)}
	if err := s.acquire(ctx, p); err != nil {
		return err
	}
	if err := s.bi.Add(ctx, s.item(p)); err != nil {
		s.mu.Lock()
		s.counts.sent--
		s.releaseLocked(p)
		s.mu.Unlock()
		return s.cfg.errorf(err, "document #%d not sent: %v", d.Seq, err)
	}
	return nil
}

// acquire reserves room for p in the in-flight budget and counts it sent.
func (s *Sink) acquire(ctx context.Context, p *pending) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.gaveUp != nil {
			return s.gaveUp
		}
		if s.inflight == 0 || s.inflightB+p.size <= int64(s.cfg.MaxInFlightBytes) {
			break
		}
		ch := s.waitLocked()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			s.mu.Lock()
			return s.cfg.errorf(ctx.Err(), "document #%d not sent: %v", p.doc.Seq, ctx.Err())
		}
		s.mu.Lock()
	}
	s.inflight++
	s.inflightB += p.size
	s.maxInflight = max(s.maxInflight, s.inflight)
	s.maxInflB = max(s.maxInflB, s.inflightB)
	s.counts.sent++
	return nil
}

// waitLocked returns a channel closed at the next state change.
func (s *Sink) waitLocked() <-chan struct{} {
	s.changedUsed = true
	return s.changed
}

// notifyLocked wakes the waiters of waitLocked.
func (s *Sink) notifyLocked() {
	if s.changedUsed {
		close(s.changed)
		s.changed = make(chan struct{})
		s.changedUsed = false
	}
}

func (s *Sink) releaseLocked(p *pending) {
	s.inflight--
	s.inflightB -= p.size
	p.doc.Body = nil
	s.notifyLocked()
}

func (s *Sink) item(p *pending) esutil.BulkIndexerItem {
	return esutil.BulkIndexerItem{
		Index:      p.doc.Index,
		Action:     p.op,
		DocumentID: p.doc.ID,
		Body:       bytes.NewReader(p.doc.Body),
		OnSuccess: func(context.Context, esutil.BulkIndexerItem, esutil.BulkIndexerResponseItem) {
			s.mu.Lock()
			s.indexedLocked(p)
			s.mu.Unlock()
		},
		OnFailure: func(_ context.Context, _ esutil.BulkIndexerItem, res esutil.BulkIndexerResponseItem, err error) {
			s.attemptFailed(p, res, err)
		},
	}
}

func (s *Sink) indexCounts(index string) *IndexCounts {
	c := s.counts.perIndex[index]
	if c == nil {
		c = &IndexCounts{}
		s.counts.perIndex[index] = c
	}
	return c
}

func (s *Sink) indexedLocked(p *pending) {
	s.counts.indexed++
	s.indexCounts(p.doc.Index).Indexed++
	s.lastOK = s.clock.Now()
	s.releaseLocked(p)
}

// maxSeqs is how many document positions a failure group keeps.
const maxSeqs = 10

// failLocked counts a document that was not indexed.
func (s *Sink) failLocked(p *pending, key, reason string) {
	s.counts.failed++
	s.indexCounts(p.doc.Index).Failed++
	s.groupLocked(s.counts.groups, p, key, reason)
}

// unconfirmLocked counts a document that an attempt may have written but
// that Elasticsearch never confirmed.
func (s *Sink) unconfirmLocked(p *pending, key, reason string) {
	s.counts.unconfirmed++
	s.indexCounts(p.doc.Index).Unconfirmed++
	s.groupLocked(s.counts.unconfirmedGroups, p, key, reason)
}

func (s *Sink) groupLocked(groups map[string]*FailureGroup, p *pending, key, reason string) {
	key, reason = s.cfg.secrets.clean(key), s.cfg.secrets.clean(reason)
	g := groups[key]
	if g == nil {
		g = &FailureGroup{Reason: key, Example: reason}
		groups[key] = g
	}
	g.Count++
	if len(g.Seqs) < maxSeqs {
		g.Seqs = append(g.Seqs, p.doc.Seq)
	}
	s.releaseLocked(p)
}

// interruptedLocked resolves a document the run ended before confirming.
func (s *Sink) interruptedLocked(p *pending, detail string) {
	if p.maybeApplied {
		s.unconfirmLocked(p, "the run was interrupted", "the run was interrupted"+detail+" before Elasticsearch confirmed the document")
		return
	}
	s.failLocked(p, "not sent: the run was interrupted", "not sent: the run was interrupted"+detail)
}

// attemptFailed handles a failed attempt: retry, recover, fail or leave
// unconfirmed.
func (s *Sink) attemptFailed(p *pending, res esutil.BulkIndexerResponseItem, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	var f failure
	if err != nil {
		f = requestFailure(err)
	} else {
		if res.Status == http.StatusConflict && p.op == "create" && p.maybeApplied && p.doc.ID != "" {
			// An earlier attempt wrote it before failing: the id is ours.
			s.counts.recovered++
			s.indexedLocked(p)
			return
		}
		f = itemFailure(res)
		if res.Status == http.StatusConflict && p.op == "create" {
			f.key += " (ids from an earlier run with the same seed? change --seed, or use --no-ids)"
		}
	}
	if f.maybeApplied {
		p.maybeApplied = true
	}
	if s.aborted != nil {
		s.interruptedLocked(p, " ("+s.aborted.Error()+")")
		return
	}
	if f.retry {
		if p.firstFail.IsZero() {
			p.firstFail = now
		}
		if f.wait != "" {
			s.pushReason = f.wait
		}
		// The document comes back after the first wait; while the
		// cluster gets nothing through, the window holds every request
		// back for longer and longer (see window).
		due, why := s.cfg.nextAttempt(p.attempts, p.firstFail, now, randInt63n)
		if s.gaveUp != nil {
			why = runGaveUp
		}
		if why == retryAgain {
			p.attempts++
			p.due = due
			s.counts.retried++
			if p.doc.ID == "" && p.maybeApplied && !p.dupCounted {
				p.dupCounted = true
				s.counts.possibleDup++
			}
			heap.Push(&s.retryQ, p)
			select {
			case s.retryWake <- struct{}{}:
			default:
			}
			s.notifyLocked()
			return
		}
		f.key += " (retries exhausted)"
		switch why {
		case budgetSpent:
			if s.gaveUp == nil && s.lastOK.Before(p.firstFail) {
				// Nothing got through during the whole budget: stop
				// taking documents rather than fail them one budget after
				// the other, and send what is left once more without
				// waiting (see window.stopPausing).
				s.gaveUp = s.cfg.errorf(nil, "Elasticsearch accepted no document for %s (--retry-timeout): giving up; last answer: %s", s.cfg.RetryTimeout, f.reason)
				s.win.stopPausing()
			}
			f.reason += fmt.Sprintf(" (gave up after %d attempts in %s, see --retry-timeout)", p.attempts, roundDuration(now.Sub(p.firstFail)))
		case runGaveUp:
			f.reason += fmt.Sprintf(" (gave up after %d attempts: Elasticsearch accepted no document for --retry-timeout)", p.attempts)
		default:
			f.reason += fmt.Sprintf(" (gave up after %d attempts, see --max-retries)", p.attempts)
		}
	}
	if p.maybeApplied && (err != nil || f.retry) {
		// An attempt may have written it; no answer said it didn't.
		s.unconfirmLocked(p, f.key, f.reason)
		return
	}
	s.failLocked(p, f.key, f.reason)
}

// roundDuration rounds d for people: 1m30s, 12s, 1.5s, 340ms.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

// retryLoop re-adds documents whose backoff has elapsed.
func (s *Sink) retryLoop() {
	defer close(s.retryDone)
	for {
		s.mu.Lock()
		now := s.clock.Now()
		var due []*pending
		for len(s.retryQ) > 0 && (s.aborted != nil || !s.retryQ[0].due.After(now)) {
			due = append(due, heap.Pop(&s.retryQ).(*pending))
		}
		var wait time.Duration
		if len(due) == 0 && len(s.retryQ) > 0 {
			wait = s.retryQ[0].due.Sub(now)
		}
		if len(due) == 0 && len(s.retryQ) == 0 && s.retryStop {
			s.mu.Unlock()
			return
		}
		s.retryBusy += len(due)
		s.mu.Unlock()

		for _, p := range due {
			var err error
			if s.abortCtx.Err() == nil {
				err = s.bi.Add(s.abortCtx, s.item(p))
			} else {
				err = context.Cause(s.abortCtx)
			}
			s.mu.Lock()
			if err != nil {
				s.interruptedLocked(p, " before the document could be resent")
			}
			s.retryBusy--
			s.notifyLocked()
			s.mu.Unlock()
		}
		if len(due) > 0 {
			continue
		}
		var timer <-chan time.Time
		stop := func() bool { return false }
		if wait > 0 {
			timer, stop = s.clock.Timer(wait)
		}
		select {
		case <-s.retryWake:
		case <-timer:
		case <-s.abortCtx.Done():
		}
		stop()
	}
}

// Close sends what is left, waits until every document is confirmed,
// failed or out of retries, and returns the summary. When ctx ends first,
// the documents not yet confirmed are counted unconfirmed (when an attempt
// may have written them) or failed, and the error says so; the summary is
// complete either way: Sent == Indexed + Failed + Unconfirmed.
func (s *Sink) Close(ctx context.Context) (Summary, error) {
	s.addMu.Lock()
	if s.closed {
		s.addMu.Unlock()
		return s.summary(), s.cfg.errorf(nil, "elasticsearch sink: closed twice")
	}
	s.closed = true
	s.addMu.Unlock()

	stop := context.AfterFunc(ctx, func() { s.abortWith(context.Cause(ctx)) })
	defer stop()
	// Flush until every document is resolved. Each round waits for the
	// documents due for a retry to be re-added, then flushes the indexer
	// (whose callbacks may queue new retries). The guard stops a round
	// robin that makes no progress, which a well-behaved indexer never does.
	stale := 0
	for ctx.Err() == nil && stale < 3 {
		if err := s.waitRetriesIdle(ctx); err != nil {
			break
		}
		s.mu.Lock()
		before := s.counts.indexed + s.counts.failed + s.counts.unconfirmed + s.counts.retried
		s.mu.Unlock()
		if err := s.bi.Flush(ctx); err != nil {
			break
		}
		s.mu.Lock()
		done := s.inflight == 0
		if s.counts.indexed+s.counts.failed+s.counts.unconfirmed+s.counts.retried == before {
			stale++
		} else {
			stale = 0
		}
		s.mu.Unlock()
		if done {
			break
		}
	}
	if ctx.Err() != nil {
		s.abortWith(context.Cause(ctx))
	}
	s.mu.Lock()
	s.retryStop = true
	s.mu.Unlock()
	select {
	case s.retryWake <- struct{}{}:
	default:
	}
	<-s.retryDone
	_ = s.bi.Close(context.Background())
	s.abort(errors.New("sink closed"))

	s.mu.Lock()
	if s.inflight > 0 {
		// Cannot happen with a well-behaved indexer; never lose count.
		n := s.inflight
		s.counts.unconfirmed += n
		g := &FailureGroup{Reason: "no result received", Example: "no result received", Count: n}
		s.counts.unconfirmedGroups[g.Reason] = g
		s.inflight, s.inflightB = 0, 0
	}
	aborted := s.aborted
	s.mu.Unlock()
	s.progress.stop()
	sum := s.summary()
	s.admin.Close(context.Background())
	s.bulkc.Close(context.Background())
	if aborted != nil {
		return sum, s.cfg.errorf(ctx.Err(), "interrupted before every document was confirmed: %v", aborted)
	}
	return sum, nil
}

func (s *Sink) abortWith(cause error) {
	if cause == nil {
		cause = context.Canceled
	}
	s.mu.Lock()
	if s.aborted == nil {
		s.aborted = cause
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.abort(cause)
	select {
	case s.retryWake <- struct{}{}:
	default:
	}
}

// waitRetriesIdle waits until no document waits for or is being resent.
func (s *Sink) waitRetriesIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		if len(s.retryQ) == 0 && s.retryBusy == 0 {
			s.mu.Unlock()
			return nil
		}
		ch := s.waitLocked()
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// opFor returns the op type for an index, classifying indices that
// Prepare didn't see.
func (s *Sink) opFor(ctx context.Context, index string) (string, error) {
	s.opsMu.RLock()
	op, ok := s.ops[index]
	s.opsMu.RUnlock()
	if ok {
		return op, nil
	}
	s.classifyMu.Lock()
	defer s.classifyMu.Unlock()
	s.opsMu.RLock()
	op, ok = s.ops[index]
	s.opsMu.RUnlock()
	if ok {
		return op, nil
	}
	tp, _, err := s.inspect(ctx, index)
	if err != nil {
		return "", err
	}
	s.setOp(index, tp.OpType)
	return tp.OpType, nil
}

func (s *Sink) setOp(index, op string) {
	s.opsMu.Lock()
	s.ops[index] = op
	s.opsMu.Unlock()
}

func escapePath(index string) string { return "/" + url.PathEscape(index) }
