package lucene_test

import (
	"errors"
	"fmt"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/parser/lucene"
	"github.com/emit-sec/emit/source"
)

func Example() {
	q, err := lucene.Parse(`process.name:(cmd.exe OR *.ps1) && !user.name:SYSTEM AND destination.port:[* TO 1024} AND _exists_:host.name`)
	if err != nil {
		panic(err)
	}
	fmt.Println(q) // canonical form

	c, err := q.Constraints()
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Events[0].Cond)
	// Output:
	// process.name:(cmd.exe OR *.ps1) AND NOT user.name:SYSTEM AND destination.port:[* TO 1024} AND _exists_:host.name
	// (process.name == "cmd.exe" or process.name like "*.ps1") and not user.name == "SYSTEM" and destination.port < "1024" and host.name exists
}

// Lucene has no operator precedence: AND makes the clauses on both sides
// required, and an optional clause beside required ones does not count.
func ExampleOccurs() {
	q, _ := lucene.Parse(`a:1 AND b:2 OR c:3`)
	fmt.Println(lucene.Occurs(q.Root.Clauses, lucene.OperatorOr))
	c, _ := q.Constraints()
	fmt.Println(c.Events[0].Cond)
	// Output:
	// [must must should]
	// a == "1" and b == "2"
}

func ExampleParse_error() {
	_, err := lucene.Parse(`file.path:C:/Windows/*`)
	var pe *source.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Detail())
	}
	// Output:
	// lucene: 1:12: unexpected ":": a field is written field:value; escape a ":" inside a value as \: (or quote the value)
	//   file.path:C:/Windows/*
	//              ^
}

func ExampleQuery_Constraints_unsupported() {
	q, _ := lucene.Parse(`event.category:process AND powershell`)
	_, err := q.Constraints()
	var ue *constraint.UnsupportedError
	if errors.As(err, &ue) {
		fmt.Println(ue)
	}
	// Output:
	// 1:28: unsupported: a term without a field searches every field: "powershell"; name a field, e.g. message:powershell
}
