package match

import (
	"cmp"
	"slices"
)

// Index maps a set of records to the distinct keys they produce, and each
// key back to the records that produced it. A key several records share
// (twins' family keys, duplicates) is one PSI element, so the peer learns
// nothing from how many local records hold it.
type Index struct {
	rules *RuleSet
	// Keys are the distinct key values, the elements to send to PSI.
	Keys [][]byte
	// Owners[k] lists, in increasing order, the indices of the records
	// that produced Keys[k].
	Owners [][]int32
	// KeyRule[k] is the index of the rule that produced Keys[k].
	KeyRule []int
	// Truncated counts the keys dropped by the per-record cap, so callers
	// can report it: nothing is dropped silently.
	Truncated int
	// NoKeys lists the records that produced no key at all and can
	// therefore never match.
	NoKeys []int
}

// NewIndex derives the keys of every record under rs.
func NewIndex(records []Record, rs *RuleSet) *Index {
	ix := &Index{rules: rs}
	pos := make(map[[KeySize]byte]int, len(records)*8)
	for i := range records {
		keys, truncated := rs.Keys(&records[i])
		ix.Truncated += truncated
		if len(keys) == 0 {
			ix.NoKeys = append(ix.NoKeys, i)
		}
		for _, k := range keys {
			p, ok := pos[k.Value]
			if !ok {
				p = len(ix.Keys)
				pos[k.Value] = p
				v := k.Value
				ix.Keys = append(ix.Keys, v[:])
				ix.Owners = append(ix.Owners, nil)
				ix.KeyRule = append(ix.KeyRule, k.Rule)
			}
			ix.Owners[p] = append(ix.Owners[p], int32(i))
		}
	}
	return ix
}

// RuleSet returns the rule set the index was built with.
func (ix *Index) RuleSet() *RuleSet { return ix.rules }

// KeyHit is one of this party's keys that the peer also holds, with the
// peer's pseudonyms of the records that produced it on its side.
type KeyHit struct {
	Key   int // index into Index.Keys
	Peers []uint32
}

// Link is a (local record, peer record) pair whose shared keys score at
// least the threshold.
type Link struct {
	Record int    // index of the local record
	Peer   uint32 // the peer's pseudonym for its record, valid for this session only
	Score  float64
	Rules  []string // the rules on which the pair shares a key, in rule order
}

// Link turns key hits into record pairs. Scores are computed per pair of
// records, never per local record: evidence from keys that belong to two
// different peer records (one twin's key and the other twin's key) never
// adds up. Pairs scoring below threshold are dropped; the result is sorted
// by local record, then by descending score.
func (ix *Index) Link(hits []KeyHit, threshold float64) []Link {
	type pair struct {
		record int32
		peer   uint32
	}
	evidence := map[pair][]int{}
	for _, h := range hits {
		rule := ix.KeyRule[h.Key]
		for _, own := range ix.Owners[h.Key] {
			for _, peer := range h.Peers {
				p := pair{own, peer}
				if !slices.Contains(evidence[p], rule) {
					evidence[p] = append(evidence[p], rule)
				}
			}
		}
	}
	var links []Link
	for p, rules := range evidence {
		score := ix.rules.Score(rules)
		if score < threshold {
			continue
		}
		slices.Sort(rules)
		names := make([]string, len(rules))
		for i, r := range rules {
			names[i] = ix.rules.rules[r].Name
		}
		links = append(links, Link{Record: int(p.record), Peer: p.peer, Score: score, Rules: names})
	}
	slices.SortFunc(links, func(a, b Link) int {
		if c := cmp.Compare(a.Record, b.Record); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Peer, b.Peer)
	})
	return links
}
