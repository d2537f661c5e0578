package dsl_test

import (
	"encoding/json"
	"fmt"

	"github.com/emit-sec/emit/parser/dsl"
)

func ExampleLower() {
	var clause map[string]any
	_ = json.Unmarshal([]byte(`{"bool": {
		"filter": [{"match_phrase": {"event.module": "okta"}}],
		"must_not": [{"wildcard": {"user.name": {"value": "svc-*", "case_insensitive": true}}}]}}`), &clause)
	e, err := dsl.Lower(clause)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e)
	// Output: event.module == "okta" and not user.name like~ "svc-*"
}
