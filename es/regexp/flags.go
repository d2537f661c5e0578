package regexp

import (
	"fmt"
	"strings"
)

// Flags are Lucene's RegExp syntax flags (which optional operators are
// on; an operator whose flag is off is an ordinary character) and its one
// matching flag, CaseInsensitive.
type Flags uint32

// The syntax flags, with Lucene's values (RegExp.INTERSECTION ... ALL).
const (
	Intersection Flags = 0x01 // "&": both sides match
	Complement   Flags = 0x02 // "~": the operand does not match
	Empty        Flags = 0x04 // "#": the empty language
	AnyString    Flags = 0x08 // "@": any string
	// Automaton is Lucene's named automata, "<name>". Elasticsearch has no
	// flag of that name but its ALL includes the bit (Lucene's ALL is 0xff),
	// and a query provides no automaton: "<name>" is then the error
	// "'name' not found".
	Automaton Flags = 0x10
	Interval  Flags = 0x20 // "<n-m>": a decimal number from n to m

	None Flags = 0x00
	All  Flags = 0xff // every optional operator; the default

	// CaseInsensitive is Lucene's ASCII_CASE_INSENSITIVE matching flag,
	// what Elasticsearch's "case_insensitive": true and EQL's regex~ set:
	// single characters and the characters of strings match their other
	// ASCII case; ranges and predefined classes are unchanged.
	CaseInsensitive Flags = 0x100
)

// flagNames are the names Elasticsearch's "flags" accepts
// (org.elasticsearch.index.query.RegexpFlag), in its order.
var flagNames = []struct {
	name string
	f    Flags
}{
	{"INTERSECTION", Intersection},
	{"COMPLEMENT", Complement},
	{"EMPTY", Empty},
	{"ANYSTRING", AnyString},
	{"INTERVAL", Interval},
	{"NONE", None},
	{"ALL", All},
}

// ParseFlags reads the "flags" parameter of Elasticsearch's regexp query as
// RegexpFlag.resolveValue does: names separated by "|", in any letter case
// (Java's toUpperCase), empty names skipped; an empty string is ALL; ALL
// ends the list (what follows it is not read); spaces are not trimmed, so
// " ALL" is an unknown flag.
func ParseFlags(s string) (Flags, error) {
	if s == "" {
		return All, nil
	}
	f := None
	for _, name := range strings.Split(s, "|") {
		if name == "" {
			continue
		}
		up := strings.ToUpper(name)
		found := false
		for _, fn := range flagNames {
			if fn.name == up {
				found = true
				if fn.f == All {
					return All, nil
				}
				f |= fn.f
				break
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown regexp flag [%s]", name)
		}
	}
	return f, nil
}

// String renders the syntax flags in the form ParseFlags reads ("ALL",
// "NONE", or names joined by "|"); bits without an Elasticsearch name
// (Automaton, CaseInsensitive) are left out.
func (f Flags) String() string {
	switch f & All {
	case All:
		return "ALL"
	case None:
		return "NONE"
	}
	var names []string
	for _, fn := range flagNames {
		if fn.f != None && fn.f != All && f&fn.f != 0 {
			names = append(names, fn.name)
		}
	}
	if len(names) == 0 {
		return "NONE"
	}
	return strings.Join(names, "|")
}
