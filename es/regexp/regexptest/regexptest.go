// Package regexptest holds what the tests of every Lucene regular
// expression implementation share: the conformance table
// (testdata/conformance/regexp.txt, read by Cases) and seeded random
// patterns and strings for differential tests.
package regexptest

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/emit-sec/emit/es/regexp"
)

// Case is one line of the conformance table.
type Case struct {
	Line    int
	Pattern string
	Flags   regexp.Flags // syntax flags, plus regexp.CaseInsensitive for "ci"
	Match   []string     // strings the whole pattern matches
	NoMatch []string     // strings it does not match
	// Err is set when the pattern is invalid: ErrOffset is the error's
	// byte offset and ErrMsg a part of its message.
	Err       bool
	ErrOffset int
	ErrMsg    string
}

func (c Case) String() string {
	ci := ""
	if c.Flags&regexp.CaseInsensitive != 0 {
		ci = " ci"
	}
	return fmt.Sprintf("regexp.txt:%d: %#q (%s%s)", c.Line, c.Pattern, c.Flags, ci)
}

// Path is the conformance table's path: testdata/conformance/regexp.txt in
// the module's root, found from the working directory upwards.
func Path(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "testdata", "conformance", "regexp.txt")
		}
		if filepath.Dir(d) == d {
			tb.Fatalf("no go.mod above %s", wd)
		}
	}
}

// Cases reads the conformance table; a malformed line fails the test.
func Cases(tb testing.TB) []Case {
	tb.Helper()
	f, err := os.Open(Path(tb))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cases, err := Read(f.Name(), bufio.NewScanner(f))
	if err != nil {
		tb.Fatal(err)
	}
	return cases
}

// Read parses the table format (documented at the top of regexp.txt).
func Read(name string, sc *bufio.Scanner) ([]Case, error) {
	var cases []Case
	for line := 1; sc.Scan(); line++ {
		toks, err := tokens(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if len(toks) == 0 {
			continue
		}
		c, err := parseCase(toks)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		c.Line = line
		cases = append(cases, c)
	}
	return cases, sc.Err()
}

// token is a field of a line: a Go string literal (quoted) or a bare word.
type token struct {
	text   string
	quoted bool
}

// tokens splits a line into fields, up to a "#" that starts a field.
func tokens(s string) ([]token, error) {
	var out []token
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" || s[0] == '#' {
			return out, nil
		}
		if s[0] == '"' || s[0] == '`' {
			lit, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil, fmt.Errorf("bad string literal at %q", s)
			}
			v, _ := strconv.Unquote(lit)
			out = append(out, token{v, true})
			s = s[len(lit):]
			continue
		}
		end := strings.IndexAny(s, " \t")
		if end < 0 {
			end = len(s)
		}
		out = append(out, token{s[:end], false})
		s = s[end:]
	}
}

func parseCase(toks []token) (Case, error) {
	var c Case
	if len(toks) < 3 || !toks[0].quoted || toks[1].quoted || toks[2].quoted {
		return c, fmt.Errorf("want: PATTERN FLAGS cs|ci ...")
	}
	c.Pattern = toks[0].text
	f, err := regexp.ParseFlags(toks[1].text)
	if err != nil {
		return c, err
	}
	c.Flags = f
	switch toks[2].text {
	case "ci":
		c.Flags |= regexp.CaseInsensitive
	case "cs":
	default:
		return c, fmt.Errorf("want cs or ci, found %q", toks[2].text)
	}
	rest := toks[3:]
	if len(rest) > 0 && !rest[0].quoted && rest[0].text == "!" {
		if len(rest) != 3 || rest[1].quoted || !rest[2].quoted {
			return c, fmt.Errorf("want: ! OFFSET \"message\"")
		}
		c.Err = true
		if c.ErrOffset, err = strconv.Atoi(rest[1].text); err != nil {
			return c, fmt.Errorf("bad offset %q", rest[1].text)
		}
		c.ErrMsg = rest[2].text
		return c, nil
	}
	var dst *[]string
	for _, t := range rest {
		switch {
		case !t.quoted && t.text == "+":
			dst = &c.Match
		case !t.quoted && t.text == "-":
			dst = &c.NoMatch
		case t.quoted && dst != nil:
			*dst = append(*dst, t.text)
		default:
			return c, fmt.Errorf("unexpected %q (strings follow + or -)", t.text)
		}
	}
	if len(c.Match)+len(c.NoMatch) == 0 {
		return c, fmt.Errorf("a case needs strings to match or not, or an error")
	}
	return c, nil
}

// Pattern returns a random pattern, mostly valid: atoms from a small
// alphabet (so that random strings often match) combined with every
// operator of the syntax, and now and then a stray character.
func Pattern(r *rand.Rand) string {
	var b strings.Builder
	genUnion(r, &b, 0)
	if r.IntN(20) == 0 {
		// Something that may not parse.
		junk := []string{"|", ")", "(", "[", "]", "{", "}", "{2", "\\", `"`, "<", ">", "-", "&", "~", "a|", "{,2}", "[b-a]", "\\q", "<1>"}
		s := b.String()
		i := r.IntN(len(s) + 1)
		return s[:i] + junk[r.IntN(len(junk))] + s[i:]
	}
	return b.String()
}

func genUnion(r *rand.Rand, b *strings.Builder, depth int) {
	n := 1
	if depth < 3 && r.IntN(4) == 0 {
		n = 2 + r.IntN(2)
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('|')
		}
		genInter(r, b, depth)
	}
}

func genInter(r *rand.Rand, b *strings.Builder, depth int) {
	genConcat(r, b, depth)
	if depth < 3 && r.IntN(8) == 0 {
		b.WriteByte('&')
		genConcat(r, b, depth)
	}
}

func genConcat(r *rand.Rand, b *strings.Builder, depth int) {
	n := 1 + r.IntN(3)
	for i := 0; i < n; i++ {
		genRepeat(r, b, depth)
	}
}

func genRepeat(r *rand.Rand, b *strings.Builder, depth int) {
	if depth < 3 && r.IntN(10) == 0 {
		b.WriteByte('~')
	}
	genAtom(r, b, depth)
	switch r.IntN(10) {
	case 0:
		b.WriteByte('*')
	case 1:
		b.WriteByte('+')
	case 2:
		b.WriteByte('?')
	case 3:
		lo := r.IntN(3)
		switch r.IntN(3) {
		case 0:
			fmt.Fprintf(b, "{%d}", lo)
		case 1:
			fmt.Fprintf(b, "{%d,}", lo)
		default:
			fmt.Fprintf(b, "{%d,%d}", lo, lo+r.IntN(3)-1)
		}
	}
}

var (
	atomChars = []string{"a", "b", "A", "B", "0", "1", "2", " ", "-", "é", "É", "\\.", "\\\\", "\\-", "\\\"", "^", "$", ","}
	classes   = []string{"[ab]", "[a-c]", "[^a]", "[A-Z]", "[0-9]", "[a-zA-Z]", "[^0-9a]", "[b-bé]", "[\\d-]", "[]a]", "[a\\-c]", "[É-ë]", "[^\\s]", "[\\\\b]"}
	specials  = []string{".", "@", "#", "()", "\\d", "\\D", "\\s", "\\S", "\\w", "\\W", "\"ab\"", "\"a.B\"", "\"\"",
		"<1-12>", "<01-12>", "<0-5>", "<5-0>", "<007-10>", "<1-100>", "<10-99>", "<+1-+9>"}
)

func genAtom(r *rand.Rand, b *strings.Builder, depth int) {
	switch k := r.IntN(10); {
	case k < 5:
		b.WriteString(atomChars[r.IntN(len(atomChars))])
	case k < 7:
		b.WriteString(classes[r.IntN(len(classes))])
	case k < 9 || depth >= 3:
		b.WriteString(specials[r.IntN(len(specials))])
	default:
		b.WriteByte('(')
		genUnion(r, b, depth+1)
		b.WriteByte(')')
	}
}

// Alphabet is the characters random strings are made of: those the random
// patterns use, in both cases, and a few others.
var Alphabet = []rune("aAbBcC0129 -.\\\"éÉëzZ_\t,^$")

// String returns a random string of up to max characters of Alphabet.
func String(r *rand.Rand, max int) string {
	n := r.IntN(max + 1)
	rs := make([]rune, n)
	for i := range rs {
		rs[i] = Alphabet[r.IntN(len(Alphabet))]
	}
	return string(rs)
}

// Mutate returns s with one character inserted, removed or replaced.
func Mutate(r *rand.Rand, s string) string {
	rs := []rune(s)
	i := r.IntN(len(rs) + 1)
	c := Alphabet[r.IntN(len(Alphabet))]
	switch {
	case r.IntN(3) == 0 && i < len(rs):
		rs = append(rs[:i], rs[i+1:]...)
	case r.IntN(2) == 0 && i < len(rs):
		rs[i] = c
	default:
		rs = append(rs[:i], append([]rune{c}, rs[i:]...)...)
	}
	return string(rs)
}
