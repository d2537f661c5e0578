package lucene

import (
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/constraint"
)

// show renders a lowered formula like its String method, and marks the
// equality predicates that are phrases.
func show(e constraint.Expr) string {
	switch x := e.(type) {
	case *constraint.Pred:
		if x.Phrase {
			return x.String() + " (phrase)"
		}
		return x.String()
	case *constraint.And:
		return showList(x.X, " and ")
	case *constraint.Or:
		return showList(x.X, " or ")
	case *constraint.Not:
		return "not (" + show(x.X) + ")"
	}
	return e.String()
}

func showList(xs []constraint.Expr, sep string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = show(x)
		switch x.(type) {
		case *constraint.And, *constraint.Or:
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, sep)
}

func lower(t *testing.T, src string, opts Options) constraint.Expr {
	t.Helper()
	q := mustParse(t, src)
	cq, err := q.ConstraintsWith(opts)
	if err != nil {
		t.Fatalf("Constraints(%q): %v", src, err)
	}
	if cq.Lang != "lucene" || cq.Kind != constraint.EventQuery || cq.Source != src || len(cq.Events) != 1 || cq.Events[0].Runs != 1 {
		t.Fatalf("Constraints(%q): bad query %+v", src, cq)
	}
	return cq.Events[0].Cond
}

var lowerTests = []struct{ in, want string }{
	// terms
	{`process.name:cmd.exe`, `process.name == "cmd.exe"`},
	{`process.name:"cmd.exe"`, `process.name == "cmd.exe" (phrase)`},
	{`message:"a b"`, `message == "a b" (phrase)`},
	{`event.type:(start or process_started)`, `event.type == "start or process_started"`},
	{`f:(a b c)`, `f == "a b c"`},
	{`f:a\ b`, `f == "a b"`},
	{`f:C\:\\Windows`, `f == "C:\\Windows"`},
	{`f:\*`, `f == "*"`},
	{`f:\u0041`, `f == "A"`},
	{`process.args:g+s`, `process.args == "g+s"`},
	{`destination.port:(53 OR 80 OR 8080 OR 443)`, `destination.port == "53" or destination.port == "80" or destination.port == "8080" or destination.port == "443"`},
	{`process.\*:x`, `process.* == "x"`},
	{`*:x`, `* == "x"`},
	{`f:\+`, `f == "+"`},
	{`f:\+\-\=\&\&\|\|\>\<\!\(\)\{\}\[\]\^\"\~\*\?\:\\\/`, `f == "+-=&&||><!(){}[]^\"~*?:\\/"`},

	// wildcards and regular expressions
	{`f:*`, `f exists`},
	{`NOT f:*`, `not f exists`},
	{`process.\*:*`, `process.* exists`},
	{`f:*.exe`, `f like "*.exe"`},
	{`f:cmd*`, `f like "cmd*"`},
	{`f:c?d`, `f like "c?d"`},
	{`f:a\*b*`, `f like "a\\*b*"`},
	{`f:C\:\\Windows\\*`, `f like "C:\\\\Windows\\\\*"`},
	{`f:**`, `f like "**"`},
	{`f:/ab+c/`, `f regex "ab+c"`},
	{`f:/a\/b/`, `f regex "a\\/b"`},
	{`url.full:/http:\/\/[0-9]{1,3}\/cd/`, `url.full regex "http:\\/\\/[0-9]{1,3}\\/cd"`},
	{`f:(a OR *)`, `f == "a" or f exists`},

	// ranges
	{`f:[1 TO 5]`, `f >= "1" and f <= "5"`},
	{`f:{1 TO 5}`, `f > "1" and f < "5"`},
	{`f:[1 TO 5}`, `f >= "1" and f < "5"`},
	{`f:{1 TO 5]`, `f > "1" and f <= "5"`},
	{`f:[* TO 5]`, `f <= "5"`},
	{`f:{5 TO *]`, `f > "5"`},
	{`f:[* TO *]`, `f exists`},
	{`NOT f:[1 TO *]`, `not f >= "1"`},
	{`NOT f:[1 TO 5]`, `not f >= "1" or not f <= "5"`},
	{`@timestamp:[now-1d/d TO now]`, `@timestamp >= "now-1d/d" and @timestamp <= "now"`},
	{`f:["a b" TO "c d"]`, `f >= "a b" and f <= "c d"`},
	{`f:>5`, `f > "5"`},
	{`f:>=5`, `f >= "5"`},
	{`f:<5`, `f < "5"`},
	{`f:<=5`, `f <= "5"`},
	{`f:>5 AND f:<=10`, `f > "5" and f <= "10"`},
	{`f:(>5 x)`, `f > "5 x"`},
	{`f:>`, `f == ">"`},

	// exists
	{`_exists_:user.name`, `user.name exists`},
	{`NOT _exists_:user.name`, `not user.name exists`},
	{`_exists_:"user.name"`, `user.name exists`},
	{`_exists_:process.\*`, `process.* exists`},
	{`_exists_:(a OR b)`, `a exists or b exists`},

	// everything
	{`*:*`, `true`},
	{`*`, `true`},
	{`NOT *:*`, `false`},
	{`f:x OR *:*`, `true`},
	{`f:x AND *`, `f == "x"`},
	{``, `true`},
	{"  \n", `true`},

	// clause lists: AND, OR, modifiers, the default operator OR
	{`a:1 AND b:2`, `a == "1" and b == "2"`},
	{`a:1 OR b:2`, `a == "1" or b == "2"`},
	{`a:1 b:2`, `a == "1" or b == "2"`},
	{`a:1 AND b:2 AND c:3`, `a == "1" and b == "2" and c == "3"`},
	{`a:1 OR b:2 OR c:3`, `a == "1" or b == "2" or c == "3"`},
	{`a:1 AND b:2 OR c:3`, `a == "1" and b == "2"`},
	{`a:1 OR b:2 AND c:3`, `b == "2" and c == "3"`},
	{`a:1 b:2 AND c:3`, `b == "2" and c == "3"`},
	{`a:1 OR b:2 AND NOT c:3`, `b == "2" and not c == "3"`},
	{`+a:1 b:2`, `a == "1"`},
	{`+a:1 +b:2`, `a == "1" and b == "2"`},
	{`+a:1 -b:2 c:3`, `a == "1" and not b == "2"`},
	{`-a:1`, `not a == "1"`},
	{`NOT a:1`, `not a == "1"`},
	{`!a:1`, `not a == "1"`},
	{`-a:1 -b:2`, `not a == "1" and not b == "2"`},
	{`-a:1 b:2`, `not a == "1" and b == "2"`},
	{`a:1 -b:2 c:3`, `(a == "1" or c == "3") and not b == "2"`},
	{`NOT a:1 AND b:2`, `not a == "1" and b == "2"`},
	{`a:1 AND NOT b:2`, `a == "1" and not b == "2"`},
	{`a:1 AND -b:2`, `a == "1" and not b == "2"`},
	{`a:1 OR NOT b:2`, `a == "1" and not b == "2"`},
	{`NOT a:1 OR b:2`, `not a == "1" and b == "2"`},
	{`a:1 && b:2 || c:3`, `a == "1" and b == "2"`},

	// groups
	{`(a:1 OR b:2) AND c:3`, `(a == "1" or b == "2") and c == "3"`},
	{`a:1 AND (b:2 OR c:3)`, `a == "1" and (b == "2" or c == "3")`},
	{`(a:1 OR b:2) AND (c:3 OR d:4)`, `(a == "1" or b == "2") and (c == "3" or d == "4")`},
	{`((a:1))`, `a == "1"`},
	{`NOT (a:1 OR b:2)`, `not a == "1" and not b == "2"`},
	{`NOT (a:1 AND b:2)`, `not a == "1" or not b == "2"`},
	{`-(a:1 -b:2)`, `not a == "1" or b == "2"`},
	{`f:(a OR b) AND NOT g:(c OR d)`, `(f == "a" or f == "b") and not g == "c" and not g == "d"`},
	{`f:(a AND (b OR c))`, `f == "a" and (f == "b" or f == "c")`},
	{`f:(a OR g:b)`, `f == "a" or g == "b"`},
	{`f:(a -b)`, `f == "a" and not f == "b"`},
	{`f:(+a b)`, `f == "a"`},
	{`f:(-a)`, `not f == "a"`},
	{`f:(-a -b)`, `not f == "a" and not f == "b"`},
	{`a:1 AND (-b:2)`, `a == "1" and not b == "2"`},
	{`f:x^2 AND g:(y z)^3`, `f == "x" and g == "y z"`},

	// fuzziness and slop: exact where the formula must imply the query,
	// larger where it must exclude it
	{`f:abc~`, `f like "abc"`},
	{`f:abc~2`, `f like "abc"`},
	{`NOT f:abc~`, `not f exists`},
	{`NOT f:ab~`, `not f like "ab"`},
	{`NOT f:abcdef~1`, `not f exists`},
	{`NOT f:abc~0`, `not f like "abc"`},
	{`NOT f:abc~0.0`, `not f like "abc"`},
	{`-(a:1 AND NOT f:abc~1)`, `not a == "1" or f like "abc"`},
	{`NOT (a:1 AND NOT f:abc~1)`, `not a == "1" or f like "abc"`},
	{`f:"a b"~2`, `f == "a b" (phrase)`},
	{`NOT f:"a b"~2`, `not f == "a b"`},
	{`NOT f:"a b"`, `not f == "a b" (phrase)`},
	{`NOT f:"a b"~0`, `not f == "a b" (phrase)`},
	{`NOT f:"a b"~x`, `not f == "a b" (phrase)`},
	{`NOT (NOT f:"a b"~2)`, `f == "a b" (phrase)`},

	// the rule queries of the shared rulesets
	{`event.category:process AND event.type:(start or process_started) AND process.name:chmod AND process.args:(g+s OR /2[0-9]{3}/) AND NOT user.name:root`,
		`event.category == "process" and event.type == "start or process_started" and process.name == "chmod" and (process.args == "g+s" or process.args regex "2[0-9]{3}") and not user.name == "root"`},
	{`event.category:network_traffic AND network.protocol:http AND status:OK AND destination.port:9200 AND network.direction:inbound AND NOT http.response.headers.content-type:"image/x-icon" AND NOT _exists_:http.request.headers.authorization`,
		`event.category == "network_traffic" and network.protocol == "http" and status == "OK" and destination.port == "9200" and network.direction == "inbound" and not http.response.headers.content-type == "image/x-icon" (phrase) and not http.request.headers.authorization exists`},
	{"event.category:(network OR network_traffic) AND type:(tls OR http) AND network.transport:tcp\nAND destination.domain:/[a-zA-Z]{4,5}\\.(pw|us|club|info|site|top)/ AND NOT destination.domain:zoom.us",
		`(event.category == "network" or event.category == "network_traffic") and (type == "tls" or type == "http") and network.transport == "tcp" and destination.domain regex "[a-zA-Z]{4,5}\\.(pw|us|club|info|site|top)" and not destination.domain == "zoom.us"`},
}

func TestConstraints(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range lowerTests {
		if seen[tc.in] {
			t.Errorf("duplicate test query %q", tc.in)
		}
		seen[tc.in] = true
		if got := show(lower(t, tc.in, Options{})); got != tc.want {
			t.Errorf("Constraints(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

func TestConstraintsOptions(t *testing.T) {
	and := Options{DefaultOperator: OperatorAnd}
	for _, tc := range []struct {
		in   string
		opts Options
		want string
	}{
		{`a:1 b:2`, and, `a == "1" and b == "2"`},
		{`a:1 OR b:2`, and, `a == "1" or b == "2"`},
		{`a:1 b:2 OR c:3`, and, `a == "1"`},
		{`a:1 OR +b:2`, and, `a == "1" or b == "2"`},
		{`a:1 -b:2`, and, `a == "1" and not b == "2"`},
		{`f:(x y)`, and, `f == "x y"`},
		{`cmd.exe`, Options{DefaultField: "process.name"}, `process.name == "cmd.exe"`},
		{`cmd.exe OR g:x`, Options{DefaultField: "process.name"}, `process.name == "cmd.exe" or g == "x"`},
		{`>5`, Options{DefaultField: "port"}, `port > "5"`},
		{`(a OR b)`, Options{DefaultField: "f"}, `f == "a" or f == "b"`},
		{`*`, Options{DefaultField: "f"}, `f exists`},
		{`cmd.exe`, Options{Fields: []string{"a", "b"}}, `a == "cmd.exe" or b == "cmd.exe"`},
		{`NOT cmd.exe`, Options{Fields: []string{"a", "b"}}, `not a == "cmd.exe" and not b == "cmd.exe"`},
		{`x OR g:y`, Options{Fields: []string{"a"}, DefaultField: "ignored"}, `a == "x" or g == "y"`},
		{`NOT f:"a b"`, Options{PhraseSlop: 2}, `not f == "a b"`},
		{`NOT f:"a b"~0`, Options{PhraseSlop: 2}, `not f == "a b" (phrase)`},
		{`NOT f:abcdef~`, Options{Fuzziness: &Fuzziness{Edits: 0}}, `not f like "abcdef"`},
		{`NOT f:ab~`, Options{Fuzziness: &Fuzziness{Edits: 1}}, `not f exists`},
		{`f:>\*`, Options{}, `f exists`},
		{`f:<=\*`, Options{}, `f exists`},
	} {
		if got := show(lower(t, tc.in, tc.opts)); got != tc.want {
			t.Errorf("ConstraintsWith(%q, %+v)\n got %s\nwant %s", tc.in, tc.opts, got, tc.want)
		}
	}
}

func TestOccurs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		op   Operator
		want string
	}{
		{`a b c`, OperatorOr, "should"},
		{`a:1 b:2 c:3`, OperatorOr, "should should should"},
		{`a:1 b:2 c:3`, OperatorAnd, "must must must"},
		{`a:1 AND b:2 OR c:3`, OperatorOr, "must must should"},
		{`a:1 AND b:2 OR c:3`, OperatorAnd, "must should should"},
		{`a:1 OR b:2 AND c:3`, OperatorOr, "should must must"},
		{`-a:1 AND b:2`, OperatorOr, "must_not must"},
		{`+a:1 OR b:2`, OperatorOr, "must should"},
		{`+a:1 OR b:2`, OperatorAnd, "should should"},
		{`a:1 OR +b:2`, OperatorAnd, "should should"},
		{`NOT a:1 OR b:2`, OperatorAnd, "must_not should"},
	} {
		q := mustParse(t, tc.in)
		var got []string
		for _, o := range Occurs(q.Root.Clauses, tc.op) {
			got = append(got, o.String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("Occurs(%q, %d) = %v, want %s", tc.in, tc.op, got, tc.want)
		}
	}
}

func TestConstraintsUnsupported(t *testing.T) {
	for _, tc := range []struct{ in, pos, what string }{
		{`cmd.exe`, "1:1", `a term without a field searches every field: "cmd.exe"; name a field, e.g. message:cmd.exe`},
		{`f:x OR (cmd exe)`, "1:9", `"cmd exe"; name a field, e.g. message:(cmd exe)`},
		{`f:x AND "a b"`, "1:9", `e.g. message:"a b"`},
		{`f:x OR (g:y AND *.exe)`, "1:17", `e.g. message:*.exe`},
		{`+ a`, "1:1", `e.g. message:\+`},
		{`>5`, "1:1", `e.g. message:>5`},
		{"f:x AND\n  NOT /a/", "2:7", `e.g. message:/a/`},
		{`_exists_:a*`, "1:1", `_exists_ takes a field name`},
		{`_exists_:*`, "1:1", `_exists_ takes a field name`},
		{`f:x AND _exists_:[a TO b]`, "1:9", `_exists_ takes a field name`},
		{`_exists_:(a OR b~)`, "1:16", `_exists_ takes a field name`},
		{`_exists_:/a/`, "1:1", `_exists_ takes a field name`},
		{`f:x AND g:"a b"~-1`, "1:9", `a negative slop fails the search on text fields`},
	} {
		q := mustParse(t, tc.in)
		_, err := q.Constraints()
		var ue *constraint.UnsupportedError
		if !errors.As(err, &ue) || !errors.Is(err, constraint.ErrUnsupported) {
			t.Errorf("Constraints(%q): %v, want an UnsupportedError", tc.in, err)
			continue
		}
		if ue.Span.Pos.String() != tc.pos || !strings.Contains(ue.What, tc.what) {
			t.Errorf("Constraints(%q): %s: %s, want %s: ...%s", tc.in, ue.Span.Pos, ue.What, tc.pos, tc.what)
		}
	}
	// Optional clauses beside required ones do not count: nothing to
	// support there.
	if got := show(lower(t, `+f:x cmd.exe`, Options{})); got != `f == "x"` {
		t.Errorf("got %s", got)
	}
}

// TestConstraintsSpans: every predicate points at the clause it comes from.
func TestConstraintsSpans(t *testing.T) {
	src := "event.category:process AND\n  NOT process.args:(a OR \"b c\" OR /d/) AND f:[1 TO *]"
	var got []string
	var walk func(e constraint.Expr)
	walk = func(e constraint.Expr) {
		switch x := e.(type) {
		case *constraint.Pred:
			got = append(got, x.Span.Pos.String()+" "+x.Span.Text)
		case *constraint.And:
			for _, y := range x.X {
				walk(y)
			}
		case *constraint.Or:
			for _, y := range x.X {
				walk(y)
			}
		}
	}
	walk(lower(t, src, Options{}))
	want := []string{
		"1:1 event.category:process",
		"2:21 a",
		"2:26 \"b c\"",
		"2:35 /d/",
		"2:44 f:[1 TO *]",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("spans:\n got %q\nwant %q", got, want)
	}
	cq, _ := mustParse(t, src).Constraints()
	if ev := cq.Events[0]; ev.Span.Pos.String() != "1:1" || ev.Span.Text != src {
		t.Errorf("event span %+v", ev.Span)
	}
}

func TestFields(t *testing.T) {
	q := mustParse(t, `a:1 AND b:(x OR c:y) AND NOT _exists_:d AND e:[1 TO 2] AND free AND a:2 AND process.\*:z AND _exists_:(f OR "g")`)
	got := strings.Join(q.Fields(), " ")
	if want := "a b c d e process.* f g"; got != want {
		t.Errorf("Fields() = %s, want %s", got, want)
	}
}
