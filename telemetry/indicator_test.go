package telemetry

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/es/wildcard"
	"github.com/emit-sec/emit/etc"
)

// TestThreatIntelVocabulary: every feed publishes ECS indicator types (or
// vulnerabilities), into an index its dataset names, and the vocabulary
// without a threat_intel section, or with a broken feed, is refused.
func TestThreatIntelVocabulary(t *testing.T) {
	ti := Default().ThreatIntel
	ecs := []string{IndicatorIPv4, IndicatorIPv6, IndicatorDomain, IndicatorURL, IndicatorFile, IndicatorEmail, IndicatorRegistry, Vulnerability}
	for _, f := range ti.Feeds {
		for _, typ := range f.Types {
			if !slices.Contains(ecs, typ) {
				t.Errorf("feed %s: type %q", f.Dataset, typ)
			}
		}
		if !strings.HasPrefix(f.Dataset, f.Module+".") {
			t.Errorf("feed %s: dataset not of module %s", f.Dataset, f.Module)
		}
		if ix := f.IndexName(); !strings.HasPrefix(ix, "filebeat-") && !strings.Contains(ix, strings.Split(f.Dataset, ".")[0]) {
			t.Errorf("feed %s goes to %s", f.Dataset, ix)
		}
	}
	if _, err := Parse([]byte(strings.Replace(string(etc.Telemetry), "threat_intel:", "threat_intel_old:", 1))); err == nil {
		t.Error("a vocabulary without threat_intel parsed")
	}
	broken := strings.Replace(string(etc.Telemetry), `dataset: ti_abusech.url,`, `dataset: "",`, 1)
	if _, err := Parse([]byte(broken)); err == nil || !strings.Contains(err.Error(), "feed 1") {
		t.Errorf("a feed without a dataset: %v", err)
	}
}

func TestIndicatorType(t *testing.T) {
	for rel, want := range map[string]string{
		"ip": IndicatorIPv4, "url.full": IndicatorURL, "url.original": IndicatorURL, "url.domain": IndicatorDomain,
		"file.hash.sha256": IndicatorFile, "file.pe.imphash": IndicatorFile, "email.address": IndicatorEmail,
		"registry.path": IndicatorRegistry, "vulnerability.id": Vulnerability, "port": "", "name": "",
	} {
		if got := IndicatorType(rel); got != want {
			t.Errorf("IndicatorType(%q) = %q, want %q", rel, got, want)
		}
	}
}

// TestFeedsFor: the feeds of a type, path and index patterns; conditions
// are dropped, the index first, when no feed meets them all.
func TestFeedsFor(t *testing.T) {
	ti := &Default().ThreatIntel
	feeds, exact := ti.FeedsFor(IndicatorURL, "threat.indicator", []string{"logs-ti_*"})
	if !exact || len(feeds) == 0 {
		t.Fatalf("url feeds in logs-ti_*: %v %v", feeds, exact)
	}
	for _, f := range feeds {
		if !f.Publishes(IndicatorURL) || !wildcard.MatchString("logs-ti_*", f.IndexName()) {
			t.Errorf("feed %s (%s)", f.Dataset, f.IndexName())
		}
	}
	feeds, exact = ti.FeedsFor(IndicatorFile, "threatintel.indicator", []string{"filebeat-*"})
	if !exact || len(feeds) == 0 || feeds[0].IndicatorPath() != "threatintel.indicator" {
		t.Errorf("Filebeat 7 file feeds: %v %v", feeds, exact)
	}
	feeds, exact = ti.FeedsFor(IndicatorRegistry, "threat.indicator", []string{"my-intel"})
	if exact || len(feeds) == 0 || !feeds[0].Publishes(IndicatorRegistry) {
		t.Errorf("a custom index: %v %v", feeds, exact)
	}
	feeds, exact = ti.FeedsFor(IndicatorIPv4, "acme.intel", []string{"my-intel"})
	if exact || len(feeds) == 0 {
		t.Errorf("a custom path: %v %v", feeds, exact)
	}
	feeds, _ = ti.FeedsFor(Vulnerability, "rapid7.tc.vulnerability", []string{"logs-ti_rapid7_threat_command_latest.vulnerability"})
	if len(feeds) != 1 || feeds[0].IndexName() != "logs-ti_rapid7_threat_command_latest.vulnerability" {
		t.Errorf("rapid7: %v", feeds)
	}
}

// TestIndicatorValues: an indicator's values agree with each other and
// with its type, and the same seed draws the same indicator.
func TestIndicatorValues(t *testing.T) {
	p := NewPopulation(Default(), 1, 5, 5)
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	feed := &p.V.ThreatIntel.Feeds[0]
	for seed := uint64(0); seed < 50; seed++ {
		r := rand.New(rand.NewPCG(seed, 1))
		ind := p.NewIndicator(r, feed, "threat.indicator", IndicatorIPv4, at)
		a, err := netip.ParseAddr(ind.IP())
		if err != nil || !a.Is4() || a.IsPrivate() || !slices.Contains(p.V.ThreatIntel.IPPrefixes, strings.Join(strings.Split(ind.IP(), ".")[:2], ".")) {
			t.Errorf("address %s", ind.IP())
		}
		if u := ind.URL(); !strings.HasPrefix(u, "http://"+ind.IP()+"/") {
			t.Errorf("an address indicator's URL %s is not on %s", u, ind.IP())
		}
		if ind.FirstSeen.After(ind.LastSeen) || ind.LastSeen.After(at) {
			t.Errorf("seen %v .. %v, published %v", ind.FirstSeen, ind.LastSeen, at)
		}
		drawn := func(f string) (string, bool) {
			if f == "threat.indicator.url.full" {
				return "https://evil.example:8443/a/b.php?x=1", true
			}
			return "", false
		}
		for rel, want := range map[string]string{"url.domain": "evil.example", "url.scheme": "https", "url.path": "/a/b.php"} {
			if got, _ := ind.Value("threat.indicator."+rel, drawn); got != want {
				t.Errorf("%s of the drawn URL: %q, want %q", rel, got, want)
			}
		}
		if got, _ := ind.Value("threat.indicator.type", drawn); got != IndicatorURL {
			t.Errorf("type of a document with a URL: %s", got)
		}
		reg := p.NewIndicator(r, feed, "threat.indicator", IndicatorRegistry, at)
		path, _ := reg.Value("threat.indicator.registry.path", nil)
		hive, _ := reg.Value("threat.indicator.registry.hive", nil)
		key, _ := reg.Value("threat.indicator.registry.key", nil)
		value, _ := reg.Value("threat.indicator.registry.value", nil)
		if path != hive+`\`+key+`\`+value {
			t.Errorf("registry %s = %s + %s + %s", path, hive, key, value)
		}
		if mail := reg.Email(); !strings.HasSuffix(mail, "@"+reg.Domain()) {
			t.Errorf("email %s, domain %s", mail, reg.Domain())
		}
	}
	a := p.NewIndicator(rand.New(rand.NewPCG(3, 3)), feed, "threat.indicator", IndicatorURL, at)
	b := p.NewIndicator(rand.New(rand.NewPCG(3, 3)), feed, "threat.indicator", IndicatorURL, at)
	if a.URL() != b.URL() || a.FirstSeen != b.FirstSeen {
		t.Error("one seed, two indicators")
	}
}

// TestIndicatorConsistencyRules: the rules the indicators keep.
func TestIndicatorConsistencyRules(t *testing.T) {
	for _, tc := range []struct {
		doc  map[string]any
		want bool
	}{
		{map[string]any{"threat": map[string]any{"indicator": map[string]any{"type": "ipv4-addr", "ip": "185.220.1.2"}}}, true},
		{map[string]any{"threat": map[string]any{"indicator": map[string]any{"type": "ipv4-addr", "ip": "2a01::1"}}}, false},
		{map[string]any{"threat": map[string]any{"indicator": map[string]any{"type": "url", "ip": "185.220.1.2"}}}, false},
		{map[string]any{"threat": map[string]any{"indicator": map[string]any{"type": "file", "file": map[string]any{"hash": map[string]any{"md5": "0123456789abcdef0123456789abcdef"}}}}}, true},
		{map[string]any{"threat": map[string]any{"indicator": map[string]any{"type": "url", "url": map[string]any{"full": "https://a.b/c", "domain": "x.y"}}}}, false},
		{map[string]any{"url": map[string]any{"full": "https://a.b:8080/c", "domain": "a.b"}}, true},
		{map[string]any{"@timestamp": "2024-06-01T00:00:00Z", "threat": map[string]any{"indicator": map[string]any{"first_seen": "2024-05-01T00:00:00Z", "last_seen": "2024-05-02T00:00:00Z"}}}, true},
		{map[string]any{"@timestamp": "2024-05-01T12:00:00Z", "threat": map[string]any{"indicator": map[string]any{"first_seen": "2024-05-01T00:00:00Z", "last_seen": "2024-05-02T00:00:00Z"}}}, false},
	} {
		if ok, rule := Consistent(ReadMap(tc.doc), nil); ok != tc.want {
			t.Errorf("%v: consistent %v (%v), want %v", tc.doc, ok, rule, tc.want)
		}
	}
}
