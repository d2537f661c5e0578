package document

import "encoding/json"

// AppendString appends s as a JSON string: quotes, and escapes for the
// quote, the backslash and control characters. s must be valid UTF-8.
func AppendString[S string | []byte](dst []byte, s S) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// Text reads a JSON value as text: a string unquoted, a number or boolean
// as written, an array as its first element; ok is false for null,
// objects, empty arrays and malformed values.
func Text(raw []byte) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '[':
		if first, ok := firstElement(raw); ok {
			return Text(first)
		}
		var arr []json.RawMessage
		if json.Unmarshal(raw, &arr) != nil || len(arr) == 0 {
			return "", false
		}
		return Text(arr[0])
	case '"':
		return unquote(raw)
	case '{', 'n':
		return "", false
	}
	return string(raw), true
}

// firstElement finds the first element of a JSON array of scalars
// without decoding the array (the arrays emit writes); ok is false when
// it cannot tell, and the caller decodes.
func firstElement(raw []byte) ([]byte, bool) {
	i := 1
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\n' || raw[i] == '\t' || raw[i] == '\r') {
		i++
	}
	if i >= len(raw) {
		return nil, false
	}
	start := i
	if raw[i] == '"' {
		for i++; i < len(raw); i++ {
			switch raw[i] {
			case '\\':
				i++
			case '"':
				return raw[start : i+1], true
			}
		}
		return nil, false
	}
	for ; i < len(raw); i++ {
		switch raw[i] {
		case ',', ']', ' ', '\n', '\t', '\r':
			return raw[start:i], i > start
		case '[', '{', '"':
			return nil, false
		}
	}
	return nil, false
}

// unquote decodes a JSON string; the common escapes without allocating
// more than the result.
func unquote(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[len(raw)-1] != '"' {
		return "", false
	}
	body := raw[1 : len(raw)-1]
	i := 0
	for i < len(body) && body[i] != '\\' && body[i] != '"' && body[i] >= 0x20 {
		i++
	}
	if i == len(body) {
		return string(body), true
	}
	b := make([]byte, 0, len(body))
	b = append(b, body[:i]...)
	for ; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '"' || c < 0x20:
			return "", false
		case c != '\\':
			b = append(b, c)
			continue
		}
		if i+1 >= len(body) {
			return "", false
		}
		i++
		switch body[i] {
		case '"', '\\', '/':
			b = append(b, body[i])
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case 'r':
			b = append(b, '\r')
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		default:
			// \uXXXX (and anything odd): the standard decoder.
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return "", false
			}
			return s, true
		}
	}
	return string(b), true
}
