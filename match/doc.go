// Package match turns agency records on children into the exact match keys
// that package psi compares privately.
//
// This release provides the record model and the readers for the record
// CSV and JSON Lines contract: strict by default, with errors that name
// file, line, column and reason but never a record value, and a lenient
// mode that reports everything it skipped. Normalization (scripts,
// transliteration, phonetics), key rules and record-level linking build on
// it; until they land, callers derive their own keys.
//
// It is not a cryptographic package: nothing here is secret-safe beyond
// never echoing record values in errors.
package match
