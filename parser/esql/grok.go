package esql

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/emit-sec/emit/etc"
)

// GROK extracts the named captures of a grok pattern: a regular expression
// (Oniguruma's syntax, which Elasticsearch runs with Joni) in which
// %{NAME:field[:type]} stands for the named pattern NAME of the pattern
// bank, captured as column field. The expansion follows Elasticsearch's
// Grok.toRegex; the pattern bank is the ECS-compatible one ES|QL uses,
// shipped in etc/grok-patterns. Columns are sorted by name, keyword
// unless a type (int, long, float, double, boolean) says otherwise; a
// name captured several times makes a multi-valued column; several
// patterns are alternatives ((?:p1)|(?:p2)).

// grokColumn is an output column of GROK.
type grokColumn struct {
	name string
	typ  Type
}

// grokParser is a compiled GROK command.
type grokParser struct {
	re      *javaRegex
	columns []grokColumn
	// groups maps a regex group name ("NUMBER:num:int", "Esql.id") to the
	// column it fills.
	groups map[string]int
}

var (
	grokBankOnce sync.Once
	grokBank     map[string]string
	grokBankErr  error
)

// grokPatterns returns the pattern bank (etc/grok-patterns).
func grokPatterns() (map[string]string, error) {
	grokBankOnce.Do(func() { grokBank, grokBankErr = parseGrokBank(etc.GrokPatterns) })
	return grokBank, grokBankErr
}

// parseGrokBank reads "NAME pattern" lines ("#" comments, blank lines).
func parseGrokBank(data []byte) (map[string]string, error) {
	bank := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, def, ok := strings.Cut(text, " ")
		if !ok {
			return nil, fmt.Errorf("grok-patterns:%d: a pattern needs a name and a definition", line)
		}
		bank[name] = strings.TrimSpace(def)
	}
	return bank, sc.Err()
}

// maxGrokExpansions bounds the expansion of pattern references.
const maxGrokExpansions = 100_000

// expandGrok replaces the %{...} references of a grok pattern by their
// definitions: (?<NAME:field>def) for a captured reference, (?:def)
// otherwise, expanding the inserted definitions in turn.
func expandGrok(pattern string, bank map[string]string) (string, error) {
	var out strings.Builder
	rest := pattern
	for n := 0; n < maxGrokExpansions; n++ {
		start, end, name, sub, ok := nextGrokRef(rest)
		if !ok {
			out.WriteString(rest)
			return out.String(), nil
		}
		def, known := bank[name]
		if !known {
			return "", fmt.Errorf("Unable to find pattern [%s] in Grok's pattern dictionary", name)
		}
		if strings.Contains(def, "%{"+name+"}") || strings.Contains(def, "%{"+name+":") {
			return "", fmt.Errorf("circular reference in pattern back [%s]", name)
		}
		out.WriteString(rest[:start])
		if sub != "" {
			rest = "(?<" + name + ":" + sub + ">" + def + ")" + rest[end:]
		} else {
			rest = "(?:" + def + ")" + rest[end:]
		}
	}
	return "", errors.New("Can not convert grok patterns to regular expression")
}

// nextGrokRef finds the next reference %{NAME[:sub][=definition]}: NAME of
// the characters [A-z0-9] (which include [ \ ] ^ _ and `), sub of letters,
// digits and @[]_:.- .
func nextGrokRef(s string) (start, end int, name, sub string, ok bool) {
	for i := strings.Index(s, "%{"); i >= 0; {
		j := i + 2
		for j < len(s) && ('A' <= s[j] && s[j] <= 'z' || '0' <= s[j] && s[j] <= '9') {
			j++
		}
		if j > i+2 {
			name = s[i+2 : j]
			k := j
			if k < len(s) && s[k] == ':' {
				m := k + 1
				for m < len(s) && (isAlnum(s[m]) || strings.IndexByte("@[]_:.-", s[m]) >= 0) {
					m++
				}
				if m > k+1 {
					sub = s[k+1 : m]
					k = m
				}
			}
			if k < len(s) && s[k] == '=' {
				// A definition (ignored, as Elasticsearch ignores it).
				m := k + 1
				for m < len(s) && s[m] != '{' && s[m] != '}' {
					m++
				}
				if m > k+1 {
					k = m
				}
			}
			if k < len(s) && s[k] == '}' {
				return i, k + 1, name, sub, true
			}
		}
		next := strings.Index(s[i+1:], "%{")
		if next < 0 {
			break
		}
		i += 1 + next
		sub = ""
	}
	return 0, 0, "", "", false
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// grokTypes are the types a capture may name, as ES|QL's columns.
var grokTypes = map[string]Type{
	"int": TypeInteger, "integer": TypeInteger, "long": TypeLong, "float": TypeDouble, "double": TypeDouble,
	"boolean": TypeBoolean,
}

// compileGrok compiles the patterns of a GROK command.
func compileGrok(patterns []string) (*grokParser, error) {
	bank, err := grokPatterns()
	if err != nil {
		return nil, err
	}
	var exprs []string
	for _, p := range patterns {
		e, err := expandGrok(p, bank)
		if err != nil {
			return nil, err
		}
		if _, err := compileRegex(e, dialectOniguruma); err != nil {
			return nil, err
		}
		exprs = append(exprs, e)
	}
	expr := exprs[0]
	if len(exprs) > 1 {
		expr = "(?:" + strings.Join(exprs, ")|(?:") + ")"
	}
	re, err := compileRegex(expr, dialectOniguruma)
	if err != nil {
		return nil, err
	}
	g := &grokParser{re: re, groups: map[string]int{}}
	cols := map[string]Type{}
	for _, group := range re.order {
		parts := strings.Split(group, ":")
		name, typ := parts[0], TypeKeyword
		if len(parts) >= 2 {
			name = parts[1]
		}
		if len(parts) == 3 {
			if t, ok := grokTypes[parts[2]]; ok {
				typ = t
			}
		}
		if prev, ok := cols[name]; ok && prev != typ {
			return nil, fmt.Errorf("the attribute [%s] is defined multiple times with different types", name)
		}
		cols[name] = typ
	}
	for _, name := range sortedKeys(cols) {
		g.columns = append(g.columns, grokColumn{name: name, typ: cols[name]})
	}
	for _, group := range re.order {
		parts := strings.Split(group, ":")
		name := parts[0]
		if len(parts) >= 2 {
			name = parts[1]
		}
		for i, c := range g.columns {
			if c.name == name {
				g.groups[group] = i
			}
		}
	}
	return g, nil
}

// grokParser compiles (and caches) the patterns of a GROK command.
func (ev *queryRunner) grokParser(x *Grok) (*grokParser, error) {
	var pats []string
	for _, p := range x.Patterns {
		pats = append(pats, p.Str)
	}
	g, err := cachedCompile("grok:"+strings.Join(pats, "\x00"), func() (*grokParser, error) { return compileGrok(pats) })
	if err != nil {
		if _, u := err.(unsupportedRegex); u {
			return nil, ev.unsupported(x.Patterns[0].Loc, "GROK pattern %q: %v", pats[0], err)
		}
		return nil, ev.errorf(x.Patterns[0].Loc, "Invalid GROK pattern %q: %v", strings.Join(pats, `", "`), err)
	}
	return g, nil
}

// grok runs GROK: a column per capture name, null where the pattern does
// not match; each value of a multi-valued input is matched and the
// columns gather the captures of those that match.
func (ev *queryRunner) grok(t *evalTable, x *Grok) (*evalTable, error) {
	g, err := ev.grokParser(x)
	if err != nil {
		return nil, err
	}
	in, err := ev.compile(t, x.X)
	if err != nil {
		return nil, err
	}
	loc := x.X.Location()
	names := make([]string, len(g.columns))
	for i, c := range g.columns {
		names[i] = c.name
	}
	vals := make([][]any, len(t.rows))
	for i, r := range t.rows {
		out := make([][]any, len(g.columns))
		for _, v := range valuesOf(in(r)) {
			s, ok := v.(string)
			if !ok {
				ev.fail(loc, "GROK input must be a string, found value of type [%s]", typeName(v))
				return nil, ev.err
			}
			caps, ok, err := g.re.captures(s)
			if err != nil {
				ev.fail(x.Loc, "GROK pattern matching failed: %v", err)
				return nil, ev.err
			}
			if !ok {
				continue
			}
			for _, group := range g.re.order {
				col := g.groups[group]
				for _, text := range caps[group] {
					if cv, ok := grokValue(text, g.columns[col].typ); ok {
						out[col] = append(out[col], cv)
					} else {
						ev.warn(x.Loc, "GROK: [%s] is not a valid %s for %s", text, g.columns[col].typ, g.columns[col].name)
					}
				}
			}
		}
		vals[i] = make([]any, len(g.columns))
		for j := range out {
			vals[i][j] = mvOf(out[j])
		}
	}
	res := addColumns(t, names, vals)
	for i, c := range g.columns {
		res.cols[len(res.cols)-len(g.columns)+i].Type = c.typ
	}
	return res, nil
}

// grokValue converts a capture to its column's type.
func grokValue(s string, t Type) (any, bool) {
	switch t {
	case TypeInteger:
		n, err := strconv.ParseInt(s, 10, 32)
		return int32(n), err == nil
	case TypeLong:
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	case TypeDouble:
		f, err := parseJavaDouble(s)
		return f, err == nil && !math.IsInf(f, 0)
	case TypeBoolean:
		return strings.EqualFold(s, "true"), true
	}
	return s, true
}

// grokPatternNames returns the names of the pattern bank, sorted.
func grokPatternNames() []string {
	bank, _ := grokPatterns()
	out := make([]string, 0, len(bank))
	for n := range bank {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
