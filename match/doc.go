// Package match turns agency records on children into the exact match keys
// that package psi compares privately, and turns the shared keys back into
// scored pairs of records.
//
// PSI only finds byte-identical strings, while the same child is
// "Олександр Коваленко" in one file and "Aleksandr Kovalenko" in another,
// born 2011-03-04 here and 2011-04-03 or just 2011 there. The bridge is a
// rule set: each rule combines normalized fields (names after
// transliteration, consonant skeletons, phonetic codes, dates tolerant of
// day/month swaps or estimated years, birth place, document number with
// one typo, …) into a fixed-length, domain-separated key. Two records that
// agree on all of a rule's fields share that rule's key.
//
//	records ─ReadFile─▶ []Record ─NewIndex(rules)─▶ keys (PSI elements)
//	                                                   │ private set intersection
//	pairs ◀─Index.Link(threshold)── key hits + peer record pseudonyms
//
// Most callers use reunite.Match, which does all of this over a
// connection. The pieces are exported for tools that need them: ReadFile,
// ReadCSV and ReadJSONL read the record contract strictly (errors name
// file, line, column and reason, never a record value) or leniently (with
// a report of everything skipped); DefaultRules and NewRuleSet define rule
// sets, whose ID both parties must share; NewIndex and Index.Link derive
// keys and link hits.
//
// # Record files
//
// ReadFile reads CSV (.csv) or JSON Lines (.jsonl, .ndjson). A CSV file is
// UTF-8, comma-separated (not ';'), with RFC 4180 quoting and a header row
// naming, in any order, id and any of the other columns, spelled exactly
// (ColumnNames lists them); JSON Lines objects use the same names as
// members, with string values:
//
//	column           required  format
//	id               yes       the agency's own opaque record ID, unique in the file
//	given_names      no        space-separated, any script
//	family_names     no        space-separated, any script
//	birth_date       no        YYYY-MM-DD, YYYY-MM or YYYY
//	sex              no        F, M, X, or empty
//	nationality      no        ISO 3166-1 alpha-2 or alpha-3
//	birth_place      no        free text
//	aliases          no        other full names, separated by ';'
//	parent_names     no        full names, separated by ';'
//	document_number  no        passport or ID number
//	address          no        last known residence
//	locality         no        last known residence
//	postcode         no        last known residence
//
// Unknown columns, duplicate IDs, bad dates, invalid UTF-8 and control
// characters are errors naming file, line and column; a record with no
// usable field besides its id is an error. ReadOptions.Lenient skips or
// strips instead and reports what it did.
//
// # Guarantees and limits
//
//   - Every rule carries given-name signal or a document number, so twins
//     and siblings (same family name, date, parents, place) share no key of
//     a rule that could link them. NewRuleSet refuses rules without.
//   - Scores are computed per pair of records (local record, peer record
//     pseudonym), never per local record, so evidence from two different
//     peer records never adds up.
//   - Rule-set IDs hash the rules, the key cap and NormalizationVersion;
//     any change to keys must change the ID (a golden test enforces it).
//   - Keys per record are capped (DefaultMaxKeysPerRecord). Over the cap,
//     every rule keeps a fair share of its keys, so no rule is silenced, and
//     the excess is reported.
//   - Rules marked ViaAlias link a record held under a false identity, with
//     the real name as an alias, to the record under the real name; they
//     never count for two records' own names.
//   - Limits: Han, Hangul and other scripts without a transliteration table
//     only match the same script; names that collide as consonant skeletons
//     (Maria/Mario) are told apart only by other fields; a typo in a name
//     is tolerated where NewIndex can correct it from the rest of the file
//     (a rare token one edit from a common one; see NewIndex) or where
//     another rule still agrees (rule name-part+date tolerates one in the
//     family name), since a rule that tolerated any one-letter difference
//     in given names would link twins whose names differ by one letter.
//
// It is not a cryptographic package: nothing here is secret-safe beyond
// never echoing record values in errors.
package match
