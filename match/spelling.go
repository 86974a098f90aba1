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
// So NewIndex counts the name tokens of the whole file, and a token found
// in one record only that is one edit (a letter wrong, missing, added, or
// two swapped) from exactly one token found in at least minCorrectTo
// records is read both ways: the record keeps its name as written and
// gains the corrected spelling as a second own name. The counts never
// leave the party; the keys are those of an ordinary name.

// minCorrectTo is how many records must bear a token for it to be taken as
// the real spelling of a rare token one edit away.
const minCorrectTo = 3

// minCorrectLen is the shortest token corrected: shorter ones are one edit
// from too many real names.
const minCorrectLen = 4

// speller corrects rare name tokens to frequent ones of the same file.
type speller struct {
	count map[string]int
	// index maps each frequent token, and each of its one-letter deletions,
	// to the frequent tokens it comes from.
	index map[string][]string
}

// newSpeller counts the given and family name tokens of records.
func newSpeller(records []Record) *speller {
	sp := &speller{count: map[string]int{}, index: map[string][]string{}}
	seen := map[string]bool{}
	for i := range records {
		clear(seen)
		for _, field := range [...]string{records[i].GivenNames, records[i].FamilyNames} {
			for _, t := range normalize.NameTokens(field) {
				if !seen[t] {
					seen[t] = true
					sp.count[t]++
				}
			}
		}
	}
	for t, n := range sp.count {
		if n < minCorrectTo || len(t) < minCorrectLen-1 || !isASCIILetters(t) {
			continue
		}
		sp.index[t] = append(sp.index[t], t)
		for i := range len(t) {
			d := t[:i] + t[i+1:]
			sp.index[d] = append(sp.index[d], t)
		}
	}
	return sp
}

// correct returns the frequent token one edit from t, if t is rare and
// exactly one such token exists.
func (sp *speller) correct(t string) (string, bool) {
	if sp.count[t] != 1 || len(t) < minCorrectLen || !isASCIILetters(t) {
		return "", false
	}
	var found string
	consider := func(c string) bool {
		if c == t || c == found || !oneEdit(t, c) {
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
	for _, c := range sp.index[t] {
		if !consider(c) {
			return "", false
		}
	}
	for i := range len(t) {
		for _, c := range sp.index[t[:i]+t[i+1:]] {
			if !consider(c) {
				return "", false
			}
		}
	}
	return found, found != ""
}

// correctName returns the name field with its rare tokens corrected, and
// whether any was.
func (sp *speller) correctName(field string) (string, bool) {
	toks := normalize.NameTokens(field)
	changed := false
	for i, t := range toks {
		if c, ok := sp.correct(t); ok {
			toks[i], changed = c, true
		}
	}
	return strings.Join(toks, " "), changed
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
