package emitter

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
)

// A run (Emitter.Run) is cut into chunks: consecutive matches of one
// source (Plan.PerRule), or consecutive matches of the run (Plan.Count).
// A chunk's documents depend on the run's seed, its inputs and the
// chunk's index only, never on which goroutine, process or machine drew
// it, nor on what was drawn before it. Goroutines then draw chunks in any
// order, an ordered merge hands them out in the run's order, and shards
// draw disjoint sets of chunks; --jobs 1, --jobs 8 and the union of the
// shards are the same documents.
//
// Every state that carries from a match to the next is made
// chunk-deterministic:
//   - the random numbers: a chunk draws from a generator seeded with the
//     run's seed and the chunk's index (chunkSeed); in Plan.Count runs the
//     source of each match comes from a second generator of the chunk
//     (pickSeed), which sharding replays to number documents without
//     drawing them;
//   - time placement: a match's slot in its window is its ordinal in the
//     plan (Run sets window.drawn before each match), not a counter of
//     earlier draws;
//   - the population (hosts, users, their names and directories): drawn
//     once from the seed, read-only afterwards (its caches are pure and
//     locked); every worker shares it;
//   - per-source learning (the operating system a source's values imply,
//     Source.os, and the redraw budget of inconsistent matches,
//     Source.redraws): reset when a chunk first uses the source
//     (Source.beginChunk);
//   - new_terms combinations already used: remembered within a chunk
//     (newTermsGen.beginChunk); Plan.PerRule keeps a new_terms rule's
//     matches in one chunk up to NewTermsChunk of them, so they are new
//     across the run; so are the keys of ES|QL groups that must be new
//     (esqlGen.beginChunk);
//   - document ids: numbered by the run-wide position of the document,
//     which each chunk knows before it is drawn (a source's match always
//     has Source.Events documents);
//   - threat_match rules: the mapping group, the feed, the indicator and
//     its publication time of a match come from the chunk's generator;
//     an indicator lives for one match;
//   - the event context (Emitter.event) and the match buffers: reset at
//     every match; completers, solvers' memo tables and the rule
//     consistency lists are caches of pure functions, per worker (Fork).
//
// The same seed therefore gives other documents through Run than through
// Next: Next draws from one generator across the whole run.

// Plan says what a run draws, on how many goroutines, and which shard of
// it.
type Plan struct {
	// PerRule draws this many matches of every source in turn; else Count
	// matches, each from a source picked at random.
	PerRule int
	Count   int
	// Jobs is how many goroutines draw chunks (<= 1: the caller's own).
	// The documents do not depend on it.
	Jobs int
	// Shard and Shards: draw only the Shard-th (1-based) of Shards
	// disjoint parts of the run (chunk i belongs to part i mod Shards + 1).
	// Zero Shards: the whole run.
	Shard, Shards int
}

// ChunkDocs is about how many documents a chunk holds: matches of many
// documents (threshold groups, sequences) make chunks of fewer matches.
const ChunkDocs = 256

// NewTermsChunk is how many matches of a new_terms rule a Plan.PerRule
// run keeps in one chunk, whose combinations of new-terms values are all
// new.
const NewTermsChunk = 1 << 14

// chunk is one chunk of a run.
type chunk struct {
	index    int
	perRule  bool
	srcIndex int   // PerRule: the index of its source
	first, n int   // its matches: ordinals first .. first+n-1 (of src, or of the run)
	seq      int64 // the run-wide number (1-based) of its first document
	docs     int64
}

// RunError is an error of the match-th match (1-based: of its source with
// Plan.PerRule, of the run otherwise).
type RunError struct {
	Match  int
	Source *Source
	Err    error
}

func (e *RunError) Error() string { return fmt.Sprintf("match %d: %v", e.Match, e.Err) }
func (e *RunError) Unwrap() error { return e.Err }

// mix64 is SplitMix64's finalizer: seeds of neighbouring chunks differ in
// every bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// chunkSeed seeds the generator of chunk i; pickSeed the generator of the
// sources of its matches (Plan.Count).
func chunkSeed(seed uint64, i int) (uint64, uint64) {
	a := mix64(seed ^ mix64(uint64(i)+0x9e3779b97f4a7c15))
	return a, mix64(a ^ 0x636875)
}

func pickSeed(seed uint64, i int) (uint64, uint64) {
	a := mix64(seed ^ mix64(uint64(i)+0x5851f42d4c957f2d))
	return a, mix64(a ^ 0x7069636b)
}

// matchesPerChunk is how many matches of sources of at most events
// documents make a chunk.
func matchesPerChunk(events int) int { return max(1, ChunkDocs/max(events, 1)) }

// perRuleChunk is how many matches of src make a chunk of a run of
// perRule matches per source: all of a new_terms rule's, up to
// NewTermsChunk.
func perRuleChunk(src *Source, perRule int) int {
	k := matchesPerChunk(src.Events())
	if c, ok := src.gen.(chunkState); ok && !stateless(c) {
		k = max(k, min(perRule, NewTermsChunk))
	}
	return k
}

// stateless reports a generator that keeps no state across the matches
// of its source after all (an ES|QL query with no key that must be new).
func stateless(c chunkState) bool {
	s, ok := c.(interface{ stateless() bool })
	return ok && s.stateless()
}

// countChunk is how many matches make a chunk of a Plan.Count run: as
// many as the sources of most documents a match fit.
func (e *Emitter) countChunk() int {
	most := 0
	for _, src := range e.sources {
		most = max(most, src.Events())
	}
	return matchesPerChunk(most)
}

// chunks calls fn with every chunk of the run in order (the shard's only,
// with Plan.Shards), each numbered, until fn returns false.
func (e *Emitter) chunks(p Plan, fn func(c chunk) bool) {
	mine := func(i int) bool { return p.Shards <= 1 || i%p.Shards == p.Shard-1 }
	seq := int64(1)
	i := 0
	if p.PerRule > 0 {
		for j, src := range e.sources {
			ev, k := src.Events(), perRuleChunk(src, p.PerRule)
			for first := 0; first < p.PerRule; first += k {
				c := chunk{index: i, perRule: true, srcIndex: j, first: first, n: min(k, p.PerRule-first), seq: seq}
				c.docs = int64(c.n * ev)
				seq += c.docs
				if mine(i) && !fn(c) {
					return
				}
				i++
			}
		}
		return
	}
	if len(e.sources) == 0 {
		return
	}
	k := e.countChunk()
	var pcg rand.PCG
	r := rand.New(&pcg)
	for first := 0; first < p.Count; first += k {
		c := chunk{index: i, first: first, n: min(k, p.Count-first), seq: seq}
		if len(e.sources) == 1 {
			c.docs = int64(c.n * e.sources[0].Events())
		} else {
			pcg.Seed(pickSeed(e.opts.Seed, i))
			for range c.n {
				c.docs += int64(e.sources[r.IntN(len(e.sources))].Events())
			}
		}
		seq += c.docs
		if mine(i) && !fn(c) {
			return
		}
		i++
	}
}

// Docs is how many documents the run (the shard, with Plan.Shards) has.
func (e *Emitter) Docs(p Plan) int64 {
	var n int64
	e.chunks(p, func(c chunk) bool { n += c.docs; return true })
	return n
}

// chunkOut is the documents of a chunk, drawn.
type chunkOut struct {
	c     chunk
	buf   []byte
	spans [][2]int
	docs  []Document
	err   error
}

// draw draws chunk c's matches into out (reset first). It stops at the
// first error, keeping the documents of the matches before it.
func (e *Emitter) draw(c chunk, out *chunkOut) {
	out.c, out.err = c, nil
	out.buf, out.spans, out.docs = out.buf[:0], out.spans[:0], out.docs[:0]
	e.epoch++
	e.pcg.Seed(chunkSeed(e.opts.Seed, c.index))
	var pcg rand.PCG
	picks := rand.New(&pcg)
	if !c.perRule {
		pcg.Seed(pickSeed(e.opts.Seed, c.index))
	}
	for m := c.first; m < c.first+c.n; m++ {
		j := c.srcIndex
		if !c.perRule {
			j = 0
			if len(e.sources) > 1 {
				j = picks.IntN(len(e.sources))
			}
		}
		// The emitter's own source (a fork's are its own); documents and
		// errors name the source of the emitter forked.
		src, err := e.sourceAt(j)
		pub := src
		if e.origin != nil {
			pub = e.origin.sources[j]
		}
		if err != nil {
			out.err = &RunError{Match: m + 1, Source: pub, Err: err}
			return
		}
		// The match's time slot is its place in the plan.
		src.window.drawn = m
		docs, err := e.NextFrom(src)
		if err == nil && len(docs) != src.Events() {
			err = fmt.Errorf("emitter: a match of %d documents, not %d", len(docs), src.Events())
		}
		if err != nil {
			out.err = &RunError{Match: m + 1, Source: pub, Err: err}
			return
		}
		for _, d := range docs {
			lo := len(out.buf)
			out.buf = append(out.buf, d.Source...)
			out.spans = append(out.spans, [2]int{lo, len(out.buf)})
			d.Source, d.From = nil, pub
			out.docs = append(out.docs, d)
		}
	}
	for i, sp := range out.spans {
		out.docs[i].Source = out.buf[sp[0]:sp[1]]
	}
}

// Fork returns an emitter with the same options, population and sources
// (in the same order, with the same target indices) and none of e's
// state: what it draws in a chunk of a run is what e draws.
func (e *Emitter) Fork() (*Emitter, error) {
	f := e.lazyFork()
	for j := range f.sources {
		if _, err := f.sourceAt(j); err != nil {
			return nil, err
		}
	}
	f.origin = nil
	return f, nil
}

// lazyFork is a fork whose sources are built when first drawn (sourceAt):
// a goroutine of a run builds only those it draws.
func (e *Emitter) lazyFork() *Emitter {
	opts := e.opts
	opts.Population = e.pop
	f := New(opts)
	f.origin = e
	f.sources = make([]*Source, len(e.sources))
	return f
}

// sourceAt is the j-th source, built first in a lazy fork.
func (e *Emitter) sourceAt(j int) (*Source, error) {
	if s := e.sources[j]; s != nil || e.origin == nil {
		return s, nil
	}
	o := e.origin.sources[j]
	if o.rebuild == nil {
		return nil, errors.New("emitter: a source that cannot be forked")
	}
	n := len(e.sources)
	s, err := o.rebuild(e) // adds it after the others
	e.sources = e.sources[:n]
	if err != nil {
		return nil, err
	}
	s.Index = o.Index
	e.sources[j] = s
	return s, nil
}

// chunkCount is how many chunks the run (the shard) has: the goroutines
// worth starting.
func (e *Emitter) chunkCount(p Plan) int {
	total := 0
	if p.PerRule > 0 {
		for _, src := range e.sources {
			k := perRuleChunk(src, p.PerRule)
			total += (p.PerRule + k - 1) / k
		}
	} else if len(e.sources) > 0 && p.Count > 0 {
		k := e.countChunk()
		total = (p.Count + k - 1) / k
	}
	if p.Shards > 1 {
		// Chunks i with i mod Shards = Shard-1.
		return (total - (p.Shard - 1) + p.Shards - 1) / p.Shards
	}
	return total
}

// Run draws the plan's matches and calls fn with the documents of each
// chunk, in the run's order; seq is the run-wide number (1-based) of
// docs[0] (document ids derive from it). The documents are valid until fn
// returns. With Plan.Jobs > 1, forks of e draw the chunks on that many
// goroutines, at most a few chunks ahead of fn; the documents are those
// of Jobs 1. An error of fn, a generation error (a *RunError, after the
// documents of the matches before it) or ctx's end stops the run.
func (e *Emitter) Run(ctx context.Context, p Plan, fn func(docs []Document, seq int64) error) error {
	if p.Shards > 0 && (p.Shard < 1 || p.Shard > p.Shards) {
		return fmt.Errorf("emitter: shard %d of %d", p.Shard, p.Shards)
	}
	if p.PerRule <= 0 && p.Count > 0 && len(e.sources) == 0 {
		return ErrNoSource
	}
	// More goroutines than chunks would only build sources.
	if p.Jobs > 1 {
		p.Jobs = min(p.Jobs, e.chunkCount(p))
	}
	if p.Jobs <= 1 {
		var out chunkOut
		var err error
		e.chunks(p, func(c chunk) bool {
			if err = ctx.Err(); err != nil {
				return false
			}
			e.draw(c, &out)
			if len(out.docs) > 0 {
				if err = fn(out.docs, c.seq); err != nil {
					return false
				}
			}
			err = out.err
			return err == nil
		})
		return err
	}
	return e.runParallel(ctx, p, fn)
}

// runParallel is Run on p.Jobs goroutines: a dispatcher numbers the
// chunks, workers draw them, and the caller's goroutine hands them to fn
// in order. At most window chunks are out (drawn or being drawn, and not
// yet handed out), so memory stays flat however long the run.
func (e *Emitter) runParallel(ctx context.Context, p Plan, fn func(docs []Document, seq int64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window := 8 * p.Jobs
	type job struct {
		n int // the chunk's place among those this run draws
		c chunk
	}
	type done struct {
		n   int
		out *chunkOut
	}
	work := make(chan job)
	results := make(chan done, window)
	slots := make(chan struct{}, window)
	free := make(chan *chunkOut, window+p.Jobs)
	go func() {
		defer close(work)
		n := 0
		e.chunks(p, func(c chunk) bool {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return false
			}
			select {
			case work <- job{n, c}:
			case <-ctx.Done():
				return false
			}
			n++
			return true
		})
	}()
	var wg sync.WaitGroup
	for w := 0; w < p.Jobs; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			em := e
			if w > 0 {
				em = e.lazyFork()
			}
			for j := range work {
				var out *chunkOut
				select {
				case out = <-free:
				default:
					out = &chunkOut{}
				}
				em.draw(j.c, out)
				results <- done{j.n, out}
			}
		}(w)
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	pending := map[int]*chunkOut{}
	next := 0
	var err error
	for d := range results {
		if err != nil {
			continue // draining: the workers finish their chunks
		}
		pending[d.n] = d.out
		for {
			out, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if len(out.docs) > 0 {
				err = fn(out.docs, out.c.seq)
			}
			if err == nil {
				err = out.err
			}
			if err == nil {
				err = ctx.Err()
			}
			select {
			case free <- out:
			default:
			}
			<-slots
			if err != nil {
				cancel()
				break
			}
		}
	}
	return err
}
