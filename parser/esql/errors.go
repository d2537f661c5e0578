package esql

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/emit-sec/emit/parser"
	"github.com/emit-sec/emit/source"
)

// describe names a token for an error message.
func describe(t lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		if t.Value == "|" {
			return `"|"`
		}
		return "the end of the query"
	case tokString:
		v := t.Value
		if utf8.RuneCountInString(v) > 40 {
			v = string([]rune(v)[:37]) + "..."
		}
		return "string " + v
	case tokCommand, tokKeyword:
		return strings.ToUpper(t.Value)
	}
	return fmt.Sprintf("%q", t.Value)
}

// startsOperand reports whether t can start an operand of an expression.
func startsOperand(t lexer.Token) bool {
	switch t.Type {
	case tokIdent, tokQuoted, tokString, tokInt, tokFloat, tokParam:
		return true
	case tokKeyword:
		switch t.Value {
		case "null", "true", "false", "not", "first", "last":
			return true
		}
	case tokPunct:
		return t.Value == "(" || t.Value == "["
	case tokBinOp:
		return t.Value == "-" || t.Value == "+"
	}
	return false
}

// endsOperand reports whether t can end an operand.
func endsOperand(t lexer.Token) bool {
	switch t.Type {
	case tokIdent, tokQuoted, tokString, tokInt, tokFloat, tokParam, tokSource, tokPattern, tokPolicy:
		return true
	case tokKeyword:
		return t.Value == "null" || t.Value == "true" || t.Value == "false"
	case tokPunct:
		return t.Value == ")" || t.Value == "]" || t.Value == "}"
	}
	return false
}

// endsCommand reports whether t ends a command.
func endsCommand(t lexer.Token) bool {
	return t.Type == lexer.EOF || t.Type == tokPunct && (t.Value == "|" || t.Value == ")")
}

// commandArgs says what each command takes, for the error of a command
// written without arguments.
var commandArgs = map[string]string{
	"from": "index patterns", "ts": "index patterns", "row": "fields such as a = 1",
	"where": "a condition", "eval": "fields such as x = expr", "keep": "field names or patterns",
	"drop": "field names or patterns", "rename": "old AS new", "sort": "sort keys",
	"limit": "a number of rows", "mv_expand": "a field name", "dissect": "a field and a pattern",
	"grok": "a field and a pattern", "enrich": "a policy name", "lookup": "JOIN index ON field",
	"change_point": "a field name", "completion": "a prompt", "rerank": "a query and ON fields",
	"stats":  "aggregates",
	"sample": "a probability", "show": "INFO", "inlinestats": "aggregates", "inline": "aggregates",
	"fork": "branches",
}

// precheck reports what the grammar reports badly: a command without its
// arguments.
func precheck(src string, toks []lexer.Token) *source.Error {
	for i, t := range toks {
		if t.Type != tokCommand || i+1 >= len(toks) {
			continue
		}
		next := toks[i+1]
		if t.Value == "inline" && next.Type == tokKeyword && next.Value == "stats" && i+2 < len(toks) {
			next = toks[i+2]
		}
		if t.Value == "stats" || !endsCommand(next) {
			continue
		}
		return source.Errorf("esql", src, next.Pos.Offset, "%s takes %s, found %s", strings.ToUpper(t.Value), commandArgs[t.Value], describe(next))
	}
	return nil
}

// commandAt returns the command keyword that governs token k.
func commandAt(toks []lexer.Token, k int) string {
	for i := min(k, len(toks)-1); i >= 0; i-- {
		if toks[i].Type == tokCommand {
			return toks[i].Value
		}
	}
	return ""
}

// syntaxError turns a participle error into a *source.Error with a message
// that says what was expected where. Participle stops at the first token
// its grammar cannot continue with; the real mistake is often the token
// after it (an operator without its operand), which the rules below look
// at.
func syntaxError(src string, toks []lexer.Token, err error) *source.Error {
	k, ok := parser.ErrorToken(toks, err)
	if !ok {
		return source.Errorf("esql", src, 0, "%v", err)
	}
	tok := toks[k]
	var prev lexer.Token
	if k > 0 {
		prev = toks[k-1]
	}
	at := func(t lexer.Token, format string, args ...any) *source.Error {
		return source.Errorf("esql", src, t.Pos.Offset, format, args...)
	}
	cmd := strings.ToUpper(commandAt(toks, k))
	switch cmd {
	case "INLINESTATS", "INLINE":
		cmd = "INLINE STATS"
	case "LOOKUP":
		cmd = "LOOKUP JOIN"
	}
	kw := func(t lexer.Token, vs ...string) bool {
		if t.Type != tokKeyword {
			return false
		}
		for _, v := range vs {
			if t.Value == v {
				return true
			}
		}
		return false
	}

	var prev2 lexer.Token
	if k > 1 {
		prev2 = toks[k-2]
	}
	found := describe(tok)
	// What the token before the error left unfinished.
	switch {
	case tok.Type == tokPunct && tok.Value == "=" && (cmd == "WHERE" || cmd == "SORT" || cmd == "LIMIT" || cmd == "SAMPLE"):
		return at(tok, `"=" is an assignment: compare with "=="`)
	case tok.Type == tokFloat && strings.HasPrefix(tok.Value, ".") && endsOperand(prev):
		return at(tok, "a name part that starts with a digit must be quoted with backquotes, as in a.`1`")
	case kw(prev, "and", "or"):
		return at(tok, "expected a condition after %s, found %s", describe(prev), found)
	case prev.Value == "*" && prev2.Value == "(":
		return at(tok, "unexpected %s after [*]: COUNT(*) takes no other argument", found)
	case tok.Type == tokPunct && tok.Value == "=" && (cmd == "EVAL" || cmd == "ROW" || cmd == "STATS" || cmd == "INLINE STATS"):
		return at(tok, `unexpected "=": compare with "==", and separate assignments with ","`)
	case prev.Type == tokBinOp:
		return at(tok, "expected an operand after %q, found %s", prev.Value, found)
	case kw(prev, "in"):
		return at(tok, `expected "(" and a list of values after IN, found %s`, found)
	case prev.Value == "[" && tok.Value == "]":
		return at(tok, "a list cannot be empty: write at least one value between [ and ]")
	case prev.Value == "(" && tok.Value == ")" && kw(prev2, "in"):
		return at(tok, `expected a value after "IN (": the list cannot be empty`)
	case kw(prev, "like", "rlike"):
		return at(tok, "expected a string pattern or a parenthesized list of string patterns after %s, found %s", describe(prev), found)
	case prev.Value == "(" && kw(prev2, "like", "rlike"):
		return at(tok, "expected a string pattern after %s (, found %s", describe(prev2), found)
	case kw(prev, "is"):
		return at(tok, "expected NULL or NOT NULL after IS, found %s", found)
	case kw(prev, "not") && kw(prev2, "is"):
		return at(tok, "expected NULL after IS NOT, found %s", found)
	case kw(prev, "not") && endsOperand(prev2):
		return at(tok, "expected IN, LIKE or RLIKE after NOT, found %s", found)
	case kw(prev, "not"):
		return at(tok, "expected a condition after NOT, found %s", found)
	case prev.Type == tokPunct && prev.Value == "::":
		return at(tok, `expected a type name after "::", found %s`, found)
	case prev.Type == tokPunct && prev.Value == ":" && cmd != "FROM" && cmd != "TS" && cmd != "LOOKUP":
		return at(tok, `expected a constant query after the match operator ":", found %s`, found)
	case prev.Type == tokPunct && prev.Value == "=":
		return at(tok, `expected an expression after "=", found %s`, found)
	case prev.Type == tokPunct && prev.Value == ",":
		return at(tok, `expected another item after ",", found %s`, found)
	case prev.Type == tokPunct && prev.Value == ".":
		return at(tok, `expected a name after ".", found %s (quote names that hold special characters or start with a digit with backquotes)`, found)
	case prev.Type == tokPunct && prev.Value == "(" && tok.Value == ")":
		return at(tok, `expected an expression after "(", found ")"`)
	case prev.Type == tokPunct && (prev.Value == "(" || prev.Value == "["):
		return at(tok, "expected an expression after %q, found %s", prev.Value, found)
	case kw(prev, "by"):
		return at(tok, "expected grouping fields after BY, found %s", found)
	case kw(prev, "where"):
		return at(tok, "expected a filter condition after WHERE, found %s", found)
	case kw(prev, "nulls"):
		return at(tok, "expected FIRST or LAST after NULLS, found %s", found)
	case kw(prev, "as"):
		return at(tok, "expected a name after AS, found %s", found)
	case kw(prev, "on"):
		return at(tok, "expected a field name after ON, found %s", found)
	case kw(prev, "with"):
		if cmd == "ENRICH" {
			return at(tok, "expected enrich fields after WITH, found %s", found)
		}
		return at(tok, `expected a map of options such as {"inference_id": "..."} after WITH, found %s`, found)
	case kw(prev, "join"):
		return at(tok, "expected an index pattern after JOIN, found %s", found)
	case prev.Type == tokCommand && prev.Value == "lookup":
		return at(tok, "expected JOIN after LOOKUP, found %s", found)
	case kw(prev, "metadata"):
		return at(tok, "expected metadata fields such as _id after METADATA, found %s", found)
	case prev.Type == tokCommand:
		return at(tok, "%s takes %s, found %s", strings.ToUpper(prev.Value), commandArgs[prev.Value], found)
	}

	switch {
	case (cmd == "DISSECT" || cmd == "GROK") && endsOperand(prev) && tok.Type != tokString:
		return at(tok, "expected a pattern string after the input of %s, found %s", cmd, found)
	case cmd == "RENAME" && prev.Type == tokPattern:
		return at(tok, "expected AS and a new name after %s, found %s", describe(prev), found)
	case cmd == "RERANK" && endsOperand(prev):
		return at(tok, "expected ON and the fields to rerank on, found %s", found)
	case cmd == "CHANGE_POINT" && kw(prev2, "as"):
		return at(tok, `expected "," and the name of the p-value column after AS %s, found %s`, prev.Value, found)
	case cmd == "LOOKUP JOIN" && endsOperand(prev):
		return at(tok, "expected ON and the join fields after the index, found %s", found)
	case tok.Type == lexer.EOF && cmd != "":
		return at(tok, "unexpected %s: the %s command is incomplete", found, cmd)
	case endsOperand(prev) && (startsOperand(tok) || tok.Type == tokPattern || tok.Type == tokSource) && cmd != "":
		switch cmd {
		case "KEEP", "DROP", "FROM", "TS", "GROK", "MV_EXPAND":
			return at(tok, "unexpected %s in %s: separate items with \",\"", describe(tok), cmd)
		}
		return at(tok, "unexpected %s in %s: expected an operator, \",\" or the end of the command", describe(tok), cmd)
	}
	if cmd != "" {
		return at(tok, "unexpected %s in %s", describe(tok), cmd)
	}
	return at(tok, "unexpected %s", describe(tok))
}
