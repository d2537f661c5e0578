package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/emit-sec/emit/source"
)

func TestGuessLanguage(t *testing.T) {
	tests := []struct {
		text, lang string
	}{
		{`process.name : *.exe`, KQL},
		{`process where process.name : "*.exe"`, EQL},
		{`sequence by host.id [process where true] [network where true]`, EQL},
		{`any where true`, EQL},
		{`user.name : alice and event.outcome : failure`, KQL},
	}
	for _, tt := range tests {
		q, err := Parse(tt.text, "")
		if err != nil {
			t.Errorf("%s: %v", tt.text, err)
			continue
		}
		if q.Lang != tt.lang {
			t.Errorf("%s: guessed %s, want %s", tt.text, q.Lang, tt.lang)
		}
	}
}

func TestGuessErrors(t *testing.T) {
	tests := []struct{ text, lang string }{
		{`process where process.name = "cmd.exe"`, "eql"}, // starts as EQL: the EQL error
		{`process.name : (a or`, "kql"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.text, "")
		var pe *source.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: want a syntax error, got %v", tt.text, err)
			continue
		}
		if pe.Lang != tt.lang {
			t.Errorf("%s: error from %s, want %s: %v", tt.text, pe.Lang, tt.lang, err)
		}
	}
	if _, err := Parse("x", "sql"); err == nil || !strings.Contains(err.Error(), "unsupported query language") {
		t.Errorf("unknown language: %v", err)
	}
	if _, err := Parse(`process.name : a`, "kuery"); err != nil {
		t.Errorf("kuery is KQL: %v", err)
	}
}
