package kql

import (
	"errors"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/source"
)

// canonicalTests maps queries to their canonical String().
var canonicalTests = []struct{ in, want string }{
	// field : value
	{`process.name:cmd.exe`, `process.name : cmd.exe`},
	{`process.name : cmd.exe`, `process.name : cmd.exe`},
	{`process.name:   cmd.exe   `, `process.name : cmd.exe`},
	{`  process.name : cmd.exe`, `process.name : cmd.exe`},
	{"process.name\n:\ncmd.exe", `process.name : cmd.exe`},
	{"f :\u00a0x", `f : x`},
	{`user.name : José`, `user.name : José`},
	{`event.code : 4624`, `event.code : 4624`},
	{`f : true`, `f : true`},
	{`f : false`, `f : false`},
	{`f : null`, `f : null`},
	{`f : -1.5`, `f : -1.5`},
	{`f : a-b_c.d/e@f,g;h=i`, `f : a-b_c.d/e@f,g;h=i`},
	{`source.ip : 10.0.0.0/8`, `source.ip : 10.0.0.0/8`},
	{`f : ünïcödé*`, `f : ünïcödé*`},

	// multi-word unquoted values (Kibana keeps the spaces)
	{`message : hello world`, `message : hello world`},
	{`message :   hello    world  `, `message : hello    world`},
	{`message : a b c and x : y`, `message : a b c and x : y`},
	{`foo bar : baz`, `foo bar : baz`},

	// quoted values
	{`f : "cmd.exe"`, `f : "cmd.exe"`},
	{`f:"cmd.exe"`, `f : "cmd.exe"`},
	{`message : "hello world"`, `message : "hello world"`},
	{`f : "multi\nline"`, `f : "multi\nline"`},
	{"f : \"raw\nnewline\"", `f : "raw\nnewline"`},
	{`f : "tab\there"`, `f : "tab\there"`},
	{`f : "quote \" inside"`, `f : "quote \" inside"`},
	{`f : "back\\slash"`, `f : "back\\slash"`},
	{`f : "C:\Windows\System32"`, `f : "C:\\Windows\\System32"`},
	{`f : "a*b"`, `f : "a*b"`},
	{`f : "(a or b)"`, `f : "(a or b)"`},
	{`f : "a:b<c>d{e}"`, `f : "a:b<c>d{e}"`},
	{`f : "\u0041BC"`, `f : "ABC"`},
	{`f : "\uD83D\uDE00"`, `f : "😀"`},
	{`f : ""`, `f : ""`},
	{`f : "  padded  "`, `f : "  padded  "`},
	{`"process.name" : cmd.exe`, `"process.name" : cmd.exe`},
	{`message : "日本語 テキスト"`, `message : "日本語 テキスト"`},

	// exists and wildcards
	{`f : *`, `f : *`},
	{`f:*`, `f : *`},
	{`f : **`, `f : *`},
	{`process.name : *.exe`, `process.name : *.exe`},
	{`process.name : cmd*`, `process.name : cmd*`},
	{`f : *foo*bar*`, `f : *foo*bar*`},
	{`f : a**b`, `f : a*b`},
	{`user_agent.original : *S3 Browser*`, `user_agent.original : *S3 Browser*`},

	// escapes
	{`f : C\:\\Windows\\*`, `f : C\:\\Windows\\*`},
	{`file.path : C\:\\Windows\\System32\\*.dll`, `file.path : C\:\\Windows\\System32\\*.dll`},
	{`f : a\*b`, `f : a\*b`},
	{`f : \*`, `f : \*`},
	{`f : \(a\)`, `f : \(a\)`},
	{`f : a\<b\>c`, `f : a\<b\>c`},
	{`f : \{x\}`, `f : \{x\}`},
	{`f : \"x\"`, `f : \"x\"`},
	{`f : a\\b`, `f : a\\b`},
	{`f : tab\tsep`, `f : tab\tsep`},
	{`f : cr\rlf\n`, `f : cr\rlf`},
	{`f : \tfoo`, `f : foo`},
	{`f : foo\t*`, `f : foo\t*`},
	{`f : \u0041`, `f : A`},
	{`f : \u0028x\u0029`, `f : \(x\)`},
	{`url.full : https\://example.com/*`, `url.full : https\://example.com/*`},
	{`registry.path : HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\*`, `registry.path : HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\*`},
	{`source.ip : 2001\:db8\:\:1`, `source.ip : 2001\:db8\:\:1`},

	// keywords as values
	{`f : \and`, `f : and`},
	{`f : \or`, `f : or`},
	{`f : \not`, `f : ot`}, // Kibana reads "\n" first: a newline (trimmed) and "ot"
	{`f : \NOT`, `f : NOT`},
	{`f : \NOT and g : x`, `f : \NOT and g : x`},
	{`f : a \or b`, `f : a \or b`},
	{`f : a \and b`, `f : a \and b`},
	{`f : a \AND b`, `f : a \AND b`},
	{`f : \u006eot b`, `f : \u006eot b`},
	{`f : or`, `f : or`},
	{`f : and`, `f : and`},
	{`f : not`, `f : not`},
	{`f : \u006eot and g : x`, `f : \u006eot and g : x`},
	{`f : nothing`, `f : nothing`},
	{`f : knot`, `f : knot`},
	{`f : orange or android`, `f : orange or android`},
	{`f : nothing and note : x`, `f : nothing and note : x`},
	{`f : a or`, `f : a or`},
	{`f : a and`, `f : a and`},
	{`or : x`, `or : x`},
	{`and : x`, `and : x`},
	{`a : x or or : y`, `a : x or or : y`},
	{`a : x and and : y`, `a : x and and : y`},
	{`nothing : x`, `nothing : x`},
	{`notes : x`, `notes : x`},
	{`not not_a_field : x`, `not not_a_field : x`},
	{`f : (or or and)`, `f : (or or and)`},
	{`f : (a or or)`, `f : (a or or)`},
	{`f : (a \or or b)`, `f : (a \or or b)`},
	{`f : (\u006eot or b)`, `f : (\u006eot or b)`},

	// value lists
	{`f : (a or b)`, `f : (a or b)`},
	{`f:(a or b or c)`, `f : (a or b or c)`},
	{`f : (a OR b)`, `f : (a or b)`},
	{`f : (a Or b)`, `f : (a or b)`},
	{`f : (a and b)`, `f : (a and b)`},
	{`f : (a AND b)`, `f : (a and b)`},
	{`f : (a or b and c)`, `f : (a or b and c)`},
	{`f : ((a or b) and c)`, `f : ((a or b) and c)`},
	{`f : (a or (b or c))`, `f : (a or (b or c))`},
	{`f : ((a))`, `f : a`},
	{`f : (a)`, `f : a`},
	{`f : (not a)`, `f : (not a)`},
	{`f : (NOT a)`, `f : (not a)`},
	{`f : (a and not b)`, `f : (a and not b)`},
	{`f : (not (a or b))`, `f : (not (a or b))`},
	{`f : (not (not a))`, `f : (not (not a))`},
	{`f : (not (a))`, `f : (not a)`},
	{`f : ("a b" or c*)`, `f : ("a b" or c*)`},
	{`f : (a b or c d)`, `f : (a b or c d)`},
	{`f : ( a or b )`, `f : (a or b)`},
	{`f : (*.exe or *.dll)`, `f : (*.exe or *.dll)`},
	{`f : (a or not b and c)`, `f : (a or not b and c)`},
	{`f : (not a and not b)`, `f : (not a and not b)`},
	{`f : (a and (b or c) and not (d or e))`, `f : (a and (b or c) and not (d or e))`},
	{"f : (\n  a or\n  b\n)", `f : (a or b)`},

	// ranges
	{`destination.port > 1024`, `destination.port > 1024`},
	{`destination.port>1024`, `destination.port > 1024`},
	{`destination.port >= 1024`, `destination.port >= 1024`},
	{`destination.port < 1024`, `destination.port < 1024`},
	{`destination.port <= 1024`, `destination.port <= 1024`},
	{`destination.port>=1 and destination.port<=1023`, `destination.port >= 1 and destination.port <= 1023`},
	{`@timestamp > now-1d`, `@timestamp > now-1d`},
	{`@timestamp >= now-1d/d`, `@timestamp >= now-1d/d`},
	{`@timestamp < "2024-01-01T00:00:00Z"`, `@timestamp < "2024-01-01T00:00:00Z"`},
	{`@timestamp < 2024-01-01T00\:00\:00Z`, `@timestamp < 2024-01-01T00\:00\:00Z`},
	{`@timestamp >= 2024-01-01`, `@timestamp >= 2024-01-01`},
	{`source.ip >= 10.0.0.0 and source.ip <= 10.255.255.255`, `source.ip >= 10.0.0.0 and source.ip <= 10.255.255.255`},
	{`user.name > m`, `user.name > m`},
	{`f < =`, `f < =`},
	{`f<=-5`, `f <= -5`},
	{`f > 1.5e3`, `f > 1.5e3`},
	{`f >= "a b"`, `f >= "a b"`},
	{`NOT f > 5`, `not f > 5`},
	{`f > knot`, `f > knot`},

	// boolean structure
	{`a : 1 and b : 2`, `a : 1 and b : 2`},
	{`a : 1 AND b : 2`, `a : 1 and b : 2`},
	{`a : 1 or b : 2`, `a : 1 or b : 2`},
	{`a : 1 OR b : 2`, `a : 1 or b : 2`},
	{`a : 1 and b : 2 or c : 3`, `a : 1 and b : 2 or c : 3`},
	{`a : 1 or b : 2 and c : 3`, `a : 1 or b : 2 and c : 3`},
	{`(a : 1 or b : 2) and c : 3`, `(a : 1 or b : 2) and c : 3`},
	{`a : 1 and (b : 2 or c : 3)`, `a : 1 and (b : 2 or c : 3)`},
	{`((a : 1))`, `a : 1`},
	{`(a : 1 and b : 2)`, `a : 1 and b : 2`},
	{`(a : 1 and b : 2) and c : 3`, `(a : 1 and b : 2) and c : 3`},
	{`a : 1 or (b : 2 or c : 3)`, `a : 1 or (b : 2 or c : 3)`},
	{`not a : 1`, `not a : 1`},
	{`NOT a : 1`, `not a : 1`},
	{`Not a : 1`, `not a : 1`},
	{`not (a : 1 or b : 2)`, `not (a : 1 or b : 2)`},
	{`not (a : 1 and b : 2)`, `not (a : 1 and b : 2)`},
	{`not (not a : 1)`, `not (not a : 1)`},
	{`not a : 1 and not b : 2`, `not a : 1 and not b : 2`},
	{`not (a : 1) and b : 2`, `not a : 1 and b : 2`},
	{`a : 1 and not (b : 2 or not c : 3)`, `a : 1 and not (b : 2 or not c : 3)`},
	{`((((a : 1))))`, `a : 1`},
	{`(a : 1 or (b : 2 and (c : 3 or (d : 4 and e : 5))))`, `a : 1 or b : 2 and (c : 3 or d : 4 and e : 5)`},
	{"a : 1\nand\nb : 2", `a : 1 and b : 2`},
	{"a : 1\tor\tb : 2", `a : 1 or b : 2`},
	{`a:1 and b:2 and c:3 and d:4`, `a : 1 and b : 2 and c : 3 and d : 4`},
	{`a : 1 or b : 2 or c : 3`, `a : 1 or b : 2 or c : 3`},
	{`a:1  and  b:2`, `a : 1 and b : 2`},
	{`( a : 1 )`, `a : 1`},
	{`(a : 1) and b : 2`, `a : 1 and b : 2`},

	// nested fields
	{`user : { name : alice }`, `user : { name : alice }`},
	{`user:{name:alice and id:1}`, `user : { name : alice and id : 1 }`},
	{`user : { name : alice or not id : 1 }`, `user : { name : alice or not id : 1 }`},
	{`a : { b : { c : d } }`, `a : { b : { c : d } }`},
	{`not user : { name : alice }`, `not user : { name : alice }`},
	{`user : { name : (alice or bob) }`, `user : { name : (alice or bob) }`},
	{`user : { id > 5 }`, `user : { id > 5 }`},
	{`user : { (name : a or name : b) and id : 1 }`, `user : { (name : a or name : b) and id : 1 }`},
	{`threat.enrichments : { indicator.type : ipv4-addr and matched.field : source.ip }`, `threat.enrichments : { indicator.type : ipv4-addr and matched.field : source.ip }`},
	{`user : { name : k\u006eot }`, `user : { name : k\u006eot }`},

	// wildcard field names
	{`process.*.name : cmd.exe`, `process.*.name : cmd.exe`},
	{`*.ip : 1.2.3.4`, `*.ip : 1.2.3.4`},
	{`* : *`, `* : *`},
	{`* : foo`, `* : foo`},
	{`host.* : *`, `host.* : *`},
	{`process.parent.* : *powershell*`, `process.parent.* : *powershell*`},
	{`*.port > 1024`, `*.port > 1024`},

	// free text
	{`foo`, `foo`},
	{`"foo bar"`, `"foo bar"`},
	{`foo bar`, `foo bar`},
	{`foo or bar`, `foo or bar`},
	{`*`, `*`},
	{`foo*`, `foo*`},
	{`not foo`, `not foo`},

	// empty
	{``, ``},
	{`   `, ``},
	{"\n\t", ``},

	// realistic rule queries
	{`event.category:process and host.os.type:windows and process.name:(cmd.exe or powershell.exe) and not process.parent.name:explorer.exe`,
		`event.category : process and host.os.type : windows and process.name : (cmd.exe or powershell.exe) and not process.parent.name : explorer.exe`},
	{`event.category : network and destination.port : (22 or 3389) and not source.ip : (10.0.0.0/8 or 172.16.0.0/12 or 192.168.0.0/16)`,
		`event.category : network and destination.port : (22 or 3389) and not source.ip : (10.0.0.0/8 or 172.16.0.0/12 or 192.168.0.0/16)`},
	{`dns.question.name : *.onion and event.outcome : success`, `dns.question.name : *.onion and event.outcome : success`},
	{`file.path : "C:\\Users\\Public\\*"`, `file.path : "C:\\Users\\Public\\*"`},
	{`process.command_line : *-enc* and process.command_line : *powershell*`, `process.command_line : *-enc* and process.command_line : *powershell*`},
	{`powershell.file.script_block_text : ("Invoke-Mimikatz" or "Get-Keystrokes")`, `powershell.file.script_block_text : ("Invoke-Mimikatz" or "Get-Keystrokes")`},
	{`event.action : "Process Create (rule: ProcessCreate)"`, `event.action : "Process Create (rule: ProcessCreate)"`},
	{`winlog.event_data.TargetImage : ("C:\\Windows\\system32\\lsass.exe" or "c:\\Windows\\system32\\lsass.exe")`,
		`winlog.event_data.TargetImage : ("C:\\Windows\\system32\\lsass.exe" or "c:\\Windows\\system32\\lsass.exe")`},
	{"event.category:process and host.os.type:linux and\n  process.name:(bash or sh or zsh) and process.args:(-c or --command)\n",
		`event.category : process and host.os.type : linux and process.name : (bash or sh or zsh) and process.args : (-c or --command)`},
	{`event.dataset:okta.system and event.action:user.session.start and okta.outcome.result:FAILURE`,
		`event.dataset : okta.system and event.action : user.session.start and okta.outcome.result : FAILURE`},
	{`event.kind:alert and not (event.module:endpoint or event.module:(osquery or auditd))`,
		`event.kind : alert and not (event.module : endpoint or event.module : (osquery or auditd))`},
}

func TestParseCanonical(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range canonicalTests {
		if seen[tc.in] {
			t.Errorf("duplicate test query %q", tc.in)
		}
		seen[tc.in] = true
		q, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, detail(err))
			continue
		}
		if got := q.String(); got != tc.want {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", tc.in, got, tc.want)
		}
		if q.Src != tc.in {
			t.Errorf("Parse(%q).Src = %q", tc.in, q.Src)
		}
	}
	if len(seen) < 150 {
		t.Errorf("only %d distinct queries; want at least 150", len(seen))
	}
}

func detail(err error) string {
	var pe *source.Error
	if errors.As(err, &pe) {
		return pe.Detail()
	}
	return err.Error()
}

// checkRoundTrip asserts that the canonical form parses back to an equal
// tree and prints identically.
func checkRoundTrip(t *testing.T, src string) {
	t.Helper()
	q, err := Parse(src)
	if err != nil {
		t.Errorf("Parse(%q): %v", src, detail(err))
		return
	}
	if msg := checkLocs(src, q); msg != "" {
		t.Errorf("Parse(%q): %s", src, msg)
	}
	s := q.String()
	q2, err := Parse(s)
	if err != nil {
		t.Errorf("canonical form of %q does not parse: %q: %v", src, s, detail(err))
		return
	}
	if d1, d2 := dump(q.Root), dump(q2.Root); d1 != d2 {
		t.Errorf("round trip of %q changes the tree:\n  %s\n  %s (from %q)", src, d1, d2, s)
	}
	if s2 := q2.String(); s2 != s {
		t.Errorf("canonical form is not stable: %q -> %q", s, s2)
	}
	// Every node's own String() is a valid KQL fragment for the same tree.
	if q.Root != nil {
		q3, err := Parse(q.Root.String())
		if err != nil {
			t.Errorf("node String() of %q does not parse: %v", src, detail(err))
		} else if dump(q3.Root) != dump(q.Root) {
			t.Errorf("node String() of %q changes the tree", src)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range canonicalTests {
		checkRoundTrip(t, tc.in)
	}
	for _, l := range readQueries(t) {
		checkRoundTrip(t, l.query)
	}
}

// treeTests pin down the structure the parser builds.
var treeTests = []struct{ in, want string }{
	{`f : a`, `Is(U["f"], U["a"])`},
	{`f : "a"`, `Is(U["f"], Q"a")`},
	{`f : a*b`, `Is(U["f"], U["a" * "b"])`},
	{`f : a\*b`, `Is(U["f"], U["a*b"])`},
	{`f : "a*b"`, `Is(U["f"], Q"a*b")`},
	{`f : *`, `Is(U["f"], U[*])`},
	{`f : *a*`, `Is(U["f"], U[* "a" *])`},
	{`f : a b`, `Is(U["f"], U["a b"])`},
	{`f : \t a \t`, `Is(U["f"], U["a"])`},
	{`f : \u00e9`, `Is(U["f"], U["é"])`},
	{`f : \uD83D`, "Is(U[\"f\"], U[\"\uFFFD\"])"},
	{`f : (a or b)`, `Is(U["f"], VOr(U["a"], U["b"]))`},
	{`f : (a or b and not c)`, `Is(U["f"], VOr(U["a"], VAnd(U["b"], VNot(U["c"]))))`},
	{`a : 1 or b : 2 and not c : 3`, `Or(Is(U["a"], U["1"]), And(Is(U["b"], U["2"]), Not(Is(U["c"], U["3"]))))`},
	{`(a : 1 or b : 2) or c : 3`, `Or(Or(Is(U["a"], U["1"]), Is(U["b"], U["2"])), Is(U["c"], U["3"]))`},
	{`x > 5`, `Range(U["x"] > U["5"])`},
	{`x <= "5"`, `Range(U["x"] <= Q"5")`},
	{`p : { c : v }`, `Nested(U["p"], Is(U["c"], U["v"]))`},
	{`p.* : v`, `Is(U["p." *], U["v"])`},
	{`foo`, `Free(U["foo"])`},
	{`"foo bar"`, `Free(Q"foo bar")`},
	{`f : knot`, `Is(U["f"], U["knot"])`},
	{`f : \NOT`, `Is(U["f"], U["NOT"])`},
	{`f : a \or b`, `Is(U["f"], U["a or b"])`},
	{``, `<empty>`},
}

func TestParseTree(t *testing.T) {
	for _, tc := range treeTests {
		q, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, detail(err))
			continue
		}
		if got := dump(q.Root); got != tc.want {
			t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestPositions(t *testing.T) {
	src := "event.category : process and\n  (process.name : (a or \"b c\") or not user : { id > 5 })"
	q, err := Parse(src)
	if err != nil {
		t.Fatal(detail(err))
	}
	var got []string
	var visitValue func(v ValueExpr)
	visitValue = func(v ValueExpr) {
		l := v.Location()
		got = append(got, l.Start.String()+"-"+l.End.String()+" "+l.Text(src))
		switch x := v.(type) {
		case *ValueOr:
			for _, y := range x.X {
				visitValue(y)
			}
		}
	}
	Walk(q.Root, func(e Expr) bool {
		l := e.Location()
		got = append(got, l.Start.String()+"-"+l.End.String()+" "+l.Text(src))
		switch x := e.(type) {
		case *Is:
			fl := x.Field.Location()
			got = append(got, fl.Start.String()+"-"+fl.End.String()+" "+fl.Text(src))
			visitValue(x.Value)
		case *Range:
			vl := x.Value.Location()
			got = append(got, vl.Start.String()+"-"+vl.End.String()+" "+vl.Text(src))
		}
		return true
	})
	want := []string{
		"1:1-2:57 " + src,
		"1:1-1:25 event.category : process",
		"1:1-1:15 event.category",
		"1:18-1:25 process",
		"2:4-2:56 process.name : (a or \"b c\") or not user : { id > 5 }",
		"2:4-2:31 process.name : (a or \"b c\")",
		"2:4-2:16 process.name",
		"2:20-2:30 a or \"b c\"",
		"2:20-2:21 a",
		"2:25-2:30 \"b c\"",
		"2:35-2:56 not user : { id > 5 }",
		"2:39-2:56 user : { id > 5 }",
		"2:48-2:54 id > 5",
		"2:53-2:54 5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("positions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPositionsColumnsCountRunes(t *testing.T) {
	src := `user.name : José and x : y`
	q, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	and := q.Root.(*And)
	second := and.X[1].Location()
	if second.Start.Col != 22 || second.Start.Offset != 22 {
		t.Errorf("second operand at %+v, want col 22 offset 22", second.Start)
	}
}

var errorTests = []struct {
	in     string
	pos    string // line:col
	msg    string // substring of the message
	detail string // full Detail(), when given
}{
	{`process.name : `, "1:16", `expected a value after ":", found the end of the query`,
		"kql: 1:16: expected a value after \":\", found the end of the query\n  process.name : \n                 ^"},
	{`process.name : )`, "1:16", `unbalanced parenthesis: ")" has no matching "("`,
		"kql: 1:16: unbalanced parenthesis: \")\" has no matching \"(\"\n  process.name : )\n                 ^"},
	{`a : (b or c`, "1:5", `unbalanced parenthesis: this "(" is never closed`,
		"kql: 1:5: unbalanced parenthesis: this \"(\" is never closed\n  a : (b or c\n      ^"},
	{`(a : b`, "1:1", `unbalanced parenthesis`, ""},
	{`a : b)`, "1:6", `unbalanced parenthesis`, ""},
	{`a : { b : c`, "1:5", `unbalanced brace: this "{" is never closed`, ""},
	{`a : { b : c )`, "1:13", `expected "}" to close the "{" at 1:5, found ")"`, ""},
	{`(a : b }`, "1:8", `expected ")" to close the "(" at 1:1, found "}"`, ""},
	{`a : b }`, "1:7", `unbalanced brace: "}" has no matching "{"`, ""},
	{`a : "unterminated`, "1:5", `unterminated quoted string`,
		"kql: 1:5: unterminated quoted string: add the closing \"\n  a : \"unterminated\n      ^"},
	{`a : b\x`, "1:6", `invalid escape "\\x"`, ""},
	{`a : b\ c`, "1:6", `invalid escape of whitespace`, ""},
	{`a : b\`, "1:6", `escapes nothing`, ""},
	{`a : \u12`, "1:5", `\u must be followed by 4 hexadecimal digits`, ""},
	{`a : b and`, "", "", ""}, // valid: the value is "b and"
	{`a : b and `, "1:11", `expected a query after "and", found the end of the query`, ""},
	{`f : not and g : x`, "1:5", `"not" before a value must be inside parentheses`, ""},
	{`user : { name : knot }`, "1:18", `found "not"`, ""},
	{`a : b and not `, "1:15", `expected a query after "not", found the end of the query`, ""},
	{"a : b or\n  (", "2:3", `unbalanced parenthesis`, ""},
	{`a : b or ()`, "1:11", `expected a query after "(", found ")"`, ""},
	{`a : ()`, "1:6", `expected a value after "(", found ")"`, ""},
	{`a : (b or )`, "1:11", `expected a value after "or", found ")"`, ""},
	{`a : (b and )`, "1:12", `expected a value after "and", found ")"`, ""},
	{`a : b or or `, "", "", ""}, // valid: "a : b" or the free text "or"
	{`a : > 5`, "1:5", `expected a value after ":", found ">"`, ""},
	{`a > `, "1:5", `expected a value after ">", found the end of the query`, ""},
	{`a >= (5)`, "1:6", `expected a value after ">=", found "("`, ""},
	{`a : not b`, "1:5", `"not" before a value must be inside parentheses`, ""},
	{`not(a : b)`, "1:4", `"not" must be followed by whitespace`, ""},
	{`a : b or(c : d)`, "1:9", `"or" must be followed by whitespace`, ""},
	{`(a : b)or(c : d)`, "1:8", `"or" must be surrounded by whitespace`, ""},
	{`(a : b)and (c : d)`, "1:8", `"and" must be surrounded by whitespace`, ""},
	{`a : b c : d`, "1:9", `unexpected ":": join conditions with "and" or "or"`,
		"kql: 1:9: unexpected \":\": join conditions with \"and\" or \"or\", and escape a \":\" inside a value as \\: (or quote the value)\n  a : b c : d\n          ^"},
	{`a : b : c`, "1:7", `unexpected ":"`, ""},
	{`a : cannot b`, "1:8", `found "not"`, ""},
	{`a : b "c"`, "1:7", `expected "and", "or" or the end of the query, found "\"c\""`, ""},
	{`(a : b "c")`, "1:8", `expected "and", "or" or ")", found "\"c\""`, ""},
	{`a < b < c`, "1:7", `unexpected "<"`, ""},
	{`a : b {`, "1:7", `unbalanced brace`, ""},
	{`a : b { c : d }`, "1:7", `unexpected "{": a nested query is written parent : { child : value }`, ""},
	{`a : { }`, "1:7", `expected a query after "{", found "}"`, ""},
	{`a : ({ b })`, "1:6", `expected a value after "(", found "{"`, ""},
	{`not not a : b`, "1:5", `"not" cannot follow "not"`, ""},
	{`a : (not not b)`, "1:10", `"not" cannot follow "not"`, ""},
	{`a : \t`, "1:5", `empty value`, ""},
	{`\t : a`, "1:1", `empty field name`, ""},
	{`a : b and or`, "", "", ""},
	{`: a`, "1:1", `expected a query, found ":"`, ""},
	{`and`, "", "", ""},
	{"a : b\n  and c : (d or\n  )", "3:3", `expected a value after "or", found ")"`,
		"kql: 3:3: expected a value after \"or\", found \")\"\n    )\n    ^"},
	{"a :\tb\tc : d", "1:9", `unexpected ":"`, "kql: 1:9: unexpected \":\": join conditions with \"and\" or \"or\", and escape a \":\" inside a value as \\: (or quote the value)\n  a :    b    c : d\n  " + strings.Repeat(" ", 14) + "^"},
	{`é : "x" y`, "1:9", `found "y"`, ""},
	{"\xff\xfe : \"x\" y", "1:10", `found "y"`, ""},
	{strings.Repeat("(", maxDepth+1) + "a : b" + strings.Repeat(")", maxDepth+1), "1:1001", `nested deeper than`, ""},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range errorTests {
		q, err := Parse(tc.in)
		if tc.pos == "" {
			if err != nil {
				t.Errorf("Parse(%q): unexpected error %v", tc.in, detail(err))
			} else {
				checkRoundTrip(t, tc.in)
			}
			continue
		}
		if err == nil {
			t.Errorf("Parse(%q) = %s; want an error", tc.in, q)
			continue
		}
		var pe *source.Error
		if !errors.As(err, &pe) {
			t.Errorf("Parse(%q): error %T, want *source.Error", tc.in, err)
			continue
		}
		if pe.Lang != "kql" {
			t.Errorf("Parse(%q): Lang %q", tc.in, pe.Lang)
		}
		if pe.Pos.String() != tc.pos {
			t.Errorf("Parse(%q): error at %s, want %s: %s", tc.in, pe.Pos, tc.pos, pe.Msg)
		}
		if !strings.Contains(pe.Msg, tc.msg) {
			t.Errorf("Parse(%q): message %q, want it to contain %q", tc.in, pe.Msg, tc.msg)
		}
		if pe.Pos.Offset != source.PosAt(tc.in, pe.Pos.Offset).Offset || source.PosAt(tc.in, pe.Pos.Offset) != pe.Pos {
			t.Errorf("Parse(%q): inconsistent position %+v", tc.in, pe.Pos)
		}
		if tc.detail != "" && pe.Detail() != tc.detail {
			t.Errorf("Parse(%q).Detail():\n%s\nwant:\n%s", tc.in, pe.Detail(), tc.detail)
		}
	}
}

func TestParseDeepNesting(t *testing.T) {
	n := maxDepth
	src := strings.Repeat("(", n) + "a : b" + strings.Repeat(")", n)
	q, err := Parse(src)
	if err != nil {
		t.Fatal(detail(err))
	}
	if q.String() != "a : b" {
		t.Errorf("got %s", q)
	}
	src = "f : " + strings.Repeat("(not ", 200) + "x" + strings.Repeat(")", 200)
	checkRoundTrip(t, src)
}

func TestWalkAndFields(t *testing.T) {
	q, err := Parse(`a : 1 and not (b > 2 or p : { c : x and d.* : y }) or a : 3`)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(q.Fields(), ",")
	if got != "a,b,p.c,p.d.*" {
		t.Errorf("Fields() = %s", got)
	}
	n := 0
	Walk(q.Root, func(e Expr) bool {
		n++
		_, isNot := e.(*Not)
		return !isNot // do not descend into the not
	})
	if n != 5 { // Or, And, Is a:1, Not, Is a:3
		t.Errorf("Walk visited %d nodes, want 5", n)
	}
}

func TestLexerDefinition(t *testing.T) {
	// The participle lexer definition lexes like Parse's scanner.
	src := `a : (b or "c") and not d >= 5`
	want, perr := scan(src)
	if perr != nil {
		t.Fatal(perr)
	}
	for _, lex := range []func() (lexer.Lexer, error){
		func() (lexer.Lexer, error) { return lexDef.LexString("", src) },
		func() (lexer.Lexer, error) { return lexDef.Lex("", strings.NewReader(src)) },
	} {
		l, err := lex()
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i <= len(want); i++ {
			tok, err := l.Next()
			if err != nil {
				t.Fatal(err)
			}
			w := want[min(i, len(want)-1)] // EOF repeats
			if tok.Type != w.Type || tok.Value != w.Value || tok.Pos != w.Pos {
				t.Fatalf("token %d: got %#v, want %#v", i, tok, w)
			}
		}
	}
	if _, err := lexDef.LexString("", `a : "x`); err == nil {
		t.Error("no error for an unterminated string")
	}
	if len(lexDef.Symbols()) != 12 {
		t.Error("symbols")
	}
}
