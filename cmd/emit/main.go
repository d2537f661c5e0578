// Command emit generates documents that satisfy detection-rule queries (KQL,
// EQL) and the Elasticsearch mappings for them.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // bad usage, bad query, unsolvable query
	exitUsage = 2 // emit check: bad usage or unreadable input
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: testable end to end.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		// Bad input never shows a stack trace; a bug still says what happened.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "emit: internal error: %v\n", r)
			code = exitFail
		}
	}()
	if len(args) > 0 && args[0] == "check" {
		return runCheck(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "scenario" {
		return runScenario(args[1:], stdout, stderr)
	}
	return runGenerate(args, stdout, stderr)
}
