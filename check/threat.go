package check

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/es/ipaddr"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
)

// verifyThreat judges matches of a threat_match rule: each is an indicator
// that the rule's threat query (with its threat filters) accepts, in an
// index of the rule's threat_index, and an event that the rule's query
// (with its filters) accepts, in an index of the rule's index, such that
// for one group of the rule's threat_mapping the indicator holds one value
// in each of the group's indicator fields and the event holds that value
// in the entry's event field.
func verifyThreat(e *emitter.Emitter, src *emitter.Source, matches int) error {
	r, side := src.Rule, src.Threat
	types := src.Schema().Types()
	multi := MultiFields(src)
	e.SetDecoding(true)
	for i := 0; i < matches; i++ {
		docs, err := e.NextFrom(src)
		if err != nil {
			return fmt.Errorf("generation: %w", err)
		}
		var ind, ev *emitter.Document
		var di, de int
		for j := range docs {
			if docs[j].Indicator {
				ind, di = &docs[j], j
			} else {
				ev, de = &docs[j], j
			}
		}
		if len(docs) != 2 || ind == nil || ev == nil {
			return fmt.Errorf("threat match: a match is an indicator and an event, got %d documents", len(docs))
		}
		all, err := decoded(e, docs)
		if err != nil {
			return err
		}
		parsed := []map[string]any{all[di], all[de]}
		for j, d := range []*emitter.Document{ind, ev} {
			IndexMultiFields(parsed[j], d.Source, multi)
		}
		show := "\nindicator: " + string(ind.Source) + "\nevent: " + string(ev.Source)
		if !side.Query.MatchAt(parsed[:1], types, e.Now()) {
			return fmt.Errorf("the threat query's evaluator rejects the indicator:%s", show)
		}
		if !src.Query.MatchAt(parsed[1:], types, e.Now()) {
			return fmt.Errorf("the query's evaluator rejects the event:%s", show)
		}
		if tm := r.ThreatMatch; !schema.SearchesIndex(tm.Index, ind.Index) {
			return fmt.Errorf("threat match: the indicator goes to %s, which the threat_index %v does not search", ind.Index, tm.Index)
		}
		if pats := r.IndexPatterns(); len(pats) > 0 && !schema.SearchesIndex(pats, ev.Index) {
			return fmt.Errorf("threat match: the event goes to %s, which the index %v does not search", ev.Index, pats)
		}
		if why := mappingMatches(r.ThreatMatch.Mapping, ind.Source, ev.Source, types); why != "" {
			return fmt.Errorf("threat match: no group of the threat_mapping matches: %s%s", why, show)
		}
	}
	return nil
}

// mappingMatches says why no group of the mapping matches the indicator
// with the event ("" when one does): in a matching group, each indicator
// field holds a single value, and the entry's event field holds it too
// (among its values, when it has several), compared as the field's type
// compares (addresses by value).
func mappingMatches(mapping [][]rules.ThreatMapEntry, ind, ev []byte, types estype.Lookup) string {
	var reasons []string
	for _, group := range mapping {
		why := ""
		for _, m := range group {
			iv := values(gjson.GetBytes(ind, document.Path(m.Value)))
			if len(iv) != 1 {
				why = fmt.Sprintf("%s has %d values, not one", m.Value, len(iv))
				break
			}
			found := false
			for _, v := range values(gjson.GetBytes(ev, document.Path(m.Field))) {
				if sameValue(iv[0], v, types(m.Field).Type) {
					found = true
					break
				}
			}
			if !found {
				why = fmt.Sprintf("%s does not hold %s's value %s", m.Field, m.Value, iv[0].Raw)
				break
			}
		}
		if why == "" {
			return ""
		}
		reasons = append(reasons, why)
	}
	return strings.Join(reasons, "; ")
}

// values are a field's scalar values: its elements when it is an array.
func values(v gjson.Result) []gjson.Result {
	if !v.Exists() {
		return nil
	}
	if v.IsArray() {
		var out []gjson.Result
		for _, x := range v.Array() {
			if x.Type != gjson.Null {
				out = append(out, x)
			}
		}
		return out
	}
	if v.Type == gjson.Null {
		return nil
	}
	return []gjson.Result{v}
}

// sameValue compares two values of a field of type typ: addresses by
// value, anything else as written.
func sameValue(a, b gjson.Result, typ estype.Type) bool {
	if typ == estype.IP {
		x, ok1 := ipaddr.Parse(a.String())
		y, ok2 := ipaddr.Parse(b.String())
		return ok1 && ok2 && x == y
	}
	if a.Type == gjson.Number && b.Type == gjson.Number {
		return a.Num == b.Num
	}
	return a.Type == b.Type && a.String() == b.String()
}
