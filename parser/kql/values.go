package kql

import (
	"encoding/json"
	"math"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file holds what the evaluator knows of Elasticsearch's field types:
// how a document value and a query value are read for a type, and how they
// compare. It is deliberately independent of the solver.

// typeKind groups Elasticsearch field types by how they match.
type typeKind uint8

const (
	kindKeyword typeKind = iota // keyword, constant_keyword, wildcard, version, unknown
	kindText                    // text, match_only_text: analyzed
	kindInteger                 // long, integer, short, byte, unsigned_long
	kindFloat                   // float, half_float: single precision
	kindDouble                  // double, scaled_float
	kindDate                    // date, date_nanos
	kindIP
	kindBoolean
	kindFlattened
	kindObject // object, nested
	kindOther  // geo_point, binary, ...: only "exists"
)

func kindOf(typ string) typeKind {
	switch typ {
	case "", "keyword", "constant_keyword", "wildcard", "version":
		return kindKeyword
	case "text", "match_only_text", "annotated_text", "search_as_you_type":
		return kindText
	case "long", "integer", "short", "byte", "unsigned_long":
		return kindInteger
	case "float", "half_float":
		return kindFloat
	case "double", "scaled_float":
		return kindDouble
	case "date", "date_nanos":
		return kindDate
	case "ip":
		return kindIP
	case "boolean":
		return kindBoolean
	case "flattened":
		return kindFlattened
	case "object", "nested":
		return kindObject
	case "geo_point", "geo_shape", "point", "shape", "binary", "histogram", "dense_vector",
		"sparse_vector", "rank_feature", "rank_features", "completion", "integer_range",
		"float_range", "long_range", "double_range", "date_range", "ip_range", "aggregate_metric_double":
		return kindOther
	}
	return kindKeyword
}

// keywordString returns the indexed string of a scalar document value for a
// keyword-like field (numbers and booleans are indexed as their text).
func keywordString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case uint32:
		return strconv.FormatUint(uint64(x), 10), true
	}
	return "", false
}

// validNumber reports whether s is a decimal number: optional sign, digits
// with an optional fraction, optional exponent.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 || exp > 4 {
			return false
		}
	}
	return i == len(s)
}

// parseNumber reads a number exactly.
func parseNumber(s string) (*big.Rat, bool) {
	if !validNumber(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
	return r, ok
}

// docNumber reads a numeric document value: a JSON number (json.Number or
// float64), a Go integer, or a numeric string (Elasticsearch coerces
// strings by default).
func docNumber(v any) (*big.Rat, bool) {
	switch x := v.(type) {
	case json.Number:
		return parseNumber(string(x))
	case string:
		return parseNumber(strings.TrimSpace(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(x), true
	case float32:
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, false
		}
		return new(big.Rat).SetFloat64(float64(x)), true
	case int:
		return new(big.Rat).SetInt64(int64(x)), true
	case int64:
		return new(big.Rat).SetInt64(x), true
	case int32:
		return new(big.Rat).SetInt64(int64(x)), true
	case uint64:
		return new(big.Rat).SetInt(new(big.Int).SetUint64(x)), true
	case uint32:
		return new(big.Rat).SetInt64(int64(x)), true
	}
	return nil, false
}

// numericValue converts a document value to how a numeric field of kind k
// stores it: integers are truncated toward zero (coercion), floats are
// rounded to single precision.
func numericValue(k typeKind, v any) (*big.Rat, bool) {
	r, ok := docNumber(v)
	if !ok {
		return nil, false
	}
	switch k {
	case kindInteger:
		if !r.IsInt() {
			q := new(big.Int).Quo(r.Num(), r.Denom()) // truncates toward zero
			r = new(big.Rat).SetInt(q)
		}
	case kindFloat, kindDouble:
		r = roundFloat(k, r)
	}
	return r, true
}

// roundFloat rounds r to the precision of a float (single) or double
// field, as Elasticsearch stores and compares them.
func roundFloat(k typeKind, r *big.Rat) *big.Rat {
	if k == kindFloat {
		f, _ := r.Float32()
		if math.IsInf(float64(f), 0) {
			return r
		}
		return new(big.Rat).SetFloat64(float64(f))
	}
	f, _ := r.Float64()
	if math.IsInf(f, 0) {
		return r
	}
	return new(big.Rat).SetFloat64(f)
}

// queryNumber converts a query value for a numeric field of kind k.
func queryNumber(k typeKind, s string) (*big.Rat, bool) {
	r, ok := parseNumber(s)
	if !ok {
		return nil, false
	}
	if k == kindFloat || k == kindDouble {
		r = roundFloat(k, r)
	}
	return r, true
}

// ---- dates ----

// parseISODate reads Elasticsearch's strict_date_optional_time:
// yyyy[-MM[-dd]][Thh[:mm[:ss[.fraction]]]][zone]. Missing components are
// filled with their minimum, or, when roundUp is set, the way Elasticsearch
// rounds range bounds up: missing month and day are 01 and missing time
// fields take their maximum (23:59:59.999999999).
func parseISODate(s string, roundUp bool) (time.Time, bool) {
	i := 0
	num := func(n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for j := 0; j < n; j++ {
			c := s[i+j]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		i += n
		return v, true
	}
	year, ok := num(4)
	if !ok {
		return time.Time{}, false
	}
	month, day := 1, 1
	hour, minute, sec, nsec := 0, 0, 0, 0
	if roundUp {
		hour, minute, sec, nsec = 23, 59, 59, 999999999
	}
	loc := time.UTC
	if i < len(s) && s[i] == '-' {
		i++
		if month, ok = num(2); !ok {
			return time.Time{}, false
		}
		if i < len(s) && s[i] == '-' {
			i++
			if day, ok = num(2); !ok {
				return time.Time{}, false
			}
		}
	}
	if i < len(s) && (s[i] == 'T' || s[i] == 't') {
		i++
		if hour, ok = num(2); !ok {
			return time.Time{}, false
		}
		if roundUp {
			minute, sec, nsec = 59, 59, 999999999
		}
		if i < len(s) && s[i] == ':' {
			i++
			if minute, ok = num(2); !ok {
				return time.Time{}, false
			}
			if roundUp {
				sec, nsec = 59, 999999999
			}
			if i < len(s) && s[i] == ':' {
				i++
				if sec, ok = num(2); !ok {
					return time.Time{}, false
				}
				if roundUp {
					nsec = 999999999
				}
				if i < len(s) && (s[i] == '.' || s[i] == ',') {
					i++
					start := i
					frac := 0
					for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 9 {
						frac = frac*10 + int(s[i]-'0')
						i++
					}
					n := i - start
					if n == 0 {
						return time.Time{}, false
					}
					for k := n; k < 9; k++ {
						frac *= 10
					}
					nsec = frac
				}
			}
		}
		// zone
		if i < len(s) {
			switch s[i] {
			case 'Z', 'z':
				i++
			case '+', '-':
				sign := 1
				if s[i] == '-' {
					sign = -1
				}
				i++
				zh, ok := num(2)
				if !ok {
					return time.Time{}, false
				}
				zm := 0
				if i < len(s) && s[i] == ':' {
					i++
					if zm, ok = num(2); !ok {
						return time.Time{}, false
					}
				} else if i+2 <= len(s) {
					if zm, ok = num(2); !ok {
						return time.Time{}, false
					}
				}
				if zh > 18 || zm > 59 {
					return time.Time{}, false
				}
				loc = time.FixedZone("", sign*(zh*3600+zm*60))
			}
		}
	} else if i < len(s) && (s[i] == 'Z' || s[i] == 'z') {
		i++
	}
	if i != len(s) {
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > daysIn(year, time.Month(month)) {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc).UTC(), true
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseEpochMillis reads epoch_millis: [-]digits[.digits].
func parseEpochMillis(s string) (time.Time, bool) {
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(body, ".")
	if whole == "" || len(whole) > 18 {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	ns := int64(0)
	if frac != "" {
		if len(frac) > 6 {
			frac = frac[:6]
		}
		for _, c := range frac {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
		}
		f, _ := strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
		ns = f
	}
	d := time.Duration(ms)*time.Millisecond + time.Duration(ns)
	if neg {
		d = -d
	}
	return time.Unix(0, 0).UTC().Add(d), true
}

// parseDate reads a date as the default date format
// "strict_date_optional_time||epoch_millis" does.
func parseDate(s string, roundUp bool) (time.Time, bool) {
	if t, ok := parseISODate(s, roundUp); ok {
		return t, true
	}
	return parseEpochMillis(s)
}

// docDate reads a date document value: a string in the default format or
// a number of milliseconds since the epoch.
func docDate(v any) (time.Time, bool) {
	switch x := v.(type) {
	case string:
		return parseDate(x, false)
	case json.Number:
		return parseEpochMillis(string(x))
	}
	if r, ok := docNumber(v); ok {
		f, _ := r.Float64()
		if math.Abs(f) > 1e17 {
			return time.Time{}, false
		}
		return time.Unix(0, 0).UTC().Add(time.Duration(f * float64(time.Millisecond))), true
	}
	return time.Time{}, false
}

// parseDateMath reads a date or date math expression: "now", "now-1d/d",
// "2024-01-01||+1M", or a plain date. With roundUp, "/unit" rounds to the
// last millisecond of the unit and missing date components round up, as
// Elasticsearch does for gt and lte bounds.
func parseDateMath(s string, now time.Time, roundUp bool) (time.Time, bool) {
	var t time.Time
	var math string
	switch {
	case strings.HasPrefix(s, "now"):
		t, math = now, s[3:]
	default:
		anchor, rest, found := strings.Cut(s, "||")
		if !found {
			return parseDate(s, roundUp)
		}
		var ok bool
		if t, ok = parseDate(anchor, false); !ok {
			return time.Time{}, false
		}
		math = rest
	}
	for i := 0; i < len(math); {
		op := math[i]
		i++
		if op != '+' && op != '-' && op != '/' {
			return time.Time{}, false
		}
		n := 1
		if op != '/' {
			start := i
			for i < len(math) && math[i] >= '0' && math[i] <= '9' {
				i++
			}
			if i > start {
				v, err := strconv.Atoi(math[start:i])
				if err != nil || v > 1_000_000 {
					return time.Time{}, false
				}
				n = v
			}
			if op == '-' {
				n = -n
			}
		}
		if i >= len(math) {
			return time.Time{}, false
		}
		unit := math[i]
		i++
		if op == '/' {
			var ok bool
			if t, ok = roundDate(t, unit, roundUp); !ok {
				return time.Time{}, false
			}
			continue
		}
		switch unit {
		case 'y':
			t = t.AddDate(n, 0, 0)
		case 'M':
			t = t.AddDate(0, n, 0)
		case 'w':
			t = t.AddDate(0, 0, 7*n)
		case 'd':
			t = t.AddDate(0, 0, n)
		case 'h', 'H':
			t = t.Add(time.Duration(n) * time.Hour)
		case 'm':
			t = t.Add(time.Duration(n) * time.Minute)
		case 's':
			t = t.Add(time.Duration(n) * time.Second)
		default:
			return time.Time{}, false
		}
	}
	return t, true
}

// roundDate truncates t to the start of unit, or with up to the last
// millisecond of the unit.
func roundDate(t time.Time, unit byte, up bool) (time.Time, bool) {
	t = t.UTC()
	var start, next time.Time
	switch unit {
	case 'y':
		start = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(1, 0, 0)
	case 'M':
		start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 1, 0)
	case 'w':
		wd := (int(t.Weekday()) + 6) % 7 // Monday = 0
		start = time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 7)
	case 'd':
		start = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 1)
	case 'h', 'H':
		start = t.Truncate(time.Hour)
		next = start.Add(time.Hour)
	case 'm':
		start = t.Truncate(time.Minute)
		next = start.Add(time.Minute)
	case 's':
		start = t.Truncate(time.Second)
		next = start.Add(time.Second)
	default:
		return time.Time{}, false
	}
	if up {
		return next.Add(-time.Millisecond), true
	}
	return start, true
}

// ---- IPs ----

// docIP reads an IP document value; IPv4-mapped IPv6 addresses are the
// IPv4 address (Elasticsearch stores all addresses as IPv6).
func docIP(v any) (netip.Addr, bool) {
	s, ok := v.(string)
	if !ok {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseAddr reads an IP query value (a plain address).
func parseAddr(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// queryIPMatch reports whether addr matches the query value: an address or
// a CIDR block.
func queryIPMatch(q string, addr netip.Addr) bool {
	if strings.Contains(q, "/") {
		p, err := netip.ParsePrefix(q)
		if err != nil {
			return false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		if p.Addr().Is6() {
			// Elasticsearch stores IPv4 addresses as IPv4-mapped IPv6
			// ones, which IPv6 blocks such as ::/0 hold.
			addr = netip.AddrFrom16(addr.As16())
		}
		return p.Masked().Contains(addr)
	}
	a, err := netip.ParseAddr(q)
	if err != nil || a.Zone() != "" {
		return false
	}
	return a.Unmap() == addr
}

// compareIP orders addresses as Elasticsearch does (as IPv6 bytes).
func compareIP(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	for i := range x {
		if x[i] != y[i] {
			if x[i] < y[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// ---- booleans ----

func docBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch x {
		case "true":
			return true, true
		case "false", "":
			return false, true
		}
	}
	return false, false
}

func queryBool(s string) (bool, bool) {
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// ---- text analysis ----

// analyze approximates Elasticsearch's standard analyzer: words (letters,
// digits, marks, connected by "_"; letters joined across "." and "'",
// digits across "." and ","; each CJK ideograph on its own), lowercased.
func analyze(s string) []string {
	var toks []string
	rs := []rune(s)
	isWord := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_' || unicode.Is(unicode.Pc, r)
	}
	ideo := func(r rune) bool {
		return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r)
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		if !isWord(r) {
			i++
			continue
		}
		if ideo(r) {
			toks = append(toks, strings.ToLower(string(r)))
			i++
			continue
		}
		j := i
		for j < len(rs) {
			c := rs[j]
			if isWord(c) && !ideo(c) {
				j++
				continue
			}
			if j+1 < len(rs) && j > i {
				prev, next := rs[j-1], rs[j+1]
				switch c {
				case '.', '\'', '\u2019':
					if unicode.IsLetter(prev) && unicode.IsLetter(next) && !ideo(next) {
						j++
						continue
					}
					if c == '.' && unicode.IsDigit(prev) && unicode.IsDigit(next) {
						j++
						continue
					}
				case ',':
					if unicode.IsDigit(prev) && unicode.IsDigit(next) {
						j++
						continue
					}
				}
			}
			break
		}
		toks = append(toks, strings.ToLower(string(rs[i:j])))
		i = j
	}
	return toks
}

// containsPhrase reports whether the tokens of phrase occur consecutively in toks.
func containsPhrase(toks, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
outer:
	for i := 0; i+len(phrase) <= len(toks); i++ {
		for j, p := range phrase {
			if toks[i+j] != p {
				continue outer
			}
		}
		return true
	}
	return false
}

// containsAny reports whether any of want is in toks.
func containsAny(toks, want []string) bool {
	for _, w := range want {
		for _, t := range toks {
			if t == w {
				return true
			}
		}
	}
	return false
}

// isQueryStringSpace reports whether r separates terms in a query_string query.
func isQueryStringSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000'
}
