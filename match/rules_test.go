package match_test

import (
	"encoding/hex"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/reunite-psi/reunite/internal/golden"
	"github.com/reunite-psi/reunite/internal/synth"
	"github.com/reunite-psi/reunite/match"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of the tests that run (testdata/keys-golden.json, testdata/soundcodes.golden.gz)")

func rec(id, given, family, date string) match.Record {
	d, err := match.ParseDate(date)
	if err != nil {
		panic(err)
	}
	return match.Record{ID: id, GivenNames: given, FamilyNames: family, BirthDate: d}
}

// background is the model Link learns from a synthetic pair of files,
// fitted once: a pair's probability depends on the candidates it is
// judged among.
var background = sync.OnceValue(func() *match.PairScorer {
	d := synth.Generate(synth.DefaultConfig(1, 1000))
	return match.NewPairScorer(match.DefaultRules(), d.A, d.B)
})

// score is the match probability of the pair (a, b) among the background
// candidates, and its evidence.
func score(t *testing.T, _ *match.RuleSet, a, b match.Record) (float64, []string) {
	t.Helper()
	return background().Score(a, b)
}

// TestSameChildMatches checks that each variation between two records of
// one child is tolerated by the keys: the pair is a candidate and agrees, at
// some level, on the names and the birth date. How probable such a pair is
// depends on the population it is judged among (TestLinkage).
func TestSameChildMatches(t *testing.T) {
	rs := match.DefaultRules()
	withPlace := func(r match.Record, place string) match.Record { r.BirthPlace = place; return r }
	withAlias := func(r match.Record, a ...string) match.Record { r.Aliases = a; return r }
	withDoc := func(r match.Record, d string) match.Record { r.DocumentNumber = d; return r }
	tests := []struct {
		name string
		a, b match.Record
	}{
		{"Cyrillic vs Latin (ICAO vs Russian-style)", rec("a", "Олександр", "Коваленко", "2011-03-04"), rec("b", "Aleksandr", "Kovalenko", "2011-03-04")},
		{"Ukrainian vs English transliteration", rec("a", "Дмитро", "Шевченко", "2013-02-10"), rec("b", "Dmytro", "Shevchenko", "2013-02-10")},
		{"Greek vs Latin", rec("a", "Νίκος", "Παπαδόπουλος", "2010-05-05"), rec("b", "Nikos", "Papadopoulos", "2010-05-05")},
		{"Muhammad spellings", rec("a", "Muhammad", "Hassan", "2012-07-01"), rec("b", "Mohamed", "Hassan", "2012-07-01")},
		{"a digit of the birth year mistyped", rec("a", "Amina", "Warsame", "2012-03-04"), rec("b", "Amina", "Warsame", "2002-03-04")},
		{"the family name's last letter left out", rec("a", "Mary", "Hartton", "1947-05-05"), rec("b", "Mary", "Hartto", "1947-05-05")},
		{"Arabic script vs Latin", rec("a", "محمد", "حسن", "2012-07-01"), rec("b", "Muhammad", "Hasan", "2012-07-01")},
		{"fields swapped", rec("a", "Amina", "Yusuf", "2014-05-09"), rec("b", "Yusuf", "Amina", "2014-05-09")},
		{"day and month swapped", rec("a", "Oleksandr", "Kovalenko", "2011-03-04"), rec("b", "Oleksandr", "Kovalenko", "2011-04-03")},
		{"dropped middle name", rec("a", "Ana María", "García", "2009-11-20"), rec("b", "Ana", "García", "2009-11-20")},
		{"dropped second surname", rec("a", "Ana", "García López", "2009-11-20"), rec("b", "Ana", "García", "2009-11-20")},
		{"particle", rec("a", "Omar", "al-Rashid", "2015-01-30"), rec("b", "Omar", "Rashid", "2015-01-30")},
		{"year only, estimated ±1, same birth place", withPlace(rec("a", "Nikos", "Papadopoulos", "2010"), "Thessaloniki"), withPlace(rec("b", "Nikos", "Papadopoulos", "2011"), "Θεσσαλονίκη")},
		{"false identity, real name as alias", rec("a", "Dmytro", "Shevchenko", "2013-02-10"), withAlias(rec("b", "Ivan", "Petrenko", "2013-02-10"), "Dmitriy Shevchenko")},
		{"name in one field, family first, middle name dropped", rec("a", "Jana Frieda", "Weber", "2008-12-16"), rec("b", "Weber Jana", "", "2008-12-16")},
		{"Vietnamese, whole name in the family field", rec("a", "Văn Anh", "Lê", "2015-04-12"), rec("b", "", "Le Van Anh", "2015-04-12")},
		{"Greek passport spelling", rec("a", "Θεοδώρα", "Ντόκου", "2021-01-03"), rec("b", "Theodora", "Ntokou", "2021-01-03")},
		{"assimilated Arabic article", rec("a", "أحمد", "الزبيدي", "2024-02-10"), rec("b", "Ahmet", "Az-Zobaidi", "2024-02-10")},
		{"Fatimah", rec("a", "فاطمة", "حسن", "2016-06-06"), rec("b", "Fatimah", "Hassan", "2016-06-06")},
		{"document number with a typo", withDoc(rec("a", "Anna", "Smith", "2012-02-02"), "AB123456"), withDoc(rec("b", "Anna", "Smyth", "2012-02-02"), "AB123465")},
		{"document number with two digits swapped, other given name", withDoc(rec("a", "Alana", "Thredgold", "1925-05-25"), "2372845"), withDoc(rec("b", "", "Thredgold", "1925-05-25"), "2372485")},
		{"document number with a wrong digit in its second half", withDoc(rec("a", "Benjamin", "White", "1990-07-16"), "7111467"), withDoc(rec("b", "Jack", "White", "1990-07-16"), "7111367")},
		{"Vietnamese middle name dropped", rec("a", "Khánh Linh", "Vũ", "2019-02-19"), rec("b", "Linh", "VŨ", "2019-02-19")},
		{"Vietnamese fields swapped", rec("a", "Thị Hương", "Nguyễn", "2017-02-28"), rec("b", "Nguyen", "Thi Huong", "2017-02-28")},
		{"fields swapped, the family name's particle in the given field", rec("a", "Sanne", "de Jong", "2022-06-13"), rec("b", "DE JONG", "Sanne", "2022-06-13")},
		{"fields swapped, the Arabic article in the given field", rec("a", "Usama", "Al-Ahmad", "2009-07-14"), rec("b", "Al Ahmed", "Usama", "2009-07-14")},
		{"Dutch particle written solid", rec("a", "Lisa", "van der Meer", "2021-09-02"), rec("b", "Lisa", "Vandermeer", "2021-09-02")},
		{"Abdullah in Arabic script with the article", rec("a", "محمد", "العبدالله", "2025-04-13"), rec("b", "Muhammad", "AL-ABDULLAH", "2025-04-13")},
		{"Abdullahi with one l", rec("a", "Abdullahi", "Mohamed Ahmed", "2019-10-15"), rec("b", "Abdulahi", "Mohammed Ahmad", "2019-10-15")},
		{"Greek phonetic spelling", rec("a", "Γεωργία", "Βασιλείου", "2015-06-08"), rec("b", "Yeorya", "VASILIOU", "2015-06-08")},
		{"Greek initial nt", rec("a", "Ευάγγελος", "Ντόκος", "2014-05-14"), rec("b", "Evangelos", "Dokos", "2014-05-14")},
		{"German romanization", rec("a", "Денис", "Кравченко", "2013-06-16"), rec("b", "Denys", "Krawtschenko", "2013-06-16")},
		{"German initial je", rec("a", "Елена", "Иванова", "2009-06-30"), rec("b", "Jelena", "Iwanowa", "2009-06-30")},
		{"French ch", rec("a", "محمد", "درويش", "2023-01-27"), rec("b", "Mohamed", "DARWICH", "2023-01-27")},
		{"Somali x", rec("a", "Ifraax", "Maxamed Cismaan", "2024-12-25"), rec("b", "Ifrah", "Mohamed Osman", "2024-12-25")},
		{"patronymic, year only", rec("a", "Иван Ильич", "Попов", "2008-09-02"), rec("b", "Ivan", "POPOV", "2008")},
		{"typo in the family name", rec("a", "Roxana", "Tudorescu", "2020-09-27"), rec("b", "Roxana", "TUDORSECU", "2020-09-27")},
		{"same given and family name", rec("a", "Mohamed", "Mohamed Mohamed", "2013-08-06"), rec("b", "Mohammed", "Mohammed", "2013-08-06")},
		{"Abd al-Ahad", rec("a", "Abdulahad", "Hassan", "2013-08-06"), rec("b", "Abdul Ahad", "Hassan", "2013-08-06")},
		{"a whole name in the given field ending like a patronymic", rec("a", "Marko Petrovich", "", "2010-01-02"), rec("b", "Marko", "Petrovich", "2010-01-02")},
		{"Greek gi and yi", rec("a", "Giorgos", "Papadopoulos", "2010-05-05"), rec("b", "Yiorgos", "Papadopoulos", "2010-05-05")},
		{"Vietnamese family name borne elsewhere too, with a cue", rec("a", "Khánh Linh", "Lê", "2019-02-19"), rec("b", "Linh", "Le", "2019-02-19")},
		{"Chinese name in Han characters and in pinyin", rec("a", "秀英", "陈", "2011-03-04"), rec("b", "Xiuying", "Chen", "2011-03-04")},
		{"Chinese name in Han characters and in Cantonese spelling", rec("a", "秀英", "陈", "2011-03-04"), rec("b", "Xiu-ying", "Chan", "2011-03-04")},
		{"Chinese surname Wong for 黄", rec("a", "伟", "黄", "2012-05-06"), rec("b", "Wei", "Wong", "2012-05-06")},
		{"Korean name in Hangul and in Revised Romanization", rec("a", "민준", "김", "2012-01-02"), rec("b", "Min-jun", "Kim", "2012-01-02")},
		{"Korean surname Rhee for 이", rec("a", "서연", "이", "2013-07-08"), rec("b", "Seoyeon", "Rhee", "2013-07-08")},
		{"a letter left out of the given name", rec("a", "James", "Cox", "2009-01-23"), rec("b", "Jmes", "Cox", "2009-01-23")},
		{"a letter added to the given name, date missing", withPlace(rec("a", "Frances", "Bradton", "2004-10-11"), "Manchester"), withPlace(rec("b", "Frandces", "Bradton", ""), "Manchester")},
		{"two letters swapped in the family name, year only", rec("a", "Florence", "Lockstone", "2009"), rec("b", "Florence", "Lcokstone", "2009")},
		{"a short form, family name missing", rec("a", "Thomas", "Whitby", "1996-04-02"), rec("b", "Tom", "", "1996-04-02")},
		{"Arabic script without short vowels, initial ي", rec("a", "يوسف", "الزعبي", "2018-02-27"), rec("b", "Yusuf", "Al-Zoubi", "2018-02-27")},
		{"Arabic script without short vowels, initial ج", rec("a", "جنى", "المصري", "2009-07-26"), rec("b", "Jana", "Al-Masri", "2009-07-26")},
		{"Vietnamese without marks, family name borne elsewhere too", rec("a", "Đức Bảo", "Lê", "2025-02-07"), rec("b", "Duc Bao", "LE", "2025-02-07")},
		{"1 January for an unknown date", rec("a", "Amina", "Yusuf", "2014-01-01"), rec("b", "Amina", "Yusuf", "2014-05-09")},
		{"the given name's last letter another, two girls", withSex(rec("a", "Sahro", "Nuur Ibraahim", "2008-07-31"), match.SexFemale), withSex(rec("b", "Sahra", "Nur Ibrahim", "2008-07-31"), match.SexFemale)},
		{"Vietnamese fields swapped, family name borne elsewhere too", rec("a", "Văn Tùng", "Lê", "2008-05-23"), rec("b", "Lê", "Văn Tùng", "2008-05-23")},
		{"Vietnamese fields swapped, without marks", rec("a", "Đức Cường", "Lê", "2010-09-11"), rec("b", "LE", "Duc Cuong", "2010-09-11")},
		{"fields swapped, van der in the given field", rec("a", "Iris", "van der Veen", "2022-04-18"), rec("b", "VAN DER VEEN", "Iris", "2022-04-18")},
		{"fields swapped, the Arabic article joined in the given field", rec("a", "حمزة", "الحسن", "2015-04-04"), rec("b", "ALHASAN", "Hamzah", "2015-04-04")},
		{"whole name in the family field, particles first", rec("a", "Martina", "de la Cruz García", "2015-03-18"), rec("b", "", "DE LA CRUZ GARCÍA Martina", "2015-03-18")},
		{"Dutch particles after a given name that is also a Vietnamese family name", rec("a", "Kim", "van der Berg", "2016-02-11"), rec("b", "Kim", "Vanderberg", "2016-02-11")},
		{"Vietnamese middle name in the family field, given name also a family name", rec("a", "Quân", "Đỗ Minh", "2017-07-07"), rec("b", "Minh Quân", "Đỗ", "2017-07-07")},
		{"the given name's last letter left out, two boys", withSex(rec("a", "Thomas", "Langshaw", "1973-08-17"), match.SexMale), withSex(rec("b", "Thoma", "Langshaw", "1973-08-17"), match.SexMale)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, evidence := score(t, rs, tc.a, tc.b)
			require.Positive(t, s, "the pair must be a candidate: it shares no key")
			if strings.HasPrefix(tc.name, "document number") {
				// The document number, one character off, identifies the
				// child where the names do not.
				assert.GreaterOrEqual(t, s, rs.Threshold(), "%v", evidence)
				return
			}
			for _, e := range evidence {
				for _, field := range []string{"given", "family", "date", "estimated-date"} {
					assert.NotEqual(t, field+"=disagree", e, "the variation must be tolerated: %v", evidence)
				}
			}
		})
	}
}

// TestFalseIdentityPapersLeftOut checks that a pair that meets only
// through an alias, a child held under a false identity, is not judged on
// the false identity's birth date, birth place, parents and document: they
// say nothing about the child the alias names, so they are neither
// agreement nor disagreement. Sex still counts.
func TestFalseIdentityPapersLeftOut(t *testing.T) {
	a := rec("a", "Dmytro", "Shevchenko", "2013-02-10")
	a.BirthPlace, a.ParentNames, a.DocumentNumber, a.Sex = "Kharkiv", []string{"Olena Shevchenko"}, "FA123456", match.SexMale
	b := rec("b", "Ivan", "Petrenko", "2010-06-01")
	b.BirthPlace, b.ParentNames, b.DocumentNumber, b.Sex = "Odesa", []string{"Petro Petrenko"}, "XY987654", match.SexMale
	b.Aliases = []string{"Dmitriy Shevchenko"}
	s, evidence := score(t, match.DefaultRules(), a, b)
	require.Positive(t, s, "the pair must be a candidate: it shares no key")
	assert.Contains(t, evidence, "sex=same")
	for _, e := range evidence {
		for _, field := range []string{"date", "estimated-date", "birth-place", "parents", "document"} {
			assert.False(t, strings.HasPrefix(e, field+"="), "the false identity's %s must be left out: %v", field, evidence)
		}
	}
}

// TestBirthPlaceSpellings checks that spellings of one birth place agree
// at least in sound: words written apart or together (Hà Nội, Hanoi), the
// Arabic article kept, dropped or assimilated (دير الزور, Deir ez-Zor;
// الرقة, Raqqa), other scripts, and the names other languages give the
// place (Москва, Moscow; حلب, Aleppo); and that different places disagree.
func TestBirthPlaceSpellings(t *testing.T) {
	rs := match.DefaultRules()
	withPlace := func(id, place string) match.Record {
		r := rec(id, "Amina", "Yusuf", "2014-05-09")
		r.BirthPlace = place
		return r
	}
	tests := []struct {
		a, b string
		same bool
	}{
		{"Hà Nội", "Hanoi", true},
		{"Hải Phòng", "Haiphong", true},
		{"دير الزور", "Deir ez-Zor", true},
		{"الرقة", "Raqqa", true},
		{"Ar-Raqqa", "Rakka", true},
		{"القامشلي", "Qamishli", true},
		{"Київ", "Kyiv", true},
		{"Москва", "Moscow", true},
		{"حلب", "Aleppo", true},
		{"Thành phố Hồ Chí Minh", "Saigon", true},
		{"Muqdisho", "Mogadishu", true},
		{"Αθήνα", "Athens", true},
		{"Homs", "Hama", false},
		{"Moscow", "Minsk", false},
		{"Hanoi", "Hue", false},
		{"Deir ez-Zor", "Daraa", false},
	}
	for _, tc := range tests {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			_, evidence := score(t, rs, withPlace("a", tc.a), withPlace("b", tc.b))
			agrees := slices.Contains(evidence, "birth-place=same") || slices.Contains(evidence, "birth-place=sound")
			assert.Equal(t, tc.same, agrees, "%v", evidence)
		})
	}
}

// TestParentSpellings checks how parents' names compare: the same name in
// skeleton (a vowel changed, the order of the names, a consonant written
// with h, a script normalize does not transliterate) agrees; different
// parents, also of one family, and Vietnamese names one letter of sound
// apart disagree; a name without a letter is no parent. The same parent in
// two scripts or transliterations that part the skeleton (Матвій
// Ткаченко, Matwij Tkatschenko) disagrees too: keying parents by sound
// codes was tried and dropped (bench/README.md, history), as those codes
// are too coarse for names (Said and Zaid, Hùng and Quang agree).
func TestParentSpellings(t *testing.T) {
	rs := match.DefaultRules()
	withParents := func(id string, parents ...string) match.Record {
		r := rec(id, "Amina", "Yusuf", "2014-05-09")
		r.ParentNames = parents
		return r
	}
	tests := []struct {
		a, b  []string
		level string // the parents outcome in the evidence; "" for none
	}{
		{[]string{"Petro Kovalenko"}, []string{"Kovalenko Petro"}, "one-same"},
		{[]string{"Fatima Hassan"}, []string{"Fatime Hassan"}, "one-same"},
		{[]string{"Faadumo Warsame"}, []string{"Fadhumo Warsama"}, "one-same"},
		{[]string{"ሰላም ተስፋይ"}, []string{"ሰላም ተስፋይ"}, "one-same"},
		{[]string{"Ivan Petrov", "Olena Petrova"}, []string{"Olena Petrova"}, "one-same"},
		{[]string{"Матвій Ткаченко"}, []string{"Matwij Tkatschenko"}, "disagree"},
		{[]string{"Petro Kovalenko"}, []string{"Pavlo Kovalenko"}, "disagree"},
		{[]string{"Olena Shevchenko"}, []string{"Oksana Shevchenko"}, "disagree"},
		{[]string{"Ahmed Abdi Ali"}, []string{"Ahmed Abdi Omar"}, "disagree"},
		{[]string{"Said Omar"}, []string{"Zaid Omar"}, "disagree"},
		{[]string{"Nguyễn Văn Hùng"}, []string{"Nguyễn Văn Quang"}, "disagree"},
		{[]string{"Trần Văn Phương"}, []string{"Trần Văn Vương"}, "disagree"},
		{[]string{"—"}, []string{"Petro Kovalenko"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.a[0]+"/"+tc.b[0], func(t *testing.T) {
			_, evidence := score(t, rs, withParents("a", tc.a...), withParents("b", tc.b...))
			var got string
			for _, e := range evidence {
				if level, ok := strings.CutPrefix(e, "parents="); ok {
					got = level
				}
			}
			assert.Equal(t, tc.level, got, "%v", evidence)
		})
	}
}

// TestArabicGivenNameSounds checks that a given name in Arabic script,
// transliterated without its short vowels, agrees with its Latin spellings
// at least in sound where the transliteration starts with two consonants
// that Latin spellings part with a vowel (ت س, tsnym, Tasnim) or with the
// long i of إي (iyman, Iman, Eman): agreement only in the initial would
// leave the pair to kin fields, as twins are.
func TestArabicGivenNameSounds(t *testing.T) {
	rs := match.DefaultRules()
	tests := []struct{ arabic, latin string }{
		{"تسنيم", "Tasnim"},
		{"إيمان", "Iman"},
		{"إيمان", "Eman"},
		{"إياد", "Eyad"},
	}
	for _, tc := range tests {
		t.Run(tc.latin, func(t *testing.T) {
			_, evidence := score(t, rs, rec("a", tc.arabic, "عثمان", "2017-08-12"), rec("b", tc.latin, "Othman", "2017-08-12"))
			assert.True(t, slices.Contains(evidence, "given=exact") || slices.Contains(evidence, "given=sound"), "%v", evidence)
		})
	}
}

// TestVietnameseDroppedMiddleName checks that the given name a Vietnamese
// child is called by agrees as written when a record drops the middle
// name, also when the shorter record's family name is one that other
// peoples bear too and it gives no cue, and that swapped day and month
// agree at the swapped level.
func TestVietnameseDroppedMiddleName(t *testing.T) {
	rs := match.DefaultRules()
	for _, b := range []match.Record{rec("b", "Linh", "Vu", "2019-09-02"), rec("b", "Linh", "Le", "2019-09-02")} {
		a := rec("a", "Khánh Linh", "Vũ", "2019-02-09")
		if b.FamilyNames == "Le" {
			a.FamilyNames = "Lê"
		}
		_, evidence := score(t, rs, a, b)
		assert.Subset(t, evidence, []string{"given=exact", "family=exact", "date=swapped"}, "%s %s", b.GivenNames, b.FamilyNames)
	}
}

func withDocs(r match.Record, doc string) match.Record { r.DocumentNumber = doc; return r }

func withSex(r match.Record, sex match.Sex) match.Record { r.Sex = sex; return r }

func TestDifferentChildrenDoNotMatch(t *testing.T) {
	rs := match.DefaultRules()
	family := func(r match.Record) match.Record {
		r.ParentNames = []string{"Iryna Kovalenko", "Petro Kovalenko"}
		r.BirthPlace = "Kharkiv"
		r.Address, r.Locality, r.Postcode = "12 Sumska", "Kharkiv", "61000"
		return r
	}
	tests := []struct {
		name string
		a, b match.Record
	}{
		{"twins", family(rec("a", "Oleksandr", "Kovalenko", "2011-03-04")), family(rec("b", "Mariia", "Kovalenko", "2011-03-04"))},
		{"twins, one spelled in Cyrillic", family(rec("a", "Олександр", "Коваленко", "2011-03-04")), family(rec("b", "Taras", "Kovalenko", "2011-03-04"))},
		{"siblings", family(rec("a", "Oleksandr", "Kovalenko", "2011-03-04")), family(rec("b", "Iryna", "Kovalenko", "2014-09-30"))},
		{"boy-girl twins Daniel and Daniela", family(rec("a", "Daniel", "Kovalenko", "2011-03-04")), family(rec("b", "Daniela", "Kovalenko", "2011-03-04"))},
		{"boy-girl twins Ivan and Ivana", family(rec("a", "Ivan", "Kovalenko", "2011-03-04")), family(rec("b", "Ivana", "Kovalenko", "2011-03-04"))},
		{"boy-girl twins Mario and Maria", family(rec("a", "Mario", "Rossi", "2011-03-04")), family(rec("b", "Maria", "Rossi", "2011-03-04"))},
		{"boy-girl twins Ivan and Ivana, the sex recorded for one", withSex(family(rec("a", "Ivan", "Kovalenko", "2011-03-04")), match.SexMale), family(rec("b", "Ivana", "Kovalenko", "2011-03-04"))},
		{"boy-girl twins Daniel and Daniela, both sexes recorded", withSex(family(rec("a", "Daniel", "Kovalenko", "2011-03-04")), match.SexMale), withSex(family(rec("b", "Daniela", "Kovalenko", "2011-03-04")), match.SexFemale)},
		{"Vietnamese siblings share the middle name Văn", rec("a", "Văn Phong", "Nguyễn", "2019-09-18"), rec("b", "Văn Anh", "Nguyễn", "2019-09-18")},
		{"twins with consecutive passport numbers", withDocs(family(rec("a", "Olena", "Kovalenko", "2012-05-07")), "FE1234567"), withDocs(family(rec("b", "Mykola", "Kovalenko", "2012-05-07")), "FE1234568")},
		{"twins, name in one field", family(rec("a", "Kovalenko Taras", "", "2011-03-04")), family(rec("b", "Kovalenko Mariia", "", "2011-03-04"))},
		// Same month, another day, would be the date level of a one-day
		// typo: how likely that is, the session's data decide.
		{"namesakes, same year", rec("a", "Thomas", "Campbell", "1964-01-05"), rec("b", "Thomas", "Campbell", "1964-08-29")},
		{"namesakes, swapped fields, same year", rec("a", "Matthew", "Ryan", "1951-09-05"), rec("b", "Ryan", "Matthew", "1951-04-17")},
		{"same birthday, different names", rec("a", "Amina", "Yusuf", "2014-05-09"), rec("b", "Hodan", "Warsame", "2014-05-09")},
		{"twins Yana and Anna", family(rec("a", "Yana", "Tkachenko", "2020-05-17")), family(rec("b", "Anna", "Tkatchenko", "2020-05-17"))},
		{"twins Iana and Anna", family(rec("a", "Анна", "Ткаченко", "2020-05-17")), family(rec("b", "Iana", "Tkatchenko", "2020-05-17"))},
		{"Vietnamese twins with short names", family(rec("a", "Khánh My", "Nguyễn", "2024-04-30")), family(rec("b", "Hoàng", "Nguyen", "2024-04-30"))},
		{"Vietnamese siblings", family(rec("a", "Công Khánh", "Lê", "2020-05-28")), family(rec("b", "Thu Huyen", "Le", ""))},
		{"Vietnamese twins sharing a middle name", rec("a", "Khánh Linh", "Vũ", "2019-02-19"), rec("b", "Khánh Ngọc", "Vu", "2019-02-19")},
		{"twins with consecutive passport numbers, one first name missing", withDocs(family(rec("a", "Olena", "Kovalenko", "2012-05-07")), "FE1234569"), withDocs(family(rec("b", "", "Kovalenko", "2012-05-07")), "FE1234570")},
		{"twins whose numbers differ in the last digit only", withDocs(family(rec("a", "Olena", "Kovalenko", "2012-05-07")), "2372845"), withDocs(family(rec("b", "", "Kovalenko", "2012-05-07")), "2372846")},
		{"twins, the given name of one inside the other's", family(rec("a", "Anna", "Kovalenko", "2011-03-04")), family(rec("b", "Hanna", "Kovalenko", "2011-03-04"))},
		{"twins Sam and Kim (Kim is also a Vietnamese family name)", family(rec("a", "Sam", "Smith", "2011-03-04")), family(rec("b", "Kim", "Smith", "2011-03-04"))},
		{"Korean siblings sharing a generation syllable", family(rec("a", "Ji-hoon", "Kim", "2011-03-04")), family(rec("b", "Tae-hoon", "Kim", "2011-03-04"))},
		{"Cantonese siblings sharing a generation name", family(rec("a", "Ka Wai", "Lam", "2011-03-04")), family(rec("b", "Chi Wai", "Lam", "2011-03-04"))},
		{"twins Gemma and Emma", family(rec("a", "Gemma", "Rossi", "2011-03-04")), family(rec("b", "Emma", "Rossi", "2011-03-04"))},
		{"twins Gina and Anna", family(rec("a", "Gina", "Rossi", "2011-03-04")), family(rec("b", "Anna", "Rossi", "2011-03-04"))},
		{"twins Alina and Anna (Al read as an article)", family(rec("a", "Alina", "Müller", "2011-03-04")), family(rec("b", "Anna", "Müller", "2011-03-04"))},
		{"twins Alanna and Anna", family(rec("a", "Alanna", "Müller", "2011-03-04")), family(rec("b", "Anna", "Müller", "2011-03-04"))},
		{"twins Alisa and Isa", family(rec("a", "Alisa", "Müller", "2011-03-04")), family(rec("b", "Isa", "Müller", "2011-03-04"))},
		{"siblings Alina and Ina", family(rec("a", "Alina", "Müller", "2011-03-04")), family(rec("b", "Ina", "Müller", "2013-06-01"))},
		{"twins Max and Mia", family(rec("a", "Max", "Rossi", "2011-03-04")), family(rec("b", "Mia", "Rossi", "2011-03-04"))},
		{"twins Chiara and Sara", family(rec("a", "Chiara", "Rossi", "2011-03-04")), family(rec("b", "Sara", "Rossi", "2011-03-04"))},
		{"twins Jemma and Emma", family(rec("a", "Jemma", "Rossi", "2011-03-04")), family(rec("b", "Emma", "Rossi", "2011-03-04"))},
		{"twins Daniel and Daniela", family(rec("a", "Daniel", "Rossi", "2011-03-04")), family(rec("b", "Daniela", "Rossi", "2011-03-04"))},
		{"twins Maria and Mario", family(rec("a", "Maria", "Rossi", "2011-03-04")), family(rec("b", "Mario", "Rossi", "2011-03-04"))},
		{"twins Marta and Maria", family(rec("a", "Marta", "Rossi", "2011-03-04")), family(rec("b", "Maria", "Rossi", "2011-03-04"))},
		{"twins with consecutive identity cards and a fixed suffix", withDocs(family(rec("a", "Giulia", "Rossi", "2011-03-04")), "CA12345AB"), withDocs(family(rec("b", "Marco", "Rossi", "2011-03-04")), "CA12346AB")},
		{"twins in Han script", family(rec("a", "明", "李", "2011-03-04")), family(rec("b", "华", "李", "2011-03-04"))},
		{"strangers in Hangul born the same day", rec("a", "민준", "김", "2011-03-04"), rec("b", "서연", "박", "2011-03-04")},
		{"different children with names that end like patronymics", rec("a", "Marko Petrovich", "", "2010-01-02"), rec("b", "Marko Jovanovich", "", "2010-01-02")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rules := score(t, rs, tc.a, tc.b)
			assert.Less(t, s, rs.Threshold(), "rules %v", rules)
		})
	}
}

// TestGivenNameEndings checks the ending level end to end: two records of
// one girl whose given names differ in the last letter (Sahro, Sahra: a
// Somali and an Arabic spelling), with family name, date, birth place and
// parents agreeing, link when both say she is a girl, and are judged as a
// brother and a sister would be when one leaves the sex out.
func TestGivenNameEndings(t *testing.T) {
	rs := match.DefaultRules()
	girl := func(id, given string) match.Record {
		r := withSex(rec(id, given, "Nuur Ibraahim", "2008-07-31"), match.SexFemale)
		r.BirthPlace, r.ParentNames = "Baidoa", []string{"Nuur Ibraahim Cabdirisaaq"}
		return r
	}
	s, evidence := score(t, rs, girl("a", "Sahro"), girl("b", "Sahra"))
	assert.Contains(t, evidence, "given=ending")
	assert.GreaterOrEqual(t, s, rs.Threshold(), "%v", evidence)

	unknown := withSex(girl("b", "Sahra"), match.SexUnknown)
	s, evidence = score(t, rs, girl("a", "Sahro"), unknown)
	assert.Less(t, s, rs.Threshold(), "%v", evidence)

	// A short form that also differs at the end is a nickname first:
	// it links without the sexes, as before the ending level.
	for _, pair := range [][2]string{{"Ann", "Anna"}, {"Pete", "Peter"}, {"Louise", "Louisa"}} {
		a, b := rec("a", pair[0], "Fairwood", "1960-06-07"), rec("b", pair[1], "Fairwood", "1960-06-07")
		s, evidence := score(t, rs, a, b)
		assert.Contains(t, evidence, "given=nickname", "%s / %s", pair[0], pair[1])
		assert.GreaterOrEqual(t, s, rs.Threshold(), "%s / %s: %v", pair[0], pair[1], evidence)
	}
}

// TestFamilyNamesAlikeAtOneEndDisagree checks that family names that
// share only an ending (Shevchuk, Kovalchuk) disagree. How probable the
// pair is then depends on the population: two records whose given names
// sound alike and that share a full birth date are, among a thousand
// children whose family names change in a few records in a hundred,
// more often one child's than two strangers'.
func TestFamilyNamesAlikeAtOneEndDisagree(t *testing.T) {
	_, evidence := score(t, nil, rec("a", "Олена", "Шевчук", "2011-02-16"), rec("b", "Uliana", "Kovalchuk", "2011-02-16"))
	assert.Contains(t, evidence, "family=disagree")
}

// TestScoresArePerPair checks that keys shared with two different peer
// records never add up: a key on the names shared with one peer record and
// a key on the date shared with another give two pairs, each with only its
// own evidence.
func TestScoresArePerPair(t *testing.T) {
	rs := match.DefaultRules()
	r := rec("a", "Oleksandr", "Kovalenko", "2011-03-04")
	ix := match.NewIndex([]match.Record{r}, rs)
	names := rs.RuleNames()
	keyOf := func(rule string) int {
		for k := range ix.Keys {
			if names[ix.Rule(k)] == rule {
				return k
			}
		}
		t.Fatalf("no key for rule %s", rule)
		return -1
	}
	full := match.HasGiven | match.HasFamily | match.Presence(match.PrecisionDay)<<10
	hits := []match.KeyHit{
		{Key: keyOf("names"), Peers: []match.PeerRecord{{Pseudonym: 1, Presence: full}}},
		{Key: keyOf("names/date:exact"), Peers: []match.PeerRecord{{Pseudonym: 2, Presence: full}}},
		{Key: keyOf("names/given:exact"), Peers: []match.PeerRecord{{Pseudonym: 2, Presence: full}}},
	}
	evidence := map[uint32][]string{}
	for _, l := range ix.Link(hits, ix.Statistics(), nil, 0) {
		evidence[l.Peer] = l.Evidence
	}
	assert.Contains(t, evidence[1], "date=disagree", "peer 1 shares no date key of its own")
	assert.Contains(t, evidence[2], "date=exact")
	assert.Contains(t, evidence[2], "given=exact")
}

func TestKeyCapAndDuplicates(t *testing.T) {
	rs := match.DefaultRules()
	r := rec("a", "Oleksandr", "Kovalenko", "2011-03-04")
	r.Sex, r.Nationality, r.Address, r.Locality, r.Postcode = match.SexMale, "UA", "12 Sumska", "Kharkiv", "61000"
	for i := range 60 {
		r.Aliases = append(r.Aliases, fmt.Sprintf("Alias%c Name%c", 'a'+i%26, 'a'+i/26))
	}
	keys, truncated := rs.Keys(&r)
	assert.Len(t, keys, match.DefaultMaxKeysPerRecord)
	assert.Positive(t, truncated)
	seen := map[[32]byte]bool{}
	for _, k := range keys {
		assert.False(t, seen[k.Value], "duplicate key")
		seen[k.Value] = true
	}
	empty := match.Record{ID: "x", Sex: match.SexFemale}
	keys, _ = rs.Keys(&empty)
	assert.Empty(t, keys)
	ix := match.NewIndex([]match.Record{empty, r}, rs)
	assert.Equal(t, []int{0}, ix.NoKeys)
	assert.Positive(t, ix.Truncated)
}

func TestSharedKeysAreOneElement(t *testing.T) {
	rs := match.DefaultRules()
	twinA := rec("1", "Oleksandr", "Kovalenko", "2011-03-04")
	dup := rec("2", "Oleksandr", "Kovalenko", "2011-03-04")
	ix := match.NewIndex([]match.Record{twinA, dup}, rs)
	for k := range ix.Keys {
		assert.Equal(t, []int32{0, 1}, ix.Owners(k))
	}
}

// TestKeyCapIsFair checks that when a record has more keys than the cap,
// every rule that has keys keeps at least one.
func TestKeyCapIsFair(t *testing.T) {
	rs := match.DefaultRules()
	r := rec("a", "Oleksandr Petrovych", "Kovalenko Shevchenko", "2011-03-04")
	r.Sex, r.BirthPlace, r.DocumentNumber = match.SexMale, "Kharkiv", "FE1234567"
	r.ParentNames = []string{"Iryna Kovalenko", "Petro Kovalenko"}
	r.Address, r.Locality, r.Postcode = "12 Sumska", "Kharkiv", "61000"
	r.Aliases = []string{"Sasha Kovalenko", "Alexander Kovalenko", "Oleksii Kovalenko", "Aleksei Kovalenko", "Olek Kovalenko"}
	keys, truncated := rs.Keys(&r)
	require.Positive(t, truncated, "the record must exceed the cap for this test")
	require.Len(t, keys, rs.MaxKeysPerRecord())

	uncapped, err := match.NewRuleSet("reunite-default-v8", rs.Blocks(), rs.Comparisons(), 1024)
	require.NoError(t, err)
	all, none := uncapped.Keys(&r)
	require.Zero(t, none)
	assert.Equal(t, len(all), len(keys)+truncated)
	kept := map[int]bool{}
	for _, k := range keys {
		kept[k.Rule] = true
	}
	for _, k := range all {
		assert.True(t, kept[k.Rule], "rule %s lost all its keys", rs.RuleNames()[k.Rule])
	}
}

// levelsOf returns comparisons with n levels in all, eight a comparison.
func levelsOf(n int) []match.Comparison {
	var comps []match.Comparison
	for c := 0; n > 0; c++ {
		k := min(n, 8)
		comp := match.Comparison{Name: "c" + strconv.Itoa(c), Presence: match.HasSex}
		for l := range k {
			comp.Levels = append(comp.Levels, match.Level{Name: "l" + strconv.Itoa(l), Field: match.FieldSex})
		}
		comps = append(comps, comp)
		n -= k
	}
	return comps
}

// TestStatisticsHoldThirtyNineLevels checks the largest rule set the
// statistics payload takes, 39 levels of 12 bits after its five bytes, end
// to end: every level's rate travels and reads back.
func TestStatisticsHoldThirtyNineLevels(t *testing.T) {
	rs, err := match.NewRuleSet("wide", []match.Block{{Name: "names", Fields: []match.Field{match.FieldFirstSound}}}, levelsOf(39), 0)
	require.NoError(t, err)
	// Two of three records share a sex: a rate of one pair in three at
	// every level, round(128 · log₂ 3) = 203 = 0x0cb.
	st := match.NewIndex([]match.Record{{ID: "a", GivenNames: "Ana", Sex: match.SexFemale}, {ID: "b", GivenNames: "Ada", Sex: match.SexMale}, {ID: "c", GivenNames: "Eva", Sex: match.SexFemale}}, rs).Statistics()
	p, err := st.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, p, match.PayloadSize)
	back, err := rs.ParseStatistics(p)
	require.NoError(t, err)
	assert.Equal(t, st, back)
	assert.Equal(t, []byte{0x0c, 0xb0}, p[match.PayloadSize-2:], "the 39th level's rate ends in the last byte's first half")
}

func TestNewRuleSetValidation(t *testing.T) {
	blocks := []match.Block{{Name: "names", Fields: []match.Field{match.FieldFirstSound}}}
	comps := []match.Comparison{{Name: "date", Presence: match.HasDate, Levels: []match.Level{{Name: "exact", Field: match.FieldDate}}}}
	tests := []struct {
		name   string
		blocks []match.Block
		comps  []match.Comparison
	}{
		{"no blocks", nil, comps},
		{"no comparisons", blocks, nil},
		{"unknown block field", []match.Block{{Name: "x", Fields: []match.Field{"shoe-size"}}}, comps},
		{"unknown level field", blocks, []match.Comparison{{Name: "x", Presence: match.HasSex, Levels: []match.Level{{Name: "a", Field: "shoe-size"}}}}},
		{"block without fields", []match.Block{{Name: "x"}}, comps},
		{"duplicate blocks", append(slices.Clone(blocks), blocks...), comps},
		{"duplicate comparisons", blocks, append(slices.Clone(comps), comps...)},
		{"comparison without levels", blocks, []match.Comparison{{Name: "x", Presence: match.HasSex}}},
		{"comparison without presence", blocks, []match.Comparison{{Name: "x", Levels: comps[0].Levels}}},
		{"comparison with two presence bits", blocks, []match.Comparison{{Name: "x", Presence: match.HasSex | match.HasGiven, Levels: comps[0].Levels}}},
		{"40 comparison levels, more than a statistics payload holds", blocks, levelsOf(40)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := match.NewRuleSet("custom", tc.blocks, tc.comps, 0)
			assert.ErrorIs(t, err, match.ErrRuleSet)
		})
	}
	for name, bad := range map[string]string{
		"empty name":    "",
		"long name":     strings.Repeat("r", match.MaxRuleSetName+1),
		"colon in name": "rules:v1",
		"invalid UTF-8": "rules\xff",
		"control":       "rules\x1b[31m",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := match.NewRuleSet(bad, blocks, comps, 0)
			assert.ErrorIs(t, err, match.ErrRuleSet)
		})
	}
	for _, good := range []string{"my rules", "règles-v1"} {
		_, err := match.NewRuleSet(good, blocks, comps, 0)
		require.NoError(t, err, good)
	}
	longest, err := match.NewRuleSet(strings.Repeat("r", match.MaxRuleSetName), blocks, comps, 0)
	require.NoError(t, err)
	assert.Len(t, longest.ID(), 64, "the longest name's ID fills a psi context")
	a, err := match.NewRuleSet("custom", blocks, comps, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"names", "names/date:exact"}, a.RuleNames())
	other := slices.Clone(comps)
	other[0].Levels = []match.Level{{Name: "exact", Field: match.FieldDate}, {Name: "year", Field: match.FieldBirthYear}}
	b, err := match.NewRuleSet("custom", blocks, other, 0)
	require.NoError(t, err)
	assert.NotEqual(t, a.ID(), b.ID(), "a changed comparison changes the ID")
	assert.Equal(t, match.DefaultThreshold, a.Threshold())
	assert.LessOrEqual(t, len(match.DefaultRules().ID()), 64, "fits a psi context")
}

type goldenFile struct {
	RuleSetID string              `json:"rule_set_id"`
	Records   map[string][]string `json:"records"` // record ID → "rule:hexkey"
}

// TestGoldenKeys pins the keys of the fixture records. Any change to
// normalization or rules that changes a key must also change the rule-set
// ID (so parties on different versions refuse each other instead of
// silently matching nothing); regenerate with -update after checking that.
func TestGoldenKeys(t *testing.T) {
	rs := match.DefaultRules()
	var records []match.Record
	for _, f := range []string{"../testdata/agency-a.csv", "../testdata/agency-b.csv"} {
		rr, _, err := match.ReadFile(f, match.ReadOptions{})
		require.NoError(t, err)
		records = append(records, rr...)
	}
	got := goldenFile{RuleSetID: rs.ID(), Records: map[string][]string{}}
	for i := range records {
		keys, _ := rs.Keys(&records[i])
		for _, k := range keys {
			got.Records[records[i].ID] = append(got.Records[records[i].ID], rs.RuleNames()[k.Rule]+":"+hex.EncodeToString(k.Value[:]))
		}
	}
	const path = "testdata/keys-golden.json"
	var want goldenFile
	golden.JSON(t, path, *updateGolden, got, &want)
	require.Len(t, want.Records, 16)
	if want.RuleSetID == got.RuleSetID {
		assert.Equal(t, want.Records, got.Records, "keys changed but the rule-set ID did not: bump NormalizationVersion or the rule set's name")
	} else {
		t.Errorf("rule-set ID changed from %s to %s: if intended, run go test ./match -run TestGoldenKeys -update", want.RuleSetID, got.RuleSetID)
	}
}

func BenchmarkKeys(b *testing.B) {
	rs := match.DefaultRules()
	r := rec("a", "Олександр Петрович", "Коваленко", "2011-03-04")
	r.BirthPlace = "Харків"
	r.ParentNames = []string{"Ірина Коваленко", "Петро Коваленко"}
	r.DocumentNumber = "FA123456"
	b.ReportAllocs()
	for b.Loop() {
		_, _ = rs.Keys(&r)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkKeysStuffedRecord derives the keys of a record whose aliases
// and family name hold thousands of distinct tokens, as a hostile or broken
// input file could: its cost must grow with the record's size, not with
// its square.
func BenchmarkKeysStuffedRecord(b *testing.B) {
	for _, perField := range []int{250, 1000, 4000} {
		b.Run(fmt.Sprint(perField), func(b *testing.B) {
			word := func(i int) string {
				w := []byte("k")
				for ; i > 0; i /= 26 {
					w = append(w, byte('a'+i%26))
				}
				return string(w)
			}
			field := func(from int) string {
				words := make([]string, perField)
				for i := range words {
					words[i] = word(from + i)
				}
				return strings.Join(words, " ")
			}
			r := rec("a", "Olena", field(0), "2011-03-04")
			for k := range 16 {
				r.Aliases = append(r.Aliases, field((k+1)*perField))
			}
			rs := match.DefaultRules()
			b.ReportAllocs()
			for b.Loop() {
				_, _ = rs.Keys(&r)
			}
		})
	}
}

// TestIndexMatchesKeys checks that NewIndex derives, for each record, the
// keys Keys derives and, after them, those of its name as its file's
// spelling corrects it.
func TestIndexMatchesKeys(t *testing.T) {
	rs := match.DefaultRules()
	d := synth.Generate(synth.DefaultConfig(3, 300))
	records := append(slices.Clone(d.A), d.B...)
	ix := match.NewIndex(records, rs)
	got := make([]map[[match.KeySize]byte]bool, len(records))
	for k := range ix.Keys {
		owners := ix.Owners(k)
		for _, o := range owners {
			if got[o] == nil {
				got[o] = map[[match.KeySize]byte]bool{}
			}
			got[o][[match.KeySize]byte(ix.Keys[k])] = true
		}
	}
	corrected := 0
	for i := range records {
		keys := match.KeysAsIndexed(records, rs, i)
		want := map[[match.KeySize]byte]bool{}
		for _, k := range keys {
			want[k.Value] = true
		}
		if len(want) == 0 {
			want = nil
		}
		require.Equal(t, want, got[i], "record %s", records[i].ID)
		// The record's own keys, as Keys derives them, come first and
		// whole; a spelling correction only adds keys after them.
		plain, _ := rs.Keys(&records[i])
		require.Equal(t, plain, keys[:len(plain)], "record %s", records[i].ID)
		if len(plain) != len(keys) {
			corrected++
		}
	}
	assert.Positive(t, corrected, "some synthetic typos are corrected")
}
