package es

import (
	"context"
	"strings"
	"testing"

	"github.com/emit-sec/emit/internal/fakees"
)

func TestDo(t *testing.T) {
	srv := fakees.NewForTest(t, fakees.Options{APIKey: "a2V5OnNlY3JldA=="})
	s, err := New(Config{URLs: []string{srv.URL}, APIKey: "key:secret", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx := context.Background()
	res, err := s.Do(ctx, "PUT", "/do-test", map[string]any{"settings": map[string]any{"number_of_replicas": 0}})
	if err != nil || !res.OK() || !strings.Contains(string(res.Body), `"acknowledged":true`) {
		t.Fatalf("PUT: %v %+v", err, res)
	}
	res, err = s.Do(ctx, "GET", "/_ml/anomaly_detectors/nope/_stats", nil)
	if err != nil || res.OK() || res.Status != 404 || res.ErrorType() != "resource_not_found_exception" ||
		res.Reason() != "No known job with id 'nope'" || res.Describe() != "404 Not Found: resource_not_found_exception: No known job with id 'nope'" {
		t.Errorf("GET unknown job: %v %d %q %q %q", err, res.Status, res.ErrorType(), res.Reason(), res.Describe())
	}
	if got := srv.AuthSchemes()["ApiKey"]; got < 2 {
		t.Errorf("requests without the sink's credentials: %v", srv.AuthSchemes())
	}
}
