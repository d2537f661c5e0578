// Package datetest reads the conformance table of Elasticsearch's date
// reading, testdata/conformance/dates.txt, for the tests of every package
// that reads dates (es/date, the solver, the evaluators).
package datetest

import (
	"bufio"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Case is one line of the table: how Elasticsearch reads Input rounded
// down and rounded up, or Err when it rejects it.
type Case struct {
	Line     int
	Input    string
	Err      bool
	Down, Up time.Time
}

// Table is the conformance table.
type Table struct {
	Now   time.Time // the time date math is relative to
	Cases []Case
}

// Path finds testdata/conformance/dates.txt from the working directory of
// a test (a package directory of the module).
func Path() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "conformance", "dates.txt"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Load reads the table.
func Load() (*Table, error) {
	path, err := Path()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t := &Table{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
		}
		if cols[0] == "now" && len(cols) == 2 {
			if t.Now, err = Instant(cols[1]); err != nil {
				return nil, bad("%v", err)
			}
			continue
		}
		c := Case{Line: line, Input: cols[0]}
		if strings.HasPrefix(c.Input, `"`) {
			if c.Input, err = strconv.Unquote(c.Input); err != nil {
				return nil, bad("input %s: %v", cols[0], err)
			}
		}
		switch {
		case len(cols) == 2 && cols[1] == "error":
			c.Err = true
		case len(cols) == 3:
			if c.Down, err = Instant(cols[1]); err != nil {
				return nil, bad("%v", err)
			}
			if c.Up, err = Instant(cols[2]); err != nil {
				return nil, bad("%v", err)
			}
		default:
			return nil, bad("want input, down and up, or input and error")
		}
		t.Cases = append(t.Cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if t.Now.IsZero() {
		return nil, fmt.Errorf("%s: no now line", path)
	}
	return t, nil
}

// Instant reads an instant of the table: RFC 3339, or "@" and a decimal
// number of seconds since the epoch.
func Instant(s string) (time.Time, error) {
	if rest, ok := strings.CutPrefix(s, "@"); ok {
		r, ok := new(big.Rat).SetString(rest)
		if !ok {
			return time.Time{}, fmt.Errorf("bad instant %q", s)
		}
		ns := new(big.Int).Quo(new(big.Int).Mul(r.Num(), big.NewInt(1e9)), r.Denom())
		sec, rem := new(big.Int).QuoRem(ns, big.NewInt(1e9), new(big.Int))
		if !sec.IsInt64() {
			return time.Time{}, fmt.Errorf("instant %q out of range", s)
		}
		return time.Unix(sec.Int64(), rem.Int64()).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
