package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeExample is a "$ emit ..." example of README.md with the output it
// shows.
type readmeExample struct {
	line int
	args []string
	want []string
}

// readmeExamples reads the indented "$ emit" examples of README.md: the
// command (continued over lines while a quote is open), then the output
// lines up to a blank line or the next "$".
func readmeExamples(t *testing.T) []readmeExample {
	f, err := os.Open(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []readmeExample
	var cur *readmeExample
	var cmd strings.Builder
	open := false
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		body, indented := strings.CutPrefix(line, "    ")
		switch {
		case open:
			cmd.WriteString("\n" + body)
			if strings.Count(cmd.String(), "'")%2 == 0 {
				open = false
				cur.args = shellWords(t, cmd.String())
			}
		case indented && strings.HasPrefix(body, "$ emit "):
			if cur != nil {
				out = append(out, *cur)
			}
			cur = &readmeExample{line: n}
			cmd.Reset()
			cmd.WriteString(strings.TrimPrefix(body, "$ emit "))
			if strings.Count(cmd.String(), "'")%2 == 1 {
				open = true
			} else {
				cur.args = shellWords(t, cmd.String())
			}
		case cur != nil && indented && strings.HasPrefix(body, "$ "):
			out = append(out, *cur)
			cur = nil
		case cur != nil && indented && strings.TrimSpace(body) != "":
			cur.want = append(cur.want, body)
		case cur != nil:
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out
}

// shellWords splits a command line with single and double quotes.
func shellWords(t *testing.T, s string) []string {
	var words []string
	var w strings.Builder
	in := rune(0)
	has := false
	for _, r := range s {
		switch {
		case in != 0 && r == in:
			in = 0
		case in != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			in, has = r, true
		case r == ' ' || r == '\n' || r == '\t':
			if w.Len() > 0 || has {
				words = append(words, w.String())
				w.Reset()
				has = false
			}
		default:
			w.WriteRune(r)
		}
	}
	if in != 0 {
		t.Fatalf("unbalanced quotes in %q", s)
	}
	if w.Len() > 0 || has {
		words = append(words, w.String())
	}
	return words
}

// TestReadmeExamples runs every "$ emit" example of README.md and checks
// that each output line it shows is what emit prints (a line with "..." is
// abbreviated: what comes before it starts a line emit prints).
func TestReadmeExamples(t *testing.T) {
	exs := readmeExamples(t)
	if len(exs) < 8 {
		t.Fatalf("found %d examples in README.md", len(exs))
	}
	// The examples run from the project's root, as a user runs them.
	t.Chdir(filepath.Join("..", ".."))
	for _, ex := range exs {
		if usesShared(ex.args) {
			if _, err := os.Stat(filepath.Join("..", "shared", "etc")); err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("README.md:%d needs ../shared/etc, which CI must have: %v", ex.line, err)
				}
				t.Logf("README.md:%d skipped: ../shared/etc is absent", ex.line)
				continue
			}
		}
		_, out, errs := runEmit(t, ex.args...)
		got := map[string]bool{}
		for _, l := range lines(out + errs) {
			got[strings.TrimRight(l, " ")] = true
		}
		for _, w := range ex.want {
			if i := strings.Index(w, "..."); i >= 0 {
				// An abbreviated line: what comes before "..." starts a
				// line emit prints (nothing: skipped).
				if !hasLinePrefix(got, strings.TrimRight(w[:i], " ")) {
					t.Errorf("README.md:%d: emit %s\n  prints no line starting %q; it prints:\n%s%s", ex.line, strings.Join(ex.args, " "), w[:i], errs, out)
				}
				continue
			}
			if !got[strings.TrimRight(w, " ")] {
				t.Errorf("README.md:%d: emit %s\n  does not print %q; it prints:\n%s%s", ex.line, strings.Join(ex.args, " "), w, errs, out)
			}
		}
	}
}

// hasLinePrefix reports whether a line of got starts with prefix, which
// holds at least one non-space character (else: true).
func hasLinePrefix(got map[string]bool, prefix string) bool {
	if strings.TrimSpace(prefix) == "" {
		return true
	}
	for l := range got {
		if strings.HasPrefix(l, prefix) {
			return true
		}
	}
	return false
}

// usesShared reports whether an example reads the shared data beside the
// project.
func usesShared(args []string) bool {
	for _, a := range args {
		if strings.Contains(a, "../shared/") {
			return true
		}
	}
	return false
}
