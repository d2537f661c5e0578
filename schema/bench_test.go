package schema

import (
	"testing"

	"github.com/emit-sec/emit/internal/shared"
)

func benchmarkLoad(b *testing.B, rel string) {
	p := shared.Path(b, rel)
	for b.Loop() {
		if _, err := Load(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadECS811Archive(b *testing.B) { benchmarkLoad(b, "ecs/ecs-v8.11.0.tar.gz") }
func BenchmarkLoadECS95Archive(b *testing.B)  { benchmarkLoad(b, "ecs/ecs-v9.5.0.tar.gz") }
