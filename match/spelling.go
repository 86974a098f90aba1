package match

import (
	"strings"

	"github.com/reunite-psi/reunite/match/internal/normalize"
)

// Spelling correction against the agency's own file.
//
// A one-letter typo in a name defeats every exact key, and no rule can
// tolerate one in a given name without also linking twins whose names
// differ by one letter (Julian and Julien). What tells a typo from a real
// name is that a typo is rare: in a file of children's records, a real
// name is usually borne by several, a misspelled one by one record only.
// So NewIndex counts the name tokens of the whole file, given names apart
// from family names and given names per sex, and reads a record's name
// also as corrected when one of its tokens is borne by that record only
// and is one edit (a letter wrong, missing or added, or two neighbours
// swapped) from exactly one token borne by at least minCorrectTo records
// (of the record's sex, for a given name). The tokens must not be short
// (minCorrectLen, minCorrectToLen) and must end alike (Daniel is never
// corrected to Daniela), names read as Vietnamese are left alone, and so is a name
// whose correction is that of another record of the file with the same
// birth date (a twin, or the same child entered twice). The counts never
// leave the party; the corrected name gets the keys of an ordinary name.

// minCorrectTo is how many records must bear a token for it to be taken as
// the real spelling of a rare token one edit away.
const minCorrectTo = 3

// minCorrectLen is the shortest token corrected, and minCorrectToLen the
// shortest token corrected to: shorter names are one edit from too many
// others (Evan and Eva, Leon and Leo).
const (
	minCorrectLen   = 4
	minCorrectToLen = 5
)

// speller corrects rare name tokens to frequent ones of the same file.
type speller struct {
	given  [4]tokenCounts // per Sex: SexUnknown counts every record
	family tokenCounts
	// taken holds, for each record, its given and family tokens and birth
	// date, so that a correction that would give another record's name
	// and date is not made.
	taken map[string]bool
}

type tokenCounts struct {
	count map[string]int
	// index maps each frequent token, and each of its one-letter
	// deletions, to the frequent tokens it comes from.
	index map[string][]string
}

// newSpeller counts the name tokens of records.
func newSpeller(records []Record) *speller {
	sp := &speller{family: tokenCounts{count: map[string]int{}}, taken: map[string]bool{}}
	for i := range sp.given {
		sp.given[i].count = map[string]int{}
	}
	for i := range records {
		r := &records[i]
		given, family := normalize.NameTokens(r.GivenNames), normalize.NameTokens(r.FamilyNames)
		for _, t := range uniqTokens(given) {
			sp.given[SexUnknown].count[t]++
			if r.Sex != SexUnknown && int(r.Sex) < len(sp.given) {
				sp.given[r.Sex].count[t]++
			}
		}
		for _, t := range uniqTokens(family) {
			sp.family.count[t]++
		}
		sp.taken[identityKey(given, family, r.BirthDate)] = true
	}
	for i := range sp.given {
		sp.given[i].buildIndex()
	}
	sp.family.buildIndex()
	return sp
}

func uniqTokens(toks []string) []string {
	return uniq(append([]string(nil), toks...)...)
}

func identityKey(given, family []string, d Date) string {
	return strings.Join(given, " ") + "|" + strings.Join(family, " ") + "|" + d.String()
}

func (tc *tokenCounts) buildIndex() {
	tc.index = map[string][]string{}
	for t, n := range tc.count {
		if n < minCorrectTo || len(t) < minCorrectToLen || !isASCIILetters(t) {
			continue
		}
		tc.index[t] = append(tc.index[t], t)
		for i := range len(t) {
			d := t[:i] + t[i+1:]
			tc.index[d] = append(tc.index[d], t)
		}
	}
}

// correct returns the frequent token one edit from t, if t is rare (as
// counted in rare) and exactly one such token exists in tc.
func (tc *tokenCounts) correct(t string, rare map[string]int) (string, bool) {
	if rare[t] != 1 || len(t) < minCorrectLen || !isASCIILetters(t) {
		return "", false
	}
	var found string
	consider := func(c string) bool {
		if c == t || c == found || !oneEdit(t, c) || ending(c) != ending(t) {
			return true
		}
		if found != "" {
			return false // two candidates: ambiguous
		}
		found = c
		return true
	}
	// A frequent token one edit from t shares t itself or one of t's
	// one-letter deletions with the index.
	for _, c := range tc.index[t] {
		if !consider(c) {
			return "", false
		}
	}
	for i := range len(t) {
		for _, c := range tc.index[t[:i]+t[i+1:]] {
			if !consider(c) {
				return "", false
			}
		}
	}
	return found, found != ""
}

// correctRecord returns r with its name corrected, and whether anything
// was: r's aliases are left out, since the correction is of its own name.
func (sp *speller) correctRecord(r *Record) (Record, bool) {
	given, family := normalize.NameTokens(r.GivenNames), normalize.NameTokens(r.FamilyNames)
	if len(family) > 0 {
		if vn, _ := isVietnamese(family[0], given, r.FamilyNames, r.GivenNames); vn {
			return Record{}, false
		}
	}
	sex := r.Sex
	if int(sex) >= len(sp.given) {
		sex = SexUnknown
	}
	changed := false
	for i, t := range given {
		if c, ok := sp.given[sex].correct(t, sp.given[SexUnknown].count); ok {
			given[i], changed = c, true
		}
	}
	for i, t := range family {
		if c, ok := sp.family.correct(t, sp.family.count); ok {
			family[i], changed = c, true
		}
	}
	if !changed || sp.taken[identityKey(given, family, r.BirthDate)] {
		return Record{}, false
	}
	c := *r
	c.GivenNames, c.FamilyNames, c.Aliases = strings.Join(given, " "), strings.Join(family, " "), nil
	return c, true
}

// oneEdit reports whether a and b (ASCII) differ by exactly one
// substitution, insertion, deletion or swap of adjacent letters.
func oneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		if i == len(a) {
			return false // equal
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // swap
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return a[i:] == b[i+1:]
	}
	return false
}
