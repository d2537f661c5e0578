// Package scenario generates realistic datasets over time: populations of
// users and hosts (entities) whose activity (streams of events, each given
// by a KQL or EQL query plus field templates bound to the entities'
// attributes) arrives in sessions by Poisson processes shaped by day and
// week profiles, with labelled patterns (injections: impossible travel,
// brute force, password spray, rare processes, anomalous command
// sequences, the matches of detection rules) placed among them.
//
// A scenario is a YAML file (see Parse and the README's Scenarios
// section); Run streams its documents in time order, holding per entity
// only its next event, never the dataset.
package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/emit-sec/emit/es/estype"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/source"
)

// Scenario is a parsed scenario file.
type Scenario struct {
	Name        string
	Description string
	File        string
	// Span is the window's length when the run does not say (default 30
	// days).
	Span time.Duration
	// Labels says where injected documents say what they belong to.
	Labels Labels
	// Types are field types the file gives (field -> Elasticsearch type),
	// over the schema's.
	Types      map[string]estype.Type
	Entities   []*EntitySet
	Streams    []*Stream
	Injections []*Injection
	// Mappings are explicit index mappings by index name: such an index
	// is created with exactly these (the file's JSON), not computed ones.
	Mappings map[string][]byte
	src      string
}

// Labels: injected documents carry FIELD.injection (the injection's
// name), FIELD.kind (its kind) and FIELD.id (one instance: the documents
// of one brute-force burst share it); rule matches also FIELD.rule.id and
// FIELD.rule.name. Background documents carry FIELD.kind: background when
// Background is set, else nothing.
type Labels struct {
	Field      string
	Background bool
}

// EntitySet is a population of users or hosts.
type EntitySet struct {
	Name  string
	Kind  string // "user" or "host"
	Count int
	// Service: the set is of service accounts rather than people (users).
	Service bool
	// OS is the operating system of the set's hosts, or of its users'
	// workstations ("" any).
	OS string
	// Move is the chance that a user's session happens in another of
	// their home cities (when they could have travelled there at Speed
	// km/h since their last event).
	Move, Speed float64
	attrs       []*attribute
	attrByName  map[string]*attribute
	pos         at
}

// Stream is a kind of event of an entity set.
type Stream struct {
	Name   string
	Entity *EntitySet
	Index  string
	Query  string
	Lang   query.Language
	// Variants are weighted alternatives of field values (an
	// interactive sign-in, a token refresh; a success, a failure).
	Variants []*Variant
	Arrival  Arrival
	// Complete adds the usual fields of the event's kind (host, agent,
	// ...) around the query's and the templates' (default true).
	Complete bool
	base     []fieldT
	query    *query.Query
	pos      at // the query's node
	node     *yaml.Node
}

// Variant is one alternative of a stream's fields.
type Variant struct {
	Name   string
	Weight float64
	fields []fieldT // the stream's fields with the variant's over them, sorted
}

type fieldT struct {
	name string
	t    *tmpl
}

// Arrival is how a stream's events arrive per entity.
type Arrival struct {
	// Sessions per entity over the window (a count), or Rate sessions
	// per second per entity (a Poisson process); one of the two.
	Sessions *Count
	Rate     float64
	// Events per session (default 1) and the Gap between them.
	Events Count
	Gap    Duration
	// First and Rest name the variants of a session's first event and of
	// the others (default: any, by weight).
	First, Rest []*Variant
	// Markov, when set, chains the variants of a session instead.
	Markov  *Markov
	Profile *Profile
}

// Markov is a chain over a stream's variants: the first event's variant
// by Start's weights, each next one by the weights of the transitions
// from the last (End ends the session).
type Markov struct {
	Start map[*Variant]float64
	Next  map[*Variant]map[*Variant]float64 // nil key: the end
	order []*Variant
}

// Injection is a labelled pattern placed among the background.
type Injection struct {
	Name string
	Kind string
	// Stream is the stream whose events the injection makes (not for
	// rules).
	Stream *Stream
	// When: Probability per session of Stream (impossible travel), else
	// Rate per second, Count over the window, or At given times.
	Probability float64
	Rate        float64
	Count       *Count
	At          []time.Time
	// Delay after the session's start (impossible travel).
	Delay Duration
	// Speed (km/h) an impossible travel needs, at least.
	Speed float64
	// Failures before the success (brute force), Targets (password
	// spray), Length (anomalous sequence), Events (rare process).
	Failures, Targets, Length, Events Count
	Successes                         int
	Interval                          Duration
	// Variant (the travel's sign-in, the rare event), Failure and
	// Success (brute force, spray) name variants of Stream.
	Variant, Failure, Success *Variant
	fields                    []fieldT // over the variant's
	pos                       at
}

// Injection kinds.
const (
	ImpossibleTravel  = "impossible_travel"
	BruteForce        = "brute_force"
	PasswordSpray     = "password_spray"
	RareProcess       = "rare_process"
	AnomalousSequence = "anomalous_sequence"
	Rules             = "rules"
)

var injectionKinds = []string{ImpossibleTravel, BruteForce, PasswordSpray, RareProcess, AnomalousSequence, Rules}

// Load reads and parses a scenario file.
func Load(name string) (*Scenario, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return Parse(name, data)
}

// Parse parses a scenario file's text; file names it in errors. Errors
// are Errors: every mistake found, each with its line, column and field.
func Parse(file string, data []byte) (*Scenario, error) {
	r := &reader{file: file, src: string(data)}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		e := &Error{File: file, Msg: err.Error(), Src: r.src}
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			// yaml.v3 says "yaml: line N: ..."
			var line int
			var msg string
			if n, _ := fmt.Sscanf(err.Error(), "yaml: line %d:", &line); n == 1 {
				msg = strings.TrimSpace(err.Error()[strings.Index(err.Error(), ":")+1:])
				msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
				e.Pos, e.Msg = source.Pos{Line: line, Col: 1}, msg
			}
		}
		if err.Error() == "EOF" {
			e.Msg = errNoScenario.Error()
		}
		return nil, Errors{e}
	}
	if len(doc.Content) == 0 {
		return nil, Errors{{File: file, Msg: errNoScenario.Error()}}
	}
	sc := &Scenario{File: file, Span: 30 * 24 * time.Hour, src: r.src, Types: map[string]estype.Type{}, Mappings: map[string][]byte{}}
	r.scenario(doc.Content[0], sc)
	if len(r.errs) > 0 {
		return nil, r.errs
	}
	return sc, nil
}

func (r *reader) scenario(n *yaml.Node, sc *Scenario) {
	var entNode, streamsNode, injNode *yaml.Node
	ok := r.mapping(n, "", []string{"name", "description", "span", "labels", "types", "entities", "streams", "injections", "indices"}, func(key string, k, v *yaml.Node, path string) {
		switch key {
		case "name":
			sc.Name = r.str(v, path)
		case "description":
			sc.Description = r.str(v, path)
		case "span":
			sc.Span = r.dur(v, path)
			if sc.Span <= 0 {
				r.errorf(v, path, "want a positive duration")
			}
		case "labels":
			r.mapping(v, path, []string{"field", "background"}, func(key string, k, v *yaml.Node, path string) {
				switch key {
				case "field":
					sc.Labels.Field = r.str(v, path)
				case "background":
					sc.Labels.Background = r.boolean(v, path)
				}
			})
		case "types":
			r.mapping(v, path, nil, func(key string, k, v *yaml.Node, path string) {
				t := estype.Type(r.str(v, path))
				if !t.Known() {
					r.errorf(v, path, "unknown Elasticsearch type %q", t)
				}
				sc.Types[key] = t
			})
		case "indices":
			r.mapping(v, path, nil, func(index string, k, v *yaml.Node, path string) {
				r.mapping(v, path, []string{"mappings"}, func(key string, k, v *yaml.Node, path string) {
					var m any
					if err := v.Decode(&m); err != nil {
						r.errorf(v, path, "%v", err)
						return
					}
					if _, isMap := m.(map[string]any); !isMap {
						r.errorf(v, path, "want a mapping (the index's mappings object)")
						return
					}
					b, err := jsonOf(m)
					if err != nil {
						r.errorf(v, path, "%v", err)
						return
					}
					sc.Mappings[index] = b
				})
			})
		case "entities":
			entNode = v
		case "streams":
			streamsNode = v
		case "injections":
			injNode = v
		}
	})
	if !ok {
		return
	}
	if sc.Name == "" {
		r.errorf(n, "name", "missing: every scenario has a name")
	}
	if entNode != nil {
		r.mapping(entNode, "entities", nil, func(name string, k, v *yaml.Node, path string) {
			sc.Entities = append(sc.Entities, r.entitySet(name, v, path))
		})
	}
	if streamsNode == nil {
		r.errorf(n, "streams", "missing: a scenario has at least one stream")
		return
	}
	for i, sn := range r.list(streamsNode, "streams") {
		if s := r.stream(sn, fmt.Sprintf("streams[%d]", i), sc); s != nil {
			for _, o := range sc.Streams {
				if o.Name == s.Name {
					r.errorf(sn, fmt.Sprintf("streams[%d].name", i), "a stream named %q exists already", s.Name)
				}
			}
			sc.Streams = append(sc.Streams, s)
		}
	}
	if injNode != nil {
		for i, in := range r.list(injNode, "injections") {
			if inj := r.injection(in, fmt.Sprintf("injections[%d]", i), sc); inj != nil {
				sc.Injections = append(sc.Injections, inj)
			}
		}
	}
}

func (r *reader) entitySet(name string, n *yaml.Node, field string) *EntitySet {
	es := &EntitySet{Name: name, Kind: "user", Count: 100, Move: 0.2, Speed: 900, attrByName: map[string]*attribute{}, pos: at{n, field}}
	var kindNode *yaml.Node
	r.mapping(n, field, []string{"kind", "count", "service", "os", "travel", "attributes"}, func(key string, k, v *yaml.Node, path string) {
		switch key {
		case "kind":
			es.Kind, kindNode = r.str(v, path), v
		case "count":
			es.Count = r.integer(v, path, 1)
		case "service":
			es.Service = r.boolean(v, path)
		case "os":
			es.OS = r.str(v, path)
			if es.OS != "windows" && es.OS != "linux" && es.OS != "macos" {
				r.errorf(v, path, "unknown operating system %q (want windows, linux or macos)", es.OS)
			}
		case "travel":
			r.mapping(v, path, []string{"move", "speed"}, func(key string, k, v *yaml.Node, path string) {
				switch key {
				case "move":
					es.Move = r.number(v, path, 0, 1)
				case "speed":
					es.Speed = r.number(v, path, 1, 1e5)
				}
			})
		case "attributes":
			r.mapping(v, path, nil, func(aname string, k, v *yaml.Node, path string) {
				if contains(builtinRoots, aname) {
					r.errorf(k, path, "%q is a built-in name of templates; call the attribute something else", aname)
					return
				}
				a := &attribute{name: aname, index: len(es.attrs)}
				for i, opt := range r.list(v, path) {
					p := fmt.Sprintf("%s[%d]", path, i)
					w, val := 1.0, opt
					if opt.Kind == yaml.MappingNode && hasKey(opt, "value") {
						val = nil
						r.mapping(opt, p, []string{"value", "weight"}, func(key string, k, v *yaml.Node, path string) {
							if key == "weight" {
								w = r.number(v, path, 0, 1e9)
							} else {
								val = v
							}
						})
					}
					if val == nil {
						continue
					}
					leaves := map[string]leaf{}
					attributeLeaves(val, "", leaves)
					a.values = append(a.values, leaves)
					a.weights = append(a.weights, w)
					a.total += w
				}
				if len(a.values) == 0 || a.total <= 0 {
					r.errorf(v, path, "an attribute needs at least one value of positive weight")
					return
				}
				es.attrs = append(es.attrs, a)
				es.attrByName[aname] = a
			})
		}
	})
	if es.Kind != "user" && es.Kind != "host" {
		r.errorf(kindNode, field+".kind", "unknown kind %q (want user or host)", es.Kind)
	}
	if es.Service && es.Kind != "user" {
		r.errorf(n, field+".service", "only users can be service accounts")
	}
	return es
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func (r *reader) fields(n *yaml.Node, field string, e *env) []fieldT {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	var merged []fieldT
	var out []fieldT
	r.mapping(n, field, nil, func(key string, k, v *yaml.Node, path string) {
		if key == "<<" && k.Tag == "!!merge" {
			// YAML merge keys: the fields of the anchored mappings, which
			// the mapping's own fields override.
			items := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				items = v.Content
			}
			for _, it := range items {
				merged = over(merged, r.fields(it, path, e))
			}
			return
		}
		if key == "@timestamp" {
			r.errorf(k, path, "the scenario sets @timestamp: leave it out")
			return
		}
		out = append(out, fieldT{name: key, t: r.compileValue(v, path, e)})
	})
	if merged != nil {
		return over(merged, out)
	}
	return out
}

// over returns base with over's fields replacing those of the same name,
// sorted by name.
func over(base, over []fieldT) []fieldT {
	m := map[string]*tmpl{}
	for _, f := range base {
		m[f.name] = f.t
	}
	for _, f := range over {
		m[f.name] = f.t
	}
	out := make([]fieldT, 0, len(m))
	for n, t := range m {
		out = append(out, fieldT{n, t})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (r *reader) stream(n *yaml.Node, field string, sc *Scenario) *Stream {
	s := &Stream{node: n, Complete: true}
	var fieldsNode, variantsNode, arrivalNode, entityNode, queryNode *yaml.Node
	r.mapping(n, field, []string{"name", "entity", "index", "query", "language", "complete", "fields", "variants", "arrival"}, func(key string, k, v *yaml.Node, path string) {
		switch key {
		case "complete":
			s.Complete = r.boolean(v, path)
		case "name":
			s.Name = r.str(v, path)
		case "entity":
			entityNode = v
		case "index":
			s.Index = r.str(v, path)
		case "query":
			s.Query, queryNode = r.str(v, path), v
		case "language":
			l, err := query.ParseLanguage(r.str(v, path))
			if err != nil {
				r.errorf(v, path, "%v", err)
			}
			s.Lang = l
		case "fields":
			fieldsNode = v
		case "variants":
			variantsNode = v
		case "arrival":
			arrivalNode = v
		}
	})
	if s.Name == "" {
		r.errorf(n, field+".name", "missing: every stream has a name")
	}
	if entityNode != nil {
		name := r.str(entityNode, field+".entity")
		for _, es := range sc.Entities {
			if es.Name == name {
				s.Entity = es
			}
		}
		if s.Entity == nil {
			r.errorf(entityNode, field+".entity", "no entity set named %q", name)
		}
	} else {
		r.errorf(n, field+".entity", "missing: the entity set whose events the stream holds")
	}
	if s.Index == "" {
		r.errorf(n, field+".index", "missing: the index the stream's documents go to")
	}
	if queryNode == nil {
		r.errorf(n, field+".query", "missing: a KQL or EQL query the stream's events satisfy")
	} else {
		s.pos = at{queryNode, field + ".query"}
		q, err := query.Parse(s.Query, s.Lang)
		if err != nil {
			r.queryError(queryNode, field+".query", err)
		}
		s.query = q
	}
	e := s.env(false)
	if fieldsNode != nil {
		s.base = r.fields(fieldsNode, field+".fields", e)
	}
	if variantsNode != nil {
		for i, vn := range r.list(variantsNode, field+".variants") {
			p := fmt.Sprintf("%s.variants[%d]", field, i)
			v := &Variant{Weight: 1}
			var vf []fieldT
			r.mapping(vn, p, []string{"name", "weight", "fields"}, func(key string, k, x *yaml.Node, path string) {
				switch key {
				case "name":
					v.Name = r.str(x, path)
				case "weight":
					v.Weight = r.number(x, path, 0, 1e9)
				case "fields":
					vf = r.fields(x, path, e)
				}
			})
			if v.Name == "" {
				v.Name = fmt.Sprintf("variant-%d", i+1)
			}
			if s.variant(v.Name) != nil {
				r.errorf(vn, p+".name", "a variant named %q exists already", v.Name)
			}
			v.fields = over(s.base, vf)
			s.Variants = append(s.Variants, v)
		}
	}
	if len(s.Variants) == 0 {
		s.Variants = []*Variant{{Name: "default", Weight: 1, fields: over(s.base, nil)}}
	}
	s.Arrival = Arrival{Events: ConstCount(1), Gap: ConstDuration(time.Minute), Profile: flat}
	if arrivalNode == nil {
		r.errorf(n, field+".arrival", "missing: how the stream's events arrive (sessions or rate)")
	} else {
		r.arrival(arrivalNode, field+".arrival", s)
	}
	return s
}

func (s *Stream) env(injection bool) *env {
	e := &env{injection: injection, attrs: map[string]*attribute{}}
	if s.Entity != nil {
		e.kind = s.Entity.Kind
		e.attrs = s.Entity.attrByName
	}
	return e
}

func (s *Stream) variant(name string) *Variant {
	for _, v := range s.Variants {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// queryError reports a query's syntax error at its place in the file.
func (r *reader) queryError(n *yaml.Node, field string, err error) {
	var se *source.Error
	if !errors.As(err, &se) || !se.Pos.IsValid() {
		r.errorf(n, field, "%v", err)
		return
	}
	line, col := n.Line+se.Pos.Line-1, se.Pos.Col
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		line++
		col += n.Column + 1 // the block's indentation, roughly
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		if se.Pos.Line == 1 {
			col += n.Column
		}
	default:
		if se.Pos.Line == 1 {
			col += n.Column - 1
		}
	}
	r.errs = append(r.errs, &Error{File: r.file, Pos: source.Pos{Line: line, Col: col}, Field: field, Msg: se.Msg, Src: r.src})
}

func (r *reader) variantRef(n *yaml.Node, field string, s *Stream) *Variant {
	name := r.str(n, field)
	v := s.variant(name)
	if v == nil && name != "" {
		names := make([]string, len(s.Variants))
		for i, x := range s.Variants {
			names[i] = x.Name
		}
		r.errorf(n, field, "stream %s has no variant %q (it has %s)", s.Name, name, strings.Join(names, ", "))
	}
	return v
}

func (r *reader) arrival(n *yaml.Node, field string, s *Stream) {
	a := &s.Arrival
	var sessNode, rateNode, eventsNode *yaml.Node
	r.mapping(n, field, []string{"sessions", "rate", "events", "gap", "first", "rest", "markov", "profile"}, func(key string, k, v *yaml.Node, path string) {
		switch key {
		case "sessions":
			c := r.count(v, path, 0)
			a.Sessions, sessNode = &c, v
		case "rate":
			a.Rate, rateNode = r.rate(v, path), v
		case "events":
			a.Events, eventsNode = r.count(v, path, 1), v
		case "gap":
			a.Gap = r.duration(v, path)
		case "first", "rest":
			var vs []*Variant
			for i, x := range r.list(v, path) {
				if vr := r.variantRef(x, fmt.Sprintf("%s[%d]", path, i), s); vr != nil {
					vs = append(vs, vr)
				}
			}
			if key == "first" {
				a.First = vs
			} else {
				a.Rest = vs
			}
		case "markov":
			a.Markov = r.markov(v, path, s)
		case "profile":
			a.Profile = r.profile(v, path)
		}
	})
	switch {
	case sessNode != nil && rateNode != nil:
		r.errorf(rateNode, field+".rate", "give sessions (a count per entity over the window) or rate (per entity), not both")
	case sessNode == nil && rateNode == nil:
		r.errorf(n, field, "missing: sessions (a count per entity over the window) or rate (3/day)")
	}
	if a.Markov != nil && (a.First != nil || a.Rest != nil) {
		r.errorf(n, field+".markov", "a markov chain decides the variants: leave out first and rest")
	}
	if a.Markov != nil && eventsNode == nil {
		a.Events = ConstCount(50) // the chain ends sessions; this caps them
	}
}

func (r *reader) markov(n *yaml.Node, field string, s *Stream) *Markov {
	m := &Markov{Start: map[*Variant]float64{}, Next: map[*Variant]map[*Variant]float64{}}
	weights := func(v *yaml.Node, path string, end bool) map[*Variant]float64 {
		out := map[*Variant]float64{}
		r.mapping(v, path, nil, func(name string, k, x *yaml.Node, p string) {
			w := r.number(x, p, 0, 1e9)
			if end && name == "end" {
				out[nil] = w
				return
			}
			if vr := r.variantRef(k, p, s); vr != nil {
				out[vr] = w
			}
		})
		return out
	}
	r.mapping(n, field, []string{"start", "next"}, func(key string, k, v *yaml.Node, path string) {
		switch key {
		case "start":
			m.Start = weights(v, path, false)
		case "next":
			r.mapping(v, path, nil, func(name string, k, x *yaml.Node, p string) {
				if from := r.variantRef(k, p, s); from != nil {
					m.Next[from] = weights(x, p, true)
				}
			})
		}
	})
	if len(m.Start) == 0 {
		r.errorf(n, field+".start", "missing: the weights of the first variant of a session")
	}
	m.order = append([]*Variant(nil), s.Variants...)
	return m
}

func (r *reader) injection(n *yaml.Node, field string, sc *Scenario) *Injection {
	inj := &Injection{pos: at{n, field}, Speed: 1000, Delay: Duration{Min: time.Minute, Max: 3 * time.Minute, kind: 'u'},
		Failures: Count{Min: 10, Max: 30, kind: 'u'}, Targets: Count{Min: 10, Max: 30, kind: 'u'},
		Length: Count{Min: 3, Max: 6, kind: 'u'}, Events: ConstCount(1),
		Interval: Duration{Min: time.Second, Max: 5 * time.Second, kind: 'u'}}
	var kindNode, streamNode, fieldsNode *yaml.Node
	var variantNode, failureNode, successNode *yaml.Node
	var when []string
	r.mapping(n, field, []string{"name", "kind", "stream", "probability", "rate", "count", "at", "delay", "speed",
		"failures", "targets", "length", "events", "successes", "interval", "variant", "failure", "success", "fields"},
		func(key string, k, v *yaml.Node, path string) {
			switch key {
			case "name":
				inj.Name = r.str(v, path)
			case "kind":
				inj.Kind, kindNode = r.str(v, path), v
			case "stream":
				streamNode = v
			case "probability":
				inj.Probability = r.number(v, path, 0, 1)
				when = append(when, key)
			case "rate":
				inj.Rate = r.rate(v, path)
				when = append(when, key)
			case "count":
				c := r.count(v, path, 0)
				inj.Count = &c
				when = append(when, key)
			case "at":
				for i, x := range r.list(v, path) {
					t, err := time.Parse(time.RFC3339Nano, r.str(x, path))
					if err != nil {
						r.errorf(x, fmt.Sprintf("%s[%d]", path, i), "want an RFC 3339 time (2024-05-01T10:00:00Z)")
						continue
					}
					inj.At = append(inj.At, t.UTC())
				}
				when = append(when, key)
			case "delay":
				inj.Delay = r.duration(v, path)
			case "speed":
				inj.Speed = r.number(v, path, 1, 1e6)
			case "failures":
				inj.Failures = r.count(v, path, 1)
			case "targets":
				inj.Targets = r.count(v, path, 1)
			case "length":
				inj.Length = r.count(v, path, 2)
			case "events":
				inj.Events = r.count(v, path, 1)
			case "successes":
				inj.Successes = r.integer(v, path, 0)
			case "interval":
				inj.Interval = r.duration(v, path)
			case "variant":
				variantNode = v
			case "failure":
				failureNode = v
			case "success":
				successNode = v
			case "fields":
				fieldsNode = v
			}
		})
	if !contains(injectionKinds, inj.Kind) {
		r.errorf(orNode(kindNode, n), field+".kind", "unknown kind %q (want %s)", inj.Kind, strings.Join(injectionKinds, ", "))
		return nil
	}
	if inj.Name == "" {
		inj.Name = inj.Kind
	}
	switch {
	case len(when) > 1:
		r.errorf(n, field, "give one of probability, rate, count and at, not %s", strings.Join(when, " and "))
	case len(when) == 0:
		r.errorf(n, field, "missing: when the injection happens (probability per session, rate, count or at)")
	case inj.Kind == ImpossibleTravel && when[0] != "probability":
		r.errorf(n, field, "an impossible travel follows sessions of its stream: give probability (per session)")
	case inj.Kind != ImpossibleTravel && when[0] == "probability":
		r.errorf(n, field+".probability", "only impossible_travel happens per session: give rate, count or at")
	}
	if inj.Kind == Rules {
		if streamNode != nil || fieldsNode != nil {
			r.errorf(n, field, "rule matches come from the rules given with --rules: leave out stream and fields")
		}
		return inj
	}
	if streamNode == nil {
		r.errorf(n, field+".stream", "missing: the stream whose events the injection makes")
		return nil
	}
	name := r.str(streamNode, field+".stream")
	for _, s := range sc.Streams {
		if s.Name == name {
			inj.Stream = s
		}
	}
	if inj.Stream == nil {
		r.errorf(streamNode, field+".stream", "no stream named %q", name)
		return nil
	}
	s := inj.Stream
	if variantNode != nil {
		inj.Variant = r.variantRef(variantNode, field+".variant", s)
	}
	if failureNode != nil {
		inj.Failure = r.variantRef(failureNode, field+".failure", s)
	}
	if successNode != nil {
		inj.Success = r.variantRef(successNode, field+".success", s)
	}
	switch inj.Kind {
	case BruteForce, PasswordSpray:
		if failureNode == nil {
			r.errorf(n, field+".failure", "missing: the stream's variant of a failed logon")
		}
		if successNode == nil && (inj.Kind == BruteForce || inj.Successes > 0) {
			r.errorf(n, field+".success", "missing: the stream's variant of a successful logon")
		}
	case AnomalousSequence:
		if s.Arrival.Markov == nil {
			r.errorf(streamNode, field+".stream", "stream %s has no markov chain: an anomalous sequence needs the background's transitions", s.Name)
		}
	case ImpossibleTravel:
		if s.Entity != nil && s.Entity.Kind != "user" {
			r.errorf(streamNode, field+".stream", "impossible travel happens to users: stream %s is of %ss", s.Name, s.Entity.Kind)
		}
	}
	if fieldsNode != nil {
		inj.fields = r.fields(fieldsNode, field+".fields", s.env(true))
	}
	return inj
}

// Schema is base with the scenario's field types over it.
func (sc *Scenario) Schema(base *schema.Schema) *schema.Schema {
	if len(sc.Types) == 0 {
		return base
	}
	s := base.Clone()
	names := make([]string, 0, len(sc.Types))
	for n := range sc.Types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s.Set(schema.Field{Name: n, Type: sc.Types[n], Known: true})
	}
	return s
}

// jsonOf is the JSON of a value YAML decoded.
func jsonOf(v any) ([]byte, error) { return json.Marshal(normalize(v)) }

func orNode(a, b *yaml.Node) *yaml.Node {
	if a != nil {
		return a
	}
	return b
}
