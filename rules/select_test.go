package rules

import (
	"slices"
	"testing"
)

func selectionRules() []*Rule {
	return []*Rule{
		{ID: "id-1", Name: "AWS IAM User Created", Type: TypeQuery, Tags: []string{"Domain: Cloud", "Data Source: AWS"}},
		{ID: "id-2", Name: "Azure Role Assigned", Type: TypeQuery, Tags: []string{"Domain: Cloud", "Data Source: Azure"}},
		{ID: "id-3", Name: "Process Injection / Hollowing", Type: TypeEQL, Tags: []string{"Domain: Endpoint", "OS: Windows"}},
		{ID: "id-4", Name: "Sudo Abuse", Type: TypeThreshold, Tags: []string{"Domain: Endpoint", "OS: Linux"}},
		{ID: "id-5", Name: "Deprecated - Old AWS Rule", Type: TypeQuery, Tags: []string{"Data Source: AWS"}, Deprecated: true},
		{ID: "ID-6", Name: "Rare Process", Type: TypeMachineLearning, Tags: []string{"Domain: Endpoint", "OS: Windows"}},
	}
}

func ids(rs []*Rule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func mustTags(t *testing.T, s string) *TagExpr {
	t.Helper()
	e, err := ParseTagExpr(s)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSelect(t *testing.T) {
	rs := selectionRules()
	tests := []struct {
		name string
		sel  Selector
		want []string
	}{
		{"none: all but deprecated", Selector{}, []string{"id-1", "id-2", "id-3", "id-4", "ID-6"}},
		{"include deprecated", Selector{IncludeDeprecated: true}, []string{"id-1", "id-2", "id-3", "id-4", "id-5", "ID-6"}},
		{"ids", Selector{IDs: []string{"id-3", "id-1"}}, []string{"id-1", "id-3"}},
		{"id case-insensitive", Selector{IDs: []string{"id-6"}}, []string{"ID-6"}},
		{"deprecated id left out", Selector{IDs: []string{"id-5"}}, nil},
		{"deprecated id included", Selector{IDs: []string{"id-5"}, IncludeDeprecated: true}, []string{"id-5"}},
		{"exact name, any case", Selector{Names: []string{"sudo abuse"}}, []string{"id-4"}},
		{"exact name is whole", Selector{Names: []string{"Sudo"}}, nil},
		{"glob name", Selector{Names: []string{"*AWS*"}}, []string{"id-1"}},
		{"glob across slash", Selector{Names: []string{"Process*Hollowing"}}, []string{"id-3"}},
		{"glob ?", Selector{Names: []string{"Sudo Abus?"}}, []string{"id-4"}},
		{"ids and names unite", Selector{IDs: []string{"id-2"}, Names: []string{"Sudo*"}}, []string{"id-2", "id-4"}},
		{"tags", Selector{Tags: mustTags(t, `"Domain: Endpoint" and not "OS: Linux"`)}, []string{"id-3", "ID-6"}},
		{"tags or", Selector{Tags: mustTags(t, `"Data Source: AWS" or "Data Source: Azure"`)}, []string{"id-1", "id-2"}},
		{"types", Selector{Types: []string{"EQL", "threshold"}}, []string{"id-3", "id-4"}},
		{"tags and types intersect", Selector{Tags: mustTags(t, `Domain: Endpoint`), Types: []string{"eql"}}, []string{"id-3"}},
		{"names filtered by type", Selector{Names: []string{"*"}, Types: []string{"query"}}, []string{"id-1", "id-2"}},
		{"nothing", Selector{Types: []string{"esql"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(tt.sel.Select(rs))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, r := range rs {
				if tt.sel.Selects(r) != slices.Contains(got, r.ID) {
					t.Errorf("Selects(%s) disagrees with Select", r.ID)
				}
			}
		})
	}
}

func TestUnmatched(t *testing.T) {
	rs := selectionRules()
	tests := []struct {
		sel  Selector
		want []string
	}{
		{Selector{}, nil},
		{Selector{IDs: []string{"id-1"}}, nil},
		{Selector{IDs: []string{"id-1", "nope"}}, []string{`rule id "nope": no such rule`}},
		{Selector{IDs: []string{"id-5"}}, []string{`rule id "id-5": only deprecated rules match (deprecated rules are left out unless included)`}},
		{Selector{IDs: []string{"id-5"}, IncludeDeprecated: true}, nil},
		{Selector{Names: []string{"*Kerberos*"}}, []string{`rule name "*Kerberos*": no such rule`}},
		{Selector{Types: []string{"esql"}}, []string{`rule type "esql": no such rule`}},
		{Selector{Tags: mustTags(t, "OS: macOS")}, []string{`tags "OS: macOS": no such rule`}},
		{Selector{IDs: []string{"id-1"}, Types: []string{"eql"}}, []string{"no rule satisfies all the selectors together"}},
	}
	for _, tt := range tests {
		if got := tt.sel.Unmatched(rs); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: got %q, want %q", tt.sel, got, tt.want)
		}
	}
}
