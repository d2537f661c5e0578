// Package conformance reads the conformance tables of testdata/conformance:
// Elasticsearch facts as data (wildcard cases, analyzer tokens, ...) that
// both the solver's tests and the evaluators' tests run, so the two sides
// are held to one reading.
//
// A table has one case a line; blank lines are skipped and "#" starts a
// comment outside a string. A line is a list of fields separated by
// spaces: Go string literals (`raw` or "interpreted") and bare words.
package conformance

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Line is one case: its line number and fields.
type Line struct {
	N      int
	Fields []string
}

// Read reads testdata/conformance/name of the project.
func Read(t testing.TB, name string) []Line {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "conformance", name)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Line
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		fields, err := split(sc.Text())
		if err != nil {
			t.Fatalf("%s:%d: %v", name, n, err)
		}
		if len(fields) > 0 {
			out = append(out, Line{N: n, Fields: fields})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// split reads the fields of a line.
func split(line string) ([]string, error) {
	var out []string
	for i := 0; i < len(line); {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '#':
			return out, nil
		case c == '`' || c == '"':
			j := i + 1
			for j < len(line) && line[j] != c {
				if c == '"' && line[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(line) {
				return nil, strconv.ErrSyntax
			}
			s, err := strconv.Unquote(line[i : j+1])
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			i = j + 1
		default:
			j := strings.IndexAny(line[i:], " \t")
			if j < 0 {
				j = len(line) - i
			}
			out = append(out, line[i:i+j])
			i += j
		}
	}
	return out, nil
}

// Lists splits fields at the markers "+" and "-": the fields before the
// first marker, those after "+", and those after "-".
func Lists(fields []string) (head, plus, minus []string) {
	cur := &head
	for _, f := range fields {
		switch f {
		case "+":
			cur = &plus
		case "-":
			cur = &minus
		default:
			*cur = append(*cur, f)
		}
	}
	return head, plus, minus
}
