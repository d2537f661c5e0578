package telemetry

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// Host is a machine of the population.
type Host struct {
	Name     string // host.name: the short name, lower case
	Hostname string // host.hostname
	ID       string // host.id
	IP       string // host.ip, a private address
	MAC      string // host.mac, ECS's upper-case, hyphen-separated form
	Arch     string // host.architecture
	OS       OS
	Release  *OSRelease
	Domain   string // the Active Directory domain (Windows) or DNS domain
	// Users who log on here, the primary user first (none for servers
	// used only by service accounts).
	Users []int
}

// User is a person or service account of the population.
type User struct {
	Name     string // user.name as the host's OS shows it: jsmith, root
	FullName string // user.full_name
	Email    string // user.email
	Domain   string // user.domain: the AD domain on Windows
	SID      string // user.id on Windows
	UID      string // user.id on Linux and macOS
	Service  bool
	Hosts    []int // the hosts the user uses, their own first
	Cities   []int // 1–3 home locations (indices into Vocabulary.Cities)
}

// ID is user.id as an event on a host of OS o shows it: a SID on Windows,
// a uid elsewhere.
func (u *User) ID(o OS) string {
	if o == Windows {
		return u.SID
	}
	return u.UID
}

// Population is the hosts and users a run draws its events from: a small
// population seen again and again, as in real telemetry, with a skewed
// frequency (a few busy hosts and users, a long tail).
type Population struct {
	V     *Vocabulary
	Hosts []Host
	Users []User
	// domainSID per AD domain: the users of a domain share it.
	domainSID map[string]string

	namesOnce    sync.Once
	hostNameList []string
	userNameList []string
	byOS         [3][]int // host indices per OS

	// dirs caches the directory prefixes of events, per OS and user
	// (they hold the user's home).
	dirsMu sync.Mutex
	dirs   map[dirsKey][]string
}

type dirsKey struct {
	os       OS
	user     string
	programs bool
}

// cachedDirs returns the prefixes for key, building them once.
func (p *Population) cachedDirs(key dirsKey, build func() []string) []string {
	p.dirsMu.Lock()
	defer p.dirsMu.Unlock()
	if d, ok := p.dirs[key]; ok {
		return d
	}
	if p.dirs == nil {
		p.dirs = map[dirsKey][]string{}
	}
	d := build()
	p.dirs[key] = d
	return d
}

// Default population sizes.
const (
	DefaultHosts = 25
	DefaultUsers = 40
)

// NewPopulation draws a population of hosts and users from the
// vocabulary; the same seed gives the same population.
func NewPopulation(v *Vocabulary, seed uint64, hosts, users int) *Population {
	if hosts <= 0 {
		hosts = DefaultHosts
	}
	if users <= 0 {
		users = DefaultUsers
	}
	r := rand.New(rand.NewPCG(seed, 0x706f70756c617465))
	p := &Population{V: v, domainSID: map[string]string{}}
	ad := v.Domains.AD[0]
	p.domainSID[ad] = fmt.Sprintf("S-1-5-21-%d-%d-%d", 1000000000+r.Uint32N(3000000000), 1000000000+r.Uint32N(3000000000), 1000000000+r.Uint32N(3000000000))
	dns := v.Domains.DNS[0]
	email := v.Domains.Email[0]
	// Users: people (first.last) and a few service accounts.
	seen := map[string]bool{}
	retries := 0
	for len(p.Users) < users {
		u := User{Domain: ad}
		if len(p.Users) > 0 && r.IntN(10) == 0 {
			u.Service = true
			accounts := v.ServiceAccounts["windows"]
			u.Name = accounts[r.IntN(len(accounts))]
			u.FullName = u.Name
		} else {
			first := v.FirstNames[r.IntN(len(v.FirstNames))]
			last := v.LastNames[r.IntN(len(v.LastNames))]
			u.Name = first[:1] + last
			u.FullName = title(first) + " " + title(last)
			u.Email = first + "." + last + "@" + email
		}
		if seen[u.Name] {
			// A large population runs out of distinct names: after a
			// few redraws, people are numbered (jsmith2), as directories
			// number them.
			if retries++; u.Service || retries < 20 {
				continue
			}
			base, mail := u.Name, strings.TrimSuffix(u.Email, "@"+email)
			for k := 2; seen[u.Name]; k++ {
				u.Name = base + strconv.Itoa(k)
				u.Email = mail + strconv.Itoa(k) + "@" + email
			}
		}
		retries = 0
		seen[u.Name] = true
		rid := 1100 + len(p.Users)
		u.SID = p.domainSID[ad] + "-" + strconv.Itoa(rid)
		u.UID = strconv.Itoa(1000 + len(p.Users))
		for n := 1 + r.IntN(3); len(u.Cities) < n; {
			c := r.IntN(len(v.Cities))
			if len(u.Cities) == 0 || u.Cities[len(u.Cities)-1] != c {
				u.Cities = append(u.Cities, c)
			}
		}
		p.Users = append(p.Users, u)
	}
	// Hosts: workstations of users (Windows and macOS) and servers
	// (Windows and Linux), each with a consistent operating system.
	names := map[string]bool{}
	for len(p.Hosts) < hosts {
		h := Host{Arch: "x86_64", Domain: dns}
		switch x := r.IntN(10); {
		case x < 5:
			h.OS = Windows
		case x < 8:
			h.OS = Linux
		default:
			h.OS = MacOS
			h.Arch = "arm64"
		}
		h.Release = pickRelease(r, v.OS[h.OS.String()])
		var owner *User
		if len(p.Users) > 0 {
			i := r.IntN(len(p.Users))
			if !p.Users[i].Service {
				owner = &p.Users[i]
				h.Users = append(h.Users, i)
			}
		}
		h.Name = hostName(r, v, h.OS, owner)
		if names[h.Name] {
			continue
		}
		names[h.Name] = true
		h.Hostname = h.Name
		if h.OS == Linux && r.IntN(2) == 0 {
			h.Hostname = h.Name + "." + dns
		}
		h.ID = Hex(r, 32)
		h.IP = fmt.Sprintf("10.%d.%d.%d", 1+r.IntN(40), r.IntN(256), 2+r.IntN(250))
		h.MAC = fmt.Sprintf("00-50-56-%02X-%02X-%02X", r.IntN(256), r.IntN(256), r.IntN(256))
		// Other users log on now and then.
		for k := r.IntN(3); k > 0 && len(p.Users) > 0; k-- {
			h.Users = append(h.Users, r.IntN(len(p.Users)))
		}
		p.Hosts = append(p.Hosts, h)
	}
	for i := range p.Hosts {
		for _, u := range p.Hosts[i].Users {
			p.Users[u].Hosts = append(p.Users[u].Hosts, i)
		}
	}
	return p
}

func pickRelease(r *rand.Rand, rs []OSRelease) *OSRelease {
	total := 0
	for _, x := range rs {
		total += max(x.Weight, 1)
	}
	n := r.IntN(total)
	for i := range rs {
		if n -= max(rs[i].Weight, 1); n < 0 {
			return &rs[i]
		}
	}
	return &rs[len(rs)-1]
}

// hostName fills a name pattern of the OS: {n} a number, {n2} two digits,
// {n3} three, {hex6} six hex digits, {first} the owner's first name.
func hostName(r *rand.Rand, v *Vocabulary, o OS, owner *User) string {
	pats := v.HostNames[o.String()]
	pat := pats[r.IntN(len(pats))]
	first := "user"
	if owner != nil {
		first = strings.ToLower(strings.Fields(owner.FullName)[0])
	}
	var b strings.Builder
	for i := 0; i < len(pat); {
		if pat[i] == '{' {
			if j := strings.IndexByte(pat[i:], '}'); j > 0 {
				switch pat[i+1 : i+j] {
				case "n":
					b.WriteString(strconv.Itoa(1 + r.IntN(254)))
				case "n2":
					fmt.Fprintf(&b, "%02d", 1+r.IntN(40))
				case "n3":
					fmt.Fprintf(&b, "%03d", 1+r.IntN(400))
				case "hex6":
					b.WriteString(strings.ToUpper(Hex(r, 6)))
				case "first":
					b.WriteString(first)
				}
				i += j + 1
				continue
			}
		}
		b.WriteByte(pat[i])
		i++
	}
	name := b.String()
	if o != Windows {
		name = strings.ToLower(name)
	}
	return name
}

// Hex is n random lower-case hex digits (ids, hashes, logon ids).
func Hex(r *rand.Rand, n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[r.IntN(16)]
	}
	return string(b)
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// zipf draws an index below n with a skewed frequency: the first indices
// often, the tail now and then.
func zipf(r *rand.Rand, n int) int {
	if n <= 1 {
		return 0
	}
	// The cube of a uniform draw: the first tenth of the indices gets
	// 46% of the draws, the first half 79%, and every index some.
	u := r.Float64()
	x := int(float64(n) * u * u * u)
	return min(x, n-1)
}

// Host draws a host with a skewed frequency.
func (p *Population) Host(r *rand.Rand) *Host { return &p.Hosts[zipf(r, len(p.Hosts))] }

// User draws a user of host h: mostly its primary user, else one who logs
// on there, else anyone (skewed).
func (p *Population) User(r *rand.Rand, h *Host) *User {
	if h != nil && len(h.Users) > 0 && r.IntN(10) < 8 {
		if r.IntN(10) < 7 {
			return &p.Users[h.Users[0]]
		}
		return &p.Users[h.Users[r.IntN(len(h.Users))]]
	}
	return &p.Users[zipf(r, len(p.Users))]
}

// FindHost returns the host with the given name, hostname, id or IP.
func (p *Population) FindHost(field, value string) *Host {
	for i := range p.Hosts {
		h := &p.Hosts[i]
		switch field {
		case "host.name":
			if strings.EqualFold(h.Name, value) {
				return h
			}
		case "host.hostname":
			if strings.EqualFold(h.Hostname, value) {
				return h
			}
		case "host.id":
			if h.ID == value {
				return h
			}
		case "host.ip":
			if h.IP == value {
				return h
			}
		}
	}
	return nil
}

// FindUser returns the user with the given name, email or id.
func (p *Population) FindUser(field, value string) *User {
	for i := range p.Users {
		u := &p.Users[i]
		switch field {
		case "user.name":
			if strings.EqualFold(u.Name, value) {
				return u
			}
		case "user.email":
			if strings.EqualFold(u.Email, value) {
				return u
			}
		case "user.id":
			if u.SID == value || u.UID == value {
				return u
			}
		}
	}
	return nil
}

// EventFor is the context of an event on host h for user u, either of
// which may be nil (the event's host is then one of the user's, else one
// of the population).
func (p *Population) EventFor(r *rand.Rand, h *Host, u *User) *Event {
	if h == nil {
		if u != nil && len(u.Hosts) > 0 {
			h = &p.Hosts[u.Hosts[0]]
		} else {
			h = p.Host(r)
		}
	}
	return &Event{Pop: p, Host: h, User: u, OS: h.OS, r: r}
}

// NewEventOn draws an event on a host of OS o (any host when the
// population has none).
func (p *Population) NewEventOn(r *rand.Rand, o OS) *Event { return p.NextEventOn(r, o, nil) }

// NextEventOn is NewEventOn into reuse (see NextEvent).
func (p *Population) NextEventOn(r *rand.Rand, o OS, reuse *Event) *Event {
	p.namesOnce.Do(p.buildNames)
	hosts := p.byOS[o]
	if len(hosts) == 0 {
		return p.NextEvent(r, reuse)
	}
	h := &p.Hosts[hosts[zipf(r, len(hosts))]]
	return reuse.reset(p, r, h, p.User(r, h))
}
