package emitter_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/schema"
)

// Decoded gives an ES|QL group's documents as document.Decode reads
// their sources, once; nothing for a query whose generator reads none.
func TestDecoded(t *testing.T) {
	e := emitter.New(emitter.Options{Schema: schema.Default(), Seed: 3, End: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
	src, err := e.AddQuery(`FROM logs-* | WHERE event.outcome == "failure" | STATS n = COUNT(*), u = COUNT_DISTINCT(source.ip) BY user.name | WHERE n >= 5 AND u >= 3`, query.ESQL)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		docs, err := e.NextFrom(src)
		if err != nil {
			t.Fatal(err)
		}
		got := e.Decoded()
		if len(got) != len(docs) || len(docs) < 5 {
			t.Fatalf("%d decoded documents of %d", len(got), len(docs))
		}
		for j, d := range docs {
			want, err := document.Decode(d.Source)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got[j], want) {
				t.Fatalf("document %d: decoded %v, its source reads %v", j, got[j], want)
			}
		}
		if again := e.Decoded(); again != nil {
			t.Fatalf("Decoded twice: %d documents", len(again))
		}
	}
	kq, err := e.AddQuery(`process.name : "cmd.exe"`, query.KQL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.NextFrom(kq); err != nil {
		t.Fatal(err)
	}
	if got := e.Decoded(); got != nil {
		t.Errorf("a KQL match: %d decoded documents, want none", len(got))
	}
}

// With SetDecoding, Decoded gives the documents of plain queries (and
// sequences) as document.Decode reads their sources, as they were built;
// without it, nothing.
func TestSetDecoding(t *testing.T) {
	e := emitter.New(emitter.Options{Schema: schema.Default(), Seed: 5, End: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)})
	e.SetDecoding(true)
	for _, tc := range []struct {
		text string
		lang query.Language
	}{
		{`process.name : "cmd.exe" and process.args : ("/c" or "-enc") and not user.name : SYSTEM`, query.KQL},
		{`sequence by host.id [process where process.name == "a.exe"] [network where destination.port == 443]`, query.EQL},
		{`file where file.path : "C:\\Users\\*\\AppData\\*.dll" and file.size > 1000`, query.EQL},
	} {
		src, err := e.AddQuery(tc.text, tc.lang)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			docs, err := e.NextFrom(src)
			if err != nil {
				t.Fatal(err)
			}
			got := e.Decoded()
			if len(got) != len(docs) {
				t.Fatalf("%s: %d decoded documents of %d", tc.text, len(got), len(docs))
			}
			for j, d := range docs {
				want, err := document.Decode(d.Source)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got[j], want) {
					t.Fatalf("%s: document %d: decoded %v, its source reads %v", tc.text, j, got[j], want)
				}
			}
		}
	}
	e.SetDecoding(false)
	src, err := e.AddQuery(`process.name : "cmd.exe"`, query.KQL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.NextFrom(src); err != nil {
		t.Fatal(err)
	}
	if got := e.Decoded(); got != nil {
		t.Errorf("decoding off: %d decoded documents, want none", len(got))
	}
}
