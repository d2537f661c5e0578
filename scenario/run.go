package scenario

import (
	"container/heap"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/constraint"
	"github.com/emit-sec/emit/document"
	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/date"
	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/internal/activity"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/source"
	"github.com/emit-sec/emit/telemetry"
)

// Population draws the users and hosts of a scenario's entity sets: one
// population for all the sets (users in sets of people or of service
// accounts, hosts for host sets and as the users' workstations). The same
// seed gives the same population.
func (sc *Scenario) Population(v *telemetry.Vocabulary, seed uint64) *telemetry.Population {
	people, service, hosts := 0, 0, 0
	byOS := map[string]int{}
	for _, es := range sc.Entities {
		switch {
		case es.Kind == "host":
			hosts += es.Count
			if es.OS != "" {
				byOS[es.OS] += es.Count
			}
		case es.Service:
			service += es.Count
		default:
			people += es.Count
		}
	}
	// One service account in ten, as telemetry draws them; workstations
	// for about half the people, the others share.
	n := people + people/8 + service*12 + 20
	h := max(hosts+people/2, telemetry.DefaultHosts)
	for {
		pop := telemetry.NewPopulation(v, seed, h, n)
		p, s := 0, 0
		for i := range pop.Users {
			if pop.Users[i].Service {
				s++
			} else {
				p++
			}
		}
		os := map[string]int{}
		for i := range pop.Hosts {
			os[pop.Hosts[i].OS.String()]++
		}
		enough := true
		for o, want := range byOS {
			enough = enough && os[o] >= want
		}
		if p >= people && s >= service && enough {
			return pop
		}
		if p < people || s < service {
			n += n/2 + service*10
		}
		if !enough {
			h += h / 2
		}
	}
}

// Config configures a run.
type Config struct {
	// Start and End are the window; Start zero means End less the
	// scenario's span.
	Start, End time.Time
	// Seed makes the run reproducible (with the emitter's own seed).
	Seed uint64
	// LabelField overrides the scenario's labels.field ("" keeps it).
	LabelField string
}

// Runner generates a scenario's documents in time order.
type Runner struct {
	sc         *Scenario
	e          *emitter.Emitter
	pop        *telemetry.Population
	rng        *rand.Rand
	start, end time.Time
	tenant     string
	seed       uint64
	labels     labelNames
	sets       map[*EntitySet][]*entity
	streams    map[*Stream]*streamRT
	order      []*streamRT
	rules      []*emitter.Source
	injs       []*injRT
	cursors    cursorHeap
	pending    docHeap
	seq        uint64
	zones      map[string]*time.Location
	ctx        ctx
	names      []string
	vals       [][]byte
	vbuf       []byte
	spans      [][2]int
	tv         tvalues
	set        func(int) ([]string, [][]byte)
	out        func(emitter.Document) error
	stats      Stats
	ran        bool
	warnings   []string
}

// Stats count what a run handed on.
type Stats struct {
	Documents  int64
	Background int64
	// Injected documents per injection name, and instances (drawn so far)
	// per name.
	Injected  map[string]int64
	Instances map[string]int64
}

type labelNames struct {
	injection, kind, id, ruleID, ruleName string
	background                            bool
}

type entity struct {
	set      *EntitySet
	idx      int
	user     *telemetry.User
	host     *telemetry.Host
	attrs    []int
	city     int // where the user is now (index into the cities)
	lastSeen time.Time
	active   int // sessions under way
	offset   int // the home's UTC offset (seconds), for profiles
	key      uint64
}

type streamRT struct {
	s   *Stream
	src *emitter.Source
	// srcs are the stream's query with the constant template values of
	// the fields it names as constraints, by those constraints; named
	// tells whether the query names a field.
	srcs     map[string]*emitter.Source
	byFields map[*fieldT]*emitter.Source // by the fields' list (its first element)
	named    func(string) bool
	tls      *timelines
	seq      int64
	travel   []*injRT
	// the compiled fields of a variant under an injection's
	merged map[[2]any][]fieldT
}

type injRT struct {
	inj *Injection
	st  *streamRT
	n   int
}

type session struct {
	st      *streamRT
	ent     *entity
	id      string
	logonID string
	target  *telemetry.User
	left    int
	n       int
	city    int
	ip      string
	next    *Variant
	inst    *instance
	steps   []step // an injection's planned events
}

// instance is one occurrence of an injection.
type instance struct {
	ir       *injRT
	id       string
	attacker attacker
}

type attacker struct{ ip, host string }

// step is one planned event of an injection instance.
type step struct {
	ent *entity
	v   *Variant
}

// cursor is the next event of something that goes on over time: an
// entity's arrivals of a stream, a session, an injection's occurrences,
// an instance's events.
type cursor struct {
	t    time.Time
	seq  uint64
	kind byte // 'a' arrivals, 's' session event, 'i' injection occurrences, 't' travel
	st   *streamRT
	ent  *entity
	ord  activity.OrderStats
	tl   *activity.Timeline
	sess *session
	ir   *injRT
	at   []time.Time
}

type cursorHeap []*cursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if !h[i].t.Equal(h[j].t) {
		return h[i].t.Before(h[j].t)
	}
	return h[i].seq < h[j].seq
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return c
}

// pendingDoc is a document made ahead of its time (a later event of a
// sequence), held until its turn.
type pendingDoc struct {
	t         time.Time
	seq       uint64
	doc       emitter.Document
	injection string
}

type docHeap []pendingDoc

func (h docHeap) Len() int { return len(h) }
func (h docHeap) Less(i, j int) bool {
	if !h[i].t.Equal(h[j].t) {
		return h[i].t.Before(h[j].t)
	}
	return h[i].seq < h[j].seq
}
func (h docHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *docHeap) Push(x any)   { *h = append(*h, x.(pendingDoc)) }
func (h *docHeap) Pop() any {
	old := *h
	d := old[len(old)-1]
	*h = old[:len(old)-1]
	return d
}

// ErrNoRules is returned by New for a scenario that injects rule matches
// when the emitter has no rules.
var ErrNoRules = errors.New("the scenario injects the matches of rules: give rules (--rules and the rule selectors)")

// New prepares a run of sc on emitter e, whose population must be
// sc.Population's (emitter.Options.Population) and whose rule sources,
// if any, are the rules whose matches the scenario injects. Each stream's
// query is solved here: an unsolvable one is an error at its place in the
// file.
func New(sc *Scenario, e *emitter.Emitter, cfg Config) (*Runner, error) {
	end := cfg.End
	if end.IsZero() {
		end = e.Now()
	}
	start := cfg.Start
	if start.IsZero() {
		start = end.Add(-sc.Span)
	}
	if !start.Before(end) {
		return nil, fmt.Errorf("the window's start %s is not before its end %s", date.Format(start), date.Format(end))
	}
	r := &Runner{sc: sc, e: e, pop: e.Population(), start: start, end: end, seed: cfg.Seed,
		rng:     rand.New(rand.NewPCG(cfg.Seed^0x7363656e6172696f, cfg.Seed+1)),
		sets:    map[*EntitySet][]*entity{},
		streams: map[*Stream]*streamRT{}, zones: map[string]*time.Location{},
		stats: Stats{Injected: map[string]int64{}, Instances: map[string]int64{}}}
	r.tenant = uuid(rand.New(rand.NewPCG(cfg.Seed, 0x74656e616e74)))
	field := sc.Labels.Field
	if cfg.LabelField != "" {
		field = cfg.LabelField
	}
	if field != "" {
		r.labels = labelNames{injection: field + ".injection", kind: field + ".kind", id: field + ".id",
			ruleID: field + ".rule.id", ruleName: field + ".rule.name", background: sc.Labels.Background}
	}
	for _, src := range e.Sources() {
		if src.Rule != nil {
			r.rules = append(r.rules, src)
		}
	}
	var errs Errors
	for _, s := range sc.Streams {
		src, err := e.AddParsed(s.query, s.Index)
		if err != nil {
			errs = append(errs, &Error{File: sc.File, Pos: posOf(s.pos), Field: s.pos.field, Msg: err.Error(), Src: sc.src})
			continue
		}
		st := &streamRT{s: s, src: src, merged: map[[2]any][]fieldT{}, srcs: map[string]*emitter.Source{"": src}, byFields: map[*fieldT]*emitter.Source{},
			named: telemetry.NamedSet(emitter.QueryFields(s.query.Constraints)),
			tls:   &timelines{p: s.Arrival.Profile, start: start, end: end}}
		r.streams[s] = st
		r.order = append(r.order, st)
	}
	for _, inj := range sc.Injections {
		if inj.Kind == Rules && len(r.rules) == 0 {
			errs = append(errs, &Error{File: sc.File, Pos: posOf(inj.pos), Field: inj.pos.field, Msg: ErrNoRules.Error(), Src: sc.src})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if err := r.entities(); err != nil {
		return nil, err
	}
	for _, inj := range sc.Injections {
		ir := &injRT{inj: inj}
		if inj.Stream != nil {
			ir.st = r.streams[inj.Stream]
		}
		r.injs = append(r.injs, ir)
		if inj.Kind == ImpossibleTravel {
			ir.st.travel = append(ir.st.travel, ir)
		}
	}
	for _, st := range r.order {
		for _, v := range st.s.Variants {
			r.typeFields(v.fields)
			r.sourceFor(st, v.fields)
		}
	}
	for _, inj := range sc.Injections {
		r.typeFields(inj.fields)
	}
	r.ctx.run = r
	r.schedule()
	return r, nil
}

func posOf(a at) (p source.Pos) {
	if a.node != nil {
		p.Line, p.Col = a.node.Line, a.node.Column
	}
	return p
}

// entities draws the entities of every set from the population: people,
// service accounts and hosts in turn, each with its attributes, home and
// workstation.
func (r *Runner) entities() error {
	var people, service []int
	for i := range r.pop.Users {
		if r.pop.Users[i].Service {
			service = append(service, i)
		} else {
			people = append(people, i)
		}
	}
	// hostsOf lists the hosts of an OS ("": any but Linux servers, for
	// workstations; "*": any).
	var hostsOf func(os string) []int
	hostsOf = func(os string) []int {
		var out []int
		for i := range r.pop.Hosts {
			o := r.pop.Hosts[i].OS.String()
			if os == "*" || (os == o || os == "") && !server(&r.pop.Hosts[i]) {
				out = append(out, i)
			}
		}
		if len(out) == 0 && os != "*" {
			return hostsOf("*")
		}
		return out
	}
	nextPerson, nextService := 0, 0
	usedHost := map[int]bool{}
	ar := rand.New(rand.NewPCG(r.seed, 0x61747472))
	for _, es := range r.sc.Entities {
		list := make([]*entity, es.Count)
		workstations := hostsOf(es.OS)
		var pool []int
		if es.Kind == "host" {
			// Hosts of the OS asked for, servers included.
			for h := range r.pop.Hosts {
				if !usedHost[h] && (es.OS == "" || r.pop.Hosts[h].OS.String() == es.OS) {
					pool = append(pool, h)
				}
			}
		}
		for i := range list {
			ent := &entity{set: es, idx: i}
			switch {
			case es.Kind == "host":
				if i >= len(pool) {
					return fmt.Errorf("entities.%s: the population has too few hosts", es.Name)
				}
				usedHost[pool[i]] = true
				ent.host = &r.pop.Hosts[pool[i]]
				if len(ent.host.Users) > 0 {
					ent.user = &r.pop.Users[ent.host.Users[0]]
				} else if len(service) > 0 {
					// A server nobody logs on to runs as a service account.
					ent.user = &r.pop.Users[service[int(splitmix(uint64(pool[i])^r.seed)%uint64(len(service)))]]
				} else {
					ent.user = &r.pop.Users[int(splitmix(uint64(pool[i])^r.seed)%uint64(len(r.pop.Users)))]
				}
			default:
				pool, next := people, &nextPerson
				if es.Service {
					pool, next = service, &nextService
				}
				if *next >= len(pool) {
					return fmt.Errorf("entities.%s: the population has too few users", es.Name)
				}
				ent.user = &r.pop.Users[pool[*next]]
				*next++
				for _, h := range ent.user.Hosts {
					if (es.OS == "" || r.pop.Hosts[h].OS.String() == es.OS) && !server(&r.pop.Hosts[h]) {
						ent.host = &r.pop.Hosts[h]
						break
					}
				}
				if ent.host == nil {
					ent.host = &r.pop.Hosts[workstations[int(splitmix(uint64(pool[*next-1])^r.seed)%uint64(len(workstations)))]]
				}
			}
			ent.key = splitmix(uint64(i)<<20 ^ uint64(len(r.sets)) ^ r.seed)
			if ent.user != nil && len(ent.user.Cities) > 0 {
				ent.city = ent.user.Cities[ar.IntN(len(ent.user.Cities))]
				_, ent.offset = r.start.In(r.zone(&r.pop.V.Cities[ent.user.Cities[0]])).Zone()
			} else {
				ent.city = int(ent.key % uint64(len(r.pop.V.Cities)))
			}
			for _, a := range es.attrs {
				ent.attrs = append(ent.attrs, a.draw(ar))
			}
			list[i] = ent
		}
		r.sets[es] = list
	}
	return nil
}

// server reports whether a host is a server rather than someone's
// workstation: Linux machines and the vocabulary's SRV- names.
func server(h *telemetry.Host) bool {
	return h.OS == telemetry.Linux || strings.HasPrefix(strings.ToUpper(h.Name), "SRV-")
}

// zone is a city's time zone (UTC when the database lacks it).
func (r *Runner) zone(c *telemetry.City) *time.Location {
	if l, ok := r.zones[c.TZ]; ok {
		return l
	}
	l, err := time.LoadLocation(c.TZ)
	if err != nil {
		l = time.UTC
	}
	r.zones[c.TZ] = l
	return l
}

func (r *Runner) push(c *cursor) {
	if c.t.After(r.end) {
		return
	}
	r.seq++
	c.seq = r.seq
	heap.Push(&r.cursors, c)
}

// schedule lays the first cursor of every entity's arrivals of every
// stream, and of every injection's occurrences.
func (r *Runner) schedule() {
	window := r.end.Sub(r.start)
	for _, st := range r.order {
		a := &st.s.Arrival
		for _, ent := range r.sets[st.s.Entity] {
			var n int
			if a.Sessions != nil {
				n = a.Sessions.Draw(r.rng)
			} else {
				n = activity.Poisson(r.rng, a.Rate*window.Seconds())
			}
			c := &cursor{kind: 'a', st: st, ent: ent, ord: activity.OrderStats{Left: n}, tl: st.tls.get(ent.offset)}
			if u, ok := c.ord.Next(r.rng); ok {
				c.t = c.tl.At(u)
				r.push(c)
			}
		}
	}
	for _, ir := range r.injs {
		inj := ir.inj
		if inj.Kind == ImpossibleTravel {
			continue
		}
		c := &cursor{kind: 'i', ir: ir}
		switch {
		case len(inj.At) > 0:
			c.at = append([]time.Time(nil), inj.At...)
			sort.Slice(c.at, func(i, j int) bool { return c.at[i].Before(c.at[j]) })
			for len(c.at) > 0 && c.at[0].Before(r.start) {
				c.at = c.at[1:]
			}
			if len(c.at) == 0 {
				continue
			}
			c.t, c.at = c.at[0], c.at[1:]
			r.push(c)
			continue
		case inj.Count != nil:
			c.ord.Left = inj.Count.Draw(r.rng)
		default:
			c.ord.Left = activity.Poisson(r.rng, inj.Rate*window.Seconds())
		}
		c.tl = (&timelines{p: flat, start: r.start, end: r.end}).get(0)
		if u, ok := c.ord.Next(r.rng); ok {
			c.t = c.tl.At(u)
			r.push(c)
		}
	}
}

// Run generates the documents in time order, calling fn with each (its
// Source is valid until fn returns). A Runner runs once.
func (r *Runner) Run(fn func(emitter.Document) error) error {
	if r.ran {
		return errors.New("scenario: a runner runs once")
	}
	r.ran = true
	r.out = fn
	for {
		if len(r.pending) > 0 && (len(r.cursors) == 0 || !r.pending[0].t.After(r.cursors[0].t)) {
			d := heap.Pop(&r.pending).(pendingDoc)
			if d.t.After(r.end) {
				continue
			}
			if err := fn(d.doc); err != nil {
				return err
			}
			r.count(d.injection)
			continue
		}
		if len(r.cursors) == 0 {
			return nil
		}
		c := heap.Pop(&r.cursors).(*cursor)
		if err := r.fire(c); err != nil {
			return err
		}
	}
}

// count counts a document handed on.
func (r *Runner) count(injection string) {
	r.stats.Documents++
	if injection == "" {
		r.stats.Background++
	} else {
		r.stats.Injected[injection]++
	}
}

// Stats is what the run made so far.
func (r *Runner) Stats() Stats { return r.stats }

func (r *Runner) fire(c *cursor) error {
	switch c.kind {
	case 'a':
		r.startSession(c.st, c.ent, c.t)
		if u, ok := c.ord.Next(r.rng); ok {
			c.t = c.tl.At(u)
			r.push(c)
		}
		return nil
	case 's':
		return r.sessionEvent(c)
	case 't':
		return r.travel(c)
	case 'i':
		if err := r.occur(c.ir, c.t); err != nil {
			return err
		}
		if len(c.at) > 0 {
			c.t, c.at = c.at[0], c.at[1:]
			r.push(c)
		} else if u, ok := c.ord.Next(r.rng); ok {
			c.t = c.tl.At(u)
			r.push(c)
		}
	}
	return nil
}

// startSession begins a session of st for ent at t: where the user is
// (they move between their home cities only at plausible speeds, and not
// in the middle of another session), how many events, which first.
func (r *Runner) startSession(st *streamRT, ent *entity, t time.Time) {
	s := &session{st: st, ent: ent, city: r.locate(ent, t)}
	s.ip = cityIP(&r.pop.V.Cities[s.city], ent.key)
	a := &st.s.Arrival
	s.left = a.Events.Draw(r.rng)
	if a.Markov != nil {
		s.next = pickWeighted(r.rng, a.Markov.Start, a.Markov.order)
	} else {
		s.next = r.pickVariant(st, a.First)
	}
	ent.active++
	r.push(&cursor{kind: 's', t: t, sess: s})
	for _, ir := range st.travel {
		if r.rng.Float64() < ir.inj.Probability {
			r.push(&cursor{kind: 't', t: t.Add(ir.inj.Delay.Draw(r.rng)), ent: ent, ir: ir, sess: s})
		}
	}
}

func (r *Runner) locate(ent *entity, t time.Time) int {
	u := ent.user
	if ent.set.Kind != "user" || u == nil || len(u.Cities) < 2 || ent.active > 0 || r.rng.Float64() >= ent.set.Move {
		return ent.city
	}
	cities := r.pop.V.Cities
	from := &cities[ent.city]
	k := r.rng.IntN(len(u.Cities))
	for i := range u.Cities {
		c := u.Cities[(k+i)%len(u.Cities)]
		if c == ent.city {
			continue
		}
		if ent.lastSeen.IsZero() || Speed(cityDistance(from, &cities[c]), t.Sub(ent.lastSeen)) <= ent.set.Speed {
			return c
		}
	}
	return ent.city
}

func (r *Runner) pickVariant(st *streamRT, among []*Variant) *Variant {
	if len(among) == 0 {
		among = st.s.Variants
	}
	if len(among) == 1 {
		return among[0]
	}
	total := 0.0
	for _, v := range among {
		total += v.Weight
	}
	x := r.rng.Float64() * total
	for _, v := range among {
		if x -= v.Weight; x < 0 {
			return v
		}
	}
	return among[len(among)-1]
}

// pickWeighted draws a key of w by weight, in a fixed order (nil: the
// end of a chain).
func pickWeighted(rng *rand.Rand, w map[*Variant]float64, order []*Variant) *Variant {
	total := 0.0
	for _, x := range w {
		total += x
	}
	if total <= 0 {
		return nil
	}
	x := rng.Float64() * total
	for _, v := range order {
		if wt, ok := w[v]; ok {
			if x -= wt; x < 0 {
				return v
			}
		}
	}
	return nil // the end's share
}

// sessionEvent makes a session's next event and schedules the one after.
func (r *Runner) sessionEvent(c *cursor) error {
	s := c.sess
	var v *Variant
	var ent *entity
	if s.steps != nil {
		v, ent = s.steps[s.n].v, s.steps[s.n].ent
	} else {
		v, ent = s.next, s.ent
	}
	if err := r.emit(s.st, ent, s, v, c.t, s.city, s.ip, s.inst); err != nil {
		return err
	}
	s.n++
	s.left--
	more := s.left > 0
	a := &s.st.s.Arrival
	gap := a.Gap
	switch {
	case s.steps != nil:
		more = s.n < len(s.steps)
		if s.inst.ir.inj.Kind != AnomalousSequence {
			gap = s.inst.ir.inj.Interval
		}
	case a.Markov != nil:
		s.next = pickWeighted(r.rng, a.Markov.Next[v], a.Markov.order)
		more = more && s.next != nil
	default:
		s.next = r.pickVariant(s.st, a.Rest)
	}
	if more {
		c.t = c.t.Add(gap.Draw(r.rng)).Truncate(time.Millisecond)
		if !c.t.After(r.end) {
			r.push(c)
			return nil
		}
	}
	if s.inst == nil {
		s.ent.active--
	}
	return nil
}

// travel makes an impossible travel: a sign-in of the session's user from
// a city they could not have reached from where they last were at the
// injection's speed.
func (r *Runner) travel(c *cursor) error {
	ent, inj := c.ent, c.ir.inj
	cities := r.pop.V.Cities
	from := &cities[ent.city]
	dt := c.t.Sub(ent.lastSeen)
	if ent.lastSeen.IsZero() || dt < 0 {
		dt = 0
	}
	// Far enough that the speed is exceeded with room to spare.
	need := inj.Speed * dt.Hours() * 1.5
	var far []int
	for i := range cities {
		home := false
		for _, h := range ent.user.Cities {
			home = home || h == i
		}
		if !home && i != ent.city && cityDistance(from, &cities[i]) > need+50 {
			far = append(far, i)
		}
	}
	if len(far) == 0 {
		return nil
	}
	city := far[r.rng.IntN(len(far))]
	inst := r.newInstance(c.ir)
	v := inj.Variant
	if v == nil {
		v = r.pickVariant(c.ir.st, c.ir.st.s.Arrival.First)
	}
	s := &session{st: c.ir.st, ent: ent, city: city, ip: cityIP(&cities[city], r.rng.Uint64()), inst: inst}
	return r.emit(c.ir.st, ent, s, v, c.t, city, s.ip, inst)
}

func (r *Runner) newInstance(ir *injRT) *instance {
	ir.n++
	r.stats.Instances[ir.inj.Name]++
	inst := &instance{ir: ir, id: fmt.Sprintf("%s-%d", ir.inj.Name, ir.n)}
	cities := r.pop.V.Cities
	inst.attacker.ip = cityIP(&cities[r.rng.IntN(len(cities))], r.rng.Uint64())
	inst.attacker.host = "DESKTOP-" + strings.ToUpper(telemetry.Hex(r.rng, 7))
	return inst
}

// occur places one occurrence of an injection at t.
func (r *Runner) occur(ir *injRT, t time.Time) error {
	inj := ir.inj
	if inj.Kind == Rules {
		return r.ruleMatch(ir, t)
	}
	st := ir.st
	ents := r.sets[st.s.Entity]
	if len(ents) == 0 {
		return nil
	}
	inst := r.newInstance(ir)
	ent := ents[r.rng.IntN(len(ents))]
	s := &session{st: st, ent: ent, inst: inst, city: ent.city}
	s.ip = cityIP(&r.pop.V.Cities[s.city], ent.key)
	switch inj.Kind {
	case BruteForce:
		n := inj.Failures.Draw(r.rng)
		for i := 0; i < n; i++ {
			s.steps = append(s.steps, step{ent, inj.Failure})
		}
		s.steps = append(s.steps, step{ent, inj.Success})
	case PasswordSpray:
		n := min(inj.Targets.Draw(r.rng), len(ents))
		for _, k := range r.rng.Perm(len(ents))[:n] {
			s.steps = append(s.steps, step{ents[k], inj.Failure})
		}
		for i := 0; i < inj.Successes && i < n; i++ {
			s.steps = append(s.steps, step{s.steps[i].ent, inj.Success})
		}
	case RareProcess:
		for i := inj.Events.Draw(r.rng); i > 0; i-- {
			v := inj.Variant
			if v == nil {
				v = r.pickVariant(st, nil)
			}
			s.steps = append(s.steps, step{ent, v})
		}
	case AnomalousSequence:
		for _, v := range r.anomalous(st.s.Arrival.Markov, inj.Length.Draw(r.rng)) {
			s.steps = append(s.steps, step{ent, v})
		}
	}
	if len(s.steps) == 0 {
		return nil
	}
	s.left = len(s.steps)
	r.push(&cursor{kind: 's', t: t, sess: s})
	return nil
}

// anomalous is a sequence of n variants whose every transition the chain
// never makes (where a variant has such a successor).
func (r *Runner) anomalous(m *Markov, n int) []*Variant {
	vs := m.order
	seq := []*Variant{vs[r.rng.IntN(len(vs))]}
	for len(seq) < n {
		last := seq[len(seq)-1]
		var absent []*Variant
		for _, v := range vs {
			if m.Next[last][v] <= 0 {
				absent = append(absent, v)
			}
		}
		if len(absent) == 0 {
			absent = vs
		}
		seq = append(seq, absent[r.rng.IntN(len(absent))])
	}
	return seq
}

// ruleMatch injects one match of a rule chosen at random. A rule that can
// give no more matches (a new_terms rule out of new terms) is dropped with
// a warning.
func (r *Runner) ruleMatch(ir *injRT, t time.Time) error {
	for len(r.rules) > 0 {
		k := r.rng.IntN(len(r.rules))
		err := r.ruleMatchOf(ir, r.rules[k], t)
		if err == nil || !errors.Is(err, errRuleDone) {
			return err
		}
		r.warnings = append(r.warnings, err.Error())
		r.rules = append(r.rules[:k], r.rules[k+1:]...)
	}
	return nil
}

// errRuleDone marks a rule that gives no more matches.
var errRuleDone = errors.New("no more matches: left out from here on")

func (r *Runner) ruleMatchOf(ir *injRT, src *emitter.Source, t time.Time) error {
	inst := r.newInstance(ir)
	r.names, r.vals = r.names[:0], r.vals[:0]
	r.vbuf = r.vbuf[:0]
	var spans [][2]int
	add := func(name, value string) {
		lo := len(r.vbuf)
		r.vbuf = document.AppendString(r.vbuf, value)
		r.names = append(r.names, name)
		spans = append(spans, [2]int{lo, len(r.vbuf)})
	}
	if r.labels.kind != "" {
		add(r.labels.injection, ir.inj.Name)
		add(r.labels.kind, ir.inj.Kind)
		add(r.labels.id, inst.id)
		add(r.labels.ruleID, src.Rule.ID)
		add(r.labels.ruleName, src.Rule.Name)
	}
	for _, sp := range spans {
		r.vals = append(r.vals, r.vbuf[sp[0]:sp[1]])
	}
	sortFields(r.names, r.vals)
	docs, err := r.e.DrawAt(src, emitter.Draw{Time: t, Set: func(int) ([]string, [][]byte) { return r.names, r.vals }})
	if err != nil {
		ir.n--
		r.stats.Instances[ir.inj.Name]--
		return fmt.Errorf("rule %q: %v: %w", src.Rule.Name, err, errRuleDone)
	}
	return r.deliver(docs, t, ir.inj.Name)
}

// deliver hands documents on: at once when they happen now, else held
// until their time.
func (r *Runner) deliver(docs []emitter.Document, t time.Time, injection string) error {
	for _, d := range docs {
		dt := t
		if len(docs) > 1 {
			if ts := gjson.GetBytes(d.Source, `@timestamp`); ts.Exists() {
				if p, err := time.Parse(time.RFC3339Nano, ts.String()); err == nil {
					dt = p
				}
			}
		}
		if dt.After(r.end) {
			continue
		}
		if !dt.After(t) {
			if err := r.out(d); err != nil {
				return err
			}
			r.count(injection)
			continue
		}
		d.Source = append([]byte(nil), d.Source...)
		r.seq++
		heap.Push(&r.pending, pendingDoc{t: dt, seq: r.seq, doc: d, injection: injection})
	}
	return nil
}

// ctx is the context templates are filled in: the event's entity,
// session, place and time.
type ctx struct {
	run          *Runner
	ent          *entity
	sess         *session
	ev           *telemetry.Event
	t            time.Time
	r            *rand.Rand
	city         *telemetry.City
	ip           string
	seq          int64
	sessionEvent int
	docUUID      string
	target       *telemetry.User
	inst         *instance
	sb           []byte
	p            person
	tp           person
}

func (c *ctx) user() *person {
	c.p.u = c.ent.user
	return &c.p
}

func (c *ctx) targetUser() *person {
	if c.target == nil && c.sess != nil && c.sess.target != nil {
		c.target = c.sess.target
	}
	if c.target == nil {
		users := c.run.pop.Users
		c.target = &users[c.r.IntN(len(users))]
		if c.ent.user != nil && c.target == c.ent.user && len(users) > 1 {
			c.target = &users[(c.r.IntN(len(users)-1)+1+indexOf(users, c.ent.user))%len(users)]
		}
	}
	if c.sess != nil {
		c.sess.target = c.target // one target per session
	}
	c.tp.u = c.target
	return &c.tp
}

func indexOf(users []telemetry.User, u *telemetry.User) int {
	for i := range users {
		if &users[i] == u {
			return i
		}
	}
	return 0
}

func (c *ctx) hostField(rest string) string {
	v, _ := c.ev.Value("host."+rest, nil)
	return v
}

func (c *ctx) sessionID() string {
	if c.sess == nil {
		return c.docID()
	}
	if c.sess.id == "" {
		c.sess.id = uuid(c.r)
	}
	return c.sess.id
}

// logonID is a Windows logon id (0x and hex digits), one per session.
func (c *ctx) logonID() string {
	if c.sess == nil {
		return "0x" + strings.TrimLeft(telemetry.Hex(c.r, 7), "0")
	}
	if c.sess.logonID == "" {
		c.sess.logonID = "0x" + strings.TrimLeft(telemetry.Hex(c.r, 7), "0")
	}
	return c.sess.logonID
}

func (c *ctx) docID() string {
	if c.docUUID == "" {
		c.docUUID = uuid(c.r)
	}
	return c.docUUID
}

func (c *ctx) attackerField(f string) string {
	if c.inst == nil {
		return ""
	}
	if f == "ip" {
		return c.inst.attacker.ip
	}
	return c.inst.attacker.host
}

// person is a user as templates see them.
type person struct{ u *telemetry.User }

func (p *person) field(name string, c *ctx) string {
	u := p.u
	if u == nil {
		return ""
	}
	switch name {
	case "name":
		return u.Name
	case "full_name":
		return u.FullName
	case "email":
		return u.Email
	case "domain":
		return u.Domain
	case "sid":
		return u.SID
	case "uid":
		return u.UID
	case "id":
		return u.ID(c.ev.OS)
	case "guid":
		h := fnv.New64a()
		h.Write([]byte(u.SID))
		return uuid(rand.New(rand.NewPCG(h.Sum64(), c.run.seed)))
	case "upn_name", "upn_domain":
		local, domain, _ := strings.Cut(p.field("upn", c), "@")
		if name == "upn_name" {
			return local
		}
		return domain
	case "upn":
		if u.Email != "" {
			return u.Email
		}
		return u.Name + "@" + c.run.pop.V.Domains.Email[0]
	case "first_name":
		first, _, _ := strings.Cut(u.FullName, " ")
		return first
	case "last_name":
		_, last, _ := strings.Cut(u.FullName, " ")
		return last
	}
	return ""
}

// tvalues offers the solver a document's template values for the fields
// the query names, and the event's own values for the others.
type tvalues struct {
	ev    *telemetry.Event
	names []string
	vals  [][]byte
}

func (t *tvalues) Value(field string, drawn func(string) (string, bool)) (string, bool) {
	i := sort.SearchStrings(t.names, field)
	if i < len(t.names) && t.names[i] == field {
		return document.Text(t.vals[i])
	}
	return t.ev.Value(field, drawn)
}

func (t *tvalues) Candidates(field string) []string { return t.ev.Candidates(field) }
func (t *tvalues) Prefixes(field string) []string   { return t.ev.Prefixes(field) }
func (t *tvalues) Words(field string) [][]byte      { return t.ev.Words(field) }

// fieldsFor are the fields of variant v under injection inj's (nil: the
// variant's own).
func (st *streamRT) fieldsFor(v *Variant, inst *instance) []fieldT {
	if inst == nil || len(inst.ir.inj.fields) == 0 {
		return v.fields
	}
	k := [2]any{v, inst.ir}
	if f, ok := st.merged[k]; ok {
		return f
	}
	f := over(v.fields, inst.ir.inj.fields)
	st.merged[k] = f
	return f
}

// emit makes one event of stream st for ent with variant v at t, in city
// (with address ip), as part of session s and injection instance inst
// (nil for the background).
func (r *Runner) emit(st *streamRT, ent *entity, s *session, v *Variant, t time.Time, city int, ip string, inst *instance) error {
	ev := r.pop.EventFor(r.rng, ent.host, ent.user)
	c := &r.ctx
	st.seq++
	*c = ctx{run: r, ent: ent, sess: s, ev: ev, t: t, r: r.rng, city: &r.pop.V.Cities[city], ip: ip, seq: st.seq,
		sessionEvent: s.n + 1, inst: inst, sb: c.sb[:0]}
	ev.SetCity(c.city)
	fields := st.fieldsFor(v, inst)
	r.names, r.vals, r.vbuf = r.names[:0], r.vals[:0], r.vbuf[:0]
	spans := r.spans[:0]
	defer func() { r.spans = spans[:0] }()
	for _, f := range fields {
		lo := len(r.vbuf)
		r.vbuf = f.t.appendJSON(r.vbuf, c)
		r.names = append(r.names, f.name)
		spans = append(spans, [2]int{lo, len(r.vbuf)})
	}
	labelled := false
	addLabel := func(name, value string) {
		lo := len(r.vbuf)
		r.vbuf = document.AppendString(r.vbuf, value)
		r.names = append(r.names, name)
		spans = append(spans, [2]int{lo, len(r.vbuf)})
		labelled = true
	}
	if r.labels.kind != "" {
		if inst != nil {
			addLabel(r.labels.injection, inst.ir.inj.Name)
			addLabel(r.labels.kind, inst.ir.inj.Kind)
			addLabel(r.labels.id, inst.id)
		} else if r.labels.background {
			addLabel(r.labels.kind, "background")
		}
	}
	for _, sp := range spans {
		r.vals = append(r.vals, r.vbuf[sp[0]:sp[1]])
	}
	if labelled {
		sortFields(r.names, r.vals)
	}
	r.tv = tvalues{ev: ev, names: r.names, vals: r.vals}
	if r.set == nil {
		r.set = func(int) ([]string, [][]byte) { return r.names, r.vals }
	}
	docs, err := r.e.DrawAt(r.sourceFor(st, fields), emitter.Draw{Time: t, Event: ev, Values: &r.tv, Bare: !st.s.Complete, Set: r.set})
	if err != nil {
		return fmt.Errorf("stream %s: %w", st.s.Name, err)
	}
	injection := ""
	if inst == nil {
		ent.lastSeen = t
		ent.city = city
	} else {
		injection = inst.ir.inj.Name
	}
	return r.deliver(docs, t, injection)
}

// typeFields makes the templates of fields that hold strings (keyword,
// text, ip, date, ...) give strings, and lets those of numeric, boolean
// and object fields give their expressions' own JSON: a template's value
// takes the type of its field, as Elasticsearch will read it.
func (r *Runner) typeFields(fields []fieldT) {
	sch := r.e.Schema()
	for _, f := range fields {
		quote := func(t *tmpl) {
			if t.kind == 's' {
				typ := sch.Field(f.name).Type
				t.quote = !(typ.Numeric() || typ == estype.Boolean || typ.HoldsFields() || typ == estype.GeoPoint ||
					typ == estype.Flattened || typ == estype.Object || typ == estype.Nested)
			}
		}
		quote(f.t)
		if f.t.kind == 'a' {
			for _, it := range f.t.items {
				quote(it)
			}
		}
	}
}

// sourceFor is the stream's query for documents with these fields: the
// constant values the templates give fields the query names become
// constraints (the solver then picks the alternatives of the query that
// allow them: event.code : ("4624" or "4625") with event.code: "4625"
// gives 4625). When the query allows none of them, the query alone
// decides, and the run warns once.
func (r *Runner) sourceFor(st *streamRT, fields []fieldT) *emitter.Source {
	if len(fields) == 0 {
		return st.src
	}
	if src, ok := st.byFields[&fields[0]]; ok {
		return src
	}
	src := r.solveFor(st, fields)
	st.byFields[&fields[0]] = src
	return src
}

func (r *Runner) solveFor(st *streamRT, fields []fieldT) *emitter.Source {
	var preds []constraint.Expr
	var key strings.Builder
	for _, f := range fields {
		if !st.named(f.name) || !f.t.constant() {
			continue
		}
		items := []*tmpl{f.t}
		if f.t.kind == 'a' {
			items = f.t.items
		}
		for _, it := range items {
			if it.kind != 'l' {
				continue
			}
			var v constraint.Value
			switch {
			case len(it.lit) > 0 && it.lit[0] == '"':
				text, _ := document.Text(it.lit)
				v = constraint.String(text)
			case string(it.lit) == "true" || string(it.lit) == "false":
				v = constraint.Boolean(string(it.lit) == "true")
			case string(it.lit) == "null" || len(it.lit) == 0 || it.lit[0] == '{' || it.lit[0] == '[':
				continue
			default:
				var n float64
				if _, err := fmt.Sscan(string(it.lit), &n); err != nil {
					continue
				}
				v = constraint.Number(n)
			}
			text := f.name + " : " + v.String()
			preds = append(preds, &constraint.Pred{Field: f.name, Op: constraint.Eq, Value: v, Span: constraint.Span{Text: text}})
			key.WriteString(text)
			key.WriteByte('\n')
		}
	}
	k := key.String()
	if src, ok := st.srcs[k]; ok {
		return src
	}
	src := st.src
	c := *st.s.query.Constraints
	c.Events = make([]constraint.Event, len(st.s.query.Constraints.Events))
	for i, ev := range st.s.query.Constraints.Events {
		if !ev.Missing {
			ev.Cond = constraint.NNF(&constraint.And{X: append([]constraint.Expr{ev.Cond}, preds...), Span: ev.Cond.Source()})
		}
		c.Events[i] = ev
	}
	q := *st.s.query
	q.Constraints = &c
	if s, err := r.e.AddParsed(&q, st.s.Index); err == nil {
		src = s
	} else {
		r.warnings = append(r.warnings, fmt.Sprintf("stream %s: the query allows no document with %s: the query's values win (%v)",
			st.s.Name, strings.ReplaceAll(strings.TrimSpace(k), "\n", " and "), err))
	}
	st.srcs[k] = src
	return src
}

// Warnings are what the run noticed about the scenario (template values
// a stream's query forbids), once each.
func (r *Runner) Warnings() []string { return r.warnings }

// sortFields sorts names (with their values) by name.
func sortFields(names []string, vals [][]byte) {
	sort.Sort(fieldSorter{names, vals})
}

type fieldSorter struct {
	n []string
	v [][]byte
}

func (s fieldSorter) Len() int           { return len(s.n) }
func (s fieldSorter) Less(i, j int) bool { return s.n[i] < s.n[j] }
func (s fieldSorter) Swap(i, j int) {
	s.n[i], s.n[j] = s.n[j], s.n[i]
	s.v[i], s.v[j] = s.v[j], s.v[i]
}

// Indices lists the indices the run's documents go to, sorted.
func (r *Runner) Indices() []string {
	set := map[string]bool{}
	for _, st := range r.order {
		set[st.s.Index] = true
	}
	for _, ir := range r.injs {
		if ir.inj.Kind == Rules {
			for _, src := range r.rules {
				for _, ix := range src.Indices() {
					set[ix] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for ix := range set {
		out = append(out, ix)
	}
	sort.Strings(out)
	return out
}

// Mappings are the mappings of an index: the scenario's own when it gives
// them, else those of the fields its streams' queries, templates, rules
// and labels use.
func (r *Runner) Mappings(index string) ([]byte, error) {
	if m, ok := r.sc.Mappings[index]; ok {
		return m, nil
	}
	var srcs []*emitter.Source
	var extra []string
	for _, st := range r.order {
		if st.s.Index != index {
			continue
		}
		srcs = append(srcs, st.src)
		for _, v := range st.s.Variants {
			extra = r.fieldNames(extra, v.fields)
		}
		for _, ir := range r.injs {
			if ir.st == st {
				extra = r.fieldNames(extra, ir.inj.fields)
			}
		}
	}
	hasRules := false
	for _, ir := range r.injs {
		hasRules = hasRules || ir.inj.Kind == Rules
	}
	if hasRules {
		for _, src := range r.rules {
			if slices.Contains(src.Indices(), index) {
				srcs = append(srcs, src)
			}
		}
	}
	if r.labels.kind != "" {
		extra = append(extra, r.labels.injection, r.labels.kind, r.labels.id)
		if hasRules {
			extra = append(extra, r.labels.ruleID, r.labels.ruleName)
		}
	}
	return r.e.MappingsWith(srcs, extra)
}

// fieldNames adds the names of template fields to a mapping's list: an
// object the schema does not type adds its leaves.
func (r *Runner) fieldNames(out []string, fields []fieldT) []string {
	sch := r.e.Schema()
	var walk func(name string, t *tmpl)
	walk = func(name string, t *tmpl) {
		if t.kind == 'o' && !known(sch, name) {
			for i, k := range t.keys {
				walk(name+"."+k, t.items[i])
			}
			return
		}
		if t.kind == 'a' && len(t.items) > 0 && t.items[0].kind == 'o' && !known(sch, name) {
			walk(name, t.items[0])
			return
		}
		out = append(out, name)
	}
	for _, f := range fields {
		walk(f.name, f.t)
	}
	return out
}

func known(sch *schema.Schema, name string) bool { return sch.Field(name).Known }
