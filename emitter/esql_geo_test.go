package emitter_test

import (
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/es/geo"
	"github.com/emit-sec/emit/query"
	"github.com/emit-sec/emit/telemetry"
)

// travelQuery is the shape of detection-rules' impossible travel rules:
// per user and region a place, the box of the places, the distance
// between its corners and the speed it takes.
const travelQuery = `FROM logs-azure.signinlogs-* | WHERE event.outcome == "success" AND source.geo.location IS NOT NULL
| STATS lat = AVG(ST_Y(source.geo.location)), lon = AVG(ST_X(source.geo.location)), seen = MIN(@timestamp) BY user.name, source.geo.country_name, source.geo.region_name
| STATS lat0 = MIN(lat), lat1 = MAX(lat), lon0 = MIN(lon), lon1 = MAX(lon), t0 = MIN(seen), t1 = MAX(seen), regions = COUNT_DISTINCT(source.geo.region_name) BY user.name
| WHERE regions >= 2 AND regions <= 5
| EVAL km = ROUND(ST_DISTANCE(TO_GEOPOINT(CONCAT("POINT(", TO_STRING(lon0), " ", TO_STRING(lat0), ")")), TO_GEOPOINT(CONCAT("POINT(", TO_STRING(lon1), " ", TO_STRING(lat1), ")"))) / 1000.0, 0),
       minutes = DATE_DIFF("minute", t0, t1), kmh = CASE(minutes > 0, ROUND(km * 60.0 / minutes, 0), null)
| WHERE km >= 500 AND kmh >= 800`

type geoDoc struct {
	Time   time.Time             `json:"@timestamp"`
	User   struct{ Name string } `json:"user"`
	Source struct {
		Geo struct {
			City     string `json:"city_name"`
			Country  string `json:"country_name"`
			ISO      string `json:"country_iso_code"`
			Region   string `json:"region_name"`
			Location struct{ Lat, Lon float64 }
		} `json:"geo"`
	} `json:"source"`
}

// TestESQLGeoPlaces: the documents of an impossible travel are at real
// cities, each document's geo fields those of its city, the places at
// least the query's 500 km apart, one after the other in time, the speed
// above the query's, the group in the query's window (the evaluator
// confirmed each group before it was returned).
func TestESQLGeoPlaces(t *testing.T) {
	end := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, minimal := range []bool{false, true} {
		e := emitter.New(emitter.Options{Seed: 3, End: end, Minimal: minimal})
		if _, err := e.AddQuery(travelQuery, query.ESQL); err != nil {
			t.Fatal(err)
		}
		cities := map[[2]float64]telemetry.City{}
		for _, c := range e.Population().V.Cities {
			cities[[2]float64{c.Lat, c.Lon}] = c
		}
		for i := 0; i < 20; i++ {
			docs, err := e.Next()
			if err != nil {
				t.Fatal(err)
			}
			var ds []geoDoc
			for _, d := range docs {
				var g geoDoc
				if err := json.Unmarshal(d.Source, &g); err != nil {
					t.Fatal(err)
				}
				ds = append(ds, g)
			}
			sort.SliceStable(ds, func(a, b int) bool { return ds[a].Time.Before(ds[b].Time) })
			// The places in time order: each city's documents together.
			var order []string
			for _, d := range ds {
				g := d.Source.Geo
				c, ok := cities[[2]float64{g.Location.Lat, g.Location.Lon}]
				if !ok {
					t.Fatalf("group %d: %+v is not at one of the population's cities", i, g)
				}
				// With --minimal, the geo fields the query reads.
				if minimal && (g.City != "" || g.ISO != "") {
					t.Errorf("group %d: minimal documents with fields the query does not read: %+v", i, g)
				}
				if !minimal && (g.City != c.City || g.ISO != c.ISO) || g.Country != c.Country || g.Region != c.Region {
					t.Errorf("group %d: geo fields %+v are not those of %+v", i, g, c)
				}
				if d.User.Name != ds[0].User.Name {
					t.Errorf("group %d: users %q and %q", i, d.User.Name, ds[0].User.Name)
				}
				if d.Time.After(end) || d.Time.Before(end.Add(-90*time.Minute)) {
					t.Errorf("group %d: %s outside the window", i, d.Time)
				}
				if len(order) == 0 || order[len(order)-1] != c.City {
					order = append(order, c.City)
				}
			}
			seen := map[string]bool{}
			for _, c := range order {
				if seen[c] {
					t.Errorf("group %d: back in %s: %v", i, c, order)
				}
				seen[c] = true
			}
			if len(order) < 2 {
				t.Fatalf("group %d: one place: %v", i, order)
			}
			byName := map[string]telemetry.City{}
			for _, c := range cities {
				byName[c.City] = c
			}
			a, b := byName[order[0]], byName[order[1]]
			if d := geo.Distance(a.Lat, a.Lon, b.Lat, b.Lon); d < 500e3 {
				t.Errorf("group %d: %s and %s are %.0f m apart", i, a.City, b.City, d)
			}
		}
	}
}
