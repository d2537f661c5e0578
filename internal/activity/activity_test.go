package activity

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestPoissonMean(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, lambda := range []float64{0.5, 3, 12, 80} {
		const n = 20000
		sum := 0
		for i := 0; i < n; i++ {
			sum += Poisson(r, lambda)
		}
		mean := float64(sum) / n
		// The sample mean's standard error is sqrt(lambda/n): allow 5 of them.
		if tol := 5 * math.Sqrt(lambda/n); math.Abs(mean-lambda) > tol {
			t.Errorf("Poisson(%g): mean %g, want within %g", lambda, mean, tol)
		}
	}
	if Poisson(r, 0) != 0 || Poisson(r, -1) != 0 {
		t.Error("Poisson of a non-positive mean must be 0")
	}
}

func TestTimelineFollowsProfile(t *testing.T) {
	start := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC) // a Monday
	tl := NewTimeline(Office, start, start.Add(7*24*time.Hour), 0)
	r := rand.New(rand.NewPCG(3, 4))
	day, night, weekend := 0, 0, 0
	for i := 0; i < 10000; i++ {
		at := tl.At(r.Float64())
		switch {
		case Weekday(at) >= 5:
			weekend++
		case at.Hour() >= 9 && at.Hour() < 17:
			day++
		case at.Hour() < 5:
			night++
		}
	}
	if day < 20*night || weekend > 1500 {
		t.Errorf("office profile: %d working-hour, %d night, %d weekend draws", day, night, weekend)
	}
}

func TestOrderStatsAscending(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	o := OrderStats{Left: 500}
	last, n := -1.0, 0
	for {
		u, ok := o.Next(r)
		if !ok {
			break
		}
		if u < last || u >= 1 {
			t.Fatalf("draw %d: %g after %g", n, u, last)
		}
		last = u
		n++
	}
	if n != 500 {
		t.Errorf("%d draws, want 500", n)
	}
}

func TestWeight(t *testing.T) {
	mon10 := time.Date(2024, 6, 3, 10, 0, 0, 0, time.UTC)
	if w := Office.Weight(mon10, 0); w != 1 {
		t.Errorf("office Monday 10:00: %g", w)
	}
	// 10:00 UTC is 03:00 at UTC-7.
	if w := Office.Weight(mon10, -7*3600); w != 0.03 {
		t.Errorf("office Monday 03:00 local: %g", w)
	}
	if _, ok := Named("office"); !ok {
		t.Error("office is a named profile")
	}
	if _, ok := Named("lunar"); ok {
		t.Error("lunar is not")
	}
}
