// Package ipaddr is how Elasticsearch reads the values of ip fields and
// the addresses and CIDR blocks of queries: IPv4 dotted quads and IPv6
// addresses (no zone), stored as 16 bytes with IPv4 as IPv4-mapped IPv6,
// so that one order and one block arithmetic hold for both families
// (::ffff:10.0.0.1 is 10.0.0.1, and ::/0 holds every IPv4 address).
//
// The solver reads query values with it to build its ranges, and the
// evaluators read documents and queries with it.
package ipaddr

import (
	"net/netip"
	"strings"
)

// Parse reads an address in its 16-byte form. Addresses with a zone
// ("fe80::1%eth0") are refused, as Elasticsearch refuses them.
func Parse(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16(a.As16()), true
}

// ParseCIDR reads a CIDR block ("10.0.0.0/8", "2001:db8::/32") as a prefix
// of the 16-byte space: an IPv4 block of n bits is the IPv4-mapped block of
// 96+n bits. The address is masked to the block.
func ParseCIDR(s string) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(s)
	if err != nil || p.Addr().Zone() != "" {
		return netip.Prefix{}, false
	}
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	return netip.PrefixFrom(netip.AddrFrom16(p.Addr().As16()), bits).Masked(), true
}

// ParseBlock reads a CIDR block, or an address as the block of that one
// address: what a term query on an ip field and EQL's cidrMatch accept.
func ParseBlock(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		return ParseCIDR(s)
	}
	a, ok := Parse(s)
	if !ok {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, 128), true
}

// Display is the address as Elasticsearch shows it: IPv4-mapped addresses
// in dotted quads.
func Display(a netip.Addr) string { return a.Unmap().String() }
