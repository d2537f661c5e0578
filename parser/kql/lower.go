package kql

import (
	"fmt"

	"github.com/emit-sec/emit/constraint"
)

// Constraints lowers the query to constraints: Lang "kql", Kind EventQuery
// and one Event whose condition is in negation normal form.
//
// The mapping: an unquoted value without wildcard is an Eq predicate, with
// "*" wildcards a Like predicate, a lone "*" an Exists predicate; a quoted
// value is an Eq predicate with Phrase set; ranges are Lt, Le, Gt or Ge with
// the value as a string (the solver interprets it by field type); value
// lists become authored Ors and Ands; "parent : { ... }" prefixes the inner
// fields with "parent."; wildcard field names keep their "*". Values compare
// case-sensitively, as KQL does on keyword fields.
//
// A value without a field (free-text search) yields a
// *constraint.UnsupportedError.
func (q *Query) Constraints() (*constraint.Query, error) {
	l := lowerer{src: q.Src}
	var cond constraint.Expr = &constraint.Bool{V: true, Span: l.span(Loc{}, q.Src)}
	if q.Root != nil {
		e, err := l.expr(q.Root, "")
		if err != nil {
			return nil, err
		}
		cond = constraint.NNF(e)
	}
	whole := constraint.Span{Text: q.Src}
	if q.Root != nil {
		whole = l.span(q.Root.Location(), "")
	}
	return &constraint.Query{
		Lang:   "kql",
		Source: q.Src,
		Kind:   constraint.EventQuery,
		Events: []constraint.Event{{Cond: cond, Runs: 1, Span: whole}},
	}, nil
}

type lowerer struct {
	src string
}

// span returns the constraint span of a location; text overrides the
// source text when the location is unset.
func (l *lowerer) span(loc Loc, text string) constraint.Span {
	if !loc.Start.IsValid() {
		return constraint.Span{Text: text}
	}
	return constraint.Span{Pos: loc.Start, Text: loc.Text(l.src)}
}

// lowerEach lowers each of xs with lower.
func lowerEach[T any](xs []T, lower func(T) (constraint.Expr, error)) ([]constraint.Expr, error) {
	out := make([]constraint.Expr, len(xs))
	for i, x := range xs {
		c, err := lower(x)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// exprs lowers each of xs.
func (l *lowerer) exprs(xs []Expr, prefix string) ([]constraint.Expr, error) {
	return lowerEach(xs, func(x Expr) (constraint.Expr, error) { return l.expr(x, prefix) })
}

// values lowers each of the value expressions xs, each with its own span.
func (l *lowerer) values(xs []ValueExpr, field string) ([]constraint.Expr, error) {
	return lowerEach(xs, func(x ValueExpr) (constraint.Expr, error) {
		return l.value(x, field, l.span(x.Location(), ""))
	})
}

func (l *lowerer) expr(e Expr, prefix string) (constraint.Expr, error) {
	switch x := e.(type) {
	case *Or:
		xs, err := l.exprs(x.X, prefix)
		if err != nil {
			return nil, err
		}
		return &constraint.Or{X: xs, Authored: true, Span: l.span(x.Loc, "")}, nil
	case *And:
		xs, err := l.exprs(x.X, prefix)
		if err != nil {
			return nil, err
		}
		return &constraint.And{X: xs, Span: l.span(x.Loc, "")}, nil
	case *Not:
		c, err := l.expr(x.X, prefix)
		if err != nil {
			return nil, err
		}
		return &constraint.Not{X: c, Span: l.span(x.Loc, "")}, nil
	case *Is:
		field, err := l.field(x.Field, prefix)
		if err != nil {
			return nil, err
		}
		if field == "*" {
			if lit, ok := x.Value.(*Literal); ok && lit.IsLoneWildcard() {
				// "* : *" matches every document (Kibana's match_all).
				return &constraint.Bool{V: true, Span: l.span(x.Loc, "")}, nil
			}
		}
		return l.value(x.Value, field, l.span(x.Loc, ""))
	case *Range:
		field, err := l.field(x.Field, prefix)
		if err != nil {
			return nil, err
		}
		ops := [...]constraint.Op{Lt: constraint.Lt, Le: constraint.Le, Gt: constraint.Gt, Ge: constraint.Ge}
		return &constraint.Pred{
			Field: field,
			Op:    ops[x.Op],
			Value: constraint.String(x.Value.Text()),
			Span:  l.span(x.Loc, ""),
		}, nil
	case *Nested:
		parent, err := l.field(x.Field, prefix)
		if err != nil {
			return nil, err
		}
		inner, err := l.expr(x.Query, parent+".")
		if err != nil {
			return nil, err
		}
		// A nested query holds within an object under parent, so the parent
		// must exist even when the inner query alone would hold without any
		// field ("parent : { not child : x }").
		if !constraint.RequiresField(constraint.NNF(inner)) {
			span := l.span(x.Loc, "")
			inner = &constraint.And{X: []constraint.Expr{
				&constraint.Pred{Field: parent + ".*", Op: constraint.Exists, Span: l.span(x.Field.Loc, "")},
				inner,
			}, Span: span}
		}
		return inner, nil
	case *FreeText:
		text := x.Value.Loc.Text(l.src)
		if text == "" {
			text = x.Value.String()
		}
		return nil, &constraint.UnsupportedError{
			Span: l.span(x.Loc, ""),
			What: fmt.Sprintf("free-text search is not supported: %q; name a field, e.g. message : %s", text, x.Value.String()),
		}
	}
	return nil, fmt.Errorf("kql: unknown node %T", e)
}

// field returns the dotted field name of a field literal, with "*" for its
// wildcards, prefixed by the enclosing nested fields.
func (l *lowerer) field(f *Literal, prefix string) (string, error) {
	if f.HasLiteralStar() {
		return "", &constraint.UnsupportedError{
			Span: l.span(f.Loc, f.String()),
			What: fmt.Sprintf("field name %s contains a literal \"*\"", f.String()),
		}
	}
	name := f.Text()
	if name == "" {
		return "", &constraint.UnsupportedError{Span: l.span(f.Loc, f.String()), What: "empty field name"}
	}
	return prefix + name, nil
}

// value lowers the value (list) of "field : value"; span is the whole
// match's span, used for its top value node.
func (l *lowerer) value(v ValueExpr, field string, span constraint.Span) (constraint.Expr, error) {
	switch x := v.(type) {
	case *ValueOr:
		xs, err := l.values(x.X, field)
		if err != nil {
			return nil, err
		}
		return &constraint.Or{X: xs, Authored: true, Span: span}, nil
	case *ValueAnd:
		xs, err := l.values(x.X, field)
		if err != nil {
			return nil, err
		}
		return &constraint.And{X: xs, Span: span}, nil
	case *ValueNot:
		c, err := l.value(x.X, field, l.span(x.X.Location(), ""))
		if err != nil {
			return nil, err
		}
		return &constraint.Not{X: c, Span: span}, nil
	case *Literal:
		p := &constraint.Pred{Field: field, Span: span}
		switch {
		case x.Quoted:
			p.Op = constraint.Eq
			p.Phrase = true
			p.Value = constraint.String(x.Text())
		case x.IsLoneWildcard():
			p.Op = constraint.Exists
		case x.HasWildcard():
			p.Op = constraint.Like
			p.Pattern = x.Pattern()
		default:
			p.Op = constraint.Eq
			p.Value = constraint.String(x.Text())
		}
		return p, nil
	}
	return nil, fmt.Errorf("kql: unknown value node %T", v)
}

// Fields returns the field names the query refers to, in order of first
// appearance, with nested fields as dotted names and wildcard names as
// written.
func (q *Query) Fields() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var walk func(e Expr, prefix string)
	walk = func(e Expr, prefix string) {
		switch x := e.(type) {
		case *Or:
			for _, y := range x.X {
				walk(y, prefix)
			}
		case *And:
			for _, y := range x.X {
				walk(y, prefix)
			}
		case *Not:
			walk(x.X, prefix)
		case *Is:
			add(prefix + x.Field.Text())
		case *Range:
			add(prefix + x.Field.Text())
		case *Nested:
			walk(x.Query, prefix+x.Field.Text()+".")
		}
	}
	if q.Root != nil {
		walk(q.Root, "")
	}
	return out
}
