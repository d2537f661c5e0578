package kql

import "github.com/emit-sec/emit/internal/esvalue"

// What the evaluator knows of Elasticsearch's field types (how a document
// value and a query value are read for a type, and how they compare) is in
// package esvalue, deliberately independent of the solver.

// docIP reads an IP document value: a string address, as Elasticsearch
// stores it (16 bytes).
func docIP(v any) ([16]byte, bool) {
	s, ok := v.(string)
	if !ok {
		return [16]byte{}, false
	}
	return esvalue.ParseIP(s)
}
