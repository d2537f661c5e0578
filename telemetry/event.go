package telemetry

import (
	"encoding/base64"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Event is the context of one event (or of the events of one match): the
// host it happens on, the user it happens for, and the things it is about
// (a process and its parent, a file, a library, a site), drawn once so
// that every field of the event agrees with the others.
type Event struct {
	Pop  *Population
	Host *Host
	User *User
	OS   OS
	r    *rand.Rand
	// lazily drawn things, by the field prefix they describe
	procs []prefixProcess
	paths map[string]string
	site  string
	city  *City
	svc   *Service
	// what Complete has added so far: names, JSON values, texts
	addedF []string
	addedV [][]byte
	addedS []string
	buf    []byte
	spans  [][2]int // where in buf each added value lies
	// the text of the value completeValue wrote last, and the number of
	// arguments of process.args
	lastText string
	nargs    int
}

// NewEvent draws the host and user of an event: a host with a skewed
// frequency, mostly its own user.
func (p *Population) NewEvent(r *rand.Rand) *Event { return p.NextEvent(r, nil) }

// NextEvent is NewEvent into reuse, an event of p no longer in use (nil:
// a new one): its buffers are kept for their capacity, what it had drawn
// is forgotten.
func (p *Population) NextEvent(r *rand.Rand, reuse *Event) *Event {
	h := p.Host(r)
	return reuse.reset(p, r, h, p.User(r, h))
}

// reset makes e (nil: a new event) an event on host h for user u.
func (e *Event) reset(p *Population, r *rand.Rand, h *Host, u *User) *Event {
	if e == nil {
		return &Event{Pop: p, Host: h, User: u, OS: h.OS, r: r}
	}
	*e = Event{Pop: p, Host: h, User: u, OS: h.OS, r: r,
		procs: e.procs[:0], addedF: e.addedF[:0], addedV: e.addedV[:0], addedS: e.addedS[:0], buf: e.buf[:0]}
	return e
}

// SetHost makes h the event's host (a query fixed one of its fields).
func (e *Event) SetHost(h *Host) {
	e.Host, e.OS = h, h.OS
	e.procs, e.paths = nil, nil
}

// prefixProcess is the process an event shows under a field prefix.
type prefixProcess struct {
	prefix string
	p      *Process
}

// Drawn tells the values a document already holds, by field name.
type Drawn = func(field string) (string, bool)

// processPrefixes are the field prefixes ECS describes processes under,
// with the names of their fields the others derive from.
var processPrefixes = map[string]*processKeys{}

type processKeys struct{ executable, name, commandLine, parent string }

func init() {
	for _, p := range []string{"process", "process.parent", "process.parent.parent", "process.group_leader",
		"process.session_leader", "process.entry_leader", "process.previous", "process.Ext.effective_parent"} {
		processPrefixes[p] = &processKeys{p + ".executable", p + ".name", p + ".command_line", p + ".parent"}
	}
}

// Value returns a real-looking value of field for this event, agreeing
// with the values the document already holds (drawn); ok is false when the
// vocabulary has nothing for the field. Values are strings: the solver
// keeps them only where the query allows them.
func (e *Event) Value(field string, drawn Drawn) (string, bool) {
	prefix, last := splitField(field)
	if processPrefixes[prefix] != nil {
		return e.processValue(prefix, last, drawn)
	}
	switch prefix {
	case "host":
		return e.hostValue(last)
	case "host.os":
		return e.osValue(last)
	case "user", "process.user", "user.target", "user.effective", "process.real_user", "process.saved_user":
		return e.userValue(prefix, last)
	case "file", "file.Ext.original", "Target.file":
		return e.fileValue(prefix, last, drawn)
	case "dll":
		return e.libraryValue(last, drawn)
	case "registry":
		return e.registryValue(last, drawn)
	case "url":
		return e.urlValue(last, drawn)
	case "email.from", "email.to", "email.cc", "email.sender", "email.reply_to":
		if last == "address" {
			return e.emailAddress(prefix), true
		}
	case "email":
		return e.emailValue(last, drawn)
	case "dns.question":
		if last == "name" || last == "registered_domain" {
			return e.siteName(), true
		}
	case "user_agent":
		if last == "original" {
			ua := e.Pop.V.Web.UserAgents
			return ua[e.r.IntN(len(ua))], true
		}
	case "http.request":
		if last == "method" {
			m := e.Pop.V.Web.Methods
			return m[e.r.IntN(len(m))], true
		}
	case "destination", "server":
		if last == "domain" || last == "address" {
			return e.siteName(), true
		}
	case "source.geo", "client.geo", "destination.geo":
		return e.geoValue(last)
	case "cloud":
		return e.cloudValue(last)
	case "agent":
		return e.agentValue(last)
	}
	return e.genericValue(field, last)
}

// splitField splits a dotted name at its last dot.
func splitField(field string) (prefix, last string) {
	i := strings.LastIndexByte(field, '.')
	if i < 0 {
		return "", field
	}
	return field[:i], field[i+1:]
}

// process is the process the event shows under prefix: the one whose
// executable or name the document already holds, else one drawn for the
// host's OS (a parent among the usual parents of its child).
func (e *Event) process(prefix string, drawn Drawn) *Process {
	keys := processPrefixes[prefix]
	if drawn != nil && keys != nil {
		if exe, ok := drawn(keys.executable); ok {
			if p := e.Pop.V.Process(PathOS(exe, e.OS), Base(exe, PathOS(exe, e.OS))); p != nil && strings.EqualFold(p.Exe, exe) {
				return p
			}
			return &Process{Exe: exe}
		}
		if name, ok := drawn(keys.name); ok {
			if p := e.Pop.V.Process(e.OS, name); p != nil {
				return p
			}
			return &Process{Exe: Join(e.defaultDir(), name, e.OS)}
		}
	}
	for _, pp := range e.procs {
		if pp.prefix == prefix {
			return pp.p
		}
	}
	var p *Process
	if strings.HasSuffix(prefix, ".parent") {
		child := e.process(strings.TrimSuffix(prefix, ".parent"), drawn)
		if len(child.Parents) > 0 {
			p = e.Pop.V.Process(e.OS, child.Parents[e.r.IntN(len(child.Parents))])
		}
	}
	if p == nil {
		ps := e.Pop.V.processes(e.OS)
		p = &ps[e.r.IntN(len(ps))]
	}
	e.procs = append(e.procs, prefixProcess{prefix, p})
	return p
}

// defaultDir is where the OS keeps the programs the vocabulary does not
// know.
func (e *Event) defaultDir() string {
	switch e.OS {
	case Windows:
		return `C:\Windows\System32`
	case MacOS:
		return "/usr/local/bin"
	}
	return "/usr/bin"
}

func (e *Event) processValue(prefix, last string, drawn Drawn) (string, bool) {
	p := e.process(prefix, drawn)
	o := PathOS(p.Exe, e.OS)
	switch last {
	case "executable":
		return p.Exe, true
	case "name":
		return Base(p.Exe, o), true
	case "command_line":
		args := ""
		if len(p.Args) > 0 {
			args = p.Args[e.r.IntN(len(p.Args))]
		}
		return CommandLine(p.Exe, args, o), true
	case "args":
		return p.Exe, true
	case "working_directory":
		if o == Windows {
			if e.User != nil && !e.User.Service {
				return `C:\Users\` + e.User.Name, true
			}
			return `C:\Windows\system32`, true
		}
		if e.User != nil && !e.User.Service {
			if o == MacOS {
				return "/Users/" + e.User.Name, true
			}
			return "/home/" + e.User.Name, true
		}
		return "/", true
	case "entity_id":
		return e.entityID(), true
	case "title", "original_file_name":
		return Base(p.Exe, o), true
	}
	return e.genericValue(prefix+"."+last, last)
}

// entityID is an Elastic Defend entity id: base64 of the agent and the
// process's start.
func (e *Event) entityID() string {
	b := make([]byte, 30)
	for i := range b {
		b[i] = byte(e.r.IntN(256))
	}
	return base64.StdEncoding.EncodeToString(b)
}

func (e *Event) hostValue(last string) (string, bool) {
	h := e.Host
	switch last {
	case "name":
		return h.Name, true
	case "hostname":
		return h.Hostname, true
	case "id":
		return h.ID, true
	case "ip":
		return h.IP, true
	case "mac":
		return h.MAC, true
	case "architecture":
		return h.Arch, true
	case "domain":
		return h.Domain, true
	}
	return "", false
}

func (e *Event) osValue(last string) (string, bool) {
	h := e.Host
	switch last {
	case "type":
		return h.OS.String(), true
	case "family":
		return h.Release.Family, true
	case "platform":
		return h.Release.Platform, true
	case "name":
		return h.Release.Name, true
	case "version":
		return h.Release.Version, true
	case "kernel":
		return h.Release.Kernel, true
	case "full":
		return h.Release.Name + " " + h.Release.Version, true
	}
	return "", false
}

func (e *Event) userValue(prefix, last string) (string, bool) {
	u := e.User
	if prefix != "user" && prefix != "process.user" {
		// Another user of the population (the target of a change).
		u = &e.Pop.Users[e.r.IntN(len(e.Pop.Users))]
	}
	switch last {
	case "name":
		return u.Name, true
	case "id":
		return u.ID(e.OS), true
	case "domain":
		if e.OS == Windows {
			return u.Domain, true
		}
		return "", false
	case "email":
		return u.Email, u.Email != ""
	case "full_name":
		return u.FullName, true
	}
	return "", false
}

// path draws (once per prefix) a path under a directory of the OS.
func (e *Event) path(prefix string, names []string) string {
	if p, ok := e.paths[prefix]; ok {
		return p
	}
	dirs := e.Pop.V.Directories[e.OS.String()]
	dir := dirs[e.r.IntN(len(dirs))]
	user := "Public"
	if e.User != nil {
		user = e.User.Name
	}
	dir = strings.ReplaceAll(dir, "{user}", user)
	p := Join(dir, names[e.r.IntN(len(names))], e.OS)
	if e.paths == nil {
		e.paths = map[string]string{}
	}
	e.paths[prefix] = p
	return p
}

// namesWithExt are file names with extension ext: the vocabulary's own,
// else its names' stems with ext.
func (e *Event) namesWithExt(ext string) []string {
	names := e.Pop.V.FileNames[e.OS.String()]
	var out []string
	for _, n := range names {
		if strings.EqualFold(Ext(n), ext) {
			out = append(out, n)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, n := range names {
		stem := strings.TrimSuffix(n, "."+Ext(n))
		out = append(out, stem+"."+ext)
	}
	return out
}

func (e *Event) fileValue(prefix, last string, drawn Drawn) (string, bool) {
	path := ""
	if drawn != nil {
		if p, ok := drawn(prefix + ".path"); ok {
			path = p
		} else if n, ok := drawn(prefix + ".name"); ok {
			path = Join(Dir(e.path(prefix, e.Pop.V.FileNames[e.OS.String()]), e.OS), n, e.OS)
		} else if x, ok := drawn(prefix + ".extension"); ok && x != "" {
			if p, ok := e.paths[prefix]; ok && !strings.EqualFold(Ext(p), x) {
				delete(e.paths, prefix) // drawn before the extension was
			}
			path = e.path(prefix, e.namesWithExt(x))
		}
	}
	if path == "" {
		path = e.path(prefix, e.Pop.V.FileNames[e.OS.String()])
	}
	o := PathOS(path, e.OS)
	switch last {
	case "path":
		return path, true
	case "name":
		return Base(path, o), true
	case "directory":
		return Dir(path, o), Dir(path, o) != ""
	case "extension":
		ext := Ext(Base(path, o))
		return ext, ext != ""
	case "drive_letter":
		if o == Windows && len(path) > 1 && path[1] == ':' {
			return path[:1], true
		}
		return "", false
	}
	return e.genericValue(prefix+"."+last, last)
}

func (e *Event) libraryValue(last string, drawn Drawn) (string, bool) {
	path := ""
	if drawn != nil {
		if p, ok := drawn("dll.path"); ok {
			path = p
		} else if n, ok := drawn("dll.name"); ok {
			path = Join(`C:\Windows\System32`, n, Windows)
		}
	}
	if path == "" {
		if p, ok := e.paths["dll"]; ok {
			path = p
		} else {
			libs := e.Pop.V.Libraries
			path = libs[e.r.IntN(len(libs))]
			if e.paths == nil {
				e.paths = map[string]string{}
			}
			e.paths["dll"] = path
		}
	}
	switch last {
	case "path":
		return path, true
	case "name":
		return Base(path, Windows), true
	}
	return e.genericValue("dll."+last, last)
}

func (e *Event) registryValue(last string, drawn Drawn) (string, bool) {
	path := ""
	if drawn != nil {
		if p, ok := drawn("registry.path"); ok {
			path = p
		}
	}
	if path == "" {
		if p, ok := e.paths["registry"]; ok {
			path = p
		} else {
			rs := e.Pop.V.Registry
			path = rs[e.r.IntN(len(rs))]
			if e.paths == nil {
				e.paths = map[string]string{}
			}
			e.paths["registry"] = path
		}
	}
	switch last {
	case "path":
		return path, true
	case "hive":
		return strings.SplitN(path, `\`, 2)[0], true
	case "key":
		parts := strings.SplitN(path, `\`, 2)
		if len(parts) < 2 {
			return "", false
		}
		return Dir(parts[1], Windows), true
	case "value":
		return Base(path, Windows), true
	}
	return "", false
}

func (e *Event) siteName() string {
	if e.site == "" {
		s := e.Pop.V.Web.Sites
		e.site = s[e.r.IntN(len(s))]
	}
	return e.site
}

func (e *Event) urlValue(last string, drawn Drawn) (string, bool) {
	paths := e.Pop.V.Web.Paths
	// The parts of the URL the event holds.
	if drawn != nil && last != "full" && last != "original" {
		for _, f := range []string{"url.full", "url.original"} {
			u, ok := drawn(f)
			if !ok {
				continue
			}
			scheme, rest, ok := strings.Cut(u, "://")
			if !ok {
				continue
			}
			host, path := rest, "/"
			if i := strings.IndexAny(rest, "/?#"); i >= 0 {
				host, path = rest[:i], rest[i:]
			}
			if i := strings.IndexAny(path, "?#"); i >= 0 {
				path = path[:i]
			}
			switch last {
			case "domain":
				if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
					host = host[:i]
				}
				return host, host != ""
			case "path":
				return path, true
			case "scheme":
				return scheme, true
			}
		}
	}
	switch last {
	case "full", "original":
		// From the parts the event holds.
		scheme, host, path := "https", e.siteName(), paths[e.r.IntN(len(paths))]
		if drawn != nil {
			if v, ok := drawn("url.scheme"); ok && v != "" {
				scheme = v
			}
			if v, ok := drawn("url.domain"); ok && v != "" {
				host = v
			}
			if v, ok := drawn("url.path"); ok && strings.HasPrefix(v, "/") {
				path = v
			}
		}
		return scheme + "://" + host + path, true
	case "domain":
		return e.siteName(), true
	case "path":
		return paths[e.r.IntN(len(paths))], true
	case "scheme":
		return "https", true
	}
	return "", false
}

// emailAddress is an address of a message: the user's own for its
// recipients, a colleague's for its sender.
func (e *Event) emailAddress(prefix string) string {
	u := e.User
	if prefix != "email.to" && prefix != "email.cc" || u == nil || u.Email == "" {
		for try := 0; try < 8; try++ {
			if c := &e.Pop.Users[e.r.IntN(len(e.Pop.Users))]; c.Email != "" && c != e.User {
				u = c
				break
			}
		}
	}
	if u == nil || u.Email == "" {
		return "it@" + e.Pop.V.Domains.Email[0]
	}
	return u.Email
}

// emailValue is what a message holds besides its addresses: a subject,
// and the direction its sender says.
func (e *Event) emailValue(last string, drawn Drawn) (string, bool) {
	switch last {
	case "subject":
		return e.Sentence(3 + e.r.IntN(5)), true
	case "direction":
		from, ok := drawn("email.from.address")
		if !ok {
			return "inbound", true
		}
		_, domain, _ := strings.Cut(from, "@")
		for _, d := range e.Pop.V.Domains.Email {
			if strings.EqualFold(domain, d) {
				if to, ok := drawn("email.to.address"); ok && !strings.HasSuffix(strings.ToLower(to), "@"+strings.ToLower(d)) {
					return "outbound", true
				}
				return "internal", true
			}
		}
		return "inbound", true
	}
	return "", false
}

// SetCity makes c the event's place (its geo fields follow it).
func (e *Event) SetCity(c *City) { e.city = c }

// City is the event's place: one of the user's home cities.
func (e *Event) City() *City {
	if e.city == nil {
		cs := e.Pop.V.Cities
		i := e.r.IntN(len(cs))
		if e.User != nil && len(e.User.Cities) > 0 {
			i = e.User.Cities[e.r.IntN(len(e.User.Cities))]
		}
		e.city = &cs[i]
	}
	return e.city
}

func (e *Event) geoValue(last string) (string, bool) {
	c := e.City()
	switch last {
	case "city_name":
		return c.City, true
	case "country_name":
		return c.Country, true
	case "country_iso_code":
		return c.ISO, true
	case "region_name":
		return c.Region, true
	case "timezone":
		return c.TZ, true
	case "continent_name":
		return continent(c.TZ), true
	}
	return "", false
}

// continent names the continent of a time zone.
func continent(tz string) string {
	switch strings.SplitN(tz, "/", 2)[0] {
	case "America":
		if strings.Contains(tz, "Sao_Paulo") {
			return "South America"
		}
		return "North America"
	case "Europe":
		return "Europe"
	case "Asia":
		return "Asia"
	case "Australia":
		return "Oceania"
	case "Africa":
		return "Africa"
	}
	return "Europe"
}

func (e *Event) cloudValue(last string) (string, bool) {
	ps := e.Pop.V.Cloud.Providers
	if len(ps) == 0 {
		return "", false
	}
	// One cloud account per population: the first provider.
	p := ps[int(e.Host.ID[0])%len(ps)]
	switch last {
	case "provider":
		return p.Provider, true
	case "region":
		return p.Regions[e.r.IntN(len(p.Regions))], true
	}
	return "", false
}

func (e *Event) agentValue(last string) (string, bool) {
	switch last {
	case "id":
		return e.Host.ID[:8] + "-" + e.Host.ID[8:12] + "-" + e.Host.ID[12:16] + "-" + e.Host.ID[16:20] + "-" + e.Host.ID[20:32], true
	case "name":
		return e.Host.Name, true
	}
	return "", false
}

// genericValue is what fields of common names hold anywhere: hashes,
// domains, messages.
func (e *Event) genericValue(field, last string) (string, bool) {
	switch last {
	case "md5":
		return Hex(e.r, 32), true
	case "sha1":
		return Hex(e.r, 40), true
	case "sha256":
		return Hex(e.r, 64), true
	case "sha512":
		return Hex(e.r, 128), true
	case "message", "description", "reason":
		return e.Sentence(5 + e.r.IntN(8)), true
	case "domain", "registered_domain", "top_level_domain":
		return e.siteName(), true
	case "entity_id":
		return e.entityID(), true
	case "subject_name":
		if e.OS == Windows {
			return "Microsoft Windows", true
		}
		return "Software Signing", true
	}
	return "", false
}

// Sentence is n words of ordinary prose.
func (e *Event) Sentence(n int) string {
	p := e.Pop.V.Prose
	words := make([]string, n)
	for i := range words {
		words[i] = p[e.r.IntN(len(p))]
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// PID is a plausible process id for the OS.
func (e *Event) PID() string {
	if e.OS == Windows {
		return strconv.Itoa(4 * (100 + e.r.IntN(4000)))
	}
	return strconv.Itoa(300 + e.r.IntN(60000))
}

// Candidates are other real values of field, on the event's OS first:
// the solver tries them when the event's own value does not fit the
// query (process.name : *.exe takes a real Windows program).
func (e *Event) Candidates(field string) []string {
	prefix, last := splitField(field)
	v := e.Pop.V
	switch {
	case processPrefixes[prefix] != nil && (last == "name" || last == "executable" || last == "title"):
		return v.processCandidates(e.OS, last == "executable")
	case (prefix == "file" || prefix == "Target.file") && last == "name":
		return v.FileNames[e.OS.String()]
	case prefix == "dll" && last == "name":
		return v.libraryNames()
	case prefix == "dll" && last == "path":
		return v.Libraries
	case prefix == "registry" && last == "path":
		return v.Registry
	case prefix == "host" && (last == "name" || last == "hostname"):
		return e.Pop.hostNames()
	case (prefix == "user" || prefix == "process.user") && last == "name":
		return e.Pop.userNames()
	case last == "domain" || prefix == "dns.question" && last == "name":
		return v.Web.Sites
	case prefix == "user_agent" && last == "original":
		return v.Web.UserAgents
	}
	return nil
}

// Words are fragments of the field's real values: the free parts of a
// pattern on a path fill with real directory and file names, those on a
// text field with words of prose.
func (e *Event) Words(field string) [][]byte {
	prefix, last := splitField(field)
	v := e.Pop.V
	switch {
	case last == "executable" || last == "path" || last == "directory" || last == "working_directory" || last == "target_path":
		return v.pathWords(e.OS)
	case last == "name" || last == "title" || last == "original_file_name":
		if processPrefixes[prefix] != nil || prefix == "file" || prefix == "dll" {
			return v.nameWords(e.OS)
		}
	case last == "command_line":
		return v.commandWords(e.OS)
	case last == "args":
		return v.argWords(e.OS)
	case last == "message" || last == "script_block_text" || last == "description":
		return v.proseWords()
	}
	return nil
}

// Prefixes are real beginnings of the field's values: the directories of
// the OS for a path, the executable for a command line, a site for a URL.
func (e *Event) Prefixes(field string) []string {
	prefix, last := splitField(field)
	v := e.Pop.V
	switch {
	case last == "executable" || last == "path" || last == "directory" || last == "working_directory" || last == "target_path":
		if prefix == "registry" {
			return v.Registry
		}
		if prefix == "url" {
			return nil
		}
		if last == "executable" {
			return e.programPrefixes()
		}
		return e.dirPrefixes()
	case last == "command_line":
		p := e.process(prefix, nil)
		o := PathOS(p.Exe, e.OS)
		return []string{CommandLine(p.Exe, "", o) + " ", Base(p.Exe, o) + " "}
	case prefix == "url" && (last == "full" || last == "original"):
		return []string{"https://" + e.siteName() + "/"}
	}
	return nil
}

// dirPrefixes are the OS's directories, with the event's user, and
// their parents, each with a trailing separator.
func (e *Event) dirPrefixes() []string {
	return e.Pop.cachedDirs(dirsKey{e.OS, e.userName(), false}, func() []string {
		return e.withParents(e.Pop.V.Directories[e.OS.String()], e.programDirs())
	})
}

// userName is the event's user's name, "Public" without a user.
func (e *Event) userName() string {
	if e.User != nil {
		return e.User.Name
	}
	return "Public"
}

// programPrefixes are the directories programs run from, and their
// parents: where an executable's path starts.
func (e *Event) programPrefixes() []string {
	return e.Pop.cachedDirs(dirsKey{e.OS, "", true}, func() []string { return e.withParents(e.programDirs()) })
}

// programDirs are the directories of the OS's programs.
func (e *Event) programDirs() []string {
	var out []string
	for _, p := range e.Pop.V.processes(e.OS) {
		out = append(out, Dir(p.Exe, e.OS))
	}
	return out
}

// withParents lists the directories of the lists, with the event's user
// for {user}, and then their parents up to the root (a pattern's own
// directories, C:\Windows\Tasks\*, start from the nearest real one),
// once each and with a trailing separator.
func (e *Event) withParents(lists ...[]string) []string {
	user := e.userName()
	sep := string(e.OS.Sep())
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		d = strings.ReplaceAll(d, "{user}", user)
		if d != "" && !strings.HasSuffix(d, sep) {
			d += sep
		}
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, l := range lists {
		for _, d := range l {
			add(d)
		}
	}
	for i := 0; i < len(out); i++ {
		parent := Dir(strings.TrimSuffix(out[i], sep), e.OS)
		if parent != "" && parent+sep != out[i] && parent != out[i] {
			add(parent)
		}
	}
	return out
}
