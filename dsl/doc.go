// Package dsl reads the Elasticsearch Query DSL clauses that Kibana filters
// carry (rules.Filter.Query): it lowers them to constraint formulas for the
// solver (Lower, FilterExpr) and evaluates them against documents with
// Elasticsearch's semantics (Match, MatchFilters).
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
