package dsl

import (
	"fmt"

	"github.com/emit-sec/emit/constraint"
)

// Lower turns a Query DSL clause into a constraint formula in negation
// normal form (see constraint.NNF). Errors are those of Parse, and a
// *constraint.UnsupportedError for a bool query whose minimum_should_match
// needs too many combinations of its should clauses.
func Lower(clause map[string]any) (constraint.Expr, error) {
	q, err := Parse(clause)
	if err != nil {
		return nil, err
	}
	return q.Expr()
}

// Expr lowers the query to a constraint formula in negation normal form.
//
// The mapping:
//   - term: Eq (CI with case_insensitive); terms: an authored Or of Eq;
//     match: Eq (on text fields the solver reads Eq as "contains the
//     words"); match_phrase: Eq with Phrase; exists: Exists.
//   - range: one Gt/Ge and one Lt/Le predicate (numbers stay numbers,
//     strings, dates and date math stay strings for the solver to read by
//     field type); a range without bounds is Exists.
//   - wildcard: Like with "*" and "?" ("\" escapes); prefix: Like "value*";
//     regexp: Regex, rendered in Lucene syntax with every operator enabled
//     and case-insensitivity spelled out as character classes ([aA]), so
//     that syntax flags and Lucene's ASCII-only case folding carry over
//     exactly.
//   - query_string: its query lowered by package parser/lucene with the
//     clause's options (see lucene.Query.ConstraintsWith).
//   - bool: the And of must and filter, the negations of must_not, and of
//     the should clauses as many as minimum_should_match requires (one
//     when there is no must or filter clause, none otherwise); match_all
//     and match_none are constants; nested is its inner query (plus the
//     existence of a field under the path when the inner query alone could
//     hold without one); constant_score is its filter, boosting its
//     positive query, dis_max the Or of its queries.
//
// Every predicate's Span.Text is a compact rendering of its clause
// (`term process.name: "x"`); JSON clauses have no source positions.
func (q *Query) Expr() (constraint.Expr, error) { return q.Labeled("") }

// Labeled is Expr with label put before every span text, so that messages
// say where a clause came from ("filter 2: wildcard file.path: ...").
func (q *Query) Labeled(label string) (constraint.Expr, error) {
	l := lowerer{prefix: label}
	e, err := l.lower(q.root)
	if err != nil {
		return nil, err
	}
	return constraint.NNF(e), nil
}

type lowerer struct {
	prefix string // put before every span text
}

func (l *lowerer) text(s string) constraint.Span {
	return constraint.Span{Text: l.prefix + truncate(s)}
}

func (l *lowerer) span(n node) constraint.Span { return l.text(render(n)) }

// boundOps are the operators of the range parameters.
var boundOps = map[string]constraint.Op{"gt": constraint.Gt, "gte": constraint.Ge, "lt": constraint.Lt, "lte": constraint.Le}

// bound lowers one bound of a range query on field: the lower one (gt,
// gte) or the upper one (lt, lte).
func (l *lowerer) bound(field string, b *rangeBound, at side) *constraint.Pred {
	op := b.op(at)
	return &constraint.Pred{Field: field, Op: boundOps[op], Value: b.value,
		Span: l.text("range " + field + ": " + op + " " + b.value.String())}
}

// maxCombinations bounds the alternatives a "k of n should clauses"
// expands to.
const maxCombinations = 256

func (l *lowerer) lower(n node) (constraint.Expr, error) {
	switch x := n.(type) {
	case *termNode:
		return &constraint.Pred{Field: x.field, Op: constraint.Eq, Value: x.value, CI: x.ci, Span: l.span(x)}, nil
	case *termsNode:
		switch len(x.values) {
		case 0:
			return &constraint.Bool{V: false, Span: l.span(x)}, nil
		case 1:
			return &constraint.Pred{Field: x.field, Op: constraint.Eq, Value: x.values[0], Span: l.span(x)}, nil
		}
		or := &constraint.Or{Authored: true, Span: l.span(x), X: make([]constraint.Expr, len(x.values))}
		for i, v := range x.values {
			or.X[i] = &constraint.Pred{Field: x.field, Op: constraint.Eq, Value: v,
				Span: l.text("terms " + x.field + ": " + v.String())}
		}
		return or, nil
	case *matchNode:
		return &constraint.Pred{Field: x.field, Op: constraint.Eq, Value: x.value, Phrase: x.phrase, Span: l.span(x)}, nil
	case *existsNode:
		return &constraint.Pred{Field: x.field, Op: constraint.Exists, Span: l.span(x)}, nil
	case *rangeNode:
		var ps []constraint.Expr
		if x.lower != nil {
			ps = append(ps, l.bound(x.field, x.lower, lowerSide))
		}
		if x.upper != nil {
			ps = append(ps, l.bound(x.field, x.upper, upperSide))
		}
		switch len(ps) {
		case 0:
			return &constraint.Pred{Field: x.field, Op: constraint.Exists, Span: l.span(x)}, nil
		case 1:
			return ps[0], nil
		}
		return &constraint.And{X: ps, Span: l.span(x)}, nil
	case *patternNode:
		return &constraint.Pred{Field: x.field, Op: constraint.Like, Pattern: x.pattern, CI: x.ci, Span: l.span(x)}, nil
	case *regexpNode:
		return &constraint.Pred{Field: x.field, Op: constraint.Regex, Regex: x.re.root.canonical(), Span: l.span(x)}, nil
	case *constNode:
		return &constraint.Bool{V: x.v, Span: l.span(x)}, nil
	case *queryStringNode:
		return l.lowerQueryString(x)
	case *boolNode:
		return l.lowerBool(x)
	case *nestedNode:
		inner, err := l.lower(x.query)
		if err != nil {
			return nil, err
		}
		// The query holds within an object under the path, so one must
		// exist even where the inner query alone would hold without any
		// field (a must_not only).
		if !constraint.RequiresField(constraint.NNF(inner)) {
			inner = &constraint.And{X: []constraint.Expr{
				&constraint.Pred{Field: x.path + ".*", Op: constraint.Exists, Span: l.text("nested " + x.path)},
				inner,
			}, Span: l.span(x)}
		}
		return inner, nil
	case *disMaxNode:
		or := &constraint.Or{Authored: true, Span: l.span(x), X: make([]constraint.Expr, len(x.queries))}
		for i, q := range x.queries {
			e, err := l.lower(q)
			if err != nil {
				return nil, err
			}
			or.X[i] = e
		}
		return or, nil
	}
	return nil, fmt.Errorf("dsl: unknown node %T", n)
}

func (l *lowerer) lowerBool(x *boolNode) (constraint.Expr, error) {
	span := l.span(x)
	var all []constraint.Expr
	for _, part := range [][]node{x.must, x.filter} {
		for _, c := range part {
			e, err := l.lower(c)
			if err != nil {
				return nil, err
			}
			all = append(all, e)
		}
	}
	for _, c := range x.mustNot {
		e, err := l.lower(c)
		if err != nil {
			return nil, err
		}
		all = append(all, &constraint.Not{X: e, Span: l.text("must_not " + render(c))})
	}
	should := make([]constraint.Expr, len(x.should))
	for i, c := range x.should {
		e, err := l.lower(c)
		if err != nil {
			return nil, err
		}
		should[i] = e
	}
	k, n := x.need, len(should)
	switch {
	case k <= 0:
	case k > n:
		return &constraint.Bool{V: false, Span: span}, nil
	case k == 1:
		all = append(all, &constraint.Or{X: should, Authored: true, Span: span})
	case k == n:
		all = append(all, should...)
	default:
		if c := binomial(n, k); c > maxCombinations {
			return nil, &constraint.UnsupportedError{
				Span: span,
				What: fmt.Sprintf("bool query needing %d of its %d should clauses (over %d combinations): %s",
					k, n, maxCombinations, span.Text),
			}
		}
		or := &constraint.Or{Span: span}
		combinations(n, k, func(pick []int) {
			and := &constraint.And{X: make([]constraint.Expr, len(pick)), Span: span}
			for i, j := range pick {
				and.X[i] = should[j]
			}
			or.X = append(or.X, and)
		})
		all = append(all, or)
	}
	switch len(all) {
	case 0:
		return &constraint.Bool{V: true, Span: span}, nil
	case 1:
		return all[0], nil
	}
	return &constraint.And{X: all, Span: span}, nil
}

// binomial returns C(n, k), or maxCombinations+1 when it is larger.
func binomial(n, k int) int {
	c := 1
	for i := 1; i <= k; i++ {
		c = c * (n - k + i) / i
		if c > maxCombinations {
			return maxCombinations + 1
		}
	}
	return c
}

// combinations calls fn with every k-subset of 0..n-1 in lexicographic order.
func combinations(n, k int, fn func([]int)) {
	pick := make([]int, k)
	for i := range pick {
		pick[i] = i
	}
	for {
		fn(pick)
		i := k - 1
		for i >= 0 && pick[i] == n-k+i {
			i--
		}
		if i < 0 {
			return
		}
		pick[i]++
		for j := i + 1; j < k; j++ {
			pick[j] = pick[j-1] + 1
		}
	}
}

// Fields returns the fields a clause refers to, in order of first
// appearance (nested paths are not fields; their inner fields are).
func (q *Query) Fields() []string {
	var out []string
	seen := map[string]bool{}
	add := func(f string) {
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	var walk func(n node)
	walk = func(n node) {
		switch x := n.(type) {
		case *termNode:
			add(x.field)
		case *termsNode:
			add(x.field)
		case *matchNode:
			add(x.field)
		case *existsNode:
			add(x.field)
		case *rangeNode:
			add(x.field)
		case *patternNode:
			add(x.field)
		case *regexpNode:
			add(x.field)
		case *boolNode:
			for _, part := range [][]node{x.must, x.filter, x.should, x.mustNot} {
				for _, c := range part {
					walk(c)
				}
			}
		case *nestedNode:
			walk(x.query)
		case *disMaxNode:
			for _, c := range x.queries {
				walk(c)
			}
		case *queryStringNode:
			for _, f := range x.query.Fields() {
				add(f)
			}
			for _, f := range x.opts.Fields {
				add(f)
			}
			if x.opts.DefaultField != "" && x.opts.DefaultField != "*" {
				add(x.opts.DefaultField)
			}
		}
	}
	walk(q.root)
	return out
}
