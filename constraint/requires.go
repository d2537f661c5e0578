package constraint

// RequiresField reports whether a formula in negation normal form can only
// hold when some field it names has a value. A nested query whose inner
// formula does not (a negation only: "parent : { not child : x }") also
// requires that some field under its path exist, since it holds within an
// object under the path.
func RequiresField(e Expr) bool {
	switch x := e.(type) {
	case *Pred:
		return !x.Neg
	case *And:
		for _, y := range x.X {
			if RequiresField(y) {
				return true
			}
		}
		return false
	case *Or:
		for _, y := range x.X {
			if !RequiresField(y) {
				return false
			}
		}
		return len(x.X) > 0
	case *Bool:
		return !x.V
	}
	return false
}
