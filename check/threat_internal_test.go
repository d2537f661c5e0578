package check

import (
	"strings"
	"testing"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/rules"
)

// TestMappingMatches: a group matches when each of its indicator fields
// holds one value that the event's field holds too (one of its values,
// addresses compared by value); otherwise the reason names the field.
func TestMappingMatches(t *testing.T) {
	mapping := [][]rules.ThreatMapEntry{
		{{Field: "source.ip", Value: "threat.indicator.ip"}},
		{{Field: "email.to.address", Value: "threat.indicator.email.address"}, {Field: "email.subject", Value: "threat.indicator.name"}},
	}
	types := estype.ByName(func(f string) string {
		if strings.HasSuffix(f, ".ip") {
			return string(estype.IP)
		}
		return string(estype.Keyword)
	})
	for _, tc := range []struct {
		ind, ev string
		want    string // "" matches, else a part of the reason
	}{
		{`{"threat":{"indicator":{"ip":"185.220.1.2"}}}`, `{"source":{"ip":"185.220.1.2"}}`, ""},
		{`{"threat":{"indicator":{"ip":"2a01:db8::1"}}}`, `{"source":{"ip":"2a01:0db8:0:0::1"}}`, ""},
		{`{"threat":{"indicator":{"ip":["185.220.1.2"]}}}`, `{"source":{"ip":"185.220.1.2"}}`, ""},
		{`{"threat":{"indicator":{"ip":["185.220.1.2","185.220.1.3"]}}}`, `{"source":{"ip":"185.220.1.2"}}`, "threat.indicator.ip has 2 values, not one"},
		{`{"threat":{"indicator":{"ip":"185.220.1.2"}}}`, `{"source":{"ip":"185.220.1.9"}}`, `source.ip does not hold threat.indicator.ip's value "185.220.1.2"`},
		{`{"threat":{"indicator":{"email":{"address":"a@b.top"},"name":"Lure"}}}`, `{"email":{"to":{"address":["x@acme.com","a@b.top"]},"subject":"Lure"}}`, ""},
		{`{"threat":{"indicator":{"email":{"address":"a@b.top"},"name":"Lure"}}}`, `{"email":{"to":{"address":["a@b.top"]},"subject":"lure"}}`, "email.subject does not hold"},
		{`{"threat":{"indicator":{"email":{"address":"a@b.top"}}}}`, `{"email":{"to":{"address":"a@b.top"}}}`, "threat.indicator.name has 0 values"},
	} {
		got := mappingMatches(mapping, []byte(tc.ind), []byte(tc.ev), types)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s with %s: %q, want %q", tc.ind, tc.ev, got, tc.want)
		}
	}
}
