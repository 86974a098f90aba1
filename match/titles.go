package match

// titles are the honorifics, ranks and forms of address that registers
// write in place of a given name (Mrs Walker, Sir Baronet, Rev. Smith).
// They say nothing about which child a record is, so a given-name field
// that starts with them is read without them, and one that holds nothing
// else counts as missing, not as a given name that disagrees. Only words
// that are not also given names in the cultures of design.md §1 are
// listed: Don, Major and Prince are names too.
var titles = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "mstr": true,
	"dr": true, "prof": true, "rev": true, "revd": true, "reverend": true,
	"sir": true, "lord": true, "lady": true, "dame": true, "hon": true,
	"capt": true, "captain": true, "col": true, "colonel": true, "lt": true,
	"sgt": true, "sergeant": true, "gen": true, "general": true, "cpl": true,
	"herr": true, "frau": true, "mme": true, "mlle": true, "sra": true, "srta": true,
}

// dropTitles returns toks without its leading titles.
func dropTitles(toks []string) []string {
	for len(toks) > 0 && titles[toks[0]] {
		toks = toks[1:]
	}
	return toks
}
