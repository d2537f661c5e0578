package solver

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"sync"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/ipaddr"
	"github.com/emit-sec/emit/internal/interval"
	"github.com/emit-sec/emit/solver/automaton"
)

// ipDomain is the domain of an ip field: a set of 128-bit addresses, IPv4
// mapped into ::ffff:0:0/96.
type ipDomain struct {
	field    string
	set      interval.Set[interval.U128]
	narrowed bool
	preds    []*constraint.Pred
	// text, when not nil, is what the address's string form (es/ipaddr's
	// Display) must match: the regular expressions of the predicates (an
	// ES|QL query's TO_STRING(ip) RLIKE ...), met with the IPv4 strings
	// (textV4), which is where generation draws from.
	text   *automaton.DFA
	textV4 *automaton.DFA
}

// ipv4Text is the automaton of dotted IPv4 addresses as es/ipaddr displays
// them (decimal octets without leading zeros).
var ipv4Text = sync.OnceValue(func() *automaton.DFA {
	octet := `(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`
	d, err := automaton.Regex(octet+`(\.`+octet+`){3}`, false)
	if err != nil {
		panic(err)
	}
	return d
})

var (
	v4Lo = u128(netip.MustParseAddr("0.0.0.0"))
	v4Hi = u128(netip.MustParseAddr("255.255.255.255"))
	// Unconstrained addresses come from these ranges: private and public
	// unicast IPv4.
	plausibleV4 = []interval.Range[interval.U128]{
		{Lo: u128(netip.MustParseAddr("10.0.0.0")), Hi: u128(netip.MustParseAddr("10.255.255.255"))},
		{Lo: u128(netip.MustParseAddr("172.16.0.0")), Hi: u128(netip.MustParseAddr("172.31.255.255"))},
		{Lo: u128(netip.MustParseAddr("192.168.0.0")), Hi: u128(netip.MustParseAddr("192.168.255.255"))},
		{Lo: u128(netip.MustParseAddr("11.0.0.1")), Hi: u128(netip.MustParseAddr("126.255.255.254"))},
		{Lo: u128(netip.MustParseAddr("128.0.0.1")), Hi: u128(netip.MustParseAddr("169.253.255.254"))},
		{Lo: u128(netip.MustParseAddr("193.0.0.1")), Hi: u128(netip.MustParseAddr("223.255.255.254"))},
	}
)

func newIPDomain(field string) *ipDomain {
	return &ipDomain{field: field, set: interval.Of(interval.U128{}, interval.U128{Hi: ^uint64(0), Lo: ^uint64(0)})}
}

func u128(a netip.Addr) interval.U128 {
	b := a.As16()
	return interval.U128{Hi: binary.BigEndian.Uint64(b[:8]), Lo: binary.BigEndian.Uint64(b[8:])}
}

func addrOf(x interval.U128) netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], x.Hi)
	binary.BigEndian.PutUint64(b[8:], x.Lo)
	return netip.AddrFrom16(b).Unmap()
}

// parseIPRange reads an address or a CIDR block (es/ipaddr) as a range.
func parseIPRange(s string) (interval.Set[interval.U128], bool) {
	p, ok := ipaddr.ParseBlock(s)
	if !ok {
		return interval.Set[interval.U128]{}, false
	}
	lo := u128(p.Addr())
	bits := p.Bits()
	var mask interval.U128
	if bits < 64 {
		mask = interval.U128{Hi: ^uint64(0) >> bits, Lo: ^uint64(0)}
	} else if bits < 128 {
		mask = interval.U128{Lo: ^uint64(0) >> (bits - 64)}
	}
	return interval.Of(lo, lo.Add(mask)), true
}

func (d *ipDomain) hasValue() bool { return d.narrowed }

func (d *ipDomain) with(p *constraint.Pred, env *env) (domain, *Conflict) {
	if p.Op == constraint.Exists {
		return d, nil
	}
	c := *d
	c.preds = append(append([]*constraint.Pred(nil), d.preds...), p)
	c.narrowed = true
	full := interval.U128{Hi: ^uint64(0), Lo: ^uint64(0)}
	var r interval.Set[interval.U128]
	op := p.Op
	val := p.Value
	if v, ok := literalValue(p); ok {
		op, val = constraint.Eq, v
	} else if p.Op == constraint.Like {
		// An IP wildcard such as 10.0.* : only prefixes of whole octets.
		return nil, conflictf(d.field, "wildcard %s on an ip field; use a CIDR block", p.Span.Text)
	} else if p.Op == constraint.Regex {
		return c.withText(p)
	}
	switch op {
	case constraint.Eq, constraint.CIDR:
		var ok bool
		if r, ok = parseIPRange(val.Str); !ok {
			if p.Neg {
				return d, nil
			}
			return nil, conflictf(d.field, "%s is not an IP address or CIDR block", val)
		}
	case constraint.Lt, constraint.Le, constraint.Gt, constraint.Ge:
		x, ok := parseIPRange(val.Str)
		if !ok || x.Min() != x.Max() {
			return nil, conflictf(d.field, "%s is not an IP address", val)
		}
		a := x.Min()
		switch op {
		case constraint.Lt:
			r = interval.Of(interval.U128{}, a.Pred())
			if a == (interval.U128{}) {
				r = interval.Set[interval.U128]{}
			}
		case constraint.Le:
			r = interval.Of(interval.U128{}, a)
		case constraint.Gt:
			r = interval.Of(a.Succ(), full)
			if a == full {
				r = interval.Set[interval.U128]{}
			}
		default:
			r = interval.Of(a, full)
		}
	default:
		return nil, conflictf(d.field, "%s cannot apply to an ip field", p.Span.Text)
	}
	if p.Neg {
		c.set = c.set.Subtract(r)
	} else {
		c.set = c.set.Intersect(r)
	}
	if c.set.IsEmpty() {
		return nil, emptyConflict(d.field, "empty solution space, ", c.preds)
	}
	return &c, nil
}

// withText adds a regular expression on the address's string form.
func (c *ipDomain) withText(p *constraint.Pred) (domain, *Conflict) {
	re, err := automaton.Regex(p.Regex, p.CI)
	if err != nil {
		return nil, conflictf(c.field, "%s: %v", p.Span.Text, err)
	}
	if p.Neg {
		re = automaton.Complement(re)
	}
	if c.text != nil {
		if re, err = automaton.Intersect(c.text, re); err != nil {
			return nil, conflictf(c.field, "%v", err)
		}
	}
	v4, err := automaton.Intersect(re, ipv4Text())
	if err != nil {
		return nil, conflictf(c.field, "%v", err)
	}
	c.text, c.textV4 = re, v4
	if v4.IsEmpty() {
		return nil, conflictf(c.field, "no IPv4 address is written as %s", describePreds(c.preds))
	}
	return c, nil
}

func (d *ipDomain) generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error) {
	// The context's own address (a threat indicator's) when the domain
	// allows it.
	if g != nil && g.values != nil && !g.notOwn {
		if v, ok := g.values.Value(g.field, g.drawn); ok {
			if a, err := netip.ParseAddr(v); err == nil && d.set.Contains(u128(a)) && (d.text == nil || d.text.Match(a.Unmap().String())) {
				dst = append(dst, '"')
				dst = a.Unmap().AppendTo(dst)
				return append(dst, '"'), nil
			}
		}
	}
	if d.text != nil {
		return d.generateText(r, dst)
	}
	s := d.set.Intersect(interval.Set[interval.U128]{R: plausibleV4})
	if s.IsEmpty() {
		s = d.set.Clamp(v4Lo, v4Hi)
	}
	if s.IsEmpty() {
		s = d.set
	}
	iv := s.R[r.IntN(len(s.R))]
	span := iv.Hi.Sub(iv.Lo)
	var off interval.U128
	if span.Hi == 0 {
		if span.Lo == ^uint64(0) {
			off.Lo = r.Uint64()
		} else {
			off.Lo = r.Uint64N(span.Lo + 1)
		}
	} else {
		off.Hi = r.Uint64N(span.Hi + 1)
		off.Lo = r.Uint64()
		if off.Hi == span.Hi && off.Lo > span.Lo {
			off.Lo = span.Lo
		}
	}
	a := addrOf(iv.Lo.Add(off))
	dst = append(dst, '"')
	dst = a.AppendTo(dst)
	return append(dst, '"'), nil
}

// generateText draws an address of the set whose string form matches the
// text automaton: from the set (plausible ranges first), else from the
// automaton's IPv4 strings.
func (d *ipDomain) generateText(r *rand.Rand, dst []byte) ([]byte, error) {
	plain := *d
	plain.text, plain.textV4 = nil, nil
	for range 64 {
		out, err := plain.generate(r, dst, nil)
		if err != nil {
			return dst, err
		}
		if d.text.Match(string(out[len(dst)+1 : len(out)-1])) {
			return out, nil
		}
	}
	w := automaton.NewWalker(d.textV4)
	for range 256 {
		s := w.Walk(r, nil, 0)
		a, ok := ipaddr.Parse(string(s))
		if ok && d.set.Contains(u128(a)) {
			dst = append(dst, '"')
			dst = append(dst, ipaddr.Display(a)...)
			return append(dst, '"'), nil
		}
	}
	return dst, conflictf(d.field, "no address found in %s", describePreds(d.preds))
}
