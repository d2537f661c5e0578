package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
	"github.com/emit-sec/emit/source"
)

// ruleFlags are the rule inputs and selectors emit and emit check share.
type ruleFlags struct {
	paths             []string
	ids               []string
	names             []string
	tags              string
	types             []string
	includeDeprecated bool
	nonECS            string
	noAutoSchemas     bool
	mlJobPaths        []string

	// preloaded is the integration schemas file of the checkout the
	// rules are in, being read since prefetch.
	preloaded *schema.Integrations
	preName   string
}

func (r *ruleFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&r.paths, "rules", nil, "rules: a package .zip, a detection-rules directory or .toml, a Kibana export .ndjson or a rule .json (repeatable)")
	fs.StringArrayVar(&r.ids, "rule-id", nil, "select the rule with this rule_id (repeatable)")
	fs.StringArrayVar(&r.names, "rule-name", nil, "select rules by name, exact or glob (repeatable)")
	fs.StringVar(&r.tags, "tags", "", `select rules by a boolean expression over tags, e.g. '"Domain: Endpoint" and not "OS: Linux"'`)
	fs.StringArrayVar(&r.types, "type", nil, "select rules of this type: query, eql, threshold, new_terms, esql, ... (repeatable)")
	fs.BoolVar(&r.includeDeprecated, "include-deprecated", false, "also select deprecated rules")
	fs.StringVar(&r.nonECS, "non-ecs", "", "a non-ECS schema keyed by index pattern (detection-rules' non-ecs-schema.json), applied per rule by its index patterns")
	fs.BoolVar(&r.noAutoSchemas, "no-auto-schemas", false, "don't use the schemas a detection-rules checkout keeps in detection_rules/etc")
	fs.StringArrayVar(&r.mlJobPaths, "ml-jobs", nil, "anomaly-detection jobs and datafeeds of machine_learning rules: a directory or .json file (Elasticsearch responses, Kibana exports and modules; repeatable)")
}

// active reports whether rules were asked for.
func (r *ruleFlags) active() bool { return len(r.paths) > 0 }

// load reads and selects the rules. Problems with the inputs are reported;
// problems is non-empty when any input was unreadable or damaged.
func (r *ruleFlags) load(m *messages) (selected []*rules.Rule, problems []*rules.Problem, err error) {
	sel := rules.Selector{IDs: r.ids, Names: r.names, Types: r.types, IncludeDeprecated: r.includeDeprecated}
	if r.tags != "" {
		t, err := rules.ParseTagExpr(r.tags)
		if err != nil {
			var pe *source.Error
			if errors.As(err, &pe) {
				// "--tags: 1:5: ..." with the caret; the flag says what
				// was being read.
				c := *pe
				c.Lang = ""
				return nil, nil, fmt.Errorf("--tags: %s", c.Detail())
			}
			return nil, nil, fmt.Errorf("--tags: %v", err)
		}
		sel.Tags = t
	}
	all, problems := rules.Load(r.paths...)
	for _, p := range problems {
		m.errorf("%v", p)
	}
	selected = sel.Select(all)
	for _, u := range sel.Unmatched(all) {
		m.warnf("%s", u)
	}
	return selected, problems, nil
}

// prefetch starts reading the integration schemas of the checkout the
// rules are in, when schemas will use them (unless the flags give one:
// given is true), so that reading them overlaps reading the rules.
func (r *ruleFlags) prefetch(given bool) {
	if given || r.noAutoSchemas {
		return
	}
	for _, p := range r.paths {
		if c, ok := schema.FindCheckout(p); ok {
			if c.Integrations != "" {
				if ig, err := schema.LoadIntegrations(c.Integrations); err == nil {
					ig.Preload()
					r.preloaded, r.preName = ig, c.Integrations
				}
			}
			return
		}
	}
}

// schemas builds the per-rule schemas: base, the non-ECS schema of
// --non-ecs, the integration schemas of --schema (integrations, may be
// nil), and what a detection-rules checkout among the --rules inputs
// keeps in detection_rules/etc for what the flags leave out (unless
// --no-auto-schemas), said once on stderr.
func (r *ruleFlags) schemas(base *schema.Schema, integrations *schema.Integrations, m *messages) (*emitter.RuleSchemas, error) {
	rs := &emitter.RuleSchemas{Base: base, Integrations: integrations}
	if r.nonECS != "" {
		n, err := schema.LoadNonECS(r.nonECS)
		if err != nil {
			return nil, err
		}
		rs.NonECS = n
	}
	if r.noAutoSchemas {
		return rs, nil
	}
	var found *schema.Checkout
	for _, p := range r.paths {
		c, ok := schema.FindCheckout(p)
		switch {
		case !ok:
		case found == nil:
			found = &c
		case c.Dir != found.Dir:
			m.warnf("%s: schemas not used: only those of the first checkout (%s) are", displayPath(c.Dir), displayPath(found.Dir))
		}
	}
	if found == nil {
		return rs, nil
	}
	var used []string
	if rs.NonECS == nil && found.NonECS != "" {
		n, err := schema.LoadNonECS(found.NonECS)
		if err != nil {
			return nil, err
		}
		rs.NonECS = n
		used = append(used, found.NonECS)
	}
	if rs.Integrations == nil && found.Integrations != "" {
		ig := r.preloaded
		if ig == nil || r.preName != found.Integrations {
			var err error
			if ig, err = schema.LoadIntegrations(found.Integrations); err != nil {
				return nil, err
			}
		}
		rs.Integrations = ig
		used = append(used, found.Integrations)
	}
	if len(found.Endpoint) > 0 {
		ep, err := schema.LoadMerged(found.Endpoint)
		if err != nil {
			return nil, err
		}
		rs.Endpoint = ep
		used = append(used, found.Endpoint...)
	}
	if len(used) > 0 {
		names := make([]string, len(used))
		for i, p := range used {
			names[i] = p
			if rel, err := filepath.Rel(found.Dir, p); err == nil {
				names[i] = filepath.ToSlash(rel)
			}
		}
		m.notef("schemas from %s: %s (turn off: --no-auto-schemas)", displayPath(found.Dir), strings.Join(names, ", "))
	}
	return rs, nil
}

// displayPath is path relative to the working directory when that is
// shorter, else as is.
func displayPath(path string) string {
	wd, err := filepath.Abs(".")
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && len(rel) < len(path) {
		return filepath.ToSlash(rel)
	}
	return path
}

// ruleLabel names a rule in messages.
func ruleLabel(r *rules.Rule) string {
	name := r.Name
	if name == "" {
		name = r.ID
	}
	return fmt.Sprintf("%q (%s)", name, strings.TrimSpace(r.ID))
}
