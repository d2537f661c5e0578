package esql

import (
	"fmt"
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

// parseGrok reads a GROK pattern.
func parseGrok(p string) (*grokPattern, error) {
	if strings.Contains(p, "%{") {
		return nil, fmt.Errorf("grok pattern references are not expanded yet")
	}
	g := &grokPattern{src: p}
	j, err := parseJava(p)
	if err != nil {
		return nil, err
	}
	for name := range j.groups {
		g.keys = append(g.keys, grokKey{name: name})
	}
	return g, nil
}

// parses is the set of strings in which the pattern finds a match whose
// named groups hold values of their sets.
func (g *grokPattern) parses(sets map[string]*regexp.Node) (*regexp.Node, error) {
	p := &jparser{src: g.src, groups: map[string]*regexp.Node{}, named: sets}
	j, err := p.parse()
	if err != nil {
		return nil, err
	}
	return j.findSet(), nil
}
