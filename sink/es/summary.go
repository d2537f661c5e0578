package es

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Summary is what happened to the documents of a run.
//
// Every document taken by Add is counted once, as indexed or failed:
// Sent == Indexed + Failed. The run succeeded (exit status 0) only if OK.
type Summary struct {
	// Sent is the number of documents taken by Add.
	Sent int64
	// Indexed is the number confirmed by Elasticsearch.
	Indexed int64
	// Failed is the number that could not be indexed (or, after an
	// interruption, not confirmed); see FailureReasons.
	Failed int64
	// Retried is the number of times documents were resent after a 429, a
	// 5xx or a connection failure.
	Retried int64
	// Recovered counts documents whose resend got a 409 conflict on the
	// "create" op type because an earlier, failed-looking attempt had in
	// fact written them: they are counted indexed.
	Recovered int64
	// PossibleDuplicates counts documents without an id that were resent
	// after a failure that may have written them (a timeout, a dropped
	// connection): Elasticsearch may hold them twice. Always 0 with ids.
	PossibleDuplicates int64
	// Requests is the number of bulk requests made.
	Requests int64
	// FailureReasons groups the failures by reason, most frequent first.
	FailureReasons []FailureGroup
	// PerIndex counts per target index.
	PerIndex map[string]IndexCounts
	// Elapsed is the time from New to Close.
	Elapsed time.Duration
	// DocsPerSecond is Indexed / Elapsed.
	DocsPerSecond float64
	// MaxInFlight and MaxInFlightBytes are the most documents (bytes)
	// the sink held at once: bounded by Config.MaxInFlightBytes however
	// many documents are sent.
	MaxInFlight, MaxInFlightBytes int64
}

// FailureGroup is the documents that failed for one reason.
type FailureGroup struct {
	// Reason is the grouping key: the error type and its reason without
	// what varies per document (e.g. "mapper_parsing_exception: failed to
	// parse field [source.ip] of type [ip]").
	Reason string
	// Example is the full reason of the first document of the group.
	Example string
	// Count is the number of documents.
	Count int64
	// Seqs are the positions in the run (Doc.Seq) of the first documents,
	// in the order they failed (at most 10).
	Seqs []int64
}

// IndexCounts are the counts of one index.
type IndexCounts struct {
	Indexed, Failed int64
}

// OK reports whether every document sent was indexed.
func (s Summary) OK() bool { return s.Failed == 0 && s.Sent == s.Indexed }

func (s *Sink) summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counts
	sum := Summary{
		Sent: c.sent, Indexed: c.indexed, Failed: c.failed, Retried: c.retried,
		Recovered: c.recovered, PossibleDuplicates: c.possibleDup,
		Requests:    int64(s.bi.Stats().NumRequests),
		PerIndex:    map[string]IndexCounts{},
		Elapsed:     time.Since(s.start),
		MaxInFlight: s.maxInflight, MaxInFlightBytes: s.maxInflB,
	}
	for _, g := range c.groups {
		cp := *g
		cp.Seqs = append([]int64(nil), g.Seqs...)
		sum.FailureReasons = append(sum.FailureReasons, cp)
	}
	sort.Slice(sum.FailureReasons, func(i, j int) bool {
		a, b := sum.FailureReasons[i], sum.FailureReasons[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Reason < b.Reason
	})
	for k, v := range c.perIndex {
		sum.PerIndex[k] = *v
	}
	if secs := sum.Elapsed.Seconds(); secs > 0 {
		sum.DocsPerSecond = float64(sum.Indexed) / secs
	}
	return sum
}

// maxGroupsShown is how many failure reasons String lists.
const maxGroupsShown = 5

// String renders the summary for stderr:
//
//	elasticsearch: 100000 sent, 99990 indexed, 10 failed in 12.3s (8130 docs/s); 42 bulk requests, 3 retries
//	  10 failed: mapper_parsing_exception: failed to parse field [source.ip] of type [ip] (documents #12, #57, ...)
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "elasticsearch: %d sent, %d indexed, %d failed in %s (%.0f docs/s); %d bulk requests, %d retries",
		s.Sent, s.Indexed, s.Failed, s.Elapsed.Round(time.Millisecond), s.DocsPerSecond, s.Requests, s.Retried)
	if s.Recovered > 0 {
		fmt.Fprintf(&b, "\n  %d documents were already written by an attempt that looked failed (409 on retry): counted indexed", s.Recovered)
	}
	if s.PossibleDuplicates > 0 {
		fmt.Fprintf(&b, "\n  warning: %d documents without an id were resent after a failure that may have written them: Elasticsearch may hold duplicates (give documents ids to prevent this)", s.PossibleDuplicates)
	}
	for i, g := range s.FailureReasons {
		if i == maxGroupsShown {
			rest := int64(0)
			for _, g := range s.FailureReasons[i:] {
				rest += g.Count
			}
			fmt.Fprintf(&b, "\n  %d failed for %d other reasons", rest, len(s.FailureReasons)-i)
			break
		}
		seqs := make([]string, len(g.Seqs))
		for j, q := range g.Seqs {
			seqs[j] = fmt.Sprintf("#%d", q)
		}
		more := ""
		if int64(len(g.Seqs)) < g.Count {
			more = ", ..."
		}
		fmt.Fprintf(&b, "\n  %d failed: %s (documents %s%s)", g.Count, g.Reason, strings.Join(seqs, ", "), more)
		if g.Example != "" && g.Example != g.Reason {
			fmt.Fprintf(&b, "\n    e.g. %s", clip(g.Example, 300))
		}
	}
	if len(s.PerIndex) > 1 {
		names := make([]string, 0, len(s.PerIndex))
		for n := range s.PerIndex {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c := s.PerIndex[n]
			fmt.Fprintf(&b, "\n  %s: %d indexed, %d failed", n, c.Indexed, c.Failed)
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
