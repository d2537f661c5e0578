package eql

import (
	"sort"
	"strings"

	"github.com/emit-sec/emit/es/estype"
)

// maxMatchDocs bounds the documents Match considers for a sequence or a
// sample (the search is polynomial, cubic in the worst case).
const maxMatchDocs = 4096

// MatchEvent reports whether doc matches step `step` of q (0 for an event
// query; an index into q.Steps for a sequence or sample, missing events
// included): the event category (event.category holds it, unless the step
// is "any where") and the condition. Join keys are not considered.
func MatchEvent(q *Query, step int, doc map[string]any, types Types) bool {
	if step < 0 || step >= len(q.Steps) {
		return false
	}
	return matchStep(q.Steps[step], newEvaluator(doc, types))
}

// MatchUntil reports whether doc matches the "until" query of a sequence
// (false when it has none).
func MatchUntil(q *Query, doc map[string]any, types Types) bool {
	if q.Until == nil {
		return false
	}
	return matchStep(q.Until, newEvaluator(doc, types))
}

func matchStep(st *Step, ev *evaluator) bool {
	if !st.Any {
		found := false
		for _, v := range ev.values("event.category") {
			if v.k == vStr && v.s == st.Category {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return ev.cond(st.Cond)
}

// Match reports whether the documents match the query:
//
//   - event query: every document matches (and there is at least one);
//   - sequence: the documents contain a run of events that matches the
//     steps in order (a step "with runs=N" N times in a row), with strictly
//     increasing @timestamp, equal join keys across the steps (the
//     sequence's "by" fields and each step's own, positionally), the
//     whole run within maxspan (inclusive); no other document matching a
//     missing event "![...]" with the same keys lies in its window (between
//     the neighbouring events; before the first event back to the last
//     minus maxspan for a leading one, after the last up to the first plus
//     maxspan for a trailing one), and no document matching "until" with
//     the same keys lies between the first and the last event (bounds
//     included);
//   - sample: distinct documents match the steps, in any order, with equal
//     join keys.
//
// Join key fields must have a value, unless marked optional ("?field").
// Only the first 4096 documents are considered for a sequence or sample.
func Match(q *Query, docs []map[string]any, types Types) bool {
	switch q.Kind {
	case Sequence:
		return matchSequence(q, docs, types)
	case Sample:
		return matchSample(q, docs, types)
	}
	if len(docs) == 0 {
		return false
	}
	for _, d := range docs {
		if !MatchEvent(q, 0, d, types) {
			return false
		}
	}
	return true
}

// docInfo is what matching a sequence or sample needs to know of a document.
type docInfo struct {
	ts    int64    // @timestamp in Unix nanoseconds
	hasTS bool     // @timestamp parsed
	match []bool   // per step (the until step last)
	key   []string // per step: the join key tuple; "" when it has none
}

func analyze(q *Query, docs []map[string]any, types Types) []docInfo {
	if len(docs) > maxMatchDocs {
		docs = docs[:maxMatchDocs]
	}
	steps := q.Steps
	if q.Until != nil {
		steps = append(steps[:len(steps):len(steps)], q.Until)
	}
	out := make([]docInfo, len(docs))
	for i, d := range docs {
		ev := newEvaluator(d, types)
		di := docInfo{match: make([]bool, len(steps)), key: make([]string, len(steps))}
		for _, v := range fieldValues(d, "@timestamp") {
			if tv, ok := typed(v, estype.Date); ok {
				di.ts, di.hasTS = tv.i, true
				break
			}
		}
		for s, st := range steps {
			if !matchStep(st, ev) {
				continue
			}
			key, ok := joinKey(ev, q.By, st.By)
			if !ok {
				continue
			}
			di.match[s], di.key[s] = true, key
		}
		out[i] = di
	}
	return out
}

// joinKey renders the join key tuple of a document for a step; ok is false
// when a non-optional key field has no value.
func joinKey(ev *evaluator, keys ...[]*Field) (string, bool) {
	var b strings.Builder
	for _, ks := range keys {
		for _, f := range ks {
			vs := ev.values(f.Name)
			if len(vs) == 0 && !f.Optional {
				return "", false
			}
			b.WriteByte('[')
			for i, v := range vs {
				if i > 0 {
					b.WriteByte(0)
				}
				b.WriteString(keyString(v))
			}
			b.WriteByte(']')
		}
	}
	return b.String(), true
}

func matchSequence(q *Query, docs []map[string]any, types Types) bool {
	all := analyze(q, docs, types)
	// Only documents with a timestamp take part, in time order.
	var info []docInfo
	for _, d := range all {
		if d.hasTS {
			info = append(info, d)
		}
	}
	sort.SliceStable(info, func(i, j int) bool { return info[i].ts < info[j].ts })
	// Expand the positive steps by their runs; remember where the missing
	// events sit (before positive slot k).
	var slots []int
	type missing struct{ step, before int }
	var miss []missing
	for i, st := range q.Steps {
		if st.Missing {
			miss = append(miss, missing{i, len(slots)})
			continue
		}
		for r := 0; r < max(st.Runs, 1); r++ {
			slots = append(slots, i)
		}
	}
	var maxSpan int64
	if q.MaxSpan != nil {
		maxSpan = int64(q.MaxSpan.Duration())
	}
	until := len(q.Steps)
	// noneIn reports whether no document other than the ones at indexes a
	// and b matches step s with the key in the time window [lo, hi].
	noneIn := func(s int, key string, lo, hi int64, a, b int) bool {
		for j, d := range info {
			if j != a && j != b && d.match[s] && d.key[s] == key && d.ts >= lo && d.ts <= hi {
				return false
			}
		}
		return true
	}
	// The events matched are strictly ordered in time, so they are distinct
	// documents, and a missing event's window holds no other matched
	// document than its two neighbours: whether slots k.. can follow
	// document j depends on (k, j) alone, for a given first document.
	n := len(info)
	failed := make([]bool, len(slots)*n)
	for first, f := range info {
		if !f.match[slots[0]] {
			continue
		}
		key := f.key[slots[0]]
		clear(failed)
		var follow func(k, j int) bool
		follow = func(k, j int) bool {
			if k == len(slots) {
				last := info[j].ts
				for _, m := range miss {
					switch m.before {
					case 0:
						if !noneIn(m.step, key, last-maxSpan, f.ts, first, first) {
							return false
						}
					case len(slots):
						if !noneIn(m.step, key, last, f.ts+maxSpan, j, j) {
							return false
						}
					}
				}
				return q.Until == nil || noneIn(until, key, f.ts, last, -1, -1)
			}
			if failed[k*n+j] {
				return false
			}
			step := slots[k]
			for j2 := j + 1; j2 < n; j2++ {
				d := info[j2]
				if maxSpan > 0 && d.ts-f.ts > maxSpan {
					break
				}
				if d.ts <= info[j].ts || !d.match[step] || d.key[step] != key {
					continue
				}
				ok := true
				for _, m := range miss {
					if m.before == k && !noneIn(m.step, key, info[j].ts, d.ts, j, j2) {
						ok = false
						break
					}
				}
				if ok && follow(k+1, j2) {
					return true
				}
			}
			failed[k*n+j] = true
			return false
		}
		if follow(1, first) {
			return true
		}
	}
	return false
}

// matchSample looks, for each join key, for distinct documents that match
// the steps: a bipartite matching of steps to documents.
func matchSample(q *Query, docs []map[string]any, types Types) bool {
	info := analyze(q, docs, types)
	keys := map[string]bool{}
	for _, d := range info {
		if d.match[0] {
			keys[d.key[0]] = true
		}
	}
	for key := range keys {
		owner := make([]int, len(info)) // step matched to each document, -1: none
		for i := range owner {
			owner[i] = -1
		}
		var assign func(step int, seen []bool) bool
		assign = func(step int, seen []bool) bool {
			for j, d := range info {
				if seen[j] || !d.match[step] || d.key[step] != key {
					continue
				}
				seen[j] = true
				if owner[j] < 0 || assign(owner[j], seen) {
					owner[j] = step
					return true
				}
			}
			return false
		}
		all := true
		for step := range q.Steps {
			if !assign(step, make([]bool, len(info))) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}
