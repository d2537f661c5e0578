package scenario

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emit-sec/emit/source"
	"gopkg.in/yaml.v3"
)

// Error is a mistake in a scenario file: where (file, line, column), which
// field (its path in the file, "streams[1].arrival.gap"), and what.
type Error struct {
	File  string
	Pos   source.Pos
	Field string
	Msg   string
	Src   string // the file's text, for the caret display
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Pos.IsValid() {
		fmt.Fprintf(&b, "%d:%d:", e.Pos.Line, e.Pos.Col)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Is makes errors.Is(err, source.ErrSyntax) hold.
func (e *Error) Is(target error) bool { return target == source.ErrSyntax }

// Detail is Error with the offending line and a caret under the column.
func (e *Error) Detail() string {
	se := &source.Error{Pos: e.Pos, Msg: "x", Src: e.Src}
	d := se.Detail()
	if i := strings.IndexByte(d, '\n'); i >= 0 {
		return e.Error() + d[i:]
	}
	return e.Error()
}

// Errors are all the mistakes found in a file, in order.
type Errors []*Error

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Detail renders every error with its caret.
func (es Errors) Detail() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Detail()
	}
	return strings.Join(parts, "\n")
}

func (es Errors) Is(target error) bool { return target == source.ErrSyntax }

// As lets errors.As find the first *Error.
func (es Errors) As(target any) bool {
	if p, ok := target.(**Error); ok && len(es) > 0 {
		*p = es[0]
		return true
	}
	return false
}

// reader walks a scenario file's YAML nodes, collecting errors with their
// positions and field paths.
type reader struct {
	file string
	src  string
	errs Errors
}

func (r *reader) errorf(n *yaml.Node, field, format string, args ...any) {
	e := &Error{File: r.file, Field: field, Msg: fmt.Sprintf(format, args...), Src: r.src}
	if n != nil {
		e.Pos = source.Pos{Line: n.Line, Col: n.Column}
	}
	r.errs = append(r.errs, e)
}

// at is the position of a node, for errors found later.
type at struct {
	node  *yaml.Node
	field string
}

// mapping reads a mapping node: fn is called per key, in file order;
// unknown keys (not in known) are errors.
func (r *reader) mapping(n *yaml.Node, field string, known []string, fn func(key string, k, v *yaml.Node, path string)) bool {
	if n == nil {
		return false
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, field, "want a mapping (key: value), got %s", kindName(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		path := key
		if field != "" {
			path = field + "." + key
		}
		if seen[key] {
			r.errorf(k, path, "given twice")
			continue
		}
		seen[key] = true
		if known != nil && !contains(known, key) {
			r.errorf(k, path, "unknown field (want one of %s)", strings.Join(known, ", "))
			continue
		}
		fn(key, k, v, path)
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

func (r *reader) str(n *yaml.Node, field string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		r.errorf(n, field, "want a text, got %s", kindName(n))
		return ""
	}
	return n.Value
}

func (r *reader) integer(n *yaml.Node, field string, min int) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
		r.errorf(n, field, "want a whole number, got %s", kindName(n))
		return min
	}
	if v < min {
		r.errorf(n, field, "want at least %d, got %d", min, v)
		return min
	}
	return v
}

func (r *reader) number(n *yaml.Node, field string, min, max float64) float64 {
	var v float64
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
		r.errorf(n, field, "want a number, got %s", kindName(n))
		return min
	}
	if v < min || v > max {
		r.errorf(n, field, "want a number in [%g, %g], got %g", min, max, v)
		return min
	}
	return v
}

func (r *reader) boolean(n *yaml.Node, field string) bool {
	var v bool
	if n.Kind != yaml.ScalarNode || n.Decode(&v) != nil {
		r.errorf(n, field, "want true or false, got %s", kindName(n))
	}
	return v
}

func (r *reader) list(n *yaml.Node, field string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, field, "want a list, got %s", kindName(n))
		return nil
	}
	return n.Content
}

var errNoScenario = errors.New("scenario: empty file")
