package kkrt

import "errors"

// Errors returned by the engine. Every failure caused by a peer's message
// wraps one of them, so callers can branch with errors.Is.
var (
	// ErrSetSize is returned when a set is larger than MaxSetSize, or does
	// not have the size agreed in Params.
	ErrSetSize = errors.New("kkrt: set size out of range")
	// ErrParams is returned for Params the engine cannot run with.
	ErrParams = errors.New("kkrt: invalid parameters")
	// ErrDuplicate is returned when a set holds the same element twice.
	// PSI runs on sets: callers deduplicate first.
	ErrDuplicate = errors.New("kkrt: duplicate element in set")
	// ErrCuckoo is returned when the receiver's elements do not fit the
	// cuckoo table and its stash. The parameters make this happen with
	// probability at most 2^-40; a fresh session (new seed) will succeed.
	ErrCuckoo = errors.New("kkrt: cuckoo hashing failed")
	// ErrMessageSize is returned for a peer message that does not have the
	// exact size its position in the protocol requires (truncated,
	// oversized, or a message of another kind).
	ErrMessageSize = errors.New("kkrt: message has the wrong size")
	// ErrBadPoint is returned for a base-OT group element that is not a
	// canonical ristretto255 encoding, or is the identity.
	ErrBadPoint = errors.New("kkrt: invalid base-OT group element")
	// ErrRepeatedTag is returned when one of the receiver's tags appears
	// twice in the sender's tag stream, which an honest sender causes
	// with negligible probability.
	ErrRepeatedTag = errors.New("kkrt: a tag of the receiver appears twice")
	// ErrOrder is returned when a method is called out of protocol order,
	// after the session ended, or after an earlier error.
	ErrOrder = errors.New("kkrt: call out of protocol order")
)
