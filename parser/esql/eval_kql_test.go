package esql

import (
	"time"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/parser/kql"
)

// evalKQLOption is RunOptions.KQL with emit's KQL evaluator, as callers wire
// it.
func evalKQLOption(types estype.Lookup, now time.Time) func(string) (func(map[string]any) bool, error) {
	return func(q string) (func(map[string]any) bool, error) {
		parsed, err := kql.Parse(q)
		if err != nil {
			return nil, err
		}
		return func(doc map[string]any) bool { return kql.MatchAt(parsed, doc, types, now) }, nil
	}
}
