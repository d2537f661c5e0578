package rules

import (
	"archive/zip"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/emit-sec/emit/source"
)

// Load reads detection rules from each path, which may be:
//
//   - an Elastic Package Registry package (security_detection_engine-*.zip):
//     every */kibana/security_rule/*.json entry, read from the archive
//     without unpacking it. Packages that keep several versions of a rule as
//     <rule_id>_<version>.json give the highest version of each rule_id;
//   - any other zip archive: its entries are read as a directory tree;
//   - a directory, walked recursively (hidden entries such as .git are
//     skipped): .toml, .json, .ndjson, .jsonl and .zip files. Files that are
//     valid but hold no rule (pyproject.toml, package.json, ...) are passed
//     over silently; damaged ones are reported;
//   - a detection-rules .toml file ([metadata] and [rule] tables);
//   - a Kibana export (NDJSON, one rule per line; the export summary,
//     exception lists and action connectors on other lines are skipped);
//   - a JSON rule: a rule object, a Kibana saved object
//     ({"attributes": {...}, "type": "security-rule"}), a JSON array of
//     those, or a find API answer ({"data": [...]}).
//
// The format of a named file is told from its content (zip magic bytes,
// JSON, NDJSON, TOML), not from its name.
//
// Everything that cannot be loaded becomes a Problem naming the file, the
// line when known, and the reason: an unreadable path, a damaged archive or
// archive entry, invalid TOML or JSON, a rule without a rule_id, type, name,
// or the query, threshold or new terms fields its type needs, a named file
// or tree that holds no rule at all. The other rules load all the same.
//
// Rules are ordered by Source (then Line), problems likewise, whatever the
// order in which the files were parsed: files are parsed in parallel.
func Load(paths ...string) ([]*Rule, []*Problem) {
	l := &loader{sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
	var inputs []*input
	seen := map[string]bool{}
	for _, p := range paths {
		if seen[filepath.Clean(p)] {
			continue // the same path twice gives its rules once
		}
		seen[filepath.Clean(p)] = true
		in := &input{path: p}
		inputs = append(inputs, in)
		l.loadPath(in)
	}
	l.wg.Wait()
	for _, in := range inputs {
		if in.found.Load() == 0 {
			l.addProblem(&unit{in: in}, &Problem{Source: in.path, Err: errors.New("no detection rules found")})
		}
	}
	return l.finish()
}

// input is one path given to Load; found counts the rules and problems it
// yielded, so that a path with neither is reported.
type input struct {
	path  string
	found atomic.Int64
}

type loader struct {
	sem chan struct{} // bounds the parsing goroutines
	wg  sync.WaitGroup

	mu       sync.Mutex
	rules    []loaded
	problems []*Problem
}

// loaded is a rule and, for entries of a package, the package it came from
// (the scope of version deduplication).
type loaded struct {
	rule *Rule
	pkg  string
}

// unit is one file (or archive entry) to parse.
type unit struct {
	in     *input
	source string
	// explicit: a valid file without rules is a problem, because the user
	// named the file or it is a rule entry of a registry package. Files
	// found by walking a tree or an archive are passed over instead.
	explicit bool
	pkg      string // set for the rule entries of a registry package
	depth    int    // how many archives contain this unit
	read     func() ([]byte, error)
	ext      string // lower-case extension of the name: breaks JSON/NDJSON ties, words messages
}

// spawn runs f on a goroutine once a parsing slot is free.
func (l *loader) spawn(f func()) {
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		l.sem <- struct{}{}
		defer func() { <-l.sem }()
		f()
	}()
}

func (l *loader) addRule(u *unit, r *Rule) {
	u.in.found.Add(1)
	l.mu.Lock()
	l.rules = append(l.rules, loaded{rule: r, pkg: u.pkg})
	l.mu.Unlock()
}

func (l *loader) addProblem(u *unit, p *Problem) {
	u.in.found.Add(1)
	l.mu.Lock()
	l.problems = append(l.problems, p)
	l.mu.Unlock()
}

func (l *loader) problemf(u *unit, pos source.Pos, format string, args ...any) {
	l.addProblem(u, &Problem{Source: u.source, Pos: pos, Err: fmt.Errorf(format, args...)})
}

// loadPath starts loading one path given to Load.
func (l *loader) loadPath(in *input) {
	fi, err := os.Stat(in.path)
	if err != nil {
		l.addProblem(&unit{in: in}, &Problem{Source: in.path, Err: readErr(err)})
		return
	}
	if !fi.IsDir() {
		p := in.path
		l.spawn(func() {
			l.parse(&unit{in: in, source: p, explicit: true, ext: extOf(p), read: func() ([]byte, error) { return os.ReadFile(p) }})
		})
		return
	}
	err = filepath.WalkDir(in.path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			l.addProblem(&unit{in: in}, &Problem{Source: p, Err: readErr(err)})
			if d != nil && d.IsDir() && p != in.path {
				return fs.SkipDir
			}
			return nil
		}
		if p != in.path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !candidate(d.Name()) {
			return nil
		}
		l.spawn(func() {
			l.parse(&unit{in: in, source: p, ext: extOf(p), read: func() ([]byte, error) { return os.ReadFile(p) }})
		})
		return nil
	})
	if err != nil {
		l.addProblem(&unit{in: in}, &Problem{Source: in.path, Err: err})
	}
}

// readErr drops the path from file system errors: Problem.Source names
// the file already. errors.Is still sees fs.ErrNotExist and the like.
func readErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("cannot read: %w", pe.Err)
	}
	return err
}

// candidate tells whether a file met in a tree may hold rules.
func candidate(name string) bool {
	switch extOf(name) {
	case ".toml", ".json", ".ndjson", ".jsonl", ".zip":
		return true
	}
	return false
}

func extOf(name string) string {
	return strings.ToLower(path.Ext(strings.ReplaceAll(name, `\`, "/")))
}

// Formats Load tells apart.
const (
	fmtUnknown = iota
	fmtZip
	fmtGzip
	fmtJSON
	fmtNDJSON
	fmtTOML
	fmtBinary
)

// sniff tells the format of data (without byte order mark) from its
// content; ext only breaks ties
// between a broken JSON document and a broken NDJSON export.
func sniff(data []byte, ext string) int {
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("PK\x05\x06")):
		return fmtZip
	case bytes.HasPrefix(data, []byte("\x1f\x8b")):
		return fmtGzip
	}
	head := data[:min(len(data), 8000)]
	if bytes.IndexByte(head, 0) >= 0 || !isText(head) {
		return fmtBinary
	}
	t := skipSpace(data)
	if len(t) == 0 {
		return fmtUnknown
	}
	// No TOML document is valid JSON.
	if json.Valid(data) {
		return fmtJSON
	}
	switch t[0] {
	case '{':
		if ext == ".ndjson" || ext == ".jsonl" || looksNDJSON(data) {
			return fmtNDJSON
		}
		return fmtJSON
	case '[':
		// A (broken) JSON array ("[{", "[]") or a TOML table header
		// ("[metadata]", "[\"quoted key\"]").
		rest := skipSpace(t[1:])
		if len(rest) > 0 && (rest[0] == '{' || rest[0] == ']') {
			return fmtJSON
		}
		return fmtTOML
	}
	return fmtTOML
}

// looksNDJSON: several non-blank lines, each of them starting with "{".
// Pretty-printed JSON has lines starting with keys and closing braces.
func looksNDJSON(data []byte) bool {
	n := 0
	for line := range bytes.Lines(data) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' {
			return false
		}
		n++
	}
	return n > 1
}

func trimBOM(b []byte) []byte { return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) }

func skipSpace(b []byte) []byte {
	return bytes.TrimLeft(b, " \t\r\n")
}

// isText: the head of the file is valid UTF-8 (allowing a rune cut at the
// end of the head).
func isText(head []byte) bool {
	for i := 0; i < len(head); {
		c := head[i]
		if c < 0x80 {
			i++
			continue
		}
		n := utf8Len(c)
		if n == 0 {
			return false
		}
		if i+n > len(head) {
			return true // cut at the end of the head
		}
		for j := 1; j < n; j++ {
			if head[i+j]&0xC0 != 0x80 {
				return false
			}
		}
		i += n
	}
	return true
}

func utf8Len(c byte) int {
	switch {
	case c&0xE0 == 0xC0:
		return 2
	case c&0xF0 == 0xE0:
		return 3
	case c&0xF8 == 0xF0:
		return 4
	}
	return 0
}

// parse reads one unit and loads what it holds.
func (l *loader) parse(u *unit) {
	data, err := u.read()
	if err != nil {
		l.addProblem(u, &Problem{Source: u.source, Err: readErr(err)})
		return
	}
	data = trimBOM(data)
	switch sniff(data, u.ext) {
	case fmtZip:
		l.parseZip(u, data)
	case fmtGzip:
		l.problemf(u, source.Pos{}, "gzip-compressed input is not supported: unpack it, or give a zip archive")
	case fmtBinary:
		if u.explicit || u.ext != ".zip" {
			l.problemf(u, source.Pos{}, "not a rules file: binary content that is not a zip archive")
		} else {
			l.problemf(u, source.Pos{}, "damaged zip archive: no zip header")
		}
	case fmtJSON:
		l.parseJSON(u, data)
	case fmtNDJSON:
		l.parseNDJSON(u, data)
	case fmtTOML:
		l.parseTOML(u, data)
	default:
		if u.explicit {
			l.problemf(u, source.Pos{}, "empty file")
		}
	}
}

// markDeprecated sets Deprecated on a rule whose maturity says so or whose
// source lies under a _deprecated directory.
func markDeprecated(r *Rule) {
	if strings.EqualFold(r.Maturity, MaturityDeprecated) {
		r.Deprecated = true
		return
	}
	for part := range strings.FieldsFuncSeq(r.Source, func(c rune) bool { return c == '/' || c == '\\' || c == ':' }) {
		if part == "_deprecated" {
			r.Deprecated = true
			return
		}
	}
}

// finish deduplicates package versions and sorts.
func (l *loader) finish() ([]*Rule, []*Problem) {
	slices.SortFunc(l.rules, func(a, b loaded) int {
		return cmp.Or(strings.Compare(a.rule.Source, b.rule.Source), cmp.Compare(a.rule.Line, b.rule.Line))
	})
	type key struct{ pkg, id string }
	best := map[key]int{}
	keep := make([]bool, len(l.rules))
	for i, lr := range l.rules {
		if lr.pkg == "" {
			keep[i] = true
			continue
		}
		k := key{lr.pkg, lr.rule.ID}
		j, seen := best[k]
		if !seen || lr.rule.Version > l.rules[j].rule.Version {
			if seen {
				keep[j] = false
			}
			best[k] = i
			keep[i] = true
		}
	}
	out := make([]*Rule, 0, len(l.rules))
	for i, lr := range l.rules {
		if keep[i] {
			out = append(out, lr.rule)
		}
	}
	slices.SortFunc(l.problems, func(a, b *Problem) int {
		return cmp.Or(strings.Compare(a.Source, b.Source), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col), strings.Compare(a.Err.Error(), b.Err.Error()))
	})
	return out, l.problems
}

// parseZip loads a zip archive held in memory: a registry package's rules,
// or else every candidate entry as in a directory tree.
func (l *loader) parseZip(u *unit, data []byte) {
	if u.depth >= maxZipDepth {
		l.problemf(u, source.Pos{}, "zip archives nested more than %d deep", maxZipDepth)
		return
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		l.problemf(u, source.Pos{}, "damaged zip archive: %v", err)
		return
	}
	var pkgEntries, treeEntries []*zip.File
	for _, f := range zr.File {
		name := f.Name
		if f.FileInfo().IsDir() || hiddenEntry(name) {
			continue
		}
		if isPackageRule(name) {
			pkgEntries = append(pkgEntries, f)
		} else if candidate(name) {
			treeEntries = append(treeEntries, f)
		}
	}
	entries, pkg := treeEntries, ""
	if len(pkgEntries) > 0 {
		// A registry package: only its security rules are rules; other
		// JSON (tags, dashboards, ...) is not.
		entries, pkg = pkgEntries, u.source
	}
	if len(entries) == 0 && u.explicit {
		l.problemf(u, source.Pos{}, "no detection rules in zip archive (no kibana/security_rule/*.json, .toml, .json or .ndjson entries)")
		return
	}
	for _, f := range entries {
		eu := &unit{
			in:       u.in,
			source:   u.source + ":" + f.Name,
			explicit: pkg != "",
			pkg:      pkg,
			depth:    u.depth + 1,
			ext:      extOf(f.Name),
			read:     func() ([]byte, error) { return readEntry(f) },
		}
		l.spawn(func() { l.parse(eu) })
	}
}

// Limits that keep a hostile archive (a zip bomb, a zip that contains
// itself) from exhausting memory.
const (
	maxEntry    = 256 << 20 // bytes of one archive entry
	maxZipDepth = 4         // archives within archives
)

// readEntry reads a zip entry whole, refusing entries that claim to be
// larger than what can be reasonably held in memory.
func readEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxEntry {
		return nil, fmt.Errorf("zip entry of %d bytes is too large (the limit is %d)", f.UncompressedSize64, maxEntry)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("damaged zip entry: %w", err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxEntry+1))
	if err != nil {
		return nil, fmt.Errorf("damaged zip entry: %w", err)
	}
	if len(data) > maxEntry {
		return nil, fmt.Errorf("zip entry larger than %d bytes", maxEntry)
	}
	return data, nil
}

// isPackageRule: name is */kibana/security_rule/*.json (or at the root of
// the archive).
func isPackageRule(name string) bool {
	dir, file := path.Split(name)
	if !strings.HasSuffix(strings.ToLower(file), ".json") {
		return false
	}
	dir = strings.TrimSuffix(dir, "/")
	return dir == "kibana/security_rule" || strings.HasSuffix(dir, "/kibana/security_rule")
}

func hiddenEntry(name string) bool {
	for part := range strings.SplitSeq(name, "/") {
		if strings.HasPrefix(part, ".") || part == "__MACOSX" {
			return true
		}
	}
	return false
}

// versionFromName reads the version of a package entry named
// <rule_id>_<version>.json; 0 when the name has none.
func versionFromName(source, id string) int {
	base := path.Base(strings.ReplaceAll(source, `\`, "/"))
	base = strings.TrimSuffix(base, path.Ext(base))
	rest, ok := strings.CutPrefix(base, id+"_")
	if !ok {
		return 0
	}
	v, err := strconv.Atoi(rest)
	if err != nil || v < 0 {
		return 0
	}
	return v
}
