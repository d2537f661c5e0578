package kql

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/wildcard"
)

// Part is one piece of an unquoted literal: literal text or a "*" wildcard.
type Part struct {
	Wildcard bool   // a "*" wildcard (Text is empty)
	Text     string // the unescaped text
}

// Literal is a field name or a value as written: a quoted string (a phrase,
// no wildcards) or an unquoted literal made of text and "*" wildcards.
//
// Unquoted literals are unescaped and trimmed of surrounding whitespace as
// Kibana does; consecutive wildcards are merged. A literal "*" (escaped
// "\*" or quoted) is text, not a wildcard.
type Literal struct {
	Quoted bool
	Parts  []Part // a quoted literal has at most one Part, never a wildcard
	Loc    Loc
}

// Text returns the literal's text with wildcards as "*" (an escaped "*"
// also becomes "*"; use Parts or Pattern to tell them apart).
func (l *Literal) Text() string {
	if len(l.Parts) == 1 && !l.Parts[0].Wildcard {
		return l.Parts[0].Text
	}
	var b strings.Builder
	for _, p := range l.Parts {
		if p.Wildcard {
			b.WriteByte('*')
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// HasWildcard reports whether the literal has a "*" wildcard.
func (l *Literal) HasWildcard() bool {
	for _, p := range l.Parts {
		if p.Wildcard {
			return true
		}
	}
	return false
}

// IsLoneWildcard reports whether the literal is just "*" (unquoted).
func (l *Literal) IsLoneWildcard() bool {
	return len(l.Parts) == 1 && l.Parts[0].Wildcard
}

// HasLiteralStar reports whether the literal's text (not its wildcards)
// contains a "*".
func (l *Literal) HasLiteralStar() bool {
	for _, p := range l.Parts {
		if !p.Wildcard && strings.Contains(p.Text, "*") {
			return true
		}
	}
	return false
}

// Pattern returns the literal as a wildcard pattern (a quoted literal is a
// pattern without wildcards).
func (l *Literal) Pattern() wildcard.Pattern {
	p := make(wildcard.Pattern, 0, len(l.Parts))
	for _, part := range l.Parts {
		if part.Wildcard {
			p = append(p, wildcard.Elem{Kind: wildcard.AnyString})
		} else if part.Text != "" {
			p = append(p, wildcard.Elem{Kind: wildcard.Lit, Lit: part.Text})
		}
	}
	return p
}

// Location returns where the literal was written.
func (l *Literal) Location() Loc { return l.Loc }

func (*Literal) valueNode() {}

// String renders the literal in canonical KQL: quoted strings with \\, \",
// \t, \r, \n escapes; unquoted literals with the special characters
// escaped, and keywords escaped where they would otherwise be read as
// keywords.
func (l *Literal) String() string { return render(l.print) }

func (l *Literal) print(b *strings.Builder, open bool) {
	if l.Quoted {
		writeQuoted(b, l.Text())
		return
	}
	if len(l.Parts) == 0 {
		// Not produced by Parse: an empty unquoted literal cannot be written.
		b.WriteString(`""`)
		return
	}
	for i, p := range l.Parts {
		if p.Wildcard {
			b.WriteByte('*')
			continue
		}
		writeUnquoted(b, p.Text, open && i == len(l.Parts)-1)
	}
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// writeUnquoted writes the text part s of an unquoted literal; open tells
// whether whitespace may directly follow s (s ends the literal, and the
// literal is followed by " or ", " : "...).
func writeUnquoted(b *strings.Builder, s string, open bool) {
	prevSpace := false
	for i := 0; i < len(s); {
		c := s[i]
		// Keywords: "or"/"and" after whitespace and before whitespace (or the
		// end of the literal, where the printer may add whitespace), and "not"
		// before whitespace or the end, would end the literal.
		if prevSpace && (hasFoldPrefix(s, i, "or") || hasFoldPrefix(s, i, "and")) {
			n := 2
			if c == 'a' || c == 'A' {
				n = 3
			}
			if spaceAt(s, i+n) > 0 || (open && i+n == len(s)) {
				b.WriteByte('\\')
				b.WriteString(s[i : i+n])
				i += n
				prevSpace = false
				continue
			}
		}
		if hasFoldPrefix(s, i, "not") && (spaceAt(s, i+3) > 0 || (open && i+3 == len(s))) {
			// "\n" is a newline escape, so a lowercase "n" is written as \u006e.
			if c == 'n' {
				b.WriteString(`\u006e`)
			} else {
				b.WriteByte('\\')
				b.WriteByte(c)
			}
			b.WriteString(s[i+1 : i+3])
			i += 3
			prevSpace = false
			continue
		}
		switch {
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\n':
			b.WriteString(`\n`)
		case isSpecial(c):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
		if n := spaceAt(s, i); n > 0 {
			prevSpace = true
			if n == 2 {
				b.WriteByte(s[i+1])
			}
			i += n
			continue
		}
		prevSpace = false
		i++
	}
}

// decodeHex4 decodes the 4 hex digits at s[i:i+4].
func decodeHex4(s string, i int) rune {
	v, _ := strconv.ParseUint(s[i:i+4], 16, 32)
	return rune(v)
}

// appendUnicodeEscape decodes the \uXXXX escape at raw[i:] (and a following
// low surrogate escape, if it completes a surrogate pair) into b and returns
// the number of bytes consumed.
func appendUnicodeEscape(b *strings.Builder, raw string, i int) int {
	r := decodeHex4(raw, i+2)
	n := 6
	if utf16.IsSurrogate(r) {
		if r < 0xdc00 && i+12 <= len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' &&
			isHex(raw[i+8]) && isHex(raw[i+9]) && isHex(raw[i+10]) && isHex(raw[i+11]) {
			if r2 := decodeHex4(raw, i+8); r2 >= 0xdc00 && r2 <= 0xdfff {
				b.WriteRune(utf16.DecodeRune(r, r2))
				return 12
			}
		}
		r = utf8.RuneError
	}
	b.WriteRune(r)
	return n
}

// decodeQuoted unescapes a quoted string token (with its quotes).
func decodeQuoted(raw string) string {
	raw = raw[1 : len(raw)-1]
	if !strings.Contains(raw, `\`) {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		switch n := quotedEscapeLen(raw, i); n {
		case 2:
			switch raw[i+1] {
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(raw[i+1])
			}
			i += 2
		case 6:
			i += appendUnicodeEscape(&b, raw, i)
		default:
			b.WriteByte('\\')
			i++
		}
	}
	return b.String()
}

// decodeUnquoted unescapes an unquoted literal token (validated by the
// lexer) into parts, trimming surrounding whitespace the way JavaScript's
// String.prototype.trim does, as Kibana does.
func decodeUnquoted(raw string) []Part {
	var parts []Part
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			parts = append(parts, Part{Text: b.String()})
			b.Reset()
		}
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch c {
		case '*':
			flush()
			if len(parts) == 0 || !parts[len(parts)-1].Wildcard {
				parts = append(parts, Part{Wildcard: true})
			}
			i++
			continue
		case '\\':
			n := unquotedEscapeLen(raw, i)
			switch {
			case n == 6:
				i += appendUnicodeEscape(&b, raw, i)
				continue
			case n == 2 && raw[i+1] == 't':
				b.WriteByte('\t')
			case n == 2 && raw[i+1] == 'r':
				b.WriteByte('\r')
			case n == 2 && raw[i+1] == 'n':
				b.WriteByte('\n')
			case n >= 2:
				b.WriteString(raw[i+1 : i+n])
			default: // not produced by the lexer
				b.WriteByte('\\')
				n = 1
			}
			i += n
			continue
		}
		b.WriteByte(c)
		i++
	}
	flush()
	// Trim the ends like JavaScript's trim (wildcards are not whitespace).
	if len(parts) > 0 && !parts[0].Wildcard {
		parts[0].Text = strings.TrimLeftFunc(parts[0].Text, isJSSpace)
		if parts[0].Text == "" {
			parts = parts[1:]
		}
	}
	if n := len(parts); n > 0 && !parts[n-1].Wildcard {
		parts[n-1].Text = strings.TrimRightFunc(parts[n-1].Text, isJSSpace)
		if parts[n-1].Text == "" {
			parts = parts[:n-1]
		}
	}
	return parts
}

// isJSSpace reports whether JavaScript's String.prototype.trim removes r.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff':
		return true
	}
	return r >= '\u2000' && r <= '\u200a'
}
