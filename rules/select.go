package rules

import (
	"fmt"
	"strings"

	"github.com/emit-sec/emit/es/wildcard"
)

// Selector picks rules. The zero Selector picks every rule that is not
// deprecated.
//
// A rule is selected when all of these hold:
//   - IDs and Names are both empty, or its rule_id is one of IDs, or its
//     name matches one of Names (rules named either way are selected);
//   - Tags is nil or matches its tags;
//   - Types is empty or its type is one of Types;
//   - it is not deprecated, or IncludeDeprecated is set.
//
// IDs, names and types compare case-insensitively.
type Selector struct {
	IDs []string
	// Names are exact rule names or glob patterns: * matches any run of
	// characters (slashes included), ? any one character, and a backslash
	// makes the next character literal.
	Names             []string
	Tags              *TagExpr
	Types             []string
	IncludeDeprecated bool
}

// Select returns the selected rules of rs, in their order.
func (s Selector) Select(rs []*Rule) []*Rule {
	var out []*Rule
	for _, r := range rs {
		if s.Selects(r) {
			out = append(out, r)
		}
	}
	return out
}

// Selects tells whether s selects r.
func (s Selector) Selects(r *Rule) bool {
	if r.Deprecated && !s.IncludeDeprecated {
		return false
	}
	return s.named(r) && s.filtered(r)
}

// named: r is one of the rules named by IDs or Names, or none are given.
func (s Selector) named(r *Rule) bool {
	if len(s.IDs) == 0 && len(s.Names) == 0 {
		return true
	}
	for _, id := range s.IDs {
		if strings.EqualFold(strings.TrimSpace(id), r.ID) {
			return true
		}
	}
	for _, n := range s.Names {
		if nameMatch(n, r.Name) {
			return true
		}
	}
	return false
}

// filtered: r passes the Tags and Types filters.
func (s Selector) filtered(r *Rule) bool {
	if s.Tags != nil && !s.Tags.Match(r.Tags) {
		return false
	}
	if len(s.Types) == 0 {
		return true
	}
	for _, t := range s.Types {
		if strings.EqualFold(strings.TrimSpace(t), r.Type) {
			return true
		}
	}
	return false
}

func nameMatch(pattern, name string) bool {
	return wildcard.Parse(strings.TrimSpace(pattern), wildcard.StarAndQuestion).Match(strings.TrimSpace(name), true)
}

// Unmatched explains the parts of s that select nothing in rs: an id no
// rule has, a name pattern no rule matches, a type no rule is of, a tag
// expression no rule satisfies (each part taken alone, saying when it
// matches only deprecated rules), or else that the parts together select
// nothing. It returns nil when the selector selects some rule.
func (s Selector) Unmatched(rs []*Rule) []string {
	var out []string
	// check reports a selector part that, combined with the other parts,
	// selects no rule.
	check := func(what string, matches func(*Rule) bool) {
		found, live := false, false
		for _, r := range rs {
			if !matches(r) {
				continue
			}
			found = true
			if !r.Deprecated || s.IncludeDeprecated {
				live = true
				break
			}
		}
		switch {
		case !found:
			out = append(out, what+": no such rule")
		case !live:
			out = append(out, what+": only deprecated rules match (deprecated rules are left out unless included)")
		}
	}
	for _, id := range s.IDs {
		check(fmt.Sprintf("rule id %q", id), func(r *Rule) bool { return strings.EqualFold(strings.TrimSpace(id), r.ID) })
	}
	for _, n := range s.Names {
		check(fmt.Sprintf("rule name %q", n), func(r *Rule) bool { return nameMatch(n, r.Name) })
	}
	for _, t := range s.Types {
		check(fmt.Sprintf("rule type %q", t), func(r *Rule) bool { return strings.EqualFold(strings.TrimSpace(t), r.Type) })
	}
	if s.Tags != nil {
		check("tags "+s.Tags.String(), func(r *Rule) bool { return s.Tags.Match(r.Tags) })
	}
	if out == nil && len(rs) > 0 && len(s.Select(rs)) == 0 {
		out = append(out, "no rule satisfies all the selectors together")
	}
	return out
}
