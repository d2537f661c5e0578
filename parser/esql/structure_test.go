package esql

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// sexpr renders an expression as an S-expression, independently of the
// printer, to check the shape of the tree.
func sexpr(e Expr) string {
	list := func(head string, xs ...Expr) string {
		parts := []string{head}
		for _, x := range xs {
			parts = append(parts, sexpr(x))
		}
		return "(" + strings.Join(parts, " ") + ")"
	}
	switch x := e.(type) {
	case *Or:
		return list("or", x.X...)
	case *And:
		return list("and", x.X...)
	case *Not:
		return list("not", x.X)
	case *Compare:
		return list(x.Op.String(), x.L, x.R)
	case *Arith:
		return list(x.Op.String(), x.L, x.R)
	case *Neg:
		return list("neg", x.X)
	case *In:
		head := "in"
		if x.Not {
			head = "not-in"
		}
		return list(head, append([]Expr{x.X}, x.List...)...)
	case *Like:
		head := "like"
		if x.RLike {
			head = "rlike"
		}
		if x.Not {
			head = "not-" + head
		}
		pats := make([]Expr, len(x.Patterns))
		for i, p := range x.Patterns {
			pats[i] = p
		}
		return list(head, append([]Expr{x.X}, pats...)...)
	case *IsNull:
		if x.Not {
			return list("is-not-null", x.X)
		}
		return list("is-null", x.X)
	case *Match:
		return list("match:"+x.Type, x.Field, x.Query)
	case *Cast:
		return list("cast:"+x.Type, x.X)
	case *Call:
		head := "call:" + x.Name
		if x.Star {
			head += ":*"
		}
		if x.Options != nil {
			head += ":opts" + strconv.Itoa(len(x.Options.Entries))
		}
		return list(head, x.Args...)
	case *Field:
		return "$" + x.Name
	case *Param:
		return "?" + x.Name
	case *Literal:
		switch x.Kind {
		case LitNull:
			return "null"
		case LitBool:
			return strconv.FormatBool(x.Bool)
		case LitInt:
			return "int:" + strconv.FormatInt(x.Int, 10)
		case LitUnsignedLong:
			return "ulong:" + strconv.FormatUint(x.Uint, 10)
		case LitDouble:
			return "double:" + strconv.FormatFloat(x.Float, 'g', -1, 64)
		case LitString:
			return strconv.Quote(x.Str)
		case LitDuration:
			return fmt.Sprintf("duration:%d%s", x.Int, x.Unit)
		case LitPeriod:
			return fmt.Sprintf("period:%d%s", x.Int, x.Unit)
		case LitList:
			items := make([]Expr, len(x.List))
			for i, y := range x.List {
				items[i] = y
			}
			return list("list", items...)
		}
	}
	return fmt.Sprintf("?%T", e)
}

// structureTests are conditions and the shape of their tree.
var structureTests = []struct{ cond, want string }{
	{`a == 1`, `(== $a int:1)`},
	{`a == 1 AND b == 2 OR c == 3`, `(or (and (== $a int:1) (== $b int:2)) (== $c int:3))`},
	{`a OR b AND c OR d`, `(or $a (and $b $c) $d)`},
	{`a AND b AND c`, `(and $a $b $c)`},
	{`a AND (b AND c)`, `(and $a $b $c)`},
	{`(a OR b) AND c`, `(and (or $a $b) $c)`},
	{`NOT a AND b`, `(and (not $a) $b)`},
	{`NOT a == 1`, `(not (== $a int:1))`},
	{`NOT a IN (1, 2)`, `(not (in $a int:1 int:2))`},
	{`a NOT IN (1, 2)`, `(not-in $a int:1 int:2)`},
	{`NOT a LIKE "x*"`, `(not (like $a "x*"))`},
	{`NOT NOT a`, `(not (not $a))`},
	{`NOT a IS NULL`, `(not (is-null $a))`},
	{`a + b IS NOT NULL`, `(is-not-null (+ $a $b))`},
	{`a == b IN (true)`, `(in (== $a $b) true)`},
	{`a + b * c`, `(+ $a (* $b $c))`},
	{`a * b + c`, `(+ (* $a $b) $c)`},
	{`a - b - c`, `(- (- $a $b) $c)`},
	{`a / b * c % d`, `(% (* (/ $a $b) $c) $d)`},
	{`a + b > c * d`, `(> (+ $a $b) (* $c $d))`},
	{`-a * b`, `(* (neg $a) $b)`},
	{`-(a * b)`, `(neg (* $a $b))`},
	{`- -a`, `(neg (neg $a))`},
	{`-5`, `int:-5`},
	{`- 5`, `int:-5`},
	{`- -5`, `int:5`},
	{`+5`, `int:5`},
	{`-1.5`, `double:-1.5`},
	{`-9223372036854775808`, `int:-9223372036854775808`},
	{`9223372036854775808`, `ulong:9223372036854775808`},
	{`-18446744073709551615`, `(neg ulong:18446744073709551615)`},
	{`1e3`, `double:1000`},
	{`2147483648`, `int:2147483648`},
	{`99999999999999999999999`, `double:1e+23`},
	{`1 hour`, `duration:1hour`},
	{`-2 hours`, `duration:-2hour`},
	{`15 minutes`, `duration:15minute`},
	{`1d`, `period:1day`},
	{`3 MONTHS`, `period:3month`},
	{`1 quarter`, `period:1quarter`},
	{`500ms`, `duration:500millisecond`},
	{`a::long`, `(cast:long $a)`},
	{`a::string`, `(cast:keyword $a)`},
	{`-a::long`, `(neg (cast:long $a))`},
	{`(-1)::long`, `(cast:long int:-1)`},
	{`a::int::double`, `(cast:double (cast:integer $a))`},
	{`a : "q"`, `(match: $a "q")`},
	{`a::keyword : "q"`, `(match:keyword $a "q")`},
	{`MV_FIRST(a)`, `(call:mv_first $a)`},
	{`to_str(a)`, `(call:to_string $a)`},
	{`KQL("x", {"a": 1, "b": "c"})`, `(call:kql:opts2 "x")`},
	{`` + "`a.b`" + `.c`, `$a.b.c`},
	{`source.as.number`, `$source.as.number`},
	{`[1, -2, 3.5]`, `(list int:1 int:-2 double:3.5)`},
	{`a LIKE ("x", "y")`, `(like $a "x" "y")`},
	{`a NOT RLIKE "x.*"`, `(not-rlike $a "x.*")`},
	{`?x == ?`, `(== ?x ?)`},
	{`"a\tb\"c\\d"`, `"a\tb\"c\\d"`},
	{`"""a\tb"""`, `"a\\tb"`},
	{`""""quoted"""""`, `"\"quoted\"\""`},
	{`a IN (b + 1, -c)`, `(in $a (+ $b int:1) (neg $c))`},
	{`CASE(a > 1, "x", "y")`, `(call:case (> $a int:1) "x" "y")`},
	{`NOW() - 1 day < @timestamp`, `(< (- (call:now) period:1day) $@timestamp)`},
}

func TestStructure(t *testing.T) {
	for _, tc := range structureTests {
		q, err := Parse("ROW x = " + tc.cond)
		if err != nil {
			t.Errorf("%s: %v", tc.cond, err)
			continue
		}
		if got := sexpr(q.Commands[0].(*Row).Fields[0].X); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.cond, got, tc.want)
		}
		roundTrip(t, "ROW x = "+tc.cond)
	}
}

// TestCommands checks the trees of the commands.
func TestCommands(t *testing.T) {
	q := MustParse(`FROM remote:logs-*, "quoted", logs-*::failures METADATA _id, _index
| STATS n = COUNT(*) WHERE x > 1, COUNT_DISTINCT(u) BY h = host.name, t
| SORT n DESC, t NULLS FIRST
| RENAME a AS b, d = c
| ENRICH _remote:pol ON k WITH n = f, g
| DISSECT msg "%{a}" APPEND_SEPARATOR = ","
| LIMIT 5
| FORK (WHERE a) (LIMIT 1)`)
	from := q.Commands[0].(*From)
	if len(from.Indices) != 3 || from.Indices[0].Cluster != "remote" || from.Indices[0].Index != "logs-*" ||
		!from.Indices[1].Quoted || from.Indices[1].Index != "quoted" || from.Indices[2].Selector != "failures" ||
		len(from.Metadata) != 2 || from.Metadata[1].Name != "_index" {
		t.Errorf("FROM: %+v", from)
	}
	st := q.Commands[1].(*Stats)
	if len(st.Aggs) != 2 || st.Aggs[0].Name.Name != "n" || sexpr(st.Aggs[0].Filter) != "(> $x int:1)" ||
		st.Aggs[1].Name != nil || st.Aggs[1].Filter != nil || len(st.By) != 2 || st.By[0].Name.Name != "h" || st.By[1].Name != nil {
		t.Errorf("STATS: %s", st)
	}
	srt := q.Commands[2].(*Sort)
	if !srt.Keys[0].Descending() || !srt.Keys[0].IsNullsFirst() || srt.Keys[1].Descending() || !srt.Keys[1].IsNullsFirst() {
		t.Errorf("SORT: %s", srt)
	}
	if k := MustParse("ROW a = 1 | SORT a").Commands[1].(*Sort).Keys[0]; k.IsNullsFirst() {
		t.Errorf("SORT a: nulls first")
	}
	rn := q.Commands[3].(*Rename)
	if rn.Pairs[1].Old.Pattern != "c" || rn.Pairs[1].New.Pattern != "d" {
		t.Errorf("RENAME: %s", rn)
	}
	en := q.Commands[4].(*Enrich)
	if en.Mode != "_remote" || en.Policy != "pol" || en.On.Pattern != "k" || en.With[0].Name.Pattern != "n" || en.With[0].Field.Pattern != "f" || en.With[1].Name != nil {
		t.Errorf("ENRICH: %+v", en)
	}
	ds := q.Commands[5].(*Dissect)
	if ds.Pattern.Str != "%{a}" || ds.AppendSeparator == nil || ds.AppendSeparator.Str != "," {
		t.Errorf("DISSECT: %s", ds)
	}
	if lim := q.Commands[6].(*Limit); lim.N != 5 {
		t.Errorf("LIMIT: %s", lim)
	}
	if fk := q.Commands[7].(*Fork); len(fk.Branches) != 2 || fk.Branches[1].Commands[0].(*Limit).N != 1 {
		t.Errorf("FORK: %s", fk)
	}
	if n := len(q.Commands); n != 8 {
		t.Errorf("%d commands", n)
	}
	checkLocs(t, q)
}

// TestGroupedColumns checks the aggregates that refer to grouping keys.
func TestGroupedColumns(t *testing.T) {
	for _, q := range []string{
		"FROM a | STATS x = MAX(b) + c BY c",
		"FROM a | STATS x = MAX(b) + k BY k = TO_LOWER(c)",
		"FROM a | STATS x = CONCAT(h.name, TO_STRING(COUNT(*))) BY h.name",
		"FROM a | STATS x = 1 + 2",
		"FROM a | STATS c = COUNT(*) WHERE d > 1 BY e",
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("Parse(%q): %v", q, err)
		}
	}
}

func TestLiteralValues(t *testing.T) {
	lit := func(s string) *Literal {
		return MustParse("ROW x = " + s).Commands[0].(*Row).Fields[0].X.(*Literal)
	}
	if d := lit("90 minutes").Duration(); d.Minutes() != 90 {
		t.Errorf("90 minutes: %v", d)
	}
	if y, m, d := lit("2 weeks").Period(); y != 0 || m != 0 || d != 14 {
		t.Errorf("2 weeks: %d %d %d", y, m, d)
	}
	if y, m, d := lit("1 quarter").Period(); y != 0 || m != 3 || d != 0 {
		t.Errorf("1 quarter: %d %d %d", y, m, d)
	}
	if y, _, _ := lit("1 year").Period(); y != 1 {
		t.Errorf("1 year: %d", y)
	}
}

func TestWalkAndFields(t *testing.T) {
	q := MustParse(`FROM a | WHERE b == 1 AND TO_LOWER(c.d) LIKE "x*" AND b IN (e, 2) AND f::long > 0`)
	got := Fields(q.Commands[1].(*Where).Cond)
	if strings.Join(got, ",") != "b,c.d,e,f" {
		t.Errorf("Fields: %v", got)
	}
	n := 0
	Walk(q.Commands[1].(*Where).Cond, func(e Expr) bool {
		n++
		_, isCall := e.(*Call)
		return !isCall // do not enter calls
	})
	if n != 14 {
		t.Errorf("Walk visited %d nodes", n)
	}
	exprs := Exprs(MustParse(`FROM a | STATS n = COUNT(*) WHERE x > 1 BY h`).Commands[1])
	if len(exprs) != 3 || sexpr(exprs[0]) != "(call:count:*)" || sexpr(exprs[1]) != "(> $x int:1)" || sexpr(exprs[2]) != "$h" {
		t.Errorf("Exprs(STATS): %v", exprs)
	}
}

func TestLooksLikeESQL(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"FROM logs-*", true},
		{"from logs-* | where a == 1", true},
		{"  // rule\n  FROM logs-*", true},
		{"/* x */ROW a = 1", true},
		{"ROW\ta = 1", true},
		{"SHOW INFO", true},
		{"TS metrics-*", true},
		{"FROM/* c */logs-*", true},
		{"FROM", false},
		{"FROMlogs", false},
		{"process where true", false},
		{"process.name : cmd.exe", false},
		{"from:value", false},
		{"where a == 1", false},
		{"", false},
		{"/* unterminated", false},
	} {
		if got := LooksLikeESQL(tc.text); got != tc.want {
			t.Errorf("LooksLikeESQL(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}
