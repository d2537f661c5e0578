package query

import (
	"fmt"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/esvalue"
	"github.com/emit-sec/emit/parser/dsl"
	"github.com/emit-sec/emit/rules"
)

// Filters is the enabled Kibana filters of a rule, parsed: a Query DSL
// clause each, negated when the filter is (meta.negate). A document passes
// them when it matches every clause that is not negated and none that is.
type Filters struct {
	clauses []*dsl.Query
	negate  []bool
	index   []int // the filter's position in the rule
}

// ParseFilters parses the enabled filters. Errors are dsl.Parse's, placed
// in the rule: a *dsl.Error's path starts with "filters[i].query", an
// unsupported clause names "filter i".
func ParseFilters(fs []rules.Filter) (*Filters, error) {
	p := &Filters{}
	for i, f := range fs {
		if f.Disabled {
			continue
		}
		q, err := dsl.Parse(f.Query)
		if err != nil {
			return nil, inFilter(err, i)
		}
		p.clauses = append(p.clauses, q)
		p.negate = append(p.negate, f.Negate)
		p.index = append(p.index, i)
	}
	return p, nil
}

// Len is the number of enabled filters.
func (p *Filters) Len() int { return len(p.clauses) }

// Expr is the conjunction of the filters in negation normal form; nil when
// no filter applies. Span texts start with the filter's number
// ("filter 2 (negated): wildcard file.path: ...").
func (p *Filters) Expr() (constraint.Expr, error) {
	var parts []constraint.Expr
	for k, q := range p.clauses {
		i := p.index[k]
		label := fmt.Sprintf("filter %d", i+1)
		if p.negate[k] {
			label += " (negated)"
		}
		e, err := q.Labeled(label + ": ")
		if err != nil {
			return nil, inFilter(err, i)
		}
		if p.negate[k] {
			e = &constraint.Not{X: e, Span: constraint.Span{Text: label + ": " + q.String()}}
		}
		parts = append(parts, e)
	}
	switch len(parts) {
	case 0:
		return nil, nil
	case 1:
		return constraint.NNF(parts[0]), nil
	}
	return constraint.NNF(&constraint.And{X: parts, Span: constraint.Span{Text: "filters"}}), nil
}

// MatchAt reports whether the document passes the filters, with date math
// relative to now. A filter that cannot run fails the whole set, as
// Elasticsearch fails the search.
func (p *Filters) MatchAt(doc map[string]any, types estype.Lookup, now time.Time) bool {
	for k, q := range p.clauses {
		switch q.Eval(doc, types, now) {
		case esvalue.Invalid:
			return false
		case esvalue.Yes:
			if p.negate[k] {
				return false
			}
		case esvalue.No:
			if !p.negate[k] {
				return false
			}
		}
	}
	return true
}

// FilterExpr parses the filters and returns their formula (see
// Filters.Expr).
func FilterExpr(fs []rules.Filter) (constraint.Expr, error) {
	p, err := ParseFilters(fs)
	if err != nil {
		return nil, err
	}
	return p.Expr()
}

// MatchFilters reports whether the document passes the enabled filters;
// filters that do not parse pass nothing.
func MatchFilters(fs []rules.Filter, doc map[string]any, types estype.Lookup, now time.Time) bool {
	p, err := ParseFilters(fs)
	if err != nil {
		return false
	}
	return p.MatchAt(doc, types, now)
}

// inFilter places an error of the i-th filter's clause within the rule:
// paths start with "filters[i].query".
func inFilter(err error, i int) error {
	where := fmt.Sprintf("filters[%d].query", i)
	switch e := err.(type) {
	case *dsl.Error:
		path := where
		if e.Path != "" {
			path += "." + e.Path
		}
		return &dsl.Error{Path: path, Msg: e.Msg}
	case *constraint.UnsupportedError:
		return &constraint.UnsupportedError{
			Span: constraint.Span{Pos: e.Span.Pos, Text: fmt.Sprintf("filter %d: %s", i+1, e.Span.Text)},
			What: fmt.Sprintf("filter %d: %s", i+1, e.What),
		}
	}
	return fmt.Errorf("filter %d: %w", i+1, err)
}
