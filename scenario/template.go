package scenario

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/telemetry"
)

// A template is a field's value in a scenario file: YAML scalars, lists
// and mappings, whose texts may hold {{expressions}} that the event's
// context fills (the entity's attributes, the session's place, ids).
type tmpl struct {
	kind byte // 's' text with expressions, 'l' literal JSON, 'a' list, 'o' mapping
	// quote: the field's type wants a string even of an expression that
	// gives a number ({{seq}} in a keyword field)
	quote bool
	parts []part // 's'
	lit   []byte // 'l'
	items []*tmpl
	keys  []string
}

// part is a literal or an expression of a text template.
type part struct {
	lit string
	fn  resolver
}

// resolver gives an expression's value in a context: its text, and
// whether that text is raw JSON (a number, a boolean, an object) rather
// than a string.
type resolver func(c *ctx) (string, bool)

// appendJSON appends the template's JSON value in context c.
func (t *tmpl) appendJSON(dst []byte, c *ctx) []byte {
	switch t.kind {
	case 'l':
		return append(dst, t.lit...)
	case 'a':
		dst = append(dst, '[')
		for i, it := range t.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = it.appendJSON(dst, c)
		}
		return append(dst, ']')
	case 'o':
		dst = append(dst, '{')
		for i, it := range t.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = document.AppendString(dst, t.keys[i])
			dst = append(dst, ':')
			dst = it.appendJSON(dst, c)
		}
		return append(dst, '}')
	}
	if len(t.parts) == 1 && t.parts[0].fn != nil {
		s, raw := t.parts[0].fn(c)
		if raw && !t.quote {
			return append(dst, s...)
		}
		return document.AppendString(dst, s)
	}
	c.sb = c.sb[:0]
	for _, p := range t.parts {
		if p.fn == nil {
			c.sb = append(c.sb, p.lit...)
			continue
		}
		s, _ := p.fn(c)
		c.sb = append(c.sb, s...)
	}
	return document.AppendString(dst, string(c.sb))
}

// constant reports whether the template has no expression.
func (t *tmpl) constant() bool {
	switch t.kind {
	case 'l':
		return true
	case 's':
		for _, p := range t.parts {
			if p.fn != nil {
				return false
			}
		}
		return true
	}
	for _, it := range t.items {
		if !it.constant() {
			return false
		}
	}
	return true
}

// env is what a template may refer to: the entity kind of its stream,
// the entity set's own attributes, and whether it belongs to an injection
// (attacker.*).
type env struct {
	kind      string
	attrs     map[string]*attribute
	injection bool
}

// compileValue compiles a YAML value into a template.
func (r *reader) compileValue(n *yaml.Node, field string, e *env) *tmpl {
	switch n.Kind {
	case yaml.AliasNode:
		return r.compileValue(n.Alias, field, e)
	case yaml.SequenceNode:
		t := &tmpl{kind: 'a'}
		for i, it := range n.Content {
			t.items = append(t.items, r.compileValue(it, fmt.Sprintf("%s[%d]", field, i), e))
		}
		return t
	case yaml.MappingNode:
		t := &tmpl{kind: 'o'}
		r.mapping(n, field, nil, func(key string, k, v *yaml.Node, path string) {
			t.keys = append(t.keys, key)
			t.items = append(t.items, r.compileValue(v, path, e))
		})
		return t
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return &tmpl{kind: 'l', lit: []byte("null")}
		case "!!bool":
			var b bool
			_ = n.Decode(&b)
			return &tmpl{kind: 'l', lit: []byte(strconv.FormatBool(b))}
		case "!!int", "!!float":
			var f float64
			if n.Decode(&f) == nil {
				if n.Tag == "!!int" {
					var i int64
					if n.Decode(&i) == nil {
						return &tmpl{kind: 'l', lit: []byte(strconv.FormatInt(i, 10))}
					}
				}
				b, err := json.Marshal(f)
				if err == nil {
					return &tmpl{kind: 'l', lit: b}
				}
			}
		}
		return r.compileText(n, field, e)
	}
	r.errorf(n, field, "want a value, got %s", kindName(n))
	return &tmpl{kind: 'l', lit: []byte("null")}
}

// compileText compiles a text with {{expressions}}.
func (r *reader) compileText(n *yaml.Node, field string, e *env) *tmpl {
	s := n.Value
	t := &tmpl{kind: 's'}
	for s != "" {
		i := strings.Index(s, "{{")
		if i < 0 {
			t.parts = append(t.parts, part{lit: s})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, part{lit: s[:i]})
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			r.errorf(n, field, "%q: {{ without }}", n.Value)
			break
		}
		expr := strings.TrimSpace(s[i+2 : i+j])
		fn, err := compileExpr(expr, e)
		if err != nil {
			r.errorf(n, field, "{{%s}}: %v", expr, err)
		} else {
			t.parts = append(t.parts, part{fn: fn})
		}
		s = s[i+j+2:]
	}
	if len(t.parts) == 0 {
		t.parts = append(t.parts, part{lit: ""})
	}
	if t.constant() {
		lit := ""
		for _, p := range t.parts {
			lit += p.lit
		}
		return &tmpl{kind: 'l', lit: document.AppendString(nil, lit)}
	}
	return t
}

// Expressions lists what templates can refer to, for the documentation
// and for errors.
var builtinRoots = []string{"user", "host", "geo", "source", "session", "doc", "target", "attacker", "scenario"}

// compileExpr compiles one {{expression}}: a function (uuid, timestamp,
// local_timestamp, seq, int A B, hex N) or an attribute path.
func compileExpr(expr string, e *env) (resolver, error) {
	words := strings.Fields(expr)
	if len(words) == 0 {
		return nil, fmt.Errorf("empty expression")
	}
	switch words[0] {
	case "uuid":
		return func(c *ctx) (string, bool) { return uuid(c.r), false }, nil
	case "timestamp":
		return func(c *ctx) (string, bool) { return date.Format(c.t), false }, nil
	case "local_timestamp":
		return func(c *ctx) (string, bool) {
			return c.t.In(c.run.zone(c.city)).Format("2006-01-02T15:04:05.0000000-07:00"), false
		}, nil
	case "seq":
		return func(c *ctx) (string, bool) { return strconv.FormatInt(c.seq, 10), true }, nil
	case "int":
		if len(words) != 3 {
			return nil, fmt.Errorf("want int MIN MAX")
		}
		lo, err1 := strconv.Atoi(words[1])
		hi, err2 := strconv.Atoi(words[2])
		if err1 != nil || err2 != nil || hi < lo {
			return nil, fmt.Errorf("want int MIN MAX with whole numbers, MIN <= MAX")
		}
		return func(c *ctx) (string, bool) { return strconv.Itoa(lo + c.r.IntN(hi-lo+1)), true }, nil
	case "hex":
		if len(words) != 2 {
			return nil, fmt.Errorf("want hex N")
		}
		n, err := strconv.Atoi(words[1])
		if err != nil || n <= 0 || n > 128 {
			return nil, fmt.Errorf("want hex N with N in 1..128")
		}
		return func(c *ctx) (string, bool) { return telemetry.Hex(c.r, n), false }, nil
	}
	if len(words) > 1 {
		return nil, fmt.Errorf("unknown function %q (want uuid, timestamp, local_timestamp, seq, int MIN MAX, hex N)", words[0])
	}
	return compilePath(expr, e)
}

func compilePath(path string, e *env) (resolver, error) {
	root, rest, _ := strings.Cut(path, ".")
	if a := e.attrs[root]; a != nil {
		return a.resolver(rest)
	}
	str := func(f func(c *ctx) string) (resolver, error) {
		return func(c *ctx) (string, bool) { return f(c), false }, nil
	}
	switch root {
	case "user", "target":
		if root == "user" && e.kind == "" {
			return nil, fmt.Errorf("this stream has no entity")
		}
		who := func(c *ctx) *person { return c.user() }
		if root == "target" {
			who = func(c *ctx) *person { return c.targetUser() }
		}
		switch rest {
		case "name", "full_name", "email", "domain", "sid", "uid", "id", "guid", "upn", "upn_name", "upn_domain", "first_name", "last_name":
			return str(func(c *ctx) string { return who(c).field(rest, c) })
		}
	case "host":
		if e.kind == "" {
			return nil, fmt.Errorf("this stream has no entity")
		}
		switch rest {
		case "name", "hostname", "id", "ip", "mac", "architecture", "domain",
			"os.type", "os.family", "os.name", "os.platform", "os.version", "os.kernel", "os.full":
			return str(func(c *ctx) string { return c.hostField(rest) })
		}
	case "geo":
		switch rest {
		case "city_name", "country_name", "country_iso_code", "region_name", "timezone", "continent_name":
			field := "source.geo." + rest
			return str(func(c *ctx) string { v, _ := c.ev.Value(field, nil); return v })
		case "lat":
			return func(c *ctx) (string, bool) { return strconv.FormatFloat(c.city.Lat, 'f', -1, 64), true }, nil
		case "lon":
			return func(c *ctx) (string, bool) { return strconv.FormatFloat(c.city.Lon, 'f', -1, 64), true }, nil
		case "location":
			return func(c *ctx) (string, bool) {
				return `{"lat":` + strconv.FormatFloat(c.city.Lat, 'f', -1, 64) + `,"lon":` + strconv.FormatFloat(c.city.Lon, 'f', -1, 64) + `}`, true
			}, nil
		}
	case "source":
		if rest == "ip" {
			return str(func(c *ctx) string { return c.ip })
		}
	case "session":
		switch rest {
		case "id":
			return str(func(c *ctx) string { return c.sessionID() })
		case "event":
			return func(c *ctx) (string, bool) { return strconv.Itoa(c.sessionEvent), true }, nil
		case "logon_id":
			return str(func(c *ctx) string { return c.logonID() })
		}
	case "doc":
		if rest == "id" {
			return str(func(c *ctx) string { return c.docID() })
		}
	case "attacker":
		if !e.injection {
			return nil, fmt.Errorf("attacker.* exists in injections only")
		}
		switch rest {
		case "ip", "host":
			return str(func(c *ctx) string { return c.attackerField(rest) })
		}
	case "scenario":
		switch rest {
		case "name":
			return str(func(c *ctx) string { return c.run.sc.Name })
		case "tenant_id":
			return str(func(c *ctx) string { return c.run.tenant })
		}
	default:
		names := append([]string(nil), builtinRoots...)
		for n := range e.attrs {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown name %q (want one of %s, or a function)", root, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("unknown attribute %q", path)
}

// attribute is an entity attribute a scenario file declares: each entity
// draws one of its values once (by weight) and keeps it.
type attribute struct {
	name    string
	index   int // among its entity set's attributes
	weights []float64
	total   float64
	// leaves of each value by path ("" the whole value): JSON and text
	values []map[string]leaf
}

type leaf struct {
	json []byte
	text string
	raw  bool
}

func (a *attribute) draw(r *rand.Rand) int {
	x := r.Float64() * a.total
	for i, w := range a.weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(a.weights) - 1
}

func (a *attribute) resolver(path string) (resolver, error) {
	for i, v := range a.values {
		if _, ok := v[path]; !ok {
			if path == "" {
				return nil, fmt.Errorf("attribute %s has no value %d", a.name, i+1)
			}
			return nil, fmt.Errorf("value %d of attribute %s has no %q", i+1, a.name, path)
		}
	}
	return func(c *ctx) (string, bool) {
		l := a.values[c.ent.attrs[a.index]][path]
		if l.raw {
			return string(l.json), true
		}
		return l.text, false
	}, nil
}

// attributeLeaves flattens a YAML value into its leaves by path.
func attributeLeaves(n *yaml.Node, prefix string, out map[string]leaf) {
	switch n.Kind {
	case yaml.MappingNode:
		var v any
		_ = n.Decode(&v)
		b, _ := json.Marshal(normalize(v))
		out[prefix] = leaf{json: b, text: string(b), raw: true}
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if prefix != "" {
				p = prefix + "." + p
			}
			attributeLeaves(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		var v any
		_ = n.Decode(&v)
		b, _ := json.Marshal(normalize(v))
		out[prefix] = leaf{json: b, text: string(b), raw: true}
	default:
		switch n.Tag {
		case "!!int", "!!float", "!!bool":
			out[prefix] = leaf{json: []byte(n.Value), text: n.Value, raw: true}
		case "!!null":
			out[prefix] = leaf{json: []byte("null"), raw: true}
		default:
			out[prefix] = leaf{json: document.AppendString(nil, n.Value), text: n.Value}
		}
	}
}

// normalize turns YAML's map[string]any trees into what encoding/json
// writes.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	}
	return v
}

// uuid is a random (version 4) UUID.
func uuid(r *rand.Rand) string {
	var b [16]byte
	a, c := r.Uint64(), r.Uint64()
	for i := 0; i < 8; i++ {
		b[i] = byte(a >> (8 * i))
		b[8+i] = byte(c >> (8 * i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 36)
	j := 0
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j], out[j+1] = hex[x>>4], hex[x&15]
		j += 2
	}
	return string(out)
}
