package esql

import (
	"errors"

	"github.com/emit-sec/emit/es/regexp"
	"github.com/emit-sec/emit/internal/esvalue"
)

// compileRLike compiles an RLIKE pattern: a Lucene regular expression
// read by es/regexp (the project's one reading of Lucene's syntax) and
// matched by internal/esvalue's matcher, as Elasticsearch builds it for
// RLIKE (RegExp.ALL with the complement operator, x-pack's RLikePattern):
// the whole value, case-sensitively.
func compileRLike(pattern string) (stringMatcher, error) {
	return esvalue.ParseRegexp(pattern, regexp.All)
}

// unsupportedError is an error that says the evaluator does not evaluate
// something (as opposed to a pattern that is invalid).
type unsupportedError string

func (e unsupportedError) Error() string { return string(e) }

// isUnsupported reports whether err says that something is not evaluated.
func isUnsupported(err error) bool {
	var u unsupportedError
	return errors.As(err, &u)
}
