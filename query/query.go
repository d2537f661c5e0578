// Package query reads a query in either language: it guesses the language
// when not told, lowers the syntax tree to constraints, and evaluates
// documents against the original query (the independent check of every
// generated document).
package query

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/parser/eql"
	"github.com/emit-sec/emit/parser/kql"
	"github.com/emit-sec/emit/source"
)

// Languages.
const (
	KQL = "kql"
	EQL = "eql"
)

// Query is a parsed query with its constraints.
type Query struct {
	Lang        string
	Text        string
	Constraints *constraint.Query
	kql         *kql.Query
	eql         *eql.Query
}

// NormalizeLang maps the names rules and users give a language to KQL or
// EQL ("kuery" is KQL); "" stays "" (guess).
func NormalizeLang(lang string) (string, error) {
	switch strings.ToLower(lang) {
	case "":
		return "", nil
	case "kql", "kuery":
		return KQL, nil
	case "eql":
		return EQL, nil
	}
	return "", fmt.Errorf("unsupported query language %q (want kql or eql)", lang)
}

// Parse reads text in lang (KQL, EQL, or "" to guess: EQL first, then KQL;
// when both fail, the error of the language whose parse got further).
func Parse(text, lang string) (*Query, error) {
	lang, err := NormalizeLang(lang)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(text) {
		off := 0
		for off < len(text) {
			r, size := utf8.DecodeRuneInString(text[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return nil, source.Errorf(lang, text, off, "the query is not valid UTF-8")
	}
	switch lang {
	case KQL:
		return parseKQL(text)
	case EQL:
		return parseEQL(text)
	}
	q, eqlErr := parseEQL(text)
	if eqlErr == nil {
		return q, nil
	}
	q, kqlErr := parseKQL(text)
	if kqlErr == nil {
		return q, nil
	}
	// Not a syntax error (e.g. unsupported): that language understood it.
	var pe *source.Error
	if !errors.As(eqlErr, &pe) {
		return nil, eqlErr
	}
	if !errors.As(kqlErr, &pe) {
		return nil, kqlErr
	}
	if looksEQL(text) || offset(eqlErr) > offset(kqlErr) {
		return nil, eqlErr
	}
	return nil, kqlErr
}

// eqlStart is how EQL queries begin: "<category> where", a quoted
// category, or a sequence or sample.
var eqlStart = regexp.MustCompile(`^\s*(([A-Za-z_][\w.]*|"[^"]*"|\x60[^\x60]*\x60)\s+where\b|(sequence|sample)\b)`)

// looksEQL reports whether text begins as only EQL queries do, so that its
// EQL error is the one to show even when KQL read further.
func looksEQL(text string) bool { return eqlStart.MatchString(text) }

func offset(err error) int {
	var pe *source.Error
	if errors.As(err, &pe) {
		return pe.Pos.Offset
	}
	return -1
}

func parseKQL(text string) (*Query, error) {
	k, err := kql.Parse(text)
	if err != nil {
		return nil, err
	}
	c, err := k.Constraints()
	if err != nil {
		return nil, err
	}
	return &Query{Lang: KQL, Text: text, Constraints: c, kql: k}, nil
}

func parseEQL(text string) (*Query, error) {
	e, err := eql.Parse(text)
	if err != nil {
		return nil, err
	}
	c, err := e.Constraints()
	if err != nil {
		return nil, err
	}
	return &Query{Lang: EQL, Text: text, Constraints: c, eql: e}, nil
}

// Match reports whether the documents of one match satisfy the query: each
// document for a KQL or EQL event query, the documents in order for a
// sequence or sample. types gives the Elasticsearch type of a field.
func (q *Query) Match(docs []map[string]any, types estype.Lookup) bool {
	return q.MatchAt(docs, types, time.Now())
}

// MatchAt is Match with the time date math ("now-1d") is relative to.
func (q *Query) MatchAt(docs []map[string]any, types estype.Lookup, now time.Time) bool {
	if q.kql != nil {
		for _, d := range docs {
			if !kql.MatchAt(q.kql, d, types, now) {
				return false
			}
		}
		return len(docs) > 0
	}
	return eql.Match(q.eql, docs, types)
}

// String prints the query back in canonical form.
func (q *Query) String() string {
	if q.kql != nil {
		return q.kql.String()
	}
	return q.eql.String()
}
