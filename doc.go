// Package reunite lets two agencies learn which records they both hold on
// the same child, without either disclosing any other record.
//
// It is private set intersection (PSI) applied to identity data. Each party
// turns its records into exact match keys (package match), and the two run
// a cryptographic protocol over those keys (package psi) whose messages
// travel in strictly validated frames (package encoding). This package
// joins them: Match (or MatchTLS, over mutual TLS with channel binding)
// takes records and returns pairs of records with a match probability. A
// raw PSI session over any connection is psi.Run's, not this package's.
//
//	agency A                                          agency B
//	records ─▶ keys ─▶ psi.Session   ◀── frames ──▶ psi.Session   ◀─ keys ◀─ records
//	                   (initiator)                    (responder)
//	                        │                              │
//	                        ▼                              ▼
//	        A's matching elements + handles   B's matching elements + handles
//
// Who learns what, in the default both-learn mode: each agency learns which
// of its own elements the other also holds, a match handle for each that
// both compute identically (to quote in the formal request that follows),
// and a small payload the other attached to it. Each learns the size of the
// other's set. Nothing else: not the other's non-matching elements, not how
// many there are of any kind. Other modes let only the initiator learn, or
// let it learn only the size of the intersection. See psi/PROTOCOL.md for
// the protocol and SECURITY.md for the threat model.
//
// Most users should start with MatchTLS (which checks the peer against
// the pinned certificates itself), PinnedTLSConfig and an AuditLog for
// every session, keyed with DeriveAuditKey from the agency's TLS key; a
// serving agency adds a BudgetStore as MatchConfig.Budget. Create the
// log and the budget file once (CreateAuditLog, CreateBudgetStore): the
// Open functions refuse a missing file rather than start afresh. Both may
// be shared by several processes of one agency. Agencies that can only exchange files use
// FileExchange: the same protocol, one signed and encrypted message file per
// turn, with the same budgets.
//
// The PSI suite is suite 1 (ECDH on ristretto255 with evaluation proofs:
// a responder that lies about matches is caught) unless MatchConfig.Suite
// asks for the fast OT-extension suite, which is about 40 times faster on
// large files (2^20 keys per side) but secure against semi-honest peers only
// (SuiteAuto, psi.SuiteOTExtension).
//
// examples/quickstart shows a complete session, examples/agency two
// agencies as separate processes, examples/offline an exchange by file.
package reunite
