package check

import (
	"slices"
	"testing"

	"github.com/emit-sec/emit/rules"
)

// TestCostliestFirst: long queries and threshold rules whose matches take
// many documents start first; equal costs keep their order.
func TestCostliestFirst(t *testing.T) {
	rs := []*rules.Rule{
		{Type: rules.TypeQuery, Query: "a : b"},
		{Type: rules.TypeEQL, Query: string(make([]byte, 5000))},
		{Type: rules.TypeThreshold, Query: "x : y", Threshold: &rules.Threshold{Value: 1, Cardinality: []rules.Cardinality{{Field: "p", Value: 250}}}},
		{Type: rules.TypeQuery, Query: "c : d"},
		{Type: rules.TypeThreshold, Query: "x : y", Threshold: &rules.Threshold{Value: 10}},
	}
	if got, want := costliestFirst(rs), []int{2, 1, 4, 0, 3}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
