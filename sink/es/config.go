// Package es ships emitted documents to Elasticsearch.
//
// A Sink connects (New), prepares the target indices (Prepare: creates
// missing ones with emit's mappings, reports mapping conflicts with
// existing ones before anything is sent, and writes to data streams with
// the "create" op type), streams documents through esutil.BulkIndexer with
// back-pressure (Add), and reports what happened (Close → Summary).
//
// Every document handed to Add ends up exactly once in the Summary:
// indexed, failed (with its position in the run, Doc.Seq, and the reason),
// or unconfirmed (an attempt that may have written it went unanswered and
// the retries ran out). Whole-request failures (connection errors,
// timeouts, 429 and 5xx answers) and per-document 429/5xx rejections are
// backpressure, not failure: the documents are retried for as long as the
// retry budget (Config.RetryTimeout) allows, while the sink sends fewer
// bulk requests at once and, when nothing gets through, pauses sending
// with exponential backoff and jitter.
// With the caller's deterministic ids a retried document overwrites itself
// instead of being duplicated.
//
// Secrets (API key, password) never appear in errors, plans, summaries or
// progress lines.
package es

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by Config.FromEnv.
const (
	EnvURL      = "ELASTICSEARCH_URL" // comma-separated URLs
	EnvAPIKey   = "ELASTIC_API_KEY"
	EnvUsername = "ELASTIC_USERNAME"
	EnvPassword = "ELASTIC_PASSWORD"
	EnvCloudID  = "ELASTIC_CLOUD_ID"
)

// Defaults applied by New to zero fields.
const (
	DefaultWorkers          = 2
	DefaultFlushBytes       = 5 << 20
	DefaultFlushInterval    = time.Second
	DefaultTimeout          = 90 * time.Second
	DefaultRetryTimeout     = 5 * time.Minute
	DefaultRetryBackoff     = 500 * time.Millisecond
	DefaultRetryBackoffMax  = 30 * time.Second
	DefaultProgressInterval = 2 * time.Second
)

// Config configures a Sink. Its fields map one to one onto emit's flags;
// zero values mean the defaults above.
type Config struct {
	// URLs of the cluster's nodes (--es-url, repeatable). Credentials in a
	// URL (https://user:pass@host) are moved to Username/Password.
	URLs []string
	// CloudID of an Elastic Cloud deployment (--cloud-id), instead of URLs.
	CloudID string
	// APIKey (--api-key): the encoded key (base64 of "id:key"), as Kibana
	// shows it, or the raw "id:key" form.
	APIKey string
	// Username and Password for basic authentication (--username,
	// --password). The API key wins when both are given.
	Username, Password string
	// CACert is a PEM file of certificate authorities to trust (--ca-cert).
	CACert string
	// Insecure skips TLS certificate verification (--insecure). It is
	// never implied; when set, New reports a warning (Sink.Warnings).
	Insecure bool

	// Workers is the number of concurrent bulk requests (--workers).
	Workers int
	// FlushBytes is the size at which a worker sends its bulk request
	// (--flush-bytes).
	FlushBytes int
	// FlushInterval is the longest a document waits in a partial bulk
	// (--flush-interval).
	FlushInterval time.Duration
	// Compress gzip-compresses request bodies (--compress), with
	// go-elasticsearch's own request compression (Content-Encoding: gzip,
	// which Elasticsearch always accepts): a bulk request carries about a
	// tenth of the bytes for some CPU on the sending side.
	Compress bool
	// Timeout bounds every request, a bulk request's answer included
	// (--es-timeout).
	Timeout time.Duration
	// RetryTimeout is the retry budget of a document: after a 429, a 5xx
	// or a connection failure it is retried until this long after its
	// first failed attempt (--retry-timeout; default 5 minutes).
	RetryTimeout time.Duration
	// MaxRetries bounds the retries of a document as well (--max-retries);
	// 0: no bound but RetryTimeout; negative: no retries. Administrative
	// requests (index checks and creation) are retried at most MaxRetries
	// times, 8 when MaxRetries is 0.
	MaxRetries int
	// RetryBackoff is the wait before a rejected document is resent, and
	// the first pause of all sending when a bulk request gets nothing
	// through; the pause doubles with each such request in a row up to
	// RetryBackoffMax; both with jitter (--retry-backoff,
	// --retry-backoff-max; defaults 0.5s and 30s).
	RetryBackoff, RetryBackoffMax time.Duration
	// MaxInFlightBytes bounds the document bytes held by the sink (queued,
	// in bulk requests or waiting for a retry): Add blocks beyond it.
	// Default: (2*Workers+1)*FlushBytes.
	MaxInFlightBytes int

	// Shards and Replicas are the settings of the indices Prepare creates
	// (--shards, --replicas); 0 / nil: the cluster's defaults.
	Shards   int
	Replicas *int
	// AllowAutoCreate lets Prepare accept a missing index that isn't to
	// be created (Target.Create false): Elasticsearch then creates it on
	// the first write with dynamic mappings. When false such a target is
	// an error that suggests --create-index. Data streams whose index
	// template exists are always accepted.
	AllowAutoCreate bool

	// Progress receives progress output (stderr); nil: none.
	Progress io.Writer
	// ProgressTTY: Progress is a terminal, draw a progress bar; otherwise
	// print a plain line every ProgressInterval.
	ProgressTTY bool
	// ProgressTotal is the number of documents expected (0: unknown).
	ProgressTotal int64
	// ProgressInterval between plain progress lines (default 2s).
	ProgressInterval time.Duration

	// clock times the retries and the retry budget (nil: the real
	// clock); tests run the sink on a faster one.
	clock clock
}

// FromEnv fills the connection fields that flags left empty from the
// environment: ELASTICSEARCH_URL (comma-separated), ELASTIC_CLOUD_ID,
// ELASTIC_API_KEY, ELASTIC_USERNAME, ELASTIC_PASSWORD. getenv is usually
// os.Getenv.
func (c *Config) FromEnv(getenv func(string) string) {
	if len(c.URLs) == 0 && c.CloudID == "" {
		if v := strings.TrimSpace(getenv(EnvURL)); v != "" {
			for _, u := range strings.Split(v, ",") {
				if u = strings.TrimSpace(u); u != "" {
					c.URLs = append(c.URLs, u)
				}
			}
		}
		if len(c.URLs) == 0 {
			c.CloudID = strings.TrimSpace(getenv(EnvCloudID))
		}
	}
	if c.APIKey == "" && c.Username == "" {
		c.APIKey = strings.TrimSpace(getenv(EnvAPIKey))
	}
	if c.APIKey == "" {
		if c.Username == "" {
			c.Username = getenv(EnvUsername)
		}
		if c.Password == "" && c.Username != "" {
			c.Password = getenv(EnvPassword)
		}
	}
}

// settings is a validated Config with defaults applied.
type settings struct {
	Config
	addrs   []string // URLs without credentials
	retries int      // most retries of a document (MaxRetries resolved)
	shown   string   // what to show of the address (no secrets)
	apiKey  string   // encoded
	secrets *redactor
}

func (c Config) resolve() (*settings, error) {
	s := &settings{Config: c}
	r := &redactor{}
	s.secrets = r
	// Register secrets first, so that even validation errors are clean.
	r.add(c.APIKey)
	r.add(c.Password)
	for _, raw := range c.URLs {
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok {
				r.add(p)
			}
		}
	}
	if c.APIKey != "" {
		s.apiKey = encodeAPIKey(c.APIKey)
		r.add(s.apiKey)
	}
	if len(c.URLs) == 0 && c.CloudID == "" {
		return nil, newError("no Elasticsearch address: give --es-url, --cloud-id or set " + EnvURL)
	}
	if len(c.URLs) > 0 && c.CloudID != "" {
		return nil, newError("give either --es-url or --cloud-id, not both")
	}
	var shown []string
	for _, raw := range c.URLs {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, newError(fmt.Sprintf("bad Elasticsearch URL %q: want http(s)://host[:port]", r.clean(redactURL(raw))))
		}
		if u.User != nil {
			if s.Username == "" && s.apiKey == "" {
				s.Username = u.User.Username()
				s.Password, _ = u.User.Password()
			}
			u.User = nil
		}
		u.RawQuery, u.Fragment = "", ""
		s.addrs = append(s.addrs, strings.TrimSuffix(u.String(), "/"))
		shown = append(shown, strings.TrimSuffix(u.String(), "/"))
	}
	if c.CloudID != "" {
		name, _, _ := strings.Cut(c.CloudID, ":")
		shown = append(shown, "Elastic Cloud deployment "+name)
	}
	s.shown = strings.Join(shown, ", ")
	if s.Username != "" {
		r.add(base64.StdEncoding.EncodeToString([]byte(s.Username + ":" + s.Password)))
	}
	switch {
	case c.Workers < 0, c.FlushBytes < 0, c.FlushInterval < 0, c.Timeout < 0, c.RetryBackoff < 0,
		c.RetryBackoffMax < 0, c.RetryTimeout < 0, c.MaxInFlightBytes < 0, c.Shards < 0, c.ProgressInterval < 0, c.ProgressTotal < 0:
		return nil, newError("negative Elasticsearch sink setting (workers, flush bytes/interval, timeout, retry timeout, backoff, shards)")
	case c.Replicas != nil && *c.Replicas < 0:
		return nil, newError("--replicas must not be negative")
	}
	if s.Workers == 0 {
		s.Workers = DefaultWorkers
	}
	if s.FlushBytes == 0 {
		s.FlushBytes = DefaultFlushBytes
	}
	if s.FlushInterval == 0 {
		s.FlushInterval = DefaultFlushInterval
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	switch {
	case s.MaxRetries == 0:
		s.retries = math.MaxInt
	case s.MaxRetries < 0:
		s.retries = 0
	default:
		s.retries = s.MaxRetries
	}
	if s.RetryTimeout == 0 {
		s.RetryTimeout = DefaultRetryTimeout
	}
	if s.RetryBackoff == 0 {
		s.RetryBackoff = DefaultRetryBackoff
	}
	if s.RetryBackoffMax == 0 {
		s.RetryBackoffMax = DefaultRetryBackoffMax
	}
	if s.RetryBackoffMax < s.RetryBackoff {
		s.RetryBackoffMax = s.RetryBackoff
	}
	if s.MaxInFlightBytes == 0 {
		s.MaxInFlightBytes = (2*s.Workers + 1) * s.FlushBytes
	}
	if s.ProgressInterval == 0 {
		s.ProgressInterval = DefaultProgressInterval
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	return s, nil
}

// encodeAPIKey accepts the encoded API key or the raw "id:key" form (which
// base64 never produces, as ':' isn't in its alphabet).
func encodeAPIKey(k string) string {
	if strings.Contains(k, ":") {
		return base64.StdEncoding.EncodeToString([]byte(k))
	}
	return k
}

// backoff is the delay before retry number attempt (1-based): base·2^(n-1)
// capped, with "equal jitter" (half fixed, half random) so that workers
// hit by the same overload don't come back in lockstep.
func (s *settings) backoff(attempt int, rnd func(int64) int64) time.Duration {
	d := s.RetryBackoff
	for i := 1; i < attempt && d < s.RetryBackoffMax; i++ {
		d *= 2
	}
	d = min(d, s.RetryBackoffMax)
	half := int64(d / 2)
	if half <= 0 {
		return d
	}
	return time.Duration(half + rnd(half+1))
}

// adminRetries is how many times an administrative request is retried.
func (s *settings) adminRetries() int {
	if s.retries == math.MaxInt {
		return 8
	}
	return s.retries
}

// exhaustion says why a document is not retried again.
type exhaustion int

const (
	retryAgain  exhaustion = iota
	retriesUsed            // MaxRetries reached
	budgetSpent            // RetryTimeout since the first failure
	runGaveUp              // the sink gave up: the cluster accepted nothing for a whole budget
)

// nextAttempt decides what follows the failed attempt number attempts
// (1-based) of a document whose first attempt failed at firstFail, the
// latest at now: another attempt at due, or none. A document rejected
// while the cluster indexes others comes back after the first wait,
// however often it was rejected before; while the cluster gets nothing
// through, the window pauses every request for longer and longer (see
// window). The retry budget is never overstepped: the document is resent
// at its end at the latest, and not after.
func (s *settings) nextAttempt(attempts int, firstFail, now time.Time, rnd func(int64) int64) (due time.Time, why exhaustion) {
	if attempts > s.retries {
		return time.Time{}, retriesUsed
	}
	end := firstFail.Add(s.RetryTimeout)
	if !now.Before(end) {
		return time.Time{}, budgetSpent
	}
	due = now.Add(s.backoff(1, rnd))
	if due.After(end) {
		due = end
	}
	return due, retryAgain
}

// redactor removes secrets from text.
type redactor struct{ secrets []string }

// minSecret is the shortest secret redacted: shorter strings would mangle
// every message they happen to occur in.
const minSecret = 4

func (r *redactor) add(s string) {
	if len(s) >= minSecret {
		r.secrets = append(r.secrets, s)
	}
}

func (r *redactor) clean(s string) string {
	if r == nil {
		return s
	}
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

// redactURL hides the password of a URL that may not parse.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Redacted()
	}
	if at := strings.LastIndex(raw, "@"); at >= 0 {
		if scheme := strings.Index(raw, "://"); scheme >= 0 && scheme < at {
			return raw[:scheme+3] + "[REDACTED]" + raw[at:]
		}
		return "[REDACTED]" + raw[at:]
	}
	return raw
}

// Error is an error of the sink. Its message never contains a secret; the
// cause can be tested with errors.Is but is not exposed.
type Error struct {
	msg   string
	cause error
}

func (e *Error) Error() string { return e.msg }

// Is reports whether the hidden cause matches target (context.Canceled,
// context.DeadlineExceeded, ...).
func (e *Error) Is(target error) bool { return e.cause != nil && errors.Is(e.cause, target) }

func newError(msg string) error { return &Error{msg: msg} }

func (s *settings) errorf(cause error, format string, args ...any) error {
	return &Error{msg: s.secrets.clean(fmt.Sprintf(format, args...)), cause: cause}
}

// GoString renders the error for %#v without its hidden cause.
func (e *Error) GoString() string { return "&es.Error{" + strconv.Quote(e.msg) + "}" }

// String renders the configuration with its secrets hidden, so that
// printing a Config (%v, %+v) cannot leak them.
func (c Config) String() string {
	hide := func(s string) string {
		if s == "" {
			return ""
		}
		return "[REDACTED]"
	}
	urls := make([]string, len(c.URLs))
	for i, u := range c.URLs {
		urls[i] = redactURL(u)
	}
	replicas := "default"
	if c.Replicas != nil {
		replicas = strconv.Itoa(*c.Replicas)
	}
	return fmt.Sprintf("es.Config{URLs:%v CloudID:%q APIKey:%s Username:%q Password:%s CACert:%q Insecure:%v Workers:%d FlushBytes:%d FlushInterval:%s Compress:%v Timeout:%s RetryTimeout:%s MaxRetries:%d RetryBackoff:%s RetryBackoffMax:%s MaxInFlightBytes:%d Shards:%d Replicas:%s AllowAutoCreate:%v}",
		urls, c.CloudID, hide(c.APIKey), c.Username, hide(c.Password), c.CACert, c.Insecure, c.Workers, c.FlushBytes,
		c.FlushInterval, c.Compress, c.Timeout, c.RetryTimeout, c.MaxRetries, c.RetryBackoff, c.RetryBackoffMax, c.MaxInFlightBytes, c.Shards, replicas, c.AllowAutoCreate)
}

// GoString is String, for %#v.
func (c Config) GoString() string { return c.String() }
