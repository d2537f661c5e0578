package emitter_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
)

func Example() {
	e := emitter.New(emitter.Options{Seed: 42, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
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
	// {"@timestamp":"2024-01-01T00:00:00.000Z","event":{"category":["process"]},"host":{"id":"0016a2a566025a00"},"process":{"name":"cmd.exe"}}
	// {"@timestamp":"2024-01-01T00:00:22.108Z","destination":{"port":443},"event":{"category":["network"]},"host":{"id":"0016a2a566025a00"}}
	// unsolvable constraints: destination.port (empty solution space, 1025 <= x <= 1023)
	// true
}

// Matches ranges over matches: here three documents of a KQL query.
func ExampleEmitter_Matches() {
	e := emitter.New(emitter.Options{Seed: 7, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
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
	// {"@timestamp":"2024-01-01T00:00:00.000Z","destination":{"port":268},"process":{"name":"curlK.exe"}}
	// {"@timestamp":"2024-01-01T00:00:00.563Z","destination":{"port":266},"process":{"name":"sshdmUf.exe"}}
	// {"@timestamp":"2024-01-01T00:00:00.724Z","destination":{"port":386},"process":{"name":"rundll32.exe"}}
}
