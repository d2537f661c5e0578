package fakees

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// Request bodies may be compressed: Elasticsearch accepts a body with
// Content-Encoding gzip (or deflate, zlib-wrapped or raw) on every
// endpoint, whatever its http.compression setting (which is about
// responses), and applies http.max_content_length to the decompressed
// body. Any other encoding is passed through as it is, as Elasticsearch's
// HTTP layer does, so that the body then fails to parse.

// wireCount counts the bytes of a request body as they come over the
// wire, and keeps the error of the connection.
type wireCount struct {
	r   io.ReadCloser
	n   atomic.Int64
	err error
}

func (c *wireCount) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

func (c *wireCount) Close() error { return c.r.Close() }

type wireKey struct{}

// wireBytes returns how many bytes of r's body were read from the wire.
func wireBytes(r *http.Request) int64 {
	if c, ok := r.Context().Value(wireKey{}).(*wireCount); ok {
		return c.n.Load()
	}
	return 0
}

// errBadEncoding is a body that does not decompress as its
// Content-Encoding says.
var errBadEncoding = errors.New("the request body does not decompress as its Content-Encoding says")

// decodedBody decompresses a request body. A failure of the connection is
// returned as it is; any other error of the decompressor is errBadEncoding.
type decodedBody struct {
	wire *wireCount
	open func(*bufio.Reader) (io.ReadCloser, error)
	dec  io.ReadCloser
	err  error
}

func (d *decodedBody) Read(p []byte) (int, error) {
	if d.dec == nil && d.err == nil {
		d.dec, d.err = d.open(bufio.NewReader(d.wire))
		if d.err != nil {
			d.err = d.fail()
		}
	}
	if d.err != nil {
		return 0, d.err
	}
	n, err := d.dec.Read(p)
	if err != nil && err != io.EOF {
		err = d.fail()
	}
	return n, err
}

func (d *decodedBody) fail() error {
	if d.wire.err != nil {
		return d.wire.err
	}
	return errBadEncoding
}

func (d *decodedBody) Close() error {
	if d.dec != nil {
		d.dec.Close()
	}
	return d.wire.Close()
}

// decodeBody replaces r's body by its decompressed content and counts the
// bytes on the wire (see wireBytes); it returns the content encoding ("" for
// none).
func decodeBody(r *http.Request) (*http.Request, string) {
	wc := &wireCount{r: r.Body}
	r = r.WithContext(context.WithValue(r.Context(), wireKey{}, wc))
	enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding")))
	var open func(*bufio.Reader) (io.ReadCloser, error)
	switch enc {
	case "gzip", "x-gzip":
		open = func(br *bufio.Reader) (io.ReadCloser, error) { return gzip.NewReader(br) }
	case "deflate", "x-deflate":
		open = func(br *bufio.Reader) (io.ReadCloser, error) {
			// A zlib header is 2 bytes whose big-endian value is a
			// multiple of 31, with method 8; else raw deflate.
			if h, err := br.Peek(2); err == nil && h[0]&0x0f == 8 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
				return zlib.NewReader(br)
			}
			return flate.NewReader(br), nil
		}
	}
	if open == nil {
		r.Body = wc
		return r, enc
	}
	r.Body = &decodedBody{wire: wc, open: open}
	r.Header.Del("Content-Encoding")
	r.ContentLength = -1
	return r, enc
}

// readBody reads a request body up to limit+1 bytes (decompressed). A body
// that does not decompress is answered 400, one over limit 413, as
// Elasticsearch answers; ok is false when an answer was written.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, ok bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	switch {
	case errors.Is(err, errBadEncoding):
		esError(w, 400, "parse_exception", errBadEncoding.Error(), nil)
		return nil, false
	case err != nil:
		esError(w, 400, "parse_exception", "cannot read request body: "+err.Error(), nil)
		return nil, false
	case int64(len(b)) > limit:
		esError(w, 413, "content_too_long_exception",
			"request body is too large: more than "+strconv.FormatInt(limit, 10)+" bytes", nil)
		return nil, false
	}
	return b, true
}
