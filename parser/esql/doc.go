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
package esql
