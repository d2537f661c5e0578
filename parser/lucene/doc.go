// Package lucene parses the query_string syntax (Kibana's "Lucene" query
// language, Elasticsearch's query_string query, ML datafeed and saved
// search queries) into a syntax tree, prints it back, lowers it to
// constraints (package constraint) and evaluates it against documents
// with Elasticsearch's semantics (Match, Query.Eval), independently of the
// solver.
//
// The grammar is Lucene's classic query parser (QueryParser.jj), which
// Elasticsearch's QueryStringQueryParser extends; the tokens follow its
// token manager (longest match first):
//
//   - field:value, field:(...) and (...); a field name is a term, so its
//     special characters are escaped: process.\*:x searches every field
//     under process, \*:x or *:x every field.
//   - Clauses side by side combine with the default operator (OR); AND, OR,
//     NOT, &&, || and ! are operators only in upper case; "+" requires a
//     clause and "-" or NOT prohibits it. There is no precedence: Lucene
//     gives each clause an occurrence (see Occurs), so "a AND b OR c" is
//     "+a +b c" and matches what a and b match.
//   - Whitespace is no operator: the words of "f:(new york)" go together to
//     the field's analyzer (a multi-term), which on a keyword field makes
//     the one term "new york".
//   - "quoted phrases" with an optional slop ("a b"~2), terms with "*" and
//     "?" wildcards, /regular expressions/ (Lucene's syntax as package
//     es/regexp reads it with every operator on, anchored at both ends,
//     "\/" for a slash), ranges [a TO b], {a TO b}, [a TO b},
//     with "*" for an open end, one-sided ranges field:>5, >=, <, <= (an
//     unquoted term that starts with "<" or ">", escaped or not),
//     _exists_:field, boosts ^2 on terms, phrases, ranges and groups, and
//     fuzziness ~, ~1, ~2, ~AUTO on terms.
//   - A backslash escapes any character, \uXXXX is a UTF-16 code unit; the
//     reserved characters + - = && || > < ! ( ) { } [ ] ^ " ~ * ? : \ / are
//     escaped to be taken literally (= > < & | need no escape inside a term,
//     and "<" and ">" cannot be escaped away at the start of a value).
//
// Parse reports syntax errors as *source.Error values with a line:column
// position and a caret, including what Lucene and Elasticsearch reject only
// when they build the query (invalid \u escapes, a fuzziness other than
// AUTO, 0, 1 or 2, an invalid regular expression, pointed at within the
// query). Query.String prints a canonical form that parses back to an
// equal tree. Query.Constraints lowers a query; terms without a field
// (which search every field) are reported as unsupported. The parameters
// of a query_string query that change matching are Options (Kibana: what
// Kibana sends with a rule's query); ConstraintsWith and Eval take them.
//
// The participle grammar (github.com/alecthomas/participle/v2) runs over
// tokens that the package's own scanner produces, as for KQL and EQL.
package lucene
