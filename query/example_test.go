package query_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/rules"
)

func ExampleMatchFilters() {
	filters := []rules.Filter{
		{Query: map[string]any{"exists": map[string]any{"field": "user_agent.original"}}, Negate: true},
		{Query: map[string]any{"range": map[string]any{"http.response.status_code": map[string]any{"gte": 400}}}},
	}
	types := estype.ByName(func(field string) string {
		if field == "http.response.status_code" {
			return "long"
		}
		return "keyword"
	})
	for _, doc := range []string{
		`{"http": {"response": {"status_code": 404}}}`,
		`{"http": {"response": {"status_code": 404}}, "user_agent": {"original": "curl/8.0"}}`,
		`{"http": {"response": {"status_code": "200"}}}`,
	} {
		var d map[string]any
		_ = json.Unmarshal([]byte(doc), &d)
		fmt.Println(query.MatchFilters(filters, d, types, time.Now()))
	}
	// Output:
	// true
	// false
	// false
}

func ExampleFilterExpr() {
	filters := []rules.Filter{
		{Query: map[string]any{"match_phrase": map[string]any{"event.dataset": "okta.system"}}},
		{Query: map[string]any{"terms": map[string]any{"event.action": []any{"user.session.start", "user.mfa.factor.deactivate"}}}},
		{Query: map[string]any{"query_string": map[string]any{"query": "*"}}, Disabled: true},
	}
	e, err := query.FilterExpr(filters)
	fmt.Println(e, err)
	// Output: event.dataset == "okta.system" and (event.action == "user.session.start" or event.action == "user.mfa.factor.deactivate") <nil>
}
