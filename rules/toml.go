package rules

import (
	"errors"
	"strings"

	"github.com/emit-sec/emit/parser"
	"github.com/pelletier/go-toml/v2"
)

// tomlFile is a detection-rules rule file.
type tomlFile struct {
	Metadata struct {
		Maturity    string `toml:"maturity"`
		Integration any    `toml:"integration"`
	} `toml:"metadata"`
	Rule *rawRule `toml:"rule"`
}

// parseTOML loads a detection-rules file: [metadata] and [rule] tables.
func (l *loader) parseTOML(u *unit, data []byte) {
	var f tomlFile
	if err := toml.Unmarshal(trimBOM(data), &f); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			msg := strings.TrimPrefix(de.Error(), "toml: ")
			if k := de.Key(); len(k) > 0 {
				msg = strings.Join(k, ".") + ": " + msg
			}
			l.addProblem(u, &Problem{Source: u.source, Pos: parser.Pos{Line: line, Col: col}, Err: errors.New(tomlPrefix(u) + msg)})
			return
		}
		l.problemf(u, parser.Pos{}, "%s%v", tomlPrefix(u), strings.TrimPrefix(err.Error(), "toml: "))
		return
	}
	if f.Rule == nil {
		if u.explicit {
			l.problemf(u, parser.Pos{}, "not a detection-rules file: no [rule] table")
		}
		return
	}
	r, err := f.Rule.toRule()
	if err != nil {
		l.addProblem(u, &Problem{Source: u.source, Err: err})
		return
	}
	r.Maturity = f.Metadata.Maturity
	integrations, err := stringList(f.Metadata.Integration)
	if err != nil {
		l.problemf(u, parser.Pos{}, "rule %s (%q): metadata.integration: %v", r.ID, r.Name, err)
		return
	}
	if integrations != nil {
		r.Integrations = integrations
	}
	l.addParsed(u, r)
}

// tomlPrefix introduces a TOML error: for files not named .toml, that the
// content was not recognised as anything else either.
func tomlPrefix(u *unit) string {
	if u.ext == ".toml" {
		return "invalid TOML: "
	}
	return "not a zip archive, JSON, NDJSON or TOML rules file: invalid TOML: "
}
