package match

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/reunite-psi/reunite/match/internal/nickname"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizationVersion names the normalization this package applies before
// deriving keys, and how it derives them from a rule set's blocks and
// comparisons. It is part of every rule set's identity: a change to either
// changes keys, so it must change the ID too, or two parties would run a
// session that silently finds nothing.
const NormalizationVersion = "reunite-normalize-v11"

// KeySize is the size of a match key.
const KeySize = 32

// DefaultMaxKeysPerRecord caps the keys one record contributes, so a record
// stuffed with aliases cannot probe the peer with hundreds of guesses. It
// is above the default rules' 228 rules, so that every rule keeps a key
// however full a record is, and leaves room for the typo levels' several
// values per name. Records have about 100 to 225 keys on the data sets of
// bench -linkage (fewer with fewer fields); a record with aliases can
// reach the cap, each alias name bringing its own keys in the blocks of
// name fields (see Block), and then every rule keeps an equal share of the
// room, so none loses all its keys. (It was 256 until the given name's
// ending level, whose keys would otherwise have crowded out the typo
// levels' in records with every field.)
const DefaultMaxKeysPerRecord = 272

// Errors for rule sets.
var ErrRuleSet = errors.New("match: invalid rule set")

// Field is one input a rule combines. Each derives zero or more canonical
// values from a record; a rule yields one key per combination of its
// fields' values, and none when any field has no value.
type Field string

// The fields rules can use. Name fields are computed for the record's name
// and for each alias. "The first given name" is the one a child is called
// by: the first token of the given names, after Văn or Thị; for a
// Vietnamese name, the last, and the name fields then use tokens as written
// instead of skeletons and codes, which would make short Vietnamese names
// one. A family name written with its European particles apart (van der
// Meer) is also paired in its solid spelling (vandermeer).
const (
	FieldName          Field = "name"           // all name tokens, normalized, order-free, particles and patronymics dropped
	FieldNameSkeleton  Field = "name-skeleton"  // consonant skeletons of all name tokens, order-free
	FieldFirstNames    Field = "first-names"    // skeletons of the first given name and the first (or last) family name, order-free
	FieldFirstPhonetic Field = "first-phonetic" // Double Metaphone codes of the first given and first family name, marked for a leading y and a final a, order-free
	FieldFirstSound    Field = "first-sound"    // coarse sound codes of the first given and first family name, order-free: tolerates other romanizations
	FieldGiven         Field = "given"          // skeleton of the first given name
	FieldNamePart      Field = "name-part"      // the first given name as written, with the first or the last four letters of the first family name: one typo spares one of them in a family name of eight letters or more, often in a shorter one
	FieldDate          Field = "date"           // full birth date
	FieldDateSwapped   Field = "date-unordered" // birth year with day and month unordered, for dates whose day could be a month: catches day/month swaps
	FieldYear          Field = "year"           // birth year; year ± 1 for records that only have a year (estimated age)
	FieldAliasBand     Field = "alias-band"     // two overlapping six-year bands around the birth year: years less than three apart share one (the name is historical: aliases used to be keyed with the year two later; an alias's name is now keyed in blocks of name fields only)
	FieldBirthPlace    Field = "birth-place"    // the birth place as normalize writes it, under the one name a table of other names gives the larger places (Moscow, Moskau and Москва; Aleppo and حلب)
	FieldSex           Field = "sex"            // F, M or X; no value when unknown
	FieldDocument      Field = "document"       // document number, letters and digits only
	FieldDocumentNear  Field = "document-near"  // the document number's second half; its first half and last digit; its characters sorted: numbers with one wrong character (not the last digit) or two swapped share one, consecutively issued numbers none
	FieldDocumentHalf  Field = "document-half"  // each half of the document number: numbers with one wrong character share one, and so do consecutively issued numbers
	FieldParents       Field = "parents"        // the skeleton of each parent's name, patronymic dropped: records that agree on one parent share a key
	FieldPostcode      Field = "postcode"
	FieldAddress       Field = "address"
	FieldLocality      Field = "locality" // the locality, as FieldBirthPlace writes a place
)

// Fields for the comparison levels of the Fellegi–Sunter model (see
// Comparison): each is one field of the record at one level of agreement.
const (
	FieldGivenExact    Field = "given-exact"   // the first given name, normalized, as written
	FieldGivenSound    Field = "given-sound"   // coarse sound codes of the first given name
	FieldGivenNick     Field = "given-nick"    // the nickname group of the first given name (William, Will, Bill, Billy); none if it has no group
	FieldGivenInitial  Field = "given-initial" // the first letter of the first given name
	FieldFamilyExact   Field = "family-exact"  // the first family name, normalized, as written
	FieldFamilySound   Field = "family-sound"  // coarse sound codes of the first family name
	FieldYearMonth     Field = "year-month"    // birth year and month
	FieldMonthDay      Field = "month-day"     // birth month and day of a full date: dates whose year alone differs (a digit mistyped, two swapped) share one
	FieldBirthYear     Field = "birth-year"    // birth year, whatever the date's precision
	FieldYearBand      Field = "year-band"     // two overlapping two-year bands around the birth year: years one apart share one
	FieldNationality   Field = "nationality"
	FieldPostcodeArea  Field = "postcode-area"        // the postcode without its last part: its first word, or all but its last two characters
	FieldPlaceSkeleton Field = "birth-place-skeleton" // consonant skeletons of the birth place's words: Kharkiv, Kharkov and Charkiw; Homs and حمص
	FieldGivenTypo     Field = "given-typo"           // the first given name as written, with each letter but its first and last left out, and with its last two letters swapped: names one typo apart share one (see appendTypoVariants)
	FieldFamilyTypo    Field = "family-typo"          // the first family name likewise, and without its last letter: a family name's end is no sibling's mark (see appendFamilyTypoVariants)
	FieldGivenEnding   Field = "given-ending"         // the first given name as written and, from four letters, without its last letter: names that differ only in their last letter, or by one more letter at the end, share one (see appendEndingVariants)
)

// knownFieldsOrder lists every field; rules refer to fields by their
// position here internally.
var knownFieldsOrder = [...]Field{
	FieldName, FieldNameSkeleton, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound, FieldGiven,
	FieldNamePart, FieldDate, FieldDateSwapped, FieldYear, FieldAliasBand, FieldBirthPlace, FieldDocument, FieldDocumentNear,
	FieldDocumentHalf, FieldParents, FieldSex, FieldPostcode, FieldAddress, FieldLocality,
	FieldGivenExact, FieldGivenSound, FieldGivenNick, FieldGivenInitial, FieldFamilyExact, FieldFamilySound,
	FieldYearMonth, FieldBirthYear, FieldYearBand, FieldNationality, FieldPostcodeArea, FieldPlaceSkeleton,
	FieldGivenTypo, FieldFamilyTypo, FieldGivenEnding, FieldMonthDay,
}

var knownFields = knownFieldsOrder[:]

// Block is a blocking part: records that agree on all of its fields are a
// candidate pair, and only candidate pairs are compared. A block should be
// loose enough that the two records of one child share at least one block
// of the rule set whatever variation separates them, and tight enough that
// few pairs of different children do: every candidate pair learns the
// other's comparison vector (see Comparison).
type Block struct {
	// Name names the block in rule names and evidence; unique in its
	// rule set.
	Name string
	// Fields are the block's fields: a record gets one key per
	// combination of their values. The names of a record's aliases are
	// keyed only in blocks whose fields are all name fields, and there not
	// with the comparisons on birth date, birth place, parents and
	// document: an alias is usually a child's real name beside a false
	// identity, whose other fields belong to the false identity, and a
	// pair that meets only through an alias is judged without them.
	Fields []Field
}

// Level is one level of agreement of a compared field: two records agree
// on the field at this level when they share a value of Field.
type Level struct {
	// Name names the level in evidence ("exact", "sound").
	Name string
	// Field is what two records must share a value of to agree at this
	// level.
	Field Field
	// Open keys the level only in blocks that leave the comparison
	// open: where a block's own fields already imply agreement at the
	// next level, an Open level is not keyed, and the block's pairs read
	// as agreeing at that implied level. A level with many values per
	// record (typo variants) is worth its keys only where nothing close
	// compares the field.
	Open bool
}

// Comparison compares one field of a candidate pair at several levels,
// best first (given name as written, then in sound, then as a nickname,
// then by its initial). For every block, the rule set has a key of shape
// block ‖ level field for each level, so a candidate pair learns the best
// level it agrees at; where both records have the field (the presence
// mask the payload carries says so) and no level agrees, they disagree.
// Which of these outcomes a pair shows, per comparison, is its comparison
// vector; Index.Link weighs it with parameters learned from the session's
// own candidate pairs.
type Comparison struct {
	// Name names the compared field in evidence ("given", "date");
	// unique in its rule set.
	Name string
	// Levels are the levels of agreement, best first.
	Levels []Level
	// Presence is the field of the presence mask that says whether a
	// record has this field at all.
	Presence Presence
	// Kin marks a field that twins and siblings share (family name, birth
	// date, parents, birth place, address). Agreement on it says "same
	// family", not "same child": where the given names disagree, or agree
	// only in their initial while both are written in full, it counts for
	// nothing, however the model weighs it otherwise. Without this, the
	// model, which takes comparisons as independent, would add up a twin's
	// family fields into a confident link.
	Kin bool
	// Estimated applies to comparisons of the birth date (Presence
	// HasDate): an estimated comparison judges only pairs in which a
	// record has the birth year alone (an estimated age), the others only
	// pairs in which both have the month at least. The same year means
	// little for two full dates, which could agree on the day, and all
	// there is to agree on for an estimated one.
	Estimated bool
	// Identifies marks a field that belongs to one child only (a
	// document number): a pair that agrees on it is not a pair of twins,
	// so the rule of Kin does not apply to it.
	Identifies bool
	// Household marks a kin field that a household shares and few others
	// do (parents, address). Where a given name is missing, a pair that
	// agrees on such a field is as likely a sibling's as the child's, so
	// the rule of Kin applies to it as if the given names disagreed; a pair
	// without such agreement is judged on what it has.
	Household bool
}

// Presence says which fields a record has. Each record's mask travels in
// the sealed payload of its keys, so that a candidate pair can tell
// disagreement (both have the field, no level agrees) from missing data.
type Presence uint16

// The bits of a presence mask. The birth date takes two bits: its
// precision.
const (
	HasGiven Presence = 1 << iota
	HasFamily
	HasSex
	HasBirthPlace
	HasParents
	HasDocument
	HasPostcode
	HasLocality
	HasNationality
	HasAddress
	HasDate // the date takes this bit and the next: its DatePrecision
	_
	// GivenIsInitial says that the record's given name is only an
	// initial, so that agreeing on the initial is all the two records can
	// agree on.
	GivenIsInitial
	// GivenLengthOdd says that the record's given name, as the given
	// comparison takes it, has an odd number of letters. Two names that
	// agree at the typo level differ by a letter left out or added where
	// the parities of their lengths differ, and by a letter changed or
	// two swapped where not; only the first is surely a typo, the second
	// can be two names (Marta and Maria, Julian and Julien).
	GivenLengthOdd
	// GivenIsRare says that no other record of the party's file bears the
	// record's given name, in a file of at least minRareFile records. A
	// misspelled name is rare; a real one seldom is in a file of that
	// size. So a pair whose given names agree at the typo level by a
	// letter changed or two swapped is judged as a typo, not as two names,
	// when one of them is rare.
	GivenIsRare

	dateShift         = 10
	knownPresence     = 1<<15 - 1
	presenceDateMask  = 3 << dateShift
	presenceFieldMask = HasDate - 1
)

// consistent reports whether a record can have presence mask p: every
// bit of the 15 has a meaning, but the bits that describe the given name
// (GivenIsInitial, GivenLengthOdd, GivenIsRare) need one (HasGiven). A
// peer's payload whose mask is not consistent was not made by Payload.
func (p Presence) consistent() bool {
	return p&^knownPresence == 0 && (p&(GivenIsInitial|GivenLengthOdd|GivenIsRare) == 0 || p&HasGiven != 0)
}

// DatePrecision returns the birth date's precision in the mask.
func (p Presence) DatePrecision() DatePrecision {
	return DatePrecision((p & presenceDateMask) >> dateShift)
}

// RuleSet is a named, versioned layout of blocks and comparisons with a
// stable identity that both parties must agree on before a session (the PSI
// handshake refuses a mismatch). Create one with DefaultRules or
// NewRuleSet.
type RuleSet struct {
	name       string
	blocks     []Block
	comps      []Comparison
	threshold  float64
	maxKeys    int
	id         [32]byte
	rules      []rule
	fixes      []uint32 // per block, the comparisons its own fields settle at their best level, as a bit mask
	learns     []uint32 // per block, the comparisons the model learns from its pairs (fitModel)
	levelField [][]int  // per comparison and level, the field's position in knownFieldsOrder
	fieldIdx   [][]int  // per rule, its fields' positions in knownFieldsOrder
}

// rule is one key-producing combination: a block alone, or a block with
// one level of one comparison. agrees lists, per comparison, the best
// level a pair sharing the rule's key agrees at, or noLevel.
type rule struct {
	name   string
	block  int
	level  int // for a comparison rule, its level field's position in knownFieldsOrder; -1 for a block's rule
	fields []Field
	agrees []uint8
	// aliases reports that the rule keys combinations of values that an
	// alias gives (keyWalker): its block's fields are all name fields and,
	// for a comparison rule, the comparison is not on a false identity's
	// papers.
	aliases bool
}

const noLevel = 0xff

// DefaultThreshold is the match probability a pair needs to be reported
// when the caller sets none.
const DefaultThreshold = 0.9

// DefaultRules returns reunite's default rule set: ten blocks (names in
// sound; family name and birth year; given name and birth year; family
// name and given initial; given nickname group and birth year; document
// number; family name and birth place; family name, given name or full
// birth date with the postcode district) and twelve compared fields. It was tuned on the two synthetic generators
// of internal/synth and on the FEBRL4 benchmark (see bench/), and weighs
// evidence with parameters it learns from each session's candidate pairs.
func DefaultRules() *RuleSet {
	rs, err := NewRuleSet("reunite-default-v11", defaultBlocks, defaultComparisons, DefaultMaxKeysPerRecord)
	if err != nil {
		panic(err) // the default rules are valid; a test checks it
	}
	return rs
}

var defaultBlocks = []Block{
	{Name: "names", Fields: []Field{FieldFirstSound}},
	{Name: "family+year", Fields: []Field{FieldFamilySound, FieldBirthYear}},
	{Name: "given+year", Fields: []Field{FieldGivenSound, FieldBirthYear}},
	{Name: "family+initial", Fields: []Field{FieldFamilySound, FieldGivenInitial}},
	{Name: "nickname+year", Fields: []Field{FieldGivenNick, FieldBirthYear}},
	{Name: "document", Fields: []Field{FieldDocument}},
	{Name: "family+place", Fields: []Field{FieldFamilySound, FieldPlaceSkeleton}},
	{Name: "family+postcode", Fields: []Field{FieldFamilySound, FieldPostcodeArea}},
	{Name: "given+postcode", Fields: []Field{FieldGivenSound, FieldPostcodeArea}},
	{Name: "date+postcode", Fields: []Field{FieldDate, FieldPostcodeArea}},
}

var defaultComparisons = []Comparison{
	{Name: "given", Presence: HasGiven, Levels: []Level{
		{Name: "exact", Field: FieldGivenExact}, {Name: "sound", Field: FieldGivenSound}, {Name: "typo", Field: FieldGivenTypo, Open: true}, {Name: "nickname", Field: FieldGivenNick}, {Name: "ending", Field: FieldGivenEnding}, {Name: "initial", Field: FieldGivenInitial}}},
	{Name: "family", Presence: HasFamily, Kin: true, Levels: []Level{{Name: "exact", Field: FieldFamilyExact}, {Name: "sound", Field: FieldFamilySound}, {Name: "typo", Field: FieldFamilyTypo, Open: true}}},
	{Name: "date", Presence: HasDate, Kin: true, Levels: []Level{
		{Name: "exact", Field: FieldDate}, {Name: "swapped", Field: FieldDateSwapped}, {Name: "month", Field: FieldYearMonth}, {Name: "month-day", Field: FieldMonthDay}, {Name: "year", Field: FieldBirthYear}, {Name: "year±1", Field: FieldYearBand}, {Name: "years±3", Field: FieldAliasBand}}},
	{Name: "estimated-date", Presence: HasDate, Kin: true, Estimated: true, Levels: []Level{{Name: "year", Field: FieldBirthYear}, {Name: "year±1", Field: FieldYearBand}, {Name: "years±3", Field: FieldAliasBand}}},
	{Name: "sex", Presence: HasSex, Levels: []Level{{Name: "same", Field: FieldSex}}},
	{Name: "birth-place", Kin: true, Presence: HasBirthPlace, Levels: []Level{{Name: "same", Field: FieldBirthPlace}, {Name: "sound", Field: FieldPlaceSkeleton}}},
	{Name: "parents", Kin: true, Household: true, Presence: HasParents, Levels: []Level{{Name: "one-same", Field: FieldParents}}},
	{Name: "document", Presence: HasDocument, Identifies: true, Levels: []Level{{Name: "exact", Field: FieldDocument}, {Name: "near", Field: FieldDocumentNear}}},
	{Name: "postcode", Kin: true, Presence: HasPostcode, Levels: []Level{{Name: "exact", Field: FieldPostcode}, {Name: "area", Field: FieldPostcodeArea}}},
	{Name: "locality", Kin: true, Presence: HasLocality, Levels: []Level{{Name: "same", Field: FieldLocality}}},
	{Name: "nationality", Kin: true, Presence: HasNationality, Levels: []Level{{Name: "same", Field: FieldNationality}}},
	{Name: "address", Kin: true, Household: true, Presence: HasAddress, Levels: []Level{{Name: "same", Field: FieldAddress}}},
}

// implied lists the levels a field says on its own: records that share a
// value of the field agree at least at these levels. Blocks use it, so a
// block on sound codes of both names needs no key for either name's sound.
var implied = map[Field][]Field{
	FieldFirstSound: {FieldGivenSound, FieldFamilySound},
	FieldName:       {FieldGivenExact, FieldFamilyExact},
}

// completes lists the pairs of a block field and a level field that
// together are another field: in a block on the birth year, the month and
// day are the full date, keyed already as the date's exact level.
var completes = map[[2]Field]Field{
	{FieldBirthYear, FieldMonthDay}: FieldDate,
}

// MaxRuleSetName is the longest rule-set name NewRuleSet accepts: the ID
// it makes, the name, a colon and 32 hex digits, must fit the 64 bytes of a
// PSI session context.
const MaxRuleSetName = 64 - 1 - 32

// NewRuleSet validates a layout of blocks and comparisons and returns a
// rule set named name. maxKeys caps the keys per record (0 means
// DefaultMaxKeysPerRecord). The rule set has a key rule per block, and per
// block and comparison level unless the block's fields already imply that
// level; there must be at most 255 such rules. The name is 1 to
// MaxRuleSetName bytes of UTF-8 without control characters or a colon, so
// that the rule set's ID (name, colon, 32 hex digits) fits the PSI session
// context both parties compare, reads back unambiguously, and can be shown
// to an operator as it is. (Names over MaxRuleSetName bytes used to be
// accepted here and refused only by the PSI handshake.)
func NewRuleSet(name string, blocks []Block, comps []Comparison, maxKeys int) (*RuleSet, error) {
	if len(name) > MaxRuleSetName || !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || r == ':' }) {
		return nil, fmt.Errorf("%w: a rule-set name is 1 to %d bytes of UTF-8 without control characters or colons", ErrRuleSet, MaxRuleSetName)
	}
	if name == "" || len(blocks) == 0 || len(blocks) > 32 || len(comps) == 0 || len(comps) > 32 {
		return nil, fmt.Errorf("%w: need a name, 1 to 32 blocks and 1 to 32 comparisons", ErrRuleSet)
	}
	if maxKeys == 0 {
		maxKeys = DefaultMaxKeysPerRecord
	}
	if maxKeys < 1 || maxKeys > 1024 {
		return nil, fmt.Errorf("%w: max keys per record must be 1 to 1024", ErrRuleSet)
	}
	known := func(f Field) error {
		if !slices.Contains(knownFields, f) {
			return fmt.Errorf("%w: unknown field %q", ErrRuleSet, f)
		}
		return nil
	}
	seen := map[string]bool{}
	for _, b := range blocks {
		if b.Name == "" || seen["block "+b.Name] || len(b.Fields) == 0 {
			return nil, fmt.Errorf("%w: block names must be non-empty and unique, and blocks need fields", ErrRuleSet)
		}
		seen["block "+b.Name] = true
		for _, f := range b.Fields {
			if err := known(f); err != nil {
				return nil, err
			}
		}
	}
	for _, c := range comps {
		if c.Name == "" || seen["comparison "+c.Name] || len(c.Levels) == 0 || len(c.Levels) > 8 {
			return nil, fmt.Errorf("%w: comparison names must be non-empty and unique, with 1 to 8 levels", ErrRuleSet)
		}
		seen["comparison "+c.Name] = true
		if c.Presence == 0 || c.Presence&^knownPresence != 0 || bits.OnesCount16(uint16(c.Presence)) != 1 {
			return nil, fmt.Errorf("%w: comparison %s: presence must be one Has bit", ErrRuleSet, c.Name)
		}
		for _, l := range c.Levels {
			if err := known(l.Field); err != nil {
				return nil, err
			}
		}
	}
	rs := &RuleSet{name: name, threshold: DefaultThreshold, maxKeys: maxKeys}
	rs.blocks = slices.Clone(blocks)
	for i := range rs.blocks {
		rs.blocks[i].Fields = slices.Clone(blocks[i].Fields)
	}
	rs.comps = slices.Clone(comps)
	for i := range rs.comps {
		rs.comps[i].Levels = slices.Clone(comps[i].Levels)
	}
	for bi, b := range rs.blocks {
		// What the block's own fields say, per comparison.
		base := make([]uint8, len(rs.comps))
		for ci := range base {
			base[ci] = noLevel
		}
		says := func(agrees []uint8, f Field) {
			for _, g := range append([]Field{f}, implied[f]...) {
				for ci, c := range rs.comps {
					for li, l := range c.Levels {
						if l.Field == g && int(agrees[ci]) > li {
							agrees[ci] = uint8(li)
						}
					}
				}
			}
		}
		for _, f := range b.Fields {
			says(base, f)
		}
		// A pair that meets only through an alias is a child under a
		// false identity: the record's other fields belong to that
		// identity (compare), so an alias's name is keyed only in blocks
		// of names, and not with the comparisons compare leaves out.
		names := !slices.ContainsFunc(b.Fields, func(f Field) bool { return !isNameField(f) })
		rs.rules = append(rs.rules, rule{name: b.Name, block: bi, level: -1, fields: b.Fields, agrees: base, aliases: names})
		var fixes uint32
		for ci, l := range base {
			if l == 0 {
				fixes |= 1 << ci
			}
		}
		rs.fixes = append(rs.fixes, fixes)
		keyed := slices.Clone(b.Fields)
		for ci, c := range rs.comps {
			for li, l := range c.Levels {
				if int(base[ci]) <= li || slices.Contains(keyed, l.Field) {
					continue // the block, or a rule before, says as much already
				}
				if l.Open && int(base[ci]) <= li+1 {
					continue // the block compares the field closely already
				}
				if slices.ContainsFunc(b.Fields, func(bf Field) bool { return slices.Contains(keyed, completes[[2]Field{bf, l.Field}]) }) {
					continue // with the block's field, the level is one keyed already
				}
				keyed = append(keyed, l.Field)
				agrees := slices.Clone(base)
				says(agrees, l.Field)
				fields := append(slices.Clip(b.Fields), l.Field)
				rs.rules = append(rs.rules, rule{name: b.Name + "/" + c.Name + ":" + l.Name, block: bi, level: slices.Index(knownFields, l.Field), fields: fields, agrees: agrees,
					aliases: names && c.Presence&identityPapers == 0})
			}
		}
	}
	levels := 0
	for _, c := range rs.comps {
		var idx []int
		for _, l := range c.Levels {
			idx = append(idx, slices.Index(knownFields, l.Field))
		}
		rs.levelField = append(rs.levelField, idx)
		levels += len(c.Levels)
	}
	if levels > maxAgreeLevels {
		return nil, fmt.Errorf("%w: %d comparison levels, more than %d", ErrRuleSet, levels, maxAgreeLevels)
	}
	for _, fixes := range rs.fixes {
		rs.learns = append(rs.learns, ^fixes&(1<<len(rs.comps)-1))
	}
	if len(rs.rules) > 255 {
		return nil, fmt.Errorf("%w: %d key rules, more than 255", ErrRuleSet, len(rs.rules))
	}
	for _, r := range rs.rules {
		var idx []int
		for _, f := range r.fields {
			idx = append(idx, slices.Index(knownFields, f))
		}
		rs.fieldIdx = append(rs.fieldIdx, idx)
	}
	rs.id = rs.computeID()
	return rs, nil
}

// computeID hashes everything that decides which keys a record gets and
// how a pair is judged: the normalization version, the rule set's name, key
// cap, blocks and comparisons in order. The threshold is excluded: it is
// each party's own reporting policy and does not change keys.
func (rs *RuleSet) computeID() [32]byte {
	h := sha256.New()
	field := func(s string) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
		h.Write([]byte(s))
	}
	field("reunite-ruleset-v2")
	field("block key: SHA-256(rule-set hash[:16] || rule index || (0x1f || value)...); comparison key: SHA-256(block key[:16] || rule index || 0x1f || value), name levels from the block's own name form; family sounds with Chinese and Korean surname variants; titles dropped from given names; Fellegi-Sunter comparisons, EM per block with m held (made monotone) from the purest block with the comparison present that does not rest on kin fields, block-key commonness; a pair that meets only through an alias leaves out birth date, birth place, parents and document; alias names keyed only in blocks of name fields, without those comparisons; typo variants: the name and its interior one-letter deletions, from 4 letters, Open levels keyed where the block leaves the next level open; 1 January read as the year alone; sound codes read an initial y or j before a consonant as a glide; a name of Vietnamese syllables without marks read as Vietnamese; fields swapped where the given field holds a Vietnamese family name borne elsewhere too and the family field names that read as Vietnamese given names, and where it starts with van before another particle; a lone given token with the Arabic article joined also paired bare with the family names; a whole name in one field also paired without its particles; given names a letter changed or swapped apart are a typo only where one is rare in a file of 100 or more (GivenLengthOdd, GivenIsRare); given names that differ at their end (ending level, after nickname: the name and, from 4 letters, the name without its last letter) are a typo only where both records give the same sex; family typo variants also drop the last letter; date month-day level after month, not keyed in blocks on the birth year, its chance rate that of month-day less exact, outside the cumulative rates; statistics: 12 bits a level, round(128 * -log2 rate); one-to-one competition: o' = k·o / (1 + k·rivals' odds), k in [2^-10, 2^6] by bisection with square roots (40 rounds) so that the lifted probabilities sum to the smaller side's sum of each record's best pair probability, sums over values in sorted order, evidence rivals=weak where lifted from below the threshold, applied only where it raises the score and only to pairs that are not kin-only and disagree on no comparison but those of where the child lives now (postcode, locality, nationality, address)")
	field(NormalizationVersion)
	field(nickname.Version)
	field(strings.Join(titleList(), ","))
	field(rs.name)
	field(strconv.Itoa(rs.maxKeys))
	for _, b := range rs.blocks {
		field("block")
		field(b.Name)
		for _, f := range b.Fields {
			field(string(f))
		}
	}
	for _, c := range rs.comps {
		field("comparison")
		field(c.Name)
		field(strconv.Itoa(int(c.Presence)))
		field(strconv.FormatBool(c.Kin))
		field(strconv.FormatBool(c.Identifies))
		field(strconv.FormatBool(c.Estimated))
		field(strconv.FormatBool(c.Household))
		for _, l := range c.Levels {
			field(l.Name)
			field(string(l.Field))
			field(strconv.FormatBool(l.Open))
		}
	}
	var id [32]byte
	h.Sum(id[:0])
	return id
}

// ID returns the rule set's identity, suitable as psi.Config.Context: the
// set's name and the first 16 bytes of its hash, in hex.
func (rs *RuleSet) ID() string {
	return rs.name + ":" + hex.EncodeToString(rs.id[:16])
}

// Blocks returns a copy of the rule set's blocks.
func (rs *RuleSet) Blocks() []Block {
	out := slices.Clone(rs.blocks)
	for i := range out {
		out[i].Fields = slices.Clone(out[i].Fields)
	}
	return out
}

// Comparisons returns a copy of the rule set's comparisons.
func (rs *RuleSet) Comparisons() []Comparison {
	out := slices.Clone(rs.comps)
	for i := range out {
		out[i].Levels = slices.Clone(out[i].Levels)
	}
	return out
}

// RuleNames returns the names of the rule set's key rules, in the order
// Key.Rule and Index.Rule number them: each block, followed by its
// block/comparison:level rules.
func (rs *RuleSet) RuleNames() []string {
	out := make([]string, len(rs.rules))
	for i, r := range rs.rules {
		out[i] = r.name
	}
	return out
}

// Threshold returns the rule set's default reporting threshold, a match
// probability.
func (rs *RuleSet) Threshold() float64 { return rs.threshold }

// MaxKeysPerRecord returns the cap on keys per record.
func (rs *RuleSet) MaxKeysPerRecord() int { return rs.maxKeys }

// Key is one match key derived from a record.
type Key struct {
	// Rule is the index of the rule that made the key, into the rule
	// set's rules (RuleSet.RuleNames).
	Rule int
	// Value is the key, the PSI element: a SHA-256 output bound to the
	// rule set, the rule and the field values.
	Value [KeySize]byte
	// FromAlias reports that the key's name values come from one of the
	// record's aliases and not from its own name.
	FromAlias bool
}

// isASCIILetters reports whether s holds only the letters a to z, as
// normalize.Text writes every script it transliterates.
func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// isVietnamese reports whether a name with family name fam (normalized),
// given tokens givenToks and raw fields rawFamily and rawGiven is Vietnamese (vn), or may be
// without a way to tell (maybe). A family name only Vietnamese people bear
// decides; one borne elsewhere too (Le, Ho, Kim, Lam) needs a cue: a
// letter only Vietnamese writes (ơ ư ă đ, a tone mark with a hook or a dot
// below), a diacritic on the family name itself, or the middle name Văn or
// Thị.
func isVietnamese(fam string, givenToks []string, rawFamily, rawGiven string) (vn, maybe bool) {
	if vietnameseFamily[fam] {
		return true, false
	}
	if !ambiguousVietnameseFamily[fam] {
		return false, false
	}
	if slices.Contains(givenToks, "van") || slices.Contains(givenToks, "thi") {
		return true, false
	}
	for _, c := range rawFamily {
		// Lê, Hồ, Lâm, Tô: elsewhere these names are written without marks.
		if c > unicode.MaxASCII && unicode.IsLetter(c) {
			return true, false
		}
	}
	for _, c := range rawGiven + rawFamily {
		switch {
		case c >= 0x1EA0 && c <= 0x1EF9, // Latin Extended Additional: Vietnamese tone marks
			c == 'ơ', c == 'Ơ', c == 'ư', c == 'Ư', c == 'ă', c == 'Ă', c == 'đ', c == 'Đ',
			c == 0x0309, c == 0x0323, c == 0x031B: // combining hook above, dot below, horn
			return true, false
		}
	}
	if len(givenToks) >= 2 && allVietnameseSyllables(givenToks) {
		// Written without marks, a Vietnamese name still reads as
		// Vietnamese syllables, middle name and all (Duc Bao, Phuong Lan,
		// Gia Tien); Cantonese and Korean given names seldom do (Ka Wai,
		// Ji Hoon, Wing Yee).
		return true, false
	}
	return false, true
}

// vietnameseInitials are the consonants a Vietnamese syllable starts
// with, as written without marks (đ as d), longest first.
var vietnameseInitials = []string{"ngh", "ng", "nh", "ph", "th", "tr", "ch", "gh", "gi", "kh", "qu",
	"b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x"}

// allVietnameseSyllables reports whether every token is one Vietnamese
// syllable as written without marks: an initial consonant (or none), one
// to three vowels, and a final c, ch, m, n, ng, nh, p or t (or none).
// Vietnamese writes no f, j, w or z, and no k before a, o or u.
func allVietnameseSyllables(toks []string) bool {
	for _, t := range toks {
		rest, initial := t, ""
		for _, in := range vietnameseInitials {
			if strings.HasPrefix(rest, in) {
				rest, initial = rest[len(in):], in
				break
			}
		}
		if initial == "k" && rest != "" && strings.IndexByte("aou", rest[0]) >= 0 {
			return false
		}
		vowels := 0
		for vowels < len(rest) && strings.IndexByte("aeiouy", rest[vowels]) >= 0 {
			vowels++
		}
		if vowels == 0 || vowels > 3 {
			return false
		}
		switch rest[vowels:] {
		case "", "c", "ch", "m", "n", "ng", "nh", "p", "t":
		default:
			return false
		}
	}
	return true
}

// vietnameseFamily holds family names, as normalize.Text writes them, that
// nearly only Vietnamese people bear; ambiguousVietnameseFamily those that
// are common Vietnamese family names and family names elsewhere too
// (Korean Kim and Ha, Chinese Lam and Ho, Portuguese do, French Le).
var (
	vietnameseFamily = map[string]bool{
		"nguyen": true, "tran": true, "pham": true, "hoang": true, "huynh": true, "phan": true,
		"vu": true, "vo": true, "dang": true, "bui": true, "duong": true, "trinh": true,
		"dinh": true, "dao": true, "doan": true, "truong": true, "luong": true, "phung": true,
		"quach": true, "kieu": true, "khuc": true, "nghiem": true, "tieu": true, "trieu": true,
		"vuong": true, "khong": true, "diep": true, "khuat": true, "thach": true, "ngo": true,
	}
	ambiguousVietnameseFamily = map[string]bool{
		"le": true, "ho": true, "do": true, "ly": true, "mai": true, "lam": true, "cao": true,
		"to": true, "ta": true, "ha": true, "chau": true, "luu": true, "thai": true, "tang": true,
		"dam": true, "dong": true, "giang": true, "luc": true, "mac": true, "ong": true,
		"quan": true, "tong": true, "chu": true, "lai": true, "lac": true, "au": true,
		"hua": true, "kim": true, "la": true, "than": true, "ton": true, "tu": true, "ung": true,
		"vi": true, "lo": true, "hong": true, "son": true, "man": true, "yen": true, "van": true,
	}
)

// solidParticles returns the family name's leading European particles
// written solid with the name after them (van der Meer → vandermeer), or
// "" when it does not start with one.
func solidParticles(toks []string) string {
	i := 0
	for i < len(toks)-1 && europeanParticle(toks[i]) {
		i++
	}
	if i == 0 {
		return ""
	}
	return strings.Join(toks[:i+1], "")
}

func europeanParticle(t string) bool {
	switch t {
	case "van", "von", "der", "den", "ter", "ten", "zu", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le":
		return true
	}
	return false
}

// firstGiven picks the given name that identifies a child: the first
// token, except that the Vietnamese middle names Văn and Thị, which mark
// sex and which half the children of a family share, give way to the name
// after them.
func firstGiven(toks []string) string {
	for len(toks) > 1 && (toks[0] == "van" || toks[0] == "thi") {
		toks = toks[1:]
	}
	return toks[0]
}

// dropPatronymics removes East Slavic patronymics (Ivanovich, Petrivna,
// Ilyich) from toks, keeping the first keep tokens whatever they are: a
// child's given names are written with the patronymic in Russian and
// Ukrainian records and without it in passports and records abroad.
func dropPatronymics(toks []string, keep int) []string {
	if !slices.ContainsFunc(toks[min(keep, len(toks)):], isPatronymic) {
		return toks
	}
	out := make([]string, 0, len(toks)-1)
	for i, t := range toks {
		if i < keep || !isPatronymic(t) {
			out = append(out, t)
		}
	}
	return out
}

// isPatronymic reports whether a normalized token has the ending of a
// Russian or Ukrainian patronymic in one of its romanizations. Surnames
// with these endings (Petrovich, Babich) are family names, which
// dropPatronymics is never given; -rich is excluded for German given names
// (Heinrich, Ulrich).
func isPatronymic(t string) bool {
	if len(t) < 5 {
		return false
	}
	for _, end := range [...]string{"ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ichna", "yich", "iich"} {
		if strings.HasSuffix(t, end) {
			return true
		}
	}
	return strings.HasSuffix(t, "ich") && !strings.HasSuffix(t, "rich")
}

// initialYe drops the y (or i, or j) of an initial ye (or ie, je), which
// Russian and Ukrainian romanizations write or not for one letter
// (Yevgeniy, Ievgen, Jewgeni and Evgenii; Yelena, Jelena and Elena).
//
// Only before v, w, l, k, g or h, the letters that follow є and е in the
// names concerned (Yevhen, Yelena, Yekaterina, Yegor), so that Jemma,
// Jessie and Jens do not become Emma, Essie and Enis.
func initialYe(tok string) string {
	if len(tok) > 3 && (strings.HasPrefix(tok, "ye") || strings.HasPrefix(tok, "ie") || strings.HasPrefix(tok, "je")) &&
		strings.IndexByte("vwlkgh", tok[2]) >= 0 {
		return tok[1:]
	}
	return tok
}

// glide marks a name that starts with the sound y, which Double Metaphone
// and vowel-dropping codes lose: Yana is not Anna, Yusuf not Usuf.
func glide(tok string) string {
	if startsWithGlide(initialYe(tok)) {
		return "y~"
	}
	return ""
}

func ending(tok string) string {
	if strings.HasSuffix(tok, "a") || strings.HasSuffix(tok, "ah") {
		return "~a"
	}
	return ""
}

// stripAssimilatedArticles removes the Arabic article where it is written
// assimilated to a following sun letter and joined by a hyphen or
// apostrophe (az-Zubaidi, ar-Rashid, ash-Shami, an-Nasser), which
// normalize does not treat as a particle because "an", "as" and "at" are
// also given names or words elsewhere. Only the joined, assimilated form is
// removed, where no such reading exists.
func stripAssimilatedArticles(s string) string {
	if !mayJoinArticle(s) || !strings.ContainsAny(s, "-'’ʼ‐‑") {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		lw := strings.ToLower(w)
		for _, art := range append(sunArticles[:len(sunArticles):len(sunArticles)], "al", "el") {
			if len(lw) <= len(art)+1 || !strings.HasPrefix(lw, art) {
				continue
			}
			sep, size := utf8.DecodeRuneInString(lw[len(art):])
			if !strings.ContainsRune("-'’ʼ‐‑", sep) {
				continue
			}
			rest := lw[len(art)+size:]
			// The article's consonant doubles the next letter (ar-R…),
			// except al/el, which are removed by normalize anyway.
			if art == "al" || art == "el" || strings.HasPrefix(rest, art[len(art)-1:]) || strings.HasPrefix(rest, art[1:]) {
				words[i] = w[len(art)+size:]
			}
			break
		}
	}
	return strings.Join(words, " ")
}

// sunArticles are the Arabic article's romanized forms assimilated to a
// following sun letter (ash-Shami, ar-Rashid), as stripAssimilatedArticles
// and birth places (isArticle) read them.
var sunArticles = []string{"ash", "ath", "adh", "ad", "an", "ar", "as", "at", "az"}

// mayJoinArticle reports whether s has a byte that starts one of the
// joiners stripAssimilatedArticles looks for: a hyphen, an apostrophe, or
// the first byte of ’ ʼ ‐ ‑ (0xE2, 0xCA). Most names have none, and this
// test costs less than the search for the joiners themselves.
func mayJoinArticle(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '-', '\'', 0xE2, 0xCA:
			return true
		}
	}
	return false
}

// uniq removes empty and repeated values from vs, in place, keeping the
// first of each.
func uniq(vs ...string) []string {
	out := vs[:0]
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
