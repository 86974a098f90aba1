package normalize

import (
	_ "embed"
	"strings"
	"sync"
)

// placeNamesData is the table behind PlaceName; its header names its
// source and format.
//
//go:embed place_names.txt
var placeNamesData string

// placeIndex maps every name of the table, as Text writes it, to its
// place's canonical name. A name the table gives two places maps to
// neither (the test of the table refuses such a table).
var placeIndex = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	ambiguous := map[string]bool{}
	add := func(name, canonical string) {
		if name == "" {
			return
		}
		if c, ok := m[name]; ok && c != canonical {
			ambiguous[name] = true
		}
		m[name] = canonical
	}
	for _, e := range parsePlaceNames(placeNamesData) {
		add(e.canonical, e.canonical)
		for _, n := range e.names {
			add(Text(n), e.canonical)
		}
	}
	for n := range ambiguous {
		delete(m, n)
	}
	return m
})

// placeEntry is one line of place_names.txt.
type placeEntry struct {
	canonical string
	names     []string
}

func parsePlaceNames(data string) []placeEntry {
	var out []placeEntry
	for _, f := range tableRows(data) {
		e := placeEntry{canonical: f[0]}
		if len(f) < 2 {
			out = append(out, e)
			continue
		}
		for _, n := range strings.Split(f[1], ";") {
			if n = strings.TrimSpace(n); n != "" {
				e.names = append(e.names, n)
			}
		}
		out = append(out, e)
	}
	return out
}

// PlaceName returns the canonical name of the place that t, a place name
// as Text writes it, names in another language, script or an older form:
// "moscow", "moskau" and "moskva" (Москва) give "moskva", "aleppo" and
// "hlb" (حلب) give "halab", "hanoi" gives "ha noi". A name the table does
// not know is returned as it is. The table holds the larger places of the
// countries children in cross-border cases most often come from and go
// to, with its source in place_names.txt.
func PlaceName(t string) string {
	if c, ok := placeIndex()[t]; ok {
		return c
	}
	return t
}
