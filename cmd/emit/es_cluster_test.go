package main

import (
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/estest"
)

// TestClusterCLI runs emit itself against internal/fakees and, when
// ELASTICSEARCH_URL is set, a real Elasticsearch (see internal/estest):
// a compressed run creates its index with emit's mappings, and a second
// run with the same seed replaces its own documents instead of adding to
// them.
func TestClusterCLI(t *testing.T) {
	estest.Clusters(t, func(t *testing.T, c *estest.Cluster) {
		index := c.Name("cli")
		c.CleanupIndex(t, index)
		args := []string{"--query", `event.category : "process" and process.name : *.exe`, "-n", "300",
			"--seed", "11", "--end", "2024-01-01T00:00:00Z",
			"--es-url", c.URL, "--index", index, "--create-index", "--replicas", "0", "--compress", "--flush-bytes", "65536"}
		switch {
		case c.APIKey != "":
			args = append(args, "--api-key", c.APIKey)
		case c.Username != "":
			args = append(args, "--username", c.Username, "--password", c.Password)
		}
		if c.CACert != "" {
			args = append(args, "--ca-cert", c.CACert)
		}
		for run := 1; run <= 2; run++ {
			code, out, errs := runEmit(t, args...)
			if code != 0 || out != "" || !strings.Contains(errs, "300 sent, 300 indexed, 0 failed") || !strings.Contains(errs, "gzipped") {
				t.Fatalf("run %d: exit %d, stdout %q, stderr:\n%s", run, code, out, errs)
			}
			if n := c.Count(t, index); n != 300 {
				t.Fatalf("after run %d %s holds %d documents, want 300", run, index, n)
			}
		}
	})
}
