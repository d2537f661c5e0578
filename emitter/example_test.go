package emitter_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
)

func Example() {
	e := emitter.New(emitter.Options{Seed: 42, End: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Minimal: true})
	if _, err := e.AddQuery(`sequence by host.id with maxspan=1m
	  [process where process.name == "cmd.exe"]
	  [network where destination.port == 443]`, query.EQL); err != nil {
		fmt.Println(err)
		return
	}
	docs, err := e.Next() // one match: two documents sharing host.id
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range docs {
		fmt.Println(string(d.Source))
	}

	_, err = e.AddQuery(`destination.port < 1024 and destination.port > 1024`, query.KQL)
	fmt.Println(err)
	fmt.Println(errors.Is(err, emitter.ErrUnsolvable))
	// Output:
	// {"@timestamp":"2023-12-31T23:51:24.097Z","event":{"category":["process"]},"host":{"id":"51521212013bce6cebfd57d7176a59a8"},"process":{"name":"cmd.exe"}}
	// {"@timestamp":"2023-12-31T23:52:06.392Z","destination":{"port":443},"event":{"category":["network"]},"host":{"id":"51521212013bce6cebfd57d7176a59a8"}}
	// unsolvable constraints: destination.port (empty solution space, 1025 <= x <= 1023)
	// true
}

// Matches ranges over matches: here three documents of a KQL query.
func ExampleEmitter_Matches() {
	e := emitter.New(emitter.Options{Seed: 7, End: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Minimal: true, Count: 3})
	if _, err := e.AddQuery(`process.name : *.exe and destination.port < 1024`, query.KQL); err != nil {
		fmt.Println(err)
		return
	}
	for docs, err := range e.Matches(3) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(string(docs[0].Source))
	}
	// Output:
	// {"@timestamp":"2023-12-31T23:47:33.227Z","destination":{"port":824},"process":{"name":"taskhostw.exe"}}
	// {"@timestamp":"2023-12-31T23:52:00.126Z","destination":{"port":449},"process":{"name":"MsMpEng.exe"}}
	// {"@timestamp":"2023-12-31T23:58:59.933Z","destination":{"port":393},"process":{"name":"spoolsv.exe"}}
}
