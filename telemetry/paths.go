package telemetry

import "strings"

// Paths as ECS fields hold them: Windows paths with "\" (drive letters or
// UNC shares), others with "/". The helpers read a path in the OS it
// belongs to, which PathOS tells from the path itself.

// PathOS tells the OS a path belongs to: Windows for drive-letter and UNC
// paths and any path with a backslash, else the other OS given.
func PathOS(path string, other OS) OS {
	switch {
	case len(path) >= 2 && path[1] == ':' && isLetter(path[0]):
		return Windows
	case strings.HasPrefix(path, `\\`), strings.ContainsRune(path, '\\'):
		return Windows
	case strings.HasPrefix(path, "/"):
		if other == Windows {
			return Linux
		}
		return other
	}
	return other
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// Base is the last element of a path (file.name of file.path,
// process.name of process.executable).
func Base(path string, o OS) string {
	i := lastSep(path, o)
	return path[i+1:]
}

// Dir is the path without its last element and separator
// (file.directory of file.path); "" for a bare name.
func Dir(path string, o OS) string {
	i := lastSep(path, o)
	if i < 0 {
		return ""
	}
	if i == 0 || o == Windows && i == 2 && path[1] == ':' {
		return path[:i+1] // the root: "/" or "C:\"
	}
	return path[:i]
}

// Ext is a file name's extension without the dot (file.extension), ""
// when it has none; a leading dot (".bashrc") is not an extension.
func Ext(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return name[i+1:]
}

// Join puts name into dir.
func Join(dir, name string, o OS) string {
	if dir == "" {
		return name
	}
	if dir[len(dir)-1] == o.Sep() {
		return dir + name
	}
	return dir + string(o.Sep()) + name
}

func lastSep(path string, o OS) int {
	if o == Windows {
		return strings.LastIndexAny(path, `\/`)
	}
	return strings.LastIndexByte(path, '/')
}

// CommandLine is how a process's command line starts with its executable:
// quoted when the path has a space, as Windows writes it.
func CommandLine(exe, args string, o OS) string {
	cmd := exe
	if o == Windows && strings.ContainsRune(exe, ' ') {
		cmd = `"` + exe + `"`
	}
	if args != "" {
		cmd += " " + args
	}
	return cmd
}

// SplitArgs splits a command line into its arguments as the shell would,
// honouring double and single quotes: process.args.
func SplitArgs(cmd string) []string {
	var out []string
	var cur strings.Builder
	inArg := false
	var quote byte
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(c)
		case c == '"' || c == '\'':
			quote, inArg = c, true
		case c == ' ' || c == '\t':
			if inArg {
				out = append(out, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		out = append(out, cur.String())
	}
	return out
}
