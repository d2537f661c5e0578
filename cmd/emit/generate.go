package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/sink/es"
	"github.com/emit-sec/emit/source"
)

const generateUsage = `emit generates documents that satisfy detection-rule queries, and their mappings.

Usage:
  emit --query QUERY [flags]          documents as NDJSON on stdout
  emit --query QUERY --mappings       the Elasticsearch mappings of the query's fields
  emit --rules PATH [selectors]       documents for detection rules (package .zip, detection-rules dir, export)
  emit check --rules PATH             can every rule fire? (see emit check --help)
  emit scenario NAME|FILE.yaml        a realistic dataset over time (see emit scenario --help)

Examples:
  emit --query 'process.name : *.exe' -n 10
  emit --query 'source.ip : 10.0.0.0/8 and destination.port < 1024' -n 5 --schema ecs-v8.11.0.tar.gz
  emit --query 'process where process.name : "*.exe"' -n 3
  emit --query 'user.name : alice and event.outcome : failure' -n 3 --seed 42 --start 2024-01-01T00:00:00Z
  emit --query 'process.name : (*.exe or *.dll)' --mappings
  emit --query 'event.category : process' -n 1000 --format bulk --index logs-test > bulk.ndjson
  emit --rules security_detection_engine-8.2.1.zip --tags 'Windows and Persistence' --per-rule 5 --format bulk
  emit --rules ./detection-rules --rule-id d7e62693-aab9-4f66-a21a-3d79ecdd603d -n 10 --mappings
  emit --query 'process.name : *.exe' -n 100000 --es-url http://localhost:9200 --index emit-test --create-index
  emit --rules ./detection-rules --per-rule 1000 --seed 42 --end 2024-06-01T00:00:00Z --shard 2/4 --es-url http://localhost:9200 --create-index
  emit --ml-jobs ../shared/etc/ml --ml-module security_auth --es-url http://localhost:9200 --ml-setup

Flags:
`

type generateFlags struct {
	queries  []string
	language string
	count    int
	seed     uint64
	schemas  []string
	window   windowFlags
	output   string
	format   string
	index    string
	mappings bool
	strict   bool
	rules    ruleFlags
	perRule  int
	tagRule  string
	quiet    bool
	verbose  bool
	maxGroup int
	es       esFlags
	run      runFlags
	ml       mlFlags
	mlSel    mlJobFlags
}

func runGenerate(args []string, stdout, stderr io.Writer) int {
	var f generateFlags
	fs := pflag.NewFlagSet("emit", pflag.ContinueOnError)
	fs.StringArrayVarP(&f.queries, "query", "q", nil, "a KQL, EQL, Lucene or ES|QL query (repeatable: each match picks one query at random)")
	fs.StringVar(&f.language, "language", "", "the queries' language: kql, eql, lucene, dsl or esql (default: guess, EQL first)")
	fs.IntVarP(&f.count, "count", "n", 1, "how many matches to emit (a sequence match is several documents)")
	fs.Uint64Var(&f.seed, "seed", 0, "random seed: the same seed, --start and inputs give byte-identical output (default: random)")
	fs.StringArrayVar(&f.schemas, "schema", nil, "field types: ECS release .tar.gz, ecs_flat.yml, flat JSON(.gz), non-ecs-schema.json or integration-schemas.json.gz (repeatable; later ones override)")
	f.window.register(fs)
	fs.StringVarP(&f.output, "output", "o", "", "write to this file instead of stdout")
	fs.StringVar(&f.format, "format", "ndjson", "output format: ndjson, or bulk (Elasticsearch _bulk action and source lines)")
	fs.StringVar(&f.index, "index", "", "the target index of --format bulk")
	fs.BoolVar(&f.mappings, "mappings", false, "print the mappings of the queries' fields instead of documents")
	fs.BoolVar(&f.strict, "strict", false, "treat dead alternatives (an 'or' branch that can never match) as errors")
	f.rules.register(fs)
	f.ml.register(fs)
	f.mlSel.register(fs)
	f.es.register(fs)
	f.run.register(fs)
	fs.IntVar(&f.perRule, "per-rule", 0, "with --rules: emit this many matches for every selected rule in turn (instead of --count random picks)")
	fs.StringVar(&f.tagRule, "tag-rule", "", "with --rules: add the rule's id and name to each document under this field (e.g. emit.rule -> emit.rule.id, emit.rule.name)")
	fs.BoolVar(&f.quiet, "quiet", false, "no warnings or notes on stderr (dead alternatives, selectors that match nothing, schemas found, where documents went); errors still")
	fs.IntVar(&f.maxGroup, "max-group", emitter.DefaultMaxGroup, "the most documents one match of an ES|QL query that aggregates may take")
	fs.BoolVar(&f.verbose, "verbose", false, "list every skipped rule with its reason, and the warnings of every rule")
	if help, err := parseFlags(fs, args, generateUsage, stdout); help || err != nil {
		if err != nil {
			fmt.Fprintf(stderr, "emit: %v (see emit --help)\n", err)
			return exitFail
		}
		return exitOK
	}
	m := &messages{w: stderr, prog: "emit", quiet: f.quiet, verbose: f.verbose}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "emit: unexpected argument %q (queries go in --query)\n", fs.Arg(0))
		return exitFail
	}
	if f.mlSel.selecting() {
		return runMLJobs(fs, &f, m, stdout, stderr)
	}
	if len(f.queries) == 0 && !f.rules.active() {
		fmt.Fprintln(stderr, "emit: no --query or --rules given (see emit --help)")
		return exitFail
	}
	if f.perRule < 0 {
		fmt.Fprintln(stderr, "emit: --per-rule must not be negative")
		return exitFail
	}
	if f.count < 0 {
		fmt.Fprintln(stderr, "emit: --count must not be negative")
		return exitFail
	}
	if f.maxGroup < 1 {
		fmt.Fprintln(stderr, "emit: --max-group must be at least 1")
		return exitFail
	}
	if f.format != "ndjson" && f.format != "bulk" {
		fmt.Fprintf(stderr, "emit: unknown --format %q (want ndjson or bulk)\n", f.format)
		return exitFail
	}
	if err := f.run.check(); err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return exitFail
	}
	if f.run.n > 0 && (!fs.Changed("seed") || !fs.Changed("end")) {
		// Else each shard draws another run: a random seed, its own "now".
		fmt.Fprintln(stderr, "emit: --shard needs --seed and --end, the same for every shard")
		return exitFail
	}
	f.es.replicasSet = fs.Changed("replicas")
	f.ml.baselineSet = fs.Changed("ml-baseline")
	if f.es.noIDs && f.es.idField != "" {
		fmt.Fprintln(stderr, "emit: --no-ids and --id-field exclude each other")
		return exitFail
	}
	if f.es.active() && (f.output != "" || fs.Changed("format")) {
		fmt.Fprintln(stderr, "emit: documents go to Elasticsearch or to --output/--format, not both")
		return exitFail
	}
	if f.format == "bulk" && f.index == "" && !f.mappings && len(f.queries) > 0 {
		fmt.Fprintln(stderr, "emit: --format bulk with --query needs --index")
		return exitFail
	}
	if err := checkMLFlags(&f); err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return exitFail
	}
	opts, sch, err := emitterOptions(fs, f.schemas, &f.window, f.seed, f.strict, len(f.queries) > 0)
	if err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return exitFail
	}
	opts.TagRuleField = f.tagRule
	opts.MaxGroup = f.maxGroup
	if f.perRule > 0 {
		opts.PerRule = f.perRule
	} else {
		opts.Count = f.count
	}
	if f.window.rate > 0 {
		n := max(f.count, f.perRule, 1)
		opts.Span = time.Duration(float64(n) / f.window.rate * float64(time.Second))
	}
	e := emitter.New(opts)
	var mlr *mlRun
	if f.rules.active() {
		var code int
		if mlr, code = addRules(e, &f.rules, &f.ml, opts, sch, m); code != exitOK {
			return code
		}
	}
	lang, err := query.ParseLanguage(f.language)
	if err != nil {
		fmt.Fprintf(stderr, "emit: --language: %v\n", err)
		return exitFail
	}
	for _, q := range f.queries {
		src, err := e.AddQuery(q, lang)
		if err != nil {
			m.errorf("%s", describeError(err))
			return exitFail
		}
		for _, w := range src.Warnings() {
			m.warnf("%s", w)
		}
	}
	if f.index != "" {
		for _, src := range e.Sources() {
			src.Index = f.index
		}
	}
	if f.es.active() && !f.mappings {
		if f.index == "" && len(f.queries) > 0 {
			fmt.Fprintln(stderr, "emit: sending --query documents to Elasticsearch needs --index")
			return exitFail
		}
		if f.mlSel.setup && !f.es.dryRun {
			if mlr == nil || len(mlr.plans) == 0 {
				fmt.Fprintln(stderr, "emit: --ml-setup: no ML job to set up (select machine_learning rules, or jobs with --ml-module or --ml-job)")
				return exitFail
			}
			mlr.jobs.isolate = true
			mlr.setupAfter(&f.es, &f.mlSel, m, stderr)
			return runES(e, &f.es, f.run.plan(f.perRule, f.count), mlr, opts.Seed, stderr)
		}
		code := runES(e, &f.es, f.run.plan(f.perRule, f.count), mlr, opts.Seed, stderr)
		if !f.quiet {
			fmt.Fprint(stderr, mlr.summary(true))
		}
		return code
	}
	out, closeOut, err := openOutput(f.output, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return exitFail
	}
	if f.mappings {
		mp, err := allMappings(e, mlr)
		if err != nil {
			fmt.Fprintf(stderr, "emit: %v\n", err)
			return exitFail
		}
		if _, err := out.Write(append(mp, '\n')); err != nil {
			fmt.Fprintf(stderr, "emit: %v\n", err)
			return exitFail
		}
		return closeOut(exitOK, stderr)
	}
	w := newDocWriter(out, f.format, func(seq int64, body []byte) string { return f.es.docID(opts.Seed, seq, body) })
	plan := f.run.plan(f.perRule, f.count)
	if err := runRules(e, plan, w.writeAt); err != nil {
		var re *emitter.RunError
		if errors.As(err, &re) {
			// The documents of the matches before it are out.
			if ferr := w.flush(); ferr != nil {
				fmt.Fprintf(stderr, "emit: %v\n", ferr)
			}
		}
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return closeOut(exitFail, stderr)
	}
	if err := mlr.each(e, plan, w.writeAt); err != nil {
		w.flush()
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return closeOut(exitFail, stderr)
	}
	if err := w.flush(); err != nil {
		fmt.Fprintf(stderr, "emit: %v\n", err)
		return closeOut(exitFail, stderr)
	}
	if !f.quiet {
		fmt.Fprint(stderr, mlr.summary(true))
	}
	if f.rules.active() && f.format == "bulk" && f.index == "" {
		m.notef("documents went to %s", w.summary())
	}
	return closeOut(exitOK, stderr)
}

// parseFlags parses args; --help (or -h) prints usage and the flags to
// stdout and reports help. pflag itself prints nothing: the caller words
// errors.
func parseFlags(fs *pflag.FlagSet, args []string, usage string, stdout io.Writer) (help bool, err error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	err = fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return true, nil
	}
	return false, err
}

// addRules loads, selects and adds the rules. A rule that cannot be
// generated is skipped (the skipped ones are summarised by reason); the
// others still run.
func addRules(e *emitter.Emitter, rf *ruleFlags, mf *mlFlags, opts emitter.Options, sch schemas, m *messages) (*mlRun, int) {
	rf.prefetch(sch.integrations != nil)
	selected, problems, err := rf.load(m)
	if err != nil {
		m.errorf("%v", err)
		return nil, exitFail
	}
	rs, err := rf.schemas(sch.base, sch.integrations, m)
	if err != nil {
		m.errorf("%v", err)
		return nil, exitFail
	}
	added := 0
	var skip skipped
	var mls []*rules.Rule
	if mf != nil {
		selected, mls = splitML(selected)
	}
	var mlr *mlRun
	if len(mls) > 0 {
		cat, ok := rf.mlJobs(m)
		if !ok {
			return nil, exitFail
		}
		mo, err := mf.options(opts, rs)
		if err != nil {
			m.errorf("%v", err)
			return nil, exitFail
		}
		mo.Emitter.Population = e.Population()
		mlr = planML(mls, cat, mo, mf.records, &skip, m)
		added += len(mlr.plans)
	}
	for _, r := range selected {
		src, err := e.AddRuleWith(r, rs)
		if err != nil {
			skip.add(skipReason(err), ruleLabel(r)+": "+describeError(err))
			continue
		}
		added++
		ws := src.Warnings()
		switch {
		case len(ws) == 0:
		case m.verbose || len(ws) == 1:
			for _, w := range ws {
				m.warnf("rule %s: %s", ruleLabel(r), w)
			}
		default:
			m.warnf("rule %s: %d dead alternatives, the first: %s (--verbose lists them)", ruleLabel(r), len(ws), ws[0])
		}
	}
	if err := rs.Err(); err != nil {
		m.warnf("%v: rules are typed without their integrations' fields", err)
	}
	skip.report(m)
	if added == 0 {
		m.errorf("no rule to generate documents for (%d selected, %d input problems)", len(selected)+len(mls), len(problems))
		return nil, exitFail
	}
	return mlr, exitOK
}

// skipReason is the reason a rule is skipped for, as the summary groups
// them: the unsupported type or language ("unsupported esql"), else the
// kind of problem.
func skipReason(err error) string {
	status, reason := check.Classify(err)
	var qu *query.UnsupportedError
	switch {
	case errors.As(err, &qu):
		return "unsupported " + reason
	case status == check.Unsupported:
		return "unsupported query construct"
	case status == check.ParseError:
		return "syntax error"
	}
	return string(status)
}

// schemas are the field types of the --schema flags: the base schema of
// rules, the integration schemas file among them (nil if none), and the
// schema of --query queries (base with every integration's fields).
type schemas struct {
	base         *schema.Schema
	integrations *schema.Integrations
}

// loadSchemas reads the --schema files over the default: later ones
// override earlier ones; an integration schemas file is kept apart (the
// last one given), for rules to take their own integration's fields.
func loadSchemas(paths []string) (schemas, error) {
	out := schemas{base: schema.Default()}
	for _, p := range paths {
		s, ig, err := schema.Open(p)
		if err != nil {
			return out, err
		}
		if ig != nil {
			out.integrations = ig
			continue
		}
		out.base.Merge(s)
	}
	return out, nil
}

// emitterOptions reads the flags every command shares. The emitter's
// schema (for --query queries) is the base schema, completed with every
// integration's fields when an integration schemas file is given and
// queries need it.
func emitterOptions(fs *pflag.FlagSet, paths []string, wf *windowFlags, seed uint64, strict, queries bool) (emitter.Options, schemas, error) {
	opts := emitter.Options{Seed: seed, Strict: strict}
	if !fs.Changed("seed") {
		opts.Seed = uint64(time.Now().UnixNano())
	}
	if wf != nil {
		if err := wf.apply(&opts, time.Now().UTC()); err != nil {
			return opts, schemas{}, err
		}
	}
	sch, err := loadSchemas(paths)
	if err != nil {
		return opts, sch, err
	}
	opts.Schema = sch.base
	if sch.integrations != nil && queries {
		all, err := sch.integrations.All()
		if err != nil {
			return opts, sch, err
		}
		opts.Schema = sch.base.Clone()
		opts.Schema.Fill(all)
	}
	return opts, sch, nil
}

// describeError renders a query error for humans, classified as emit
// check classifies it: syntax errors with the source line and a caret.
// Callers put their prefix ("emit: ") before it.
func describeError(err error) string {
	if status, _ := check.Classify(err); status == check.ParseError {
		var pe *source.Error
		if errors.As(err, &pe) {
			return "syntax error: " + pe.Detail()
		}
		return "syntax error: " + err.Error()
	}
	return err.Error()
}

// openOutput opens -o FILE or returns stdout. The returned closer closes
// the file and turns a close error into a failure.
func openOutput(name string, stdout io.Writer) (io.Writer, func(int, io.Writer) int, error) {
	if name == "" || name == "-" {
		return stdout, func(code int, _ io.Writer) int { return code }, nil
	}
	file, err := os.Create(name)
	if err != nil {
		return nil, nil, err
	}
	return file, func(code int, stderr io.Writer) int {
		if err := file.Close(); err != nil {
			fmt.Fprintf(stderr, "emit: %v\n", err)
			return exitFail
		}
		return code
	}, nil
}

// docWriter buffers whole documents (never a partial line) and writes them
// as NDJSON or as _bulk action and source pairs, counting the documents of
// each index.
type docWriter struct {
	w    io.Writer
	bulk bool
	buf  []byte
	// id gives the _id of the seq-th document (1-based) of a data stream.
	id     func(seq int64, body []byte) string
	seq    int64
	action map[string]bulkAction
	count  map[string]int
}

// bulkAction is the action line of an index: "index" for an index,
// "create" for a data stream (which takes no other op type).
type bulkAction struct {
	create bool
	index  []byte // the JSON-quoted index name
}

func newDocWriter(w io.Writer, format string, id func(seq int64, body []byte) string) *docWriter {
	return &docWriter{w: w, bulk: format == "bulk", buf: make([]byte, 0, 1<<16), id: id,
		action: map[string]bulkAction{}, count: map[string]int{}}
}

// writeAt writes docs, the first of which is the seq-th (1-based)
// document of the run.
func (d *docWriter) writeAt(docs []emitter.Document, seq int64) error {
	d.seq = seq - 1
	return d.write(docs)
}

func (d *docWriter) write(docs []emitter.Document) error {
	for _, doc := range docs {
		d.seq++
		d.count[doc.Index]++
		if d.bulk {
			a, ok := d.action[doc.Index]
			if !ok {
				ix, _ := json.Marshal(doc.Index)
				// The sink's decision: data stream names get op_type create.
				a = bulkAction{create: es.LooksLikeDataStream(doc.Index), index: ix}
				d.action[doc.Index] = a
			}
			if a.create {
				d.buf = append(d.buf, `{"create":{"_index":`...)
				d.buf = append(d.buf, a.index...)
				if id := d.id(d.seq, doc.Source); id != "" {
					qid, _ := json.Marshal(id)
					d.buf = append(d.buf, `,"_id":`...)
					d.buf = append(d.buf, qid...)
				}
				d.buf = append(d.buf, "}}\n"...)
			} else {
				d.buf = append(d.buf, `{"index":{"_index":`...)
				d.buf = append(d.buf, a.index...)
				d.buf = append(d.buf, "}}\n"...)
			}
		}
		d.buf = append(d.buf, doc.Source...)
		d.buf = append(d.buf, '\n')
	}
	if len(d.buf) >= 1<<16 {
		return d.flush()
	}
	return nil
}

// summary names the indices written to, with how many documents each got.
func (d *docWriter) summary() string {
	order := make([]string, 0, len(d.count))
	for ix := range d.count {
		order = append(order, ix)
	}
	sort.Strings(order)
	parts := make([]string, len(order))
	for i, ix := range order {
		parts[i] = fmt.Sprintf("%s (%d)", ix, d.count[ix])
	}
	if len(parts) == 0 {
		return "no index (no documents)"
	}
	return strings.Join(parts, ", ")
}

func (d *docWriter) flush() error {
	if len(d.buf) == 0 {
		return nil
	}
	_, err := d.w.Write(d.buf)
	d.buf = d.buf[:0]
	return err
}
