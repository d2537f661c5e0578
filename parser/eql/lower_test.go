package eql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
)

// loweringTests are event queries and the condition they lower to.
var loweringTests = []struct{ query, want string }{
	{`process where process.name == "cmd.exe"`,
		`event.category == "process" and process.name == "cmd.exe"`},
	{`any where process.name == "cmd.exe"`,
		`process.name == "cmd.exe"`},
	{`process where true`,
		`event.category == "process"`},
	{`process where false`,
		`false`},
	{`process where process.name != "cmd.exe"`,
		`event.category == "process" and not process.name == "cmd.exe"`},
	{`process where process.name : "cmd.exe"`,
		`event.category == "process" and process.name like~ "cmd.exe"`},
	{`process where process.name : "*.exe"`,
		`event.category == "process" and process.name like~ "*.exe"`},
	{`process where process.name : ("a*", "b")`,
		`event.category == "process" and (process.name like~ "a*" or process.name like~ "b")`},
	{`process where process.name like "a?c"`,
		`event.category == "process" and process.name like "a?c"`},
	{`process where process.name like~ "A*"`,
		`event.category == "process" and process.name like~ "A*"`},
	{`process where process.name regex "a.*"`,
		`event.category == "process" and process.name regex "a.*"`},
	{`process where process.name regex~ ("a.*", "b+")`,
		`event.category == "process" and (process.name regex~ "a.*" or process.name regex~ "b+")`},
	{`process where process.name in ("a", "b")`,
		`event.category == "process" and (process.name == "a" or process.name == "b")`},
	{`process where process.name in~ ("A", "B")`,
		`event.category == "process" and (process.name ==~ "A" or process.name ==~ "B")`},
	{`process where process.name not in ("a", "b")`,
		`event.category == "process" and not process.name == "a" and not process.name == "b"`},
	{`process where process.name not in~ ("A")`,
		`event.category == "process" and not process.name ==~ "A"`},
	{`process where process.pid == 5`,
		`event.category == "process" and process.pid == 5`},
	{`process where process.pid == 5.5`,
		`event.category == "process" and process.pid == 5.5`},
	{`process where process.pid < 5`,
		`event.category == "process" and process.pid < 5`},
	{`process where process.pid <= 5`,
		`event.category == "process" and process.pid <= 5`},
	{`process where process.pid > 5`,
		`event.category == "process" and process.pid > 5`},
	{`process where process.pid >= 5`,
		`event.category == "process" and process.pid >= 5`},
	{`process where 5 < process.pid`,
		`event.category == "process" and process.pid > 5`},
	{`process where process.name > "m"`,
		`event.category == "process" and process.name > "m"`},
	{`process where process.name == null`,
		`event.category == "process" and not process.name exists`},
	{`process where process.name != null`,
		`event.category == "process" and process.name exists`},
	{`process where null == process.name`,
		`event.category == "process" and not process.name exists`},
	{`process where process.trusted`,
		`event.category == "process" and process.trusted == true`},
	{`process where process.trusted == true`,
		`event.category == "process" and process.trusted == true`},
	{`process where process.trusted != false`,
		`event.category == "process" and not process.trusted == false`},
	{`process where not process.trusted`,
		`event.category == "process" and not process.trusted == true`},
	{`process where not (process.name == "a" or process.pid > 3)`,
		`event.category == "process" and not process.name == "a" and not process.pid > 3`},
	{`process where not (process.name == "a" and process.pid > 3)`,
		`event.category == "process" and (not process.name == "a" or not process.pid > 3)`},
	{`process where process.name == "a" or process.name == "b" and process.pid == 1`,
		`event.category == "process" and (process.name == "a" or (process.name == "b" and process.pid == 1))`},
	{`process where process.pid + 1 == 6`,
		`event.category == "process" and process.pid == 5`},
	{`process where process.pid - 2 >= 3`,
		`event.category == "process" and process.pid >= 5`},
	{`process where 10 - process.pid > 4`,
		`event.category == "process" and process.pid < 6`},
	{`process where process.pid * 2 < 10`,
		`event.category == "process" and process.pid < 5`},
	{`process where process.pid * -2 < 10`,
		`event.category == "process" and process.pid > -5`},
	{`process where -process.pid == 3`,
		`event.category == "process" and process.pid == -3`},
	{`process where process.pid * 0 == 0`,
		`event.category == "process" and process.pid >= -1.7976931348623157e+308`},
	{`process where process.pid * 0 == 1`,
		`false`},
	{`process where process.pid / 2.0 == 3`,
		`event.category == "process" and process.pid == 6`},
	{`process where process.pid / 2 == 3`,
		`event.category == "process" and process.pid == 6`},
	{`process where not process.pid / 2 == 3`,
		`event.category == "process" and (not process.pid >= 6 or not process.pid <= 7)`},
	{`process where process.pid / 2 > 3`,
		`event.category == "process" and process.pid >= 8`},
	{`process where length(process.name) / 2 == 3`,
		`event.category == "process" and process.name length >= 6 and process.name length <= 7`},
	{`process where length(process.name) > 3`,
		`event.category == "process" and process.name length >= 4`},
	{`process where length(process.name) == 0`,
		`event.category == "process" and process.name length == 0`},
	{`process where length(process.name) != 4`,
		`event.category == "process" and not process.name length == 4`},
	{`process where length(process.name) < 0`,
		`false`},
	{`process where length(process.name) > 2.5`,
		`event.category == "process" and process.name length >= 3`},
	{`process where add(process.pid, 1) == 6`,
		`event.category == "process" and process.pid == 5`},
	{`process where subtract(10, process.pid) == 6`,
		`event.category == "process" and process.pid == 4`},
	{`process where multiply(process.pid, 3) <= 9`,
		`event.category == "process" and process.pid <= 3`},
	{`process where divide(process.pid, 4.0) > 1`,
		`event.category == "process" and process.pid > 4`},
	{`process where startsWith(process.name, "pow")`,
		`event.category == "process" and process.name like "pow*"`},
	{`process where startsWith~(process.name, "POW")`,
		`event.category == "process" and process.name like~ "POW*"`},
	{`process where endsWith(process.name, ".exe")`,
		`event.category == "process" and process.name like "*.exe"`},
	{`process where endsWith~(process.name, ".EXE")`,
		`event.category == "process" and process.name like~ "*.EXE"`},
	{`process where stringContains(process.name, "sh")`,
		`event.category == "process" and process.name like "*sh*"`},
	{`process where stringContains~(process.name, "SH")`,
		`event.category == "process" and process.name like~ "*SH*"`},
	{`process where stringContains(process.name, "")`,
		`false`},
	{`process where startsWith(process.name, "")`,
		`event.category == "process" and process.name like "*"`},
	{`process where startsWith("power", process.name)`,
		`event.category == "process" and process.name regex "(p(o(w(e(r)?)?)?)?)?"`},
	{`process where endsWith("power", process.name)`,
		`event.category == "process" and process.name regex "(((((p)?o)?w)?e)?r)?"`},
	{`process where stringContains("abc", process.name)`,
		`event.category == "process" and process.name regex "((a(b(c)?)?))|((b(c)?))|((c))"`},
	{`process where wildcard(process.name, "a*", "*b")`,
		`event.category == "process" and (process.name like "a*" or process.name like "*b")`},
	{`process where wildcard~(process.name, "A?")`,
		`event.category == "process" and process.name like~ "A?"`},
	{`process where cidrMatch(source.ip, "10.0.0.0/8")`,
		`event.category == "process" and source.ip in 10.0.0.0/8`},
	{`process where cidrMatch(source.ip, "10.0.0.0/8", "fe80::/10")`,
		`event.category == "process" and (source.ip in 10.0.0.0/8 or source.ip in fe80::/10)`},
	{`process where cidrMatch(source.ip, "10.0.0.0/8") == false`,
		`event.category == "process" and not source.ip in 10.0.0.0/8`},
	{`process where not cidrMatch(source.ip, "10.0.0.0/8")`,
		`event.category == "process" and not source.ip in 10.0.0.0/8`},
	{`process where cidrMatch(string(source.ip), "::1")`,
		`event.category == "process" and source.ip in ::1`},
	{`process where process.name == process.parent.name`,
		`event.category == "process" and process.name == process.parent.name`},
	{`process where process.name != process.parent.name`,
		`event.category == "process" and not process.name == process.parent.name`},
	{`process where process.name in~ (process.parent.name, "x")`,
		`event.category == "process" and (process.name ==~ process.parent.name or process.name ==~ "x")`},
	{`process where process.pid < process.parent.pid`,
		`event.category == "process" and process.pid < process.parent.pid`},
	{`process where process.pid >= process.parent.pid`,
		`event.category == "process" and process.pid >= process.parent.pid`},
	{`process where startsWith(process.executable, process.working_directory)`,
		`event.category == "process" and process.executable startswith process.working_directory`},
	{`process where endsWith~(file.path, file.name)`,
		`event.category == "process" and file.path endswith~ file.name`},
	{`process where startsWith~(host.name, substring(user.name, 0, -1))`,
		`event.category == "process" and host.name startswith~ user.name[0:-1]`},
	{`process where not startsWith(host.name, substring(user.name, 2))`,
		`event.category == "process" and not host.name startswith user.name[2:]`},
	{`process where not startsWith~(host.name, substring(user.name, 0, length(user.name) - 1))`,
		`event.category == "process" and not host.name startswith~ user.name[0:-1]`},
	{`process where startsWith(host.name, substring(user.name, 1, length(user.name)))`,
		`event.category == "process" and host.name startswith user.name[1:]`},
	{`process where substring(process.name, 0, length(process.name) - 1) == "x"`,
		`event.category == "process" and process.name regex "(x).{1}"`},
	{`process where stringContains(process.command_line, process.name)`,
		`event.category == "process" and process.command_line contains process.name and process.name length > 0`},
	{`process where indexOf(host.ip, source.ip) == null`,
		`event.category == "process" and not host.ip contains source.ip`},
	{`process where indexOf(host.ip, source.ip) != null`,
		`event.category == "process" and host.ip contains source.ip`},
	{`process where string(process.pid) == "5"`,
		`event.category == "process" and process.pid == "5"`},
	{`process where string(process.name) : "a*"`,
		`event.category == "process" and process.name like~ "a*"`},
	{`process where substring(process.name, 0, 3) == "cmd"`,
		`event.category == "process" and process.name regex "(cmd).*"`},
	{`process where substring(process.name, 2) == "d"`,
		`event.category == "process" and process.name regex ".{2}(d)"`},
	{`process where substring(process.name, -4) : ".EXE"`,
		`event.category == "process" and process.name regex~ ".*(\\.EXE)"`},
	{`process where substring(process.name, 1, -1) == "x"`,
		`event.category == "process" and process.name regex ".{1}(x).{1}"`},
	{`process where between(process.command_line, "/c ", " ") == "whoami"`,
		`event.category == "process" and process.command_line regex "((.*\\/c\\ )&~(.*\\/c\\ .+))(((((whoami)&.+))\\ )&((.*\\ )&~(.*\\ .+))).*"`},
	{`process where between~(process.command_line, "/C ", " ") == "whoami"`,
		`event.category == "process" and process.command_line regex "((.*\\/[Cc]\\ )&~(.*\\/[Cc]\\ .+))(((((whoami)&.+))\\ )&((.*\\ )&~(.*\\ .+))).*"`},
	{`process where between(process.command_line, "a", "b") == ""`,
		`event.category == "process" and process.command_line regex "~(((.*a)&~(.*a.+))(((.+)b)&((.*b)&~(.*b.+))).*)"`},
	{`process where between(process.command_line, "", "b") == "x"`,
		`event.category == "process" and process.command_line == "x"`},
	{`process where indexOf(process.name, "x") == 2`,
		`event.category == "process" and process.name regex "(.{2,2}x.*)&~(.{0,1}x.*)"`},
	{`process where indexOf(process.name, "x") > 2`,
		`event.category == "process" and process.name regex "(.{3,}x.*)&~(.{0,2}x.*)"`},
	{`process where indexOf(process.name, "x", 3) == 3`,
		`event.category == "process" and process.name regex ".{3,3}x.*"`},
	{`process where indexOf~(process.name, "X") != null`,
		`event.category == "process" and process.name regex~ ".*X.*"`},
	{`process where indexOf(process.name, "x") == null`,
		`event.category == "process" and not process.name regex ".*x.*"`},
	{`process where concat(process.name, ".exe") == "cmd.exe"`,
		`event.category == "process" and process.name == "cmd"`},
	{`process where concat(process.name, ".exe") == "cmd.dll"`,
		`false`},
	{`process where concat("a-", process.name) : "A-*"`,
		`event.category == "process" and process.name like~ "*"`},
	{`process where concat(process.name, "-", process.title) == "a-b"`,
		`event.category == "process" and process.name == "a" and process.title == "b"`},
	{`process where concat(process.name, null) == "x"`,
		`false`},
	{`process where number(process.pid_s) == 5`,
		`event.category == "process" and process.pid_s regex "5"`},
	{`process where number(process.pid_s) > 5`,
		`event.category == "process" and process.pid_s regex "([6-9]|[1-9][0-9]{1,})"`},
	{`process where number(process.pid_s) == 2.5`,
		`event.category == "process" and process.pid_s == "2.5"`},
	{`process where not number(process.pid_s) < 0`,
		`event.category == "process" and process.pid_s regex "([0-9]|[1-9][0-9]{1,})"`},
	{`process where length(substring(process.name, 1)) == 2`,
		`event.category == "process" and process.name regex ".{1}((.{2}))"`},
	{`process where 1 == 1 and process.name == "a"`,
		`event.category == "process" and process.name == "a"`},
	{`process where 1 == 2 or process.name == "a"`,
		`event.category == "process" and process.name == "a"`},
	{`process where (process.pid > 3) == false`,
		`event.category == "process" and not process.pid > 3`},
	{`process where startsWith(process.name, "a") != true`,
		`event.category == "process" and not process.name like "a*"`},
	{`process where process.name : "a" == true`,
		`event.category == "process" and process.name like~ "a"`},
}

func TestLowering(t *testing.T) {
	for _, tc := range loweringTests {
		q, err := Parse(tc.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.query, err)
			continue
		}
		c, err := q.Constraints()
		if err != nil {
			t.Errorf("%q: Constraints: %v", tc.query, err)
			continue
		}
		if c.Lang != "eql" || c.Source != tc.query || c.Kind != constraint.EventQuery || len(c.Events) != 1 {
			t.Errorf("%q: query %+v", tc.query, c)
			continue
		}
		if got := c.Events[0].Cond.String(); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.query, got, tc.want)
		}
		checkSpans(t, tc.query, c.Events[0].Cond)
		if n := constraint.NNF(c.Events[0].Cond).String(); n != tc.want {
			t.Errorf("%q: the condition is not in negation normal form: %s", tc.query, n)
		}
	}
}

// checkSpans checks that every And, Or and Pred has a span whose text is
// the source at its position, and that no Not node remains.
func checkSpans(t *testing.T, src string, e constraint.Expr) {
	t.Helper()
	sp := e.Source()
	if _, isBool := e.(*constraint.Bool); !isBool {
		if !sp.Pos.IsValid() || sp.Text == "" || sp.Pos.Offset+len(sp.Text) > len(src) || src[sp.Pos.Offset:sp.Pos.Offset+len(sp.Text)] != sp.Text {
			t.Errorf("%q: bad span %+v of %s", src, sp, e)
		}
	}
	switch x := e.(type) {
	case *constraint.And:
		for _, y := range x.X {
			checkSpans(t, src, y)
		}
	case *constraint.Or:
		for _, y := range x.X {
			checkSpans(t, src, y)
		}
	case *constraint.Not:
		t.Errorf("%q: a Not node remains", src)
	}
}

func TestLoweringSpans(t *testing.T) {
	src := `process where process.name : ("a", "b") and not process.pid > 5`
	c, err := MustParse(src).Constraints()
	if err != nil {
		t.Fatal(err)
	}
	and := c.Events[0].Cond.(*constraint.And)
	if and.Span.Text != src {
		t.Errorf("and span %q", and.Span.Text)
	}
	cat := and.X[0].(*constraint.Pred)
	if cat.Span.Text != "process" || cat.Span.Pos.Col != 1 || cat.Field != "event.category" || cat.Value != constraint.String("process") {
		t.Errorf("category %+v", cat)
	}
	or := and.X[1].(*constraint.Or)
	if !or.Authored || or.Span.Text != `process.name : ("a", "b")` || or.Span.Pos.Col != 15 {
		t.Errorf("or span %+v", or.Span)
	}
	if b := or.X[1].(*constraint.Pred); b.Span.Text != `"b"` || b.Pattern.String() != "b" || !b.CI || b.Op != constraint.Like {
		t.Errorf("list element %+v", b)
	}
	gt := and.X[2].(*constraint.Pred)
	if !gt.Neg || gt.Span.Text != "process.pid > 5" || gt.Value.Kind != constraint.KindNumber || gt.Value.Num != 5 {
		t.Errorf("negated comparison %+v", gt)
	}
	s, _ := MustParse(`process where process.name == "a"`).Constraints()
	if got := s.Events[0].Span.Text; got != `process where process.name == "a"` {
		t.Errorf("event span %q", got)
	}
}

func TestLoweringSequence(t *testing.T) {
	src := `sequence by host.id, ?user.name with maxspan=2m
  [process where process.name == "a"] by process.pid with runs=2
  ![file where true] by process.pid
  [any where true] by process.parent.pid
until [process where event.type == "end"] by process.pid
| tail 5 | head 3 | tail 2`
	c, err := MustParse(src).Constraints()
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != constraint.Sequence || len(c.Events) != 3 || c.MaxSpan != 2*time.Minute || c.Head != 3 || c.Tail != 2 {
		t.Fatalf("sequence %+v", c)
	}
	want := [][]string{{"host.id", "host.id", "host.id"}, {"user.name", "user.name", "user.name"}, {"process.pid", "process.pid", "process.parent.pid"}}
	if len(c.Joins) != len(want) {
		t.Fatalf("joins %v", c.Joins)
	}
	for k := range want {
		if strings.Join(c.Joins[k], ",") != strings.Join(want[k], ",") {
			t.Errorf("join %d: %v, want %v", k, c.Joins[k], want[k])
		}
	}
	e := c.Events
	if e[0].Runs != 2 || e[1].Runs != 1 || !e[1].Missing || e[0].Missing || e[2].Category != "" || e[0].Category != "process" {
		t.Errorf("events %+v", e)
	}
	if e[1].Cond.String() != `event.category == "file"` || e[2].Cond.String() != "true" {
		t.Errorf("conditions %s / %s", e[1].Cond, e[2].Cond)
	}
	if e[1].Span.Text != "![file where true] by process.pid" {
		t.Errorf("missing event span %q", e[1].Span.Text)
	}
	if c.Until == nil || c.Until.String() != `event.category == "process" and event.type == "end"` {
		t.Errorf("until %v", c.Until)
	}
	smp, err := MustParse(`sample by host.id [process where true] by process.pid [file where true] by process.parent.pid`).Constraints()
	if err != nil || smp.Kind != constraint.Sample || len(smp.Events) != 2 || len(smp.Joins) != 2 || smp.Joins[1][1] != "process.parent.pid" {
		t.Errorf("sample %+v %v", smp, err)
	}
	plain, _ := MustParse(`sequence [process where true] [file where true]`).Constraints()
	if plain.Joins != nil || plain.MaxSpan != 0 || plain.Until != nil || plain.Head != 0 {
		t.Errorf("plain sequence %+v", plain)
	}
}

func TestLoweringUnsupported(t *testing.T) {
	for _, tc := range []struct{ query, pos, what string }{
		{`process where modulo(process.pid, 2) == 0`, "1:15", "modulo"},
		{`process where process.pid % 2 == 1`, "1:15", "modulo"},
		{`process where process.pid + process.ppid > 5`, "1:15", "arithmetic on two fields"},
		{`process where 10 / process.pid == 2`, "1:15", "a constant divided by a field"},
		{`process where process.pid / 0 == 2`, "1:15", "division by zero"},
		{`process where stringContains~(host.name, substring(user.name, 0, -1))`, "1:15", "stringContains~() of a field and substring()"},
		{`process where endsWith~(substring(host.name, 1), substring(user.name, 0, -1))`, "1:15", "endsWith~() of substring() and substring()"},
		{`process where length(process.name) > length(process.title)`, "1:15", "length() compared to length()"},
		{`process where concat(a, b) : "x*"`, "1:15", "concat() of several fields compared to a pattern"},
		{`process where number(process.name, 16) == 5`, "1:15", "number() with a base other than 10"},
		{`process where substring(process.name, process.start) == "x"`, "1:15", "substring() with positions that are not constant integers"},
		{`process where substring(process.name, 0, length(process.name) - 2) == "x"`, "1:15", "substring() with positions that are not constant integers"},
		{`process where substring(process.name, 0, length(process.title) - 1) == "x"`, "1:15", "substring() with positions that are not constant integers"},
		{`process where substring(process.name, length(process.name)) == "x"`, "1:15", "substring() with positions that are not constant integers"},
		{`process where process.name in ("a", null)`, "1:37", "null in an [in] list"},
		{`process where length(process.name)`, "1:15", "length() as a condition"},
		{`process where process.pid + 1`, "1:15", "arithmetic (+) as a condition"},
		{`process where true | head 0`, "1:20", "| head 0 returns no results"},
		{`process where process.name : 5`, "1:30", "pattern that is not a string"},
		{`process where between(process.name, process.x, "b") == "c"`, "1:15", "between() with bounds that are not constant strings"},
		{`process where between(process.name, "/", "-") regex~ "x" or between(process.name, "a", "b") regex "x"`, "", ""},
		{`process where between(process.name, "a", "b") regex~ "x"`, "1:15", "case rule"},
		{`process where between~(process.name, "a", "b") regex "x"`, "1:15", "case rule"},
		{`process where (process.name : "") in (false)`, "1:39", "a condition compared in a list to false"},
	} {
		q, err := Parse(tc.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.query, err)
			continue
		}
		_, err = q.Constraints()
		if tc.what == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.query, err)
			}
			continue
		}
		var u *constraint.UnsupportedError
		if !errors.As(err, &u) {
			t.Errorf("%q: error %v, want an UnsupportedError", tc.query, err)
			continue
		}
		if u.Span.Pos.String() != tc.pos || !strings.Contains(u.What, tc.what) || u.Span.Text == "" {
			t.Errorf("%q: %s (%+v), want %s: ...%s...", tc.query, u, u.Span, tc.pos, tc.what)
		}
	}
}
