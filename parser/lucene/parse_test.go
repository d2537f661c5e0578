package lucene

import (
	"math"
	"strings"
	"testing"
)

// parseTests maps queries to their canonical String() and, where given,
// their tree as dump renders it.
var parseTests = []struct{ in, want, tree string }{
	// field:value
	{`process.name:cmd.exe`, `process.name:cmd.exe`, `Bool(Term("process.name" "cmd.exe"))`},
	{`process.name : cmd.exe`, `process.name:cmd.exe`, ``},
	{"f\n:\nx", `f:x`, ``},
	{"f:\u3000x", `f:x`, ``},
	{`@timestamp:2024`, `@timestamp:2024`, ``},
	{`user.name:José`, `user.name:José`, ``},
	{`event.code:4624`, `event.code:4624`, ``},
	{`f:\-1.5e3`, `f:\-1.5e3`, `Bool(Term("f" "-1.5e3"))`},
	{`f:a-b_c.d@e,g;h=i<j>k&l|m`, `f:a-b_c.d@e,g;h=i<j>k&l|m`, `Bool(Term("f" "a-b_c.d@e,g;h=i<j>k&l|m"))`},
	{`f:g+s`, `f:g+s`, `Bool(Term("f" "g+s"))`},
	{`source.ip:10.0.0.0\/8`, `source.ip:10.0.0.0\/8`, `Bool(Term("source.ip" "10.0.0.0/8"))`},
	{`f:TO`, `f:TO`, ``},
	{`f:and`, `f:and`, `Bool(Term("f" "and"))`},
	{`f:OR1`, `f:OR1`, ``},
	{`_exists_:user.name`, `_exists_:user.name`, `Bool(Term("_exists_" "user.name"))`},
	{`_exists_:"user.name"`, `_exists_:"user.name"`, `Bool(Phrase("_exists_" "user.name"))`},
	{`_exists_:process.\*`, `_exists_:process.\*`, `Bool(Term("_exists_" "process.*"))`},
	{`_exists_:>x`, `_exists_:>x`, `Bool(Term("_exists_" ">x"))`},
	{`process.\*:x`, `process.\*:x`, `Bool(Term("process.*" "x"))`},
	{`process.\*.name:x`, `process.\*.name:x`, ``},
	{`*:x`, `*:x`, `Bool(Term("*" "x"))`},
	{`\*:x`, `*:x`, `Bool(Term("*" "x"))`},
	{`a\:b:c`, `a\:b:c`, `Bool(Term("a:b" "c"))`},
	{`\+f:x`, `\+f:x`, `Bool(Term("+f" "x"))`},
	{`\AND:x`, `\AND:x`, `Bool(Term("AND" "x"))`},

	// escapes
	{`f:a\ b`, `f:a\ b`, `Bool(Term("f" "a b"))`},
	{`f:C\:\\Windows\\System32`, `f:C\:\\Windows\\System32`, `Bool(Term("f" "C:\\Windows\\System32"))`},
	{`f:\(a\)\[b\]\{c\}`, `f:\(a\)\[b\]\{c\}`, `Bool(Term("f" "(a)[b]{c}"))`},
	{`f:\"a\"`, `f:\"a\"`, `Bool(Term("f" "\"a\""))`},
	{`f:a\~b\^c`, `f:a\~b\^c`, `Bool(Term("f" "a~b^c"))`},
	{`f:\!a`, `f:\!a`, `Bool(Term("f" "!a"))`},
	{`f:\-a`, `f:\-a`, `Bool(Term("f" "-a"))`},
	{`f:a\-b`, `f:a-b`, ``},
	{`f:\AND`, `f:\AND`, `Bool(Term("f" "AND"))`},
	{`f:\&&`, `f:\&&`, `Bool(Term("f" "&&"))`},
	{`f:\NOT`, `f:\NOT`, ``},
	{`f:a\tb`, `f:atb`, `Bool(Term("f" "atb"))`},
	{`f:\u0041BC`, `f:ABC`, `Bool(Term("f" "ABC"))`},
	{`f:\u005C`, `f:\\`, `Bool(Term("f" "\\"))`},
	{`f:\uD83D\uDE00`, `f:😀`, `Bool(Term("f" "😀"))`},
	{`f:\uD83D`, `f:` + "\uFFFD", ``},
	{`f:a\u3000b`, "f:a\\\u3000b", `Bool(Term("f" "a\u3000b"))`},
	{"f:a\\\nb", "f:a\\\nb", `Bool(Term("f" "a\nb"))`},
	{`f:\é`, `f:é`, ``},
	// every reserved character of the query_string documentation, escaped
	{`f:\+\-\=\&\&\|\|\>\<\!\(\)\{\}\[\]\^\"\~\*\?\:\\\/`, `f:\+-=&&||><\!\(\)\{\}\[\]\^\"\~\*\?\:\\\/`, `Bool(Term("f" "+-=&&||><!(){}[]^\"~*?:\\/"))`},

	// multi-terms: whitespace is no operator
	{`a b`, `a b`, `Bool(Term(_ "a" "b"))`},
	{`f:(a b c)`, `f:(a b c)`, `Bool(Group("f", Bool(Term(_ "a" "b" "c"))))`},
	{`f:(start or process_started)`, `f:(start or process_started)`, `Bool(Group("f", Bool(Term(_ "start" "or" "process_started"))))`},
	{`a b AND c`, `a b AND c`, `Bool(Term(_ "a"), Term(_ "b"), AND Term(_ "c"))`},
	{`a b c AND d`, `a b c AND d`, `Bool(Term(_ "a" "b"), Term(_ "c"), AND Term(_ "d"))`},
	{`a b c:d`, `a b c:d`, `Bool(Term(_ "a" "b"), Term("c" "d"))`},
	{`a b~`, `a b~`, `Bool(Term(_ "a"), Term(_ "b" ~))`},
	{`a b^2`, `a b^2`, `Bool(Term(_ "a"), Term(_ "b" ^2))`},
	{`a b *`, `a b *`, `Bool(Term(_ "a"), Term(_ "b"), Wild(_ [*]))`},
	{`a b \*:c`, `a b \*:c`, `Bool(Term(_ "a" "b"), Term("*" "c"))`},
	{`a b\ c`, `a b\ c`, `Bool(Term(_ "a" "b c"))`},
	{`f:a b`, `f:a b`, `Bool(Term("f" "a"), Term(_ "b"))`},
	{`+a b c`, `+a b c`, `Bool(+Term(_ "a"), Term(_ "b" "c"))`},
	{`a "b" c d`, `a "b" c d`, `Bool(Term(_ "a"), Phrase(_ "b"), Term(_ "c" "d"))`},
	{`a b* c`, `a b* c`, `Bool(Term(_ "a"), Wild(_ ["b" *]), Term(_ "c"))`},
	{"a\n\tb", `a b`, `Bool(Term(_ "a" "b"))`},

	// bare operators: "+", "-" and "!" before whitespace are terms
	{`+ a`, `+ a`, `Bool(Term(_ "+"), Term(_ "a"))`},
	{`a - b`, `a - b`, `Bool(Term(_ "a"), Term(_ "-"), Term(_ "b"))`},
	{`! a`, `! a`, `Bool(Term(_ "!"), Term(_ "a"))`},
	{`\+ a`, `\+ a`, `Bool(Term(_ "+" "a"))`},
	{`f:\+`, `f:\+`, `Bool(Term("f" "+"))`},
	{`+ ^2`, `+ ^2`, `Bool(Term(_ "+" ^2))`},
	{`\ !0`, `\  NOT 0`, `Bool(Term(_ " "), NOT Term(_ "0"))`},
	{`a&&b`, `a&&b`, `Bool(Term(_ "a&&b"))`},
	{`f:&&x`, `f:&&x`, `Bool(Term("f" "&&x"))`},
	{`a!b`, `a NOT b`, `Bool(Term(_ "a"), NOT Term(_ "b"))`},

	// boolean operators and modifiers
	{`a:1 AND b:2`, `a:1 AND b:2`, `Bool(Term("a" "1"), AND Term("b" "2"))`},
	{`a:1 && b:2`, `a:1 AND b:2`, ``},
	{`a:1 OR b:2`, `a:1 OR b:2`, `Bool(Term("a" "1"), OR Term("b" "2"))`},
	{`a:1 || b:2`, `a:1 OR b:2`, ``},
	{`a:1 AND b:2 OR c:3`, `a:1 AND b:2 OR c:3`, ``},
	{`NOT a:1`, `NOT a:1`, `Bool(NOT Term("a" "1"))`},
	{`!a:1`, `NOT a:1`, `Bool(NOT Term("a" "1"))`},
	{`-a:1`, `-a:1`, `Bool(-Term("a" "1"))`},
	{`+a:1`, `+a:1`, `Bool(+Term("a" "1"))`},
	{`+a:1 -b:2 c:3`, `+a:1 -b:2 c:3`, `Bool(+Term("a" "1"), -Term("b" "2"), Term("c" "3"))`},
	{`a:1 AND NOT b:2`, `a:1 AND NOT b:2`, `Bool(Term("a" "1"), AND NOT Term("b" "2"))`},
	{`a:1 AND -b:2`, `a:1 AND -b:2`, ``},
	{`a:1 OR NOT b:2`, `a:1 OR NOT b:2`, ``},
	{`a:1 AND +b:2`, `a:1 AND +b:2`, ``},
	{`a:1 AND(b:2)`, `a:1 AND (b:2)`, ``},
	{`NOT(a:1)`, `NOT (a:1)`, ``},
	{`and:x or:y not:z`, `and:x or:y not:z`, `Bool(Term("and" "x"), Term("or" "y"), Term("not" "z"))`},
	{"a:1\nAND\nb:2", `a:1 AND b:2`, ``},

	// groups
	{`f:(a OR b)`, `f:(a OR b)`, `Bool(Group("f", Bool(Term(_ "a"), OR Term(_ "b"))))`},
	{`f:( a OR b )`, `f:(a OR b)`, ``},
	{`f:(a AND b)`, `f:(a AND b)`, ``},
	{`f:(a OR (b AND c))`, `f:(a OR (b AND c))`, `Bool(Group("f", Bool(Term(_ "a"), OR Group(_, Bool(Term(_ "b"), AND Term(_ "c"))))))`},
	{`f:(a OR g:b)`, `f:(a OR g:b)`, `Bool(Group("f", Bool(Term(_ "a"), OR Term("g" "b"))))`},
	{`f:(-a)`, `f:(-a)`, `Bool(Group("f", Bool(-Term(_ "a"))))`},
	{`(a:1 OR b:2) AND c:3`, `(a:1 OR b:2) AND c:3`, ``},
	{`((a:1))`, `((a:1))`, `Bool(Group(_, Bool(Group(_, Bool(Term("a" "1"))))))`},
	{`(a:1 OR b:2)^2`, `(a:1 OR b:2)^2`, `Bool(Group(_, Bool(Term("a" "1"), OR Term("b" "2")) ^2))`},
	{`f:(a OR b)^1.5`, `f:(a OR b)^1.5`, ``},
	{`-(a:1 AND -b:2)`, `-(a:1 AND -b:2)`, ``},
	{`*:(x OR y)`, `*:(x OR y)`, ``},
	{`_exists_:(a OR b)`, `_exists_:(a OR b)`, ``},
	{"f:(\n  a OR\n  b\n)", `f:(a OR b)`, ``},

	// phrases
	{`f:"a b"`, `f:"a b"`, `Bool(Phrase("f" "a b"))`},
	{`f:"a \"b\" c"`, `f:"a \"b\" c"`, `Bool(Phrase("f" "a \"b\" c"))`},
	{`f:"C:\\Windows\\*"`, `f:"C:\\Windows\\*"`, `Bool(Phrase("f" "C:\\Windows\\*"))`},
	{`f:"C:\Windows"`, `f:"C:Windows"`, `Bool(Phrase("f" "C:Windows"))`},
	{`f:"\u0041"`, `f:"A"`, ``},
	{`f:""`, `f:""`, `Bool(Phrase("f" ""))`},
	{"f:\"a\nb\"", "f:\"a\nb\"", ``},
	{`f:"a/b"`, `f:"a/b"`, ``},
	{`f:"(a OR b)"`, `f:"(a OR b)"`, ``},
	{`f:"a b"~2`, `f:"a b"~2`, `Bool(Phrase("f" "a b" ~2))`},
	{`f:"a b"~`, `f:"a b"~`, ``},
	{`f:"a b" ~2`, `f:"a b"~2`, ``},
	{`f:"a"^2~3`, `f:"a"~3^2`, `Bool(Phrase("f" "a" ~3 ^2))`},
	{`f:"a"~abc`, `f:"a"~abc`, ``},
	{`"a b"`, `"a b"`, `Bool(Phrase(_ "a b"))`},

	// wildcards
	{`f:*`, `f:*`, `Bool(Wild("f" [*]))`},
	{`f:*.exe`, `f:*.exe`, `Bool(Wild("f" [* ".exe"]))`},
	{`f:cmd*`, `f:cmd*`, `Bool(Wild("f" ["cmd" *]))`},
	{`f:c?d`, `f:c?d`, `Bool(Wild("f" ["c" ? "d"]))`},
	{`f:?`, `f:?`, `Bool(Wild("f" [?]))`},
	{`f:a*b*c`, `f:a*b*c`, `Bool(Wild("f" ["a" * "b" * "c"]))`},
	{`f:**`, `f:**`, `Bool(Wild("f" [* *]))`},
	{`f:\*`, `f:\*`, `Bool(Term("f" "*"))`},
	{`f:a\*b`, `f:a\*b`, `Bool(Term("f" "a*b"))`},
	{`f:a\*b*`, `f:a\*b*`, `Bool(Wild("f" ["a*b" *]))`},
	{`f:\u0041*`, `f:A*`, `Bool(Wild("f" ["A" *]))`},
	{`f:*\u0041`, `f:*u0041`, `Bool(Wild("f" [* "u0041"]))`},
	{`f:C\:\\Windows\\*.dll`, `f:C\:\\Windows\\*.dll`, `Bool(Wild("f" ["C:\\Windows\\" * ".dll"]))`},
	{`f:AND*`, `f:AND*`, `Bool(Wild("f" ["AND" *]))`},
	{`f:*-a`, `f:*-a`, ``},
	{`f:\-*`, `f:\-*`, `Bool(Wild("f" ["-" *]))`},
	{`f:cmd*~2^3`, `f:cmd*~2^3`, `Bool(Wild("f" ["cmd" *] ~2 ^3))`},
	{`*:*`, `*:*`, `Bool(Wild("*" [*]))`},
	{`*`, `*`, `Bool(Wild(_ [*]))`},
	{`f:*foo*bar*`, `f:*foo*bar*`, ``},

	// regular expressions
	{`f:/ab+c/`, `f:/ab+c/`, `Bool(Regexp("f" "ab+c"))`},
	{`f:/a\/b/`, `f:/a\/b/`, `Bool(Regexp("f" "a\\/b"))`},
	{`f://`, `f://`, `Bool(Regexp("f" ""))`},
	{`f:/[0-9]{1,3}.[0-9]{1,3}/`, `f:/[0-9]{1,3}.[0-9]{1,3}/`, ``},
	{`f:/a b/`, `f:/a b/`, `Bool(Regexp("f" "a b"))`},
	{"f:/a\nb/", "f:/a\nb/", ``},
	{`f:/a/^2`, `f:/a/^2`, `Bool(Regexp("f" "a" ^2))`},
	{`f:/a\\/ OR g:b`, `f:/a\\/ OR g:b`, `Bool(Regexp("f" "a\\\\"), OR Term("g" "b"))`},
	{`f:(/a/ OR /b/)`, `f:(/a/ OR /b/)`, `Bool(Group("f", Bool(Regexp(_ "a"), OR Regexp(_ "b"))))`},

	// a regular expression that ends with a backslash could be extended by
	// any later "/": the canonical form writes them \u002F
	{`f:/a\\/ g:\u002F`, `f:/a\\/ g:\u002F`, `Bool(Regexp("f" "a\\\\"), Term("g" "/"))`},
	{`f:/a\\/ g:"\u002F"`, `f:/a\\/ g:"\u002F"`, `Bool(Regexp("f" "a\\\\"), Phrase("g" "/"))`},
	{`f:/a\\/ g:[\u002F TO b]`, `f:/a\\/ g:[\u002F TO b]`, ``},
	{`f:/a\\/ \u002F:x`, `f:/a\\/ \u002F:x`, `Bool(Regexp("f" "a\\\\"), Term("/" "x"))`},
	{`f:/a\\/ g:\u002F*`, `f:/a\\/ g:\u002F*`, `Bool(Regexp("f" "a\\\\"), Wild("g" ["/" *]))`},

	// ranges
	{`f:[1 TO 5]`, `f:[1 TO 5]`, `Bool(Range("f" ["1" "5"]))`},
	{`f:{1 TO 5}`, `f:{1 TO 5}`, `Bool(Range("f" {"1" "5"}))`},
	{`f:[1 TO 5}`, `f:[1 TO 5}`, `Bool(Range("f" ["1" "5"}))`},
	{`f:{1 TO 5]`, `f:{1 TO 5]`, ``},
	{`f:[* TO 5]`, `f:[* TO 5]`, `Bool(Range("f" ["*" "5"]))`},
	{`f:[* TO *]`, `f:[* TO *]`, ``},
	{`f:["*" TO 5]`, `f:[* TO 5]`, `Bool(Range("f" ["*" "5"]))`},
	{`f:["a b" TO "c d"]`, `f:["a b" TO "c d"]`, `Bool(Range("f" ["a b" "c d"]))`},
	{`f:["a]" TO b]`, `f:["a]" TO b]`, `Bool(Range("f" ["a]" "b"]))`},
	{`f:[TO TO TO]`, `f:[TO TO TO]`, `Bool(Range("f" ["TO" "TO"]))`},
	{`f:[a\\b TO c]`, `f:[a\\b TO c]`, `Bool(Range("f" ["a\\b" "c"]))`},
	{`f:[a\u0020b TO c]`, `f:["a b" TO c]`, `Bool(Range("f" ["a b" "c"]))`},
	{`f:["a\"b" TO c]`, `f:[a\"b TO c]`, `Bool(Range("f" ["a\"b" "c"]))`},
	{`f:["a" TO c]`, `f:[a TO c]`, ``},
	{`f:["ab"x TO c]`, `f:[\"ab\"x TO c]`, `Bool(Range("f" ["\"ab\"x" "c"]))`},
	{`f:[[a TO b]`, `f:[[a TO b]`, `Bool(Range("f" ["[a" "b"]))`},
	{`f:[a:b TO c(d]`, `f:[a:b TO c(d]`, ``},
	{"f:[\ta TO b]", `f:[\u0009a TO b]`, `Bool(Range("f" ["\ta" "b"]))`},
	{"f:[\t a TO b]", `f:[a TO b]`, ``},
	{`f:[1 TO 5]^2`, `f:[1 TO 5]^2`, `Bool(Range("f" ["1" "5"] ^2))`},
	{`@timestamp:[now-1d/d TO now]`, `@timestamp:[now-1d/d TO now]`, ``},
	{`source.ip:[10.0.0.0 TO 10.255.255.255]`, `source.ip:[10.0.0.0 TO 10.255.255.255]`, ``},
	{`f:[ 1  TO  5 ]`, `f:[1 TO 5]`, ``},

	// one-sided ranges
	{`f:>5`, `f:>5`, `Bool(Cmp("f" > "5"))`},
	{`f:>=5`, `f:>=5`, `Bool(Cmp("f" >= "5"))`},
	{`f:<5`, `f:<5`, `Bool(Cmp("f" < "5"))`},
	{`f:<=5`, `f:<=5`, `Bool(Cmp("f" <= "5"))`},
	{`f:>=`, `f:>=`, `Bool(Cmp("f" > "="))`},
	{`f:<=`, `f:<=`, `Bool(Cmp("f" < "="))`},
	{`f:>`, `f:>`, `Bool(Term("f" ">"))`},
	{`f:\>5`, `f:>5`, `Bool(Cmp("f" > "5"))`},
	{`f:>5~`, `f:>5~`, `Bool(Term("f" ">5" ~))`},
	{`f:>5^2`, `f:>5^2`, `Bool(Cmp("f" > "5" ^2))`},
	{`f:(>5 x)`, `f:(>5\ x)`, `Bool(Group("f", Bool(Cmp(_ > "5 x"))))`},
	{`f:>=-5`, `f:>=-5`, `Bool(Cmp("f" >= "-5"))`},
	{`@timestamp:>=now-1d`, `@timestamp:>=now-1d`, ``},
	{`@timestamp:<2024-01-01T00\:00\:00Z`, `@timestamp:<2024-01-01T00\:00\:00Z`, `Bool(Cmp("@timestamp" < "2024-01-01T00:00:00Z"))`},
	{`>5`, `>5`, `Bool(Cmp(_ > "5"))`},

	// fuzziness and boosts
	{`f:a~`, `f:a~`, `Bool(Term("f" "a" ~))`},
	{`f:abc~2`, `f:abc~2`, `Bool(Term("f" "abc" ~2))`},
	{`f:abc~0`, `f:abc~0`, ``},
	{`f:abc~1.0`, `f:abc~1.0`, ``},
	{`f:abc~AUTO`, `f:abc~AUTO`, ``},
	{`f:abc ~1`, `f:abc~1`, ``},
	{`f:a^2`, `f:a^2`, `Bool(Term("f" "a" ^2))`},
	{`f:a^2~1`, `f:a~1^2`, `Bool(Term("f" "a" ~1 ^2))`},
	{`f:a^0.5`, `f:a^0.5`, ``},
	{`f:a^2.x`, `f:a^2 .x`, `Bool(Term("f" "a" ^2), Term(_ ".x"))`},

	// empty
	{``, ``, `<empty>`},
	{"  \t\n\u3000", ``, `<empty>`},

	// rule queries of the shared rulesets
	{`event.category:(network OR network_traffic) AND type:(tls OR http) AND network.transport:tcp AND destination.domain:/[a-z]{3}.stage.[0-9]{8}\..*/`,
		`event.category:(network OR network_traffic) AND type:(tls OR http) AND network.transport:tcp AND destination.domain:/[a-z]{3}.stage.[0-9]{8}\..*/`, ``},
	{`event.category:network_traffic AND network.protocol:http AND status:OK AND NOT http.response.headers.content-type:"image/x-icon" AND NOT _exists_:http.request.headers.authorization`,
		`event.category:network_traffic AND network.protocol:http AND status:OK AND NOT http.response.headers.content-type:"image/x-icon" AND NOT _exists_:http.request.headers.authorization`, ``},
	{"process.args:(\"+s\" OR \"u+s\" OR /4[0-9]{3}/ OR g+s OR /2[0-9]{3}/) AND\n NOT process.args:\n  (\n   /.*\\/Applications\\/VirtualBox.app\\/.+/ OR\n   \\/Users\\/*\\/.minikube\\/bin\\/docker-machine-driver-hyperkit\n  )",
		`process.args:("+s" OR "u+s" OR /4[0-9]{3}/ OR g+s OR /2[0-9]{3}/) AND NOT process.args:(/.*\/Applications\/VirtualBox.app\/.+/ OR \/Users\/*\/.minikube\/bin\/docker-machine-driver-hyperkit)`, ``},
	{`url.full:/http:\/\/[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}\/cd/ AND destination.port:(53 OR 80 OR 8080 OR 443)`,
		`url.full:/http:\/\/[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}.[0-9]{1,3}\/cd/ AND destination.port:(53 OR 80 OR 8080 OR 443)`, ``},
}

func TestParse(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range parseTests {
		if seen[tc.in] {
			t.Errorf("duplicate test query %q", tc.in)
		}
		seen[tc.in] = true
		q, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %s", tc.in, detail(err))
			continue
		}
		if got := q.String(); got != tc.want {
			t.Errorf("Parse(%q).String()\n got %s\nwant %s", tc.in, got, tc.want)
		}
		if tc.tree != "" {
			if got := dump(q.Root); got != tc.tree {
				t.Errorf("Parse(%q) tree\n got %s\nwant %s", tc.in, got, tc.tree)
			}
		}
		if msg := roundTrip(tc.in, q); msg != "" {
			t.Errorf("Parse(%q): %s", tc.in, msg)
		}
	}
}

// TestCanonicalIsFixedPoint: the canonical forms are themselves canonical.
func TestCanonicalIsFixedPoint(t *testing.T) {
	for _, tc := range parseTests {
		if tc.want == "" {
			continue
		}
		q := mustParse(t, tc.want)
		if got := q.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q", tc.want, got)
		}
	}
}

func TestLocations(t *testing.T) {
	src := "f:a AND\n  -g:(x OR \"y z\") OR h:[1 TO 5]^2"
	q := mustParse(t, src)
	cs := q.Root.Clauses
	for i, want := range []string{`f:a`, `-g:(x OR "y z")`, `h:[1 TO 5]^2`} {
		if got := cs[i].Loc.Text(src); got != want {
			t.Errorf("clause %d: %q, want %q", i, got, want)
		}
	}
	if got := cs[1].Node.Location().Text(src); got != `g:(x OR "y z")` {
		t.Errorf("node: %q", got)
	}
	if got := cs[1].Node.Location().Start.String(); got != "2:4" {
		t.Errorf("node starts at %s", got)
	}
	g := cs[1].Node.(*Group)
	if got := g.Query.Clauses[1].Loc.Text(src); got != `"y z"` {
		t.Errorf("inner clause %q", got)
	}
	if got := g.Field.Loc.Text(src); got != "g" {
		t.Errorf("field %q", got)
	}
	r := cs[2].Node.(*Range)
	if r.Lower.Loc.Text(src) != "1" || r.Upper.Loc.Text(src) != "5" {
		t.Errorf("bounds %q %q", r.Lower.Loc.Text(src), r.Upper.Loc.Text(src))
	}
	if got := q.Root.Loc.Text(src); got != strings.TrimSpace(src) {
		t.Errorf("root %q", got)
	}
	// A multi-term spans its words; a bare operator term leaves its
	// whitespace out.
	src = "x:(a  b\tc) + d"
	q = mustParse(t, src)
	inner := q.Root.Clauses[0].Node.(*Group).Query.Clauses[0]
	if got := inner.Loc.Text(src); got != "a  b\tc" {
		t.Errorf("multi-term %q", got)
	}
	if got := q.Root.Clauses[1].Loc.Text(src); got != "+" {
		t.Errorf("bare operator %q", got)
	}
	// Tokens that span lines.
	src = "f:\"a\nbc\" AND g:/x\ny/"
	q = mustParse(t, src)
	if got := q.Root.Clauses[1].Loc.Start.String(); got != "2:9" {
		t.Errorf("after a phrase over two lines: %s", got)
	}
	if got := q.Root.Clauses[1].Loc.End.String(); got != "3:3" {
		t.Errorf("end of a regexp over two lines: %s", got)
	}
}

func TestWalk(t *testing.T) {
	q := mustParse(t, `a:1 AND (b:2 OR c:(3 OR 4)) AND -d:[1 TO 2]`)
	var got []string
	Walk(q.Root, func(n Node) bool {
		got = append(got, n.String())
		_, isGroup := n.(*Group)
		return !isGroup || n.FieldName() == nil
	})
	want := []string{`a:1`, `(b:2 OR c:(3 OR 4))`, `b:2`, `c:(3 OR 4)`, `d:[1 TO 2]`}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Walk: %q", got)
	}
}

func TestFuzzinessAndSlop(t *testing.T) {
	for _, tc := range []struct {
		in    string
		edits int
	}{
		{`f:abc`, 0}, {`f:ab~`, 0}, {`f:abc~`, 1}, {`f:abcde~`, 1}, {`f:abcdef~`, 2}, {`f:abcdef~AUTO`, 2},
		{`f:abcdef~auto`, 2}, {`f:a~2`, 2}, {`f:abcdef~0`, 0}, {`f:abc~1.0`, 1}, {`f:abc~2f`, 2}, {`f:ééé~`, 1},
	} {
		term := mustParse(t, tc.in).Root.Clauses[0].Node.(*Term)
		if got := term.FuzzyEdits(); got != tc.edits {
			t.Errorf("%s: %d edits, want %d", tc.in, got, tc.edits)
		}
	}
	for _, tc := range []struct {
		in   string
		slop int
	}{
		{`f:"a b"`, 0}, {`f:"a b"~`, 0}, {`f:"a b"~2`, 2}, {`f:"a b"~2.7`, 2}, {`f:"a b"~x`, 0}, {`f:"a b"~-1`, -1},
		{`f:"a b"~1e12`, math.MaxInt32}, {`f:"a b"~-1e12`, math.MinInt32},
	} {
		phrase := mustParse(t, tc.in).Root.Clauses[0].Node.(*Phrase)
		if got := phrase.SlopValue(); got != tc.slop {
			t.Errorf("%s: slop %d, want %d", tc.in, got, tc.slop)
		}
	}
	// phrase_slop applies where "~" gives no number.
	for _, tc := range []struct {
		in   string
		slop int
	}{
		{`f:"a b"`, 3}, {`f:"a b"~`, 3}, {`f:"a b"~x`, 3}, {`f:"a b"~1`, 1}, {`f:"a b"~0`, 0},
	} {
		phrase := mustParse(t, tc.in).Root.Clauses[0].Node.(*Phrase)
		if got := phrase.SlopWith(3); got != tc.slop {
			t.Errorf("%s: SlopWith(3) = %d, want %d", tc.in, got, tc.slop)
		}
	}
}
