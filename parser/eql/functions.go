package eql

import "strings"

// valueKind is what an expression evaluates to.
type valueKind uint8

const (
	kindAny valueKind = iota
	kindBool
	kindString
	kindNumber
)

// funcSpec describes one EQL function.
type funcSpec struct {
	name     string // canonical spelling
	min, max int    // argument count; max < 0: any number from min
	ci       bool   // accepts the "~" case-insensitive variant
	returns  valueKind
}

// functions are Elasticsearch's EQL functions, keyed by lower-case name:
// Elasticsearch resolves function names case-insensitively, so startsWith,
// startswith and STARTSWITH are the same function.
var functions = map[string]*funcSpec{}

func init() {
	for _, f := range []*funcSpec{
		{name: "add", min: 2, max: 2, returns: kindNumber},
		{name: "between", min: 3, max: 4, ci: true, returns: kindString},
		{name: "cidrMatch", min: 2, max: -1, returns: kindBool},
		{name: "concat", min: 1, max: -1, returns: kindString},
		{name: "divide", min: 2, max: 2, returns: kindNumber},
		{name: "endsWith", min: 2, max: 2, ci: true, returns: kindBool},
		{name: "indexOf", min: 2, max: 3, ci: true, returns: kindNumber},
		{name: "length", min: 1, max: 1, returns: kindNumber},
		{name: "modulo", min: 2, max: 2, returns: kindNumber},
		{name: "multiply", min: 2, max: 2, returns: kindNumber},
		{name: "number", min: 1, max: 2, returns: kindNumber},
		{name: "startsWith", min: 2, max: 2, ci: true, returns: kindBool},
		{name: "string", min: 1, max: 1, returns: kindString},
		{name: "stringContains", min: 2, max: 2, ci: true, returns: kindBool},
		{name: "substring", min: 2, max: 3, returns: kindString},
		{name: "subtract", min: 2, max: 2, returns: kindNumber},
		{name: "wildcard", min: 2, max: -1, ci: true, returns: kindBool},
	} {
		functions[strings.ToLower(f.name)] = f
	}
}

// lookupFunc finds a function by any spelling of its name.
func lookupFunc(name string) *funcSpec { return functions[strings.ToLower(name)] }

// kindOf tells what e evaluates to, as far as the syntax says.
func kindOf(e Expr) valueKind {
	switch x := e.(type) {
	case *Or, *And, *Not, *Compare, *In, *PatternMatch:
		return kindBool
	case *Arith, *Neg:
		return kindNumber
	case *Call:
		if f := lookupFunc(x.Name); f != nil {
			return f.returns
		}
	case *Literal:
		switch x.Kind {
		case LitString:
			return kindString
		case LitInt, LitFloat:
			return kindNumber
		case LitBool:
			return kindBool
		}
	}
	return kindAny
}
