package mljobs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emit-sec/emit/internal/estest"
	"github.com/emit-sec/emit/sink/es"
)

// TestCluster runs the ML setup against internal/fakees, and against a
// real Elasticsearch when ELASTICSEARCH_URL is set. Machine learning needs
// a trial or platinum license there: on a basic license the real-cluster
// run skips, saying so.
//
//	ELASTICSEARCH_URL=http://localhost:9200 ELASTICSEARCH_USERNAME=elastic ELASTICSEARCH_PASSWORD=... \
//	  go test ./sink/mljobs -run TestCluster -v
//
// On the real cluster it checks what Elasticsearch guarantees: the job and
// datafeed are created as shipped, the datafeed reads exactly the
// documents of the range that its query matches, the job's records are
// read. It does not expect a given record_score there: that is the
// model's; the fake's scores follow its documented rule.
func TestCluster(t *testing.T) {
	estest.Clusters(t, func(t *testing.T, c *estest.Cluster) {
		if c.Fake == nil {
			_, lic := c.JSON(t, "GET", "/_license", nil)
			l, _ := lic["license"].(map[string]any)
			typ, _ := l["type"].(string)
			switch typ {
			case "trial", "platinum", "enterprise":
			default:
				t.Skipf("the cluster's license (%q) lacks machine learning: start a trial (POST /_license/start_trial?acknowledge=true) or use a platinum cluster to run the ML suite", typ)
			}
		}
		suiteRun(t, c)
	})
}

func suiteRun(t *testing.T, c *estest.Cluster) {
	idx := c.Name("ml-auth")
	c.MustJSON(t, "PUT", "/"+idx, map[string]any{
		"settings": map[string]any{"number_of_replicas": 0},
		"mappings": map[string]any{"properties": map[string]any{
			"@timestamp": map[string]any{"type": "date"},
			"user":       map[string]any{"properties": map[string]any{"name": map[string]any{"type": "keyword"}}},
			"host":       map[string]any{"properties": map[string]any{"name": map[string]any{"type": "keyword"}}},
			"event":      map[string]any{"properties": map[string]any{"category": map[string]any{"type": "keyword"}}},
		}},
	})
	c.CleanupIndex(t, idx)
	var b strings.Builder
	add := func(ts time.Time, user, cat string) {
		fmt.Fprintf(&b, "{\"create\":{}}\n{\"@timestamp\":%q,\"user\":{\"name\":%q},\"host\":{\"name\":\"h1\"},\"event\":{\"category\":%q}}\n",
			ts.Format(time.RFC3339Nano), user, cat)
	}
	last := base.Add(48*time.Hour - 15*time.Minute)
	n := 0
	for ts := base; ts.Before(last); ts = ts.Add(15 * time.Minute) {
		add(ts.Add(time.Minute), "alice", "authentication")
		add(ts.Add(2*time.Minute), "bob", "authentication")
		add(ts.Add(3*time.Minute), "alice", "process") // the datafeed's query leaves it out
		n += 2
	}
	for i := 0; i < 40; i++ {
		add(last.Add(time.Duration(i)*time.Second), "alice", "authentication")
		n++
	}
	add(last.Add(time.Minute), "mallory", "authentication")
	add(base.Add(72*time.Hour), "late", "authentication") // after the range
	n++
	status, body := c.Do(t, "POST", "/"+idx+"/_bulk?refresh=true", b.String())
	if status != 200 || strings.Contains(string(body), `"errors":true`) {
		t.Fatalf("bulk: %d %.300s", status, body)
	}

	id := c.Name("auth-job")
	j := loadJob(t, strings.ReplaceAll(shipped, "auth_test_ea", id))
	t.Cleanup(func() {
		c.Do(t, "DELETE", "/_ml/datafeeds/"+DatafeedID(j)+"?force=true", nil)
		c.Do(t, "DELETE", "/_ml/anomaly_detectors/"+id+"?force=true", nil)
	})
	cfg := es.Config{URLs: []string{c.URL}, APIKey: c.APIKey, Username: c.Username, Password: c.Password, CACert: c.CACert, Timeout: 30 * time.Second}
	if cfg.APIKey != "" {
		cfg.Username, cfg.Password = "", ""
	}
	s, err := es.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	opts := Options{Poll: 200 * time.Millisecond, Wait: 5 * time.Minute}
	if c.Fake != nil {
		opts.Poll = 5 * time.Millisecond
	}
	res := Run(context.Background(), s, []Job{spec(j, idx)}, opts)[0]
	if res.State != Ran {
		t.Fatalf("%s", res.Line())
	}
	if res.Processed != int64(n) {
		t.Errorf("processed %d documents, want the %d of the range that the query matches", res.Processed, n)
	}
	if res.Buckets < 190 {
		t.Errorf("buckets: %d", res.Buckets)
	}
	if c.Fake != nil && !res.Alerts() {
		t.Errorf("the fake's rule scores the burst and the new user: %s", res.Line())
	}
	t.Log(res.Line())

	// Again: the job exists and is left alone.
	again := Run(context.Background(), s, []Job{spec(j, idx)}, opts)[0]
	if again.State != Exists {
		t.Errorf("second run: %s", again.Line())
	}
}
