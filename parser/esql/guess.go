package esql

import "strings"

// LooksLikeESQL reports whether text starts as an ES|QL query does: with a
// source command (FROM, ROW, SHOW or TS, in any case) followed by white
// space or a comment, after optional white space and comments. It does
// not parse the query; a KQL or EQL query never starts this way, except
// KQL free text that happens to begin with one of these words and a space.
func LooksLikeESQL(text string) bool {
	s := &scanner{src: text}
	i, err := s.skip(0)
	if err != nil {
		return false
	}
	end := s.word(i)
	if !sourceCommands[strings.ToLower(text[i:end])] || end >= len(text) {
		return false
	}
	return isSpace(text[end]) || strings.HasPrefix(text[end:], "//") || strings.HasPrefix(text[end:], "/*")
}
