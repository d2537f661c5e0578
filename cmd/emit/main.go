// Command emit generates documents that satisfy detection-rule queries (KQL,
// EQL) and the Elasticsearch mappings for them.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
)

// Exit statuses.
const (
	exitOK    = 0
	exitFail  = 1 // bad usage, bad query, unsolvable query
	exitUsage = 2 // emit check: bad usage or unreadable input
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "check" && os.Getenv("GOGC") == "" {
		// emit check allocates in short-lived bursts, rule after rule,
		// over a live heap of the schemas and rules: collecting at twice
		// the live heap instead of once costs ~120 MB more at peak over
		// detection-rules (480 MB) and saves ~5% of its CPU (3.5 CPU-s
		// instead of 3.7). GOGC in the environment still rules.
		debug.SetGCPercent(checkGCPercent)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// checkGCPercent is emit check's GOGC when the environment sets none.
const checkGCPercent = 200

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
