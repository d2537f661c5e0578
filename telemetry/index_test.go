package telemetry

import "testing"

// TestIndexValue: event.module and event.dataset follow the shipper of the
// index, the event's kind and, for Auditbeat, the host's system.
func TestIndexValue(t *testing.T) {
	for _, c := range []struct {
		index, kind string
		os          OS
		module      string
		dataset     string // "" when the shipper sets none
	}{
		{"logs-endpoint.events.process-*", "process", Windows, "endpoint", "endpoint.events.process"},
		{"logs-system.security*", "authentication", Windows, "", ""}, // the dataset is left open
		{"winlogbeat-*", "process", Windows, "windows", "windows.security"},
		{"auditbeat-*", "process", Linux, "auditd", ""},
		{"auditbeat-*", "network", Linux, "auditd", ""},
		{"auditbeat-*", "file", Linux, "file_integrity", "file"},
		{"auditbeat-*", "file", Windows, "file_integrity", "file"},
		{"auditbeat-*", "process", Windows, "system", "process"},
		{"auditbeat-*", "network", Windows, "system", "socket"},
		{"auditbeat-*", "authentication", MacOS, "system", "login"},
		{"auditbeat-*", "iam", MacOS, "system", "user"},
		{"auditbeat-*", "registry", Windows, "system", ""},
		{"filebeat-*", "authentication", Linux, "system", "system.auth"},
		{"filebeat-*", "process", Linux, "system", "system.syslog"},
		{"packetbeat-*", "dns", Linux, "network_traffic", "network_traffic.dns"},
		{"packetbeat-*", "web", Linux, "network_traffic", "network_traffic.http"},
		{"packetbeat-*", "network", Linux, "network_traffic", "network_traffic.flow"},
		{"packetbeat-*", "", Linux, "network_traffic", ""},
	} {
		m, mok := indexValue("event.module", c.index, c.kind, c.os)
		d, dok := indexValue("event.dataset", c.index, c.kind, c.os)
		if m != c.module || mok != (c.module != "") || d != c.dataset || dok != (c.dataset != "") {
			t.Errorf("%s, %s on %s: module %q (%v), dataset %q (%v); want %q, %q", c.index, c.kind, c.os, m, mok, d, dok, c.module, c.dataset)
		}
	}
}
