package fakees

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The security API, as far as clients of a cluster with security on use
// it: POST/PUT /_security/api_key creates an API key for the caller, which
// then authenticates as "Authorization: ApiKey <encoded>" until DELETE
// /_security/api_key invalidates it or it expires; GET
// /_security/_authenticate tells who the credentials are. Keys carry the
// caller's privileges (role_descriptors are accepted but not enforced:
// fakees has no privileges).

// principal is who a request authenticated as.
type principal struct {
	user     string // "" without security
	apiKeyID string // when authenticated by a created API key
	keyName  string
}

type userKey struct{}

func who(r *http.Request) principal {
	p, _ := r.Context().Value(userKey{}).(principal)
	return p
}

// apiKey is a key created with the create API key API.
type apiKey struct {
	id, name, secret, owner string
	created, expires        time.Time // expires zero: never
	invalidated             bool
}

// security reports whether the server checks credentials.
func (s *Server) security() bool { return s.opts.APIKey != "" || s.opts.Username != "" }

// checkAPIKey authenticates the credential of "Authorization: ApiKey
// <cred>": Options.APIKey as given, or base64("id:key") of a created key.
func (s *Server) checkAPIKey(cred string) (principal, bool) {
	if s.opts.APIKey != "" && subtle.ConstantTimeCompare([]byte(cred), []byte(s.opts.APIKey)) == 1 {
		return principal{user: "fakees-api-key"}, true
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	if err != nil {
		return principal{}, false
	}
	id, secret, ok := strings.Cut(string(raw), ":")
	if !ok {
		return principal{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.apiKeys[id]
	if k == nil || k.invalidated || (!k.expires.IsZero() && time.Now().After(k.expires)) ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(k.secret)) != 1 {
		return principal{}, false
	}
	return principal{user: k.owner, apiKeyID: k.id, keyName: k.name}, true
}

func (s *Server) routeSecurity(w http.ResponseWriter, r *http.Request, rest []string) {
	if !s.security() {
		// As Elasticsearch answers with security disabled.
		esError(w, 500, "exception", "Security must be explicitly enabled when using a [basic] license. Enable security by setting [xpack.security.enabled] to [true] in the elasticsearch.yml file and restart the node.", nil)
		return
	}
	switch {
	case len(rest) == 1 && rest[0] == "_authenticate" && r.Method == http.MethodGet:
		s.authenticateInfo(w, r)
	case len(rest) == 1 && rest[0] == "api_key" && (r.Method == http.MethodPost || r.Method == http.MethodPut):
		s.createAPIKey(w, r)
	case len(rest) == 1 && rest[0] == "api_key" && r.Method == http.MethodDelete:
		s.invalidateAPIKeys(w, r)
	default:
		methodNotAllowed(w, r)
	}
}

func (s *Server) authenticateInfo(w http.ResponseWriter, r *http.Request) {
	p := who(r)
	out := map[string]any{
		"username":             p.user,
		"roles":                []string{"superuser"},
		"full_name":            nil,
		"email":                nil,
		"metadata":             map[string]any{},
		"enabled":              true,
		"authentication_realm": map[string]any{"name": "reserved", "type": "reserved"},
		"lookup_realm":         map[string]any{"name": "reserved", "type": "reserved"},
		"authentication_type":  "realm",
	}
	if p.apiKeyID != "" || p.user == "fakees-api-key" {
		out["authentication_realm"] = map[string]any{"name": "_es_api_key", "type": "_es_api_key"}
		out["authentication_type"] = "api_key"
		out["api_key"] = map[string]any{"id": p.apiKeyID, "name": p.keyName}
	}
	writeJSON(w, 200, out)
}

// parseTimeValue reads an Elasticsearch time value ("1d", "12h", "30m",
// "90s", "500ms").
func parseTimeValue(v string) (time.Duration, error) {
	units := []struct {
		suffix string
		d      time.Duration
	}{{"nanos", time.Nanosecond}, {"micros", time.Microsecond}, {"ms", time.Millisecond},
		{"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}, {"d", 24 * time.Hour}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(v, u.suffix); ok {
			if k, err := strconv.ParseInt(n, 10, 64); err == nil && k >= 0 {
				return time.Duration(k) * u.d, nil
			}
			break
		}
	}
	return 0, fmt.Errorf("failed to parse setting [expiration] with value [%s] as a time value: unit is missing or unrecognized", v)
}

func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) {
	raw, ok := readBody(w, r, s.opts.MaxBodyBytes)
	if !ok {
		return
	}
	var body struct {
		Name            string          `json:"name"`
		Expiration      string          `json:"expiration"`
		RoleDescriptors json.RawMessage `json:"role_descriptors"`
		Metadata        json.RawMessage `json:"metadata"`
	}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			esError(w, 400, "x_content_parse_exception", "failed to parse the create API key request: "+err.Error(), nil)
			return
		}
	}
	if body.Name == "" {
		esError(w, 400, "action_request_validation_exception", "Validation Failed: 1: api key name is required;", nil)
		return
	}
	k := &apiKey{name: body.Name, owner: who(r).user, created: time.Now()}
	if body.Expiration != "" {
		d, err := parseTimeValue(body.Expiration)
		if err != nil {
			esError(w, 400, "illegal_argument_exception", err.Error(), nil)
			return
		}
		k.expires = k.created.Add(d)
	}
	k.id, k.secret = randomToken(15), randomToken(16)
	s.mu.Lock()
	s.apiKeys[k.id] = k
	s.mu.Unlock()
	out := map[string]any{
		"id":      k.id,
		"name":    k.name,
		"api_key": k.secret,
		"encoded": base64.StdEncoding.EncodeToString([]byte(k.id + ":" + k.secret)),
	}
	if !k.expires.IsZero() {
		out["expiration"] = k.expires.UnixMilli()
	}
	writeJSON(w, 200, out)
}

// randomToken is n random bytes in URL-safe base64, like Elasticsearch's
// key ids and secrets.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) invalidateAPIKeys(w http.ResponseWriter, r *http.Request) {
	raw, ok := readBody(w, r, s.opts.MaxBodyBytes)
	if !ok {
		return
	}
	var body struct {
		IDs      []string `json:"ids"`
		ID       string   `json:"id"`
		Name     string   `json:"name"`
		Username string   `json:"username"`
		Owner    bool     `json:"owner"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		esError(w, 400, "x_content_parse_exception", "failed to parse the invalidate API key request: "+err.Error(), nil)
		return
	}
	if body.ID != "" {
		body.IDs = append(body.IDs, body.ID)
	}
	if len(body.IDs) == 0 && body.Name == "" && body.Username == "" && !body.Owner {
		esError(w, 400, "action_request_validation_exception",
			"Validation Failed: 1: One of [api key id(s), api key name, username, realm name] must be specified if [owner] flag is false;", nil)
		return
	}
	ids := map[string]bool{}
	for _, id := range body.IDs {
		ids[id] = true
	}
	me := who(r).user
	invalidated, previously := []string{}, []string{}
	s.mu.Lock()
	for _, k := range s.apiKeys {
		match := (len(ids) == 0 || ids[k.id]) && (body.Name == "" || body.Name == k.name) &&
			(body.Username == "" || body.Username == k.owner) && (!body.Owner || k.owner == me)
		if !match {
			continue
		}
		if k.invalidated {
			previously = append(previously, k.id)
			continue
		}
		k.invalidated = true
		invalidated = append(invalidated, k.id)
	}
	s.mu.Unlock()
	sort.Strings(invalidated)
	sort.Strings(previously)
	writeJSON(w, 200, map[string]any{"invalidated_api_keys": invalidated, "previously_invalidated_api_keys": previously, "error_count": 0})
}
