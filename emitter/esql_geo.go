package emitter

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emit-sec/emit/es/geo"
	"github.com/emit-sec/emit/parser/esql"
	"github.com/emit-sec/emit/solver"
	"github.com/emit-sec/emit/telemetry"
)

// Distances between geo points (esql.GeoNeed): the generator puts the
// documents at real places, the population's cities, and keeps each
// document's geo fields (city, region, country, ISO code) those of the
// place its location is. Documents that share the keys of the query's
// first STATS are at one place; a condition that wants the points apart
// puts the places at least its distance apart, one after the other in
// time (a user seen in one city, then in the next), and draws the time
// between them again on each attempt (the span of the group, within the
// room the window leaves), so that a speed the query computes from the
// distance and the time comes out as it asks; the evaluator judges.

// defaultApart is how far apart places are when a condition wants them
// apart without saying how far (a speed computed from the distance).
const defaultApart = 1000e3 // meters

// geoSiblings are the fields of a geo object that follow the place, with
// the city's value of each.
var geoSiblings = []struct {
	name string
	of   func(c *telemetry.City) string
}{
	{"city_name", func(c *telemetry.City) string { return c.City }},
	{"country_iso_code", func(c *telemetry.City) string { return c.ISO }},
	{"country_name", func(c *telemetry.City) string { return c.Country }},
	{"region_name", func(c *telemetry.City) string { return c.Region }},
}

// geoPrefix is the geo object of a geo_point field named like ECS's
// (source.geo.location: source.geo); "" for other names.
func geoPrefix(field string) string {
	prefix, ok := strings.CutSuffix(field, ".location")
	if !ok || !strings.HasSuffix(prefix, "geo") {
		return ""
	}
	return prefix
}

// geoFields lists the fields the placement sets for the plan's needs.
func geoFields(p *esql.Plan) []string {
	var out []string
	for _, n := range p.Geo {
		for _, f := range n.Fields {
			out = append(out, f)
			if prefix := geoPrefix(f); prefix != "" {
				for _, s := range geoSiblings {
					out = append(out, prefix+"."+s.name)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// geoNeed is the needs of one field merged: apart (the largest least
// distance, the least most) or together.
type geoNeed struct {
	fields   []string
	far      bool
	min, max float64
	anchor   *esql.GeoPoint
	keys     []string
}

func mergeNeeds(ns []esql.GeoNeed) []geoNeed {
	var out []geoNeed
	for _, n := range ns {
		i := slices.IndexFunc(out, func(m geoNeed) bool {
			return slices.Equal(m.fields, n.Fields) && m.far == n.Far && (m.anchor == nil) == (n.Anchor == nil) && (m.anchor == nil || *m.anchor == *n.Anchor)
		})
		if i < 0 {
			out = append(out, geoNeed{fields: n.Fields, far: n.Far, min: n.Min, max: n.Max, anchor: n.Anchor, keys: n.Keys})
			continue
		}
		out[i].min = math.Max(out[i].min, n.Min)
		out[i].max = math.Min(out[i].max, n.Max)
	}
	return out
}

// place is where a set of documents' field puts them.
type place struct {
	field string
	docs  []int
	// drawn are the values the solver drew for the geo object's fields
	// (of the first document).
	drawn map[string]string
}

// placeGeo meets the plan's distance needs in the match's documents.
func (g *esqlGen) placeGeo(m *solver.Match) {
	if len(g.plan.Geo) == 0 || len(g.cities) == 0 || len(m.Docs) == 0 {
		return
	}
	for _, n := range mergeNeeds(g.plan.Geo) {
		units := g.units(m, n.keys)
		var places []place
		for _, f := range n.fields {
			for _, u := range units {
				places = append(places, place{field: f, docs: u, drawn: drawnGeo(&m.Docs[u[0]], f)})
			}
		}
		cities, ok := g.chooseCities(n, places)
		if !ok {
			continue // the evaluator finds no row, and says so
		}
		for i, p := range places {
			for _, d := range p.docs {
				g.setPlace(&m.Docs[d], p.field, cities[i], n.anchor)
			}
		}
		if n.far && n.anchor == nil && len(units) > 1 {
			g.travel(m, units)
		}
	}
}

// units groups the documents by their values of keys (each document its
// own unit without keys), in order of their first document.
func (g *esqlGen) units(m *solver.Match, keys []string) [][]int {
	if len(keys) == 0 {
		out := make([][]int, len(m.Docs))
		for i := range m.Docs {
			out[i] = []int{i}
		}
		return out
	}
	var out [][]int
	index := map[string]int{}
	for i := range m.Docs {
		d := &m.Docs[i]
		var b strings.Builder
		for _, k := range keys {
			if j := slices.Index(d.Fields, k); j >= 0 {
				b.Write(d.Values[j])
			}
			b.WriteByte(0)
		}
		k := b.String()
		if u, ok := index[k]; ok {
			out[u] = append(out[u], i)
			continue
		}
		index[k] = len(out)
		out = append(out, []int{i})
	}
	return out
}

// drawnGeo reads the values a document holds for the geo object of field.
func drawnGeo(d *solver.Doc, field string) map[string]string {
	prefix := geoPrefix(field)
	if prefix == "" {
		return nil
	}
	out := map[string]string{}
	for _, s := range geoSiblings {
		if j := slices.Index(d.Fields, prefix+"."+s.name); j >= 0 {
			var v string
			if json.Unmarshal(d.Values[j], &v) == nil {
				out[s.name] = v
			}
		}
	}
	return out
}

// chooseCities picks a city per place (nil for the anchor itself): apart
// or together as the need asks, each place preferring a city whose values
// are those the solver drew for its geo fields (a value the query names),
// and places of different keys at cities that differ in the keys' geo
// fields.
func (g *esqlGen) chooseCities(n geoNeed, places []place) ([]*telemetry.City, bool) {
	keyed := map[string]bool{} // geo fields that are keys
	for _, k := range n.keys {
		for _, p := range places {
			if prefix := geoPrefix(p.field); prefix != "" {
				if name, ok := strings.CutPrefix(k, prefix+"."); ok {
					keyed[name] = true
				}
			}
		}
	}
	order := g.rng.Perm(len(g.cities))
	prefer := func(p place) []int {
		var hit, rest []int
		for _, i := range order {
			if matchesDrawn(&g.cities[i], p.drawn) {
				hit = append(hit, i)
			} else {
				rest = append(rest, i)
			}
		}
		return append(hit, rest...)
	}
	dist := func(a, b *telemetry.City) float64 { return geo.Distance(a.Lat, a.Lon, b.Lat, b.Lon) }
	out := make([]*telemetry.City, len(places))
	if n.anchor != nil {
		for i, p := range places {
			for _, j := range prefer(p) {
				c := &g.cities[j]
				if d := geo.Distance(c.Lat, c.Lon, n.anchor.Lat, n.anchor.Lon); d >= n.min && d <= n.max {
					out[i] = c
					break
				}
			}
			if out[i] == nil && (n.far || n.min > 0) {
				return nil, false
			}
		}
		return out, true // nil: the anchor itself
	}
	if !n.far {
		// Together: one city for every place.
		c := &g.cities[prefer(places[0])[0]]
		for i := range out {
			out[i] = c
		}
		return out, n.min <= 0
	}
	apart := n.min
	if apart <= 0 {
		apart = defaultApart
	}
	for i, p := range places {
		for _, j := range prefer(p) {
			c := &g.cities[j]
			ok := true
			for _, o := range out[:i] {
				if d := dist(c, o); d < apart || d > n.max || differsNot(c, o, keyed) {
					ok = false
					break
				}
			}
			if ok {
				out[i] = c
				break
			}
		}
		if out[i] == nil {
			return nil, false
		}
	}
	return out, true
}

// matchesDrawn: the city has each value drawn that some city has.
func matchesDrawn(c *telemetry.City, drawn map[string]string) bool {
	for _, s := range geoSiblings {
		if v, ok := drawn[s.name]; ok && v != s.of(c) {
			return false
		}
	}
	return true
}

// differsNot: two cities agree on a geo field that is a key (they would
// make one group).
func differsNot(a, b *telemetry.City, keyed map[string]bool) bool {
	if a == b {
		return true
	}
	for _, s := range geoSiblings {
		if keyed[s.name] && s.of(a) == s.of(b) {
			return true
		}
	}
	return false
}

// setPlace puts a document's field at the city (at the anchor without
// one) and its geo object's fields with it (with Options.Minimal, those
// the query reads).
func (g *esqlGen) setPlace(d *solver.Doc, field string, c *telemetry.City, anchor *esql.GeoPoint) {
	lat, lon := 0.0, 0.0
	switch {
	case c != nil:
		lat, lon = c.Lat, c.Lon
	case anchor != nil:
		lat, lon = anchor.Lat, anchor.Lon
	}
	names := []string{field}
	values := [][]byte{[]byte(`{"lat":` + strconv.FormatFloat(lat, 'f', -1, 64) + `,"lon":` + strconv.FormatFloat(lon, 'f', -1, 64) + `}`)}
	if prefix := geoPrefix(field); prefix != "" && c != nil {
		for _, s := range geoSiblings {
			name := prefix + "." + s.name
			if g.minimal && !slices.Contains(g.plan.Reads, name) {
				continue
			}
			v, _ := json.Marshal(s.of(c))
			names, values = append(names, name), append(values, v)
		}
	}
	d.Fields, d.Values = mergeFields(d.Fields, d.Values, names, values)
}

// travelGaps are the times between one place's first document and the
// next's tried after those drawn, in order (within the room the window
// leaves).
var travelGaps = []time.Duration{2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 70 * time.Second, 5 * time.Minute, time.Hour}

// travel orders the documents so that each place's come after the one
// before's, and from the second attempt on, puts one of travelGaps
// between the places' first documents.
func (g *esqlGen) travel(m *solver.Match, units [][]int) {
	offs := make([]time.Duration, len(m.Docs))
	for i := range m.Docs {
		offs[i] = m.Docs[i].Offset
	}
	slices.Sort(offs)
	k := 0
	for _, u := range units {
		for _, d := range u {
			m.Docs[d].Offset = offs[k]
			k++
		}
	}
	if g.attempt == 0 {
		return
	}
	gap := travelGaps[(g.attempt-1)%len(travelGaps)]
	room := g.room
	if room <= 0 {
		room = offs[len(offs)-1]
	}
	// The last place's documents take half a gap.
	gap = min(gap, room*2/time.Duration(2*len(units)-1))
	if gap <= 0 {
		return
	}
	for i, u := range units {
		for j, d := range u {
			m.Docs[d].Offset = time.Duration(i)*gap + time.Duration(j)*(gap/2)/time.Duration(len(u))
		}
	}
}
