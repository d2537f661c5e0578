package emitter_test

import (
	"fmt"
	"time"

	"github.com/emit-sec/emit/emitter"
)

func Example() {
	e := emitter.New(emitter.Options{Seed: 42, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	if _, err := e.AddQuery(`sequence by host.id with maxspan=1m
	  [process where process.name == "cmd.exe"]
	  [network where destination.port == 443]`, ""); err != nil {
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

	_, err = e.AddQuery(`destination.port < 1024 and destination.port > 1024`, "")
	fmt.Println(err)
	// Output:
	// {"@timestamp":"2024-01-01T00:00:00.000Z","event":{"category":["process"]},"host":{"id":"0016a2a566025a00"},"process":{"name":"cmd.exe"}}
	// {"@timestamp":"2024-01-01T00:00:22.108Z","destination":{"port":443},"event":{"category":["network"]},"host":{"id":"0016a2a566025a00"}}
	// Unsolvable constraints: destination.port (empty solution space, 1025 <= x <= 1023)
}
