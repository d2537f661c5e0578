package eql

import "strings"

// maxMatchDocs bounds the documents Match considers for a sequence or a
// sample, whose search is exponential in the worst case.
const maxMatchDocs = 64

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
// Only the first 64 documents are considered for a sequence or sample.
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
			if tv, ok := typed(v, famDate); ok {
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
	info := analyze(q, docs, types)
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
	chosen := make([]int, len(slots))
	used := make([]bool, len(info))

	valid := func(key string) bool {
		first, last := info[chosen[0]].ts, info[chosen[len(chosen)-1]].ts
		if maxSpan > 0 && last-first > maxSpan {
			return false
		}
		for _, m := range miss {
			var lo, hi int64
			switch m.before {
			case 0:
				lo, hi = last-maxSpan, first
			case len(slots):
				lo, hi = last, first+maxSpan
			default:
				lo, hi = info[chosen[m.before-1]].ts, info[chosen[m.before]].ts
			}
			for j, d := range info {
				if !used[j] && d.hasTS && d.match[m.step] && d.key[m.step] == key && d.ts >= lo && d.ts <= hi {
					return false
				}
			}
		}
		if q.Until != nil {
			for _, d := range info {
				if d.hasTS && d.match[until] && d.key[until] == key && d.ts >= first && d.ts <= last {
					return false
				}
			}
		}
		return true
	}

	var search func(k int, key string, after int64) bool
	search = func(k int, key string, after int64) bool {
		if k == len(slots) {
			return valid(key)
		}
		step := slots[k]
		for j, d := range info {
			if used[j] || !d.hasTS || !d.match[step] || k > 0 && (d.ts <= after || d.key[step] != key) {
				continue
			}
			if k > 0 && maxSpan > 0 && d.ts-info[chosen[0]].ts > maxSpan {
				continue
			}
			used[j] = true
			chosen[k] = j
			if search(k+1, d.key[step], d.ts) {
				return true
			}
			used[j] = false
		}
		return false
	}
	return search(0, "", 0)
}

func matchSample(q *Query, docs []map[string]any, types Types) bool {
	info := analyze(q, docs, types)
	used := make([]bool, len(info))
	var search func(k int, key string) bool
	search = func(k int, key string) bool {
		if k == len(q.Steps) {
			return true
		}
		for j, d := range info {
			if used[j] || !d.match[k] || k > 0 && d.key[k] != key {
				continue
			}
			used[j] = true
			if search(k+1, d.key[k]) {
				return true
			}
			used[j] = false
		}
		return false
	}
	return search(0, "")
}
