package document

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// randomFields draws field lists like the ones emit builds (nested names
// sharing prefixes, numeric and special segments) and the odd ones
// (duplicates, a name that prefixes another, empty segments, @timestamp
// and names under it).
func randomFields(r *rand.Rand) ([]string, [][]byte) {
	segs := []string{"process", "parent", "name", "pid", "host", "os", "0", "12", "a*b", "x@y", "q|r", "#", "é", "@timestamp", "event", "k:v", "!", "Name"}
	odd := []string{"a\\b", "q\"t", "c\x01", "bad\xff"} // names sjson writes escaped or replaced
	vals := []string{`1`, `"x"`, `["a","b"]`, `{"o":1,"p":[1,{"q":null}]}`, `true`, `null`, `-1.5e3`, `"\u00e9\n"`, `"é"`, `[]`, `{}`}
	n := 1 + r.IntN(12)
	var fields []string
	var values [][]byte
	for range n {
		var parts []string
		for range 1 + r.IntN(4) {
			if r.IntN(60) == 0 {
				parts = append(parts, odd[r.IntN(len(odd))])
			} else {
				parts = append(parts, segs[r.IntN(len(segs))])
			}
		}
		f := strings.Join(parts, ".")
		if r.IntN(8) > 0 {
			// Mostly leaves of their own, as real field lists have.
			f += ".leaf" + strconv.Itoa(len(fields))
		}
		switch k := r.IntN(40); {
		case k == 0:
			f += "."
		case k == 1:
			f = "." + f
		case k < 5 && len(fields) > 0:
			f = fields[r.IntN(len(fields))]
		}
		fields = append(fields, f)
		values = append(values, []byte(vals[r.IntN(len(vals))]))
	}
	if r.IntN(2) == 0 {
		// Sorted, as emit's field lists are.
		sortedF := append([]string(nil), fields...)
		sortedV := append([][]byte(nil), values...)
		for i := 1; i < len(sortedF); i++ {
			for j := i; j > 0 && sortedF[j] < sortedF[j-1]; j-- {
				sortedF[j], sortedF[j-1] = sortedF[j-1], sortedF[j]
				sortedV[j], sortedV[j-1] = sortedV[j-1], sortedV[j]
			}
		}
		fields, values = sortedF, sortedV
	}
	return fields, values
}

// TestLayoutNestedIsFlat: the object-by-object layout is byte for byte
// the layout of setting each field on the whole document, and
// BuildDecoded's document is what Decode reads of the built one.
func TestLayoutNestedIsFlat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)
	nested, decodable := 0, 0
	shared := NewBuilder() // decodes every document: its cache of values is used
	for range 5000 {
		fields, values := randomFields(r)
		b := NewBuilder()
		ph := make([][]byte, len(fields))
		for i := range fields {
			ph[i] = []byte(placeholder(i))
		}
		flat, ferr := b.build(nil, fields, ph)
		if got, _, ok := b.buildNested(fields, ph); ok {
			nested++
			if ferr != nil {
				t.Fatalf("%q: nested layout %s, flat error %v", fields, got, ferr)
			}
			if string(got) != string(flat) {
				t.Fatalf("%q:\nnested %q\nflat   %q", fields, got, flat)
			}
		}
		doc, dec, err := b.BuildDecoded([]byte("x"), ts, fields, values)
		plain, perr := NewBuilder().Build([]byte("x"), ts, fields, values)
		if (err != nil) != (perr != nil) || string(doc) != string(plain) {
			t.Fatalf("%q: BuildDecoded %s (%v), Build %s (%v)", fields, doc, err, plain, perr)
		}
		if err != nil {
			continue
		}
		want, werr := Decode(doc[1:])
		if werr != nil {
			want = nil
		}
		if !reflect.DeepEqual(dec, want) {
			t.Fatalf("%q: %s:\ndecoded %#v\nDecode  %#v", fields, doc, dec, want)
		}
		if _, sdec, err := shared.BuildDecoded(nil, ts, fields, values); err != nil || !reflect.DeepEqual(sdec, want) {
			t.Fatalf("%q: %s: a builder of many documents decoded %#v (%v)", fields, doc, sdec, err)
		}
		if sh := b.shapes[string(b.key)]; sh.decodable {
			decodable++
		}
	}
	if nested < 1200 || decodable < 3000 {
		t.Errorf("%d field lists laid out nested, %d decoded from their shape, of 5000", nested, decodable)
	}
}

// benchDoc is a document of the size emit completes: 60 fields under a
// dozen objects, as an Elastic Defend process event has.
func benchDoc() ([]string, [][]byte) {
	fields := []string{
		"agent.id", "agent.name", "agent.type", "agent.version", "data_stream.dataset", "data_stream.namespace",
		"data_stream.type", "ecs.version", "event.action", "event.category", "event.dataset", "event.id",
		"event.ingested", "event.kind", "event.module", "event.outcome", "event.type", "host.architecture",
		"host.hostname", "host.id", "host.ip", "host.mac", "host.name", "host.os.family", "host.os.kernel",
		"host.os.name", "host.os.platform", "host.os.type", "host.os.version", "process.args",
		"process.args_count", "process.command_line", "process.entity_id", "process.executable",
		"process.hash.md5", "process.hash.sha1", "process.hash.sha256", "process.name",
		"process.parent.args", "process.parent.command_line", "process.parent.entity_id",
		"process.parent.executable", "process.parent.name", "process.parent.pid", "process.pe.original_file_name",
		"process.pid", "process.user.id", "process.user.name", "process.working_directory", "user.domain",
		"user.id", "user.name", "winlog.event_data.1", "x.y.z",
	}
	values := make([][]byte, len(fields))
	for i := range fields {
		switch i % 4 {
		case 0:
			values[i] = []byte(`"value-` + strconv.Itoa(i) + `"`)
		case 1:
			values[i] = []byte(strconv.Itoa(1000 + i))
		case 2:
			values[i] = []byte(`["C:\\Windows\\system32\\cmd.exe","/c","x` + strconv.Itoa(i) + `"]`)
		default:
			values[i] = []byte(`true`)
		}
	}
	return fields, values
}

// BenchmarkLayout lays out a shape of benchDoc: object by object (as
// Build does) and field by field on the whole document (the fallback).
func BenchmarkLayout(b *testing.B) {
	fields, _ := benchDoc()
	ph := make([][]byte, len(fields))
	for i := range fields {
		ph[i] = []byte(placeholder(i))
	}
	b.Run("nested", func(b *testing.B) {
		bl := NewBuilder()
		b.ReportAllocs()
		for b.Loop() {
			if _, _, ok := bl.buildNested(fields, ph); !ok {
				b.Fatal("not laid out")
			}
		}
	})
	b.Run("flat", func(b *testing.B) {
		bl := NewBuilder()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := bl.build(nil, fields, ph); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkBuildDecoded builds benchDoc and decodes it: as it is built
// (BuildDecoded), and by reading the built document back (Build, Decode).
func BenchmarkBuildDecoded(b *testing.B) {
	fields, values := benchDoc()
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)
	b.Run("as-built", func(b *testing.B) {
		bl := NewBuilder()
		var buf []byte
		b.ReportAllocs()
		for b.Loop() {
			var doc map[string]any
			buf, doc, _ = bl.BuildDecoded(buf[:0], ts, fields, values)
			if doc == nil {
				b.Fatal("not decoded")
			}
		}
	})
	b.Run("read-back", func(b *testing.B) {
		bl := NewBuilder()
		var buf []byte
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = bl.Build(buf[:0], ts, fields, values)
			if _, err := Decode(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
