package esql

import (
	"reflect"
	"strings"
	"testing"

	"github.com/emit-sec/emit/source"
)

// canonicalTests are queries and their printed form ("" when the query
// prints as written). Each is also a round-trip test: the printed form
// parses back to the same tree and prints the same.
var canonicalTests = []struct{ in, want string }{
	{"FROM a\n| WHERE `multi\nline` == 1\n  AND b == 2", "FROM a | WHERE `multi\nline` == 1 AND b == 2"},
	{"FROM a | KEEP `multi\nline`*, b", ""},
	{`ROW x = "\\u00e9"`, `ROW x = """\u00e9"""`},
	{`FROM logs-*`, ""},
	{`from logs-*`,
		`FROM logs-*`},
	{`From Logs-* | Where a == 1`,
		`FROM Logs-* | WHERE a == 1`},
	{`FROM logs-endpoint.events.process-*, logs-windows.* METADATA _id, _version, _index`, ""},
	{`FROM logs-* metadata _id`,
		`FROM logs-* METADATA _id`},
	{`FROM logs-*,metrics-*`,
		`FROM logs-*, metrics-*`},
	{`FROM remote:logs-*`, ""},
	{`FROM remote:logs-*, local-*`, ""},
	{`FROM logs-*::failures`, ""},
	{`FROM logs-*::data`, ""},
	{`FROM "logs-*"`, ""},
	{`FROM "logs-*,metrics-*"`, ""},
	{`FROM "remote:logs-*"`, ""},
	{`FROM <logs-{now/d}>`, ""},
	{`FROM logs-*, -logs-excluded`, ""},
	{`FROM .alerts-security.*`, ""},
	{`FROM logs-* /* comment */ METADATA _index`,
		`FROM logs-* METADATA _index`},
	{"FROM logs-* // comment\n| LIMIT 1",
		`FROM logs-* | LIMIT 1`},
	{`TS metrics-*`, ""},
	{`ROW a = 1`, ""},
	{`ROW a = 1, b = "x", c = TRUE, d = NULL`, ""},
	{`ROW a = [1, 2, 3], b = ["a", "b"], c = [true, false], d = [1.5, -2]`,
		`ROW a = [1, 2, 3], b = ["a", "b"], c = [TRUE, FALSE], d = [1.5, -2]`},
	{`ROW 1 + 2`, ""},
	{`SHOW INFO`, ""},
	{`show info`,
		`SHOW INFO`},
	{`FROM a | WHERE b == 1`, ""},
	{`FROM a | WHERE b != 1`, ""},
	{`FROM a | WHERE b < 1 AND c <= 2 AND d > 3 AND e >= 4`, ""},
	{`FROM a | WHERE 1 < b`, ""},
	{`FROM a | WHERE b == "x" and c == "y"`,
		`FROM a | WHERE b == "x" AND c == "y"`},
	{`FROM a | WHERE b == "x" or c == "y"`,
		`FROM a | WHERE b == "x" OR c == "y"`},
	{`FROM a | WHERE b == 1 and c == 2 or d == 3`,
		`FROM a | WHERE (b == 1 AND c == 2) OR d == 3`},
	{`FROM a | WHERE b == 1 or c == 2 and d == 3`,
		`FROM a | WHERE b == 1 OR (c == 2 AND d == 3)`},
	{`FROM a | WHERE (b == 1 or c == 2) and d == 3`,
		`FROM a | WHERE (b == 1 OR c == 2) AND d == 3`},
	{`FROM a | WHERE b == 1 and (c == 2 and d == 3)`,
		`FROM a | WHERE b == 1 AND c == 2 AND d == 3`},
	{`FROM a | WHERE ((b == 1))`,
		`FROM a | WHERE b == 1`},
	{`FROM a | WHERE not b == 1`,
		`FROM a | WHERE NOT b == 1`},
	{`FROM a | WHERE not not b == 1`,
		`FROM a | WHERE NOT NOT b == 1`},
	{`FROM a | WHERE not (b == 1 or c == 2)`,
		`FROM a | WHERE NOT (b == 1 OR c == 2)`},
	{`FROM a | WHERE not b`,
		`FROM a | WHERE NOT b`},
	{`FROM a | WHERE b`, ""},
	{`FROM a | WHERE true`,
		`FROM a | WHERE TRUE`},
	{`FROM a | WHERE b in (1, 2, 3)`,
		`FROM a | WHERE b IN (1, 2, 3)`},
	{`FROM a | WHERE b not in ("x", "y")`,
		`FROM a | WHERE b NOT IN ("x", "y")`},
	{`FROM a | WHERE not b in ("x", "y")`,
		`FROM a | WHERE NOT b IN ("x", "y")`},
	{`FROM a | WHERE b IN (c, d + 1, "x")`, ""},
	{`FROM a | WHERE b + 1 IN (2)`, ""},
	{`FROM a | WHERE b like "a*"`,
		`FROM a | WHERE b LIKE "a*"`},
	{`FROM a | WHERE b LIKE "a?c\\*"`,
		`FROM a | WHERE b LIKE """a?c\*"""`},
	{`FROM a | WHERE b not like "a*"`,
		`FROM a | WHERE b NOT LIKE "a*"`},
	{`FROM a | WHERE b like ("a*", "b*")`,
		`FROM a | WHERE b LIKE ("a*", "b*")`},
	{`FROM a | WHERE b NOT LIKE ("a*", "b*")`, ""},
	{`FROM a | WHERE b rlike "a.*"`,
		`FROM a | WHERE b RLIKE "a.*"`},
	{`FROM a | WHERE b RLIKE """.*\d{3}.*"""`, ""},
	{`FROM a | WHERE b not rlike "[a-z]+"`,
		`FROM a | WHERE b NOT RLIKE "[a-z]+"`},
	{`FROM a | WHERE b RLIKE ("a.*", "b.*")`, ""},
	{`FROM a | WHERE b is null`,
		`FROM a | WHERE b IS NULL`},
	{`FROM a | WHERE b IS NOT NULL`, ""},
	{`FROM a | WHERE b + 1 is null`,
		`FROM a | WHERE b + 1 IS NULL`},
	{`FROM a | WHERE not b is null`,
		`FROM a | WHERE NOT b IS NULL`},
	{`FROM a | WHERE b : "query"`, ""},
	{`FROM a | WHERE b:"query"`,
		`FROM a | WHERE b : "query"`},
	{`FROM a | WHERE b::keyword : "query"`, ""},
	{`FROM a | WHERE b : 5`, ""},
	{`FROM a | WHERE b + c * d > 1`, ""},
	{`FROM a | WHERE (b + c) * d > 1`, ""},
	{`FROM a | WHERE b - c - d > 1`, ""},
	{`FROM a | WHERE b - (c - d) > 1`, ""},
	{`FROM a | WHERE b / c % d * e > 1`, ""},
	{`FROM a | WHERE b * (c / d) > 1`, ""},
	{`FROM a | WHERE -b > 1`, ""},
	{`FROM a | WHERE - b > 1`,
		`FROM a | WHERE -b > 1`},
	{`FROM a | WHERE b > -1`, ""},
	{`FROM a | WHERE b > - 1`,
		`FROM a | WHERE b > -1`},
	{`FROM a | WHERE b > +1`,
		`FROM a | WHERE b > 1`},
	{`FROM a | WHERE b > -1.5`, ""},
	{`FROM a | WHERE b - -1 > 0`, ""},
	{`FROM a | WHERE - -b > 0`, ""},
	{`FROM a | WHERE -(b + c) > 0`, ""},
	{`FROM a | WHERE b == 1.0`, ""},
	{`FROM a | WHERE b == 1.`,
		`FROM a | WHERE b == 1.0`},
	{`FROM a | WHERE b == .5`,
		`FROM a | WHERE b == 0.5`},
	{`FROM a | WHERE b == 1e3`,
		`FROM a | WHERE b == 1000.0`},
	{`FROM a | WHERE b == 1.5E-3`,
		`FROM a | WHERE b == 0.0015`},
	{`FROM a | WHERE b == 2147483648`, ""},
	{`FROM a | WHERE b == 9223372036854775808`, ""},
	{`FROM a | WHERE b == -9223372036854775808`, ""},
	{`FROM a | WHERE b == 18446744073709551616`,
		`FROM a | WHERE b == 18446744073709552000.0`},
	{`FROM a | WHERE b == 0`, ""},
	{`FROM a | WHERE b == "a\"b"`,
		`FROM a | WHERE b == """a"b"""`},
	{`FROM a | WHERE b == "a\\b"`,
		`FROM a | WHERE b == """a\b"""`},
	{`FROM a | WHERE b == "tab\there"`, ""},
	{`FROM a | WHERE b == """raw \d"""`, ""},
	{`FROM a | WHERE b == """ends with quote""""`,
		`FROM a | WHERE b == "ends with quote\""`},
	{`FROM a | WHERE b == ""`, ""},
	{`FROM a | WHERE b == "ünïcödé ✓"`, ""},
	{"FROM a | WHERE `b` == 1",
		`FROM a | WHERE b == 1`},
	{"FROM a | WHERE `b.c` == 1",
		`FROM a | WHERE b.c == 1`},
	{"FROM a | WHERE b.`c` == 1",
		`FROM a | WHERE b.c == 1`},
	{"FROM a | WHERE `my field` == 1", ""},
	{"FROM a | WHERE `a``b` == 1", ""},
	{"FROM a | WHERE `first` == 1", ""},
	{"FROM a | WHERE a.`first` == 1",
		"FROM a | WHERE `a.first` == 1"},
	{`FROM a | WHERE @timestamp > NOW() - 1 hour`, ""},
	{`FROM a | WHERE _id == "x"`, ""},
	{`FROM a | WHERE source.as.number == 1`, ""},
	{`FROM a | WHERE b::long > 1`, ""},
	{`FROM a | WHERE b::LONG > 1`,
		`FROM a | WHERE b::long > 1`},
	{`FROM a | WHERE b::string == "1"`,
		`FROM a | WHERE b::keyword == "1"`},
	{`FROM a | WHERE b::int::double > 1`,
		`FROM a | WHERE b::integer::double > 1`},
	{`FROM a | WHERE (b + 1)::double > 1`, ""},
	{`FROM a | WHERE "1"::integer == 1`, ""},
	{`FROM a | WHERE -b::long > 1`, ""},
	{`FROM a | WHERE to_lower(b) == "x"`,
		`FROM a | WHERE TO_LOWER(b) == "x"`},
	{`FROM a | WHERE TO_LOWER(b) == "x"`, ""},
	{`FROM a | WHERE To_Lower(b) == "x"`,
		`FROM a | WHERE TO_LOWER(b) == "x"`},
	{`FROM a | WHERE starts_with(b, "x") and ends_with(b, "y")`,
		`FROM a | WHERE STARTS_WITH(b, "x") AND ENDS_WITH(b, "y")`},
	{`FROM a | WHERE cidr_match(source.ip, "10.0.0.0/8", "192.168.0.0/16")`,
		`FROM a | WHERE CIDR_MATCH(source.ip, "10.0.0.0/8", "192.168.0.0/16")`},
	{`FROM a | WHERE kql("event.category:process")`,
		`FROM a | WHERE KQL("event.category:process")`},
	{`FROM a | WHERE KQL("""process.name:(curl or wget)""")`,
		`FROM a | WHERE KQL("process.name:(curl or wget)")`},
	{`FROM a | WHERE kql("a", {"case_insensitive": true})`,
		`FROM a | WHERE KQL("a", {"case_insensitive": TRUE})`},
	{`FROM a | WHERE match(title, "hello", {"fuzziness": 1, "operator": "AND"})`,
		`FROM a | WHERE MATCH(title, "hello", {"fuzziness": 1, "operator": "AND"})`},
	{`FROM a | WHERE qstr("a:b")`,
		`FROM a | WHERE QSTR("a:b")`},
	{`FROM a | WHERE ?name == 1`, ""},
	{`FROM a | WHERE b == ? and c == ?1`,
		`FROM a | WHERE b == ? AND c == ?1`},
	{`FROM a | WHERE length(b) > 3 AND locate(b, "x") > 0`,
		`FROM a | WHERE LENGTH(b) > 3 AND LOCATE(b, "x") > 0`},
	{"FROM a | WHERE `concat`(b, c) == \"x\"",
		`FROM a | WHERE CONCAT(b, c) == "x"`},
	{`FROM a | EVAL x = 1`, ""},
	{`FROM a | EVAL x = b, y = c + 1`, ""},
	{`FROM a | EVAL b + 1`, ""},
	{`FROM a | EVAL x.y.z = 1`, ""},
	{"FROM a | EVAL `x y` = 1", ""},
	{`FROM a | EVAL x = case(b, 1, c, 2, 3)`,
		`FROM a | EVAL x = CASE(b, 1, c, 2, 3)`},
	{`FROM a | EVAL x = coalesce(b, c, "default")`,
		`FROM a | EVAL x = COALESCE(b, c, "default")`},
	{`FROM a | EVAL x = concat(b, " ", c)`,
		`FROM a | EVAL x = CONCAT(b, " ", c)`},
	{`FROM a | EVAL x = date_trunc(1 hour, @timestamp)`,
		`FROM a | EVAL x = DATE_TRUNC(1 hour, @timestamp)`},
	{`FROM a | EVAL x = date_trunc(15 minutes, @timestamp)`,
		`FROM a | EVAL x = DATE_TRUNC(15 minutes, @timestamp)`},
	{`FROM a | EVAL x = now() - 1 day`,
		`FROM a | EVAL x = NOW() - 1 day`},
	{`FROM a | EVAL x = now() - 1d`,
		`FROM a | EVAL x = NOW() - 1 day`},
	{`FROM a | EVAL x = 1h, y = 30s, z = 500ms, w = 2w, v = 3mo, u = 1q, t = 1y, r = 5m`,
		`FROM a | EVAL x = 1 hour, y = 30 seconds, z = 500 milliseconds, w = 2 weeks, v = 3 months, u = 1 quarter, t = 1 year, r = 5 minutes`},
	{`FROM a | EVAL x = 1 HOUR, y = 2 Days`,
		`FROM a | EVAL x = 1 hour, y = 2 days`},
	{`FROM a | EVAL x = -1 hour`, ""},
	{`FROM a | EVAL x = 1 millisecond, y = 2 seconds, z = 1 sec, w = 2 min, v = 1 yr`,
		`FROM a | EVAL x = 1 millisecond, y = 2 seconds, z = 1 second, w = 2 minutes, v = 1 year`},
	{`FROM a | EVAL x = date_diff("second", a, b)`,
		`FROM a | EVAL x = DATE_DIFF("second", a, b)`},
	{`FROM a | EVAL x = mv_concat(b, ", "), y = mv_first(c), z = mv_slice(d, 0, 9)`,
		`FROM a | EVAL x = MV_CONCAT(b, ", "), y = MV_FIRST(c), z = MV_SLICE(d, 0, 9)`},
	{`FROM a | EVAL x = to_str(b), y = to_int(c), z = to_dt(d)`,
		`FROM a | EVAL x = TO_STRING(b), y = TO_INTEGER(c), z = TO_DATETIME(d)`},
	{`FROM a | EVAL x = replace(b, "[0-9]+", "N")`,
		`FROM a | EVAL x = REPLACE(b, "[0-9]+", "N")`},
	{`FROM a | EVAL x = json_extract(b, "user.name")`,
		`FROM a | EVAL x = JSON_EXTRACT(b, "user.name")`},
	{`FROM a | EVAL x = b == 1`, ""},
	{`FROM a | EVAL x = b IN (1, 2)`, ""},
	{`FROM a | EVAL x = NOT b`, ""},
	{`FROM a | EVAL x = (b OR c) AND d`, ""},
	{`FROM a | STATS count(*)`,
		`FROM a | STATS COUNT(*)`},
	{`FROM a | STATS n = count(*)`,
		`FROM a | STATS n = COUNT(*)`},
	{`FROM a | STATS n = COUNT()`, ""},
	{`FROM a | STATS n = count(b), m = count_distinct(c)`,
		`FROM a | STATS n = COUNT(b), m = COUNT_DISTINCT(c)`},
	{`FROM a | STATS n = count(*) BY b`,
		`FROM a | STATS n = COUNT(*) BY b`},
	{`FROM a | STATS n = count(*) BY b, c`,
		`FROM a | STATS n = COUNT(*) BY b, c`},
	{`FROM a | STATS BY b`, ""},
	{`FROM a | STATS BY b, c`, ""},
	{`FROM a | STATS n = count(*) BY t = date_trunc(1 hour, @timestamp)`,
		`FROM a | STATS n = COUNT(*) BY t = DATE_TRUNC(1 hour, @timestamp)`},
	{`FROM a | STATS n = count(*) BY bucket(@timestamp, 1 hour)`,
		`FROM a | STATS n = COUNT(*) BY BUCKET(@timestamp, 1 hour)`},
	{`FROM a | STATS n = count(*) WHERE b == 1`,
		`FROM a | STATS n = COUNT(*) WHERE b == 1`},
	{`FROM a | STATS n = count(*) WHERE b == 1, m = max(c) WHERE c > 0 BY d`,
		`FROM a | STATS n = COUNT(*) WHERE b == 1, m = MAX(c) WHERE c > 0 BY d`},
	{`FROM a | STATS n = count(*) WHERE b == 1 OR c == 2 BY d`,
		`FROM a | STATS n = COUNT(*) WHERE b == 1 OR c == 2 BY d`},
	{`FROM a | STATS x = max(b) - min(b)`,
		`FROM a | STATS x = MAX(b) - MIN(b)`},
	{`FROM a | STATS x = mv_first(values(b))`,
		`FROM a | STATS x = MV_FIRST(VALUES(b))`},
	{`FROM a | STATS x = sum(case(b == 1, 1, 0))`,
		`FROM a | STATS x = SUM(CASE(b == 1, 1, 0))`},
	{`FROM a | STATS x = count_distinct(b) + 1 BY c`,
		`FROM a | STATS x = COUNT_DISTINCT(b) + 1 BY c`},
	{`FROM a | STATS x = first(b, @timestamp), y = last(c, @timestamp)`,
		`FROM a | STATS x = FIRST(b, @timestamp), y = LAST(c, @timestamp)`},
	{`FROM a | STATS x = percentile(b, 95), y = top(c, 3, "desc")`,
		`FROM a | STATS x = PERCENTILE(b, 95), y = TOP(c, 3, "desc")`},
	{`FROM a | INLINE STATS n = count(*) BY b`,
		`FROM a | INLINE STATS n = COUNT(*) BY b`},
	{`FROM a | inline stats n = count(*)`,
		`FROM a | INLINE STATS n = COUNT(*)`},
	{`FROM a | INLINE /* c */ STATS n = count(*)`,
		`FROM a | INLINE STATS n = COUNT(*)`},
	{`FROM a | INLINESTATS n = count(*) BY b`,
		`FROM a | INLINE STATS n = COUNT(*) BY b`},
	{`FROM a | INLINE STATS x = values(b) WHERE b IS NOT NULL`,
		`FROM a | INLINE STATS x = VALUES(b) WHERE b IS NOT NULL`},
	{`FROM a | KEEP b`, ""},
	{`FROM a | KEEP b, c.d, e*`, ""},
	{`FROM a | KEEP *`, ""},
	{`FROM a | KEEP Esql.*, @timestamp, _id`, ""},
	{"FROM a | KEEP `my field`, `a.b`*",
		"FROM a | KEEP `my field`, a.b*"},
	{`FROM a | KEEP first, last, by`, ""},
	{"FROM a | KEEP `as`", ""},
	{`FROM a | DROP b, c*`, ""},
	{`FROM a | RENAME b AS c`, ""},
	{`FROM a | RENAME b AS c, d AS e`, ""},
	{`FROM a | RENAME c = b`,
		`FROM a | RENAME b AS c`},
	{"FROM a | RENAME `a b` AS c", ""},
	{`FROM a | SORT b`, ""},
	{`FROM a | SORT b ASC`, ""},
	{`FROM a | SORT b DESC`, ""},
	{`FROM a | SORT b DESC NULLS FIRST`, ""},
	{`FROM a | SORT b NULLS LAST`, ""},
	{`FROM a | SORT b, c DESC, d ASC NULLS FIRST`, ""},
	{`FROM a | SORT b + c DESC`, ""},
	{`FROM a | LIMIT 0`, ""},
	{`FROM a | LIMIT 1000`, ""},
	{`FROM a | LIMIT ?n`, ""},
	{`FROM a | MV_EXPAND b`, ""},
	{`FROM a | MV_EXPAND b.c.d`, ""},
	{"FROM a | MV_EXPAND `b c`", ""},
	{`FROM a | DISSECT b "%{x} %{y}"`, ""},
	{`FROM a | DISSECT b """%{x}\%{y}"""`, ""},
	{`FROM a | DISSECT b "%{x}" append_separator = "-"`,
		`FROM a | DISSECT b "%{x}" APPEND_SEPARATOR = "-"`},
	{`FROM a | DISSECT to_lower(b) "%{x}"`,
		`FROM a | DISSECT TO_LOWER(b) "%{x}"`},
	{`FROM a | GROK b "%{IP:ip}"`, ""},
	{`FROM a | GROK b "%{IP:ip}", "%{WORD:w}"`, ""},
	{`FROM a | GROK b """(?<x>[a-z]+)"""`,
		`FROM a | GROK b "(?<x>[a-z]+)"`},
	{`FROM a | ENRICH policy`, ""},
	{`FROM a | ENRICH policy ON b`, ""},
	{`FROM a | ENRICH policy ON b WITH c`, ""},
	{`FROM a | ENRICH policy ON b WITH c, d = e`, ""},
	{`FROM a | ENRICH policy WITH c`, ""},
	{`FROM a | ENRICH _any:policy`, ""},
	{`FROM a | ENRICH _COORDINATOR:policy ON b`,
		`FROM a | ENRICH _coordinator:policy ON b`},
	{`FROM a | ENRICH "policy-name"`,
		`FROM a | ENRICH policy-name`},
	{`FROM a | ENRICH languages-policy.v2`, ""},
	{`FROM a | LOOKUP JOIN lookup_index ON b`, ""},
	{`FROM a | LOOKUP JOIN lookup_index ON b, c`, ""},
	{`FROM a | LOOKUP JOIN remote:lookup_index ON b`, ""},
	{`FROM a | LOOKUP JOIN lookup_index ON b == c`, ""},
	{`FROM a | CHANGE_POINT b`, ""},
	{`FROM a | CHANGE_POINT b ON c`, ""},
	{`FROM a | CHANGE_POINT b ON c AS t, p`, ""},
	{`FROM a | CHANGE_POINT b AS t, p`, ""},
	{`FROM a | COMPLETION prompt`, ""},
	{`FROM a | COMPLETION result = prompt`, ""},
	{`FROM a | COMPLETION result = prompt WITH {"inference_id": "my-endpoint"}`, ""},
	{`FROM a | COMPLETION concat("Summarize: ", b) WITH {"inference_id": "e"}`,
		`FROM a | COMPLETION CONCAT("Summarize: ", b) WITH {"inference_id": "e"}`},
	{`FROM a | RERANK "query" ON title`, ""},
	{`FROM a | RERANK score = "query" ON title, body WITH {"inference_id": "r"}`, ""},
	{`FROM a | RERANK "query" ON title = to_lower(title)`,
		`FROM a | RERANK "query" ON title = TO_LOWER(title)`},
	{`FROM a | SAMPLE 0.5`, ""},
	{`FROM a | SAMPLE .001`,
		`FROM a | SAMPLE 0.001`},
	{`FROM a | FORK (WHERE b == 1) (WHERE b == 2)`, ""},
	{`FROM a | FORK (WHERE b == 1 | LIMIT 10) (SORT c | LIMIT 5) (KEEP d)`, ""},
	{`FROM a | FORK ( WHERE b == 1 ) ( STATS n = count(*) BY c )`,
		`FROM a | FORK (WHERE b == 1) (STATS n = COUNT(*) BY c)`},
	{`FROM a | FORK (EVAL x = (1 + 2)) (WHERE b IN (1, 2))`,
		`FROM a | FORK (EVAL x = 1 + 2) (WHERE b IN (1, 2))`},
	{`FROM a | WHERE b == 1 | EVAL c = 2 | STATS n = count(*) BY c | SORT n DESC | LIMIT 10 | KEEP n, c`,
		`FROM a | WHERE b == 1 | EVAL c = 2 | STATS n = COUNT(*) BY c | SORT n DESC | LIMIT 10 | KEEP n, c`},
	{"FROM a\n| WHERE b == 1\n| LIMIT 10",
		`FROM a | WHERE b == 1 | LIMIT 10`},
	{`FROM a /* x */ | /* y */ WHERE /* z */ b == 1 // end`,
		`FROM a | WHERE b == 1`},
	{`FROM a | WHERE b == 1 /* a /* nested */ comment */ AND c == 2`,
		`FROM a | WHERE b == 1 AND c == 2`},
}

func TestCanonical(t *testing.T) {
	for _, tc := range canonicalTests {
		want := tc.want
		if want == "" {
			want = tc.in
		}
		q, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := q.String(); got != want {
			t.Errorf("Parse(%q).String():\n got %s\nwant %s", tc.in, got, want)
			continue
		}
		checkLocs(t, q)
		roundTrip(t, tc.in)
	}
	if len(canonicalTests) < 150 {
		t.Errorf("the table has %d queries, want at least 150", len(canonicalTests))
	}
}

// checkLocs checks every location of the tree: valid positions of the
// query text, each node inside its parent, and the text of fields and
// literals parsing back to the same node.
func checkLocs(t *testing.T, q *Query) {
	t.Helper()
	valid := func(l Loc) bool {
		return l.Start.IsValid() && l.End.IsValid() && l.Start.Offset <= l.End.Offset && l.End.Offset <= len(q.Src) &&
			source.PosAt(q.Src, l.Start.Offset) == l.Start && source.PosAt(q.Src, l.End.Offset) == l.End
	}
	in := func(outer, inner Loc) bool {
		return outer.Start.Offset <= inner.Start.Offset && inner.End.Offset <= outer.End.Offset
	}
	var walk func(v reflect.Value, parent Loc)
	walk = func(v reflect.Value, parent Loc) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem(), parent)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), parent)
			}
		case reflect.Struct:
			if f := v.FieldByName("Loc"); f.IsValid() && f.Type() == locType {
				l := f.Interface().(Loc)
				if !valid(l) || !in(parent, l) {
					t.Errorf("%q: bad location %s-%s (parent %s-%s) of %s", q.Src, l.Start, l.End, parent.Start, parent.End, v.Type())
					return
				}
				parent = l
				if v.CanAddr() {
					checkText(t, q.Src, v.Addr().Interface(), l.Text(q.Src))
				}
			}
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).Name != "Loc" && v.Type().Field(i).IsExported() {
					walk(v.Field(i), parent)
				}
			}
		}
	}
	walk(reflect.ValueOf(q), Loc{Start: source.PosAt(q.Src, 0), End: source.PosAt(q.Src, len(q.Src))})
}

// checkText checks that the text of a field or literal is that field or
// literal.
func checkText(t *testing.T, src string, node any, text string) {
	t.Helper()
	switch x := node.(type) {
	case *Field:
		q, err := Parse("ROW x = " + text)
		if err != nil {
			// A name outside an expression (MV_EXPAND, CHANGE_POINT) may
			// be a keyword there.
			q, err = Parse("ROW x = `" + strings.ReplaceAll(text, "`", "``") + "`")
		}
		if err != nil || q.Commands[0].(*Row).Fields[0].X.(*Field).Name != x.Name {
			t.Errorf("%q: field %s has the text %q", src, x.Name, text)
		}
	case *Literal:
		q, err := Parse("ROW x = " + text)
		if err != nil {
			t.Errorf("%q: literal %s has the text %q: %v", src, x, text, err)
			return
		}
		got, ok := q.Commands[0].(*Row).Fields[0].X.(*Literal)
		if !ok || got.Kind != x.Kind || got.String() != x.String() {
			t.Errorf("%q: literal %s has the text %q", src, x, text)
		}
	}
}
