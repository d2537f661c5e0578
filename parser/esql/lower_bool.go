package esql

import (
	"slices"
	"strings"
)

// The three-valued logic of ES|QL, shared by the lowering of document
// conditions (to constraint formulas) and of group conditions (to group
// requirements): a condition lowers to "it is true" or "it is false";
// null is neither, so NOT of a comparison with a missing field holds for
// no row, and "not true" (what a CASE branch needs of the conditions
// before it) is the complement of "true".

// alg builds formulas of one kind.
type alg[F any] interface {
	and(loc Loc, xs ...F) F
	or(loc Loc, xs ...F) F
	// not is the complement of a formula: "x does not hold".
	not(loc Loc, x F) F
	konst(loc Loc, v bool) F
	// atom lowers a condition other than the connectives: it has the
	// truth value want.
	atom(e Expr, want bool) (F, error)
	unsupported(loc Loc, format string, args ...any) error
}

// truth lowers "e is want" (true or false; never null).
func truth[F any](a alg[F], e Expr, want bool) (F, error) {
	switch x := e.(type) {
	case *Literal:
		switch x.Kind {
		case LitBool:
			return a.konst(x.Loc, x.Bool == want), nil
		case LitNull:
			return a.konst(x.Loc, false), nil
		}
	case *Or:
		xs, err := truths(a, x.X, want)
		if err != nil {
			var zero F
			return zero, err
		}
		if want {
			return a.or(x.Loc, xs...), nil
		}
		return a.and(x.Loc, xs...), nil
	case *And:
		xs, err := truths(a, x.X, want)
		if err != nil {
			var zero F
			return zero, err
		}
		if want {
			return a.and(x.Loc, xs...), nil
		}
		return a.or(x.Loc, xs...), nil
	case *Not:
		return truth(a, x.X, !want)
	case *Call:
		switch x.Name {
		case "case", "coalesce", "greatest", "least":
			if x.Name == "greatest" || x.Name == "least" {
				break
			}
			// A branch whose value is the constant wanted needs no guard
			// against the branches before it that give it too.
			bs, err := branchesFor(a, x, func(v Expr) bool {
				if l, ok := v.(*Literal); ok && l.Kind == LitBool {
					return l.Bool == want
				}
				return false
			})
			if err != nil {
				var zero F
				return zero, err
			}
			alts := make([]F, 0, len(bs))
			for _, b := range bs {
				v, err := truth(a, b.v, want)
				if err != nil {
					var zero F
					return zero, err
				}
				alts = append(alts, a.and(x.Loc, b.cond, v))
			}
			return a.or(x.Loc, alts...), nil
		}
	}
	return a.atom(e, want)
}

func truths[F any](a alg[F], xs []Expr, want bool) ([]F, error) {
	out := make([]F, 0, len(xs))
	for _, x := range xs {
		f, err := truth(a, x, want)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// notTrue lowers "e is false or null".
func notTrue[F any](a alg[F], e Expr) (F, error) {
	t, err := truth(a, e, true)
	if err != nil {
		return t, err
	}
	return a.not(e.Location(), t), nil
}

// isNull lowers "e is null" for a boolean e: neither true nor false.
func isNullBool[F any](a alg[F], e Expr) (F, error) {
	t, err := truth(a, e, true)
	if err != nil {
		return t, err
	}
	f, err := truth(a, e, false)
	if err != nil {
		return f, err
	}
	return a.and(e.Location(), a.not(e.Location(), t), a.not(e.Location(), f)), nil
}

// branch is one way a conditional expression takes a value: when cond
// holds, the expression is v.
type branch[F any] struct {
	cond F
	v    Expr
}

// branches splits CASE and COALESCE into their exclusive branches. A CASE
// without a default has a last branch whose value is null.
func branches[F any](a alg[F], c *Call) ([]branch[F], error) {
	return branchesFor(a, c, func(Expr) bool { return false })
}

// branchesFor is branches for a use of the value that good tells apart: a
// branch that comes after branches with good values takes no guard
// against those (when one of them holds, the outcome is as good), which
// keeps long CASE chains of one outcome small.
func branchesFor[F any](a alg[F], c *Call, good func(Expr) bool) ([]branch[F], error) {
	var out []branch[F]
	switch c.Name {
	case "case":
		var before []F // "not true" of the conditions so far
		var guards []F // those of the branches that are not good
		n := len(c.Args)
		for i := 0; i+1 < n; i += 2 {
			t, err := truth(a, c.Args[i], true)
			if err != nil {
				return nil, err
			}
			v := c.Args[i+1]
			g := guards
			if !good(v) {
				g = before
			}
			cond := a.and(c.Args[i].Location(), append(append([]F(nil), g...), t)...)
			out = append(out, branch[F]{cond, v})
			var nt F
			if n, ok := a.(notTruer[F]); ok {
				if nt, err = n.notTrue(c.Args[i]); err != nil {
					return nil, err
				}
			} else {
				nt = a.not(c.Args[i].Location(), t)
			}
			before = append(before, nt)
			if !good(v) {
				guards = append(guards, nt)
			}
		}
		var def Expr = &Literal{Kind: LitNull, Loc: c.Loc}
		if n%2 == 1 {
			def = c.Args[n-1]
		}
		if good(def) {
			out = append(out, branch[F]{a.and(c.Loc, guards...), def})
		} else {
			out = append(out, branch[F]{a.and(c.Loc, before...), def})
		}
	case "coalesce":
		var before []F // "is null" of the arguments so far
		for _, x := range c.Args {
			nn, err := nonNull(a, x)
			if err != nil {
				return nil, err
			}
			out = append(out, branch[F]{a.and(x.Location(), append(append([]F(nil), before...), nn)...), x})
			if nl, ok := a.(nuller[F]); ok {
				isNull, err := nl.null(x)
				if err != nil {
					return nil, err
				}
				before = append(before, isNull)
				continue
			}
			before = append(before, a.not(x.Location(), nn))
		}
	default:
		return nil, a.unsupported(c.Loc, "%s() as a conditional", c.Name)
	}
	return out, nil
}

// notTruer is implemented by algebras that lower "e is not true"
// otherwise than as the complement of "e is true" (where the latter is a
// part).
type notTruer[F any] interface {
	notTrue(e Expr) (F, error)
}

// nuller is implemented by algebras that lower "e is null" otherwise than
// as the complement of "e is not null" (where the latter is a part).
type nuller[F any] interface {
	null(e Expr) (F, error)
}

// nonNuller is implemented by algebras that lower "e is not null" for a
// value expression.
type nonNuller[F any] interface {
	nonNull(e Expr) (F, error)
}

// nonNull lowers "e is not null".
func nonNull[F any](a alg[F], e Expr) (F, error) {
	if isBoolExpr(e) {
		t, err := truth(a, e, true)
		if err != nil {
			return t, err
		}
		f, err := truth(a, e, false)
		if err != nil {
			return f, err
		}
		return a.or(e.Location(), t, f), nil
	}
	if nn, ok := a.(nonNuller[F]); ok {
		return nn.nonNull(e)
	}
	var zero F
	return zero, a.unsupported(e.Location(), "%s compared to null", describe2(e))
}

// isBoolExpr reports whether e is a condition (its value a boolean).
func isBoolExpr(e Expr) bool {
	switch x := e.(type) {
	case *Or, *And, *Not, *Compare, *In, *Like, *IsNull, *Match, *matchOn:
		return true
	case *Literal:
		return x.Kind == LitBool
	case *Call:
		switch x.Name {
		case "starts_with", "ends_with", "contains", "cidr_match", "mv_contains", "kql", "qstr", "match",
			"match_phrase", "multi_match", "to_boolean", "st_contains", "st_disjoint", "st_intersects", "st_within", "term":
			return true
		case "case", "coalesce":
			vals, _ := branchValues(x)
			return slices.ContainsFunc(vals, isBoolExpr)
		}
	case *Cast:
		return x.Type == "boolean"
	}
	return false
}

// describe2 names an expression for messages: a function by its name, an
// operator by its symbol.
func describe2(e Expr) string {
	switch x := e.(type) {
	case *Call:
		return strings.ToUpper(x.Name) + "()"
	case *aggRef:
		return strings.ToUpper(x.Fn) + "()"
	case *Arith:
		return "arithmetic (" + x.Op.String() + ")"
	case *Neg:
		return "a negation (-)"
	case *Literal:
		return "a constant"
	case *Field:
		return "a field"
	case *Cast:
		return "a cast to " + x.Type
	case *keyRef:
		return "the key " + x.Name
	case *extractRef:
		return "the " + x.X.Name() + " key " + x.Key
	}
	return "an expression"
}
