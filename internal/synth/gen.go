package synth

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/reunite-psi/reunite/match"
)

// Birth years of the population: children aged 0 to 17.
const (
	minBirthYear = 2008
	maxBirthYear = 2025
)

// Fixed shares that Config does not expose; the package documentation
// lists them.
const (
	aFatherKnown  = 0.75 // A records naming the father
	aMotherKnown  = 0.85 // A records naming the mother
	bFatherKnown  = 0.35 // B records naming the father (many children arrive alone)
	bMotherKnown  = 0.45 // B records naming the mother
	sovietParents = 0.4  // Ukrainian and Russian A records writing parents as "Family Given Patronymic"
	bNatMissing   = 0.1  // B records without nationality
	bNatAlpha3    = 0.5  // B records with an alpha-3 nationality code (of those with one)
	aAddress      = 0.5  // A records with a (former, home-country) address
	bAddress      = 0.6  // B records with a (current, destination-country) address
	twinOtherSex  = 0.4  // twins of different sex
	twinInitial   = 0.3  // twins given names with one initial (Anna and Alice), as parents of twins often choose
	sibTriple     = 0.3  // sibling groups of three rather than two
	namesakeYear  = 0.3  // injected namesakes born in the same year
	motherOwnName = 0.2  // mothers who kept their own family name, where custom allows both
)

type parent struct {
	sex    match.Sex
	given  []*entry
	family []*entry
	pat    string // native patronymic, for Ukrainian and Russian parents
}

type person struct {
	o              *origin
	c              *country
	sex            match.Sex
	given          []*entry // Vietnamese: middle name, then given name
	family         []*entry
	father, mother *parent
	birth          match.Date
	place          *entry
	doc            string
	street, city   *entry
	num, flat      int
	postcode       string

	inA, inB bool
	group    int // twin or sibling group, 0 for none
	kind     string
	aRec     int // index in gen.a, or -1
	bRec     int // index in gen.b, or -1
}

// primary is the index of the given name people are called by.
func (p *person) primary() int {
	if p.o.familyFirst {
		return len(p.given) - 1
	}
	return 0
}

type gen struct {
	cfg      Config
	r        *rand.Rand
	a, b     []match.Record
	kinds    map[*person][]Variation
	eligible map[Variation]int
	drawn    map[Variation]int
}

// Generate builds a dataset as cfg describes. It panics if cfg has a
// negative count or a rate outside [0, 1]: test data with impossible
// settings is a bug in the caller.
func Generate(cfg Config) Dataset {
	if err := cfg.validate(); err != nil {
		panic(err)
	}
	g := &gen{
		cfg:      cfg,
		r:        rand.New(rand.NewPCG(cfg.Seed, 0x7265756e69746531)), // "reunite1"
		kinds:    make(map[*person][]Variation),
		eligible: make(map[Variation]int),
		drawn:    make(map[Variation]int),
	}
	people := g.population()
	for _, p := range people {
		p.aRec, p.bRec = -1, -1
		a, b := g.render(p)
		if p.inA {
			p.aRec = len(g.a)
			g.a = append(g.a, a)
		}
		if p.inB {
			p.bRec = len(g.b)
			g.b = append(g.b, b)
		}
	}
	return g.assemble(people)
}

// population makes the children: confounder groups first, then single
// true children, then the distractors of each file.
func (g *gen) population() []*person {
	cfg := g.cfg
	var people []*person
	budget := cfg.Children
	group := 0
	// No two children share names and birth date: with pools of some
	// thirty names that would happen far more often than in real data,
	// and such pairs cannot be told apart by anything but their parents.
	taken := make(map[string]bool)
	identity := func(p *person) string { return nameKey(p) + "|" + p.birth.String() }
	add := func(p *person, kind string, grp int, inA, inB bool, mates ...*person) {
		for taken[identity(p)] {
			if kind == "" {
				p.birth = g.randomDate(minBirthYear, maxBirthYear)
				continue
			}
			p.given = g.givenNames(p.o, p.sex)
			for slices.ContainsFunc(mates, func(m *person) bool { return sameGiven(m, p) }) {
				p.given = g.givenNames(p.o, p.sex)
			}
		}
		taken[identity(p)] = true
		p.kind, p.group, p.inA, p.inB = kind, grp, inA, inB
		people = append(people, p)
	}

	for range count(cfg.Children, cfg.Twins) / 2 {
		if budget < 2 {
			break
		}
		group++
		first := g.newPerson(pickOrigin(g.r), g.randomSex())
		sex := first.sex
		if g.r.Float64() < twinOtherSex {
			sex = otherSex(sex)
		}
		second := g.sibling(first, sex, first.birth)
		if g.r.Float64() < twinInitial {
			for try := 0; try < 100 && firstLetter(second) != firstLetter(first); try++ {
				if s := g.sibling(first, sex, first.birth); !sameGiven(s, first) {
					second = s
				}
			}
		}
		add(first, KindTwin, group, true, true)
		add(second, KindTwin, group, true, true, first)
		budget -= 2
	}

	for left := count(cfg.Children, cfg.Siblings); left >= 2 && budget >= 2; {
		size := 2
		if left >= 3 && budget >= 3 && g.r.Float64() < sibTriple {
			size = 3
		}
		group++
		first := g.newPerson(pickOrigin(g.r), g.randomSex())
		add(first, KindSibling, group, true, true)
		members := []*person{first}
		for len(members) < size {
			s := g.sibling(first, g.randomSex(), match.Date{})
			s.birth = g.siblingDate(members)
			// Same-name siblings do not occur; a clash needs another name.
			for slices.ContainsFunc(members, func(m *person) bool { return sameGiven(m, s) }) {
				s.given = g.givenNames(s.o, s.sex)
			}
			add(s, KindSibling, group, true, true, members...)
			members = append(members, s)
		}
		left -= size
		budget -= size
	}

	for range count(cfg.Children, cfg.Namesakes) / 2 {
		if budget < 2 {
			break
		}
		first := g.newPerson(pickOrigin(g.r), g.randomSex())
		add(first, "", 0, true, true)
		add(g.namesake(first), "", 0, true, true)
		budget -= 2
	}

	for range budget {
		add(g.newPerson(pickOrigin(g.r), g.randomSex()), "", 0, true, true)
	}
	for range cfg.OnlyA {
		add(g.newPerson(pickOrigin(g.r), g.randomSex()), "", 0, true, false)
	}
	for range cfg.OnlyB {
		add(g.newPerson(pickOrigin(g.r), g.randomSex()), "", 0, false, true)
	}
	return people
}

// sameGiven reports whether two siblings would share a given name: all of
// them, or the one each is called by (the first; the last for Vietnamese
// children). Parents rarely give two of their children the name they call
// them by, and a record that keeps only that name could not tell them
// apart.
func sameGiven(a, b *person) bool {
	return namesKey(a.given, a.sex) == namesKey(b.given, b.sex) ||
		a.given[a.primary()].nat(a.sex) == b.given[b.primary()].nat(b.sex)
}

// firstLetter is the first letter of the name a child is called by, in
// its native form.
func firstLetter(p *person) rune {
	for _, r := range strings.ToLower(p.given[p.primary()].nat(p.sex)) {
		return r
	}
	return 0
}

// nameKey identifies a child's full name: same origin, same given names and
// same family names (in their native, male form).
func nameKey(p *person) string {
	return p.o.name + "|" + namesKey(p.given, p.sex) + "|" + namesKey(p.family, match.SexMale)
}

func namesKey(es []*entry, s match.Sex) string {
	var parts []string
	for _, e := range es {
		parts = append(parts, e.nat(s))
	}
	return strings.Join(parts, " ")
}

func otherSex(s match.Sex) match.Sex {
	if s == match.SexFemale {
		return match.SexMale
	}
	return match.SexFemale
}

func (g *gen) randomSex() match.Sex {
	if g.r.IntN(2) == 0 {
		return match.SexFemale
	}
	return match.SexMale
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (g *gen) randomDate(lo, hi int) match.Date {
	y := lo + g.r.IntN(hi-lo+1)
	m := 1 + g.r.IntN(12)
	return match.Date{Year: y, Month: m, Day: 1 + g.r.IntN(daysIn(y, m))}
}

func toTime(d match.Date) time.Time {
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
}

func fromTime(t time.Time) match.Date {
	return match.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

// siblingDate picks a birth date one to six years from every member's,
// inside the population's years.
func (g *gen) siblingDate(members []*person) match.Date {
	base := toTime(members[0].birth)
	lo := time.Date(minBirthYear, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := time.Date(maxBirthYear, 12, 31, 0, 0, 0, 0, time.UTC)
	const minGap, maxGap = 365, 6*365 + 1
	for range 256 {
		days := minGap + g.r.IntN(maxGap-minGap+1)
		if g.r.IntN(2) == 0 {
			days = -days
		}
		t := base.AddDate(0, 0, days)
		if t.Before(lo) || t.After(hi) {
			continue
		}
		ok := true
		for _, m := range members {
			gap := int(t.Sub(toTime(m.birth)).Hours() / 24)
			ok = ok && (gap >= minGap && gap <= maxGap || gap <= -minGap && gap >= -maxGap)
		}
		if ok {
			return fromTime(t)
		}
	}
	// Unreachable in practice; keep the contract of "1-6 years" anyway.
	if base.Year() > minBirthYear+6 {
		return fromTime(base.AddDate(-1, 0, 0))
	}
	return fromTime(base.AddDate(1, 0, 0))
}

// givenNames draws a child's given names.
func (g *gen) givenNames(o *origin, sex match.Sex) []*entry {
	first := o.given(sex).pick(g.r)
	if o.familyFirst {
		return []*entry{o.middle(sex).pick(g.r), first}
	}
	if o.second > 0 && g.r.IntN(1000) < o.second {
		return []*entry{first, o.given(sex).pickOther(g.r, first)}
	}
	return []*entry{first}
}

func (g *gen) familyNames(o *origin) []*entry {
	switch {
	case o.family == nil:
		return []*entry{o.male.pick(g.r), o.male.pick(g.r)}
	case o.twoSurnames:
		return []*entry{o.family.pick(g.r), o.family.pick(g.r)}
	}
	return []*entry{o.family.pick(g.r)}
}

func (g *gen) newPerson(o *origin, sex match.Sex) *person {
	c := o.pickCountry(g.r)
	p := &person{o: o, c: c, sex: sex}
	p.given = g.givenNames(o, sex)
	p.family = g.familyNames(o)
	p.birth = g.randomDate(minBirthYear, maxBirthYear)
	p.place = c.places.pick(g.r)
	p.father, p.mother = g.parents(p)
	g.documentAndHome(p)
	return p
}

func (g *gen) documentAndHome(p *person) {
	p.doc = ""
	if g.r.Float64() < g.cfg.Document {
		p.doc = fill(g.r, p.c.doc)
	}
	p.street = p.c.streets.pick(g.r)
	p.num, p.flat = 1+g.r.IntN(120), 1+g.r.IntN(80)
	p.city = p.place
	if g.r.IntN(10) >= 6 {
		p.city = p.c.places.pick(g.r)
	}
	p.postcode = fill(g.r, p.c.postcode)
}

// parents makes a child's parents consistent with its family name: the
// father carries it (or, for Somali and Eritrean children, is the first
// part of it), the mother carries it or her own as her culture does.
func (g *gen) parents(p *person) (*parent, *parent) {
	o := p.o
	f := &parent{sex: match.SexMale}
	m := &parent{sex: match.SexFemale}
	switch {
	case o.family == nil: // Somali, Eritrean: name, father's name, grandfather's name
		f.given = []*entry{p.family[0]}
		f.family = []*entry{p.family[1], o.male.pick(g.r)}
		m.given = []*entry{o.female.pick(g.r)}
		m.family = []*entry{o.male.pick(g.r), o.male.pick(g.r)}
	case o.twoSurnames: // Spanish
		f.given = []*entry{o.male.pick(g.r)}
		f.family = []*entry{p.family[0], o.family.pick(g.r)}
		m.given = []*entry{o.female.pick(g.r)}
		m.family = []*entry{p.family[1], o.family.pick(g.r)}
	case o.familyFirst: // Vietnamese: women keep their family name
		f.given = []*entry{o.midM.pick(g.r), o.male.pick(g.r)}
		f.family = p.family
		m.given = []*entry{o.midF.pick(g.r), o.female.pick(g.r)}
		m.family = []*entry{o.family.pickOther(g.r, p.family[0])}
	default:
		f.given = []*entry{o.male.pick(g.r)}
		f.family = p.family
		m.given = []*entry{o.female.pick(g.r)}
		own := o.name == "Arab" || (o.name == "Greek" && g.r.IntN(2) == 0) || g.r.Float64() < motherOwnName
		if own {
			m.family = []*entry{o.family.pickOther(g.r, p.family[0])}
		} else {
			m.family = p.family
		}
	}
	if o.patronymic {
		f.pat = patronymic(o, o.male.pick(g.r).native, false)
		m.pat = patronymic(o, o.male.pick(g.r).native, true)
	}
	return f, m
}

func patronymic(o *origin, father string, female bool) string {
	if o.kind == kindUK {
		return ukPatronymic(father, female)
	}
	return ruPatronymic(father, female)
}

// sibling makes a brother or sister of p (a twin when birth is p's).
func (g *gen) sibling(p *person, sex match.Sex, birth match.Date) *person {
	s := *p
	s.sex = sex
	s.birth = birth
	s.given = g.givenNames(p.o, sex)
	for sameGiven(&s, p) {
		s.given = g.givenNames(p.o, sex)
	}
	s.doc = ""
	if g.r.Float64() < g.cfg.Document {
		s.doc = fill(g.r, p.c.doc)
	}
	return &s
}

// namesake makes another child with p's names, other parents and another
// birth date.
func (g *gen) namesake(p *person) *person {
	s := g.newPerson(p.o, p.sex)
	s.c = p.c
	s.given, s.family = p.given, p.family
	s.place = p.c.places.pick(g.r)
	s.father, s.mother = g.parents(s)
	g.documentAndHome(s)
	sameYear := g.r.Float64() < namesakeYear
	for s.birth == p.birth || sameYear != (s.birth.Year == p.birth.Year) {
		if sameYear {
			s.birth = g.randomDate(p.birth.Year, p.birth.Year)
		} else {
			s.birth = g.randomDate(minBirthYear, maxBirthYear)
		}
	}
	return s
}

// style is how one record writes names.
type style struct {
	native bool // as the origin writes them (script, orthography, diacritics)
	sc     int  // romanization scheme of computed romanizations
	alt    bool // hand-spelled names: a spelling other than the documents'
	fold   bool // without diacritics
}

// word writes one name in style st.
func (g *gen) word(o *origin, e *entry, sex match.Sex, st style) string {
	n := e.nat(sex)
	if st.native {
		return n
	}
	var s string
	if e.spell != nil {
		s = e.spell[0]
		if st.alt && len(e.spell) > 1 {
			s = e.spell[1+g.r.IntN(len(e.spell)-1)]
		}
		if strings.HasPrefix(e.native, "ال") {
			s = g.article(s, st.alt)
		}
	} else {
		s = o.romanize(n, st.sc)
	}
	if st.fold {
		s = foldLatin(s)
	}
	return s
}

// article adds the Arabic article to a romanized family name: Al-Hassan in
// documents; otherwise Al Hassan, Alhassan, El-Hassan, El Hassan, Hassan,
// or the assimilated form before sun letters (Ash-Shami, An-Najjar).
func (g *gen) article(base string, alt bool) string {
	if !alt {
		return "Al-" + base
	}
	forms := []string{"Al ", "Al", "El-", "El ", ""}
	low := strings.ToLower(base)
	for _, sun := range []string{"sh", "th", "dh", "ts", "t", "d", "r", "z", "s", "n"} {
		if strings.HasPrefix(low, sun) {
			forms = append(forms, "A"+sun+"-")
			break
		}
	}
	f := forms[g.r.IntN(len(forms))]
	if f == "Al" {
		return f + low
	}
	return f + base
}

func (g *gen) words(o *origin, es []*entry, sex match.Sex, st style) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = g.word(o, e, sex, st)
	}
	return out
}

// fullName writes a full name: "Given Family", or family first where the
// origin does or flip says so, with the patronymic after the given names.
func (g *gen) fullName(o *origin, given, family []*entry, sex match.Sex, pat string, st style, familyFirst bool) string {
	gw := g.words(o, given, sex, st)
	if pat != "" {
		if st.native {
			gw = append(gw, pat)
		} else {
			gw = append(gw, o.romanize(pat, st.sc))
		}
	}
	fw := g.words(o, family, sex, st)
	if familyFirst {
		return strings.Join(append(fw, gw...), " ")
	}
	return strings.Join(append(gw, fw...), " ")
}

// translitOptions lists the schemes other than the documents' one that
// write p's name differently, and whether any of its names has other
// hand-written spellings.
func (g *gen) translitOptions(p *person) (alts []int, hand bool) {
	o := p.o
	all := append(slices.Clone(p.given), p.family...)
	render := func(sc int) string {
		var parts []string
		for _, e := range all {
			if e.spell == nil {
				parts = append(parts, o.romanize(e.nat(p.sex), sc))
			}
		}
		return strings.Join(parts, " ")
	}
	official := render(0)
	for sc := 1; sc < o.schemes(); sc++ {
		if render(sc) != official {
			alts = append(alts, sc)
		}
	}
	for _, e := range all {
		if len(e.spell) > 1 || (e.spell != nil && strings.HasPrefix(e.native, "ال")) {
			hand = true
		}
	}
	return alts, hand
}

// pickScheme draws one of alts by the origin's scheme weights.
func (g *gen) pickScheme(o *origin, alts []int) int {
	total := 0
	for _, sc := range alts {
		total += o.schemeWeight(sc)
	}
	x := g.r.IntN(total)
	for _, sc := range alts {
		if x < o.schemeWeight(sc) {
			return sc
		}
		x -= o.schemeWeight(sc)
	}
	return alts[0]
}

// render writes p's records: A's if p.inA, B's if p.inB. Every draw is made
// whatever the files, so that a child's records do not depend on which
// file the child is in; variations are listed only for true pairs.
func (g *gen) render(p *person) (a, b match.Record) {
	cfg := g.cfg
	o := p.o
	pair := p.inA && p.inB
	var kinds []Variation
	draw := func(v Variation, eligible bool, rate float64) bool {
		if !eligible {
			return false
		}
		hit := g.r.Float64() < rate
		if pair {
			g.eligible[v]++
			if hit {
				g.drawn[v]++
				kinds = append(kinds, v)
			}
		}
		return hit
	}
	chance := func(rate float64) bool { return g.r.Float64() < rate }

	// How A writes.
	aSt := style{native: o.kind == kindLatin || o.kind == kindGerman || (o.kind == kindHand && !o.script)}
	if o.script {
		aSt.native = draw(Script, true, cfg.NativeScript)
	}
	if o.name == "Somali" {
		orth := false
		for _, e := range append(slices.Clone(p.given), p.family...) {
			orth = orth || e.native != e.spell[0]
		}
		aSt.native = draw(Orthography, orth, cfg.SomaliOrthography)
	}
	aPat := draw(Patronymic, o.patronymic, cfg.Patronymic)
	hasComma := strings.ContainsAny(namesKey(p.given, p.sex)+namesKey(p.family, p.sex), "șțȘȚ")
	aCed := draw(Cedilla, o.name == "Romanian" && hasComma, cfg.Cedilla)

	// How B writes.
	fi := draw(FalseIdentity, true, cfg.FalseIdentity)
	var bSt style
	alts, hand := g.translitOptions(p)
	if draw(Translit, len(alts) > 0 || hand, cfg.Translit) {
		if len(alts) > 0 {
			bSt.sc = g.pickScheme(o, alts)
		}
		bSt.alt = hand
	}
	latinKind := o.kind == kindLatin || o.kind == kindGerman
	if latinKind {
		bare := !isASCII(g.fullName(o, p.given, p.family, p.sex, "", style{sc: bSt.sc}, false))
		bSt.fold = draw(Diacritics, bare, cfg.StripDiacritics)
	}
	prim := p.primary()
	nameForm := draw(NameForm, !fi && len(p.given[prim].forms) > 0, cfg.NameForm)
	dropMiddle := draw(DropMiddle, !fi && len(p.given) >= 2, cfg.DropMiddle)
	dropSurname := draw(DropSurname, !fi && len(p.family) >= 2, cfg.DropSurname)
	typo := draw(Typo, !fi, cfg.Typo)
	typoOnA := typo && chance(cfg.TypoOnA)
	swap := draw(SwapFields, !fi, cfg.SwapFields)
	famFirst := draw(FamilyFirst, !fi && !swap, cfg.FamilyFirst)
	upper := draw(Case, true, cfg.UpperCase)
	dateMissing := draw(DateMissing, !fi, cfg.DateMissing)
	yearOnly := draw(YearOnly, !fi && !dateMissing, cfg.YearOnly)
	yearOff := draw(YearOff, yearOnly, cfg.YearOff)
	d := p.birth
	dateSwap := draw(DateSwap, !fi && !dateMissing && !yearOnly && d.Day <= 12 && d.Day != d.Month, cfg.DateSwap)
	sexMissing := draw(SexMissing, true, cfg.SexMissing)
	placeMissing := draw(PlaceMissing, !fi, cfg.PlaceMissing)
	placeVariant := draw(PlaceVariant, !fi && !placeMissing && len(p.place.spell) > 1, cfg.PlaceVariant)
	nick := draw(NicknameAlias, len(p.given[prim].short) > 0, cfg.NicknameAlias)
	aDoc := p.doc != "" && chance(cfg.DocumentKnown)
	bDoc := p.doc != "" && chance(cfg.DocumentKnown)
	docFormat := draw(DocFormat, !fi && pair && aDoc && bDoc, cfg.DocFormat)
	docTypo := draw(DocTypo, !fi && pair && aDoc && bDoc, cfg.DocTypo)

	// A's record.
	a = match.Record{Sex: p.sex, Nationality: p.c.alpha2, BirthDate: p.birth}
	aGiven := g.words(o, p.given, p.sex, aSt)
	if aPat {
		pat := patronymic(o, p.father.given[0].native, p.sex == match.SexFemale)
		if !aSt.native {
			pat = o.romanize(pat, 0)
		}
		aGiven = append(aGiven, pat)
	}
	a.GivenNames = strings.Join(aGiven, " ")
	a.FamilyNames = strings.Join(g.words(o, p.family, p.sex, aSt), " ")
	if aCed {
		a.GivenNames, a.FamilyNames = cedilla(a.GivenNames), cedilla(a.FamilyNames)
	}
	if typoOnA {
		g.typo(&a.GivenNames, &a.FamilyNames, o, aSt.native)
	}
	a.BirthPlace = g.placeName(p.place, aSt.native)
	if chance(aFatherKnown) {
		a.ParentNames = append(a.ParentNames, g.aParent(p, p.father, aSt))
	}
	if chance(aMotherKnown) {
		a.ParentNames = append(a.ParentNames, g.aParent(p, p.mother, aSt))
	}
	if aDoc {
		a.DocumentNumber = p.doc
	}
	if chance(aAddress) {
		format := p.c.addrLatin
		if aSt.native {
			format = p.c.addrNative
		}
		a.Address = fmtAddr(format, g.placeName(p.street, aSt.native), p.num, p.flat)
		a.Locality = g.placeName(p.city, aSt.native)
		a.Postcode = p.postcode
	}

	// B's record.
	b = match.Record{Sex: p.sex, BirthDate: p.birth}
	realGiven := g.words(o, p.given, p.sex, bSt)
	realFamily := g.words(o, p.family, p.sex, bSt)
	var bGiven, bFamily []string
	if fi {
		fake := g.newPerson(o, p.sex)
		bGiven = g.words(o, fake.given, p.sex, bSt)
		bFamily = g.words(o, fake.family, p.sex, bSt)
		real := append(slices.Clone(realGiven), realFamily...)
		if o.familyFirst {
			real = append(slices.Clone(realFamily), realGiven...)
		}
		b.Aliases = append(b.Aliases, strings.Join(real, " "))
		y := p.birth.Year - 1 - g.r.IntN(4)
		b.BirthDate = g.randomDate(y, y)
		if chance(0.5) {
			b.BirthPlace = g.placeName(p.c.places.pick(g.r), false)
		}
	} else {
		bGiven = slices.Clone(realGiven)
		if nameForm {
			bGiven[prim] = p.given[prim].forms[g.r.IntN(len(p.given[prim].forms))]
			if bSt.fold {
				bGiven[prim] = foldLatin(bGiven[prim])
			}
		}
		if dropMiddle {
			bGiven = []string{bGiven[prim]}
		}
		bFamily = slices.Clone(realFamily)
		if dropSurname {
			bFamily = bFamily[:1]
		}
		switch {
		case dateMissing:
			b.BirthDate = match.Date{}
		case yearOnly:
			b.BirthDate = match.Date{Year: d.Year}
			if yearOff {
				if d.Year == maxBirthYear || g.r.IntN(2) == 0 {
					b.BirthDate.Year--
				} else {
					b.BirthDate.Year++
				}
			}
		case dateSwap:
			b.BirthDate = match.Date{Year: d.Year, Month: d.Day, Day: d.Month}
		}
		if !placeMissing {
			b.BirthPlace = p.place.spell[0]
			if placeVariant {
				b.BirthPlace = p.place.spell[1+g.r.IntN(len(p.place.spell)-1)]
			}
		}
		if chance(bFatherKnown) {
			b.ParentNames = append(b.ParentNames, g.bParent(p, p.father, bSt))
		}
		if chance(bMotherKnown) {
			b.ParentNames = append(b.ParentNames, g.bParent(p, p.mother, bSt))
		}
	}
	b.GivenNames = strings.Join(bGiven, " ")
	b.FamilyNames = strings.Join(bFamily, " ")
	if typo && !typoOnA {
		g.typo(&b.GivenNames, &b.FamilyNames, o, false)
	}
	if nick {
		e := p.given[prim]
		short := e.short[g.r.IntN(len(e.short))]
		s := o.romanize(short, bSt.sc)
		if bSt.fold {
			s = foldLatin(s)
		}
		b.Aliases = append(b.Aliases, s+" "+realFamily[0])
	}
	if upper {
		b.FamilyNames = upperName(b.FamilyNames)
	}
	switch {
	case swap:
		b.GivenNames, b.FamilyNames = b.FamilyNames, b.GivenNames
	case famFirst:
		whole := strings.TrimSpace(b.FamilyNames + " " + b.GivenNames)
		if g.r.IntN(2) == 0 {
			b.GivenNames, b.FamilyNames = "", whole
		} else {
			b.GivenNames, b.FamilyNames = whole, ""
		}
	}
	if sexMissing {
		b.Sex = match.SexUnknown
	}
	if !chance(bNatMissing) {
		b.Nationality = p.c.alpha2
		if chance(bNatAlpha3) {
			b.Nationality = p.c.alpha3
		}
	}
	if bDoc {
		b.DocumentNumber = p.doc
		switch {
		case fi:
			b.DocumentNumber = fill(g.r, p.c.doc)
		case docFormat:
			b.DocumentNumber = g.reformatDoc(p.doc)
		}
		if docTypo {
			b.DocumentNumber = g.docTypo(b.DocumentNumber)
		}
	}
	if chance(bAddress) {
		dst := destinations[g.r.IntN(len(destinations))]
		b.Address = fmtAddr(dst.format, dst.streets[g.r.IntN(len(dst.streets))], 1+g.r.IntN(200), 0)
		b.Locality = dst.locality
		b.Postcode = fill(g.r, dst.postcode)
	}
	if pair && len(kinds) > 0 {
		g.kinds[p] = kinds
	}
	return a, b
}

func fmtAddr(format, street string, num, flat int) string {
	return fmt.Sprintf(format, street, num, flat)
}

// placeName writes a place or street natively or in its usual Latin form.
func (g *gen) placeName(e *entry, native bool) string {
	if native || len(e.spell) == 0 {
		return e.native
	}
	return e.spell[0]
}

func (g *gen) aParent(p *person, pa *parent, st style) string {
	o := p.o
	if o.patronymic && g.r.Float64() < sovietParents {
		return g.fullName(o, pa.given, pa.family, pa.sex, pa.pat, st, true)
	}
	return g.fullName(o, pa.given, pa.family, pa.sex, "", st, o.familyFirst)
}

func (g *gen) bParent(p *person, pa *parent, st style) string {
	o := p.o
	return g.fullName(o, pa.given, pa.family, pa.sex, "", st, o.familyFirst && g.r.IntN(2) == 0)
}

// typo makes one edit in one token of the given or the family name.
func (g *gen) typo(given, family *string, o *origin, native bool) {
	fields := []*string{given, family}
	if g.r.IntN(2) == 1 {
		fields[0], fields[1] = family, given
	}
	for _, f := range fields {
		toks := strings.Split(*f, " ")
		var ok []int
		for i, t := range toks {
			if utf8.RuneCountInString(t) >= 3 {
				ok = append(ok, i)
			}
		}
		if len(ok) == 0 {
			continue
		}
		i := ok[g.r.IntN(len(ok))]
		toks[i] = g.edit(toks[i], alphabet(o, native))
		*f = strings.Join(toks, " ")
		return
	}
}

func alphabet(o *origin, native bool) []rune {
	if native {
		switch o.kind {
		case kindUK:
			return []rune("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя")
		case kindRU:
			return []rune("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
		case kindGreek:
			return []rune("αβγδεζηθικλμνξοπρστυφχψω")
		case kindHand:
			if o.script {
				return []rune("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
			}
		}
	}
	return []rune("abcdefghijklmnopqrstuvwxyz")
}

// edit makes one substitution, deletion, insertion (often a doubled
// letter) or transposition, never at the first letter and never of a
// capital, hyphen or apostrophe.
func (g *gen) edit(tok string, alpha []rune) string {
	rs := []rune(tok)
	small := func(i int) bool { return i < len(rs) && unicode.IsLetter(rs[i]) && !unicode.IsUpper(rs[i]) }
	for range 32 {
		out := slices.Clone(rs)
		i := 1 + g.r.IntN(len(rs)-1)
		if !small(i) {
			continue
		}
		switch g.r.IntN(4) {
		case 0:
			out[i] = alpha[g.r.IntN(len(alpha))]
		case 1:
			out = slices.Delete(out, i, i+1)
		case 2:
			c := alpha[g.r.IntN(len(alpha))]
			if g.r.IntN(2) == 0 {
				c = rs[i]
			}
			out = slices.Insert(out, i, c)
		case 3:
			if i == len(rs)-1 {
				i--
			}
			if i < 1 || !small(i) || !small(i+1) {
				continue
			}
			out[i], out[i+1] = out[i+1], out[i]
		}
		if s := string(out); s != tok {
			return s
		}
	}
	return tok + string(alpha[0])
}

// reformatDoc writes a document number with other spacing, a hyphen, or
// in lower case.
func (g *gen) reformatDoc(doc string) string {
	for range 8 {
		var s string
		switch g.r.IntN(3) {
		case 0:
			if strings.Contains(doc, " ") {
				s = strings.ReplaceAll(doc, " ", "")
			} else {
				k := 2 + g.r.IntN(len(doc)-3)
				s = doc[:k] + " " + doc[k:]
			}
		case 1:
			bare := strings.ReplaceAll(doc, " ", "")
			k := 2 + g.r.IntN(len(bare)-3)
			s = bare[:k] + "-" + bare[k:]
		case 2:
			s = strings.ToLower(doc)
		}
		if s != doc {
			return s
		}
	}
	return doc[:2] + " " + doc[2:]
}

// docTypo changes one character of a document number to another of the
// same class, or swaps two neighbours.
func (g *gen) docTypo(doc string) string {
	b := []byte(doc)
	for range 16 {
		out := slices.Clone(b)
		i := g.r.IntN(len(out))
		c := out[i]
		switch {
		case c >= '0' && c <= '9':
			out[i] = byte('0' + g.r.IntN(10))
		case c >= 'A' && c <= 'Z':
			out[i] = byte('A' + g.r.IntN(26))
		case c >= 'a' && c <= 'z':
			out[i] = byte('a' + g.r.IntN(26))
		default:
			continue
		}
		if g.r.IntN(4) == 0 && i+1 < len(out) && out[i+1] != ' ' && out[i+1] != '-' {
			out = slices.Clone(b)
			out[i], out[i+1] = out[i+1], out[i]
		}
		if string(out) != doc {
			return string(out)
		}
	}
	return doc + "0"
}

// destinations are where B, the destination country's police, records the
// child as living now.
var destinations = []struct {
	locality, postcode, format string
	streets                    []string
}{
	{"Berlin", "1####", "%[1]s %[2]d", []string{"Turmstraße", "Oranienstraße", "Sonnenallee"}},
	{"München", "8####", "%[1]s %[2]d", []string{"Landsberger Straße", "Leopoldstraße"}},
	{"Hamburg", "2####", "%[1]s %[2]d", []string{"Steindamm", "Wandsbeker Chaussee"}},
	{"Paris", "750##", "%[2]d %[1]s", []string{"rue de Belleville", "boulevard Barbès"}},
	{"Lyon", "6900#", "%[2]d %[1]s", []string{"rue Paul Bert", "cours Gambetta"}},
	{"Milano", "201##", "%[1]s %[2]d", []string{"Via Padova", "Viale Monza"}},
	{"Warszawa", "0#-###", "ul. %[1]s %[2]d", []string{"Marszałkowska", "Grochowska"}},
	{"Wien", "1##0", "%[1]s %[2]d", []string{"Mariahilfer Straße", "Favoritenstraße"}},
	{"Bruxelles", "10#0", "%[1]s %[2]d", []string{"Rue Neuve", "Chaussée de Gand"}},
	{"Amsterdam", "10## @@", "%[1]s %[2]d", []string{"Javastraat", "Bos en Lommerweg"}},
	{"London", "E# #@@", "%[2]d %[1]s", []string{"Whitechapel Road", "Green Street"}},
	{"Athina", "104 ##", "%[1]s %[2]d", []string{"Acharnon", "Patision"}},
}

// assemble shuffles the files, gives out IDs, and lists the truth, the
// confounders and the variations.
func (g *gen) assemble(people []*person) Dataset {
	// A: shuffled, then numbered in file order.
	aOrder := g.r.Perm(len(g.a))
	aID := make([]string, len(g.a))
	width := max(6, len(fmt.Sprint(len(g.a))))
	for pos, idx := range aOrder {
		aID[idx] = fmt.Sprintf("A-%0*d", width, pos+1)
	}
	// B: random distinct numbers from a range four times the file's size.
	bWidth := max(5, len(fmt.Sprint(4*len(g.b))))
	space := 1
	for range bWidth {
		space *= 10
	}
	bID := make([]string, len(g.b))
	used := make(map[int]bool, len(g.b))
	for i := range g.b {
		n := g.r.IntN(space)
		for used[n] {
			n = g.r.IntN(space)
		}
		used[n] = true
		bID[i] = fmt.Sprintf("B-%0*d", bWidth, n)
	}

	ds := Dataset{Variations: make(map[Pair][]Variation), eligible: g.eligible, drawn: g.drawn}
	for i := range g.a {
		g.a[i].ID = aID[i]
	}
	for i := range g.b {
		g.b[i].ID = bID[i]
	}
	ds.A = slices.Clone(g.a)
	ds.B = slices.Clone(g.b)
	sort.Slice(ds.A, func(i, j int) bool { return ds.A[i].ID < ds.A[j].ID })
	sort.Slice(ds.B, func(i, j int) bool { return ds.B[i].ID < ds.B[j].ID })

	order := AllVariations()
	rank := make(map[Variation]int, len(order))
	for i, v := range order {
		rank[v] = i
	}
	for _, p := range people {
		if !p.inA || !p.inB {
			continue
		}
		pr := Pair{AID: aID[p.aRec], BID: bID[p.bRec]}
		ds.Truth = append(ds.Truth, pr)
		if ks := g.kinds[p]; len(ks) > 0 {
			ks = slices.Clone(ks)
			sort.SliceStable(ks, func(i, j int) bool { return rank[ks[i]] < rank[ks[j]] })
			ds.Variations[pr] = ks
		}
	}
	sort.Slice(ds.Truth, func(i, j int) bool { return ds.Truth[i].AID < ds.Truth[j].AID })

	// Confounders: members of one twin or sibling group, and children with
	// the same names (in native form) who are not in one group.
	byName := make(map[string][]*person)
	key := nameKey
	for _, p := range people {
		byName[key(p)] = append(byName[key(p)], p)
	}
	byGroup := make(map[int][]*person)
	for _, p := range people {
		if p.group != 0 {
			byGroup[p.group] = append(byGroup[p.group], p)
		}
	}
	for _, p := range people {
		if !p.inA {
			continue
		}
		seen := make(map[*person]bool)
		for _, q := range byGroup[p.group] {
			if p.group != 0 && q != p && q.inB {
				seen[q] = true
				ds.Confounders = append(ds.Confounders, Confounder{AID: aID[p.aRec], BID: bID[q.bRec], Kind: p.kind})
			}
		}
		for _, q := range byName[key(p)] {
			if q != p && q.inB && !seen[q] {
				ds.Confounders = append(ds.Confounders, Confounder{AID: aID[p.aRec], BID: bID[q.bRec], Kind: KindNamesake})
			}
		}
	}
	sortConfounders(ds.Confounders)
	return ds
}

// sortConfounders puts confounders in A ID, then B ID order.
func sortConfounders(cs []Confounder) {
	sort.Slice(cs, func(i, j int) bool {
		x, y := cs[i], cs[j]
		if x.AID != y.AID {
			return x.AID < y.AID
		}
		return x.BID < y.BID
	})
}
