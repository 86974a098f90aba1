package match

import (
	"strconv"
	"strings"
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
	// given[s] counts the records of sex s that bear each given-name
	// token; given[SexUnknown] counts every record. family counts
	// family-name tokens.
	given  [4]map[string]int
	family map[string]int
	// records is the number of records in the file.
	records int
	// givenNear and familyNear map each frequent token, and each of its
	// one-letter deletions, to the frequent tokens it comes from. One
	// index of the given names of every record serves each sex: a
	// candidate is then checked against the counts of the record's sex.
	givenNear, familyNear map[string][]string
	// taken holds, for each record, its given and family tokens and birth
	// date, so that a correction that would give another record's name
	// and date is not made.
	taken map[string]bool
	// names holds every record's given then family tokens: record i's
	// are names[nameFrom[2i]:nameFrom[2i+1]] and
	// names[nameFrom[2i+1]:nameFrom[2i+2]].
	names    []string
	nameFrom []int32
	// Scratch space.
	givenToks, familyToks, u []string
	buf                      []byte
}

// newSpeller counts the name tokens of records, tokenized by d.
func newSpeller(records []Record, d *deriver) *speller {
	sp := &speller{
		family: map[string]int{}, taken: make(map[string]bool, len(records)), records: len(records),
		names: make([]string, 0, 3*len(records)), nameFrom: make([]int32, 1, 2*len(records)+1),
	}
	for i := range sp.given {
		sp.given[i] = map[string]int{}
	}
	for i := range records {
		r := &records[i]
		sp.names = d.nameTokens(sp.names, r.GivenNames)
		sp.nameFrom = append(sp.nameFrom, int32(len(sp.names)))
		sp.names = d.nameTokens(sp.names, r.FamilyNames)
		sp.nameFrom = append(sp.nameFrom, int32(len(sp.names)))
		given, family := sp.tokens(i)
		sp.u = uniq(append(sp.u[:0], given...)...)
		for _, t := range sp.u {
			sp.given[SexUnknown][t]++
			if r.Sex != SexUnknown && int(r.Sex) < len(sp.given) {
				sp.given[r.Sex][t]++
			}
		}
		sp.u = uniq(append(sp.u[:0], family...)...)
		for _, t := range sp.u {
			sp.family[t]++
		}
		sp.buf = appendIdentity(sp.buf[:0], given, family, r.BirthDate)
		sp.taken[string(sp.buf)] = true
	}
	sp.givenNear, sp.familyNear = nearIndex(sp.given[SexUnknown]), nearIndex(sp.family)
	return sp
}

// tokens returns the given and family tokens of record i. They must not be
// modified.
func (sp *speller) tokens(i int) (given, family []string) {
	from := sp.nameFrom[2*i:]
	return sp.names[from[0]:from[1]:from[1]], sp.names[from[1]:from[2]:from[2]]
}

// appendIdentity appends to b what tells a record from others of its file
// for spelling correction: its given and family tokens and birth date.
func appendIdentity(b []byte, given, family []string, d Date) []byte {
	for i, t := range given {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, t...)
	}
	b = append(b, '|')
	for i, t := range family {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, t...)
	}
	// Only the parts the date's precision covers, as Date.String writes
	// them: a day without a month says nothing, and two dates that differ
	// only there are one date.
	b = append(b, '|')
	p := d.Precision()
	if p >= PrecisionYear {
		b = strconv.AppendInt(b, int64(d.Year), 10)
	}
	if p >= PrecisionMonth {
		b = strconv.AppendInt(append(b, '-'), int64(d.Month), 10)
	}
	if p >= PrecisionDay {
		b = strconv.AppendInt(append(b, '-'), int64(d.Day), 10)
	}
	return b
}

// nearIndex maps each token that count makes frequent, and each of its
// one-letter deletions, to the frequent tokens it comes from.
func nearIndex(count map[string]int) map[string][]string {
	frequent := func(t string, n int) bool {
		return n >= minCorrectTo && len(t) >= minCorrectToLen && isASCIILetters(t)
	}
	// Sized first: growing the map would cost as much as filling it.
	size := 0
	for t, n := range count {
		if frequent(t, n) {
			size += len(t) + 1
		}
	}
	near := make(map[string][]string, size)
	for t, n := range count {
		if !frequent(t, n) {
			continue
		}
		near[t] = append(near[t], t)
		for i := range len(t) {
			d := t[:i] + t[i+1:]
			near[d] = append(near[d], t)
		}
	}
	return near
}

// correctToken returns the token one edit from t, borne by at least
// minCorrectTo records as counted in frequent and found through near, if
// t is rare (borne by one record, as counted in rare) and exactly one such
// token exists.
func correctToken(t string, rare map[string]int, near map[string][]string, frequent map[string]int) (string, bool) {
	if rare[t] != 1 || len(t) < minCorrectLen || !isASCIILetters(t) {
		return "", false
	}
	var found string
	consider := func(c string) bool {
		if c == t || c == found || frequent[c] < minCorrectTo || !oneEdit(t, c) || ending(c) != ending(t) {
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
	for _, c := range near[t] {
		if !consider(c) {
			return "", false
		}
	}
	for i := range len(t) {
		for _, c := range near[t[:i]+t[i+1:]] {
			if !consider(c) {
				return "", false
			}
		}
	}
	return found, found != ""
}

// correct returns the given and family names of r, record i of the file,
// as corrected, and whether anything was. r's aliases are not corrected:
// the correction is of its own name.
func (sp *speller) correct(i int, r *Record) (given, family string, ok bool) {
	g, f := sp.tokens(i)
	sp.givenToks, sp.familyToks = append(sp.givenToks[:0], g...), append(sp.familyToks[:0], f...)
	if len(sp.familyToks) > 0 {
		if vn, _ := isVietnamese(sp.familyToks[0], sp.givenToks, r.FamilyNames, r.GivenNames); vn {
			return "", "", false
		}
	}
	sex := r.Sex
	if int(sex) >= len(sp.given) {
		sex = SexUnknown
	}
	changed := false
	for k, t := range sp.givenToks {
		if c, ok := correctToken(t, sp.given[SexUnknown], sp.givenNear, sp.given[sex]); ok {
			sp.givenToks[k], changed = c, true
		}
	}
	for k, t := range sp.familyToks {
		if c, ok := correctToken(t, sp.family, sp.familyNear, sp.family); ok {
			sp.familyToks[k], changed = c, true
		}
	}
	if !changed {
		return "", "", false
	}
	sp.buf = appendIdentity(sp.buf[:0], sp.givenToks, sp.familyToks, r.BirthDate)
	if sp.taken[string(sp.buf)] {
		return "", "", false
	}
	return strings.Join(sp.givenToks, " "), strings.Join(sp.familyToks, " "), true
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
