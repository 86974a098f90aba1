// Package match turns agency records on children into the exact match keys
// that package psi compares privately, and turns the shared keys back into
// pairs of records with a match probability.
//
// PSI only finds byte-identical strings, while the same child is
// "Олександр Коваленко" in one file and "Aleksandr Kovalenko" in another,
// born 2011-03-04 here and 2011-04-03 or just 2011 there. The bridge is a
// rule set laid out for the Fellegi–Sunter model that probabilistic linkers
// such as Splink and fastLink use, computed from what PSI reveals:
//
//   - Blocks decide which pairs are compared at all. Each combines
//     normalized fields (the default rules' ten: names in sound codes;
//     family name and birth year; given name and birth year; family name
//     and given initial; given name's nickname group and birth year;
//     document number; family name and birth place; family name, given
//     name or full birth date with the postcode district) into a key; two
//     records that share a block's key are a
//     candidate pair. Any two of a record's names, birth year, birth place
//     and postcode that survive a clerk's errors can bring it to its pair.
//
//   - Comparisons judge a candidate pair field by field, at levels (the
//     given name as written, in sound, as a nickname, by its initial; the
//     birth date exact, with day and month swapped, to the month, to the
//     year; …). For every block and level there is a key of shape block ‖
//     level, so which keys a pair shares says, per field, the best level
//     the two agree at.
//
//   - The sealed payload of each key names the peer's records by session
//     pseudonym with their presence masks (Presence: which fields a record
//     has, how precise its date is), so "both have the field and no level
//     agrees" counts as disagreement, and a missing field as nothing. The
//     count of records it names (at most MaxRecordsPerKey) is visible too.
//
//   - Each party's file statistics (Statistics: how often two of its
//     records agree at each level by chance) travel as the payload of an
//     element both hold, so both weigh evidence against the same chance.
//
//   - How many of each side's records hold a pair's block key (as many as
//     the payloads name) is one more outcome of the model, its commonness:
//     a rare name shared weighs more than John Smith shared. This is the
//     term-frequency adjustment of Fellegi–Sunter linkers, learned like
//     the rest from counts the payloads already carry.
//
//   - Index.Link learns, per session and without labels, the model's
//     parameters by expectation–maximisation over the candidate pairs: one
//     model per block, u anchored on the chance rates, and m (how one
//     child's records vary) shared: each comparison takes it from the
//     block with the largest share of one child's pairs that leaves it
//     open, since a block of mostly namesakes can mistake namesakes of one
//     origin for the match class. It scores each pair as a match
//     probability, lifts the pairs that have no plausible rival and
//     nothing against them (a child has one record in each file), and
//     resolves one-to-one. Both parties hold the same
//     candidates, masks and statistics, so they compute the same
//     probability for every pair to the last bit.
//
// The flow, one party's side:
//
//	records ─ReadFile─▶ []Record ─NewIndex(rules)─▶ keys (PSI elements) + Statistics
//	│ private set intersection
//	pairs ◀─Index.Link(threshold)── key hits + peer pseudonyms, presence masks, statistics
//
// Most callers use reunite.Match, which does all of this over a
// connection. The pieces are exported for tools that need them: ReadFile,
// ReadCSV and ReadJSONL read the record contract strictly (errors name
// file, line, column and reason, never a record value) or leniently (with
// a report of everything skipped); DefaultRules and NewRuleSet define rule
// sets, whose ID both parties must share; NewParty builds one party's PSI
// set (keys in a secret order, sealed payloads naming its records, the
// statistics element) and Party.Link turns the shared elements into pairs
// of records; NewIndex and Index.Link are the pieces underneath.
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
//   - Scores are computed per pair of records (local record, peer record
//     pseudonym), never per local record, so evidence from two different
//     peer records never adds up.
//   - Twins and siblings: a pair whose given names disagree, agree only in
//     their initial, agree by a letter changed inside with neither name
//     rare in its file, differ at their end on records that do not both
//     give the same sex, or agree less than exactly on children of another
//     sex, and which no identifier (document number) links, gains nothing
//     from fields kin share (family name, birth date, parents, birth
//     place, address), and is judged only by blocks that do not rest on
//     them (Comparison.Kin). Twins with different given names therefore
//     stay apart however much else they share. A pair in which one given
//     name is missing is judged so too where it agrees on parents or
//     address (Comparison.Household): a record without a given name links
//     to one of its household only through its document number. Without
//     household fields it is judged on what it has, so a record whose
//     given name is missing or only a title (Mrs, Sir, Rev: titles are
//     dropped) can still be found.
//   - The threshold is a probability (DefaultThreshold 0.9) under a model
//     that assumes fields independent given the class; bench/ reports how
//     well it is calibrated on synthetic data.
//   - Rule-set IDs hash the blocks, comparisons (with their Kin,
//     Identifies, Estimated and Household flags), the key cap,
//     NormalizationVersion, the nickname table, the title list and a
//     description of the key construction and the model; any change to
//     keys or to how a pair is judged must change the ID (a golden test
//     enforces it for keys).
//   - Both parties compute the same probability to the last bit on the
//     same architecture: products that feed sums are rounded explicitly,
//     but math.Exp and math.Log use FMA instructions on amd64 processors
//     that have them and other code on arm64, so two parties on different
//     processors may differ in the last bits of a score, and a pair at the
//     threshold may be linked by one and not the other.
//   - Keys per record are capped (DefaultMaxKeysPerRecord). Over the cap,
//     every rule keeps a fair share of its keys, so no rule is silenced, and
//     the excess is reported.
//   - What the peer learns beyond PSI's own leakage, for the records that
//     share a key with one of its own: their presence masks, which of
//     their keys it shares (their comparison vector) and how many of the
//     peer's records hold each shared key, up to MaxRecordsPerKey. For the
//     whole file:
//     its record count and the chance-agreement rates of Statistics.
//   - Scripts: Cyrillic, Greek and Arabic are transliterated, Han read in
//     pinyin and Hangul in Revised Romanization; a Chinese or Korean family
//     name spelled otherwise (Chan, Wong, Rhee) also sounds as its standard
//     readings. Other scripts only match the same script.
//   - Name order: the names block pairs the given and the family name in
//     sound without their order, so a record that swapped its given and
//     family fields meets the one that did not there (and agrees in
//     sound on both names). Where a swap changes how a name is read, it
//     is undone first: a family name with its particles in the given
//     field (DE JONG | Sanne, VAN DER VEEN | Iris); a Vietnamese family
//     name in the given field with given names in the family field (Nguyễn
//     | Khánh Oanh; Lê | Văn Tùng, where Lê, borne elsewhere too, needs
//     Vietnamese syllables and a Vietnamese cue there). A lone given token
//     with the Arabic article joined (Alhasan | Hamzah) is also paired
//     without it, where what is left has two different consonants (not
//     Alina, Alisa: ina and isa would meet a twin's name). A whole name in
//     one field pairs its first, second and last tokens, with and without
//     a family name's particles (de la Cruz García Martina).
//   - Limits: a name with one letter left out, added or changed inside
//     it, or two neighbouring letters swapped, agrees at the typo level,
//     and so does a family name with its last letter changed, added or
//     left out (Clarke and Clark);
//     a given name with its last letter changed, added or left out agrees
//     at the ending level, which counts as a typo only where both records
//     give the same sex (Sahro and Sahra, two girls; Ivan and Ivana
//     otherwise read as a brother and a sister);
//     a typo at its first letter is tolerated only where sound
//     codes absorb it, where NewIndex can correct it from the rest of the
//     file (a rare token one edit from a common one), or where another
//     block still brings the pair together. Given names that agree in
//     nothing but their initial, or not at all, are read as twins' or
//     siblings' (kin fields then count for nothing), so a given name
//     replaced by another loses the pair unless an identifier agrees. The
//     model takes fields as
//     independent, so correlated agreements (an address and a postcode)
//     count more than once.
//
// It is not a cryptographic package: nothing here is secret-safe beyond
// never echoing record values in errors.
package match
