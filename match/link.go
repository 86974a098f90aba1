package match

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/bits"
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
	// Truncated counts the keys dropped by the per-record cap, so callers
	// can report it: nothing is dropped silently.
	Truncated int
	// NoKeys lists the records that produced no key at all and can
	// therefore never match.
	NoKeys []int
	// presence[i] says which fields record i has.
	presence []Presence
	stats    Statistics
	// keyRule[k] is the index of the rule that produced Keys[k].
	keyRule []uint8
	// The owners of key k are owners[ownersFrom[k]:ownersFrom[k+1]], and
	// ownerViaAlias[j] reports that owners[j] holds its key through one of
	// its aliases, not its own name. One array for all keys costs far less
	// than a slice per key.
	ownersFrom    []int32
	owners        []int32
	ownerViaAlias []bool
}

// Owners returns, in increasing order, the indices of the records that
// produced Keys[k]. The slice must not be modified.
func (ix *Index) Owners(k int) []int32 {
	from, to := ix.ownersFrom[k], ix.ownersFrom[k+1]
	return ix.owners[from:to:to]
}

// Rule returns the index, in the rule set, of the rule that produced
// Keys[k].
func (ix *Index) Rule(k int) int {
	return int(ix.keyRule[k])
}

// NewIndex derives the keys of every record under rs, as Keys does, and
// also those of a record's name as the spelling of the whole file corrects
// it, in the room its own keys leave under the cap. A name token borne by
// that record only, one edit (a letter wrong, missing or added, or two
// neighbours swapped) from exactly one token borne by at least three
// records (of the same sex, for a given name) and ending alike, is most
// likely a typo of it; tokens of fewer than four letters, or corrected to
// fewer than five, Vietnamese names, and corrections that would give the
// name and birth date of another record of the file are left alone. A rule
// that tolerated such typos for every record would link twins whose names
// differ by one letter; correcting only names rare in the file toward
// names common in it links them only when one twin's name is rare there
// and the other's common. A pair's Rules do not say whether the names
// matched as written or as corrected.
func NewIndex(records []Record, rs *RuleSet) *Index {
	ix := &Index{rules: rs, presence: make([]Presence, len(records))}
	// Every record's keys, in record order, before the keys several
	// records share are merged. Records have 80 to 90 keys each under the
	// default rules.
	all := make([]Key, 0, len(records)*96)
	recordFrom := make([]int32, len(records)+1) // record i has all[recordFrom[i]:recordFrom[i+1]]
	d := newFileDeriver(rs)
	d.stats = newFileStats(rs)
	sp := newSpeller(records, d)
	for i := range records {
		var truncated int
		all, truncated = d.keys(&records[i], sp, i, all)
		ix.presence[i] = d.f.presence
		ix.Truncated += truncated
		if int(recordFrom[i]) == len(all) {
			ix.NoKeys = append(ix.NoKeys, i)
		}
		recordFrom[i+1] = int32(len(all))
	}
	// distinct[j] is the position in ix.Keys of values[j]. firstOccurrences
	// gives, for each value, where it first occurs; a value's position is
	// then that of its first occurrence, which comes before it.
	ix.stats = d.stats.statistics()
	distinct := firstOccurrences(all)
	n := 0
	for j, f := range distinct {
		if int(f) == j {
			distinct[j] = int32(n)
			n++
		} else {
			distinct[j] = distinct[f]
		}
	}
	ix.Keys, ix.keyRule = make([][]byte, n), make([]uint8, n)
	ix.ownersFrom = make([]int32, n+1)
	for j, k := range distinct {
		if ix.Keys[k] == nil {
			ix.Keys[k], ix.keyRule[k] = all[j].Value[:KeySize:KeySize], uint8(all[j].Rule)
		}
		ix.ownersFrom[k+1]++
	}
	for k := range n {
		ix.ownersFrom[k+1] += ix.ownersFrom[k]
	}
	// Records are visited in order, so each key's owners come out sorted.
	ix.owners, ix.ownerViaAlias = make([]int32, len(all)), make([]bool, len(all))
	next := slices.Clone(ix.ownersFrom[:n])
	for i := range records {
		for j := recordFrom[i]; j < recordFrom[i+1]; j++ {
			k := distinct[j]
			ix.owners[next[k]], ix.ownerViaAlias[next[k]] = int32(i), all[j].FromAlias
			next[k]++
		}
	}
	return ix
}

// firstOccurrences returns, for each of values, the index of the first
// value equal to it. Keys are SHA-256 outputs: one pass spreads them into
// buckets by their leading bits, about one key per bucket, and only keys
// of one bucket are compared, by their first eight bytes and, where those
// agree, whole. A map of that many keys would cost a cache miss or two per
// key; here buckets are filled and read in order.
func firstOccurrences(values []Key) []int32 {
	first := make([]int32, len(values))
	if len(values) == 0 {
		return first
	}
	width := min(bits.Len(uint(len(values))), 24)
	bucketOf := func(prefix uint64) uint64 { return prefix >> (64 - width) }
	type entry struct {
		prefix uint64
		index  int32
	}
	// One pass over the keys reads their prefixes; the rest of the work
	// reads those.
	prefixes := make([]uint64, len(values))
	start := make([]int32, 1<<width+1)
	for j := range values {
		prefixes[j] = binary.BigEndian.Uint64(values[j].Value[:8])
		start[bucketOf(prefixes[j])+1]++
	}
	for b := 1; b < len(start); b++ {
		start[b] += start[b-1]
	}
	next := slices.Clone(start[:len(start)-1])
	entries := make([]entry, len(values))
	for j, prefix := range prefixes {
		b := bucketOf(prefix)
		entries[next[b]] = entry{prefix, int32(j)}
		next[b]++
	}
	for b := 0; b+1 < len(start); b++ {
		bucket := entries[start[b]:start[b+1]]
		if len(bucket) == 1 {
			first[bucket[0].index] = bucket[0].index
			continue
		}
		// Equal keys end up next to each other, the first one first.
		slices.SortFunc(bucket, func(x, y entry) int {
			if c := cmp.Compare(x.prefix, y.prefix); c != 0 {
				return c
			}
			if c := bytes.Compare(values[x.index].Value[:], values[y.index].Value[:]); c != 0 {
				return c
			}
			return cmp.Compare(x.index, y.index)
		})
		for k := 0; k < len(bucket); {
			run, f := k, bucket[k].index
			for ; k < len(bucket) && bucket[k].prefix == bucket[run].prefix && values[bucket[k].index].Value == values[f].Value; k++ {
				first[bucket[k].index] = f
			}
		}
	}
	return first
}

// Statistics returns the file's chance-agreement rates, which the peer
// needs to weigh evidence as this party does (see Statistics).
func (ix *Index) Statistics() Statistics { return ix.stats }

// RuleSet returns the rule set the index was built with.
func (ix *Index) RuleSet() *RuleSet { return ix.rules }

// KeyHit is one of this party's keys that the peer also holds, with the
// peer's records that produced it on its side.
type KeyHit struct {
	// Key is the key's index into Index.Keys.
	Key int
	// Peers are the peer's records that hold the key, as its payload
	// names them (DecodePayload).
	Peers []PeerRecord
}

// Link is a (local record, peer record) pair whose match probability is at
// least the threshold.
type Link struct {
	Record int    // index of the local record
	Peer   uint32 // the peer's pseudonym for its record, valid for this session only
	// Score is the pair's match probability under the model Link learned
	// from the session's candidate pairs, weighed against the pair's
	// rivals where that makes it likelier (see Index.Link).
	Score float64
	// Evidence is the pair's comparison vector, one entry per compared
	// field that both records have: "given=exact", "date=year±1",
	// "sex=disagree"; and "via=alias" last where the pair shares keys
	// only through an alias of one of its records (a child known under a
	// false identity, whose birth date, birth place, parents and document
	// are then left out); and "rivals=weak" last where the pair reached
	// the threshold only because its records have no strong rival (see
	// Index.Link): the fields alone scored it lower. (So with the same
	// threshold both parties list the same evidence.) The
	// commonness of the pair's block keys, which the score also weighs,
	// is not listed.
	Evidence []string
	// Alternative reports that the pair reached the threshold but lost to
	// a better pair of one of its records in one-to-one resolution: most
	// likely a namesake or a twin of the child in the better pair, or a
	// second record of one child. Both parties weigh the same evidence
	// for every pair and resolve in the same order, so with the same
	// threshold they mark the same links.
	Alternative bool
	// Tied reports that another pair of one of this pair's records, at or
	// above the threshold, has the same Score (rounded, like every score,
	// to six decimals), so the score does not say which of the two is the
	// child's. One-to-one resolution keeps one of them by a tie-break (a
	// value of the keys each pair shares, then the session's pseudonyms)
	// or because a better pair took the other's second record; either way
	// both are marked, the kept pair and the alternative, and a caller
	// should not take the kept one for more certain than the other. Two
	// records of one child in the peer's file look like this, and so do
	// two children the records cannot tell apart.
	Tied bool
}

// Link turns key hits into record pairs and judges each pair by the
// Fellegi–Sunter model. A candidate pair is a (local record, peer record)
// pair that shares at least one key; which keys it shares give, per
// compared field, the best level the two records agree at, and the
// presence masks tell disagreement from missing data. The model's
// parameters (the probability of each outcome for pairs of one child, m,
// and of two children, u, and the share of pairs of one child) are learned
// by expectation–maximisation over all candidate pairs' vectors, which
// both parties hold alike, so both compute the same probability for every
// pair to the last bit. Evidence never adds up across two peer records.
//
// Each pair is then weighed against its rivals, the other candidate pairs
// of its two records: since a child has at most one record in each file,
// a pair with no plausible rival is likelier one child's than the model,
// which judges each pair on its own, says. Its probability is read again
// under that one-to-one assumption, with a factor learned from the session
// (the one at which the pairs' probabilities add up to the number of
// records the model expects to be linked), and the pair keeps the higher
// of the two (its Evidence ends with "rivals=weak" where only that took it
// to the threshold). A pair is lifted
// only where its records agree, or one of them lacks the field, on every
// field a child keeps: a disagreement there (birth dates years apart in
// month or day as well, another sex) or given names that say sibling keep
// the model's probability; where the child lives now does not count. No
// pair is ever lowered.
//
// Pairs below threshold are dropped. The rest are resolved one-to-one,
// best first: a pair whose local or peer record is already linked is kept
// as an Alternative. Equally probable pairs are ordered by the keys they
// share and the fields their two records have (see pairTie): both parties
// see the same of both, and neither depends on the session, so two
// sessions on the same files resolve such ties alike. Pairs that agree in
// those too, which neither party can tell apart, go by pseudonyms:
// pseudonyms are the local records' (nil means the records' indices, for
// callers that play both sides).
// The result is sorted by local record, then by descending score.
func (ix *Index) Link(hits []KeyHit, peer Statistics, pseudonyms []uint32, threshold float64) []Link {
	links, _ := ix.link(hits, peer, pseudonyms, threshold)
	return links
}

// link is Link, and also returns the competition factor it learned (see
// compete), 0 when no pair was a candidate.
func (ix *Index) link(hits []KeyHit, peer Statistics, pseudonyms []uint32, threshold float64) (resolved []Link, factor float64) {
	rs := ix.rules
	pairs, vectors, blocks, kin, viaAlias, ties := ix.candidates(hits)
	model := fitModel(rs, vectors, blocks, ix.stats, peer)

	type ranked struct {
		Link
		tie uint64
	}
	scores := make([]float64, len(pairs))
	owns, peers := make([]int32, len(pairs)), make([]uint32, len(pairs))
	liftable := make([]bool, len(pairs))
	for i, p := range pairs {
		scores[i] = model.probability(vectors[i], blocks[i], kin[i])
		owns[i], peers[i] = p.record, p.peer
		liftable[i] = rs.liftable(vectors[i], kin[i])
	}
	alone := scores
	scores, lifted, factor := compete(alone, owns, peers, liftable)
	var links []ranked
	for i, p := range pairs {
		score := scores[i]
		if !(score >= threshold) {
			continue
		}
		evidence := rs.evidence(vectors[i])
		if viaAlias[i] {
			evidence = append(evidence, "via=alias")
		}
		if lifted[i] && !(alone[i] >= threshold) {
			evidence = append(evidence, "rivals=weak")
		}
		links = append(links, ranked{Link{Record: int(p.record), Peer: p.peer, Score: score, Evidence: evidence}, ties[i]})
	}
	// One-to-one, best first. Ties go by pairTie, then by the pair's two
	// pseudonyms, smaller first, which both parties see alike.
	pseudo := func(l Link) (uint32, uint32) {
		a, b := uint32(l.Record), l.Peer
		if pseudonyms != nil {
			a = pseudonyms[l.Record]
		}
		return min(a, b), max(a, b)
	}
	slices.SortFunc(links, func(a, b ranked) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.tie, b.tie); c != 0 {
			return c
		}
		a1, a2 := pseudo(a.Link)
		b1, b2 := pseudo(b.Link)
		return cmp.Or(cmp.Compare(a1, b1), cmp.Compare(a2, b2))
	})
	out := make([]Link, len(links))
	for i := range links {
		out[i] = links[i].Link
	}
	resolveOneToOne(out)
	slices.SortStableFunc(out, func(a, b Link) int {
		return cmp.Compare(a.Record, b.Record)
	})
	return out, factor
}

// resolveOneToOne marks, in links sorted best first, the pairs that lose
// one-to-one resolution (Alternative: one of their records was taken by
// an earlier pair) and the pairs that share a record with another pair of
// the same score (Tied). Tied depends on the scores alone, not on the
// order the tie-break put equal pairs in, so it is the same whichever of
// them was kept.
func resolveOneToOne(links []Link) {
	type recordScore struct {
		record int
		score  float64
	}
	type peerScore struct {
		peer  uint32
		score float64
	}
	ownTaken, peerTaken := map[int]bool{}, map[uint32]bool{}
	sameOwn, samePeer := map[recordScore]int{}, map[peerScore]int{}
	for i := range links {
		l := &links[i]
		l.Alternative = ownTaken[l.Record] || peerTaken[l.Peer]
		if !l.Alternative {
			ownTaken[l.Record], peerTaken[l.Peer] = true, true
		}
		sameOwn[recordScore{l.Record, l.Score}]++
		samePeer[peerScore{l.Peer, l.Score}]++
	}
	for i := range links {
		l := &links[i]
		l.Tied = sameOwn[recordScore{l.Record, l.Score}] > 1 || samePeer[peerScore{l.Peer, l.Score}] > 1
	}
}

// candidate is a (local record, peer record) pair that shares a key.
type candidate struct {
	record int32
	peer   uint32
}

// candidates gathers the pairs that share at least one of hits, with their
// comparison vectors, and for each the comparisons that every block it
// shares settles by itself (a bit mask): a pair found only through a block
// on names agrees on names because of the block, so such a pair says
// nothing of how often pairs agree on names, and the model learns each
// comparison only from the pairs for which it is free. kinOnly says, per
// pair, whether it agrees on kin fields only (RuleSet.kinOnly); viaAlias,
// whether it shares keys only through an alias of one of its records;
// ties, its pairTie.
func (ix *Index) candidates(hits []KeyHit) (pairs []candidate, vectors []vector, blocks []uint32, kinOnly, viaAlias []bool, ties []uint64) {
	rs := ix.rules
	type evidence struct {
		agrees   []uint8
		presence Presence
		blocks   uint32 // the blocks the pair shares
		own      bool   // a shared key that both hold through their own names
		// common[b] is the commonness of the rarest key
		// of block b the pair shares, or missing.
		common []uint8
		keys   uint64 // the shared keys seen so far, as pairTie combines them
	}
	found := map[candidate]*evidence{}
	for _, h := range hits {
		r := &rs.rules[ix.Rule(h.Key)]
		// Only the owners the peer was told of (Payload names the first
		// MaxRecordsPerKey) count, so that both parties weigh the same
		// evidence for every pair.
		owners := ix.Owners(h.Key)
		owners = owners[:min(len(owners), MaxRecordsPerKey)]
		common := uint8(missing)
		if r.level < 0 {
			common = commonness(len(owners), len(h.Peers))
		}
		for j, own := range owners {
			for _, peer := range h.Peers {
				p := candidate{own, peer.Pseudonym}
				e := found[p]
				if e == nil {
					e = &evidence{agrees: slices.Clone(r.agrees), presence: peer.Presence, common: make([]uint8, len(rs.blocks))}
					for b := range e.common {
						e.common[b] = missing
					}
					found[p] = e
				}
				e.common[r.block] = min(e.common[r.block], common)
				e.blocks |= 1 << r.block
				e.keys ^= binary.BigEndian.Uint64(ix.Keys[h.Key])
				e.own = e.own || !ix.viaAlias(h.Key, j) && !peer.ViaAlias
				for c, l := range r.agrees {
					e.agrees[c] = min(e.agrees[c], l)
				}
			}
		}
	}
	for p, e := range found {
		pairs = append(pairs, p)
		v := rs.compare(e.agrees, ix.presence[p.record], e.presence, !e.own) + vector(e.common)
		vectors = append(vectors, v)
		kinOnly = append(kinOnly, rs.kinOnly(v, ix.presence[p.record], e.presence))
		viaAlias = append(viaAlias, !e.own)
		blocks = append(blocks, e.blocks)
		ties = append(ties, pairTie(e.keys, ix.presence[p.record], e.presence))
	}
	return pairs, vectors, blocks, kinOnly, viaAlias, ties
}

// pairTie returns the value that orders equally probable pairs in
// one-to-one resolution, from keys, the first eight bytes of every key the
// pair shares combined by exclusive or (so the order they arrive in does
// not matter), and the two records' presence masks, taken in an order
// that does not depend on which side is local. Both parties compute the
// same value for a pair, and so do two sessions on the same files: keys
// depend only on the records and the rule set, where pseudonyms are drawn
// anew every session. Keys are SHA-256 outputs, so pairs that share other
// keys or whose records have other fields tie again with probability
// about 2^-64.
func pairTie(keys uint64, a, b Presence) uint64 {
	lo, hi := min(a, b), max(a, b)
	return keys ^ (uint64(lo)<<16|uint64(hi))*0x9e3779b97f4a7c15
}
