package esvalue

// Lookup appends the values of the dotted field path in node: through
// nested objects, arrays (flattened) and keys that themselves contain dots
// ({"process.name": ...} as well as {"process": {"name": ...}}).
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
	}
}

func flatten(v any, out *[]any) {
	if a, ok := v.([]any); ok {
		for _, x := range a {
			flatten(x, out)
		}
		return
	}
	*out = append(*out, v)
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
