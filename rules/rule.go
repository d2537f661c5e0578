// Package rules loads detection rules from the places users keep them and
// selects the ones a run is about.
//
// Inputs (see Load): Elastic Package Registry packages
// (security_detection_engine-*.zip), detection-rules TOML trees and files,
// Kibana rule exports (NDJSON) and single JSON rules. The format of a file is
// told from its content, not from its name. A damaged input becomes a
// Problem naming the file (and line) and the reason; every other rule still
// loads.
//
// Selection (see Selector): by rule id, by name (exact or glob), by a boolean
// expression over tags (see ParseTagExpr), by type; deprecated rules are left
// out unless asked for.
//
// Indices (see IndexName and Rule.TargetIndex): a concrete index name for a
// rule's index pattern, for documents to land where the rule looks.
package rules

import (
	"fmt"

	"github.com/emit-sec/emit/source"
)

// Rule types, as Kibana and detection-rules name them.
const (
	TypeQuery           = "query"
	TypeEQL             = "eql"
	TypeESQL            = "esql"
	TypeThreshold       = "threshold"
	TypeNewTerms        = "new_terms"
	TypeThreatMatch     = "threat_match"
	TypeMachineLearning = "machine_learning"
	TypeSavedQuery      = "saved_query"
)

// Query languages.
const (
	LangKuery  = "kuery"
	LangEQL    = "eql"
	LangESQL   = "esql"
	LangLucene = "lucene"
)

// MaturityDeprecated is the detection-rules maturity of a retired rule.
const MaturityDeprecated = "deprecated"

// Rule is one detection rule, whatever the format it was read from.
//
// Field names follow Kibana's rule schema (the JSON names are given in the
// comments); detection-rules TOML uses the same names under [rule], plus
// [metadata].
type Rule struct {
	ID          string // rule_id: stable across versions and installations
	Name        string // name
	Description string // description
	Type        string // type: query, eql, esql, threshold, new_terms, threat_match, machine_learning, ...
	// Language of Query: kuery, eql, esql, lucene. When the input leaves it
	// out, it is filled in from the type as Kibana does: kuery for query,
	// threshold, new_terms, threat_match and saved_query rules, eql for eql,
	// esql for esql; machine_learning rules have none.
	Language string
	Query    string   // query
	Index    []string // index: the index patterns the rule searches
	// DataViewID is set by rules that search a Kibana data view instead of
	// index patterns (data_view_id).
	DataViewID string
	// Filters are Kibana filters (filters) that further restrict the query.
	Filters []Filter
	Tags    []string // tags
	Author  []string // author
	// Integrations are the Elastic integration packages the rule's data
	// comes from: detection-rules metadata.integration, or the packages of
	// Kibana's related_integrations.
	Integrations []string
	// RelatedIntegrations are Kibana's related_integrations (package,
	// integration, version), as the rule lists them; nil when it has none
	// (detection-rules TOML names its packages in metadata.integration).
	RelatedIntegrations []RelatedIntegration
	// Maturity from detection-rules metadata (production, development,
	// deprecated, ...); empty for Kibana JSON, which does not carry it.
	Maturity string
	// Deprecated: Maturity is "deprecated" or the file lives under a
	// directory named _deprecated (as detection-rules keeps retired rules).
	Deprecated bool
	// BuildingBlockType is "default" for building-block rules
	// (building_block_type), whose alerts feed other rules.
	BuildingBlockType string
	// Version of the rule (version); 0 when the input does not carry it, as
	// detection-rules TOML does not.
	Version   int
	RiskScore int    // risk_score, 0-100
	Severity  string // severity: low, medium, high, critical
	// From is how far back each run looks (from, e.g. "now-9m"); Interval is
	// how often the rule runs (interval, e.g. "5m").
	From, Interval string
	MaxSignals     int // max_signals; 0 when unset
	// TimestampOverride is the field used instead of @timestamp to pick the
	// events of a run (timestamp_override, usually event.ingested).
	TimestampOverride string
	// EQL rules: event_category_override, tiebreaker_field, timestamp_field.
	EventCategoryOverride string
	TiebreakerField       string
	TimestampField        string

	// Type-specific settings; nil unless the rule is of that type.
	Threshold       *Threshold       // threshold rules
	NewTerms        *NewTerms        // new_terms rules
	ThreatMatch     *ThreatMatch     // threat_match (indicator match) rules
	MachineLearning *MachineLearning // machine_learning rules
	// AlertSuppression groups alerts (alert_suppression); nil when unset.
	AlertSuppression *AlertSuppression

	// Source is where the rule was read: a file path, or for entries of
	// archives "archive.zip:entry/path.json" (nested archives chain:
	// "a.zip:b.zip:c.json").
	Source string
	// Line is the 1-based line of the rule in an NDJSON export, or the
	// 1-based position in a JSON array of rules; 0 for one-rule files.
	Line int
}

// RelatedIntegration is one entry of a rule's related_integrations: the
// Elastic integration package, optionally one of its integrations (a
// policy template such as "cloudtrail"; "" for the whole package), and the
// package versions the rule works with, as a semver constraint ("^2.0.0";
// "" for any).
type RelatedIntegration struct {
	Package     string
	Integration string
	Version     string
}

// Threshold is the condition of a threshold rule: an alert for every group
// of at least Value events sharing the values of Field (all events when
// Field is empty) that also have, where Cardinality is set, at least
// Cardinality[i].Value distinct values of Cardinality[i].Field.
type Threshold struct {
	Field       []string
	Value       int
	Cardinality []Cardinality
}

// Cardinality is a distinct-values condition of a threshold rule.
type Cardinality struct {
	Field string
	Value int
}

// NewTerms is the condition of a new_terms rule: an alert for an event whose
// combination of Fields values was not seen since HistoryWindowStart (a date
// math expression such as "now-14d").
type NewTerms struct {
	Fields             []string
	HistoryWindowStart string
}

// ThreatMatch holds the indicator side of a threat_match (indicator match)
// rule: an alert is an event of the rule's index that satisfies its query
// and filters, and an indicator of Index that satisfies Query and Filters,
// such that for one group of Mapping every entry's event field equals the
// entry's indicator field.
type ThreatMatch struct {
	Query string // threat_query; empty matches every indicator
	// Language of Query (threat_language): kuery when the rule leaves it
	// out, as Kibana does.
	Language string
	Index    []string // threat_index: the index patterns of the indicators
	// IndicatorPath (threat_indicator_path) is the object of the
	// indicator's fields: DefaultIndicatorPath when the rule leaves it out.
	IndicatorPath string
	Filters       []Filter // threat_filters
	// Mapping (threat_mapping) is an OR of ANDs: an event matches an
	// indicator when all entries of one of the groups match. Every group
	// has at least one entry, and every entry a field and a value.
	Mapping [][]ThreatMapEntry
}

// ThreatMapEntry says that event field Field must equal indicator field
// Value (Type is MappingType).
type ThreatMapEntry struct {
	Field string
	Type  string
	Value string
}

// MachineLearning holds the settings of a machine_learning rule.
type MachineLearning struct {
	JobIDs           []string // machine_learning_job_id
	AnomalyThreshold int      // anomaly_threshold
}

// AlertSuppression is a rule's alert_suppression setting.
type AlertSuppression struct {
	GroupBy []string
	// Duration such as "5m"; empty when alerts are suppressed per rule run.
	Duration              string
	MissingFieldsStrategy string
}

// Filter is one Kibana filter of a rule (the filter bar under a query).
type Filter struct {
	// Negate: the filter excludes what it matches (meta.negate).
	Negate bool
	// Disabled filters are kept but do not apply (meta.disabled).
	Disabled bool
	// Query is the Elasticsearch query DSL clause of the filter, e.g.
	// {"match_phrase":{"event.module":"okta"}} or
	// {"exists":{"field":"user_agent.original"}}: the "query" member of the
	// filter, or the clause Kibana stores beside "meta" in older filters.
	Query map[string]any
	// Raw is the whole filter as read, for what the fields above leave out.
	Raw map[string]any
}

// Location is Source, with the line for rules read from NDJSON exports and
// JSON arrays.
func (r *Rule) Location() string {
	if r.Line > 0 {
		return fmt.Sprintf("%s:%d", r.Source, r.Line)
	}
	return r.Source
}

// String identifies the rule for humans: its name and id.
func (r *Rule) String() string {
	return fmt.Sprintf("%q (%s)", r.Name, r.ID)
}

// Problem is an input, or part of one, that could not be loaded: an
// unreadable file, a damaged archive, invalid TOML or JSON, or a rule that
// lacks what its type needs.
type Problem struct {
	// Source names the file, or archive entry ("archive.zip:entry.json").
	Source string
	// Pos is where in Source the problem is, when known: the line and
	// column of a syntax error, the line (Col 0) of a rule in an NDJSON
	// export. The zero Pos means the whole source.
	Pos source.Pos
	Err error
}

func (p *Problem) Error() string {
	switch {
	case p.Pos.IsValid() && p.Pos.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %v", p.Source, p.Pos.Line, p.Pos.Col, p.Err)
	case p.Pos.IsValid():
		return fmt.Sprintf("%s:%d: %v", p.Source, p.Pos.Line, p.Err)
	}
	return fmt.Sprintf("%s: %v", p.Source, p.Err)
}

// Unwrap returns the underlying error.
func (p *Problem) Unwrap() error { return p.Err }
