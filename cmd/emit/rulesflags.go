package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/emit-sec/emit/emitter"
	"github.com/emit-sec/emit/rules"
	"github.com/emit-sec/emit/schema"
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
}

func (r *ruleFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&r.paths, "rules", nil, "rules: a package .zip, a detection-rules directory or .toml, a Kibana export .ndjson or a rule .json (repeatable)")
	fs.StringArrayVar(&r.ids, "rule-id", nil, "select the rule with this rule_id (repeatable)")
	fs.StringArrayVar(&r.names, "rule-name", nil, "select rules by name, exact or glob (repeatable)")
	fs.StringVar(&r.tags, "tags", "", `select rules by a boolean expression over tags, e.g. '"Domain: Endpoint" and not "OS: Linux"'`)
	fs.StringArrayVar(&r.types, "type", nil, "select rules of this type: query, eql, threshold, new_terms, esql, ... (repeatable)")
	fs.BoolVar(&r.includeDeprecated, "include-deprecated", false, "also select deprecated rules")
	fs.StringVar(&r.nonECS, "non-ecs", "", "a non-ECS schema keyed by index pattern (detection-rules' non-ecs-schema.json), applied per rule by its index patterns")
}

// active reports whether rules were asked for.
func (r *ruleFlags) active() bool { return len(r.paths) > 0 }

// load reads and selects the rules. Problems with the inputs are reported
// on stderr; loadErr is set when any input was unreadable or damaged.
func (r *ruleFlags) load(stderr io.Writer) (selected []*rules.Rule, problems []*rules.Problem, err error) {
	sel := rules.Selector{IDs: r.ids, Names: r.names, Types: r.types, IncludeDeprecated: r.includeDeprecated}
	if r.tags != "" {
		t, err := rules.ParseTagExpr(r.tags)
		if err != nil {
			return nil, nil, fmt.Errorf("--tags: %s", describeError(err))
		}
		sel.Tags = t
	}
	all, problems := rules.Load(r.paths...)
	for _, p := range problems {
		fmt.Fprintf(stderr, "emit: %v\n", p)
	}
	selected = sel.Select(all)
	for _, u := range sel.Unmatched(all) {
		fmt.Fprintf(stderr, "emit: warning: %s\n", u)
	}
	return selected, problems, nil
}

// schemas builds the per-rule schemas.
func (r *ruleFlags) schemas(base *schema.Schema) (*emitter.RuleSchemas, error) {
	rs := &emitter.RuleSchemas{Base: base}
	if r.nonECS != "" {
		n, err := schema.LoadNonECS(r.nonECS)
		if err != nil {
			return nil, err
		}
		rs.NonECS = n
	}
	return rs, nil
}

// ruleLabel names a rule in messages.
func ruleLabel(r *rules.Rule) string {
	name := r.Name
	if name == "" {
		name = r.ID
	}
	return fmt.Sprintf("%q (%s)", name, strings.TrimSpace(r.ID))
}
