package kql

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/estype"
)

// testTypes types fields for the evaluator tests: a few ECS fields and
// test fields by name, "*.ip" as ip and "*.port" as long.
func testTypes(field string) estype.Mapping {
	return estype.Mapping{Type: estype.Type(testTypeName(field))}
}

func testTypeName(field string) string {
	switch field {
	case "message", "error.message":
		return "match_only_text"
	case "title":
		return "text"
	case "destination.port", "source.port", "process.pid", "n", "p.port":
		return "long"
	case "u":
		return "unsigned_long"
	case "event.risk_score":
		return "float"
	case "d":
		return "double"
	case "h":
		return "half_float"
	case "tc":
		return "token_count"
	case "event.created", "@timestamp", "process.start":
		return "date"
	case "nanos":
		return "date_nanos"
	case "b":
		return "boolean"
	case "labels":
		return "flattened"
	case "obj":
		return "object"
	case "source.geo.location":
		return "geo_point"
	case "process.command_line":
		return "wildcard"
	}
	switch {
	case strings.HasSuffix(field, ".ip"):
		return "ip"
	case strings.HasSuffix(field, ".port"):
		return "long"
	}
	return "" // keyword
}

var evalNow = time.Date(2024, 5, 15, 12, 0, 0, 0, time.UTC)

type evalCase struct {
	query string
	doc   string // JSON object
	want  bool
}

var evalTests = []evalCase{
	// keyword: exact, case-sensitive; nested objects, dotted keys, arrays
	{`process.name : cmd.exe`, `{"process":{"name":"cmd.exe"}}`, true},
	{`process.name : cmd.exe`, `{"process":{"name":"CMD.EXE"}}`, false},
	{`process.name : cmd.exe`, `{"process":{"name":"cmd.exe "}}`, false},
	{`process.name : cmd.exe`, `{"process.name":"cmd.exe"}`, true},
	{`process.parent.name : cmd.exe`, `{"process":{"parent.name":"cmd.exe"}}`, true},
	{`process.parent.name : cmd.exe`, `{"process.parent":{"name":"cmd.exe"}}`, true},
	{`process.name : cmd.exe`, `{"process":{"name":["a","cmd.exe"]}}`, true},
	{`process.name : cmd.exe`, `{"process":[{"name":"x"},{"name":"cmd.exe"}]}`, true},
	{`process.name : cmd.exe`, `{"process":{"name":[["cmd.exe"]]}}`, true},
	{`process.name : cmd.exe`, `{}`, false},
	{`process.name : cmd.exe`, `{"process":{"name":null}}`, false},
	{`process.name : cmd.exe`, `{"process":{"name":{"x":"cmd.exe"}}}`, false},
	{`process.name : "cmd.exe"`, `{"process":{"name":"cmd.exe"}}`, true},
	{`message : hello world`, `{"other":"hello world"}`, false},
	{`f : hello world`, `{"f":"hello world"}`, true},
	{`f : hello world`, `{"f":"hello"}`, false},
	{`event.code : 4624`, `{"event":{"code":4624}}`, true},
	{`event.code : 4624`, `{"event":{"code":"4624"}}`, true},
	{`f : true`, `{"f":true}`, true},
	{`f : 1.5`, `{"f":1.5}`, true},
	{`f : a \or b`, `{"f":"a or b"}`, true},
	{`f : \NOT`, `{"f":"NOT"}`, true},
	{`f : ""`, `{"f":""}`, true},
	{`f : ""`, `{}`, false},

	// not: a missing field does not match a positive predicate
	{`not process.name : cmd.exe`, `{}`, true},
	{`not process.name : cmd.exe`, `{"process":{"name":"cmd.exe"}}`, false},
	{`not process.name : cmd.exe`, `{"process":{"name":["a","cmd.exe"]}}`, false},
	{`not process.name : cmd.exe`, `{"process":{"name":"a"}}`, true},

	// wildcards
	{`process.name : *.exe`, `{"process":{"name":"a.exe"}}`, true},
	{`process.name : *.exe`, `{"process":{"name":".exe"}}`, true},
	{`process.name : *.exe`, `{"process":{"name":"a.dll"}}`, false},
	{`process.name : *.exe`, `{"process":{"name":"A.EXE"}}`, false},
	{`process.name : *foo*bar*`, `{"process":{"name":"xfooybarz"}}`, true},
	{`process.name : *foo*bar*`, `{"process":{"name":"barfoo"}}`, false},
	{`f : C\:\\Windows\\*`, `{"f":"C:\\Windows\\System32\\x.dll"}`, true},
	{`f : C\:\\Windows\\*`, `{"f":"D:\\Windows\\x"}`, false},
	{`f : a\*b`, `{"f":"a*b"}`, true},
	{`f : a\*b`, `{"f":"axb"}`, false},
	{`f : a\*b*`, `{"f":"a*bcd"}`, true},
	{`f : "a*b"`, `{"f":"a*b"}`, true},
	{`f : "a*b"`, `{"f":"axxb"}`, false},
	{`f : *S3 Browser*`, `{"f":"Mozilla S3 Browser 9"}`, true},
	{`process.command_line : *-enc*`, `{"process":{"command_line":"powershell -enc AAA"}}`, true},
	{`f : ünï*`, `{"f":"ünïcödé"}`, true},

	// exists
	{`f : *`, `{"f":"x"}`, true},
	{`f : *`, `{"f":""}`, true},
	{`f : *`, `{"f":0}`, true},
	{`f : *`, `{"f":false}`, true},
	{`f : *`, `{"f":null}`, false},
	{`f : *`, `{"f":[]}`, false},
	{`f : *`, `{"f":[null]}`, false},
	{`f : *`, `{}`, false},
	{`f : *`, `{"f":{"g":1}}`, true},
	{`f : *`, `{"f":{}}`, false},
	{`not f : *`, `{}`, true},
	{`not f : *`, `{"f":"x"}`, false},
	{`f : **`, `{"f":"x"}`, true},

	// text: analyzed
	{`message : hello`, `{"message":"Hello, World"}`, true},
	{`message : HELLO`, `{"message":"hello"}`, true},
	{`message : hello`, `{"message":"helloworld"}`, false},
	{`message : "hello world"`, `{"message":"say Hello World!"}`, true},
	{`message : "hello world"`, `{"message":"world hello"}`, false},
	{`message : "hello world"`, `{"message":["hello","world"]}`, false},
	{`message : hello world`, `{"message":"world peace"}`, true},
	{`message : hello world`, `{"message":"nothing"}`, false},
	{`message : hel*`, `{"message":"Hello there"}`, true},
	{`message : *LLO`, `{"message":"say hello"}`, true},
	{`message : *foo bar*`, `{"message":"xfoo"}`, true},
	{`message : *foo bar*`, `{"message":"barn"}`, true},
	{`message : *foo bar*`, `{"message":"food"}`, false},
	{`message : "foo-bar"`, `{"message":"a foo bar b"}`, true},
	{`message : foo.bar`, `{"message":"foo.bar baz"}`, true},
	{`message : foo.bar`, `{"message":"foo bar"}`, false},
	{`message : "it's"`, `{"message":"It's fine"}`, true},
	{`message : 3.14`, `{"message":"pi is 3.14"}`, true},
	{`message : -`, `{"message":"a - b"}`, false},
	{`message : ""`, `{"message":""}`, false},
	{`title : 東京`, `{"title":"東京タワー"}`, true},
	{`error.message : "disk full"`, `{"error":{"message":"Disk full on /var"}}`, true},

	// numbers
	{`destination.port : 443`, `{"destination":{"port":443}}`, true},
	{`destination.port : 443`, `{"destination":{"port":"443"}}`, true},
	{`destination.port : 443`, `{"destination":{"port":443.0}}`, true},
	{`destination.port : 443`, `{"destination":{"port":444}}`, false},
	{`destination.port : 443.5`, `{"destination":{"port":443}}`, false},
	{`destination.port : 443.0`, `{"destination":{"port":443}}`, true},
	{`destination.port : abc`, `{"destination":{"port":443}}`, false},
	{`destination.port : 4*`, `{"destination":{"port":443}}`, false},
	{`destination.port : *`, `{"destination":{"port":443}}`, true},
	{`destination.port > 1024`, `{"destination":{"port":1025}}`, true},
	{`destination.port > 1024`, `{"destination":{"port":1024}}`, false},
	{`destination.port > 1024`, `{"destination":{"port":"2000"}}`, true},
	{`destination.port > 1024`, `{"destination":{"port":"abc"}}`, false},
	{`destination.port > 1024`, `{"destination":{"port":1024.7}}`, false},
	{`destination.port > 1024`, `{"destination":{"port":[80, 8080]}}`, true},
	{`destination.port >= 1024`, `{"destination":{"port":1024}}`, true},
	{`destination.port < 1024`, `{"destination":{"port":1023}}`, true},
	{`destination.port < 1024`, `{"destination":{"port":1024}}`, false},
	{`destination.port <= 1024`, `{"destination":{"port":1024}}`, true},
	{`destination.port <= 1024`, `{"destination":{"port":1025}}`, false},
	{`destination.port < 1024`, `{}`, false},
	{`not destination.port < 1024`, `{}`, true},
	{`destination.port > -5`, `{"destination":{"port":0}}`, true},
	{`destination.port >= 1e3`, `{"destination":{"port":1000}}`, true},
	{`event.risk_score > 47.5`, `{"event":{"risk_score":47.50000001}}`, false},
	{`event.risk_score > 47.5`, `{"event":{"risk_score":47.6}}`, true},
	{`event.risk_score : 0.1`, `{"event":{"risk_score":0.1}}`, true},
	{`d > 0.1`, `{"d":0.1}`, false},
	{`d > 0.1`, `{"d":0.1000001}`, true},
	{`n : 5`, `{"n":"5.9"}`, true},

	// ip
	{`source.ip : 10.0.0.0/8`, `{"source":{"ip":"10.1.2.3"}}`, true},
	{`source.ip : 10.0.0.0/8`, `{"source":{"ip":"11.0.0.1"}}`, false},
	{`source.ip : 10.0.0.0/8`, `{"source":{"ip":"::ffff:10.1.2.3"}}`, true},
	{`source.ip : 10.0.0.0/8`, `{"source":{"ip":"not an ip"}}`, false},
	{`source.ip : 10.1.2.3/8`, `{"source":{"ip":"10.200.0.1"}}`, true},
	{`source.ip : \:\:ffff\:10.0.0.0/104`, `{"source":{"ip":"10.1.1.1"}}`, true},
	{`source.ip : 192.168.1.10`, `{"source":{"ip":"192.168.1.10"}}`, true},
	{`source.ip : 192.168.1.10`, `{"source":{"ip":"192.168.1.11"}}`, false},
	{`source.ip : "fe80::1"`, `{"source":{"ip":"fe80:0:0::1"}}`, true},
	{`source.ip : 2001\:db8\:\:/32`, `{"source":{"ip":"2001:db8::5"}}`, true},
	{`source.ip : 2001\:db8\:\:/32`, `{"source":{"ip":"2001:db9::1"}}`, false},
	{`source.ip >= 10.0.0.0 and source.ip <= 10.255.255.255`, `{"source":{"ip":"10.200.0.1"}}`, true},
	{`source.ip >= 10.0.0.0 and source.ip <= 10.255.255.255`, `{"source":{"ip":"11.0.0.0"}}`, false},
	{`source.ip < 2001\:db8\:\:1`, `{"source":{"ip":"10.0.0.1"}}`, true},
	{`source.ip > 2001\:db8\:\:1`, `{"source":{"ip":"10.0.0.1"}}`, false},
	{`source.ip : 10.*`, `{"source":{"ip":"10.0.0.1"}}`, false},
	{`related.ip : (10.1.1.1 and 10.2.2.2)`, `{"related":{"ip":["10.1.1.1","10.2.2.2"]}}`, true},
	{`related.ip : (10.1.1.1 and 10.2.2.2)`, `{"related":{"ip":["10.1.1.1"]}}`, false},

	// dates (now = 2024-05-15T12:00:00Z)
	{`event.created : 2024-01-15`, `{"event":{"created":"2024-01-15T23:59:59.999Z"}}`, true},
	{`event.created : 2024-01-15`, `{"event":{"created":"2024-01-15T00:00:00Z"}}`, true},
	{`event.created : 2024-01-15`, `{"event":{"created":"2024-01-16T00:00:00Z"}}`, false},
	{`event.created : 2024-01-15`, `{"event":{"created":"2024-01-15"}}`, true},
	{`event.created : 2024-01-15`, `{"event":{"created":1705276800000}}`, true},
	{`event.created : 2024-01-15`, `{"event":{"created":"1705276800000"}}`, true},
	{`event.created : 2024-01-15`, `{"event":{"created":"yesterday"}}`, false},
	{`event.created >= 2024-01-01`, `{"event":{"created":"2024-01-01T00:00:00Z"}}`, true},
	{`event.created >= 2024-01-01`, `{"event":{"created":"2023-12-31T23:59:59.999Z"}}`, false},
	{`event.created > 2024-01-01`, `{"event":{"created":"2024-01-01T12:00:00Z"}}`, false},
	{`event.created > 2024-01-01`, `{"event":{"created":"2024-01-02T00:00:00Z"}}`, true},
	{`event.created <= 2024-01-01`, `{"event":{"created":"2024-01-01T12:00:00Z"}}`, true},
	{`event.created < 2024-01-01`, `{"event":{"created":"2024-01-01T00:00:00Z"}}`, false},
	{`event.created < 2024-01-01`, `{"event":{"created":"2023-12-31T23:59:59Z"}}`, true},
	{`event.created > now-1d`, `{"event":{"created":"2024-05-15T00:00:00Z"}}`, true},
	{`event.created > now-1d`, `{"event":{"created":"2024-05-14T11:00:00Z"}}`, false},
	{`event.created >= now-1d/d`, `{"event":{"created":"2024-05-14T00:00:00Z"}}`, true},
	{`event.created >= now-1d/d`, `{"event":{"created":"2024-05-13T23:59:59Z"}}`, false},
	{`event.created <= now/d`, `{"event":{"created":"2024-05-15T20:00:00Z"}}`, true},
	{`event.created < now/d`, `{"event":{"created":"2024-05-15T20:00:00Z"}}`, false},
	{`event.created : now/d`, `{"event":{"created":"2024-05-15T01:00:00Z"}}`, true},
	{`event.created : now/d`, `{"event":{"created":"2024-05-16T01:00:00Z"}}`, false},
	{`event.created >= now-1w/w`, `{"event":{"created":"2024-05-06T00:00:00Z"}}`, true},
	{`event.created >= now-1w/w`, `{"event":{"created":"2024-05-05T23:59:59Z"}}`, false},
	{`event.created >= now/M`, `{"event":{"created":"2024-05-01T00:00:00Z"}}`, true},
	{`event.created < now-1y/y`, `{"event":{"created":"2022-12-31T23:59:59Z"}}`, true},
	{`event.created < now-1y/y`, `{"event":{"created":"2023-01-01T00:00:00Z"}}`, false},
	{`event.created > now+1h`, `{"event":{"created":"2024-05-15T13:30:00Z"}}`, true},
	{`event.created > 2024-01-01||+1M`, `{"event":{"created":"2024-02-01T00:00:01Z"}}`, true},
	{`event.created > 2024-01-01||+1M`, `{"event":{"created":"2024-01-31T00:00:00Z"}}`, false},
	{`event.created : "2024-03-01T12:00:00+01:00"`, `{"event":{"created":"2024-03-01T11:00:00Z"}}`, true},
	{`event.created : "2024-03-01T12:00:00+01:00"`, `{"event":{"created":"2024-03-01T12:00:00Z"}}`, false},
	{`event.created >= 1704067200000`, `{"event":{"created":"2024-01-01T00:00:00Z"}}`, true},
	{`event.created >= 1704067200000`, `{"event":{"created":"2023-12-31T00:00:00Z"}}`, false},
	{`process.start : "2024-02-29T10:30:00Z"`, `{"process":{"start":"2024-02-29T10:30:00.000Z"}}`, true},
	{`process.start : "2024-02-29T10:30:00Z"`, `{"process":{"start":"2024-02-29T10:30:00.999Z"}}`, true}, // the bound rounds up to the last nanosecond
	{`process.start : "2024-02-29T10:30:00Z"`, `{"process":{"start":"2024-02-29T10:30:01Z"}}`, false},
	{`event.created : foo*`, `{"event":{"created":"2024-01-01"}}`, false},
	{`event.created : 2024-02-30`, `{"event":{"created":"2024-03-01"}}`, false},
	{`@timestamp < "2024-06-01T00:00:00Z"`, `{"@timestamp":"2024-05-31T23:59:59.999Z"}`, true},
	{`nanos > "2024-01-01T00:00:00.000000001Z"`, `{"nanos":"2024-01-01T00:00:00.000000002Z"}`, true},

	// booleans
	{`b : true`, `{"b":true}`, true},
	{`b : true`, `{"b":"true"}`, true},
	{`b : true`, `{"b":false}`, false},
	{`b : false`, `{"b":""}`, true},
	{`b : yes`, `{"b":true}`, false},
	{`b > false`, `{"b":true}`, true},

	// more ranges: text words, flattened leaves, epoch millis, date units
	{`title > m`, `{"title":"Alpha zulu"}`, true},
	{`title > m`, `{"title":"Alpha Bravo"}`, false},
	{`labels >= b`, `{"labels":{"x":"a","y":"c"}}`, true},
	{`labels < a`, `{"labels":{"x":"a","y":"c"}}`, false},
	{`labels.x < b`, `{"labels":{"x":"a"}}`, true},
	{`event.created < 0`, `{"event":{"created":-1}}`, true},
	{`event.created >= 1704067200000.5`, `{"event":{"created":"1704067200001"}}`, true},
	{`event.created : "2024-01-01T10"`, `{"event":{"created":"2024-01-01T10:59:59Z"}}`, true},
	{`event.created : "2024-01-01T10:15"`, `{"event":{"created":"2024-01-01T10:15:59.5Z"}}`, true},
	{`event.created : "2024-01-01T10:15"`, `{"event":{"created":"2024-01-01T10:16:00Z"}}`, false},
	{`event.created : 2024-01`, `{"event":{"created":"2024-01-01T12:00:00Z"}}`, true},
	{`event.created : 2024-01`, `{"event":{"created":"2024-01-02T00:00:00Z"}}`, false}, // Elasticsearch rounds a missing day up to 01
	{`event.created : "2024-01-01T10:00:00+0530"`, `{"event":{"created":"2024-01-01T04:30:00Z"}}`, true},
	{`event.created >= now-2h/h and event.created < now/h`, `{"event":{"created":"2024-05-15T10:30:00Z"}}`, true},
	{`event.created >= now-1m/m`, `{"event":{"created":"2024-05-15T11:59:00Z"}}`, true},
	{`event.created > now/s`, `{"event":{"created":"2024-05-15T12:00:00.999Z"}}`, false},
	{`event.created : now/y`, `{"event":{"created":"2024-12-31T23:59:59.999Z"}}`, true},
	{`event.created > now-1x`, `{"event":{"created":"2024-05-15T12:00:00Z"}}`, false},
	{`event.created > now/x`, `{"event":{"created":"2024-05-15T12:00:00Z"}}`, false},
	{`event.created > now-`, `{"event":{"created":"2024-05-15T12:00:00Z"}}`, false},
	{`event.created > 2024-01-01||`, `{"event":{"created":"2024-05-15T12:00:00Z"}}`, true},
	{`event.created > bad||+1d`, `{"event":{"created":"2024-05-15T12:00:00Z"}}`, false},
	{`event.created > 2024-01-01`, `{"event":{"created":true}}`, false},
	{`nanos : "2024-01-01T00:00:00.000000001Z"`, `{"nanos":"2024-01-01T00:00:00.000000001Z"}`, true},
	{`source.ip > 10.0.0.1`, `{"source":{"ip":"fe80::1"}}`, true},
	{`source.ip > bad`, `{"source":{"ip":"10.0.0.1"}}`, false},
	{`source.ip : 10.0.0.0/33`, `{"source":{"ip":"10.0.0.1"}}`, false},
	{`source.ip : \:\:/0`, `{"source":{"ip":"10.0.0.1"}}`, true},
	{`source.ip : fe80\:\:1%eth0`, `{"source":{"ip":"fe80::1"}}`, false},
	{`source.ip : 10.0.0.1`, `{"source":{"ip":167772161}}`, false},
	{`b < true`, `{"b":false}`, true},
	{`b < maybe`, `{"b":false}`, false},
	{`destination.port > 1`, `{"destination":{"port":true}}`, false},
	{`geo < 2`, `{"geo":1}`, true}, // keyword: "1" < "2"
	{`source.ip : \:\:ffff\:0\:0/96`, `{"source":{"ip":"1.2.3.4"}}`, true},
	{`source.ip : 2001\:db8\:\:/32`, `{"source":{"ip":"10.0.0.1"}}`, false},
	{`source.geo.location > 1`, `{"source":{"geo":{"location":"1,2"}}}`, false},
	{`n : 1`, `{"n":{"x":1}}`, false},
	{`process.name : *`, `{"process":{"name":[null,"x"]}}`, true},
	{`process : *`, `{"process":[{},{"name":"x"}]}`, true},

	// flattened, object, geo_point
	{`labels : prod`, `{"labels":{"env":"prod"}}`, true},
	{`labels : prod`, `{"labels":{"env":"dev"}}`, false},
	{`labels.env : prod`, `{"labels":{"env":"prod"}}`, true},
	{`obj : x`, `{"obj":{"name":"x"}}`, false},
	{`obj : *`, `{"obj":{"name":"x"}}`, true},
	{`source.geo.location : *`, `{"source":{"geo":{"location":{"lat":1,"lon":2}}}}`, true},
	{`source.geo.location : x`, `{"source":{"geo":{"location":"x"}}}`, false},

	// keyword ranges compare strings
	{`user.name >= m and user.name < n`, `{"user":{"name":"mallory"}}`, true},
	{`user.name >= m and user.name < n`, `{"user":{"name":"alice"}}`, false},
	{`user.name > Z`, `{"user":{"name":"a"}}`, true},

	// value lists
	{`f : (a or b)`, `{"f":"b"}`, true},
	{`f : (a or b)`, `{"f":"c"}`, false},
	{`f : (a and b)`, `{"f":["a","b"]}`, true},
	{`f : (a and b)`, `{"f":"a"}`, false},
	{`f : (a and not b)`, `{"f":["a","c"]}`, true},
	{`f : (a and not b)`, `{"f":["a","b"]}`, false},
	{`f : (not a)`, `{}`, true},
	{`f : (not a)`, `{"f":"a"}`, false},
	{`f : (not a)`, `{"f":"b"}`, true},
	{`not f : (a or b)`, `{"f":"c"}`, true},
	{`not f : (a or b)`, `{"f":"a"}`, false},
	{`f : (*.exe or *.dll)`, `{"f":"x.dll"}`, true},
	{`f : ((a or b) and not *b)`, `{"f":"b"}`, false},

	// boolean structure
	{`k1 : 1 and k2 : 2 or k3 : 3`, `{"k3":3}`, true},
	{`k1 : 1 and k2 : 2 or k3 : 3`, `{"k1":1}`, false},
	{`k1 : 1 and k2 : 2 or k3 : 3`, `{"k1":1,"k2":2}`, true},
	{`k1 : 1 and (k2 : 2 or k3 : 3)`, `{"k3":3}`, false},
	{`k1 : 1 and (k2 : 2 or k3 : 3)`, `{"k1":1,"k3":3}`, true},
	{`not (k1 : 1 or k2 : 2)`, `{}`, true},
	{`not (k1 : 1 or k2 : 2)`, `{"k2":2}`, false},
	{`not (not k1 : 1)`, `{"k1":1}`, true},
	{``, `{}`, true},
	{`   `, `{"a":1}`, true},

	// nested queries: one object must satisfy the whole inner query
	{`user : { first : a and last : b }`, `{"user":[{"first":"a","last":"x"},{"first":"y","last":"b"}]}`, false},
	{`user.first : a and user.last : b`, `{"user":[{"first":"a","last":"x"},{"first":"y","last":"b"}]}`, true},
	{`user : { first : a and last : b }`, `{"user":[{"first":"a","last":"b"}]}`, true},
	{`user : { first : a and last : b }`, `{"user":{"first":"a","last":"b"}}`, true},
	{`user : { not name : root }`, `{}`, false},
	{`user : { not name : root }`, `{"user":{"id":1}}`, true},
	{`user : { not name : root }`, `{"user":{"name":"root"}}`, false},
	{`user : { not name : root }`, `{"user":[{"name":"root"},{"name":"x"}]}`, true},
	{`not user : { name : root }`, `{"user":[{"name":"x"},{"name":"root"}]}`, false},
	{`a : { b : { c : d } }`, `{"a":{"b":{"c":"d"}}}`, true},
	{`a : { b : { c : d } }`, `{"a":{"b":{"c":"e"}}}`, false},
	{`threat.enrichments : { indicator.type : ipv4-addr }`, `{"threat":{"enrichments":[{"indicator":{"type":"ipv4-addr"}}]}}`, true},
	{`p : { port > 5 }`, `{"p":{"port":"10"}}`, true}, // typed by full name p.port (long)
	{`p* : { port > 5 }`, `{"px":{"port":10}}`, true},
	{`p : { x : 1 }`, `{"p":"scalar"}`, false},

	// wildcard field names
	{`process.*.name : cmd.exe`, `{"process":{"parent":{"name":"cmd.exe"}}}`, true},
	{`process.*.name : cmd.exe`, `{"process":{"name":"cmd.exe"}}`, false},
	{`not process.*.name : cmd.exe`, `{"process":{"parent":{"name":"x"}}}`, true},
	{`*.ip : 10.1.2.3`, `{"source":{"ip":"10.1.2.3"}}`, true},
	{`*.ip : 10.1.2.3`, `{"source":{"ip":"::ffff:10.1.2.3"}}`, true},
	{`*.ip : 10.0.0.0/8`, `{"a":{"b":{"ip":["1.1.1.1","10.0.0.9"]}}}`, true},
	{`host.* : *`, `{"host":{"name":"x"}}`, true},
	{`host.* : *`, `{"hostname":"x"}`, false},
	{`*.port > 1024`, `{"destination":{"port":2000}}`, true},
	{`*.port > 1024`, `{"destination":{"port":80}}`, false},
	{`* : *`, `{}`, true},
	{`* : cmd.exe`, `{"a":{"b":"cmd.exe"}}`, true},
	{`process.* : (a and b)`, `{"process":{"x":"a","y":"b"}}`, true},

	// free text: any field
	{`cmd.exe`, `{"process":{"name":"cmd.exe"}}`, true},
	{`cmd.exe`, `{}`, false},
	{`"hello world"`, `{"message":"oh hello world"}`, true},
	{`10.0.0.0/8`, `{"source":{"ip":"10.1.1.1"}}`, true},
	{`*`, `{"a":1}`, true},
	{`cmd*`, `{"process":{"name":"cmd.exe"}}`, true},

	// Value semantics shared with package dsl (internal/esvalue).
	{`title : "foo:bar"`, `{"title":"see foo:bar now"}`, true},
	{`title : foo`, `{"title":"see foo:bar now"}`, false}, // "foo:bar" is one word
	{`h : 0.09997`, `{"h":0.1}`, true},                    // half precision
	{`event.risk_score : 1e39`, `{"event":{"risk_score":1e39}}`, false},
	{`@timestamp : 2024-05T10`, `{"@timestamp":"2024-05-01T10:00:00Z"}`, true}, // java.time's formatter reads a time after a partial date
	{`@timestamp : 2024-05-01t10`, `{"@timestamp":"2024-05-01T10:00:00Z"}`, false},
	{`@timestamp >= 2500-01-01`, `{"@timestamp":16725225600001}`, true}, // after 2262
	{`@timestamp < 2500-01-01`, `{"@timestamp":16725225600001}`, false},
	{`@timestamp : "2500-01-01T00:00:00.001Z"`, `{"@timestamp":"16725225600001"}`, true},
	// token_count indexes the number of words of its string
	{`tc > 20`, `{"tc":3}`, false},
	{`tc : 3`, `{"tc":"3"}`, false},
	{`tc : 1`, `{"tc":"3"}`, true},
	{`tc : 3`, `{"tc":"three little words"}`, true},
	{`tc >= 2 and tc < 4`, `{"tc":"three little words"}`, true},
}

// decode decodes a test document with encoding/json, with or without UseNumber.
func decode(t *testing.T, doc string, useNumber bool) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	if useNumber {
		dec.UseNumber()
	}
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("bad test document %s: %v", doc, err)
	}
	return m
}

func TestMatch(t *testing.T) {
	for _, tc := range evalTests {
		q, err := Parse(tc.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.query, detail(err))
			continue
		}
		for _, useNumber := range []bool{false, true} {
			doc := decode(t, tc.doc, useNumber)
			if got := MatchAt(q, doc, testTypes, evalNow); got != tc.want {
				t.Errorf("MatchAt(%q, %s, UseNumber=%v) = %v, want %v", tc.query, tc.doc, useNumber, got, tc.want)
			}
		}
	}
}

func TestMatchNumberPrecision(t *testing.T) {
	// unsigned_long beyond 2^53: exact with UseNumber.
	q, _ := Parse(`u : 18446744073709551615`)
	if !Match(q, decode(t, `{"u":18446744073709551615}`, true), testTypes) {
		t.Error("exact unsigned_long did not match")
	}
	if Match(q, decode(t, `{"u":18446744073709551614}`, true), testTypes) {
		t.Error("neighbouring unsigned_long matched")
	}
	// Go values built by hand.
	q, _ = Parse(`destination.port : 22 and f : 7 and g : x`)
	doc := map[string]any{"destination": map[string]any{"port": 22}, "f": int64(7), "g": "x"}
	if !Match(q, doc, testTypes) {
		t.Error("Go ints did not match")
	}
}

func TestMatchNilTypes(t *testing.T) {
	q, _ := Parse(`destination.port : 22 and message : "a b"`)
	// Without types everything is keyword: exact values.
	if !Match(q, map[string]any{"destination": map[string]any{"port": 22.0}, "message": "a b"}, nil) {
		t.Error("keyword semantics without Types")
	}
	if Match(q, map[string]any{"destination": map[string]any{"port": 22.0}, "message": "x a b"}, nil) {
		t.Error("a phrase matched a keyword partially")
	}
	if !Match(nil, nil, nil) {
		t.Error("a nil query matches everything")
	}
}

func TestMatchNow(t *testing.T) {
	q, _ := Parse(`event.created > now-1h and event.created <= now`)
	recent := time.Now().UTC().Add(-10 * time.Minute).Format(time.RFC3339Nano)
	old := time.Now().UTC().Add(-2 * time.Hour).Format(time.RFC3339Nano)
	if !Match(q, map[string]any{"event": map[string]any{"created": recent}}, testTypes) {
		t.Error("recent date did not match now-1h")
	}
	if Match(q, map[string]any{"event": map[string]any{"created": old}}, testTypes) {
		t.Error("old date matched now-1h")
	}
}

// TestMatchQueriesFile checks that every query of testdata/kql/queries.txt
// can be evaluated against a few documents without trouble, and that the
// unsolvable ones match none of a spread of documents built from the
// values they mention.
func TestMatchQueriesFile(t *testing.T) {
	docs := []map[string]any{
		{},
		decode(t, `{"destination":{"port":1024,"ip":"10.0.0.1"},"process":{"name":"cmd.exe","pid":4}}`, true),
		decode(t, `{"destination":{"port":[22,80]},"source":{"ip":["10.0.0.1","192.168.0.1"]},"process":{"name":["a.exe","a.dll"]}}`, false),
		decode(t, `{"host":{"name":"web-01"},"user":{"name":["alice","bob"]},"event":{"outcome":"success","created":"2024-01-15"}}`, true),
	}
	for _, l := range readQueries(t) {
		q, err := Parse(l.query)
		if err != nil {
			t.Fatalf("line %d: %v", l.line, err)
		}
		for _, d := range docs {
			got := MatchAt(q, d, testTypes, evalNow)
			if l.unsolvable && got && !arrayDoc(d) {
				t.Errorf("line %d: unsolvable %q matched %v", l.line, l.query, d)
			}
		}
	}
}

// arrayDoc reports whether a test document holds arrays (where two values
// of one field make some "unsolvable" single-value queries hold).
func arrayDoc(d map[string]any) bool {
	found := false
	walkObjects(d, "", func(_ string, m map[string]any) {
		for _, v := range m {
			if _, ok := v.([]any); ok {
				found = true
			}
		}
	})
	return found
}
