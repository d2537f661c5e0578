package lucene

import (
	"fmt"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/wildcard"
)

// Operator is the default operator of a query_string query: how clauses
// without AND, OR or a modifier combine.
type Operator uint8

// Default operators.
const (
	OperatorOr  Operator = iota // Elasticsearch's default
	OperatorAnd                 // "default_operator": "AND"
)

// Options are the parameters of a query_string query that change what a
// query matches. The zero value is Elasticsearch's defaults; Kibana holds
// what Kibana sends for a rule.
type Options struct {
	// DefaultOperator combines clauses written side by side ("a b") and
	// the words of a term on a text field ("f:(new york)").
	DefaultOperator Operator
	// DefaultField is the field that terms written without one search
	// ("default_field"). Empty or "*" means every field (the index setting
	// index.query.default_field), which the lowering does not support.
	DefaultField string
	// Fields, when set, are the fields terms written without one search
	// ("fields"; boosts removed): a term matches when it matches in one of
	// them. They take precedence over DefaultField (Elasticsearch refuses
	// a query_string query with both).
	Fields []string
	// AnalyzeWildcard ("analyze_wildcard") analyzes a prefix term ("ab*")
	// on a text field: the words before the last are terms, the last a
	// prefix, combined with the default operator. Without it the term is
	// only normalized (lowercased) and is a prefix of one word.
	AnalyzeWildcard bool
	// PhraseSlop ("phrase_slop") is the slop of phrases written without
	// "~".
	PhraseSlop int
	// Fuzziness ("fuzziness") is the fuzziness of a term written with a
	// bare "~"; nil is AUTO.
	Fuzziness *Fuzziness
	// FuzzyPrefixLength ("fuzzy_prefix_length"): the leading characters a
	// fuzzy term must match exactly.
	FuzzyPrefixLength int
	// NoFuzzyTranspositions ("fuzzy_transpositions": false): a swap of two
	// adjacent characters counts two edits in a fuzzy term.
	NoFuzzyTranspositions bool
	// Lenient ("lenient"): a value a field cannot read (text on a number
	// field, a wildcard on an ip field) matches nothing instead of failing
	// the search. nil is Elasticsearch's default: lenient when terms
	// without a field search every field (no DefaultField, or "*", and no
	// Fields), strict otherwise.
	Lenient *bool
}

// Kibana is what Kibana sends with a Lucene query of a detection rule:
// analyze_wildcard (the detection engine's queryStringOptions; Kibana's
// getQueryFilter), the time zone "Zulu" (UTC, which emit assumes
// everywhere) and no default field, so that terms without a field search
// every field leniently.
var Kibana = Options{AnalyzeWildcard: true}

// allFields reports whether terms without a field search every field.
func (o Options) allFields() bool {
	return len(o.Fields) == 0 && (o.DefaultField == "" || o.DefaultField == "*")
}

// lenient reports whether a value a field cannot read matches nothing
// rather than failing the search.
func (o Options) lenient() bool {
	if o.Lenient != nil {
		return *o.Lenient
	}
	return o.allFields()
}

// fuzzyEdits returns the edits a fuzzy term allows (0 for an exact term).
func (o Options) fuzzyEdits(t *Term) int {
	if t.Fuzzy == "" {
		return 0
	}
	if t.Fuzzy == "~" && o.Fuzziness != nil {
		return o.Fuzziness.Distance(t.Text())
	}
	return t.FuzzyEdits()
}

// ParseFuzziness reads a fuzziness as Elasticsearch's "fuzziness"
// parameter and the text after "~" give it: AUTO (or empty), 0, 1 or 2.
func ParseFuzziness(s string) (Fuzziness, error) { return parseFuzziness(s) }

// Occur is how a clause takes part in its Bool.
type Occur uint8

// Occurrences.
const (
	Should  Occur = iota // optional: when no clause is required, one of the optional ones must hold
	Must                 // required
	MustNot              // prohibited
)

var occurNames = [...]string{"should", "must", "must_not"}

func (o Occur) String() string {
	if int(o) < len(occurNames) {
		return occurNames[o]
	}
	return "?"
}

// Occurs returns the occurrence of each clause as Lucene's query parser
// gives them (QueryParserBase.addClause): a modifier says must ("+") or
// must not ("-", NOT); AND makes the clauses before and after it required
// (the one before unless prohibited); with the default operator OR a clause
// is otherwise optional, with AND required unless an OR precedes it (and an
// OR makes the clause before it optional again).
func Occurs(clauses []*Clause, op Operator) []Occur { return occurs(clauses, op, nil) }

// occurs is Occurs where some clauses may be dropped (dropped[i]): a
// clause whose query is null (a term the analyzer leaves no word of) is
// not added to Lucene's clause list, but its conjunction still changes the
// clause added last before it.
func occurs(clauses []*Clause, op Operator, dropped []bool) []Occur {
	occ := make([]Occur, len(clauses))
	last := -1 // the last clause kept
	for i, c := range clauses {
		if last >= 0 && occ[last] != MustNot {
			switch {
			case c.Conj == ConjAnd:
				occ[last] = Must
			case c.Conj == ConjOr && op == OperatorAnd:
				occ[last] = Should
			}
		}
		prohibited := c.Mod == ModProhibited || c.Mod == ModNot
		var required bool
		if op == OperatorOr {
			required = c.Mod == ModRequired || c.Conj == ConjAnd
		} else {
			required = c.Conj != ConjOr
		}
		switch {
		case prohibited:
			occ[i] = MustNot
		case required:
			occ[i] = Must
		default:
			occ[i] = Should
		}
		if dropped == nil || !dropped[i] {
			last = i
		}
	}
	return occ
}

// Constraints lowers the query to constraints with Elasticsearch's default
// options: Lang "lucene", Kind EventQuery and one Event whose condition is
// in negation normal form. See ConstraintsWith.
func (q *Query) Constraints() (*constraint.Query, error) {
	return q.ConstraintsWith(Options{})
}

// ConstraintsWith lowers the query to constraints.
//
// A clause list holds when all its required clauses hold and none of its
// prohibited ones does; its optional clauses count only when none is
// required, and then one must hold; a list of prohibited clauses alone
// holds when none does (Elasticsearch adds a match_all). So "+a b" is a,
// "a AND b OR c" is a and b, "-a" is not a.
//
// The terms: an unquoted term is an Eq predicate on its text (a multi-term
// whole, "a b", which is exact on a keyword field and implies each word on
// a text field); a phrase is an Eq predicate with Phrase set; a term with
// wildcards a Like predicate; a lone "*" an Exists predicate ("*:*" and a
// lone "*" without a field match everything); a /regexp/ a Regex
// predicate; ranges and one-sided ranges ("field:>=5") Lt, Le, Gt and Ge
// predicates with the bounds as strings ("*" leaves an end open, "[* TO *]"
// is Exists); "_exists_:field" is Exists on field. Boosts change scores
// only and are dropped.
//
// Fuzzy terms ("abc~") and sloppy phrases ("a b"~2) match more than the
// exact term or phrase: where the lowering must stay inside what surely
// matches (not negated) it takes the exact term (as a Like predicate
// without wildcards: like wildcards, a fuzzy term compares single words of
// a text field and does not apply to numbers) or phrase; where it must
// stay outside (negated) it takes something larger: the words in any
// order for a phrase, the field's presence for a fuzzy term.
//
// A term without a field (searching every field) yields a
// *constraint.UnsupportedError, as do queries on the _exists_ pseudo field
// other than a field name.
func (q *Query) ConstraintsWith(opts Options) (*constraint.Query, error) {
	l := &lowerer{src: q.Src, opts: opts}
	var cond constraint.Expr = &constraint.Bool{V: true, Span: constraint.Span{Text: q.Src}}
	whole := constraint.Span{Text: q.Src}
	if q.Root != nil {
		field := opts.DefaultField
		if field == "*" || len(opts.Fields) > 0 {
			field = ""
		}
		e, err := l.bool(q.Root, field, false)
		if err != nil {
			return nil, err
		}
		cond = constraint.NNF(e)
		whole = l.span(q.Root.Loc)
	}
	return &constraint.Query{
		Lang:   "lucene",
		Source: q.Src,
		Kind:   constraint.EventQuery,
		Events: []constraint.Event{{Cond: cond, Runs: 1, Span: whole}},
	}, nil
}

type lowerer struct {
	src  string
	opts Options
}

func (l *lowerer) span(loc Loc) constraint.Span {
	return constraint.Span{Pos: loc.Start, Text: loc.Text(l.src)}
}

// bool lowers a clause list whose clauses search field unless they name
// theirs; neg says whether the result will be negated (an odd number of
// prohibitions encloses it).
func (l *lowerer) bool(b *Bool, field string, neg bool) (constraint.Expr, error) {
	occ := Occurs(b.Clauses, l.opts.DefaultOperator)
	hasMust := false
	for _, o := range occ {
		hasMust = hasMust || o == Must
	}
	span := l.span(b.Loc)
	var all, optional []constraint.Expr
	optAt := -1 // where the optional clauses go among the others
	for i, c := range b.Clauses {
		if occ[i] == Should && hasMust {
			// Optional beside required clauses: it does not restrict what
			// matches.
			continue
		}
		x, err := l.node(c.Node, field, neg != (occ[i] == MustNot))
		if err != nil {
			return nil, err
		}
		switch occ[i] {
		case Must:
			all = append(all, x)
		case MustNot:
			all = append(all, &constraint.Not{X: x, Span: l.span(c.Loc)})
		default:
			if optAt < 0 {
				optAt = len(all)
			}
			optional = append(optional, x)
		}
	}
	if len(optional) > 0 {
		var or constraint.Expr = optional[0]
		if len(optional) > 1 {
			or = &constraint.Or{X: optional, Authored: true, Span: span}
		}
		all = append(all[:optAt], append([]constraint.Expr{or}, all[optAt:]...)...)
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return &constraint.And{X: all, Span: span}, nil
}

// node lowers the node of a clause; field is the field of the enclosing
// group ("" for the default field).
func (l *lowerer) node(n Node, field string, neg bool) (constraint.Expr, error) {
	if f := n.FieldName(); f != nil {
		field = f.Name
	}
	if g, ok := n.(*Group); ok {
		return l.bool(g.Query, field, neg)
	}
	span := l.span(n.Location())
	pred := func(op constraint.Op) *constraint.Pred {
		return &constraint.Pred{Field: field, Op: op, Span: span}
	}
	star := false
	if w, ok := n.(*Wildcard); ok && w.IsStar() {
		star = true
	}
	switch field {
	case "":
		if star {
			// A lone "*" on every field: every document.
			return &constraint.Bool{V: true, Span: span}, nil
		}
		if len(l.opts.Fields) > 0 {
			return l.anyField(n, span, neg)
		}
		example := fieldExample(n)
		return nil, &constraint.UnsupportedError{
			Span: span,
			What: fmt.Sprintf("a term without a field searches every field: %q; name a field, e.g. %s", span.Text, example),
		}
	case "*":
		if star {
			// "*:*": every document (Elasticsearch's match_all).
			return &constraint.Bool{V: true, Span: span}, nil
		}
	case ExistsField:
		return l.exists(n, span)
	}
	switch x := n.(type) {
	case *Term:
		text := x.Text()
		if neg && l.opts.fuzzyEdits(x) > 0 {
			// Values within some edits of the term match too: only a
			// missing field surely does not.
			return pred(constraint.Exists), nil
		}
		if x.Fuzzy != "" {
			// A fuzzy query compares single normalized words (text) or
			// whole values (keyword) and is refused on numbers, dates and
			// IPs: the pattern of the exact term, which it contains, says
			// that to the solver.
			p := pred(constraint.Like)
			p.Pattern = wildcard.Literal(text)
			return p, nil
		}
		p := pred(constraint.Eq)
		p.Value = constraint.String(text)
		return p, nil
	case *Phrase:
		slop := x.SlopWith(l.opts.PhraseSlop)
		if slop < 0 {
			return nil, &constraint.UnsupportedError{
				Span: span,
				What: fmt.Sprintf("%q: a negative slop fails the search on text fields", span.Text),
			}
		}
		p := pred(constraint.Eq)
		p.Value = constraint.String(x.Text)
		// A sloppy phrase matches its words in any order within some
		// moves: the words anywhere contain that.
		p.Phrase = !neg || slop == 0
		return p, nil
	case *Wildcard:
		if x.IsStar() {
			return pred(constraint.Exists), nil
		}
		p := pred(constraint.Like)
		p.Pattern = x.Pattern
		return p, nil
	case *Regexp:
		p := pred(constraint.Regex)
		p.Regex = x.Regex
		return p, nil
	case *Compare:
		if x.Value == "*" {
			// "*" leaves the end open: any value.
			return pred(constraint.Exists), nil
		}
		ops := [...]constraint.Op{Lt: constraint.Lt, Le: constraint.Le, Gt: constraint.Gt, Ge: constraint.Ge}
		p := pred(ops[x.Op])
		p.Value = constraint.String(x.Value)
		return p, nil
	case *Range:
		return l.rangeExpr(x, field, span), nil
	}
	return nil, fmt.Errorf("lucene: unknown node %T", n)
}

// anyField lowers a node written without a field when the query searches
// several fields ("fields"): it holds when it holds in one of them.
func (l *lowerer) anyField(n Node, span constraint.Span, neg bool) (constraint.Expr, error) {
	or := &constraint.Or{Span: span}
	for _, f := range l.opts.Fields {
		if f == "" || f == "*" {
			return nil, &constraint.UnsupportedError{
				Span: span,
				What: fmt.Sprintf("%q searches every field (fields %q); name a field", span.Text, l.opts.Fields),
			}
		}
		x, err := l.node(n, f, neg)
		if err != nil {
			return nil, err
		}
		or.X = append(or.X, x)
	}
	if len(or.X) == 1 {
		return or.X[0], nil
	}
	return or, nil
}

func (l *lowerer) rangeExpr(r *Range, field string, span constraint.Span) constraint.Expr {
	var preds []constraint.Expr
	add := func(op constraint.Op, b Bound) {
		preds = append(preds, &constraint.Pred{Field: field, Op: op, Value: constraint.String(b.Text), Span: span})
	}
	if !r.Lower.Open() {
		op := constraint.Gt
		if r.IncludeLower {
			op = constraint.Ge
		}
		add(op, r.Lower)
	}
	if !r.Upper.Open() {
		op := constraint.Lt
		if r.IncludeUpper {
			op = constraint.Le
		}
		add(op, r.Upper)
	}
	switch len(preds) {
	case 0:
		// [* TO *]: any value.
		return &constraint.Pred{Field: field, Op: constraint.Exists, Span: span}
	case 1:
		return preds[0]
	}
	return &constraint.And{X: preds, Span: span}
}

// fieldExample writes the node n, which names no field, with a field:
// what the message about a term without a field suggests.
func fieldExample(n Node) string {
	p := &printer{}
	p.WriteString("message:")
	if t, ok := n.(*Term); ok && len(t.Words) > 1 {
		p.WriteByte('(')
		n.print(p, printCtx{})
		p.WriteByte(')')
	} else {
		n.print(p, printCtx{})
	}
	return p.String()
}

// exists lowers a node under the _exists_ pseudo field: a term or phrase
// names a field that must have a value. Anything else queries a field
// literally named _exists_, which Elasticsearch does not have.
func (l *lowerer) exists(n Node, span constraint.Span) (constraint.Expr, error) {
	name := ""
	switch x := n.(type) {
	case *Term:
		if x.Fuzzy == "" {
			name = x.Text()
		}
	case *Phrase:
		name = x.Text
	}
	if name == "" {
		return nil, &constraint.UnsupportedError{
			Span: span,
			What: fmt.Sprintf("%q: _exists_ takes a field name, and this queries a field named _exists_ instead; escape wildcards in the name (_exists_:process.\\*)", span.Text),
		}
	}
	return &constraint.Pred{Field: name, Op: constraint.Exists, Span: span}, nil
}

// Fields returns the field names the query refers to, in order of first
// appearance: the fields written before ":" (with wildcards as written)
// and the fields named by _exists_. Terms without a field add nothing.
func (q *Query) Fields() []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var walk func(b *Bool, field string)
	walk = func(b *Bool, field string) {
		for _, c := range b.Clauses {
			f := field
			if fn := c.Node.FieldName(); fn != nil {
				f = fn.Name
			}
			switch x := c.Node.(type) {
			case *Group:
				walk(x.Query, f)
				continue
			case *Term:
				if f == ExistsField && x.Fuzzy == "" {
					add(x.Text())
					continue
				}
			case *Phrase:
				if f == ExistsField {
					add(x.Text)
					continue
				}
			}
			if f != "" {
				add(f)
			}
		}
	}
	if q.Root != nil {
		walk(q.Root, "")
	}
	return out
}
