// Package esql parses Elasticsearch's piped query language, ES|QL, into a
// typed syntax tree whose nodes know where they were written
// (source.Loc) and print back as ES|QL.
//
// # Dialect
//
// The grammar follows Elasticsearch's EsqlBaseLexer.g4 and
// EsqlBaseParser.g4 (with their Expression, Join and per-command lexer
// parts). Like Elasticsearch's, the lexer is stateful: what a character
// means depends on the command it is in. Keywords and command names are
// matched in any case.
//
// Source commands:
//
//   - FROM and TS: index patterns (logs-*, logs-endpoint.events.*,
//     -excluded, remote:logs-*, logs-*::failures, <logs-{now/d}>, or a
//     quoted "pattern,pattern"), METADATA _id, _index, _version, _ignored,
//     _index_mode, _score, _source;
//   - ROW a = 1, b = "x"; SHOW INFO.
//
// Processing commands: WHERE; EVAL; STATS aggs [BY groups], with named
// aggregates (n = COUNT(*)) and filtered aggregates (COUNT(*) WHERE cond);
// INLINE STATS (also INLINESTATS); KEEP and DROP name patterns (host.*,
// `my field`, *); RENAME old AS new (or new = old); SORT key [ASC|DESC]
// [NULLS FIRST|LAST]; LIMIT n; MV_EXPAND field; DISSECT expr "pattern"
// [APPEND_SEPARATOR = "sep"]; GROK expr "pattern"[, "pattern"...];
// ENRICH [_any:|_coordinator:|_remote:]policy [ON field] [WITH [name =]
// field, ...]; LOOKUP JOIN index ON field, ... (or comparisons);
// CHANGE_POINT value [ON key] [AS type, pvalue]; COMPLETION [target =]
// prompt WITH {map}; RERANK [target =] query ON fields [WITH {map}];
// SAMPLE probability; FORK (pipeline) (pipeline) ... (2 to 8 branches).
//
// Expressions: AND, OR, NOT (which applies to a whole predicate: NOT a IN
// (1) is NOT (a IN (1))); comparisons == != < <= > >= (not chained);
// arithmetic + - * / % and unary minus; [NOT] IN (list); [NOT] LIKE and
// [NOT] RLIKE with one string pattern or a parenthesized list; IS [NOT]
// NULL; the match operator field : "query" (also field::type : "query");
// casts x::type (type names and aliases: boolean/bool, integer/int, long,
// double, keyword/string, text, datetime/date, date_nanos, ip, version,
// ...); function calls, their names in any case and resolved through
// aliases (to_str is to_string), COUNT(*), and a trailing map of named
// options ({"boost": 1.5}); literals: null, true, false, integers (long
// when beyond 32 bits, unsigned_long beyond 63, double beyond that),
// decimals (1.5, .5, 1., 1e3), strings "..." (escapes \t \n \r \" \\) and
// """...""" (raw), multi-valued constants [1, 2], time spans (1 hour, 15
// minutes, 1d, 500ms: a time_duration up to hours, a date_period from days
// on); parameters ?, ?1 and ?name; field names with dots, backquotes
// (`my field`, a backquote doubled inside) and @timestamp; "//" and nested
// "/* */" comments. After a dot, a keyword is a name part
// (source.as.number).
//
// # Errors
//
// Parse returns a *source.Error (Lang "esql") with the line and column of
// the offending spot and a message that says what was expected, for
// syntax errors and for what Elasticsearch rejects when it builds a query:
// unknown commands, functions, cast types, time units and metadata fields;
// wrong argument counts (after the function reference); aggregate
// functions outside the aggregates of STATS, or nested; grouping functions
// outside STATS; STATS without aggregates or groups; LIMIT that is not a
// non-negative integer; SAMPLE outside (0, 1); invalid DISSECT options,
// ENRICH qualifiers and index selectors; FORK with fewer than 2 or more
// than 8 branches, or nested.
//
// Not checked here (a later stage's work): types, field existence, the
// syntax of DISSECT, GROK, LIKE and RLIKE patterns, and index names.
// Not parsed: SET, EXPLAIN, FUSE, FROM subqueries, the commands
// Elasticsearch has only in development builds (INSIST, MMR, LEFT JOIN,
// ...), double parameters (??), and parameters in place of names (KEEP
// ?field).
//
// LooksLikeESQL tells whether a text starts as an ES|QL query, for
// guessing the language of a query.
//
// # Printing
//
// Query.String and the String methods of the nodes print canonical ES|QL:
// commands and keywords in upper case, one line, the minimal parentheses
// (plus those around an AND inside an OR). Parsing the printed form gives
// the same tree.
//
// # Evaluation
//
// Run (and Execute, which also returns the columns and warnings) runs a
// query over JSON documents as Elasticsearch would over the same documents
// indexed with the mappings RunOptions.Types gives, and returns its rows.
// It is independent of the solver: it judges the documents the solver
// generates. What it follows:
//
//   - FROM keeps the documents whose index (RunOptions.Indices) its
//     patterns select: "*" wildcards, comma lists, "-x" exclusions applied
//     in order, cluster prefixes ignored, hidden (".") indices only by a
//     pattern starting with ".", backing indices by their data stream.
//     Its columns are the fields the documents hold and the fields the
//     query reads, read as ES|QL reads them: keyword values sorted and
//     deduplicated (doc values), numbers, dates, booleans and addresses
//     sorted, text in source order, values the mapping cannot hold left
//     out, an unmapped field typed by dynamic mapping. METADATA _id,
//     _index, _version, _source, _index_mode, _score, _ignored.
//   - NULL is three-valued: a comparison or function of null is null,
//     WHERE keeps only true rows, NOT null is null. A multi-valued value in
//     a comparison, IN, LIKE or a single-value function is null with a
//     warning; the MV_ functions, the conversions, TO_LOWER/TO_UPPER,
//     COALESCE and CASE's values take multi-values; aggregates take every
//     value; STATS ... BY puts a row in a group per value of a
//     multi-valued key, and null keys in a null group.
//   - LIKE (* and ?) and RLIKE (Lucene regular expressions through
//     es/regexp and internal/esvalue) match whole values, case-sensitively.
//     REPLACE takes Java regular expressions and GROK Oniguruma ones; both
//     run on a backtracking engine (regexp2) after a translation of what
//     its syntax writes differently (eval_regex.go). GROK's named patterns
//     are those of etc/grok-patterns.
//   - Commands: FROM, ROW, WHERE, EVAL, STATS and INLINE STATS (with
//     filtered aggregates and expressions over aggregates), KEEP, DROP,
//     RENAME, SORT, LIMIT (1000 rows without one, at most 10000), MV_EXPAND,
//     DISSECT, GROK, FORK. ENRICH, LOOKUP JOIN, COMPLETION, RERANK,
//     CHANGE_POINT, SAMPLE, TS and SHOW are unsupported (*RunError with
//     Unsupported): they need enrich or lookup indices, inference
//     endpoints, randomness or time-series indices.
//   - Functions: evaluates reports which; the others (QSTR, KNN, CHUNK,
//     CATEGORIZE, SAMPLE, DATE_FORMAT and DATE_PARSE with a custom Java
//     pattern, BUCKET with a bucket count, the time-series aggregates) are
//     unsupported with the reason. KQL() runs the query on the row's
//     document with the KQL evaluator RunOptions.KQL gives (parser/kql's,
//     which package esql may not import: it is a language of the same
//     layer).
//
// Errors are *RunError values that point into the query: what
// Elasticsearch rejects when it plans the query (an unknown column, a type
// mismatch, an invalid pattern) and what the evaluator does not evaluate
// (Unsupported, which errors.Is matches to constraint.ErrUnsupported).
// What Elasticsearch reports as warnings and null results (an overflow, a
// value a conversion cannot read) are Warnings, passed to RunOptions.Warn.
package esql
