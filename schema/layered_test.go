package schema

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/emit-sec/emit/es/estype"
)

// layeredNames are every dotted name of up to four of the segments.
func layeredNames(segments []string) []string {
	var out []string
	level := []string{""}
	for depth := 0; depth < 4; depth++ {
		var next []string
		for _, p := range level {
			for _, s := range segments {
				n := s
				if p != "" {
					n = p + "." + s
				}
				next = append(next, n)
			}
		}
		out = append(out, next...)
		level = next
	}
	return out
}

// sameAnswers reports the first question that a and b answer differently
// over names.
func sameAnswers(t *testing.T, what string, got, want *Schema, names []string) bool {
	t.Helper()
	if got.Len() != want.Len() {
		t.Errorf("%s: Len = %d, want %d", what, got.Len(), want.Len())
		return false
	}
	if g, w := got.Names(), want.Names(); !slices.Equal(g, w) {
		t.Errorf("%s: Names = %v, want %v", what, g, w)
		return false
	}
	for _, n := range names {
		if g, w := got.Field(n), want.Field(n); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: Field(%s) = %+v, want %+v", what, n, g, w)
			return false
		}
		g, gok := got.Lookup(n)
		w, wok := want.Lookup(n)
		if gok != wok || !reflect.DeepEqual(g, w) {
			t.Errorf("%s: Lookup(%s) = %+v %v, want %+v %v", what, n, g, gok, w, wok)
			return false
		}
	}
	for _, p := range []string{"*", "a*", "*.text", "b.*"} {
		if g, w := got.Match(p), want.Match(p); !slices.Equal(g, w) {
			t.Errorf("%s: Match(%s) = %v, want %v", what, p, g, w)
			return false
		}
	}
	return true
}

// TestFilledProperty: over random schemas t and o (o made as
// Integrations.Select makes its schemas, by filling a data stream's fields
// into an empty schema, or field by field), Fill gives what the reference
// Fill gave (where that did not depend on map order), Filled(t, o)
// answers every question as t.Clone() filled with o does, and both change
// alike.
func TestFilledProperty(t *testing.T) {
	segments := []string{"a", "b", "text"}
	names := layeredNames(segments)
	types := []estype.Type{estype.Keyword, estype.Keyword, estype.Long, estype.Object, estype.Object, estype.Flattened, estype.Text}
	rnd := rand.New(rand.NewPCG(1, 2))
	random := func(n int) *Schema {
		s := New()
		for range n {
			s.Set(Field{Name: names[rnd.IntN(len(names))], Type: types[rnd.IntN(len(types))]})
		}
		return s
	}
	compared, layered, unclean := 0, 0, 0 // cases where Fill's order did not matter, layered ones, unclean o
	for i := range 1500 {
		top := random(1 + rnd.IntN(6))
		// o made as Select makes it, or (unclean: with fields deep
		// inside leaves) field by field.
		o := random(1 + rnd.IntN(12))
		if i%2 == 0 {
			o = New()
			o.Fill(random(1 + rnd.IntN(12)))
		}
		if !o.fillIndex().clean {
			unclean++
		}
		want := top.Clone()
		want.Fill(o)
		// Fill takes o's fields in name order, and filters what it
		// normalizes: where the order did not matter, it fills as
		// before.
		// The reference Fill takes o's fields in map order; where that
		// order matters, it is not a reference: compare only where 24
		// shuffled orders give the same schema.
		oNames := o.Names()
		ref := top.Clone()
		ref.fillReference(o, oNames)
		stable := true
		for range 24 {
			rnd.Shuffle(len(oNames), func(i, j int) { oNames[i], oNames[j] = oNames[j], oNames[i] })
			again := top.Clone()
			again.fillReference(o, oNames)
			if !reflect.DeepEqual(again.fields, ref.fields) {
				stable = false
				break
			}
		}
		if stable {
			compared++
			if !sameAnswers(t, "Fill and the reference Fill", want, ref, names) {
				t.Logf("top %v\no %v", top.Names(), o.Names())
				return
			}
		}
		got := Filled(top, o)
		if got.under != nil {
			layered++
		}
		if !sameAnswers(t, "case "+string(rune('0'+i%10)), got, want, names) {
			t.Logf("top %v\no %v", top.Names(), o.Names())
			return
		}
		// A layered schema changes as a flat one does, and its clone,
		// its top and o do not change with it.
		before := o.Len()
		c := got.Clone()
		f := Field{Name: "b.a", Type: estype.Long}
		c.Set(f)
		want2 := want.Clone()
		want2.Set(f)
		if !sameAnswers(t, "after Set", c, want2, names) || !sameAnswers(t, "the clone's source", got, want, names) || o.Len() != before {
			return
		}
		m := Filled(top, o)
		m.Merge(top)
		want3 := want.Clone()
		want3.MergeReference(top)
		if !sameAnswers(t, "after Merge", m, want3, names) {
			return
		}
	}
	t.Logf("%d cases compared with the reference Fill, %d layered, %d unclean", compared, layered, unclean)
	if compared < 1000 || layered < 700 || unclean < 50 {
		t.Errorf("%d cases compared, %d layered", compared, layered)
	}
}

// TestFilledUnclean: a schema where a leaf has a field deep inside it is
// filled in flat, as Fill does.
func TestFilledUnclean(t *testing.T) {
	o := New()
	o.Set(Field{Name: "x.y", Type: estype.Keyword})
	o.Set(Field{Name: "x.y.z.w", Type: estype.Long})
	top := New()
	top.Set(Field{Name: "a", Type: estype.Keyword})
	got := Filled(top, o)
	if got.under != nil {
		t.Error("layered over an unclean schema")
	}
	if got.Len() != 2 || got.Field("a").Type != estype.Keyword {
		t.Errorf("Filled = %v", got.Names())
	}
}
