package constraint

import "unicode"

// SplitConcat returns every way a concatenation of parts can spell
// target: parts[k] is a literal, or nil for an expression whose value is
// free; each way holds the piece of each expression part, in order. With
// ci the literals match target case-insensitively (EQL's `:`). It returns
// false when there are more than max ways.
func SplitConcat(target string, parts []*string, ci bool, max int) (ways [][]string, ok bool) {
	tr := []rune(target)
	var rec func(k, pos int, pieces []string) bool
	rec = func(k, pos int, pieces []string) bool {
		if len(ways) > max {
			return false
		}
		if k == len(parts) {
			if pos == len(tr) {
				ways = append(ways, append([]string(nil), pieces...))
			}
			return true
		}
		if lit := parts[k]; lit != nil {
			lr := []rune(*lit)
			if pos+len(lr) > len(tr) {
				return true
			}
			for i, r := range lr {
				if t := tr[pos+i]; r != t && !(ci && unicode.ToLower(r) == unicode.ToLower(t)) {
					return true
				}
			}
			return rec(k+1, pos+len(lr), pieces)
		}
		for end := pos; end <= len(tr); end++ {
			if !rec(k+1, end, append(pieces, string(tr[pos:end]))) {
				return false
			}
		}
		return true
	}
	if !rec(0, 0, nil) {
		return nil, false
	}
	return ways, true
}
