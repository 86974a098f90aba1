package encoding

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// SeenExchangesVersion is the version of the seen-exchanges file format
// this package reads and writes, the byte after the magic "RNTR"
// (PROTOCOL.md §Seen exchanges).
const SeenExchangesVersion = 2

// MaxSeenExchanges bounds the exchange IDs one seen-exchanges file holds
// (24 MiB of entries).
const MaxSeenExchanges = 1 << 20

// seenEntrySize is the size of one entry: an exchange ID and a time.
const seenEntrySize = ExchangeIDSize + 8

const seenMagic = "RNTR"

// SeenExchanges is the set of exchange IDs whose first message an agency
// has answered, each with the time its first message was written, which
// the root package keeps in a file so that a first message replayed later
// is refused. The encoding is
//
//	magic "RNTR", SeenExchangesVersion, count u32, entries (each an
//	exchange ID of ExchangeIDSize bytes and a time u64 in Unix seconds,
//	in strictly increasing order of ID), and last the SHA-256 of
//	everything before it.
//
// The order makes the encoding of a set unique (PROTOCOL.md §Seen
// exchanges). The root package drops entries older than its validity
// window (DropBefore) each time it records one.
type SeenExchanges struct {
	entries []seenEntry // sorted by ID, distinct IDs
}

type seenEntry struct {
	id   [ExchangeIDSize]byte
	time uint64
}

// Len returns the number of IDs in the set.
func (s *SeenExchanges) Len() int { return len(s.entries) }

// Contains reports whether id is in the set.
func (s *SeenExchanges) Contains(id [ExchangeIDSize]byte) bool {
	_, found := s.search(id)
	return found
}

func (s *SeenExchanges) search(id [ExchangeIDSize]byte) (int, bool) {
	return slices.BinarySearchFunc(s.entries, id, func(e seenEntry, id [ExchangeIDSize]byte) int {
		return bytes.Compare(e.id[:], id[:])
	})
}

// Add puts id in the set with time t (Unix seconds). It fails with
// ErrTooLarge if the set is full, and changes nothing if id is already in
// it.
func (s *SeenExchanges) Add(id [ExchangeIDSize]byte, t uint64) error {
	i, found := s.search(id)
	if found {
		return nil
	}
	if len(s.entries) >= MaxSeenExchanges {
		return fmt.Errorf("%w: the seen-exchanges file holds %d IDs already", ErrTooLarge, len(s.entries))
	}
	s.entries = slices.Insert(s.entries, i, seenEntry{id, t})
	return nil
}

// DropBefore removes every entry whose time is before t and returns how
// many it removed.
func (s *SeenExchanges) DropBefore(t uint64) int {
	n := len(s.entries)
	s.entries = slices.DeleteFunc(s.entries, func(e seenEntry) bool { return e.time < t })
	return n - len(s.entries)
}

// AppendBinary appends the encoding of s, checksum included, to b.
func (s *SeenExchanges) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	b = append(b, seenMagic...)
	b = append(b, SeenExchangesVersion)
	b = appendUint32(b, uint32(len(s.entries)))
	for _, e := range s.entries {
		b = append(b, e.id[:]...)
		b = binary.BigEndian.AppendUint64(b, e.time)
	}
	sum := sha256.Sum256(b[start:])
	return append(b, sum[:]...), nil
}

// UnmarshalBinary decodes s from exactly b: IDs out of order or repeated,
// more than MaxSeenExchanges, a bad checksum, and trailing bytes are
// refused.
func (s *SeenExchanges) UnmarshalBinary(b []byte) error {
	body, err := openChecksummed(b, seenMagic, SeenExchangesVersion, "seen-exchanges file")
	if err != nil {
		return err
	}
	str := cryptobyte.String(body)
	var n uint32
	if !str.ReadUint32(&n) {
		return fmt.Errorf("%w: seen-exchanges count", ErrTruncated)
	}
	switch {
	case n > MaxSeenExchanges:
		return fmt.Errorf("%w: %d seen exchanges (at most %d)", ErrTooLarge, n, MaxSeenExchanges)
	case uint64(n)*seenEntrySize != uint64(len(str)):
		return fmt.Errorf("%w: %d seen exchanges in %d bytes", ErrMalformed, n, len(str))
	}
	entries := make([]seenEntry, n)
	for i := range entries {
		// The length was checked above.
		str.CopyBytes(entries[i].id[:])
		str.ReadUint64(&entries[i].time)
		if i > 0 && bytes.Compare(entries[i-1].id[:], entries[i].id[:]) >= 0 {
			return fmt.Errorf("%w: seen exchanges out of order or repeated", ErrMalformed)
		}
	}
	s.entries = entries
	return nil
}
