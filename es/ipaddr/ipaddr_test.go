package ipaddr

import (
	"net/netip"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		ok   bool
		show string
	}{
		{"10.0.0.1", true, "10.0.0.1"},
		{"::ffff:10.0.0.1", true, "10.0.0.1"},
		{"2001:db8::1", true, "2001:db8::1"},
		{"::", true, "::"},
		{"010.0.0.1", false, ""}, // no leading zeros
		{"10.0.0", false, ""},
		{"fe80::1%eth0", false, ""},
		{" 10.0.0.1", false, ""},
		{"", false, ""},
	}
	for _, tt := range tests {
		a, ok := Parse(tt.in)
		if ok != tt.ok || ok && (Display(a) != tt.show || !a.Is6()) {
			t.Errorf("Parse(%q) = %v, %v", tt.in, a, ok)
		}
	}
}

func TestBlocks(t *testing.T) {
	tests := []struct {
		block, addr string
		in          bool
	}{
		{"10.0.0.0/8", "10.255.1.2", true},
		{"10.0.0.0/8", "11.0.0.0", false},
		{"10.1.2.3/8", "10.9.9.9", true}, // masked
		{"::/0", "192.168.1.1", true},    // IPv4 lives in the IPv6 space
		{"::ffff:0:0/96", "8.8.8.8", true},
		{"2001:db8::/32", "2001:db8:ffff::1", true},
		{"2001:db8::/32", "10.0.0.1", false},
		{"10.0.0.1", "10.0.0.1", true},
		{"10.0.0.1", "::ffff:10.0.0.1", true},
		{"10.0.0.1", "10.0.0.2", false},
	}
	for _, tt := range tests {
		p, ok := ParseBlock(tt.block)
		if !ok {
			t.Errorf("ParseBlock(%q) failed", tt.block)
			continue
		}
		a, _ := Parse(tt.addr)
		if p.Contains(a) != tt.in {
			t.Errorf("%s contains %s: %v, want %v", tt.block, tt.addr, p.Contains(a), tt.in)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "::/129", "10.0.0.0/", "x/8", "fe80::%1/64"} {
		if p, ok := ParseBlock(bad); ok {
			t.Errorf("ParseBlock(%q) = %v", bad, p)
		}
	}
	if p, _ := ParseCIDR("10.0.0.0/8"); p != netip.MustParsePrefix("::ffff:10.0.0.0/104") {
		t.Errorf("10.0.0.0/8 = %v", p)
	}
}
