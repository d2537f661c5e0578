package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/scenario"
	"github.com/emit-sec/emit/sink/es"
	"github.com/emit-sec/emit/telemetry"
)

const scenarioUsage = `emit scenario generates a realistic dataset over time: entities, their
streams of events in sessions, and labelled injections (impossible travel,
brute force, password spray, rare processes, anomalous command sequences,
rule matches), in time order.

Usage:
  emit scenario --list                 the built-in scenarios
  emit scenario NAME [flags]           run a built-in scenario
  emit scenario FILE.yaml [flags]      run a scenario file
  emit scenario NAME --show            print a built-in scenario's file (to start your own)

Examples:
  emit scenario entra-signins --seed 1 --span 30d --users 200 -o signins.ndjson
  emit scenario windows-auth --es-url http://localhost:9200 --create-index
  emit scenario rule-haystack --rules security_detection_engine-8.2.1.zip --tags 'OS: Windows'
  emit scenario exchange-admin-sessions --mappings

Flags:
`

type scenarioFlags struct {
	list, show bool
	seed       uint64
	start, end string
	span       string
	users      int
	hosts      int
	count      int64
	labelField string
	output     string
	format     string
	mappings   bool
	schemas    []string
	rules      ruleFlags
	es         esFlags
	stats      bool
	quiet      bool
	verbose    bool
}

func runScenario(args []string, stdout, stderr io.Writer) int {
	var f scenarioFlags
	fs := pflag.NewFlagSet("emit scenario", pflag.ContinueOnError)
	fs.BoolVar(&f.list, "list", false, "list the built-in scenarios")
	fs.BoolVar(&f.show, "show", false, "print the scenario's file instead of running it")
	fs.Uint64Var(&f.seed, "seed", 0, "random seed: the same seed, window and inputs give byte-identical output (default: random)")
	fs.StringVar(&f.start, "start", "", "the start of the window: RFC 3339 or date math such as now-30d (default: --end less --span)")
	fs.StringVar(&f.end, "end", "", "the end of the window: RFC 3339 or date math (default: now; no document lies after it)")
	fs.StringVar(&f.span, "span", "", "the window's length when --start is not given, ending at --end: 90m, 12h, 30d, 2w (default: the scenario's span)")
	fs.IntVar(&f.users, "users", 0, "how many users each set of people has (default: the scenario's count)")
	fs.IntVar(&f.hosts, "hosts", 0, "how many hosts each set of hosts has (default: the scenario's count)")
	fs.Int64VarP(&f.count, "count", "n", 0, "stop after this many documents (default: all of the window)")
	fs.StringVar(&f.labelField, "label-field", "", "put the labels of injected documents under this field (default: the scenario's labels.field)")
	fs.StringVarP(&f.output, "output", "o", "", "write to this file instead of stdout")
	fs.StringVar(&f.format, "format", "ndjson", "output format: ndjson, or bulk (Elasticsearch _bulk action and source lines)")
	fs.BoolVar(&f.mappings, "mappings", false, "print the mappings of the scenario's indices instead of documents")
	fs.StringArrayVar(&f.schemas, "schema", nil, "field types: ECS release .tar.gz, ecs_flat.yml, flat JSON(.gz) or non-ecs-schema.json (repeatable)")
	fs.BoolVar(&f.stats, "stats", true, "print what was made (documents, injections) on stderr at the end")
	fs.BoolVar(&f.quiet, "quiet", false, "no warnings, notes or statistics on stderr; errors still")
	fs.BoolVar(&f.verbose, "verbose", false, "list every skipped rule with its reason, and the warnings of every rule")
	f.rules.register(fs)
	f.es.register(fs)
	if help, err := parseFlags(fs, args, scenarioUsage, stdout); help || err != nil {
		if err != nil {
			fmt.Fprintf(stderr, "emit scenario: %v (see emit scenario --help)\n", err)
			return exitFail
		}
		return exitOK
	}
	if f.list {
		bs, err := scenario.Builtins()
		if err != nil {
			fmt.Fprintf(stderr, "emit scenario: %v\n", err)
			return exitFail
		}
		for _, b := range bs {
			fmt.Fprintf(stdout, "%-24s %s\n", b.Name, b.Description)
		}
		return exitOK
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "emit scenario: give one scenario: a built-in's name (see --list) or a file")
		return exitFail
	}
	name := fs.Arg(0)
	if f.show {
		data, err := scenarioText(name)
		if err != nil {
			fmt.Fprintf(stderr, "emit scenario: %v\n", err)
			return exitFail
		}
		_, err = stdout.Write(data)
		if err != nil {
			fmt.Fprintf(stderr, "emit scenario: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	sc, err := loadScenario(name)
	if err != nil {
		fmt.Fprintln(stderr, scenarioError(err))
		return exitFail
	}
	if f.format != "ndjson" && f.format != "bulk" {
		fmt.Fprintf(stderr, "emit scenario: unknown --format %q (want ndjson or bulk)\n", f.format)
		return exitFail
	}
	if f.users < 0 || f.hosts < 0 || f.count < 0 {
		fmt.Fprintln(stderr, "emit scenario: --users, --hosts and --count must not be negative")
		return exitFail
	}
	f.es.replicasSet = fs.Changed("replicas")
	if f.es.active() && (f.output != "" || fs.Changed("format")) {
		fmt.Fprintln(stderr, "emit scenario: documents go to Elasticsearch or to --output/--format, not both")
		return exitFail
	}
	for _, es := range sc.Entities {
		switch {
		case es.Kind == "host" && f.hosts > 0:
			es.Count = f.hosts
		case es.Kind == "user" && !es.Service && f.users > 0:
			es.Count = f.users
		}
	}
	m := &messages{w: stderr, prog: "emit scenario", quiet: f.quiet, verbose: f.verbose}
	opts, sch, err := emitterOptions(fs, f.schemas, nil, f.seed, false, true)
	if err != nil {
		fmt.Fprintf(stderr, "emit scenario: %v\n", err)
		return exitFail
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	cfg := scenario.Config{Seed: opts.Seed, LabelField: f.labelField}
	if cfg.End, err = windowTime("--end", f.end, now, now); err != nil {
		fmt.Fprintf(stderr, "emit scenario: %v\n", err)
		return exitFail
	}
	if f.start != "" {
		if cfg.Start, err = windowTime("--start", f.start, cfg.End, cfg.End); err != nil {
			fmt.Fprintf(stderr, "emit scenario: %v\n", err)
			return exitFail
		}
		if f.span != "" {
			fmt.Fprintln(stderr, "emit scenario: --start and --span exclude each other")
			return exitFail
		}
	} else if f.span != "" {
		d, err := scenario.ParseDuration(f.span)
		if err != nil || d <= 0 {
			fmt.Fprintf(stderr, "emit scenario: --span: want a positive duration such as 12h or 30d\n")
			return exitFail
		}
		cfg.Start = cfg.End.Add(-d)
	}
	if !cfg.Start.IsZero() && !cfg.Start.Before(cfg.End) {
		fmt.Fprintf(stderr, "emit scenario: --start %s is not before --end %s\n", date.Format(cfg.Start), date.Format(cfg.End))
		return exitFail
	}
	opts.Schema = sc.Schema(opts.Schema)
	opts.End = cfg.End
	opts.Start = cfg.Start
	if opts.Start.IsZero() {
		opts.Start = cfg.End.Add(-sc.Span)
	}
	opts.Population = sc.Population(telemetry.Default(), opts.Seed)
	e := emitter.New(opts)
	if f.rules.active() {
		// Scenarios take rules' matches; ML rules' baselines are emit's.
		if _, code := addRules(e, &f.rules, nil, opts, sch, m); code != exitOK {
			return code
		}
	}
	run, err := scenario.New(sc, e, cfg)
	if err != nil {
		fmt.Fprintln(stderr, scenarioError(err))
		return exitFail
	}
	if f.mappings {
		return printMappings(run, f.output, stdout, stderr)
	}
	produce := func(fn func(docs []emitter.Document, seq int64) error) error {
		var n int64
		one := make([]emitter.Document, 1)
		err := run.Run(func(d emitter.Document) error {
			if f.count > 0 && n >= f.count {
				return errStop
			}
			n++
			one[0] = d
			return fn(one, n)
		})
		if errors.Is(err, errStop) {
			return nil
		}
		return err
	}
	defer func() {
		for _, w := range run.Warnings() {
			m.warnf("%s", w)
		}
		if f.stats && !f.quiet {
			fmt.Fprintln(stderr, statsLine(run.Stats()))
		}
	}()
	if f.es.active() {
		var tgts []es.Target
		for _, ix := range run.Indices() {
			m, err := run.Mappings(ix)
			if err != nil {
				fmt.Fprintf(stderr, "emit scenario: mappings of %s: %v\n", ix, err)
				return exitFail
			}
			tgts = append(tgts, es.Target{Index: ix, Mappings: m, Create: f.es.createIndex})
		}
		return sendES(tgts, &f.es, 0, opts.Seed, stderr, produce)
	}
	out, closeOut, err := openOutput(f.output, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "emit scenario: %v\n", err)
		return exitFail
	}
	w := newDocWriter(out, f.format, func(seq int64, body []byte) string { return f.es.docID(opts.Seed, seq, body) })
	if err := produce(w.writeAt); err != nil {
		w.flush()
		fmt.Fprintf(stderr, "emit scenario: %v\n", err)
		return closeOut(exitFail, stderr)
	}
	if err := w.flush(); err != nil {
		fmt.Fprintf(stderr, "emit scenario: %v\n", err)
		return closeOut(exitFail, stderr)
	}
	return closeOut(exitOK, stderr)
}

var errStop = errors.New("enough documents")

// loadScenario reads a scenario file, or a built-in one by name.
func loadScenario(name string) (*scenario.Scenario, error) {
	if isFile(name) {
		return scenario.Load(name)
	}
	return scenario.LoadBuiltin(name)
}

func scenarioText(name string) ([]byte, error) {
	if isFile(name) {
		return os.ReadFile(name)
	}
	return scenario.BuiltinText(name)
}

// isFile tells a scenario file from a built-in's name: a path, or a name
// ending in .yaml or .yml.
func isFile(name string) bool {
	return strings.ContainsAny(name, `/\`) || strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// scenarioError renders a scenario's errors with their carets.
func scenarioError(err error) string {
	var es scenario.Errors
	if errors.As(err, &es) {
		lines := strings.Split(es.Detail(), "\n")
		for i, l := range lines {
			if !strings.HasPrefix(l, "  ") {
				lines[i] = "emit scenario: " + l
			}
		}
		return strings.Join(lines, "\n")
	}
	return "emit scenario: " + err.Error()
}

func windowTime(flag, s string, now, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	t, err := readTime(s, now)
	if err != nil {
		return t, fmt.Errorf("%s: %w", flag, err)
	}
	return t, nil
}

// printMappings prints the mappings of the run's one index, or an object
// of them by index name when there are several.
func printMappings(run *scenario.Runner, output string, stdout, stderr io.Writer) int {
	out, closeOut, err := openOutput(output, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "emit scenario: %v\n", err)
		return exitFail
	}
	ixs := run.Indices()
	var b []byte
	if len(ixs) > 1 {
		b = append(b, '{')
	}
	for i, ix := range ixs {
		m, err := run.Mappings(ix)
		if err != nil {
			fmt.Fprintf(stderr, "emit scenario: mappings of %s: %v\n", ix, err)
			return closeOut(exitFail, stderr)
		}
		if len(ixs) > 1 {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, jsonString(ix)...)
			b = append(b, ':')
		}
		b = append(b, m...)
	}
	if len(ixs) > 1 {
		b = append(b, '}')
	}
	if _, err := out.Write(append(b, '\n')); err != nil {
		fmt.Fprintf(stderr, "emit scenario: %v\n", err)
		return closeOut(exitFail, stderr)
	}
	return closeOut(exitOK, stderr)
}

func jsonString(s string) []byte {
	b := []byte{'"'}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, fmt.Sprintf(`\u%04x`, r)...)
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}

// statsLine says what a run made.
func statsLine(s scenario.Stats) string {
	var b strings.Builder
	plural := "s"
	if s.Documents == 1 {
		plural = ""
	}
	fmt.Fprintf(&b, "emit scenario: %d document%s: %d background", s.Documents, plural, s.Background)
	names := make([]string, 0, len(s.Instances))
	for n := range s.Instances {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, ", %s: %d (%d documents)", n, s.Instances[n], s.Injected[n])
	}
	return b.String()
}
