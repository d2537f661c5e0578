package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/emit-sec/emit/es/esindex"
)

// DefaultIndex is where documents of a rule without index patterns go (a
// machine_learning rule, a rule on a Kibana data view): the data stream
// IndexName gives for logs-*, which Kibana's default security index
// patterns include.
const DefaultIndex = "logs-generic-default"

// dataStreamTypes are the first parts of Elastic data stream names,
// <type>-<dataset>-<namespace>.
var dataStreamTypes = esindex.StreamTypes

// IndexName returns a concrete index name that matches the index pattern
// (the * wildcard matching any run of characters), is a valid Elasticsearch
// index name (lower case, no * or other forbidden character, not starting
// with -, _ or +) and stays recognisable, so that documents written there are
// searched by the rule:
//
//	logs-endpoint.events.process-*  ->  logs-endpoint.events.process-default
//	logs-endpoint.events.process*   ->  logs-endpoint.events.process-default
//	logs-windows.*                  ->  logs-windows.generic-default
//	logs-*                          ->  logs-generic-default
//	winlogbeat-*                    ->  winlogbeat-default
//	apm-*-transaction*              ->  apm-default-transaction-default
//	.alerts-security.*              ->  .alerts-security.alerts-default
//	ml_beaconing.all                ->  ml_beaconing.all
//
// Each run of * is replaced according to what surrounds it, following the
// data stream naming scheme <type>-<dataset>-<namespace> (type logs,
// metrics, traces, synthetics or profiling) with the namespace "default"
// and the dataset "generic", as Elastic names data of unknown dataset:
//
//   - at the end, after "-": "default", or "generic-default" right after
//     the type of a data stream (logs-*);
//   - at the end, after "." or "_": "generic-default" in a data stream,
//     "alerts-default" for Kibana's .alerts-security.*, else "default";
//   - at the end, after a letter or digit: "-default";
//   - between two separators (-, ., _) or at the start before one:
//     "default" ("generic" right after a data stream type);
//   - anywhere else: nothing.
//
// Before that, surrounding spaces, a cross-cluster prefix (remote:logs-*)
// and an ES|QL selector suffix (logs-*::data) are dropped, a list
// (a-*,b-*) gives its first pattern that is not an exclusion, and the
// pattern is lower-cased (index names are lower case; an upper-case pattern
// matches no index). A pattern that is empty or only wildcards gives
// DefaultIndex. Characters Elasticsearch forbids in index names
// (\ / ? " < > | space , # :) become "_" and leading -, _ and + are
// dropped; a pattern with them matches no index anyway.
func IndexName(pattern string) string {
	p := cleanPattern(pattern)
	if strings.Trim(p, "*") == "" {
		return DefaultIndex
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		if p[i] != '*' {
			b.WriteByte(p[i])
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] == '*' {
			j++
		}
		b.WriteString(filler(b.String(), p[j:]))
		i = j
	}
	return validIndex(b.String())
}

// DatasetPattern returns the dataset part of a data stream index pattern,
// <type>-<dataset>-<namespace> (type logs, metrics, traces, synthetics or
// profiling), where the rule's data comes from:
//
//	logs-aws.cloudtrail-*   ->  aws.cloudtrail
//	logs-endpoint.events.*  ->  endpoint.events.*
//	logs-system.security*   ->  system.security*
//
// ok is false for a pattern that is not a data stream's (winlogbeat-*) or
// leaves the dataset open (logs-*, logs-*-default), and for an exclusion
// (-logs-aws.*). A cross-cluster prefix and an ES|QL selector are dropped
// and the pattern lower-cased, as IndexName does.
func DatasetPattern(pattern string) (dataset string, ok bool) {
	if strings.HasPrefix(strings.TrimSpace(pattern), "-") || strings.Contains(pattern, ",") {
		return "", false
	}
	typ, rest, found := strings.Cut(cleanPattern(pattern), "-")
	if !found || !dataStreamTypes[typ] {
		return "", false
	}
	ds, _, _ := strings.Cut(rest, "-")
	if ds == "" || ds[0] == '*' {
		return "", false
	}
	return ds, true
}

// filler is what replaces a run of * between before (already replaced)
// and after (the rest of the pattern).
func filler(before, after string) string {
	var prev, next byte
	if before != "" {
		prev = before[len(before)-1]
	}
	if after != "" {
		next = after[0]
	}
	typ, _, _ := strings.Cut(before, "-")
	atType := dataStreamTypes[typ] && before == typ+"-" // right after "logs-"
	inStream := dataStreamTypes[typ] && len(before) > len(typ)
	switch {
	case after == "" && prev == '-':
		if atType {
			return "generic-default"
		}
		return "default"
	case after == "" && (prev == '.' || prev == '_'):
		switch {
		case before == ".alerts-security.":
			return "alerts-default"
		case inStream:
			return "generic-default"
		}
		return "default"
	case after == "":
		return "-default"
	case before == "" && isSep(next):
		return "default"
	case isSep(prev) && isSep(next):
		if atType {
			return "generic"
		}
		return "default"
	}
	return ""
}

func isSep(c byte) bool { return c == '-' || c == '.' || c == '_' }

// cleanPattern reduces an index pattern to one lower-case local pattern.
func cleanPattern(pattern string) string {
	p := strings.TrimSpace(pattern)
	if strings.Contains(p, ",") {
		first := ""
		for part := range strings.SplitSeq(p, ",") {
			part = strings.TrimSpace(part)
			if part != "" && !strings.HasPrefix(part, "-") {
				first = part
				break
			}
		}
		p = first
	}
	p = strings.TrimPrefix(p, "-")
	if i := strings.Index(p, "::"); i >= 0 {
		p = p[:i]
	}
	if i := strings.LastIndexByte(p, ':'); i >= 0 {
		p = p[i+1:]
	}
	return strings.ToLower(strings.TrimSpace(p))
}

// validIndex makes name a valid index name: forbidden characters become
// "_", leading -, _ and + go, and the name is cut to 255 bytes.
func validIndex(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch r {
		case '\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#', ':':
			b.WriteByte('_')
		default:
			if r == utf8.RuneError || r < ' ' {
				b.WriteByte('_')
				continue
			}
			b.WriteRune(r)
		}
	}
	s := strings.TrimLeft(b.String(), "-_+")
	if s == "" || s == "." || s == ".." {
		return DefaultIndex
	}
	for len(s) > 255 {
		_, w := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-w]
	}
	return s
}

// IndexPatterns are the index patterns the rule searches: its index
// setting, or for ES|QL rules the sources of the query's FROM command; nil
// when it names none (machine_learning rules, rules on a data view).
func (r *Rule) IndexPatterns() []string {
	if len(r.Index) > 0 {
		return r.Index
	}
	if r.Language == LangESQL || r.Type == TypeESQL {
		return ESQLSources(r.Query)
	}
	return nil
}

// TargetIndex is the concrete index the rule's documents belong in:
// IndexName of its first index pattern that is not an exclusion (-pattern),
// or DefaultIndex when it has none.
func (r *Rule) TargetIndex() string {
	for _, p := range r.IndexPatterns() {
		if p = strings.TrimSpace(p); p != "" && !strings.HasPrefix(p, "-") {
			return IndexName(p)
		}
	}
	return DefaultIndex
}

// ESQLSources returns the index patterns of the FROM command that starts
// an ES|QL query ("FROM logs-aws.cloudtrail-*, filebeat-* METADATA _id |
// ..."), skipping comments; nil when the query does not start with FROM.
func ESQLSources(query string) []string {
	s := skipESQLSpace(query)
	if len(s) < 5 || !strings.EqualFold(s[:4], "from") || !isESQLSpace(s[4]) {
		return nil
	}
	s = s[4:]
	var out []string
	for {
		s = skipESQLSpace(s)
		if s == "" {
			return out
		}
		var src string
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return out
			}
			src, s = s[1:1+end], s[2+end:]
		} else {
			end := 0
			for end < len(s) && !isESQLSpace(s[end]) && s[end] != ',' && s[end] != '|' &&
				!strings.HasPrefix(s[end:], "//") && !strings.HasPrefix(s[end:], "/*") {
				end++
			}
			src, s = s[:end], s[end:]
		}
		if src == "" {
			return out
		}
		out = append(out, src)
		s = skipESQLSpace(s)
		if s == "" || s[0] != ',' {
			return out
		}
		s = s[1:]
	}
}

func isESQLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipESQLSpace skips white space and // and /* */ comments.
func skipESQLSpace(s string) string {
	for {
		t := strings.TrimLeft(s, " \t\r\n")
		switch {
		case strings.HasPrefix(t, "//"):
			if i := strings.IndexByte(t, '\n'); i >= 0 {
				t = t[i+1:]
			} else {
				t = ""
			}
		case strings.HasPrefix(t, "/*"):
			if i := strings.Index(t[2:], "*/"); i >= 0 {
				t = t[2+i+2:]
			} else {
				t = ""
			}
		default:
			return t
		}
		s = t
	}
}
