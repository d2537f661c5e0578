package solver_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/emit-sec/emit/parser/kql"
	"github.com/emit-sec/emit/solver"
)

func benchSolver(b *testing.B, q string) {
	k, err := kql.Parse(q)
	if err != nil {
		b.Fatal(err)
	}
	c, err := k.Constraints()
	if err != nil {
		b.Fatal(err)
	}
	s, err := solver.New(c, solver.Options{Schema: testSchema(), Now: time.Unix(0, 0)})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var m solver.Match
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Generate(r, &m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerateWildcard(b *testing.B) { benchSolver(b, `process.name : *.exe`) }

func BenchmarkGenerateSixFields(b *testing.B) {
	benchSolver(b, `process.name : *.exe and process.command_line : *powershell*enc* and source.ip : 10.0.0.0/8 and destination.port >= 1024 and destination.port < 5000 and user.name : (alice or bob or carol) and process.pid > 100`)
}

func BenchmarkGenerateBranches(b *testing.B) {
	benchSolver(b, `(process.name : *.exe or process.name : *.dll) and (destination.port < 1024 or destination.port > 8000)`)
}
