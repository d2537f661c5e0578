package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/query"
)

// esqlGenerated are ES|QL queries whose generated documents the ES|QL
// evaluator must accept: every match drawn is at least one row of the
// query's result, in the query's window.
var esqlGenerated = []string{
	// Filters.
	`FROM logs-* | WHERE process.name == "cmd.exe"`,
	`from logs-* | where process.name != "cmd.exe" and process.name is not null`,
	`FROM logs-* | WHERE process.name IN ("a.exe", "b.exe")`,
	`FROM logs-* | WHERE process.name NOT IN ("a.exe", "b.exe") AND process.name IS NOT NULL`,
	`FROM logs-* | WHERE process.command_line LIKE "*-enc*"`,
	`FROM logs-* | WHERE process.command_line LIKE "powershell?exe *"`,
	`FROM logs-* | WHERE process.command_line RLIKE ".*[Ii]nvoke-[A-Z][a-z]+.*"`,
	`FROM logs-* | WHERE NOT process.command_line RLIKE ".*(curl|wget).*" AND process.name == "sh"`,
	`FROM logs-* | WHERE destination.port >= 1024 AND destination.port < 2048`,
	`FROM logs-* | WHERE destination.port > 1024 OR destination.port == 22`,
	`FROM logs-* | WHERE TO_LOWER(process.name) == "powershell.exe"`,
	`FROM logs-* | WHERE TO_UPPER(user.name) == "ADMIN"`,
	`FROM logs-* | WHERE process.parent.name IS NULL AND process.name == "init"`,
	`FROM logs-* | WHERE CIDR_MATCH(source.ip, "10.0.0.0/8")`,
	`FROM logs-* | WHERE NOT CIDR_MATCH(source.ip, "10.0.0.0/8", "192.168.0.0/16") AND source.ip IS NOT NULL`,
	`FROM logs-* | WHERE STARTS_WITH(process.executable, "C:\\Windows\\")`,
	`FROM logs-* | WHERE ENDS_WITH(file.name, ".ps1")`,
	`FROM logs-* | WHERE LENGTH(process.command_line) > 200`,
	`FROM logs-* | WHERE process.name == "cmd.exe" OR process.name == "powershell.exe"`,
	`FROM logs-* | WHERE (event.action == "a" OR event.action == "b") AND user.name == "root"`,
	`FROM logs-* | WHERE event.category == "process" | KEEP process.name, host.name`,
	`FROM logs-* | WHERE process.name == "x" | LIMIT 10`,
	`FROM logs-* | WHERE process.name == "x" | SORT @timestamp DESC | LIMIT 1`,
	`FROM logs-* METADATA _id, _index, _version | WHERE process.name == "x" | KEEP _id, _index, _version, process.name`,
	`FROM logs-* | WHERE @timestamp > NOW() - 1 hour AND process.name == "x"`,
	`FROM logs-* | WHERE process.name : "cmd.exe"`,
	`FROM logs-* | WHERE KQL("process.name : cmd.exe and not user.name : root")`,
	`FROM logs-* | WHERE process.name::keyword == "x"`,
	`FROM logs-* | WHERE MV_COUNT(process.args) == 1 AND process.args == "-enc"`,
	`FROM logs-* | WHERE process.args == "-enc"`,
	`FROM logs-* | WHERE """a "quoted" name""" == process.name`,
	`FROM logs-* | WHERE event.outcome == "failure" AND NOT (user.name == "root" OR user.name == "admin") AND user.name IS NOT NULL`,
	// EVAL.
	`FROM logs-* | EVAL cmd = TO_LOWER(process.command_line) | WHERE cmd LIKE "*mimikatz*"`,
	`FROM logs-* | EVAL n = LENGTH(process.name) | WHERE n == 12`,
	`FROM logs-* | EVAL x = CONCAT(user.name, "@", host.name) | WHERE x == "alice@ws1"`,
	`FROM logs-* | EVAL p = COALESCE(process.parent.name, "none") | WHERE p == "none"`,
	`FROM logs-* | EVAL k = CASE(destination.port == 22, "ssh", destination.port == 3389, "rdp", "other") | WHERE k == "rdp"`,
	`FROM logs-* | EVAL k = CASE(destination.port == 22, "ssh", destination.port == 3389, "rdp", "other") | WHERE k == "other"`,
	`FROM logs-* | EVAL s = SUBSTRING(process.name, 1, 3) | WHERE s == "cmd"`,
	`FROM logs-* | EVAL d = URL_DECODE(url.original) | WHERE d LIKE "*<script>*"`,
	`FROM logs-* | EVAL d = FROM_BASE64(file.name) | WHERE d == "hello world"`,
	`FROM logs-* | EVAL r = REPLACE(process.command_line, "\\^", "") | WHERE r LIKE "*powershell*"`,
	`FROM logs-* | EVAL i = LOCATE(process.command_line, "http") | WHERE i > 0`,
	`FROM logs-* | EVAL a = process.name | EVAL b = TO_LOWER(a) | WHERE b == "net.exe"`,
	`FROM logs-* | RENAME process.name AS pname | WHERE pname == "x"`,
	`FROM logs-* | EVAL port = destination.port + 1 | WHERE port == 23`,
	`FROM logs-* | EVAL big = destination.port > 1024 | WHERE big == true`,
	// A long value with repeated matches of a pattern (the product of the
	// pattern with the length would be too large an automaton).
	"FROM logs-* | EVAL n = LENGTH(process.command_line) | WHERE n > 500 | EVAL t = REPLACE(process.command_line, \"\"\"['\"][A-Za-z0-9.]+['\"](\\s?\\+\\s?['\"][A-Za-z0-9.,\\-\\s]+['\"]){2,}\"\"\", \"🔥\") | EVAL c = LENGTH(t) - LENGTH(REPLACE(t, \"🔥\", \"\")) | WHERE c >= 2",
	// The same with an alternative anchored at the end, which the
	// reading leaves out (matches of the others make the count).
	"FROM logs-* | EVAL t = REPLACE(process.command_line, \"\"\"(?i)(rahc|metsys|:vne$|eman\\.)\"\"\", \"🔥\") | EVAL c = LENGTH(t) - LENGTH(REPLACE(t, \"🔥\", \"\")) | WHERE c >= 3",
	// DISSECT and GROK.
	`FROM logs-* | DISSECT message "%{verb} %{path} HTTP/%{ver}" | WHERE verb == "POST" AND path LIKE "/admin*"`,
	`FROM logs-* | DISSECT message "user=%{u} src=%{ip}" | WHERE u == "bob"`,
	`FROM logs-* | GROK message "%{IP:client} %{WORD:method} %{URIPATHPARAM:req}" | WHERE method == "GET" AND client == "10.1.2.3"`,
	`FROM logs-* | GROK message "%{WORD:action}: %{GREEDYDATA:rest}" | WHERE action == "denied"`,
	// MV_EXPAND.
	`FROM logs-* | MV_EXPAND process.args | WHERE process.args == "-enc"`,
	// Aggregations.
	`FROM logs-* | STATS n = COUNT(*) BY host.name | WHERE n >= 5`,
	`FROM logs-* | WHERE event.outcome == "failure" | STATS n = COUNT(*) BY user.name, source.ip | WHERE n >= 10`,
	`FROM logs-* | STATS u = COUNT_DISTINCT(user.name) BY source.ip | WHERE u >= 4`,
	`FROM logs-* | STATS u = COUNT_DISTINCT(destination.port) BY source.ip | WHERE u >= 20`,
	`FROM logs-* | STATS n = COUNT(*) BY user.name | WHERE n == 1`,
	`FROM logs-* | STATS n = COUNT(*) BY user.name | WHERE n <= 2`,
	`FROM logs-* | STATS m = MAX(destination.port) BY source.ip | WHERE m > 60000`,
	`FROM logs-* | STATS m = MIN(process.pid) BY host.name | WHERE m < 10`,
	`FROM logs-* | STATS v = VALUES(process.name), n = COUNT(*) BY host.name | WHERE n >= 3`,
	`FROM logs-* | STATS f = COUNT(*) WHERE event.outcome == "failure", s = COUNT(*) WHERE event.outcome == "success" BY user.name | WHERE f >= 5 AND s >= 1`,
	`FROM logs-* | STATS c = COUNT_DISTINCT(host.name) WHERE process.name == "psexec.exe" BY user.name | WHERE c >= 3`,
	`FROM logs-* | EVAL b = DATE_TRUNC(5 minutes, @timestamp) | STATS n = COUNT(*) BY b, user.name | WHERE n >= 5`,
	`FROM logs-* | STATS s = SUM(CASE(event.outcome == "failure", 1, 0)) BY user.name | WHERE s >= 3`,
	`FROM logs-* | STATS n = COUNT(*), u = COUNT_DISTINCT(host.name) BY user.name | WHERE n >= 4 AND u >= 2`,
	`FROM logs-* | STATS n = COUNT(*) BY user.name | WHERE n >= 3 | SORT n DESC | LIMIT 5 | KEEP user.name, n`,
	`FROM logs-* | STATS c = COUNT_DISTINCT(source.ip) BY user.name | WHERE c >= 3 AND c < 6`,
	`FROM logs-* | STATS n = COUNT(*) BY user.name | EVAL r = n * 2 | WHERE r >= 10`,
	`FROM logs-* | STATS n = COUNT(user.name) BY host.name | WHERE n >= 2`,
	`FROM logs-* | EVAL u = TO_LOWER(user.name) | STATS n = COUNT_DISTINCT(u) BY host.name | WHERE n >= 3`,
	`FROM logs-* | STATS n = COUNT(*) BY user.name, host.name | STATS hosts = COUNT(*) BY user.name | WHERE hosts >= 3`,
	`FROM logs-* | STATS n = COUNT(*) | WHERE n >= 2`,
	`FROM logs-* | STATS t0 = MIN(@timestamp), t1 = MAX(@timestamp), n = COUNT(*) BY user.name | WHERE n >= 3`,
	`FROM logs-* | MV_EXPAND process.args | STATS n = COUNT_DISTINCT(process.args) BY host.name | WHERE n >= 3`,
	`FROM logs-* | STATS hosts = VALUES(host.name), n = COUNT_DISTINCT(host.name) BY process.hash.sha256 | WHERE n >= 2 AND n <= 3`,
	`FROM logs-* | STATS total = SUM(source.bytes) BY host.name | WHERE total > 1000000`,
	`FROM logs-* | STATS a = AVG(source.bytes) BY host.name | WHERE a > 5000`,
	`FROM logs-* | STATS f = COUNT(*) WHERE event.outcome == "failure", n = COUNT(*) BY user.name | EVAL r = TO_DOUBLE(f) / n | WHERE r >= 0.5 AND n >= 4`,
	`FROM logs-* | INLINE STATS n = COUNT(*) BY user.name | WHERE n == 1 AND process.name == "x"`,
	`FROM logs-* | INLINE STATS h = COUNT_DISTINCT(host.name) BY process.hash.sha256 | WHERE h <= 2 AND process.name == "x"`,
	`FROM logs-* | STATS t0 = MIN(@timestamp), t1 = MAX(@timestamp), n = COUNT(*) BY user.name | EVAL d = DATE_DIFF("minute", t0, t1) | WHERE d <= 5 AND n >= 3`,
	`FROM logs-* | STATS n = COUNT(*) BY user.name | WHERE n >= 2 AND n <= 2`,
	`FROM logs-* | STATS u = COUNT_DISTINCT(user.name) BY source.ip | WHERE u == 3`,
	`FROM logs-* | EVAL w = DATE_TRUNC(1 hour, @timestamp) | STATS u = COUNT_DISTINCT(host.name) BY w, user.name | WHERE u >= 3`,
	`FROM logs-* | STATS c = COUNT(*) BY process.parent.name, process.name | WHERE c >= 2 AND process.parent.name == "winword.exe"`,
	`FROM logs-* | STATS m = MAX(process.pid), n = MIN(process.pid) BY host.name | WHERE m - n > 100`,
	`FROM logs-* | STATS m = MAX(destination.port), n = COUNT(*) BY source.ip | WHERE m + n > 60000 AND n >= 2`,
	// A length past what one automaton counts, alone and with patterns.
	`FROM logs-* | WHERE LENGTH(process.command_line) >= 4000`,
	`FROM logs-* | WHERE LENGTH(TO_LOWER(process.command_line)) >= 4000 AND TO_LOWER(process.command_line) LIKE "*-encodedcommand*"`,
	// MV_COUNT other than 1: as many different values.
	`FROM logs-* | WHERE MV_COUNT(process.args) >= 3 AND process.name == "x"`,
	`FROM logs-* | EVAL c = MV_COUNT(destination.port) | WHERE c == 2 | STATS n = COUNT(*) BY c, host.name`,
	`FROM logs-* | MV_EXPAND event.action | WHERE event.action == "BLOCKED" | EVAL c = MV_COUNT(rule.name) | WHERE c > 1 | STATS n = COUNT(*) BY c, user.id`,
	// METADATA _ignored in a condition: a value longer than the field's
	// ignore_above, which the mapping sets.
	`FROM logs-* METADATA _ignored | MV_EXPAND _ignored | WHERE _ignored == "process.command_line" AND process.name == "python.exe"`,
	`FROM logs-* METADATA _ignored | MV_EXPAND _ignored | WHERE _ignored == "process.command_line" | EVAL c = TO_LOWER(process.command_line) | WHERE c LIKE "*b64decode*" AND LENGTH(c) >= 4000`,
	`FROM logs-* METADATA _ignored | MV_EXPAND _ignored | WHERE _ignored == "user.name" OR _ignored == "process.args" | STATS n = COUNT(*) BY host.name | WHERE n >= 2`,
	// METADATA _index in a condition: the document goes where it lands in
	// an index that meets it (a data stream's backing index, the concrete
	// alerts index behind Kibana's alias, a plain index).
	`FROM logs-*, winlogbeat-* METADATA _index | WHERE _index LIKE ".ds-logs-system.security-*" AND event.code == "4625"`,
	`FROM logs-*, winlogbeat-* METADATA _index | WHERE _index LIKE "winlogbeat-*" AND event.code == "4625"`,
	`FROM "logs-*,foo" METADATA _index | WHERE _index RLIKE "foo"`,
	`FROM logs-* METADATA _ignored | MV_EXPAND _ignored | WHERE _ignored == "acme.notes"`,
	`FROM logs-*, winlogbeat-* METADATA _index | WHERE NOT _index LIKE ".ds-logs-*" AND event.code == "4625"`,
	`FROM metrics-*, .alerts-security.* METADATA _index | EVAL cpu = CASE(_index LIKE ".ds-metrics-system.cpu-*" AND system.cpu.total.norm.pct >= 0.9, host.id, null), alert = CASE(_index LIKE ".internal.alerts-security.*" AND kibana.alert.risk_score >= 73, host.id, null) | STATS c = COUNT_DISTINCT(cpu), a = COUNT_DISTINCT(alert) BY host.id | WHERE c > 0 AND a > 0`,
	// ST_DISTANCE: documents at real places, apart or together as the
	// condition asks (one field against a constant point, two fields of a
	// document, the places of a group's keys, and the speed of a travel
	// between them).
	`FROM logs-* | WHERE ST_DISTANCE(source.geo.location, TO_GEOPOINT("POINT(2.3522 48.8566)")) <= 1000000`,
	`FROM logs-* | WHERE ST_DISTANCE(source.geo.location, TO_GEOPOINT("POINT(2.3522 48.8566)")) > 5000000 AND event.outcome == "success"`,
	`FROM logs-* | EVAL km = ROUND(ST_DISTANCE(source.geo.location, destination.geo.location) / 1000.0, 0) | WHERE km >= 3000`,
	`FROM logs-* | WHERE NOT ST_DISTANCE(source.geo.location, destination.geo.location) > 10`,
	`FROM logs-* | WHERE source.geo.location IS NOT NULL | STATS lat = AVG(ST_Y(source.geo.location)), lon = AVG(ST_X(source.geo.location)), t = MIN(@timestamp) BY user.name, source.geo.region_name | STATS lat0 = MIN(lat), lat1 = MAX(lat), lon0 = MIN(lon), lon1 = MAX(lon), t0 = MIN(t), t1 = MAX(t), r = COUNT_DISTINCT(source.geo.region_name) BY user.name | WHERE r >= 2 | EVAL d = ST_DISTANCE(TO_GEOPOINT(CONCAT("POINT(", TO_STRING(lon0), " ", TO_STRING(lat0), ")")), TO_GEOPOINT(CONCAT("POINT(", TO_STRING(lon1), " ", TO_STRING(lat1), ")"))) / 1000.0, m = DATE_DIFF("minute", t0, t1), kmh = CASE(m > 0, d * 60.0 / m, null) | WHERE d >= 500 AND kmh >= 800`,
	`FROM logs-* | STATS x0 = MIN(ST_X(source.geo.location)), x1 = MAX(ST_X(source.geo.location)), n = COUNT(*) BY user.name | WHERE n >= 3 | EVAL p = TO_GEOPOINT(CONCAT("POINT(", TO_STRING(x0), " 0)")), q = TO_GEOPOINT(CONCAT("POINT(", TO_STRING(x1), " 0)")) | WHERE ST_DISTANCE(p, q) < 1000`,
	`FROM logs-* | STATS x0 = MIN(ST_X(source.geo.location)), x1 = MAX(ST_X(source.geo.location)) BY user.name | EVAL p = TO_GEOPOINT(CONCAT("POINT(", TO_STRING(x0), " 0)")), q = TO_GEOPOINT(CONCAT("POINT(", TO_STRING(x1), " 0)")) | WHERE NOT ST_DISTANCE(p, q) < 1000`,
	// GROK's ^ and $ match at line ends: several line patterns of one
	// field, a line each (and the first line a pattern matches is the one
	// its conditions read).
	`FROM logs-* | GROK message """(?m)^a=(?<x>[a-z]+)$""" | GROK message """(?m)^b=(?<y>[a-z]+)$""" | WHERE x == "p" AND y == "q"`,
	`FROM logs-* | GROK message """^rmd:(?<r>[^\n]+)$""" | WHERE r == "host01" AND r IS NOT NULL AND LENGTH(r) == 6`,
	// REPLACE with an anchored pattern: the values it leaves alone end
	// otherwise (here: dotted, but not at the end).
	`FROM logs-* | EVAL h = REPLACE(host.name, """\.$""", "") | WHERE h == "10.1.2.3"`,
}

// TestESQLGenerated: what emit generates for each query, the evaluator
// returns rows for.
func TestESQLGenerated(t *testing.T) {
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, q := range esqlGenerated {
		res := check.Query(q, query.ESQL, check.Options{Matches: 3, Now: now})
		if res.Status != check.OK {
			t.Errorf("%s\n  %s: %s", q, res.Status, res.Reason)
		}
	}
}

// TestESQLNotGenerated: what emit cannot generate is said, with the reason
// and its position.
func TestESQLNotGenerated(t *testing.T) {
	for _, tc := range []struct {
		q      string
		status check.Status
		reason string
	}{
		{`FROM logs-* | WHERE destination.port == 1 AND destination.port == 2`, check.Unsolvable, "destination.port"},
		{`FROM logs-* | WHERE destination.port >= 1 AND destination.port <= 2 | STATS u = COUNT_DISTINCT(destination.port) BY host.name | WHERE u >= 3`, check.Unsolvable, "destination.port"},
		{`FROM logs-* | STATS n = COUNT(*) BY user.name | WHERE n > 1000`, check.Unsupported, "a match needs a group of 1001 documents, more than the cap of 1000 (raise it with --max-group)"},
		{`FROM logs-* | EVAL p = process.name | COMPLETION r = p WITH {"inference_id": "e"} | WHERE r == "y"`, check.Unsupported, "1:39: unsupported: COMPLETION: its rows depend on what an inference endpoint answers"},
		{`FROM logs-* | INLINE STATS n = COUNT(*) BY user.name | WHERE n >= 3`, check.Unsupported, "1:32: unsupported: INLINE STATS whose condition needs more than one row in a group"},
		{`FROM logs-* | GROK message "a=(?<x>[a-z]+)" | GROK message "b=(?<y>[a-z]+)" | WHERE x == "p" AND y == "q"`, check.Unsupported, "1:15: unsupported: GROK of message: emit reads the field as a whole match of each pattern"},
		{`FROM logs-* | WHERE ST_DISTANCE(source.geo.location, destination.geo.location) == 1000`, check.Unsupported, "1:21: unsupported: ST_DISTANCE() compared with ==: emit meets a bound on a distance, not a value"},
		{`FROM logs-* | WHERE ST_DISTANCE(source.geo.location, destination.geo.location) > ST_DISTANCE(source.geo.location, client.geo.location)`, check.Unsupported, "1:21: unsupported: ST_DISTANCE() compared to another distance"},
		{`FROM logs-* | WHERE ST_DISTANCE(TO_GEOPOINT(CONCAT("POINT(", TO_STRING(destination.port), " 0)")), source.geo.location) > 10`, check.Unsupported, "ST_DISTANCE() of a point that is not a geo_point field's, or computed from one"},
		{`FROM logs-* METADATA _ignored | WHERE _ignored != "process.command_line" AND process.name == "x"`, check.Unsupported, "1:39: unsupported: a condition on _ignored other than _ignored == \"field\""},
		{`FROM logs-* METADATA _ignored | WHERE _ignored == "process.command_line"`, check.Unsupported, "1:39: unsupported: _ignored == \"field\" before MV_EXPAND _ignored"},
		{`FROM logs-* METADATA _index | WHERE _index == "winlogbeat-default"`, check.Unsolvable, "_index"},
		{`FROM logs-* | WHERE MV_COUNT(process.args) > 1000`, check.Unsupported, "1:21: unsupported: MV_COUNT() of 1001 values: emit makes at most 1000 values of a field"},
		{`FROM logs-* | WHERE MV_COUNT(process.args) < 1`, check.Unsolvable, ""},
		{`FROM logs-* | WHERE MV_COUNT(source.ip) == 3`, check.Unsupported, "MV_COUNT(source.ip) other than 1: emit makes several values of a string or number field, and source.ip has type ip"},
		{`FROM logs-* METADATA _ignored | MV_EXPAND _ignored | WHERE _ignored == "@timestamp"`, check.Unsupported, "_ignored == \"@timestamp\": emit makes Elasticsearch ignore a value of a keyword or wildcard field (ignore_above), and @timestamp has type date"},
		{`FROM logs-* METADATA _index | WHERE _index > "m"`, check.Unsolvable, "_index"},
	} {
		res := check.Query(tc.q, query.ESQL, check.Options{Matches: 2})
		if res.Status != tc.status || !strings.Contains(res.Reason, tc.reason) {
			t.Errorf("%s\n  %s: %s\n  want %s: %s", tc.q, res.Status, res.Reason, tc.status, tc.reason)
		}
	}
}

// FuzzESQLSoundness: lowering is sound: whatever ES|QL query emit
// generates documents for, the evaluator returns rows for them (and
// nothing panics). Queries emit cannot generate are fine; documents the
// evaluator rejects are not.
func FuzzESQLSoundness(f *testing.F) {
	for _, q := range esqlGenerated {
		f.Add(q)
	}
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, q string) {
		res := check.Query(q, query.ESQL, check.Options{Matches: 2, Now: now, MaxGroup: 50, Workers: 1})
		if res.Status == check.Failed && (strings.HasPrefix(res.Reason, "internal error") || strings.HasPrefix(res.Reason, "the query's evaluator rejects")) {
			t.Fatalf("%s\n%s", q, res.Reason)
		}
	})
}

// TestESQLWitnessRoles: a "some member" witness (MAX of a boolean) goes on
// a member whose role agrees with it, and a bounded COUNT_DISTINCT lets
// members of different roles hold different values (the trusted and the
// untrusted sources of a user).
func TestESQLWitnessRoles(t *testing.T) {
	q := `FROM logs-* | WHERE source.as.organization.name IS NOT NULL
	  | EVAL trusted = CASE(source.as.organization.name LIKE "Amazon*" OR source.as.organization.name == "Google LLC", true, false)
	  | STATS any_trusted = MAX(trusted), t = SUM(CASE(trusted == true, 1, 0)), u = SUM(CASE(trusted == false, 1, 0)),
	      orgs = COUNT_DISTINCT(source.as.organization.name) BY user.name
	  | WHERE any_trusted == true AND t >= 5 AND u >= 1 AND orgs <= 3`
	res := check.Query(q, query.ESQL, check.Options{Matches: 3, Now: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
	if res.Status != check.OK {
		t.Errorf("%s: %s", res.Status, res.Reason)
	}
}
