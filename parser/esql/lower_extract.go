package esql

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/regexp"
)

// DISSECT and GROK make columns out of the parts of a string. A condition
// on such a column is a condition on the string it parses: the set of
// strings that parse, with the column's value in the condition's set and
// the other columns free. The lowering builds that set from the pattern,
// so that it meets the string's other conditions in the solver.

// extraction is a DISSECT or GROK of one source expression.
type extraction interface {
	// parses is the set of source strings that parse with each key in
	// sets[key] (a key not in sets is free).
	parses(sets map[string]*regexp.Node) (*regexp.Node, error)
}

// dissectSets composes, for a DISSECT pattern (parsed by the evaluator's
// parser, which follows Elasticsearch's), the strings that dissect into
// keys in their sets.
type dissectSets struct{ d *dissectParser }

// parses composes the leading text, then each key's value followed by its
// delimiter, such that the dissection finds that delimiter there: the
// value and delimiter hold the delimiter only at their end, and do not
// start with the delimiter before them (which would read as an empty
// value). Append keys are not inverted.
func (x dissectSets) parses(sets map[string]*regexp.Node) (*regexp.Node, error) {
	parts := []*regexp.Node{regexp.Literal(x.d.leading)}
	prev := ""
	for _, p := range x.d.pairs {
		if p.key.mod == '+' || p.key.mod == '/' {
			return nil, fmt.Errorf("an append key (%%{+%s})", p.key.name)
		}
		v := anyStr()
		if s, ok := sets[p.key.name]; ok && !p.key.skip {
			v = s
		}
		var seg *regexp.Node
		if p.delim == "" {
			seg = v
		} else {
			lit := regexp.Literal(p.delim)
			seg = regexp.Intersect(regexp.Concat(v, lit), regexp.Complemented(regexp.Concat(anyStr(), lit, regexp.Repeat(regexp.AnyChar(), 1, -1))))
		}
		if prev != "" {
			seg = regexp.Intersect(seg, regexp.Complemented(regexp.Concat(regexp.Literal(prev), anyStr())))
		}
		parts = append(parts, seg)
		prev = p.delim
	}
	whole := regexp.Concat(parts...)
	// Longer than the leading text.
	return regexp.Intersect(whole, lengthSet(len([]rune(x.d.leading))+1, -1)), nil
}

// dissect adds the columns of a DISSECT.
func (l *lowerer) dissect(cur *level, x *Dissect) error {
	if cur.n > 0 {
		return l.unsupported(x.Loc, "DISSECT after STATS")
	}
	src, err := l.resolve(cur, x.X)
	if err != nil {
		return err
	}
	sep := ""
	if x.AppendSeparator != nil {
		sep = x.AppendSeparator.Str
	}
	p, err := parseDissect(x.Pattern.Str, sep)
	if err != nil {
		return l.unsupported(x.Pattern.Loc, "DISSECT pattern: %v", err)
	}
	l.extracts[x] = dissectSets{p}
	for _, k := range p.outputs {
		cur.set(k, &extractRef{Src: src, X: x, Key: k, Loc: x.Loc})
	}
	return nil
}

// grok adds the columns of a GROK.
func (l *lowerer) grok(cur *level, x *Grok) error {
	if cur.n > 0 {
		return l.unsupported(x.Loc, "GROK after STATS")
	}
	src, err := l.resolve(cur, x.X)
	if err != nil {
		return err
	}
	if len(x.Patterns) != 1 {
		return l.unsupported(x.Loc, "GROK with several patterns")
	}
	g, err := parseGrok(x.Patterns[0].Str)
	if err != nil {
		return l.unsupported(x.Patterns[0].Loc, "GROK pattern: %v", err)
	}
	l.extracts[x] = g
	for _, k := range g.keys {
		cur.set(k.name, &extractRef{Src: src, X: x, Key: k.name, Type: k.typ, Loc: x.Loc})
	}
	return nil
}

// extractIn lowers "the extracted column is not null and in set".
func (a *docAlg) extractIn(x *extractRef, set *regexp.Node, loc Loc) (constraint.Expr, error) {
	ex := a.l.extracts[x.X]
	whole, err := ex.parses(map[string]*regexp.Node{x.Key: set})
	if err != nil {
		return nil, a.unsupported(loc, "%s: %v", x.X.Name(), err)
	}
	out, err := a.strIn(x.Src, whole, loc)
	if err != nil {
		return nil, err
	}
	if _, isGrok := x.X.(*Grok); isGrok {
		a.inexact[out] = true
		if f, ok := x.Src.(*Field); ok {
			if _, seen := a.l.narrowed[f.Name]; !seen {
				a.l.narrowed[f.Name] = a.l.span(x.X.Location())
			}
		}
	}
	return out, nil
}

// extractNonNull lowers "the extraction matched".
func (a *docAlg) extractNonNull(x *extractRef) (constraint.Expr, error) {
	ex := a.l.extracts[x.X]
	whole, err := ex.parses(nil)
	if err != nil {
		return nil, a.unsupported(x.Loc, "%s: %v", x.X.Name(), err)
	}
	out, err := a.strIn(x.Src, whole, x.Loc)
	if err != nil {
		return nil, err
	}
	if _, isGrok := x.X.(*Grok); isGrok {
		a.inexact[out] = true
		if f, ok := x.Src.(*Field); ok {
			if _, seen := a.l.narrowed[f.Name]; !seen {
				a.l.narrowed[f.Name] = a.l.span(x.X.Location())
			}
		}
	}
	return out, nil
}

// extractNum lowers "the extracted column, a number, is in s".
func (a *docAlg) extractNum(x *extractRef, s reals, loc Loc) (constraint.Expr, error) {
	set, ok := numberSpellings(s)
	if !ok {
		return nil, a.unsupported(loc, "a number extracted by %s compared to a wide range", x.X.Name())
	}
	return a.extractIn(x, set, loc)
}

// derivations are fields the generator computes from virtual fields the
// solver draws.
type derivations struct {
	list []Derivation
	n    int
}

// Derivation is a field computed from another after generation: the
// generator sets Field to Fn applied to the value of From, then removes
// From (a virtual field) from the document.
type Derivation struct {
	Field string
	// Fn is "base64" (FROM_BASE64 inverted: Field holds the Base64 of
	// From), "mv" (see Count) or "grok" (Field's value, drawn to parse with the GROK
	// Pattern, gets From's value in place of the key Key's).
	Fn   string
	From string
	// Pattern and Key: for "grok".
	Pattern, Key string
	// Count: for "mv" (MV_COUNT inverted: Field, which From names too,
	// holds Count different values, the drawn one first; see MultiValues).
	Count int
}

// MaxMultiValues is the most values a "mv" derivation gives a field.
const MaxMultiValues = 1000

// MultiValues returns the n different values of an "mv" derivation, as
// JSON, from the drawn value raw (JSON): a string and then the same with
// a suffix (-2, -3, ...), a number and the next whole numbers. ok is false
// for any other value.
func MultiValues(raw []byte, n int) (out []byte, ok bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	vals := make([]any, 0, n)
	switch x := v.(type) {
	case string:
		for i := 0; i < n; i++ {
			if i == 0 {
				vals = append(vals, x)
			} else {
				vals = append(vals, x+"-"+strconv.Itoa(i+1))
			}
		}
	case json.Number:
		if k, err := x.Int64(); err == nil && k < math.MaxInt64-int64(n) {
			for i := 0; i < n; i++ {
				vals = append(vals, k+int64(i))
			}
		} else if f, err := x.Float64(); err == nil {
			for i := 0; i < n; i++ {
				vals = append(vals, f+float64(i))
			}
		} else {
			return nil, false
		}
	default:
		return nil, false
	}
	out, err := json.Marshal(vals)
	return out, err == nil
}

// ErrNotDerived is Apply's answer for a document the derivation does not
// apply to (no value to parse, or one the pattern does not parse): the
// document keeps its value.
var ErrNotDerived = errors.New("esql: no value to derive from")

// Apply computes the derived value from the values of From and (for
// "grok") Field, which get returns.
func (d Derivation) Apply(get func(field string) (string, bool)) (string, error) {
	from, ok := get(d.From)
	if !ok {
		return "", fmt.Errorf("derived field %s: no value of %s", d.Field, d.From)
	}
	switch d.Fn {
	case "base64":
		return base64.StdEncoding.EncodeToString([]byte(from)), nil
	case "grok":
		cur, ok := get(d.Field)
		if !ok {
			return "", ErrNotDerived
		}
		g, err := cachedCompile("grok:"+d.Pattern, func() (*grokParser, error) { return compileGrok([]string{d.Pattern}) })
		if err != nil {
			return "", err
		}
		lo, hi, ok, err := g.re.span(cur, d.Key)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", ErrNotDerived
		}
		return cur[:lo] + from + cur[hi:], nil
	}
	return "", fmt.Errorf("derived field %s: unknown derivation %s", d.Field, d.Fn)
}

// VirtualPrefix starts the names of the virtual fields a lowering makes.
const VirtualPrefix = "_emit_virtual."

// encodedIn inverts a decoding function: URL_DECODE by the set of the
// encodings of its values; FROM_BASE64 by a virtual field holding the
// decoded value, whose Base64 the generator writes into the field.
func (a *docAlg) encodedIn(x *Call, set *regexp.Node, loc Loc) (constraint.Expr, error) {
	switch x.Name {
	case "url_decode":
		// A value without "%" or "+" decodes to itself: the values of the
		// set that need neither are drawn as they are. (Every encoding of
		// the set, preURLDecode, makes automata too large to build when
		// the set is a parsed pattern.) The other values are left out.
		out, err := a.strIn(x.Args[0], regexp.Intersect(set, noneOf("%+")), loc)
		if err != nil {
			return nil, err
		}
		a.inexact[out] = true
		return out, nil
	case "from_base64":
		if f, ok := plainSource(x.Args[0]); ok {
			v := a.derived.virtual(f.Name, "base64")
			return &constraint.Pred{Field: v, Op: constraint.Regex, Regex: set.String(), Whole: true, Span: a.span(loc)}, nil
		}
		// A chain (FROM_BASE64 of a REPLACE of a FROM_BASE64, of a GROK
		// key): a virtual field holds the decoded value, and the
		// generator encodes it back up the chain.
		v := a.derived.fresh("base64")
		enc, err := a.base64Of(x.Args[0], v, x.Loc)
		if err != nil {
			return nil, err
		}
		val := &constraint.Pred{Field: v, Op: constraint.Regex, Regex: set.String(), Whole: true, Span: a.span(loc)}
		return a.and(loc, val, enc), nil
	}
	return nil, a.unsupported(x.Loc, "%s compared to a string", describe2(x))
}

// encodedNonNull: the decoding succeeds.
func (a *docAlg) encodedNonNull(x *Call) (constraint.Expr, error) {
	return a.encodedIn(x, anyStr(), x.Loc)
}

// plainSource reads a field, or JSON_EXTRACT of _source at a path.
func plainSource(e Expr) (*Field, bool) {
	switch x := e.(type) {
	case *Field:
		return x, true
	case *Call:
		return sourcePath(x)
	}
	return nil, false
}

// base64Chars are the characters of a Base64 encoding.
var base64Chars = regexp.Chars(regexp.Range{Lo: 'A', Hi: 'Z'}, regexp.Range{Lo: 'a', Hi: 'z'}, regexp.Range{Lo: '0', Hi: '9'},
	regexp.Range{Lo: '+', Hi: '+'}, regexp.Range{Lo: '/', Hi: '/'}, regexp.Range{Lo: '=', Hi: '='})

// base64Of lowers "e is the Base64 encoding of the virtual field v": the
// generator computes the fields e reads from v.
func (a *docAlg) base64Of(e Expr, v string, loc Loc) (constraint.Expr, error) {
	if f, ok := plainSource(e); ok {
		a.document(f.Name, loc)
		a.derived.add(Derivation{Field: f.Name, Fn: "base64", From: v})
		return &constraint.Pred{Field: f.Name, Op: constraint.Exists, Span: a.span(loc)}, nil
	}
	switch x := e.(type) {
	case *Call:
		switch x.Name {
		case "replace":
			// REPLACE of a text no Base64 encoding holds leaves the
			// encoding as it is.
			re, ok := strArg(x, 1)
			if !ok {
				break
			}
			n, err := javaSet(re)
			if err != nil {
				break
			}
			lit, ok := isLiteral(n)
			if !ok || lit == "" || matchesConst(regexp.Repeat(base64Chars, 0, -1), lit) {
				break
			}
			return a.base64Of(x.Args[0], v, loc)
		case "from_base64":
			// FROM_BASE64(y) is the encoding of v: y is the encoding of
			// that.
			w := a.derived.fresh("base64")
			a.derived.add(Derivation{Field: w, Fn: "base64", From: v})
			return a.base64Of(x.Args[0], w, loc)
		}
	case *extractRef:
		if _, isGrok := x.X.(*Grok); isGrok {
			src, ok := plainSource(x.Src)
			if !ok {
				break
			}
			// The source holds the encoding where the pattern finds the
			// key: drawn to parse, with the encoding written over the
			// key's value.
			parsed, err := a.extractIn(x, regexp.Repeat(base64Chars, 1, -1), loc)
			if err != nil {
				return nil, err
			}
			w := a.derived.fresh("base64")
			a.derived.add(Derivation{Field: w, Fn: "base64", From: v})
			a.derived.add(Derivation{Field: src.Name, Fn: "grok", From: w, Pattern: x.X.(*Grok).Patterns[0].Str, Key: x.Key})
			return parsed, nil
		}
	}
	return nil, a.unsupported(loc, "FROM_BASE64() of %s", describe2(e))
}

// fresh returns a new virtual field.
func (d *derivations) fresh(fn string) string {
	d.n++
	return fmt.Sprintf("%s%s_%d", VirtualPrefix, fn, d.n)
}

// add appends a derivation (once).
func (d *derivations) add(x Derivation) {
	for _, y := range d.list {
		if y == x {
			return
		}
	}
	d.list = append(d.list, x)
}

// virtualKey returns a new virtual field that stands for a grouping
// key's value.
func (d *derivations) virtualKey() string {
	d.n++
	return fmt.Sprintf("%skey_%d", VirtualPrefix, d.n)
}

// virtual returns the virtual field whose value, encoded with fn, the
// generator writes into field.
func (d *derivations) virtual(field, fn string) string {
	for _, x := range d.list {
		if x.Field == field && x.Fn == fn {
			return x.From
		}
	}
	d.n++
	v := fmt.Sprintf("%s%s_%d", VirtualPrefix, fn, d.n)
	d.list = append(d.list, Derivation{Field: field, Fn: fn, From: v})
	return v
}

// preURLDecode is the set of strings URL_DECODE maps into set: each
// character as itself (but "%" and "+"), as "%" and its UTF-8 bytes in
// hexadecimal (either case), and a space also as "+".
func preURLDecode(set *regexp.Node) (*regexp.Node, bool) {
	return mapToStrings(set, encodingsOf)
}

// valid is the set of strings URL_DECODE decodes.
func urlValid() *regexp.Node {
	hex := regexp.Chars(regexp.Range{Lo: '0', Hi: '9'}, regexp.Range{Lo: 'A', Hi: 'F'}, regexp.Range{Lo: 'a', Hi: 'f'})
	token := regexp.Union(regexp.Chars(negateRanges([]regexp.Range{{Lo: '%', Hi: '%'}})...), regexp.Concat(regexp.Literal("%"), hex, hex))
	return regexp.Repeat(token, 0, -1)
}

// encodingsOf is the set of the encodings of the characters rs: each as
// itself (but "%" and "+", which decode to something else), a space also
// as "+", and the ASCII ones percent-encoded in either case of the
// hexadecimal digits (grouped by their first digit, so that a large set
// stays a small expression). A non-ASCII character of a small set also
// takes its UTF-8 bytes percent-encoded.
func encodingsOf(rs []regexp.Range) *regexp.Node {
	in := func(c rune) bool {
		for _, r := range rs {
			if r.Lo <= c && c <= r.Hi {
				return true
			}
		}
		return false
	}
	plain := withoutChars(append([]regexp.Range(nil), rs...), '%', '+')
	if in(' ') {
		plain = append(plain, regexp.Range{Lo: '+', Hi: '+'})
	}
	alts := []*regexp.Node{regexp.Chars(plain...)}
	const hex = "0123456789ABCDEF"
	for hi := 0; hi < 8; hi++ {
		var lows []regexp.Range
		for lo := 0; lo < 16; lo++ {
			if in(rune(hi*16 + lo)) {
				lows = append(lows, regexp.CaseFold(rune(hex[lo]))...)
			}
		}
		if len(lows) > 0 {
			alts = append(alts, regexp.Concat(regexp.Literal("%"+string(hex[hi])), regexp.Chars(lows...)))
		}
	}
	count := 0
	for _, r := range rs {
		for c := max(r.Lo, utf8.RuneSelf); c <= r.Hi && count <= 16; c++ {
			count++
			alts = append(alts, percentOf(c))
		}
	}
	return regexp.Union(alts...)
}

// withoutChars removes characters from ranges.
func withoutChars(rs []regexp.Range, cs ...rune) []regexp.Range {
	for _, c := range cs {
		var out []regexp.Range
		for _, r := range rs {
			switch {
			case c < r.Lo || c > r.Hi:
				out = append(out, r)
			default:
				if r.Lo < c {
					out = append(out, regexp.Range{Lo: r.Lo, Hi: c - 1})
				}
				if c < r.Hi {
					out = append(out, regexp.Range{Lo: c + 1, Hi: r.Hi})
				}
			}
		}
		rs = out
	}
	return rs
}

// percentOf is c's UTF-8 bytes percent-encoded, hexadecimal digits in
// either case.
func percentOf(c rune) *regexp.Node {
	var buf [4]byte
	n := utf8.EncodeRune(buf[:], c)
	var parts []*regexp.Node
	for _, b := range buf[:n] {
		parts = append(parts, regexp.Literal("%"), hexDigit(b>>4), hexDigit(b&0xf))
	}
	return regexp.Concat(parts...)
}

func hexDigit(v byte) *regexp.Node {
	const digits = "0123456789ABCDEF"
	c := rune(digits[v])
	return regexp.Chars(regexp.CaseFold(c)...)
}

// mapToStrings maps every character of the set to a set of strings (the
// preimage under a function that decodes each such string to the
// character), keeping the structure; complements stay within the
// decodable strings.
func mapToStrings(n *regexp.Node, f func([]regexp.Range) *regexp.Node) (*regexp.Node, bool) {
	switch n.Kind {
	case regexp.KindLiteral:
		var parts []*regexp.Node
		for _, c := range n.Text {
			parts = append(parts, f([]regexp.Range{{Lo: c, Hi: c}}))
		}
		return regexp.Concat(parts...), true
	case regexp.KindChar:
		return f(n.Ranges), true
	case regexp.KindNothing:
		return n, true
	case regexp.KindAnyString:
		return urlValid(), true
	case regexp.KindInterval:
		return nil, false
	}
	subs := make([]*regexp.Node, len(n.Subs))
	for i, s := range n.Subs {
		m, ok := mapToStrings(s, f)
		if !ok {
			return nil, false
		}
		subs[i] = m
	}
	if n.Kind == regexp.KindComplement {
		return regexp.Intersect(urlValid(), regexp.Complemented(subs[0])), true
	}
	return regexp.Rebuild(n, subs)
}

// null lowers "e is null". For a GROK column, that the source is null or
// holds no match of the pattern (read without the narrowing of lazy
// repetitions, which the set of matching strings does not have).
func (a *docAlg) null(e Expr) (constraint.Expr, error) {
	if x, ok := e.(*extractRef); ok {
		if g, isGrok := a.l.extracts[x.X].(*grokPattern); isGrok {
			find, err := g.findSet()
			if err != nil {
				return nil, a.unsupported(x.Loc, "GROK: %v", err)
			}
			none, err := a.strIn(x.Src, regexp.Complemented(find), x.Loc)
			if err != nil {
				return nil, err
			}
			nn, err := a.nonNull(x.Src)
			if err != nil {
				return nil, err
			}
			return a.or(x.Loc, a.not(x.Loc, nn), none), nil
		}
	}
	switch x := e.(type) {
	case *Call:
		switch {
		case x.Name == "coalesce":
			// Null when every argument is.
			parts := make([]constraint.Expr, 0, len(x.Args))
			for _, arg := range x.Args {
				n, err := a.null(arg)
				if err != nil {
					return nil, err
				}
				parts = append(parts, n)
			}
			return a.and(x.Loc, parts...), nil
		case x.Name == "case":
			bs, err := branches[constraint.Expr](a, x)
			if err != nil {
				return nil, err
			}
			var alts []constraint.Expr
			for _, b := range bs {
				n, err := a.null(b.v)
				if err != nil {
					return nil, err
				}
				alts = append(alts, a.and(x.Loc, b.cond, n))
			}
			return a.or(x.Loc, alts...), nil
		case strictFuncs[x.Name] && x.Name != "cidr_match":
			// Null when an argument is.
			var alts []constraint.Expr
			for _, arg := range x.Args {
				if !hasRefs(arg) {
					if v, ok := fold(arg); ok && v.k == cNull {
						return a.konst(x.Loc, true), nil
					}
					continue
				}
				n, err := a.null(arg)
				if err != nil {
					return nil, err
				}
				alts = append(alts, n)
			}
			if len(alts) == 0 {
				return a.konst(x.Loc, false), nil
			}
			return a.or(x.Loc, alts...), nil
		}
	case *Literal:
		return a.konst(x.Loc, x.Kind == LitNull), nil
	case *Compare, *Like, *In:
		// A comparison is null when an operand is (IN: the value; a null
		// in the list aside).
		var operands []Expr
		switch y := x.(type) {
		case *Compare:
			operands = []Expr{y.L, y.R}
		case *Like:
			operands = []Expr{y.X}
		case *In:
			operands = []Expr{y.X}
			for _, item := range y.List {
				if v, ok := fold(item); ok && !hasRefs(item) && v.k == cNull {
					operands = nil // null unless true
				}
			}
		}
		if operands != nil {
			var alts []constraint.Expr
			for _, o := range operands {
				if !hasRefs(o) {
					if v, ok := fold(o); ok && v.k == cNull {
						return a.konst(e.Location(), true), nil
					}
					continue
				}
				n, err := a.null(o)
				if err != nil {
					return nil, err
				}
				alts = append(alts, n)
			}
			if len(alts) == 0 {
				return a.konst(e.Location(), false), nil
			}
			return a.or(e.Location(), alts...), nil
		}
	case *IsNull:
		return a.konst(x.Loc, false), nil
	}
	nn, err := a.nonNull(e)
	if err != nil {
		return nil, err
	}
	return a.not(e.Location(), nn), nil
}

// span finds the first match of the regular expression in s and returns
// the byte offsets of the first capture of the GROK key (a group named
// key, NAME:key or NAME:key:type); ok is false when there is none.
func (r *javaRegex) span(s, key string) (lo, hi int, ok bool, err error) {
	m, err := r.re.FindStringMatch(s)
	if err != nil || m == nil {
		return 0, 0, false, err
	}
	runes := []rune(s)
	for _, name := range r.order {
		if k, _ := grokGroup(name); k != key {
			continue
		}
		for _, n := range r.names[name] {
			g := m.GroupByNumber(n)
			if g == nil || len(g.Captures) == 0 {
				continue
			}
			lo := len(string(runes[:g.Index]))
			return lo, lo + len(string(runes[g.Index:g.Index+g.Length])), true, nil
		}
	}
	return 0, 0, false, nil
}
