package solver

import (
	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/schema"
)

// ResetCaches empties the automata caches solvers share, so that a
// benchmark measures a cold process (as one emit check run is).
func ResetCaches() {
	dfaCache.Lock()
	clear(dfaCache.m)
	dfaCache.Unlock()
	productCache.Lock()
	clear(productCache.m)
	productCache.size = 0
	productCache.Unlock()
	singletons.Lock()
	clear(singletons.m)
	singletons.Unlock()
}

// Compile binds q to the schema as New does first (fields, types,
// predicates), without solving it.
func Compile(q *constraint.Query, opts Options) error {
	s := &Solver{
		q: q, sch: opts.Schema, strict: opts.Strict, within: opts.Within,
		env:      &env{now: opts.Now, minimal: q.Lang == "esql"},
		fieldIdx: map[string]int32{},
		predID:   map[*constraint.Pred]int32{},
		memo:     map[uint64]int32{},
		byKey:    map[uint64]int32{},
		named:    map[string]bool{},
	}
	if s.sch == nil {
		s.sch = schema.New()
	}
	return s.compile()
}
