package esql

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dlclark/regexp2"
)

// This file runs the two backtracking regular expression dialects ES|QL
// takes beside RLIKE's Lucene expressions: Java's java.util.regex
// (REPLACE) and Oniguruma's Ruby syntax (GROK, through Joni). Both run on
// regexp2, a backtracking engine with lookaround, atomic groups and
// backreferences, after a light translation of what its .NET syntax writes
// differently:
//
//   - every capturing group becomes a group named by its number, so that
//     numbers follow Java's left-to-right order (.NET numbers named groups
//     after the others) and names may hold dots (Esql.user);
//   - Oniguruma's plain (...) is not capturing when the pattern names
//     groups, which is always so in GROK;
//   - possessive quantifiers (x*+, x++, x?+, x{n,m}+) become atomic groups;
//   - Java's \Q...\E quotes, \h, \H, \v, \R and Oniguruma's \h, \H (hex
//     digits) become classes;
//   - Oniguruma's (?m) is .NET's (?s) (dot matches newlines), and ^ and $
//     always match at line boundaries;
//   - \d, \w and \s are ASCII, as in Java and Ruby (regexp2's RE2 mode).
//
// A match that runs longer than regexTimeout is an error rather than a
// hang (catastrophic backtracking).

type regexDialect uint8

const (
	dialectJava regexDialect = iota
	dialectOniguruma
)

// regexTimeout bounds one match.
const regexTimeout = 2 * time.Second

// javaRegex is a compiled Java or Oniguruma regular expression.
type javaRegex struct {
	re *regexp2.Regexp
	// groups is the number of capturing groups.
	groups int
	// names maps a group name to the numbers of the groups of that name,
	// in order.
	names map[string][]int
	// order lists the group names in order of first appearance.
	order []string
}

// javaRegex compiles (and caches) a regular expression.
func (ev *queryRunner) javaRegex(pattern string, d regexDialect) (*javaRegex, error) {
	return cachedCompile(fmt.Sprintf("regex%d:%s", d, pattern), func() (*javaRegex, error) {
		return compileRegex(pattern, d)
	})
}

// regexError is the error of an invalid regular expression.
func (ev *queryRunner) regexError(loc Loc, pattern string, err error) error {
	var u unsupportedRegex
	if errors.As(err, &u) {
		return ev.unsupported(loc, "regular expression %q: %s", pattern, string(u))
	}
	return ev.errorf(loc, "invalid regular expression %q: %v", pattern, err)
}

// unsupportedRegex is a construct of the dialect that has no translation.
type unsupportedRegex string

func (u unsupportedRegex) Error() string { return string(u) }

func compileRegex(pattern string, d regexDialect) (*javaRegex, error) {
	tr, err := translateRegex(pattern, d)
	if err != nil {
		return nil, err
	}
	opts := regexp2.RegexOptions(regexp2.RE2)
	if d == dialectOniguruma {
		opts |= regexp2.Multiline
	}
	re, err := regexp2.Compile(tr.out, opts)
	if err != nil {
		return nil, err
	}
	re.MatchTimeout = regexTimeout
	return &javaRegex{re: re, groups: tr.groups, names: tr.names, order: tr.order}, nil
}

// translated is a pattern rewritten for regexp2.
type translated struct {
	out    string
	groups int
	names  map[string][]int
	order  []string
}

// translateRegex rewrites a Java or Oniguruma pattern for regexp2.
func translateRegex(p string, d regexDialect) (*translated, error) {
	rs := []rune(p)
	var b strings.Builder
	tr := &translated{names: map[string][]int{}}
	// out is written into b; atom is the offset in b of the last atom a
	// quantifier applies to, stack the offsets of open groups.
	atom := -1
	var stack []int
	n := len(rs)
	for i := 0; i < n; i++ {
		ch := rs[i]
		switch ch {
		case '\\':
			if i+1 >= n {
				return nil, errors.New("unexpected end of pattern after \\")
			}
			atom = b.Len()
			next := rs[i+1]
			i++
			switch {
			case next == 'Q' && d == dialectJava:
				end := indexRunes(rs, i+1, []rune(`\E`))
				if end < 0 {
					end = n
				}
				lit := string(rs[i+1 : end])
				b.WriteString("(?:" + regexp2.Escape(lit) + ")")
				i = end + 1
			case next == 'h' || next == 'H':
				b.WriteString(classFor(next, d))
			case (next == 'v' || next == 'R') && d == dialectJava:
				b.WriteString(classFor(next, d))
			case next == 'k' && i+1 < n && rs[i+1] == '<':
				end := indexRunes(rs, i+2, []rune(">"))
				if end < 0 {
					return nil, errors.New("unterminated \\k<name>")
				}
				name := string(rs[i+2 : end])
				nums, ok := tr.names[name]
				if !ok {
					return nil, fmt.Errorf("named capturing group <%s> does not exist", name)
				}
				b.WriteString(`\k<` + strconv.Itoa(nums[0]) + ">")
				i = end
			default:
				b.WriteRune('\\')
				b.WriteRune(next)
			}
		case '[':
			atom = b.Len()
			end, err := copyClass(&b, rs, i, d)
			if err != nil {
				return nil, err
			}
			i = end
		case '(':
			stack = append(stack, b.Len())
			if i+1 < n && rs[i+1] == '?' {
				skip, err := groupStart(&b, rs, i, d, tr)
				if err != nil {
					return nil, err
				}
				if skip < 0 { // an option setting "(?i)" or a comment: no group
					stack = stack[:len(stack)-1]
					i = -skip
					continue
				}
				i = skip
				continue
			}
			if d == dialectJava {
				tr.groups++
				b.WriteString("(?<" + strconv.Itoa(tr.groups) + ">")
			} else {
				b.WriteString("(?:")
			}
		case ')':
			if len(stack) == 0 {
				return nil, errors.New("unmatched closing ')'")
			}
			atom = stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			b.WriteRune(')')
		case '*', '+', '?', '{':
			q := 1
			if ch == '{' {
				q = quantifierLen(rs, i)
				if q == 0 {
					if d == dialectJava {
						return nil, errors.New("illegal repetition near index " + strconv.Itoa(i))
					}
					atom = b.Len()
					b.WriteString(`\{`)
					continue
				}
			}
			if atom < 0 {
				return nil, fmt.Errorf("dangling meta character '%c' near index %d", ch, i)
			}
			b.WriteString(string(rs[i : i+q]))
			i += q - 1
			if i+1 < n && rs[i+1] == '?' {
				b.WriteRune('?')
				i++
			} else if i+1 < n && rs[i+1] == '+' {
				// Possessive: an atomic group around the quantified atom.
				s := b.String()
				b.Reset()
				b.WriteString(s[:atom] + "(?>" + s[atom:] + ")")
				i++
			}
		case '|':
			atom = -1
			b.WriteRune(ch)
		case '^', '$':
			atom = -1
			b.WriteRune(ch)
		default:
			atom = b.Len()
			b.WriteRune(ch)
		}
	}
	if len(stack) > 0 {
		return nil, errors.New("unclosed group")
	}
	tr.out = b.String()
	return tr, nil
}

// indexRunes finds sub in rs from index from; -1 when absent.
func indexRunes(rs []rune, from int, sub []rune) int {
	for i := from; i+len(sub) <= len(rs); i++ {
		match := true
		for j, r := range sub {
			if rs[i+j] != r {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// classFor is the class of an escape .NET does not know.
func classFor(esc rune, d regexDialect) string {
	if d == dialectOniguruma {
		if esc == 'h' {
			return "[0-9a-fA-F]"
		}
		return "[^0-9a-fA-F]"
	}
	const horizontal = ` \t\xA0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000`
	const vertical = `\n\x0B\f\r\x85\u2028\u2029`
	switch esc {
	case 'h':
		return "[" + horizontal + "]"
	case 'H':
		return "[^" + horizontal + "]"
	case 'v':
		return "[" + vertical + "]"
	}
	return `(?:\r\n|[` + vertical + `])` // \R
}

// copyClass copies a character class starting at rs[i] ("[") and returns
// the index of its closing "]".
func copyClass(b *strings.Builder, rs []rune, i int, d regexDialect) (int, error) {
	b.WriteRune('[')
	j := i + 1
	if j < len(rs) && rs[j] == '^' {
		b.WriteRune('^')
		j++
	}
	if j < len(rs) && rs[j] == ']' { // a leading "]" is literal
		b.WriteString(`\]`)
		j++
	}
	for ; j < len(rs); j++ {
		switch rs[j] {
		case '\\':
			if j+1 >= len(rs) {
				return 0, errors.New("unclosed character class")
			}
			next := rs[j+1]
			if next == 'h' || next == 'H' || next == 'v' && d == dialectJava {
				cls := classFor(next, d)
				if strings.HasPrefix(cls, "[^") {
					return 0, unsupportedRegex("a negated \\" + string(next) + " inside a character class")
				}
				b.WriteString(cls[1 : len(cls)-1])
			} else {
				b.WriteRune('\\')
				b.WriteRune(next)
			}
			j++
		case '[':
			if j+1 < len(rs) && rs[j+1] == ':' && d == dialectOniguruma {
				end := indexRunes(rs, j, []rune(":]"))
				if end < 0 {
					return 0, errors.New("unclosed POSIX bracket")
				}
				cls, ok := posixClasses[string(rs[j+2:end])]
				if !ok {
					return 0, fmt.Errorf("invalid POSIX bracket type [:%s:]", string(rs[j+2:end]))
				}
				b.WriteString(cls)
				j = end + 1
				continue
			}
			return 0, unsupportedRegex("nested character classes")
		case '&':
			if j+1 < len(rs) && rs[j+1] == '&' {
				return 0, unsupportedRegex("character class intersection (&&)")
			}
			b.WriteRune('&')
		case ']':
			b.WriteRune(']')
			return j, nil
		default:
			b.WriteRune(rs[j])
		}
	}
	return 0, errors.New("unclosed character class")
}

// posixClasses are Oniguruma's POSIX brackets ([[:alnum:]]), ASCII.
var posixClasses = map[string]string{
	"alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "ascii": `\x00-\x7F`, "blank": ` \t`, "cntrl": `\x00-\x1F\x7F`,
	"digit": "0-9", "graph": `\x21-\x7E`, "lower": "a-z", "print": `\x20-\x7E`,
	"punct": `!-/:-@\[-` + "`" + `{-~`, "space": ` \t\n\v\f\r`, "upper": "A-Z", "word": `a-zA-Z0-9_`, "xdigit": "0-9a-fA-F",
}

// groupStart translates a group opening "(?..." at rs[i]. It returns the
// index of the last rune it consumed, or minus that index when it wrote no
// group (an inline option setting, a comment).
func groupStart(b *strings.Builder, rs []rune, i int, d regexDialect, tr *translated) (int, error) {
	n := len(rs)
	if i+2 >= n {
		return 0, errors.New("unexpected end of pattern after (?")
	}
	c := rs[i+2]
	switch {
	case c == '<' && i+3 < n && rs[i+3] != '=' && rs[i+3] != '!', c == 'P' && i+3 < n && rs[i+3] == '<':
		start := i + 3
		if c == 'P' {
			start = i + 4
		}
		end := indexRunes(rs, start, []rune(">"))
		if end < 0 || end == start {
			return 0, errors.New("invalid named group")
		}
		name := string(rs[start:end])
		if d == dialectJava {
			if !javaGroupName(name) {
				return 0, fmt.Errorf("named capturing group <%s> has an invalid name", name)
			}
			if _, dup := tr.names[name]; dup {
				return 0, fmt.Errorf("named capturing group <%s> is already defined", name)
			}
		}
		tr.groups++
		if _, ok := tr.names[name]; !ok {
			tr.order = append(tr.order, name)
		}
		tr.names[name] = append(tr.names[name], tr.groups)
		b.WriteString("(?<" + strconv.Itoa(tr.groups) + ">")
		return end, nil
	case c == ':' || c == '=' || c == '!' || c == '>':
		b.WriteString("(?" + string(c))
		return i + 2, nil
	case c == '<': // lookbehind (?<= (?<!
		b.WriteString("(?<" + string(rs[i+3]))
		return i + 3, nil
	case c == '#':
		end := indexRunes(rs, i+3, []rune(")"))
		if end < 0 {
			return 0, errors.New("unterminated comment")
		}
		return -end, nil
	}
	// Inline options: (?flags) or (?flags:...).
	j := i + 2
	var flags strings.Builder
	for ; j < n && (rs[j] == '-' || 'a' <= rs[j] && rs[j] <= 'z' || 'A' <= rs[j] && rs[j] <= 'Z'); j++ {
		f := rs[j]
		switch {
		case f == '-' || f == 'i' || f == 'x':
			flags.WriteRune(f)
		case f == 'm' && d == dialectOniguruma:
			flags.WriteRune('s') // Ruby's m is dot-all
		case (f == 'm' || f == 's') && d == dialectJava:
			flags.WriteRune(f)
		case (f == 'u' || f == 'U' || f == 'd') && d == dialectJava:
			// Unicode case folding and classes, Unix lines: no translation.
		default:
			return 0, fmt.Errorf("unknown inline modifier '%c'", f)
		}
	}
	if j >= n {
		return 0, errors.New("unexpected end of pattern in inline options")
	}
	f := strings.TrimSuffix(flags.String(), "-")
	switch rs[j] {
	case ')':
		if f != "" {
			b.WriteString("(?" + f + ")")
		}
		return -j, nil
	case ':':
		b.WriteString("(?" + f + ":")
		return j, nil
	}
	return 0, fmt.Errorf("unknown group type near index %d", i)
}

// javaGroupName reports whether a name is a valid Java group name: an
// ASCII letter then ASCII letters and digits.
func javaGroupName(s string) bool {
	for i, r := range s {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return s != ""
}

// quantifierLen is the length of a {n}, {n,} or {n,m} quantifier at rs[i];
// 0 when rs[i] does not start one.
func quantifierLen(rs []rune, i int) int {
	j := i + 1
	digits := 0
	for j < len(rs) && '0' <= rs[j] && rs[j] <= '9' {
		j++
		digits++
	}
	if j < len(rs) && rs[j] == ',' {
		j++
		for j < len(rs) && '0' <= rs[j] && rs[j] <= '9' {
			j++
		}
	}
	if digits == 0 || j >= len(rs) || rs[j] != '}' {
		return 0
	}
	return j - i + 1
}

// replaceAll replaces every match of r in s as Java's Matcher.replaceAll
// does: "$n" and "${name}" insert a group, a backslash escapes the next
// character.
func (r *javaRegex) replaceAll(s, repl string) (string, error) {
	runes := []rune(s)
	m, err := r.re.FindRunesMatch(runes)
	if err != nil {
		return "", err
	}
	if m == nil {
		return s, nil
	}
	var b strings.Builder
	last := 0
	for m != nil {
		b.WriteString(string(runes[last:m.Index]))
		if err := r.expand(&b, m, repl); err != nil {
			return "", err
		}
		last = m.Index + m.Length
		if m, err = r.re.FindNextMatch(m); err != nil {
			return "", err
		}
	}
	b.WriteString(string(runes[last:]))
	return b.String(), nil
}

// expand writes a replacement for a match.
func (r *javaRegex) expand(b *strings.Builder, m *regexp2.Match, repl string) error {
	for i := 0; i < len(repl); i++ {
		ch := repl[i]
		switch ch {
		case '\\':
			i++
			if i >= len(repl) {
				return errors.New("IllegalArgumentException: character to be escaped is missing")
			}
			b.WriteByte(repl[i])
		case '$':
			i++
			if i >= len(repl) {
				return errors.New("IllegalArgumentException: Illegal group reference: group index is missing")
			}
			var num int
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return errors.New("IllegalArgumentException: named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+end]
				nums, ok := r.names[name]
				if !ok {
					return fmt.Errorf("IllegalArgumentException: No group with name {%s}", name)
				}
				num = nums[0]
				i += end
			} else {
				if repl[i] < '0' || repl[i] > '9' {
					return errors.New("IllegalArgumentException: Illegal group reference")
				}
				num = int(repl[i] - '0')
				for i+1 < len(repl) && '0' <= repl[i+1] && repl[i+1] <= '9' {
					next := num*10 + int(repl[i+1]-'0')
					if next > r.groups {
						break
					}
					num = next
					i++
				}
				if num > r.groups {
					return fmt.Errorf("IndexOutOfBoundsException: No group %d", num)
				}
			}
			if g := m.GroupByNumber(num); g != nil && len(g.Captures) > 0 {
				b.WriteString(g.String())
			}
		default:
			b.WriteByte(ch)
		}
	}
	return nil
}

// captures matches s (searching, not anchored) and returns the values of
// the named groups that took part in the match, by name, in the order of
// the groups; ok is false when s does not match.
func (r *javaRegex) captures(s string) (map[string][]string, bool, error) {
	m, err := r.re.FindStringMatch(s)
	if err != nil || m == nil {
		return nil, false, err
	}
	out := map[string][]string{}
	for name, nums := range r.names {
		for _, n := range nums {
			if g := m.GroupByNumber(n); g != nil && len(g.Captures) > 0 {
				out[name] = append(out[name], g.String())
			}
		}
	}
	return out, true, nil
}
