package rules

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// rawRule is a rule as both Kibana JSON and detection-rules TOML ([rule])
// spell it. Fields whose shape changed across Kibana versions (a string or a
// list) are decoded as any and normalised by toRule.
type rawRule struct {
	RuleID                string           `json:"rule_id" toml:"rule_id"`
	Name                  string           `json:"name" toml:"name"`
	Description           string           `json:"description" toml:"description"`
	Type                  string           `json:"type" toml:"type"`
	Language              string           `json:"language" toml:"language"`
	Query                 string           `json:"query" toml:"query"`
	Index                 []string         `json:"index" toml:"index"`
	DataViewID            string           `json:"data_view_id" toml:"data_view_id"`
	Filters               []map[string]any `json:"filters" toml:"filters"`
	Tags                  []string         `json:"tags" toml:"tags"`
	Author                []string         `json:"author" toml:"author"`
	Version               int              `json:"version" toml:"version"`
	RiskScore             int              `json:"risk_score" toml:"risk_score"`
	Severity              string           `json:"severity" toml:"severity"`
	From                  string           `json:"from" toml:"from"`
	Interval              string           `json:"interval" toml:"interval"`
	MaxSignals            int              `json:"max_signals" toml:"max_signals"`
	TimestampOverride     string           `json:"timestamp_override" toml:"timestamp_override"`
	EventCategoryOverride string           `json:"event_category_override" toml:"event_category_override"`
	TiebreakerField       string           `json:"tiebreaker_field" toml:"tiebreaker_field"`
	TimestampField        string           `json:"timestamp_field" toml:"timestamp_field"`
	BuildingBlockType     string           `json:"building_block_type" toml:"building_block_type"`
	RelatedIntegrations   []struct {
		Package     string `json:"package" toml:"package"`
		Integration string `json:"integration" toml:"integration"`
		Version     string `json:"version" toml:"version"`
	} `json:"related_integrations" toml:"related_integrations"`

	Threshold *rawThreshold `json:"threshold" toml:"threshold"`

	// new_terms: Kibana keeps the settings flat, detection-rules in a
	// [rule.new_terms] table.
	NewTermsFields     any          `json:"new_terms_fields" toml:"new_terms_fields"`
	HistoryWindowStart string       `json:"history_window_start" toml:"history_window_start"`
	NewTermsTOML       *tomlNewTerm `json:"-" toml:"new_terms"`

	ThreatQuery         string           `json:"threat_query" toml:"threat_query"`
	ThreatLanguage      string           `json:"threat_language" toml:"threat_language"`
	ThreatIndex         []string         `json:"threat_index" toml:"threat_index"`
	ThreatIndicatorPath string           `json:"threat_indicator_path" toml:"threat_indicator_path"`
	ThreatFilters       []map[string]any `json:"threat_filters" toml:"threat_filters"`
	ThreatMapping       []rawThreatGroup `json:"threat_mapping" toml:"threat_mapping"`

	MachineLearningJobID any `json:"machine_learning_job_id" toml:"machine_learning_job_id"`
	AnomalyThreshold     int `json:"anomaly_threshold" toml:"anomaly_threshold"`

	AlertSuppression *struct {
		GroupBy  []string `json:"group_by" toml:"group_by"`
		Duration *struct {
			Value int    `json:"value" toml:"value"`
			Unit  string `json:"unit" toml:"unit"`
		} `json:"duration" toml:"duration"`
		MissingFieldsStrategy string `json:"missing_fields_strategy" toml:"missing_fields_strategy"`
	} `json:"alert_suppression" toml:"alert_suppression"`
}

// rawThreatGroup is one group of a threat_mapping: entries that must all
// match. (Named types keep Go's type names out of decoding errors.)
type rawThreatGroup struct {
	Entries []rawThreatEntry `json:"entries" toml:"entries"`
}

type rawThreatEntry struct {
	Field string `json:"field" toml:"field"`
	Type  string `json:"type" toml:"type"`
	Value string `json:"value" toml:"value"`
}

type rawThreshold struct {
	// Field is a list of fields; Kibana before 7.12 kept a single string.
	Field       any `json:"field" toml:"field"`
	Value       int `json:"value" toml:"value"`
	Cardinality []struct {
		Field string `json:"field" toml:"field"`
		Value int    `json:"value" toml:"value"`
	} `json:"cardinality" toml:"cardinality"`
}

// tomlNewTerm is detection-rules' spelling of the new_terms settings:
//
//	[rule.new_terms]
//	field = "new_terms_fields"
//	value = ["host.id", "user.name"]
//	[[rule.new_terms.history_window_start]]
//	field = "history_window_start"
//	value = "now-14d"
type tomlNewTerm struct {
	Field              string `toml:"field"`
	Value              any    `toml:"value"`
	HistoryWindowStart []struct {
		Field string `toml:"field"`
		Value string `toml:"value"`
	} `toml:"history_window_start"`
}

// queryTypes are the rule types that cannot work without a query.
var queryTypes = map[string]bool{
	TypeQuery: true, TypeEQL: true, TypeESQL: true, TypeThreshold: true,
	TypeNewTerms: true, TypeThreatMatch: true,
}

// defaultLanguage is the language Kibana assumes for a type when a rule
// leaves it out.
func defaultLanguage(typ string) string {
	switch typ {
	case TypeQuery, TypeThreshold, TypeNewTerms, TypeThreatMatch, TypeSavedQuery:
		return LangKuery
	case TypeEQL:
		return LangEQL
	case TypeESQL:
		return LangESQL
	}
	return ""
}

// toRule turns a decoded rule into a Rule and checks that it has what its
// type needs.
func (raw *rawRule) toRule() (*Rule, error) {
	r := &Rule{
		ID:                    strings.TrimSpace(raw.RuleID),
		Name:                  raw.Name,
		Description:           raw.Description,
		Type:                  strings.TrimSpace(raw.Type),
		Language:              strings.TrimSpace(raw.Language),
		Query:                 raw.Query,
		Index:                 raw.Index,
		DataViewID:            raw.DataViewID,
		Tags:                  raw.Tags,
		Author:                raw.Author,
		Version:               raw.Version,
		RiskScore:             raw.RiskScore,
		Severity:              raw.Severity,
		From:                  raw.From,
		Interval:              raw.Interval,
		MaxSignals:            raw.MaxSignals,
		TimestampOverride:     raw.TimestampOverride,
		EventCategoryOverride: raw.EventCategoryOverride,
		TiebreakerField:       raw.TiebreakerField,
		TimestampField:        raw.TimestampField,
		BuildingBlockType:     raw.BuildingBlockType,
	}
	for _, ri := range raw.RelatedIntegrations {
		pkg := strings.TrimSpace(ri.Package)
		if pkg == "" {
			continue
		}
		r.RelatedIntegrations = append(r.RelatedIntegrations, RelatedIntegration{
			Package: pkg, Integration: strings.TrimSpace(ri.Integration), Version: strings.TrimSpace(ri.Version),
		})
		if !slices.Contains(r.Integrations, pkg) {
			r.Integrations = append(r.Integrations, pkg)
		}
	}
	if r.ID == "" {
		return nil, errors.New("not a valid rule: no rule_id")
	}
	if r.Type == "" {
		return nil, fmt.Errorf("rule %s: no type", r.ID)
	}
	if strings.TrimSpace(r.Name) == "" {
		return nil, fmt.Errorf("rule %s: no name", r.ID)
	}
	if r.Language == "" {
		r.Language = defaultLanguage(r.Type)
	}
	if queryTypes[r.Type] && strings.TrimSpace(r.Query) == "" {
		return nil, fmt.Errorf("rule %s (%q): %s rule without a query", r.ID, r.Name, r.Type)
	}
	var err error
	if r.Filters, err = toFilters(raw.Filters); err != nil {
		return nil, fmt.Errorf("rule %s (%q): filters: %w", r.ID, r.Name, err)
	}
	if raw.Threshold != nil {
		t := &Threshold{Value: raw.Threshold.Value}
		if t.Field, err = stringList(raw.Threshold.Field); err != nil {
			return nil, fmt.Errorf("rule %s (%q): threshold.field: %w", r.ID, r.Name, err)
		}
		for _, c := range raw.Threshold.Cardinality {
			t.Cardinality = append(t.Cardinality, Cardinality{Field: c.Field, Value: c.Value})
		}
		r.Threshold = t
	}
	if r.Type == TypeThreshold {
		switch {
		case r.Threshold == nil:
			return nil, fmt.Errorf("rule %s (%q): threshold rule without a threshold", r.ID, r.Name)
		case r.Threshold.Value < 1:
			return nil, fmt.Errorf("rule %s (%q): threshold.value is %d, must be at least 1", r.ID, r.Name, r.Threshold.Value)
		}
		for _, c := range r.Threshold.Cardinality {
			if c.Field == "" || c.Value < 1 {
				return nil, fmt.Errorf("rule %s (%q): threshold.cardinality needs a field and a value of at least 1", r.ID, r.Name)
			}
		}
	}
	if r.NewTerms, err = raw.newTerms(); err != nil {
		return nil, fmt.Errorf("rule %s (%q): %w", r.ID, r.Name, err)
	}
	if r.Type == TypeNewTerms && (r.NewTerms == nil || len(r.NewTerms.Fields) == 0) {
		return nil, fmt.Errorf("rule %s (%q): new_terms rule without new terms fields", r.ID, r.Name)
	}
	if r.ThreatMatch, err = raw.threatMatch(r.Type); err != nil {
		return nil, fmt.Errorf("rule %s (%q): %w", r.ID, r.Name, err)
	}
	if r.Type == TypeMachineLearning || raw.MachineLearningJobID != nil {
		ml := &MachineLearning{AnomalyThreshold: raw.AnomalyThreshold}
		if ml.JobIDs, err = stringList(raw.MachineLearningJobID); err != nil {
			return nil, fmt.Errorf("rule %s (%q): machine_learning_job_id: %w", r.ID, r.Name, err)
		}
		r.MachineLearning = ml
	}
	if s := raw.AlertSuppression; s != nil {
		as := &AlertSuppression{GroupBy: s.GroupBy, MissingFieldsStrategy: s.MissingFieldsStrategy}
		if s.Duration != nil {
			as.Duration = strconv.Itoa(s.Duration.Value) + s.Duration.Unit
		}
		r.AlertSuppression = as
	}
	return r, nil
}

// newTerms reads the new_terms settings in either spelling; nil when the
// rule has none.
func (raw *rawRule) newTerms() (*NewTerms, error) {
	var nt *NewTerms
	if raw.NewTermsFields != nil || raw.HistoryWindowStart != "" {
		fields, err := stringList(raw.NewTermsFields)
		if err != nil {
			return nil, fmt.Errorf("new_terms_fields: %w", err)
		}
		nt = &NewTerms{Fields: fields, HistoryWindowStart: raw.HistoryWindowStart}
	}
	if t := raw.NewTermsTOML; t != nil {
		if t.Field != "" && t.Field != "new_terms_fields" {
			return nil, fmt.Errorf("new_terms.field is %q, want \"new_terms_fields\"", t.Field)
		}
		fields, err := stringList(t.Value)
		if err != nil {
			return nil, fmt.Errorf("new_terms.value: %w", err)
		}
		nt = &NewTerms{Fields: fields}
		for _, h := range t.HistoryWindowStart {
			if h.Field == "" || h.Field == "history_window_start" {
				nt.HistoryWindowStart = h.Value
			}
		}
	}
	return nt, nil
}

// stringList accepts a string or a list of strings (nil gives nil).
func stringList(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if v == "" {
			return nil, nil
		}
		return []string{v}, nil
	case []string:
		return v, nil
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("want strings, found %s", describe(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("want a string or a list of strings, found %s", describe(v))
}

func describe(v any) string {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) {
			return fmt.Sprintf("number %d", int64(v))
		}
		return fmt.Sprintf("number %g", v)
	case int64:
		return fmt.Sprintf("number %d", v)
	case bool:
		return fmt.Sprintf("boolean %t", v)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	}
	return fmt.Sprintf("%T", v)
}

// toFilters reads Kibana filters: {"meta": {...}, "query": {...}}, or older
// ones with the clause (exists, range, match_phrase, ...) beside "meta".
func toFilters(raw []map[string]any) ([]Filter, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	out := make([]Filter, 0, len(raw))
	for i, m := range raw {
		f := Filter{Raw: m}
		if meta, ok := m["meta"].(map[string]any); ok {
			f.Negate, _ = meta["negate"].(bool)
			f.Disabled, _ = meta["disabled"].(bool)
		}
		if q, ok := m["query"].(map[string]any); ok {
			f.Query = q
		} else {
			for k, v := range m {
				if k == "meta" || k == "$state" || k == "query" {
					continue
				}
				if f.Query == nil {
					f.Query = map[string]any{}
				}
				f.Query[k] = v
			}
		}
		if f.Query == nil {
			return nil, fmt.Errorf("filter %d has no query clause", i+1)
		}
		out = append(out, f)
	}
	return out, nil
}
