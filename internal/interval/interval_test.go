package interval

import "testing"

func TestSetOps(t *testing.T) {
	s := Of[Int](1, 1023)
	s = s.Intersect(Of[Int](1025, MaxInt))
	if !s.IsEmpty() {
		t.Fatalf("expected empty, got %v", s)
	}
	s = Of[Int](0, 10).Remove(5)
	if s.Contains(5) || !s.Contains(4) || !s.Contains(6) || len(s.R) != 2 {
		t.Fatalf("remove: %v", s)
	}
	u := s.Union(Of[Int](5, 5))
	if len(u.R) != 1 || !u.Contains(5) {
		t.Fatalf("union: %v", u)
	}
	d := Of[Int](0, 100).Subtract(Of[Int](10, 20).Union(Of[Int](50, 200)))
	if d.Contains(15) || d.Contains(60) || !d.Contains(9) || !d.Contains(21) || d.Max() != 49 {
		t.Fatalf("subtract: %v", d)
	}
	if MaxInt.Succ() != MaxInt || MinInt.Pred() != MinInt {
		t.Fatal("saturation")
	}
	f := Of[Float](0, 1).Intersect(Of(Float(1).Succ(), Float(2)))
	if !f.IsEmpty() {
		t.Fatal("float open bound")
	}
	a := U128{0, ^uint64(0)}
	if a.Succ() != (U128{1, 0}) || (U128{1, 0}).Pred() != a {
		t.Fatal("u128 carry")
	}
	if (U128{1, 0}).Sub(U128{0, 1}) != a || a.Add(U128{0, 1}) != (U128{1, 0}) {
		t.Fatal("u128 arithmetic")
	}
}
