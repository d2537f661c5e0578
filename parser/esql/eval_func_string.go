package esql

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"hash"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String functions, with Elasticsearch's semantics: positions and lengths
// count code points, SUBSTRING and LOCATE are 1-based, the trims remove
// what Java's Character.isWhitespace calls whitespace.

func init() {
	regScalar(fnLength, "length", "byte_length", "bit_length")
	regScalar(fnConcat, "concat")
	regScalar(fnStartsEnds, "starts_with", "ends_with", "contains")
	regScalar(fnLeftRight, "left", "right")
	regScalar(fnLocate, "locate")
	regScalar(fnSubstring, "substring")
	regScalar(fnTrim, "trim", "ltrim", "rtrim")
	regScalar(fnChangeCase, "to_lower", "to_upper")
	regScalar(fnRepeat, "repeat")
	regScalar(fnSpace, "space")
	regScalar(fnReverse, "reverse")
	regScalar(fnSplit, "split")
	regScalar(fnReplace, "replace")
	regScalar(fnURL, "url_decode", "url_encode", "url_encode_component")
	regScalar(fnBase64, "from_base64", "to_base64")
	regScalar(fnDigest, "md5", "sha1", "sha256")
	regScalar(fnHash, "hash")
	regScalar(fnJSONExtract, "json_extract")
}

func fnLength(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name := call.Name
	return c.strict(call, args, func(v []any) any {
		s, ok := c.str(call, v, 0)
		if !ok {
			return nil
		}
		switch name {
		case "byte_length":
			return int32(len(s))
		case "bit_length":
			return int32(8 * len(s))
		}
		return int32(utf8.RuneCountInString(s))
	}), nil
}

func fnConcat(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return c.strict(call, args, func(v []any) any {
		var b strings.Builder
		for i := range v {
			s, ok := c.str(call, v, i)
			if !ok {
				return nil
			}
			b.WriteString(s)
		}
		return b.String()
	}), nil
}

func fnStartsEnds(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name := call.Name
	return c.strict(call, args, func(v []any) any {
		s, ok1 := c.str(call, v, 0)
		p, ok2 := c.str(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		switch name {
		case "starts_with":
			return strings.HasPrefix(s, p)
		case "ends_with":
			return strings.HasSuffix(s, p)
		}
		return strings.Contains(s, p)
	}), nil
}

func fnLeftRight(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	right := call.Name == "right"
	return c.strict(call, args, func(v []any) any {
		s, ok1 := c.str(call, v, 0)
		n, ok2 := c.integer(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		rs := []rune(s)
		if n < 0 {
			n = 0
		}
		if n > int64(len(rs)) {
			n = int64(len(rs))
		}
		if right {
			return string(rs[len(rs)-int(n):])
		}
		return string(rs[:n])
	}), nil
}

// fnLocate is LOCATE(s, sub[, start]): 1 + the position of sub in s from
// start (1-based; 0 and 1 alike; negative counts from the end), 0 when
// absent. As in Elasticsearch, the position counts UTF-16 code units
// (Java's indexOf).
func fnLocate(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return c.strict(call, args, func(v []any) any {
		s, ok1 := c.str(call, v, 0)
		sub, ok2 := c.str(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		var start int64
		if len(v) > 2 {
			var ok bool
			if start, ok = c.integer(call, v, 2); !ok {
				return nil
			}
		}
		if len(s) < len(sub) {
			return int32(0)
		}
		n := int64(utf8.RuneCountInString(s))
		from := startIndex(n, start)
		off := len(string([]rune(s)[:from]))
		i := strings.Index(s[off:], sub)
		if i < 0 {
			return int32(0)
		}
		return int32(utf16Len(s[:off+i]) + 1)
	}), nil
}

// startIndex is a 0-based code point index of a 1-based start: 0 and 1
// are the first character, a negative start counts from the end, the
// index stays within the string.
func startIndex(n, start int64) int64 {
	var i int64
	switch {
	case start > 0:
		i = start - 1
	case start < 0:
		i = n + start
	}
	return max(0, min(i, n))
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

func fnSubstring(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		s, ok1 := c.str(call, v, 0)
		start, ok2 := c.integer(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		rs := []rune(s)
		n := int64(len(rs))
		length := n
		if len(v) > 2 {
			var ok bool
			if length, ok = c.integer(call, v, 2); !ok {
				return nil
			}
			if length < 0 {
				c.ev.warn(loc, "IllegalArgumentException: Length parameter cannot be negative, found [%d]", length)
				return nil
			}
		}
		from := startIndex(n, start)
		to := min(n, from+length)
		return string(rs[from:to])
	}), nil
}

// javaWhitespace is Java's Character.isWhitespace: space separators other
// than the non-breaking ones, and the ASCII controls \t \n \v \f \r and
// \x1c to \x1f.
func javaWhitespace(r rune) bool {
	switch r {
	case '\u00a0', '\u2007', '\u202f':
		return false
	case '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f':
		return true
	}
	return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}

func fnTrim(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name := call.Name
	return c.strict(call, args, func(v []any) any {
		s, ok := c.str(call, v, 0)
		if !ok {
			return nil
		}
		switch name {
		case "ltrim":
			return strings.TrimLeftFunc(s, javaWhitespace)
		case "rtrim":
			return strings.TrimRightFunc(s, javaWhitespace)
		}
		return strings.TrimFunc(s, javaWhitespace)
	}), nil
}

func fnChangeCase(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	upper := call.Name == "to_upper"
	text := c.ev.text(call.Loc)
	return c.perValue(call, args, func(v any) (any, string) {
		s, ok := v.(string)
		if !ok {
			return nil, typeProblem + "argument of [" + text + "] must be [string], found value of type [" + typeName(v) + "]"
		}
		if upper {
			return strings.ToUpper(s), ""
		}
		return strings.ToLower(s), ""
	}), nil
}

// maxStringBytes bounds the strings REPEAT and SPACE build (Elasticsearch
// refuses results beyond 1MB).
const maxStringBytes = 1 << 20

func fnRepeat(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		s, ok1 := c.str(call, v, 0)
		n, ok2 := c.integer(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		if n < 0 {
			c.ev.warn(loc, "IllegalArgumentException: Number parameter cannot be negative, found [%d]", n)
			return nil
		}
		if n > 0 && int64(len(s))*n > maxStringBytes {
			c.ev.warn(loc, "IllegalArgumentException: Creating strings longer than [%d] bytes is not supported", maxStringBytes)
			return nil
		}
		return strings.Repeat(s, int(n))
	}), nil
}

func fnSpace(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		n, ok := c.integer(call, v, 0)
		if !ok {
			return nil
		}
		if n < 0 {
			c.ev.warn(loc, "IllegalArgumentException: Number parameter cannot be negative, found [%d]", n)
			return nil
		}
		if n > maxStringBytes {
			c.ev.warn(loc, "IllegalArgumentException: Creating strings longer than [%d] bytes is not supported", maxStringBytes)
			return nil
		}
		return strings.Repeat(" ", int(n))
	}), nil
}

// fnReverse reverses the code points of a string.
func fnReverse(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return c.strict(call, args, func(v []any) any {
		s, ok := c.str(call, v, 0)
		if !ok {
			return nil
		}
		rs := []rune(s)
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
		return string(rs)
	}), nil
}

// fnSplit splits a string at each occurrence of a one-byte delimiter into
// a multi-value (empty parts included).
func fnSplit(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		s, ok1 := c.str(call, v, 0)
		d, ok2 := c.str(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		if len(d) != 1 {
			c.ev.warn(loc, "IllegalArgumentException: delimiter must be single byte for now")
			return nil
		}
		parts := strings.Split(s, d)
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return mvOf(out)
	}), nil
}

// fnReplace replaces every match of a Java regular expression.
func fnReplace(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	var fixed *javaRegex
	if p, ok := c.constArg(call, 1); ok {
		s, isStr := p.(string)
		if !isStr {
			return nil, c.ev.errorf(call.Args[1].Location(), "the regex of REPLACE must be a string")
		}
		re, err := c.ev.javaRegex(s, dialectJava)
		if err != nil {
			return nil, c.ev.regexError(call.Args[1].Location(), s, err)
		}
		fixed = re
	}
	return c.strict(call, args, func(v []any) any {
		s, ok1 := c.str(call, v, 0)
		p, ok2 := c.str(call, v, 1)
		repl, ok3 := c.str(call, v, 2)
		if !ok1 || !ok2 || !ok3 {
			return nil
		}
		re := fixed
		if re == nil {
			var err error
			if re, err = c.ev.javaRegex(p, dialectJava); err != nil {
				c.ev.warn(loc, "PatternSyntaxException: %v", err)
				return nil
			}
		}
		out, err := re.replaceAll(s, repl)
		if err != nil {
			c.ev.warn(loc, "%v", err)
			return nil
		}
		return out
	}), nil
}

func fnURL(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name, loc := call.Name, call.Loc
	return c.strict(call, args, func(v []any) any {
		s, ok := c.str(call, v, 0)
		if !ok {
			return nil
		}
		switch name {
		case "url_encode":
			return javaURLEncode(s, true)
		case "url_encode_component":
			return javaURLEncode(s, false)
		}
		out, err := url.QueryUnescape(s)
		if err != nil {
			c.ev.warn(loc, "IllegalArgumentException: URLDecoder: %v", err)
			return nil
		}
		return strings.ToValidUTF8(out, "\uFFFD")
	}), nil
}

// javaURLEncode encodes as Java's URLEncoder (form: spaces as "+") or as
// encodeURIComponent (spaces as "%20"): letters, digits and ".-*_" stay
// (and "!~'()" for the component form), other bytes become %XX.
func javaURLEncode(s string, form bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9', strings.IndexByte(".-*_", ch) >= 0 && form,
			strings.IndexByte(".-_!~*'()", ch) >= 0 && !form:
			b.WriteByte(ch)
		case ch == ' ' && form:
			b.WriteByte('+')
		default:
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{ch})))
		}
	}
	return b.String()
}

func fnBase64(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	decode, loc := call.Name == "from_base64", call.Loc
	return c.strict(call, args, func(v []any) any {
		s, ok := c.str(call, v, 0)
		if !ok {
			return nil
		}
		if !decode {
			return base64.StdEncoding.EncodeToString([]byte(s))
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			// Java's decoder also reads input without its padding.
			b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
		}
		if err != nil {
			c.ev.warn(loc, "IllegalArgumentException: %v", err)
			return nil
		}
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}), nil
}

func fnDigest(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name := call.Name
	return c.strict(call, args, func(v []any) any {
		s, ok := c.str(call, v, 0)
		if !ok {
			return nil
		}
		h := digests[name]()
		h.Write([]byte(s))
		return hex.EncodeToString(h.Sum(nil))
	}), nil
}

// digests are the algorithms of MD5, SHA1 and SHA256.
var digests = map[string]func() hash.Hash{"md5": md5.New, "sha1": sha1.New, "sha256": sha256.New}

// hashAlgorithms are the algorithms of HASH, by Java's MessageDigest names
// and aliases (matched case-insensitively).
var hashAlgorithms = map[string]func() hash.Hash{
	"md5": md5.New, "sha": sha1.New, "sha1": sha1.New, "sha-1": sha1.New, "sha-224": sha256.New224,
	"sha-256": sha256.New, "sha-384": sha512.New384, "sha-512": sha512.New,
	"sha-512/224": sha512.New512_224, "sha-512/256": sha512.New512_256,
}

func fnHash(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		alg, ok1 := c.str(call, v, 0)
		s, ok2 := c.str(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		mk, ok := hashAlgorithms[strings.ToLower(alg)]
		if !ok {
			c.ev.warn(loc, "InvalidArgumentException: invalid algorithm for [%s]: %s MessageDigest not available", c.ev.text(loc), alg)
			return nil
		}
		h := mk()
		h.Write([]byte(s))
		return hex.EncodeToString(h.Sum(nil))
	}), nil
}

// fnJSONExtract extracts a value from JSON text (or _source) at a path of
// keys and array indices: "a.b", "$.a.b", "a[0]", "['a.b']". Strings come
// back without quotes, numbers and booleans as their text, objects and
// arrays as JSON; null when the path does not exist (with a warning) or
// holds null.
func fnJSONExtract(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		var doc any
		switch x := v[0].(type) {
		case sourceDoc:
			doc = x.doc
		case string:
			dec := json.NewDecoder(strings.NewReader(x))
			dec.UseNumber()
			if err := dec.Decode(&doc); err != nil {
				c.ev.warn(loc, "IllegalArgumentException: invalid JSON input")
				return nil
			}
		default:
			c.typeError(call, 0, "string or _source", v[0])
			return nil
		}
		p, ok := c.str(call, v, 1)
		if !ok {
			return nil
		}
		path, err := parseJSONPath(p)
		if err != nil {
			c.ev.warn(loc, "IllegalArgumentException: %v", err)
			return nil
		}
		for _, seg := range path {
			switch node := doc.(type) {
			case map[string]any:
				next, ok := node[seg.key]
				if seg.index >= 0 || !ok {
					c.ev.warn(loc, "IllegalArgumentException: path [%s] does not exist", p)
					return nil
				}
				doc = next
			case []any:
				if seg.index < 0 || seg.index >= len(node) {
					c.ev.warn(loc, "IllegalArgumentException: path [%s] does not exist", p)
					return nil
				}
				doc = node[seg.index]
			default:
				c.ev.warn(loc, "IllegalArgumentException: path [%s] does not exist", p)
				return nil
			}
		}
		switch x := doc.(type) {
		case nil:
			return nil
		case string:
			return x
		case bool:
			return strconv.FormatBool(x)
		case json.Number:
			return string(x)
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc); err != nil {
			return nil
		}
		return strings.TrimSuffix(b.String(), "\n")
	}), nil
}

// jsonSeg is one step of a JSON path: a key, or an array index (key "").
type jsonSeg struct {
	key   string
	index int // -1 for a key
}

// parseJSONPath reads JSON_EXTRACT's path: an optional "$", then keys
// separated by dots, and bracketed indices or quoted keys.
func parseJSONPath(p string) ([]jsonSeg, error) {
	s := strings.TrimPrefix(p, "$")
	var out []jsonSeg
	i := 0
	if s != "" && s[0] == '.' && len(s) != len(p) {
		i = 1
	}
	for i < len(s) {
		switch s[i] {
		case '.':
			i++
			if i >= len(s) || s[i] == '.' || s[i] == '[' {
				return nil, errBadPath(p)
			}
		case '[':
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return nil, errBadPath(p)
			}
			inner := strings.TrimSpace(s[i+1 : i+end])
			i += end + 1
			if len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0] {
				out = append(out, jsonSeg{key: inner[1 : len(inner)-1], index: -1})
				continue
			}
			n, err := strconv.Atoi(inner)
			if err != nil || n < 0 {
				return nil, errBadPath(p)
			}
			out = append(out, jsonSeg{index: n})
			continue
		}
		j := i
		for j < len(s) && s[j] != '.' && s[j] != '[' {
			j++
		}
		if j == i {
			if i < len(s) && s[i] == '[' {
				continue
			}
			return nil, errBadPath(p)
		}
		out = append(out, jsonSeg{key: s[i:j], index: -1})
		i = j
	}
	if len(out) == 0 && p != "$" {
		return nil, errBadPath(p)
	}
	return out, nil
}

type pathError string

func (e pathError) Error() string { return "invalid path [" + string(e) + "]" }

func errBadPath(p string) error { return pathError(p) }
