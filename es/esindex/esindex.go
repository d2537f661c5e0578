// Package esindex is Elasticsearch's naming of concrete indices: the
// backing indices of a data stream (.ds-<stream>-<yyyy.MM.dd>-<generation>)
// and the concrete index behind Kibana's security alerts alias
// (.internal.alerts-security.alerts-<space>-<generation>). A document is
// written to a data stream or an alias; the index Elasticsearch stores it
// in, which METADATA _index shows in ES|QL, is the concrete one.
package esindex

import (
	"strings"
	"time"
)

// StreamTypes are the first parts of Elastic data stream names,
// <type>-<dataset>-<namespace>.
var StreamTypes = map[string]bool{
	"logs": true, "metrics": true, "traces": true, "synthetics": true, "profiling": true,
}

// alertsAlias and alertsInternal are the prefixes of Kibana's security
// alerts alias (.alerts-security.alerts-<space>) and of the concrete index
// behind it.
const (
	alertsAlias    = ".alerts-security.alerts-"
	alertsInternal = AlertsConcretePrefix + alertsAlias
)

// DefaultNamespace is the namespace of a data stream (and the Kibana space
// of the alerts index) unless the integration's policy says otherwise.
const DefaultNamespace = "default"

// FirstGeneration is the generation of a data stream's first backing
// index, and of the first concrete alerts index.
const FirstGeneration = "000001"

// IsDataStream reports whether name is a data stream's name by Elastic's
// scheme <type>-<dataset>-<namespace> (neither dataset nor namespace
// holding "-").
func IsDataStream(name string) bool {
	parts := strings.Split(name, "-")
	return len(parts) == 3 && StreamTypes[parts[0]] && parts[1] != "" && parts[2] != ""
}

// Concrete is the concrete index a document written to target lands in on
// the day created (the day the backing index was made): the first backing
// index of a data stream, the first concrete index of the alerts alias, or
// target itself. Aliases are the other names that reach that index (the
// data stream or the alias), which index patterns select it by.
func Concrete(target string, created time.Time) (concrete string, aliases []string) {
	switch {
	case IsDataStream(target):
		return ".ds-" + target + "-" + created.UTC().Format("2006.01.02") + "-" + FirstGeneration, []string{target}
	case strings.HasPrefix(target, alertsAlias) && len(target) > len(alertsAlias):
		return alertsInternal + target[len(alertsAlias):] + "-" + FirstGeneration, []string{target}
	}
	return target, nil
}

// Target is the inverse of Concrete: the data stream or alias a document
// is written to for it to land in the concrete index name, or name itself.
func Target(name string) string {
	if stream, ok := DataStreamOf(name); ok {
		return stream
	}
	if rest, ok := strings.CutPrefix(name, alertsInternal); ok {
		if gen := strings.LastIndexByte(rest, '-'); gen > 0 && isGeneration(rest[gen+1:]) {
			return alertsAlias + rest[:gen]
		}
	}
	return name
}

// Aliases are the names that reach the concrete index name: the data stream
// of a backing index, the alerts alias of the concrete alerts index.
func Aliases(name string) []string {
	if t := Target(name); t != name {
		return []string{t}
	}
	return nil
}

// DataStreamOf returns the data stream of a backing index name
// (.ds-<stream>-<yyyy.MM.dd>-<generation>).
func DataStreamOf(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, ".ds-")
	if !ok {
		return "", false
	}
	gen := strings.LastIndexByte(rest, '-')
	if gen < 0 || !isGeneration(rest[gen+1:]) {
		return "", false
	}
	day := strings.LastIndexByte(rest[:gen], '-')
	if day <= 0 {
		return "", false
	}
	if _, err := time.Parse("2006.01.02", rest[day+1:gen]); err != nil {
		return "", false
	}
	return rest[:day], true
}

func isGeneration(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// The forms of the concrete index names a document can be written to get,
// as Lucene regular expressions: the first backing index of a data stream
// of Elastic's scheme (BackingRegex; named by a day that every month has),
// the part of it after the stream's name (DayRegex), the first concrete
// alerts index (AlertsRegex), a plain index name, lower case, not hidden
// and not a data stream's (PlainRegex).
const (
	BackingRegex = `\.ds-(logs|metrics|traces|synthetics|profiling)-[a-z0-9._]+-[a-z0-9._]+-[0-9]{4}\.(0[1-9]|1[0-2])\.(0[1-9]|1[0-9]|2[0-8])-` + FirstGeneration
	DayRegex     = `-[0-9]{4}\.[0-9]{2}\.[0-9]{2}-` + FirstGeneration
	AlertsRegex  = `\.internal\.alerts-security\.alerts-[a-z0-9._]+-` + FirstGeneration
	PlainRegex   = `[a-z0-9][a-z0-9._\-]*&~((logs|metrics|traces|synthetics|profiling)-[^\-]+-[^\-]+)`
)

// AlertsConcretePrefix is what Kibana's concrete alerts index name has
// before the alias's name (.internal + .alerts-security.alerts-<space>).
const AlertsConcretePrefix = ".internal"

// Usual is the concrete index most deployments write a document like
// name's to: for a data stream's backing index (or the concrete alerts
// index), the one of the same dataset in the default namespace (space),
// made on created's day; other names as they are.
func Usual(name string, created time.Time) string {
	if stream, ok := DataStreamOf(name); ok && IsDataStream(stream) {
		parts := strings.Split(stream, "-")
		c, _ := Concrete(parts[0]+"-"+parts[1]+"-"+DefaultNamespace, created)
		return c
	}
	if t := Target(name); t != name && strings.HasPrefix(t, alertsAlias) {
		c, _ := Concrete(alertsAlias+DefaultNamespace, created)
		return c
	}
	return name
}
