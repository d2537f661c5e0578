// Package telemetry makes emit's documents look like real telemetry: a
// population of hosts and users that recur with a skewed frequency,
// real-looking values for the fields a query leaves free (real binaries in
// their real directories, on the host's operating system), fields that
// agree with each other within a document (process.name is the base name
// of process.executable), and the fields an analyst expects of an event of
// its kind.
//
// The vocabularies are etc/telemetry.yml. Nothing here decides what a query
// allows: the solver draws every constrained value and asks this package
// only for candidates (Event.Value); completion (Complete) adds only fields
// the query does not name.
package telemetry

import (
	"fmt"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/emit-sec/emit/etc"
)

// OS is a host's operating system family.
type OS uint8

const (
	Windows OS = iota
	Linux
	MacOS
)

var osNames = [...]string{"windows", "linux", "macos"}

// String is the ECS host.os.type: windows, linux, macos.
func (o OS) String() string { return osNames[o] }

// Sep is the OS's path separator.
func (o OS) Sep() byte {
	if o == Windows {
		return '\\'
	}
	return '/'
}

// OSRelease is one release of an operating system.
type OSRelease struct {
	Name     string `yaml:"name"`
	Version  string `yaml:"version"`
	Build    string `yaml:"build"`
	Kernel   string `yaml:"kernel"`
	Platform string `yaml:"platform"`
	Family   string `yaml:"family"`
	Weight   int    `yaml:"weight"`
}

// Process is a program as it runs: its executable, the arguments it is
// run with, and the base names of the processes that usually start it.
type Process struct {
	Exe     string   `yaml:"exe"`
	Args    []string `yaml:"args"`
	Parents []string `yaml:"parents"`
}

// City is a place with its coordinates.
type City struct {
	City    string  `yaml:"city"`
	Country string  `yaml:"country"`
	ISO     string  `yaml:"iso"`
	Region  string  `yaml:"region"`
	Lat     float64 `yaml:"lat"`
	Lon     float64 `yaml:"lon"`
	TZ      string  `yaml:"tz"`
}

// Service is what listens on a port.
type Service struct {
	Port      int    `yaml:"port"`
	Transport string `yaml:"transport"`
	Protocol  string `yaml:"protocol"`
}

// Agent is a shipper of events.
type Agent struct {
	Type    string `yaml:"type"`
	Name    string `yaml:"name"`
	Version string `yaml:"version"`
}

// Vocabulary is etc/telemetry.yml.
type Vocabulary struct {
	OS        map[string][]OSRelease `yaml:"operating_systems"`
	HostNames map[string][]string    `yaml:"host_names"`
	Domains   struct {
		AD    []string `yaml:"ad"`
		DNS   []string `yaml:"dns"`
		Email []string `yaml:"email"`
	} `yaml:"domains"`
	FirstNames      []string             `yaml:"first_names"`
	LastNames       []string             `yaml:"last_names"`
	ServiceAccounts map[string][]string  `yaml:"service_accounts"`
	SystemUsers     map[string][]string  `yaml:"system_users"`
	Processes       map[string][]Process `yaml:"processes"`
	Directories     map[string][]string  `yaml:"directories"`
	FileNames       map[string][]string  `yaml:"file_names"`
	Libraries       []string             `yaml:"libraries"`
	Registry        []string             `yaml:"registry"`
	Web             struct {
		Sites       []string `yaml:"sites"`
		Paths       []string `yaml:"paths"`
		UserAgents  []string `yaml:"user_agents"`
		Methods     []string `yaml:"methods"`
		StatusCodes []int    `yaml:"status_codes"`
	} `yaml:"web"`
	Ports     []Service `yaml:"ports"`
	PublicIPs []string  `yaml:"public_ips"`
	Cloud     struct {
		Providers []struct {
			Provider string   `yaml:"provider"`
			Regions  []string `yaml:"regions"`
		} `yaml:"providers"`
		// Audit are the operations cloud audit logs record, per
		// provider (aws, azure, gcp): their event.action values and
		// the error codes and messages of failed calls.
		Audit map[string]CloudAudit `yaml:"audit"`
	} `yaml:"cloud"`
	// DNSTypes are DNS question types, the common first.
	DNSTypes []string `yaml:"dns_types"`
	// Groups are directory group names.
	Groups []string `yaml:"groups"`
	// WindowsServices are Windows service names.
	WindowsServices []string `yaml:"windows_services"`
	// ToolUserAgents are user agents of tools and libraries.
	ToolUserAgents []string `yaml:"tool_user_agents"`
	// DeviceBusTypes are the bus types of storage devices.
	DeviceBusTypes []string `yaml:"device_bus_types"`
	Cities         []City   `yaml:"cities"`
	Agents         []Agent  `yaml:"agents"`
	ECSVersion     string   `yaml:"ecs_version"`
	Prose          []string `yaml:"prose"`
	// ThreatIntel is what threat-intel feeds publish.
	ThreatIntel ThreatIntel `yaml:"threat_intel"`

	// per OS: the processes by lower-case base name of their executable.
	byName [3]map[string]*Process
	lists  derived
}

var (
	defaultOnce sync.Once
	defaultVoc  *Vocabulary
	defaultErr  error
)

// Default is the embedded vocabulary. It panics if the embedded file is
// broken, which a test rules out.
func Default() *Vocabulary {
	defaultOnce.Do(func() { defaultVoc, defaultErr = Parse(etc.Telemetry) })
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultVoc
}

// Parse reads a vocabulary in telemetry.yml's format.
func Parse(data []byte) (*Vocabulary, error) {
	var v Vocabulary
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("telemetry vocabulary: %w", err)
	}
	for o := range osNames {
		name := osNames[o]
		if len(v.OS[name]) == 0 || len(v.Processes[name]) == 0 || len(v.HostNames[name]) == 0 ||
			len(v.Directories[name]) == 0 || len(v.FileNames[name]) == 0 {
			return nil, fmt.Errorf("telemetry vocabulary: %s needs releases, processes, host names, directories and file names", name)
		}
		v.byName[o] = map[string]*Process{}
		for i := range v.Processes[name] {
			p := &v.Processes[name][i]
			v.byName[o][strings.ToLower(Base(p.Exe, OS(o)))] = p
		}
	}
	if len(v.FirstNames) == 0 || len(v.LastNames) == 0 || len(v.Domains.AD) == 0 || len(v.Domains.DNS) == 0 ||
		len(v.Domains.Email) == 0 || len(v.Cities) == 0 || len(v.Agents) == 0 || len(v.Ports) == 0 || len(v.Prose) == 0 {
		return nil, fmt.Errorf("telemetry vocabulary: names, domains, cities, agents, ports and prose are required")
	}
	if err := v.ThreatIntel.check(); err != nil {
		return nil, fmt.Errorf("telemetry vocabulary: %w", err)
	}
	return &v, nil
}

// processes lists the OS's processes.
func (v *Vocabulary) processes(o OS) []Process { return v.Processes[o.String()] }

// Process finds the OS's process whose executable has base name name (in
// any case); nil when the vocabulary has none.
func (v *Vocabulary) Process(o OS, name string) *Process {
	return v.byName[o][strings.ToLower(name)]
}

// CloudAudit is what a cloud provider's audit log records.
type CloudAudit struct {
	Actions       []string `yaml:"actions"`
	ErrorCodes    []string `yaml:"error_codes"`
	ErrorMessages []string `yaml:"error_messages"`
}
