package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"github.com/tidwall/gjson"
	"golang.org/x/term"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/sink/es"
)

// esFlags are the Elasticsearch sink's flags.
type esFlags struct {
	urls            []string
	fromEnv         bool
	cloudID         string
	apiKey          string
	username        string
	password        string
	caCert          string
	insecure        bool
	createIndex     bool
	shards          int
	replicas        int
	workers         int
	flushBytes      int
	flushInterval   time.Duration
	compress        bool
	timeout         time.Duration
	retryTimeout    time.Duration
	maxRetries      optionalInt
	retryBackoff    time.Duration
	retryBackoffMax time.Duration
	allowAutoCreate bool
	dryRun          bool
	idField         string
	noIDs           bool
	replicasSet     bool
	// after, when set, runs once the documents are all confirmed, with
	// the sink's configuration (the ML setup); its code is the run's.
	after func(ctx context.Context, cfg es.Config) int
}

func (f *esFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.urls, "es-url", nil, "send the documents to Elasticsearch at this URL (repeatable; default $ELASTICSEARCH_URL with --elasticsearch)")
	fs.BoolVar(&f.fromEnv, "elasticsearch", false, "send the documents to the cluster the environment names ($ELASTICSEARCH_URL or $ELASTIC_CLOUD_ID)")
	fs.StringVar(&f.cloudID, "cloud-id", "", "send to this Elastic Cloud deployment (default $ELASTIC_CLOUD_ID)")
	fs.StringVar(&f.apiKey, "api-key", "", "API key (default $ELASTIC_API_KEY; prefer the environment: flags show in process lists)")
	fs.StringVar(&f.username, "username", "", "basic auth user (default $ELASTIC_USERNAME)")
	fs.StringVar(&f.password, "password", "", "basic auth password (default $ELASTIC_PASSWORD; prefer the environment)")
	fs.StringVar(&f.caCert, "ca-cert", "", "PEM file of the certificate authorities to trust")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify the cluster's TLS certificate (warns; never implied)")
	fs.BoolVar(&f.createIndex, "create-index", false, "create missing target indices with the mappings emit computes")
	fs.IntVar(&f.shards, "shards", 0, "number_of_shards of created indices (default: the cluster's)")
	fs.IntVar(&f.replicas, "replicas", 0, "number_of_replicas of created indices (default: the cluster's; 0 on a single node)")
	fs.IntVar(&f.workers, "workers", es.DefaultWorkers, "concurrent bulk requests")
	fs.IntVar(&f.flushBytes, "flush-bytes", es.DefaultFlushBytes, "send a bulk request when it reaches this size")
	fs.DurationVar(&f.flushInterval, "flush-interval", es.DefaultFlushInterval, "send a partial bulk request after this long")
	fs.BoolVar(&f.compress, "compress", false, "gzip the bulk requests (a seventh of the bytes on the wire, for some CPU)")
	fs.DurationVar(&f.timeout, "es-timeout", 60*time.Second, "timeout of each request to the cluster")
	fs.DurationVar(&f.retryTimeout, "retry-timeout", es.DefaultRetryTimeout, "keep retrying a document rejected with 429/5xx or hit by a connection failure until this long after its first failure")
	fs.Var(&f.maxRetries, "max-retries", "also give up on a document after this many retries (default: no count, --retry-timeout decides; 0: no retries)")
	fs.DurationVar(&f.retryBackoff, "retry-backoff", es.DefaultRetryBackoff, "wait before a rejected document is resent, and first pause of all sending when a bulk request gets nothing through (doubling, with jitter)")
	fs.DurationVar(&f.retryBackoffMax, "retry-backoff-max", es.DefaultRetryBackoffMax, "longest pause of all sending")
	fs.BoolVar(&f.allowAutoCreate, "allow-auto-create", false, "accept missing indices without --create-index (Elasticsearch then maps fields dynamically)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the indices, mappings and document counts that would be sent, without connecting")
	fs.StringVar(&f.idField, "id-field", "", "take each document's _id from this field of the document (default: an id from the seed and the position)")
	fs.BoolVar(&f.noIDs, "no-ids", false, "let Elasticsearch assign _ids (a resent batch may then duplicate documents)")
}

// optionalInt is an int flag that knows whether it was given.
type optionalInt struct {
	n   int
	set bool
}

func (o *optionalInt) String() string {
	if !o.set {
		return ""
	}
	return strconv.Itoa(o.n)
}

func (o *optionalInt) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("not an integer")
	}
	o.n, o.set = n, true
	return nil
}

func (o *optionalInt) Type() string { return "int" }

// maxRetries is Config.MaxRetries: 0 for no count, negative for none.
func (f *esFlags) maxRetriesConfig() (int, error) {
	switch {
	case !f.maxRetries.set:
		return 0, nil
	case f.maxRetries.n < 0:
		return 0, fmt.Errorf("--max-retries must not be negative")
	case f.maxRetries.n == 0:
		return -1, nil
	}
	return f.maxRetries.n, nil
}

func (f *esFlags) active() bool {
	return len(f.urls) > 0 || f.cloudID != "" || f.fromEnv || f.dryRun
}

// targets groups the sources by index with the mappings of their fields.
func targets(e *emitter.Emitter, create bool) ([]es.Target, error) {
	by := map[string][]*emitter.Source{}
	for _, src := range e.Sources() {
		if src.Index == "" {
			return nil, fmt.Errorf("no target index for %q: give --index", src.Query.Text)
		}
		// A threat_match rule's indicators go to their feeds' indices.
		for _, ix := range src.Indices() {
			by[ix] = append(by[ix], src)
		}
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []es.Target
	for _, n := range names {
		m, err := e.MappingsOf(by[n])
		if err != nil {
			return nil, fmt.Errorf("mappings of %s: %w", n, err)
		}
		out = append(out, es.Target{Index: n, Mappings: m, Create: create})
	}
	return out, nil
}

// runES generates into Elasticsearch (or, with --dry-run, counts what
// would be sent).
func runES(e *emitter.Emitter, f *esFlags, plan emitter.Plan, mlr *mlRun, seed uint64, stderr io.Writer) int {
	tgts, err := targets(e, f.createIndex)
	if err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return exitFail
	}
	if tgts, err = mlTargets(tgts, mlr, f.createIndex); err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return exitFail
	}
	total := int64(0) // unknown when ML data follows
	if !mlr.active(plan) {
		total = ruleDocs(e, plan)
	}
	return sendES(tgts, f, total, seed, stderr, func(fn func(docs []emitter.Document, seq int64) error) error {
		if err := runRules(e, plan, fn); err != nil {
			return err
		}
		return mlr.each(e, plan, fn)
	})
}

// sendES sends the documents each generates to the targets (or, with
// --dry-run, counts them); total, when known, is how many there are.
func sendES(tgts []es.Target, f *esFlags, total int64, seed uint64, stderr io.Writer, each func(fn func(docs []emitter.Document, seq int64) error) error) int {
	if f.dryRun {
		counts := map[string]int64{}
		if err := each(func(docs []emitter.Document, _ int64) error {
			for _, d := range docs {
				counts[d.Index]++
			}
			return nil
		}); err != nil {
			fmt.Fprintf(stderr, "emit: %v\n", err)
			return exitFail
		}
		fmt.Fprint(stderr, es.DryRun(tgts, counts))
		return exitOK
	}
	maxRetries, err := f.maxRetriesConfig()
	if err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return exitFail
	}
	cfg := es.Config{
		URLs: f.urls, CloudID: f.cloudID, APIKey: f.apiKey, Username: f.username, Password: f.password,
		CACert: f.caCert, Insecure: f.insecure, Workers: f.workers, FlushBytes: f.flushBytes,
		FlushInterval: f.flushInterval, Compress: f.compress, Timeout: f.timeout, RetryTimeout: f.retryTimeout, MaxRetries: maxRetries,
		RetryBackoff: f.retryBackoff, RetryBackoffMax: f.retryBackoffMax,
		Shards: f.shards, AllowAutoCreate: f.allowAutoCreate, Progress: stderr,
	}
	if f.replicasSet {
		r := f.replicas
		cfg.Replicas = &r
	}
	if file, ok := stderr.(*os.File); ok {
		cfg.ProgressTTY = term.IsTerminal(int(file.Fd()))
	}
	if total > 0 {
		cfg.ProgressTotal = total
	}
	cfg.FromEnv(os.Getenv)
	// A first interrupt stops generating (what was generated is still
	// sent and waited for); a second one, or the first while closing,
	// stops waiting.
	ctx, interrupt := context.WithCancel(context.Background())
	defer interrupt()
	closeCtx, stopClosing := context.WithCancel(context.Background())
	defer stopClosing()
	var closing atomic.Bool
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for n := 1; ; n++ {
			select {
			case <-sigs:
			case <-done:
				return
			}
			interrupt()
			if n > 1 || closing.Load() {
				stopClosing()
			}
		}
	}()
	sink, err := es.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return exitFail
	}
	for _, w := range sink.Warnings() {
		fmt.Fprintf(stderr, "emit: warning: %s\n", w)
	}
	pl, err := sink.Prepare(ctx, tgts)
	if pl != nil {
		fmt.Fprint(stderr, strings.TrimRight(pl.String(), "\n")+"\n")
	}
	if err != nil {
		fmt.Fprintf(stderr, "emit: %v\nemit: nothing was sent\n", err)
		return exitFail
	}
	var sent int64
	genErr := each(func(docs []emitter.Document, first int64) error {
		for i, d := range docs {
			seq := first + int64(i)
			sent++
			body := append([]byte(nil), d.Source...)
			if err := sink.Add(ctx, es.Doc{Index: d.Index, ID: f.docID(seed, seq, body), Seq: seq, Body: body}); err != nil {
				return err
			}
		}
		return nil
	})
	closing.Store(true)
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "emit: interrupted: sending the documents already generated (interrupt again to stop waiting)")
	}
	sum, closeErr := sink.Close(closeCtx)
	fmt.Fprintln(stderr, sum.String())
	switch {
	case genErr != nil:
		fmt.Fprintf(stderr, "emit: stopped after %d documents: %v\n", sent, genErr)
		return exitFail
	case closeErr != nil:
		fmt.Fprintf(stderr, "emit: %v\n", closeErr)
		return exitFail
	case !sum.OK():
		return exitFail
	case f.after != nil:
		cfg.Progress = nil
		return f.after(ctx, cfg)
	}
	return exitOK
}

// docID is a document's _id: from --id-field, none with --no-ids, else
// derived from the seed and the position, so that a resent batch
// overwrites instead of duplicating and a rerun with the same seed
// replaces its own documents.
func (f *esFlags) docID(seed uint64, seq int64, body []byte) string {
	switch {
	case f.noIDs:
		return ""
	case f.idField != "":
		if v := gjson.GetBytes(body, document.Path(f.idField)); v.Exists() && v.Type != gjson.JSON {
			return v.String()
		}
	}
	return strconv.FormatUint(seed, 16) + "-" + strconv.FormatInt(seq, 10)
}
