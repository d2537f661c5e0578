package solver

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Word lists for values of fields the query leaves free: what a field of
// that name plausibly holds in real telemetry.
var (
	words = []string{
		"alpha", "bravo", "cedar", "delta", "ember", "falcon", "granite", "harbor",
		"indigo", "juniper", "kestrel", "lumen", "maple", "nimbus", "onyx", "pioneer",
		"quartz", "raven", "sierra", "tundra", "umber", "vertex", "willow", "zephyr",
	}
	userNames = []string{
		"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
		"judy", "mallory", "oscar", "peggy", "trent", "victor", "walter", "admin",
		"root", "svc_backup", "jsmith", "mgarcia", "lchen",
	}
	processNames = []string{
		"svchost.exe", "explorer.exe", "chrome.exe", "outlook.exe", "winword.exe",
		"bash", "sshd", "python3", "systemd", "nginx", "java", "node", "curl",
		"powershell.exe", "cmd.exe", "rundll32.exe", "msiexec.exe", "zsh",
	}
	domains    = []string{"example.com", "example.org", "contoso.com", "corp.local", "acme.io", "test.net"}
	hostRoles  = []string{"web", "db", "app", "dc", "mail", "ws", "build", "vpn"}
	osFamilies = []string{"windows", "linux", "macos"}
)

// appendPlausible appends a value for an unconstrained string field.
func appendPlausible(r *rand.Rand, dst []byte, field string, text bool) []byte {
	last := field[strings.LastIndexByte(field, '.')+1:]
	parent := ""
	if i := strings.LastIndexByte(field, '.'); i > 0 {
		p := field[:i]
		parent = p[strings.LastIndexByte(p, '.')+1:]
	}
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	switch {
	case text || last == "message" || last == "command_line" || last == "description":
		if last == "command_line" {
			dst = append(dst, pick(processNames)...)
			dst = append(dst, " --"...)
			return append(dst, pick(words)...)
		}
		n := 3 + r.IntN(5)
		for i := 0; i < n; i++ {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = append(dst, pick(words)...)
		}
		return dst
	case last == "name" && parent == "user":
		dst = append(dst, pick(userNames)...)
		if r.IntN(2) == 0 {
			dst = strconv.AppendInt(dst, int64(r.IntN(100)), 10)
		}
		return dst
	case last == "name" && (parent == "process" || parent == "parent"):
		return append(dst, pick(processNames)...)
	case last == "name" && parent == "host", last == "hostname":
		dst = append(dst, pick(hostRoles)...)
		dst = append(dst, '-')
		return strconv.AppendInt(dst, int64(1+r.IntN(40)), 10)
	case last == "domain" || parent == "question" && last == "name" || last == "registered_domain":
		dst = append(dst, pick(words)...)
		dst = append(dst, '.')
		return append(dst, pick(domains)...)
	case last == "family" && parent == "os":
		return append(dst, pick(osFamilies)...)
	case last == "id" || last == "entity_id" || last == "uuid":
		return appendHex(r, dst, 16)
	case last == "md5":
		return appendHex(r, dst, 32)
	case last == "sha1":
		return appendHex(r, dst, 40)
	case last == "sha256":
		return appendHex(r, dst, 64)
	case last == "executable" || last == "path":
		if r.IntN(2) == 0 {
			dst = append(dst, `C:\Windows\System32\`...)
			return append(dst, pick(processNames)...)
		}
		dst = append(dst, "/usr/bin/"...)
		return append(dst, pick(words)...)
	case last == "full" || last == "original" && parent == "url":
		dst = append(dst, "https://"...)
		dst = append(dst, pick(domains)...)
		dst = append(dst, '/')
		return append(dst, pick(words)...)
	case last == "version":
		dst = strconv.AppendInt(dst, int64(1+r.IntN(9)), 10)
		dst = append(dst, '.')
		dst = strconv.AppendInt(dst, int64(r.IntN(20)), 10)
		dst = append(dst, '.')
		return strconv.AppendInt(dst, int64(r.IntN(10)), 10)
	}
	dst = append(dst, pick(words)...)
	dst = append(dst, '-')
	return strconv.AppendInt(dst, int64(r.IntN(1000)), 10)
}

func appendHex(r *rand.Rand, dst []byte, n int) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < n; i++ {
		dst = append(dst, hex[r.IntN(16)])
	}
	return dst
}

// maxWords bounds the text of a token_count value.
const maxWords = 1 << 20

// appendWords appends a JSON string of n words (a token_count field's
// value): lower-case words the standard analyzer keeps whole, one space
// apart.
func appendWords(r *rand.Rand, dst []byte, field string, n int64) ([]byte, error) {
	if n > maxWords {
		return nil, fmt.Errorf("%s: a token_count of %d words is too long to write", field, n)
	}
	dst = append(dst, '"')
	for i := int64(0); i < n; i++ {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, words[r.IntN(len(words))]...)
	}
	return append(dst, '"'), nil
}
