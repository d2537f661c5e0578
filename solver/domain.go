package solver

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/emit-sec/emit/constraint"
)

// Conflict explains why a field has no possible value: which field, and the
// constraints that cannot hold together.
type Conflict struct {
	Field  string
	reason string
	// preds, when set, follow reason: the predicates of an empty domain,
	// formatted only when a message needs them (the search meets many
	// conflicts and shows few).
	preds []*constraint.Pred
}

// Reason says why, e.g. "empty solution space, 1025 <= x <= 1023".
func (c *Conflict) Reason() string {
	if c.preds == nil {
		return c.reason
	}
	return c.reason + describePreds(c.preds)
}

func (c *Conflict) Error() string { return c.Field + ": " + c.Reason() }

// domain is the set of values a field may take in one document. Domains are
// immutable: with returns a new domain, so that backtracking is free.
type domain interface {
	// with meets the domain with one predicate of the field.
	with(p *constraint.Pred, env *env) (domain, *Conflict)
	// generate appends one JSON value of the domain to dst.
	generate(r *rand.Rand, dst []byte, g *genCtx) ([]byte, error)
	// hasValue reports whether the domain was narrowed (is not just the
	// type's whole range): unnarrowed fields get plausible values.
	hasValue() bool
}

// conflictf builds a Conflict for field.
func conflictf(field, format string, args ...any) *Conflict {
	return &Conflict{Field: field, reason: fmt.Sprintf(format, args...)}
}

// emptyConflict is the Conflict of a field whose predicates leave no
// value: reason, then the predicates.
func emptyConflict(field, reason string, preds []*constraint.Pred) *Conflict {
	return &Conflict{Field: field, reason: reason, preds: slices.Clone(preds)}
}

// describePreds lists the predicates that make a domain empty, for messages.
func describePreds(ps []*constraint.Pred) string {
	parts := make([]string, 0, len(ps))
	for _, p := range ps {
		parts = append(parts, p.String())
	}
	return strings.Join(parts, " and ")
}
