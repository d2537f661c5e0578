package check_test

import (
	"strings"
	"testing"

	"github.com/emit-sec/emit/check"
	"github.com/emit-sec/emit/query"
)

// TestDateExamples: dates are read as Elasticsearch reads them (es/date),
// the same way by the solver and by the evaluators that verify its
// documents.
func TestDateExamples(t *testing.T) {
	// A space is not strict_date_optional_time: Elasticsearch rejects the
	// query, so no document can match it.
	r := check.Query(`event.created > "2024-03-14 10:15:30"`, query.Guess, check.Options{})
	want := `"2024-03-14 10:15:30" is not a date Elasticsearch reads (strict_date_optional_time||epoch_millis)`
	if r.Status != check.Unsolvable || !strings.Contains(r.Reason, "event.created") || !strings.Contains(r.Reason, want) {
		t.Errorf("space-separated date: %s, %q; want unsolvable naming event.created and %s", r.Status, r.Reason, want)
	}
	// A date with an hour and no minutes is a date: documents before
	// 2024-03-14T10:00 are generated and the evaluators accept them.
	for _, q := range []string{`event.created < 2024-03-14T10`, `event.created >= 2024-03-14T10 and event.created <= 2024-03-14T10`} {
		r = check.Query(q, query.Guess, check.Options{})
		if r.Status != check.OK {
			t.Errorf("%s: %s, %q; want ok", q, r.Status, r.Reason)
		}
	}
	// The same dates in EQL.
	r = check.Query(`any where event.created < "2024-03-14T10"`, query.Guess, check.Options{})
	if r.Status != check.OK {
		t.Errorf("EQL: %s, %q; want ok", r.Status, r.Reason)
	}
}
