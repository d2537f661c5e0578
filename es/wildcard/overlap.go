package wildcard

// Overlap reports whether two index patterns, where "*" matches any
// run of characters (possibly empty), match at least one common index
// name: "logs-endpoint.events.*" and "logs-endpoint.events.process-*" do,
// "logs-*" and "winlogbeat-*" do not.
func Overlap(a, b string) bool {
	// memo[i*(len(b)+1)+j] is whether a[i:] and b[j:] overlap:
	// 0 unknown, 1 yes, 2 no.
	memo := make([]uint8, (len(a)+1)*(len(b)+1))
	var overlap func(i, j int) bool
	overlap = func(i, j int) bool {
		k := i*(len(b)+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var r bool
		switch {
		case i == len(a) && j == len(b):
			r = true
		case i < len(a) && a[i] == '*':
			// a's star matches nothing more, or also what b produces next
			// (a character, or what b's star matches).
			r = overlap(i+1, j) || j < len(b) && overlap(i, j+1)
		case j < len(b) && b[j] == '*':
			r = overlap(i, j+1) || i < len(a) && overlap(i+1, j)
		case i < len(a) && j < len(b) && a[i] == b[j]:
			r = overlap(i+1, j+1)
		}
		memo[k] = 2
		if r {
			memo[k] = 1
		}
		return r
	}
	return overlap(0, 0)
}
