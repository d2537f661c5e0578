package constraint

import (
	"errors"
	"fmt"
)

// ErrUnsupported is what errors.Is finds in every error that says emit
// cannot generate documents for a valid query or rule: a construct the
// lowering cannot invert, a rule type or language without a reader.
var ErrUnsupported = errors.New("unsupported")

// UnsupportedError says that a query uses a construct emit cannot turn into
// constraints (a free-text KQL term, an EQL function applied in a way the
// solver cannot invert, ...). It is not a syntax error: the query is valid,
// emit just cannot generate documents for it.
type UnsupportedError struct {
	Span Span
	What string // e.g. `modulo() compared to a constant`
}

func (e *UnsupportedError) Error() string {
	if e.Span.Pos.IsValid() {
		return fmt.Sprintf("%s: unsupported: %s", e.Span.Pos, e.What)
	}
	return "unsupported: " + e.What
}

// Is makes errors.Is(err, ErrUnsupported) hold.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }
