package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/emit-sec/emit/source"
)

// statusOrder is how summaries list the statuses.
var statusOrder = []Status{OK, Unsolvable, ParseError, Unsupported, Failed}

func label(r Result) string {
	switch {
	case r.Rule != nil && r.Name != "":
		return fmt.Sprintf("%s (%s)", r.Name, r.ID)
	case r.Rule != nil:
		return r.ID
	}
	return source.Clip(r.Query, source.MaxQuote)
}

// clipLines clips every line of s to source.MaxQuote bytes: a report
// line that quotes a huge query does not echo it whole.
func clipLines(s string) string {
	if len(s) <= source.MaxQuote {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = source.Clip(l, source.MaxQuote)
	}
	return strings.Join(lines, "\n")
}

// WriteText writes a summary table, then the rules that are not ok grouped
// by reason (most frequent first), then the warnings.
func WriteText(w io.Writer, rs []Result) error {
	s := Summarize(rs)
	var b strings.Builder
	fmt.Fprintf(&b, "checked %d\n", s.Total)
	for _, st := range statusOrder {
		if n := s.ByStatus[st]; n > 0 || st == OK {
			fmt.Fprintf(&b, "  %-12s %6d  %5.1f%%\n", st, n, pct(n, s.Total))
		}
	}
	if s.Warnings > 0 {
		fmt.Fprintf(&b, "  %-12s %6d\n", "warnings", s.Warnings)
	}
	for _, g := range Groups(rs) {
		b.WriteByte('\n')
		if g.Reason != "" {
			fmt.Fprintf(&b, "%s: %s (%d)\n", g.Status, clipLines(g.Reason), len(g.Results))
		} else {
			fmt.Fprintf(&b, "%s (%d)\n", g.Status, len(g.Results))
		}
		for _, r := range g.Results {
			fmt.Fprintf(&b, "  %s\n", label(r))
			if r.Source != "" && g.Status != Unsupported {
				fmt.Fprintf(&b, "    %s\n", r.Source)
			}
			if g.Reason == "" && r.Reason != "" {
				fmt.Fprintf(&b, "    %s\n", indent(clipLines(r.Reason), "    "))
			}
		}
	}
	if warned := withWarnings(rs); len(warned) > 0 {
		fmt.Fprintf(&b, "\nwarnings (%d rules)\n", len(warned))
		for _, r := range warned {
			fmt.Fprintf(&b, "  %s\n", label(r))
			for _, wn := range r.Warnings {
				fmt.Fprintf(&b, "    %s\n", clipLines(wn))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// withWarnings is the results that carry warnings.
func withWarnings(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if len(r.Warnings) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func indent(s, prefix string) string { return strings.ReplaceAll(s, "\n", "\n"+prefix) }

func pct(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(n) / float64(total)
}

// WriteMarkdown writes the report as Markdown, for a CI job to publish.
func WriteMarkdown(w io.Writer, rs []Result) error {
	s := Summarize(rs)
	var b strings.Builder
	b.WriteString("## emit check\n\n| status | rules | share |\n|---|---:|---:|\n")
	for _, st := range statusOrder {
		if n := s.ByStatus[st]; n > 0 || st == OK {
			fmt.Fprintf(&b, "| %s | %d | %.1f%% |\n", st, n, pct(n, s.Total))
		}
	}
	fmt.Fprintf(&b, "| **total** | **%d** | |\n", s.Total)
	for _, g := range Groups(rs) {
		title := string(g.Status)
		if g.Reason != "" {
			title += ": " + g.Reason
		}
		fmt.Fprintf(&b, "\n### %s (%d)\n\n| rule | reason |\n|---|---|\n", mdEscape(title), len(g.Results))
		for _, r := range g.Results {
			fmt.Fprintf(&b, "| %s | %s |\n", mdEscape(label(r)), mdEscape(clipLines(r.Reason)))
		}
	}
	if warned := withWarnings(rs); len(warned) > 0 {
		fmt.Fprintf(&b, "\n### warnings (%d rules)\n\n| rule | warning |\n|---|---|\n", len(warned))
		for _, r := range warned {
			for _, wn := range r.Warnings {
				fmt.Fprintf(&b, "| %s | %s |\n", mdEscape(label(r)), mdEscape(clipLines(wn)))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", "<br>")
}

// WriteJSON writes one JSON object per result and line.
func WriteJSON(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range rs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}
