package normalize

import (
	"sort"
	"strings"
)

// The reference forms below are what the key derivation of package match
// computes for a name in one pass (nameForm). No production code calls
// them; the equivalence, fuzz and script tests check normalization through
// them, so they live with the tests.

// SkeletonKey returns the order-free skeleton key of a name: the
// [ConsonantSkeleton] of each token of [NameTokens](s) with particles
// dropped, sorted and joined by single spaces. The skeletons are sorted
// after they are computed; sorting the tokens first, as [NameKey] does,
// would put "kovalenko oleksandr" and "aleksandr kovalenko" in different
// orders. "Олександр Коваленко", "Aleksandr Kovalenko" and "Alexander
// Kowalenko" all give "alksndr kvlnk".
func SkeletonKey(s string) string {
	toks := DropParticles(NameTokens(s))
	for i, t := range toks {
		toks[i] = ConsonantSkeleton(t)
	}
	sort.Strings(toks)
	return strings.Join(toks, " ")
}

// FirstGiven returns the first token of a given-names field, for rules
// that tolerate dropped middle names ("Maria José" and "Maria" share
// "maria"). Particles are not dropped: Ben and Abu are given names too.
// It returns "" when s has no token.
func FirstGiven(s string) string {
	toks := NameTokens(s)
	if len(toks) == 0 {
		return ""
	}
	return toks[0]
}

// FirstFamily returns the first family name of a family-names field, with
// particles dropped, for rules that tolerate a dropped second surname
// (Spanish "García López" and "García" share "garcia"). It returns "" when
// s has no token.
func FirstFamily(s string) string {
	toks := DropParticles(NameTokens(s))
	if len(toks) == 0 {
		return ""
	}
	return toks[0]
}

// LastFamily returns the last family name of a family-names field, with
// particles dropped. Portuguese and Brazilian records put the principal
// surname last ("Silva Santos" is usually shortened to "Santos"), so rules
// that use FirstFamily should also use LastFamily. It returns "" when s
// has no token.
func LastFamily(s string) string {
	toks := DropParticles(NameTokens(s))
	if len(toks) == 0 {
		return ""
	}
	return toks[len(toks)-1]
}
