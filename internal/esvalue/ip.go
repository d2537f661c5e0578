package esvalue

import (
	"net/netip"

	"github.com/emit-sec/emit/es/ipaddr"
)

// ParseIP reads an address as Elasticsearch stores it (es/ipaddr): 16
// bytes, IPv4 as IPv4-mapped IPv6.
func ParseIP(s string) ([16]byte, bool) {
	a, ok := ipaddr.Parse(s)
	return a.As16(), ok
}

// MatchIP reports whether the stored address a matches the query value q,
// an address or (with a "/") a CIDR block; ok is false when q is neither.
func MatchIP(q string, a [16]byte) (match, ok bool) {
	p, ok := ipaddr.ParseBlock(q)
	return ok && p.Contains(netip.AddrFrom16(a)), ok
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
