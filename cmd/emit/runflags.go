package main

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/emitter"
)

// runFlags are how a run is drawn: on how many goroutines, and which
// shard of it.
type runFlags struct {
	jobs  int
	shard string
	// i and n of --shard i/N (n = 0: the whole run)
	i, n int
}

func (r *runFlags) register(fs *pflag.FlagSet) {
	fs.IntVarP(&r.jobs, "jobs", "j", runtime.GOMAXPROCS(0), "generate on this many goroutines (the output does not depend on it)")
	fs.StringVar(&r.shard, "shard", "", "generate only the i-th of N disjoint parts of the run, as i/N (1 <= i <= N; needs --seed and --end): the N parts together are the whole run, ids included")
}

// check validates the flags and reads --shard.
func (r *runFlags) check() error {
	if r.jobs < 1 {
		return fmt.Errorf("--jobs must be at least 1")
	}
	if r.shard == "" {
		return nil
	}
	a, b, ok := strings.Cut(r.shard, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return fmt.Errorf("--shard %q: want i/N, e.g. 1/4", r.shard)
	}
	if n < 1 || i < 1 || i > n {
		return fmt.Errorf("--shard %q: want 1 <= i <= N", r.shard)
	}
	r.i, r.n = i, n
	return nil
}

// plan is the run of --per-rule or --count matches with the flags.
func (r *runFlags) plan(perRule, count int) emitter.Plan {
	p := emitter.Plan{Jobs: r.jobs, Shard: r.i, Shards: r.n}
	if perRule > 0 {
		p.PerRule = perRule
	} else {
		p.Count = count
	}
	return p
}
