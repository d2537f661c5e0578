package ml

import "github.com/emit-sec/emit/emitter"

// RunMarked is Run, telling fn whether each document is one of the
// anomaly's (the per-job summary counts them).
func (p *Plan) RunMarked(fn func(d emitter.Document, anomaly bool) error) error { return p.run(fn) }
