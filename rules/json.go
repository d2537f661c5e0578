package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/emit-sec/emit/source"
)

// Kinds of JSON objects met in rule files and Kibana exports.
const (
	objRule       = iota
	objSummary    // the export summary that ends a Kibana export
	objException  // an exception list or list item
	objSavedOther // another Kibana saved object (action connector, tag, ...)
	objList       // a find API answer: {"data": [...]}
	objOther      // none of the above
	objNotObject  // not a JSON object at all
)

// probe holds the members that tell a JSON object's kind.
type probe struct {
	RuleID             json.RawMessage `json:"rule_id"`
	Attributes         json.RawMessage `json:"attributes"`
	ExportedCount      json.RawMessage `json:"exported_count"`
	ExportedRulesCount json.RawMessage `json:"exported_rules_count"`
	ListID             json.RawMessage `json:"list_id"`
	Data               json.RawMessage `json:"data"`
}

// classify tells what obj is and returns the rule object itself for rules
// (the attributes of a saved object), the array for find answers.
func classify(obj []byte) (kind int, body []byte, err error) {
	var p probe
	if err := json.Unmarshal(obj, &p); err != nil {
		return 0, nil, err
	}
	switch {
	case p.ExportedCount != nil || p.ExportedRulesCount != nil:
		return objSummary, nil, nil
	case p.RuleID != nil:
		return objRule, obj, nil
	case isJSONObject(p.Attributes):
		var inner probe
		if err := json.Unmarshal(p.Attributes, &inner); err == nil && inner.RuleID != nil {
			return objRule, p.Attributes, nil
		}
		return objSavedOther, nil, nil
	case p.ListID != nil:
		return objException, nil, nil
	case isJSONArray(p.Data):
		return objList, p.Data, nil
	}
	return objOther, nil, nil
}

func isJSONObject(b json.RawMessage) bool {
	b = skipSpace(b)
	return len(b) > 0 && b[0] == '{'
}

func isJSONArray(b json.RawMessage) bool {
	b = skipSpace(b)
	return len(b) > 0 && b[0] == '['
}

// jsonProblem turns a JSON decoding error of the value starting at byte
// base of src into a position and a message free of Go type names.
func jsonProblem(src []byte, base int, err error) (source.Pos, error) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		return source.PosAt(string(src), base+max(0, int(se.Offset)-1)), fmt.Errorf("invalid JSON: %s", se.Error())
	case errors.As(err, &te):
		want := kindName(te.Type)
		pos := source.PosAt(string(src), base+int(te.Offset))
		if te.Field != "" {
			return pos, fmt.Errorf("invalid rule: %s: want %s, found JSON %s", te.Field, want, te.Value)
		}
		return pos, fmt.Errorf("invalid rule: want %s, found JSON %s", want, te.Value)
	case errors.Is(err, errUnexpectedEnd):
		return source.PosAt(string(src), len(src)), errors.New("invalid JSON: unexpected end of input")
	}
	return source.Pos{}, fmt.Errorf("invalid JSON: %v", err)
}

var errUnexpectedEnd = errors.New("unexpected end of JSON input")

func kindName(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice:
		return "a list"
	case reflect.Map, reflect.Struct, reflect.Pointer:
		return "an object"
	}
	return t.String()
}

// decodeJSON decodes one complete JSON value, reporting a truncated input
// as such.
func decodeJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	if err != nil && err.Error() == errUnexpectedEnd.Error() {
		return errUnexpectedEnd
	}
	return err
}

// parseJSON loads a JSON document: a rule, a saved object, an array of
// them, or a find answer.
func (l *loader) parseJSON(u *unit, data []byte) {
	if !json.Valid(data) {
		var v json.RawMessage
		pos, err := jsonProblem(data, 0, decodeJSON(data, &v))
		l.addProblem(u, &Problem{Source: u.source, Pos: pos, Err: err})
		return
	}
	start := len(data) - len(skipSpace(data))
	end := start + len(bytes.TrimRight(data[start:], " \t\r\n"))
	n, kind := l.jsonValue(u, data, start, end, 0)
	if n == 0 && u.explicit {
		l.problemf(u, source.Pos{}, "not a detection rule: %s", kindText(kind))
	}
}

// kindText describes a kind of JSON object that is not a rule.
func kindText(kind int) string {
	switch kind {
	case objSummary:
		return "a Kibana export summary"
	case objException:
		return "an exception list"
	case objSavedOther:
		return "a Kibana saved object of another type"
	case objList:
		return "an empty list"
	case objNotObject:
		return "not a JSON object"
	}
	return "no rule_id"
}

// jsonValue loads the rules of the valid JSON value data[start:end]: an
// object, or an array of them. line is the line to give a rule found there
// (0 for a one-rule document). It returns how many rules and problems it
// found and, when none, what kind of value it was.
func (l *loader) jsonValue(u *unit, data []byte, start, end, line int) (n, kind int) {
	v := data[start:end]
	switch v[0] {
	case '[':
		return l.jsonArray(u, data, start, end)
	case '{':
	default:
		return 0, objNotObject
	}
	kind, body, err := classify(v)
	if err != nil {
		pos, perr := jsonProblem(data, start, err)
		l.addProblem(u, &Problem{Source: u.source, Pos: pos, Err: perr})
		return 1, kind
	}
	// body is a copy of part of v: find where it starts.
	bs := start
	if i := bytes.Index(v, body); i >= 0 {
		bs = start + i
	}
	switch kind {
	case objRule:
		l.jsonRule(u, data, bs, bs+len(body), line)
		return 1, kind
	case objList:
		return l.jsonArray(u, data, bs, bs+len(body))
	}
	return 0, kind
}

// jsonArray loads each element of the valid JSON array data[start:end],
// giving rules the line where their element starts.
func (l *loader) jsonArray(u *unit, data []byte, start, end int) (n, kind int) {
	dec := json.NewDecoder(bytes.NewReader(data[start:end]))
	if _, err := dec.Token(); err != nil { // [
		return 0, objOther
	}
	kind = objList
	lineAt, line := 0, 1+bytes.Count(data[:start], []byte("\n"))
	for dec.More() {
		var e json.RawMessage
		if err := dec.Decode(&e); err != nil {
			pos, perr := jsonProblem(data, start+int(dec.InputOffset()), err)
			l.addProblem(u, &Problem{Source: u.source, Pos: pos, Err: perr})
			return n + 1, kind
		}
		es := start + int(dec.InputOffset()) - len(e)
		line += bytes.Count(data[max(lineAt, start):es], []byte("\n"))
		lineAt = es
		k, what := l.jsonValue(u, data, es, es+len(e), line)
		n += k
		if k == 0 {
			kind = what
		}
	}
	return n, kind
}

// jsonRule decodes the rule object data[start:end], found at line line (0
// for a one-rule document).
func (l *loader) jsonRule(u *unit, data []byte, start, end, line int) {
	var raw rawRule
	if err := decodeJSON(data[start:end], &raw); err != nil {
		pos, perr := jsonProblem(data, start, err)
		l.addProblem(u, &Problem{Source: u.source, Pos: pos, Err: perr})
		return
	}
	r, err := raw.toRule()
	if err != nil {
		l.addProblem(u, &Problem{Source: u.source, Pos: source.Pos{Line: line, Offset: start}, Err: err})
		return
	}
	r.Line = line
	l.addParsed(u, r)
}

// parseNDJSON loads a Kibana export: one JSON object a line. Blank lines,
// the export summary, exception lists and other saved objects are skipped;
// each damaged line is reported with its line number.
func (l *loader) parseNDJSON(u *unit, data []byte) {
	var others []*Problem
	n, lineNo, off := 0, 0, 0
	for line := range bytes.Lines(data) {
		lineNo++
		start := off
		off += len(line)
		text := bytes.TrimSpace(line)
		if len(text) == 0 {
			continue
		}
		s := start + len(line) - len(bytes.TrimLeft(line, " \t\r\n"))
		e := s + len(text)
		if !json.Valid(text) {
			var v json.RawMessage
			pos, err := jsonProblem(data, s, decodeJSON(text, &v))
			if pos.Line != lineNo {
				// A truncated line: the error is at its end.
				pos = source.PosAt(string(data), e)
			}
			l.addProblem(u, &Problem{Source: u.source, Pos: pos, Err: err})
			n++
			continue
		}
		if text[0] != '{' {
			l.addProblem(u, &Problem{Source: u.source, Pos: source.Pos{Line: lineNo, Offset: s},
				Err: errors.New("not a JSON object")})
			n++
			continue
		}
		k, kind := l.jsonValue(u, data, s, e, lineNo)
		n += k
		if k == 0 && kind == objOther {
			others = append(others, &Problem{Source: u.source, Pos: source.Pos{Line: lineNo, Offset: s},
				Err: errors.New("not a detection rule, exception list or export summary (no rule_id)")})
		}
	}
	if n > 0 || u.explicit {
		for _, p := range others {
			l.addProblem(u, p)
		}
	}
	if n == 0 && len(others) == 0 && u.explicit {
		l.problemf(u, source.Pos{}, "no detection rules in this Kibana export")
	}
}

// addParsed completes a rule read from u and keeps it.
func (l *loader) addParsed(u *unit, r *Rule) {
	r.Source = u.source
	markDeprecated(r)
	if u.pkg != "" && r.Version == 0 {
		r.Version = versionFromName(u.source, r.ID)
	}
	l.addRule(u, r)
}
