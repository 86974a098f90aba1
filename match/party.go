package match

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// This file is the record-pseudonym protocol that runs on top of PSI: what
// a party puts in the set (its keys, in a secret order, each with a sealed
// payload naming its records, and the statistics element last), and how it
// turns the elements both hold back into pairs of records. Package psi
// carries the elements and payloads; it knows nothing of records.

// Party is one agency's side of a linkage session: its records' keys as a
// PSI set, and the means to link the elements both parties turn out to
// hold.
type Party struct {
	ix         *Index
	pseudonyms []uint32
	// order[pos] is the index in ix.Keys of the key at position pos of
	// the set.
	order []int
	// Elements and Payloads are the PSI set, element by element: the
	// keys in a secret per-session order, each with its payload, and last
	// the statistics element (RuleSet.StatisticsElement) with this file's
	// Statistics.
	Elements, Payloads [][]byte
	// Overfull counts the keys held by more records than a payload can
	// name (MaxRecordsPerKey): only the first ones are named.
	Overfull int
}

// ErrPseudonyms reports pseudonyms NewParty cannot use: not one per
// record, or not distinct.
var ErrPseudonyms = errors.New("match: invalid record pseudonyms")

// NewParty derives the keys of records under rs and builds the PSI set.
// pseudonyms names each record for this session only: one per record, all
// distinct, fresh and random for every session. Nil draws them
// (NewPseudonyms); a resumed session passes the ones it started with,
// which also give back the same order.
func NewParty(records []Record, rs *RuleSet, pseudonyms []uint32) (*Party, error) {
	if pseudonyms == nil {
		var err error
		if pseudonyms, err = NewPseudonyms(len(records)); err != nil {
			return nil, err
		}
	}
	if len(pseudonyms) != len(records) {
		return nil, fmt.Errorf("%w: %d pseudonyms for %d records", ErrPseudonyms, len(pseudonyms), len(records))
	}
	seen := make(map[uint32]bool, len(pseudonyms))
	for _, p := range pseudonyms {
		if seen[p] {
			return nil, fmt.Errorf("%w: they must be distinct", ErrPseudonyms)
		}
		seen[p] = true
	}
	ix := NewIndex(records, rs)
	p := &Party{ix: ix, pseudonyms: pseudonyms, order: sessionOrder(ix.Keys, pseudonyms)}
	n := len(ix.Keys)
	p.Elements, p.Payloads = make([][]byte, n, n+1), make([][]byte, n, n+1)
	// Keys go to PSI in a secret, per-session order: in index order they
	// would follow record order, and a dishonest responder evaluating each
	// chunk under its own scalar could tell which part of the file matched.
	for pos, k := range p.order {
		var overfull bool
		p.Elements[pos] = ix.Keys[k]
		if p.Payloads[pos], overfull = ix.Payload(k, pseudonyms); overfull {
			p.Overfull++
		}
	}
	// Last, the element both parties hold, whose payload carries the
	// file's statistics: each party weighs evidence against the chance
	// agreement of both files.
	stats, err := ix.Statistics().MarshalBinary()
	if err != nil {
		return nil, err
	}
	p.Elements = append(p.Elements, rs.StatisticsElement())
	p.Payloads = append(p.Payloads, stats)
	return p, nil
}

// NewPseudonyms draws n distinct random 32-bit pseudonyms, one per record,
// from crypto/rand. They are fresh per session, so they link nothing
// across sessions.
func NewPseudonyms(n int) ([]uint32, error) {
	out := make([]uint32, n)
	seen := make(map[uint32]struct{}, n)
	buf := make([]byte, 4*n)
	for i := 0; i < n; {
		if _, err := rand.Read(buf[:4*(n-i)]); err != nil {
			return nil, err
		}
		for j := 0; j+4 <= 4*(n-i) && i < n; j += 4 {
			v := binary.BigEndian.Uint32(buf[j:])
			if _, dup := seen[v]; dup {
				continue
			}
			seen[v] = struct{}{}
			out[i] = v
			i++
		}
	}
	return out, nil
}

// Handle returns the handle both parties compute for a pair of records
// they linked in the session with ID sessionID, to quote in the formal
// request that follows: a hash of the session ID and the two records'
// pseudonyms, the initiator's first. initiator says whether this party
// initiated the session.
func (p *Party) Handle(sessionID [32]byte, l Link, initiator bool) [32]byte {
	ini, resp := p.pseudonyms[l.Record], l.Peer
	if !initiator {
		ini, resp = resp, ini
	}
	h := sha256.New()
	h.Write([]byte("reunite-match-v1 pair handle"))
	h.Write(sessionID[:])
	h.Write(binary.BigEndian.AppendUint32(nil, ini))
	h.Write(binary.BigEndian.AppendUint32(nil, resp))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Index returns the index of the party's records.
func (p *Party) Index() *Index { return p.ix }

// Pseudonyms returns the records' pseudonyms for this session. The slice
// must not be modified.
func (p *Party) Pseudonyms() []uint32 { return p.pseudonyms }

// SharedElement is an element of the party's set that the peer holds too,
// as PSI reports it.
type SharedElement struct {
	// Index is the element's position in Party.Elements.
	Index int
	// PeerPayload is the peer's payload for it, opened.
	PeerPayload []byte
}

// Linked is what Party.Link found.
type Linked struct {
	// Links are the pairs of records at or above the threshold,
	// resolved one-to-one (see Index.Link).
	Links []Link
	// StatisticsShared reports that the statistics element was among the
	// shared elements (it is not a key and not a hit).
	StatisticsShared bool
	// BadPayloads counts shared keys whose peer payload was malformed
	// (such a key names no peer record), and one more when the peer's
	// statistics were missing or malformed (the pairs are then weighed
	// against this file's statistics alone: both parties still link, but
	// may score a pair differently).
	BadPayloads int
	// CompetitionFactor is k, the factor by which one-to-one competition
	// weighed a pair's odds against its rivals' (see Index.Link), learned
	// from this session's candidate pairs and the same for both parties
	// (unless one lacked the other's statistics, see BadPayloads); 0 when
	// no pair was a candidate. It lies in [2^-10, 2^6] and grows with the
	// rivals pairs have: 1.01 on FEBRL4, whose records nearly all
	// have one clear partner, 1.7 to 2.5 on the project's synthetic
	// cross-border sets, 5.6 and 15 on its registers (bench, rule set
	// v11). A session at the bound had pairs with many rivals, as a peer's
	// file of broad records, each meeting many of the local ones, would
	// give: one an auditor may want to look at.
	CompetitionFactor float64
}

// Link turns the elements both parties hold into pairs of records with
// their match probabilities. A malformed payload is counted, not an error:
// the session has completed on both sides by then, and failing now would
// leave the peer reporting success.
func (p *Party) Link(shared []SharedElement, threshold float64) Linked {
	var out Linked
	hits := make([]KeyHit, 0, len(shared))
	peerStats, statsFound := p.ix.Statistics(), false
	for _, e := range shared {
		if e.Index == len(p.order) {
			out.StatisticsShared = true
			if s, err := p.ix.rules.ParseStatistics(e.PeerPayload); err == nil {
				peerStats, statsFound = s, true
			}
			continue
		}
		var peers []PeerRecord
		err := ErrPayload
		if e.Index >= 0 && e.Index < len(p.order) {
			peers, err = DecodePayload(e.PeerPayload)
		}
		if err != nil {
			out.BadPayloads++
			continue
		}
		hits = append(hits, KeyHit{Key: p.order[e.Index], Peers: peers})
	}
	if !statsFound && len(shared) > 0 {
		out.BadPayloads++
	}
	out.Links, out.CompetitionFactor = p.ix.link(hits, peerStats, p.pseudonyms, threshold)
	return out
}

// sessionOrder returns a permutation of keys, secret to this session: the
// keys sorted by SHA-256 of a seed derived from the records' (random,
// per-session) pseudonyms and the key.
func sessionOrder(keys [][]byte, pseudonyms []uint32) []int {
	seed := sha256.New()
	seed.Write([]byte("reunite-match-v1 element order"))
	for _, p := range pseudonyms {
		seed.Write(binary.BigEndian.AppendUint32(nil, p))
	}
	var prefix [32]byte
	seed.Sum(prefix[:0])
	rank := make([][32]byte, len(keys))
	for i, k := range keys {
		rank[i] = sha256.Sum256(append(prefix[:], k...))
	}
	order := make([]int, len(keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return bytes.Compare(rank[a][:], rank[b][:]) })
	return order
}

// PayloadSize is the size of the payload each key carries to the peer,
// sealed so that only a holder of the same key can open it: the peer
// records that produced the key, each as a per-session pseudonym and its
// presence mask. Every payload has this size, so its length says nothing.
const PayloadSize = 64

// payloadEntrySize is the size of one record in a payload: its pseudonym
// and its presence mask.
const payloadEntrySize = 6

// MaxRecordsPerKey is how many records one payload can name. A key shared
// by more local records names only the first ones (Index.Payload reports
// it); such a key is so common that it is weak evidence anyway.
const MaxRecordsPerKey = (PayloadSize - 1) / payloadEntrySize

// ErrPayload reports a peer payload that does not follow the format.
var ErrPayload = errors.New("match: malformed record payload from peer")

// PeerRecord is one of the peer's records named in a key's payload.
type PeerRecord struct {
	// Pseudonym is the peer's name for its record in this session only.
	Pseudonym uint32
	// Presence says which fields the peer's record has and how precise
	// its birth date is, so that a pair that agrees at no level of a field
	// both records have counts as disagreeing on it, and one where a
	// record lacks the field as missing it. Revealing the mask of records
	// that share a key is part of the protocol's leakage (SECURITY.md).
	Presence Presence
	// ViaAlias reports that the peer's record holds the key through one
	// of its aliases, not its own name. A pair that shares keys only
	// through an alias is a child held under a false identity, whose false
	// birth date, birth place, parents and document say nothing about the
	// child the alias names: Link leaves them out. Revealing this
	// bit for keys the two sides share is part of the protocol's leakage.
	ViaAlias bool
}

// viaAliasBit marks, in a payload entry's mask, a record that holds the
// key through one of its aliases.
const viaAliasBit = 1 << 15

// viaAlias reports whether the j-th owner of key k holds it through one of
// its aliases.
func (ix *Index) viaAlias(k, j int) bool {
	return ix.ownerViaAlias[int(ix.ownersFrom[k])+j]
}

// Payload returns the payload of key k: the number of records named, then
// per record its pseudonym (4 bytes, big-endian) and presence mask (2
// bytes, big-endian, with the top bit set when the record holds the key
// through an alias), then zero padding to PayloadSize. pseudonyms maps
// local record indices to their pseudonyms. overfull reports that the key
// has more owners than fit.
func (ix *Index) Payload(k int, pseudonyms []uint32) (payload []byte, overfull bool) {
	owners := ix.Owners(k)
	if len(owners) > MaxRecordsPerKey {
		owners, overfull = owners[:MaxRecordsPerKey], true
	}
	p := make([]byte, 1, PayloadSize)
	p[0] = byte(len(owners))
	for j, o := range owners {
		p = binary.BigEndian.AppendUint32(p, pseudonyms[o])
		mask := uint16(ix.presence[o])
		if ix.viaAlias(k, j) {
			mask |= viaAliasBit
		}
		p = binary.BigEndian.AppendUint16(p, mask)
	}
	return p[:PayloadSize], overfull
}

// DecodePayload parses a payload made by Payload, strictly: the length,
// the count, presence masks that a record can have (Presence.consistent),
// and zero padding.
func DecodePayload(p []byte) ([]PeerRecord, error) {
	if len(p) != PayloadSize || p[0] == 0 || int(p[0]) > MaxRecordsPerKey {
		return nil, ErrPayload
	}
	out := make([]PeerRecord, p[0])
	for i := range out {
		e := p[1+payloadEntrySize*i:]
		mask := binary.BigEndian.Uint16(e[4:])
		if !Presence(mask &^ viaAliasBit).consistent() {
			return nil, ErrPayload
		}
		out[i] = PeerRecord{Pseudonym: binary.BigEndian.Uint32(e), Presence: Presence(mask &^ viaAliasBit), ViaAlias: mask&viaAliasBit != 0}
	}
	for _, b := range p[1+payloadEntrySize*len(out):] {
		if b != 0 {
			return nil, ErrPayload
		}
	}
	return out, nil
}
