package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/emit-sec/emit/es/wildcard"
)

// NonECS is a schema of fields outside ECS keyed by index pattern, as
// detection-rules' non-ecs-schema.json: {"logs-endpoint.events.*":
// {"file.Ext.entropy": "long", ...}, "winlogbeat-*": {"winlog":
// {"event_data": {...}}}, ...}. A rule reads the entries whose index
// pattern overlaps one of the rule's own index patterns (ForIndices).
type NonECS struct {
	// entries, least specific pattern first: when two entries type a field,
	// the more specific pattern wins.
	entries []nonECSEntry

	mu    sync.Mutex
	cache map[string]*Schema // ForIndices by its selected patterns
}

type nonECSEntry struct {
	pattern string
	schema  *Schema
}

// LoadNonECS reads a per-index-pattern non-ECS schema (possibly
// gzip-compressed).
func LoadNonECS(name string) (*NonECS, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	n, err := parseNonECS(data)
	if err != nil {
		return nil, fmt.Errorf("schema: %s: %w", name, err)
	}
	return n, nil
}

func parseNonECS(data []byte) (*NonECS, error) {
	if isGzip(data) {
		raw, err := gunzip(data)
		if err != nil {
			return nil, err
		}
		data = raw
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("empty file")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(data, err)
	}
	for _, k := range sortedKeys(top) {
		if !isObject(top[k]) {
			return nil, fmt.Errorf("index pattern %q: expected an object of fields, got %s", k, abbreviate(top[k]))
		}
	}
	return nonECSFrom(top)
}

func nonECSFrom(top map[string]json.RawMessage) (*NonECS, error) {
	n := &NonECS{}
	for _, pattern := range sortedKeys(top) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(top[pattern], &m); err != nil {
			return nil, fmt.Errorf("index pattern %q: %w", pattern, err)
		}
		s := New()
		if err := walkNested(s, "", m); err != nil {
			return nil, fmt.Errorf("index pattern %q: %w", pattern, err)
		}
		s.normalizeAll()
		n.entries = append(n.entries, nonECSEntry{pattern: pattern, schema: s})
	}
	sort.SliceStable(n.entries, func(i, j int) bool {
		return specificity(n.entries[i].pattern) < specificity(n.entries[j].pattern)
	})
	return n, nil
}

// specificity counts the literal characters of an index pattern.
func specificity(pattern string) int { return len(pattern) - strings.Count(pattern, "*") }

// Patterns returns the index patterns of the file, sorted.
func (n *NonECS) Patterns() []string {
	out := make([]string, len(n.entries))
	for i, e := range n.entries {
		out[i] = e.pattern
	}
	sort.Strings(out)
	return out
}

// All merges every entry, as Load does.
func (n *NonECS) All() *Schema {
	s := New()
	for _, e := range n.entries {
		s.Merge(e.schema)
	}
	return s
}

// ForIndices returns a new schema that merges the entries whose index pattern overlaps any of
// patterns (a rule's index patterns): some index name matches both. So
// the rule pattern "logs-endpoint.events.process-*" reads the entry
// "logs-endpoint.events.*", and "logs-*" reads every "logs-..." entry.
// Exclusions ("-logs-foo*") are skipped and a cross-cluster prefix
// ("remote:logs-*") is ignored; a pattern may be a comma-separated list.
// Where two selected entries type a field, the more specific pattern (more
// literal characters) wins. It is safe for concurrent use.
func (n *NonECS) ForIndices(patterns []string) *Schema { return n.Shared(patterns).Clone() }

// Shared is ForIndices without the copy: the calls that select the same
// entries share one schema, which must not be changed.
func (n *NonECS) Shared(patterns []string) *Schema {
	want := localPatterns(patterns)
	key := strings.Join(want, ",")
	n.mu.Lock()
	defer n.mu.Unlock()
	if s, ok := n.cache[key]; ok {
		return s
	}
	// The entries selected, as a key of its own ("\x00" keeps it apart
	// from the pattern keys).
	var matched strings.Builder
	matched.WriteByte(0)
	var selected []*Schema
	for i, e := range n.entries {
		for _, q := range want {
			if wildcard.Overlap(e.pattern, q) {
				fmt.Fprintf(&matched, "%d,", i)
				selected = append(selected, e.schema)
				break
			}
		}
	}
	if n.cache == nil {
		n.cache = map[string]*Schema{}
	}
	s, ok := n.cache[matched.String()]
	if !ok {
		s = New()
		for _, e := range selected {
			s.Merge(e)
		}
		n.cache[matched.String()] = s
	}
	n.cache[key] = s
	return s
}

// localPatterns are the index patterns a rule searches, one each, sorted:
// comma-separated lists split, exclusions ("-logs-foo*") skipped, a
// cross-cluster prefix ("remote:logs-*") dropped.
func localPatterns(patterns []string) []string {
	var want []string
	for _, p := range patterns {
		for _, q := range strings.Split(p, ",") {
			q = strings.TrimSpace(q)
			if q == "" || strings.HasPrefix(q, "-") {
				continue
			}
			if i := strings.LastIndexByte(q, ':'); i >= 0 {
				q = q[i+1:]
			}
			want = append(want, q)
		}
	}
	slices.Sort(want)
	return slices.Compact(want)
}

// SearchesIndex reports whether some index a rule searching patterns reads
// also matches target (an index pattern such as "logs-endpoint.*"), with
// the patterns read as ForIndices reads them.
func SearchesIndex(patterns []string, target string) bool {
	for _, q := range localPatterns(patterns) {
		if wildcard.Overlap(q, target) {
			return true
		}
	}
	return false
}
