package synth

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/reunite-psi/reunite/match"
)

// entry is one name, place or street of a pool.
type entry struct {
	native string   // as the origin writes it
	fem    string   // female form of a family name, if it differs
	spell  []string // hand-written Latin spellings, [0] the documents' one; nil: computed
	forms  []string // the same given name in other languages, in Latin
	short  []string // nicknames and short forms, written natively
}

// nat is the native form of e for a person of sex s.
func (e *entry) nat(s match.Sex) string {
	if s == match.SexFemale && e.fem != "" {
		return e.fem
	}
	return e.native
}

// pool is a weighted list of entries: earlier entries are drawn more often,
// with weight proportional to 1/(rank+8) times the entry's multiplier.
type pool struct {
	e     []*entry
	cum   []int
	total int
}

func (p *pool) pick(r *rand.Rand) *entry {
	x := r.IntN(p.total)
	lo, hi := 0, len(p.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if p.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return p.e[lo]
}

// pickOther draws an entry other than those in not, trying a bounded number
// of times and then taking the first acceptable entry in order.
func (p *pool) pickOther(r *rand.Rand, not ...*entry) *entry {
	bad := func(e *entry) bool {
		for _, n := range not {
			if e == n || e.native == n.native {
				return true
			}
		}
		return false
	}
	for range 16 {
		if e := p.pick(r); !bad(e) {
			return e
		}
	}
	for _, e := range p.e {
		if !bad(e) {
			return e
		}
	}
	return p.e[0]
}

func list(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, x := range strings.Split(s, ",") {
		dup := false
		for _, y := range out {
			dup = dup || x == y
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// parsePool reads a pool in the format described in names.go. fem, when not
// nil, computes the female form of a family name that gives none.
func parsePool(src string, fem func(string) string) *pool {
	p := &pool{}
	for i, line := range strings.Split(src, "\n") {
		f := strings.Split(line, "|")
		for len(f) < 4 {
			f = append(f, "")
		}
		mult := 1
		native := f[0]
		if k := strings.IndexByte(native, '*'); k > 0 {
			n, err := strconv.Atoi(native[:k])
			if err != nil {
				panic("synth: bad pool weight in " + line)
			}
			mult, native = n, native[k+1:]
		}
		e := &entry{spell: list(f[1]), forms: list(f[2]), short: list(f[3])}
		if m, w, ok := strings.Cut(native, "/"); ok {
			e.native, e.fem = m, w
		} else {
			e.native = native
			if fem != nil {
				if w := fem(native); w != native {
					e.fem = w
				}
			}
		}
		p.e = append(p.e, e)
		p.total += mult * 100000 / (i + 8)
		p.cum = append(p.cum, p.total)
	}
	return p
}

// romanKind is how an origin's names are written in Latin letters.
type romanKind int

const (
	kindUK     romanKind = iota // Ukrainian Cyrillic: ukSchemes
	kindRU                      // Russian Cyrillic: ruSchemes
	kindGreek                   // Greek: ELOT 743, phonetic, BGN
	kindHand                    // every entry has hand-written spellings (Arabic, Somali, Tigrinya)
	kindLatin                   // Latin script: written as is, diacritics and all
	kindGerman                  // Latin, with umlauts expanded (ue, oe, ae, ss) as the alternative
)

// country is where a child of an origin was born.
type country struct {
	alpha2, alpha3 string
	weight         int
	places         *pool
	streets        *pool
	addrNative     string // fmt format: %[1]s street, %[2]d number, %[3]d flat
	addrLatin      string
	postcode       string // pattern, see fill
	doc            string // pattern, see fill; "DNI" for the Spanish DNI
}

// origin is a naming tradition with its countries.
type origin struct {
	name         string
	weight       int
	kind         romanKind
	script       bool // native script is not Latin
	male, female *pool
	midM, midF   *pool // Vietnamese middle names
	family       *pool // nil: family name is father's and grandfather's given names
	twoSurnames  bool  // Spanish: father's first and mother's first family name
	second       int   // per mille chance of a second given name
	patronymic   bool  // Ukrainian, Russian: A records carry the patronymic
	familyFirst  bool  // the full name is written family name first (Vietnamese)
	countries    []*country
}

// schemeWeight is how often B uses scheme sc, relative to the origin's
// other non-document schemes, when it does not copy the documents'
// romanization: English-language forms are the most common abroad.
func (o *origin) schemeWeight(sc int) int {
	switch o.kind {
	case kindUK: // BGN, Russian reading, German, French
		return [...]int{0, 3, 2, 1, 1}[sc]
	case kindRU: // BGN, popular English, German, French
		return [...]int{0, 3, 3, 1, 1}[sc]
	case kindGreek: // phonetic, BGN
		return [...]int{0, 2, 1}[sc]
	}
	return 1
}

func (o *origin) schemes() int {
	switch o.kind {
	case kindUK:
		return len(ukSchemes)
	case kindRU:
		return len(ruSchemes)
	case kindGreek:
		return numGreekSchemes
	case kindGerman:
		return 2
	}
	return 1
}

// romanize writes a native string in scheme sc of a computed romanization.
func (o *origin) romanize(s string, sc int) string {
	switch o.kind {
	case kindUK:
		return romanizeCyr(s, &ukSchemes[sc])
	case kindRU:
		return romanizeCyr(s, &ruSchemes[sc])
	case kindGreek:
		return romanizeGreek(s, sc)
	case kindGerman:
		if sc == 1 {
			return expandUmlauts(s)
		}
	}
	return s
}

func (o *origin) pickCountry(r *rand.Rand) *country {
	total := 0
	for _, c := range o.countries {
		total += c.weight
	}
	x := r.IntN(total)
	for _, c := range o.countries {
		if x < c.weight {
			return c
		}
		x -= c.weight
	}
	return o.countries[0]
}

func (o *origin) given(s match.Sex) *pool {
	if s == match.SexFemale {
		return o.female
	}
	return o.male
}

func (o *origin) middle(s match.Sex) *pool {
	if s == match.SexFemale {
		return o.midF
	}
	return o.midM
}

// ukFem gives the female form of a Ukrainian family name: only the
// adjectival ones inflect (Ковальський, Ковальська).
func ukFem(s string) string {
	for _, suf := range []string{"ський", "цький"} {
		if strings.HasSuffix(s, suf) {
			return strings.TrimSuffix(s, "ий") + "а"
		}
	}
	return s
}

// ruFem gives the female form of a Russian family name (Иванов, Иванова;
// Ковалевский, Ковалевская; Белый, Белая).
func ruFem(s string) string {
	switch {
	case strings.HasSuffix(s, "ский"), strings.HasSuffix(s, "цкий"):
		return strings.TrimSuffix(s, "ий") + "ая"
	case strings.HasSuffix(s, "ый"):
		return strings.TrimSuffix(s, "ый") + "ая"
	case strings.HasSuffix(s, "ов"), strings.HasSuffix(s, "ев"), strings.HasSuffix(s, "ёв"),
		strings.HasSuffix(s, "ин"), strings.HasSuffix(s, "ын"):
		return s + "а"
	}
	return s
}

// ukPatronymic derives a Ukrainian patronymic from the father's given name:
// Сергій gives Сергійович and Сергіївна, Петро Петрович and Петрівна.
func ukPatronymic(father string, female bool) string {
	irregular := map[string][2]string{
		"Микола":   {"Миколайович", "Миколаївна"},
		"Ілля":     {"Ілліч", "Іллівна"},
		"Григорій": {"Григорович", "Григорівна"},
	}
	pick := func(m, f string) string {
		if female {
			return f
		}
		return m
	}
	if p, ok := irregular[father]; ok {
		return pick(p[0], p[1])
	}
	switch {
	case strings.HasSuffix(father, "ій"):
		return pick(father+"ович", strings.TrimSuffix(father, "й")+"ївна")
	case strings.HasSuffix(father, "о"):
		stem := strings.TrimSuffix(father, "о")
		return pick(stem+"ович", stem+"івна")
	case strings.HasSuffix(father, "ь"):
		return pick(father+"ович", strings.TrimSuffix(father, "ь")+"івна")
	}
	return pick(father+"ович", father+"івна")
}

// ruPatronymic derives a Russian patronymic: Сергей gives Сергеевич and
// Сергеевна, Юрий Юрьевич, Иван Иванович.
func ruPatronymic(father string, female bool) string {
	irregular := map[string][2]string{
		"Михаил":  {"Михайлович", "Михайловна"},
		"Павел":   {"Павлович", "Павловна"},
		"Илья":    {"Ильич", "Ильинична"},
		"Никита":  {"Никитич", "Никитична"},
		"Дмитрий": {"Дмитриевич", "Дмитриевна"},
		"Пётр":    {"Петрович", "Петровна"},
	}
	pick := func(m, f string) string {
		if female {
			return f
		}
		return m
	}
	if p, ok := irregular[father]; ok {
		return pick(p[0], p[1])
	}
	switch {
	case strings.HasSuffix(father, "ий"):
		stem := strings.TrimSuffix(father, "ий")
		return pick(stem+"ьевич", stem+"ьевна")
	case strings.HasSuffix(father, "ей"), strings.HasSuffix(father, "ай"), strings.HasSuffix(father, "ь"):
		r := []rune(father)
		stem := string(r[:len(r)-1])
		return pick(stem+"евич", stem+"евна")
	}
	return pick(father+"ович", father+"овна")
}

// origins is the population, weighted per mille.
var origins = buildOrigins()

func buildOrigins() []*origin {
	pp := func(s string) *pool { return parsePool(s, nil) }
	ua := &country{alpha2: "UA", alpha3: "UKR", weight: 1, places: pp(uaPlaces), streets: pp(uaStreets),
		addrNative: "%[1]s, %[2]d, кв. %[3]d", addrLatin: "%[1]s, %[2]d, kv. %[3]d", postcode: "#####", doc: "@@######"}
	ru := &country{alpha2: "RU", alpha3: "RUS", weight: 1, places: pp(ruPlaces), streets: pp(ruStreets),
		addrNative: "%[1]s, д. %[2]d, кв. %[3]d", addrLatin: "%[1]s, d. %[2]d, kv. %[3]d", postcode: "######", doc: "## #######"}
	gr := &country{alpha2: "GR", alpha3: "GRC", weight: 1, places: pp(grPlaces), streets: pp(grStreets),
		addrNative: "%[1]s %[2]d", addrLatin: "%[1]s %[2]d", postcode: "### ##", doc: "@@#######"}
	sy := &country{alpha2: "SY", alpha3: "SYR", weight: 7, places: pp(syPlaces), streets: pp(arStreets),
		addrNative: "%[1]s، بناء %[2]d", addrLatin: "%[1]s, Bldg %[2]d", doc: "N########"}
	iq := &country{alpha2: "IQ", alpha3: "IRQ", weight: 3, places: pp(iqPlaces), streets: pp(arStreets),
		addrNative: "%[1]s، بناء %[2]d", addrLatin: "%[1]s, Bldg %[2]d", postcode: "#####", doc: "A########"}
	so := &country{alpha2: "SO", alpha3: "SOM", weight: 1, places: pp(soPlaces), streets: pp(soStreets),
		addrNative: "%[1]s", addrLatin: "%[1]s", doc: "P#######"}
	er := &country{alpha2: "ER", alpha3: "ERI", weight: 1, places: pp(erPlaces), streets: pp(erStreets),
		addrNative: "%[1]s %[2]d", addrLatin: "%[1]s %[2]d", doc: "@#######"}
	ro := &country{alpha2: "RO", alpha3: "ROU", weight: 1, places: pp(roPlaces), streets: pp(roStreets),
		addrNative: "%[1]s nr. %[2]d", addrLatin: "%[1]s nr. %[2]d", postcode: "######", doc: "########"}
	vn := &country{alpha2: "VN", alpha3: "VNM", weight: 1, places: pp(vnPlaces), streets: pp(vnStreets),
		addrNative: "%[2]d %[1]s", addrLatin: "%[2]d %[1]s", postcode: "######", doc: "@#######"}
	es := &country{alpha2: "ES", alpha3: "ESP", weight: 1, places: pp(esPlaces), streets: pp(esStreets),
		addrNative: "%[1]s %[2]d", addrLatin: "%[1]s %[2]d", postcode: "#####", doc: "DNI"}
	de := &country{alpha2: "DE", alpha3: "DEU", weight: 1, places: pp(dePlaces), streets: pp(deStreets),
		addrNative: "%[1]s %[2]d", addrLatin: "%[1]s %[2]d", postcode: "#####", doc: "C%%%%%%%%"}
	fr := &country{alpha2: "FR", alpha3: "FRA", weight: 1, places: pp(frPlaces), streets: pp(frStreets),
		addrNative: "%[2]d %[1]s", addrLatin: "%[2]d %[1]s", postcode: "#####", doc: "##@@#####"}
	nl := &country{alpha2: "NL", alpha3: "NLD", weight: 1, places: pp(nlPlaces), streets: pp(nlStreets),
		addrNative: "%[1]s %[2]d", addrLatin: "%[1]s %[2]d", postcode: "#### @@", doc: "@@&&&&&&#"}

	soMalePool := pp(soMale)
	erMalePool := pp(erMale)
	return []*origin{
		{name: "Ukrainian", weight: 180, kind: kindUK, script: true, male: pp(ukMale), female: pp(ukFemale),
			family: parsePool(ukFamily, ukFem), patronymic: true, countries: []*country{ua}},
		{name: "Russian", weight: 80, kind: kindRU, script: true, male: pp(ruMale), female: pp(ruFemale),
			family: parsePool(ruFamily, ruFem), patronymic: true, countries: []*country{ru}},
		{name: "Greek", weight: 50, kind: kindGreek, script: true, male: pp(grMale), female: pp(grFemale),
			family: pp(grFamily), countries: []*country{gr}},
		{name: "Arab", weight: 170, kind: kindHand, script: true, male: pp(arMale), female: pp(arFemale),
			family: pp(arFamily), countries: []*country{sy, iq}},
		{name: "Romanian", weight: 100, kind: kindLatin, male: pp(roMale), female: pp(roFemale),
			family: pp(roFamily), second: 400, countries: []*country{ro}},
		{name: "Vietnamese", weight: 70, kind: kindLatin, male: pp(vnMale), female: pp(vnFemale),
			midM: pp(vnMiddleMale), midF: pp(vnMiddleFemale), family: pp(vnFamily), familyFirst: true,
			countries: []*country{vn}},
		{name: "Spanish", weight: 60, kind: kindLatin, male: pp(esMale), female: pp(esFemale),
			family: pp(esFamily), twoSurnames: true, second: 150, countries: []*country{es}},
		{name: "Somali", weight: 70, kind: kindHand, male: soMalePool, female: pp(soFemale),
			countries: []*country{so}},
		{name: "Eritrean", weight: 70, kind: kindHand, male: erMalePool, female: pp(erFemale),
			countries: []*country{er}},
		{name: "German", weight: 50, kind: kindGerman, male: pp(deMale), female: pp(deFemale),
			family: pp(deFamily), second: 350, countries: []*country{de}},
		{name: "French", weight: 50, kind: kindLatin, male: pp(frMale), female: pp(frFemale),
			family: pp(frFamily), second: 300, countries: []*country{fr}},
		{name: "Dutch", weight: 50, kind: kindLatin, male: pp(nlMale), female: pp(nlFemale),
			family: pp(nlFamily), second: 300, countries: []*country{nl}},
	}
}

func pickOrigin(r *rand.Rand) *origin {
	total := 0
	for _, o := range origins {
		total += o.weight
	}
	x := r.IntN(total)
	for _, o := range origins {
		if x < o.weight {
			return o
		}
		x -= o.weight
	}
	return origins[0]
}

// fill expands a pattern: # is a digit, @ an upper-case letter, & a digit
// or letter, % a character of the German passport alphabet; anything else
// is kept.
func fill(r *rand.Rand, pat string) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	const alnum = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
	const german = "CFGHJKLMNPRTVWXYZ0123456789"
	if pat == "DNI" {
		n := r.IntN(100000000)
		return padInt(n, 8) + string("TRWAGMYFPDXBNJZSQVHLCKE"[n%23])
	}
	var b strings.Builder
	for _, c := range pat {
		switch c {
		case '#':
			b.WriteByte(byte('0' + r.IntN(10)))
		case '@':
			b.WriteByte(letters[r.IntN(len(letters))])
		case '&':
			b.WriteByte(alnum[r.IntN(len(alnum))])
		case '%':
			b.WriteByte(german[r.IntN(len(german))])
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func padInt(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
