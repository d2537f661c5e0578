package esql

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
)

// evalCase runs a query over documents and compares the rows, printed
// one a line as ResultRow.String prints them.
type evalCase struct {
	name    string
	query   string
	docs    string                 // JSON documents, one a line; "" for events
	types   map[string]estype.Type // nil for eventTypes
	indices []string               // index of each document
	want    string                 // rows, one a line
	err     string                 // a substring of the error, instead of rows
	warn    string                 // a substring of one of the warnings
}

// evalEvents are the documents most cases read.
const evalEvents = `{"@timestamp":"2024-05-01T10:00:00.000Z","host":{"name":"h1","ip":"10.0.0.1"},"user":{"name":"alice"},"process":{"name":"cmd.exe","args":["cmd.exe","/c","whoami"],"pid":100},"event":{"action":"start","code":"4688"},"bytes":100,"message":"User Alice logged on"}
{"@timestamp":"2024-05-01T10:05:00.000Z","host":{"name":"h1","ip":"10.0.0.2"},"user":{"name":"bob"},"process":{"name":"powershell.exe","pid":200},"event":{"action":"start"},"bytes":250,"message":"Bob ran a script"}
{"@timestamp":"2024-05-01T11:00:00.000Z","host":{"name":"h2","ip":"192.168.1.5"},"user":{"name":"alice"},"process":{"name":"cmd.exe","pid":300},"event":{"action":"end"},"bytes":50}
{"@timestamp":"2024-05-02T09:30:00.000Z","host":{"name":"h3"},"process":{"name":"bash"},"event":{"action":"start"}}`

// evalEventTypes are the mappings of events' fields.
var evalEventTypes = map[string]estype.Type{
	"@timestamp": estype.Date, "host.name": estype.Keyword, "host.ip": estype.IP, "user.name": estype.Keyword,
	"process.name": estype.Keyword, "process.args": estype.Keyword, "process.pid": estype.Long,
	"event.action": estype.Keyword, "event.code": estype.Keyword, "bytes": estype.Long, "message": estype.Text,
}

// evalNow is the instant of NOW() in the cases.
var evalNow = time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC)

func evalParseDocs(tb testing.TB, text string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	for dec.More() {
		var d map[string]any
		if err := dec.Decode(&d); err != nil {
			tb.Fatalf("bad test documents: %v", err)
		}
		out = append(out, d)
	}
	return out
}

func evalLookup(types map[string]estype.Type) estype.Lookup {
	return func(f string) estype.Mapping { return estype.Mapping{Type: types[f]} }
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.query, err)
			}
			text, types := tc.docs, tc.types
			if text == "" {
				text = evalEvents
			}
			if text == "-" {
				text = ""
			}
			if types == nil {
				types = evalEventTypes
			}
			res, err := Execute(q, evalParseDocs(t, text), RunOptions{Types: evalLookup(types), Now: evalNow, Indices: tc.indices, KQL: evalKQLOption(evalLookup(types), evalNow)})
			if tc.err != "" {
				if err == nil {
					t.Fatalf("%s: no error, want %q; rows:\n%s", tc.query, tc.err, evalRowsText(res))
				}
				if !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%s: error %q, want %q", tc.query, err, tc.err)
				}
				return
			}
			if err != nil {
				var re *RunError
				if errors.As(err, &re) {
					t.Fatalf("%s:\n%s", tc.query, re.Detail())
				}
				t.Fatalf("%s: %v", tc.query, err)
			}
			if got := evalRowsText(res); got != tc.want {
				t.Errorf("%s:\ngot:\n%s\nwant:\n%s", tc.query, got, tc.want)
			}
			if tc.warn != "" {
				found := false
				for _, w := range res.Warnings {
					found = found || strings.Contains(w.Msg, tc.warn)
				}
				if !found {
					t.Errorf("%s: no warning %q among %v", tc.query, tc.warn, res.Warnings)
				}
			}
		})
	}
}

func evalRowsText(res *Result) string {
	if res == nil {
		return ""
	}
	lines := make([]string, len(res.Rows))
	for i, r := range res.Rows {
		lines[i] = r.String()
	}
	return strings.Join(lines, "\n")
}

func TestEvalFrom(t *testing.T) {
	idx := []string{"logs-endpoint.events.process-default", "logs-system.security-default", "winlogbeat-8", ".alerts-security.alerts-default"}
	runEvalCases(t, []evalCase{
		{name: "wildcard pattern", query: `FROM logs-* | KEEP host.name`, indices: idx, want: "host.name=h1\nhost.name=h1"},
		{name: "comma list", query: `FROM logs-system.*, winlogbeat-* | KEEP host.name`, indices: idx, want: "host.name=h1\nhost.name=h2"},
		{name: "exclusion", query: `FROM logs-*, -logs-system* | KEEP host.name`, indices: idx, want: "host.name=h1"},
		{name: "exclusion then inclusion", query: `FROM logs-*, -logs-*, logs-system* | KEEP host.name`, indices: idx, want: "host.name=h1"},
		{name: "star does not read hidden indices", query: `FROM * | STATS n = COUNT(*)`, indices: idx, want: "n=3"},
		{name: "dot pattern reads hidden index", query: `FROM .alerts-security.* | KEEP host.name`, indices: idx, want: "host.name=h3"},
		{name: "backing index of a data stream", query: `FROM logs-endpoint.* METADATA _index | KEEP _index`, indices: []string{".ds-logs-endpoint.events.process-default-2024.05.01-000001", ".ds-metrics-x-2024.05.01-000002", "logs-endpoint.alerts-default", ".ds-logs-endpoint-bad"}, want: "_index=.ds-logs-endpoint.events.process-default-2024.05.01-000001\n_index=logs-endpoint.alerts-default"},
		{name: "exact name", query: `FROM winlogbeat-8 | KEEP host.name`, indices: idx, want: "host.name=h2"},
		{name: "cluster prefix ignored", query: `FROM remote:winlogbeat-* | KEEP host.name`, indices: idx, want: "host.name=h2"},
		{name: "quoted patterns", query: `FROM "winlogbeat-*,logs-system*" | KEEP host.name`, indices: idx, want: "host.name=h1\nhost.name=h2"},
		{name: "failure store holds nothing", query: `FROM winlogbeat-8::failures | STATS n = COUNT(*)`, indices: idx, want: "n=0"},
		{name: "no match", query: `FROM metrics-* | STATS n = COUNT(*)`, indices: idx, want: "n=0"},
		{name: "metadata index and version", query: `FROM win* METADATA _index, _version | KEEP _index, _version`, indices: idx, want: "_index=winlogbeat-8, _version=1"},
		{name: "metadata id is null without ids", query: `FROM win* METADATA _id | KEEP _id`, indices: idx, want: "_id=null"},
		{name: "metadata field without METADATA", query: `FROM win* | KEEP _index`, indices: idx, err: "METADATA _index"},
		{name: "columns sorted by name", query: `FROM x | WHERE bytes == 50 | DROP @timestamp, message, process.args`, want: "bytes=50, event.action=end, event.code=null, host.ip=192.168.1.5, host.name=h2, process.name=cmd.exe, process.pid=300, user.name=alice"},
		{name: "unmapped field typed from its value", query: `FROM x | WHERE n > 2 | KEEP n, s`, types: map[string]estype.Type{}, docs: `{"n": 1, "s": "a"}
{"n": 3.5, "s": "b"}`, want: "n=3, s=b"}, // the first value maps n as long
		{name: "unmapped whole number is long", query: `FROM x | EVAL t = n / 2 | KEEP t`, types: map[string]estype.Type{}, docs: `{"n": 5}`, want: "t=2"},
		{name: "keyword multi-value sorted and deduplicated", query: `FROM x | KEEP k`, types: map[string]estype.Type{"k": estype.Keyword}, docs: `{"k": ["b", "a", "b"]}`, want: "k=[a, b]"},
		{name: "long multi-value sorted with duplicates", query: `FROM x | KEEP n`, types: map[string]estype.Type{"n": estype.Long}, docs: `{"n": [3, 1, 3]}`, want: "n=[1, 3, 3]"},
		{name: "text keeps source order", query: `FROM x | KEEP m`, types: map[string]estype.Type{"m": estype.Text}, docs: `{"m": ["b", "a", "b"]}`, want: "m=[b, a, b]"},
		{name: "dotted keys and nested objects", query: `FROM x | KEEP a.b`, types: map[string]estype.Type{"a.b": estype.Keyword}, docs: `{"a.b": "x"}
{"a": {"b": "y"}}
{"a": [{"b": "z"}, {"b": "w"}]}`, want: "a.b=x\na.b=y\na.b=[w, z]"},
		{name: "multi-field reads its parent", query: `FROM x | KEEP process.command_line.text`, types: map[string]estype.Type{"process.command_line": estype.Wildcard, "process.command_line.text": estype.MatchOnlyText}, docs: `{"process": {"command_line": "a b"}}`, want: "process.command_line.text=a b"},
		{name: "a field no document holds is null", query: `FROM x | WHERE dns.question.name IS NULL | STATS n = COUNT(*)`, want: "n=4"},
		{name: "integer field", query: `FROM x | EVAL y = n + 1 | KEEP y`, types: map[string]estype.Type{"n": estype.Integer}, docs: `{"n": 2147483647}`, want: "y=null", warn: "integer overflow"},
		{name: "value the field cannot hold is left out", query: `FROM x | KEEP n`, types: map[string]estype.Type{"n": estype.Long}, docs: `{"n": "abc"}
{"n": "12"}`, want: "n=null\nn=12"},
		{name: "ip field", query: `FROM x | WHERE host.ip == "10.0.0.2" | KEEP host.ip`, want: "host.ip=10.0.0.2"},
		{name: "geo point forms", query: `FROM x | EVAL x = ST_X(p), y = ST_Y(p) | KEEP x, y`, types: map[string]estype.Type{"p": estype.GeoPoint}, docs: `{"p": {"lat": 1.5, "lon": 2.5}}
{"p": "1.5,2.5"}
{"p": "POINT (2.5 1.5)"}
{"p": [2.5, 1.5]}`, want: "x=2.5, y=1.5\nx=2.5, y=1.5\nx=2.5, y=1.5\nx=2.5, y=1.5"},
		{name: "boolean field", query: `FROM x | WHERE b | STATS n = COUNT(*)`, types: map[string]estype.Type{"b": estype.Boolean}, docs: `{"b": true}
{"b": "false"}
{"b": "true"}`, want: "n=2"},
		{name: "row", query: `ROW a = 1, b = "x", c = [1, 2], d = null`, want: "a=1, b=x, c=[1, 2], d=null"},
		{name: "row unnamed expression", query: `ROW 1 + 1`, want: "1 + 1=2"},
	})
}

func TestEvalNulls(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "comparison with a missing field is null", query: `FROM x | WHERE user.name != "alice" | KEEP process.name`, want: "process.name=powershell.exe"},
		{name: "NOT of null is null", query: `FROM x | WHERE NOT user.name == "alice" | KEEP process.name`, want: "process.name=powershell.exe"},
		{name: "IS NULL", query: `FROM x | WHERE user.name IS NULL | KEEP process.name`, want: "process.name=bash"},
		{name: "IS NOT NULL", query: `FROM x | WHERE event.code IS NOT NULL | KEEP process.name`, want: "process.name=cmd.exe"},
		{name: "null OR true", query: `ROW a = null::boolean OR true`, want: "a=true"},
		{name: "null OR false", query: `ROW a = null::boolean OR false`, want: "a=null"},
		{name: "null AND false", query: `ROW a = null::boolean AND false`, want: "a=false"},
		{name: "null AND true", query: `ROW a = null::boolean AND true`, want: "a=null"},
		{name: "NOT null", query: `ROW a = NOT null::boolean`, want: "a=null"},
		{name: "null equals null is null", query: `ROW a = null == null`, want: "a=null"},
		{name: "arithmetic with null", query: `ROW a = 1 + null`, want: "a=null"},
		{name: "IN with a null in the list", query: `ROW a = 3 IN (1, null), b = 1 IN (1, null), c = 3 NOT IN (1, null)`, want: "a=null, b=true, c=null"},
		{name: "null IN", query: `ROW a = null IN (1, 2)`, want: "a=null"},
		{name: "WHERE keeps only true", query: `FROM x | WHERE bytes > 60 OR user.name == "nobody" | KEEP bytes`, want: "bytes=100\nbytes=250"},
		{name: "CASE with a null condition", query: `ROW a = CASE(null, 1, 2)`, want: "a=2"},
		{name: "CASE without else", query: `ROW a = CASE(false, 1)`, want: "a=null"},
		{name: "COALESCE", query: `FROM x | EVAL u = COALESCE(user.name, host.name) | KEEP u`, want: "u=alice\nu=bob\nu=alice\nu=h3"},
		{name: "function of null is null", query: `ROW a = LENGTH(null), b = CONCAT("a", null), c = TO_UPPER(null)`, want: "a=null, b=null, c=null"},
		{name: "LIKE on null is null", query: `FROM x | WHERE NOT user.name LIKE "a*" | KEEP user.name`, want: "user.name=bob"},
		{name: "count of a null expression", query: `FROM x | STATS n = COUNT(user.name), m = COUNT(*)`, want: "n=3, m=4"},
	})
}

func TestEvalMultiValues(t *testing.T) {
	mvDocs := `{"tags": ["a", "b"], "n": [1, 5], "s": "x"}
{"tags": "a", "n": 3, "s": "y"}`
	mvTypes := map[string]estype.Type{"tags": estype.Keyword, "n": estype.Long, "s": estype.Keyword}
	runEvalCases(t, []evalCase{
		{name: "comparison of a multi-value is null", query: `FROM x | WHERE tags == "a" | KEEP s`, docs: mvDocs, types: mvTypes, want: "s=y", warn: multiValueWarning},
		{name: "IN of a multi-value is null", query: `FROM x | WHERE tags IN ("a", "b") | KEEP s`, docs: mvDocs, types: mvTypes, want: "s=y"},
		{name: "LIKE of a multi-value is null", query: `FROM x | WHERE tags LIKE "*" | KEEP s`, docs: mvDocs, types: mvTypes, want: "s=y"},
		{name: "IS NOT NULL of a multi-value", query: `FROM x | WHERE tags IS NOT NULL | KEEP s`, docs: mvDocs, types: mvTypes, want: "s=x\ns=y"},
		{name: "single-value function of a multi-value", query: `FROM x | EVAL l = LENGTH(tags) | KEEP l`, docs: mvDocs, types: mvTypes, want: "l=null\nl=1", warn: multiValueWarning},
		{name: "arithmetic on a multi-value", query: `FROM x | EVAL m = n * 2 | KEEP m`, docs: mvDocs, types: mvTypes, want: "m=null\nm=6"},
		{name: "TO_UPPER maps each value", query: `FROM x | EVAL u = TO_UPPER(tags) | KEEP u`, docs: mvDocs, types: mvTypes, want: "u=[A, B]\nu=A"},
		{name: "TO_STRING maps each value", query: `FROM x | EVAL u = TO_STRING(n) | KEEP u`, docs: mvDocs, types: mvTypes, want: "u=[1, 5]\nu=3"},
		{name: "MV_CONTAINS", query: `FROM x | WHERE MV_CONTAINS(tags, "b") | KEEP s`, docs: mvDocs, types: mvTypes, want: "s=x"},
		{name: "MV_COUNT, MV_FIRST, MV_LAST", query: `FROM x | EVAL c = MV_COUNT(n), f = MV_FIRST(n), l = MV_LAST(n) | KEEP c, f, l`, docs: mvDocs, types: mvTypes, want: "c=2, f=1, l=5\nc=1, f=3, l=3"},
		{name: "MV_MIN, MV_MAX, MV_SUM, MV_AVG", query: `FROM x | EVAL a = MV_MIN(n), b = MV_MAX(n), c = MV_SUM(n), d = MV_AVG(n) | KEEP a, b, c, d`, docs: mvDocs, types: mvTypes, want: "a=1, b=5, c=6, d=3.0\na=3, b=3, c=3, d=3.0"},
		{name: "MV_CONCAT", query: `FROM x | EVAL c = MV_CONCAT(tags, "+") | KEEP c`, docs: mvDocs, types: mvTypes, want: "c=a+b\nc=a"},
		{name: "MV_DEDUPE", query: `ROW a = MV_DEDUPE(["x", "y", "x"])`, want: "a=[x, y]"},
		{name: "MV_SLICE", query: `ROW a = MV_SLICE([1, 2, 3, 4], 1, 2), b = MV_SLICE([1, 2, 3], -1), c = MV_SLICE([1, 2], 5)`, want: "a=[2, 3], b=3, c=null"},
		{name: "MV_SORT descending", query: `ROW a = MV_SORT([3, 1, 2], "DESC")`, want: "a=[3, 2, 1]"},
		{name: "MV_APPEND", query: `ROW a = MV_APPEND([1, 2], 3), b = MV_APPEND(null, 4)`, want: "a=[1, 2, 3], b=4"},
		{name: "MV_INTERSECTION", query: `ROW a = MV_INTERSECTION(["a", "b", "c"], ["c", "a", "z"])`, want: "a=[a, c]"},
		{name: "MV_ZIP", query: `ROW a = MV_ZIP(["x", "y", "z"], ["1", "2"], "-")`, want: "a=[x-1, y-2, z]"},
		{name: "MV_MEDIAN of whole numbers rounds down", query: `ROW a = MV_MEDIAN([1, 2]), b = MV_MEDIAN([1.0, 2.0]), c = MV_MEDIAN([5, 1, 3])`, want: "a=1, b=1.5, c=3"},
		{name: "COALESCE keeps a multi-value", query: `FROM x | EVAL c = COALESCE(tags, s) | KEEP c`, docs: mvDocs, types: mvTypes, want: "c=[a, b]\nc=a"},
		{name: "MV_EXPAND", query: `FROM x | MV_EXPAND tags | KEEP tags, s`, docs: mvDocs, types: mvTypes, want: "tags=a, s=x\ntags=b, s=x\ntags=a, s=y"},
		{name: "MV_EXPAND keeps nulls", query: `ROW a = null, b = 1 | MV_EXPAND a`, want: "a=null, b=1"},
		{name: "SPLIT makes a multi-value", query: `ROW a = SPLIT("a,b,,c", ",")`, want: "a=[a, b, , c]"},
		{name: "multi-valued condition is null", query: `ROW b = [true, false] | WHERE b`, want: "", warn: multiValueWarning},
	})
}

func TestEvalLike(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "LIKE is anchored", query: `ROW a = "cmd.exe" LIKE "cmd", b = "cmd.exe" LIKE "cmd*"`, want: "a=false, b=true"},
		{name: "LIKE is case-sensitive", query: `ROW a = "CMD.EXE" LIKE "cmd*"`, want: "a=false"},
		{name: "LIKE question mark", query: `ROW a = "abc" LIKE "a?c", b = "abbc" LIKE "a?c"`, want: "a=true, b=false"},
		{name: "LIKE escaped star", query: `ROW a = "a*b" LIKE """a\*b""", b = "axb" LIKE """a\*b"""`, want: "a=true, b=false"},
		{name: "LIKE windows path", query: `ROW a = "C:\\Windows\\System32\\cmd.exe" LIKE "C:\\\\Windows\\\\*\\\\cmd.exe"`, want: "a=true"},
		{name: "LIKE list", query: `ROW a = "bash" LIKE ("sh", "*ash")`, want: "a=true"},
		{name: "NOT LIKE", query: `ROW a = "bash" NOT LIKE "b*"`, want: "a=false"},
		{name: "LIKE over a field", query: `FROM x | WHERE process.name LIKE "*.exe" | KEEP process.name`, want: "process.name=cmd.exe\nprocess.name=powershell.exe\nprocess.name=cmd.exe"},
		{name: "RLIKE is anchored", query: `ROW a = "cmd.exe" RLIKE "cmd", b = "cmd.exe" RLIKE "cmd.*"`, want: "a=false, b=true"},
		{name: "RLIKE is case-sensitive", query: `ROW a = "CMD" RLIKE "cmd", b = "CMD" RLIKE "[cC][mM][dD]"`, want: "a=false, b=true"},
		{name: "RLIKE Lucene syntax", query: `ROW a = "ab12" RLIKE "ab<10-20>", b = "abc" RLIKE "~(abd)", c = "x" RLIKE "@"`, want: "a=true, b=true, c=true"},
		{name: "RLIKE alternatives", query: `ROW a = "/dev/tcp/1.2.3.4" RLIKE ".*(/dev/tcp/|nc -e).*"`, want: "a=true"},
		{name: "RLIKE list", query: `ROW a = "bash" RLIKE ("zsh", "ba.h")`, want: "a=true"},
		{name: "invalid RLIKE", query: `ROW a = "x" RLIKE "a{"`, err: "invalid RLIKE pattern"},
		{name: "to_lower makes a match case-insensitive", query: `FROM x | WHERE TO_LOWER(message) == "user alice logged on" | KEEP user.name`, want: "user.name=alice"},
		{name: "LIKE of a number is a type error", query: `ROW a = 1 LIKE "1"`, err: "must be [string]"},
	})
}

func TestEvalStats(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "count by", query: `FROM x | STATS n = COUNT(*) BY host.name | SORT host.name`, want: "n=2, host.name=h1\nn=1, host.name=h2\nn=1, host.name=h3"},
		{name: "null key is a group", query: `FROM x | STATS n = COUNT(*) BY user.name | SORT user.name`, want: "n=2, user.name=alice\nn=1, user.name=bob\nn=1, user.name=null"},
		{name: "BY a multi-valued key", query: `FROM x | STATS n = COUNT(*) BY process.args | SORT process.args`, want: "n=1, process.args=/c\nn=1, process.args=cmd.exe\nn=1, process.args=whoami\nn=3, process.args=null"},
		{name: "BY two keys, one multi-valued", query: `ROW a = [1, 2], b = ["x", "y"] | STATS n = COUNT(*) BY a, b`, want: "n=1, a=1, b=x\nn=1, a=1, b=y\nn=1, a=2, b=x\nn=1, a=2, b=y"},
		{name: "without BY over no rows", query: `FROM x | WHERE bytes > 1000 | STATS n = COUNT(*), m = MAX(bytes), s = SUM(bytes)`, want: "n=0, m=null, s=null"},
		{name: "with BY over no rows", query: `FROM x | WHERE bytes > 1000 | STATS n = COUNT(*) BY host.name`, want: ""},
		{name: "count_distinct N-1 is below N", query: `FROM x | STATS d = COUNT_DISTINCT(user.name) BY host.name | WHERE d >= 2 | KEEP host.name`, want: "host.name=h1"},
		{name: "count_distinct exactly N", query: `FROM x | STATS d = COUNT_DISTINCT(process.name) | WHERE d >= 3`, want: "d=3"},
		{name: "count_distinct N-1 fails N", query: `FROM x | WHERE host.name != "h3" | STATS d = COUNT_DISTINCT(process.name) | WHERE d >= 3`, want: ""},
		{name: "count_distinct counts each value", query: `ROW a = ["x", "y", "x"] | STATS d = COUNT_DISTINCT(a), c = COUNT(a)`, want: "d=2, c=3"},
		{name: "filtered aggregates", query: `FROM x | STATS s = COUNT(*) WHERE event.action == "start", e = COUNT(*) WHERE event.action == "end", all = COUNT(*)`, want: "s=3, e=1, all=4"},
		{name: "filtered count_distinct", query: `FROM x | STATS d = COUNT_DISTINCT(host.name) WHERE process.name == "cmd.exe" BY user.name | SORT user.name`, want: "d=2, user.name=alice\nd=0, user.name=bob\nd=0, user.name=null"},
		{name: "expression over aggregates", query: `FROM x | STATS r = COUNT(*) / COUNT_DISTINCT(host.name), f = TO_DOUBLE(COUNT(*)) / 3`, want: "r=1, f=1.3333333333333333"},
		{name: "aggregate of an expression", query: `FROM x | STATS s = SUM(CASE(event.action == "start", 1, 0))`, want: "s=3"},
		{name: "values sorted", query: `FROM x | STATS v = VALUES(process.name) BY host.name | SORT host.name`, want: "v=[cmd.exe, powershell.exe], host.name=h1\nv=cmd.exe, host.name=h2\nv=bash, host.name=h3"},
		{name: "MV_SLICE of VALUES", query: `FROM x | STATS v = MV_SLICE(MV_DEDUPE(VALUES(process.name)), 0, 1)`, want: "v=[bash, cmd.exe]"},
		{name: "min max sum avg", query: `FROM x | STATS mn = MIN(bytes), mx = MAX(bytes), s = SUM(bytes), a = AVG(bytes)`, want: "mn=50, mx=250, s=400, a=133.33333333333334"},
		{name: "min max of strings and dates", query: `FROM x | STATS a = MIN(process.name), b = MAX(@timestamp)`, want: "a=bash, b=2024-05-02T09:30:00.000Z"},
		{name: "median and percentile", query: `ROW a = [1, 2, 3, 4] | STATS m = MEDIAN(a), p = PERCENTILE(a, 25), mad = MEDIAN_ABSOLUTE_DEVIATION(a)`, want: "m=2.5, p=1.75, mad=1"},
		{name: "std_dev", query: `ROW a = [2, 4, 4, 4, 5, 5, 7, 9] | STATS s = STD_DEV(a)`, want: "s=2.0"},
		{name: "sum overflow", query: `ROW a = 9223372036854775807 | MV_EXPAND a | STATS s = SUM(a) + 0 | EVAL t = s`, want: "s=9223372036854775807, t=9223372036854775807"},
		{name: "sum of doubles", query: `ROW a = [0.1, 0.2] | STATS s = SUM(a)`, want: "s=0.30000000000000004"},
		{name: "top", query: `FROM x | STATS t = TOP(bytes, 2, "desc"), b = TOP(process.name, 1, "asc")`, want: "t=[250, 100], b=bash"},
		{name: "first and last", query: `FROM x | STATS f = FIRST(process.name, @timestamp), l = LAST(process.name, @timestamp)`, want: "f=cmd.exe, l=bash"},
		{name: "BY an expression", query: `FROM x | STATS n = COUNT(*) BY hour = DATE_TRUNC(1 hour, @timestamp) | SORT hour`, want: "n=2, hour=2024-05-01T10:00:00.000Z\nn=1, hour=2024-05-01T11:00:00.000Z\nn=1, hour=2024-05-02T09:00:00.000Z"},
		{name: "unnamed aggregate and group", query: `FROM x | STATS COUNT(*) BY LENGTH(process.name) | SORT ` + "`LENGTH(process.name)`", want: "COUNT(*)=1, LENGTH(process.name)=4\nCOUNT(*)=2, LENGTH(process.name)=7\nCOUNT(*)=1, LENGTH(process.name)=14"},
		{name: "BY only", query: `FROM x | STATS BY event.action | SORT event.action`, want: "event.action=end\nevent.action=start"},
		{name: "group key in the aggregate expression", query: `FROM x | STATS m = MAX(bytes) + n BY n = LENGTH(host.name)`, want: "m=252, n=2"},
		{name: "two STATS in a row", query: `FROM x | STATS n = COUNT(*) BY host.name | STATS hosts = COUNT(*), most = MAX(n)`, want: "hosts=3, most=2"},
		{name: "present and absent", query: `FROM x | STATS p = PRESENT(event.code), a = ABSENT(event.code)`, want: "p=true, a=false"},
		{name: "weighted_avg", query: `ROW v = [1, 3], w = [1, 3] | MV_EXPAND v | STATS x = WEIGHTED_AVG(v, 2)`, want: "x=2.0"},
		{name: "BUCKET with a span", query: `FROM x | STATS n = COUNT(*) BY b = BUCKET(bytes, 100) | SORT b`, want: "n=1, b=0.0\nn=1, b=100.0\nn=1, b=200.0\nn=1, b=null"},
		{name: "INLINE STATS", query: `FROM x | INLINE STATS hosts = COUNT_DISTINCT(host.name) BY user.name | KEEP process.name, hosts, user.name`, want: "process.name=cmd.exe, hosts=2, user.name=alice\nprocess.name=powershell.exe, hosts=1, user.name=bob\nprocess.name=cmd.exe, hosts=2, user.name=alice\nprocess.name=bash, hosts=1, user.name=null"},
		{name: "INLINE STATS without BY", query: `FROM x | INLINE STATS total = SUM(bytes) | WHERE bytes * 4 > total | KEEP bytes, total`, want: "bytes=250, total=400"},
		{name: "INLINE STATS keeps the rows' documents", query: `FROM x | INLINE STATS n = COUNT(*) BY host.name | WHERE KQL("process.name: cmd.exe") | KEEP n`, want: "n=2\nn=1"},
		{name: "unknown column after STATS", query: `FROM x | STATS n = COUNT(*) | KEEP host.name`, err: "Unknown column [host.name]"},
	})
}

func TestEvalCommands(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "EVAL adds at the end", query: `FROM x | KEEP user.name, bytes | EVAL k = bytes * 2 | LIMIT 1`, want: "user.name=alice, bytes=100, k=200"},
		{name: "EVAL sees its earlier fields", query: `ROW a = 1 | EVAL b = a + 1, c = b * 10`, want: "a=1, b=2, c=20"},
		{name: "EVAL replaces a column", query: `ROW a = 1, b = 2 | EVAL a = "x"`, want: "b=2, a=x"},
		{name: "KEEP order and patterns", query: `FROM x | KEEP user.*, host.name | LIMIT 1`, want: "user.name=alice, host.name=h1"},
		{name: "KEEP exact name wins over pattern", query: `FROM x | KEEP host.*, host.ip | LIMIT 1`, want: "host.name=h1, host.ip=10.0.0.1"},
		{name: "KEEP unknown column", query: `ROW a = 1 | KEEP b`, err: "Unknown column [b]"},
		{name: "a field the query reads is a column", query: `FROM x | KEEP nothing.here | LIMIT 1`, want: "nothing.here=null"},
		{name: "DROP", query: `ROW a = 1, b = 2, c = 3 | DROP b`, want: "a=1, c=3"},
		{name: "DROP pattern", query: `ROW ab = 1, ac = 2, b = 3 | DROP a*`, want: "b=3"},
		{name: "RENAME in place", query: `ROW a = 1, b = 2 | RENAME a AS z`, want: "z=1, b=2"},
		{name: "RENAME onto an existing name", query: `ROW a = 1, b = 2 | RENAME a AS b`, want: "b=1"},
		{name: "RENAME with =", query: `ROW a = 1 | RENAME z = a`, want: "z=1"},
		{name: "SORT descending", query: `FROM x | SORT bytes DESC | KEEP bytes`, want: "bytes=null\nbytes=250\nbytes=100\nbytes=50"},
		{name: "SORT nulls last", query: `FROM x | SORT bytes DESC NULLS LAST | KEEP bytes`, want: "bytes=250\nbytes=100\nbytes=50\nbytes=null"},
		{name: "SORT ascending nulls first", query: `FROM x | SORT user.name NULLS FIRST, bytes | KEEP user.name, bytes`, want: "user.name=null, bytes=null\nuser.name=alice, bytes=50\nuser.name=alice, bytes=100\nuser.name=bob, bytes=250"},
		{name: "SORT a multi-value by its smallest value", query: `ROW a = [5, 1] | EVAL k = 0 | MV_EXPAND k | EVAL a2 = a | SORT a2 | KEEP a2`, want: "a2=[5, 1]"},
		{name: "SORT dates", query: `FROM x | SORT @timestamp DESC | KEEP process.name | LIMIT 2`, want: "process.name=bash\nprocess.name=cmd.exe"},
		{name: "LIMIT", query: `FROM x | LIMIT 2 | KEEP bytes`, want: "bytes=100\nbytes=250"},
		{name: "LIMIT 0", query: `FROM x | LIMIT 0`, want: ""},
		{name: "FORK", query: `FROM x | FORK (WHERE bytes > 200 | KEEP bytes) (WHERE bytes < 60 | KEEP user.name)`, want: "bytes=250, _fork=fork1, user.name=null\nbytes=null, _fork=fork2, user.name=alice"},
		{name: "ENRICH is unsupported", query: `FROM x | ENRICH hosts ON host.name`, err: "unsupported: ENRICH"},
		{name: "LOOKUP JOIN is unsupported", query: `FROM x | LOOKUP JOIN threat_intel ON source.ip`, err: "unsupported: LOOKUP JOIN"},
		{name: "COMPLETION is unsupported", query: `FROM x | COMPLETION answer = "why?" WITH {"inference_id": "gpt"}`, err: "unsupported: COMPLETION"},
		{name: "unsupported even over no documents", query: `FROM x | WHERE true | ENRICH p`, docs: "-", err: "1:23: unsupported: ENRICH"},
		{name: "SAMPLE is unsupported", query: `FROM x | SAMPLE 0.5`, err: "unsupported: SAMPLE"},
		{name: "parameters are unsupported", query: `FROM x | WHERE bytes > ?limit`, err: "unsupported: query parameter"},
	})
}

func TestEvalDissect(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "basic", query: `ROW a = "foo bar,baz" | DISSECT a "%{x} %{y},%{z}"`, want: "a=foo bar,baz, x=foo, y=bar, z=baz"},
		{name: "no match is null", query: `ROW a = "foo bar baz" | DISSECT a "%{x},%{y}" | KEEP x, y`, want: "x=null, y=null"},
		{name: "leading and trailing text", query: `ROW a = "[a|b]" | DISSECT a "[%{x}|%{y}]" | KEEP x, y`, want: "x=a, y=b"},
		{name: "skip keys", query: `ROW a = "1 2 3" | DISSECT a "%{x} %{?y} %{} " | KEEP x`, want: "x=null"},
		{name: "named skip", query: `ROW a = "1 2 3" | DISSECT a "%{x} %{?y} %{z}" | KEEP x, z`, want: "x=1, z=3"},
		{name: "right padding", query: `ROW a = "foo      bar" | DISSECT a "%{x->} %{y}" | KEEP x, y`, want: "x=foo, y=bar"},
		{name: "consecutive delimiters are empty values", query: `ROW a = "a,,,d" | DISSECT a "%{w},%{x},%{y},%{z}" | KEEP w, x, y, z`, want: "w=a, x=, y=, z=d"},
		{name: "append with separator", query: `ROW a = "john jacob smith" | DISSECT a "%{+n} %{+n} %{+n}" APPEND_SEPARATOR = "_" | KEEP n`, want: "n=john_jacob_smith"},
		{name: "append with order", query: `ROW a = "a b c" | DISSECT a "%{+n/3} %{+n/1} %{+n/2}" | KEEP n`, want: "n=bca"},
		{name: "keys with dots", query: `ROW a = "verdict=TP confidence=0.9 summary=bad stuff" | DISSECT a """verdict=%{Esql.verdict} confidence=%{Esql.confidence} summary=%{Esql.summary}""" | KEEP Esql.*`, want: "Esql.verdict=TP, Esql.confidence=0.9, Esql.summary=bad stuff"},
		{name: "rule pattern with skipped braces", query: `ROW a = "{bucketName=b1, host=h.s3.amazonaws.com, location=x/static/js/app.js}" | DISSECT a "%{{?bucket.name.key}=%{bn}, %{?host.key}=%{h}, %{?loc.key}=%{l}}" | KEEP bn, h, l`, want: "bn=b1, h=h.s3.amazonaws.com, l=x/static/js/app.js"},
		{name: "leading skip", query: `ROW a = "xx/document/orchestration/abc-123/yy" | DISSECT a "%{}/document/orchestration/%{id}/%{}" | KEEP id`, want: "id=abc-123"},
		{name: "multi-valued input", query: `ROW a = ["1-2", "x", "3-4"] | DISSECT a "%{p}-%{q}" | KEEP p, q`, want: "p=[1, 3], q=[2, 4]"},
		{name: "replaces a column", query: `ROW x = 1, a = "u v" | DISSECT a "%{x} %{y}" | KEEP x, y`, want: "x=u, y=v"},
		{name: "reference keys are refused", query: `ROW a = "a b" | DISSECT a "%{*k} %{&k}"`, err: "Reference keys not supported"},
		{name: "pattern without keys", query: `ROW a = "a b" | DISSECT a "plain"`, err: "Unable to find any keys"},
		{name: "input must be a string", query: `ROW a = 1 | DISSECT a "%{x}"`, err: "must be a string"},
	})
}

func TestEvalGrok(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "named patterns", query: `ROW a = "2023-01-23T12:15:00.000Z 127.0.0.1 some.email@foo.com 42" | GROK a """%{TIMESTAMP_ISO8601:date} %{IP:ip} %{EMAILADDRESS:email} %{NUMBER:num}""" | KEEP date, ip, email, num`, want: "date=2023-01-23T12:15:00.000Z, ip=127.0.0.1, email=some.email@foo.com, num=42"},
		{name: "columns sorted by name, typed", query: `ROW a = "x 42 3.5" | GROK a "%{WORD:w} %{INT:n:int} %{NUMBER:f:float}" | DROP a`, want: "f=3.5, n=42, w=x"},
		{name: "no match is null", query: `ROW a = "nothing" | GROK a "%{IP:ip}" | KEEP ip`, want: "ip=null"},
		{name: "URIPROTO and URIHOST", query: `ROW a = " curl -s https://evil.example.com:8443/payload" | GROK a "%{URIPROTO:proto}://%{URIHOST:host}" | KEEP proto, host`, want: "proto=https, host=evil.example.com:8443"},
		{name: "optional parts and anchors", query: `ROW t = "evil.example.com/x" | GROK t "^(?:%{URIPROTO:p}://)?%{URIHOST:h}(?:/%{GREEDYDATA})?$" | KEEP p, h`, want: "p=null, h=evil.example.com"},
		{name: "regex named groups with dots", query: `ROW a = "x,instanceId=i-0abc, y" | GROK a """instanceId=(?<Esql.instance_id>[^,}\]]+)""" | KEEP Esql.instance_id`, want: "Esql.instance_id=i-0abc"},
		{name: "Ruby multiline and case options", query: `ROW a = "Header\nsan: dns=evil.com\nOther: x" | GROK a """(?im)^[ \t]*SAN[ \t]*:[ \t]*dns[ \t]*=[ \t]*(?<v>[^\r\n]+)\r?$""" | KEEP v`, want: "v=evil.com"},
		{name: "DATA and GREEDYDATA", query: `ROW d = "/api/v1/namespaces/ns/pods/p/exec?command=id&command=-a&container=c&stdout=true" | GROK d "%{DATA}/exec\\?%{DATA:raw}&(?:container|stdin|stdout|stderr)=%{GREEDYDATA}" | KEEP raw`, want: "raw=command=id&command=-a"},
		{name: "INT, DATA and escaped dot", query: `ROW n = "12-abcdef.evil.com" | GROK n "%{INT:idx}-%{DATA:payload}\\.%{GREEDYDATA:base}" | KEEP idx, payload, base`, want: "idx=12, payload=abcdef, base=evil.com"},
		{name: "NOTSPACE", query: `ROW r = "x accessKeyId=ASIA123, y" | GROK r "accessKeyId=%{NOTSPACE:k}," | KEEP k`, want: "k=ASIA123"},
		{name: "same name twice is a multi-value", query: `ROW a = "1 2" | GROK a "%{INT:n} %{INT:n}" | KEEP n`, want: "n=[1, 2]"},
		{name: "several patterns are alternatives", query: `ROW a = ["x=1", "y:2"] | MV_EXPAND a | GROK a "x=%{INT:v}", "y:%{INT:v}" | KEEP v`, want: "v=1\nv=2"},
		{name: "multi-valued input", query: `ROW a = ["k=1", "no", "k=2"] | GROK a "k=%{INT:v}" | KEEP v`, want: "v=[1, 2]"},
		{name: "lookbehind of BASE10NUM", query: `ROW a = "v-12" | GROK a "%{NUMBER:n}" | KEEP n`, want: "n=-12"},
		{name: "IPV6", query: `ROW a = "from fe80::1:2 to 2001:db8::ff00:42:8329" | GROK a "from %{IPV6:a} to %{IP:b}" | KEEP a, b`, want: "a=fe80::1:2, b=2001:db8::ff00:42:8329"},
		{name: "unknown pattern", query: `ROW a = "x" | GROK a "%{NOPE:x}"`, err: "Unable to find pattern [NOPE]"},
		{name: "invalid regex", query: `ROW a = "x" | GROK a "(?<x>["`, err: "Invalid GROK pattern"},
		{name: "one name two types", query: `ROW a = "x" | GROK a "%{INT:n:int} %{INT:n}"`, err: "defined multiple times with different types"},
	})
}

func TestEvalConversions(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "casts", query: `ROW a = "42"::integer, b = 1.5::long, c = 3::double, d = "true"::boolean, e = 7::keyword`, want: "a=42, b=2, c=3.0, d=true, e=7"},
		{name: "to_integer rounds half up", query: `ROW a = TO_INTEGER(2.5), b = TO_INTEGER(-2.5), c = TO_INTEGER("5.7")`, want: "a=3, b=-2, c=6"},
		{name: "to_integer out of range", query: `ROW a = TO_INTEGER(3000000000)`, want: "a=null", warn: "out of [integer] range"},
		{name: "to_long of a date", query: `ROW a = TO_LONG(TO_DATETIME("2024-01-01T00:00:00Z"))`, want: "a=1704067200000"},
		{name: "to_double of a bad string", query: `ROW a = TO_DOUBLE("abc"), b = TO_DOUBLE(" 1e3 ")`, want: "a=null, b=1000.0", warn: "Cannot convert"},
		{name: "to_string of doubles", query: `ROW a = TO_STRING(1.0), b = TO_STRING(0.1), c = TO_STRING(1e7), d = TO_STRING(1.5e-4), e = TO_STRING(123456.789)`, want: "a=1.0, b=0.1, c=1.0E7, d=1.5E-4, e=123456.789"},
		{name: "to_string of a date and an ip", query: `ROW a = TO_STRING(TO_DATETIME("2024-01-01")), b = TO_STRING(TO_IP("::ffff:10.0.0.1"))`, want: "a=2024-01-01T00:00:00.000Z, b=10.0.0.1"},
		{name: "to_datetime of epoch millis", query: `ROW a = TO_DATETIME(1704067200000)`, want: "a=2024-01-01T00:00:00.000Z"},
		{name: "to_datetime of a bad string", query: `ROW a = TO_DATETIME("yesterday")`, want: "a=null", warn: "failed to parse date"},
		{name: "to_ip", query: `ROW a = TO_IP("10.0.0.1"), b = TO_IP("nope")`, want: "a=10.0.0.1, b=null"},
		{name: "to_ip leading zeros", query: `ROW a = TO_IP("010.000.000.001", {"leading_zeros": "octal"}), b = TO_IP("010.000.000.001", {"leading_zeros": "decimal"})`, want: "a=8.0.0.1, b=10.0.0.1"},
		{name: "to_boolean", query: `ROW a = TO_BOOLEAN("TRUE"), b = TO_BOOLEAN("yes"), c = TO_BOOLEAN(0)`, want: "a=true, b=false, c=false"},
		{name: "to_version compares versions", query: `ROW a = TO_VERSION("1.10.0") > TO_VERSION("1.9.3"), b = TO_VERSION("1.0.0-rc1") < TO_VERSION("1.0.0")`, want: "a=true, b=true"},
		{name: "to_geopoint and st_distance", query: `ROW a = ROUND(ST_DISTANCE(TO_GEOPOINT("POINT(2.3522 48.8566)"), TO_GEOPOINT("POINT(-0.1276 51.5072)")) / 1000.0, 0)`, want: "a=344.0"},
		{name: "to_unsigned_long", query: `ROW a = TO_UNSIGNED_LONG("18446744073709551615")`, want: "a=18446744073709551615"},
		{name: "to_timeduration", query: `ROW a = TO_DATETIME("2024-01-01T00:00:00Z") + TO_TIMEDURATION("2 hours")`, want: "a=2024-01-01T02:00:00.000Z"},
		{name: "string compared with a date", query: `FROM x | WHERE @timestamp >= "2024-05-01T11:00:00Z" | KEEP process.name`, want: "process.name=cmd.exe\nprocess.name=bash"},
		{name: "string compared with an ip", query: `FROM x | WHERE host.ip != "10.0.0.1" | KEEP host.name`, want: "host.name=h1\nhost.name=h2"},
		{name: "numbers of different types", query: `ROW a = 1 == 1.0, b = 2147483648 > 1, c = 5 / 2, d = 5 / 2.0, e = -7 % 3`, want: "a=true, b=true, c=2, d=2.5, e=-1"},
		{name: "division by zero", query: `ROW a = 1 / 0, b = 1.0 / 0`, want: "a=null, b=null", warn: "/ by zero"},
		{name: "long overflow", query: `ROW a = 9223372036854775807 + 1`, want: "a=null", warn: "long overflow"},
		{name: "comparing a string and a number", query: `ROW a = "1" == 1`, err: "cannot compare [keyword] with [integer]"},
	})
}

func TestEvalDates(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "now and date math", query: `ROW a = NOW(), b = NOW() - 1 day, c = NOW() + 90 minutes`, want: "a=2024-05-02T12:00:00.000Z, b=2024-05-01T12:00:00.000Z, c=2024-05-02T13:30:00.000Z"},
		{name: "lookback filter", query: `FROM x | WHERE @timestamp > NOW() - 1 day | KEEP process.name`, want: "process.name=bash"},
		{name: "month arithmetic keeps the last day", query: `ROW a = TO_DATETIME("2024-01-31T10:00:00Z") + 1 month`, want: "a=2024-02-29T10:00:00.000Z"},
		{name: "date_trunc durations", query: `ROW d = TO_DATETIME("2024-05-01T10:07:33.250Z") | EVAL a = DATE_TRUNC(5 minutes, d), b = DATE_TRUNC(1 hour, d), c = DATE_TRUNC(1 second, d) | DROP d`, want: "a=2024-05-01T10:05:00.000Z, b=2024-05-01T10:00:00.000Z, c=2024-05-01T10:07:33.000Z"},
		{name: "date_trunc periods", query: `ROW d = TO_DATETIME("2024-05-01T10:07:33Z") | EVAL a = DATE_TRUNC(1 day, d), w = DATE_TRUNC(1 week, d), m = DATE_TRUNC(1 month, d), q = DATE_TRUNC(1 quarter, d), y = DATE_TRUNC(1 year, d) | DROP d`, want: "a=2024-05-01T00:00:00.000Z, w=2024-04-29T00:00:00.000Z, m=2024-05-01T00:00:00.000Z, q=2024-04-01T00:00:00.000Z, y=2024-01-01T00:00:00.000Z"},
		{name: "date_trunc several days and months", query: `ROW d = TO_DATETIME("2024-05-01T10:07:33Z") | EVAL a = DATE_TRUNC(3 days, d), m = DATE_TRUNC(5 months, d) | DROP d`, want: "a=2024-04-29T00:00:00.000Z, m=2024-05-01T00:00:00.000Z"},
		{name: "date_trunc months from year 1", query: `ROW d = TO_DATETIME(1737378896000) | EVAL m = DATE_TRUNC(7 months, d), y = DATE_TRUNC(5 years, TO_DATETIME("1974-06-01")) | DROP d`, want: "m=2024-08-01T00:00:00.000Z, y=1971-01-01T00:00:00.000Z"},
		{name: "date_trunc negative interval", query: `ROW a = DATE_TRUNC(-1 hour, NOW())`, err: "Zero or negative time interval"},
		{name: "date_trunc of a multi-value", query: `ROW d = MV_APPEND(NOW(), NOW()) | EVAL a = DATE_TRUNC(1 hour, d) | KEEP a`, want: "a=null"},
		{name: "date_diff", query: `ROW s = TO_DATETIME("2023-12-31T23:59:59Z"), e = TO_DATETIME("2024-01-01T00:00:01Z") | EVAL sec = DATE_DIFF("second", s, e), y = DATE_DIFF("year", s, e), d = DATE_DIFF("day", s, e), ms = DATE_DIFF("ms", e, s) | DROP s, e`, want: "sec=2, y=0, d=0, ms=-2000"},
		{name: "date_diff whole months", query: `ROW a = DATE_DIFF("month", TO_DATETIME("2024-01-31T00:00:00Z"), TO_DATETIME("2024-02-29T00:00:00Z")), b = DATE_DIFF("months", TO_DATETIME("2024-01-15T00:00:00Z"), TO_DATETIME("2024-03-15T00:00:00Z")), c = DATE_DIFF("mi", TO_DATETIME("2024-01-01T00:00:00Z"), TO_DATETIME("2024-01-01T01:30:59Z"))`, want: "a=0, b=2, c=90"},
		{name: "date_diff overflow", query: `ROW a = DATE_DIFF("ns", TO_DATETIME("2000-01-01"), TO_DATETIME("2024-01-01"))`, want: "a=null", warn: "out of [integer] range"},
		{name: "date_diff unknown unit", query: `ROW a = DATE_DIFF("fortnight", NOW(), NOW())`, want: "a=null", warn: "fortnight"},
		{name: "date_extract", query: `ROW d = TO_DATETIME("2024-05-01T10:07:33Z") | EVAL y = DATE_EXTRACT("year", d), h = DATE_EXTRACT("hour_of_day", d), w = DATE_EXTRACT("DAY_OF_WEEK", d) | DROP d`, want: "y=2024, h=10, w=3"},
		{name: "date_format default", query: `ROW a = DATE_FORMAT(TO_DATETIME("2024-05-01T10:07:33.5Z"))`, want: "a=2024-05-01T10:07:33.500Z"},
		{name: "date_format custom pattern", query: `ROW a = DATE_FORMAT("yyyy-MM-dd", NOW())`, err: "unsupported: DATE_FORMAT"},
		{name: "day_name", query: `ROW a = DAY_NAME(TO_DATETIME("2024-05-01T10:07:33Z")), b = MONTH_NAME(TO_DATETIME("2024-05-01T10:07:33Z"))`, want: "a=Wednesday, b=May"},
	})
}

func TestEvalStringFunctions(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "length counts code points", query: `ROW a = LENGTH("héllo"), b = BYTE_LENGTH("héllo"), c = BIT_LENGTH("ab")`, want: "a=5, b=6, c=16"},
		{name: "substring", query: `ROW a = SUBSTRING("hello", 2, 3), b = SUBSTRING("hello", -3), c = SUBSTRING("hello", 0, 2), d = SUBSTRING("hello", 10)`, want: "a=ell, b=llo, c=he, d="},
		{name: "locate", query: `ROW a = LOCATE("a b  c", "  "), b = LOCATE("abcabc", "c", 4), c = LOCATE("abc", "z")`, want: "a=4, b=6, c=0"},
		{name: "locate from the end", query: `ROW a = LOCATE("abcabc", "a", -3), b = LOCATE("ab", "abc"), c = LOCATE("x🙂y", "y")`, want: "a=4, b=0, c=4"},
		{name: "left and right", query: `ROW a = LEFT("hello", 2), b = RIGHT("hello", 3), c = LEFT("hi", 5)`, want: "a=he, b=llo, c=hi"},
		{name: "trims", query: `ROW a = TRIM("  x y \t"), b = LTRIM("  x "), c = RTRIM("  x ")`, want: "a=x y, b=x , c=  x"},
		{name: "starts_with ends_with contains", query: `ROW a = STARTS_WITH("powershell.exe", "power"), b = ENDS_WITH("a.exe", ".EXE"), c = CONTAINS("abc", "bc")`, want: "a=true, b=false, c=true"},
		{name: "concat", query: `ROW a = CONCAT("a", "b", "c")`, want: "a=abc"},
		{name: "replace with a regex", query: `ROW a = REPLACE("host:8080", ":[0-9]+$", ""), b = REPLACE("a.b.c", "\\.", "/")`, want: "a=host, b=a/b/c"},
		{name: "replace with group references", query: `ROW a = REPLACE("https://user:pw@host/", "(?i)(://)[^/@ ]+@", "$1<REDACTED>@")`, want: "a=https://<REDACTED>@host/"},
		{name: "replace counts matches", query: "ROW a = LENGTH(REPLACE(\"a``b``c\", \"[^`]\", \"\"))", want: "a=4"},
		{name: "replace with lookahead and possessive", query: "ROW a = REPLACE(\"a`xc\", \"\"\"[a-z]`(?![rntb])[a-z]\"\"\", \"!\"), b = REPLACE(\"${ab`cd}\", \"\"\"\\$\\{(\\w++`){1,}\\w++\\}\"\"\", \"X\")", want: "a=!c, b=X"},
		{name: "replace escapes in the replacement", query: `ROW a = REPLACE("a", "a", """\$1""")`, want: "a=$1"},
		{name: "replace invalid group", query: `ROW a = REPLACE("a", "a", "$2")`, want: "a=null", warn: "No group 2"},
		{name: "replace invalid regex", query: `ROW a = REPLACE("a", "(", "")`, err: "invalid regular expression"},
		{name: "to_lower to_upper", query: `ROW a = TO_LOWER("MiXeD"), b = TO_UPPER("MiXeD")`, want: "a=mixed, b=MIXED"},
		{name: "split", query: `ROW a = SPLIT("a b c", " "), b = SPLIT("abc", ",")`, want: "a=[a, b, c], b=abc"},
		{name: "split needs a one-byte delimiter", query: `ROW a = SPLIT("a::b", "::")`, want: "a=null", warn: "single byte"},
		{name: "space and repeat", query: `ROW a = CONCAT("[", SPACE(3), "]"), b = REPEAT("ab", 3)`, want: "a=[   ], b=ababab"},
		{name: "reverse", query: `ROW a = REVERSE("abc")`, want: "a=cba"},
		{name: "url_decode", query: `ROW a = URL_DECODE("a%20b+c%2Fd"), b = URL_DECODE("%zz")`, want: "a=a b c/d, b=null"},
		{name: "url_encode", query: `ROW a = URL_ENCODE("a b/c*~"), b = URL_ENCODE_COMPONENT("a b/c*~")`, want: "a=a+b%2Fc*%7E, b=a%20b%2Fc*~"},
		{name: "base64", query: `ROW a = FROM_BASE64("aGVsbG8="), b = TO_BASE64("hello"), c = FROM_BASE64("aGVsbG8"), d = FROM_BASE64("!!!")`, want: "a=hello, b=aGVsbG8=, c=hello, d=null"},
		{name: "hashes", query: `ROW a = MD5("abc"), b = SHA1("abc"), c = SHA256("abc"), d = HASH("sha-256", "abc")`, want: "a=900150983cd24fb0d6963f7d28e17f72, b=a9993e364706816aba3e25717850c26c9cd0d89d, c=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, d=ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{name: "json_extract", query: `ROW j = """{"a": {"b": [1, {"c": "x"}]}, "n": 1.50, "t": true, "o": {"k": null}}""" | EVAL a = JSON_EXTRACT(j, "a.b[1].c"), b = JSON_EXTRACT(j, "$.n"), c = JSON_EXTRACT(j, "t"), d = JSON_EXTRACT(j, "a.b"), e = JSON_EXTRACT(j, "['o']['k']"), f = JSON_EXTRACT(j, "nope") | DROP j`, want: `a=x, b=1.50, c=true, d=[1,{"c":"x"}], e=null, f=null`, warn: "does not exist"},
		{name: "json_extract of _source", query: `FROM x METADATA _source | WHERE bytes == 250 | EVAL u = JSON_EXTRACT(_source, "user.name") | KEEP u`, want: "u=bob"},
		{name: "type error", query: `ROW a = LENGTH(5)`, err: "must be [string]"},
	})
}

func TestEvalMathAndMisc(t *testing.T) {
	runEvalCases(t, []evalCase{
		{name: "round", query: `ROW a = ROUND(2.5), b = ROUND(-2.5), c = ROUND(1.2345, 2), d = ROUND(1234, -2), e = ROUND(1250, -2)`, want: "a=3.0, b=-3.0, c=1.23, d=1200, e=1300"},
		{name: "abs ceil floor", query: `ROW a = ABS(-3), b = CEIL(1.2), c = FLOOR(-1.2), d = ABS(-2.5)`, want: "a=3, b=2.0, c=-2.0, d=2.5"},
		{name: "pow sqrt log", query: `ROW a = POW(2, 10), b = SQRT(16), c = LOG10(1000), d = LOG(2, 8), e = SQRT(-1)`, want: "a=1024.0, b=4.0, c=3.0, d=3.0, e=null"},
		{name: "greatest least", query: `ROW a = GREATEST(1, 5, 3), b = LEAST("b", "a"), c = GREATEST(1, null), d = GREATEST([1, 9], 4)`, want: "a=5, b=a, c=null, d=9"},
		{name: "clamp", query: `ROW a = CLAMP(15, 0, 10), b = CLAMP_MIN(-1, 0), c = CLAMP_MAX(3, 5)`, want: "a=10, b=0, c=3"},
		{name: "case", query: `FROM x | EVAL k = CASE(bytes > 200, "big", bytes > 80, "mid", "small") | KEEP k`, want: "k=mid\nk=big\nk=small\nk=small"},
		{name: "cidr_match", query: `FROM x | WHERE CIDR_MATCH(host.ip, "10.0.0.0/8", "172.16.0.0/12") | KEEP host.ip`, want: "host.ip=10.0.0.1\nhost.ip=10.0.0.2"},
		{name: "cidr_match with a list", query: `ROW a = CIDR_MATCH(TO_IP("192.168.1.5"), ["10.0.0.0/8", "192.168.0.0/16"]), b = CIDR_MATCH(TO_IP("::1"), "::1/128")`, want: "a=true, b=true"},
		{name: "ip_prefix", query: `ROW a = IP_PREFIX(TO_IP("192.168.1.77"), 24, 64)`, want: "a=192.168.1.0"},
		{name: "constants", query: `ROW a = ROUND(PI(), 4), b = ROUND(E(), 2)`, want: "a=3.1416, b=2.72"},
		{name: "signum", query: `ROW a = SIGNUM(-5), b = SIGNUM(0)`, want: "a=-1.0, b=0.0"},
		{name: "kql", query: `FROM x | WHERE KQL("process.name: cmd.exe and not user.name: bob") | KEEP host.name`, want: "host.name=h1\nhost.name=h2"},
		{name: "kql with a bad query", query: `FROM x | WHERE KQL("a: (b")`, err: "invalid KQL query"},
		{name: "kql after STATS", query: `FROM x | STATS n = COUNT(*) BY host.name | WHERE KQL("host.name: h1")`, err: "[KQL] can only filter"},
		{name: "match on text analyzes", query: `FROM x | WHERE MATCH(message, "alice") | KEEP user.name`, want: "user.name=alice"},
		{name: "match operator", query: `FROM x | WHERE message : "script" | KEEP user.name`, want: "user.name=bob"},
		{name: "match on keyword is a term", query: `FROM x | WHERE process.name : "cmd" | KEEP user.name`, want: ""},
		{name: "match with fuzziness", query: `FROM x | WHERE MATCH(process.name, "cmd.exf", {"fuzziness": 1}) | KEEP host.name`, want: "host.name=h1\nhost.name=h2"},
		{name: "match and operator", query: `FROM x | WHERE MATCH(message, "bob alice", {"operator": "AND"}) | KEEP user.name`, want: ""},
		{name: "match_phrase", query: `FROM x | WHERE MATCH_PHRASE(message, "ran a") | KEEP user.name`, want: "user.name=bob"},
		{name: "match of a missing field is false", query: `FROM x | WHERE NOT MATCH(message, "alice") | KEEP process.name`, want: "process.name=powershell.exe\nprocess.name=cmd.exe\nprocess.name=bash"},
		{name: "unknown function in the table of ES|QL but not evaluated", query: `FROM x | EVAL q = QSTR("a:b")`, err: "unsupported: function QSTR"},
		{name: "result limit", query: `ROW a = [1, 2, 3] | MV_EXPAND a | LIMIT 2`, want: "a=1\na=2"},
	})
}

// TestRunErrors checks that errors point at the offending spot and that
// what is not evaluated says so.
func TestRunErrors(t *testing.T) {
	q := MustParse("ROW a = 1\n| WHERE nothing.here > 1")
	_, err := Run(q, nil, RunOptions{})
	var re *RunError
	if !errors.As(err, &re) {
		t.Fatalf("error %T %v, want *RunError", err, err)
	}
	if re.Loc.Start.Line != 2 || re.Loc.Start.Col != 9 {
		t.Errorf("error at %v, want 2:9", re.Loc.Start)
	}
	if errors.Is(err, constraint.ErrUnsupported) {
		t.Errorf("an unknown column is not unsupported")
	}
	if !strings.Contains(re.Detail(), "^") {
		t.Errorf("no caret in %q", re.Detail())
	}
	_, err = Run(MustParse("FROM a | ENRICH p"), nil, RunOptions{})
	if !errors.Is(err, constraint.ErrUnsupported) {
		t.Errorf("ENRICH: %v is not unsupported", err)
	}
	_, err = Run(MustParse(`FROM a | WHERE KQL("a: 1")`), nil, RunOptions{})
	if !errors.Is(err, constraint.ErrUnsupported) {
		t.Errorf("KQL without an evaluator: %v is not unsupported", err)
	}
}

// TestRunWindow checks that a rule's time window bounds what FROM reads.
func TestRunWindow(t *testing.T) {
	q := MustParse(`FROM logs-* | STATS n = COUNT(*)`)
	docs := evalParseDocs(t, evalEvents)
	for _, tc := range []struct {
		from, to string
		want     int64
	}{
		{"2024-05-01T10:00:00Z", "2024-05-01T10:05:00Z", 2},
		{"2024-05-01T10:00:00.001Z", "2024-05-02T00:00:00Z", 2},
		{"2024-05-03T00:00:00Z", "2024-05-04T00:00:00Z", 0},
	} {
		from, _ := time.Parse(time.RFC3339, tc.from)
		to, _ := time.Parse(time.RFC3339, tc.to)
		rows, err := Run(q, docs, RunOptions{Types: evalLookup(evalEventTypes), Window: &Window{From: from, To: to}})
		if err != nil {
			t.Fatal(err)
		}
		if got := rows[0].Values[0]; got != tc.want {
			t.Errorf("window %s..%s: %v documents, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

// TestResultRows checks the exported values of a result.
func TestResultRows(t *testing.T) {
	res, err := Execute(MustParse(`FROM x | WHERE bytes == 100 | KEEP @timestamp, bytes, host.ip, process.args`), evalParseDocs(t, evalEvents), RunOptions{Types: evalLookup(evalEventTypes)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 {
		t.Fatalf("%d rows", len(res.Rows))
	}
	r := res.Rows[0]
	want := []Column{{"@timestamp", TypeDate}, {"bytes", TypeLong}, {"host.ip", TypeIP}, {"process.args", TypeKeyword}}
	for i, c := range want {
		if res.Columns[i] != c {
			t.Errorf("column %d = %v, want %v", i, res.Columns[i], c)
		}
	}
	if ts, ok := r.Values[0].(time.Time); !ok || !ts.Equal(time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("@timestamp = %#v", r.Values[0])
	}
	if n, ok := r.Values[1].(int64); !ok || n != 100 {
		t.Errorf("bytes = %#v", r.Values[1])
	}
	if args, ok := r.Values[3].([]any); !ok || len(args) != 3 {
		t.Errorf("process.args = %#v", r.Values[3])
	}
	if v, ok := r.Get("bytes"); !ok || v != int64(100) {
		t.Errorf("Get(bytes) = %v, %v", v, ok)
	}
	if m := r.Map(); m["host.ip"] == nil {
		t.Errorf("Map() = %v", m)
	}
}

// TestGrokPatternBank compiles every pattern of etc/grok-patterns and
// matches each with a value it must extract.
func TestGrokPatternBank(t *testing.T) {
	examples := map[string]string{
		"USERNAME": "j.doe-1", "EMAILADDRESS": "a.b@example.com", "INT": "-42", "NUMBER": "3.25",
		"BASE16NUM": "0x1F", "POSINT": "8080", "NONNEGINT": "0", "WORD": "word_1", "NOTSPACE": "a=b;c",
		"QUOTEDSTRING": `"a \" b"`, "UUID": "123e4567-e89b-12d3-a456-426614174000", "MAC": "00:1A:2b:3c:4D:5e",
		"IPV4": "192.168.0.1", "IPV6": "2001:db8::1", "IP": "::1", "HOSTNAME": "www.example.com",
		"IPORHOST": "10.1.2.3", "HOSTPORT": "example.com:443", "UNIXPATH": "/var/log/messages",
		"WINPATH": `C:\Windows\System32`, "URIPROTO": "https", "URIHOST": "example.com:8443",
		"URIPATH": "/a/b.php", "URIPATHPARAM": "/a?b=c", "URI": "https://user@example.com:8443/a?b=c",
		"MONTH": "January", "MONTHNUM": "12", "MONTHDAY": "31", "DAY": "Tuesday", "YEAR": "2024",
		"HOUR": "23", "MINUTE": "59", "SECOND": "59.123", "TIME": "12:34:56",
		"TIMESTAMP_ISO8601": "2024-05-01T10:07:33.123Z", "DATE_US": "05/01/2024", "DATE_EU": "01.05.2024",
		"HTTPDATE": "01/May/2024:10:07:33 +0000", "SYSLOGTIMESTAMP": "May  1 10:07:33", "LOGLEVEL": "WARNING",
		"DATA": "", "GREEDYDATA": "anything at all", "SPACE": "  ", "TZ": "UTC", "ISO8601_TIMEZONE": "+02:00",
		"SYSLOGPROG": "sshd[123]", "SYSLOGFACILITY": "<4.6>", "TTY": "/dev/pts/1",
	}
	for _, name := range grokPatternNames() {
		g, err := compileGrok([]string{"^%{" + name + ":v}$"})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		ex, ok := examples[name]
		if !ok {
			continue
		}
		caps, ok, err := g.re.captures(ex)
		if err != nil || !ok {
			t.Errorf("%%{%s} does not match %q (%v)", name, ex, err)
			continue
		}
		if got := caps[name+":v"]; len(got) != 1 || got[0] != ex {
			t.Errorf("%%{%s} on %q captures %q", name, ex, got)
		}
	}
	for _, bad := range []struct{ name, text string }{
		{"IPV4", "256.1.1.1"}, {"IPV6", "1:2:3:4:5:6:7:8:9"}, {"POSINT", "0"}, {"MONTHNUM", "13"},
	} {
		g, err := compileGrok([]string{"^%{" + bad.name + ":v}$"})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := g.re.captures(bad.text); ok {
			t.Errorf("%%{%s} matches %q", bad.name, bad.text)
		}
	}
}

// geoDocs are sign-ins at real places, their locations written each way
// a geo_point takes one.
const geoDocs = `{"@timestamp":"2024-05-01T10:00:00.000Z","user":{"name":"alice"},"source":{"geo":{"city_name":"London","location":{"lat":51.5074,"lon":-0.1278}}}}
{"@timestamp":"2024-05-01T10:20:00.000Z","user":{"name":"alice"},"source":{"geo":{"city_name":"New York","location":"40.7128,-74.0060"}}}
{"@timestamp":"2024-05-01T10:00:00.000Z","user":{"name":"bob"},"source":{"geo":{"city_name":"Paris","location":"POINT (2.3522 48.8566)"}}}
{"@timestamp":"2024-05-01T13:00:00.000Z","user":{"name":"bob"},"source":{"geo":{"city_name":"Berlin","location":[13.4050, 52.5200]}}}`

var geoTypes = map[string]estype.Type{"@timestamp": estype.Date, "user.name": estype.Keyword, "source.geo.city_name": estype.Keyword, "source.geo.location": estype.GeoPoint}

// TestEvalGeo: ST_DISTANCE is Elasticsearch's: meters of the haversine
// over the points as a geo_point keeps them (es/geo), known city pairs to
// the kilometer, Elasticsearch's documented example to the last digit.
func TestEvalGeo(t *testing.T) {
	km := func(a, b string) string {
		return `ROW d = ROUND(ST_DISTANCE(TO_GEOPOINT("` + a + `"), TO_GEOPOINT("` + b + `")) / 1000.0, 0)`
	}
	runEvalCases(t, []evalCase{
		{name: "docs example", query: `ROW d = ST_DISTANCE(TO_GEOPOINT("POINT(12.6493508684508 55.6285017221528)"), TO_GEOPOINT("POINT(12.5683 55.6761)"))`, want: "d=7339.573896618216"},
		{name: "london new york", query: km("POINT(-0.1278 51.5074)", "POINT(-74.0060 40.7128)"), want: "d=5570.0"},
		{name: "san francisco tokyo", query: km("POINT(-122.4194 37.7749)", "POINT(139.6503 35.6762)"), want: "d=8275.0"},
		{name: "paris berlin", query: km("POINT(2.3522 48.8566)", "POINT(13.4050 52.5200)"), want: "d=877.0"},
		{name: "sydney singapore", query: km("POINT(151.2093 -33.8688)", "POINT(103.8198 1.3521)"), want: "d=6306.0"},
		{name: "across the dateline", query: km("POINT(179.5 0)", "POINT(-179.5 0)"), want: "d=111.0"},
		{name: "same point", query: `ROW d = ST_DISTANCE(TO_GEOPOINT("POINT(1 2)"), TO_GEOPOINT("POINT(1 2)"))`, want: "d=0.0"},
		{name: "null point", query: `ROW d = ST_DISTANCE(TO_GEOPOINT("POINT(1 2)"), null)`, want: "d=null"},
		{name: "latitude out of range", query: `ROW p = TO_GEOPOINT("POINT(0 91)")`, want: "p=null", warn: "invalid latitude or longitude"},
		{name: "st_x st_y", query: `ROW x = ST_X(TO_GEOPOINT("POINT(2.5 48.5)")), y = ST_Y(TO_GEOPOINT("POINT(2.5 48.5)"))`, want: "x=2.5, y=48.5"},
		{name: "each way of writing a location", docs: geoDocs, types: geoTypes,
			query: `FROM x | EVAL d = ROUND(ST_DISTANCE(source.geo.location, TO_GEOPOINT("POINT(2.3522 48.8566)")) / 1000.0, 0) | KEEP source.geo.city_name, d`,
			want:  "source.geo.city_name=London, d=344.0\nsource.geo.city_name=New York, d=5837.0\nsource.geo.city_name=Paris, d=0.0\nsource.geo.city_name=Berlin, d=877.0"},
		// The impossible travel shape: the places of a user, the distance
		// between the corners of their box, and the speed it takes.
		{name: "speed", docs: geoDocs, types: geoTypes,
			query: `FROM x | STATS lat = AVG(ST_Y(source.geo.location)), lon = AVG(ST_X(source.geo.location)), t = MIN(@timestamp) BY user.name, source.geo.city_name
| STATS lat0 = MIN(lat), lat1 = MAX(lat), lon0 = MIN(lon), lon1 = MAX(lon), t0 = MIN(t), t1 = MAX(t) BY user.name
| EVAL km = ROUND(ST_DISTANCE(TO_GEOPOINT(CONCAT("POINT(", TO_STRING(lon0), " ", TO_STRING(lat0), ")")), TO_GEOPOINT(CONCAT("POINT(", TO_STRING(lon1), " ", TO_STRING(lat1), ")"))) / 1000.0, 0), m = DATE_DIFF("minute", t0, t1), kmh = ROUND(km * 60.0 / m, 0)
| WHERE km >= 500 AND kmh >= 800 | KEEP user.name, km, m, kmh`,
			want: "user.name=alice, km=5570.0, m=20, kmh=16710.0"}, // bob: 877 km in 3 hours
	})
}
