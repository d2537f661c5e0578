package es

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Summary is what happened to the documents of a run.
//
// Every document taken by Add is counted once, as indexed, failed or
// unconfirmed: Sent == Indexed + Failed + Unconfirmed. The run succeeded
// (exit status 0) only if OK.
type Summary struct {
	// Sent is the number of documents taken by Add.
	Sent int64
	// Indexed is the number confirmed by Elasticsearch.
	Indexed int64
	// Failed is the number that were not indexed: rejected, out of
	// retries after answers saying they weren't written, or never sent
	// (the run interrupted); see FailureReasons.
	Failed int64
	// Unconfirmed is the number that may have been written: an attempt
	// went unanswered (a connection closed after sending, a timeout, a
	// 5xx from a proxy) and the retries ran out (or the run was
	// interrupted) before an answer confirmed them; see
	// UnconfirmedReasons. With ids, a later "create" conflict or "index"
	// success confirms such a document, and it is counted indexed.
	Unconfirmed int64
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
	// BulkBytes is the size of the bulk request bodies sent, every
	// attempt counted; WireBytes what went on the wire for them: the
	// same, or the gzip-compressed size with Config.Compress.
	BulkBytes, WireBytes int64
	// FailureReasons groups the failures by reason, most frequent first.
	FailureReasons []FailureGroup
	// UnconfirmedReasons groups the unconfirmed documents by the last
	// failure, most frequent first.
	UnconfirmedReasons []FailureGroup
	// Slowdowns is how many times the cluster's pushback (429, 503,
	// dropped connections, timeouts) made the sink halve the bulk
	// requests it keeps in flight; MinConcurrency is the fewest it went
	// down to (Config.Workers when never).
	Slowdowns      int64
	MinConcurrency int
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
	Indexed, Failed, Unconfirmed int64
}

// OK reports whether every document sent was indexed.
func (s Summary) OK() bool { return s.Failed == 0 && s.Unconfirmed == 0 && s.Sent == s.Indexed }

func (s *Sink) summary() Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counts
	sum := Summary{
		Sent: c.sent, Indexed: c.indexed, Failed: c.failed, Unconfirmed: c.unconfirmed, Retried: c.retried,
		Recovered: c.recovered, PossibleDuplicates: c.possibleDup,
		Requests:    int64(s.bi.Stats().NumRequests),
		BulkBytes:   s.bytes.body.Load(),
		WireBytes:   s.bytes.wire.Load(),
		PerIndex:    map[string]IndexCounts{},
		Elapsed:     time.Since(s.start),
		MaxInFlight: s.maxInflight, MaxInFlightBytes: s.maxInflB,
	}
	sum.Slowdowns, sum.MinConcurrency = s.win.stats()
	sum.FailureReasons = sortedGroups(c.groups)
	sum.UnconfirmedReasons = sortedGroups(c.unconfirmedGroups)
	for k, v := range c.perIndex {
		sum.PerIndex[k] = *v
	}
	if secs := sum.Elapsed.Seconds(); secs > 0 {
		sum.DocsPerSecond = float64(sum.Indexed) / secs
	}
	return sum
}

func sortedGroups(groups map[string]*FailureGroup) []FailureGroup {
	var out []FailureGroup
	for _, g := range groups {
		cp := *g
		cp.Seqs = append([]int64(nil), g.Seqs...)
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Reason < b.Reason
	})
	return out
}

// maxGroupsShown is how many failure reasons String lists.
const maxGroupsShown = 5

// unconfirmedLabel names the unconfirmed documents in summaries.
const unconfirmedLabel = "unconfirmed (may have been written)"

// String renders the summary for stderr:
//
//	elasticsearch: 100000 sent, 99990 indexed, 10 failed in 12.3s (8130 docs/s); 42 bulk requests (131 MB), 3 retries
//	  10 failed: mapper_parsing_exception: failed to parse field [source.ip] of type [ip] (documents #12, #57, ...)
//
// Unconfirmed documents, when there are any, are counted and listed the
// same way ("2 unconfirmed (may have been written): ...").
func (s Summary) String() string {
	var b strings.Builder
	unconfirmed := ""
	if s.Unconfirmed > 0 {
		unconfirmed = fmt.Sprintf(", %d unconfirmed", s.Unconfirmed)
	}
	size := ""
	switch {
	case s.WireBytes > 0 && s.WireBytes < s.BulkBytes:
		size = fmt.Sprintf(" (%s, %s gzipped)", megabytes(s.BulkBytes), megabytes(s.WireBytes))
	case s.BulkBytes > 0:
		size = " (" + megabytes(s.BulkBytes) + ")"
	}
	fmt.Fprintf(&b, "elasticsearch: %d sent, %d indexed, %d failed%s in %s (%.0f docs/s); %d bulk requests%s, %d retries",
		s.Sent, s.Indexed, s.Failed, unconfirmed, s.Elapsed.Round(time.Millisecond), s.DocsPerSecond, s.Requests, size, s.Retried)
	if s.Slowdowns > 0 {
		least := "one bulk request at a time"
		if s.MinConcurrency > 1 {
			least = fmt.Sprintf("as few as %d bulk requests at once", s.MinConcurrency)
		}
		fmt.Fprintf(&b, "\n  the cluster pushed back: sending slowed down %d times, to %s", s.Slowdowns, least)
	}
	if s.Recovered > 0 {
		fmt.Fprintf(&b, "\n  %d documents were already written by an attempt that looked failed (409 on retry): counted indexed", s.Recovered)
	}
	if s.PossibleDuplicates > 0 {
		fmt.Fprintf(&b, "\n  warning: %d documents without an id were resent after a failure that may have written them: Elasticsearch may hold duplicates (give documents ids to prevent this)", s.PossibleDuplicates)
	}
	writeGroups(&b, "failed", s.FailureReasons)
	writeGroups(&b, unconfirmedLabel, s.UnconfirmedReasons)
	if len(s.PerIndex) > 1 {
		names := make([]string, 0, len(s.PerIndex))
		for n := range s.PerIndex {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			c := s.PerIndex[n]
			fmt.Fprintf(&b, "\n  %s: %d indexed, %d failed", n, c.Indexed, c.Failed)
			if c.Unconfirmed > 0 {
				fmt.Fprintf(&b, ", %d unconfirmed", c.Unconfirmed)
			}
		}
	}
	return b.String()
}

func writeGroups(b *strings.Builder, label string, groups []FailureGroup) {
	for i, g := range groups {
		if i == maxGroupsShown {
			rest := int64(0)
			for _, g := range groups[i:] {
				rest += g.Count
			}
			fmt.Fprintf(b, "\n  %d %s for %d other reasons", rest, label, len(groups)-i)
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
		fmt.Fprintf(b, "\n  %d %s: %s (documents %s%s)", g.Count, label, g.Reason, strings.Join(seqs, ", "), more)
		if g.Example != "" && g.Example != g.Reason {
			fmt.Fprintf(b, "\n    e.g. %s", clip(g.Example, 300))
		}
	}
}

// megabytes renders a byte count for people: 131 MB, 4.2 MB, 310 kB.
func megabytes(n int64) string {
	switch mb := float64(n) / 1e6; {
	case mb >= 10:
		return fmt.Sprintf("%.0f MB", mb)
	case mb >= 1:
		return fmt.Sprintf("%.1f MB", mb)
	}
	return fmt.Sprintf("%.0f kB", float64(n)/1e3)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
