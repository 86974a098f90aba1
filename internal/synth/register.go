package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/reunite-psi/reunite/match"
)

// RegisterConfig configures GenerateRegister.
type RegisterConfig struct {
	// Seed determines the output, as Config.Seed does.
	Seed uint64
	// People is the number of people with a record in both files.
	People int
	// OnlyA and OnlyB are the numbers of people with a record in one file
	// only.
	OnlyA, OnlyB int
	// Uneven adds a second layer of errors to every copy, in the manner
	// of the generator behind Splink's historical-figures data (copies of
	// uneven quality, see the package documentation): each copy draws a
	// severity, and a severe copy more likely has a digit of its birth
	// date mistyped, its sex wrong, its postcode from another district,
	// a middle name in place of the given or family name, and fields left
	// out.
	Uneven bool
}

// DefaultRegisterConfig returns a RegisterConfig with n people in both
// files and n/2 more in each file alone.
func DefaultRegisterConfig(seed uint64, n int) RegisterConfig {
	return RegisterConfig{Seed: seed, People: n, OnlyA: n / 2, OnlyB: n / 2}
}

// GenerateRegister makes two files with a noise model unlike Generate's,
// so that a linker tuned on one is checked on the other: adults in a
// civil or church register, English names drawn with skewed frequencies
// (a few very common, a long tail of rare family names), and the errors
// clerks make when they copy such registers:
//
//   - given names replaced by a short form or nickname, by an honorific or
//     title (Sir, Rev, Dr), cut to an initial, or left out;
//   - family names misspelled or left out;
//   - birth dates left out, known only to the year (written as the year
//     alone, or as 1 January of it by software that needs a full date),
//     one day off, the day wrong altogether, day and month swapped, or
//     the year off by one;
//   - sex left out; birth place left out, misspelled, or replaced by a
//     neighbouring place; postcode left out or replaced by another postcode
//     of the same district.
//
// Confounders are people who share both names with another person (the
// common names make many) and sons named after their fathers, born 20 to
// 40 years apart in the same place. The rates are fixed: they are the
// generator's model, documented here, not parameters to tune a linker on.
func GenerateRegister(cfg RegisterConfig) Dataset {
	g := &register{r: rand.New(rand.NewPCG(cfg.Seed, 0x7265676973746572))} // "register"
	type person struct {
		given, middle, family, place, postcode string
		sex                                    match.Sex
		birth                                  match.Date
		inA, inB                               bool
		aRec, bRec                             int
		father                                 int // index of the father this one is named after, or -1
	}
	total := cfg.People + cfg.OnlyA + cfg.OnlyB
	people := make([]person, 0, total)
	for i := range total {
		p := person{father: -1}
		if len(people) > 0 && g.r.Float64() < 0.05 {
			// A son named after his father, born in the same place.
			f := people[g.r.IntN(len(people))]
			if f.sex == match.SexMale {
				p = f
				p.father = len(people) - 1
				gap := 20 + g.r.IntN(21)
				if f.birth.Year+gap > 2099 {
					gap = -gap
				}
				p.birth = g.date(f.birth.Year+gap, f.birth.Year+gap)
			}
		}
		if p.father < 0 {
			p.sex = match.SexFemale
			if g.r.IntN(2) == 0 {
				p.sex = match.SexMale
			}
			p.given = g.zipf(registerGiven(p.sex), 1.0)
			p.family = g.family()
			p.birth = g.date(1900, 2080)
			p.place = g.place()
			p.postcode = g.postcode(p.place)
			if cfg.Uneven && g.chance(0.5) {
				p.middle = g.zipf(registerGiven(p.sex), 1.0)
			}
		}
		p.inA, p.inB = false, false
		switch {
		case i < cfg.People:
			p.inA, p.inB = true, true
		case i < cfg.People+cfg.OnlyA:
			p.inA = true
		default:
			p.inB = true
		}
		people = append(people, p)
	}
	var a, b []match.Record
	for i := range people {
		p := &people[i]
		p.aRec, p.bRec = -1, -1
		if p.inA {
			p.aRec = len(a)
			a = append(a, g.entry(cfg.Uneven, p.given, p.middle, p.family, p.sex, p.birth, p.place, p.postcode))
		}
		if p.inB {
			p.bRec = len(b)
			b = append(b, g.entry(cfg.Uneven, p.given, p.middle, p.family, p.sex, p.birth, p.place, p.postcode))
		}
	}
	aOrder, bOrder := g.r.Perm(len(a)), g.r.Perm(len(b))
	for pos, idx := range aOrder {
		a[idx].ID = fmt.Sprintf("RA-%06d", pos+1)
	}
	for pos, idx := range bOrder {
		b[idx].ID = fmt.Sprintf("RB-%06d", pos+1)
	}
	ds := Dataset{Variations: map[Pair][]Variation{}}
	byName := map[string][]int{}
	for i, p := range people {
		byName[p.given+" "+p.family] = append(byName[p.given+" "+p.family], i)
		if p.inA && p.inB {
			ds.Truth = append(ds.Truth, Pair{AID: a[p.aRec].ID, BID: b[p.bRec].ID})
		}
	}
	for _, p := range people {
		if !p.inA {
			continue
		}
		for _, j := range byName[p.given+" "+p.family] {
			if q := people[j]; q.inB && q.bRec != p.bRec {
				ds.Confounders = append(ds.Confounders, Confounder{AID: a[p.aRec].ID, BID: b[q.bRec].ID, Kind: KindNamesake})
			}
		}
	}
	ds.A, ds.B = slices.Clone(a), slices.Clone(b)
	sort.Slice(ds.A, func(i, j int) bool { return ds.A[i].ID < ds.A[j].ID })
	sort.Slice(ds.B, func(i, j int) bool { return ds.B[i].ID < ds.B[j].ID })
	sort.Slice(ds.Truth, func(i, j int) bool { return ds.Truth[i].AID < ds.Truth[j].AID })
	sortConfounders(ds.Confounders)
	return ds
}

type register struct{ r *rand.Rand }

func (g *register) chance(p float64) bool { return g.r.Float64() < p }

// zipf picks from list with weight 1/(rank+1)^s, so the first names are
// very common and the last rare.
func (g *register) zipf(list []string, s float64) string {
	var total float64
	for i := range list {
		total += 1 / math.Pow(float64(i+1), s)
	}
	x := g.r.Float64() * total
	for i, v := range list {
		x -= 1 / math.Pow(float64(i+1), s)
		if x <= 0 {
			return v
		}
	}
	return list[len(list)-1]
}

// family draws a common family name a third of the time and otherwise
// builds a rare one from two parts, as registers of notable people show.
func (g *register) family() string {
	if g.chance(0.35) {
		return g.zipf(registerFamily, 0.9)
	}
	return registerStems[g.r.IntN(len(registerStems))] + registerEndings[g.r.IntN(len(registerEndings))]
}

func (g *register) place() string {
	if g.chance(0.3) {
		return registerPlaces[0]
	}
	return g.zipf(registerPlaces, 0.8)
}

func (g *register) postcode(place string) string {
	area := strings.ToUpper(place[:min(2, len(place))])
	return fmt.Sprintf("%s%d %d%c%c", area, 1+g.r.IntN(20), g.r.IntN(10), 'A'+rune(g.r.IntN(26)), 'A'+rune(g.r.IntN(26)))
}

func (g *register) date(lo, hi int) match.Date {
	if hi < lo {
		lo, hi = hi, lo
	}
	y := lo + g.r.IntN(hi-lo+1)
	m := 1 + g.r.IntN(12)
	return match.Date{Year: y, Month: m, Day: 1 + g.r.IntN(daysIn(y, m))}
}

// entry writes one register entry for a person: copyOut's, then, if
// uneven, the errors of a copy of uneven quality.
func (g *register) entry(uneven bool, given, middle, family string, sex match.Sex, birth match.Date, place, postcode string) match.Record {
	if !uneven {
		return g.copyOut(given, family, sex, birth, place, postcode)
	}
	severity := g.r.Float64()
	// A name token left out of a full name moves the middle name into the
	// given or the family name's place.
	switch x := g.r.Float64(); {
	case middle == "":
	case x < 0.2*severity:
		given = middle
	case x < 0.3*severity:
		family = middle
	}
	rec := g.copyOut(given, family, sex, birth, place, postcode)
	if rec.BirthDate.Precision() == match.PrecisionDay && g.chance(0.1+0.5*severity) {
		rec.BirthDate = g.mistypeDate(rec.BirthDate)
	}
	if rec.Sex != match.SexUnknown && g.chance(0.01+0.09*severity) {
		rec.Sex = otherSex(rec.Sex)
	}
	if rec.Postcode != "" && g.chance(0.4*severity) {
		rec.Postcode = g.postcode(g.place())
	}
	if g.chance(0.3 * severity) {
		rec.BirthDate = match.Date{}
	}
	if g.chance(0.3 * severity) {
		rec.Postcode = ""
	}
	if g.chance(0.3 * severity) {
		rec.Sex = match.SexUnknown
	}
	if g.chance(0.2 * severity) {
		rec.BirthPlace = ""
	}
	return rec
}

// keypad lists, for each digit, digits near it on a numeric keypad that a
// slip of the finger gives: mostly the keys beside, above and below it
// (the table is the generator's model as written, not a keypad's exact
// geometry).
var keypad = [10]string{"12", "0245", "1356", "26", "1578", "2468", "359", "48", "5790", "68"}

// mistypeDate replaces one digit of the date, written YYYY-MM-DD, by one
// of its keypad neighbours, leaving the century alone; a date that
// becomes invalid is left out, as a register's software would refuse it.
func (g *register) mistypeDate(d match.Date) match.Date {
	digits := []byte(fmt.Sprintf("%04d%02d%02d", d.Year, d.Month, d.Day))
	i := 2 + g.r.IntN(6)
	next := keypad[digits[i]-'0']
	digits[i] = next[g.r.IntN(len(next))]
	y, m, day := atoi(digits[:4]), atoi(digits[4:6]), atoi(digits[6:])
	if m < 1 || m > 12 || day < 1 || day > daysIn(y, m) || y < 1900 || y > 2100 {
		return match.Date{}
	}
	return match.Date{Year: y, Month: m, Day: day}
}

func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// copyOut writes one register entry for a person, with the clerk's errors.
func (g *register) copyOut(given, family string, sex match.Sex, birth match.Date, place, postcode string) match.Record {
	var rec match.Record
	switch x := g.r.Float64(); {
	case x < 0.12:
		if short := registerShort[given]; len(short) > 0 {
			given = short[g.r.IntN(len(short))]
		}
	case x < 0.17:
		given = registerTitles[g.r.IntN(len(registerTitles))]
	case x < 0.20:
		given = given[:1]
	case x < 0.25:
		given = ""
	case x < 0.35:
		given = g.typo(given)
	}
	switch x := g.r.Float64(); {
	case x < 0.07:
		family = ""
	case x < 0.17:
		family = g.typo(family)
	}
	rec.GivenNames, rec.FamilyNames = given, family
	if rec.GivenNames == "" && rec.FamilyNames == "" {
		rec.FamilyNames = family
	}
	d := birth
	switch x := g.r.Float64(); {
	case x < 0.20:
		d = match.Date{}
	case x < 0.30:
		d = match.Date{Year: d.Year, Month: 1, Day: 1}
	case x < 0.35:
		d = match.Date{Year: d.Year}
	case x < 0.42:
		d.Day = 1 + g.r.IntN(daysIn(d.Year, d.Month))
	case x < 0.47:
		if d.Day < daysIn(d.Year, d.Month) {
			d.Day++
		} else {
			d.Day--
		}
	case x < 0.50:
		if d.Day <= 12 {
			d.Day, d.Month = d.Month, d.Day
		}
	case x < 0.55:
		d.Year += 1 - 2*g.r.IntN(2)
		d.Day = min(d.Day, daysIn(d.Year, d.Month))
	}
	rec.BirthDate = d
	if !g.chance(0.2) {
		rec.Sex = sex
	}
	switch x := g.r.Float64(); {
	case x < 0.25:
	case x < 0.35:
		rec.BirthPlace = g.place()
	case x < 0.40:
		rec.BirthPlace = g.typo(place)
	default:
		rec.BirthPlace = place
	}
	switch x := g.r.Float64(); {
	case x < 0.25:
	case x < 0.55:
		out, _, _ := strings.Cut(postcode, " ")
		rec.Postcode = fmt.Sprintf("%s %d%c%c", out, g.r.IntN(10), 'A'+rune(g.r.IntN(26)), 'A'+rune(g.r.IntN(26)))
	default:
		rec.Postcode = postcode
	}
	return rec
}

// typo makes one keyboard or copying error: a letter dropped, doubled,
// replaced or swapped with the next.
func (g *register) typo(s string) string {
	r := []rune(s)
	if len(r) < 3 {
		return s
	}
	i := 1 + g.r.IntN(len(r)-1)
	switch g.r.IntN(4) {
	case 0:
		r = slices.Delete(r, i, i+1)
	case 1:
		r = slices.Insert(r, i, r[i])
	case 2:
		r[i] = 'a' + rune(g.r.IntN(26))
	default:
		if i+1 < len(r) {
			r[i], r[i+1] = r[i+1], r[i]
		}
	}
	return string(r)
}

func registerGiven(s match.Sex) []string {
	if s == match.SexFemale {
		return registerFemale
	}
	return registerMale
}

// The name lists are ordered from common to rare; zipf gives the order its
// weight.
var (
	registerMale = strings.Fields(`john william thomas george james charles henry richard robert edward
		joseph samuel francis arthur frederick alfred walter david peter michael harry albert
		benjamin daniel hugh philip stephen matthew andrew christopher nicholas anthony patrick
		edmund ralph lewis herbert ernest percy leonard sidney horace cecil reginald bernard
		oswald rupert ambrose jasper silas ezra barnaby giles humphrey lancelot tobias`)
	registerFemale = strings.Fields(`mary elizabeth anne margaret sarah jane catherine eleanor alice emily
		charlotte frances ellen dorothy florence edith harriet susan helen louisa maria martha
		agnes rose grace isabella caroline victoria beatrice clara ada lucy hannah rebecca
		matilda winifred gertrude mabel ethel violet hilda muriel sybil cordelia philippa
		henrietta euphemia theodora rosamund`)
	registerFamily = strings.Fields(`smith jones williams taylor brown davies evans wilson thomas johnson
		roberts robinson thompson wright walker white edwards hughes green hall lewis harris
		clarke patel jackson wood turner martin cooper hill ward morris moore clark lee king
		baker harrison morgan allen james scott phillips watson davis parker price bennett
		young griffiths mitchell kelly cook carter richardson bailey collins bell shaw murphy
		miller cox richards khan marshall anderson simpson ellis adams singh begum wilkinson
		foster chapman powell webb rogers gray mason ali hunt hussain campbell matthews owen
		palmer holmes mills barnes knight lloyd butler russell barker fisher stevens jenkins`)
	registerStems   = strings.Fields(`ash brad craw dal elm fen gar hal kirk lang mar nor pen ram sel thorn wad whit win york bram cal dun fair hart lock mid oak rad stan wal`)
	registerEndings = strings.Fields(`by ford ham ley ton well wood worth field more stone bury combe dale den hurst ridge shaw wick croft`)
	registerPlaces  = strings.Fields(`london manchester birmingham liverpool leeds bristol sheffield york bath
		norwich exeter oxford cambridge durham chester lincoln carlisle ipswich reading derby
		leicester nottingham coventry hull plymouth salisbury winchester canterbury wells ely
		kendal whitby ripon hexham ludlow tewkesbury malton thirsk settle alnwick`)
	registerTitles   = strings.Fields(`sir lord lady dame rev dr captain mr mrs miss`)
	registerTitleSet = func() map[string]bool {
		m := map[string]bool{}
		for _, t := range registerTitles {
			m[t] = true
		}
		return m
	}()
	// registerShort is the generator's own list of English short forms and
	// nicknames, written from common usage; the linker's nickname data is
	// a separate file from another source, so that matching them is not
	// circular.
	registerShort = map[string][]string{
		"william": {"will", "bill", "billy", "willie"}, "thomas": {"tom", "tommy"},
		"james": {"jim", "jimmy", "jamie"}, "charles": {"charlie", "chas"},
		"henry": {"harry", "hal"}, "richard": {"dick", "rick"}, "robert": {"bob", "rob", "bobby"},
		"edward": {"ted", "ed", "eddie", "ned"}, "joseph": {"joe"}, "samuel": {"sam"},
		"francis": {"frank"}, "arthur": {"art"}, "frederick": {"fred", "freddie"},
		"alfred": {"alf", "alfie"}, "david": {"dave"}, "michael": {"mike", "mick"},
		"benjamin": {"ben"}, "daniel": {"dan", "danny"}, "philip": {"phil"}, "stephen": {"steve"},
		"matthew": {"matt"}, "andrew": {"andy"}, "christopher": {"chris", "kit"},
		"nicholas": {"nick"}, "anthony": {"tony"}, "patrick": {"pat", "paddy"},
		"leonard": {"len"}, "herbert": {"bert"}, "albert": {"bert", "bertie"},
		"margaret": {"maggie", "peggy", "meg"}, "elizabeth": {"liz", "eliza", "betty", "bessie"},
		"catherine": {"kate", "kitty", "cathy"}, "eleanor": {"nell", "ellie"},
		"sarah": {"sally"}, "mary": {"molly", "polly"}, "frances": {"fanny"},
		"dorothy": {"dolly", "dot"}, "florence": {"flo"}, "harriet": {"hattie"},
		"susan": {"sue", "susie"}, "helen": {"nellie"}, "isabella": {"bella"},
		"victoria": {"vicky"}, "rebecca": {"becky"}, "matilda": {"tilly"}, "winifred": {"winnie"},
		"gertrude": {"gertie"}, "henrietta": {"hetty"}, "theodora": {"dora"},
	}
)
