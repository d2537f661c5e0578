package document

import (
	"encoding/json"
	"strconv"
)

// Lookup appends the values of the dotted field path in node: through
// nested objects, arrays (flattened) and keys that themselves contain dots
// ({"process.name": ...} as well as {"process": {"name": ...}}). Documents
// are JSON as encoding/json decodes it; slices of Go types ([]string,
// []map[string]any, ...) built by Go code are read too.
func Lookup(node any, path string, out *[]any) {
	switch n := node.(type) {
	case map[string]any:
		if v, ok := n[path]; ok {
			flatten(v, out)
		}
		for i := 0; i < len(path); i++ {
			if path[i] == '.' {
				if v, ok := n[path[:i]]; ok {
					Lookup(v, path[i+1:], out)
				}
			}
		}
	case []any:
		for _, x := range n {
			Lookup(x, path, out)
		}
	case []map[string]any:
		for _, x := range n {
			Lookup(x, path, out)
		}
	}
}

func flatten(v any, out *[]any) {
	switch a := v.(type) {
	case []any:
		for _, x := range a {
			flatten(x, out)
		}
	case []map[string]any:
		appendAll(out, a)
	case []string:
		appendAll(out, a)
	case []float64:
		appendAll(out, a)
	case []int:
		appendAll(out, a)
	case []int64:
		appendAll(out, a)
	case []bool:
		appendAll(out, a)
	default:
		*out = append(*out, v)
	}
}

func appendAll[T any](out *[]any, xs []T) {
	for _, x := range xs {
		*out = append(*out, x)
	}
}

// Scalars returns the values of the dotted field path in doc that are
// neither null nor objects: what a field holds for comparisons.
func Scalars(doc any, path string) []any {
	var all []any
	Lookup(doc, path, &all)
	out := all[:0]
	for _, v := range all {
		switch v.(type) {
		case nil, map[string]any:
			continue
		}
		out = append(out, v)
	}
	return out
}

// HasValue reports whether a document value counts for exists: a non-null
// scalar, or an object or array holding one.
func HasValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case map[string]any:
		for _, y := range x {
			if HasValue(y) {
				return true
			}
		}
		return false
	case []any:
		for _, y := range x {
			if HasValue(y) {
				return true
			}
		}
		return false
	}
	return true
}

// Walk calls fn for every value under node (not node itself) with its
// dotted path, path being the path of node ("" at the document's root):
// objects before their fields, arrays flattened (fn sees their elements,
// never an array). fn returns false to stop; Walk returns false when it
// was stopped.
func Walk(node any, path string, fn func(path string, v any) bool) bool {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if !walkValue(v, p, fn) {
				return false
			}
		}
	case []any:
		for _, v := range n {
			if !Walk(v, path, fn) {
				return false
			}
		}
	}
	return true
}

// walkValue calls fn for v at path (for each element of an array) and
// walks into it.
func walkValue(v any, path string, fn func(path string, v any) bool) bool {
	if a, ok := v.([]any); ok {
		for _, x := range a {
			if !walkValue(x, path, fn) {
				return false
			}
		}
		return true
	}
	return fn(path, v) && Walk(v, path, fn)
}

// ScalarText returns the text of a scalar document value: strings as they
// are, numbers and booleans as their JSON text (what a keyword field
// indexes). ok is false for null, objects and arrays.
func ScalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	}
	return "", false
}
