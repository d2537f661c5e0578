package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/wildcard"
)

// Integrations are the field types of Elastic integration packages, as
// detection-rules keeps them in integration-schemas.json.gz: package ->
// version -> data stream -> {dotted field: type}, e.g. "aws" -> "2.21.0"
// -> "cloudtrail" -> {"aws.cloudtrail.user_identity.arn": "keyword", ...}.
//
// The file is large (60 MB of JSON): it is read when first needed, and
// only the data streams asked for are parsed, once each. An Integrations
// is safe for concurrent use.
type Integrations struct {
	name string                 // the file, for errors ("" when parsed from memory)
	read func() (string, error) // the JSON text

	once  sync.Once
	err   error
	pkgs  map[string]*intPackage
	names []string // sorted

	mu      sync.Mutex
	streams map[string]*parsed // parsed data streams by package\x00version\x00stream
	merged  map[string]*parsed // Select results by their picks
	picked  map[string]*picked // pick's results by selection (selectionKey)
	// byDataset are the packages a dataset pattern may name
	// (datasetPackages).
	byDataset map[string][]string
}

// parsed is a schema made once, outside Integrations.mu: rules checked in
// parallel wait only for the schema they need.
type parsed struct {
	once sync.Once
	s    *Schema
	err  error
}

// entry returns the parsed of key in m, made when absent. ig.mu must be
// held.
func entry(m map[string]*parsed, key string) *parsed {
	e, ok := m[key]
	if !ok {
		e = &parsed{}
		m[key] = e
	}
	return e
}

type intPackage struct {
	raw      string
	versions []intVersion // ascending; nil until indexed
	err      error
	indexed  bool
}

type intVersion struct {
	name    string
	v       *semver.Version
	raw     string
	streams []string          // sorted; nil until indexed
	rawOf   map[string]string // stream -> its JSON object
}

// LoadIntegrations opens an integration schemas file (possibly
// gzip-compressed). Its content is read when first needed: errors in it
// are returned then, naming the file.
func LoadIntegrations(name string) (*Integrations, error) {
	if _, err := os.Stat(name); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return &Integrations{name: name, read: func() (string, error) {
		data, err := os.ReadFile(name)
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return "", pe.Err // wrap names the file
		}
		if err != nil {
			return "", err
		}
		return textOf(data)
	}}, nil
}

// ParseIntegrations reads an integration schemas file from memory
// (possibly gzip-compressed) and checks its layout.
func ParseIntegrations(data []byte) (*Integrations, error) {
	text, err := textOf(data)
	if err != nil {
		return nil, err
	}
	return integrationsFrom(text)
}

// integrationsFrom checks the layout of text and returns it indexed.
func integrationsFrom(text string) (*Integrations, error) {
	ig := &Integrations{read: func() (string, error) { return text, nil }}
	if err := ig.load(); err != nil {
		return nil, err
	}
	return ig, nil
}

// textOf is data as text, decompressed when it is gzip.
func textOf(data []byte) (string, error) {
	if !isGzip(data) {
		return string(data), nil
	}
	var b strings.Builder
	if err := gunzipTo(data, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// looksLikeIntegrations recognizes the integration schemas layout by its
// first entry: a package whose first key is a version (x.y.z) holding an
// object of data streams.
func looksLikeIntegrations(text string) bool {
	root := gjson.Parse(text)
	if !root.IsObject() {
		return false
	}
	ok := false
	root.ForEach(func(_, pkg gjson.Result) bool {
		if pkg.IsObject() {
			pkg.ForEach(func(k, v gjson.Result) bool {
				_, err := semver.StrictNewVersion(k.String())
				ok = err == nil && v.IsObject()
				return false
			})
		}
		return false
	})
	return ok
}

// Preload starts reading the file in the background (it is otherwise
// read when first needed): what needs it waits for it, and gets its error.
func (ig *Integrations) Preload() { go ig.load() }

// load reads and indexes the packages, once.
func (ig *Integrations) load() error {
	ig.once.Do(func() {
		text, err := ig.read()
		if err != nil {
			ig.err = err
			return
		}
		text = strings.TrimSpace(text)
		root := gjson.Parse(text)
		if !root.IsObject() {
			ig.err = errors.New("not an integration schemas file: expected a JSON object of packages")
			return
		}
		ig.pkgs = map[string]*intPackage{}
		root.ForEach(func(k, v gjson.Result) bool {
			if !v.IsObject() {
				ig.err = fmt.Errorf("package %q: expected an object of versions, got %s", k.String(), abbreviate([]byte(v.Raw)))
				return false
			}
			ig.pkgs[k.String()] = &intPackage{raw: v.Raw}
			ig.names = append(ig.names, k.String())
			return true
		})
		if ig.err == nil && len(ig.pkgs) == 0 {
			ig.err = errors.New("no integration packages")
		}
		sort.Strings(ig.names)
		ig.streams = map[string]*parsed{}
		ig.merged = map[string]*parsed{}
		ig.picked = map[string]*picked{}
	})
	if ig.err != nil {
		return ig.wrap(ig.err)
	}
	return nil
}

func (ig *Integrations) wrap(err error) error {
	if ig.name == "" {
		return err
	}
	return fmt.Errorf("schema: %s: %w", ig.name, err)
}

// Name is the file the integrations were loaded from ("" when parsed from
// memory).
func (ig *Integrations) Name() string { return ig.name }

// Packages returns the package names, sorted.
func (ig *Integrations) Packages() ([]string, error) {
	if err := ig.load(); err != nil {
		return nil, err
	}
	return ig.names, nil
}

// pkg indexes the versions of a package; nil when the file has no such
// package. ig.mu must be held.
func (ig *Integrations) pkg(name string) (*intPackage, error) {
	p := ig.pkgs[name]
	if p == nil {
		return nil, nil
	}
	if !p.indexed {
		p.indexed = true
		gjson.Parse(p.raw).ForEach(func(k, v gjson.Result) bool {
			ver, err := semver.NewVersion(k.String())
			if err != nil {
				p.err = fmt.Errorf("package %s: version %q: %v", name, k.String(), err)
				return false
			}
			if !v.IsObject() {
				p.err = fmt.Errorf("package %s %s: expected an object of data streams, got %s", name, k.String(), abbreviate([]byte(v.Raw)))
				return false
			}
			p.versions = append(p.versions, intVersion{name: k.String(), v: ver, raw: v.Raw})
			return true
		})
		sort.SliceStable(p.versions, func(i, j int) bool { return p.versions[i].v.LessThan(p.versions[j].v) })
	}
	if p.err != nil {
		return nil, ig.wrap(p.err)
	}
	return p, nil
}

// version returns the newest version of p that satisfies constraint (a
// semver range such as "^2.0.0" or "^1.5.0 || ^2.0.0"), else the newest
// version: a rule written for an older package still reads the fields the
// newest one has. ig.mu must be held.
func (p *intPackage) version(constraint string) *intVersion {
	if len(p.versions) == 0 {
		return nil
	}
	if c, err := semver.NewConstraint(constraint); err == nil && strings.TrimSpace(constraint) != "" {
		for i := len(p.versions) - 1; i >= 0; i-- {
			if c.Check(p.versions[i].v) {
				return &p.versions[i]
			}
		}
	}
	return &p.versions[len(p.versions)-1]
}

// indexStreams lists the data streams of v: the entries that are objects
// (the file also keeps other things beside them, such as the "jobs" list
// of machine learning packages).
func (v *intVersion) indexStreams() {
	if v.rawOf != nil {
		return
	}
	v.rawOf = map[string]string{}
	gjson.Parse(v.raw).ForEach(func(k, s gjson.Result) bool {
		if s.IsObject() {
			v.rawOf[k.String()] = s.Raw
			v.streams = append(v.streams, k.String())
		}
		return true
	})
	sort.Strings(v.streams)
}

// Version returns the version of pkg that Select would use for the
// constraint ("" for the newest), and the package's data streams in it;
// "" when the file has no such package.
func (ig *Integrations) Version(pkg, constraint string) (string, []string, error) {
	if err := ig.load(); err != nil {
		return "", nil, err
	}
	ig.mu.Lock()
	defer ig.mu.Unlock()
	p, err := ig.pkg(pkg)
	if err != nil || p == nil {
		return "", nil, err
	}
	v := p.version(constraint)
	if v == nil {
		return "", nil, nil
	}
	v.indexStreams()
	return v.name, v.streams, nil
}

// stream is the parsed data stream of a package version, made once: the
// entry is taken with ig.mu held (raw is the stream's JSON), and parsed by
// get without it.
func (ig *Integrations) stream(pkg string, v *intVersion, stream string) streamRef {
	return streamRef{ig: ig, name: pkg + " " + v.name + " " + stream, raw: v.rawOf[stream],
		e: entry(ig.streams, pkg+"\x00"+v.name+"\x00"+stream)}
}

type streamRef struct {
	ig        *Integrations
	name, raw string
	e         *parsed
}

func (r streamRef) get() (*Schema, error) {
	r.e.once.Do(func() {
		r.e.s, r.e.err = parseStream(r.raw)
		if r.e.err != nil {
			r.e.err = r.ig.wrap(fmt.Errorf("%s: %w", r.name, r.e.err))
		}
	})
	return r.e.s, r.e.err
}

// parseStream reads a data stream's {dotted field: type}. Entries that are
// not fields a document holds are left out: dynamic-template patterns
// ("aws.*.metrics.*.*"), aliases (a name for another field) and "array"
// (a field of arrays of objects, not an Elasticsearch type).
func parseStream(raw string) (*Schema, error) {
	s := New()
	var err error
	gjson.Parse(raw).ForEach(func(k, v gjson.Result) bool {
		name := k.String()
		if v.Type != gjson.String {
			err = fmt.Errorf("field %s: expected a type name, got %s", name, abbreviate([]byte(v.Raw)))
			return false
		}
		typ := estype.Type(v.String())
		if strings.Contains(name, "*") || typ == estype.Alias || typ == "array" {
			return true
		}
		if err = checkName(name); err != nil {
			return false
		}
		if err = checkType(name, typ); err != nil {
			return false
		}
		s.set(Field{Name: name, Type: typ, Normalizer: flatNormalizer(name, typ)})
		return true
	})
	if err != nil {
		return nil, err
	}
	s.normalizeAll()
	return s, nil
}

// IntegrationRef is an integration package a rule names (Kibana's
// related_integrations, detection-rules' metadata.integration): the
// package, optionally one of its integrations ("cloudtrail"), and a semver
// constraint on its version ("^2.0.0"; "" for the newest).
type IntegrationRef struct {
	Package     string
	Integration string
	Version     string
}

// IntegrationSelection is what a rule says of where its data comes from,
// from the most precise to the least.
type IntegrationSelection struct {
	// Datasets the query names (event.dataset : "aws.cloudtrail").
	Datasets []string
	// Packages the rule names.
	Packages []IntegrationRef
	// IndexDatasets are the dataset patterns of the rule's data stream
	// index patterns (logs-aws.cloudtrail-* -> "aws.cloudtrail",
	// logs-windows.* -> "windows.*").
	IndexDatasets []string
}

// IntegrationPick is a package version and the data streams of it that a
// selection reads.
type IntegrationPick struct {
	Package, Version string
	Streams          []string
}

func (p IntegrationPick) String() string {
	return fmt.Sprintf("%s %s (%s)", p.Package, p.Version, strings.Join(p.Streams, ", "))
}

// Select returns the fields of the integration data streams a rule reads,
// and which ones they are. For every package that the selection names (by
// a dataset or by name) and the file has, it picks the newest version that
// fits the package's constraint, then its data streams: those the query's
// datasets name, else those of the named integration, else those of the
// index patterns' datasets, else all of them. A data stream S of package P
// is dataset P.S, or a longer name ending in .S (endpoint.events.process
// is the endpoint package's "process"; the pattern endpoint.events.* reads
// every stream S that endpoint.events.S names). Where two data streams type a
// field differently, the first in (package, stream) order wins. The
// result is nil when nothing matches; it is shared: clone it to change it
// (the picks are shared too: read-only).
func (ig *Integrations) Select(sel IntegrationSelection) (*Schema, []IntegrationPick, error) {
	if err := ig.load(); err != nil {
		return nil, nil, err
	}
	picks, refs, m, err := ig.pick(sel)
	if err != nil || m == nil {
		return nil, nil, err
	}
	m.once.Do(func() {
		streams := make([]*Schema, len(refs))
		for i, r := range refs {
			s, err := r.get()
			if err != nil {
				m.err = err
				return
			}
			streams[i] = s
		}
		m.s = merge(streams)
	})
	if m.err != nil {
		return nil, nil, m.err
	}
	return m.s, picks, nil
}

// merge fills the data streams' fields one after the other into a new
// schema (the first to type a field wins). A
// clean data stream (see fillIndex) fills an empty schema with its own
// fields as they are: the first is copied, or shared when it is alone.
func merge(streams []*Schema) *Schema {
	if len(streams) == 1 && streams[0].fillIndex().clean {
		return streams[0]
	}
	out := New()
	for i, s := range streams {
		if i == 0 && s.fillIndex().clean {
			out.fields, out.prefixes = maps.Clone(s.fields), maps.Clone(s.prefixes)
			continue
		}
		out.Fill(s)
	}
	return out
}

// pick is what Select reads of the file, with ig.mu held: the packages,
// versions and data streams sel reads, their data streams and the entry
// of their merged schema (nil when sel reads none).
func (ig *Integrations) pick(sel IntegrationSelection) ([]IntegrationPick, []streamRef, *parsed, error) {
	ig.mu.Lock()
	defer ig.mu.Unlock()
	// Many rules select alike: what a selection picks is worked out once.
	key := selectionKey(sel)
	if p, ok := ig.picked[key]; ok {
		return slices.Clone(p.picks), p.refs, p.m, nil
	}
	picks, refs, m, err := ig.pickLocked(sel)
	if err == nil {
		ig.picked[key] = &picked{picks: picks, refs: refs, m: m}
		picks = slices.Clone(picks)
	}
	return picks, refs, m, err
}

// picked is what pick returned for a selection.
type picked struct {
	picks []IntegrationPick
	refs  []streamRef
	m     *parsed
}

// selectionKey is a string that tells selections apart.
func selectionKey(sel IntegrationSelection) string {
	var b strings.Builder
	for _, d := range sel.Datasets {
		b.WriteString(d)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	for _, p := range sel.Packages {
		b.WriteString(p.Package)
		b.WriteByte(0)
		b.WriteString(p.Integration)
		b.WriteByte(0)
		b.WriteString(p.Version)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	for _, d := range sel.IndexDatasets {
		b.WriteString(d)
		b.WriteByte(0)
	}
	return b.String()
}

// pickLocked is pick's work, with ig.mu held.
func (ig *Integrations) pickLocked(sel IntegrationSelection) ([]IntegrationPick, []streamRef, *parsed, error) {
	type choice struct {
		v                              *intVersion
		query, integration, index, all []string
		named                          bool
	}
	chosen := map[string]*choice{}
	constraint := map[string]string{}
	for _, r := range sel.Packages {
		if r.Version != "" && constraint[r.Package] == "" {
			constraint[r.Package] = r.Version
		}
	}
	get := func(name string) (*choice, error) {
		if c, ok := chosen[name]; ok {
			return c, nil
		}
		p, err := ig.pkg(name)
		if err != nil || p == nil {
			return nil, err
		}
		v := p.version(constraint[name])
		if v == nil {
			return nil, nil
		}
		v.indexStreams()
		c := &choice{v: v}
		chosen[name] = c
		return c, nil
	}
	// datasetStreams adds to *into the streams of every package that the
	// dataset pattern ds matches.
	datasetStreams := func(ds string, into func(*choice) *[]string) error {
		ds = strings.ToLower(strings.TrimSpace(ds))
		for _, name := range ig.datasetPackages(ds) {
			c, err := get(name)
			if err != nil {
				return err
			}
			if c == nil {
				continue
			}
			c.named = true
			// A dataset may have parts between the package and the data
			// stream (endpoint.events.process): those the pattern spells
			// out before any "*".
			mid, _, _ := strings.Cut(ds, "*")
			mid = strings.TrimPrefix(mid, name+".")
			mid = mid[:strings.LastIndexByte(mid, '.')+1]
			for _, s := range c.v.streams {
				if wildcard.MatchString(ds, name+"."+s) || mid != "" && wildcard.MatchString(ds, name+"."+mid+s) {
					*into(c) = append(*into(c), s)
				}
			}
		}
		return nil
	}
	for _, ds := range sel.Datasets {
		if err := datasetStreams(ds, func(c *choice) *[]string { return &c.query }); err != nil {
			return nil, nil, nil, err
		}
	}
	for _, r := range sel.Packages {
		c, err := get(r.Package)
		if err != nil {
			return nil, nil, nil, err
		}
		if c == nil {
			continue
		}
		c.named = true
		if r.Integration == "" {
			continue
		}
		// An integration (policy template) reads the data streams named
		// after it: aws "cloudtrail" is cloudtrail, "ec2" ec2_logs and
		// ec2_metrics.
		for _, s := range c.v.streams {
			if s == r.Integration || strings.HasPrefix(s, r.Integration+"_") {
				c.integration = append(c.integration, s)
			}
		}
	}
	for _, ds := range sel.IndexDatasets {
		if err := datasetStreams(ds, func(c *choice) *[]string { return &c.index }); err != nil {
			return nil, nil, nil, err
		}
	}
	var picks []IntegrationPick
	for _, name := range ig.names {
		c := chosen[name]
		if c == nil || !c.named {
			continue
		}
		streams := c.v.streams
		for _, tier := range [][]string{c.query, c.integration, c.index} {
			if len(tier) > 0 {
				streams = tier
				break
			}
		}
		streams = slices.Clone(streams)
		slices.Sort(streams)
		streams = slices.Compact(streams)
		if len(streams) > 0 {
			picks = append(picks, IntegrationPick{Package: name, Version: c.v.name, Streams: streams})
		}
	}
	if len(picks) == 0 {
		return nil, nil, nil, nil
	}
	var key strings.Builder
	for _, p := range picks {
		fmt.Fprintf(&key, "%s\x00%s\x00%s\x01", p.Package, p.Version, strings.Join(p.Streams, "\x00"))
	}
	var refs []streamRef
	for _, p := range picks {
		v := chosen[p.Package].v
		for _, st := range p.Streams {
			refs = append(refs, ig.stream(p.Package, v, st))
		}
	}
	return picks, refs, entry(ig.merged, key.String()), nil
}

// datasetPackages returns the packages (in name order) that the dataset
// pattern ds may name: ds is the package or lies inside it, or (with a
// "*") overlaps it. Many rules name the same datasets: each is matched
// against the packages once. ig.mu must be held.
func (ig *Integrations) datasetPackages(ds string) []string {
	if names, ok := ig.byDataset[ds]; ok {
		return names
	}
	glob := strings.Contains(ds, "*")
	var names []string
	for _, name := range ig.names {
		if ds == name || strings.HasPrefix(ds, name+".") || glob && wildcard.Overlap(ds, name+".*") {
			names = append(names, name)
		}
	}
	if ig.byDataset == nil {
		ig.byDataset = map[string][]string{}
	}
	ig.byDataset[ds] = names
	return names
}

// All returns the fields of every data stream of every package's newest
// version (the first package, in name order, wins where two disagree):
// what --schema makes of an integration schemas file for queries, which
// name no integration.
func (ig *Integrations) All() (*Schema, error) {
	names, err := ig.Packages()
	if err != nil {
		return nil, err
	}
	refs := make([]IntegrationRef, len(names))
	for i, n := range names {
		refs[i] = IntegrationRef{Package: n}
	}
	s, _, err := ig.Select(IntegrationSelection{Packages: refs})
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, ig.wrap(errors.New("no fields"))
	}
	return s.Clone(), nil
}
