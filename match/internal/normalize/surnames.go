package normalize

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// surnameVariantsData is the table behind SurnameVariants; its header
// names its source and format.
//
//go:embed surname_variants.txt
var surnameVariantsData string

// surnameEntry is one line of surname_variants.txt.
type surnameEntry struct {
	canonical string
	native    []string
	spellings []string
}

// tableRows returns the tab-separated fields of each line of a data
// table, leaving out empty lines and comments (lines starting with #).
func tableRows(data string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(data, "\n") {
		if line != "" && line[0] != '#' {
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return rows
}

func parseSurnameVariants(data string) []surnameEntry {
	var out []surnameEntry
	for _, f := range tableRows(data) {
		e := surnameEntry{canonical: f[0]}
		if len(f) > 1 {
			e.native = strings.Fields(f[1])
		}
		if len(f) > 2 {
			e.spellings = strings.Fields(f[2])
		}
		out = append(out, e)
	}
	return out
}

// surnameIndex maps every token of the table, canonical form or spelling,
// to the sorted canonical forms it may stand for.
var surnameIndex = sync.OnceValue(func() map[string][]string {
	m := map[string][]string{}
	add := func(tok, canonical string) {
		if !slices.Contains(m[tok], canonical) {
			m[tok] = append(m[tok], canonical)
		}
	}
	for _, e := range parseSurnameVariants(surnameVariantsData) {
		add(e.canonical, e.canonical)
		for _, s := range e.spellings {
			add(s, e.canonical)
		}
	}
	for _, v := range m {
		slices.Sort(v)
	}
	return m
})

// SurnameVariants returns the canonical forms of the Chinese and Korean
// family names that the Latin family-name token t may stand for: the
// pinyin that [Text] gives the Han name, or the spelling it gives the
// Hangul name. "chan" gives ["chen"], "wong" ["huang" "wang"], "tan"
// ["chen" "tan"] (Hokkien 陈 and pinyin 谭), "lee" ["lee" "li"] (Korean
// 이 and Cantonese 李), "kim" ["jin" "kim"], "chen" ["chen"]. The result
// is sorted, new on every call, and nil for a token the table does not
// know, such as any non-Chinese, non-Korean name.
//
// These spellings are not rewritten by [Text] or [NameTokens], because
// they collide: Wong is 王 in Cantonese and 黄 too, Lee is 李 and 이, Tan
// is 陈 and 谭. A key rule that wants a Latin family name to meet the Han
// or Hangul one can derive a key from each form returned, at the price of
// more candidate pairs for the common ones.
//
// t should be a token as NameTokens gives it; other strings are
// normalized first, and give nil unless they are one token.
func SurnameVariants(t string) []string {
	if !isLowerLetters(t) || t == "" {
		toks := NameTokens(t)
		if len(toks) != 1 {
			return nil
		}
		t = toks[0]
	}
	return slices.Clone(surnameIndex()[t])
}
