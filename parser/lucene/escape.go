package lucene

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/number"
	"github.com/emit-sec/emit/internal/esvalue"
)

// escapeError is an invalid escape at byte offset Off of a token's text.
type escapeError struct {
	Off int
	Msg string
}

// unescape removes the escapes of a term, a field name, a phrase or a range
// bound as Lucene's discardEscapeChar does: "\c" is c for any character c,
// and "\uXXXX" is the UTF-16 code unit XXXX (a surrogate pair of escapes
// makes one character; a lone surrogate becomes U+FFFD).
func unescape(s string) (string, *escapeError) {
	i := strings.IndexByte(s, '\\')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", &escapeError{i, `a term cannot end with the escape character "\"`}
		}
		if s[i+1] != 'u' {
			_, size := decode(s, i+1)
			b.WriteString(s[i+1 : i+1+size])
			i += 1 + size
			continue
		}
		u, err := hex4(s, i)
		if err != nil {
			return "", err
		}
		i += 6
		r := rune(u)
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
			if u < 0xdc00 && i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if lo, err := hex4(s, i); err == nil && lo >= 0xdc00 && lo <= 0xdfff {
					r = utf16.DecodeRune(rune(u), rune(lo))
					i += 6
				}
			}
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// hex4 reads the four hexadecimal digits of the \u escape at s[i:].
func hex4(s string, i int) (uint16, *escapeError) {
	var u uint16
	for k := i + 2; k < i+6; k++ {
		if k >= len(s) {
			return 0, &escapeError{i, `truncated unicode escape: \u must be followed by 4 hexadecimal digits`}
		}
		var d byte
		switch c := s[k]; {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			r, _ := decode(s, k)
			return 0, &escapeError{i, fmt.Sprintf(`non-hexadecimal character %q in a unicode escape: \u must be followed by 4 hexadecimal digits (write \\u for a backslash and a "u")`, r)}
		}
		u = u<<4 | uint16(d)
	}
	return u, nil
}

// Fuzziness is the fuzziness of a term: Elasticsearch reads the text
// after "~" as it reads every fuzziness option (esvalue.Fuzziness).
type Fuzziness = esvalue.Fuzziness

// parseFuzziness reads the text after "~" of a term: nothing is AUTO.
func parseFuzziness(s string) (Fuzziness, error) {
	if s == "" {
		s = "AUTO"
	}
	return esvalue.ParseFuzziness(s)
}

// javaFloat reads a number the way Java's Float.parseFloat reads the ones
// a fuzziness or slop may hold: a decimal (es/number) with an optional f or
// d suffix.
func javaFloat(s string) (float64, bool) { return number.ParseJava(s) }

// slopOf returns the slop of a phrase as Lucene reads the text after "~"
// (Java's (int) Float.parseFloat): the number truncated to an integer,
// saturated to the int32 range; ok is false when it is not a number.
func slopOf(s string) (slop int, ok bool) {
	f, ok := javaFloat(s)
	switch {
	case !ok:
		return 0, false
	case f >= math.MaxInt32:
		return math.MaxInt32, true
	case f <= math.MinInt32:
		return math.MinInt32, true
	}
	return int(f), true
}
