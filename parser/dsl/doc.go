// Package dsl reads Elasticsearch Query DSL clauses, as Kibana filters and
// ML datafeeds carry them: it lowers them to constraint formulas for the
// solver (Lower, Query.Expr) and evaluates them against documents with
// Elasticsearch's semantics (Query.Match, Query.Eval). What a Kibana filter
// adds around its clause (negate, disabled) is package query's.
//
// Supported clauses, in their short ({"term": {"f": "v"}}) and long
// ({"term": {"f": {"value": "v", "case_insensitive": true}}}) forms: term,
// terms, match, match_phrase, exists, range, wildcard, prefix, regexp,
// query_string (its query read, lowered and evaluated by package
// parser/lucene, with the parameters that change matching: default_field,
// fields, default_operator, analyze_wildcard, allow_leading_wildcard,
// lenient, phrase_slop, fuzziness, fuzzy_prefix_length,
// fuzzy_transpositions), bool, match_all, match_none, nested,
// constant_score, dis_max and boosting. Other clauses (script, ...) are
// reported as
// *constraint.UnsupportedError naming the clause; malformed clauses, which
// Elasticsearch would reject, as *Error with the JSON path of the fault.
//
// The evaluator shares no code with the solver: it proves the solver's
// documents right.
package dsl
