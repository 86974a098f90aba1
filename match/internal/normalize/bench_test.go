package normalize

import "testing"

// benchRecords are the name fields of typical records: most are ASCII,
// a realistic share are Cyrillic, Greek, Arabic or carry diacritics.
var benchRecords = [][2]string{
	{"Oleksandr", "Kovalenko"},
	{"Олександр", "Коваленко"},
	{"Maria José", "García López"},
	{"Mohamed", "al-Hassan"},
	{"محمد", "الحسن"},
	{"Νίκος", "Παπαδόπουλος"},
	{"Anna", "Müller"},
	{"Юлія", "Шевченко"},
	{"John", "O'Brien"},
	{"Nguyễn Văn", "An"},
}

// BenchmarkText normalizes one name field per iteration.
func BenchmarkText(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := benchRecords[i%len(benchRecords)]
		Text(r[i/len(benchRecords)%2])
	}
}

// BenchmarkRecordNames does the normalization a key rule needs for one
// record's names: Text of both fields, the name key, the first given and
// family names and the skeleton key. The target is 10^5 records per
// second per core, i.e. at most 10µs per iteration.
func BenchmarkRecordNames(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := benchRecords[i%len(benchRecords)]
		Text(r[0])
		Text(r[1])
		NameKey(r[0] + " " + r[1])
		FirstGiven(r[0])
		FirstFamily(r[1])
		SkeletonKey(r[0] + " " + r[1])
	}
}

func BenchmarkVariants(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r := benchRecords[i%len(benchRecords)]
		Variants(r[0] + " " + r[1])
	}
}

func BenchmarkConsonantSkeleton(b *testing.B) {
	toks := []string{"muhammad", "oleksandr", "kovalenko", "papadopoulos", "schmidt"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ConsonantSkeleton(toks[i%len(toks)])
	}
}
