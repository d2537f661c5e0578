package dsl

import (
	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/internal/esvalue"
)

// The regexp query's pattern is Lucene's regular expression syntax, read
// once by package es/regexp (the solver compiles the same tree to its
// automata) and matched by the evaluators' own matcher, esvalue.Regexp:
// anchored at both ends, over code points, case-insensitively as Lucene's
// ASCII_CASE_INSENSITIVE with "case_insensitive": true.

// Regexp syntax flags, as Lucene and Elasticsearch's "flags" name them.
const (
	flagIntersection = int(regexp.Intersection)
	flagComplement   = int(regexp.Complement)
	flagEmpty        = int(regexp.Empty)
	flagAnyString    = int(regexp.AnyString)
	flagInterval     = int(regexp.Interval)
	flagsAll         = int(regexp.All)
)

// regexFlags reads Elasticsearch's "flags" (regexp.ParseFlags).
func regexFlags(s string) (int, error) {
	f, err := regexp.ParseFlags(s)
	return int(f), err
}

// compiledRegex is a regexp query's pattern, parsed and ready to match.
type compiledRegex struct {
	root rxTree
	m    *esvalue.Regexp
}

// rxTree is the parsed pattern; canonical is what the lowering hands the
// solver.
type rxTree struct{ re *regexp.Regexp }

// canonical renders the pattern in Lucene syntax with every reserved
// character escaped and case-insensitivity spelled out as character
// classes, so that the solver, which reads it with every operator on and
// case-sensitively, reads the same tree.
func (t rxTree) canonical() string { return t.re.String() }

// compileRegex parses a regexp query's pattern with the given syntax flags,
// case-insensitively with ci.
func compileRegex(src string, flags int, ci bool) (*compiledRegex, error) {
	f := regexp.Flags(flags) & regexp.All
	if ci {
		f |= regexp.CaseInsensitive
	}
	re, err := regexp.Parse(src, f)
	if err != nil {
		return nil, err
	}
	return &compiledRegex{root: rxTree{re}, m: esvalue.NewRegexp(re)}, nil
}

// Match reports whether the whole of s matches.
func (c *compiledRegex) Match(s string) bool { return c.m.Match(s) }
