package kql

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// queryLine is one query of testdata/kql/queries.txt.
type queryLine struct {
	query      string
	unsolvable bool
	line       int
}

// readQueries reads testdata/kql/queries.txt: one query per line, "#"
// comments and blank lines ignored, "!unsolvable " marking queries no
// document can match.
func readQueries(t testing.TB) []queryLine {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "testdata", "kql", "queries.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []queryLine
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		q := queryLine{query: line, line: n}
		if rest, ok := strings.CutPrefix(line, "!unsolvable "); ok {
			q.query, q.unsolvable = rest, true
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestQueriesFile(t *testing.T) {
	lines := readQueries(t)
	seen := map[string]int{}
	solvable, unsolvable := 0, 0
	for _, l := range lines {
		if prev, dup := seen[l.query]; dup {
			t.Errorf("line %d: duplicate of line %d: %s", l.line, prev, l.query)
		}
		seen[l.query] = l.line
		if l.unsolvable {
			unsolvable++
		} else {
			solvable++
		}
		q, err := Parse(l.query)
		if err != nil {
			t.Errorf("line %d: %s", l.line, detail(err))
			continue
		}
		cq, err := q.Constraints()
		if err != nil {
			t.Errorf("line %d: %s: %v", l.line, l.query, err)
			continue
		}
		if len(cq.Events) != 1 || cq.Events[0].Cond == nil {
			t.Errorf("line %d: bad lowering %+v", l.line, cq)
		}
	}
	if solvable < 150 {
		t.Errorf("%d solvable queries, want at least 150", solvable)
	}
	if unsolvable < 10 {
		t.Errorf("%d unsolvable queries, want at least 10", unsolvable)
	}
}
