package esql

import (
	"math"
)

// Conditional and mathematical functions.

func init() {
	regScalar(fnCase, "case")
	regScalar(fnCoalesce, "coalesce")
	regScalar(fnGreatestLeast, "greatest", "least")
	regScalar(fnClamp, "clamp", "clamp_min", "clamp_max")
	regScalar(fnAbs, "abs")
	regScalar(fnCeilFloor, "ceil", "floor")
	regScalar(fnRound, "round")
	regScalar(fnRoundTo, "round_to")
	regScalar(fnSignum, "signum")
	regScalar(fnConstant, "e", "pi", "tau")
	regScalar(fnMath1, "acos", "acosh", "asin", "asinh", "atan", "atanh", "cbrt", "cos", "cosh", "exp",
		"log10", "sin", "sinh", "sqrt", "tan", "tanh", "to_degrees", "to_radians")
	regScalar(fnMath2, "atan2", "hypot", "pow", "copy_sign", "scalb")
	regScalar(fnLog, "log")
}

// fnCase is CASE(cond, value, ..., [else]): the value of the first true
// condition (a null or multi-valued condition is not true), else the
// else value or null. Values may be multi-valued.
func fnCase(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	locs := make([]Loc, len(call.Args))
	for i, a := range call.Args {
		locs[i] = a.Location()
	}
	return func(r *evalRow) any {
		i := 0
		for ; i+1 < len(args); i += 2 {
			if b, ok := c.boolean(args[i](r), locs[i]); ok && b {
				return args[i+1](r)
			}
		}
		if i < len(args) {
			return args[i](r)
		}
		return nil
	}, nil
}

// fnCoalesce is the first argument that is not null.
func fnCoalesce(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return func(r *evalRow) any {
		for _, a := range args {
			if v := a(r); v != nil {
				return v
			}
		}
		return nil
	}, nil
}

// fnGreatestLeast is the largest (smallest) value of its arguments, a
// multi-valued argument counting with all its values; null when an
// argument is null.
func fnGreatestLeast(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	greatest := call.Name == "greatest"
	loc := call.Loc
	return func(r *evalRow) any {
		var best any
		for _, a := range args {
			v := a(r)
			if v == nil {
				return nil
			}
			for _, x := range valuesOf(v) {
				if best == nil {
					best = x
					continue
				}
				cmp, ok := compareValues(x, best)
				if !ok {
					c.ev.fail(loc, "[%s]: arguments of types [%s] and [%s] do not compare", c.ev.text(loc), typeName(x), typeName(best))
					return nil
				}
				if greatest && cmp > 0 || !greatest && cmp < 0 {
					best = x
				}
			}
		}
		return best
	}, nil
}

func fnClamp(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name, loc := call.Name, call.Loc
	return c.strict(call, args, func(v []any) any {
		x := v[0]
		bounds := v[1:]
		for i, b := range bounds {
			cmp, ok := compareValues(x, b)
			if !ok {
				c.ev.fail(loc, "[%s]: arguments of types [%s] and [%s] do not compare", c.ev.text(loc), typeName(x), typeName(b))
				return nil
			}
			lower := name == "clamp_min" || name == "clamp" && i == 0
			if lower && cmp < 0 || !lower && cmp > 0 {
				x = b
			}
		}
		return x
	}), nil
}

func fnAbs(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return c.strict(call, args, func(v []any) any {
		switch x := v[0].(type) {
		case int32:
			if x < 0 {
				return -x // Java's Math.abs: MIN_VALUE stays negative
			}
			return x
		case int64:
			if x < 0 {
				return -x
			}
			return x
		case uint64:
			return x
		case float64:
			return math.Abs(x)
		}
		c.typeError(call, 0, "numeric", v[0])
		return nil
	}), nil
}

func fnCeilFloor(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	ceil := call.Name == "ceil"
	return c.strict(call, args, func(v []any) any {
		switch x := v[0].(type) {
		case int32, int64, uint64:
			return x
		case float64:
			if ceil {
				return math.Ceil(x)
			}
			return math.Floor(x)
		}
		c.typeError(call, 0, "numeric", v[0])
		return nil
	}), nil
}

// roundHalfAway rounds to the nearest whole number, halves away from zero.
func roundHalfAway(f float64) float64 {
	if f < 0 {
		return -math.Floor(-f + 0.5)
	}
	return math.Floor(f + 0.5)
}

// fnRound is ROUND(x[, decimals]): halves away from zero; negative
// decimals round to tens, hundreds, ...; the type of x is kept.
func fnRound(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		var d int64
		if len(v) > 1 {
			var ok bool
			if d, ok = c.integer(call, v, 1); !ok {
				return nil
			}
		}
		switch x := v[0].(type) {
		case float64:
			if d > 308 {
				return x
			}
			if d < -308 {
				return float64(0)
			}
			scale := math.Pow(10, float64(d))
			y := roundHalfAway(x*scale) / scale
			if math.IsInf(y, 0) || math.IsNaN(y) {
				return x
			}
			return y
		case int32, int64, uint64:
			if d >= 0 {
				return x
			}
			n, ok := numberInt64(x)
			if !ok || d < -18 {
				if d < -19 {
					return zeroOf(x)
				}
				c.ev.warn(loc, "ArithmeticException: rounding overflow")
				return nil
			}
			p := int64(math.Pow10(int(-d)))
			q := n / p
			rem := n % p
			if rem < 0 {
				rem = -rem
			}
			if 2*rem >= p {
				if n < 0 {
					q--
				} else {
					q++
				}
			}
			res, ok := intArith(Mul, q, p)
			if !ok {
				c.ev.warn(loc, "ArithmeticException: long overflow")
				return nil
			}
			if _, is32 := x.(int32); is32 {
				if res < math.MinInt32 || res > math.MaxInt32 {
					c.ev.warn(loc, "ArithmeticException: integer overflow")
					return nil
				}
				return int32(res)
			}
			return res
		}
		c.typeError(call, 0, "numeric", v[0])
		return nil
	}), nil
}

// zeroOf is zero of the type of x.
func zeroOf(x any) any {
	switch x.(type) {
	case int32:
		return int32(0)
	case uint64:
		return uint64(0)
	case float64:
		return float64(0)
	}
	return int64(0)
}

// fnRoundTo is ROUND_TO(x, point, ...): the largest point not above x (the
// smallest point when x is below them all).
func fnRoundTo(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		var best, lowest any
		for _, p := range v[1:] {
			cmp, ok := compareValues(p, v[0])
			if !ok {
				c.ev.fail(loc, "[%s]: arguments of types [%s] and [%s] do not compare", c.ev.text(loc), typeName(p), typeName(v[0]))
				return nil
			}
			if cmp <= 0 {
				if best == nil {
					best = p
				} else if c2, _ := compareValues(p, best); c2 > 0 {
					best = p
				}
			}
			if lowest == nil {
				lowest = p
			} else if c2, _ := compareValues(p, lowest); c2 < 0 {
				lowest = p
			}
		}
		if best == nil {
			return lowest
		}
		return best
	}), nil
}

func fnSignum(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	return c.strict(call, args, func(v []any) any {
		f, ok := c.number(call, v, 0)
		if !ok {
			return nil
		}
		switch {
		case f > 0:
			return float64(1)
		case f < 0:
			return float64(-1)
		}
		return float64(0)
	}), nil
}

func fnConstant(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	var v float64
	switch call.Name {
	case "e":
		v = math.E
	case "pi":
		v = math.Pi
	default:
		v = 2 * math.Pi
	}
	return func(*evalRow) any { return v }, nil
}

// finite returns a double result, or null with a warning when it is not
// finite (Elasticsearch's "not a finite double number").
func (c *exprCompiler) finite(f float64, loc Loc) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		c.ev.warn(loc, "ArithmeticException: not a finite double number: %v", f)
		return nil
	}
	return f
}

func fnMath1(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name, loc := call.Name, call.Loc
	return c.strict(call, args, func(v []any) any {
		x, ok := c.number(call, v, 0)
		if !ok {
			return nil
		}
		var y float64
		switch name {
		case "acos", "asin":
			if x < -1 || x > 1 {
				c.ev.warn(loc, "ArithmeticException: %s outside of its domain [-1, 1]: %v", name, x)
				return nil
			}
			if name == "acos" {
				y = math.Acos(x)
			} else {
				y = math.Asin(x)
			}
		case "acosh":
			y = math.Acosh(x)
		case "asinh":
			y = math.Asinh(x)
		case "atan":
			y = math.Atan(x)
		case "atanh":
			y = math.Atanh(x)
		case "cbrt":
			y = math.Cbrt(x)
		case "cos":
			y = math.Cos(x)
		case "cosh":
			y = math.Cosh(x)
		case "exp":
			y = math.Exp(x)
		case "log10":
			if x <= 0 {
				c.ev.warn(loc, "ArithmeticException: Log of non-positive number")
				return nil
			}
			y = math.Log10(x)
		case "sin":
			y = math.Sin(x)
		case "sinh":
			y = math.Sinh(x)
		case "sqrt":
			if x < 0 {
				c.ev.warn(loc, "ArithmeticException: Square root of negative")
				return nil
			}
			y = math.Sqrt(x)
		case "tan":
			y = math.Tan(x)
		case "tanh":
			y = math.Tanh(x)
		case "to_degrees":
			y = x * 180 / math.Pi
		case "to_radians":
			y = x * math.Pi / 180
		}
		return c.finite(y, loc)
	}), nil
}

func fnMath2(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	name, loc := call.Name, call.Loc
	return c.strict(call, args, func(v []any) any {
		x, ok1 := c.number(call, v, 0)
		y, ok2 := c.number(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		var z float64
		switch name {
		case "atan2":
			z = math.Atan2(x, y)
		case "hypot":
			z = math.Hypot(x, y)
		case "pow":
			z = math.Pow(x, y)
		case "copy_sign":
			z = math.Copysign(x, y)
			switch v[0].(type) {
			case int32:
				return int32(z)
			case int64:
				return int64(z)
			}
		case "scalb":
			z = math.Ldexp(x, int(y))
		}
		return c.finite(z, loc)
	}), nil
}

// fnLog is LOG([base,] x).
func fnLog(c *exprCompiler, call *Call, args []evalFn) (evalFn, error) {
	loc := call.Loc
	return c.strict(call, args, func(v []any) any {
		if len(v) == 1 {
			x, ok := c.number(call, v, 0)
			if !ok {
				return nil
			}
			if x <= 0 {
				c.ev.warn(loc, "ArithmeticException: Log of non-positive number")
				return nil
			}
			return c.finite(math.Log(x), loc)
		}
		b, ok1 := c.number(call, v, 0)
		x, ok2 := c.number(call, v, 1)
		if !ok1 || !ok2 {
			return nil
		}
		if x <= 0 || b <= 0 || b == 1 {
			c.ev.warn(loc, "ArithmeticException: Log of non-positive number or base 1")
			return nil
		}
		return c.finite(math.Log(x)/math.Log(b), loc)
	}), nil
}
