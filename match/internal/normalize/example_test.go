package normalize_test

import (
	"fmt"

	"github.com/reunite-psi/reunite/match/internal/normalize"
)

func ExampleText() {
	fmt.Println(normalize.Text("Олександр Коваленко"))
	fmt.Println(normalize.Text("  José-María O’Brien "))
	fmt.Println(normalize.Text("Νίκος Παπαδόπουλος"))
	fmt.Println(normalize.Text("李小龍"))
	fmt.Println(normalize.Text("김민준"))
	// Output:
	// oleksandr kovalenko
	// jose maria o brien
	// nikos papadopoulos
	// li xiaolong
	// kim minjun
}

func ExampleNameKey() {
	fmt.Println(normalize.NameKey("Kovalenko Oleksandr"))
	fmt.Println(normalize.NameKey("oleksandr KOVALENKO"))
	fmt.Println(normalize.NameKey("al-Hassan"))
	fmt.Println(normalize.NameKey("O'Brien"))
	// Output:
	// kovalenko oleksandr
	// kovalenko oleksandr
	// hassan
	// obrien
}

func ExampleConsonantSkeleton() {
	for _, name := range []string{"Muhammad", "Mohamed", "محمد", "Anna", "Olena"} {
		fmt.Println(normalize.ConsonantSkeleton(normalize.Text(name)))
	}
	// Output:
	// mhmt
	// mhmt
	// mhmt
	// an
	// aln
}

func ExampleNameTokens() {
	for _, name := range []string{"陈秀英", "Chen Xiu-ying", "이서연", "Yi Seo-yeon", "Jean-Pierre"} {
		fmt.Println(normalize.NameTokens(name))
	}
	// Output:
	// [chen xiuying]
	// [chen xiuying]
	// [lee seoyeon]
	// [lee seoyeon]
	// [jean pierre]
}

func ExampleSurnameVariants() {
	fmt.Println(normalize.SurnameVariants("Chan"))
	fmt.Println(normalize.SurnameVariants("wong"))
	fmt.Println(normalize.SurnameVariants("lee"))
	fmt.Println(normalize.SurnameVariants("smith"))
	// Output:
	// [chen]
	// [huang wang]
	// [lee li]
	// []
}
