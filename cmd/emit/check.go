package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
)

const checkUsage = `emit check tells, rule by rule (or query by query), whether documents can
ever match: ok (documents were generated and the query's own evaluator accepted
them), unsolvable (with the field and the conflict), parse error (with
line:col), or unsupported (the rule type or language). Dead alternatives and
fields unknown to the schema are warnings; --strict makes dead alternatives
errors and fails on unsupported rules.

Usage:
  emit check --rules <package.zip|dir|file> [selectors] [flags]
  emit check --query QUERY [flags]

Examples:
  emit check --rules ./detection-rules --schema ecs-v9.5.0.tar.gz --non-ecs non-ecs-schema.json
  emit check --rules security_detection_engine-8.2.1.zip --tags 'OS: Windows' --format markdown
  emit check --query 'destination.port < 1024 and destination.port > 1024'
  emit check --rules ./detection-rules --type machine_learning --ml-jobs ./ml-jobs

Exit status: 0 when every checked rule is ok or unsupported, 1 when any is
unsolvable or fails to parse (with --strict also unsupported), 2 on bad usage
or unreadable input.

Flags:
`

func runCheck(args []string, stdout, stderr io.Writer) int {
	var (
		queries  []string
		language string
		schemas  []string
		strict   bool
		format   string
		quiet    bool
		maxGroup int
		matches  int
		rf       ruleFlags
		mlVol    mlFlags
	)
	fs := pflag.NewFlagSet("emit check", pflag.ContinueOnError)
	fs.StringArrayVarP(&queries, "query", "q", nil, "a KQL, EQL, Lucene or ES|QL query (repeatable)")
	fs.StringVar(&language, "language", "", "the queries' language: kql, eql, lucene, dsl or esql (default: guess)")
	fs.StringArrayVar(&schemas, "schema", nil, "field types (as for emit; repeatable); also turns on unknown-field warnings")
	fs.BoolVar(&strict, "strict", false, "dead alternatives are errors, and unsupported rules fail the check")
	fs.StringVar(&format, "format", "text", "report format: text, markdown or json (one object per rule and line)")
	fs.BoolVar(&quiet, "quiet", false, "no warnings or notes on stderr (selectors that match nothing, schemas found); the report still lists every rule's warnings")
	fs.IntVar(&maxGroup, "max-group", emitter.DefaultMaxGroup, "the most documents one match of an ES|QL query that aggregates may take")
	fs.IntVar(&matches, "matches", check.DefaultMatches, "matches drawn per rule, each judged by the rule's own evaluator: more draw more of each rule's alternatives and values")
	rf.register(fs)
	mlVol.registerVolume(fs)
	if help, err := parseFlags(fs, args, checkUsage, stdout); help || err != nil {
		if err != nil {
			fmt.Fprintf(stderr, "emit check: %v (see emit check --help)\n", err)
			return exitUsage
		}
		return exitOK
	}
	m := &messages{w: stderr, prog: "emit check", quiet: quiet}
	if (len(queries) == 0 && !rf.active()) || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "emit check: give --rules or --query (see emit check --help)")
		return exitUsage
	}
	if maxGroup < 1 {
		fmt.Fprintln(stderr, "emit check: --max-group must be at least 1")
		return exitUsage
	}
	if matches < 1 {
		fmt.Fprintln(stderr, "emit check: --matches must be at least 1")
		return exitUsage
	}
	if err := mlVol.checkVolume(); err != nil {
		fmt.Fprintf(stderr, "emit check: %v\n", err)
		return exitUsage
	}
	write, ok := map[string]func(io.Writer, []check.Result) error{
		"text": check.WriteText, "markdown": check.WriteMarkdown, "json": check.WriteJSON,
	}[format]
	if !ok {
		fmt.Fprintf(stderr, "emit check: unknown --format %q (want text, markdown or json)\n", format)
		return exitUsage
	}
	opts, sch, err := emitterOptions(fs, schemas, nil, 1, strict, len(queries) > 0)
	if err != nil {
		fmt.Fprintf(stderr, "emit check: %v\n", err)
		return exitUsage
	}
	copts := check.Options{Strict: strict, UnknownFields: len(schemas) > 0, Now: opts.End, QuerySchema: opts.Schema, MaxGroup: maxGroup, Matches: matches,
		MLDensity: mlVol.density, MLAnomalies: mlVol.anomalies}
	var results []check.Result
	loadFailed := false
	if rf.active() {
		rf.prefetch(sch.integrations != nil)
		selected, problems, err := rf.load(m)
		if err != nil {
			fmt.Fprintf(stderr, "emit check: %v\n", err)
			return exitUsage
		}
		rs, err := rf.schemas(sch.base, sch.integrations, m)
		if err != nil {
			fmt.Fprintf(stderr, "emit check: %v\n", err)
			return exitUsage
		}
		copts.Schemas = rs
		cat, ok := rf.mlJobs(m)
		if !ok {
			return exitUsage
		}
		copts.MLJobs = cat
		loadFailed = len(problems) > 0
		results = check.Rules(selected, copts)
		if err := rs.Err(); err != nil {
			m.warnf("%v: rules were typed without their integrations' fields", err)
		}
	}
	lang, err := query.ParseLanguage(language)
	if err != nil {
		fmt.Fprintf(stderr, "emit check: --language: %v\n", err)
		return exitUsage
	}
	for _, q := range queries {
		results = append(results, check.Query(q, lang, copts))
	}
	if err := write(stdout, results); err != nil {
		fmt.Fprintf(stderr, "emit check: %v\n", err)
		return exitUsage
	}
	switch {
	case loadFailed:
		return exitUsage
	case check.Failing(results, strict):
		return exitFail
	}
	return exitOK
}
