package main

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/ml/job"
)

// mlJobFlags select anomaly-detection jobs by module and id, beside the
// rule selectors, and set them up in Elasticsearch.
type mlJobFlags struct {
	modules []string
	ids     []string
	setup   bool
	replace bool
}

func (f *mlJobFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.modules, "ml-module", nil, "generate for every job of this ML module (security_auth, security_linux, pad, lmd, ...; repeatable; a job several rules share is generated once)")
	fs.StringArrayVar(&f.ids, "ml-job", nil, "generate for this anomaly-detection job (repeatable)")
	fs.BoolVar(&f.setup, "ml-setup", false, "with the Elasticsearch sink: create the ML jobs and their datafeeds, run them over the generated range and report their anomaly records")
	fs.BoolVar(&f.replace, "ml-replace", false, "with --ml-setup: delete and recreate jobs that already exist (default: report them and leave them alone)")
}

// selecting reports whether jobs were selected by module or id.
func (f *mlJobFlags) selecting() bool { return len(f.modules) > 0 || len(f.ids) > 0 }

// moduleName is how a module is shown: its directory or package name
// (security_linux, pad), else its id.
func moduleName(m job.Module) string {
	if len(m.Names) > 0 {
		return m.Names[len(m.Names)-1]
	}
	return m.ID
}

// selectJobs returns the catalog's jobs of the modules and of the ids,
// each once, by id. A module matches any of its names; an unknown module
// or id is an error that lists what there is.
func selectJobs(cat *job.Catalog, modules, ids []string) ([]*job.Job, error) {
	picked := map[string]*job.Job{}
	all := cat.Jobs()
	for _, m := range modules {
		m = strings.TrimSpace(m)
		found := false
		for _, j := range all {
			if j.Module.ID == m || slices.Contains(j.Module.Names, m) {
				picked[j.ID] = j
				found = true
			}
		}
		if !found {
			known := map[string]bool{}
			for _, j := range all {
				if n := moduleName(j.Module); n != "" {
					known[n] = true
				}
			}
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			sort.Strings(names)
			if len(names) == 0 {
				return nil, fmt.Errorf("--ml-module %s: the ML jobs read (--ml-jobs) name no module", m)
			}
			return nil, fmt.Errorf("--ml-module %s: no job of the ML jobs read belongs to it; modules: %s", m, strings.Join(names, ", "))
		}
	}
	for _, id := range ids {
		j, ok := cat.Job(id)
		if !ok {
			return nil, fmt.Errorf("--ml-job %s: unknown ML job (%d jobs read; give the job's JSON with --ml-jobs)", strings.TrimSpace(id), cat.Len())
		}
		picked[j.ID] = j
	}
	out := make([]*job.Job, 0, len(picked))
	for _, j := range picked {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}

// mlJobStats is what an ML run generated for one job.
type mlJobStats struct {
	job    string
	module string
	docs   int64
	// injected is how many anomalies the job's data has (--ml-anomalies,
	// fewer when they did not fit), anomalies how many documents are
	// theirs (a drop to nothing has none).
	injected  int64
	anomalies int64
	// shortened: --ml-max-docs shortened the baseline.
	shortened bool
	// baseline is the span of the baseline before the anomaly bucket,
	// buckets its number of buckets.
	baseline time.Duration
	buckets  int
	elapsed  time.Duration
	err      error
}

// rate is the share of anomalous documents, in percent.
func rate(anomalies, docs int64) string {
	if docs == 0 {
		return "-"
	}
	return strconv.FormatFloat(100*float64(anomalies)/float64(docs), 'f', 3, 64) + "%"
}

// span renders a duration in days, hours and minutes: 14d, 2d12h, 45m.
func span(d time.Duration) string {
	if d <= 0 {
		return "0m"
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	var b strings.Builder
	if days > 0 {
		fmt.Fprintf(&b, "%dd", days)
	}
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	return b.String()
}

// seconds renders an elapsed time: 1.93s.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s" }

// mlSummary is the per-job summary of an ML run, as seed 001 reports
// one: per job its documents, baseline span, anomalies injected, anomaly
// rate and time; then the totals, and the time on a line of its own.
// timing false leaves the times out.
func mlSummary(stats []mlJobStats, total time.Duration, timing bool) string {
	var b strings.Builder
	w := len("job")
	for _, s := range stats {
		w = max(w, len(s.job))
	}
	mw := len("module")
	for _, s := range stats {
		mw = max(mw, len(s.module))
	}
	fmt.Fprintf(&b, "%-*s  %-*s  %9s  %14s  %9s  %9s  %8s", w, "job", mw, "module", "documents", "baseline", "anomalies", "anomalous", "rate")
	if timing {
		fmt.Fprintf(&b, "  %7s", "time")
	}
	b.WriteByte('\n')
	var ok, docs, injected, anomalies, shortened int64
	for _, s := range stats {
		if s.err != nil {
			fmt.Fprintf(&b, "%-*s  %-*s  failed: %v\n", w, s.job, mw, s.module, s.err)
			continue
		}
		ok++
		docs += s.docs
		injected += s.injected
		anomalies += s.anomalies
		base := fmt.Sprintf("%s (%d)", span(s.baseline), s.buckets)
		if s.shortened {
			shortened++
			base += "*"
		} else {
			base += " "
		}
		fmt.Fprintf(&b, "%-*s  %-*s  %9d  %14s  %9d  %9d  %8s", w, s.job, mw, s.module, s.docs, base, s.injected, s.anomalies, rate(s.anomalies, s.docs))
		if timing {
			fmt.Fprintf(&b, "  %7s", seconds(s.elapsed))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "ML data: %d/%d jobs ok, %d documents, %d anomalies injected (%d anomalous documents), %s anomaly rate\n", ok, len(stats), docs, injected, anomalies, rate(anomalies, docs))
	if shortened > 0 {
		fmt.Fprintf(&b, "ML data: * baseline shortened to keep to --ml-max-docs (%d jobs)\n", shortened)
	}
	if timing {
		fmt.Fprintf(&b, "ML data: %s\n", seconds(total))
	}
	return b.String()
}
