package scenario

import (
	"fmt"
	"hash/fnv"
	"math"
	"time"

	"github.com/emit-sec/emit/es/geo"
	"github.com/emit-sec/emit/telemetry"
)

// Distance is the distance in kilometres between two points as
// Elasticsearch measures it (es/geo: ST_DISTANCE's haversine).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	return geo.Distance(lat1, lon1, lat2, lon2) / 1000
}

// cityDistance is the distance between two cities.
func cityDistance(a, b *telemetry.City) float64 { return Distance(a.Lat, a.Lon, b.Lat, b.Lon) }

// Speed is the speed in km/h that travelling d kilometres in dt takes
// (+Inf for a distance in no time).
func Speed(km float64, dt time.Duration) float64 {
	if km == 0 {
		return 0
	}
	if dt <= 0 {
		return math.Inf(1)
	}
	return km / dt.Hours()
}

// cityIP is a public IPv4 address in one of the city's networks, the same
// for the same key: each city gets a few /16 networks (derived from its
// name, outside the private, shared, loopback, link-local, multicast and
// documentation ranges), and a user keeps their address in a city.
func cityIP(c *telemetry.City, key uint64) string {
	h := fnv.New64a()
	h.Write([]byte(c.City))
	h.Write([]byte(c.ISO))
	base := h.Sum64()
	net := splitmix(base + key%4)
	a := byte(net>>8)%222 + 1 // 1–222: below multicast
	b := byte(net)
	for !publicNet(a, b) {
		net = splitmix(net)
		a, b = byte(net>>8)%222+1, byte(net)
	}
	host := splitmix(base ^ key)
	return fmt.Sprintf("%d.%d.%d.%d", a, b, byte(host>>8), 1+byte(host)%254)
}

// publicNet reports whether a.b.0.0/16 is public unicast space.
func publicNet(a, b byte) bool {
	switch {
	case a == 10, a == 127, a == 0:
		return false
	case a == 100 && b >= 64 && b < 128: // shared address space
		return false
	case a == 169 && b == 254, a == 172 && b >= 16 && b < 32, a == 192 && b == 168:
		return false
	case a == 192 && b == 0, a == 198 && (b == 18 || b == 19 || b == 51), a == 203 && b == 0:
		return false
	}
	return true
}

// splitmix is SplitMix64's finaliser: a well-mixed hash of x.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
