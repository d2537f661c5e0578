package dsl

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
)

// testTypes types the fields the Match tests use; others are keyword.
var testTypes = map[string]string{
	"destination.port":     "long",
	"process.pid":          "long",
	"file.size":            "long",
	"event.risk":           "float",
	"event.half":           "half_float",
	"event.score":          "double",
	"@timestamp":           "date",
	"event.created":        "date_nanos",
	"source.ip":            "ip",
	"destination.ip":       "ip",
	"dll.trusted":          "boolean",
	"message":              "match_only_text",
	"process.name.text":    "text",
	"powershell.text":      "text",
	"labels":               "flattened",
	"threat.enrichments":   "nested",
	"process.parent":       "object",
	"location":             "geo_point",
	"host.name":            "keyword",
	"process.command_line": "wildcard",
	"words.count":          "token_count",
}

var types = estype.ByName(func(f string) string { return testTypes[f] })

func doc(t testing.TB, js string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("bad test JSON %s: %v", js, err)
	}
	return m
}

var testNow = time.Date(2024, 3, 15, 12, 30, 0, 0, time.UTC)

type matchCase struct {
	name, clause, doc string
	want              bool
}

func runMatch(t *testing.T, tests []matchCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, d := clause(t, tt.clause), doc(t, tt.doc)
			if got := MatchAt(c, d, types, testNow); got != tt.want {
				t.Errorf("MatchAt(%s, %s) = %v, want %v", tt.clause, tt.doc, got, tt.want)
			}
			// The negation holds exactly when the clause runs and fails.
			neg := map[string]any{"bool": map[string]any{"must_not": []any{c}}}
			q, err := Parse(c)
			if err != nil {
				t.Fatal(err)
			}
			ev := evaluator{types: types, now: testNow}
			runs := ev.eval(q.root, scope{doc: d}) != invalid
			if got := MatchAt(neg, d, types, testNow); got != (runs && !tt.want) {
				t.Errorf("negation of %s on %s = %v, want %v", tt.clause, tt.doc, got, runs && !tt.want)
			}
		})
	}
}

func TestMatchTerm(t *testing.T) {
	runMatch(t, []matchCase{
		// keyword
		{"keyword", `{"term": {"process.name": "cmd.exe"}}`, `{"process": {"name": "cmd.exe"}}`, true},
		{"keyword other", `{"term": {"process.name": "cmd.exe"}}`, `{"process": {"name": "powershell.exe"}}`, false},
		{"keyword case", `{"term": {"process.name": "CMD.exe"}}`, `{"process": {"name": "cmd.exe"}}`, false},
		{"keyword ci", `{"term": {"process.name": {"value": "CMD.exe", "case_insensitive": true}}}`, `{"process": {"name": "cmd.EXE"}}`, true},
		{"keyword ci other", `{"term": {"process.name": {"value": "CMD.exe", "case_insensitive": true}}}`, `{"process": {"name": "cmd.com"}}`, false},
		{"keyword ci kelvin", `{"term": {"k": {"value": "k", "case_insensitive": true}}}`, `{"k": "\u212a"}`, false},
		{"missing", `{"term": {"process.name": "cmd.exe"}}`, `{"process": {"pid": 4}}`, false},
		{"dotted key", `{"term": {"process.name": "cmd.exe"}}`, `{"process.name": "cmd.exe"}`, true},
		{"partly dotted", `{"term": {"process.parent.name": "x"}}`, `{"process": {"parent.name": "x"}}`, true},
		{"array", `{"term": {"event.category": "process"}}`, `{"event": {"category": ["network", "process"]}}`, true},
		{"array of objects", `{"term": {"user.name": "bob"}}`, `{"user": [{"name": "alice"}, {"name": "bob"}]}`, true},
		{"number on keyword", `{"term": {"event.code": 4624}}`, `{"event": {"code": "4624"}}`, true},
		{"number value on keyword", `{"term": {"event.code": "4624"}}`, `{"event": {"code": 4624}}`, true},
		{"bool on keyword", `{"term": {"event.flag": true}}`, `{"event": {"flag": "true"}}`, true},
		{"null value", `{"term": {"process.name": "null"}}`, `{"process": {"name": null}}`, false},
		{"long form", `{"term": {"process.name": {"value": "cmd.exe"}}}`, `{"process": {"name": "cmd.exe"}}`, true},
		// long
		{"long", `{"term": {"destination.port": 443}}`, `{"destination": {"port": 443}}`, true},
		{"long string value", `{"term": {"destination.port": "443"}}`, `{"destination": {"port": 443}}`, true},
		{"long coerced doc", `{"term": {"destination.port": 443}}`, `{"destination": {"port": "443"}}`, true},
		{"long truncated doc", `{"term": {"destination.port": 443}}`, `{"destination": {"port": 443.9}}`, true},
		{"long fraction query", `{"term": {"destination.port": 443.5}}`, `{"destination": {"port": 443}}`, false},
		{"long 1.0 query", `{"term": {"destination.port": "443.0"}}`, `{"destination": {"port": 443}}`, true},
		{"long other", `{"term": {"destination.port": 80}}`, `{"destination": {"port": 443}}`, false},
		{"long big exact", `{"term": {"file.size": "9007199254740993"}}`, `{"file": {"size": "9007199254740993"}}`, true},
		{"long not a number", `{"term": {"destination.port": "https"}}`, `{"destination": {"port": 443}}`, false},
		{"long ci", `{"term": {"destination.port": {"value": 443, "case_insensitive": true}}}`, `{"destination": {"port": 443}}`, false},
		// floating point
		{"float", `{"term": {"event.risk": 0.1}}`, `{"event": {"risk": 0.1}}`, true},
		{"float precision", `{"term": {"event.risk": 0.10000000001}}`, `{"event": {"risk": 0.1}}`, true},
		{"double precision", `{"term": {"event.score": 0.10000000001}}`, `{"event": {"score": 0.1}}`, false},
		{"half float", `{"term": {"event.half": 0.1}}`, `{"event": {"half": 0.09997}}`, true},
		// date
		{"date day", `{"term": {"@timestamp": "2024-01-15"}}`, `{"@timestamp": "2024-01-15T10:00:00Z"}`, true},
		{"date next day", `{"term": {"@timestamp": "2024-01-15"}}`, `{"@timestamp": "2024-01-16T00:00:00Z"}`, false},
		{"date exact", `{"term": {"@timestamp": "2024-01-15T10:00:00.123Z"}}`, `{"@timestamp": "2024-01-15T10:00:00.123456Z"}`, true},
		{"date nanos exact", `{"term": {"event.created": "2024-01-15T10:00:00.123Z"}}`, `{"event": {"created": "2024-01-15T10:00:00.123456Z"}}`, false},
		{"date epoch doc", `{"term": {"@timestamp": "2024-01-15T10:00:00Z"}}`, `{"@timestamp": 1705312800000}`, true},
		{"date epoch query", `{"term": {"@timestamp": 1705312800000}}`, `{"@timestamp": "2024-01-15T10:00:00Z"}`, true},
		{"date zone", `{"term": {"@timestamp": "2024-01-15T11:00:00+01:00"}}`, `{"@timestamp": "2024-01-15T10:00:00Z"}`, true},
		{"date math", `{"term": {"@timestamp": "now/d"}}`, `{"@timestamp": "2024-03-15T01:00:00Z"}`, true},
		{"date invalid", `{"term": {"@timestamp": "yesterday"}}`, `{"@timestamp": "2024-03-15T01:00:00Z"}`, false},
		// ip
		{"ip", `{"term": {"source.ip": "10.1.2.3"}}`, `{"source": {"ip": "10.1.2.3"}}`, true},
		{"ip cidr", `{"term": {"source.ip": "10.0.0.0/8"}}`, `{"source": {"ip": "10.1.2.3"}}`, true},
		{"ip cidr out", `{"term": {"source.ip": "10.0.0.0/8"}}`, `{"source": {"ip": "11.1.2.3"}}`, false},
		{"ip mapped", `{"term": {"source.ip": "::ffff:10.1.2.3"}}`, `{"source": {"ip": "10.1.2.3"}}`, true},
		{"ip mapped cidr", `{"term": {"source.ip": "::ffff:0:0/96"}}`, `{"source": {"ip": "192.168.0.1"}}`, true},
		{"ipv6 cidr", `{"term": {"source.ip": "2001:db8::/32"}}`, `{"source": {"ip": "2001:db8::1"}}`, true},
		{"ipv6 not in v4", `{"term": {"source.ip": "0.0.0.0/0"}}`, `{"source": {"ip": "2001:db8::1"}}`, false},
		{"ip invalid", `{"term": {"source.ip": "10.1.2"}}`, `{"source": {"ip": "10.1.2.3"}}`, false},
		// boolean
		{"boolean", `{"term": {"dll.trusted": true}}`, `{"dll": {"trusted": true}}`, true},
		{"boolean string doc", `{"term": {"dll.trusted": "false"}}`, `{"dll": {"trusted": "false"}}`, true},
		{"boolean empty doc", `{"term": {"dll.trusted": false}}`, `{"dll": {"trusted": ""}}`, true},
		{"boolean other", `{"term": {"dll.trusted": true}}`, `{"dll": {"trusted": false}}`, false},
		{"boolean invalid", `{"term": {"dll.trusted": "yes"}}`, `{"dll": {"trusted": true}}`, false},
		// text: single words, unanalyzed query
		{"text word", `{"term": {"message": "failed"}}`, `{"message": "Login FAILED for bob"}`, true},
		{"text case", `{"term": {"message": "Failed"}}`, `{"message": "Login FAILED for bob"}`, false},
		{"text ci", `{"term": {"message": {"value": "Failed", "case_insensitive": true}}}`, `{"message": "Login FAILED for bob"}`, true},
		{"text two words", `{"term": {"message": "login failed"}}`, `{"message": "login failed"}`, false},
		{"multi-field", `{"term": {"process.name.text": "cmd.exe"}}`, `{"process": {"name": "C:\\Windows\\CMD.exe"}}`, true},
		// flattened and objects
		{"flattened", `{"term": {"labels": "prod"}}`, `{"labels": {"env": "prod", "team": {"name": "x"}}}`, true},
		{"flattened deep", `{"term": {"labels": "x"}}`, `{"labels": {"env": "prod", "team": {"name": "x"}}}`, true},
		{"flattened key", `{"term": {"labels.env": "prod"}}`, `{"labels": {"env": "prod"}}`, true},
		{"object", `{"term": {"process.parent": "x"}}`, `{"process": {"parent": {"name": "x"}}}`, false},
		{"geo", `{"term": {"location": "x"}}`, `{"location": "x"}`, false},
	})
}

func TestMatchTerms(t *testing.T) {
	runMatch(t, []matchCase{
		{"any", `{"terms": {"event.action": ["start", "exec"]}}`, `{"event": {"action": "exec"}}`, true},
		{"none", `{"terms": {"event.action": ["start", "exec"]}}`, `{"event": {"action": "end"}}`, false},
		{"empty", `{"terms": {"event.action": []}}`, `{"event": {"action": "end"}}`, false},
		{"numbers", `{"terms": {"destination.port": [80, "443"]}}`, `{"destination": {"port": 443}}`, true},
		{"invalid value", `{"terms": {"destination.port": [443, "https"]}}`, `{"destination": {"port": 443}}`, false},
		{"ips", `{"terms": {"source.ip": ["10.0.0.0/8", "192.168.1.1"]}}`, `{"source": {"ip": "192.168.1.1"}}`, true},
	})
}

func TestMatchMatch(t *testing.T) {
	runMatch(t, []matchCase{
		{"any word", `{"match": {"message": "failed login"}}`, `{"message": "Login succeeded"}`, true},
		{"no word", `{"match": {"message": "failed login"}}`, `{"message": "logout succeeded"}`, false},
		{"and", `{"match": {"message": {"query": "failed login", "operator": "and"}}}`, `{"message": "Login succeeded"}`, false},
		{"and all", `{"match": {"message": {"query": "failed login", "operator": "and"}}}`, `{"message": "login has FAILED"}`, true},
		{"and across values", `{"match": {"message": {"query": "failed login", "operator": "and"}}}`, `{"message": ["login", "failed"]}`, true},
		{"msm", `{"match": {"message": {"query": "a b c", "minimum_should_match": 2}}}`, `{"message": "a x c"}`, true},
		{"msm short", `{"match": {"message": {"query": "a b c", "minimum_should_match": "75%"}}}`, `{"message": "a x y"}`, false},
		{"no words", `{"match": {"message": "!!!"}}`, `{"message": "!!!"}`, false},
		{"keyword exact", `{"match": {"host.name": "web 01"}}`, `{"host": {"name": "web 01"}}`, true},
		{"keyword not analyzed", `{"match": {"host.name": "web"}}`, `{"host": {"name": "web 01"}}`, false},
		{"long", `{"match": {"destination.port": "443"}}`, `{"destination": {"port": 443}}`, true},
		{"long lenient", `{"match": {"destination.port": {"query": "https", "lenient": true}}}`, `{"destination": {"port": 443}}`, false},
		{"long not lenient", `{"match": {"destination.port": {"query": "https"}}}`, `{"destination": {"port": 443}}`, false},
		{"phrase", `{"match_phrase": {"message": "failed login"}}`, `{"message": "a failed LOGIN for bob"}`, true},
		{"phrase order", `{"match_phrase": {"message": "failed login"}}`, `{"message": "login failed"}`, false},
		{"phrase gap", `{"match_phrase": {"message": "failed login"}}`, `{"message": "failed the login"}`, false},
		{"phrase across values", `{"match_phrase": {"message": "failed login"}}`, `{"message": ["x failed", "login y"]}`, false},
		{"phrase keyword", `{"match_phrase": {"event.module": "okta"}}`, `{"event": {"module": "okta"}}`, true},
		{"phrase keyword exact", `{"match_phrase": {"event.dataset": "ti_*"}}`, `{"event": {"dataset": "ti_abuse"}}`, false},
		{"phrase keyword literal", `{"match_phrase": {"event.dataset": "ti_*"}}`, `{"event": {"dataset": "ti_*"}}`, true},
		{"type phrase", `{"match": {"message": {"query": "failed login", "type": "phrase"}}}`, `{"message": "login failed"}`, false},
		{"wildcard field", `{"match": {"process.command_line": "a b"}}`, `{"process": {"command_line": "a b"}}`, true},
	})
}

func TestMatchExists(t *testing.T) {
	runMatch(t, []matchCase{
		{"present", `{"exists": {"field": "user_agent.original"}}`, `{"user_agent": {"original": "curl"}}`, true},
		{"empty string", `{"exists": {"field": "user_agent.original"}}`, `{"user_agent": {"original": ""}}`, true},
		{"null", `{"exists": {"field": "user_agent.original"}}`, `{"user_agent": {"original": null}}`, false},
		{"empty array", `{"exists": {"field": "user_agent.original"}}`, `{"user_agent": {"original": []}}`, false},
		{"array with null", `{"exists": {"field": "user_agent.original"}}`, `{"user_agent": {"original": [null, "x"]}}`, true},
		{"missing", `{"exists": {"field": "user_agent.original"}}`, `{"user_agent": {"name": "x"}}`, false},
		{"object", `{"exists": {"field": "user_agent"}}`, `{"user_agent": {"name": "x"}}`, true},
		{"empty object", `{"exists": {"field": "user_agent"}}`, `{"user_agent": {}}`, false},
		{"wildcard", `{"exists": {"field": "process.*.name"}}`, `{"process": {"parent": {"name": "x"}}}`, true},
		{"wildcard none", `{"exists": {"field": "process.*.name"}}`, `{"process": {"name": "x"}}`, false},
		{"number", `{"exists": {"field": "destination.port"}}`, `{"destination": {"port": 0}}`, true},
	})
}

func TestMatchRange(t *testing.T) {
	runMatch(t, []matchCase{
		{"gte lt in", `{"range": {"destination.port": {"gte": 1024, "lt": 2048}}}`, `{"destination": {"port": 1024}}`, true},
		{"gte lt upper", `{"range": {"destination.port": {"gte": 1024, "lt": 2048}}}`, `{"destination": {"port": 2048}}`, false},
		{"gt", `{"range": {"destination.port": {"gt": 1024}}}`, `{"destination": {"port": 1024}}`, false},
		{"lte", `{"range": {"destination.port": {"lte": "1024"}}}`, `{"destination": {"port": 1024}}`, true},
		{"fraction bound", `{"range": {"destination.port": {"gt": 1023.5}}}`, `{"destination": {"port": 1024}}`, true},
		{"from to", `{"range": {"destination.port": {"from": 1, "to": 5, "include_upper": false}}}`, `{"destination": {"port": 5}}`, false},
		{"any value", `{"range": {"destination.port": {}}}`, `{"destination": {"port": 5}}`, true},
		{"any value missing", `{"range": {"destination.port": {}}}`, `{"source": {"port": 5}}`, false},
		{"multi-valued", `{"range": {"destination.port": {"gt": 10, "lt": 20}}}`, `{"destination": {"port": [5, 15]}}`, true},
		{"one value each bound", `{"range": {"destination.port": {"gt": 10, "lt": 20}}}`, `{"destination": {"port": [5, 25]}}`, false},
		{"invalid bound", `{"range": {"destination.port": {"gt": "low"}}}`, `{"destination": {"port": 5}}`, false},
		{"double", `{"range": {"event.score": {"gte": 0.5}}}`, `{"event": {"score": 0.5}}`, true},
		{"keyword", `{"range": {"host.name": {"gte": "b", "lt": "c"}}}`, `{"host": {"name": "bravo"}}`, true},
		{"keyword out", `{"range": {"host.name": {"gte": "b", "lt": "c"}}}`, `{"host": {"name": "charlie"}}`, false},
		{"keyword numbers as text", `{"range": {"event.code": {"gt": 100}}}`, `{"event": {"code": "2"}}`, true},
		{"text words", `{"range": {"message": {"gte": "m", "lte": "n"}}}`, `{"message": "Alpha Mike"}`, true},
		{"date gte", `{"range": {"@timestamp": {"gte": "2024-01-01"}}}`, `{"@timestamp": "2024-01-01T00:00:00Z"}`, true},
		{"date gt rounds up", `{"range": {"@timestamp": {"gt": "2024-01-01"}}}`, `{"@timestamp": "2024-01-01T12:00:00Z"}`, false},
		{"date gt next day", `{"range": {"@timestamp": {"gt": "2024-01-01"}}}`, `{"@timestamp": "2024-01-02T00:00:00Z"}`, true},
		{"date lte rounds up", `{"range": {"@timestamp": {"lte": "2024-01-01"}}}`, `{"@timestamp": "2024-01-01T23:59:59.999Z"}`, true},
		{"date lt", `{"range": {"@timestamp": {"lt": "2024-01-01"}}}`, `{"@timestamp": "2024-01-01T00:00:00Z"}`, false},
		{"date lte month", `{"range": {"@timestamp": {"lte": "2024-02"}}}`, `{"@timestamp": "2024-02-01T20:00:00Z"}`, true},
		{"date lte month rounds day to 1", `{"range": {"@timestamp": {"lte": "2024-02"}}}`, `{"@timestamp": "2024-02-10T00:00:00Z"}`, false},
		{"date math", `{"range": {"@timestamp": {"gte": "now-1d", "lte": "now"}}}`, `{"@timestamp": "2024-03-14T13:00:00Z"}`, true},
		{"date math old", `{"range": {"@timestamp": {"gte": "now-1d", "lte": "now"}}}`, `{"@timestamp": "2024-03-14T12:00:00Z"}`, false},
		{"date math rounding", `{"range": {"@timestamp": {"gte": "now-1d/d"}}}`, `{"@timestamp": "2024-03-14T00:00:00Z"}`, true},
		{"date math round gt", `{"range": {"@timestamp": {"gt": "now/d"}}}`, `{"@timestamp": "2024-03-15T23:00:00Z"}`, false},
		{"date anchored math", `{"range": {"@timestamp": {"gte": "2024-01-01||+1M"}}}`, `{"@timestamp": "2024-02-01T00:00:00Z"}`, true},
		{"date epoch", `{"range": {"@timestamp": {"gte": 1704067200000, "format": "epoch_millis"}}}`, `{"@timestamp": "2024-01-01T00:00:00Z"}`, true},
		{"date invalid bound", `{"range": {"@timestamp": {"gte": "soon"}}}`, `{"@timestamp": "2024-01-01T00:00:00Z"}`, false},
		{"date nanos", `{"range": {"event.created": {"gt": "2024-01-01T00:00:00.000Z"}}}`, `{"event": {"created": "2024-01-01T00:00:00.000000001Z"}}`, true},
		{"date millis", `{"range": {"@timestamp": {"gt": "2024-01-01T00:00:00.000Z"}}}`, `{"@timestamp": "2024-01-01T00:00:00.000000001Z"}`, false},
		{"ip", `{"range": {"source.ip": {"gte": "10.0.0.0", "lte": "10.255.255.255"}}}`, `{"source": {"ip": "10.20.30.40"}}`, true},
		{"ip out", `{"range": {"source.ip": {"gte": "10.0.0.0", "lte": "10.255.255.255"}}}`, `{"source": {"ip": "11.0.0.0"}}`, false},
		{"ip cidr bound", `{"range": {"source.ip": {"gte": "10.0.0.0/8"}}}`, `{"source": {"ip": "11.0.0.0"}}`, false},
		{"boolean", `{"range": {"dll.trusted": {"gt": false}}}`, `{"dll": {"trusted": true}}`, true},
		{"object", `{"range": {"process.parent": {"gt": 1}}}`, `{"process": {"parent": {"pid": 2}}}`, false},
		// Value semantics shared with parser/kql (internal/esvalue).
		{"epoch millis with a bare point", `{"range": {"@timestamp": {"gte": "1704067200000."}}}`, `{"@timestamp": "2024-01-01T00:00:00Z"}`, true},
		{"date after 2262", `{"range": {"@timestamp": {"gte": "2500-01-01"}}}`, `{"@timestamp": 16725225600000}`, true},
		{"a time after a partial date", `{"range": {"@timestamp": {"gte": "2024-01T10"}}}`, `{"@timestamp": "2024-01-01T10:00:00Z"}`, true},
		{"a space before the time", `{"range": {"@timestamp": {"gte": "2024-01-01 10:00"}}}`, `{"@timestamp": "2024-01-01T10:00:00Z"}`, false},
		{"four-digit exponent", `{"range": {"event.score": {"gt": "1e-1000"}}}`, `{"event": {"score": 1e-300}}`, true},
		{"long decimal", `{"range": {"event.score": {"gt": "0.` + strings.Repeat("0", 500) + `1"}}}`, `{"event": {"score": 1e-300}}`, true},
		{"token_count is an integer", `{"range": {"words.count": {"gt": 20}}}`, `{"words": {"count": 3}}`, false},
	})
}

func TestMatchPatterns(t *testing.T) {
	runMatch(t, []matchCase{
		{"wildcard", `{"wildcard": {"file.path": "C:\\\\Windows\\\\*.exe"}}`, `{"file": {"path": "C:\\Windows\\System32\\cmd.exe"}}`, true},
		{"wildcard case", `{"wildcard": {"file.path": "c:\\\\windows\\\\*.exe"}}`, `{"file": {"path": "C:\\Windows\\System32\\cmd.exe"}}`, false},
		{"wildcard ci", `{"wildcard": {"file.path": {"value": "c:\\\\windows\\\\*.EXE", "case_insensitive": true}}}`, `{"file": {"path": "C:\\Windows\\System32\\cmd.exe"}}`, true},
		{"wildcard question", `{"wildcard": {"file.path": {"value": "?:\\\\Windows\\\\Sys?????\\\\*", "case_insensitive": true}}}`, `{"file": {"path": "D:\\Windows\\SysWOW64\\x.dll"}}`, true},
		{"wildcard question count", `{"wildcard": {"file.path": "?:\\\\Windows\\\\Sys?????\\\\*"}}`, `{"file": {"path": "D:\\Windows\\Sys32\\x.dll"}}`, false},
		{"wildcard unicode question", `{"wildcard": {"user.name": "j?rg"}}`, `{"user": {"name": "jörg"}}`, true},
		{"wildcard escaped star", `{"wildcard": {"f": "a\\*b"}}`, `{"f": "a*b"}`, true},
		{"wildcard escaped star literal", `{"wildcard": {"f": "a\\*b"}}`, `{"f": "axxb"}`, false},
		{"wildcard backslash escapes", `{"wildcard": {"f": "C:\\Program Files\\*"}}`, `{"f": "C:\\Program Files\\x"}`, false},
		{"wildcard backslash escapes letters", `{"wildcard": {"f": "C:\\Program Files\\*"}}`, `{"f": "C:Program Files*"}`, true},
		{"wildcard key", `{"wildcard": {"host.name": {"wildcard": "web-*"}}}`, `{"host": {"name": "web-01"}}`, true},
		{"wildcard text word", `{"wildcard": {"message": "FAIL*"}}`, `{"message": "Login FAILED"}`, false},
		{"wildcard text word lower", `{"wildcard": {"message": "fail*"}}`, `{"message": "Login failed"}`, true},
		{"wildcard text spans words", `{"wildcard": {"message": "login*failed"}}`, `{"message": "login failed"}`, false},
		{"wildcard number field", `{"wildcard": {"destination.port": "44*"}}`, `{"destination": {"port": 443}}`, false},
		{"wildcard wildcard field", `{"wildcard": {"process.command_line": "*-enc *"}}`, `{"process": {"command_line": "powershell -enc AAA"}}`, true},
		{"wildcard flattened", `{"wildcard": {"labels": "pr*"}}`, `{"labels": {"env": "prod"}}`, true},
		{"prefix", `{"prefix": {"host.name": "web-"}}`, `{"host": {"name": "web-01"}}`, true},
		{"prefix no", `{"prefix": {"host.name": "web-"}}`, `{"host": {"name": "db-01"}}`, false},
		{"prefix literal star", `{"prefix": {"host.name": "a*"}}`, `{"host": {"name": "abc"}}`, false},
		{"prefix ci", `{"prefix": {"host.name": {"value": "WEB", "case_insensitive": true}}}`, `{"host": {"name": "web-01"}}`, true},
		{"prefix text", `{"prefix": {"message": "succ"}}`, `{"message": "Login succeeded"}`, true},
		{"prefix ip", `{"prefix": {"source.ip": "10."}}`, `{"source": {"ip": "10.0.0.1"}}`, false},
		{"regexp", `{"regexp": {"host.name": "web-[0-9]+"}}`, `{"host": {"name": "web-01"}}`, true},
		{"regexp anchored", `{"regexp": {"host.name": "web"}}`, `{"host": {"name": "web-01"}}`, false},
		{"regexp ci", `{"regexp": {"host.name": {"value": "WEB-.*", "case_insensitive": true}}}`, `{"host": {"name": "web-01"}}`, true},
		{"regexp ci range", `{"regexp": {"host.name": {"value": "[A-Z]+", "case_insensitive": true}}}`, `{"host": {"name": "web"}}`, false},
		{"regexp complement", `{"regexp": {"host.name": "~(web.*)"}}`, `{"host": {"name": "db-01"}}`, true},
		{"regexp complement no", `{"regexp": {"host.name": "~(web.*)"}}`, `{"host": {"name": "web-01"}}`, false},
		{"regexp intersection", `{"regexp": {"host.name": ".*0.*&.{6}"}}`, `{"host": {"name": "web-01"}}`, true},
		{"regexp interval", `{"regexp": {"host.name": "web-<1-20>"}}`, `{"host": {"name": "web-01"}}`, true},
		{"regexp interval out", `{"regexp": {"host.name": "web-<1-20>"}}`, `{"host": {"name": "web-21"}}`, false},
		{"regexp flags none", `{"regexp": {"host.name": {"value": "a&b", "flags": "NONE"}}}`, `{"host": {"name": "a&b"}}`, true},
		{"regexp text word", `{"regexp": {"message": "fail(ed|ure)"}}`, `{"message": "Login failure"}`, true},
		{"regexp long", `{"regexp": {"destination.port": "4.*"}}`, `{"destination": {"port": 443}}`, false},
	})
}

func TestMatchBool(t *testing.T) {
	d := `{"event": {"category": "process", "type": "start"}, "process": {"name": "cmd.exe"}}`
	cat := `{"term": {"event.category": "process"}}`
	net := `{"term": {"event.category": "network"}}`
	cmd := `{"term": {"process.name": "cmd.exe"}}`
	bad := `{"term": {"destination.port": "https"}}`
	runMatch(t, []matchCase{
		{"must", `{"bool": {"must": [` + cat + `, ` + cmd + `]}}`, d, true},
		{"must fails", `{"bool": {"must": [` + cat + `, ` + net + `]}}`, d, false},
		{"filter", `{"bool": {"filter": ` + cmd + `}}`, d, true},
		{"must_not", `{"bool": {"must_not": [` + net + `]}}`, d, true},
		{"must_not fails", `{"bool": {"must": ` + cat + `, "must_not": ` + cmd + `}}`, d, false},
		{"should one", `{"bool": {"should": [` + net + `, ` + cmd + `]}}`, d, true},
		{"should none", `{"bool": {"should": [` + net + `]}}`, d, false},
		{"should optional with must", `{"bool": {"must": ` + cat + `, "should": [` + net + `]}}`, d, true},
		{"should required by msm", `{"bool": {"must": ` + cat + `, "should": [` + net + `], "minimum_should_match": 1}}`, d, false},
		{"msm 2", `{"bool": {"should": [` + cat + `, ` + net + `, ` + cmd + `], "minimum_should_match": 2}}`, d, true},
		{"msm 3", `{"bool": {"should": [` + cat + `, ` + net + `, ` + cmd + `], "minimum_should_match": "100%"}}`, d, false},
		{"msm 0 pure should", `{"bool": {"should": [` + net + `], "minimum_should_match": 0}}`, d, false},
		{"msm without should", `{"bool": {"must": ` + cat + `, "minimum_should_match": 1}}`, d, false},
		{"empty", `{"bool": {}}`, d, true},
		{"nested bools", `{"bool": {"should": [{"bool": {"must": [` + cat + `, ` + net + `]}}, {"bool": {"must_not": ` + net + `}}]}}`, d, true},
		{"invalid in must_not", `{"bool": {"must_not": ` + bad + `}}`, d, false},
		{"invalid in failing should", `{"bool": {"should": [` + cat + `, ` + bad + `]}}`, d, false},
		{"match_all", `{"match_all": {}}`, d, true},
		{"match_none", `{"match_none": {}}`, d, false},
		{"constant_score", `{"constant_score": {"filter": ` + cmd + `}}`, d, true},
		{"dis_max", `{"dis_max": {"queries": [` + net + `, ` + cmd + `]}}`, d, true},
		{"boosting", `{"boosting": {"positive": ` + cmd + `, "negative": ` + cat + `, "negative_boost": 0.1}}`, d, true},
	})
}

func TestMatchNested(t *testing.T) {
	d := `{"threat": {"enrichments": [{"indicator": {"type": "ipv4-addr", "ip": "1.2.3.4"}}, {"indicator": {"type": "url", "ip": "5.6.7.8"}}]}, "event": {"kind": "enrichment"}}`
	same := `{"nested": {"path": "threat.enrichments", "query": {"bool": {"must": [{"term": {"threat.enrichments.indicator.type": "ipv4-addr"}}, {"term": {"threat.enrichments.indicator.ip": "1.2.3.4"}}]}}}}`
	cross := `{"nested": {"path": "threat.enrichments", "query": {"bool": {"must": [{"term": {"threat.enrichments.indicator.type": "ipv4-addr"}}, {"term": {"threat.enrichments.indicator.ip": "5.6.7.8"}}]}}}}`
	flat := `{"bool": {"must": [{"term": {"threat.enrichments.indicator.type": "ipv4-addr"}}, {"term": {"threat.enrichments.indicator.ip": "5.6.7.8"}}]}}`
	outer := `{"nested": {"path": "threat.enrichments", "query": {"term": {"event.kind": "enrichment"}}}}`
	neg := `{"nested": {"path": "threat.enrichments", "query": {"bool": {"must_not": {"term": {"threat.enrichments.indicator.type": "url"}}}}}}`
	bad := `{"nested": {"path": "process.parent", "query": {"match_all": {}}}}`
	runMatch(t, []matchCase{
		{"one object", same, d, true},
		{"across objects", cross, d, false},
		{"flattened without nested", flat, d, true},
		{"outside field", outer, d, false},
		{"negation within", neg, d, true},
		{"negation within none", neg, `{"threat": {"enrichments": [{"indicator": {"type": "url"}}]}}`, false},
		{"no objects", neg, `{"event": {"kind": "enrichment"}}`, false},
		{"not nested type", bad, `{"process": {"parent": {"name": "x"}}}`, false},
	})
}

func TestMatchNilTypes(t *testing.T) {
	// Without types every field is keyword.
	c := clause(t, `{"term": {"destination.port": "443"}}`)
	if !Match(c, doc(t, `{"destination": {"port": 443}}`), nil) {
		t.Error("keyword term on a number value did not match")
	}
	if Match(clause(t, `{"match": {"message": "failed"}}`), doc(t, `{"message": "login failed"}`), nil) {
		t.Error("match on a keyword field analyzed its value")
	}
}

func TestMatchQueryString(t *testing.T) {
	runMatch(t, []matchCase{
		{"field term", `{"query_string": {"query": "host.name:web-1"}}`, `{"host": {"name": "web-1"}}`, true},
		{"clause rules", `{"query_string": {"query": "host.name:a AND process.pid:5 OR x:y"}}`, `{"host": {"name": "a"}, "process": {"pid": 5}}`, true},
		{"negation", `{"query_string": {"query": "NOT host.name:a"}}`, `{"host": {"name": "a"}}`, false},
		{"missing field", `{"query_string": {"query": "-host.name:a"}}`, `{}`, true},
		{"default field", `{"query_string": {"query": "web-1", "default_field": "host.name"}}`, `{"host": {"name": "web-1"}}`, true},
		{"fields", `{"query_string": {"query": "web-1", "fields": ["a", "host.name^2"]}}`, `{"host": {"name": "web-1"}}`, true},
		{"every field", `{"query_string": {"query": "web-1"}}`, `{"x": "web-1"}`, true},
		{"default operator", `{"query_string": {"query": "message:(failed login)", "default_operator": "and"}}`, `{"message": "failed"}`, false},
		{"text words", `{"query_string": {"query": "message:(failed login)"}}`, `{"message": "Failed"}`, true},
		{"phrase slop", `{"query_string": {"query": "message:\"login failed\"", "phrase_slop": 2}}`, `{"message": "failed login"}`, true},
		{"analyze wildcard", `{"query_string": {"query": "message:fail\\ lo*", "analyze_wildcard": true}}`, `{"message": "login"}`, true},
		{"no analyze wildcard", `{"query_string": {"query": "message:fail\\ lo*"}}`, `{"message": "login"}`, false},
		{"wildcard lowercased on text", `{"query_string": {"query": "message:FAIL*"}}`, `{"message": "failed"}`, true},
		{"regexp", `{"query_string": {"query": "host.name:/web-[0-9]+/"}}`, `{"host": {"name": "web-12"}}`, true},
		{"range", `{"query_string": {"query": "destination.port:[1 TO 1024}"}}`, `{"destination": {"port": 1024}}`, false},
		{"dates", `{"query_string": {"query": "@timestamp:>now-1h"}}`, `{"@timestamp": "2024-03-15T12:00:00Z"}`, true},
		{"ip", `{"query_string": {"query": "source.ip:\"10.0.0.0/8\""}}`, `{"source": {"ip": "10.2.3.4"}}`, true},
		{"exists", `{"query_string": {"query": "_exists_:host.name"}}`, `{"host": {"name": null}}`, false},
		{"strict number", `{"query_string": {"query": "destination.port:abc", "default_field": "x"}}`, `{"destination": {"port": 1}}`, false},
		{"lenient number", `{"query_string": {"query": "destination.port:abc", "lenient": true, "default_field": "x"}}`, `{"destination": {"port": 1}}`, false},
		{"empty query", `{"query_string": {"query": "  "}}`, `{}`, false},
		{"fuzziness option", `{"query_string": {"query": "host.name:abcdef~", "fuzziness": 0}}`, `{"host": {"name": "abcdex"}}`, false},
		{"nested scope", `{"nested": {"path": "threat.enrichments", "query": {"query_string": {"query": "threat.enrichments.indicator.type:ip"}}}}`, `{"threat": {"enrichments": [{"indicator": {"type": "url"}}, {"indicator": {"type": "ip"}}]}}`, true},
		{"in bool", `{"bool": {"filter": [{"query_string": {"query": "host.name:(a OR b)"}}], "must_not": [{"query_string": {"query": "process.pid:[1 TO 10]"}}]}}`, `{"host": {"name": "b"}, "process": {"pid": 11}}`, true},
	})
}

func TestLowerQueryString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"query_string": {"query": "host.name:(a OR b) AND NOT process.pid:5"}}`, `(host.name == "a" or host.name == "b") and not process.pid == "5"`},
		{`{"query_string": {"query": "web", "fields": ["a", "b^3"]}}`, `a == "web" or b == "web"`},
		{`{"query_string": {"query": "x y", "default_field": "f", "default_operator": "AND"}}`, `f == "x y"`},
		{`{"query_string": {"query": "a:1 b:2", "default_operator": "AND"}}`, `a == "1" and b == "2"`},
		{`{"query_string": {"query": ""}}`, `false`},
	} {
		e, err := Lower(clause(t, tc.in))
		if err != nil {
			t.Errorf("Lower(%s): %v", tc.in, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("Lower(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	e, err := Lower(clause(t, `{"query_string": {"query": "a:1 AND NOT b:2"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var spans []string
	constraint.EachPred(e, func(p *constraint.Pred) { spans = append(spans, p.Span.Text) })
	if strings.Join(spans, "|") != "query_string: a:1|query_string: b:2" {
		t.Errorf("spans %q", spans)
	}
	q, err := Parse(clause(t, `{"query_string": {"query": "a:1 AND g:(x OR h:y)", "fields": ["z"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(q.Fields(), " "); got != "a g h z" {
		t.Errorf("Fields() = %s", got)
	}
	if got := q.String(); got != `query_string "a:1 AND g:(x OR h:y)" (fields z)` {
		t.Errorf("String() = %s", got)
	}
}
