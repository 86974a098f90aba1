package synth

import (
	"fmt"
	"math"

	"github.com/reunite-psi/reunite/match"
)

// Config sets the size of a generated dataset and how often each kind of
// variation occurs. Every rate is a probability in [0, 1]. Unless its
// comment says otherwise, a rate is drawn independently for each true pair
// for which the variation is possible (its eligible pairs: a second
// surname can only be dropped from a child who has one), and is applied to
// agency B's record. The same draws are made for the records of children
// in only one file, so that distractors look like the rest; only true
// pairs are listed in Dataset.Variations.
//
// DefaultConfig fills in the rates that the package documentation lists
// and defends; a zero rate turns a variation off.
type Config struct {
	// Seed determines the output: the same Config gives byte-identical
	// data on every platform and every run (for a given Go release, whose
	// math/rand/v2 PCG stream and algorithms the output depends on).
	Seed uint64
	// Children is the number of children with a record in both files.
	Children int
	// OnlyA and OnlyB are the numbers of children with a record in one
	// file only: the distractors that a matcher must leave unlinked.
	OnlyA, OnlyB int

	// Twins, Siblings and Namesakes are the shares of Children that are
	// made members of a twin pair, of a sibling group (two or three
	// children) and of an injected namesake pair. These are the
	// Confounders; namesakes also arise by chance from the name pools, and
	// those are listed too.
	Twins, Siblings, Namesakes float64

	// NativeScript is the share of A records of Cyrillic-, Greek- and
	// Arabic-script origins written in that script (the rest use the
	// origin's official romanization). Listed as Script.
	NativeScript float64
	// SomaliOrthography is the share of A records of Somali children
	// written in the official Somali orthography (Maxamed Cabdi Xasan)
	// rather than in English spelling (Mohamed Abdi Hassan). Listed as
	// Orthography.
	SomaliOrthography float64
	// Patronymic is the share of A records of Ukrainian and Russian
	// children whose given names carry the patronymic (Олександр
	// Сергійович), as those countries' records do; B records never do.
	Patronymic float64
	// Cedilla is the share of A records of Romanian children with ș or ț
	// in their names written with the legacy cedilla letters ş and ţ.
	Cedilla float64

	// Translit is the rate at which B writes the names in a romanization
	// other than the one in the child's documents (Aleksandr for the
	// passport's Oleksandr is NameForm, not this; Serhiy, Sergiy, Serhij,
	// Serhi for Serhii is this), or with another spelling of an Arabic,
	// Somali or Tigrinya name, or without the Arabic article's usual form
	// (Alhassan, El Hassan, Hassan), or with German umlauts expanded
	// (Mueller).
	Translit float64
	// NameForm is the rate at which B writes the child's given name in
	// another language's form of it (Aleksandr or Alexander for
	// Oleksandr, Giorgos for Georgios), where the pool knows one.
	NameForm float64
	// StripDiacritics is the rate at which B writes the names of a
	// Latin-script child without diacritics (Stefan, Nguyen, Muller).
	StripDiacritics float64
	// UpperCase is the rate at which B writes the family name in capitals.
	UpperCase float64
	// SwapFields is the rate at which B swaps given and family names.
	SwapFields float64
	// FamilyFirst is the rate at which B puts the whole name, family name
	// first, in one field and leaves the other empty.
	FamilyFirst float64
	// DropMiddle is the rate at which B drops all given names after the
	// first (for Vietnamese children: the middle name, keeping the given
	// name).
	DropMiddle float64
	// DropSurname is the rate at which B keeps only the first of two
	// family names (Spanish second surname; Somali and Eritrean
	// grandfather's name).
	DropSurname float64
	// Typo is the rate of one edit (substitution, deletion, insertion or
	// transposition, never of the first letter) in one token of the
	// child's given or family name; TypoOnA is the share of those typos
	// made in A's record instead of B's.
	Typo, TypoOnA float64
	// DateSwap is the rate at which B swaps day and month, for dates where
	// that gives another valid date (day 1-12, day not equal to month).
	DateSwap float64
	// YearOnly is the rate at which B knows only the birth year (an age
	// estimated from appearance); YearOff is the share of those where the
	// year is one off.
	YearOnly, YearOff float64
	// DateMissing is the rate at which B has no birth date.
	DateMissing float64
	// PlaceMissing is the rate at which B has no birth place;
	// PlaceVariant the rate, when it has one, of a spelling other than
	// the usual English one (Kiev, Kiew for Kyiv; Halab for Aleppo).
	PlaceMissing, PlaceVariant float64
	// SexMissing is the rate at which B has no sex.
	SexMissing float64
	// FalseIdentity is the rate at which B holds the child under a false
	// identity: another name and a birth date one to four years earlier
	// (as on forged papers that make a child look older), no parents and
	// half the time no birth place, with the real name only among the
	// aliases.
	FalseIdentity float64
	// NicknameAlias is the rate at which B lists a nickname (Sasha
	// Kovalenko for Oleksandr Kovalenko) among the aliases, where the
	// pool knows one. The main name is not changed.
	NicknameAlias float64

	// Document is the share of children who have an identity document;
	// DocumentKnown is the share of such a child's records that carry its
	// number (so each file has a number on Document*DocumentKnown of its
	// records).
	Document, DocumentKnown float64
	// DocFormat is the rate, for pairs where both records carry the
	// number, at which B writes it with other spacing, a hyphen or lower
	// case; DocTypo the rate at which B has one character wrong.
	DocFormat, DocTypo float64
}

// DefaultConfig returns the configuration the package documentation
// describes, for the given seed and number of true children, with as many
// distractors in each file as true children.
func DefaultConfig(seed uint64, children int) Config {
	return Config{
		Seed:     seed,
		Children: children,
		OnlyA:    children,
		OnlyB:    children,

		Twins:     0.03,
		Siblings:  0.12,
		Namesakes: 0.03,

		NativeScript:      0.8,
		SomaliOrthography: 0.25,
		Patronymic:        0.5,
		Cedilla:           0.2,

		Translit:        0.35,
		NameForm:        0.05,
		StripDiacritics: 0.6,
		UpperCase:       0.3,
		SwapFields:      0.04,
		FamilyFirst:     0.03,
		DropMiddle:      0.3,
		DropSurname:     0.3,
		Typo:            0.08,
		TypoOnA:         0.25,
		DateSwap:        0.05,
		YearOnly:        0.06,
		YearOff:         0.3,
		DateMissing:     0.03,
		PlaceMissing:    0.35,
		PlaceVariant:    0.3,
		SexMissing:      0.05,
		FalseIdentity:   0.02,
		NicknameAlias:   0.1,

		Document:      0.45,
		DocumentKnown: 0.65,
		DocFormat:     0.2,
		DocTypo:       0.05,
	}
}

func (c *Config) rates() []struct {
	name string
	v    float64
} {
	type nv = struct {
		name string
		v    float64
	}
	return []nv{
		{"Twins", c.Twins}, {"Siblings", c.Siblings}, {"Namesakes", c.Namesakes},
		{"NativeScript", c.NativeScript}, {"SomaliOrthography", c.SomaliOrthography},
		{"Patronymic", c.Patronymic}, {"Cedilla", c.Cedilla},
		{"Translit", c.Translit}, {"NameForm", c.NameForm}, {"StripDiacritics", c.StripDiacritics},
		{"UpperCase", c.UpperCase}, {"SwapFields", c.SwapFields}, {"FamilyFirst", c.FamilyFirst},
		{"DropMiddle", c.DropMiddle}, {"DropSurname", c.DropSurname}, {"Typo", c.Typo},
		{"TypoOnA", c.TypoOnA}, {"DateSwap", c.DateSwap}, {"YearOnly", c.YearOnly},
		{"YearOff", c.YearOff}, {"DateMissing", c.DateMissing}, {"PlaceMissing", c.PlaceMissing},
		{"PlaceVariant", c.PlaceVariant}, {"SexMissing", c.SexMissing},
		{"FalseIdentity", c.FalseIdentity}, {"NicknameAlias", c.NicknameAlias},
		{"Document", c.Document}, {"DocumentKnown", c.DocumentKnown},
		{"DocFormat", c.DocFormat}, {"DocTypo", c.DocTypo},
	}
}

func (c *Config) validate() error {
	if c.Children < 0 || c.OnlyA < 0 || c.OnlyB < 0 {
		return fmt.Errorf("synth: negative record count")
	}
	for _, r := range c.rates() {
		if math.IsNaN(r.v) || r.v < 0 || r.v > 1 {
			return fmt.Errorf("synth: %s = %v is not a rate in [0, 1]", r.name, r.v)
		}
	}
	if c.Twins+c.Siblings+c.Namesakes > 1 {
		return fmt.Errorf("synth: Twins + Siblings + Namesakes exceed 1")
	}
	return nil
}

// Pair names a record of file A and a record of file B.
type Pair struct {
	AID, BID string
}

// The kinds of Confounder.
const (
	// KindTwin is a twin: same family name, parents, birth date and birth
	// place, another given name (and, 40% of the time, the other sex).
	KindTwin = "twin"
	// KindSibling is a brother or sister: same family name, parents and
	// birth place, another given name, born one to six years apart.
	KindSibling = "sibling"
	// KindNamesake is another child with exactly the same given and family
	// names (in the same native form) but other parents and another birth
	// date, 30% of the time in the same year when injected.
	KindNamesake = "namesake"
)

// Confounder is a pair of records on two different children that a naive
// matcher could link: a hard negative. Kind is KindTwin, KindSibling or
// KindNamesake.
type Confounder struct {
	AID, BID string
	Kind     string
}

// Variation is a kind of difference between the two records of a true
// pair. Their definitions and default rates are in Config and in the
// package documentation.
type Variation string

// The variations, in the order AllVariations lists them.
const (
	Script        Variation = "script"         // A in Cyrillic, Greek or Arabic script, B in Latin
	Orthography   Variation = "orthography"    // A in Somali orthography, B in English spelling
	Patronymic    Variation = "patronymic"     // A's given names carry the patronymic
	Cedilla       Variation = "cedilla"        // A writes Romanian ş ţ for ș ț
	Translit      Variation = "translit"       // B uses another romanization or spelling
	NameForm      Variation = "name_form"      // B uses another language's form of the given name
	Diacritics    Variation = "diacritics"     // B drops diacritics
	Case          Variation = "case"           // B writes the family name in capitals
	SwapFields    Variation = "swap_fields"    // B swaps given and family names
	FamilyFirst   Variation = "family_first"   // B puts "FAMILY Given" in one field
	DropMiddle    Variation = "drop_middle"    // B drops given names after the first
	DropSurname   Variation = "drop_surname"   // B drops the second family name
	Typo          Variation = "typo"           // one edit in a name, in A or B
	DateSwap      Variation = "date_swap"      // B swaps day and month
	YearOnly      Variation = "year_only"      // B has only the birth year
	YearOff       Variation = "year_off"       // and that year is one off
	DateMissing   Variation = "date_missing"   // B has no birth date
	PlaceMissing  Variation = "place_missing"  // B has no birth place
	PlaceVariant  Variation = "place_variant"  // B spells the birth place otherwise
	SexMissing    Variation = "sex_missing"    // B has no sex
	FalseIdentity Variation = "false_identity" // B's name and date are false, the real name an alias
	NicknameAlias Variation = "nickname_alias" // B lists a nickname among the aliases
	DocFormat     Variation = "doc_format"     // document number spaced or cased otherwise
	DocTypo       Variation = "doc_typo"       // document number with one character wrong
)

// AllVariations returns every Variation, in a fixed order.
func AllVariations() []Variation {
	return []Variation{
		Script, Orthography, Patronymic, Cedilla, Translit, NameForm, Diacritics, Case,
		SwapFields, FamilyFirst, DropMiddle, DropSurname, Typo, DateSwap, YearOnly, YearOff,
		DateMissing, PlaceMissing, PlaceVariant, SexMissing, FalseIdentity, NicknameAlias,
		DocFormat, DocTypo,
	}
}

// Dataset is a generated pair of agency files with the truth about them.
type Dataset struct {
	// A and B are the two agencies' records. A is in ID order, B in ID
	// order too, and B's IDs are random, so neither order says which
	// records match.
	A, B []match.Record
	// Truth lists every true pair, in A ID order. A child has at most
	// one record per file.
	Truth []Pair
	// Confounders lists, in A ID then B ID order, every pair of records
	// on two different children that are twins, siblings or namesakes,
	// one child in A and the other in B. None of them is in Truth.
	Confounders []Confounder
	// Variations maps each true pair to the variations it carries, in
	// AllVariations order; a pair without any has no entry.
	Variations map[Pair][]Variation

	// eligible and drawn count, per variation, the true pairs for which
	// it could occur and those it was drawn for (tests check the rates).
	eligible, drawn map[Variation]int
}

// count returns round(n*rate) without letting the compiler fuse the
// multiplication into anything else, so the result is the same on every
// platform.
func count(n int, rate float64) int {
	return int(math.Round(float64(n) * rate))
}
