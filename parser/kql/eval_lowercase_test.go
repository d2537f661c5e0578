package kql

import (
	"testing"

	"github.com/emit-sec/emit/es/estype"
)

func TestLowercaseKeyword(t *testing.T) {
	types := func(f string) estype.Mapping {
		if f == "process.name.caseless" {
			return estype.Mapping{Type: estype.Keyword, Normalizer: estype.NormalizerLowercase}
		}
		return estype.Mapping{Type: estype.Keyword}
	}
	doc := map[string]any{"process.name.caseless": "romserver.exe"}
	for q, want := range map[string]bool{
		`process.name.caseless : "ROMServer.exe"`: true,
		`process.name.caseless : ROM*`:            true,
		`process.name.caseless : other.exe`:       false,
	} {
		pq, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := Match(pq, doc, types); got != want {
			t.Errorf("%s: got %v, want %v", q, got, want)
		}
	}
}
