package schema

import (
	"fmt"
	"sync"

	"github.com/emit-sec/emit/etc"
)

var defaultSchema = sync.OnceValue(func() *Schema {
	s, err := parseEmitYAML(etc.DefaultSchema)
	if err != nil {
		// The embedded file is part of the program and tested: this is a
		// build defect, not bad input.
		panic(fmt.Sprintf("schema: embedded etc/default-schema.yml: %v", err))
	}
	return s
})

// Default returns a new copy of the embedded default schema
// (etc/default-schema.yml): @timestamp, the ECS categorization fields with
// their allowed values, the fields detection rules use most with their ECS
// types, arrays and multi-fields, and ECS naming conventions (*.ip is an ip,
// *.port a long, ...) for the others. Every field it types agrees with ECS
// 8.11 and 9.5. Unknown fields are keyword.
func Default() *Schema { return defaultSchema().Clone() }
