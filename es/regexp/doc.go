// Package regexp is Lucene's regular expression syntax as Elasticsearch
// uses it: the regexp query, EQL's regex and regex~, ES|QL's RLIKE and the
// query string's /re/. A pattern is parsed once (Parse), with its flags,
// into one syntax tree (Node); the solver compiles the tree to its
// automata (package solver/automaton) and the evaluators interpret it in
// their own code (internal/esvalue), so the two sides still compute
// independently but can no longer read the syntax differently.
//
// What a pattern means:
//
//   - Matching is anchored at both ends and runs over Unicode code points.
//   - Union "|", intersection "&" (flag INTERSECTION), concatenation,
//     repetition "? * + {n} {n,} {n,m}", complement "~" (COMPLEMENT; it
//     binds tighter than repetition: "~a*" is "(~a)*"), character classes
//     "[a-z]" "[^...]", "." any character, "#" the empty language (EMPTY),
//     "@" any string (ANYSTRING), "\"...\"" a literal string, "()" the empty
//     string, "<n-m>" a decimal number (INTERVAL), "\d \D \s \S \w \W"
//     (ASCII only), "\c" the character c. A backslash before another ASCII
//     letter is an error. An operator whose flag is off is an ordinary
//     character, and so is an operator with nothing before it ("*a").
//   - "<n-m>": n and m as Java's Integer.parseInt reads them, in either
//     order; if both are written with as many characters the numbers must
//     have that many digits ("<01-12>" matches "07", not "7"), otherwise
//     they may have any number of leading zeros ("<1-12>" matches "012").
//   - With CaseInsensitive (Lucene's ASCII_CASE_INSENSITIVE), a character
//     and the characters of a string match their other ASCII case; ranges,
//     predefined classes and non-ASCII characters do not change.
//
// The tree is normalized (see Node), and String prints a canonical form
// that reparses to the same tree. Errors are *Error, with the byte offset
// of the problem. Limits (MaxDepth, MaxRepeat, MaxIntervalDigits) guard
// both sides against hostile patterns.
//
// Sources, cited where a fact is doubtful: Lucene 9's
// org.apache.lucene.util.automaton.RegExp (grammar, messages, flags,
// toCaseInsensitiveChar, expandPredefined), Automata.makeDecimalInterval
// (intervals), Operations.repeat (a count range with min > max is the
// empty language); Elasticsearch's RegexpFlag.resolveValue (the "flags"
// string) and its "Regular expression syntax" reference
// (https://www.elastic.co/guide/en/elasticsearch/reference/current/regexp-syntax.html).
// testdata/conformance/regexp.txt holds the cases every implementation
// must pass.
package regexp
