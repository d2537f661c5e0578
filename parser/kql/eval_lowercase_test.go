package kql

import "testing"

func TestLowercaseKeyword(t *testing.T) {
	types := func(f string) string {
		if f == "process.name.caseless" {
			return "keyword+lowercase"
		}
		return "keyword"
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
