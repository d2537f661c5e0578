package schema

import (
	"testing"

	"github.com/emit-sec/emit/etc"
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

// BenchmarkPerRuleSchema is the schema of one rule: a clone of the loaded
// ECS schema with the non-ECS fields of the rule's indices.
func BenchmarkPerRuleSchema(b *testing.B) {
	base, err := LoadAll([]string{shared.Path(b, "ecs/ecs-v9.5.0.tar.gz")})
	if err != nil {
		b.Fatal(err)
	}
	n, err := LoadNonECS(shared.Path(b, "schemas/non-ecs-schema.json"))
	if err != nil {
		b.Fatal(err)
	}
	indices := []string{"logs-endpoint.events.process-*", "winlogbeat-*", "logs-windows.*"}
	for b.Loop() {
		s := base.Clone()
		s.Merge(n.ForIndices(indices))
	}
}

// BenchmarkLoadCheckout is what emit check reads of a detection-rules
// checkout's schemas before it checks a rule: the default schema, the
// non-ECS schema, the endpoint schemas and the integration schemas file
// (read and indexed by package, not parsed further).
func BenchmarkLoadCheckout(b *testing.B) {
	c, ok := FindCheckout(shared.Path(b, "rules/detection-rules"))
	if !ok {
		b.Fatal("no schemas in the detection-rules checkout")
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseEmitYAML(etc.DefaultSchema); err != nil {
			b.Fatal(err)
		}
		if _, err := LoadNonECS(c.NonECS); err != nil {
			b.Fatal(err)
		}
		if _, err := LoadMerged(c.Endpoint); err != nil {
			b.Fatal(err)
		}
		ig, err := LoadIntegrations(c.Integrations)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ig.Packages(); err != nil {
			b.Fatal(err)
		}
	}
}
