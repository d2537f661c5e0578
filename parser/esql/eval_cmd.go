package esql

import (
	"sort"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/es/wildcard"
)

// This file runs the processing commands.

// pipeline runs processing commands on a table.
func (ev *queryRunner) pipeline(t *evalTable, cmds []Command) (*evalTable, error) {
	for _, c := range cmds {
		var err error
		if t, err = ev.command(t, c); err != nil {
			return nil, err
		}
		if ev.err != nil {
			return nil, ev.err
		}
	}
	return t, nil
}

func (ev *queryRunner) command(t *evalTable, c Command) (*evalTable, error) {
	switch x := c.(type) {
	case *Where:
		return ev.where(t, x)
	case *Eval:
		return ev.eval(t, x)
	case *Stats:
		if x.Inline {
			return ev.inlineStats(t, x)
		}
		return ev.stats(t, x)
	case *Keep:
		return ev.keep(t, x)
	case *Drop:
		return ev.drop(t, x)
	case *Rename:
		return ev.rename(t, x)
	case *Sort:
		return ev.sortRows(t, x)
	case *Limit:
		if x.Param != nil {
			return nil, ev.unsupported(x.Loc, "LIMIT with a query parameter: no parameter values are given")
		}
		n := x.N
		if n > maxLimit {
			n = maxLimit
		}
		if int64(len(t.rows)) > n {
			t.rows = t.rows[:n]
		}
		return t, nil
	case *MvExpand:
		return ev.mvExpand(t, x)
	case *Dissect:
		return ev.dissect(t, x)
	case *Grok:
		return ev.grok(t, x)
	case *Fork:
		return ev.fork(t, x)
	}
	// check refused the others before the run.
	return nil, ev.unsupported(c.Location(), "%s", c.Name())
}

// where keeps the rows whose condition is true.
func (ev *queryRunner) where(t *evalTable, x *Where) (*evalTable, error) {
	cond, err := ev.compile(t, x.Cond)
	if err != nil {
		return nil, err
	}
	c := &exprCompiler{ev: ev, t: t}
	loc := x.Cond.Location()
	out := &evalTable{cols: t.cols, rows: make([]*evalRow, 0, len(t.rows))}
	for _, r := range t.rows {
		if b, ok := c.boolean(cond(r), loc); ok && b {
			out.rows = append(out.rows, r)
		}
	}
	return out, nil
}

// eval adds a column per assignment, each seeing the ones before it; a
// column of the same name is dropped from its place.
func (ev *queryRunner) eval(t *evalTable, x *Eval) (*evalTable, error) {
	out := &evalTable{cols: append([]Column(nil), t.cols...), rows: make([]*evalRow, len(t.rows))}
	for i, r := range t.rows {
		out.rows[i] = &evalRow{doc: r.doc, vals: append(make([]any, 0, len(r.vals)+len(x.Fields)), r.vals...)}
	}
	for _, a := range x.Fields {
		fn, err := ev.compile(out, a.X)
		if err != nil {
			return nil, err
		}
		vals := make([]any, len(out.rows))
		for i, r := range out.rows {
			vals[i] = fn(r)
		}
		name := ev.assignName(a)
		old := out.colIndex(name)
		if old >= 0 {
			out.cols = append(out.cols[:old:old], out.cols[old+1:]...)
		}
		out.cols = append(out.cols, Column{Name: name})
		for i, r := range out.rows {
			if old >= 0 {
				r.vals = append(r.vals[:old], r.vals[old+1:]...)
			}
			r.vals = append(r.vals, vals[i])
		}
	}
	return out, nil
}

// projectColumns builds a table of the columns at positions idx.
func projectColumns(t *evalTable, idx []int) *evalTable {
	out := &evalTable{cols: make([]Column, len(idx)), rows: make([]*evalRow, len(t.rows))}
	for i, j := range idx {
		out.cols[i] = t.cols[j]
	}
	for k, r := range t.rows {
		vals := make([]any, len(idx))
		for i, j := range idx {
			vals[i] = r.vals[j]
		}
		out.rows[k] = &evalRow{doc: r.doc, vals: vals}
	}
	return out
}

// patternRank is how specific a KEEP pattern is: a whole name, a pattern
// with text, or "*" alone.
func patternRank(p *NamePattern) int {
	switch {
	case !p.HasWildcard():
		return 2
	case strings.Trim(p.Pattern, "*") != "":
		return 1
	}
	return 0
}

// keep keeps the named columns in the order of the patterns. A column
// several patterns name goes where its most specific pattern (the
// rightmost of equal ones) puts it.
func (ev *queryRunner) keep(t *evalTable, x *Keep) (*evalTable, error) {
	owner := make([]int, len(t.cols))
	for i, c := range t.cols {
		owner[i] = -1
		for j, p := range x.Patterns {
			if !wildcard.MatchString(p.Pattern, c.Name) {
				continue
			}
			if owner[i] < 0 || patternRank(p) >= patternRank(x.Patterns[owner[i]]) {
				owner[i] = j
			}
		}
	}
	var idx []int
	for j, p := range x.Patterns {
		found := false
		for i := range t.cols {
			if wildcard.MatchString(p.Pattern, t.cols[i].Name) {
				found = true
			}
			if owner[i] == j {
				idx = append(idx, i)
			}
		}
		if !found && !p.HasWildcard() {
			return nil, (&exprCompiler{ev: ev, t: t}).unknownColumn(p.Pattern, p.Loc)
		}
	}
	return projectColumns(t, idx), nil
}

// drop removes the named columns.
func (ev *queryRunner) drop(t *evalTable, x *Drop) (*evalTable, error) {
	for _, p := range x.Patterns {
		if !p.HasWildcard() && t.colIndex(p.Pattern) < 0 {
			return nil, (&exprCompiler{ev: ev, t: t}).unknownColumn(p.Pattern, p.Loc)
		}
	}
	var idx []int
	for i, c := range t.cols {
		dropped := false
		for _, p := range x.Patterns {
			if wildcard.MatchString(p.Pattern, c.Name) {
				dropped = true
				break
			}
		}
		if !dropped {
			idx = append(idx, i)
		}
	}
	return projectColumns(t, idx), nil
}

// rename renames columns in place, in order; a column that has the new
// name already is dropped.
func (ev *queryRunner) rename(t *evalTable, x *Rename) (*evalTable, error) {
	out := &evalTable{cols: append([]Column(nil), t.cols...), rows: t.rows}
	for _, p := range x.Pairs {
		if p.Old.HasWildcard() || p.New.HasWildcard() {
			return nil, ev.unsupported(p.Loc, "RENAME with wildcards")
		}
		i := out.colIndex(p.Old.Pattern)
		if i < 0 {
			return nil, (&exprCompiler{ev: ev, t: out}).unknownColumn(p.Old.Pattern, p.Old.Loc)
		}
		if p.Old.Pattern == p.New.Pattern {
			continue
		}
		out.cols[i].Name = p.New.Pattern
		if j := indexOther(out, p.New.Pattern, i); j >= 0 {
			idx := make([]int, 0, len(out.cols)-1)
			for k := range out.cols {
				if k != j {
					idx = append(idx, k)
				}
			}
			out = projectColumns(out, idx)
		}
	}
	return out, nil
}

// indexOther is the position of another column of the given name.
func indexOther(t *evalTable, name string, not int) int {
	for i, c := range t.cols {
		if c.Name == name && i != not {
			return i
		}
	}
	return -1
}

// sortRows sorts the rows, stably, by the keys in order. A multi-valued
// key sorts by its smallest value ascending and its largest descending;
// nulls go last ascending and first descending unless NULLS says.
func (ev *queryRunner) sortRows(t *evalTable, x *Sort) (*evalTable, error) {
	type key struct {
		fn         evalFn
		desc       bool
		nullsFirst bool
		loc        Loc
	}
	keys := make([]key, len(x.Keys))
	for i, k := range x.Keys {
		fn, err := ev.compile(t, k.X)
		if err != nil {
			return nil, err
		}
		keys[i] = key{fn: fn, desc: k.Descending(), nullsFirst: k.IsNullsFirst(), loc: k.X.Location()}
	}
	vals := make([][]any, len(t.rows))
	for i, r := range t.rows {
		vals[i] = make([]any, len(keys))
		for j, k := range keys {
			v := k.fn(r)
			if m, ok := v.(multiValue); ok {
				best := m[0]
				for _, y := range m[1:] {
					c, _ := compareValues(y, best)
					if k.desc && c > 0 || !k.desc && c < 0 {
						best = y
					}
				}
				v = best
			}
			vals[i][j] = v
		}
	}
	order := make([]int, len(t.rows))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		va, vb := vals[order[a]], vals[order[b]]
		for j, k := range keys {
			x, y := va[j], vb[j]
			switch {
			case x == nil && y == nil:
				continue
			case x == nil:
				return k.nullsFirst
			case y == nil:
				return !k.nullsFirst
			}
			c, ok := compareValues(x, y)
			if !ok {
				ev.fail(k.loc, "SORT cannot order values of type [%s] and [%s]", typeName(x), typeName(y))
				return false
			}
			if c != 0 {
				return c < 0 != k.desc
			}
		}
		return false
	})
	out := &evalTable{cols: t.cols, rows: make([]*evalRow, len(t.rows))}
	for i, j := range order {
		out.rows[i] = t.rows[j]
	}
	return out, nil
}

// mvExpand makes a row per value of a multi-valued column (a null stays
// one row).
func (ev *queryRunner) mvExpand(t *evalTable, x *MvExpand) (*evalTable, error) {
	i := t.colIndex(x.Field.Name)
	if i < 0 {
		return nil, (&exprCompiler{ev: ev, t: t}).unknownColumn(x.Field.Name, x.Field.Loc)
	}
	out := &evalTable{cols: t.cols}
	for _, r := range t.rows {
		m, ok := r.vals[i].(multiValue)
		if !ok {
			out.rows = append(out.rows, r)
			continue
		}
		for _, v := range m {
			vals := append([]any(nil), r.vals...)
			vals[i] = v
			out.rows = append(out.rows, &evalRow{doc: r.doc, vals: vals})
		}
	}
	return out, nil
}

// addColumns appends extracted columns (DISSECT, GROK) to a table: a
// column of the same name is dropped from its place.
func addColumns(t *evalTable, names []string, vals [][]any) *evalTable {
	replaced := map[string]bool{}
	for _, n := range names {
		replaced[n] = true
	}
	var idx []int
	for i, c := range t.cols {
		if !replaced[c.Name] {
			idx = append(idx, i)
		}
	}
	out := projectColumns(t, idx)
	for _, n := range names {
		out.cols = append(out.cols, Column{Name: n, Type: TypeKeyword})
	}
	for i, r := range out.rows {
		r.vals = append(r.vals, vals[i]...)
	}
	return out
}

// fork runs each branch on the input rows and stacks their outputs, with
// a _fork column naming the branch (fork1, fork2, ...) and the union of
// the branches' columns.
func (ev *queryRunner) fork(t *evalTable, x *Fork) (*evalTable, error) {
	var outs []*evalTable
	var names []string
	seen := map[string]bool{}
	for i, b := range x.Branches {
		in := &evalTable{cols: t.cols, rows: append([]*evalRow(nil), t.rows...)}
		o, err := ev.pipeline(in, b.Commands)
		if err != nil {
			return nil, err
		}
		o = addColumns(o, []string{"_fork"}, constRows(len(o.rows), "fork"+strconv.Itoa(i+1)))
		for _, c := range o.cols {
			if !seen[c.Name] {
				seen[c.Name] = true
				names = append(names, c.Name)
			}
		}
		outs = append(outs, o)
	}
	res := &evalTable{}
	for _, n := range names {
		res.cols = append(res.cols, Column{Name: n})
	}
	for _, o := range outs {
		for _, r := range o.rows {
			nr := &evalRow{doc: r.doc, vals: make([]any, len(names))}
			for i, n := range names {
				if j := o.colIndex(n); j >= 0 {
					nr.vals[i] = r.vals[j]
				}
			}
			res.rows = append(res.rows, nr)
		}
	}
	for i, n := range names {
		for _, o := range outs {
			if j := o.colIndex(n); j >= 0 && o.cols[j].Type != "" {
				res.cols[i].Type = o.cols[j].Type
				break
			}
		}
	}
	return res, nil
}

// constRows is a column of one value for n rows.
func constRows(n int, v any) [][]any {
	out := make([][]any, n)
	for i := range out {
		out[i] = []any{v}
	}
	return out
}
