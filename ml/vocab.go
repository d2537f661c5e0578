package ml

import (
	"math/rand/v2"
	"strings"

	"github.com/emit-sec/emit/telemetry"
)

// vocabulary are real-looking values of fields that ML jobs split or
// rate on and that an event's context does not give (the telemetry's
// vocabulary): cloud API calls of the job's provider and their errors,
// DNS question types, groups, Windows services, user agents, what
// pipelines and transforms write, script hashes. The solver takes them
// where the datafeed's query allows.
func (p *Plan) vocabulary() map[string][]string {
	v := p.pop.V
	out := map[string][]string{
		"dns.question.type":             v.DNSTypes,
		"group.name":                    v.Groups,
		"winlog.event_data.ServiceName": v.WindowsServices,
		"service.name":                  v.WindowsServices,
		"user_agent.original":           append(append([]string(nil), v.Web.UserAgents...), v.ToolUserAgents...),
		"file.Ext.device.bus_type":      v.DeviceBusTypes,
	}
	domains := append([]string(nil), v.Domains.DNS...)
	for _, site := range v.Web.Sites {
		if i := strings.LastIndexByte(site, '.'); i > 0 {
			if j := strings.LastIndexByte(site[:i], '.'); j >= 0 {
				site = site[j+1:]
			}
			domains = append(domains, site)
		}
	}
	out["dns.question.registered_domain"] = domains
	out["dns.question.etld_plus_one"] = domains
	var emails []string
	for _, u := range p.pop.Users {
		if u.Email != "" {
			emails = append(emails, u.Email)
		}
	}
	out["client.user.email"] = emails
	for _, d := range derivedFields {
		if len(d.values) > 0 {
			out[d.name] = d.values
		}
	}
	if a, ok := v.Cloud.Audit[p.cloudProvider()]; ok {
		out["event.action"] = a.Actions
		switch p.cloudProvider() {
		case "aws":
			out["aws.cloudtrail.error_code"] = a.ErrorCodes
			out["aws.cloudtrail.error_message"] = a.ErrorMessages
		case "azure":
			out["azure.activitylogs.result_type"] = a.ErrorCodes
		case "gcp":
			out["gcp.audit.status.message"] = a.ErrorCodes
		}
	}
	hashes := make([]string, 24)
	for i := range hashes {
		hashes[i] = telemetry.Hex(p.rng, 64)
	}
	out["powershell.file.script_block_hash"] = hashes
	return out
}

// cloudProvider is the cloud whose audit log the job reads ("" when
// none): from its module, its id and its datafeed's dataset.
func (p *Plan) cloudProvider() string {
	s := strings.ToLower(p.Job.Module.ID + " " + p.Job.ID + " " + p.datasetOfQuery())
	switch {
	case strings.Contains(s, "cloudtrail") || strings.Contains(s, "aws"):
		return "aws"
	case strings.Contains(s, "azure"):
		return "azure"
	case strings.Contains(s, "gcp"):
		return "gcp"
	}
	return ""
}

// offer is a vocabulary value of field, if the vocabulary has the field.
func offer(vocab map[string][]string, r *rand.Rand, field string) (string, bool) {
	if vs := vocab[field]; len(vs) > 0 {
		return vs[r.IntN(len(vs))], true
	}
	return "", false
}
