// Package psi implements reunite's private set intersection protocols as
// pure state machines.
//
// Two parties, an initiator and a responder, each hold a set of byte
// strings. A session tells each party which of its own elements the other
// also holds (or only how many, or tells only the initiator: see Mode), a
// match handle per shared element that both derive identically, and an
// optional fixed-size payload the other attached to it. It tells neither
// anything about the other's non-shared elements beyond their number.
//
//	initiator                              responder
//	Hello                          ──▶
//	                               ◀──     HelloReply, commitment B = b·G
//	Blinded  a·H(x)                ──▶
//	verify proof, unblind          ◀──     Evaluated b·a·H(x) + DLEQ proof per chunk,
//	                                       Tags of b·H(y)
//	Reveal (both-learn), Finish    ──▶
//	                               ◀──     Finish
//
// The protocol, its encodings and its test vectors are specified in
// PROTOCOL.md beside this file.
//
// Most users create one Session per party with NewSession (Config.Role
// says which side it plays) and pass it to Run with the connection. A
// Session does no I/O itself: Send returns the next frame to deliver and
// Receive consumes one from the peer, so the same code runs over a socket,
// a pipe in a test, or files carried between agencies (save it between
// messages with MarshalState and continue with ResumeSession).
//
// The package never trusts the peer's bytes: every group element is decoded
// canonically and the identity refused, every count is checked against the
// agreed caps before any work, duplicates, replayed or reordered frames and
// frames of another session end the session with an error that errors.Is
// can test against the sentinels below, and the peer is told why with an
// alert.
//
// Security model. The responder proves (RFC 9497 batched DLEQ proofs) that
// it evaluated every element with the key it committed to, so a deviating
// responder cannot forge a match or open the initiator's payloads: the
// session ends with ErrBadProof. Two limits remain, by design of this
// version:
//
//   - Both-learn is not fair. The initiator learns first and chooses what
//     to reveal; the responder's result is a lower bound the initiator
//     chose (Result.LowerBound).
//   - Cardinality-only is semi-honest only. Its shuffled answers carry no
//     proof, so a deviating responder can distort the count, and an
//     initiator that blinds each element with its own scalar learns which
//     elements matched, not only how many.
//
// Suites. The diagram above is suite 1 (SuiteECDHRistretto255), the
// default. Config.Suites may also allow SuiteOTExtension, an OT-extension
// PSI (KKRT16) about 40 times faster at 2^20 elements per side, which the
// responder picks when both parties allow it and the sets are large
// (FastSuiteMinElements). It keeps the handshake, session binding,
// transcript, handles and payloads, but is secure against semi-honest
// parties only: it has no evaluation proofs, so a deviating responder can
// forge matches, and it has no cardinality-only mode and no saved state.
// See SuiteOTExtension and PROTOCOL.md §Suite 2.
//
// Memory is committed as data arrives, never from a size the peer
// declares, and Run caps each frame by what the session expects next and
// times out a stalled peer. PSI does not authenticate the peer: run it
// over an authenticated channel. Group operations on secrets are constant
// time; see PROTOCOL.md for the variable-time operations on public data.
//
// This package is not a record-linkage tool: it compares exact byte
// strings. Package match turns messy records into such strings.
package psi
