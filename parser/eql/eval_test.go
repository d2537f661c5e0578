package eql

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/estype"
)

// evalExpr evaluates an expression against a document (first values of
// its fields).
func evalExpr(t *testing.T, src string, doc map[string]any) value {
	t.Helper()
	q, err := Parse("any where " + src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	ev := newEvaluator(doc, testTypes)
	env := map[string]value{}
	for _, f := range Fields(q.Steps[0].Cond) {
		if vs := ev.values(f); len(vs) > 0 {
			env[f] = vs[0]
		}
	}
	return ev.eval(q.Steps[0].Cond, env)
}

func jsonDoc(t *testing.T, s string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("bad test document %s: %v", s, err)
	}
	return doc
}

// TestFunctions checks the functions against the examples of
// Elasticsearch's EQL function reference.
func TestFunctions(t *testing.T) {
	doc := jsonDoc(t, `{
		"process": {"args_count": 4, "parent": {"args_count": 2}, "name": "regsvr32.exe", "command_line": "start regsvr32.exe", "pid_s": "1337"},
		"file": {"path": "C:\\Windows\\System32\\cmd.exe", "name": "regsvr32.exe", "extension": ".exe"},
		"source": {"address": "192.168.152.12"},
		"url": {"domain": "subdomain.example.com"},
		"e": ""
	}`)
	for _, tc := range []struct {
		expr string
		want any // string, int64, float64, bool or nil for null
	}{
		{`add(4, 5)`, int64(9)},
		{`add(4, 0.5)`, 4.5},
		{`add(-2, -2)`, int64(-4)},
		{`add(process.args_count, 5)`, int64(9)},
		{`add(process.args_count, process.parent.args_count)`, int64(6)},
		{`add(null, 4)`, nil},
		{`add(process.missing, 4)`, nil},
		{`between(file.path, "System32\\", ".exe")`, "cmd"},
		{`between(file.path, "system32\\", ".exe")`, ""},
		{`between(file.path, "workspace\\", ".exe")`, ""},
		{`between~(file.path, "system32\\", ".exe")`, "cmd"},
		{`between(file.path, "\\", "\\", false)`, "Windows"},
		{`between(file.path, "\\", "\\", true)`, "Windows\\System32"},
		{`between("", "System32\\", ".exe")`, ""},
		{`between("", "", "")`, ""},
		{`between(null, "System32\\", ".exe")`, nil},
		{`cidrMatch(source.address, "192.168.0.0/16")`, true},
		{`cidrMatch(source.address, "192.168.0.0/16", "10.0.0.0/8")`, true},
		{`cidrMatch(source.address, "10.0.0.0/8")`, false},
		{`cidrMatch(source.address, "10.0.0.0/8", "10.128.0.0/9")`, false},
		{`cidrMatch(null, "10.0.0.0/8")`, nil},
		{`cidrMatch(source.address, null)`, nil},
		{`cidrMatch("2001:db8::1", "2001:db8::/32")`, true},
		{`cidrMatch("::ffff:10.1.2.3", "10.0.0.0/8")`, true},
		{`cidrMatch("10.1.2.3", "10.1.2.3")`, true},
		{`concat("process is ", "regsvr32.exe")`, "process is regsvr32.exe"},
		{`concat("regsvr32.exe", " ", 42)`, "regsvr32.exe 42"},
		{`concat("regsvr32.exe", " ", 42.5)`, "regsvr32.exe 42.5"},
		{`concat("regsvr32.exe", " ", true)`, "regsvr32.exe true"},
		{`concat(process.name, " ", process.args_count)`, "regsvr32.exe 4"},
		{`concat(null, "regsvr32.exe")`, nil},
		{`concat(process.name, null)`, nil},
		{`divide(4, 2)`, int64(2)},
		{`divide(4, 3)`, int64(1)},
		{`divide(4, 3.0)`, 4.0 / 3},
		{`divide(4, 0.5)`, 8.0},
		{`divide(0.5, 4)`, 0.125},
		{`divide(4, -2)`, int64(-2)},
		{`divide(-7, 2)`, int64(-3)},
		{`divide(process.args_count, 3)`, int64(1)},
		{`divide(12, process.args_count)`, int64(3)},
		{`divide(4, 0)`, nil},
		{`divide(null, 4)`, nil},
		{`endsWith("regsvr32.exe", ".exe")`, true},
		{`endsWith("regsvr32.exe", ".EXE")`, false},
		{`endsWith("", "")`, true},
		{`endsWith~("regsvr32.exe", ".EXE")`, true},
		{`endsWith("regsvr32.exe", file.extension)`, true},
		{`endsWith("ntdll.dll", file.name)`, false},
		{`endsWith("regsvr32.exe", null)`, nil},
		{`endsWith(null, ".exe")`, nil},
		{`indexOf(url.domain, "d")`, int64(3)},
		{`indexOf(url.domain, "D")`, nil},
		{`indexOf(url.domain, ".")`, int64(9)},
		{`indexOf(url.domain, ".", 9)`, int64(9)},
		{`indexOf(url.domain, ".", 10)`, int64(17)},
		{`indexOf(url.domain, ".", -6)`, int64(9)},
		{`indexOf~(url.domain, "D")`, int64(3)},
		{`indexOf("", "")`, int64(0)},
		{`indexOf(url.domain, "")`, int64(0)},
		{`indexOf(url.domain, "", 9)`, int64(9)},
		{`indexOf(url.domain, "", -6)`, int64(0)},
		{`indexOf(url.domain, "z")`, nil},
		{`indexOf(url.domain, ".", 30)`, nil},
		{`indexOf(null, ".", 9)`, nil},
		{`indexOf(url.domain, ".", null)`, nil},
		{`length("explorer.exe")`, int64(12)},
		{`length("start explorer.exe")`, int64(18)},
		{`length("")`, int64(0)},
		{`length(null)`, nil},
		{`length(process.name)`, int64(12)},
		{`length("日本")`, int64(2)},
		{`modulo(10, 6)`, int64(4)},
		{`modulo(10, 5)`, int64(0)},
		{`modulo(10, -6)`, int64(4)},
		{`modulo(-10, -6)`, int64(-4)},
		{`modulo(106, process.args_count)`, int64(2)},
		{`modulo(null, 5)`, nil},
		{`multiply(2, 2)`, int64(4)},
		{`multiply(0.5, 2)`, 1.0},
		{`multiply(-2, -2)`, int64(4)},
		{`multiply(process.args_count, 2)`, int64(8)},
		{`multiply(2, null)`, nil},
		{`number("1337")`, int64(1337)},
		{`number("42.5")`, 42.5},
		{`number("deadbeef", 16)`, int64(3735928559)},
		{`number("0xdeadbeef")`, int64(3735928559)},
		{`number("0xdeadbeef", 16)`, int64(3735928559)},
		{`number("+1337")`, int64(1337)},
		{`number("-1337")`, int64(-1337)},
		{`number("  1337  ")`, int64(1337)},
		{`number(process.pid_s)`, int64(1337)},
		{`number(null)`, nil},
		{`number("0xdeadbeef", null)`, int64(3735928559)},
		{`number("1337", null)`, int64(1337)},
		{`number("nope")`, nil},
		{`startsWith("regsvr32.exe", "regsvr32")`, true},
		{`startsWith("regsvr32.exe", "Regsvr32")`, false},
		{`startsWith("", "")`, true},
		{`startsWith~("regsvr32.exe", "Regsvr32")`, true},
		{`startsWith(process.name, "regsvr32")`, true},
		{`startsWith("regsvr32.exe", null)`, nil},
		{`string(42)`, "42"},
		{`string(42.5)`, "42.5"},
		{`string(4.0)`, "4.0"},
		{`string(1e20)`, "1.0E20"},
		{`string("regsvr32.exe")`, "regsvr32.exe"},
		{`string(true)`, "true"},
		{`string(null)`, nil},
		{`stringContains(process.command_line, "regsvr32")`, true},
		{`stringContains(process.command_line, "Regsvr32")`, false},
		{`stringContains(process.command_line, "start ")`, true},
		{`stringContains~(process.command_line, "Regsvr32")`, true},
		{`stringContains(process.command_line, process.name)`, true},
		{`stringContains("", "")`, false},
		{`stringContains(process.command_line, "")`, false},
		{`stringContains(null, "regsvr32")`, nil},
		{`substring("start regsvr32.exe", 6)`, "regsvr32.exe"},
		{`substring("start regsvr32.exe", 0, 5)`, "start"},
		{`substring("start regsvr32.exe", 6, 14)`, "regsvr32"},
		{`substring("start regsvr32.exe", -4)`, ".exe"},
		{`substring("start regsvr32.exe", -4, -1)`, ".ex"},
		{`substring("abc", 5)`, ""},
		{`substring("abc", 2, 1)`, ""},
		{`substring("abc", -10, 2)`, "ab"},
		{`subtract(10, 2)`, int64(8)},
		{`subtract(10.5, 0.5)`, 10.0},
		{`subtract(-2, 4)`, int64(-6)},
		{`subtract(15, process.args_count)`, int64(11)},
		{`subtract(2, null)`, nil},
		{`wildcard(process.name, "regsvr*")`, true},
		{`wildcard(process.name, "REGSVR*")`, false},
		{`wildcard~(process.name, "REGSVR*", "x")`, true},
		{`9223372036854775807 + 1`, nil},
		{`7 % 2 + 10 / 4 * 3`, int64(7)},
		{`-process.args_count`, int64(-4)},
	} {
		got := evalExpr(t, tc.expr, doc)
		var want value
		switch w := tc.want.(type) {
		case string:
			want = strVal(w)
		case int64:
			want = intVal(w)
		case float64:
			want = floatVal(w)
		case bool:
			want = boolVal(w)
		}
		if got.k != want.k || keyString(got) != keyString(want) {
			t.Errorf("%s = %+v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestMatchEvent(t *testing.T) {
	doc := jsonDoc(t, `{
		"@timestamp": "2024-05-01T10:00:00Z",
		"event": {"category": ["process"], "type": ["start"]},
		"process": {"name": "PowerShell.exe", "pid": 4242, "args": ["-enc", "AAA"], "code_signature": {"trusted": false}},
		"process.parent.name": "cmd.exe",
		"host": {"ip": ["10.1.2.3", "fe80::1"]},
		"destination": {"port": "443"},
		"dll": [{"name": "a.dll"}, {"name": "b.dll"}],
		"user": {"name": null}
	}`)
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{`process where true`, true},
		{`file where true`, false},
		{`any where true`, true},
		{`"process" where true`, true},
		{`process where event.type == "start"`, true},
		{`process where process.name == "PowerShell.exe"`, true},
		{`process where process.name == "powershell.exe"`, false},
		{`process where process.name : "powershell.exe"`, true},
		{`process where process.name : "power*"`, true},
		{`process where process.name like "power*"`, false},
		{`process where process.name like~ "power*"`, true},
		{`process where process.name regex "Power[A-Za-z]+\\.exe"`, true},
		{`process where process.name regex "Power[a-z]+\\.exe"`, false},
		{`process where process.name regex "power.*"`, false},
		{`process where process.name regex~ "power.*"`, true},
		{`process where process.name in ("cmd.exe", "PowerShell.exe")`, true},
		{`process where process.name in ("powershell.exe")`, false},
		{`process where process.name in~ ("powershell.exe")`, true},
		{`process where process.name in~ ("power*")`, false},
		{`process where process.name not in ("cmd.exe")`, true},
		{`process where process.name != "cmd.exe"`, true},
		{`process where process.pid == 4242`, true},
		{`process where process.pid == "4242"`, true},
		{`process where process.pid > 4000 and process.pid < 5000`, true},
		{`process where process.pid >= 4243`, false},
		{`process where destination.port == 443`, true},
		{`process where destination.port : "44*"`, true},
		// Arrays: an atom holds when one value satisfies it; a negation when none does.
		{`process where process.args == "AAA"`, true},
		{`process where process.args != "AAA"`, false},
		{`process where not process.args == "AAA"`, false},
		{`process where process.args : "-e*" and process.args : "A*"`, true},
		{`process where process.args not in ("-enc")`, false},
		{`process where dll.name == "b.dll"`, true},
		{`process where length(process.args) == 3`, true},
		// Missing and null fields.
		{`process where user.name == null`, true},
		{`process where user.name != null`, false},
		{`process where process.missing == null`, true},
		{`process where process.missing != "x"`, true},
		{`process where not process.missing == "x"`, true},
		{`process where process.missing == "x"`, false},
		{`process where process.missing < 5`, false},
		{`process where not process.missing < 5`, true},
		{`process where process.missing not in ("x")`, true},
		{`process where ?process.missing != null`, false},
		{`process where startsWith(process.missing, "x")`, false},
		{`process where not startsWith(process.missing, "x")`, true},
		// Literal dotted keys and nested objects.
		{`process where process.parent.name == "cmd.exe"`, true},
		// Booleans.
		{`process where process.code_signature.trusted == false`, true},
		{`process where process.code_signature.trusted`, false},
		{`process where not process.code_signature.trusted`, true},
		{`process where process.code_signature.trusted != true`, true},
		// IPs.
		{`process where cidrMatch(host.ip, "10.0.0.0/8")`, true},
		{`process where cidrMatch(host.ip, "fe80::/10")`, true},
		{`process where cidrMatch(host.ip, "192.168.0.0/16")`, false},
		{`process where host.ip == "10.1.2.3"`, true},
		{`process where host.ip == "fe80:0:0::1"`, true},
		// Dates.
		{`process where @timestamp > "2024-01-01"`, true},
		{`process where @timestamp < "2024-05-01T09:59:59Z"`, false},
		// Functions and folded booleans.
		{`process where startsWith~(process.name, "power") and endsWith(process.name, ".exe")`, true},
		{`process where stringContains(process.name, "Shell") == true`, true},
		{`process where stringContains(process.name, "shell") == false`, true},
		{`process where (process.pid > 1) != false`, true},
		{`process where add(process.pid, 8) == 4250`, true},
		{`process where process.pid % 2 == 0`, true},
		{`process where substring(process.name, -4) : ".EXE"`, true},
		{`process where between(process.name, "Power", ".") == "Shell"`, true},
		{`process where concat(process.name, "|", process.pid) == "PowerShell.exe|4242"`, true},
		{`process where number(destination.port) == 443`, true},
		{`process where string(process.pid) == "4242"`, true},
		{`process where indexOf(process.name, "Shell") == 5`, true},
	} {
		q, err := Parse(tc.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.query, err)
			continue
		}
		if got := MatchEvent(q, 0, doc, testTypes); got != tc.want {
			t.Errorf("MatchEvent(%q) = %v, want %v", tc.query, got, tc.want)
		}
		if got := Match(q, []map[string]any{doc}, testTypes); got != tc.want {
			t.Errorf("Match(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
	q := MustParse(`process where true`)
	if Match(q, nil, nil) {
		t.Error("Match with no documents")
	}
	if Match(q, []map[string]any{doc, {"event": map[string]any{"category": "file"}}}, nil) {
		t.Error("Match of an event query holds only when every document matches")
	}
	if MatchEvent(q, 1, doc, nil) || MatchEvent(q, -1, doc, nil) {
		t.Error("MatchEvent of a step out of range")
	}
}

func TestMatchTypes(t *testing.T) {
	doc := map[string]any{"n": "5", "f": 2.0, "k": 5.0, "b": "true", "d": 1714557600000.0}
	types := estype.ByName(func(f string) string {
		return map[string]string{"n": "long", "f": "double", "k": "keyword", "b": "boolean", "d": "date"}[f]
	})
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{`any where n == 5`, true},
		{`any where n > 4`, true},
		{`any where f == 2`, true},
		{`any where string(f) == "2.0"`, true},
		{`any where string(k) == "5"`, true},
		{`any where k : "5"`, true},
		{`any where b == true`, true},
		{`any where d == "2024-05-01T10:00:00Z"`, true},
		{`any where d > "2024-05-01T09:00:00.000Z"`, true},
		{`any where d == "2024-05-01T11:00:00+01:00"`, true},
		{`any where d == "2024-05-01T12+0200"`, true},
		{`any where d == "1714557600000"`, true},
		{`any where d < "2024-05-02"`, true},
		{`any where d > "2024-05"`, true},
		{`any where d == "2024-05-01t10:00:00Z"`, false}, // lower-case "t": not a date
		{`any where n / 2 == 2`, true},
		{`any where f / 4 == 0.5`, true},
	} {
		if got := MatchEvent(MustParse(tc.query), 0, doc, types); got != tc.want {
			t.Errorf("MatchEvent(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}

func ts(s string) map[string]any { return map[string]any{"@timestamp": s} }

// ev builds an event document: category, timestamp, then field/value pairs.
func ev(category, timestamp string, kv ...any) map[string]any {
	d := map[string]any{"event": map[string]any{"category": category}, "@timestamp": timestamp}
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i].(string)] = kv[i+1]
	}
	return d
}

func TestMatchSequence(t *testing.T) {
	const t0, t1, t2, t3 = "2024-05-01T10:00:00Z", "2024-05-01T10:00:30Z", "2024-05-01T10:01:00Z", "2024-05-01T10:05:00Z"
	pa := ev("process", t0, "host.id", "h1", "process.name", "a")
	pb := ev("process", t1, "host.id", "h1", "process.name", "b")
	pbOther := ev("process", t1, "host.id", "h2", "process.name", "b")
	pbSame := ev("process", t0, "host.id", "h1", "process.name", "b")
	pbLate := ev("process", t3, "host.id", "h1", "process.name", "b")
	pc := ev("process", t2, "host.id", "h1", "process.name", "c")
	stop := ev("process", t1, "host.id", "h1", "event.type", "end")
	stopOther := ev("process", t1, "host.id", "h2", "event.type", "end")
	file := ev("file", t1, "host.id", "h1", "file.name", "x")
	ab := `sequence by host.id [process where process.name == "a"] [process where process.name == "b"]`
	abSpan := `sequence by host.id with maxspan=1m [process where process.name == "a"] [process where process.name == "b"]`
	for _, tc := range []struct {
		name  string
		query string
		docs  []map[string]any
		want  bool
	}{
		{"in order", ab, []map[string]any{pa, pb}, true},
		{"any input order", ab, []map[string]any{pb, pa}, true},
		{"out of order", ab, []map[string]any{ev("process", t2, "host.id", "h1", "process.name", "a"), pb}, false},
		{"same timestamp", ab, []map[string]any{pa, pbSame}, false},
		{"other key", ab, []map[string]any{pa, pbOther}, false},
		{"missing key", ab, []map[string]any{pa, ev("process", t1, "process.name", "b")}, false},
		{"missing step", ab, []map[string]any{pa}, false},
		{"no timestamp", ab, []map[string]any{pa, {"event": map[string]any{"category": "process"}, "host.id": "h1", "process.name": "b"}}, false},
		{"within maxspan", abSpan, []map[string]any{pa, pb}, true},
		{"maxspan inclusive", `sequence by host.id with maxspan=30s [process where process.name == "a"] [process where process.name == "b"]`, []map[string]any{pa, pb}, true},
		{"beyond maxspan", abSpan, []map[string]any{pa, pbLate}, false},
		{"maxspan picks a later start", abSpan, []map[string]any{pa, ev("process", "2024-05-01T10:04:30Z", "host.id", "h1", "process.name", "a"), pbLate}, true},
		{"noise ignored", ab, []map[string]any{file, pa, stop, pb, pc}, true},
		{"three steps", `sequence by host.id [process where process.name == "a"] [process where process.name == "b"] [process where process.name == "c"]`, []map[string]any{pa, pb, pc}, true},
		{"positional keys", `sequence [process where process.name == "a"] by process.pid [file where true] by process.parent.pid`,
			[]map[string]any{ev("process", t0, "process.name", "a", "process.pid", 7.0), ev("file", t1, "process.parent.pid", 7.0)}, true},
		{"positional keys differ", `sequence [process where process.name == "a"] by process.pid [file where true] by process.parent.pid`,
			[]map[string]any{ev("process", t0, "process.name", "a", "process.pid", 7.0), ev("file", t1, "process.parent.pid", 8.0)}, false},
		{"optional key null", `sequence by ?user.id [process where process.name == "a"] [process where process.name == "b"]`, []map[string]any{pa, pb}, true},
		{"runs", `sequence by host.id [process where true] with runs=3`, []map[string]any{pa, pb, pc}, true},
		{"runs short", `sequence by host.id [process where true] with runs=3`, []map[string]any{pa, pb}, false},
		{"until after", ab + ` until [process where event.type == "end"]`, []map[string]any{pa, pb, ev("process", t2, "host.id", "h1", "event.type", "end")}, true},
		{"until between", ab + ` until [process where event.type == "end"]`, []map[string]any{pa, ev("process", "2024-05-01T10:00:10Z", "host.id", "h1", "event.type", "end"), pb}, false},
		{"until other key", ab + ` until [process where event.type == "end"]`, []map[string]any{pa, stopOther, pb}, true},
		{"missing absent", `sequence by host.id with maxspan=5m [process where process.name == "a"] ![file where true] [process where process.name == "b"]`, []map[string]any{pa, pb}, true},
		{"missing present", `sequence by host.id with maxspan=5m [process where process.name == "a"] ![file where true] [process where process.name == "b"]`, []map[string]any{pa, ev("file", "2024-05-01T10:00:10Z", "host.id", "h1"), pb}, false},
		{"missing other key", `sequence by host.id with maxspan=5m [process where process.name == "a"] ![file where true] [process where process.name == "b"]`, []map[string]any{pa, ev("file", "2024-05-01T10:00:10Z", "host.id", "h2"), pb}, true},
		{"missing outside the window", `sequence by host.id with maxspan=5m [process where process.name == "a"] ![file where true] [process where process.name == "b"]`, []map[string]any{pa, pb, ev("file", t2, "host.id", "h1")}, true},
		{"trailing missing present", `sequence by host.id with maxspan=5m [process where process.name == "a"] ![file where true]`, []map[string]any{pa, ev("file", t3, "host.id", "h1")}, false},
		{"trailing missing later", `sequence by host.id with maxspan=1m [process where process.name == "a"] ![file where true]`, []map[string]any{pa, ev("file", t3, "host.id", "h1")}, true},
		{"leading missing present", `sequence by host.id with maxspan=1m ![file where true] [process where process.name == "b"]`, []map[string]any{ev("file", t0, "host.id", "h1"), pb}, false},
		{"leading missing earlier", `sequence by host.id with maxspan=1m ![file where true] [process where process.name == "b"]`, []map[string]any{ev("file", "2024-05-01T09:00:00Z", "host.id", "h1"), pb}, true},
		{"event category per step", `sequence by host.id [process where true] [file where true]`, []map[string]any{pa, file}, true},
		{"event category per step, wrong", `sequence by host.id [file where true] [process where true]`, []map[string]any{pa, file}, false},
	} {
		q, err := Parse(tc.query)
		if err != nil {
			t.Fatalf("%s: Parse: %v", tc.name, err)
		}
		if got := Match(q, tc.docs, testTypes); got != tc.want {
			t.Errorf("%s: Match(%s) = %v, want %v", tc.name, tc.query, got, tc.want)
		}
	}
	q := MustParse(ab + ` until [process where event.type == "end"]`)
	if !MatchUntil(q, stop, nil) || MatchUntil(q, pa, nil) || MatchUntil(MustParse(ab), stop, nil) {
		t.Error("MatchUntil")
	}
	if !MatchEvent(q, 1, pb, nil) || MatchEvent(q, 0, pb, nil) {
		t.Error("MatchEvent of a sequence step")
	}
}

func TestMatchSample(t *testing.T) {
	q := MustParse(`sample by host.id [process where process.name == "a"] [file where true]`)
	p := map[string]any{"event.category": "process", "host.id": "h1", "process.name": "a"}
	f := map[string]any{"event.category": "file", "host.id": "h1"}
	f2 := map[string]any{"event.category": "file", "host.id": "h2"}
	for _, tc := range []struct {
		docs []map[string]any
		want bool
	}{
		{[]map[string]any{p, f}, true},
		{[]map[string]any{f, p}, true},
		{[]map[string]any{p, f2}, false},
		{[]map[string]any{p}, false},
		{[]map[string]any{f2, p, f}, true},
	} {
		if got := Match(q, tc.docs, nil); got != tc.want {
			t.Errorf("Match(sample, %v) = %v, want %v", tc.docs, got, tc.want)
		}
	}
	// One document cannot fill two steps.
	q2 := MustParse(`sample by host.id [any where true] [any where true]`)
	if Match(q2, []map[string]any{f}, nil) || !Match(q2, []map[string]any{f, f}, nil) {
		t.Error("sample steps need distinct documents")
	}
}

// bruteSequence is a direct reading of Match's definition for sequences:
// try every choice of documents for the steps.
func bruteSequence(q *Query, docs []map[string]any, types Types) bool {
	info := analyze(q, docs, types)
	var slots []int
	type missing struct{ step, before int }
	var miss []missing
	for i, st := range q.Steps {
		if st.Missing {
			miss = append(miss, missing{i, len(slots)})
			continue
		}
		for r := 0; r < max(st.Runs, 1); r++ {
			slots = append(slots, i)
		}
	}
	var span int64
	if q.MaxSpan != nil {
		span = int64(q.MaxSpan.Duration())
	}
	chosen := make([]int, len(slots))
	var try func(k int) bool
	try = func(k int) bool {
		if k < len(slots) {
			for j, d := range info {
				if d.hasTS && d.match[slots[k]] && (k == 0 || d.ts > info[chosen[k-1]].ts && d.key[slots[k]] == info[chosen[0]].key[slots[0]]) {
					chosen[k] = j
					if try(k + 1) {
						return true
					}
				}
			}
			return false
		}
		key := info[chosen[0]].key[slots[0]]
		first, last := info[chosen[0]].ts, info[chosen[len(chosen)-1]].ts
		if span > 0 && last-first > span {
			return false
		}
		isChosen := func(j int) bool {
			for _, c := range chosen {
				if c == j {
					return true
				}
			}
			return false
		}
		for _, m := range miss {
			lo, hi := last-span, first
			switch {
			case m.before == len(slots):
				lo, hi = last, first+span
			case m.before > 0:
				lo, hi = info[chosen[m.before-1]].ts, info[chosen[m.before]].ts
			}
			for j, d := range info {
				if !isChosen(j) && d.hasTS && d.match[m.step] && d.key[m.step] == key && d.ts >= lo && d.ts <= hi {
					return false
				}
			}
		}
		if q.Until != nil {
			for _, d := range info {
				if d.hasTS && d.match[len(q.Steps)] && d.key[len(q.Steps)] == key && d.ts >= first && d.ts <= last {
					return false
				}
			}
		}
		return true
	}
	return try(0)
}

func TestMatchSequenceAgainstBruteForce(t *testing.T) {
	queries := []string{
		`sequence by host.id [process where true] [file where true]`,
		`sequence by host.id with maxspan=20s [process where name == "a"] [any where true] with runs=2`,
		`sequence by host.id with maxspan=30s [process where true] ![file where true] [network where true]`,
		`sequence by host.id with maxspan=30s ![file where true] [process where true]`,
		`sequence by host.id with maxspan=30s [process where true] ![file where true]`,
		`sequence [process where true] by host.id [file where true] by user until [network where true] by host.id`,
		`sequence with maxspan=15s [process where name == "a"] [process where name == "b"] [file where true]`,
	}
	r := rand.New(rand.NewPCG(1, 2))
	cats := []string{"process", "file", "network"}
	for _, src := range queries {
		q := MustParse(src)
		matches := 0
		for n := 0; n < 3000; n++ {
			docs := make([]map[string]any, r.IntN(7))
			for i := range docs {
				d := map[string]any{"event.category": cats[r.IntN(3)], "host.id": []string{"h1", "h2"}[r.IntN(2)], "name": []string{"a", "b"}[r.IntN(2)]}
				if r.IntN(3) > 0 {
					d["user"] = d["host.id"]
				}
				if r.IntN(10) > 0 {
					d["@timestamp"] = time.Date(2024, 1, 1, 0, 0, r.IntN(40), 0, time.UTC).Format(time.RFC3339)
				}
				docs[i] = d
			}
			want := bruteSequence(q, docs, nil)
			if want {
				matches++
			}
			if got := Match(q, docs, nil); got != want {
				t.Fatalf("%s: Match = %v, brute force %v, documents %v", src, got, want, docs)
			}
		}
		if matches == 0 {
			t.Errorf("%s: no random document set matches", src)
		}
	}
}

func TestMatchSampleAgainstBruteForce(t *testing.T) {
	q := MustParse(`sample by host.id [process where true] [any where name == "a"] [file where true]`)
	r := rand.New(rand.NewPCG(3, 4))
	cats := []string{"process", "file", "network"}
	matches := 0
	for n := 0; n < 3000; n++ {
		docs := make([]map[string]any, r.IntN(6))
		for i := range docs {
			docs[i] = map[string]any{"event.category": cats[r.IntN(3)], "host.id": []string{"h1", "h2"}[r.IntN(2)], "name": []string{"a", "b"}[r.IntN(2)]}
		}
		info := analyze(q, docs, nil)
		want := false
		for a := range info {
			for b := range info {
				for c := range info {
					if a != b && b != c && a != c && info[a].match[0] && info[b].match[1] && info[c].match[2] &&
						info[a].key[0] == info[b].key[1] && info[b].key[1] == info[c].key[2] {
						want = true
					}
				}
			}
		}
		if want {
			matches++
		}
		if got := Match(q, docs, nil); got != want {
			t.Fatalf("Match = %v, brute force %v, documents %v", got, want, docs)
		}
	}
	if matches == 0 {
		t.Error("no random document set matches")
	}
}

// Every function the parser accepts is evaluated, and nothing else.
func TestBuiltinsCoverFunctions(t *testing.T) {
	for _, f := range functions {
		if builtins[f.name] == nil {
			t.Errorf("function %s has no evaluation", f.name)
		}
	}
	for name := range builtins {
		if lookupFunc(name) == nil || lookupFunc(name).name != name {
			t.Errorf("evaluation %s is not a function the parser knows", name)
		}
	}
}
