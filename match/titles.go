package match

import "slices"

// titles are the honorifics, ranks and forms of address that registers
// write in place of a given name (Mrs Walker, Sir Baronet, Rev. Smith).
// They say nothing about which child a record is, so a given-name field
// that starts with them is read without them, and one that holds nothing
// else counts as missing, not as a given name that disagrees. Only words
// that are not also given names or name syllables in the cultures of
// the name cultures the package covers are listed: Don, Major and Prince are names too, and Hon,
// Gen and Col are syllables of Cantonese, Japanese and other names. The
// list is part of every rule set's identity (titleList).
var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "mstr": true,
	"dr": true, "prof": true, "rev": true, "revd": true, "reverend": true,
	"sir": true, "lord": true, "lady": true, "dame": true,
	"capt": true, "captain": true, "colonel": true, "sgt": true, "sergeant": true, "cpl": true,
	"herr": true, "frau": true, "mme": true, "mlle": true, "sra": true, "srta": true,
}

// dropTitles returns toks without its leading titles.
func dropTitles(toks []string) []string {
	for len(toks) > 0 && titles[toks[0]] {
		toks = toks[1:]
	}
	return toks
}

// titleList returns the titles, sorted, for the rule-set ID.
func titleList() []string {
	out := make([]string, 0, len(titles))
	for t := range titles {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
