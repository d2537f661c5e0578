package emitter_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/query"
)

// TestDrawAt: a match drawn at a given time, in a given context, with
// fields set around the query's: the query's fields keep their values, a
// field the query names under a negation stays as the query left it,
// other fields take the given values over completion's, and an object
// replaces completion's fields under it.
func TestDrawAt(t *testing.T) {
	e := emitter.New(emitter.Options{Seed: 1, End: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	src, err := e.AddQuery(`event.category : "process" and process.name : "cmd.exe" and not process.parent.name : "explorer.exe" and not user.domain : *`, query.KQL)
	if err != nil {
		t.Fatal(err)
	}
	pop := e.Population()
	h := &pop.Hosts[3]
	ev := pop.EventFor(rand.New(rand.NewPCG(1, 2)), h, &pop.Users[0])
	at := time.Date(2023, 12, 31, 10, 0, 0, 0, time.UTC)
	set := func(int) ([]string, [][]byte) {
		return []string{"host", "labels.case", "process.name", "process.parent.name", "user.domain"},
			[][]byte{[]byte(`{"name":"given"}`), []byte(`"c-1"`), []byte(`"evil.exe"`), []byte(`"explorer.exe"`), []byte(`"CORP"`)}
	}
	docs, err := e.DrawAt(src, emitter.Draw{Time: at, Event: ev, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	if err := json.Unmarshal(docs[0].Source, &d); err != nil {
		t.Fatal(err)
	}
	get := func(path string) any {
		var cur any = d
		for _, p := range strings.Split(path, ".") {
			m, _ := cur.(map[string]any)
			cur = m[p]
		}
		return cur
	}
	if got := get("@timestamp"); got != "2023-12-31T10:00:00.000Z" {
		t.Errorf("@timestamp %v", got)
	}
	if got := get("process.name"); got != "cmd.exe" {
		t.Errorf("process.name %v: the query's value must stay", got)
	}
	if got := get("process.parent.name"); got == "explorer.exe" {
		t.Errorf("process.parent.name %v: the negation must hold", got)
	}
	if got := get("user.domain"); got != nil {
		t.Errorf("user.domain %v: the query wants it absent", got)
	}
	if got := get("labels.case"); got != "c-1" {
		t.Errorf("labels.case %v", got)
	}
	host, _ := get("host").(map[string]any)
	if len(host) != 1 || host["name"] != "given" {
		t.Errorf("host %v: the given object replaces completion's host fields", host)
	}
	if got := get("user.name"); got != pop.Users[0].Name {
		t.Errorf("user.name %v, want the context's user %s", got, pop.Users[0].Name)
	}
	// The evaluator agrees.
	if !src.Query.MatchAt([]map[string]any{d}, src.Schema().Types(), e.Now()) {
		t.Errorf("the query rejects %s", docs[0].Source)
	}
}
