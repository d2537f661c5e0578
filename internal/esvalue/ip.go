package esvalue

import (
	"net/netip"
	"strings"
)

// ParseIP reads an address as Elasticsearch stores it: 16 bytes, IPv4 as
// IPv4-mapped IPv6. Addresses with a zone are refused.
func ParseIP(s string) ([16]byte, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return [16]byte{}, false
	}
	return a.As16(), true
}

// ParseCIDR reads a CIDR block as a 16-byte prefix (IPv4 blocks as mapped
// IPv6 blocks, so that IPv6 blocks such as ::/0 hold IPv4 addresses too).
func ParseCIDR(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	return netip.PrefixFrom(netip.AddrFrom16(p.Addr().As16()), bits).Masked(), true
}

// MatchIP reports whether the stored address a matches the query value q,
// an address or (with a "/") a CIDR block; ok is false when q is neither.
func MatchIP(q string, a [16]byte) (match, ok bool) {
	if strings.Contains(q, "/") {
		p, ok := ParseCIDR(q)
		return ok && p.Contains(netip.AddrFrom16(a)), ok
	}
	b, ok := ParseIP(q)
	return ok && a == b, ok
}

// CompareIP orders addresses as Elasticsearch does (as IPv6 bytes).
func CompareIP(a, b [16]byte) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
