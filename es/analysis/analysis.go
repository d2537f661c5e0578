// Package analysis is Elasticsearch's standard analyzer as emit reads it:
// how a text field's value becomes the words a query matches. The
// evaluators analyze documents with Analyze; the solver builds values
// whose words are what a query asks, with the same word rules (IsJoiner,
// Joins).
package analysis

import (
	"strings"
	"unicode"
)

// The standard analyzer, approximated: Unicode word segmentation (UAX #29,
// the rules that decide what a word is) followed by lowercasing. Words are
// runs of letters and digits; "_" joins anything; a "." or an apostrophe
// joins letters ("e.g", "can't"), and so does ":" (a MidLetter in UAX #29:
// "foo:bar" is one word); "." "," ";" join digits ("1,000.5", "10.0.0.1");
// letters and digits join each other ("abc123"). Ideographs and hiragana
// are one word each; katakana join katakana. Words longer than 255
// characters are split, as the standard tokenizer's max_token_length does.

type wordClass uint8

const (
	wcOther wordClass = iota
	wcLetter
	wcDigit
	wcKatakana
	wcIdeo      // one word per character
	wcExtendNum // "_" and other connector punctuation
	wcExtend    // combining marks and format characters: stick to the previous character
	wcMidLetter // joins letters
	wcMidNum    // joins digits
	wcMidNumLet // joins letters, and digits
)

func classify(r rune) wordClass {
	switch r {
	case '_':
		return wcExtendNum
	case ':', '\u00b7', '\u0387', '\u05f4', '\u2027', '\ufe13', '\ufe55', '\uff1a':
		return wcMidLetter
	case ',', ';', '\u037e', '\u0589', '\u060c', '\u060d', '\u066c', '\u07f8', '\u2044',
		'\ufe10', '\ufe14', '\ufe50', '\ufe54', '\uff0c', '\uff1b':
		return wcMidNum
	case '.', '\'', '\u2018', '\u2019', '\u2024', '\ufe52', '\uff07', '\uff0e':
		return wcMidNumLet
	}
	switch {
	case r < 0x80:
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			return wcLetter
		case r >= '0' && r <= '9':
			return wcDigit
		}
		return wcOther
	case unicode.Is(unicode.Katakana, r):
		return wcKatakana
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r):
		return wcIdeo
	case unicode.IsLetter(r):
		return wcLetter
	case unicode.Is(unicode.Nd, r):
		return wcDigit
	case unicode.Is(unicode.Pc, r):
		return wcExtendNum
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r), unicode.Is(unicode.Mc, r), unicode.Is(unicode.Cf, r):
		return wcExtend
	}
	return wcOther
}

// MaxTokenLength is the standard tokenizer's max_token_length: longer
// words are split.
const MaxTokenLength = 255

// Normalize is the standard analyzer's normalization (Lucene's
// Analyzer.normalize): its lowercase filter alone, each code point
// lowercased, without splitting into words. Elasticsearch normalizes so
// the terms of queries that are not analyzed on a text field: the
// query_string's wildcard, prefix, fuzzy and range terms.
func Normalize(s string) string { return strings.Map(unicode.ToLower, s) }

// Analyze splits s into the lowercased words the standard analyzer indexes.
func Analyze(s string) []string {
	rs := []rune(s)
	cls := make([]wordClass, len(rs))
	for i, r := range rs {
		cls[i] = classify(r)
	}
	// next returns the index of the next base (non-extend) character at or
	// after i.
	next := func(i int) int {
		for i < len(rs) && cls[i] == wcExtend {
			i++
		}
		return i
	}
	var toks []string
	emit := func(from, to int) {
		word := false
		for k := from; k < to; k++ {
			switch cls[k] {
			case wcLetter, wcDigit, wcKatakana, wcIdeo:
				word = true
			}
		}
		if !word {
			return
		}
		for from < to {
			end := min(from+MaxTokenLength, to)
			low := make([]rune, end-from)
			for k := from; k < end; k++ {
				low[k-from] = unicode.ToLower(rs[k])
			}
			toks = append(toks, string(low))
			from = end
		}
	}
	for i := 0; i < len(rs); {
		c := cls[i]
		switch c {
		case wcLetter, wcDigit, wcKatakana, wcExtendNum:
		case wcIdeo:
			j := next(i + 1)
			emit(i, j)
			i = j
			continue
		default:
			i++
			continue
		}
		j := next(i + 1)
		prev := c
		for j < len(rs) {
			cur := cls[j]
			if joins(prev, cur) {
				prev = cur
				j = next(j + 1)
				continue
			}
			if cur == wcMidLetter || cur == wcMidNum || cur == wcMidNumLet {
				k := next(j + 1)
				if k < len(rs) && midJoins(prev, cur, cls[k]) {
					prev = cls[k]
					j = next(k + 1)
					continue
				}
			}
			break
		}
		emit(i, j)
		i = j
	}
	return toks
}

// joins reports whether a character of class b continues a word whose last
// base character has class a.
func joins(a, b wordClass) bool {
	switch b {
	case wcLetter, wcDigit:
		return a == wcLetter || a == wcDigit || a == wcExtendNum
	case wcKatakana:
		return a == wcKatakana || a == wcExtendNum
	case wcExtendNum:
		return a == wcLetter || a == wcDigit || a == wcKatakana || a == wcExtendNum
	}
	return false
}

// midJoins reports whether the middle character mid joins a and b.
func midJoins(a, mid, b wordClass) bool {
	switch mid {
	case wcMidLetter:
		return a == wcLetter && b == wcLetter
	case wcMidNum:
		return a == wcDigit && b == wcDigit
	case wcMidNumLet:
		return (a == wcLetter && b == wcLetter) || (a == wcDigit && b == wcDigit)
	}
	return false
}

// IsWordRune reports whether r is a character words are made of: a letter
// or a digit (katakana and ideographs included).
func IsWordRune(r rune) bool {
	switch classify(r) {
	case wcLetter, wcDigit, wcKatakana, wcIdeo:
		return true
	}
	return false
}

// IsJoiner reports whether r can keep two word characters in one word:
// "_" and the other connectors, and the Unicode MidLetter, MidNum and
// MidNumLet characters (":", ",", ";", ".", "'", ...).
func IsJoiner(r rune) bool {
	switch classify(r) {
	case wcExtendNum, wcMidLetter, wcMidNum, wcMidNumLet:
		return true
	}
	return false
}

// Joins tells which word characters the joiner r keeps in one word with
// its neighbour n, a letter or digit: letters ("." and ":" between
// letters), digits ("," and "." between digits), or both ("_" joins
// anything). Neither when r does not join beside n.
func Joins(r, n rune) (letters, digits bool) {
	nc := classify(n)
	if nc != wcLetter && nc != wcDigit {
		return false, false
	}
	switch classify(r) {
	case wcExtendNum:
		return true, true
	case wcMidLetter:
		return nc == wcLetter, false
	case wcMidNum:
		return false, nc == wcDigit
	case wcMidNumLet:
		return nc == wcLetter, nc == wcDigit
	}
	return false, false
}

// HasWord reports whether the analyzer finds a word in s.
func HasWord(s string) bool {
	for _, r := range s {
		if IsWordRune(r) {
			return true
		}
	}
	return false
}

// ContainsPhrase reports whether the tokens of phrase occur consecutively
// in toks. An empty phrase is contained nowhere.
func ContainsPhrase(toks, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
next:
	for i := 0; i+len(phrase) <= len(toks); i++ {
		for j, p := range phrase {
			if toks[i+j] != p {
				continue next
			}
		}
		return true
	}
	return false
}

// ContainsAny reports whether any of want is in toks.
func ContainsAny(toks, want []string) bool {
	for _, w := range want {
		for _, t := range toks {
			if t == w {
				return true
			}
		}
	}
	return false
}
