// Package dsl reads Elasticsearch Query DSL clauses, as Kibana filters and
// ML datafeeds carry them: it lowers them to constraint formulas for the
// solver (Lower, Query.Expr) and evaluates them against documents with
// Elasticsearch's semantics (Query.Match, Query.Eval). What a Kibana filter
// adds around its clause (negate, disabled) is package query's.
//
// Supported clauses, in their short ({"term": {"f": "v"}}) and long
// ({"term": {"f": {"value": "v", "case_insensitive": true}}}) forms: term,
// terms, match, match_phrase, exists, range, wildcard, prefix, regexp,
// bool, match_all, match_none, nested, constant_score, dis_max and
// boosting. Other clauses (query_string, script, ...) are reported as
// *constraint.UnsupportedError naming the clause; malformed clauses, which
// Elasticsearch would reject, as *Error with the JSON path of the fault.
//
// The evaluator shares no code with the solver: it proves the solver's
// documents right.
package dsl
