// Package psi implements reunite's private set intersection protocols as
// pure state machines.
//
// Two parties, an Initiator and a Responder, each hold a set of byte
// strings. A session tells each party which of its own elements the other
// also holds (or only how many, or tells only the initiator: see Mode), a
// match handle per shared element that both derive identically, and an
// optional fixed-size payload the other attached to it. It tells neither
// anything about the other's non-shared elements beyond their number.
//
//	initiator                              responder
//	Hello                          ──▶
//	                               ◀──     HelloReply
//	Blinded  a·H(x)                ──▶
//	                               ◀──     Evaluated b·a·H(x), Tags of b·H(y)
//	Reveal (both-learn), Finish    ──▶
//	                               ◀──     Finish
//
// The protocol, its encodings and its test vectors are specified in
// PROTOCOL.md beside this file.
//
// A session does no I/O: Send returns the next frame to deliver and Receive
// consumes one from the peer, so the same code runs over a socket, a pipe
// in a test, or files carried between agencies. Most users should not drive
// sessions by hand: create them with NewInitiator and NewResponder and pass
// them to reunite.Run.
//
// The package never trusts the peer's bytes: every group element is decoded
// canonically and the identity refused, every count is checked against the
// agreed caps before any work, duplicates, replayed or reordered frames and
// frames of another session end the session with an error that errors.Is
// can test against the sentinels below, and the peer is told why with an
// alert.
//
// Security model: parties are semi-honest (they follow the protocol but try
// to learn more from what they see); a deviating peer is detected where the
// protocol allows and cannot make the other party accept a forged match.
// PSI does not authenticate the peer: run it over an authenticated channel.
// Group operations are constant time; see PROTOCOL.md for the variable-time
// operations on public data.
//
// This package is not a record-linkage tool: it compares exact byte
// strings. Package match turns messy records into such strings.
package psi
