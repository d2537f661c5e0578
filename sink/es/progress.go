package es

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress reports the documents resolved (indexed, failed or
// unconfirmed) while the sink runs, and what it waits out when the cluster
// pushes back: a bar on a terminal, a plain line every interval otherwise.
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

// snapshot is what a progress report shows.
type snapshot struct {
	indexed, failed, unconfirmed, sent int64
	waiting                            string
}

func (p *progress) tick() {
	p.s.mu.Lock()
	c := p.s.counts
	sn := snapshot{indexed: c.indexed, failed: c.failed, unconfirmed: c.unconfirmed, sent: c.sent,
		waiting: p.s.waitingLocked()}
	p.s.mu.Unlock()
	if p.bar != nil {
		var notes []string
		if sn.failed > 0 {
			notes = append(notes, fmt.Sprintf("%d failed", sn.failed))
		}
		if sn.unconfirmed > 0 {
			notes = append(notes, fmt.Sprintf("%d unconfirmed", sn.unconfirmed))
		}
		if sn.waiting != "" {
			notes = append(notes, sn.waiting)
		}
		desc := "elasticsearch"
		if len(notes) > 0 {
			desc += " (" + strings.Join(notes, "; ") + ")"
		}
		p.bar.Describe(desc)
		_ = p.bar.Set64(sn.indexed + sn.failed + sn.unconfirmed)
		return
	}
	fmt.Fprintln(p.w, p.line(sn))
}

func (p *progress) line(sn snapshot) string {
	done := sn.indexed + sn.failed + sn.unconfirmed
	elapsed := time.Since(p.s.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	of := ""
	if p.total > 0 {
		of = fmt.Sprintf("/%d (%.0f%%)", p.total, 100*float64(done)/float64(p.total))
	}
	unconfirmed := ""
	if sn.unconfirmed > 0 {
		unconfirmed = fmt.Sprintf(", %d unconfirmed", sn.unconfirmed)
	}
	line := fmt.Sprintf("elasticsearch: %d%s documents done: %d indexed, %d failed%s, %d in flight; %.0f docs/s",
		done, of, sn.indexed, sn.failed, unconfirmed, sn.sent-done, rate)
	if sn.waiting != "" {
		line += "; " + sn.waiting
	}
	return line
}

// waitingLocked describes what the sink is waiting out ("waiting: cluster
// rejecting writes (429), retry in 8s"), or "" when it isn't: the cluster
// got nothing through and the window holds the requests back.
func (s *Sink) waitingLocked() string {
	pause := s.win.paused()
	if pause <= 0 || s.pushReason == "" {
		return ""
	}
	return "waiting: " + s.pushReason + ", " + retryIn(pause)
}

// retryIn renders the time to the next retry.
func retryIn(d time.Duration) string {
	if d < 10*time.Second {
		return "retry in " + max(d.Round(100*time.Millisecond), 100*time.Millisecond).String()
	}
	return "retry in " + d.Round(time.Second).String()
}

// stop ends the reports (a nil progress does nothing).
func (p *progress) stop() {
	if p == nil {
		return
	}
	close(p.stopc)
	<-p.done
}
