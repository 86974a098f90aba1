package normalize

import (
	"bufio"
	"compress/gzip"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The equivalence test pins the exact output of every public function of
// the package on a large corpus, so that changes made for speed can be
// shown to change nothing. The golden file holds each input together with
// its outputs; the inputs are frozen in it, so the corpus does not depend
// on how it was generated.
//
// When the output is meant to change, regenerate the outputs (the inputs
// stay) with
//
//	go test ./match/internal/normalize -run TestEquivalence -update
//
// and review the diff of the decompressed file. -corpus FILE adds the
// lines of FILE, and a mutated copy of each, to the inputs. The file was
// first built with the non-ASCII names, places and addresses of
// internal/synth (DefaultConfig, 600 children, seeds 1 and 7) and a sample
// of its ASCII ones, the string literals of the package's tests, and
// random strings from runePool: 22,742 inputs, on which the fast paths
// were checked against the code they replaced. One in four is kept here,
// to keep the file small.
var (
	updateGolden = flag.Bool("update", false, "rewrite testdata/equivalence.golden.gz from the current implementation")
	corpusFile   = flag.String("corpus", "", "with -update: file of extra inputs, one per line")
)

const goldenPath = "testdata/equivalence.golden.gz"

// goldenRecord is one input and what the package returns for it. Lists
// keep the difference between nil and empty.
type goldenRecord struct {
	in                                  string
	text                                string
	tokens, nameTokens                  []string
	nameKey, skeletonKey                string
	skelText, skelRaw, skelVariants     string
	variants                            []string
	firstGiven, firstFamily, lastFamily string
}

func computeGolden(in string) goldenRecord {
	text := Text(in)
	v := Variants(in)
	return goldenRecord{
		in:          in,
		text:        text,
		tokens:      Tokens(in),
		nameTokens:  NameTokens(in),
		nameKey:     NameKey(in),
		skeletonKey: SkeletonKey(in),
		// Text's output is what ConsonantSkeleton is made for; the raw
		// input checks the pass-through of everything else.
		skelText:     ConsonantSkeleton(text),
		skelRaw:      ConsonantSkeleton(in),
		skelVariants: ConsonantSkeleton(strings.Join(v, " ")),
		variants:     v,
		firstGiven:   FirstGiven(in),
		firstFamily:  FirstFamily(in),
		lastFamily:   LastFamily(in),
	}
}

// fields lists the record's values in file order, with their names for
// failure messages. A list is written as "nil" or as [ "a" "b" ].
func (g *goldenRecord) fields() []struct {
	name string
	val  string
} {
	q := strconv.Quote
	list := func(l []string) string {
		if l == nil {
			return "nil"
		}
		var b strings.Builder
		b.WriteString("[")
		for _, s := range l {
			b.WriteString(" ")
			b.WriteString(q(s))
		}
		b.WriteString(" ]")
		return b.String()
	}
	return []struct {
		name string
		val  string
	}{
		{"Text", q(g.text)},
		{"Tokens", list(g.tokens)},
		{"NameTokens", list(g.nameTokens)},
		{"NameKey", q(g.nameKey)},
		{"SkeletonKey", q(g.skeletonKey)},
		{"ConsonantSkeleton(Text)", q(g.skelText)},
		{"ConsonantSkeleton(in)", q(g.skelRaw)},
		{"ConsonantSkeleton(Variants)", q(g.skelVariants)},
		{"Variants", list(g.variants)},
		{"FirstGiven", q(g.firstGiven)},
		{"FirstFamily", q(g.firstFamily)},
		{"LastFamily", q(g.lastFamily)},
	}
}

// line encodes g as one line of tab-separated fields: the quoted input
// first, then the values in the order of fields. Quoting escapes tabs,
// newlines and invalid UTF-8, so every input round-trips.
func (g *goldenRecord) line() string {
	parts := []string{strconv.Quote(g.in)}
	for _, f := range g.fields() {
		parts = append(parts, f.val)
	}
	return strings.Join(parts, "\t")
}

func TestEquivalence(t *testing.T) {
	if *updateGolden {
		writeGolden(t)
		return
	}
	lines := readGolden(t)
	if len(lines) < 5000 {
		t.Fatalf("golden file has only %d records", len(lines))
	}
	failures := 0
	for _, line := range lines {
		cols := strings.Split(line, "\t")
		in, err := strconv.Unquote(cols[0])
		if err != nil {
			t.Fatalf("bad golden line %q: %v", line, err)
		}
		g := computeGolden(in)
		fs := g.fields()
		if len(cols) != len(fs)+1 {
			t.Fatalf("golden line for %q has %d columns, want %d", in, len(cols), len(fs)+1)
		}
		for i, f := range fs {
			if f.val != cols[i+1] {
				failures++
				t.Errorf("%s(%q)\n got  %s\n want %s", f.name, in, f.val, cols[i+1])
			}
		}
		if failures > 20 {
			break
		}
	}
	if failures > 0 {
		t.Fatal("output differs from testdata/equivalence.golden.gz; if the change is meant, " +
			"regenerate it with: go test ./match/internal/normalize -run TestEquivalence -update")
	}
}

func readGolden(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(z)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// writeGolden recomputes the outputs for the inputs already in the golden
// file and for those of equivalenceCorpus that it lacks.
func writeGolden(t *testing.T) {
	var inputs []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			inputs = append(inputs, s)
		}
	}
	if _, err := os.Stat(goldenPath); err == nil {
		for _, l := range readGolden(t) {
			in, err := strconv.Unquote(strings.SplitN(l, "\t", 2)[0])
			if err != nil {
				t.Fatal(err)
			}
			add(in)
		}
	}
	for _, s := range equivalenceCorpus(t) {
		add(s)
	}
	if err := os.MkdirAll(filepath.Dir(goldenPath), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	z, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := bufio.NewWriter(z)
	fmt.Fprintln(w, "# Outputs of package normalize; see equivalence_test.go. Columns: input, then")
	g := computeGolden("")
	var names []string
	for _, f := range g.fields() {
		names = append(names, f.name)
	}
	fmt.Fprintf(w, "# %s\n", strings.Join(names, ", "))
	for _, in := range inputs {
		g := computeGolden(in)
		fmt.Fprintln(w, g.line())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d records to %s", len(inputs), goldenPath)
}

// equivalenceCorpus returns the inputs that -update adds: hand-picked
// names and traps, the string literals of the package's tests, the lines
// of -corpus with a mutated copy of each, and random strings.
func equivalenceCorpus(t *testing.T) []string {
	out := append([]string(nil), equivalenceNames...)
	out = append(out, fuzzSeeds...)
	out = append(out, testLiterals(t)...)
	if *corpusFile != "" {
		data, err := os.ReadFile(*corpusFile)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if l == "" {
				continue
			}
			out = append(out, l, mutate(l, 0))
		}
	}
	for _, s := range equivalenceNames {
		out = append(out, mutate(s, 0), mutate(mutate(s, 1), 2))
	}
	r := rand.New(rand.NewPCG(20240601, 7))
	for range 6000 {
		out = append(out, randomString(r))
	}
	// Lowercase ASCII words with the letters of ConsonantSkeleton's
	// digraphs over-represented.
	const skelLetters = "abcdeghijkoqstuwxyzhhhcccsssddzzkktpgyj"
	for range 4000 {
		n := 1 + r.IntN(12)
		var b strings.Builder
		for range n {
			b.WriteByte(skelLetters[r.IntN(len(skelLetters))])
		}
		out = append(out, b.String())
	}
	return out
}

// testLiterals returns the string literals of the package's other test
// files, which hold the inputs the tests were written around.
func testLiterals(t *testing.T) []string {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if name == "equivalence_test.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out = append(out, s)
				}
			}
			return true
		})
	}
	return out
}

// mutate applies one random edit of the kinds records show: case changes,
// decomposed letters, extra separators and marks, Latin look-alikes in
// Cyrillic, fullwidth forms, and stray characters from runePool. The edit
// depends only on s and k, so that regenerating the corpus gives the same
// inputs.
func mutate(s string, k uint64) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	r := rand.New(rand.NewPCG(h.Sum64(), k))
	rs := []rune(s)
	switch r.IntN(9) {
	case 0:
		return strings.ToUpper(s)
	case 1:
		return norm.NFD.String(s)
	case 2:
		return strings.ToLower(s) + " " + strings.ToTitle(s)
	case 3:
		ins := []rune("'’ʼ-‐–.,/ \t\u00ad\u200c\u200d\u0301\u0308\u0651\u0640ʹ")
		k := r.IntN(len(rs) + 1)
		rs = append(rs[:k], append([]rune{ins[r.IntN(len(ins))]}, rs[k:]...)...)
	case 4:
		// Cyrillic and Latin look-alikes swapped in either direction.
		const cyr, lat = "аеіосрхукмтАЕІОСРХУКМТ", "aeiocpxykmtAEIOCPXYKMT"
		cr, lr := []rune(cyr), []rune(lat)
		for i, c := range rs {
			if r.IntN(3) != 0 {
				continue
			}
			for j := range cr {
				switch c {
				case cr[j]:
					rs[i] = lr[j]
				case lr[j]:
					rs[i] = cr[j]
				}
			}
		}
	case 5:
		for i, c := range rs {
			if c > ' ' && c < 0x7f && r.IntN(2) == 0 {
				rs[i] = c - ' ' + 0xff00
			}
		}
	case 6:
		if len(rs) > 0 {
			rs[r.IntN(len(rs))] = runePool[r.IntN(len(runePool))]
		}
	case 7:
		b := []byte(s)
		if len(b) > 0 {
			b[r.IntN(len(b))] = byte(0x80 + r.IntN(0x80))
		}
		return string(b)
	case 8:
		var b strings.Builder
		for _, c := range rs {
			if unicode.IsLetter(c) && r.IntN(2) == 0 {
				c = unicode.ToUpper(c)
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	return string(rs)
}

// equivalenceNames are hand-picked inputs across the scripts and traps the
// package handles.
var equivalenceNames = []string{
	// Latin with diacritics and special letters.
	"Zoë Ångström", "José María García López", "François Lefèvre-Dupont", "Müller-Lüdenscheidt",
	"Straße STRAẞE", "Łukasz Wałęsa", "Þórunn Guðmundsdóttir", "Ærø Søren", "Œdipe", "Ĳsbrand",
	"İsmail Işık Gülşen Çelik Doğan", "Dvořák Šimon Žofie Řehoř", "Məmmədov Əli", "Đorđević Đuro",
	"Ştefan Ţiriac Ștefan Țiriac", "Ñúñez Niño", "Hämäläinen", "Øyvind Åsmund", "Ōsaka Ūta",
	"ǅorđe ǈiljana ǋegoš", "ﬁnn ﬀion", "ŉ ǰ ΐ", "Saint-Éxupéry", "Ŧeŋ Ħal ĸa", "Ɓello Ɗanjuma Ƙano",
	// Vietnamese.
	"Nguyễn Văn An", "Trần Thị Hoa", "Đặng Thị Hồng Nhung", "Phạm Minh Chính", "Lê Thị Ngọc Ánh",
	"Huỳnh Tấn Phát", "Võ Nguyên Giáp", "Ngô Đình Diệm", "Bùi Thị Xuân", "Dương Văn Minh",
	// Cyrillic: Ukrainian, Russian, Belarusian, Serbian, Bulgarian, Central Asian.
	"Олександр Коваленко", "Юлія Тимошенко", "Сергій Жадан", "Мар'яна Солов’ян", "Їжакевич Ґалаґан",
	"Євген Єнакієве", "Дмитрий Иванович Соколов", "Юлия Андреевна", "Фёдор Ёлкин", "Съедин Объедков",
	"Щукин Хасанов Цой", "Эльвира Ыкмакова", "Аляксандр Ўладзімір", "Ђорђе Петровић", "Џeмал Љиљана Његош",
	"Христо Стоянов", "Щерьо Ъглов", "Әсел Қасымов", "Нұрлан Өмірбек", "Пѣтръ Ѳеодоръ", "Алекса́ндр",
	"Сергiй", "Ивановa", "ОЛЕКСАНДР коваленко", "Зґурський Згода", "Наталья Ильинична", "Марьям",
	"Ганна", "Гаврило Принцип", "Ѓорѓи Ќосе Ѕвонко",
	// Greek.
	"Νίκος Παπαδόπουλος", "ΝΙΚΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", "Χρήστος Γιώργος", "Μπάμπης Ντίνος", "Άγγελος Γκίκας",
	"Ευάγγελος Ευθύμιος Μαύρος", "Αϊβαλιώτης", "Αλέξανδρος Ψαρράς", "Ἀθανάσιος ᾨδή", "Γιαννάκης Ευγενία",
	"Σπυρίδων Λαμπράκης", "Ξανθή Ζωή", "Ευστάθιος Ηυ", "Ουρανία Οικονόμου", "Υιός Γχ Γξ",
	// Arabic script, Persian and Urdu letters.
	"محمد", "مُحَمَّد", "ﻣﺤﻤﺪ", "عبد الله", "عبدالله", "الحسن", "عبد الرحمن الأحمد", "فاطمة الزهراء",
	"رضا پور", "ژاله", "گلناز", "چنگیز", "یوسف", "زینب", "ٹیپو", "ڈاکٹر", "بڑا", "ہمایوں", "ے", "علي", "عمر",
	"إسماعيل", "آمنة", "ؤ ئ ء", "خالد بن الوليد", "أبو بكر", "وحید", "ثريا", "ذكرى", "ظافر", "ضياء",
	"حي الشعار، بناء 81", "٢٠١١", "۲۰۱۱", "महेश ४५", "ـمحـمـد", "مح\u200cمد",
	// Mixed script, punctuation, digits, control characters.
	"Oleksandr Коваленко", "Ivan Иванов Νίκος محمد", "O'Brien", "O’Brien", "Oʼ Brien", "D‘Angelo",
	"N`Diaye D´Souza", "Anna‐Maria‑Luisa–Petra—Eva", "Smith, John (Jr.)", "Anna 2nd", "al-Hassan",
	"Abd al-Rahman", "Abdul Rahman", "Abdurrahman", "Mc Donald", "Mac Leod", "van der Berg", "de la Cruz",
	"a\u0301", "\u0301a", "\t\n\r\x00\x1f\x7f", "Ma\u00adria\u200dna", "\ufeffAnna", "Anna\u00a0Maria",
	"\xff\xfe", "\xc3", "Ann\xe2\x80a", "", " ", "-", "'", "''", "  Oleksandr   Kovalenko- ",
	"李小龍", "김민준", "さくら", "タナカ", "ｻｸﾗ", "ＭＡＲＩＡ", "ᏍᏣ", "ꮝꮳ", "İstanbul", "דוד",
	"Արամ", "राहुल", "𝐀𝔸", "①½™", "\U0001F600 Anna", "Ꭰ", "ǈ", "Σ ς σ", "ΣΑΣ", "ﬆ", "ẞ", "İİ",
	"Schmidt Schwarz Tschechow Djamal Dzhamal Jamal", "Muhammad Mohamed Mohammed Muhamed",
	"Xavier Maxx Quentin Wladimir Pawel Serhii Olha Ghassan Ghislaine Sarah Fatimah Abdullah",
	"Yakub Ivanoff Gonzalez Czesław Thompson Dhillon Phillip Zhukov Kharkiv Chekhov",
}
