package telemetry

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/schema"
)

// ThreatIntel is what threat-intel feeds publish (etc/telemetry.yml's
// threat_intel): the feeds, and the vocabularies their indicators are
// drawn from.
type ThreatIntel struct {
	Feeds         []Feed   `yaml:"feeds"`
	Confidence    []string `yaml:"confidence"`
	TLP           []string `yaml:"tlp"`
	IPPrefixes    []string `yaml:"ip_prefixes"`
	DomainWords   []string `yaml:"domain_words"`
	TLDs          []string `yaml:"tlds"`
	URLPaths      []string `yaml:"url_paths"`
	EmailUsers    []string `yaml:"email_users"`
	RegistryPaths []string `yaml:"registry_paths"`
	RegistryNames []string `yaml:"registry_names"`
	Malware       []string `yaml:"malware"`
	FileNames     []string `yaml:"file_names"`
	CVEYears      []int    `yaml:"cve_years"`
	Severities    []string `yaml:"severities"`
}

// Feed is a source of threat indicators: a Filebeat threatintel fileset or
// an Elastic Agent ti_* integration data stream.
type Feed struct {
	Name     string `yaml:"name"`     // threat.feed.name ("" for feeds that do not set it)
	Provider string `yaml:"provider"` // <path>.provider
	Module   string `yaml:"module"`   // event.module
	Dataset  string `yaml:"dataset"`  // event.dataset
	// Index is where the feed's documents are; "" means the data stream
	// logs-<Dataset>-default (see IndexName).
	Index string `yaml:"index"`
	// Path is the object of the indicators' fields; "" means
	// threat.indicator (see IndicatorPath).
	Path string `yaml:"path"`
	// Types are the indicator types the feed publishes: ECS
	// threat.indicator.type values, or "vulnerability" for feeds of
	// vulnerabilities (which have no such field).
	Types []string `yaml:"types"`
	// Confidence are the feed's own <path>.confidence values; none: the
	// vocabulary's.
	Confidence []string `yaml:"confidence"`
	// Event is the feed's event.kind, event.category and event.type
	// (default enrichment, threat, indicator).
	Event struct {
		Kind     string   `yaml:"kind"`
		Category []string `yaml:"category"`
		Type     []string `yaml:"type"`
	} `yaml:"event"`
	Weight int `yaml:"weight"`
}

// Indicator types (ECS threat.indicator.type) emit draws values for, and
// the vulnerabilities some feeds publish instead.
const (
	IndicatorIPv4     = "ipv4-addr"
	IndicatorIPv6     = "ipv6-addr"
	IndicatorDomain   = "domain-name"
	IndicatorURL      = "url"
	IndicatorFile     = "file"
	IndicatorEmail    = "email-addr"
	IndicatorRegistry = "windows-registry-key"
	Vulnerability     = "vulnerability"
)

// IndexName is where the feed's documents are.
func (f *Feed) IndexName() string {
	if f.Index != "" {
		return f.Index
	}
	return "logs-" + f.Dataset + "-default"
}

// IndicatorPath is the object of the feed's indicator fields.
func (f *Feed) IndicatorPath() string {
	if f.Path != "" {
		return f.Path
	}
	return "threat.indicator"
}

// Publishes reports whether the feed publishes indicators of type typ.
func (f *Feed) Publishes(typ string) bool { return slices.Contains(f.Types, typ) }

// Kind is the event.kind of the feed's documents.
func (f *Feed) Kind() string {
	if f.Event.Kind != "" {
		return f.Event.Kind
	}
	return "enrichment"
}

func (f *Feed) categories() []string {
	if len(f.Event.Category) > 0 {
		return f.Event.Category
	}
	return []string{"threat"}
}

func (f *Feed) types() []string {
	if len(f.Event.Type) > 0 {
		return f.Event.Type
	}
	return []string{"indicator"}
}

// check reports what the vocabulary's threat-intel section lacks.
func (ti *ThreatIntel) check() error {
	if len(ti.Feeds) == 0 || len(ti.Confidence) == 0 || len(ti.TLP) == 0 || len(ti.IPPrefixes) == 0 ||
		len(ti.DomainWords) == 0 || len(ti.TLDs) == 0 || len(ti.URLPaths) == 0 || len(ti.EmailUsers) == 0 ||
		len(ti.RegistryPaths) == 0 || len(ti.RegistryNames) == 0 || len(ti.Malware) == 0 || len(ti.FileNames) == 0 ||
		len(ti.CVEYears) == 0 || len(ti.Severities) == 0 {
		return fmt.Errorf("threat_intel needs feeds and every vocabulary of indicators")
	}
	for i, f := range ti.Feeds {
		if f.Module == "" || f.Dataset == "" || f.Provider == "" || len(f.Types) == 0 || f.Weight <= 0 {
			return fmt.Errorf("threat_intel feed %d (%s) needs a provider, a module, a dataset, types and a positive weight", i+1, f.Dataset)
		}
	}
	for _, p := range ti.IPPrefixes {
		if _, err := netip.ParseAddr(p + ".0.1"); err != nil {
			return fmt.Errorf("threat_intel ip prefix %q is not two octets", p)
		}
	}
	return nil
}

// IndicatorType is the type of indicator an indicator field holds, the
// field given relative to its indicator object (ip, url.full,
// file.hash.sha256, ...); "" when the field tells none. A field outside
// the object (vulnerability.id) is given whole.
func IndicatorType(rel string) string {
	switch {
	case rel == "ip":
		return IndicatorIPv4
	case rel == "url.domain":
		return IndicatorDomain
	case strings.HasPrefix(rel, "url."):
		return IndicatorURL
	case strings.HasPrefix(rel, "file."):
		return IndicatorFile
	case strings.HasPrefix(rel, "email."):
		return IndicatorEmail
	case strings.HasPrefix(rel, "registry."):
		return IndicatorRegistry
	case strings.HasPrefix(rel, "vulnerability.") || rel == "id":
		return Vulnerability
	}
	return ""
}

// FeedsFor returns the feeds that publish indicators of type typ (any type
// when ""), under path, into an index that one of the index patterns
// matches. The conditions are dropped in turn, the index first, until
// some feed meets the rest: a rule's custom indicator index still gets
// documents of a real feed. exact reports that no condition was dropped.
func (ti *ThreatIntel) FeedsFor(typ, path string, patterns []string) (feeds []*Feed, exact bool) {
	match := func(useIndex, usePath, useType bool) []*Feed {
		var out []*Feed
		for i := range ti.Feeds {
			f := &ti.Feeds[i]
			if useType && typ != "" && !f.Publishes(typ) || usePath && f.IndicatorPath() != path ||
				useIndex && !schema.SearchesIndex(patterns, f.IndexName()) {
				continue
			}
			out = append(out, f)
		}
		return out
	}
	for i, c := range [][3]bool{{true, true, true}, {false, true, true}, {false, false, true}, {false, false, false}} {
		if out := match(c[0], c[1], c[2]); len(out) > 0 {
			return out, i == 0
		}
	}
	return nil, false
}

// PickFeed draws one of the feeds by weight.
func PickFeed(r *rand.Rand, feeds []*Feed) *Feed {
	total := 0
	for _, f := range feeds {
		total += max(f.Weight, 1)
	}
	n := r.IntN(total)
	for _, f := range feeds {
		if n -= max(f.Weight, 1); n < 0 {
			return f
		}
	}
	return feeds[len(feeds)-1]
}

// Indicator is the context of one threat indicator: the feed that
// published it, the object its fields are under, its type and what it is
// (an address, a URL, a file's hashes, a registry key), drawn once so that
// its fields agree. It offers the solver its values (it is a
// solver.Values) and completes its document (Completer.CompleteIndicator).
type Indicator struct {
	Feed *Feed
	Path string // the object of the indicator's fields: threat.indicator
	Type string // what the indicator is (IndicatorIPv4, ...)
	// Time is when the feed published it (@timestamp); FirstSeen and
	// LastSeen are when the feed's sources saw it first and last.
	Time, FirstSeen, LastSeen time.Time
	ti                        *ThreatIntel
	agent                     *Event // the host whose agent collects the feed
	r                         *rand.Rand
	vals                      map[string]string
}

// NewIndicator draws an indicator of type typ that feed published at
// time at, with its fields under path; the agent that collects the feed
// runs on a Linux host of the population.
func (p *Population) NewIndicator(r *rand.Rand, feed *Feed, path, typ string, at time.Time) *Indicator {
	ind := &Indicator{Feed: feed, Path: path, Type: typ, Time: at, ti: &p.V.ThreatIntel, agent: p.NewEventOn(r, Linux), r: r, vals: map[string]string{}}
	// Seen first up to 60 days before it was published, last in between.
	ind.FirstSeen = at.Add(-time.Hour - time.Duration(r.Int64N(int64(60*24*time.Hour)))).Truncate(time.Second)
	ind.LastSeen = ind.FirstSeen.Add(time.Duration(r.Int64N(int64(at.Sub(ind.FirstSeen)) + 1))).Truncate(time.Second)
	return ind
}

// memo draws a value once per indicator.
func (ind *Indicator) memo(key string, draw func() string) string {
	if v, ok := ind.vals[key]; ok {
		return v
	}
	v := draw()
	ind.vals[key] = v
	return v
}

func (ind *Indicator) pick(list []string) string { return list[ind.r.IntN(len(list))] }

// IP is the indicator's address: one in a hosting network (an IPv6 one
// for IndicatorIPv6).
func (ind *Indicator) IP() string {
	return ind.memo("ip", func() string {
		if ind.Type == IndicatorIPv6 {
			return fmt.Sprintf("2a0%d:%x:%x::%x", 1+ind.r.IntN(9), 0x1000+ind.r.IntN(0xefff), ind.r.IntN(0xffff), 1+ind.r.IntN(0xfffe))
		}
		return fmt.Sprintf("%s.%d.%d", ind.pick(ind.ti.IPPrefixes), ind.r.IntN(256), 1+ind.r.IntN(254))
	})
}

// Domain is the indicator's domain: words of a lure, or a generated name.
func (ind *Indicator) Domain() string {
	return ind.memo("domain", func() string {
		ti := ind.ti
		switch ind.r.IntN(4) {
		case 0: // a domain generation algorithm's name
			const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
			b := make([]byte, 8+ind.r.IntN(8))
			for i := range b {
				b[i] = letters[ind.r.IntN(len(letters))]
			}
			b[0] = letters[ind.r.IntN(26)]
			return string(b) + "." + ind.pick(ti.TLDs)
		case 1:
			return ind.pick(ti.DomainWords) + strconv.Itoa(10+ind.r.IntN(90)) + "." + ind.pick(ti.TLDs)
		}
		return ind.pick(ti.DomainWords) + "-" + ind.pick(ti.DomainWords) + "." + ind.pick(ti.TLDs)
	})
}

// URL is the indicator's URL: a payload or panel on the indicator's domain
// (or, for an address indicator, on its address).
func (ind *Indicator) URL() string {
	return ind.memo("url", func() string {
		host := ind.Domain()
		scheme := "https"
		if ind.Type == IndicatorIPv4 || ind.r.IntN(3) == 0 {
			host, scheme = ind.IP(), "http"
		}
		path := strings.ReplaceAll(ind.pick(ind.ti.URLPaths), "{word}", ind.pick(ind.ti.DomainWords))
		return scheme + "://" + host + path
	})
}

// Email is the indicator's sender address.
func (ind *Indicator) Email() string {
	return ind.memo("email", func() string { return ind.pick(ind.ti.EmailUsers) + "@" + ind.Domain() })
}

// RegistryPath is the registry value the indicator's malware persists in.
func (ind *Indicator) RegistryPath() string {
	return ind.memo("registry", func() string {
		return strings.ReplaceAll(ind.pick(ind.ti.RegistryPaths), "{name}", ind.pick(ind.ti.RegistryNames))
	})
}

// CVE is the vulnerability the indicator is about.
func (ind *Indicator) CVE() string {
	return ind.memo("cve", func() string {
		return fmt.Sprintf("CVE-%d-%d", ind.ti.CVEYears[ind.r.IntN(len(ind.ti.CVEYears))], 1000+ind.r.IntN(49000))
	})
}

// Value is the indicator's value of field, agreeing with what its document
// holds (drawn); ok is false when the indicator has none. Fields under the
// indicator's object are its own; threat.feed.name and the event.* fields
// are the feed's.
func (ind *Indicator) Value(field string, drawn Drawn) (string, bool) {
	if rel, ok := strings.CutPrefix(field, ind.Path+"."); ok {
		return ind.relValue(rel, drawn)
	}
	f := ind.Feed
	switch field {
	case "threat.feed.name":
		return f.Name, f.Name != ""
	case "event.kind":
		return f.Kind(), true
	case "event.category":
		return f.categories()[0], true
	case "event.type":
		return f.types()[0], true
	case "event.module":
		return f.Module, true
	case "event.dataset":
		return f.Dataset, true
	case "event.provider":
		return f.Provider, true
	case "vulnerability.id":
		return ind.CVE(), true
	case "vulnerability.severity":
		return ind.severity(), true
	case "agent.id", "agent.name":
		return ind.agent.Value(field, nil)
	}
	return "", false
}

// relValue is the value of the indicator's field rel (relative to its
// object).
func (ind *Indicator) relValue(rel string, drawn Drawn) (string, bool) {
	switch rel {
	case "type":
		if ind.Type == Vulnerability {
			return "", false
		}
		return ind.typeOf(drawn), true
	case "ip":
		return ind.IP(), true
	case "port":
		return strconv.Itoa([]int{443, 80, 8080, 4444, 8443, 1337, 2222}[ind.r.IntN(7)]), true
	case "url.full", "url.original":
		return ind.URL(), true
	case "url.domain":
		if u, ok := urlOf(drawn, ind.Path); ok {
			return hostOf(u), true
		}
		if ind.Type == IndicatorDomain {
			return ind.Domain(), true
		}
		return hostOf(ind.URL()), true
	case "url.scheme":
		u, ok := urlOf(drawn, ind.Path)
		if !ok {
			u = ind.URL()
		}
		s, _, _ := strings.Cut(u, "://")
		return s, true
	case "url.path":
		u, ok := urlOf(drawn, ind.Path)
		if !ok {
			u = ind.URL()
		}
		_, rest, _ := strings.Cut(u, "://")
		path := "/"
		if i := strings.IndexAny(rest, "/?#"); i >= 0 && rest[i] == '/' {
			path = rest[i:]
		}
		if i := strings.IndexAny(path, "?#"); i >= 0 {
			path = path[:i]
		}
		return path, true
	case "file.hash.md5", "file.pe.imphash":
		return ind.memo(rel, func() string { return Hex(ind.r, 32) }), true
	case "file.hash.sha1":
		return ind.memo(rel, func() string { return Hex(ind.r, 40) }), true
	case "file.hash.sha256":
		return ind.memo(rel, func() string { return Hex(ind.r, 64) }), true
	case "file.hash.sha512":
		return ind.memo(rel, func() string { return Hex(ind.r, 128) }), true
	case "file.name":
		return ind.memo(rel, func() string { return ind.pick(ind.ti.FileNames) }), true
	case "email.address":
		return ind.Email(), true
	case "registry.path":
		return ind.RegistryPath(), true
	case "registry.hive", "registry.key", "registry.value":
		p, ok := "", false
		if drawn != nil {
			p, ok = drawn(ind.Path + ".registry.path")
		}
		if !ok {
			p = ind.RegistryPath()
		}
		hive, key, _ := strings.Cut(p, `\`)
		switch rel {
		case "registry.hive":
			return hive, true
		case "registry.key":
			return key[:max(strings.LastIndexByte(key, '\\'), 0)], true
		}
		return key[strings.LastIndexByte(key, '\\')+1:], true
	case "provider":
		return ind.Feed.Provider, true
	case "confidence":
		c := ind.Feed.Confidence
		if len(c) == 0 {
			c = ind.ti.Confidence
		}
		return ind.memo(rel, func() string { return ind.pick(c) }), true
	case "marking.tlp":
		return ind.memo(rel, func() string { return ind.pick(ind.ti.TLP) }), true
	case "first_seen":
		return date.Format(ind.FirstSeen), true
	case "last_seen":
		return date.Format(ind.LastSeen), true
	case "name":
		return ind.memo(rel, func() string { return ind.pick(ind.ti.Malware) }), true
	case "id":
		if ind.Type == Vulnerability {
			return ind.CVE(), true
		}
	case "severity":
		return ind.severity(), true
	case "cvss_score":
		return ind.memo(rel, func() string {
			lo := map[string]float64{"Low": 0.1, "Medium": 4, "High": 7, "Critical": 9}[ind.severity()]
			return strconv.FormatFloat(lo+float64(ind.r.IntN(int((min(lo+3, 10)-lo)*10)))/10, 'f', 1, 64)
		}), true
	case "published_date", "update_date":
		t := ind.FirstSeen
		if rel == "update_date" {
			t = ind.LastSeen
		}
		return date.Format(t), true
	}
	return "", false
}

func (ind *Indicator) severity() string {
	return ind.memo("severity", func() string { return ind.pick(ind.ti.Severities) })
}

// typeOf is the indicator's type as its document shows it: the kind of
// value it holds (an IPv6 address is ipv6-addr), else the type it was
// drawn for.
func (ind *Indicator) typeOf(drawn Drawn) string {
	if drawn != nil {
		if ip, ok := drawn(ind.Path + ".ip"); ok {
			if a, err := netip.ParseAddr(ip); err == nil && a.Is6() && !a.Is4In6() {
				return IndicatorIPv6
			}
			return IndicatorIPv4
		}
		for _, rel := range []string{"url.full", "url.original", "file.hash.sha256", "file.hash.md5", "file.hash.sha1",
			"file.pe.imphash", "email.address", "registry.path", "url.domain"} {
			if _, ok := drawn(ind.Path + "." + rel); ok {
				return IndicatorType(rel)
			}
		}
	}
	return ind.Type
}

func urlOf(drawn Drawn, path string) (string, bool) {
	if drawn == nil {
		return "", false
	}
	for _, f := range []string{".url.full", ".url.original"} {
		if u, ok := drawn(path + f); ok && strings.Contains(u, "://") {
			return u, true
		}
	}
	return "", false
}

// hostOf is the host of a URL.
func hostOf(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest[i:], "]") {
		rest = rest[:i]
	}
	return rest
}

// Candidates: an indicator offers one value per field.
func (ind *Indicator) Candidates(string) []string { return nil }

// Prefixes are the beginnings of the indicator's URL (scheme and host),
// for a URL the query only partly fixes.
func (ind *Indicator) Prefixes(field string) []string {
	if rel, ok := strings.CutPrefix(field, ind.Path+"."); ok && (rel == "url.full" || rel == "url.original") {
		u := ind.URL()
		_, rest, _ := strings.Cut(u, "://")
		return []string{u[:len(u)-len(rest)] + hostOf(u) + "/"}
	}
	return nil
}

// Words: none of the indicator's values has free parts to fill.
func (ind *Indicator) Words(string) [][]byte { return nil }

// indicatorMeta are the fields of every indicator, relative to its object,
// and typeFields those of each type.
var (
	indicatorMeta = []string{"type", "first_seen", "last_seen", "confidence", "provider", "marking.tlp"}
	typeFields    = map[string][]string{
		IndicatorIPv4:     {"ip"},
		IndicatorIPv6:     {"ip"},
		IndicatorDomain:   {"url.domain"},
		IndicatorURL:      {"url.full", "url.original", "url.domain", "url.scheme", "url.path"},
		IndicatorFile:     {"file.hash.md5", "file.hash.sha1", "file.hash.sha256", "file.name"},
		IndicatorEmail:    {"email.address"},
		IndicatorRegistry: {"registry.path", "registry.hive", "registry.key", "registry.value"},
		Vulnerability:     {"id", "severity", "cvss_score", "published_date", "update_date"},
	}
	// indicatorEvent are the fields of every indicator document outside
	// its object.
	indicatorEvent = []string{
		"event.kind", "event.category", "event.type", "event.module", "event.dataset", "event.ingested",
		"data_stream.type", "data_stream.dataset", "data_stream.namespace", "ecs.version",
		"agent.type", "agent.name", "agent.id", "agent.version", "threat.feed.name",
	}
)

// IndicatorFields lists the fields completion may give the documents of
// indicators of the types under path, sorted: what an index mapping of
// such documents must cover.
func IndicatorFields(path string, types []string) []string {
	set := map[string]bool{}
	for _, f := range indicatorEvent {
		set[f] = true
	}
	for _, t := range types {
		if t != Vulnerability {
			for _, f := range indicatorMeta {
				set[path+"."+f] = true
			}
		} else {
			set["vulnerability.id"], set["vulnerability.severity"] = true, true
		}
		for _, f := range typeFields[t] {
			set[path+"."+f] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// CompleteIndicator returns the fields a threat-intel document of ind
// lacks and the query leaves alone, with their values: the feed's event
// fields, the agent that collected it, and the indicator's own fields,
// agreeing with what the document holds (the type of the value it
// carries, the domain of its URL). ts is its @timestamp, end the run's
// end, index its index. Field names come out sorted; the slices are reused
// by the next call.
func (c *Completer) CompleteIndicator(ind *Indicator, d *Doc, index string, ts, end time.Time) ([]string, [][]byte) {
	typ := ind.typeOf(d.Get)
	key := "\x00indicator\x00" + ind.Path + "\x00" + typ
	plan, ok := c.plans[key]
	if !ok {
		names := IndicatorFields(ind.Path, []string{typ})
		plan = c.planOf(names)
		c.plans[key] = plan
	}
	e := ind.agent
	drawn := func(field string) (string, bool) {
		if v, ok := d.Get(field); ok {
			return v, true
		}
		return e.added(field)
	}
	e.addedF, e.addedV, e.addedS, e.buf = e.addedF[:0], e.addedV[:0], e.addedS[:0], e.buf[:0]
	var spans [][2]int
	add := func(f planned, values ...string) {
		if len(values) == 0 || values[0] == "" {
			return
		}
		lo := len(e.buf)
		if len(values) > 1 || f.array {
			e.buf = append(e.buf, '[')
			for i, v := range values {
				if i > 0 {
					e.buf = append(e.buf, ',')
				}
				e.buf = encode(e.buf, planned{numeric: f.numeric, boolean: f.boolean}, v)
			}
			e.buf = append(e.buf, ']')
		} else {
			e.buf = encode(e.buf, f, values[0])
		}
		e.addedF = append(e.addedF, f.name)
		e.addedS = append(e.addedS, values[0])
		spans = append(spans, [2]int{lo, len(e.buf)})
		e.addedV = append(e.addedV, nil)
	}
	for _, f := range plan {
		if d.has(f.name) || blocked(d, f.name) {
			continue
		}
		switch f.name {
		case "event.category":
			add(f, ind.Feed.categories()...)
		case "event.type":
			add(f, ind.Feed.types()...)
		case "event.ingested":
			// Feeds are fetched and processed in batches: seconds.
			add(f, date.Format(ingested(ts, end, time.Duration(500+e.r.IntN(9500))*time.Millisecond)))
		case "data_stream.type", "data_stream.dataset", "data_stream.namespace":
			add(f, stringIf(indexValue(f.name, index, "", Linux)))
		case "ecs.version":
			add(f, e.Pop.V.ECSVersion)
		case "agent.type", "agent.version":
			a := agentFor(e.Pop.V, "filebeat")
			if f.name == "agent.type" {
				add(f, a.Type)
			} else {
				add(f, a.Version)
			}
		default:
			add(f, stringIf(ind.Value(f.name, drawn)))
		}
	}
	for i, sp := range spans {
		e.addedV[i] = e.buf[sp[0]:sp[1]:sp[1]]
	}
	return e.addedF, e.addedV
}

func stringIf(s string, ok bool) string {
	if !ok {
		return ""
	}
	return s
}
