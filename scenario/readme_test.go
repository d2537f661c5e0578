package scenario_test

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestReadmeScenarioFile: the scenario file of the README's reference
// parses and runs.
func TestReadmeScenarioFile(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, "### Scenario files")
	if i < 0 {
		t.Fatal("README.md has no Scenario files section")
	}
	j := strings.Index(text[i:], "```yaml\n")
	if j < 0 {
		t.Fatal("no yaml block in the Scenario files section")
	}
	block := text[i+j+len("```yaml\n"):]
	block = block[:strings.Index(block, "```")]
	sc, err := scenarioParse("README.md", block)
	if err != nil {
		t.Fatal(err)
	}
	docs, _, _ := runScenario(t, sc, runOpts{seed: 1, users: 30, span: 90 * 24 * time.Hour})
	kinds := map[string]int{}
	for _, d := range docs {
		kinds[d.kind]++
	}
	if kinds[""] == 0 || kinds["impossible_travel"] == 0 {
		t.Errorf("documents by label: %v", kinds)
	}
}
