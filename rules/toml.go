package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/emit-sec/emit/source"
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
			prefix := tomlPrefix(u)
			if m := tomlTypeErr.FindStringSubmatch(msg); m != nil {
				// Valid TOML, but a value of the wrong type.
				prefix, msg = "invalid rule: ", fmt.Sprintf("want %s, found TOML %s", goTypeName(m[2]), m[1])
			}
			if k := de.Key(); len(k) > 0 {
				msg = strings.Join(k, ".") + ": " + msg
			}
			l.addProblem(u, &Problem{Source: u.source, Pos: source.Pos{Line: line, Col: col}, Err: errors.New(prefix + msg)})
			return
		}
		l.problemf(u, source.Pos{}, "%s%v", tomlPrefix(u), strings.TrimPrefix(err.Error(), "toml: "))
		return
	}
	if f.Rule == nil {
		if u.explicit {
			l.problemf(u, source.Pos{}, "not a detection-rules file: no [rule] table")
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
		l.problemf(u, source.Pos{}, "rule %s (%q): metadata.integration: %v", r.ID, r.Name, err)
		return
	}
	if integrations != nil {
		r.Integrations = integrations
	}
	l.addParsed(u, r)
}

// tomlTypeErr matches go-toml's type mismatch message.
var tomlTypeErr = regexp.MustCompile(`^cannot decode TOML (.+?) into .* of type (\S+)$`)

// goTypeName says in words what a Go type of rawRule holds.
func goTypeName(t string) string {
	switch {
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "float"):
		return "a number"
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "[]map"):
		return "a list of tables"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	}
	return "a table"
}

// tomlPrefix introduces a TOML error: for files not named .toml, that the
// content was not recognised as anything else either.
func tomlPrefix(u *unit) string {
	if u.ext == ".toml" {
		return "invalid TOML: "
	}
	return "not a zip archive, JSON, NDJSON or TOML rules file: invalid TOML: "
}
