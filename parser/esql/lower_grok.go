package esql

import (
	"fmt"
	"sort"
	"strings"

	"github.com/emit-sec/emit/es/regexp"
)

// grokPattern is a parsed GROK pattern: a Java (Joni) regular expression
// whose named groups are the columns.
type grokPattern struct {
	src  string
	keys []grokKey
}

type grokKey struct {
	name string
	typ  string // "int", "long", "float", "double", "boolean" or "" (a string)
}

// parseGrok reads a GROK pattern, its %{NAME:key:type} references
// expanded from the evaluator's pattern bank.
func parseGrok(p string) (*grokPattern, error) {
	bank, err := grokPatterns()
	if err != nil {
		return nil, err
	}
	e, err := expandGrok(p, bank)
	if err != nil {
		return nil, err
	}
	g := &grokPattern{src: e}
	j, err := parseJava(e)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for group := range j.groups {
		name, typ := grokGroup(group)
		if seen[name] {
			return nil, fmt.Errorf("the key %s captured twice", name)
		}
		seen[name] = true
		g.keys = append(g.keys, grokKey{name: name, typ: typ})
	}
	sort.Slice(g.keys, func(i, j int) bool { return g.keys[i].name < g.keys[j].name })
	return g, nil
}

// grokGroup reads a capture group's name: "NAME:key:type", "NAME:key" or
// "key".
func grokGroup(group string) (name, typ string) {
	parts := strings.Split(group, ":")
	name = parts[0]
	if len(parts) >= 2 {
		name = parts[1]
	}
	if len(parts) == 3 {
		typ = parts[2]
	}
	return name, typ
}

// parses is the set of strings that are, whole, a match of the pattern
// whose named groups hold values of their sets: the strings in which
// GROK finds such a match include them, and a whole-value match keeps
// the automata small. A pattern anchored at line starts and ends (GROK's
// ^ and $ are line anchors) matches a line: other lines may come before
// (lines it does not match) and after it. (Which of several possible matches Joni takes, and
// so the values of the groups, a check of the generated value confirms.)
func (g *grokPattern) parses(sets map[string]*regexp.Node) (*regexp.Node, error) {
	named := map[string]*regexp.Node{}
	for group := range g.groupNames() {
		name, _ := grokGroup(group)
		if s, ok := sets[name]; ok {
			named[group] = s
		}
	}
	p := &jparser{src: g.src, groups: map[string]*regexp.Node{}, named: named, lines: true}
	j, err := p.parse()
	if err != nil {
		return nil, err
	}
	if !j.anchorStart || !j.anchorEnd {
		return j.inLines(j.n), nil
	}
	// A pattern that matches whole lines: GROK takes the first line it
	// matches, so the lines before that one are lines it does not match
	// (and several conditions on its keys read one line).
	all, err := (&jparser{src: g.src, groups: map[string]*regexp.Node{}, lines: true}).parse()
	if err != nil {
		return nil, err
	}
	line := regexp.Repeat(regexp.Chars(negateRanges([]regexp.Range{{Lo: '\n', Hi: '\n'}})...), 0, -1)
	other := regexp.Intersect(line, regexp.Complemented(all.n))
	before := regexp.Repeat(regexp.Concat(other, regexp.Literal("\n")), 0, -1)
	return regexp.Concat(before, j.n, linesAfter()), nil
}

// keySet is the set of values the key's capture group matches.
func (g *grokPattern) keySet(key string) (*regexp.Node, bool) {
	p := &jparser{src: g.src, groups: map[string]*regexp.Node{}, lines: true}
	if _, err := p.parse(); err != nil {
		return nil, false
	}
	var out []*regexp.Node
	for group, n := range p.groups {
		if name, _ := grokGroup(group); name == key {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, false
	}
	return regexp.Union(out...), true
}

// groupNames lists the pattern's capture groups.
func (g *grokPattern) groupNames() map[string]bool {
	out := map[string]bool{}
	rest := g.src
	for {
		i := strings.Index(rest, "(?<")
		if i < 0 {
			return out
		}
		rest = rest[i+3:]
		if strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, "!") {
			continue
		}
		end := strings.IndexByte(rest, '>')
		if end < 0 {
			return out
		}
		out[rest[:end]] = true
	}
}

// findSet is the set of strings in which the pattern finds a match.
func (g *grokPattern) findSet() (*regexp.Node, error) {
	p := &jparser{src: g.src, groups: map[string]*regexp.Node{}, noLazy: true, lines: true}
	j, err := p.parse()
	if err != nil {
		return nil, err
	}
	return j.findSet(), nil
}
