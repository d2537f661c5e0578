// Package arch holds the tests that keep emit's packages in their layers:
// the data flow runs text -> AST -> constraints -> domains -> documents ->
// sink, and the verification path AST -> evaluator. A package imports only
// packages of lower layers, and the evaluators never depend on the solver,
// so that they stay independent judges of what it generates.
//
// The layers, lowest first:
//
//  0. leaves: source (positions), the Elasticsearch facts that stand alone
//     (es/estype, es/wildcard, es/number, es/ipaddr, es/analysis),
//     internal/interval, internal/shared, internal/activity (Poisson counts
//     and day profiles), etc
//  1. the facts built on those: es/date, es/regexp
//  2. constraint (the language-neutral form), schema, rules, document,
//     ml/job (anomaly-detection jobs and datafeeds as read)
//  3. internal/esvalue (the evaluators' reading of values), parser (the
//     participle plumbing), solver/automaton, telemetry (real-looking values)
//  4. the languages: parser/kql, parser/eql, parser/esql, parser/lucene;
//     the solver
//  5. parser/dsl (the Query DSL, whose query_string clauses are Lucene)
//  6. query (every language), internal/fakees
//  7. emitter, sink/es
//  8. scenario and ml (datasets over time on the emitter: scenarios, the
//     baselines and anomalies of ML jobs), sink/mljobs (the ML jobs in
//     Elasticsearch, through sink/es)
//  9. check (judges rules, machine-learning ones through ml)
//  10. cmd/emit
package arch
