package automaton

// minimize is Hopcroft's partition refinement over d's states and a sink
// standing for its missing moves (-1): the blocks are the states no string
// tells apart. It returns each state's block, blocks numbered in the order
// of their least state, and the block count (the sink's block, and the
// states equivalent to it, excluded: they get -1).
func minimize(d *DFA) ([]int32, int) {
	n := len(d.accept)
	nc := d.nclass
	sink := int32(n)
	all := n + 1
	// Inverse moves, class by class: the states whose move on class c
	// leads to t are from[at[c*all+t]:at[c*all+t+1]].
	at := make([]int32, nc*all+1)
	target := func(s int32, c int) int32 {
		if s == sink {
			return sink
		}
		if t := d.trans[int(s)*nc+c]; t >= 0 {
			return t
		}
		return sink
	}
	for s := int32(0); s < int32(all); s++ {
		for c := 0; c < nc; c++ {
			at[c*all+int(target(s, c))+1]++
		}
	}
	for i := 1; i < len(at); i++ {
		at[i] += at[i-1]
	}
	from := make([]int32, at[len(at)-1])
	fill := make([]int32, nc*all)
	copy(fill, at[:nc*all])
	for s := int32(0); s < int32(all); s++ {
		for c := 0; c < nc; c++ {
			k := c*all + int(target(s, c))
			from[fill[k]] = s
			fill[k]++
		}
	}

	// The partition: elems holds the states block after block; block b is
	// elems[first[b]:end[b]], its first marked[b] elements marked.
	elems := make([]int32, all)
	loc := make([]int32, all)
	blockOf := make([]int32, all)
	var first, end, marked []int32
	var inWork []bool
	// Accepting states first, then the others (the sink among them).
	i := int32(0)
	for _, acc := range []bool{true, false} {
		start := i
		for s := int32(0); s < int32(all); s++ {
			if (s < sink && d.accept[s]) == acc {
				elems[i], loc[s], blockOf[s] = s, i, int32(len(first))
				i++
			}
		}
		if i > start {
			first, end, marked = append(first, start), append(end, i), append(marked, 0)
			inWork = append(inWork, false)
		}
	}
	var work []int32
	if len(first) == 2 {
		small := int32(0)
		if end[1]-first[1] < end[0]-first[0] {
			small = 1
		}
		work, inWork[small] = append(work, small), true
	}
	var touched, splitter []int32
	for len(work) > 0 {
		a := work[len(work)-1]
		work = work[:len(work)-1]
		inWork[a] = false
		// The splitter's states, copied: splits move them.
		splitter = append(splitter[:0], elems[first[a]:end[a]]...)
		for c := 0; c < nc; c++ {
			touched = touched[:0]
			for _, t := range splitter {
				for _, s := range from[at[c*all+int(t)]:at[c*all+int(t)+1]] {
					b := blockOf[s]
					m := first[b] + marked[b]
					if loc[s] < m {
						continue // marked already
					}
					// Swap s to the end of the marked part.
					o := elems[m]
					elems[m], elems[loc[s]] = s, o
					loc[o], loc[s] = loc[s], m
					if marked[b] == 0 {
						touched = append(touched, b)
					}
					marked[b]++
				}
			}
			for _, b := range touched {
				m := marked[b]
				marked[b] = 0
				if m == end[b]-first[b] {
					continue // every state of b moves into a: no split
				}
				// The marked part becomes a new block.
				nb := int32(len(first))
				first, end, marked = append(first, first[b]), append(end, first[b]+m), append(marked, 0)
				first[b] += m
				for _, s := range elems[first[nb]:end[nb]] {
					blockOf[s] = nb
				}
				switch {
				case inWork[b]:
					work, inWork = append(work, nb), append(inWork, true)
				case end[nb]-first[nb] <= end[b]-first[b]:
					work, inWork = append(work, nb), append(inWork, true)
				default:
					inWork = append(inWork, false)
					work, inWork[b] = append(work, b), true
				}
			}
		}
	}
	// Blocks numbered by their least state; the sink's block is none.
	id := make([]int32, len(first))
	for b := range id {
		id[b] = -2
	}
	id[blockOf[sink]] = -1
	part := make([]int32, n)
	k := 0
	for s := 0; s < n; s++ {
		b := blockOf[s]
		if id[b] == -2 {
			id[b] = int32(k)
			k++
		}
		part[s] = id[b]
	}
	return part, k
}
