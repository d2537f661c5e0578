package esvalue

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/analysis"
	"github.com/emit-sec/emit/es/number"
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

// Fuzziness is a fuzziness option as Elasticsearch reads it
// (Fuzziness.fromString): "AUTO" (0 edits for terms shorter than Low code
// points, 1 below High, 2 from there; "AUTO:low,high" sets the bounds,
// 3 and 6 by default) or a number of edits, 0, 1 or 2.
type Fuzziness struct {
	Auto      bool
	Low, High int // AUTO's bounds
	Edits     int // when not Auto
}

// ErrFuzziness is the error of a fuzziness Elasticsearch refuses.
var ErrFuzziness = errors.New("invalid fuzziness")

// ParseFuzziness reads a fuzziness as Elasticsearch's Fuzziness.fromString
// does: AUTO or AUTO:low,high, or a whole number of edits from 0 to 2
// written as Java reads numbers ("1", "1.0", "2f").
func ParseFuzziness(s string) (Fuzziness, error) {
	if s == "" {
		return Fuzziness{}, fmt.Errorf("%w: it cannot be empty", ErrFuzziness)
	}
	if strings.EqualFold(s, "AUTO") {
		return Fuzziness{Auto: true, Low: 3, High: 6}, nil
	}
	if len(s) > 5 && strings.EqualFold(s[:5], "AUTO:") {
		lo, hi, ok := strings.Cut(s[5:], ",")
		l, err1 := strconv.Atoi(lo)
		h, err2 := strconv.Atoi(hi)
		if !ok || err1 != nil || err2 != nil || l < 0 || h < l {
			return Fuzziness{}, fmt.Errorf("%w %q: AUTO:low,high takes two whole numbers, low <= high", ErrFuzziness, s)
		}
		return Fuzziness{Auto: true, Low: l, High: h}, nil
	}
	f, ok := number.ParseJava(s)
	switch {
	case !ok:
		return Fuzziness{}, fmt.Errorf("%w %q: AUTO, 0, 1 or 2", ErrFuzziness, s)
	case f != math.Trunc(f):
		return Fuzziness{}, fmt.Errorf("%w %q: the number of edits is a whole number, 0, 1 or 2", ErrFuzziness, s)
	case f < 0 || f > 2:
		return Fuzziness{}, fmt.Errorf("%w %q: the number of edits is 0, 1 or 2", ErrFuzziness, s)
	}
	return Fuzziness{Edits: int(f)}, nil
}

// Distance is the number of edits the fuzziness allows for a term.
func (f Fuzziness) Distance(term string) int {
	if !f.Auto {
		return f.Edits
	}
	switch n := utf8.RuneCountInString(term); {
	case n < f.Low:
		return 0
	case n < f.High:
		return 1
	}
	return 2
}
