package lucene

import (
	"strings"

	"github.com/emit-sec/emit/es/wildcard"
)

// The printers write the canonical form of a tree: the same tokens as the
// source, with the operators spelled AND, OR and NOT, single spaces, and the
// characters of terms, fields and bounds escaped where the syntax needs it
// (and only there), so that the text parses back to an equal tree.

// printer accumulates the canonical text.
type printer struct {
	strings.Builder
	// slashHazard is set once a regular expression that ends with a
	// backslash is written: its closing "/" could also be read as an
	// escaped "/", so that any later "/" would extend it. Later "/" are
	// written as \u002F where the syntax allows.
	slashHazard bool
	// spaced: the text ends with the whitespace of a bare operator term
	// ("+ "), which also separates it from the next clause.
	spaced bool
}

// printCtx is what a node needs to know of what precedes it.
type printCtx struct {
	// start: no conjunction or modifier precedes the node, so that a term
	// written without a field could merge with the next one into a
	// multi-term: a lone "+" term is then written "+ " (Lucene's BAREOPER)
	// and not \+.
	start bool
	// afterMulti: the previous clause is a multi-term, which a field "*"
	// written as a bare "*" would cut short; it is then written \*.
	afterMulti bool
}

func (b *Bool) print(p *printer) {
	for i, c := range b.Clauses {
		if i > 0 && !p.spaced {
			p.WriteByte(' ')
		}
		p.spaced = false
		switch c.Conj {
		case ConjAnd:
			p.WriteString("AND ")
		case ConjOr:
			p.WriteString("OR ")
		}
		switch c.Mod {
		case ModRequired:
			p.WriteByte('+')
		case ModProhibited:
			p.WriteByte('-')
		case ModNot:
			p.WriteString("NOT ")
		}
		ctx := printCtx{start: c.Conj == ConjNone && c.Mod == ModNone}
		if i > 0 {
			if t, ok := b.Clauses[i-1].Node.(*Term); ok && len(t.Words) > 1 {
				ctx.afterMulti = true
			}
		}
		c.Node.print(p, ctx)
	}
}

// printField writes "field:" and tells whether it wrote anything.
func printField(p *printer, f *Field, ctx printCtx) bool {
	if f == nil {
		return false
	}
	if f.Name == "*" && !ctx.afterMulti {
		p.WriteByte('*')
	} else {
		writeTerm(p, f.Name)
	}
	p.WriteByte(':')
	return true
}

func printSuffix(p *printer, tilde, boost string) {
	p.WriteString(tilde)
	if boost != "" {
		p.WriteByte('^')
		p.WriteString(boost)
	}
}

func (n *Group) print(p *printer, ctx printCtx) {
	printField(p, n.Field, ctx)
	p.WriteByte('(')
	n.Query.print(p)
	p.WriteByte(')')
	printSuffix(p, "", n.Boost)
}

func (n *Term) print(p *printer, ctx printCtx) {
	fielded := printField(p, n.Field, ctx)
	switch {
	case len(n.Words) > 1:
		for i, w := range n.Words {
			if i > 0 {
				p.WriteByte(' ')
			}
			writeTerm(p, w)
		}
	case len(n.Words) == 0:
		// Not produced by Parse: an empty term cannot be written.
		p.WriteString(`""`)
	case ctx.start && !fielded && isBareOper(n.Words[0]):
		// A lone "+", "-" or "!" followed by whitespace is a term that never
		// merges with the next one (\+ would).
		p.WriteString(n.Words[0])
		p.WriteByte(' ')
		printSuffix(p, n.Fuzzy, n.Boost)
		p.spaced = n.Fuzzy == "" && n.Boost == ""
		return
	default:
		writeTerm(p, n.Words[0])
	}
	printSuffix(p, n.Fuzzy, n.Boost)
}

func isBareOper(s string) bool { return s == "+" || s == "-" || s == "!" }

func (n *Phrase) print(p *printer, ctx printCtx) {
	printField(p, n.Field, ctx)
	p.WriteByte('"')
	for i := 0; i < len(n.Text); i++ {
		switch c := n.Text[i]; c {
		case '"', '\\':
			p.WriteByte('\\')
			p.WriteByte(c)
		case '/':
			p.writeSlash(true)
		default:
			p.WriteByte(c)
		}
	}
	p.WriteByte('"')
	printSuffix(p, n.Slop, n.Boost)
}

func (n *Wildcard) print(p *printer, ctx printCtx) {
	printField(p, n.Field, ctx)
	pat := n.Pattern
	if len(pat) == 2 && pat[0].Kind == wildcard.Lit && pat[0].Lit != "" && pat[1].Kind == wildcard.AnyString {
		// "text*" is Lucene's PREFIXTERM, whose text is unescaped like a
		// term's.
		writeTermText(p, pat[0].Lit, true, true)
		p.WriteByte('*')
	} else {
		for i, e := range pat {
			switch e.Kind {
			case wildcard.AnyString:
				p.WriteByte('*')
			case wildcard.AnyChar:
				p.WriteByte('?')
			default:
				// The text of a WILDTERM keeps its escapes for the wildcard
				// query, which knows "\c" but not "\uXXXX".
				writeTermText(p, e.Lit, i == 0, false)
			}
		}
	}
	printSuffix(p, n.Fuzzy, n.Boost)
}

func (n *Regexp) print(p *printer, ctx printCtx) {
	printField(p, n.Field, ctx)
	p.WriteByte('/')
	p.WriteString(n.Regex)
	p.WriteByte('/')
	if strings.HasSuffix(n.Regex, `\`) {
		p.slashHazard = true
	}
	printSuffix(p, n.Fuzzy, n.Boost)
}

func (n *Range) print(p *printer, ctx printCtx) {
	printField(p, n.Field, ctx)
	if n.IncludeLower {
		p.WriteByte('[')
	} else {
		p.WriteByte('{')
	}
	writeBound(p, n.Lower.Text)
	p.WriteString(" TO ")
	writeBound(p, n.Upper.Text)
	if n.IncludeUpper {
		p.WriteByte(']')
	} else {
		p.WriteByte('}')
	}
	printSuffix(p, "", n.Boost)
}

func (n *Compare) print(p *printer, ctx printCtx) {
	printField(p, n.Field, ctx)
	p.WriteString(n.Op.String())
	writeTermText(p, n.Value, false, true)
	printSuffix(p, "", n.Boost)
}

// writeSlash writes a "/" of a term, a phrase or a bound: escaped as \/ or,
// after a regular expression that ends with a backslash, as \u002F where
// unicode escapes are read (quoted says whether a bare "/" is allowed).
func (p *printer) writeSlash(quoted bool) {
	switch {
	case p.slashHazard:
		p.WriteString(`\u002F`)
	case quoted:
		p.WriteByte('/')
	default:
		p.WriteString(`\/`)
	}
}

// writeTerm writes s as one TERM token, escaping what would end it or read
// as an operator.
func writeTerm(p *printer, s string) {
	switch s {
	case "AND", "OR", "NOT", "&&", "||":
		p.WriteByte('\\')
	}
	writeTermText(p, s, true, true)
}

// writeTermText writes s as the characters of a term: those that cannot
// be in a term are escaped (and "+" and "-" at the start when first is
// set). unicode says whether the reader of the text knows \uXXXX escapes.
func writeTermText(p *printer, s string, first, unicode bool) {
	for i := 0; i < len(s); {
		r, size := decode(s, i)
		switch {
		case r == '/' && unicode:
			p.writeSlash(false)
		case !isTermChar(r) || (first && i == 0 && !isTermStart(r)):
			p.WriteByte('\\')
			p.WriteString(s[i : i+size])
		default:
			p.WriteString(s[i : i+size])
		}
		i += size
	}
}

// writeBound writes a range bound: quoted when that reads best, else as
// a run of characters without spaces, "]" and "}" (escaped as \uXXXX).
func writeBound(p *printer, s string) {
	if s == "*" {
		p.WriteByte('*')
		return
	}
	if !p.slashHazard && strings.ContainsAny(s, " ]}") && !strings.ContainsAny(s, "\\\"\t\n\r\u3000") {
		p.WriteByte('"')
		p.WriteString(s)
		p.WriteByte('"')
		return
	}
	for i := 0; i < len(s); {
		r, size := decode(s, i)
		switch r {
		case ' ':
			p.WriteString(`\u0020`)
		case ']':
			p.WriteString(`\u005D`)
		case '}':
			p.WriteString(`\u007D`)
		case '\t':
			p.WriteString(`\u0009`)
		case '\n':
			p.WriteString(`\u000A`)
		case '\r':
			p.WriteString(`\u000D`)
		case '\u3000':
			p.WriteString(`\u3000`)
		case '\\', '"':
			p.WriteByte('\\')
			p.WriteByte(byte(r))
		case '/':
			if p.slashHazard {
				p.WriteString(`\u002F`)
			} else {
				p.WriteByte('/')
			}
		default:
			p.WriteString(s[i : i+size])
		}
		i += size
	}
}
