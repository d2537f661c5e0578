// Package eql parses Elasticsearch's Event Query Language (EQL) into a
// syntax tree, prints it back as canonical EQL, lowers it to constraints
// (package constraint) and evaluates it against JSON documents.
//
// # Dialect
//
// The grammar follows Elasticsearch's EqlBase.g4:
//
//   - event queries "category where condition", "any where ...", quoted
//     categories ("my-category" where ...);
//   - fields with dots, backtick-quoted parts (`my-field`.x, `a“b`),
//     optional fields ?field;
//   - strings "..." with the escapes \" \\ \' \t \n \r \b \f and
//     \u{XX..XXXXXXXX}, raw strings """...""" (neither spans lines, as in
//     Elasticsearch); integers, decimals (1.5, .5, 1e3), true, false, null;
//   - comparisons == != < <= > >=, ":" (case-insensitive, with * and ?
//     wildcards), like, like~, regex, regex~ (each with one pattern or a
//     parenthesized list), in, in~, not in, not in~, and, or, not,
//     arithmetic + - * / % and unary minus;
//   - the functions add, between, cidrMatch, concat, divide, endsWith,
//     indexOf, length, modulo, multiply, number, startsWith, string,
//     stringContains, substring, subtract and wildcard, with any spelling of
//     their names (startsWith, startswith) and the "~" case-insensitive
//     variants where Elasticsearch has them;
//   - sequence [by keys] [with maxspan=N(ms|s|m|h|d)] [...] [by keys] [with
//     runs=N] ... ![...] (missing events) [until [...]]; sample [by keys]
//     [...] [...]; the pipes "| head N" and "| tail N";
//   - "//" and nested "/* */" comments.
//
// Keywords are lower-case, as in Elasticsearch ("AND" is a field name);
// function names are case-insensitive. What Elasticsearch rejects when it
// builds a query is rejected by Parse with a *source.Error: unknown
// functions and wrong argument counts, maxspan without a unit, runs outside
// 1..100, a sequence of one query, missing events without maxspan, unequal
// numbers of join keys, "join", process relationships ("child of"), array
// indexes, and the pipes other than head and tail.
//
// # Evaluation
//
// MatchEvent and Match follow Elasticsearch's semantics: see the comments
// of the evaluator (eval.go) and of Match. In short, an atom (comparison,
// list, pattern, function call) holds when some value of a multi-valued
// field satisfies it and is false on a missing field; not, != and not in
// negate it (so "f != 1" holds when f is missing), as Elasticsearch's
// bool must_not does; == and like are case-sensitive, ":" and the "~"
// forms case-insensitive. Strings functions count Unicode code points
// (Elasticsearch counts UTF-16 units; the two differ only outside the
// Basic Multilingual Plane). Regular expressions use Lucene's syntax
// (package es/regexp, matched by internal/esvalue).
package eql
