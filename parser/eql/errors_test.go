package eql

import (
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/source"
)

// errorTests are queries Elasticsearch rejects, with the position and the
// message of the error.
var errorTests = []struct{ query, pos, msg string }{
	{"", "1:1", "expected an event category, \"any\", \"sequence\" or \"sample\", found the end of the query"},
	{"process", "1:8", "expected \"where\" after the event category, found the end of the query"},
	{"process where", "1:14", "expected a condition after \"where\", found the end of the query"},
	{"where true", "1:1", "expected an event category, \"any\", \"sequence\" or \"sample\", found \"where\""},
	{"process where process.name = \"a\"", "1:28", "\"=\" is not a comparison operator: use \"==\" (case-sensitive) or \":\" (case-insensitive)"},
	{"process where process.name == ", "1:31", "expected an expression after \"==\", found the end of the query"},
	{"process where process.name == \"a\" and", "1:38", "expected a condition after \"and\", found the end of the query"},
	{"process where process.name == \"a\" or or b", "1:38", "expected a condition after \"or\", found \"or\""},
	{"process where not", "1:18", "expected a condition after \"not\", found the end of the query"},
	{"process where process.name == \"a\" == true", "1:35", "expected an operator, \"and\", \"or\", or the end of the condition, found \"==\""},
	{"process where process.name == 'a'", "1:31", "use double quotes [\"] to define string literals, not single quotes [']"},
	{"process where process.name == ?\"a\"", "1:31", "use triple double quotes [\"\"\"] to define unescaped string literals, not [?\"]"},
	{"process where process.name == \"abc", "1:31", "unterminated string: '\"' has no matching '\"'"},
	{"process where process.name == \"a\\qb\"", "1:33", "invalid escape sequence \\q: use \\\\ for a backslash, or a \"\"\"raw string\"\"\""},
	{"process where process.name == \"\\u{zz}\"", "1:32", "invalid unicode escape: use \\u{XXXX} with 2 to 8 hex digits"},
	{"process where process.name == \"\\u{D800}\"", "1:32", "invalid unicode escape \\u{D800}: use 2 to 8 hex digits naming a valid code point"},
	{"process where process.name == \"\\u{1}\"", "1:32", "invalid unicode escape \\u{1}: use 2 to 8 hex digits naming a valid code point"},
	{"process where process.name == \"\"\"abc", "1:31", "unterminated raw string: \"\"\" has no matching \"\"\""},
	{"process where process.name == \"line\nbreak\"", "1:31", "unterminated string: strings cannot span lines (use \\n for a newline)"},
	{"process where process.name ! \"a\"", "1:28", "unexpected \"!\": use \"!=\" to compare, \"not\" to negate a condition, or \"![\" for a missing event"},
	{"process where process.name ~ \"a\"", "1:28", "unexpected \"~\": it must directly follow a function name or \"in\", \"like\", \"regex\""},
	{"process where (process.name == \"a\"", "1:15", "this \"(\" is never closed"},
	{"process where process.name == \"a\")", "1:34", "unbalanced \")\": there is no matching \"(\""},
	{"sequence [process where true]] [file where true]", "1:30", "unbalanced \"]\": there is no matching \"[\""},
	{"sequence [process where true) [file where true]", "1:29", "expected \"]\" to close the \"[\" at 1:10, found \")\""},
	{"process where a /* unterminated", "1:17", "unterminated comment: \"/*\" has no matching \"*/\""},
	{"process where `unterminated", "1:15", "unterminated field name: \"`\" has no matching \"`\""},
	{"process where `` == 1", "1:15", "empty field name ``"},
	{"process where process.name[0] == \"a\"", "1:28", "array indexes are not supported"},
	{"process where process.args[0] == \"a\"", "1:28", "array indexes are not supported"},
	{"process where process.name == \"a\" | count", "1:37", "pipe [count] is not supported by Elasticsearch EQL; only head and tail are"},
	{"process where process.name == \"a\" | unique process.name", "1:37", "pipe [unique] is not supported by Elasticsearch EQL; only head and tail are"},
	{"process where process.name == \"a\" | frobnicate", "1:37", "unrecognized pipe [frobnicate]; EQL supports [head] and [tail]"},
	{"process where process.name == \"a\" | head", "1:37", "pipe [head] expects exactly one argument but found [0]"},
	{"process where process.name == \"a\" | head -1", "1:42", "pipe [head] expects a positive integer but found [-1]"},
	{"process where process.name == \"a\" | head 1, 2", "1:37", "pipe [head] expects exactly one argument but found [2]"},
	{"process where process.name == \"a\" | head \"5\"", "1:42", "pipe [head] expects a positive integer but found [\"5\"]"},
	{"process where foo(process.name)", "1:15", "unknown function [foo]"},
	{"process where startsWith(process.name)", "1:15", "function [startsWith] expects 2 arguments, found 1"},
	{"process where startsWith(process.name, \"a\", \"b\")", "1:15", "function [startsWith] expects 2 arguments, found 3"},
	{"process where length~(process.name) > 1", "1:15", "function [length] does not support case-insensitive matching (~)"},
	{"process where cidrMatch(source.ip, \"10.0.0.0/33\")", "1:36", "invalid CIDR block \"10.0.0.0/33\" in [cidrMatch]"},
	{"process where cidrMatch(source.ip, \"not-an-ip\")", "1:36", "invalid CIDR block \"not-an-ip\" in [cidrMatch]"},
	{"process where cidrMatch(source.ip, destination.ip)", "1:36", "argument destination.ip of [cidrMatch] must be a constant CIDR block such as \"10.0.0.0/8\""},
	{"process where cidrMatch(source.ip)", "1:15", "function [cidrMatch] expects at least 2 arguments, found 1"},
	{"process where substring(process.name, \"a\") == \"b\"", "1:39", "argument \"a\" of [substring] must be an integer"},
	{"process where between(process.name, \"a\", \"b\", \"yes\") == \"c\"", "1:47", "argument \"yes\" of [between] must be true or false"},
	{"process where number(process.name, 99) == 1", "1:36", "argument 99 of [number] must be a constant base between 2 and 36"},
	{"process where concat() == \"a\"", "1:15", "function [concat] expects at least 1 argument, found 0"},
	{"sequence [process where true]", "1:10", "a sequence requires a minimum of 2 queries, found [1]"},
	{"sequence [process where true] with runs=1", "1:10", "a sequence requires a minimum of 2 queries, found [1]"},
	{"sequence [process where true] [file where true] with runs=0", "1:59", "the [runs] value must be an integer between 1 and 100, found [0]"},
	{"sequence [process where true] [file where true] with runs=101", "1:59", "the [runs] value must be an integer between 1 and 100, found [101]"},
	{"sequence [process where true] [file where true] with repeats=2", "1:54", "unknown parameter [repeats] of a sequence query; expected [runs]"},
	{"sequence [process where true] [file where true] with runs=1.5", "1:59", "the [runs] value must be an integer between 1 and 100, found [1.5]"},
	{"sequence with maxspan=10 [process where true] [file where true]", "1:23", "no time unit specified, did you mean [s] as in [10s]?"},
	{"sequence with maxspan=10y [process where true] [file where true]", "1:25", "unrecognized time unit [y] in [10y], please specify one of [ms, s, m, h, d]"},
	{"sequence with maxspan=1.5h [process where true] [file where true]", "1:23", "decimal time interval [1.5h] not supported; use a positive integer"},
	{"sequence with maxspan=0s [process where true] [file where true]", "1:23", "a positive maxspan value is required; found [0]"},
	{"sequence with maxspan=1m by host.id [process where true] [file where true]", "1:29", "specify the sequence [by] keys before [with maxspan], not after"},
	{"sequence [process where true] ![file where true]", "1:31", "a sequence with missing events (![...]) requires [with maxspan]"},
	{"sequence with maxspan=1m ![process where true] ![file where true]", "1:26", "a sequence requires at least one positive event query (not ![...])"},
	{"sequence [process where true] by a [file where true]", "1:36", "inconsistent number of join keys specified; expected [1] but found [0]"},
	{"sequence [process where true] by a [file where true] by b, c", "1:57", "inconsistent number of join keys specified; expected [1] but found [2]"},
	{"sequence [process where true] by a [file where true] by b until [process where true]", "1:65", "inconsistent number of join keys specified; expected [1] but found [0]"},
	{"sequence [process where true] [file where true] until ![process where true]", "1:55", "the [until] query cannot be a missing event"},
	{"sequence [process where true] [file where true] until [process where true] with runs=2", "1:76", "the [until] query does not take [with runs]"},
	{"sample by host.id [process where true]", "1:19", "a sample requires a minimum of 2 queries, found [1]"},
	{"sample by host.id [process where true] ![file where true]", "1:40", "missing events (![...]) are not supported in a sample"},
	{"sample by host.id [process where true] [file where true] with runs=2", "1:58", "[with runs] is not supported in a sample"},
	{"sample by host.id with maxspan=1m [process where true] [file where true]", "1:19", "a sample does not take [with maxspan] or [with runs]"},
	{"sequence by [process where true] [file where true]", "1:13", "expected a field name after \"by\", found \"[\""},
	{"sequence by host.id", "1:20", "expected a query in brackets, such as [process where true], found the end of the query"},
	{"join [process where true] [file where true]", "1:1", "join queries are not supported by Elasticsearch EQL; use a sequence"},
	{"process where child of [process where true]", "1:15", "process relationships (child of [...]) are not supported by Elasticsearch EQL"},
	{"process where a.b.", "1:19", "expected a field name part after \".\", found the end of the query (quote parts that start with a digit or hold special characters with backticks)"},
	{"process where a.0.b == 1", "1:16", "a field name part that starts with a digit must be quoted with backticks, as in a.`0`.b"},
	{"process where ?", "1:16", "expected a field name after \"?\", found the end of the query"},
	{"process where process.name AND process.pid", "1:28", "EQL keywords are lower-case: write \"and\" instead of \"AND\""},
	{"process where process.name == \"a\" OR true", "1:35", "EQL keywords are lower-case: write \"or\" instead of \"OR\""},
	{"PROCESS WHERE true", "1:9", "EQL keywords are lower-case: write \"where\" instead of \"WHERE\""},
	{"process where NOT true", "1:15", "EQL keywords are lower-case: write \"not\" instead of \"NOT\""},
	{"process where process.name IN (\"a\")", "1:28", "EQL keywords are lower-case: write \"in\" instead of \"IN\""},
	{"process where process.name in \"a\"", "1:31", "expected \"(\" and a list of values after \"in\", found string \"a\""},
	{"process where process.name : process.title", "1:30", "expected a string or a parenthesized list of strings after \":\", found \"process\""},
	{"process where process.name like process.title", "1:33", "expected a string or a parenthesized list of strings after \"like\", found \"process\""},
	{"process where process.name regex", "1:33", "expected a string or a parenthesized list of strings after \"regex\", found the end of the query"},
	{"process where 99999999999999999999 == 1", "1:15", "number [99999999999999999999] is too large"},
	{"process where 1e999 == 1", "1:15", "number [1e999] is out of range"},
	{"process where process.name startsWith~(\"a\")", "1:28", "expected an operator, \"and\", \"or\", or the end of the condition, found \"startsWith~\""},
	{"process where process.name : (\"a\", )", "1:36", "expected an expression after \",\", found \")\""},
	{"process where process.name in ()", "1:32", "expected an expression after \"(\", found \")\""},
	{"process where [process where true]", "1:15", "expected a condition after \"where\", found \"[\""},
	{"any where true true", "1:16", "expected an operator, \"and\", \"or\", or the end of the condition, found \"true\""},
	{"process where true | head 5 extra", "1:29", "expected an operator, \"and\", \"or\", or the end of the condition, found \"extra\""},
	{"", "1:1", "expected an event category, \"any\", \"sequence\" or \"sample\", found the end of the query"},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorTests {
		q, err := Parse(tc.query)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want an error", tc.query, q)
			continue
		}
		var perr *source.Error
		if !errors.As(err, &perr) {
			t.Errorf("Parse(%q): error %T is not a *source.Error", tc.query, err)
			continue
		}
		if perr.Lang != "eql" || perr.Src != tc.query {
			t.Errorf("Parse(%q): Lang %q, Src %q", tc.query, perr.Lang, perr.Src)
		}
		if perr.Pos.String() != tc.pos || perr.Msg != tc.msg {
			t.Errorf("Parse(%q):\n got %s: %s\nwant %s: %s", tc.query, perr.Pos, perr.Msg, tc.pos, tc.msg)
		}
		if perr.Pos != source.PosAt(tc.query, perr.Pos.Offset) {
			t.Errorf("Parse(%q): inconsistent position %+v", tc.query, perr.Pos)
		}
	}
}

func TestErrorDetail(t *testing.T) {
	src := "sequence by host.id with maxspan=1m\n  [process where process.name == \"a\"]\n  [file where file.name = \"b\"]"
	_, err := Parse(src)
	var perr *source.Error
	if !errors.As(err, &perr) {
		t.Fatalf("Parse: %v", err)
	}
	want := "eql: 3:25: \"=\" is not a comparison operator: use \"==\" (case-sensitive) or \":\" (case-insensitive)\n" +
		"    [file where file.name = \"b\"]\n" +
		"                          ^"
	if got := perr.Detail(); got != want {
		t.Errorf("Detail():\n%s\nwant\n%s", got, want)
	}
	// A tab before the error keeps the caret under it.
	_, err = Parse("process where\tprocess.name == 'a'")
	if !errors.As(err, &perr) || !strings.HasSuffix(perr.Detail(), "\n  process where    process.name == 'a'\n                                   ^") {
		t.Errorf("Detail() with a tab:\n%v", perr.Detail())
	}
}
