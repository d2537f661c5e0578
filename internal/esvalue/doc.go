// Package esvalue holds what the query evaluators (parser/kql and dsl, and
// parser/eql for dates and booleans) know of Elasticsearch's field types:
// how a document value and a query value are read for a type (numbers per
// field type, dates and date math, IPs and CIDR blocks, booleans, keyword
// string forms), how they compare, the standard analyzer, and how a dotted
// field is looked up and walked in a document.
//
// It is deliberately independent of the solver: the evaluators judge the
// documents the solver generates, so they must not share its code.
package esvalue
