package emitter_test

import (
	"fmt"
	"time"

	"github.com/emit-sec/emit/emitter"
)

func Example() {
	e := emitter.New(emitter.Options{Seed: 42, Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	if _, err := e.AddQuery(`destination.port < 1024 and process.name : "sshd"`, ""); err != nil {
		fmt.Println(err)
		return
	}
	docs, err := e.Next()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(docs), "document")
	m, _ := e.Mappings()
	fmt.Println(len(m) > 0)

	_, err = e.AddQuery(`destination.port < 1024 and destination.port > 1024`, "")
	fmt.Println(err)
	// Output:
	// 1 document
	// true
	// Unsolvable constraints: destination.port (empty solution space, 1025 <= x <= 1023)
}
