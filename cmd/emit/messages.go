package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/emit-sec/emit/source"
)

// messages writes what a command tells the user on stderr: errors always,
// warnings and notes unless --quiet, details only with --verbose.
type messages struct {
	w       io.Writer
	prog    string // "emit" or "emit check"
	quiet   bool
	verbose bool
}

// errorf reports a problem; it is never silenced.
func (m *messages) errorf(format string, args ...any) {
	fmt.Fprintf(m.w, "%s: %s\n", m.prog, capMessage(fmt.Sprintf(format, args...)))
}

// warnf reports something the user may want to fix (dead alternatives,
// selectors that matched nothing); --quiet silences it.
func (m *messages) warnf(format string, args ...any) {
	if !m.quiet {
		fmt.Fprintf(m.w, "%s: warning: %s\n", m.prog, capMessage(fmt.Sprintf(format, args...)))
	}
}

// notef tells what the command did on its own (schemas it found, where
// documents went); --quiet silences it.
func (m *messages) notef(format string, args ...any) {
	if !m.quiet {
		fmt.Fprintf(m.w, "%s: %s\n", m.prog, capMessage(fmt.Sprintf(format, args...)))
	}
}

// detailf is shown with --verbose only.
func (m *messages) detailf(format string, args ...any) {
	if m.verbose {
		fmt.Fprintf(m.w, "%s: %s\n", m.prog, capMessage(fmt.Sprintf(format, args...)))
	}
}

// capMessage clips every line of msg to source.MaxQuote bytes
// (source.Clip): a query of thousands of characters is not echoed whole.
// Lines that source.Error.Detail renders are already short: their caret
// stays where it was.
func capMessage(msg string) string {
	if len(msg) <= source.MaxQuote {
		return msg
	}
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = source.Clip(l, source.MaxQuote)
	}
	return strings.Join(lines, "\n")
}

// skipped gathers the rules a run leaves out, by reason, to report them in
// one line per reason (and one line per rule with --verbose).
type skipped struct {
	byReason map[string][]string // reason -> "rule label: detail"
}

func (s *skipped) add(reason, detail string) {
	if s.byReason == nil {
		s.byReason = map[string][]string{}
	}
	s.byReason[reason] = append(s.byReason[reason], detail)
}

// report writes the summary, most frequent reason first; --quiet
// silences it unless --verbose asks for the details.
func (s *skipped) report(m *messages) {
	if m.quiet && !m.verbose {
		return
	}
	reasons := make([]string, 0, len(s.byReason))
	for r := range s.byReason {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		a, b := len(s.byReason[reasons[i]]), len(s.byReason[reasons[j]])
		if a != b {
			return a > b
		}
		return reasons[i] < reasons[j]
	})
	for _, r := range reasons {
		details := s.byReason[r]
		if len(details) == 1 {
			fmt.Fprintf(m.w, "%s: skipped rule %s\n", m.prog, strings.ReplaceAll(capMessage(details[0]), "\n", "\n  "))
			continue
		}
		rules := "rules"
		hint := " (--verbose lists them)"
		if m.verbose {
			hint = ":"
		}
		fmt.Fprintf(m.w, "%s: skipped %d %s: %s%s\n", m.prog, len(details), rules, r, hint)
		if m.verbose {
			for _, d := range details {
				fmt.Fprintf(m.w, "  %s\n", strings.ReplaceAll(capMessage(d), "\n", "\n  "))
			}
		}
	}
}
