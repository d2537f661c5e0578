package eql

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/internal/interval"
)

// patKind is the kind of a string pattern.
type patKind uint8

const (
	patLit   patKind = iota // exactly a string
	patWild                 // a wildcard pattern
	patRegex                // a Lucene regular expression
)

// strPat is a set of strings a string expression is compared to: what
// "==", ":", "like", "regex", startsWith, ... test.
type strPat struct {
	kind  patKind
	lit   string
	wild  wildcard.Pattern
	regex string
	ci    bool
	// eq marks a literal from "==" or "in": on a field it becomes an Eq
	// predicate rather than a Like one.
	eq bool
}

func litPat(s string, ci, eq bool) strPat { return strPat{kind: patLit, lit: s, ci: ci, eq: eq} }

func wildPat(p wildcard.Pattern, ci bool) strPat {
	if !p.HasWildcard() {
		s := ""
		for _, e := range p {
			s += e.Lit
		}
		return strPat{kind: patLit, lit: s, ci: ci}
	}
	return strPat{kind: patWild, wild: p, ci: ci}
}

func regexPat(re string, ci bool) strPat { return strPat{kind: patRegex, regex: re, ci: ci} }

// matches reports whether s is in the pattern's set.
func (p strPat) matches(s string) bool {
	switch p.kind {
	case patLit:
		if p.ci {
			return strings.EqualFold(p.lit, s)
		}
		return p.lit == s
	case patWild:
		return p.wild.Match(s, p.ci)
	}
	return regexMatch(p.regex, p.ci, s)
}

// lengths returns the least and greatest length in characters of the
// strings of p (greatest -1: unbounded); ok is false for a regex.
func (p strPat) lengths() (lo, hi int, ok bool) {
	switch p.kind {
	case patLit:
		n := utf8.RuneCountInString(p.lit)
		return n, n, true
	case patWild:
		star := false
		for _, e := range p.wild {
			switch e.Kind {
			case wildcard.AnyString:
				star = true
			case wildcard.AnyChar:
				lo++
			default:
				lo += utf8.RuneCountInString(e.Lit)
			}
		}
		if star {
			return lo, -1, true
		}
		return lo, lo, true
	}
	return 0, -1, false
}

// fixed renders "the strings of p of exactly n characters": "" when there
// are none.
func (p strPat) fixed(n int) string {
	lo, hi, ok := p.lengths()
	if ok {
		if n < lo || hi >= 0 && n > hi {
			return ""
		}
		if lo == hi {
			return "(" + p.re(false) + ")"
		}
	}
	return "((" + p.re(false) + ")&" + reRepeat(n, n) + ")"
}

// re renders the pattern as a Lucene regular expression. With manualCI the
// case-insensitivity is spelled out in character classes ([aA]), so that
// the expression can be embedded in a case-sensitive one; otherwise the
// caller applies p.ci to the whole expression.
func (p strPat) re(manualCI bool) string {
	ci := manualCI && p.ci
	switch p.kind {
	case patLit:
		return reLiteral(p.lit, ci)
	case patWild:
		var b strings.Builder
		for _, e := range p.wild {
			switch e.Kind {
			case wildcard.AnyString:
				b.WriteString(".*")
			case wildcard.AnyChar:
				b.WriteString(".")
			default:
				b.WriteString(reLiteral(e.Lit, ci))
			}
		}
		return b.String()
	}
	return "(" + p.regex + ")"
}

// reLiteral escapes s for a Lucene regular expression: every ASCII
// character but letters and digits gets a backslash (Lucene reads "\x" as
// x). With ci, letters become classes of their case variants.
func reLiteral(s string, ci bool) string {
	var b strings.Builder
	for _, r := range s {
		if ci {
			if v := caseVariants(r); len(v) > 1 {
				b.WriteByte('[')
				for _, c := range v {
					writeReRune(&b, c)
				}
				b.WriteByte(']')
				continue
			}
		}
		writeReRune(&b, r)
	}
	return b.String()
}

func writeReRune(b *strings.Builder, r rune) {
	if r < utf8.RuneSelf && !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}

// caseVariants returns r and the runes that fold to the same as r.
func caseVariants(r rune) []rune {
	out := []rune{r}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		out = append(out, f)
	}
	return out
}

// hasCase reports whether s has a letter with case variants.
func hasCase(s string) bool {
	for _, r := range s {
		if len(caseVariants(r)) > 1 {
			return true
		}
	}
	return false
}

// reRepeat renders ".{n}", ".{n,}" (m < 0) or ".{n,m}".
func reRepeat(n, m int) string {
	switch {
	case m < 0:
		if n == 0 {
			return ".*"
		}
		return ".{" + strconv.Itoa(n) + ",}"
	case n == m:
		if n == 0 {
			return ""
		}
		return ".{" + strconv.Itoa(n) + "}"
	}
	return ".{" + strconv.Itoa(n) + "," + strconv.Itoa(m) + "}"
}

// reAlt joins alternatives; "#" (the empty language) when there are none.
func reAlt(alts []string) string {
	switch len(alts) {
	case 0:
		return "#"
	case 1:
		return alts[0]
	}
	return "(" + strings.Join(alts, ")|(") + ")"
}

// maxSliceEnum bounds the string lengths substring() lowering spells out.
const maxSliceEnum = 256

// substringRegex returns a regex over a source string s such that
// substring(s, start[, end]) is in p, with Python slice semantics.
// p's case-insensitivity applies to the whole result.
func substringRegex(p strPat, start int64, end *int64) (string, bool) {
	P := p.re(false)
	emptyIn := p.matches("")
	absI := func(x int64) int64 {
		if x < 0 {
			return -x
		}
		return x
	}
	n := absI(start)
	if end != nil {
		n += absI(*end)
	}
	if n > maxSliceEnum {
		return "", false
	}
	var alts []string
	add := func(prefix, mid, suffix string) {
		if mid != "" {
			alts = append(alts, prefix+mid+suffix)
		}
	}
	// Short strings, one length at a time.
	for L := int64(0); L < n; L++ {
		s0, e0 := sliceBounds(L, start, end)
		if e0 > s0 {
			add(reRepeat(int(s0), int(s0)), p.fixed(int(e0-s0)), reRepeat(int(L-e0), int(L-e0)))
		} else if emptyIn {
			alts = append(alts, reRepeat(int(L), int(L)))
		}
	}
	// Strings of length >= n, where the slice has one shape.
	a := int(absI(start))
	switch {
	case end == nil && start >= 0:
		alts = append(alts, reRepeat(a, a)+"("+P+")")
	case end == nil:
		add(".*", p.fixed(a), "")
	default:
		b := int(absI(*end))
		switch {
		case start >= 0 && *end >= 0:
			if b > a {
				add(reRepeat(a, a), p.fixed(b-a), ".*")
			} else if emptyIn {
				alts = append(alts, ".*")
			}
		case start >= 0:
			alts = append(alts, reRepeat(a, a)+"("+P+")"+reRepeat(b, b))
		case *end >= 0:
			if emptyIn {
				alts = append(alts, reRepeat(int(n), -1))
			}
		default:
			if a > b {
				add(".*", p.fixed(a-b), reRepeat(b, b))
			} else if emptyIn {
				alts = append(alts, reRepeat(int(n), -1))
			}
		}
	}
	return reAlt(alts), true
}

// sliceBounds returns the bounds substring(s, start, end) takes of a string
// of length L.
func sliceBounds(L, start int64, end *int64) (int64, int64) {
	e := L
	if end != nil {
		e = *end
	}
	if start < 0 {
		start += L
	}
	start = max(start, 0)
	if e < 0 {
		e += L
	}
	e = min(max(e, 0), L)
	if start >= e {
		return 0, 0
	}
	return start, e
}

// betweenRegex returns a regex over a source string s such that
// between(s, left, right, greedy) (case-insensitive with ci) is in p.
// left and right are not empty. ok is false when the case rules of the
// function and of p cannot be combined; the result is case-sensitive
// unless global is set (then p.ci applies to the whole expression).
func betweenRegex(p strPat, left, right string, greedy, ci bool) (re string, global bool, ok bool) {
	manual := ci != p.ci && (hasCase(left) || hasCase(right))
	if manual && p.kind == patRegex {
		return "", false, false
	}
	L, R := reLiteral(left, manual && ci), reLiteral(right, manual && ci)
	firstL := "((.*" + L + ")&~(.*" + L + ".+))"
	body := func(mid string) string {
		if greedy {
			// The last occurrence of right in the whole string ends the result.
			return firstL + "(" + mid + ")((" + R + ".*)&~(.+" + R + ".*))"
		}
		return firstL + "(((" + mid + ")" + R + ")&((.*" + R + ")&~(.*" + R + ".+))).*"
	}
	P := p.re(manual)
	nonEmpty := body("((" + P + ")&.+)")
	if p.kind == patLit && p.lit == "" {
		return "~(" + body(".+") + ")", !manual, true
	}
	if p.matches("") {
		// An empty result: left or right not found (or right before left).
		return "(" + nonEmpty + ")|~(" + body(".+") + ")", !manual, true
	}
	return nonEmpty, !manual, true
}

// indexOfRegex returns a regex over a source string s such that
// indexOf(s, sub, from) (a number: the first occurrence at or after from)
// is one of the integers in q. sub is not empty. ok is false for a set too
// large to spell.
func indexOfRegex(q reals, sub string, from int64) (string, bool) {
	from = max(from, 0)
	S := reLiteral(sub, false)
	var alts []string
	for _, v := range interval.Ints(q).Clamp(interval.Float(from), 1<<53).R {
		a := int64(v.Lo)
		bs := ","
		if v.Hi < 1<<53 {
			bs = "," + strconv.FormatInt(int64(v.Hi), 10)
		}
		if a > 1<<20 {
			return "", false
		}
		found := ".{" + strconv.FormatInt(a, 10) + bs + "}" + S + ".*"
		if a > from {
			// No earlier occurrence at or after from.
			found = "(" + found + ")&~(" + reRepeat(int(from), int(a-1)) + S + ".*)"
		}
		alts = append(alts, found)
	}
	return reAlt(alts), true
}

// prefixesRegex matches the prefixes of s (the empty one included).
func prefixesRegex(s string) string {
	r := []rune(s)
	re := ""
	for i := len(r) - 1; i >= 0; i-- {
		re = "(" + reLiteral(string(r[i]), false) + re + ")?"
	}
	if re == "" {
		return `""`
	}
	return re
}

// suffixesRegex matches the suffixes of s (the empty one included).
func suffixesRegex(s string) string {
	r := []rune(s)
	re := ""
	for i := 0; i < len(r); i++ {
		re = "(" + re + reLiteral(string(r[i]), false) + ")?"
	}
	if re == "" {
		return `""`
	}
	return re
}

// substringsRegex matches the non-empty substrings of s.
func substringsRegex(s string) string {
	r := []rune(s)
	var alts []string
	for i := range r {
		// The non-empty prefixes of s[i:].
		alts = append(alts, "("+reLiteral(string(r[i]), false)+prefixesRegexOrEmpty(string(r[i+1:]))+")")
	}
	return reAlt(alts)
}

func prefixesRegexOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return prefixesRegex(s)
}

// wildTokens is a wildcard pattern split into one token per character.
type wildToken struct {
	kind wildcard.Kind
	r    rune
}

func tokenize(p wildcard.Pattern) []wildToken {
	var out []wildToken
	for _, e := range p {
		if e.Kind != wildcard.Lit {
			out = append(out, wildToken{kind: e.Kind})
			continue
		}
		for _, r := range e.Lit {
			out = append(out, wildToken{kind: wildcard.Lit, r: r})
		}
	}
	return out
}

func untokenize(ts []wildToken) wildcard.Pattern {
	var p wildcard.Pattern
	var lit strings.Builder
	for _, t := range ts {
		if t.kind == wildcard.Lit {
			lit.WriteRune(t.r)
			continue
		}
		if lit.Len() > 0 {
			p = append(p, wildcard.Elem{Kind: wildcard.Lit, Lit: lit.String()})
			lit.Reset()
		}
		p = append(p, wildcard.Elem{Kind: t.kind})
	}
	if lit.Len() > 0 {
		p = append(p, wildcard.Elem{Kind: wildcard.Lit, Lit: lit.String()})
	}
	return p
}

func runeEq(a, b rune, ci bool) bool {
	return a == b || ci && unicode.ToLower(a) == unicode.ToLower(b)
}

// quotient returns the wildcard patterns whose union is
// {x : prefix + x + suffix matches p}.
func quotient(p wildcard.Pattern, prefix, suffix string, ci bool) []wildcard.Pattern {
	ts := tokenize(p)
	// Forward: the positions reachable after reading prefix.
	closeF := func(set map[int]bool) {
		for changed := true; changed; {
			changed = false
			for i := range set {
				if i < len(ts) && ts[i].kind == wildcard.AnyString && !set[i+1] {
					set[i+1] = true
					changed = true
				}
			}
		}
	}
	cur := map[int]bool{0: true}
	closeF(cur)
	for _, c := range prefix {
		next := map[int]bool{}
		for i := range cur {
			if i >= len(ts) {
				continue
			}
			switch t := ts[i]; t.kind {
			case wildcard.AnyString:
				next[i] = true
			case wildcard.AnyChar:
				next[i+1] = true
			default:
				if runeEq(t.r, c, ci) {
					next[i+1] = true
				}
			}
		}
		closeF(next)
		cur = next
	}
	// Backward from the end: positions j such that suffix matches ts[j:].
	closeB := func(set map[int]bool) {
		for changed := true; changed; {
			changed = false
			for j := range set {
				if j > 0 && ts[j-1].kind == wildcard.AnyString && !set[j-1] {
					set[j-1] = true
					changed = true
				}
			}
		}
	}
	back := map[int]bool{len(ts): true}
	closeB(back)
	sr := []rune(suffix)
	for k := len(sr) - 1; k >= 0; k-- {
		next := map[int]bool{}
		for j := range back {
			if j == 0 {
				continue
			}
			switch t := ts[j-1]; t.kind {
			case wildcard.AnyString:
				next[j] = true
			case wildcard.AnyChar:
				next[j-1] = true
			default:
				if runeEq(t.r, sr[k], ci) {
					next[j-1] = true
				}
			}
		}
		closeB(next)
		back = next
	}
	seen := map[string]bool{}
	var out []wildcard.Pattern
	for i := range cur {
		for j := range back {
			if i > j {
				continue
			}
			q := untokenize(ts[i:j])
			if k := q.String(); !seen[k] {
				seen[k] = true
				out = append(out, q)
			}
		}
	}
	return out
}
