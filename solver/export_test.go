package solver

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
}
