package es

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress reports the documents resolved (indexed or failed) while the
// sink runs: a bar on a terminal, a plain line every interval otherwise.
type progress struct {
	s     *Sink
	w     io.Writer
	bar   *progressbar.ProgressBar
	total int64
	every time.Duration
	stopc chan struct{}
	done  chan struct{}
}

func startProgress(s *Sink) *progress {
	cfg := s.cfg
	if cfg.Progress == nil {
		return nil
	}
	p := &progress{s: s, w: cfg.Progress, total: cfg.ProgressTotal, every: cfg.ProgressInterval,
		stopc: make(chan struct{}), done: make(chan struct{})}
	if cfg.ProgressTTY {
		max := cfg.ProgressTotal
		if max <= 0 {
			max = -1
		}
		p.bar = progressbar.NewOptions64(max,
			progressbar.OptionSetWriter(cfg.Progress),
			progressbar.OptionSetDescription("elasticsearch"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("docs"),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		p.every = 100 * time.Millisecond
	}
	go p.run()
	return p
}

func (p *progress) run() {
	defer close(p.done)
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		select {
		case <-p.stopc:
			if p.bar != nil {
				_ = p.bar.Finish()
			}
			return
		case <-t.C:
			p.tick()
		}
	}
}

func (p *progress) tick() {
	p.s.mu.Lock()
	indexed, failed, sent := p.s.counts.indexed, p.s.counts.failed, p.s.counts.sent
	p.s.mu.Unlock()
	if p.bar != nil {
		if failed > 0 {
			p.bar.Describe(fmt.Sprintf("elasticsearch (%d failed)", failed))
		}
		_ = p.bar.Set64(indexed + failed)
		return
	}
	fmt.Fprintln(p.w, p.line(indexed, failed, sent))
}

func (p *progress) line(indexed, failed, sent int64) string {
	done := indexed + failed
	elapsed := time.Since(p.s.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	of := ""
	if p.total > 0 {
		of = fmt.Sprintf("/%d (%.0f%%)", p.total, 100*float64(done)/float64(p.total))
	}
	return fmt.Sprintf("elasticsearch: %d%s documents done: %d indexed, %d failed, %d in flight; %.0f docs/s",
		done, of, indexed, failed, sent-done, rate)
}

// stop ends the reports (a nil progress does nothing).
func (p *progress) stop() {
	if p == nil {
		return
	}
	close(p.stopc)
	<-p.done
}
