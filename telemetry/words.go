package telemetry

import (
	"sort"
	"strings"
	"sync"
)

// Derived lists of the vocabulary, built once.
type derived struct {
	once       sync.Once
	procNames  [3][]string
	procExes   [3][]string
	libNames   []string
	pathWords  [3][][]byte
	nameWords  [3][][]byte
	cmdWords   [3][][]byte
	argWords   [3][][]byte
	proseWords [][]byte
}

func (v *Vocabulary) build() {
	lists := &v.lists
	lists.once.Do(func() {
		for o := range osNames {
			os := OS(o)
			seen := map[*[][]byte]map[string]bool{}
			addWord := func(dst *[][]byte, w string) {
				if seen[dst] == nil {
					seen[dst] = map[string]bool{}
				}
				if w != "" && !seen[dst][w] {
					seen[dst][w] = true
					*dst = append(*dst, []byte(w))
				}
			}
			for _, p := range v.Processes[os.String()] {
				lists.procExes[o] = append(lists.procExes[o], p.Exe)
				base := Base(p.Exe, os)
				lists.procNames[o] = append(lists.procNames[o], base)
				stem := strings.TrimSuffix(base, "."+Ext(base))
				addWord(&lists.nameWords[o], stem)
				addWord(&lists.pathWords[o], stem)
				for _, a := range p.Args {
					for _, f := range strings.Fields(a) {
						addWord(&lists.cmdWords[o], f+" ")
						addWord(&lists.argWords[o], strings.Trim(f, `"'`))
					}
				}
			}
			// Paths start from a real directory (Event.Prefixes); their
			// free parts fill with real file stems.
			for _, n := range v.FileNames[os.String()] {
				stem := strings.TrimSuffix(n, "."+Ext(n))
				addWord(&lists.pathWords[o], stem)
				addWord(&lists.nameWords[o], stem)
			}
			sort.Strings(lists.procNames[o])
		}
		for _, l := range v.Libraries {
			lists.libNames = append(lists.libNames, Base(l, Windows))
		}
		for _, w := range v.Prose {
			lists.proseWords = append(lists.proseWords, []byte(w+" "))
		}
	})
}

func (v *Vocabulary) processCandidates(o OS, exe bool) []string {
	v.build()
	if exe {
		return v.lists.procExes[o]
	}
	return v.lists.procNames[o]
}

func (v *Vocabulary) libraryNames() []string { v.build(); return v.lists.libNames }

func (v *Vocabulary) pathWords(o OS) [][]byte    { v.build(); return v.lists.pathWords[o] }
func (v *Vocabulary) nameWords(o OS) [][]byte    { v.build(); return v.lists.nameWords[o] }
func (v *Vocabulary) commandWords(o OS) [][]byte { v.build(); return v.lists.cmdWords[o] }
func (v *Vocabulary) argWords(o OS) [][]byte     { v.build(); return v.lists.argWords[o] }
func (v *Vocabulary) proseWords() [][]byte       { v.build(); return v.lists.proseWords }

func (p *Population) hostNames() []string {
	p.namesOnce.Do(p.buildNames)
	return p.hostNameList
}

func (p *Population) userNames() []string {
	p.namesOnce.Do(p.buildNames)
	return p.userNameList
}

func (p *Population) buildNames() {
	for i := range p.Hosts {
		p.hostNameList = append(p.hostNameList, p.Hosts[i].Name)
		p.byOS[p.Hosts[i].OS] = append(p.byOS[p.Hosts[i].OS], i)
	}
	for i := range p.Users {
		p.userNameList = append(p.userNameList, p.Users[i].Name)
	}
}
