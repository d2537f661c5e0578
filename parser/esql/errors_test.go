package esql

import (
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/source"
)

// errorTests are queries Elasticsearch rejects, with the position and the
// message of the error.
var errorTests = []struct{ query, pos, msg string }{
	{"", "1:1", "expected a source command (FROM, ROW, SHOW or TS), found the end of the query"},
	{"   ", "1:4", "expected a source command (FROM, ROW, SHOW or TS), found the end of the query"},
	{`// only a comment`, "1:18", `expected a source command (FROM, ROW, SHOW or TS), found the end of the query`},
	{`FROM`, "1:5", `FROM takes index patterns, found the end of the query`},
	{`FROM logs-* |`, "1:14", `expected a command after "|", found the end of the query`},
	{`FROM logs-* | |`, "1:15", `expected a command after "|", found another "|"`},
	{`FROM a | WHERE`, "1:15", `WHERE takes a condition, found the end of the query`},
	{`FROM a | WHERE a ==`, "1:20", `expected an operand after "==", found the end of the query`},
	{`FROM a | WHERE a = 1`, "1:18", `"=" is an assignment: compare with "=="`},
	{`FROM a | SORT a = 1`, "1:17", `"=" is an assignment: compare with "=="`},
	{`FROM a | WHERE a == 1 == 2`, "1:23", `comparisons cannot be chained: write a == b AND b == c`},
	{`FROM a | WHERE a < b > c`, "1:22", `comparisons cannot be chained: write a < b AND b > c`},
	{`FROM a | WHERE (a == 1`, "1:16", `this "(" is never closed`},
	{`FROM a | WHERE a == 1)`, "1:22", `unbalanced ")": there is no matching "("`},
	{`FROM a | WHERE a IN (1, 2]`, "1:26", `expected ")" to close the "(" at 1:21, found "]"`},
	{`FROM a | WHERE [1, 2)`, "1:21", `expected "]" to close the "[" at 1:16, found ")"`},
	{`FROM a | WHERE a AND`, "1:21", `expected a condition after AND, found the end of the query`},
	{`FROM a | WHERE a OR OR b`, "1:21", `expected a condition after OR, found OR`},
	{`FROM a | WHERE NOT`, "1:19", `expected a condition after NOT, found the end of the query`},
	{`FROM a | WHERE a IN 1`, "1:21", `expected "(" and a list of values after IN, found "1"`},
	{`FROM a | WHERE a IN ()`, "1:22", `expected a value after "IN (": the list cannot be empty`},
	{`FROM a | WHERE a NOT b`, "1:22", `expected IN, LIKE or RLIKE after NOT, found "b"`},
	{`FROM a | WHERE a LIKE b`, "1:23", `expected a string pattern or a parenthesized list of string patterns after LIKE, found "b"`},
	{`FROM a | WHERE a LIKE ()`, "1:24", `expected a string pattern after LIKE (, found ")"`},
	{`FROM a | WHERE a IS NOT`, "1:24", `expected NULL after IS NOT, found the end of the query`},
	{`FROM a | WHERE a IS 1`, "1:21", `expected NULL or NOT NULL after IS, found "1"`},
	{`FROM a | WHERE a b`, "1:18", `unexpected "b" in WHERE: expected an operator, "," or the end of the command`},
	{`FROM a | WHERE foo(a)`, "1:16", `unknown function [foo]`},
	{`FROM a | WHERE starts_with(a)`, "1:16", `function [STARTS_WITH] expects 2 arguments, found 1`},
	{`FROM a | WHERE length(a, b)`, "1:16", `function [LENGTH] expects 1 argument, found 2`},
	{`FROM a | WHERE case(a)`, "1:16", `function [CASE] expects at least 2 arguments, found 1`},
	{`FROM a | WHERE now(1) > a`, "1:16", `function [NOW] expects no arguments, found 1`},
	{`FROM a | WHERE concat(a)`, "1:16", `function [CONCAT] expects at least 2 arguments, found 1`},
	{`FROM a | WHERE round(a, 1, 2) > 1`, "1:16", `function [ROUND] expects 1 or 2 arguments, found 3`},
	{`FROM a | WHERE a::foo == 1`, "1:19", `unknown data type [foo] in a cast: use boolean, integer, long, double, keyword, text, datetime, date_nanos, ip, version, ...`},
	{`FROM a | WHERE a:: == 1`, "1:20", `expected a type name after "::", found "=="`},
	{`FROM a | EVAL x = 1 foo`, "1:21", `unknown time unit [foo] after the number 1: use ms, s, m, h, d, w, mo, q, y or their names (minute, hours, days, ...)`},
	{`FROM a | EVAL x = 1.5 hours`, "1:19", `a time span takes an integer count, found [1.5 hours]`},
	{`FROM a | EVAL x = 99999999999999999999 days`, "1:19", `time span [99999999999999999999 days] is too large`},
	{`FROM a | EVAL x = 3000000000 days`, "1:19", `time span [3000000000 days] is too large`},
	{`FROM a | EVAL x = count(*)`, "1:19", `aggregate function [COUNT] is not allowed in EVAL: aggregates belong in STATS`},
	{`FROM a | WHERE count(*) > 1`, "1:16", `aggregate function [COUNT] is not allowed in WHERE: aggregates belong in STATS`},
	{`FROM a | SORT max(a)`, "1:15", `aggregate function [MAX] is not allowed in SORT: aggregates belong in STATS`},
	{`FROM a | STATS`, "1:10", `STATS requires at least one aggregate or grouping expression`},
	{`FROM a | STATS x = max(min(a))`, "1:24", `nested aggregations are not allowed: [MIN] inside [MAX]`},
	{`FROM a | STATS x = max(a) BY count(*)`, "1:30", `aggregate function [COUNT] is not allowed in the BY clause or a WHERE filter of STATS: aggregates belong in STATS`},
	{`FROM a | STATS x = max(a) WHERE count(*) > 1`, "1:33", `aggregate function [COUNT] is not allowed in the BY clause or a WHERE filter of STATS: aggregates belong in STATS`},
	{`FROM a | EVAL x = bucket(@timestamp, 1 hour)`, "1:19", `grouping function [BUCKET] is only allowed in STATS`},
	{`FROM a | STATS x BY`, "1:20", `expected grouping fields after BY, found the end of the query`},
	{`FROM a | STATS x = count(*) WHERE`, "1:34", `expected a filter condition after WHERE, found the end of the query`},
	{`FROM a | STATS x = count(*) BY y,`, "1:34", `expected another item after ",", found the end of the query`},
	{`FROM a | INLINE STATS BY x`, "1:10", `INLINE STATS requires at least one aggregate`},
	{`FROM a | INLINE x`, "1:17", `expected STATS after INLINE, found [x]`},
	{`FROM a | WHERE first == 1`, "1:16", "[first] is a reserved word: quote the field name with backquotes, as in `first`"},
	{`FROM a | WHERE a.b == last`, "1:23", "[last] is a reserved word: quote the field name with backquotes, as in `last`"},
	{`FROM a | WHERE 'a' == 1`, "1:16", `use double quotes ["] to define string literals, not single quotes [']`},
	{`FROM a | WHERE a == "abc`, "1:21", `unterminated string: '"' has no matching '"'`},
	{`FROM a | WHERE a == """abc`, "1:21", `unterminated string: """ has no matching """`},
	{`FROM a | WHERE a == "a\qb"`, "1:23", `invalid escape sequence \q: use \\ for a backslash, or a """triple-quoted""" string`},
	{`FROM a | WHERE a == "a\`, "1:21", `unterminated string: '"' has no matching '"'`},
	{`FROM a | LIMIT -1`, "1:16", `LIMIT takes a non-negative integer, found [-1]`},
	{`FROM a | LIMIT x`, "1:16", `LIMIT takes a non-negative integer, found [x]`},
	{`FROM a | LIMIT 1.5`, "1:16", `LIMIT takes a non-negative integer, found [1.5]`},
	{`FROM a | LIMIT 3000000000`, "1:16", `LIMIT takes a non-negative integer, found [3000000000]`},
	{`FROM a | SORT`, "1:14", `SORT takes sort keys, found the end of the query`},
	{`FROM a | SORT a NULLS`, "1:22", `expected FIRST or LAST after NULLS, found the end of the query`},
	{`FROM a | SORT a DESC ASC`, "1:22", `unexpected ASC in SORT`},
	{`FROM a | KEEP`, "1:14", `KEEP takes field names or patterns, found the end of the query`},
	{`FROM a | KEEP a b`, "1:17", `unexpected "b" in KEEP: separate items with ","`},
	{`FROM a | KEEP a,`, "1:17", `expected another item after ",", found the end of the query`},
	{`FROM a | KEEP "a"`, "1:15", "KEEP takes field names: quote names with backquotes (`my field`), not double quotes"},
	{`FROM a | KEEP a.`, "1:17", `expected a name after ".", found the end of the query (quote names that hold special characters or start with a digit with backquotes)`},
	{`FROM a | KEEP ?x`, "1:15", `parameters are not supported in KEEP`},
	{`FROM a | DROP a + b`, "1:17", `unexpected character "+" in DROP`},
	{`FROM a | FOO`, "1:10", `unknown command [FOO]`},
	{`FROM a | JOIN b ON c`, "1:10", `unknown command [JOIN]: ES|QL joins are written LOOKUP JOIN index ON field`},
	{`FROM a | EXPLAIN`, "1:10", `command [EXPLAIN] is not supported`},
	{`WHERE a == 1`, "1:1", `a query starts with a source command (FROM, ROW, SHOW or TS), not WHERE`},
	{`foo`, "1:1", `unknown source command [foo]: a query starts with FROM, ROW, SHOW or TS`},
	{`FROM a | FROM b`, "1:10", `FROM is a source command: it can only start a query`},
	{`FROM a | ROW b = 1`, "1:10", `ROW is a source command: it can only start a query`},
	{`FROM a METADATA _foo`, "1:17", `unsupported metadata field [_foo]: use _id, _ignored, _index, _index_mode, _score, _source or _version`},
	{`FROM a METADATA`, "1:16", `expected metadata fields such as _id after METADATA, found the end of the query`},
	{`FROM a METADATA _id _index`, "1:21", `unexpected "_index" in FROM: separate items with ","`},
	{`FROM a, `, "1:9", `expected another item after ",", found the end of the query`},
	{`FROM a b`, "1:8", `unexpected "b" in FROM: separate items with ","`},
	{"FROM `a`", "1:6", `quote index patterns with double quotes, not backquotes`},
	{`FROM a(b)`, "1:7", `unexpected "(" in an index pattern: quote the pattern with double quotes`},
	{`FROM a::foo`, "1:9", `invalid selector [foo] after "::": use data or failures`},
	{`FROM r:a::failures`, "1:11", `an index pattern cannot have both a remote cluster and a selector`},
	{`FROM ""`, "1:6", `empty index pattern`},
	{`FROM a | DISSECT a "%{x}" foo = "x"`, "1:27", `invalid option for DISSECT: [foo] (the only option is append_separator)`},
	{`FROM a | DISSECT a "%{x}" append_separator = 1`, "1:46", `invalid value for DISSECT append_separator: expected a string, found [1]`},
	{`FROM a | DISSECT a "%{x}" append_separator = "-", append_separator = "+"`, "1:51", `option [append_separator] of DISSECT given twice`},
	{`FROM a | DISSECT a`, "1:19", `expected a pattern string after the input of DISSECT, found the end of the query`},
	{`FROM a | DISSECT a b`, "1:20", `expected a pattern string after the input of DISSECT, found "b"`},
	{`FROM a | GROK a`, "1:16", `expected a pattern string after the input of GROK, found the end of the query`},
	{`FROM a | GROK a "x",`, "1:21", `expected another item after ",", found the end of the query`},
	{`FROM a | SAMPLE 2`, "1:17", `SAMPLE takes a probability: a decimal number strictly between 0 and 1, found [2]`},
	{`FROM a | SAMPLE 1`, "1:17", `SAMPLE takes a probability: a decimal number strictly between 0 and 1, found [1]`},
	{`FROM a | SAMPLE x`, "1:17", `SAMPLE takes a probability: a decimal number strictly between 0 and 1, found [x]`},
	{`FROM a | FORK (WHERE a)`, "1:10", `FORK requires at least 2 branches, found 1`},
	{`FROM a | FORK`, "1:14", `expected "(" and a pipeline of commands after FORK, found the end of the query`},
	{`FROM a | FORK (WHERE a) x`, "1:25", `expected "(" and another FORK branch, "|" or the end of the query, found [x]`},
	{`FROM a | FORK () (WHERE a)`, "1:16", `expected a processing command in the FORK branch, found ")"`},
	{`FROM a | FORK (WHERE a) (WHERE b`, "1:25", `this "(" is never closed`},
	{`FROM a | FORK (FROM b) (WHERE a)`, "1:16", `FROM is a source command: it can only start a query`},
	{`FROM a | FORK (WHERE a) (FORK (WHERE b) (WHERE c))`, "1:26", `FORK cannot be nested in a FORK branch`},
	{`FROM a | FORK (WHERE a) (WHERE a) (WHERE a) (WHERE a) (WHERE a) (WHERE a) (WHERE a) (WHERE a) (WHERE a)`, "1:95", `FORK supports up to 8 branches, found 9`},
	{`FROM a | WHERE a == 1 |`, "1:24", `expected a command after "|", found the end of the query`},
	{`FROM a | EVAL a.b + 1 = 2`, "1:15", `the left side of "=" must be a field name, found [a.b + 1] (use "==" to compare)`},
	{`FROM a | EVAL (a) = 2`, "1:15", `the left side of "=" must be a field name, found [a] (use "==" to compare)`},
	{`FROM a | EVAL a = b = c`, "1:21", `unexpected "=": compare with "==", and separate assignments with ","`},
	{`FROM a | WHERE a : b`, "1:20", `the match operator ":" takes a constant query on its right, found [b]`},
	{`FROM a | WHERE a + 1 : "b"`, "1:16", `the match operator ":" takes a field name on its left, found [a + 1]`},
	{`FROM a | WHERE a : null`, "1:20", `the match operator ":" takes a single constant query, found [null]`},
	{`FROM a | WHERE sum(*) > 1`, "1:16", `[*] is only allowed in COUNT(*), not in [SUM]`},
	{`FROM a | WHERE count(*, a) > 1`, "1:23", `unexpected "," after [*]: COUNT(*) takes no other argument`},
	{`FROM a | ENRICH foo:bar`, "1:17", `unrecognized ENRICH policy qualifier [foo]: use _any, _coordinator or _remote`},
	{`FROM a | ENRICH`, "1:16", `ENRICH takes a policy name, found the end of the query`},
	{`FROM a | ENRICH p ON`, "1:21", `expected a field name after ON, found the end of the query`},
	{`FROM a | ENRICH p WITH`, "1:23", `expected enrich fields after WITH, found the end of the query`},
	{`FROM a | ENRICH p WITH a =`, "1:27", `expected an expression after "=", found the end of the query`},
	{"FROM a | WHERE `unterminated", "1:16", "unterminated quoted name: \"`\" has no matching \"`\""},
	{"FROM a | WHERE `` == 1", "1:16", "empty quoted name ``"},
	{`FROM a | WHERE a == 1 /* unterminated`, "1:23", `unterminated comment: "/*" has no matching "*/"`},
	{`FROM a | EVAL x = [1, "a"]`, "1:23", `a list holds values of one kind: ["a"] does not go with [1]`},
	{`FROM a | EVAL x = []`, "1:20", `a list cannot be empty: write at least one value between [ and ]`},
	{`FROM a | EVAL x = [a]`, "1:20", `a list holds numbers, booleans or strings, found [a]`},
	{`FROM a | EVAL x = [null]`, "1:20", `a list holds numbers, booleans or strings, found [null]`},
	{`FROM a | RENAME a`, "1:18", `expected AS and a new name after "a", found the end of the query`},
	{`FROM a | RENAME a AS`, "1:21", `expected a name after AS, found the end of the query`},
	{`FROM a | RENAME a == b`, "1:19", `unexpected "==" in RENAME`},
	{`FROM a | WHERE a ! b`, "1:18", `unexpected "!": use "!=" to compare or NOT to negate a condition`},
	{`FROM a | WHERE x =~ "a"`, "1:18", `"=~" is not supported: compare TO_LOWER(x) == "..." instead`},
	{`FROM a | WHERE a.`, "1:18", `expected a name after ".", found the end of the query (quote names that hold special characters or start with a digit with backquotes)`},
	{`FROM a | WHERE a.1`, "1:17", "a name part that starts with a digit must be quoted with backquotes, as in a.`1`"},
	{`FROM a | WHERE a.b(1)`, "1:19", `unexpected "(" in WHERE: expected an operator, "," or the end of the command`},
	{`FROM a | WHERE concat(a, {"x": 1})`, "1:26", `function [CONCAT] does not take a map of options`},
	{`FROM a | WHERE kql({"x": 1})`, "1:20", `a map of options must be the last argument of [KQL], after at least one other`},
	{`FROM a | WHERE kql("a", {"x": b})`, "1:31", `map values must be constants, found [b]`},
	{`FROM a | WHERE kql("a", {"x": 1, "x": 2})`, "1:34", `duplicate key [x] in a map`},
	{`FROM a | WHERE kql("a", {"x": 1}, "b")`, "1:25", `a map of options must be the last argument of [KQL], after at least one other`},
	{`FROM a | WHERE kql("a", {"": 1})`, "1:26", `empty key in a map`},
	{`FROM a | EVAL x = 1 +`, "1:22", `expected an operand after "+", found the end of the query`},
	{`FROM a | EVAL x = 1e400`, "1:19", `number [1e400] is too large`},
	{`FROM a | MV_EXPAND a*`, "1:21", `MV_EXPAND takes a field name, not a pattern`},
	{`FROM a | MV_EXPAND`, "1:19", `MV_EXPAND takes a field name, found the end of the query`},
	{`FROM a | MV_EXPAND a, b`, "1:21", `unexpected "," in MV_EXPAND`},
	{`FROM a | LOOKUP JOIN b`, "1:23", `expected ON and the join fields after the index, found the end of the query`},
	{`FROM a | LOOKUP b ON c`, "1:17", `expected JOIN after LOOKUP, found "b"`},
	{`FROM a | LOOKUP JOIN b::failures ON c`, "1:22", `LOOKUP JOIN does not take a selector`},
	{`FROM a | LOOKUP JOIN ON c`, "1:22", `expected an index pattern after JOIN, found ON`},
	{`FROM a | COMPLETION WITH {"a": "b"}`, "1:21", `COMPLETION takes a prompt, found WITH`},
	{`FROM a | COMPLETION a + 1 = b`, "1:23", `unexpected "+" in COMPLETION: expected an operator, "," or the end of the command`},
	{`FROM a | COMPLETION x = p WITH "id"`, "1:32", `expected a map of options such as {"inference_id": "..."} after WITH, found string "id"`},
	{`FROM a | CHANGE_POINT`, "1:22", `CHANGE_POINT takes a field name, found the end of the query`},
	{`FROM a | CHANGE_POINT a AS t`, "1:29", `expected "," and the name of the p-value column after AS t, found the end of the query`},
	{`FROM a | CHANGE_POINT a ON`, "1:27", `expected a field name after ON, found the end of the query`},
	{`FROM a | WHERE a IN (1, 2`, "1:21", `this "(" is never closed`},
	{`FROM a | WHERE _ == 1`, "1:16", "\"_\" alone is not a valid name: quote it with backquotes, as in `_`"},
	{`FROM a | WHERE @ == 1`, "1:16", "\"@\" alone is not a valid name: quote it with backquotes, as in `@`"},
	{`FROM a | KEEP _`, "1:15", "\"_\" alone is not a valid name: quote it with backquotes, as in `_`"},
	{`FROM a | WHERE a == ??`, "1:21", `double parameters (??) are not supported`},
	{`FROM a | SHOW INFO`, "1:10", `SHOW is a source command: it can only start a query`},
	{`SHOW`, "1:5", `SHOW takes INFO, found the end of the query`},
	{`SHOW FUNCTIONS`, "1:6", `unknown SHOW item [FUNCTIONS]: only SHOW INFO is supported`},
	{`ROW`, "1:4", `ROW takes fields such as a = 1, found the end of the query`},
	{`ROW a =`, "1:8", `expected an expression after "=", found the end of the query`},
	{`ROW a = 1,`, "1:11", `expected another item after ",", found the end of the query`},
	{`FROM a | WHERE a == 1; b`, "1:22", `unexpected ";" in WHERE`},
	{`FROM a | WHERE a £ 1`, "1:18", `unexpected character "£"`},
	{`FROM a | EVAL x = to_lower(a).b`, "1:30", `unexpected "." after a function call`},
	{`FROM a | RERANK "q"`, "1:20", `expected ON and the fields to rerank on, found the end of the query`},
	{`FROM a | RERANK "q" ON`, "1:23", `expected a field name after ON, found the end of the query`},
	{`ROW x = "\u00e9"`, "1:10", `invalid escape sequence \u: use \\ for a backslash, or a """triple-quoted""" string`},
	{`FROM a | WHERE(b)`, "1:15", `expected white space after WHERE, found "("`},
	{`FROM"logs-*"`, "1:5", `expected white space after FROM, found "\""`},
	{"FROM a | STATS x = b", "1:20", "column [b] must appear in the BY clause of STATS or be used in an aggregate function"},
	{"FROM a | STATS x = MAX(b) + c BY d", "1:29", "column [c] must appear in the BY clause of STATS or be used in an aggregate function"},
	{"FROM a | INLINE STATS x = MAX(b) + TO_LONG(c) BY e", "1:44", "column [c] must appear in the BY clause of INLINE STATS or be used in an aggregate function"},
	{"FROM a | WHERE b ==\n  AND c", "2:3", `expected an operand after "==", found AND`},
	{"FROM a\n| WHERE `multi\nline` == 1 AND", "3:15", "expected a condition after AND, found the end of the query"},
	{"FROM a\n| STATS n = COUNT(*)\n| WHERE n >\n", "4:1", `expected an operand after ">", found the end of the query`},
	{"FROM a | WHERE b == \"é\" AND foo(c)", "1:29", "unknown function [foo]"},
	{"FROM a | WHERE b == \"line\nbreak\"", "1:21", `unterminated string: strings cannot span lines (use \n for a newline)`},
	{"FROM a | WHERE b == \"\"\"line\nbreak\"\"\"", "1:21", `unterminated string: """ strings cannot span lines`},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorTests {
		_, err := Parse(tc.query)
		if err == nil {
			t.Errorf("Parse(%q): no error, want %s: %s", tc.query, tc.pos, tc.msg)
			continue
		}
		var perr *source.Error
		if !errors.As(err, &perr) {
			t.Errorf("Parse(%q): error %T is not a *source.Error: %v", tc.query, err, err)
			continue
		}
		if perr.Lang != "esql" {
			t.Errorf("Parse(%q): language %q", tc.query, perr.Lang)
		}
		if got := perr.Pos.String(); got != tc.pos || perr.Msg != tc.msg {
			t.Errorf("Parse(%q):\n got %s: %s\nwant %s: %s", tc.query, got, perr.Msg, tc.pos, tc.msg)
		}
		if perr.Pos != source.PosAt(tc.query, perr.Pos.Offset) {
			t.Errorf("Parse(%q): inconsistent position %+v", tc.query, perr.Pos)
		}
		if d := perr.Detail(); strings.TrimSpace(tc.query) != "" && !strings.Contains(d, "^") {
			t.Errorf("Parse(%q): no caret in\n%s", tc.query, d)
		}
	}
	if len(errorTests) < 100 {
		t.Errorf("the table has %d queries, want at least 100", len(errorTests))
	}
}

// TestErrorDetail checks the caret display of an error.
func TestErrorDetail(t *testing.T) {
	_, err := Parse("FROM logs-*\n| WHERE process.name = \"cmd.exe\"")
	want := "esql: 2:22: \"=\" is an assignment: compare with \"==\"\n" +
		"  | WHERE process.name = \"cmd.exe\"\n" +
		"                       ^"
	if got := err.(*source.Error).Detail(); got != want {
		t.Errorf("Detail:\n%s\nwant\n%s", got, want)
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse did not panic")
		}
	}()
	MustParse("FROM")
}
