package esvalue

import (
	"github.com/emit-sec/emit/es/analysis"
)

// This file is how the two approximate matchers of Lucene judge values:
// sloppy phrases (a phrase query with a slop, the query string's
// "a b"~2) and fuzzy terms (the fuzzy query, the query string's abc~1).

// PositionGap is the position_increment_gap of text fields: the positions
// of the words of an array's next value start that many positions after
// the last word of the previous one (plus one), so that phrases with a
// smaller slop never span two values.
const PositionGap = 100

// positions returns the indexed words of a text field's values with their
// positions.
func positions(vals []any) (toks []string, pos []int) {
	next := 0
	for _, v := range vals {
		s, ok := KeywordString(v)
		if !ok {
			continue
		}
		ws := analysis.Analyze(s)
		if len(ws) == 0 {
			continue
		}
		if len(toks) > 0 {
			next += PositionGap
		}
		for _, w := range ws {
			toks = append(toks, w)
			pos = append(pos, next)
			next++
		}
	}
	return toks, pos
}

// SloppyPhrase reports whether a text field's values hold the analyzed
// phrase within slop moves, as Lucene's sloppy phrase matcher decides: a
// position p_i for each word i of the phrase (distinct positions for
// repeated words) such that the offsets p_i - i span at most slop. With
// slop 0 this is the exact phrase; words may come in another order at a
// cost ("b a" is "a b" with slop 2). Positions run on across the values
// of an array with a gap of PositionGap.
func SloppyPhrase(vals []any, phrase []string, slop int) bool {
	if len(phrase) == 0 || slop < 0 {
		return false
	}
	toks, pos := positions(vals)
	// occ[i]: the positions where word i of the phrase occurs.
	occ := make([][]int, len(phrase))
	for i, w := range phrase {
		for k, t := range toks {
			if t == w {
				occ[i] = append(occ[i], pos[k])
			}
		}
		if len(occ[i]) == 0 {
			return false
		}
	}
	used := map[int]bool{}
	var pick func(i, lo, hi int) bool
	pick = func(i, lo, hi int) bool {
		if i == len(phrase) {
			return true
		}
		for _, p := range occ[i] {
			off := p - i
			nlo, nhi := min(lo, off), max(hi, off)
			if i == 0 {
				nlo, nhi = off, off
			}
			if nhi-nlo > slop || used[p] {
				continue
			}
			used[p] = true
			ok := pick(i+1, nlo, nhi)
			delete(used, p)
			if ok {
				return true
			}
		}
		return false
	}
	return pick(0, 0, 0)
}

// Fuzzy is a fuzzy term query's tolerance: how many edits (insertions,
// deletions, substitutions of a code point, and with Transpositions the
// swap of two adjacent code points) a value may be from the term, and how
// many leading code points must match exactly (prefix_length).
type Fuzzy struct {
	Edits          int
	Prefix         int
	Transpositions bool
}

// Match reports whether value lies within f's edits of term, as Lucene's
// fuzzy query accepts indexed terms (its Levenshtein automata; with
// transpositions, the optimal string alignment distance).
func (f Fuzzy) Match(term, value string) bool {
	a, b := []rune(term), []rune(value)
	for k := 0; k < f.Prefix && k < len(a); k++ {
		if k >= len(b) || a[k] != b[k] {
			return false
		}
	}
	p := min(f.Prefix, len(a), len(b))
	a, b = a[p:], b[p:]
	if d := len(a) - len(b); d > f.Edits || -d > f.Edits {
		return false
	}
	// Three rows of the dynamic programme: the one before the previous
	// (for transpositions), the previous and the current.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if f.Transpositions && i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
			best = min(best, d)
		}
		if best > f.Edits {
			return false
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)] <= f.Edits
}
