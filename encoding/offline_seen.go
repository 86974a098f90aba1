package encoding

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// SeenExchangesVersion is the version of the seen-exchanges file format
// this package reads and writes.
const SeenExchangesVersion = 1

// MaxSeenExchanges bounds the exchange IDs one seen-exchanges file holds
// (16 MiB of IDs).
const MaxSeenExchanges = 1 << 20

const seenMagic = "RNTR"

// SeenExchanges is the set of exchange IDs whose first message an agency
// has answered, which the root package keeps in a file so that a first
// message replayed later is refused. The encoding is
//
//	magic "RNTR", SeenExchangesVersion, count u32, IDs (ExchangeIDSize
//	each, in strictly increasing byte order), and last the SHA-256 of
//	everything before it.
//
// The order makes the encoding of a set unique.
type SeenExchanges struct {
	ids [][ExchangeIDSize]byte // sorted, distinct
}

// Len returns the number of IDs in the set.
func (s *SeenExchanges) Len() int { return len(s.ids) }

// Contains reports whether id is in the set.
func (s *SeenExchanges) Contains(id [ExchangeIDSize]byte) bool {
	_, found := slices.BinarySearchFunc(s.ids, id, compareIDs)
	return found
}

// Add puts id in the set. It fails with ErrTooLarge if the set is full,
// and changes nothing if id is already in it.
func (s *SeenExchanges) Add(id [ExchangeIDSize]byte) error {
	i, found := slices.BinarySearchFunc(s.ids, id, compareIDs)
	if found {
		return nil
	}
	if len(s.ids) >= MaxSeenExchanges {
		return fmt.Errorf("%w: the seen-exchanges file holds %d IDs already", ErrTooLarge, len(s.ids))
	}
	s.ids = slices.Insert(s.ids, i, id)
	return nil
}

func compareIDs(a, b [ExchangeIDSize]byte) int { return bytes.Compare(a[:], b[:]) }

// AppendBinary appends the encoding of s, checksum included, to b.
func (s *SeenExchanges) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	b = append(b, seenMagic...)
	b = append(b, SeenExchangesVersion)
	b = appendUint32(b, uint32(len(s.ids)))
	for _, id := range s.ids {
		b = append(b, id[:]...)
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
	case uint64(n)*ExchangeIDSize != uint64(len(str)):
		return fmt.Errorf("%w: %d seen exchanges in %d bytes", ErrMalformed, n, len(str))
	}
	ids := make([][ExchangeIDSize]byte, n)
	for i := range ids {
		str.CopyBytes(ids[i][:]) // the length was checked above
		if i > 0 && compareIDs(ids[i-1], ids[i]) >= 0 {
			return fmt.Errorf("%w: seen exchanges out of order or repeated", ErrMalformed)
		}
	}
	s.ids = ids
	return nil
}
