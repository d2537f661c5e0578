package rules

import (
	"fmt"
	"strings"
)

// DefaultIndicatorPath is where Kibana looks for an indicator's fields when
// a threat_match rule does not say (threat_indicator_path): the ECS
// threat.indicator object.
const DefaultIndicatorPath = "threat.indicator"

// MappingType is the only type of a threat_mapping entry Kibana knows: the
// event field equals the indicator field.
const MappingType = "mapping"

// threatMatch reads the indicator side of a threat_match rule (or the
// threat_* settings another rule carries); nil when it has none. A
// threat_match rule must say where its indicators are (threat_index) and
// how they match (threat_mapping: groups of entries, each naming an event
// field and an indicator field).
func (raw *rawRule) threatMatch(typ string) (*ThreatMatch, error) {
	if typ != TypeThreatMatch && raw.ThreatQuery == "" && len(raw.ThreatMapping) == 0 {
		return nil, nil
	}
	tm := &ThreatMatch{
		Query:         raw.ThreatQuery,
		Language:      strings.TrimSpace(raw.ThreatLanguage),
		IndicatorPath: strings.TrimSpace(raw.ThreatIndicatorPath),
	}
	for _, ix := range raw.ThreatIndex {
		if ix = strings.TrimSpace(ix); ix != "" {
			tm.Index = append(tm.Index, ix)
		}
	}
	if tm.Language == "" {
		tm.Language = LangKuery // Kibana's default, for an empty threat_query too
	}
	if tm.IndicatorPath == "" {
		tm.IndicatorPath = DefaultIndicatorPath
	}
	var err error
	if tm.Filters, err = toFilters(raw.ThreatFilters); err != nil {
		return nil, fmt.Errorf("threat_filters: %w", err)
	}
	for i, m := range raw.ThreatMapping {
		if len(m.Entries) == 0 {
			return nil, fmt.Errorf("threat_mapping[%d] has no entries", i)
		}
		group := make([]ThreatMapEntry, 0, len(m.Entries))
		for j, e := range m.Entries {
			entry := ThreatMapEntry{Field: strings.TrimSpace(e.Field), Type: strings.TrimSpace(e.Type), Value: strings.TrimSpace(e.Value)}
			where := fmt.Sprintf("threat_mapping[%d].entries[%d]", i, j)
			switch {
			case entry.Field == "":
				return nil, fmt.Errorf("%s has no field (the event's field)", where)
			case entry.Value == "":
				return nil, fmt.Errorf("%s has no value (the indicator's field)", where)
			case entry.Type == "":
				entry.Type = MappingType
			case entry.Type != MappingType:
				return nil, fmt.Errorf("%s: type %q, want %q", where, entry.Type, MappingType)
			}
			group = append(group, entry)
		}
		tm.Mapping = append(tm.Mapping, group)
	}
	if typ == TypeThreatMatch {
		switch {
		case len(tm.Index) == 0:
			return nil, fmt.Errorf("threat_match rule without a threat_index")
		case len(tm.Mapping) == 0:
			return nil, fmt.Errorf("threat_match rule without a threat_mapping")
		}
	}
	return tm, nil
}

// String shows the mapping as the equalities it asks for, the groups
// joined by "or".
func (tm *ThreatMatch) String() string {
	groups := make([]string, len(tm.Mapping))
	for i, g := range tm.Mapping {
		groups[i] = MappingGroupString(g)
	}
	return strings.Join(groups, " or ")
}

// MappingGroupString shows a group of threat_mapping entries as the
// equalities it asks for: "source.ip == threat.indicator.ip and ...".
func MappingGroupString(g []ThreatMapEntry) string {
	parts := make([]string, len(g))
	for i, e := range g {
		parts[i] = e.Field + " == " + e.Value
	}
	return strings.Join(parts, " and ")
}
