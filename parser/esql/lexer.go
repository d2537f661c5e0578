package esql

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// Token types of the ES|QL lexer, after Elasticsearch's EsqlBaseLexer.g4.
// Like Elasticsearch's, the lexer is stateful: what a character means
// depends on the command it is in (an index pattern after FROM, a name
// pattern after KEEP, an expression after WHERE).
const (
	tokCommand lexer.TokenType = iota + 1 // from, where, ... (lower case)
	tokKeyword                            // and, or, not, by, ... (lower case)
	tokIdent                              // host, @timestamp, _id (expressions)
	tokQuoted                             // `my field`, raw text with the backquotes
	tokString                             // "...", """...""", raw text with the quotes
	tokInt                                // 42
	tokFloat                              // 4.2, .5, 1e3
	tokParam                              // ?, ?1, ?name
	tokSource                             // logs-*, remote (FROM, LOOKUP JOIN)
	tokPattern                            // host.*, `a b`* (KEEP, DROP, RENAME, ENRICH)
	tokPolicy                             // an ENRICH policy name
	tokPunct                              // | , . = :: : ( ) [ ] { } ;
	tokBinOp                              // == != < <= > >= + - * / %
)

// The classes of tokens the grammar matches as one (see class).
const (
	clsLit  lexer.TokenType = iota + tokBinOp + 1 // Int, Float, Param, null, true, false
	clsBool                                       // and, or
	clsLike                                       // like, rlike
)

// class is the type the grammar sees of a token: its class, or its type.
// The tokens the grammar captures have these types; builder.fine returns
// the scanned token.
func class(t lexer.Token) lexer.TokenType {
	switch t.Type {
	case tokInt, tokFloat, tokParam:
		return clsLit
	case tokKeyword:
		switch t.Value {
		case "null", "true", "false":
			return clsLit
		case "and", "or":
			return clsBool
		case "like", "rlike":
			return clsLike
		}
	}
	return t.Type
}

// exprKeywords are the reserved words of ES|QL expressions (the
// EXPRESSION_MODE of Elasticsearch's lexer). Elasticsearch matches them
// case-insensitively; a field with such a name must be quoted: `first`.
var exprKeywords = map[string]bool{
	"and": true, "as": true, "asc": true, "by": true, "desc": true, "false": true,
	"first": true, "in": true, "is": true, "last": true, "like": true, "not": true,
	"null": true, "nulls": true, "on": true, "or": true, "rlike": true, "true": true,
	"with": true, "where": true,
}

// softKeywords are the keywords that name parts after a dot may be without
// quoting: ECS has source.as.*, and Elasticsearch accepts them.
var softKeywords = map[string]bool{"as": true, "on": true, "with": true}

// A command's mode says how the lexer reads its arguments.
type mode uint8

const (
	modeExpr        mode = iota // WHERE, EVAL, STATS, ... : expressions
	modeFrom                    // FROM, TS: index patterns
	modeLookup                  // LOOKUP JOIN: an index pattern, then ON expressions
	modeProject                 // KEEP, DROP: name patterns
	modeRename                  // RENAME: name patterns, AS, =
	modeEnrich                  // ENRICH: a policy name, then ON and WITH name patterns
	modeMvExpand                // MV_EXPAND: a field name
	modeChangePoint             // CHANGE_POINT: field names, ON, AS
	modeShow                    // SHOW: INFO
	modeFork                    // FORK: parenthesized pipelines
	modeInline                  // INLINE: STATS, then expressions
)

// commands maps the command keywords (lower case) to their mode.
var commands = map[string]mode{
	"from": modeFrom, "ts": modeFrom, "row": modeExpr, "show": modeShow,
	"where": modeExpr, "eval": modeExpr, "stats": modeExpr, "inlinestats": modeExpr,
	"inline": modeInline, "sort": modeExpr, "limit": modeExpr, "dissect": modeExpr,
	"grok": modeExpr, "completion": modeExpr, "sample": modeExpr, "rerank": modeExpr,
	"keep": modeProject, "drop": modeProject, "rename": modeRename, "enrich": modeEnrich,
	"mv_expand": modeMvExpand, "change_point": modeChangePoint, "lookup": modeLookup,
	"fork": modeFork,
}

// sourceCommands are the commands that start a query.
var sourceCommands = map[string]bool{"from": true, "ts": true, "row": true, "show": true}

// maxDepth bounds the nesting of brackets and the runs of prefix operators,
// so that a hostile query cannot exhaust the stack.
const maxDepth = 500

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isIDBody(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' }
func isSpace(c byte) bool  { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isIdentifier reports whether s lexes as one unquoted identifier of an
// expression (not a keyword), so that it can be printed without backquotes.
func isIdentifier(s string) bool {
	if s == "" || exprKeywords[strings.ToLower(s)] {
		return false
	}
	c := s[0]
	switch {
	case isLetter(c):
	case c == '_' || c == '@':
		if len(s) == 1 {
			return false
		}
	default:
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIDBody(s[i]) {
			return false
		}
	}
	return true
}

type scanner struct {
	// Scanner holds the tokens and computes their positions.
	parser.Scanner
	src string // Scanner.Src
	// forks counts the FORK branches the scanner is in.
	forks int
}

// position computes the participle position of byte offset off, which must
// not be before the last position computed.
func (s *scanner) position(off int) lexer.Position { return s.Position(off) }

func (s *scanner) emit(t lexer.TokenType, start, end int) { s.Emit(t, start, end) }

// emitLower emits a keyword or command token with its value in lower case
// (they are ASCII: the length does not change).
func (s *scanner) emitLower(t lexer.TokenType, start, end int) {
	s.Toks = append(s.Toks, lexer.Token{Type: t, Value: strings.ToLower(s.src[start:end]), Pos: s.position(start)})
}

func (s *scanner) errorf(off int, format string, args ...any) *source.Error {
	return source.Errorf("esql", s.src, off, format, args...)
}

// scan splits src into tokens, dropping white space and comments. The last
// token is EOF. Lexical errors (an unterminated string, an unknown command,
// a character ES|QL does not know) are returned at their position.
func scan(src string) ([]lexer.Token, *source.Error) {
	s := &scanner{Scanner: parser.NewScanner(src, len(src)/4+1), src: src}
	i, err := s.pipeline(0)
	if err != nil {
		return nil, err
	}
	if i < len(src) { // a ")" outside FORK
		return nil, s.errorf(i, `unbalanced ")": there is no matching "("`)
	}
	return s.Finish(), nil
}

// skip skips white space and comments from i and returns the offset of the
// next token.
func (s *scanner) skip(i int) (int, *source.Error) {
	src := s.src
	for i < len(src) {
		c := src[i]
		switch {
		case isSpace(c):
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end, err := s.blockComment(i)
			if err != nil {
				return 0, err
			}
			i = end
		default:
			return i, nil
		}
	}
	return i, nil
}

// blockComment skips a "/* */" comment, which may nest as in
// Elasticsearch's grammar, and returns the offset after it.
func (s *scanner) blockComment(start int) (int, *source.Error) {
	depth := 0
	i := start
	for i < len(s.src) {
		switch {
		case strings.HasPrefix(s.src[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s.src[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i, nil
			}
		default:
			i++
		}
	}
	return 0, s.errorf(start, `unterminated comment: "/*" has no matching "*/"`)
}

// word returns the end of the run of letters, digits and underscores at i.
func (s *scanner) word(i int) int {
	for i < len(s.src) && isIDBody(s.src[i]) {
		i++
	}
	return i
}

// pipeline scans commands separated by "|" from i: the whole query, or a
// FORK branch (inFork > 0), which ends at its closing ")". It returns the
// offset where it stopped: the end of the query or that ")".
func (s *scanner) pipeline(i int) (int, *source.Error) {
	first := true
	for {
		var err *source.Error
		if i, err = s.skip(i); err != nil {
			return 0, err
		}
		if i >= len(s.src) {
			switch {
			case first && s.forks > 0:
				return 0, s.errorf(i, "expected a processing command in the FORK branch, found the end of the query")
			case first && len(s.Toks) == 0:
				return 0, s.errorf(i, "expected a source command (FROM, ROW, SHOW or TS), found the end of the query")
			case first:
				return 0, s.errorf(i, `expected a command after "|", found the end of the query`)
			}
			return i, nil
		}
		if s.src[i] == ')' && s.forks > 0 {
			if first {
				return 0, s.errorf(i, `expected a processing command in the FORK branch, found ")"`)
			}
			return i, nil
		}
		start := i
		end := s.word(i)
		if end == start {
			r, _ := utf8.DecodeRuneInString(s.src[i:])
			switch {
			case first && len(s.Toks) == 0:
				return 0, s.errorf(i, "expected a source command (FROM, ROW, SHOW or TS), found %q", string(r))
			case s.src[i] == '|':
				return 0, s.errorf(i, `expected a command after "|", found another "|"`)
			}
			return 0, s.errorf(i, "expected a command, found %q", string(r))
		}
		name := strings.ToLower(s.src[start:end])
		m, ok := commands[name]
		if !ok {
			return 0, s.unknownCommand(start, end)
		}
		// As in Elasticsearch, a command word ends at white space, a
		// comment or a bracket ("WHERE(a)" is an unknown command).
		if end < len(s.src) && !isSpace(s.src[end]) && !strings.ContainsRune("/[]", rune(s.src[end])) && !(s.src[end] == ')' && s.forks > 0) {
			r, _ := utf8.DecodeRuneInString(s.src[end:])
			return 0, s.errorf(end, "expected white space after %s, found %q", strings.ToUpper(name), string(r))
		}
		s.emitLower(tokCommand, start, end)
		switch m {
		case modeExpr:
			i, err = s.expr(end)
		case modeFrom:
			i, err = s.from(end, false)
		case modeLookup:
			i, err = s.from(end, true)
		case modeProject, modeRename, modeEnrich, modeMvExpand, modeChangePoint, modeShow:
			i, err = s.names(end, m)
		case modeFork:
			i, err = s.fork(end)
		case modeInline:
			i, err = s.inline(end)
		}
		if err != nil {
			return 0, err
		}
		first = false
		if i >= len(s.src) {
			return i, nil
		}
		if s.src[i] == ')' && s.forks > 0 {
			return i, nil
		}
		// The command stopped at a "|".
		s.emit(tokPunct, i, i+1)
		i++
		first = true
	}
}

// unknownCommand reports a word that is not a command.
func (s *scanner) unknownCommand(start, end int) *source.Error {
	word := s.src[start:end]
	if len(s.Toks) == 0 {
		return s.errorf(start, "unknown source command [%s]: a query starts with FROM, ROW, SHOW or TS", word)
	}
	lower := strings.ToLower(word)
	switch lower {
	case "explain", "metrics", "fuse", "set", "insist", "mmr":
		return s.errorf(start, "command [%s] is not supported", strings.ToUpper(word))
	case "join", "left", "right", "full":
		return s.errorf(start, "unknown command [%s]: ES|QL joins are written LOOKUP JOIN index ON field", word)
	}
	return s.errorf(start, "unknown command [%s]", word)
}

// inline scans "INLINE STATS ...": STATS must follow INLINE.
func (s *scanner) inline(i int) (int, *source.Error) {
	i, err := s.skip(i)
	if err != nil {
		return 0, err
	}
	end := s.word(i)
	if !strings.EqualFold(s.src[i:end], "stats") {
		return 0, s.errorf(i, "expected STATS after INLINE, found %s", s.describeAt(i, end))
	}
	s.emitLower(tokKeyword, i, end)
	return s.expr(end)
}

// describeAt names the text at [i, end) (or the character at i) for an
// error message.
func (s *scanner) describeAt(i, end int) string {
	if i >= len(s.src) {
		return "the end of the query"
	}
	if end > i {
		return "[" + s.src[i:end] + "]"
	}
	r, _ := utf8.DecodeRuneInString(s.src[i:])
	return "[" + string(r) + "]"
}

// fork scans the branches of FORK: "(" pipeline ")" ...
func (s *scanner) fork(i int) (int, *source.Error) {
	n := 0
	for {
		var err *source.Error
		if i, err = s.skip(i); err != nil {
			return 0, err
		}
		if i >= len(s.src) || s.src[i] != '(' {
			if n == 0 {
				return 0, s.errorf(i, `expected "(" and a pipeline of commands after FORK, found %s`, s.describeAt(i, i))
			}
			if i < len(s.src) && s.src[i] != '|' && !(s.src[i] == ')' && s.forks > 0) {
				return 0, s.errorf(i, `expected "(" and another FORK branch, "|" or the end of the query, found %s`, s.describeAt(i, i))
			}
			return i, nil
		}
		open := i
		s.emit(tokPunct, i, i+1)
		s.forks++
		if s.forks > maxDepth {
			return 0, s.errorf(i, "FORK nested deeper than %d levels", maxDepth)
		}
		i, err = s.pipeline(i + 1)
		if err != nil {
			return 0, err
		}
		s.forks--
		if i >= len(s.src) {
			return 0, s.errorf(open, `this "(" is never closed`)
		}
		s.emit(tokPunct, i, i+1)
		i++
		n++
	}
}

// closer returns the bracket that closes open.
func closer(open byte) byte {
	switch open {
	case '(':
		return ')'
	case '[':
		return ']'
	}
	return '}'
}

// expr scans the expressions of a command up to the "|" that ends it, the
// end of the query, or the ")" that closes a FORK branch.
func (s *scanner) expr(i int) (int, *source.Error) {
	src := s.src
	var stack []int // offsets of the open brackets
	prefixRun := 0
	for {
		var err *source.Error
		if i, err = s.skip(i); err != nil {
			return 0, err
		}
		if i >= len(src) {
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				return 0, s.errorf(top, "this %q is never closed", string(src[top]))
			}
			return i, nil
		}
		c := src[i]
		if c != '-' && c != '+' && !(isLetter(c) && strings.EqualFold(src[i:s.word(i)], "not")) {
			prefixRun = 0
		} else if prefixRun++; prefixRun > maxDepth {
			return 0, s.errorf(i, "more than %d consecutive prefix operators", maxDepth)
		}
		switch {
		case c == '|':
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				return 0, s.errorf(top, `this %q is never closed before the "|" at %s`, string(src[top]), source.PosAt(src, i))
			}
			return i, nil
		case isLetter(c) || c == '_' || c == '@':
			end := s.word(i + 1)
			if c != '_' && c != '@' || end > i+1 {
				if exprKeywords[strings.ToLower(src[i:end])] {
					s.emitLower(tokKeyword, i, end)
				} else {
					s.emit(tokIdent, i, end)
				}
				i = end
				continue
			}
			if end < len(src) && src[end] == '`' {
				return 0, s.errorf(i, "%q cannot start a quoted name: write `%c...` inside the backquotes", string(c), c)
			}
			return 0, s.errorf(i, "%q alone is not a valid name: quote it with backquotes, as in `%c`", string(c), c)
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			i = s.number(i)
		case c == '"':
			if i, err = s.str(i); err != nil {
				return 0, err
			}
		case c == '`':
			if i, err = s.quoted(i); err != nil {
				return 0, err
			}
		case c == '?':
			if i, err = s.param(i); err != nil {
				return 0, err
			}
		case c == '(' || c == '[' || c == '{':
			stack = append(stack, i)
			if len(stack) > maxDepth {
				return 0, s.errorf(i, "brackets nested deeper than %d levels", maxDepth)
			}
			s.emit(tokPunct, i, i+1)
			i++
		case c == ')' || c == ']' || c == '}':
			if len(stack) == 0 {
				if c == ')' && s.forks > 0 {
					return i, nil
				}
				return 0, s.errorf(i, "unbalanced %q: there is no matching %q", string(c), map[byte]string{')': "(", ']': "[", '}': "{"}[c])
			}
			top := stack[len(stack)-1]
			if want := closer(src[top]); c != want {
				return 0, s.errorf(i, "expected %q to close the %q at %s, found %q", string(want), string(src[top]), source.PosAt(src, top), string(c))
			}
			stack = stack[:len(stack)-1]
			s.emit(tokPunct, i, i+1)
			i++
		case c == '\'':
			return 0, s.errorf(i, `use double quotes ["] to define string literals, not single quotes [']`)
		default:
			n := punctLen(src, i)
			if n == 0 {
				r, _ := utf8.DecodeRuneInString(src[i:])
				switch {
				case c == '!':
					return 0, s.errorf(i, `unexpected "!": use "!=" to compare or NOT to negate a condition`)
				case strings.HasPrefix(src[i:], "=~"):
					return 0, s.errorf(i, `"=~" is not supported: compare TO_LOWER(x) == "..." instead`)
				}
				return 0, s.errorf(i, "unexpected character %q", string(r))
			}
			t := tokPunct
			if isBinOp(src[i : i+n]) {
				t = tokBinOp
			}
			s.emit(t, i, i+n)
			i += n
		}
	}
}

// isBinOp reports whether op is a comparison or arithmetic operator. They
// get a token type of their own so that the grammar matches them in one
// step ("-" and "+" are also signs, and "*" the star of COUNT(*)).
func isBinOp(op string) bool {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%":
		return true
	}
	return false
}

// punctLen returns the length of the operator or punctuation of an
// expression at src[i:], or 0.
func punctLen(src string, i int) int {
	if i+1 < len(src) {
		switch src[i : i+2] {
		case "=~":
			return 0
		case "==", "!=", "<=", ">=", "::":
			return 2
		}
	}
	switch src[i] {
	case '<', '>', '=', ':', ',', '.', '+', '-', '*', '/', '%', ';':
		return 1
	}
	return 0
}

// number lexes an INTEGER_LITERAL or a DECIMAL_LITERAL.
func (s *scanner) number(start int) int {
	end, float := parser.NumberEnd(s.src, start)
	if float {
		s.emit(tokFloat, start, end)
	} else {
		s.emit(tokInt, start, end)
	}
	return end
}

// quoted lexes a backquoted identifier; "“" stands for a backquote. It
// may span lines, as in Elasticsearch.
func (s *scanner) quoted(start int) (int, *source.Error) {
	end, err := s.quotedEnd(start)
	if err != nil {
		return 0, err
	}
	s.emit(tokQuoted, start, end)
	return end, nil
}

// quotedEnd returns the end of the backquoted identifier at start.
func (s *scanner) quotedEnd(start int) (int, *source.Error) {
	end, ok := parser.QuotedEnd(s.src, start)
	switch {
	case !ok && end > 0:
		return 0, s.errorf(start, "empty quoted name ``")
	case !ok:
		return 0, s.errorf(start, "unterminated quoted name: \"`\" has no matching \"`\"")
	}
	return end, nil
}

// str lexes a string: "..." with the escapes \t \n \r \" \\, or a
// """...""" string, which ends at the first """ and takes up to two more
// quotes into its value, as in Elasticsearch. Neither may span lines.
func (s *scanner) str(start int) (int, *source.Error) {
	src := s.src
	if strings.HasPrefix(src[start:], `"""`) {
		end, ok := parser.TripleQuotedEnd(src, start)
		switch {
		case ok:
			s.emit(tokString, start, end)
			return end, nil
		case end < len(src):
			return 0, s.errorf(start, `unterminated string: """ strings cannot span lines`)
		}
		return 0, s.errorf(start, `unterminated string: """ has no matching """`)
	}
	i := start + 1
	for i < len(src) {
		switch src[i] {
		case '"':
			s.emit(tokString, start, i+1)
			return i + 1, nil
		case '\r', '\n':
			return 0, s.errorf(start, `unterminated string: strings cannot span lines (use \n for a newline)`)
		case '\\':
			if i+1 >= len(src) {
				return 0, s.errorf(start, `unterminated string: '"' has no matching '"'`)
			}
			switch src[i+1] {
			case 't', 'n', 'r', '"', '\\':
				i += 2
			default:
				r, _ := utf8.DecodeRuneInString(src[i+1:])
				return 0, s.errorf(i, `invalid escape sequence \%c: use \\ for a backslash, or a """triple-quoted""" string`, r)
			}
		default:
			i++
		}
	}
	return 0, s.errorf(start, `unterminated string: '"' has no matching '"'`)
}

// param lexes a parameter: "?", "?name" or "?1".
func (s *scanner) param(start int) (int, *source.Error) {
	src := s.src
	i := start + 1
	switch {
	case i < len(src) && src[i] == '?':
		return 0, s.errorf(start, "double parameters (??) are not supported")
	case i < len(src) && (isLetter(src[i]) || src[i] == '_'):
		i = s.word(i)
	case i < len(src) && isDigit(src[i]):
		for i < len(src) && isDigit(src[i]) {
			i++
		}
	}
	s.emit(tokParam, start, i)
	return i, nil
}

// isSourceChar reports whether src[i] continues an UNQUOTED_SOURCE (an
// index pattern): anything but : " = | , [ ] / ( ) and white space, and a
// "/" that does not start a comment (it then takes the next character).
func isSourceChar(src string, i int) (n int) {
	switch c := src[i]; c {
	case ':', '"', '=', '|', ',', '[', ']', '(', ')', ' ', '\t', '\r', '\n':
		return 0
	case '/':
		if i+1 < len(src) && src[i+1] != '*' && src[i+1] != '/' {
			_, size := utf8.DecodeRuneInString(src[i+1:])
			return 1 + size
		}
		return 0
	}
	_, size := utf8.DecodeRuneInString(src[i:])
	return size
}

// from scans the index patterns of FROM and TS (METADATA fields
// included), or the target of LOOKUP JOIN and then, after ON, its
// conditions.
func (s *scanner) from(i int, join bool) (int, *source.Error) {
	src := s.src
	for {
		var err *source.Error
		if i, err = s.skip(i); err != nil {
			return 0, err
		}
		if i >= len(src) || src[i] == '|' {
			return i, nil
		}
		c := src[i]
		switch {
		case c == '"':
			if i, err = s.str(i); err != nil {
				return 0, err
			}
		case c == ':' && i+1 < len(src) && src[i+1] == ':':
			s.emit(tokPunct, i, i+2)
			i += 2
		case c == ',' || c == ':':
			s.emit(tokPunct, i, i+1)
			i++
		case c == ')' && s.forks > 0:
			return i, nil
		case c == '`':
			return 0, s.errorf(i, "quote index patterns with double quotes, not backquotes")
		case c == '=' || c == '[' || c == ']' || c == '(' || c == ')':
			return 0, s.errorf(i, "unexpected %q in an index pattern: quote the pattern with double quotes", string(c))
		default:
			start := i
			for i < len(src) {
				n := isSourceChar(src, i)
				if n == 0 {
					break
				}
				i += n
			}
			if i == start { // a "/" starting a comment was handled by skip
				r, _ := utf8.DecodeRuneInString(src[i:])
				return 0, s.errorf(i, "unexpected character %q", string(r))
			}
			word := strings.ToLower(src[start:i])
			switch {
			case !join && word == "metadata":
				s.emitLower(tokKeyword, start, i)
			case join && (word == "join" || word == "as"):
				s.emitLower(tokKeyword, start, i)
			case join && word == "on":
				s.emitLower(tokKeyword, start, i)
				return s.expr(i)
			default:
				s.emit(tokSource, start, i)
			}
		}
	}
}

// names scans the arguments of KEEP, DROP, RENAME, ENRICH, MV_EXPAND,
// CHANGE_POINT and SHOW: names or name patterns, a few keywords, and
// punctuation.
func (s *scanner) names(i int, m mode) (int, *source.Error) {
	src := s.src
	policy := m == modeEnrich // the next word is the ENRICH policy name
	for {
		var err *source.Error
		if i, err = s.skip(i); err != nil {
			return 0, err
		}
		if i >= len(src) || src[i] == '|' {
			return i, nil
		}
		c := src[i]
		if c == ')' && s.forks > 0 {
			return i, nil
		}
		if policy {
			switch {
			case c == '"':
				if i, err = s.str(i); err != nil {
					return 0, err
				}
				policy = false
				continue
			case isPolicyChar(c):
				start := i
				i = s.policyEnd(i)
				word := strings.ToLower(src[start:i])
				if word == "on" || word == "with" {
					s.emitLower(tokKeyword, start, i)
					policy = false
				} else {
					s.emit(tokPolicy, start, i)
				}
				continue
			}
			policy = false
		}
		switch {
		case c == ',' || c == '.' || c == '=' || c == '[' || c == ']':
			if c == '=' && i+1 < len(src) && src[i+1] == '=' {
				return 0, s.errorf(i, `unexpected "==" in %s`, s.commandName())
			}
			s.emit(tokPunct, i, i+1)
			i++
		case isLetter(c) || c == '_' || c == '@' || c == '*' || c == '`':
			start := i
			if m == modeMvExpand || m == modeChangePoint || m == modeShow {
				// Plain identifiers: no wildcards.
				if c == '`' {
					if i, err = s.quoted(i); err != nil {
						return 0, err
					}
					continue
				}
				if c == '*' {
					return 0, s.errorf(i, "%s takes a field name, not a pattern", s.commandName())
				}
				i = s.word(i + 1)
				if (c == '_' || c == '@') && i == start+1 {
					return 0, s.errorf(start, "%q alone is not a valid name: quote it with backquotes, as in `%c`", string(c), c)
				}
				word := strings.ToLower(src[start:i])
				if m == modeChangePoint && (word == "on" || word == "as" || word == "by") || m == modeShow && word == "info" {
					s.emitLower(tokKeyword, start, i)
				} else {
					s.emit(tokIdent, start, i)
				}
				continue
			}
			if i, err = s.idPattern(i); err != nil {
				return 0, err
			}
			word := strings.ToLower(src[start:i])
			switch {
			case m == modeRename && word == "as", m == modeEnrich && (word == "on" || word == "with"):
				s.emitLower(tokKeyword, start, i)
			default:
				s.emit(tokPattern, start, i)
			}
		case c == '?':
			return 0, s.errorf(i, "parameters are not supported in %s", s.commandName())
		case c == '"':
			return 0, s.errorf(i, "%s takes field names: quote names with backquotes (`my field`), not double quotes", s.commandName())
		default:
			r, _ := utf8.DecodeRuneInString(src[i:])
			return 0, s.errorf(i, "unexpected character %q in %s", string(r), s.commandName())
		}
	}
}

// commandName returns the name of the command being scanned, in upper
// case.
func (s *scanner) commandName() string {
	for k := len(s.Toks) - 1; k >= 0; k-- {
		if s.Toks[k].Type == tokCommand {
			return strings.ToUpper(s.Toks[k].Value)
		}
	}
	return "the command"
}

// idPattern lexes an ID_PATTERN: unquoted name parts with "*" wildcards
// and backquoted parts, run together ("host*", "`my field`*", "@timestamp").
func (s *scanner) idPattern(start int) (int, *source.Error) {
	src := s.src
	i := start
	for i < len(src) {
		c := src[i]
		switch {
		case c == '`':
			end, err := s.quotedEnd(i)
			if err != nil {
				return 0, err
			}
			i = end
		case isLetter(c) || c == '*':
			i++
			for i < len(src) && (isIDBody(src[i]) || src[i] == '*') {
				i++
			}
		case c == '_' || c == '@':
			j := i + 1
			for j < len(src) && (isIDBody(src[j]) || src[j] == '*') {
				j++
			}
			if j == i+1 {
				return 0, s.errorf(i, "%q alone is not a valid name: quote it with backquotes, as in `%c`", string(c), c)
			}
			i = j
		default:
			return i, nil
		}
	}
	return i, nil
}

// isPolicyChar reports whether c may be part of an ENRICH policy name
// (anything but \ / ? " < > | space , # : ( ) and white space).
func isPolicyChar(c byte) bool {
	switch c {
	case '\\', '/', '?', '"', '<', '>', '|', ' ', ',', '#', ':', '(', ')', '\t', '\r', '\n':
		return false
	}
	return true
}

// policyEnd returns the end of the ENRICH policy name at i:
// [qualifier:]name.
func (s *scanner) policyEnd(i int) int {
	src := s.src
	for i < len(src) && isPolicyChar(src[i]) {
		i++
	}
	if i+1 < len(src) && src[i] == ':' && isPolicyChar(src[i+1]) {
		i++
		for i < len(src) && isPolicyChar(src[i]) {
			i++
		}
	}
	return i
}

// unquoteString returns the value of a tokString token, whose escapes the
// scanner validated.
func unquoteString(v string) string {
	if strings.HasPrefix(v, `"""`) {
		return v[3 : len(v)-3]
	}
	v = v[1 : len(v)-1]
	if strings.IndexByte(v, '\\') < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 >= len(v) {
			b.WriteByte(c)
			continue
		}
		i++
		switch v[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		default: // " \
			b.WriteByte(v[i])
		}
	}
	return b.String()
}

// unquoteIdent returns the name of a tokQuoted token.
func unquoteIdent(v string) string {
	return strings.ReplaceAll(v[1:len(v)-1], "``", "`")
}

// unquotePattern returns the name pattern of a tokPattern token: its
// backquoted parts unquoted.
func unquotePattern(v string) string {
	if strings.IndexByte(v, '`') < 0 {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); {
		if v[i] != '`' {
			b.WriteByte(v[i])
			i++
			continue
		}
		j := i + 1
		for j < len(v) {
			if v[j] == '`' {
				if j+1 < len(v) && v[j+1] == '`' {
					b.WriteByte('`')
					j += 2
					continue
				}
				break
			}
			b.WriteByte(v[j])
			j++
		}
		i = j + 1
	}
	return b.String()
}

// lexDef is the participle lexer definition. Parse feeds participle
// pre-scanned tokens; Lex exists to satisfy the interface (participle uses
// Symbols to build the grammar).
type lexDef struct{}

// Symbols names the token types for the grammar.
func (lexDef) Symbols() map[string]lexer.TokenType {
	// A fresh map: the grammar is built during package initialization,
	// possibly before package-level maps are.
	return map[string]lexer.TokenType{
		"EOF":     lexer.EOF,
		"Command": tokCommand,
		"Keyword": tokKeyword,
		"Ident":   tokIdent,
		"Quoted":  tokQuoted,
		"String":  tokString,
		"Int":     tokInt,
		"Float":   tokFloat,
		"Param":   tokParam,
		"Source":  tokSource,
		"Pattern": tokPattern,
		"Policy":  tokPolicy,
		"Punct":   tokPunct,
		"BinOp":   tokBinOp,
		"Lit":     clsLit,
		"Bool":    clsBool,
		"Like":    clsLike,
	}
}

// Lex scans a whole query.
func (lexDef) Lex(_ string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	toks, perr := scan(string(b))
	if perr != nil {
		return nil, &lexer.Error{Msg: perr.Msg, Pos: lexer.Position{Offset: perr.Pos.Offset, Line: perr.Pos.Line, Column: perr.Pos.Col}}
	}
	return parser.NewClassLexer(toks, class), nil
}
