package match

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
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
	// imprecise[i] reports that record i has no full birth date.
	imprecise []bool
	// keyRule[k] is the index of the rule that produced Keys[k].
	keyRule []uint8
	// The owners of key k are owners[ownersFrom[k]:ownersFrom[k+1]], and
	// ownerViaAlias[j] reports that owners[j] holds its key through one
	// of its aliases, not its own name. One array for all keys costs far
	// less than a slice per key.
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

// viaAlias reports whether the j-th owner of key k holds it through one of
// its aliases.
func (ix *Index) viaAlias(k, j int) bool {
	return ix.ownerViaAlias[int(ix.ownersFrom[k])+j]
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
	ix := &Index{rules: rs, imprecise: make([]bool, len(records))}
	// Every record's keys, in record order, before the keys several
	// records share are merged. Records have about twenty keys each.
	all := make([]Key, 0, len(records)*24)
	recordFrom := make([]int32, len(records)+1) // record i has all[recordFrom[i]:recordFrom[i+1]]
	d := newFileDeriver(rs)
	sp := newSpeller(records, d)
	for i := range records {
		ix.imprecise[i] = records[i].BirthDate.Precision() != PrecisionDay
		var truncated int
		all, truncated = d.keys(&records[i], sp, i, all)
		ix.Truncated += truncated
		if int(recordFrom[i]) == len(all) {
			ix.NoKeys = append(ix.NoKeys, i)
		}
		recordFrom[i+1] = int32(len(all))
	}
	// distinct[j] is the position in ix.Keys of values[j]. firstOccurrences
	// gives, for each value, where it first occurs; a value's position is
	// then that of its first occurrence, which comes before it.
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
			// Only rules that need it learn where a key came from: the
			// flag tells the peer that its name is an alias here.
			ix.owners[next[k]], ix.ownerViaAlias[next[k]] = int32(i), all[j].FromAlias && rs.viaAlias[all[j].Rule]
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

// RuleSet returns the rule set the index was built with.
func (ix *Index) RuleSet() *RuleSet { return ix.rules }

// PayloadSize is the size of the payload each key carries to the peer,
// sealed so that only a holder of the same key can open it: the peer
// records that produced the key, each as a per-session pseudonym and a
// flag byte. Every payload has this size, so its length says nothing.
const PayloadSize = 64

// MaxRecordsPerKey is how many records one payload can name. A key shared
// by more local records names only the first ones (Index.Payload reports
// it); such a key is so common that it is weak evidence anyway.
const MaxRecordsPerKey = (PayloadSize - 1) / 5

// ErrPayload reports a peer payload that does not follow the format.
var ErrPayload = errors.New("match: malformed record payload from peer")

// Flags in a payload's per-record byte.
const (
	flagImpreciseDate = 1 << 0
	flagViaAlias      = 1 << 1
	knownFlags        = flagImpreciseDate | flagViaAlias
)

// PeerRecord is one of the peer's records named in a key's payload.
type PeerRecord struct {
	// Pseudonym is the peer's name for its record in this session only.
	Pseudonym uint32
	// ImpreciseDate reports that the peer's record has no full birth date
	// (only a year, or none). Year-based rules count only when one side's
	// date is imprecise: two full dates that differ rule the pair out
	// more surely than a shared year rules it in. Revealing this bit for
	// records that share a key is part of the protocol's leakage.
	ImpreciseDate bool
	// ViaAlias reports that the peer's record holds the key through one of
	// its aliases, not its own name. Rules marked ViaAlias count only when
	// one side's key comes from an alias; revealing this bit for keys the
	// two sides share is part of the protocol's leakage.
	ViaAlias bool
}

// Payload returns the payload of key k: the number of records named, then
// per record its pseudonym (4 bytes, big-endian) and a flag byte, then zero
// padding to PayloadSize. pseudonyms maps local record indices to their
// pseudonyms. overfull reports that the key has more owners than fit.
func (ix *Index) Payload(k int, pseudonyms []uint32) (payload []byte, overfull bool) {
	owners := ix.Owners(k)
	if len(owners) > MaxRecordsPerKey {
		owners, overfull = owners[:MaxRecordsPerKey], true
	}
	p := make([]byte, 1, PayloadSize)
	p[0] = byte(len(owners))
	for j, o := range owners {
		p = binary.BigEndian.AppendUint32(p, pseudonyms[o])
		var flags byte
		if ix.imprecise[o] {
			flags |= flagImpreciseDate
		}
		if ix.viaAlias(k, j) {
			flags |= flagViaAlias
		}
		p = append(p, flags)
	}
	return p[:PayloadSize], overfull
}

// DecodePayload parses a payload made by Payload, strictly: the length,
// the count, known flags only, and zero padding.
func DecodePayload(p []byte) ([]PeerRecord, error) {
	if len(p) != PayloadSize || p[0] == 0 || int(p[0]) > MaxRecordsPerKey {
		return nil, ErrPayload
	}
	out := make([]PeerRecord, p[0])
	for i := range out {
		e := p[1+5*i:]
		if e[4]&^knownFlags != 0 {
			return nil, ErrPayload
		}
		out[i] = PeerRecord{
			Pseudonym:     binary.BigEndian.Uint32(e),
			ImpreciseDate: e[4]&flagImpreciseDate != 0,
			ViaAlias:      e[4]&flagViaAlias != 0,
		}
	}
	for _, b := range p[1+5*len(out):] {
		if b != 0 {
			return nil, ErrPayload
		}
	}
	return out, nil
}

// KeyHit is one of this party's keys that the peer also holds, with the
// peer's records that produced it on its side.
type KeyHit struct {
	Key   int // index into Index.Keys
	Peers []PeerRecord
}

// Link is a (local record, peer record) pair whose shared keys score at
// least the threshold.
type Link struct {
	Record int    // index of the local record
	Peer   uint32 // the peer's pseudonym for its record, valid for this session only
	Score  float64
	Rules  []string // the rules on which the pair shares a key, in rule order
	// Alternative reports that another link of the same local record, or
	// of the same peer record, scores more than AlternativeMargin higher:
	// this pair is then most likely a namesake or a twin of the child in
	// the better pair. Both parties weigh the same evidence for every pair,
	// so with the same threshold they mark the same links (with another
	// threshold, a pair may be an alternative on one side and below the
	// threshold on the other).
	Alternative bool
}

// AlternativeMargin is how far below the best link of one of its records a
// link's score must fall to be marked Alternative. Links that score about
// as well are all kept: two records of one child in one file, or a pair
// the rules cannot tell apart, must both reach a person.
const AlternativeMargin = 0.05

// Link turns key hits into record pairs. Scores are computed per pair of
// records, never per local record: evidence from keys that belong to two
// different peer records (one twin's key and the other twin's key) never
// adds up. Rules on the birth year, and rules marked WithoutFullDate, count
// only when at least one of the two records lacks a full date; rules marked
// ViaAlias only when at least one side holds the key through an alias.
// Pairs scoring below threshold are dropped, and those scoring clearly
// below another pair of one of their records are marked Alternative; the
// result is sorted by local record, then by descending score.
func (ix *Index) Link(hits []KeyHit, threshold float64) []Link {
	type pair struct {
		record int32
		peer   uint32
	}
	evidence := map[pair][]int{}
	for _, h := range hits {
		rule := ix.Rule(h.Key)
		gated, viaAlias := ix.rules.gated[rule], ix.rules.viaAlias[rule]
		// Only the owners the peer was told of (Payload names the first
		// MaxRecordsPerKey) count, so that both parties weigh the same
		// evidence for every pair.
		owners := ix.Owners(h.Key)
		owners = owners[:min(len(owners), MaxRecordsPerKey)]
		for j, own := range owners {
			for _, peer := range h.Peers {
				if gated && !ix.imprecise[own] && !peer.ImpreciseDate {
					continue // both dates are full: the date rules decide
				}
				if viaAlias && !ix.viaAlias(h.Key, j) && !peer.ViaAlias {
					continue // two own names: the stricter name rules decide
				}
				p := pair{own, peer.Pseudonym}
				if !slices.Contains(evidence[p], rule) {
					evidence[p] = append(evidence[p], rule)
				}
			}
		}
	}
	var links []Link
	for p, rules := range evidence {
		// Sorted first, so that both parties multiply the weights in the
		// same order and get the same score to the last bit.
		slices.Sort(rules)
		score := ix.rules.Score(rules)
		if score < threshold {
			continue
		}
		names := make([]string, len(rules))
		for i, r := range rules {
			names[i] = ix.rules.rules[r].Name
		}
		links = append(links, Link{Record: int(p.record), Peer: p.peer, Score: score, Rules: names})
	}
	// A link competes with the other links of its local record and with
	// those of its peer record.
	bestOwn, bestPeer := map[int]float64{}, map[uint32]float64{}
	for _, l := range links {
		bestOwn[l.Record] = max(bestOwn[l.Record], l.Score)
		bestPeer[l.Peer] = max(bestPeer[l.Peer], l.Score)
	}
	for i := range links {
		l := &links[i]
		l.Alternative = l.Score < bestOwn[l.Record]-AlternativeMargin || l.Score < bestPeer[l.Peer]-AlternativeMargin
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
