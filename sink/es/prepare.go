package es

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/emit-sec/emit/es/wildcard"
)

// Target is an index (or data stream) the documents of a run go to.
type Target struct {
	// Index is the concrete index or data stream name.
	Index string
	// Mappings are emit's mappings for the documents: {"properties":
	// {...}} (a {"mappings": {...}} wrapper is accepted too).
	Mappings []byte
	// Create: create the index with Mappings when it doesn't exist
	// (--create-index).
	Create bool
}

// Action is what happens to a target.
type Action int

// The actions of a target.
const (
	// UseIndex: the index exists and is written as it is.
	UseIndex Action = iota
	// CreateIndex: Prepare creates the index with emit's mappings.
	CreateIndex
	// UseDataStream: the data stream exists; documents use op_type create.
	UseDataStream
	// NewDataStream: Elasticsearch creates the data stream from its
	// index template on the first write; documents use op_type create.
	NewDataStream
	// AutoCreate: Elasticsearch creates the index on the first write,
	// with dynamic mappings (and those of a matching index template).
	AutoCreate
)

func (a Action) String() string {
	switch a {
	case UseIndex:
		return "existing index"
	case CreateIndex:
		return "create index"
	case UseDataStream:
		return "existing data stream"
	case NewDataStream:
		return "new data stream"
	case AutoCreate:
		return "auto-created index"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// TargetPlan is what Prepare found and did for one target.
type TargetPlan struct {
	Index  string
	Action Action
	// OpType is the bulk op type: "index", or "create" for data streams.
	OpType string
	// Template is the index template matching a new index or data stream.
	Template string
	// Backing lists the concrete indices behind a data stream or alias.
	Backing []string
	// Fields is the number of fields in emit's mapping.
	Fields int
	// Shards and Replicas of an index to create (0/nil: cluster default).
	Shards   int
	Replicas *int
	// Created: Prepare created the index.
	Created bool
	// Conflicts with the existing mapping; the blocking ones stop Prepare.
	Conflicts []Conflict
	// Notes tell what the user should know about this target.
	Notes []string
}

// Plan is what Prepare found and did, for humans (String) and for the CLI.
type Plan struct {
	Cluster  Cluster
	Targets  []TargetPlan
	Warnings []string
}

// Blocking returns the blocking conflicts of all targets.
func (p *Plan) Blocking() []Conflict {
	var out []Conflict
	for _, t := range p.Targets {
		for _, c := range t.Conflicts {
			if c.Blocking {
				out = append(out, c)
			}
		}
	}
	return out
}

// String renders the plan for stderr.
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", p.Cluster)
	for _, t := range p.Targets {
		fmt.Fprintf(&b, "  %s: %s\n", t.Index, t.describe())
		for _, c := range t.Conflicts {
			kind := "differs"
			if c.Blocking {
				kind = "CONFLICT"
			}
			fmt.Fprintf(&b, "    %s: %s\n", kind, c)
		}
		for _, n := range t.Notes {
			fmt.Fprintf(&b, "    note: %s\n", n)
		}
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return strings.TrimRight(b.String(), "\n")
}

func (t TargetPlan) describe() string {
	var s string
	switch t.Action {
	case CreateIndex:
		verb := "will be created"
		if t.Created {
			verb = "created"
		}
		s = fmt.Sprintf("%s with emit's mappings (%d fields; %s)", verb, t.Fields, shardsText(t.Shards, t.Replicas))
	case UseIndex:
		s = "existing index, used as it is"
		if len(t.Backing) > 0 {
			s += " (" + strings.Join(t.Backing, ", ") + ")"
		}
	case UseDataStream:
		s = fmt.Sprintf("existing data stream (%d backing indices)", len(t.Backing))
	case NewDataStream:
		s = "data stream, created by Elasticsearch on the first write"
		if t.Template != "" {
			s += " from index template " + t.Template
		}
	case AutoCreate:
		s = "doesn't exist: Elasticsearch creates it on the first write with dynamic mappings"
		if t.Template != "" {
			s += " (and those of index template " + t.Template + ")"
		}
	}
	return s + "; op_type " + t.OpType
}

func shardsText(shards int, replicas *int) string {
	sh, rp := "default shards", "default replicas"
	if shards > 0 {
		sh = plural(int64(shards), "shard")
	}
	if replicas != nil {
		rp = plural(int64(*replicas), "replica")
	}
	return sh + ", " + rp
}

func plural(n int64, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	if word == "index" {
		return fmt.Sprintf("%d indices", n)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// PlanError is returned by Prepare when the targets cannot be written as
// asked. Nothing was created or sent.
type PlanError struct {
	// Conflicts are the blocking mapping conflicts.
	Conflicts []Conflict
	// Problems are the other reasons (missing index, bad name, bad
	// mappings).
	Problems []string
}

func (e *PlanError) Error() string {
	var b strings.Builder
	b.WriteString("cannot write to Elasticsearch as asked; nothing was created or sent:")
	for _, p := range e.Problems {
		b.WriteString("\n  " + p)
	}
	for _, c := range e.Conflicts {
		b.WriteString("\n  mapping conflict: " + c.String())
	}
	if len(e.Conflicts) > 0 {
		b.WriteString("\n  (write to a new index with --create-index, or fix the existing mapping)")
	}
	return b.String()
}

// Data stream names follow <type>-<dataset>-<namespace>.
var dataStreamName = regexp.MustCompile(`^(logs|metrics|traces|synthetics|profiling)-[^-*]+-[^-*]+$`)

// LooksLikeDataStream reports whether name follows the data stream naming
// scheme <type>-<dataset>-<namespace> (e.g.
// logs-endpoint.events.process-default).
func LooksLikeDataStream(name string) bool { return dataStreamName.MatchString(name) }

// indexNameProblem applies Elasticsearch's index naming rules.
func indexNameProblem(name string) string {
	switch {
	case name == "":
		return "an index name is empty"
	case strings.ContainsAny(name, "*?"):
		return fmt.Sprintf("%q is an index pattern, not an index: give a concrete index name", name)
	case name == "." || name == "..":
		return fmt.Sprintf("%q is not a valid index name", name)
	case strings.ToLower(name) != name:
		return fmt.Sprintf("index name %q must be lowercase", name)
	case strings.ContainsAny(name, "\\/\"<>| ,#:"):
		return fmt.Sprintf("index name %q must not contain \\ / \" < > | space , # :", name)
	case strings.HasPrefix(name, "-") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "+"):
		return fmt.Sprintf("index name %q must not start with -, _ or +", name)
	case len(name) > 255:
		return fmt.Sprintf("index name %q is longer than 255 bytes", name)
	}
	return ""
}

// mergeTargets merges targets naming the same index (their mappings are
// united; Create if any asks). Fields typed differently by two targets are
// problems.
func mergeTargets(targets []Target) ([]Target, map[string]*mnode, []string) {
	var order []string
	merged := map[string]*Target{}
	trees := map[string]*mnode{}
	var problems []string
	for _, t := range targets {
		tree, err := parseMappingJSON(t.Mappings)
		if err != nil {
			problems = append(problems, fmt.Sprintf("the mappings for %s are not valid JSON: %v", t.Index, err))
			continue
		}
		m, ok := merged[t.Index]
		if !ok {
			c := t
			merged[t.Index] = &c
			trees[t.Index] = tree
			order = append(order, t.Index)
			continue
		}
		m.Create = m.Create || t.Create
		if err := mergeTree(trees[t.Index], tree, ""); err != "" {
			problems = append(problems, fmt.Sprintf("the mappings for %s disagree: %s", t.Index, err))
		}
		if len(t.Mappings) > 0 {
			m.Mappings = nil // rebuilt from the merged tree
		}
	}
	out := make([]Target, 0, len(order))
	for _, name := range order {
		t := *merged[name]
		if t.Mappings == nil {
			t.Mappings = treeJSON(trees[name])
		}
		out = append(out, t)
	}
	return out, trees, problems
}

func mergeTree(dst, src *mnode, prefix string) string {
	for name, s := range src.props {
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		d, ok := dst.props[name]
		if !ok {
			dst.props[name] = s
			continue
		}
		if d.typ != s.typ {
			return fmt.Sprintf("%s is %s in one, %s in another", path, d.typ, s.typ)
		}
		if isObject(d.typ) {
			if msg := mergeTree(d, s, path); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// treeJSON renders a merged tree as {"properties": ...} (types only).
func treeJSON(n *mnode) []byte {
	var render func(n *mnode) map[string]any
	render = func(n *mnode) map[string]any {
		props := map[string]any{}
		for k, c := range n.props {
			if isObject(c.typ) {
				sub := render(c)
				if c.typ == "nested" {
					sub["type"] = "nested"
				}
				props[k] = sub
				continue
			}
			props[k] = map[string]any{"type": c.typ}
		}
		out := map[string]any{"properties": props}
		if n.dynamic != "" {
			out["dynamic"] = n.dynamic
		}
		return out
	}
	b, _ := json.Marshal(render(n))
	return b
}

// Prepare inspects every target before anything is sent: whether it
// exists, is a data stream (written with op_type create), or matches an
// index template; it compares emit's mappings with the existing ones.
// When a target cannot be written as asked (a blocking mapping conflict,
// a missing index without Create or AllowAutoCreate, a bad name) it
// returns the plan and a *PlanError, having created nothing. Otherwise it
// creates the missing indices marked Create, with emit's mappings and the
// configured shards/replicas, and returns the plan.
func (s *Sink) Prepare(ctx context.Context, targets []Target) (*Plan, error) {
	s.classifyMu.Lock()
	defer s.classifyMu.Unlock()
	plan := &Plan{Cluster: s.cluster, Warnings: s.Warnings()}
	perr := &PlanError{}
	merged, trees, problems := mergeTargets(targets)
	perr.Problems = append(perr.Problems, problems...)
	for _, t := range merged {
		if msg := indexNameProblem(t.Index); msg != "" {
			perr.Problems = append(perr.Problems, msg)
			continue
		}
		tp, theirs, err := s.inspectLocked(ctx, t.Index, t.Create)
		if err != nil {
			return plan, err
		}
		ours := trees[t.Index]
		tp.Fields = len(ours.leaves())
		switch tp.Action {
		case CreateIndex:
			tp.Shards, tp.Replicas = s.cfg.Shards, s.cfg.Replicas
		case AutoCreate:
			if !s.cfg.AllowAutoCreate {
				perr.Problems = append(perr.Problems, fmt.Sprintf(
					"index %s does not exist: use --create-index to create it with emit's mappings", t.Index))
			}
		case UseIndex:
			if t.Create {
				tp.Notes = append(tp.Notes, "the index exists: it is used as it is (--create-index only creates missing indices)")
			}
		case UseDataStream, NewDataStream:
			if t.Create {
				tp.Notes = append(tp.Notes, "data streams take their mappings from their index template: --create-index doesn't apply")
			}
			if _, ok := ours.props["@timestamp"]; !ok && len(ours.props) > 0 {
				tp.Notes = append(tp.Notes, "emit's mappings have no @timestamp: data streams reject documents without it")
			}
		}
		names := make([]string, 0, len(theirs))
		for n := range theirs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			cs, notes := compareMappings(n, ours, theirs[n])
			tp.Conflicts = append(tp.Conflicts, cs...)
			tp.Notes = append(tp.Notes, notes...)
		}
		for _, c := range tp.Conflicts {
			if c.Blocking {
				perr.Conflicts = append(perr.Conflicts, c)
			}
		}
		plan.Targets = append(plan.Targets, *tp)
	}
	if len(perr.Problems) > 0 || len(perr.Conflicts) > 0 {
		return plan, perr
	}
	mappings := map[string][]byte{}
	for _, t := range merged {
		mappings[t.Index] = t.Mappings
	}
	for i := range plan.Targets {
		tp := &plan.Targets[i]
		if tp.Action != CreateIndex {
			continue
		}
		if err := s.createIndex(ctx, tp, mappings[tp.Index], trees[tp.Index]); err != nil {
			return plan, err
		}
	}
	for _, tp := range plan.Targets {
		s.setOp(tp.Index, tp.OpType)
	}
	return plan, nil
}

// createIndex creates an index; when another writer created it meanwhile,
// the existing index is compared instead.
func (s *Sink) createIndex(ctx context.Context, tp *TargetPlan, mappings []byte, ours *mnode) error {
	var m map[string]any
	if len(mappings) > 0 {
		if err := json.Unmarshal(mappings, &m); err != nil {
			return s.cfg.errorf(err, "the mappings for %s are not valid JSON: %v", tp.Index, err)
		}
		if inner, ok := m["mappings"].(map[string]any); ok {
			m = inner
		}
	}
	body := map[string]any{}
	if m != nil {
		body["mappings"] = m
	}
	idx := map[string]any{}
	if tp.Shards > 0 {
		idx["number_of_shards"] = tp.Shards
	}
	if tp.Replicas != nil {
		idx["number_of_replicas"] = *tp.Replicas
	}
	if len(idx) > 0 {
		body["settings"] = map[string]any{"index": idx}
	}
	res, err := s.request(ctx, http.MethodPut, escapePath(tp.Index), body)
	if err != nil {
		return err
	}
	if res.status/100 == 2 {
		tp.Created = true
		return nil
	}
	if res.esError().Type == "resource_already_exists_exception" {
		theirs, err := s.mappings(ctx, tp.Index)
		if err != nil {
			return err
		}
		tp.Action = UseIndex
		tp.Notes = append(tp.Notes, "created by someone else meanwhile: used as it is")
		perr := &PlanError{}
		for n, t := range theirs {
			cs, notes := compareMappings(n, ours, t)
			tp.Conflicts = append(tp.Conflicts, cs...)
			tp.Notes = append(tp.Notes, notes...)
			for _, c := range cs {
				if c.Blocking {
					perr.Conflicts = append(perr.Conflicts, c)
				}
			}
		}
		if len(perr.Conflicts) > 0 {
			return perr
		}
		return nil
	}
	return s.cfg.errorf(nil, "cannot create index %s: %s", tp.Index, res.describe())
}

// templateSet is the cluster's composable index templates.
type templateSet struct {
	unreadable string // why they couldn't be read; "" when read
	list       []indexTemplate
}

type indexTemplate struct {
	name       string
	patterns   []string
	priority   int64
	dataStream bool
}

func (ts *templateSet) match(name string) *indexTemplate {
	var best *indexTemplate
	for i := range ts.list {
		t := &ts.list[i]
		for _, p := range t.patterns {
			if wildcard.MatchString(p, name) {
				if best == nil || t.priority > best.priority {
					best = t
				}
				break
			}
		}
	}
	return best
}

func (s *Sink) loadTemplates(ctx context.Context) (*templateSet, error) {
	if s.templates != nil {
		return s.templates, nil
	}
	res, err := s.request(ctx, http.MethodGet, "/_index_template", nil)
	if err != nil {
		return nil, err
	}
	ts := &templateSet{}
	switch {
	case res.status == http.StatusNotFound:
	case res.status == http.StatusUnauthorized || res.status == http.StatusForbidden:
		ts.unreadable = res.describe()
	case res.status/100 != 2:
		return nil, s.cfg.errorf(nil, "cannot read the index templates: %s", res.describe())
	default:
		var body struct {
			Templates []struct {
				Name     string `json:"name"`
				Template struct {
					Patterns   json.RawMessage `json:"index_patterns"`
					Priority   int64           `json:"priority"`
					DataStream json.RawMessage `json:"data_stream"`
				} `json:"index_template"`
			} `json:"index_templates"`
		}
		if err := json.Unmarshal(res.body, &body); err != nil {
			return nil, s.cfg.errorf(err, "cannot read the index templates: %v", err)
		}
		for _, t := range body.Templates {
			it := indexTemplate{name: t.Name, priority: t.Template.Priority,
				dataStream: len(t.Template.DataStream) > 0 && string(t.Template.DataStream) != "null"}
			var one string
			if json.Unmarshal(t.Template.Patterns, &one) == nil {
				it.patterns = []string{one}
			} else {
				_ = json.Unmarshal(t.Template.Patterns, &it.patterns)
			}
			ts.list = append(ts.list, it)
		}
	}
	s.templates = ts
	return ts, nil
}

// mappings returns the mappings of the concrete indices behind name.
func (s *Sink) mappings(ctx context.Context, name string) (map[string]*mnode, error) {
	res, err := s.request(ctx, http.MethodGet, escapePath(name)+"/_mapping", nil)
	if err != nil {
		return nil, err
	}
	if res.status/100 != 2 {
		return nil, s.cfg.errorf(nil, "cannot read the mapping of %s: %s", name, res.describe())
	}
	var body map[string]struct {
		Mappings map[string]any `json:"mappings"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		return nil, s.cfg.errorf(err, "cannot read the mapping of %s: %v", name, err)
	}
	out := map[string]*mnode{}
	for n, m := range body {
		out[n] = mappingTree(m.Mappings)
	}
	return out, nil
}

// inspect classifies a target for Add (op type) outside Prepare.
func (s *Sink) inspect(ctx context.Context, name string) (*TargetPlan, map[string]*mnode, error) {
	return s.inspectLocked(ctx, name, false)
}

// inspectLocked finds what a target is; classifyMu must be held. theirs
// are the mappings to compare emit's with (existing indices, or what an
// index template would give a new one).
func (s *Sink) inspectLocked(ctx context.Context, name string, create bool) (*TargetPlan, map[string]*mnode, error) {
	tp := &TargetPlan{Index: name, OpType: "index"}
	path := escapePath(name)
	res, err := s.request(ctx, http.MethodGet, "/_data_stream"+path, nil)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case res.status == http.StatusOK:
		var body struct {
			DataStreams []struct {
				Name     string `json:"name"`
				Template string `json:"template"`
				Indices  []struct {
					Name string `json:"index_name"`
				} `json:"indices"`
			} `json:"data_streams"`
		}
		if err := json.Unmarshal(res.body, &body); err != nil {
			return nil, nil, s.cfg.errorf(err, "cannot read data stream %s: %v", name, err)
		}
		for _, ds := range body.DataStreams {
			if ds.Name != name {
				continue
			}
			tp.Action, tp.OpType, tp.Template = UseDataStream, "create", ds.Template
			for _, ix := range ds.Indices {
				tp.Backing = append(tp.Backing, ix.Name)
			}
			theirs, err := s.mappings(ctx, name)
			if err != nil {
				return nil, nil, err
			}
			// Documents go to the write index, the last backing index.
			if n := len(tp.Backing); n > 0 {
				if m, ok := theirs[tp.Backing[n-1]]; ok {
					theirs = map[string]*mnode{tp.Backing[n-1]: m}
				}
			}
			return tp, theirs, nil
		}
	case res.status == http.StatusUnauthorized:
		return nil, nil, s.cfg.errorf(nil, "Elasticsearch refused the credentials: %s", res.describe())
	case res.status == http.StatusForbidden:
		tp.Notes = append(tp.Notes, "cannot read data streams ("+res.describe()+")")
	}
	res, err = s.request(ctx, http.MethodHead, path, nil)
	if err != nil {
		return nil, nil, err
	}
	switch res.status {
	case http.StatusOK:
		theirs, err := s.mappings(ctx, name)
		if err != nil {
			return nil, nil, err
		}
		tp.Action = UseIndex
		for n := range theirs {
			if n != name {
				tp.Backing = append(tp.Backing, n)
			}
		}
		sort.Strings(tp.Backing)
		return tp, theirs, nil
	case http.StatusNotFound:
	case http.StatusUnauthorized, http.StatusForbidden:
		return nil, nil, s.cfg.errorf(nil, "cannot check whether index %s exists: %d %s (the credentials need the view_index_metadata privilege)",
			name, res.status, http.StatusText(res.status))
	default:
		return nil, nil, s.cfg.errorf(nil, "cannot check whether index %s exists: %d %s", name, res.status, http.StatusText(res.status))
	}
	ts, err := s.loadTemplates(ctx)
	if err != nil {
		return nil, nil, err
	}
	t := ts.match(name)
	switch {
	case t != nil && t.dataStream:
		tp.Action, tp.OpType, tp.Template = NewDataStream, "create", t.name
	case t == nil && ts.unreadable != "" && LooksLikeDataStream(name):
		tp.Action, tp.OpType = NewDataStream, "create"
		tp.Notes = append(tp.Notes, "cannot read the index templates ("+ts.unreadable+"): taken for a data stream from its name")
		return tp, nil, nil
	case create:
		tp.Action = CreateIndex
		if t != nil {
			tp.Template = t.name
			tp.Notes = append(tp.Notes, "index template "+t.name+" also applies (emit's mappings take precedence)")
		}
		return tp, nil, nil
	default:
		tp.Action = AutoCreate
		if t != nil {
			tp.Template = t.name
		}
		if ts.unreadable != "" {
			tp.Notes = append(tp.Notes, "cannot read the index templates ("+ts.unreadable+")")
		}
	}
	if t == nil {
		return tp, map[string]*mnode{name: mappingTree(nil)}, nil
	}
	theirs, err := s.simulate(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	return tp, theirs, nil
}

// simulate returns the mapping an index template gives a new index.
func (s *Sink) simulate(ctx context.Context, name string) (map[string]*mnode, error) {
	res, err := s.request(ctx, http.MethodPost, "/_index_template/_simulate_index"+escapePath(name), nil)
	if err != nil {
		return nil, err
	}
	if res.status/100 != 2 {
		// Not fatal: the comparison is skipped.
		return nil, nil
	}
	var body struct {
		Template struct {
			Mappings map[string]any `json:"mappings"`
		} `json:"template"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		return nil, nil
	}
	return map[string]*mnode{name + " (from its index template)": mappingTree(body.Template.Mappings)}, nil
}

// DryRun describes what a run would create and send, without connecting:
// the targets, their op types, emit's mappings and the document counts.
// Whether a name is a data stream is guessed from the naming scheme
// (<type>-<dataset>-<namespace>); a real run asks the cluster.
func DryRun(targets []Target, docsPerIndex map[string]int64) string {
	var b strings.Builder
	b.WriteString("dry run: nothing is sent, no connection is made\n")
	merged, trees, problems := mergeTargets(targets)
	var total int64
	for _, t := range merged {
		n := docsPerIndex[t.Index]
		total += n
		tree := trees[t.Index]
		op := "index"
		what := "created with these mappings if missing (--create-index)"
		if !t.Create {
			what = "must exist (or use --create-index to create it with these mappings)"
		}
		if LooksLikeDataStream(t.Index) {
			op = "create"
			what = "looks like a data stream (type-dataset-namespace): its mappings come from the cluster's index template; emit's mappings for reference"
		}
		if msg := indexNameProblem(t.Index); msg != "" {
			what = "INVALID: " + msg
		}
		fmt.Fprintf(&b, "  %s: %s, op_type %s; %s; %d fields:\n", t.Index, plural(n, "document"), op, what, len(tree.leaves()))
		b.WriteString(indent(prettyJSON(t.Mappings), "    "))
		b.WriteString("\n")
	}
	for idx, n := range docsPerIndex {
		if _, ok := trees[idx]; !ok && n > 0 {
			fmt.Fprintf(&b, "  %s: %s, no mappings given\n", idx, plural(n, "document"))
			total += n
		}
	}
	for _, p := range problems {
		fmt.Fprintf(&b, "  problem: %s\n", p)
	}
	indices := len(merged)
	for idx := range docsPerIndex {
		if _, ok := trees[idx]; !ok {
			indices++
		}
	}
	fmt.Fprintf(&b, "total: %s to %s", plural(total, "document"), plural(int64(indices), "index"))
	return b.String()
}

func prettyJSON(b []byte) string {
	var v any
	if len(b) == 0 || json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return string(b)
	}
	return string(out)
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
