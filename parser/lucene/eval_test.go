package lucene

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/esvalue"
)

// evalTypes types the fields of the evaluator tests.
func evalTypes(field string) estype.Mapping {
	switch field {
	case "message", "title":
		return estype.Mapping{Type: estype.Text}
	case "mot":
		return estype.Mapping{Type: estype.MatchOnlyText}
	case "port", "destination.port", "process.pid":
		return estype.Mapping{Type: estype.Long}
	case "score":
		return estype.Mapping{Type: estype.Float}
	case "@timestamp", "event.created":
		return estype.Mapping{Type: estype.Date}
	case "source.ip", "ip":
		return estype.Mapping{Type: estype.IP}
	case "flag":
		return estype.Mapping{Type: estype.Boolean}
	case "caseless", "process.name.caseless":
		return estype.Mapping{Type: estype.Keyword, Normalizer: estype.NormalizerLowercase}
	case "labels":
		return estype.Mapping{Type: estype.Flattened}
	case "obj":
		return estype.Mapping{Type: estype.Object}
	case "geo":
		return estype.Mapping{Type: estype.GeoPoint}
	case "wc":
		return estype.Mapping{Type: estype.Wildcard}
	}
	return estype.Mapping{} // keyword
}

var evalNow = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// verdict names for the table.
const (
	Y = esvalue.Yes
	N = esvalue.No
	X = esvalue.Invalid
)

var strict = false

// evalTests: query, document, options (nil: Kibana's), verdict.
var evalTests = []struct {
	q    string
	doc  string
	opts *Options
	want esvalue.Verdict
}{
	// keyword fields: the whole value, exactly
	{`name:cmd.exe`, `{"name": "cmd.exe"}`, nil, Y},
	{`name:cmd.exe`, `{"name": "CMD.EXE"}`, nil, N},
	{`name:cmd`, `{"name": "cmd.exe"}`, nil, N},
	{`name:"cmd.exe"`, `{"name": "cmd.exe"}`, nil, Y},
	{`name:(a b)`, `{"name": "a b"}`, nil, Y},
	{`name:(a b)`, `{"name": "a"}`, nil, N},
	{`name:a\ b`, `{"name": "a b"}`, nil, Y},
	{`name:"a  b"`, `{"name": "a b"}`, nil, N},
	{`name:(start or process_started)`, `{"name": "start or process_started"}`, nil, Y},
	{`name:(start or process_started)`, `{"name": "start"}`, nil, N},
	{`name:(start OR process_started)`, `{"name": "start"}`, nil, Y},
	{`name:x`, `{"name": ["a", "x"]}`, nil, Y},
	{`process.name:x`, `{"process": {"name": "x"}}`, nil, Y},
	{`process.name:x`, `{"process.name": "x"}`, nil, Y},
	{`process.name:x`, `{"process": [{"name": "y"}, {"name": "x"}]}`, nil, Y},
	{`name:C\:\\Windows`, `{"name": "C:\\Windows"}`, nil, Y},
	{`name:\u0041`, `{"name": "A"}`, nil, Y},
	{`name:5`, `{"name": 5}`, nil, Y},
	{`name:true`, `{"name": true}`, nil, Y},
	{`wc:abc`, `{"wc": "abc"}`, nil, Y},
	{`caseless:CMD.exe`, `{"caseless": "cmd.EXE"}`, nil, Y},
	{`labels:x`, `{"labels": {"a": "y", "b": {"c": "x"}}}`, nil, Y},
	{`labels:z`, `{"labels": {"a": "y"}}`, nil, N},
	{`obj:x`, `{"obj": {"a": "x"}}`, nil, N},

	// text fields: analyzed words and phrases
	{`message:hello`, `{"message": "Hello, World"}`, nil, Y},
	{`message:HELLO`, `{"message": "hello world"}`, nil, Y},
	{`message:(hello there)`, `{"message": "hello world"}`, nil, Y},
	{`message:(hello there)`, `{"message": "hello world"}`, &Options{DefaultOperator: OperatorAnd}, N},
	{`message:(hello world)`, `{"message": "world, hello"}`, &Options{DefaultOperator: OperatorAnd}, Y},
	{`message:foo-bar`, `{"message": "bar"}`, nil, Y},
	{`message:"hello world"`, `{"message": "say hello world!"}`, nil, Y},
	{`message:"hello world"`, `{"message": "world hello"}`, nil, N},
	{`message:"hello world"`, `{"message": ["hello", "world"]}`, nil, N},
	{`message:"world hello"~2`, `{"message": "hello world"}`, nil, Y},
	{`message:"world hello"~1`, `{"message": "hello world"}`, nil, N},
	{`message:"a c"~1`, `{"message": "a b c"}`, nil, Y},
	{`message:"a d"~1`, `{"message": "a b c d"}`, nil, N},
	{`message:"a d"~2`, `{"message": "a b c d"}`, nil, Y},
	{`message:"a a"~1`, `{"message": "a b"}`, nil, N},
	{`message:"a a"~1`, `{"message": "a b a"}`, nil, Y},
	{`message:"x y"~150`, `{"message": ["x", "y"]}`, nil, Y},
	{`message:"x y"~50`, `{"message": ["x", "y"]}`, nil, N},
	{`message:"a c"`, `{"message": "a b c"}`, &Options{PhraseSlop: 1}, Y},
	{`message:"a b"~-1`, `{"message": "a b"}`, &Options{Lenient: &strict}, X},
	{`message:"Hello"`, `{"message": "hello"}`, nil, Y},
	{`mot:"quick fox"`, `{"mot": "the quick fox"}`, nil, Y},
	{`title:quick AND message:fox`, `{"title": "Quick", "message": "fox"}`, nil, Y},
	{`message:hello`, `{"message": ["a", "b hello"]}`, nil, Y},

	// terms that leave no word on a text field are dropped
	{`message:"!"`, `{"message": "!"}`, nil, N},
	{`message:"!" OR name:x`, `{"name": "x"}`, nil, Y},
	{`message:"!" AND name:x`, `{"name": "x"}`, nil, Y},
	{`name:x AND message:"!"`, `{"name": "x"}`, nil, Y},
	{`NOT message:"!"`, `{"message": "x"}`, nil, N},
	{`name:y OR (message:"!")`, `{"name": "x"}`, nil, N},

	// fuzzy terms
	{`name:abcdef~`, `{"name": "abcxef"}`, nil, Y},
	{`name:abcdef~`, `{"name": "abxxxf"}`, nil, N},
	{`name:abcdef~1`, `{"name": "abcxxf"}`, nil, N},
	{`name:abcdef~1`, `{"name": "bacdef"}`, nil, Y},
	{`name:abcdef~1`, `{"name": "bacdef"}`, &Options{NoFuzzyTranspositions: true}, N},
	{`name:abc~`, `{"name": "abd"}`, nil, Y},
	{`name:ab~`, `{"name": "ac"}`, nil, N},
	{`name:abc~0`, `{"name": "abd"}`, nil, N},
	{`name:abc~2`, `{"name": "xyc"}`, nil, Y},
	{`name:abcd~1`, `{"name": "xbcd"}`, &Options{FuzzyPrefixLength: 1}, N},
	{`name:abcd~1`, `{"name": "abxd"}`, &Options{FuzzyPrefixLength: 1}, Y},
	{`message:Helo~`, `{"message": "say hello"}`, nil, Y},
	{`caseless:ABD~1`, `{"caseless": "abc"}`, nil, Y},
	{`port:80~`, `{"port": 80}`, &Options{Lenient: &strict}, X},
	{`name:abcdef~`, `{"name": "abcdef"}`, &Options{Fuzziness: &Fuzziness{Edits: 0}}, Y},
	{`name:abcdef~`, `{"name": "abcdxf"}`, &Options{Fuzziness: &Fuzziness{Edits: 0}}, N},

	// wildcards and prefixes
	{`name:cmd*`, `{"name": "cmd.exe"}`, nil, Y},
	{`name:CMD*`, `{"name": "cmd.exe"}`, nil, N},
	{`name:*.exe`, `{"name": "cmd.exe"}`, nil, Y},
	{`name:c?d.exe`, `{"name": "cmd.exe"}`, nil, Y},
	{`name:c?d.exe`, `{"name": "cmmd.exe"}`, nil, N},
	{`name:a\*b*`, `{"name": "a*bc"}`, nil, Y},
	{`name:a\*b*`, `{"name": "axbc"}`, nil, N},
	{`caseless:CMD*`, `{"caseless": "Cmd.exe"}`, nil, Y},
	{`caseless:*.EXE`, `{"caseless": "cmd.exe"}`, nil, Y},
	{`message:HEL*`, `{"message": "hello world"}`, nil, Y},
	{`message:W?RLD`, `{"message": "hello world"}`, nil, Y},
	{`message:hello\ wor*`, `{"message": "hello world"}`, &Options{}, N},
	{`message:hello\ wor*`, `{"message": "world"}`, nil, Y},
	{`message:hello\ wor*`, `{"message": "x world"}`, &Options{AnalyzeWildcard: true, DefaultOperator: OperatorAnd}, N},
	{`message:hello\ wor*`, `{"message": "hello world"}`, &Options{AnalyzeWildcard: true, DefaultOperator: OperatorAnd}, Y},
	{`message:foo.bar*`, `{"message": "foo.barbaz"}`, nil, Y},
	{`message:*ell*`, `{"message": "hello"}`, nil, Y},
	{`labels:x*`, `{"labels": {"a": "xyz"}}`, nil, Y},
	{`port:8*`, `{"port": 80}`, &Options{Lenient: &strict}, X},
	{`port:8*`, `{"port": 80}`, nil, N},
	{`ip:10.*`, `{"ip": "10.0.0.1"}`, &Options{Lenient: &strict}, X},
	{`@timestamp:2024*`, `{"@timestamp": "2024-01-01"}`, &Options{Lenient: &strict}, X},

	// regular expressions
	{`name:/cmd\.exe/`, `{"name": "cmd.exe"}`, nil, Y},
	{`name:/cmd/`, `{"name": "cmd.exe"}`, nil, N},
	{`name:/cmd.*/`, `{"name": "cmd.exe"}`, nil, Y},
	{`name:/[A-Z]+/`, `{"name": "abc"}`, nil, N},
	{`url:/http:\/\/[0-9]{1,3}\/cd/`, `{"url": "http://127/cd"}`, nil, Y},
	{`url:/http:\/\/[0-9]{1,3}\/cd/`, `{"url": "http://1270/cd"}`, nil, N},
	{`name:/4[0-9]{3}/`, `{"name": ["u+s", "4755"]}`, nil, Y},
	{`name:/a&~(ab)/`, `{"name": "a"}`, nil, Y},
	{`name:/<1-10>/`, `{"name": "7"}`, nil, Y},
	{`name:/@/`, `{"name": ""}`, nil, Y},
	{`message:/wor.d/`, `{"message": "Hello World"}`, nil, Y},
	{`message:/Wor.d/`, `{"message": "Hello World"}`, nil, N},
	{`message:/hello.world/`, `{"message": "hello world"}`, nil, N},
	{`caseless:/CMD\.[A-Z]+/`, `{"caseless": "CMD.EXE"}`, nil, Y},
	{`port:/8.*/`, `{"port": 80}`, &Options{Lenient: &strict}, X},
	{`destination.domain:/[a-z]{3}.stage.[0-9]{8}\..*/`, `{"destination.domain": "abc.stage.12345678.example.com"}`, nil, Y},

	// numbers
	{`port:80`, `{"port": 80}`, nil, Y},
	{`port:80`, `{"port": "80"}`, nil, Y},
	{`port:80`, `{"port": 81}`, nil, N},
	{`port:80.5`, `{"port": 80}`, nil, N},
	{`port:abc`, `{"port": 80}`, &Options{Lenient: &strict}, X},
	{`port:abc`, `{"port": 80}`, nil, N},
	{`NOT port:abc`, `{"port": 80}`, &Options{Lenient: &strict}, X},
	{`NOT port:abc`, `{"port": 80}`, nil, Y},
	{`port:(53 OR 80 OR 8080 OR 443)`, `{"port": 8080}`, nil, Y},
	{`port:[1 TO 1024]`, `{"port": 1024}`, nil, Y},
	{`port:[1 TO 1024}`, `{"port": 1024}`, nil, N},
	{`port:{80 TO *]`, `{"port": 81}`, nil, Y},
	{`port:{80 TO *]`, `{"port": 80}`, nil, N},
	{`port:[* TO *]`, `{"port": 1}`, nil, Y},
	{`port:[* TO *]`, `{}`, nil, N},
	{`port:>1024`, `{"port": 1025}`, nil, Y},
	{`port:>=1024`, `{"port": 1024}`, nil, Y},
	{`port:<1024`, `{"port": 1024}`, nil, N},
	{`port:<=1024`, `{"port": 1024}`, nil, Y},
	{`port:>\*`, `{"port": 5}`, nil, Y},
	{`port:>*`, `{"port": 5}`, nil, N}, // a prefix query ">": refused on a number
	{`score:0.1`, `{"score": 0.1}`, nil, Y},
	{`score:[0.5 TO 1]`, `{"score": 0.75}`, nil, Y},
	{`port:"80"`, `{"port": 80}`, nil, Y},
	{`port:(80 443)`, `{"port": 80}`, &Options{Lenient: &strict}, X},
	{`port:[a TO b]`, `{"port": 80}`, &Options{Lenient: &strict}, X},

	// dates
	{`@timestamp:2024-01-15`, `{"@timestamp": "2024-01-15T10:00:00Z"}`, nil, Y},
	{`@timestamp:2024-01-15`, `{"@timestamp": "2024-01-16T00:00:00Z"}`, nil, N},
	{`@timestamp:[2024-01-01 TO 2024-01-31]`, `{"@timestamp": "2024-01-31T23:59:59Z"}`, nil, Y},
	{`@timestamp:[2024-01-01 TO 2024-01-31}`, `{"@timestamp": "2024-01-31T12:00:00Z"}`, nil, N},
	{`@timestamp:{2024-01-01 TO *]`, `{"@timestamp": "2024-01-01T12:00:00Z"}`, nil, N},
	{`@timestamp:[now-1d TO now]`, `{"@timestamp": "2024-06-01T00:00:00Z"}`, nil, Y},
	{`@timestamp:[now-1d TO now]`, `{"@timestamp": "2024-05-30T00:00:00Z"}`, nil, N},
	{`@timestamp:>now-1h`, `{"@timestamp": "2024-06-01T11:30:00Z"}`, nil, Y},
	{`@timestamp:[now/d TO *]`, `{"@timestamp": "2024-06-01T00:00:00Z"}`, nil, Y},
	{`@timestamp:>=2024-06-01`, `{"@timestamp": 1717200000000}`, nil, Y},
	{`@timestamp:yesterday`, `{"@timestamp": "2024-06-01T00:00:00Z"}`, &Options{Lenient: &strict}, X},

	// IP addresses
	{`source.ip:10.0.0.1`, `{"source": {"ip": "10.0.0.1"}}`, nil, Y},
	{`source.ip:"10.0.0.0/8"`, `{"source": {"ip": "10.1.2.3"}}`, nil, Y},
	{`source.ip:"10.0.0.0/8"`, `{"source": {"ip": "11.1.2.3"}}`, nil, N},
	{`source.ip:[10.0.0.0 TO 10.255.255.255]`, `{"source": {"ip": "10.1.2.3"}}`, nil, Y},
	{`source.ip:{10.0.0.0 TO 10.0.0.5}`, `{"source": {"ip": "10.0.0.5"}}`, nil, N},
	{`source.ip:2001\:db8\:\:1`, `{"source": {"ip": "2001:db8::1"}}`, nil, Y},
	{`source.ip:not-an-ip`, `{"source": {"ip": "10.0.0.1"}}`, &Options{Lenient: &strict}, X},
	{`NOT source.ip:"10.0.0.0/8"`, `{"source": {"ip": "192.168.0.1"}}`, nil, Y},

	// booleans
	{`flag:true`, `{"flag": true}`, nil, Y},
	{`flag:false`, `{"flag": true}`, nil, N},
	{`flag:yes`, `{"flag": true}`, &Options{Lenient: &strict}, X},

	// keyword ranges compare strings
	{`name:[a TO c]`, `{"name": "b"}`, nil, Y},
	{`name:[a TO c]`, `{"name": "d"}`, nil, N},
	{`name:{a TO b}`, `{"name": "a"}`, nil, N},
	{`caseless:[A TO C]`, `{"caseless": "B"}`, nil, Y},
	{`message:[a TO c]`, `{"message": "Xylophone beta"}`, nil, Y},
	{`message:[A TO C]`, `{"message": "beta"}`, nil, Y},

	// exists
	{`_exists_:name`, `{"name": "x"}`, nil, Y},
	{`_exists_:name`, `{"name": null}`, nil, N},
	{`_exists_:name`, `{}`, nil, N},
	{`_exists_:process`, `{"process": {"name": "x"}}`, nil, Y},
	{`_exists_:process.\*`, `{"process": {"pid": 1}}`, nil, Y},
	{`NOT _exists_:http.request.headers.authorization`, `{"http": {"request": {}}}`, nil, Y},
	{`NOT _exists_:http.request.headers.authorization`, `{"http": {"request": {"headers": {"authorization": "x"}}}}`, nil, N},
	{`_exists_:(a OR b)`, `{"b": 1}`, nil, Y},
	{`_exists_:"a"`, `{"a": 1}`, nil, Y},
	{`_exists_:a*`, `{"a": 1}`, nil, N},
	{`name:*`, `{"name": "x"}`, nil, Y},
	{`name:*`, `{"name": []}`, nil, N},
	{`NOT name:*`, `{}`, nil, Y},
	{`*:*`, `{}`, nil, Y},
	{`*`, `{}`, nil, Y},
	{`NOT *:*`, `{"a": 1}`, nil, N},
	{``, `{}`, nil, Y},

	// negations of missing fields
	{`NOT name:x`, `{}`, nil, Y},
	{`NOT port:80`, `{}`, nil, Y},
	{`-message:hello`, `{}`, nil, Y},
	{`NOT name:x*`, `{"other": "x"}`, nil, Y},
	{`NOT name:/x/`, `{}`, nil, Y},
	{`NOT port:[1 TO 5]`, `{}`, nil, Y},
	{`NOT name:abc~`, `{}`, nil, Y},
	{`NOT name:x`, `{"name": ["y", "x"]}`, nil, N},

	// clause rules
	{`a:1 AND b:2 OR c:3`, `{"a": "1", "b": "2"}`, nil, Y},
	{`a:1 AND b:2 OR c:3`, `{"c": "3"}`, nil, N},
	{`a:1 OR b:2 AND c:3`, `{"a": "1"}`, nil, N},
	{`a:1 OR b:2 AND c:3`, `{"b": "2", "c": "3"}`, nil, Y},
	{`a:1 b:2`, `{"b": "2"}`, nil, Y},
	{`a:1 b:2`, `{"b": "2"}`, &Options{DefaultOperator: OperatorAnd}, N},
	{`a:1 OR b:2`, `{"b": "2"}`, &Options{DefaultOperator: OperatorAnd}, Y},
	{`+a:1 b:2`, `{"a": "1"}`, nil, Y},
	{`+a:1 -b:2 c:3`, `{"a": "1", "b": "2"}`, nil, N},
	{`+a:1 -b:2 c:3`, `{"a": "1"}`, nil, Y},
	{`-a:1 -b:2`, `{"c": "3"}`, nil, Y},
	{`-a:1 -b:2`, `{"b": "2"}`, nil, N},
	{`a:1 -b:2 c:3`, `{"c": "3"}`, nil, Y},
	{`a:1 -b:2 c:3`, `{"d": "3"}`, nil, N},
	{`!a:1`, `{"a": "2"}`, nil, Y},
	{`a:1 && b:2 || c:3`, `{"a": "1", "b": "2"}`, nil, Y},
	{`a:1 OR NOT b:2`, `{"a": "1"}`, nil, Y},
	{`a:1 OR NOT b:2`, `{"c": "1"}`, nil, N},
	{`NOT (a:1 AND b:2)`, `{"a": "1"}`, nil, Y},
	{`NOT (a:1 OR b:2)`, `{"a": "1"}`, nil, N},
	{`-(a:1 -b:2)`, `{"a": "1", "b": "2"}`, nil, Y},
	{`f:(a OR g:b)`, `{"g": "b"}`, nil, Y},
	{`f:(a AND (b OR c))`, `{"f": ["a", "c"]}`, nil, Y},
	{`f:(-a)`, `{"f": "b"}`, nil, Y},
	{`f:x^2 AND g:(y z)^3`, `{"f": "x", "g": "y z"}`, nil, Y},
	{`NOT port:abc AND name:x`, `{"name": "x"}`, &Options{DefaultField: "name"}, X},

	// terms without a field
	{`cmd.exe`, `{"process": {"name": "cmd.exe"}}`, nil, Y},
	{`cmd.exe`, `{"process": {"name": "x"}}`, nil, N},
	{`hello`, `{"message": "Hello world", "port": 80}`, nil, Y},
	{`80`, `{"port": 80}`, nil, Y},
	{`abc`, `{"port": 80}`, nil, N},
	{`cmd.exe`, `{"a": "cmd.exe", "b": "x"}`, &Options{DefaultField: "b"}, N},
	{`cmd.exe`, `{"a": "cmd.exe", "b": "x"}`, &Options{Fields: []string{"b", "a"}}, Y},
	{`*`, `{"b": "x"}`, &Options{Fields: []string{"a"}}, N},
	{`*`, `{"a": "x"}`, &Options{DefaultField: "a"}, Y},
	{`process.\*:cmd.exe`, `{"process": {"pid": 5, "name": "cmd.exe"}}`, nil, Y},
	{`process.\*:cmd.exe`, `{"process": {"pid": 5}, "name": "cmd.exe"}`, nil, N},
	{`\*:cmd.exe`, `{"x": {"y": "cmd.exe"}}`, nil, Y},
	{`>5`, `{"port": 6}`, &Options{DefaultField: "port"}, Y},
	{`(a OR b)`, `{"f": "b"}`, &Options{DefaultField: "f"}, Y},

	// the rule queries of the shared rulesets
	{`event.category:process AND event.type:(start or process_started) AND process.name:chmod AND process.args:(g+s OR /2[0-9]{3}/) AND NOT user.name:root`,
		`{"event": {"category": "process", "type": "start or process_started"}, "process": {"name": "chmod", "args": ["chmod", "2755", "f"]}, "user": {"name": "bob"}}`, nil, Y},
	{`event.category:process AND event.type:(start or process_started) AND process.name:chmod AND process.args:(g+s OR /2[0-9]{3}/) AND NOT user.name:root`,
		`{"event": {"category": "process", "type": "start"}, "process": {"name": "chmod", "args": ["g+s"]}}`, nil, N},
	{`event.category:network_traffic AND NOT http.response.headers.content-type:"image/x-icon" AND NOT _exists_:http.request.headers.authorization`,
		`{"event": {"category": "network_traffic"}, "http": {"response": {"headers": {"content-type": "text/html"}}}}`, nil, Y},
}

func TestEval(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range evalTests {
		opts := Kibana
		if tc.opts != nil {
			opts = *tc.opts
		}
		key := fmt.Sprintf("%s\x00%s\x00%+v", tc.q, tc.doc, tc.opts)
		if seen[key] {
			t.Errorf("duplicate case %q on %s", tc.q, tc.doc)
		}
		seen[key] = true
		q := mustParse(t, tc.q)
		var doc map[string]any
		dec := json.NewDecoder(strings.NewReader(tc.doc))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%s: %v", tc.doc, err)
		}
		if got := q.Eval(doc, evalTypes, evalNow, opts); got != tc.want {
			t.Errorf("Eval(%q, %s, %+v) = %v, want %v", tc.q, tc.doc, opts, got, tc.want)
		}
		if tc.opts == nil {
			if got := Match(q, doc, evalTypes, evalNow); got != (tc.want == Y) {
				t.Errorf("Match(%q, %s) = %v", tc.q, tc.doc, got)
			}
		}
	}
	if len(evalTests) < 100 {
		t.Errorf("%d evaluator cases, want at least 100", len(evalTests))
	}
}

// TestEvalNilTypes: without types every field is a keyword.
func TestEvalNilTypes(t *testing.T) {
	q := mustParse(t, `message:hello AND port:80`)
	if !Match(q, map[string]any{"message": "hello", "port": "80"}, nil, evalNow) {
		t.Error("keyword semantics without types: no match")
	}
	if Match(q, map[string]any{"message": "hello world", "port": "80"}, nil, evalNow) {
		t.Error("keyword semantics without types: a word matched")
	}
}
