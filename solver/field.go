package solver

import (
	"math/rand/v2"
	"strings"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/schema"
)

// newDomain returns the whole domain of a field's type, with the ranges a
// field of that name can hold (ports 1..65535, pids > 0). With scalar, a
// field holds one value, never a list.
func newDomain(f schema.Field, scalar bool) domain {
	name := f.Name
	last := name[strings.LastIndexByte(name, '.')+1:]
	var base domain
	switch f.Type.Family() {
	case estype.IntegerFamily:
		lo, hi, _ := f.Type.IntBounds()
		plo, phi := int64(0), int64(10000)
		switch {
		case last == "port":
			lo, hi = max(lo, 1), min(hi, 65535)
			plo, phi = 1, 65535
		case last == "pid" || last == "ppid" || last == "pgid" || last == "tid":
			// 0 is real: the kernel's idle process on Windows.
			lo = max(lo, 0)
			plo, phi = 100, 65535
		case strings.HasSuffix(last, "bytes"):
			lo = max(lo, 0)
			plo, phi = 40, 1<<20
		case last == "packets" || last == "count" || strings.HasSuffix(last, "_count") || last == "size":
			lo = max(lo, 0)
			plo, phi = 1, 5000
		case last == "code" || last == "status_code":
			plo, phi = 100, 599
		}
		plo, phi = max(plo, lo), min(phi, hi)
		if plo > phi {
			plo, phi = lo, hi
		}
		d := newIntDomain(name, f.Type, lo, hi, plo, phi)
		if f.Type == estype.TokenCount {
			// Elasticsearch indexes the number of words of the string.
			d.plausLo, d.plausHi = 1, 12
			d.words = true
		}
		base = d
	case estype.FloatFamily:
		lo, hi, _ := f.Type.Bounds()
		plo, phi := 0.0, 100.0
		if last == "entropy" {
			phi = 8
		}
		base = newFloatDomain(name, f.Mapping(), lo, hi, plo, phi)
	case estype.DateFamily:
		res := date.ResolutionOf(f.Type)
		d := newIntDomain(name, f.Type, 0, dateDomainMax(res), 0, 0) // from 1970
		d.date, d.res = true, res
		base = d
	case estype.IPFamily:
		base = newIPDomain(name)
	case estype.BooleanFamily:
		base = &boolDomain{field: name, allowT: true, allowF: true}
	case estype.GeoFamily:
		base = &geoDomain{field: name}
	case estype.ObjectFamily:
		base = &objDomain{field: name, keyType: f.ObjectType}
	case estype.TextFamily:
		base = newTextDomain(name)
	default:
		// keyword, constant_keyword, wildcard, flattened, version and
		// unknown types hold strings.
		s := newKeywordDomain(name)
		if len(f.AllowedValues) > 0 {
			s.allowed = f.AllowedValues
		}
		base = s
	}
	// Tags are lists wherever they live (signal.rule.tags, threat tags).
	if !scalar && (f.Array || last == "tags") {
		return &arrDomain{field: name, base: base}
	}
	return base
}

// arrDomain is the domain of an array field: each positive predicate must
// hold for some element, each negative one for every element. Predicates
// share an element when they can, else a new element is added.
type arrDomain struct {
	field string
	base  domain   // the type's domain with every negative predicate
	elems []domain // one per element to emit
}

func (d *arrDomain) hasValue() bool { return len(d.elems) > 0 }

func (d *arrDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	c := &arrDomain{field: d.field, base: d.base}
	if p.Neg {
		b, conf := d.base.with(p, env)
		if conf != nil {
			return nil, conf
		}
		c.base = b
		for _, e := range d.elems {
			e2, conf := e.with(p, env)
			if conf != nil {
				return nil, conf
			}
			c.elems = append(c.elems, e2)
		}
		return c, nil
	}
	if p.Op == constraint.Exists {
		c.elems = d.elems
		if len(c.elems) == 0 {
			c.elems = []domain{d.base}
		}
		return c, nil
	}
	for i, e := range d.elems {
		if e2, conf := e.with(p, env); conf == nil {
			c.elems = append(append(append([]domain(nil), d.elems[:i]...), e2), d.elems[i+1:]...)
			return c, nil
		}
	}
	e, conf := d.base.with(p, env)
	if conf != nil {
		return nil, conf
	}
	c.elems = append(append([]domain(nil), d.elems...), e)
	return c, nil
}

func (d *arrDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	dst = append(dst, '[')
	elems := d.elems
	if len(elems) == 0 {
		elems = []domain{d.base}
	}
	// An argument vector starts with its program, as a process sees it,
	// when every element may be the program (the query forbids none).
	argv0 := d.argv0(g)
	var prog []byte
	if argv0 != "" {
		lo := len(dst)
		dst = document.AppendString(dst, argv0)
		prog = dst[lo:]
	}
	for i, e := range elems {
		if i > 0 || argv0 != "" {
			dst = append(dst, ',')
		}
		lo := len(dst)
		var err error
		if dst, err = e.generate(r, dst, g); err != nil {
			return nil, err
		}
		if argv0 != "" && sameProgram(dst[lo:], prog) {
			// An element the query leaves free drew the event's program
			// again: an argument of its own instead.
			g.notOwn = true
			dst, err = e.generate(r, dst[:lo], g)
			g.notOwn = false
			if err != nil {
				return nil, err
			}
		}
	}
	return append(dst, ']'), nil
}

// argv0 is the program to put before the elements of an argument vector:
// the one the field is related to, else the event's own (Values), when
// the domain admits it as an element and no element already is it.
func (d *arrDomain) argv0(g *genCtx) string {
	if len(d.elems) == 0 {
		return "" // the one element drawn is the event's own value
	}
	prog := g.argv0
	if prog == "" && g.values != nil && strings.HasSuffix(d.field, ".args") {
		prog, _ = g.values.Value(d.field, g.drawn)
	}
	base, isStr := d.base.(*strDomain)
	if prog == "" || !isStr || !base.matches(prog) {
		return ""
	}
	for _, e := range d.elems {
		if es, ok := e.(*strDomain); ok && es.exact != nil && *es.exact == prog {
			return ""
		}
	}
	return prog
}

// sameProgram reports whether two JSON strings name one program: equal
// base names ("/usr/bin/tcsh" and "tcsh").
func sameProgram(a, b []byte) bool {
	x, _ := document.Text(a)
	y, _ := document.Text(b)
	x = x[strings.LastIndexAny(x, `/\`)+1:]
	y = y[strings.LastIndexAny(y, `/\`)+1:]
	return x != "" && strings.EqualFold(x, y)
}
