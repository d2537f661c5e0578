package rules

import (
	"errors"
	"testing"

	"github.com/emit-sec/emit/source"
)

func TestParseTagExpr(t *testing.T) {
	tests := []struct {
		expr string
		want string // String() of the parsed expression
	}{
		{`AWS`, `"AWS"`},
		{`AWS or Azure`, `"AWS" or "Azure"`},
		{`"Domain: Endpoint" and not "OS: Linux"`, `"Domain: Endpoint" and not "OS: Linux"`},
		{`Domain: Endpoint AND NOT OS: Linux`, `"Domain: Endpoint" and not "OS: Linux"`},
		{`a or b and c`, `"a" or ("b" and "c")`},
		{`(a or b) and c`, `("a" or "b") and "c"`},
		{`not not a`, `not not "a"`},
		{`not (a or b)`, `not ("a" or "b")`},
		{`a or b or c`, `"a" or "b" or "c"`},
		{`a and b and not c or d`, `("a" and "b" and not "c") or "d"`},
		{`'Identity and Access' Or Okta`, `"Identity and Access" or "Okta"`},
		{`"say \"hi\"" and 'it\'s'`, `"say \"hi\"" and "it's"`},
		{`  Tactic:   Initial   Access  `, `"Tactic: Initial Access"`},
		{`"Data Source: *"`, `"Data Source: *"`},
		{`android or oracle or notable`, `"android" or "oracle" or "notable"`},
		{"Domain:\tCloud\nand\nAWS", `"Domain: Cloud" and "AWS"`},
	}
	for _, tt := range tests {
		e, err := ParseTagExpr(tt.expr)
		if err != nil {
			t.Errorf("ParseTagExpr(%q): %v", tt.expr, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("ParseTagExpr(%q) = %s, want %s", tt.expr, got, tt.want)
		}
		// String() is itself a valid expression of the same meaning.
		again, err := ParseTagExpr(e.String())
		if err != nil || again.String() != e.String() {
			t.Errorf("reparsing %s: %v, %v", e, again, err)
		}
	}
}

func TestParseTagExprErrors(t *testing.T) {
	tests := []struct {
		expr string
		pos  string
		msg  string
	}{
		{``, "1:1", "empty tag expression"},
		{`   `, "1:1", "empty tag expression"},
		{`a and`, "1:6", `expected a tag, "not" or "(" at the end of the expression`},
		{`a or or b`, "1:6", `expected a tag, "not" or "(", found "or"`},
		{`and a`, "1:1", `expected a tag, "not" or "(", found "and"`},
		{`not`, "1:4", `expected a tag, "not" or "(" at the end of the expression`},
		{`(a or b`, "1:1", `unclosed "("`},
		{`(a or b "c")`, "1:9", `expected ")" or an operator, found tag "c"`},
		{`a or b)`, "1:7", `unbalanced ")"`},
		{`"Domain: Endpoint" "OS: Linux"`, "1:20", `expected "and" or "or" before tag "OS: Linux"`},
		{`a (b)`, "1:3", `expected "and" or "or" before "("`},
		{`"OS: Linux`, "1:1", "unterminated quoted tag"},
		{`a and ""`, "1:7", "empty tag"},
		{`()`, "1:2", `expected a tag, "not" or "(", found ")"`},
		{"a and\n  (b or c", "2:3", `unclosed "("`},
		{"a and\n  (b or", "2:8", `expected a tag, "not" or "(" at the end of the expression`},
		{`é and ("x`, "1:8", "unterminated quoted tag"},
	}
	for _, tt := range tests {
		_, err := ParseTagExpr(tt.expr)
		var pe *source.Error
		if !errors.As(err, &pe) {
			t.Errorf("ParseTagExpr(%q): error %v is not a *source.Error", tt.expr, err)
			continue
		}
		if pe.Lang != "tags" || pe.Pos.String() != tt.pos || pe.Msg != tt.msg || pe.Src != tt.expr {
			t.Errorf("ParseTagExpr(%q): %s (lang %q), want %s: %s", tt.expr, pe, pe.Lang, tt.pos, tt.msg)
		}
	}
}

func TestTagExprMatch(t *testing.T) {
	endpointLinux := []string{"Domain: Endpoint", "OS: Linux", "Use Case: Threat Detection", "Data Source: Elastic Defend"}
	endpointWindows := []string{"Domain: Endpoint", "OS: Windows", "Data Source: Sysmon"}
	cloud := []string{"Domain: Cloud", "Data Source: AWS", "Data Source: Amazon Web Services", "Tactic: Persistence"}
	old := []string{"Elastic", "AWS", "Continuous Monitoring", "Identity and Access"}
	tests := []struct {
		expr string
		tags []string
		want bool
	}{
		{`"Domain: Endpoint" and not "OS: Linux"`, endpointLinux, false},
		{`"Domain: Endpoint" and not "OS: Linux"`, endpointWindows, true},
		{`"Domain: Endpoint" and not "OS: Linux"`, cloud, false},
		{`AWS or Azure`, old, true},
		{`AWS or Azure`, cloud, false},
		{`"data source: aws" or azure`, cloud, true}, // case-insensitive
		{`domain: ENDPOINT`, endpointWindows, true},
		{`"Data Source: *"`, endpointLinux, true}, // glob
		{`"Data Source: *"`, old, false},
		{`"data source: a*s"`, cloud, true},
		{`*Sysmon`, endpointWindows, true},
		{`"OS: Linu?"`, endpointLinux, true},
		{`"OS: Lin\\*"`, endpointLinux, false}, // escaped: a literal *
		{`OS: Lin\*`, []string{"OS: Lin*"}, true},
		{`"Identity and Access"`, old, true},
		{`Identity`, old, false}, // whole tags only
		{`not AWS`, nil, true},
		{`AWS`, nil, false},
		{`(OS: Linux or OS: Windows) and Domain: Endpoint`, endpointWindows, true},
		{`(OS: Linux or OS: Windows) and Domain: Endpoint`, cloud, false},
		{`Tactic: Persistence and not (OS: Linux or OS: Windows)`, cloud, true},
	}
	for _, tt := range tests {
		e, err := ParseTagExpr(tt.expr)
		if err != nil {
			t.Fatalf("ParseTagExpr(%q): %v", tt.expr, err)
		}
		if got := e.Match(tt.tags); got != tt.want {
			t.Errorf("%s on %q = %v, want %v", tt.expr, tt.tags, got, tt.want)
		}
	}
}

func FuzzParseTagExpr(f *testing.F) {
	for _, s := range []string{`a or b`, `"Domain: Endpoint" and not "OS: Linux"`, `(a and (b or not c))`, `"x\"`, `'a' 'b'`, `not`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseTagExpr(s)
		if err != nil {
			var pe *source.Error
			if !errors.As(err, &pe) || !pe.Pos.IsValid() {
				t.Fatalf("ParseTagExpr(%q): error without position: %v", s, err)
			}
			return
		}
		again, err := ParseTagExpr(e.String())
		if err != nil {
			t.Fatalf("String() of %q is %q, which does not parse: %v", s, e.String(), err)
		}
		if again.String() != e.String() {
			t.Fatalf("String() is not stable: %q then %q", e.String(), again.String())
		}
		tags := []string{"a", "b", "Domain: Endpoint"}
		if e.Match(tags) != again.Match(tags) {
			t.Fatalf("%q and its String() %q disagree", s, e.String())
		}
	})
}
