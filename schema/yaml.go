package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emit-sec/emit/es/estype"
	"gopkg.in/yaml.v3"
)

// ecsField is a field of ecs_flat.yml, reduced to what emit keeps. It also
// reads a bare type name ("process.pid: long").
type ecsField struct {
	fieldDef `yaml:",inline"`
}

// fieldDef is the definition of a field in ECS spelling.
type fieldDef struct {
	Type           estype.Type       `yaml:"type"`
	Normalizer     string            `yaml:"normalizer"`
	Normalize      []string          `yaml:"normalize"`
	Array          bool              `yaml:"array"`
	AllowedValues  []ecsAllowedValue `yaml:"allowed_values"`
	ExpectedValues []string          `yaml:"expected_values"`
	ScalingFactor  float64           `yaml:"scaling_factor"`
	Example        yaml.Node         `yaml:"example"`
	IgnoreAbove    int               `yaml:"ignore_above"`
	MultiFields    []ecsMultiField   `yaml:"multi_fields"`
	ObjectType     estype.Type       `yaml:"object_type"`
}

type ecsAllowedValue struct {
	Name               string   `yaml:"name" json:"name"`
	ExpectedEventTypes []string `yaml:"expected_event_types" json:"expected_event_types"`
}

type ecsMultiField struct {
	Name       string      `yaml:"name" json:"name"`
	Type       estype.Type `yaml:"type" json:"type"`
	Normalizer string      `yaml:"normalizer" json:"normalizer"`
}

// UnmarshalYAML reads a field definition or a bare type name.
func (f *ecsField) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*f = ecsField{fieldDef{Type: estype.Type(n.Value)}}
		return nil
	}
	return n.Decode(&f.fieldDef)
}

func (e fieldDef) field(name string) (Field, error) {
	if err := checkType(name, e.Type); err != nil {
		return Field{}, err
	}
	f := Field{
		Name:           name,
		Type:           e.Type,
		Normalizer:     e.Normalizer,
		Array:          e.Array || slices.Contains(e.Normalize, "array"),
		ExpectedValues: e.ExpectedValues,
		ScalingFactor:  e.ScalingFactor,
		IgnoreAbove:    e.IgnoreAbove,
		ObjectType:     e.ObjectType,
		Example:        nodeText(&e.Example),
	}
	f.AllowedValues, f.ExpectedEventTypes = allowedValues(e.AllowedValues)
	for _, m := range e.MultiFields {
		if m.Name == "" || m.Type == "" {
			return Field{}, fmt.Errorf("field %s: a multi-field needs a name and a type", name)
		}
		f.MultiFields = append(f.MultiFields, MultiField{Name: m.Name, Type: m.Type, Normalizer: m.Normalizer})
	}
	return f, nil
}

func allowedValues(avs []ecsAllowedValue) ([]string, map[string][]string) {
	if len(avs) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(avs))
	var expected map[string][]string
	for _, av := range avs {
		names = append(names, av.Name)
		if len(av.ExpectedEventTypes) > 0 {
			if expected == nil {
				expected = map[string][]string{}
			}
			expected[av.Name] = av.ExpectedEventTypes
		}
	}
	return names, expected
}

// nodeText renders an example: a scalar as written, anything else as
// compact JSON.
func nodeText(n *yaml.Node) string {
	switch n.Kind {
	case 0:
		return ""
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return ""
		}
		return n.Value
	}
	var v any
	if n.Decode(&v) != nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// isEmitFormat recognizes emit's own schema YAML by its top-level keys.
func isEmitFormat(data []byte) bool {
	for _, key := range []string{"fields:", "conventions:", "integration_fields:"} {
		if bytes.HasPrefix(data, []byte(key)) || bytes.Contains(data, []byte("\n"+key)) {
			return true
		}
	}
	return false
}

// parseYAML reads ecs_flat.yml (or a YAML map of name -> type), or emit's
// own schema YAML.
func parseYAML(data []byte) (*Schema, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, errors.New("a zip archive, not a schema")
	}
	if isEmitFormat(data) {
		return parseEmitYAML(data)
	}
	var m map[string]ecsField
	// ecs_flat.yml is mostly descriptions: parse only the properties emit
	// keeps, and the whole text if that fails (or to word the error).
	if err := yaml.Unmarshal(keepECSProperties(data), &m); err != nil {
		m = nil
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, yamlError(data, err)
		}
	}
	if len(m) == 0 {
		return nil, errors.New("no fields")
	}
	s := New()
	for _, name := range sortedKeys(m) {
		if err := checkName(name); err != nil {
			return nil, err
		}
		f, err := m[name].field(name)
		if err != nil {
			return nil, err
		}
		s.set(f)
	}
	s.normalizeAll()
	return s, nil
}

// emitYAML is emit's own schema format (see etc/default-schema.yml).
type emitYAML struct {
	Conventions []struct {
		Match    string `yaml:"match"`
		fieldDef `yaml:",inline"`
	} `yaml:"conventions"`
	Fields map[string]fieldDef `yaml:"fields"`
	// IntegrationFields are read like Fields; they are kept apart for
	// what they are: fields (and multi-fields) of Elastic integrations,
	// not of ECS.
	IntegrationFields map[string]fieldDef `yaml:"integration_fields"`
}

func parseEmitYAML(data []byte) (*Schema, error) {
	var doc emitYAML
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, yamlError(data, err)
	}
	s := New()
	for i, c := range doc.Conventions {
		if c.Match == "" || strings.Contains(c.Match, "..") {
			return nil, fmt.Errorf("convention %d: invalid match %q", i+1, c.Match)
		}
		f, err := c.fieldDef.field(c.Match)
		if err != nil {
			return nil, fmt.Errorf("convention %d: %w", i+1, err)
		}
		s.AddConvention(f)
	}
	for _, fields := range []map[string]fieldDef{doc.Fields, doc.IntegrationFields} {
		for _, name := range sortedKeys(fields) {
			if err := checkName(name); err != nil {
				return nil, err
			}
			f, err := fields[name].field(name)
			if err != nil {
				return nil, err
			}
			s.set(f)
		}
	}
	s.normalizeAll()
	if s.Len() == 0 && len(s.conventions) == 0 {
		return nil, errors.New("no fields and no conventions")
	}
	return s, nil
}

// yamlError words a YAML error, telling a text that is not a mapping of
// fields apart from a syntax error.
func yamlError(data []byte, err error) error {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) == nil && len(root.Content) == 1 && root.Content[0].Kind != yaml.MappingNode {
		return errors.New("not a schema: expected a YAML mapping of field names")
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "\n ", "")
	return fmt.Errorf("invalid YAML: %s", msg)
}

// keepECSProperties drops from an ecs_flat.yml-style text the field
// properties emit does not read (description, short, dashed_name, otel,
// ...), which are most of its bytes. A property is a line indented by
// exactly two spaces ("  key: ..."), and its value every following line
// that is blank, a "  - " sequence item or indented deeper. Text of another
// shape is kept as is.
func keepECSProperties(data []byte) []byte {
	out := make([]byte, 0, len(data)/3)
	drop := false
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			line, data = data, nil
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		switch {
		case indent == len(line) || line[indent] == '\n' || line[indent] == '\r':
			// blank: part of whatever comes before
		case indent == 0:
			drop = false
		case indent == 2 && line[2] != '-':
			colon := bytes.IndexByte(line, ':')
			drop = colon < 0 || !keptProperties[string(line[2:colon])]
		}
		if !drop {
			out = append(out, line...)
		}
	}
	return out
}

var keptProperties = map[string]bool{
	"type": true, "normalize": true, "allowed_values": true, "expected_values": true,
	"scaling_factor": true, "example": true, "ignore_above": true, "multi_fields": true,
	"object_type": true, "array": true,
}
