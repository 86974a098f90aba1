package normalize

import "testing"

// scriptNames are name fields as the cross-border records hold them, one
// script per group, for measuring each path of Text on its own.
var scriptNames = []struct {
	script string
	names  []string
}{
	{"ascii", []string{"Oleksandr Kovalenko", "Maria Garcia Lopez", "John O'Brien", "Fadumo Hassan Abdi"}},
	{"latin", []string{"José García López", "Anna Müller", "Łukasz Wałęsa", "François Lefèvre-Dupont"}},
	{"vietnamese", []string{"Nguyễn Văn An", "Trần Thị Hoa", "Đặng Thị Hồng Nhung", "Phạm Minh Chính"}},
	{"cyrillic", []string{"Олександр Коваленко", "Юлія Шевченко", "Дмитрий Иванович Соколов", "Харченко Ілля Андрійович"}},
	{"greek", []string{"Νίκος Παπαδόπουλος", "Χρήστος Γιώργος", "Ιφιγένεια", "Ευάγγελος Μαύρος"}},
	{"arabic", []string{"محمد الحسن", "عبد الرحمن الأحمد", "فاطمة الزهراء", "رضا پور"}},
	{"han", []string{"陈秀英", "张伟", "欧阳娜娜", "黃志明"}},
	{"hangul", []string{"김민준", "이서연", "박지훈", "남궁민"}},
	{"hyphenated", []string{"Chen Xiu-ying", "Kim Min-jun", "Jean-Pierre Dupont", "Yi Seo-yeon"}},
}

func BenchmarkTextScripts(b *testing.B) {
	for _, g := range scriptNames {
		b.Run(g.script, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				Text(g.names[i%len(g.names)])
			}
		})
	}
}

// BenchmarkNameKeys does what match's key derivation asks of the package
// for one name field: its name tokens, its skeleton key (as for a parent's
// name) and the skeleton of each token.
func BenchmarkNameKeys(b *testing.B) {
	for _, g := range scriptNames {
		b.Run(g.script, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				s := g.names[i%len(g.names)]
				for _, t := range NameTokens(s) {
					ConsonantSkeleton(t)
				}
				SkeletonKey(s)
			}
		})
	}
}
