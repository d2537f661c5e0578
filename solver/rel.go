package solver

import (
	"strconv"
	"strings"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/es/wildcard"
)

// scalarOf reads a drawn JSON value as text (strings unquoted), and whether
// it is a number. Arrays give their first element.
func scalarOf(raw []byte) (string, bool) {
	v, _ := document.Text(raw)
	isNum := len(raw) > 0 && raw[0] != '"' && raw[0] != '['
	if len(raw) > 0 && raw[0] == '[' && len(raw) > 1 {
		isNum = raw[1] != '"'
	}
	return v, isNum
}

// otherValue is the other field's value as the relation sees it: a part
// of it with OtherSlice.
func otherValue(p *constraint.Pred, other []byte) (string, bool) {
	v, isNum := scalarOf(other)
	if p.OtherSlice != nil {
		return p.OtherSlice.Apply(v), false
	}
	return v, isNum
}

// relPred turns a relation to another field's drawn value into a predicate
// on this field.
func relPred(p *constraint.Pred, other []byte) *constraint.Pred {
	v, isNum := otherValue(p, other)
	q := &constraint.Pred{Field: p.Field, CI: p.CI, Span: p.Span}
	switch p.Rel {
	case constraint.RelContains:
		q.Op, q.Pattern = constraint.Like, wildcard.Contains(v)
	case constraint.RelPrefix:
		q.Op, q.Pattern = constraint.Like, wildcard.Prefix(v)
	case constraint.RelSuffix:
		q.Op, q.Pattern = constraint.Like, wildcard.Suffix(v)
	case constraint.RelCommand:
		// The program, quoted when it holds a space, then nothing or
		// arguments after a space. A program given by its bare name
		// (process.name) runs from a path ending in it, or bare.
		prog := regexp.Quote(v)
		if !strings.ContainsAny(v, `/\`) {
			prog = `([^ "]*[/\\])?` + prog
			if strings.ContainsRune(v, ' ') {
				prog = `"([^"]*[/\\])?` + regexp.Quote(v) + `"`
			}
		} else if strings.ContainsRune(v, ' ') {
			prog = regexp.Quote(`"` + v + `"`)
		}
		q.Op, q.Regex = constraint.Regex, prog+"( .*)?"
	case constraint.RelPathEnd:
		// A path of one operating system's kind: separators are all
		// slashes or all backslashes.
		end := regexp.Quote(v)
		q.Op, q.Regex = constraint.Regex, `([^\\]*/)?`+end+`|([^/]*\\)?`+end
		if !strings.ContainsAny(v, `/\`) {
			q.Regex = `[^\\]*/` + end + `|[^/]*\\` + end
		}
	case constraint.RelExtension:
		q.Op, q.Pattern = constraint.Like, wildcard.Suffix("."+v)
	default:
		q.Op = map[constraint.RelKind]constraint.Op{
			constraint.RelLt: constraint.Lt, constraint.RelLe: constraint.Le,
			constraint.RelGt: constraint.Gt, constraint.RelGe: constraint.Ge,
			constraint.RelEq: constraint.Eq,
		}[p.Rel]
		q.Value = constraint.String(v)
		if isNum {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q.Value = constraint.Number(f)
			}
		}
	}
	return q
}

// relHolds evaluates a relation between two drawn values.
func relHolds(p *constraint.Pred, a, b []byte) bool {
	x, xNum := scalarOf(a)
	y, yNum := otherValue(p, b)
	if p.CI {
		x, y = strings.ToLower(x), strings.ToLower(y)
	}
	switch p.Rel {
	case constraint.RelEq:
		return x == y
	case constraint.RelContains:
		return strings.Contains(x, y)
	case constraint.RelPrefix:
		return strings.HasPrefix(x, y)
	case constraint.RelSuffix:
		return strings.HasSuffix(x, y)
	case constraint.RelCommand:
		prog, ok := commandProgram(x)
		if !ok {
			return false
		}
		if !strings.ContainsAny(y, `/\`) {
			prog = prog[strings.LastIndexAny(prog, `/\`)+1:]
		}
		return prog == y
	case constraint.RelPathEnd:
		return strings.HasSuffix(x, "/"+y) || strings.HasSuffix(x, `\`+y)
	case constraint.RelExtension:
		return strings.HasSuffix(x, "."+y)
	case constraint.RelArgv0:
		return x == y // scalarOf reads an array's first element
	}
	c := strings.Compare(x, y)
	if xNum && yNum {
		fx, e1 := strconv.ParseFloat(x, 64)
		fy, e2 := strconv.ParseFloat(y, 64)
		if e1 == nil && e2 == nil {
			switch {
			case fx < fy:
				c = -1
			case fx > fy:
				c = 1
			default:
				c = 0
			}
		}
	}
	switch p.Rel {
	case constraint.RelLt:
		return c < 0
	case constraint.RelLe:
		return c <= 0
	case constraint.RelGt:
		return c > 0
	case constraint.RelGe:
		return c >= 0
	}
	return false
}
