package eql

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueriesFile checks testdata/eql/queries.txt, the table of the
// end-to-end property test: every query parses, prints to a canonical form
// that parses back, and lowers to constraints; the table is large enough.
func TestQueriesFile(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "testdata", "eql", "queries.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	solvable, unsolvable, sequences := 0, 0, 0
	seen := map[string]int{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "!unsolvable "); ok {
			line = rest
			unsolvable++
		} else {
			solvable++
		}
		if prev, dup := seen[line]; dup {
			t.Errorf("line %d repeats line %d", n, prev)
		}
		seen[line] = n
		q, err := Parse(line)
		if err != nil {
			t.Errorf("line %d: %v", n, err)
			continue
		}
		if q.Kind != EventQuery {
			sequences++
		}
		if _, err := Parse(q.String()); err != nil {
			t.Errorf("line %d: canonical form %q: %v", n, q.String(), err)
		}
		if _, err := q.Constraints(); err != nil {
			t.Errorf("line %d: %v", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if solvable < 200 || sequences < 30 || unsolvable < 10 {
		t.Errorf("%d solvable queries, %d sequences or samples, %d unsolvable; want at least 200, 30, 10", solvable, sequences, unsolvable)
	}
}
