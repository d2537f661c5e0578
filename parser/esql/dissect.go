package esql

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// DISSECT splits a string by the delimiters of a pattern: "%{a} %{b},%{c}"
// reads "foo bar,baz" as a=foo, b=bar, c=baz. The parser and the matcher
// follow Elasticsearch's DissectParser (libs/dissect): how a pattern
// splits into keys and delimiters, the key modifiers ("->" skips repeated
// delimiters, "+" and "+/n" append, "?" and an empty name skip; "*" and
// "&" references, which ES|QL refuses), the left-to-right search for each
// delimiter, empty values between consecutive delimiters, and the rule
// that a match is all or nothing.

// dissectKey is one key of a pattern.
type dissectKey struct {
	name      string
	mod       byte // 0, '+' (append), '/' (append with order), '*', '&', '?'
	skip      bool
	rightPad  bool // "->": repeated delimiters after the value are skipped
	appendPos int
}

type dissectPair struct {
	key   dissectKey
	delim string
}

// dissectParser is a parsed DISSECT pattern.
type dissectParser struct {
	leading    string
	pairs      []dissectPair
	appendSep  string
	maxResults int
	// outputs are the names of the columns, in order of appearance.
	outputs []string
}

// lineTerminators are the characters Java's "." does not match without
// DOTALL.
const lineTerminators = "\n\r\u0085\u2028\u2029"

// parseDissect parses a DISSECT pattern.
func parseDissect(pattern, appendSep string) (*dissectParser, error) {
	d := &dissectParser{appendSep: appendSep}
	// The leading delimiter: the text before the first key, when it holds
	// no line terminator (Elasticsearch's ^(.*?)%\{ without DOTALL).
	if i := strings.Index(pattern, "%{"); i >= 0 && !strings.ContainsAny(pattern[:i], lineTerminators) {
		d.leading = pattern[:i]
	}
	rest := pattern[len(d.leading):]
	// Keys and their delimiters: %\{([^}]*?)}(.+?(?=%\{)|.*$), DOTALL.
	pos := 0
	for pos < len(rest) {
		k := strings.Index(rest[pos:], "%{")
		if k < 0 {
			break
		}
		k += pos
		end := strings.IndexByte(rest[k+2:], '}')
		if end < 0 {
			break
		}
		end += k + 2
		key, err := parseDissectKey(rest[k+2 : end])
		if err != nil {
			return nil, err
		}
		from := end + 1
		var delim string
		if next := strings.Index(rest[min(from+1, len(rest)):], "%{"); from < len(rest) && next >= 0 {
			to := from + 1 + next
			delim = rest[from:to]
			pos = to
		} else {
			delim = rest[from:]
			pos = len(rest)
		}
		d.pairs = append(d.pairs, dissectPair{key: key, delim: delim})
	}
	names := map[string]bool{}
	appendNames := map[string]bool{}
	for _, p := range d.pairs {
		if p.key.mod == '*' || p.key.mod == '&' {
			return nil, fmt.Errorf("Reference keys not supported in dissect patterns: [%%{*%s}]", p.key.name)
		}
		if !p.key.skip && !names[p.key.name] {
			names[p.key.name] = true
			d.outputs = append(d.outputs, p.key.name)
		}
		if p.key.mod == '+' || p.key.mod == '/' {
			appendNames[p.key.name] = true
		}
	}
	d.maxResults = len(names)
	if len(d.pairs) == 0 || d.maxResults == 0 {
		return nil, errors.New("Unable to find any keys or delimiters.")
	}
	// A key without "+" takes part in the appends of its name.
	for i := range d.pairs {
		if k := &d.pairs[i].key; k.mod == 0 && appendNames[k.name] {
			k.mod = '+'
		}
	}
	return d, nil
}

// parseDissectKey parses the text between "%{" and "}".
func parseDissectKey(s string) (dissectKey, error) {
	k := dissectKey{}
	if s == "" {
		k.skip = true
		return k, nil
	}
	// The modifier: the modifier characters anywhere in the key; two are
	// an error unless "+" then "/".
	found := 0
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("/+*&?", rune(s[i])) {
			continue
		}
		prior := k.mod
		k.mod = s[i]
		found++
		if found > 1 && !(prior == '+' && k.mod == '/') {
			return k, fmt.Errorf("Unable to parse key [%s]: multiple modifiers are not allowed.", s)
		}
	}
	trimPad := func(name string) string {
		if strings.HasSuffix(name, "->") {
			k.rightPad = true
			return name[:len(name)-2]
		}
		return name
	}
	switch k.mod {
	case 0:
		k.name = trimPad(s)
		k.skip = k.name == ""
		return k, nil
	case '/':
		// [+](.*?)(/)([0-9]+)(->)?$
		plus := strings.IndexByte(s, '+')
		slash := strings.LastIndexByte(s, '/')
		digits := trimPad(s[slash+1:])
		if plus < 0 || slash < plus || digits == "" || strings.Trim(digits, "0123456789") != "" {
			return k, fmt.Errorf("Unable to parse key [%s]: The key name could not be determined", s)
		}
		n, err := strconv.ParseInt(digits, 10, 16)
		if err != nil {
			return k, fmt.Errorf("Unable to parse key [%s]: %v", s, err)
		}
		k.name, k.appendPos = s[plus+1:slash], int(n)
	default:
		// ([+*&?])(.*?)(->)?$ from the first modifier character.
		i := strings.IndexAny(s, "+*&?")
		k.name = trimPad(s[i+1:])
		k.skip = k.mod == '?'
	}
	if k.name == "" && !k.skip {
		return k, fmt.Errorf("Unable to parse key [%s]: The key name could not be determined", s)
	}
	return k, nil
}

// parse dissects a string; nil when the pattern does not match it.
func (d *dissectParser) parse(s string) map[string]string {
	if len(s) <= len(d.leading) || !strings.HasPrefix(s, d.leading) {
		return nil
	}
	m := &dissectMatch{appendSep: d.appendSep, simple: map[string]string{}, appends: map[string][]appendValue{}, order: -1000}
	next := 0
	pair := d.pairs[next]
	next++
	delim := pair.delim
	i := len(d.leading)
	start := i
	matchesAt := func(i int) bool { return strings.HasPrefix(s[i:], delim) }
	for i < len(s) {
		if delim == "" || s[i] != delim[0] || !matchesAt(i) {
			i++
			continue
		}
		m.add(pair.key, s[start:i])
		i += len(delim)
		// Consecutive delimiters: empty values, unless "->" skips them.
		stop := false
		for i < len(s) && matchesAt(i) {
			i += len(delim)
			if !pair.key.rightPad {
				if next >= len(d.pairs) {
					stop = true
					break
				}
				pair = d.pairs[next]
				next++
				m.add(pair.key, "")
			}
		}
		if stop || next >= len(d.pairs) {
			break
		}
		pair = d.pairs[next]
		next++
		delim = pair.delim
		start = i
	}
	if m.matches != len(d.pairs) && delim == "" {
		m.add(pair.key, s[start:])
	}
	res := m.results()
	if m.matches != len(d.pairs) || len(res) != d.maxResults {
		return nil
	}
	return res
}

// dissectMatch collects the values of a parse.
type dissectMatch struct {
	appendSep string
	simple    map[string]string
	appends   map[string][]appendValue
	order     int
	matches   int
}

type appendValue struct {
	value string
	order int
}

func (m *dissectMatch) add(k dissectKey, v string) {
	m.matches++
	if k.skip {
		return
	}
	switch k.mod {
	case '+':
		m.appends[k.name] = append(m.appends[k.name], appendValue{v, m.order})
		m.order++
	case '/':
		m.appends[k.name] = append(m.appends[k.name], appendValue{v, k.appendPos})
	default:
		m.simple[k.name] = v
	}
}

func (m *dissectMatch) results() map[string]string {
	out := make(map[string]string, len(m.simple)+len(m.appends))
	for k, v := range m.simple {
		out[k] = v
	}
	for k, vs := range m.appends {
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].order < vs[j].order })
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = v.value
		}
		out[k] = strings.Join(parts, m.appendSep)
	}
	return out
}

// dissectParser parses (and caches) the pattern of a DISSECT command.
func (ev *queryRunner) dissectParser(x *Dissect) (*dissectParser, error) {
	sep := ""
	if x.AppendSeparator != nil {
		if x.AppendSeparator.Kind != LitString {
			return nil, ev.errorf(x.AppendSeparator.Loc, "Invalid value for dissect append_separator: expected a string")
		}
		sep = x.AppendSeparator.Str
	}
	d, err := cachedCompile("dissect:"+sep+"\x00"+x.Pattern.Str, func() (*dissectParser, error) {
		return parseDissect(x.Pattern.Str, sep)
	})
	if err != nil {
		return nil, ev.errorf(x.Pattern.Loc, "Invalid pattern for dissect: [%s]: %v", x.Pattern.Str, err)
	}
	return d, nil
}

// dissect runs DISSECT: a keyword column per key, null where the pattern
// does not match; each value of a multi-valued input is dissected and the
// columns gather the values of those that match.
func (ev *queryRunner) dissect(t *evalTable, x *Dissect) (*evalTable, error) {
	d, err := ev.dissectParser(x)
	if err != nil {
		return nil, err
	}
	in, err := ev.compile(t, x.X)
	if err != nil {
		return nil, err
	}
	loc := x.X.Location()
	vals := make([][]any, len(t.rows))
	for i, r := range t.rows {
		out := make([][]any, len(d.outputs))
		for _, v := range valuesOf(in(r)) {
			s, ok := v.(string)
			if !ok {
				ev.fail(loc, "DISSECT input must be a string, found value of type [%s]", typeName(v))
				return nil, ev.err
			}
			res := d.parse(s)
			if res == nil {
				continue
			}
			for j, name := range d.outputs {
				if val, ok := res[name]; ok {
					out[j] = append(out[j], val)
				}
			}
		}
		vals[i] = make([]any, len(d.outputs))
		for j := range out {
			vals[i][j] = mvOf(out[j])
		}
	}
	return addColumns(t, d.outputs, vals), nil
}
