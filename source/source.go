// Package source is where things were written: positions in a text (a
// query, a rule file, a scenario), spans of text, and errors that point at
// the offending spot with a caret.
//
// It is a leaf: the parsers, the constraint form and the rule loaders all
// use it, and it depends on nothing of the project's.
package source

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrSyntax is what errors.Is finds in every error that says a text is
// malformed: a query, a rule file, a tag expression.
var ErrSyntax = errors.New("syntax error")

// Pos is a position in a query's source text. Line and Col are 1-based; Col
// counts characters (runes), not bytes. Offset is the 0-based byte offset.
type Pos struct {
	Offset int
	Line   int
	Col    int
}

// String renders the position as "line:col".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// IsValid reports whether p was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// PosAt computes the position of byte offset off in src.
func PosAt(src string, off int) Pos {
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	line, col := 1, 1
	for _, r := range src[:off] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return Pos{Offset: off, Line: line, Col: col}
}

// Loc is where a node was written: the position of its first byte and the
// position just after its last byte.
type Loc struct {
	Start, End Pos
}

// Text returns the source text of the location in src ("" when the
// location does not lie in src).
func (l Loc) Text(src string) string {
	if l.Start.Offset < 0 || l.End.Offset > len(src) || l.Start.Offset > l.End.Offset {
		return ""
	}
	return src[l.Start.Offset:l.End.Offset]
}

// Error is a syntax (or semantic) error at a position of a text.
//
// Error() gives a one-line "line:col: message"; Detail() adds the source
// line with a caret under the position, for humans.
type Error struct {
	Lang string // "kql" or "eql"; may be empty
	Pos  Pos
	Msg  string
	Src  string // the whole query text, for the caret display
}

func (e *Error) Error() string {
	prefix := ""
	if e.Lang != "" {
		prefix = e.Lang + ": "
	}
	return fmt.Sprintf("%s%s: %s", prefix, e.Pos, e.Msg)
}

// Is makes errors.Is(err, ErrSyntax) hold.
func (e *Error) Is(target error) bool { return target == ErrSyntax }

// Detail renders the error with the offending source line and a caret:
//
//	kql: 1:15: unexpected token ")"
//	  process.name : )
//	                 ^
//
// A source line longer than DetailWidth characters is cut around the
// position ("..." marks what is left out) and the caret stays under it.
func (e *Error) Detail() string {
	var b strings.Builder
	b.WriteString(e.Error())
	if e.Src == "" || !e.Pos.IsValid() {
		return b.String()
	}
	lines := strings.Split(e.Src, "\n")
	if e.Pos.Line-1 >= len(lines) {
		return b.String()
	}
	line := []rune(strings.TrimRight(lines[e.Pos.Line-1], "\r"))
	col := min(max(e.Pos.Col-1, 0), len(line))
	start, end := 0, len(line)
	if len(line) > DetailWidth {
		// Two thirds of the window before the position, one after.
		start = max(0, col-DetailWidth*2/3)
		end = min(len(line), start+DetailWidth)
		start = max(0, end-DetailWidth)
	}
	b.WriteString("\n  ")
	indent := 0
	if start > 0 {
		b.WriteString(elision)
		indent = len(elision)
	}
	b.WriteString(expandTabs(string(line[start:end])))
	if end < len(line) {
		b.WriteString(elision)
	}
	b.WriteString("\n  ")
	b.WriteString(strings.Repeat(" ", indent))
	// Keep tabs aligned with the source line above the caret.
	for _, r := range line[start:col] {
		if r == '\t' {
			b.WriteString("    ")
		} else {
			b.WriteByte(' ')
		}
	}
	b.WriteByte('^')
	return b.String()
}

// DetailWidth is the most characters of a source line Detail shows.
const DetailWidth = 100

// elision marks text left out.
const elision = "..."

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", "    ") }

// MaxQuote is the most bytes of input that a message line quotes (see
// Clip): enough for any real query line, not a 20 KB one.
const MaxQuote = 1000

// Clip returns s cut to at most max bytes (at a character boundary), with
// how much was left out: "... (21000 more bytes)". Messages that quote
// input (a query, a value) clip it so that a huge input is not echoed.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s%s (%d more bytes)", s[:cut], elision, len(s)-cut)
}

// Errorf builds an Error at byte offset off of src.
func Errorf(lang, src string, off int, format string, args ...any) *Error {
	return &Error{Lang: lang, Pos: PosAt(src, off), Msg: fmt.Sprintf(format, args...), Src: src}
}
