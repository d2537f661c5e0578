package scenario

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/emit-sec/emit/etc"
)

// Builtin is a built-in scenario's name and description.
type Builtin struct {
	Name, Description string
}

// Builtins lists the built-in scenarios (etc/scenarios), by name.
func Builtins() ([]Builtin, error) {
	entries, err := fs.ReadDir(etc.Scenarios, "scenarios")
	if err != nil {
		return nil, err
	}
	var out []Builtin
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok {
			continue
		}
		sc, err := LoadBuiltin(name)
		if err != nil {
			return nil, err
		}
		out = append(out, Builtin{Name: name, Description: sc.Description})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// LoadBuiltin parses the built-in scenario of that name.
func LoadBuiltin(name string) (*Scenario, error) {
	data, err := BuiltinText(name)
	if err != nil {
		return nil, err
	}
	return Parse("etc/scenarios/"+name+".yaml", data)
}

// BuiltinText is a built-in scenario's file.
func BuiltinText(name string) ([]byte, error) {
	if strings.ContainsAny(name, `/\.`) {
		return nil, fmt.Errorf("no built-in scenario %q", name)
	}
	data, err := etc.Scenarios.ReadFile("scenarios/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (see emit scenario --list)", name)
	}
	return data, nil
}
