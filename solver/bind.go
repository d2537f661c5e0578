package solver

// Binding a query to the schema: the concrete fields its predicates name
// (wildcard names resolved, multi-fields redirected to the field whose
// value they index), their types, and the predicates per field.

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/schema"
)

// compile expands the query's events, collects and types the fields and
// predicates, and sets up the initial nodes.
func (s *Solver) compile() error {
	q := s.q
	var forbid []constraint.Expr // conditions no emitted event may meet
	if q.Until != nil {
		forbid = append(forbid, q.Until)
	}
	for _, ev := range q.Events {
		if ev.Missing {
			forbid = append(forbid, ev.Cond)
		}
	}
	var joinFields [][]string     // per emitted event, per key ("": not in the key)
	var distinctFields [][]string // per emitted event, per distinct key
	conds := map[constraint.Expr]constraint.Expr{}
	for i, ev := range q.Events {
		if ev.Missing {
			continue
		}
		runs := max(ev.Runs, 1)
		for r := 0; r < runs; r++ {
			cond, ok := conds[ev.Cond]
			if !ok {
				parts := []constraint.Expr{ev.Cond}
				for _, f := range forbid {
					parts = append(parts, &constraint.Not{X: f})
				}
				cond = constraint.NNF(&constraint.And{X: parts, Span: ev.Span})
				conds[ev.Cond] = cond
			}
			s.events = append(s.events, &eventPlan{cond: cond, src: i})
			joinFields = append(joinFields, keyFieldsOf(q.Joins, i))
			distinctFields = append(distinctFields, keyFieldsOf(q.Distinct, i))
		}
	}
	if len(s.events) == 0 {
		return &UnsolvableError{Conflicts: []*Conflict{{Field: "query", reason: "no event to generate"}}}
	}
	// A negated predicate on a wildcard field name holds for every field
	// the name matches: spell it out for the fields a document can hold.
	// Events of one condition and join fields (a group's documents) share
	// the expansion.
	type expandKey struct {
		cond  constraint.Expr
		joins string
	}
	expanded := map[expandKey]constraint.Expr{}
	for i, ev := range s.events {
		key := expandKey{ev.cond, strings.Join(joinFields[i], "\x00")}
		if c, ok := expanded[key]; ok {
			ev.cond = c
			continue
		}
		ev.cond = s.expandNegatedWildcards(ev.cond, joinFields[i])
		expanded[key] = ev.cond
	}
	// Collect fields and predicates.
	var badField error
	// The predicates collected, by where they are written (the offset of
	// their span, part of what they are): as written (a copy of one, the
	// same before multiField, is that predicate, found without building
	// its predKey) and by their content.
	copies := map[int][]copyOf{}
	same := map[int][]keyedPred{}
	var walk func(e constraint.Expr) bool
	walk = func(e constraint.Expr) bool {
		switch x := e.(type) {
		case *constraint.And:
			or := false
			for _, y := range x.X {
				or = walk(y) || or
			}
			return or
		case *constraint.Or:
			for _, y := range x.X {
				walk(y)
			}
			return true
		case *constraint.Pred:
			for _, name := range []string{x.Field, x.Other} {
				if badField == nil && name != "" && !validFieldName(name) {
					badField = &constraint.UnsupportedError{Span: x.Span, What: fmt.Sprintf("field name %q: Elasticsearch field names have no empty part between dots", name)}
				}
			}
			if _, ok := s.predID[x]; !ok {
				off := x.Span.Pos.Offset
				for _, c := range copies[off] {
					if samePred(c.p, x) {
						s.predID[x] = c.id
						return false
					}
				}
				p, field := s.multiField(x, s.resolve(x.Field))
				// A copy of a predicate met before (the lowering repeats
				// an ES|QL condition in every document of a group, and in
				// every branch of a CASE) is that predicate: meets of it
				// are memoized once, and a node holds it once.
				k := newPredKey(p, field)
				for _, o := range same[off] {
					if o.key == k {
						s.predID[x] = o.id
						copies[off] = append(copies[off], copyOf{x, o.id})
						return false
					}
				}
				copies[off] = append(copies[off], copyOf{x, int32(len(s.preds))})
				same[off] = append(same[off], keyedPred{k, int32(len(s.preds))})
				s.predID[x] = int32(len(s.preds))
				s.preds = append(s.preds, p)
				s.predField = append(s.predField, s.addField(field))
				if p.Op == constraint.Rel {
					s.addField(s.resolve(p.Other))
				}
			}
		}
		return false
	}
	walked := map[constraint.Expr]bool{}
	for _, ev := range s.events {
		if or, ok := walked[ev.cond]; ok {
			ev.hasOr = or
			continue
		}
		ev.hasOr = walk(ev.cond)
		walked[ev.cond] = ev.hasOr
	}
	if badField != nil {
		return badField
	}
	for _, fs := range [][][]string{joinFields, distinctFields} {
		for _, jf := range fs {
			for _, f := range jf {
				if f != "" {
					s.addField(s.resolve(f))
				}
			}
		}
	}
	// Preferences, except on wildcard names.
	s.isSoft = map[int32]bool{}
	s.softIn = map[int32]int{}
	for pi, p := range s.prefer {
		if strings.Contains(p.Field+p.Other, "*") || !validFieldName(p.Field) ||
			p.Op == constraint.Rel && !validFieldName(p.Other) {
			continue
		}
		if _, ok := s.predID[p]; ok {
			continue
		}
		if ev := s.preferIn[pi]; ev >= 0 {
			s.softIn[int32(len(s.preds))] = ev
		}
		q, field := s.multiField(p, s.resolve(p.Field))
		id := int32(len(s.preds))
		s.predID[p] = id
		s.preds = append(s.preds, q)
		s.predField = append(s.predField, s.addField(field))
		if q.Op == constraint.Rel {
			s.addField(s.resolve(q.Other))
		}
		s.soft = append(s.soft, id)
		s.isSoft[id] = true
	}
	// Fields get indices in name order, so documents list them sorted.
	order := slices.Clone(s.fields)
	sort.Strings(order)
	remap := make([]int32, len(s.fields))
	for i, f := range order {
		remap[s.fieldIdx[f]] = int32(i)
		s.fieldIdx[f] = int32(i)
	}
	for i := range s.predField {
		s.predField[i] = remap[s.predField[i]]
	}
	s.relOther = make([]int32, len(s.preds))
	for i, p := range s.preds {
		if p.Op == constraint.Rel {
			s.relOther[i] = s.fieldIdx[s.resolve(p.Other)]
		}
	}
	s.fields = order
	s.types = make([]schema.Field, len(order))
	numeric := s.numericallyCompared()
	for i, f := range order {
		s.types[i] = s.sch.Field(f)
		s.types[i].Name = f
		if (s.types[i].Type == estype.Empty || s.types[i].Type.IsString()) && numeric[f] != "" {
			// A field the schema leaves a string but the query compares
			// with numbers (EQL "x > 0.9" on a field missing from ECS)
			// holds numbers; one it tests as a condition holds booleans.
			s.types[i].Type = numeric[f]
		}
		s.nodes = append(s.nodes, &node{field: int32(i), dom: newDomain(s.types[i], q.Scalar)})
	}
	// Join keys: a field index per event (-1: not in the key); join fields
	// must be present. Distinct keys likewise.
	s.joins = s.keyIndices(joinFields, len(q.Joins))
	s.distinct = s.keyIndices(distinctFields, len(q.Distinct))
	return nil
}

// keyFieldsOf is the field of each key in event i ("" when the event does
// not take part).
func keyFieldsOf(keys [][]string, i int) []string {
	if len(keys) == 0 {
		return nil
	}
	out := make([]string, len(keys))
	for k, key := range keys {
		if i < len(key) {
			out[k] = key[i]
		}
	}
	return out
}

// keyIndices turns per-event key fields into per-key field indices.
func (s *Solver) keyIndices(perEvent [][]string, nkeys int) [][]int32 {
	var out [][]int32
	for k := 0; k < nkeys; k++ {
		idx := make([]int32, len(perEvent))
		some := false
		for i, fs := range perEvent {
			idx[i] = -1
			if k < len(fs) && fs[k] != "" {
				idx[i] = s.fieldIdx[s.resolve(fs[k])]
				some = true
			}
		}
		if some {
			out = append(out, idx)
		}
	}
	return out
}

// expandNegatedWildcards rewrites "not p*.x : v" into "not f : v" for every
// concrete field f of the event that the pattern matches (the fields the
// query names, its join keys and @timestamp), keeping the original too.
//
// A condition without such a predicate is returned as it is (the rewrite
// and its normal form would copy it unchanged: cond is in normal form).
func (s *Solver) expandNegatedWildcards(cond constraint.Expr, joins []string) constraint.Expr {
	if !hasNegatedWildcard(cond) {
		return cond
	}
	names := map[string]bool{"@timestamp": true}
	for _, j := range joins {
		if j != "" {
			names[j] = true
		}
	}
	constraint.EachPred(cond, func(p *constraint.Pred) {
		if !strings.Contains(p.Field, "*") {
			names[p.Field] = true
		} else if !p.Neg {
			names[s.resolve(p.Field)] = true
		}
	})
	var rewrite func(e constraint.Expr) constraint.Expr
	rewrite = func(e constraint.Expr) constraint.Expr {
		switch x := e.(type) {
		case *constraint.And:
			out := &constraint.And{Span: x.Span}
			for _, y := range x.X {
				out.X = append(out.X, rewrite(y))
			}
			return out
		case *constraint.Or:
			out := &constraint.Or{Span: x.Span, Authored: x.Authored}
			for _, y := range x.X {
				out.X = append(out.X, rewrite(y))
			}
			return out
		case *constraint.Pred:
			if !x.Neg || !strings.Contains(x.Field, "*") {
				return x
			}
			pat := wildcard.Parse(x.Field, wildcard.StarOnly)
			var fields []string
			for n := range names {
				if pat.Match(n, false) {
					fields = append(fields, n)
				}
			}
			if len(fields) == 0 {
				return x
			}
			sort.Strings(fields)
			out := &constraint.And{Span: x.Span, X: []constraint.Expr{x}}
			for _, f := range fields {
				c := *x
				c.Field = f
				out.X = append(out.X, &c)
			}
			return out
		}
		return e
	}
	return constraint.NNF(rewrite(cond))
}

// hasNegatedWildcard reports whether e holds a negated predicate on a
// field name with wildcards.
func hasNegatedWildcard(e constraint.Expr) bool {
	switch x := e.(type) {
	case *constraint.And:
		return slices.ContainsFunc(x.X, hasNegatedWildcard)
	case *constraint.Or:
		return slices.ContainsFunc(x.X, hasNegatedWildcard)
	case *constraint.Not:
		return hasNegatedWildcard(x.X)
	case *constraint.Pred:
		return x.Neg && strings.Contains(x.Field, "*")
	}
	return false
}

// multiField redirects a predicate on a multi-field (process.name.text) to
// the field whose value it indexes, with the multi-field's semantics.
func (s *Solver) multiField(p *constraint.Pred, field string) (*constraint.Pred, string) {
	f := s.sch.Field(field)
	if f.MultiFieldOf == "" {
		return p, field
	}
	switch {
	case f.Type.Family() == estype.TextFamily && p.Whole:
		// ES|QL reads a text multi-field as the string it indexes.
	case f.Type.Family() == estype.TextFamily:
		p = textAsKeyword(p)
	case f.Mapping().Lowercase():
		q := *p
		q.CI = true
		p = &q
	}
	return p, f.MultiFieldOf
}

// numericallyCompared types the fields the query compares with typed
// literals: "double" for an ordering with a number (<, <=, >, >=),
// "boolean" for equality with true or false (EQL's bare field condition).
func (s *Solver) numericallyCompared() map[string]estype.Type {
	out := map[string]estype.Type{}
	strings := map[string]bool{} // fields the query also compares with strings
	for i, p := range s.preds {
		f := s.fields[s.predField[i]]
		switch {
		case p.Op >= constraint.Lt && p.Op <= constraint.Ge && p.Value.Kind == constraint.KindNumber:
			out[f] = estype.Double
		case p.Op == constraint.Eq && p.Value.Kind == constraint.KindBool && out[f] == "":
			out[f] = estype.Boolean
		case p.Op == constraint.Like || p.Op == constraint.Regex || p.Value.Kind == constraint.KindString && p.Op != constraint.Exists:
			strings[f] = true
		}
	}
	for f := range strings {
		delete(out, f)
	}
	return out
}

// relationOnJoin reports a field relation of event i whose related field
// is one of the event's join keys.
func (s *Solver) relationOnJoin(i int, cond constraint.Expr) error {
	var found *constraint.Pred
	constraint.EachPred(cond, func(x *constraint.Pred) {
		if x.Op != constraint.Rel || x.Rel == constraint.RelEq && x.OtherSlice == nil || found != nil {
			return
		}
		f := s.predField[s.predID[x]]
		for _, key := range s.joins {
			if i < len(key) && key[i] >= 0 && key[i] == f {
				found = x
			}
		}
	})
	if found != nil {
		return &constraint.UnsupportedError{Span: found.Span, What: fmt.Sprintf("%s relates a join key (%s) to another field", found.Span.Text, found.Field)}
	}
	return nil
}

// validFieldName reports whether a dotted name can be a document field.
func validFieldName(name string) bool {
	// No empty part: not empty, no dot at either end, no two dots in a row.
	return name != "" && name[0] != '.' && name[len(name)-1] != '.' && !strings.Contains(name, "..")
}

func (s *Solver) addField(name string) int32 {
	if i, ok := s.fieldIdx[name]; ok {
		return i
	}
	i := int32(len(s.fields))
	s.fieldIdx[name] = i
	s.fields = append(s.fields, name)
	return i
}

// resolve picks a concrete field for a field name with wildcards: the first
// schema field the pattern matches, else the pattern with "*" replaced.
func (s *Solver) resolve(name string) string {
	if !strings.Contains(name, "*") {
		s.named[name] = true
		return name
	}
	// A field of its own, not a multi-field (x.text) of another: a
	// document holds its value under the name the pattern matches.
	for _, m := range s.sch.Match(name) {
		if s.sch.Field(m).MultiFieldOf == "" {
			s.named[m] = true
			return m
		}
	}
	f := strings.ReplaceAll(name, "*", "x")
	s.named[f] = true
	return f
}

// keyedPred is a predicate's key and id.
type keyedPred struct {
	key predKey
	id  int32
}

// copyOf is a predicate as written and the id of the predicate it is.
type copyOf struct {
	p  *constraint.Pred
	id int32
}

// samePred reports whether a and b are the same predicate as written:
// what compile makes of one (its predKey, its field) it makes of the other.
func samePred(a, b *constraint.Pred) bool {
	return a.Field == b.Field && a.Op == b.Op && a.Neg == b.Neg && a.CI == b.CI && a.Phrase == b.Phrase &&
		a.Whole == b.Whole && a.Value == b.Value && a.Cmp == b.Cmp && slices.Equal(a.Pattern, b.Pattern) &&
		a.Regex == b.Regex && a.Rel == b.Rel && a.Other == b.Other && a.Span == b.Span &&
		(a.OtherSlice == nil) == (b.OtherSlice == nil) && (a.OtherSlice == nil || *a.OtherSlice == *b.OtherSlice)
}

// predKey is what a predicate is, its source span included: two
// predicates of one key on one field are one predicate, wherever the
// query's expression holds them.
type predKey struct {
	field                  string
	op, cmp                constraint.Op
	neg, ci, phrase, whole bool
	value                  constraint.Value
	pattern                string
	regex                  string
	rel                    constraint.RelKind
	other                  string
	hasSlice               bool
	slice                  constraint.Slice
	span                   constraint.Span
}

func newPredKey(p *constraint.Pred, field string) predKey {
	k := predKey{
		field: field, op: p.Op, cmp: p.Cmp, neg: p.Neg, ci: p.CI, phrase: p.Phrase, whole: p.Whole,
		value: p.Value, regex: p.Regex, rel: p.Rel, other: p.Other, span: p.Span,
	}
	if p.OtherSlice != nil {
		k.hasSlice, k.slice = true, *p.OtherSlice
	}
	if len(p.Pattern) > 0 {
		var b strings.Builder
		for _, e := range p.Pattern {
			b.WriteByte(byte(e.Kind))
			b.WriteString(strconv.Itoa(len(e.Lit)))
			b.WriteByte(':')
			b.WriteString(e.Lit)
		}
		k.pattern = b.String()
	}
	return k
}
