package emitter

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/schema"
)

// typedLiterals types the fields no schema knows by the literals the query
// compares them with: a field compared only with true or false is a
// boolean, one compared only with numbers a long (a double when a number
// has a fraction), as Elasticsearch's dynamic mapping would type the
// documents that carry them. KQL and Lucene write every literal as text
// (okta.security_context.is_proxy:true), so their unquoted text counts;
// EQL and ES|QL literals have their own types. Fields with any other
// comparison (a pattern, a quoted phrase, a string) stay keyword. sch is
// returned as is when there is nothing to type.
func typedLiterals(sch *schema.Schema, c *constraint.Query, lang query.Language) *schema.Schema {
	untyped := lang == query.KQL || lang == query.Lucene
	type evidence struct{ boolean, integer, fraction, other bool }
	seen := map[string]*evidence{}
	visit := func(p *constraint.Pred) {
		if strings.Contains(p.Field, "*") || p.Op == constraint.Exists {
			return
		}
		if f, ok := sch.Lookup(p.Field); ok && f.Known {
			return
		}
		if f := sch.Field(p.Field); f.Known {
			return
		}
		ev := seen[p.Field]
		if ev == nil {
			ev = &evidence{}
			seen[p.Field] = ev
		}
		switch p.Op {
		case constraint.Eq, constraint.Lt, constraint.Le, constraint.Gt, constraint.Ge:
		default:
			ev.other = true
			return
		}
		v := p.Value
		switch {
		case v.Kind == constraint.KindBool:
			ev.boolean = true
		case v.Kind == constraint.KindNumber:
			ev.integer = true
			ev.fraction = ev.fraction || v.Num != math.Trunc(v.Num)
		case v.Kind == constraint.KindString && untyped && !p.Phrase && (v.Str == "true" || v.Str == "false") && p.Op == constraint.Eq:
			ev.boolean = true
		case v.Kind == constraint.KindString && untyped && !p.Phrase:
			n, err := strconv.ParseFloat(v.Str, 64)
			if err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
				ev.other = true
				return
			}
			ev.integer = true
			ev.fraction = ev.fraction || n != math.Trunc(n)
		default:
			ev.other = true
		}
	}
	for _, e := range c.Events {
		constraint.EachPred(e.Cond, visit)
	}
	var typed []schema.Field
	for name, ev := range seen {
		var t estype.Type
		switch {
		case ev.other || ev.boolean && ev.integer:
			continue
		case ev.boolean:
			t = estype.Boolean
		case ev.fraction:
			t = estype.Double
		case ev.integer:
			t = estype.Long
		default:
			continue
		}
		typed = append(typed, schema.Field{Name: name, Type: t, Inferred: true})
	}
	if len(typed) == 0 {
		return sch
	}
	sort.Slice(typed, func(i, j int) bool { return typed[i].Name < typed[j].Name })
	out := sch.Clone()
	for _, f := range typed {
		out.Set(f)
	}
	return out
}
