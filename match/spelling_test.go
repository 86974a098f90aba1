package match

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"jules", "jues", true},    // deletion
		{"jules", "juless", true},  // insertion
		{"jules", "jutes", true},   // substitution
		{"jules", "jlues", true},   // swap
		{"jules", "jules", false},  // equal
		{"jules", "julien", false}, // two edits
		{"jules", "ljues", false},  // a swap and more
		{"anna", "naan", false},    // two swaps
		{"", "a", true},            // insertion into nothing
		{"abcd", "abdc", true},     // swap at the end
		{"abcd", "bacd", true},     // swap at the start
		{"abcd", "abc", true},      // deletion at the end
		{"abcd", "xbcdy", false},   // two edits, length differs by one
		{"aaaa", "aaaaaa", false},  // length differs by two
		{"kristina", "christina", false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, oneEdit(tc.a, tc.b), "%q %q", tc.a, tc.b)
		assert.Equal(t, tc.want, oneEdit(tc.b, tc.a), "%q %q", tc.b, tc.a)
	}
}

func names(given ...string) []Record {
	var rs []Record
	for i, g := range given {
		rs = append(rs, Record{ID: fmt.Sprint(i), GivenNames: g, FamilyNames: fmt.Sprintf("Family%c", 'a'+i)})
	}
	return rs
}

func TestSpeller(t *testing.T) {
	sp := newSpeller(names("Jules", "Jules", "Jules", "Jues", "Maria", "Maria", "Maria", "Marta", "Marta", "Marta", "Mara", "Julian", "Julien", "Tom", "Tom", "Tom", "Tm"))
	tests := []struct {
		in, want string
	}{
		{"jues", "jules"}, // rare, one edit from one frequent name
		{"jules", ""},     // frequent: never corrected
		{"mara", ""},      // one edit from two frequent names: ambiguous
		{"julian", ""},    // rare, but no frequent name one edit away (Julien is rare too)
		{"tm", ""},        // too short
		{"xyzzy", ""},     // unknown: not in this file
	}
	for _, tc := range tests {
		got, ok := sp.correct(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.Equal(t, tc.want != "", ok, tc.in)
	}
	field, changed := sp.correctName("Jues Marta")
	assert.True(t, changed)
	assert.Equal(t, "jules marta", field)
}

// TestSpellingCorrectionLinksTypos checks that a typo in a given name, which
// no rule tolerates, links when the agency's own file shows the name as
// written is rare and one letter from a common one.
func TestSpellingCorrectionLinksTypos(t *testing.T) {
	rs := DefaultRules()
	a := names("Jules", "Jules", "Jules")
	a[0].FamilyNames, a[0].BirthDate = "Guérin", Date{Year: 2023, Month: 1, Day: 8}
	b := names("Jues", "Jules", "Jules", "Jules")
	b[0].FamilyNames, b[0].BirthDate = "Guerin", Date{Year: 2023, Month: 1, Day: 8}
	ia, ib := NewIndex(a, rs), NewIndex(b, rs)
	theirs := map[string]int{}
	for k, v := range ib.Keys {
		theirs[string(v)] = k
	}
	var hits []KeyHit
	for k, v := range ia.Keys {
		if j, ok := theirs[string(v)]; ok {
			var peers []PeerRecord
			for _, o := range ib.Owners[j] {
				peers = append(peers, PeerRecord{Pseudonym: uint32(o)})
			}
			hits = append(hits, KeyHit{Key: k, Peers: peers})
		}
	}
	links := ia.Link(hits, rs.Threshold())
	require.NotEmpty(t, links)
	assert.Equal(t, 0, links[0].Record)
	assert.Equal(t, uint32(0), links[0].Peer)
	assert.False(t, links[0].Alternative)
}
