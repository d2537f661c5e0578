package rules_test

import (
	"fmt"

	"github.com/emit-sec/emit/rules"
)

func Example() {
	rs, problems := rules.Load("testdata/tree", "testdata/kibana/export.ndjson")
	for _, p := range problems {
		fmt.Println("problem:", p)
	}
	tags, err := rules.ParseTagExpr(`"Domain: Endpoint" and not "OS: Linux"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	sel := rules.Selector{Tags: tags, Types: []string{"eql", "new_terms", "query"}}
	for _, r := range sel.Select(rs) {
		fmt.Printf("%s %s -> %s\n", r.Type, r.Name, r.TargetIndex())
	}
	// Output:
	// problem: testdata/tree/windows/invalid_syntax.toml:10:17: invalid TOML: multiline literal string not terminated by '''
	// problem: testdata/tree/windows/no_query.toml: rule 00000000-0000-4000-8000-00000000000a ("Missing Query"): query rule without a query
	// problem: testdata/tree/windows/wrong_type.toml:7:14: invalid rule: rule.risk_score: want a number, found TOML string
	// query Whoami Execution -> logs-endpoint.events.generic-default
	// eql Process Then Connection -> logs-endpoint.events.process-default
	// new_terms First Time Seen PowerShell Script Block -> logs-windows.powershell-default
}

func ExampleParseTagExpr() {
	e, err := rules.ParseTagExpr(`AWS or Azure`)
	fmt.Println(e, err, e.Match([]string{"Elastic", "Azure"}))

	_, err = rules.ParseTagExpr(`"Domain: Endpoint" and (OS: Linux`)
	fmt.Println(err)
	// Output:
	// "AWS" or "Azure" <nil> true
	// tags: 1:24: unclosed "("
}

func ExampleIndexName() {
	for _, p := range []string{"logs-endpoint.events.process-*", "logs-windows.*", "logs-*", "winlogbeat-*", ".alerts-security.*"} {
		fmt.Println(p, "->", rules.IndexName(p))
	}
	// Output:
	// logs-endpoint.events.process-* -> logs-endpoint.events.process-default
	// logs-windows.* -> logs-windows.generic-default
	// logs-* -> logs-generic-default
	// winlogbeat-* -> winlogbeat-default
	// .alerts-security.* -> .alerts-security.alerts-default
}
