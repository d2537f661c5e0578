package emitter

import (
	"sort"
	"strings"
	"time"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/telemetry"
)

// Draw says how DrawAt draws one match: when, in which context, and which
// fields its documents get besides what the query and completion give.
type Draw struct {
	// Time is when the match's first event happens (its other events
	// follow at the offsets the query allows).
	Time time.Time
	// Event is the match's context: its host, user and place. Nil draws
	// one from the population, as Next does.
	Event *telemetry.Event
	// Values, when set with Event, offers the solver values for the fields
	// the query names (wrapping Event, say, to give some fields fixed
	// values); the solver takes a value only where the query allows it.
	Values solver.Values
	// Set returns fields (sorted by name) and their JSON values for
	// document doc of the match. A field the query names keeps the value
	// the query gave it; one the query names but left absent is set only
	// when no negation names it; any other field is set, over what
	// completion gave it (a field of an object Set gives is replaced with
	// the object). The slices may be reused after DrawAt returns.
	Set func(doc int) ([]string, [][]byte)
	// Bare leaves completion out: the documents hold the query's values
	// and Set's fields only (events whose every field the caller gives).
	Bare bool
}

// DrawAt draws one match of src as d says: at d.Time rather than at a time
// of the source's window, in d's context. Rule sources keep their rule
// type (a threshold rule's match is still its group of events). The
// documents are valid until the next draw.
func (e *Emitter) DrawAt(src *Source, d Draw) ([]Document, error) {
	e.at = &d
	defer func() { e.at = nil }()
	return e.NextFrom(src)
}

// drawInfo is what DrawAt needs to know of a source's query: the fields it
// names (with their parents and wildcard names) and those it names under a
// negation, an until condition or a missing event.
type drawInfo struct {
	named   func(string) bool
	negated map[string]bool
	fields  []string // the fields the query names, as written
	// per Set field name: whether the query names it, and whether it
	// names a field under it
	cache map[string]setField
}

type setField struct{ named, namesUnder bool }

func (info *drawInfo) of(f string) setField {
	if x, ok := info.cache[f]; ok {
		return x
	}
	x := setField{named: info.named(f)}
	for _, q := range info.fields {
		if strings.HasPrefix(q, f+".") {
			x.namesUnder = true
		}
	}
	info.cache[f] = x
	return x
}

func (src *Source) drawInfo() *drawInfo {
	if src.draw != nil {
		return src.draw
	}
	q := src.solver.Query()
	info := &drawInfo{named: telemetry.NamedSet(QueryFields(q)), negated: map[string]bool{}, fields: QueryFields(q), cache: map[string]setField{}}
	neg := func(p *constraint.Pred) {
		info.negated[p.Field] = true
		if p.Op == constraint.Rel {
			info.negated[p.Other] = true
		}
	}
	for _, ev := range q.Events {
		if ev.Missing {
			constraint.EachPred(ev.Cond, neg)
			continue
		}
		constraint.EachPred(ev.Cond, func(p *constraint.Pred) {
			if p.Neg {
				neg(p)
			}
		})
	}
	if q.Until != nil {
		constraint.EachPred(q.Until, neg)
	}
	src.draw = info
	return info
}

// setFields applies Draw.Set's fields sf (values sv) to a document's
// fields (sorted), as Draw.Set says. The result is valid until the next
// call.
func (e *Emitter) setFields(src *Source, fields []string, values [][]byte, sf []string, sv [][]byte) ([]string, [][]byte) {
	if !sort.StringsAreSorted(sf) {
		sf, sv = append([]string(nil), sf...), append([][]byte(nil), sv...)
		sort.Sort(byName{sf, sv})
	}
	info := src.drawInfo()
	has := func(f string) bool {
		i := sort.SearchStrings(fields, f)
		return i < len(fields) && fields[i] == f
	}
	// namedUnder reports whether the document holds a field under f that
	// the query names (a Set object must not replace it).
	namedUnder := func(f string) bool {
		for i := sort.SearchStrings(fields, f); i < len(fields) && strings.HasPrefix(fields[i], f); i++ {
			if under(fields[i], f) && info.named(fields[i]) {
				return true
			}
		}
		return false
	}
	// keep[i]: the i-th Set field goes in.
	keep := e.setKeep[:0]
	for _, f := range sf {
		x := info.of(f)
		k := true
		switch {
		case x.named && (has(f) || info.negated[f]):
			k = false // the query's value, or absent as the query left it
		case x.namesUnder && namedUnder(f):
			k = false
		}
		keep = append(keep, k)
	}
	e.setKeep = keep
	// Merge: a kept Set field replaces the document's field of its name
	// and the document's fields under it (completion's).
	outF, outV, own := e.setF[:0], e.setV[:0], e.setOwnB[:0]
	i, j := 0, 0
	for i < len(fields) || j < len(sf) {
		if j < len(sf) && !keep[j] {
			j++
			continue
		}
		switch {
		case j >= len(sf) || i < len(fields) && fields[i] < sf[j]:
			outF, outV, own = append(outF, fields[i]), append(outV, values[i]), append(own, false)
			i++
		case i >= len(fields) || sf[j] < fields[i]:
			outF, outV, own = append(outF, sf[j]), append(outV, sv[j]), append(own, true)
			j++
		default:
			outF, outV, own = append(outF, sf[j]), append(outV, sv[j]), append(own, true)
			i++
			j++
		}
	}
	// Drop document fields under a Set field (completion's parts of an
	// object the caller gives whole).
	w, lastSet := 0, ""
	for k := range outF {
		if lastSet != "" && !own[k] && under(outF[k], lastSet) {
			continue
		}
		if own[k] {
			lastSet = outF[k]
		}
		outF[w], outV[w] = outF[k], outV[k]
		w++
	}
	outF, outV = outF[:w], outV[:w]
	e.setF, e.setV, e.setOwnB = outF, outV, own
	return outF, outV
}

// under reports whether field f is under object o (o.x).
func under(f, o string) bool { return len(f) > len(o) && f[len(o)] == '.' && f[:len(o)] == o }

type byName struct {
	f []string
	v [][]byte
}

func (b byName) Len() int           { return len(b.f) }
func (b byName) Less(i, j int) bool { return b.f[i] < b.f[j] }
func (b byName) Swap(i, j int) {
	b.f[i], b.f[j] = b.f[j], b.f[i]
	b.v[i], b.v[j] = b.v[j], b.v[i]
}
