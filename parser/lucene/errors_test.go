package lucene

import (
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/source"
)

var errorTests = []struct {
	in     string
	pos    string // line:col
	msg    string // substring of the message
	detail string // full Detail(), when given
}{
	// values
	{`f:`, "1:3", `expected a value after ":", found the end of the query`,
		"lucene: 1:3: expected a value after \":\", found the end of the query\n  f:\n    ^"},
	{`f:-1.5e3`, "1:3", `found "-": escape it as \-`, ""},
	{`f:+a`, "1:3", `found "+": escape it as \+`, ""},
	{`f:NOT a`, "1:3", `found "NOT"`, ""},
	{`a::b`, "1:3", `expected a value after ":", found ":"`, ""},
	{`f:~2`, "1:3", `expected a value after ":", found "~2"`, ""},
	{`f:a:b`, "1:4", `unexpected ":": a field is written field:value`,
		"lucene: 1:4: unexpected \":\": a field is written field:value; escape a \":\" inside a value as \\: (or quote the value)\n  f:a:b\n     ^"},
	{`a:1&&b:2`, "1:7", `unexpected ":"`, ""},
	{`f:(a):b`, "1:6", `unexpected ":"`, ""},
	{`:a`, "1:1", `expected a query, found ":"`, ""},
	{`^2`, "1:1", `expected a query, found "^"`, ""},
	{`~2`, "1:1", `expected a query, found "~2"`, ""},

	// fields
	{`process.*:x`, "1:10", `write process.\*:`,
		"lucene: 1:10: a field name cannot hold unescaped wildcards: write process.\\*:, escaping \"*\" and \"?\" with a backslash\n  process.*:x\n           ^"},
	{`process.?:x`, "1:10", `write process.\?:`, ""},
	{`a\*b*:x`, "1:6", `write a\*b\*:`, ""},
	{`"f":x`, "1:4", `a field name cannot be quoted`, ""},

	// operators
	{`AND a`, "1:1", `"AND" must join two clauses: there is none before it`, ""},
	{`OR a`, "1:1", `"OR" must join two clauses`, ""},
	{`|| a`, "1:1", `"||" must join two clauses`, ""},
	{`a AND`, "1:6", `expected a clause after "AND", found the end of the query`, ""},
	{`a OR`, "1:5", `expected a clause after "OR", found the end of the query`, ""},
	{`a && `, "1:6", `expected a clause after "&&"`, ""},
	{`a AND OR b`, "1:7", `expected a clause after "AND", found "OR"`, ""},
	{`NOT`, "1:4", `expected a clause after "NOT", found the end of the query`, ""},
	{`NOT NOT a`, "1:5", `write one modifier`, ""},
	{`+-a`, "1:2", `expected a clause after "+", found "-"`, ""},
	{`-NOT a`, "1:2", `expected a clause after "-", found "NOT"`, ""},
	{`a +`, "1:4", `expected a clause after "+", found the end of the query`, ""},
	{`!`, "1:2", `expected a clause after "!"`, ""},

	// parentheses
	{`f:)`, "1:3", `unbalanced parenthesis: ")" has no matching "("`, ""},
	{`(a`, "1:1", `unbalanced parenthesis: this "(" is never closed`,
		"lucene: 1:1: unbalanced parenthesis: this \"(\" is never closed\n  (a\n  ^"},
	{`a)`, "1:2", `unbalanced parenthesis`, ""},
	{"f:(a OR\n  (b", "2:3", `this "(" is never closed`, ""},
	{`f:()`, "1:4", `expected a query after "(", found ")"`, ""},
	{`()`, "1:2", `expected a query after "("`, ""},

	// phrases, regular expressions, escapes
	{`f:"abc`, "1:3", `unterminated quoted phrase`, "lucene: 1:3: unterminated quoted phrase: add the closing \"\n  f:\"abc\n    ^"},
	{`f:"abc\"`, "1:3", `unterminated quoted phrase`, ""},
	{`f:/abc`, "1:3", `unterminated regular expression`, ""},
	{`f:C:/Windows`, "1:5", `unterminated regular expression: add the closing "/" (a "/" inside a value is escaped as \/)`, ""},
	{`f:/a\\/ OR g:/b/`, "1:16", `unterminated regular expression`, ""},
	// invalid regular expressions, as Elasticsearch rejects them when it
	// builds the query: the position is the fault's within the query
	{`f:/a\/ g:x`, "1:6", `invalid regular expression: unexpected end-of-string`, ""},
	{`f:/ab(c/`, "1:8", `invalid regular expression: expected ')'`,
		"lucene: 1:8: invalid regular expression: expected ')'\n  f:/ab(c/\n         ^"},
	{`f:/[a-/`, "1:7", `invalid regular expression`, ""},
	{`f:/\q/`, "1:4", `invalid regular expression`, ""},
	{"f:x AND\n  g:/a{2/", "2:9", `invalid regular expression: expected '}'`, ""},
	{`process.args:(/4[0-9]{3}/ OR /[z-a]/)`, "1:32", `invalid regular expression`, ""},
	{`a\`, "1:2", `"\" at the end of the query escapes nothing`, ""},
	{`f:a\`, "1:4", `escapes nothing`, ""},
	{`f:\u12`, "1:3", `truncated unicode escape`, ""},
	{`f:\uZZZZ`, "1:3", `non-hexadecimal character 'Z' in a unicode escape`, ""},
	{`f:ab\u00é0`, "1:5", `non-hexadecimal character 'é'`, ""},
	{`f:"\u00"`, "1:4", `truncated unicode escape`, ""},
	{`f:/\user/`, "1:4", `non-hexadecimal character 's'`, ""},
	{`f:\u00*`, "1:3", `non-hexadecimal character '*'`, ""},
	{`\:x:\u`, "1:5", `truncated unicode escape`, ""},
	{`f\u0:x`, "1:2", `truncated unicode escape`, ""},
	{"f:a AND\n  g:\"x\\u004\"", "2:7", `truncated unicode escape`, ""},

	// brackets
	{`f:]`, "1:3", `unexpected "]" outside a range`, ""},
	{`f:}`, "1:3", `unexpected "}" outside a range`, ""},
	{`f:[a`, "1:3", `unterminated range: expected "]" or "}" to close this "["`, ""},
	{`f:{a TO b`, "1:3", `to close this "{"`, ""},
	{`f:[a TO`, "1:3", `unterminated range`, ""},
	{`f:[a b]`, "1:6", `expected "TO" between the bounds of the range, found "b"`, ""},
	{`f:[TO b]`, "1:7", `expected "TO" between the bounds of the range, found "b"`, ""},
	{`f:[a TO b c]`, "1:11", `expected "]" or "}" to close the range, found "c"`, ""},
	{`f:[a TO]`, "1:8", `expected the upper bound of the range after "TO", found "]"`, ""},
	{`f:[]`, "1:4", `expected the lower bound of the range after "[", found "]"`, ""},
	{`f:[a TO b\]]`, "1:12", `unexpected "]" outside a range`, ""},
	{`f:[a\ TO b]`, "1:5", `a term cannot end with the escape character`, ""},
	{`f:[\u TO b]`, "1:4", `truncated unicode escape`, ""},
	{`f:["a\u12" TO b]`, "1:6", `truncated unicode escape`, ""},

	// boosts and fuzziness
	{`a^`, "1:3", `a boost "^" must be followed at once by a number`, ""},
	{`a^x`, "1:3", `a boost "^" must be followed at once by a number`, ""},
	{`a^ 2`, "1:3", `must be followed at once by a number`, ""},
	{`a^-1`, "1:3", `must be followed at once by a number`, ""},
	{`a:b^2^3`, "1:6", `unexpected "^": a boost follows a term, a phrase, a range or ")"`, ""},
	{`f:a~1~2`, "1:6", `unexpected "~2"`, ""},
	{`f:a~x`, "1:4", `invalid fuzziness "x": AUTO, 0, 1 or 2`, ""},
	{`f:a~3`, "1:4", `invalid fuzziness "3": the number of edits is 0, 1 or 2`, ""},
	{`f:a~1.5`, "1:4", `the number of edits is a whole number`, ""},
	{`f:a~-1`, "1:4", `invalid fuzziness "-1"`, ""},
	{`f:a~NaN`, "1:4", `invalid fuzziness "NaN"`, ""},
	{`f:a~Infinity`, "1:4", `invalid fuzziness`, ""},
	{`f:a~0x1`, "1:4", `invalid fuzziness`, ""},

	// positions after multi-byte characters and line breaks
	{"événement:é AND", "1:16", `expected a clause after "AND"`, "lucene: 1:16: expected a clause after \"AND\", found the end of the query\n  événement:é AND\n                 ^"},
	{"a:1\n\tAND\n\tb:)", "3:4", `unbalanced parenthesis`, "lucene: 3:4: unbalanced parenthesis: \")\" has no matching \"(\"; escape it inside a value as \\)\n      b:)\n        ^"},
}

func TestParseErrors(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range errorTests {
		if seen[tc.in] {
			t.Errorf("duplicate test query %q", tc.in)
		}
		seen[tc.in] = true
		q, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q) = %s; want an error", tc.in, q)
			continue
		}
		var pe *source.Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): error %T, want *source.Error", tc.in, err)
			continue
		}
		if !errors.Is(err, source.ErrSyntax) {
			t.Errorf("Parse(%q): errors.Is(err, source.ErrSyntax) is false", tc.in)
		}
		if pe.Lang != "lucene" {
			t.Errorf("Parse(%q): Lang %q", tc.in, pe.Lang)
		}
		if pe.Pos.String() != tc.pos {
			t.Errorf("Parse(%q): error at %s, want %s: %s", tc.in, pe.Pos, tc.pos, pe.Msg)
		}
		if !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("Parse(%q): message %q, want it to contain %q", tc.in, pe.Msg, tc.msg)
		}
		if source.PosAt(tc.in, pe.Pos.Offset) != pe.Pos {
			t.Errorf("Parse(%q): inconsistent position %+v", tc.in, pe.Pos)
		}
		if tc.detail != "" && pe.Detail() != tc.detail {
			t.Errorf("Parse(%q).Detail():\n%s\nwant:\n%s", tc.in, pe.Detail(), tc.detail)
		}
	}
}

func TestParseDeepNesting(t *testing.T) {
	deep := strings.Repeat("(", maxDepth) + "a:1" + strings.Repeat(")", maxDepth)
	if _, err := Parse(deep); err != nil {
		t.Errorf("nesting %d: %v", maxDepth, err)
	}
	deeper := strings.Repeat("(", maxDepth+1) + "a:1" + strings.Repeat(")", maxDepth+1)
	_, err := Parse(deeper)
	var pe *source.Error
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "nested deeper") || pe.Pos.Col != maxDepth+1 {
		t.Errorf("nesting %d: %v", maxDepth+1, err)
	}
}
