// Package kkrt is the engine of reunite's fast PSI suite: the batched
// related-key OPRF of Kolesnikov, Kumaresan, Rosulek and Trieu (KKRT16,
// "Efficient Batched Oblivious PRF with Applications to Private Set
// Intersection", CCS 2016) over IKNP-style OT extension, with three-way
// cuckoo hashing on the receiver's side and simple hashing on the sender's.
//
// It is a pure message state machine: no sockets, no files, no goroutines
// that outlive a call. Each method takes the peer's message bytes and returns
// the next message bytes, so the same code runs over TCP, over net.Pipe in
// tests and over files. The psi package wraps it as a suite; most users
// should not use this package directly.
//
//	Receiver (cuckoo table)                      Sender (simple hashing)
//	Setup()            ── setup: A ───────────▶ ReadSetup()
//	ReadBaseOT()       ◀── prc key, B_0..B_447 ─
//	AppendMatrixChunk() ×k ── rows of U ──────▶ ReadMatrixChunk() ×k
//	ReadTagChunk() ×t  ◀── OPRF tags ─────────── TagChunk() ×t
//	Intersection()
//
// Only the receiver learns the intersection (as indices into its own set);
// the sender learns nothing but the receiver's set size, which both sides
// agree on before the session in Params. Security is semi-honest: see
// DESIGN.md beside this file for the parameters, what each party learns,
// and what a peer that deviates from the protocol can do.
//
// Message sizes are fixed by Params; every decoder checks the exact size
// before it reads anything, and nothing is ever allocated from a count the
// peer declares. What is not constant time: cuckoo insertion and table
// lookups depend on the (hashed) elements, as in every hashing-based PSI.
package kkrt
