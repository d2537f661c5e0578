package esql

import (
	"strings"
)

// This file dispatches function calls and holds the helpers the scalar
// functions (eval_func_*.go) are written with.

// scalarFn compiles a call to a scalar function whose arguments are
// compiled.
type scalarFn func(c *exprCompiler, call *Call, args []evalFn) (evalFn, error)

// scalarFuncs are the scalar functions the evaluator evaluates, by canonical
// name (see functions.go for the names ES|QL knows).
var scalarFuncs = map[string]scalarFn{}

// regScalar registers scalar functions under their names.
func regScalar(fn scalarFn, names ...string) {
	for _, n := range names {
		scalarFuncs[n] = fn
	}
}

// notEvaluated says why the evaluator does not evaluate a function ES|QL
// has.
var notEvaluated = map[string]string{
	"qstr":                       "the Lucene query string syntax has no evaluator in emit",
	"knn":                        "vector search needs dense vectors and an index",
	"chunk":                      "it splits text with an inference model's chunking settings",
	"categorize":                 "it groups text by ML categorization",
	"sample":                     "it draws a random sample",
	"date_format":                "custom Java date format patterns are not read (the default format is)",
	"date_parse":                 "custom Java date format patterns are not read (the default format is)",
	"to_aggregate_metric_double": "aggregate_metric_double fields are not read",
	"to_dense_vector":            "dense vectors are not read",
}

// searchFuncs are the full-text and search functions call compiles
// itself.
var searchFuncs = map[string]bool{"kql": true, "match": true, "match_phrase": true, "multi_match": true, "term": true, "score": true}

// aggregateFuncs are the aggregate functions compileAggregate evaluates.
var aggregateFuncs = map[string]bool{
	"count": true, "count_distinct": true, "values": true, "min": true, "max": true, "sum": true, "avg": true,
	"median": true, "median_absolute_deviation": true, "std_dev": true, "percentile": true, "weighted_avg": true,
	"top": true, "first": true, "last": true, "present": true, "absent": true,
}

// evaluates reports whether the evaluator evaluates the function of that
// canonical name (BUCKET only with a span).
func evaluates(name string) bool {
	return scalarFuncs[name] != nil || aggregateFuncs[name] || searchFuncs[name] || name == "bucket"
}

// call compiles a function call.
func (c *exprCompiler) call(x *Call) (evalFn, error) {
	f := x.Func()
	if f == nil {
		return nil, c.ev.errorf(x.Loc, "Unknown function [%s]", x.Name)
	}
	switch f.Kind {
	case AggFunc:
		if c.agg == nil {
			return nil, c.ev.errorf(x.Loc, "aggregate function [%s] is only allowed in the aggregates of STATS", c.ev.text(x.Loc))
		}
		return c.agg(x)
	case GroupingFunc:
		return nil, c.ev.errorf(x.Loc, "grouping function [%s] is only allowed in STATS ... BY", c.ev.text(x.Loc))
	}
	switch x.Name {
	case "kql":
		return c.kqlCall(x)
	case "match":
		return c.fullText(x, false)
	case "match_phrase":
		return c.fullText(x, true)
	case "multi_match":
		return c.multiMatch(x)
	case "term":
		return c.termCall(x)
	case "score":
		return func(*evalRow) any { return float64(0) }, nil
	}
	fn, ok := scalarFuncs[x.Name]
	if !ok {
		if why, ok := notEvaluated[x.Name]; ok {
			return nil, c.ev.unsupported(x.Loc, "function %s: %s", strings.ToUpper(x.Name), why)
		}
		return nil, c.ev.unsupported(x.Loc, "function %s is not evaluated", strings.ToUpper(x.Name))
	}
	args := make([]evalFn, len(x.Args))
	for i, a := range x.Args {
		var err error
		if args[i], err = c.expr(a); err != nil {
			return nil, err
		}
	}
	return fn(c, x, args)
}

// multiMatch compiles MULTI_MATCH(query, field, ...): a match on any of
// the fields.
func (c *exprCompiler) multiMatch(x *Call) (evalFn, error) {
	if len(x.Args) < 2 {
		return nil, c.ev.errorf(x.Loc, "MULTI_MATCH takes a query and fields")
	}
	var fns []evalFn
	for _, f := range x.Args[1:] {
		fn, err := c.fullText(&Call{Name: "match", Args: []Expr{f, x.Args[0]}, Options: x.Options, Loc: x.Loc}, false)
		if err != nil {
			return nil, err
		}
		fns = append(fns, fn)
	}
	return func(r *evalRow) any {
		for _, fn := range fns {
			if fn(r) == true {
				return true
			}
		}
		return false
	}, nil
}

// strict builds a function of single values: null when an argument is
// null, null with a warning when one is multi-valued (Elasticsearch checks
// the arguments in order).
func (c *exprCompiler) strict(call *Call, args []evalFn, f func(vals []any) any) evalFn {
	loc := call.Loc
	return func(r *evalRow) any {
		vals := make([]any, len(args))
		for i, a := range args {
			v := a(r)
			switch v.(type) {
			case nil:
				return nil
			case multiValue:
				c.ev.warn(loc, multiValueWarning)
				return nil
			}
			vals[i] = v
		}
		return f(vals)
	}
}

// perValue builds a function applied to each value of its one argument
// (the conversion functions): a value it cannot convert is left out with a
// warning; null when none is left.
func (c *exprCompiler) perValue(call *Call, args []evalFn, f func(v any) (any, string)) evalFn {
	loc := call.Loc
	arg := args[0]
	return func(r *evalRow) any {
		v := arg(r)
		switch x := v.(type) {
		case nil:
			return nil
		case multiValue:
			out := make([]any, 0, len(x))
			for _, y := range x {
				z, problem := f(y)
				if problem != "" {
					c.warnOrFail(loc, problem)
					continue
				}
				out = append(out, z)
			}
			return mvOf(out)
		}
		z, problem := f(v)
		if problem != "" {
			c.warnOrFail(loc, problem)
			return nil
		}
		return z
	}
}

// typeProblem marks a problem that is a type error (Elasticsearch rejects
// the query) rather than a value it cannot convert (a warning).
const typeProblem = "\x00type:"

func (c *exprCompiler) warnOrFail(loc Loc, problem string) {
	if strings.HasPrefix(problem, typeProblem) {
		c.ev.fail(loc, "%s", problem[len(typeProblem):])
		return
	}
	c.ev.warn(loc, "%s", problem)
}

// typeError is the error of an argument of the wrong type.
func (c *exprCompiler) typeError(call *Call, i int, want string, v any) {
	c.ev.fail(call.Loc, "argument %d of [%s] must be [%s], found value of type [%s]", i+1, c.ev.text(call.Loc), want, typeName(v))
}

// str reads argument i as a string.
func (c *exprCompiler) str(call *Call, vals []any, i int) (string, bool) {
	s, ok := vals[i].(string)
	if !ok {
		c.typeError(call, i, "string", vals[i])
	}
	return s, ok
}

// integer reads argument i as a whole number that fits an int.
func (c *exprCompiler) integer(call *Call, vals []any, i int) (int64, bool) {
	n, ok := numberInt64(vals[i])
	if !ok {
		c.typeError(call, i, "integer", vals[i])
	}
	return n, ok
}

// number reads argument i as a number.
func (c *exprCompiler) number(call *Call, vals []any, i int) (float64, bool) {
	f, ok := numberFloat(vals[i])
	if !ok {
		c.typeError(call, i, "numeric", vals[i])
	}
	return f, ok
}

// constArg evaluates argument i of a call when it is constant.
func (c *exprCompiler) constArg(call *Call, i int) (any, bool) {
	if i >= len(call.Args) {
		return nil, false
	}
	return c.constant(call.Args[i])
}

// argCount checks the number of arguments of a function whose table entry
// allows more forms than the evaluator reads.
func (c *exprCompiler) argCount(call *Call, min, max int) error {
	if n := len(call.Args); n < min || n > max {
		return c.ev.errorf(call.Loc, "[%s] takes %d to %d arguments, found %d", strings.ToUpper(call.Name), min, max, n)
	}
	return nil
}
