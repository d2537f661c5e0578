package kql_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/parser/kql"
	"github.com/emit-sec/emit/source"
)

func Example() {
	q, err := kql.Parse(`process.name:(cmd.exe or *.ps1) AND NOT user.name:SYSTEM and destination.port<1024`)
	if err != nil {
		panic(err)
	}
	fmt.Println(q) // canonical KQL

	c, err := q.Constraints()
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Events[0].Cond)

	var doc map[string]any
	_ = json.Unmarshal([]byte(`{"process":{"name":"run.ps1"},"user":{"name":"alice"},"destination":{"port":443}}`), &doc)
	types := func(field string) estype.Mapping {
		if field == "destination.port" {
			return estype.Mapping{Type: estype.Long}
		}
		return estype.Mapping{Type: estype.Keyword}
	}
	fmt.Println(kql.Match(q, doc, types))
	// Output:
	// process.name : (cmd.exe or *.ps1) and not user.name : SYSTEM and destination.port < 1024
	// (process.name == "cmd.exe" or process.name like "*.ps1") and not user.name == "SYSTEM" and destination.port < "1024"
	// true
}

func ExampleParse_error() {
	_, err := kql.Parse(`process.name : (cmd.exe or`)
	var pe *source.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Detail())
	}
	// Output:
	// kql: 1:16: unbalanced parenthesis: this "(" is never closed
	//   process.name : (cmd.exe or
	//                  ^
}
