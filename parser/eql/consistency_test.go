package eql

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
)

// testTypes types the fields of the consistency tests by name.
var testTypes = estype.ByName(testTypeName)

func testTypeName(field string) string {
	switch {
	case strings.HasSuffix(field, ".ip"):
		return "ip"
	case strings.HasSuffix(field, "pid"), strings.HasSuffix(field, "port"), strings.HasSuffix(field, "count"):
		return "long"
	case strings.HasSuffix(field, "ratio"):
		return "double"
	case strings.HasSuffix(field, "trusted"):
		return "boolean"
	case field == "@timestamp":
		return "date"
	}
	return "keyword"
}

// holds evaluates a constraint formula on a document the way the
// constraint package defines it: a predicate holds when a value of its
// field satisfies it; a negated one when none does.
func holds(e constraint.Expr, doc map[string]any, types Types) bool {
	switch x := e.(type) {
	case *constraint.Bool:
		return x.V
	case *constraint.And:
		for _, y := range x.X {
			if !holds(y, doc, types) {
				return false
			}
		}
		return true
	case *constraint.Or:
		for _, y := range x.X {
			if holds(y, doc, types) {
				return true
			}
		}
		return false
	case *constraint.Not:
		return !holds(x.X, doc, types)
	case *constraint.Pred:
		return predHolds(x, newEvaluator(doc, types)) != x.Neg
	}
	panic(fmt.Sprintf("unknown node %T", e))
}

func constValue(v constraint.Value) value {
	switch v.Kind {
	case constraint.KindString:
		return strVal(v.Str)
	case constraint.KindNumber:
		if n, ok := parseNumber(v.Str); ok {
			return n
		}
		return numVal(v.Num)
	case constraint.KindBool:
		return boolVal(v.Bool)
	}
	return null
}

func predHolds(p *constraint.Pred, ev *evaluator) bool {
	vals := ev.values(p.Field)
	if p.Op == constraint.Exists {
		return len(vals) > 0
	}
	for _, v := range vals {
		s, _ := toString(v)
		ok := false
		switch p.Op {
		case constraint.Eq:
			ok = equal(v, constValue(p.Value), p.CI)
		case constraint.Like:
			ok = p.Pattern.Match(s, p.CI)
		case constraint.Regex:
			ok = regexMatch(p.Regex, p.CI, s)
		case constraint.Lt, constraint.Le, constraint.Gt, constraint.Ge:
			c, cmp := compare(v, constValue(p.Value))
			ok = cmp && map[constraint.Op]bool{constraint.Lt: c < 0, constraint.Le: c <= 0, constraint.Gt: c > 0, constraint.Ge: c >= 0}[p.Op]
		case constraint.CIDR:
			pre, _ := parseCIDR(p.Value.Str)
			addr := v.ip
			if v.k == vStr {
				a, err := netip.ParseAddr(v.s)
				if err != nil {
					continue
				}
				addr = a.Unmap()
			}
			ok = (v.k == vIP || v.k == vStr) && pre.Contains(addr)
		case constraint.Len:
			n := float64(utf8.RuneCountInString(s))
			k := p.Value.Num
			ok = map[constraint.Op]bool{constraint.Eq: n == k, constraint.Lt: n < k, constraint.Le: n <= k, constraint.Gt: n > k, constraint.Ge: n >= k}[p.Cmp]
		case constraint.Rel:
			for _, w := range ev.values(p.Other) {
				t, _ := toString(w)
				a, b := s, t
				if p.CI {
					a, b = string(lowerRunes(a)), string(lowerRunes(b))
				}
				switch p.Rel {
				case constraint.RelEq:
					ok = equal(v, w, p.CI)
				case constraint.RelContains:
					ok = strings.Contains(a, b)
				case constraint.RelPrefix:
					ok = strings.HasPrefix(a, b)
				case constraint.RelSuffix:
					ok = strings.HasSuffix(a, b)
				default:
					c, cmp := compare(v, w)
					ok = cmp && map[constraint.RelKind]bool{constraint.RelLt: c < 0, constraint.RelLe: c <= 0, constraint.RelGt: c > 0, constraint.RelGe: c >= 0}[p.Rel]
				}
				if ok {
					break
				}
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// docGen draws documents whose field values come from a query's own
// constants and variations of them, so that conditions are often true and
// often false.
type docGen struct {
	r      *rand.Rand
	fields []string
	strs   []string
	nums   []float64
	arrays bool
}

func newDocGen(q *Query, seed uint64, arrays bool) *docGen {
	g := &docGen{r: rand.New(rand.NewPCG(seed, 7)), arrays: arrays}
	seen := map[string]bool{}
	addStr := func(s string) {
		if !seen[s] {
			seen[s] = true
			g.strs = append(g.strs, s)
		}
	}
	for _, st := range q.Steps {
		for _, f := range Fields(st.Cond) {
			g.fields = append(g.fields, f)
		}
		Walk(st.Cond, func(e Expr) bool {
			l, ok := e.(*Literal)
			if !ok {
				return true
			}
			switch l.Kind {
			case LitString:
				s := l.Str
				r := []rune(s)
				for _, v := range []string{s, strings.ToUpper(s), strings.ToLower(s), "x" + s, s + "y", "ab" + s + "cd", s + s} {
					addStr(v)
				}
				for i := 0; i <= len(r); i++ {
					addStr(string(r[:i]))
					addStr(string(r[i:]))
					if i < len(r) {
						addStr(string(r[:i]) + string(r[i+1:]))
					}
				}
				// Pattern characters taken literally, and a value with them.
				addStr(strings.NewReplacer("*", "zz", "?", "q").Replace(s))
			case LitInt:
				g.nums = append(g.nums, float64(l.Int))
			case LitFloat:
				g.nums = append(g.nums, l.Float)
			}
			return true
		})
	}
	for _, s := range []string{"", "a", "A", "abc", "10.1.2.3", "192.168.1.1", "::1", "5", "  7 ", "0x1f", "-3"} {
		addStr(s)
	}
	base := append([]float64(nil), g.nums...)
	for _, n := range base {
		for _, v := range []float64{n - 1, n + 1, n * 2, n / 2, -n, n*2 + 1, n*3 - 1, n * 3, -n * 3, -n*2 - 1, -n * 2} {
			g.nums = append(g.nums, v)
		}
	}
	g.nums = append(g.nums, 0, 1, -1, 2.5)
	return g
}

func (g *docGen) value(field string) any {
	switch testTypeName(field) {
	case "long":
		if g.r.IntN(5) == 0 {
			return strconv.Itoa(g.r.IntN(20) - 5)
		}
		n := g.nums[g.r.IntN(len(g.nums))]
		return float64(int64(n))
	case "double":
		return g.nums[g.r.IntN(len(g.nums))]
	case "ip":
		ips := []string{"10.1.2.3", "192.168.1.1", "8.8.8.8", "::1", "fe80::1", "2001:db8::5", "127.0.0.1"}
		return ips[g.r.IntN(len(ips))]
	case "boolean":
		return g.r.IntN(2) == 0
	}
	if g.r.IntN(8) == 0 && len(g.nums) > 0 {
		return g.nums[g.r.IntN(len(g.nums))]
	}
	s := g.strs[g.r.IntN(len(g.strs))]
	for g.r.IntN(5) == 0 {
		// Mix values, to reach the middle of patterns.
		s += g.strs[g.r.IntN(len(g.strs))]
	}
	return s
}

func (g *docGen) doc(category string) map[string]any {
	doc := map[string]any{}
	if category != "" && g.r.IntN(8) != 0 {
		doc["event"] = map[string]any{"category": []any{category}}
	}
	for _, f := range g.fields {
		switch n := g.r.IntN(10); {
		case n < 2:
			// missing
		case n == 2 && g.arrays:
			doc[f] = []any{g.value(f), g.value(f)}
		default:
			doc[f] = g.value(f)
		}
	}
	return doc
}

// consistencyTests are conditions whose lowering must agree with the
// evaluator on every document (exact), or at least imply it (sound: the
// lowering approximates from the safe side).
var consistencyTests = []struct {
	query  string
	exact  bool
	arrays bool // multi-valued fields keep the equivalence
}{
	{`process where process.name == "cmd.exe"`, true, true},
	{`process where process.name != "cmd.exe"`, true, true},
	{`process where process.name : "CMD*"`, true, true},
	{`process where process.name : ("a*", "*b", "?bc")`, true, true},
	{`process where process.name like "a*"`, true, true},
	{`process where process.name like~ ("A?c", "ab")`, true, true},
	{`process where process.name regex "a[b-z]*c?"`, true, true},
	{`process where process.name regex~ ("A.*", "xab")`, true, true},
	{`process where process.name in ("abc", "a")`, true, true},
	{`process where process.name in~ ("ABC", "a")`, true, true},
	{`process where process.name not in ("abc", "a")`, true, true},
	{`process where process.name not in~ ("ABC")`, true, true},
	{`process where process.name == null`, true, true},
	{`process where process.name != null`, true, true},
	{`process where not process.name : "a*" and process.title like "*c"`, true, true},
	{`process where process.name : "a*" or not (process.title == "abc" and process.name != "x")`, true, true},
	{`process where process.pid == 5`, true, true},
	{`process where process.pid != 5`, true, true},
	{`process where process.pid < 5 and process.pid >= -1`, true, true},
	{`process where 3 < process.pid`, true, true},
	{`process where process.pid in (1, 2, 5)`, true, true},
	{`process where process.ratio > 2.5`, true, true},
	{`process where process.trusted`, true, true},
	{`process where process.trusted == false`, true, true},
	{`process where not process.trusted`, true, true},
	{`process where process.name > "abc"`, true, true},
	{`process where process.pid + 1 == 6`, true, false},
	{`process where process.pid - 1 > 4`, true, false},
	{`process where 10 - process.pid <= 4`, true, false},
	{`process where process.pid * 2 == 10`, true, false},
	{`process where process.pid * -2 < 10`, true, false},
	{`process where -process.pid == 5`, true, false},
	{`process where add(process.pid, 2) > 3`, true, false},
	{`process where subtract(10, process.pid) == 5`, true, false},
	{`process where multiply(process.pid, 0) == 0`, true, false},
	{`process where process.pid / 2 == 2`, false, false},
	{`process where not process.pid / 2 == 2`, false, false},
	{`process where process.pid / -2 >= 1`, false, false},
	{`process where divide(process.pid, 3) < -1`, false, false},
	{`process where process.ratio / 2.0 > 1.5`, true, false},
	{`process where process.name / 2 == 2`, false, false},
	{`process where not process.name / 2 > 1`, false, false},
	{`process where length(process.name) > 3`, true, false},
	{`process where length(process.name) == 0`, true, false},
	{`process where length(process.name) != 3`, true, false},
	{`process where length(substring(process.name, 1)) == 2`, true, false},
	{`process where startsWith(process.name, "ab")`, true, true},
	{`process where startsWith~(process.name, "AB")`, true, true},
	{`process where endsWith(process.name, "bc")`, true, true},
	{`process where endsWith~(process.name, "BC")`, true, true},
	{`process where stringContains(process.name, "b")`, true, true},
	{`process where stringContains~(process.name, "B")`, true, true},
	{`process where stringContains(process.name, "")`, true, true},
	{`process where not stringContains(process.name, "b")`, true, true},
	{`process where startsWith("abcdef", process.name)`, true, true},
	{`process where endsWith~("ABCdef", process.name)`, true, true},
	{`process where stringContains("abcdef", process.name)`, true, true},
	{`process where wildcard(process.name, "a*", "*c")`, true, true},
	{`process where wildcard~(process.name, "A?C")`, true, true},
	{`process where cidrMatch(source.ip, "10.0.0.0/8", "::1")`, true, true},
	{`process where not cidrMatch(source.ip, "192.168.0.0/16")`, true, true},
	{`process where cidrMatch(source.ip, "10.0.0.0/8") == false`, true, true},
	{`process where substring(process.name, 1) == "bc"`, true, false},
	{`process where substring(process.name, 0, 2) == "ab"`, true, false},
	{`process where substring(process.name, -2) == "bc"`, true, false},
	{`process where substring(process.name, -3, -1) : "AB"`, true, false},
	{`process where substring(process.name, 1, -1) == "b"`, true, false},
	{`process where substring(process.name, -2, 3) == "c"`, true, false},
	{`process where substring(process.name, 2, 1) == ""`, true, false},
	{`process where substring(process.name, 1, 3) : "b*"`, true, false},
	{`process where substring(process.name, 1) regex "b.*"`, true, false},
	{`process where substring(process.name, 0, 1) in ("a", "x")`, true, false},
	{`process where between(process.name, "a", "c") == "b"`, true, false},
	{`process where between(process.name, "a", "c") == ""`, true, false},
	{`process where between(process.name, "a", "c", true) : "B*"`, true, false},
	{`process where between~(process.name, "A", "C") == "b"`, true, false},
	{`process where between~(process.name, "A", "C") : "b"`, true, false},
	{`process where between(process.name, "", "c") == "abc"`, true, false},
	{`process where between(process.name, "-", "/") regex~ "AB?"`, true, false},
	{`process where between~(process.name, "A", "C") like "b*"`, true, false},
	{`process where not between(process.name, "x", "y") == "ab"`, true, false},
	{`process where indexOf(process.name, "b") == 1`, true, false},
	{`process where indexOf(process.name, "b") > 0`, true, false},
	{`process where indexOf(process.name, "b", 2) <= 3`, true, false},
	{`process where indexOf~(process.name, "B") == 1`, true, false},
	{`process where indexOf(process.name, "b") == null`, true, false},
	{`process where indexOf(process.name, "b") != null`, true, false},
	{`process where indexOf(process.name, "") == 0`, true, false},
	{`process where concat(process.name, "x") == "abcx"`, true, false},
	{`process where concat("x", process.name, "y") : "X*Y"`, true, false},
	{`process where concat(process.name, "-", process.title) == "a-b-c"`, true, false},
	{`process where concat(process.name, 1) == "abc1"`, true, false},
	{`process where concat(process.name, null) == "abc"`, true, false},
	{`process where string(process.pid) == "5"`, true, false},
	{`process where number(process.name) == 5`, false, false},
	{`process where not number(process.name) > 2`, false, false},
	{`process where number(process.name) >= -3 and number(process.name) < 7`, false, false},
	{`process where process.name == process.title`, true, false},
	{`process where process.name in~ (process.title, "abc")`, true, false},
	{`process where process.pid < process.parent.pid`, true, false},
	{`process where startsWith(process.name, process.title)`, true, false},
	{`process where endsWith~(process.name, process.title)`, true, false},
	{`process where stringContains(process.name, process.title)`, true, false},
	{`process where indexOf(process.name, process.title) == null`, true, false},
	{`process where startsWith(process.name, "a") == true and cidrMatch(source.ip, "10.0.0.0/8") != true`, true, true},
	{`process where (process.pid > 3) == false`, true, true},
	{`process where (process.name : "a*") in (true)`, true, true},
	{`any where process.name == "abc"`, true, true},
	{`"process" where 1 == 1 and process.name : "a*"`, true, true},
	{`process where 1 > 2 or process.name == "a"`, true, true},
}

func TestLoweringAgreesWithEvaluator(t *testing.T) {
	const docs = 1500
	for i, tc := range consistencyTests {
		q, err := Parse(tc.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.query, err)
			continue
		}
		cq, err := q.Constraints()
		if err != nil {
			t.Errorf("%q: Constraints: %v", tc.query, err)
			continue
		}
		cond := cq.Events[0].Cond
		g := newDocGen(q, uint64(i), tc.arrays)
		agree, matches := 0, 0
		for n := 0; n < docs; n++ {
			doc := g.doc(q.Steps[0].Category)
			want := MatchEvent(q, 0, doc, testTypes)
			got := holds(cond, doc, testTypes)
			if want {
				matches++
			}
			switch {
			case got == want:
				agree++
			case got && !want:
				t.Errorf("%q: the constraints hold but the query does not match\n  constraints: %s\n  document: %v", tc.query, cond, doc)
			case tc.exact:
				t.Errorf("%q: the query matches but the constraints do not hold\n  constraints: %s\n  document: %v", tc.query, cond, doc)
			}
			if t.Failed() && n > 0 && agree < n {
				break
			}
		}
		if _, constant := cond.(*constraint.Bool); !constant && (matches == 0 || matches == docs) {
			t.Logf("%q: %d of %d documents match; the test says little", tc.query, matches, docs)
		}
	}
}
