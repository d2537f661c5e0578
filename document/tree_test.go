package document

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// TestTreeLayoutIsSjsons: buildTree lays out every plain field list byte
// for byte as sjson setting the fields one by one does: nesting, fields set
// twice, a field under a value (the value becomes an object), a value over
// an object, numeric and special-character keys, with and without
// @timestamp.
func TestTreeLayoutIsSjsons(t *testing.T) {
	fixed := [][]string{
		{},
		{"a"},
		{"@timestamp", "a"},
		{"a", "@timestamp"},
		{"a.b", "a.c", "d", "a.e.f"},
		{"a", "a.b"},          // a value, then a field inside it
		{"a.b", "a"},          // an object, then a value over it
		{"a.b", "a.b.c", "a"}, // deeper, then back
		{"x", "y", "x"},       // set twice keeps its place
		{"a.0.b", "a.1", "0", "10.20"},
		{"x@y.z", "p.q*r", "h#i|j", "k?l!m", "n:o", "p=q<r>s%t", "u v", "w'x", "y[0]", "z{}"},
		{"process.name", "process.name.caseless", "process.pid"},
	}
	alphabet := []string{"a", "b", "c", "0", "1", "12", "@x", "k*", "a:b", "host", "name"}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 3000; n++ {
		var fields []string
		for i := r.IntN(8); i >= 0; i-- {
			f := alphabet[r.IntN(len(alphabet))]
			for j := r.IntN(4); j > 0; j-- {
				f += "." + alphabet[r.IntN(len(alphabet))]
			}
			if r.IntN(10) == 0 {
				f = "@timestamp"
			}
			fields = append(fields, f)
		}
		fixed = append(fixed, fields)
	}
	b := NewBuilder()
	for _, fields := range fixed {
		if !plainFields(fields) {
			t.Fatalf("%q: not plain", fields)
		}
		vals := make([][]byte, len(fields))
		for i := range fields {
			vals[i] = []byte(placeholder(i))
		}
		want, err := b.buildSjson([]byte("pre"), fields, vals)
		if err != nil {
			t.Fatalf("%q: sjson: %v", fields, err)
		}
		got := buildTree([]byte("pre"), fields, vals)
		if !bytes.Equal(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", fields, got, want)
		}
	}
}

// TestPlainFields: the fields buildTree must leave to sjson.
func TestPlainFields(t *testing.T) {
	for f, want := range map[string]bool{
		"a.b": true, "@timestamp": true, "a.-1x": true, "a.x-1": true, "0.1": true,
		"": false, "a.": false, ".a": false, "a..b": false, "a.-1": false, "-1.a": false,
		"a\"b": false, "a\\b": false, "a\x01": false, "é": false, "a\x7f": false,
	} {
		if got := plainFields([]string{"x", f}); got != want {
			t.Errorf("plainFields(%q) = %v, want %v", f, got, want)
		}
	}
}

// TestBuildOddFields: fields buildTree leaves to sjson still build.
func TestBuildOddFields(t *testing.T) {
	b := NewBuilder()
	for i, f := range []string{"é.a", "a.-1", "q\"r"} {
		doc, err := b.Build(nil, time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), []string{"x", f}, [][]byte{[]byte(strconv.Itoa(i)), []byte(`1`)})
		if err != nil || !bytes.HasPrefix(doc, []byte(`{"@timestamp":`)) {
			t.Errorf("%q: %s, %v", f, doc, err)
		}
	}
}
