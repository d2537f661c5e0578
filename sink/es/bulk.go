package es

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esutil"
	"github.com/tidwall/gjson"
)

// bulkTransport is the esapi.Transport given to the BulkIndexer. It
//   - waits for room in the window of requests in flight, and reports to
//     the window how the cluster answered (see window);
//   - bounds each request, its answer included, by the timeout (the wait
//     for the window is not part of it);
//   - sends a private copy of the request body (see Perform);
//   - counts the items of each bulk request, so that the decoder can check
//     that the answer has exactly one result per document (the indexer
//     would otherwise panic on extra results or never report missing ones);
//   - turns non-2xx answers into *statusError, so that the sink can tell a
//     429 from a 400 when the whole request fails.
type bulkTransport struct {
	c        *elasticsearch.Client
	win      *window
	timeout  time.Duration
	bytes    *byteCounts
	compress bool // the client compresses request bodies
}

// byteCounts are the bytes of the bulk requests sent (every attempt):
// their bodies, and what went on the wire (smaller with Config.Compress).
type byteCounts struct {
	body, wire atomic.Int64
}

// notSentError is a request given up before it was sent (the run was
// interrupted while it waited for the window).
type notSentError struct{ cause error }

func (e *notSentError) Error() string { return "not sent: " + e.cause.Error() }
func (e *notSentError) Unwrap() error { return e.cause }

// statusError is a whole bulk request answered with an error status.
type statusError struct {
	status int
	desc   string
}

func (e *statusError) Error() string { return "bulk request failed: " + e.desc }

func (t bulkTransport) Perform(req *http.Request) (*http.Response, error) {
	items := -1
	if req.Body != nil && req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		var lines int
		if t.compress {
			// The client compresses the indexer's buffer into one of its
			// own before sending: only count the lines.
			lines, err = countLines(rc)
		} else {
			// Send a copy of the indexer's buffer: after a connection
			// error net/http may still be reading the body in its own
			// goroutine while the indexer already reuses (and resets)
			// that buffer.
			var data []byte
			data, err = readAllSized(rc, req.ContentLength)
			req.Body = io.NopCloser(bytes.NewReader(data))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
			req.ContentLength = int64(len(data))
			lines = bytes.Count(data, []byte{'\n'})
		}
		rc.Close()
		if err != nil {
			return nil, err
		}
		// The sink sends only index/create: an action and a source line.
		items = lines / 2
	}
	epoch, err := t.win.acquire(req.Context())
	if err != nil {
		return nil, &notSentError{cause: err}
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	sent := req.WithContext(ctx)
	res, err := t.c.Perform(sent)
	if t.bytes != nil && req.ContentLength > 0 {
		// The client's compression sets the length of what it sends.
		t.bytes.body.Add(req.ContentLength)
		t.bytes.wire.Add(sent.ContentLength)
	}
	if err != nil {
		cancel()
		o := pushback
		if req.Context().Err() != nil {
			// The run was interrupted: says nothing of the cluster.
			o = neutral
		}
		t.win.release(epoch, o)
		return nil, err
	}
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		cancel()
		o := neutral
		if isPushbackStatus(res.StatusCode) {
			o = pushback
		}
		t.win.release(epoch, o)
		r := &response{status: res.StatusCode, body: b}
		return nil, &statusError{status: res.StatusCode, desc: r.describe()}
	}
	cb := &countedBody{ReadCloser: res.Body, items: items}
	cb.end = func(o outcome) {
		cancel()
		if req.Context().Err() != nil {
			o = neutral // the run was interrupted while the answer was read
		}
		t.win.release(epoch, o)
	}
	res.Body = cb
	return res, nil
}

// readAllSized reads r, whose size is probably size, with one allocation.
func readAllSized(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 {
		return io.ReadAll(r)
	}
	var b bytes.Buffer
	b.Grow(int(size) + bytes.MinRead)
	_, err := b.ReadFrom(r)
	return b.Bytes(), err
}

// countLines counts the newlines of r.
func countLines(r io.Reader) (int, error) {
	buf := make([]byte, 64<<10)
	n := 0
	for {
		k, err := r.Read(buf)
		n += bytes.Count(buf[:k], []byte{'\n'})
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// isPushbackStatus: the cluster (or a proxy in front of it) is overloaded
// or unavailable for a while.
func isPushbackStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// countedBody is a bulk answer's body with the number of items sent. The
// request ends (its timeout released, its outcome told to the window) when
// the decoder has read it, or at the latest when it is closed.
type countedBody struct {
	io.ReadCloser
	items int
	end   func(outcome)
	once  sync.Once
}

func (b *countedBody) finish(o outcome) {
	if b.end != nil {
		b.once.Do(func() { b.end(o) })
	}
}

func (b *countedBody) Close() error {
	err := b.ReadCloser.Close()
	b.finish(neutral)
	return err
}

// bulkDecoder decodes a bulk answer and checks it has one well-formed
// result per item sent; otherwise the whole request counts as failed (and
// is retried). It is the indexer's decoder option, reading the answer
// with gjson rather than reflection: a result costs a tenth.
type bulkDecoder struct{}

func (bulkDecoder) UnmarshalFromReader(r io.Reader, blk *esutil.BulkIndexerResponse) error {
	cb, _ := r.(*countedBody)
	finish := func(o outcome) {
		if cb != nil {
			cb.finish(o)
		}
	}
	body, err := io.ReadAll(r)
	if err == nil && !gjson.ValidBytes(body) {
		err = fmt.Errorf("malformed bulk answer: not JSON (%d bytes)", len(body))
	}
	if err != nil {
		// The answer was cut short: a dropped connection.
		finish(pushback)
		return err
	}
	root := gjson.ParseBytes(body)
	blk.Took = int(root.Get("took").Int())
	blk.HasErrors = root.Get("errors").Bool()
	items := root.Get("items")
	if items.Exists() && !items.IsArray() {
		finish(neutral)
		return fmt.Errorf("malformed bulk answer: items is not an array")
	}
	n := 0
	if items.IsArray() {
		items.ForEach(func(_, _ gjson.Result) bool { n++; return true })
	}
	if cb != nil && cb.items >= 0 && n != cb.items {
		blk.Items = nil
		finish(neutral)
		return fmt.Errorf("malformed bulk answer: %d results for %d documents", n, cb.items)
	}
	blk.Items = make([]map[string]esutil.BulkIndexerResponseItem, 0, n)
	indexed, rejected := 0, 0
	var bad error
	items.ForEach(func(_, it gjson.Result) bool {
		ops := 0
		var op string
		var res gjson.Result
		if it.IsObject() {
			it.ForEach(func(k, v gjson.Result) bool { ops, op, res = ops+1, k.String(), v; return true })
		}
		if ops != 1 || !res.IsObject() {
			bad = fmt.Errorf("malformed bulk answer: result %d has %d operations", len(blk.Items), ops)
			return false
		}
		item := responseItem(res)
		switch {
		case item.Status == http.StatusTooManyRequests || item.Status == http.StatusServiceUnavailable:
			rejected++
		case item.Status/100 == 2:
			indexed++
		}
		blk.Items = append(blk.Items, map[string]esutil.BulkIndexerResponseItem{op: item})
		return true
	})
	if bad != nil {
		blk.Items = nil
		finish(neutral)
		return bad
	}
	switch {
	case rejected == 0:
		finish(accepted)
	case indexed > 0:
		finish(partial)
	default:
		finish(pushback)
	}
	return nil
}

// responseItem reads one result of a bulk answer.
func responseItem(v gjson.Result) esutil.BulkIndexerResponseItem {
	var item esutil.BulkIndexerResponseItem
	v.ForEach(func(k, f gjson.Result) bool {
		switch k.String() {
		case "_index":
			item.Index = f.String()
		case "_id":
			item.DocumentID = f.String()
		case "_version":
			item.Version = f.Int()
		case "result":
			item.Result = f.String()
		case "status":
			item.Status = int(f.Int())
		case "_seq_no":
			item.SeqNo = f.Int()
		case "_primary_term":
			item.PrimTerm = f.Int()
		case "failure_store":
			item.FailureStore = f.String()
		case "_shards":
			item.Shards.Total = int(f.Get("total").Int())
			item.Shards.Successful = int(f.Get("successful").Int())
			item.Shards.Failed = int(f.Get("failed").Int())
		case "error":
			if !f.IsObject() {
				item.Error.Reason = f.String()
				break
			}
			item.Error.Type = f.Get("type").String()
			item.Error.Reason = f.Get("reason").String()
			item.Error.Cause.Type = f.Get("caused_by.type").String()
			item.Error.Cause.Reason = f.Get("caused_by.reason").String()
		}
		return true
	})
	return item
}

// failure classifies a failed attempt at sending a document.
type failure struct {
	retry        bool   // worth another attempt
	maybeApplied bool   // the document may have been written anyway
	reason       string // for the summary
	key          string // grouping key
	wait         string // what the sink waits out, for the progress line
}

// waitReason describes, for the progress line, the pushback of an answer
// with this status.
func waitReason(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "cluster rejecting writes (429)"
	case http.StatusServiceUnavailable:
		return "cluster unavailable (503)"
	}
	return fmt.Sprintf("cluster failing (%d)", status)
}

// requestFailure classifies a whole-request failure (err from the indexer).
func requestFailure(err error) failure {
	var se *statusError
	if errors.As(err, &se) {
		var f failure
		// "429 Too Many Requests: es_rejected_execution_exception: ..." →
		// group by status and error type.
		parts := strings.SplitN(se.desc, ": ", 3)
		f.key = "bulk request failed: " + strings.Join(parts[:min(2, len(parts))], ": ")
		f.reason = "bulk request failed: " + se.desc
		f.wait = waitReason(se.status)
		switch {
		case se.status == http.StatusTooManyRequests:
			f.retry = true
		case se.status == http.StatusServiceUnavailable:
			f.retry = true
		case se.status >= 500:
			// A gateway may fail after the cluster applied the writes.
			f.retry, f.maybeApplied = true, true
		case se.status == http.StatusRequestEntityTooLarge:
			f.reason += " (lower --flush-bytes)"
			f.key += " (lower --flush-bytes)"
		}
		return f
	}
	msg := strings.TrimPrefix(err.Error(), "flush: ")
	f := failure{retry: true, maybeApplied: true, reason: "bulk request failed: " + msg}
	var oerr *net.OpError
	var ns *notSentError
	switch {
	case errors.As(err, &ns):
		f.retry, f.maybeApplied = false, false
		f.key = "not sent: the run was interrupted"
	case errors.As(err, &oerr) && oerr.Op == "dial":
		// Nothing was sent.
		f.maybeApplied = false
		f.key = "bulk request failed: cannot connect"
		f.wait = "cannot connect to the cluster"
	case errors.Is(err, context.DeadlineExceeded):
		f.key = "bulk request failed: no answer within the timeout"
		f.wait = "cluster not answering within the timeout"
	case errors.Is(err, context.Canceled):
		f.retry = false
		f.key = "bulk request canceled"
	case strings.Contains(msg, "malformed bulk answer"):
		f.key = "bulk request failed: malformed answer"
		f.wait = "malformed answers"
	default:
		f.key = "bulk request failed: connection error"
		f.wait = "connection to the cluster lost"
	}
	return f
}

// itemFailure classifies a per-document failure from a bulk answer.
func itemFailure(res esutil.BulkIndexerResponseItem) failure {
	typ, reason := res.Error.Type, res.Error.Reason
	if typ == "" {
		typ = fmt.Sprintf("status %d", res.Status)
	}
	f := failure{reason: typ}
	if reason != "" {
		f.reason += ": " + reason
	}
	if res.Error.Cause.Type != "" || res.Error.Cause.Reason != "" {
		f.reason += " (caused by " + res.Error.Cause.Type + ": " + res.Error.Cause.Reason + ")"
	}
	f.key = typ + ": " + normalizeReason(reason)
	switch {
	case res.Status == http.StatusTooManyRequests, res.Status == http.StatusServiceUnavailable:
		f.retry = true
		f.wait = waitReason(res.Status)
	case res.Status >= 500:
		f.retry, f.maybeApplied = true, true
		f.wait = waitReason(res.Status)
	}
	return f
}

// normalizeReason removes what differs between documents failing for the
// same reason (ids, previews of values), so that they group together.
func normalizeReason(r string) string {
	if i := strings.Index(r, " in document with id '"); i >= 0 {
		r = r[:i]
	}
	if i := strings.Index(r, ". Preview of field's value:"); i >= 0 {
		r = r[:i]
	}
	// "[<id>]: version conflict, document already exists (current version [3])"
	if strings.HasPrefix(r, "[") {
		if i := strings.Index(r, "]: "); i >= 0 {
			r = r[i+3:]
		}
	}
	if i := strings.Index(r, " (current version ["); i >= 0 {
		r = r[:i]
	}
	return r
}
