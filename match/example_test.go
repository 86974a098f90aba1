package match_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/reunite-psi/reunite/match"
)

func ExampleReadCSV() {
	const file = `id,given_names,family_names,birth_date,sex,aliases
UA-1,Олександр,Коваленко,2011-03-04,M,Aleksandr Kovalenko
UA-2,Марія,Коваленко,2013,F,
`
	records, _, err := match.ReadCSV(strings.NewReader(file), "agency-a.csv", match.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range records {
		fmt.Printf("%s %s %s born %s (known to the %s) %s %q\n",
			r.ID, r.GivenNames, r.FamilyNames, r.BirthDate, r.BirthDate.Precision(), r.Sex, r.Aliases)
	}
	// Output:
	// UA-1 Олександр Коваленко born 2011-03-04 (known to the day) M ["Aleksandr Kovalenko"]
	// UA-2 Марія Коваленко born 2013 (known to the year) F []
}

// In strict mode the first problem ends the read. The error locates it by
// file, line and column, and never repeats the value.
func ExampleReadCSV_strict() {
	const file = "id,given_names,birth_date\nA-1,Olena,2011-13-01\n"
	_, _, err := match.ReadCSV(strings.NewReader(file), "agency-a.csv", match.ReadOptions{})
	fmt.Println(err)
	fmt.Println(errors.Is(err, match.ErrBadDate))
	// Output:
	// agency-a.csv:2:3: birth_date: invalid date: month out of range
	// true
}

// In lenient mode bad fields are dropped and bad rows skipped, and the report
// lists each of them.
func ExampleReadCSV_lenient() {
	const file = `id,given_names,birth_date
A-1,Olena,2011-02-30
A-2,,
A-1,Petro,2012
A-3,Ivan,2010-05
`
	records, report, err := match.ReadCSV(strings.NewReader(file), "agency-a.csv", match.ReadOptions{Lenient: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range records {
		fmt.Printf("kept %s %s %q\n", r.ID, r.GivenNames, r.BirthDate)
	}
	for _, issue := range report.Skipped {
		fmt.Println(issue)
	}
	// Output:
	// kept A-1 Olena ""
	// kept A-3 Ivan "2010-05"
	// agency-a.csv:2:3: birth_date: invalid date: day out of range (field dropped)
	// agency-a.csv:3: no usable field besides id (row skipped)
	// agency-a.csv:4:1: id: duplicate id (first on line 2) (row skipped)
}

func ExampleReadJSONL() {
	const file = `{"id":"GR-17","given_names":"Ελένη","family_names":"Παπαδοπούλου","birth_date":"2009-11","nationality":"grc"}
{"id":"SY-42","given_names":"محمد","parent_names":"فاطمة الأحمد; أحمد الأحمد"}
`
	records, _, err := match.ReadJSONL(strings.NewReader(file), "agency-b.jsonl", match.ReadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range records {
		fmt.Printf("%s: born %q, nationality %q, %d parent names\n", r.ID, r.BirthDate, r.Nationality, len(r.ParentNames))
	}
	// Output:
	// GR-17: born "2009-11", nationality "GRC", 0 parent names
	// SY-42: born "", nationality "", 2 parent names
}

func ExampleParseDate() {
	for _, s := range []string{"2011-03-04", "2011-03", "2011", "", "2023-02-30"} {
		d, err := match.ParseDate(s)
		fmt.Printf("%q %s %v\n", d, d.Precision(), err)
	}
	// Output:
	// "2011-03-04" day <nil>
	// "2011-03" month <nil>
	// "2011" year <nil>
	// "" none <nil>
	// "" none match: invalid date: day out of range
}

// ExampleParty links two agencies' records through the record-pseudonym
// protocol. A plain intersection of the two sets stands in for the
// private one (package psi; reunite.Match runs both): each side learns
// which of its elements the other holds, with the other's payloads.
func ExampleParty() {
	rs := match.DefaultRules()
	a := []match.Record{
		{ID: "UA-1", GivenNames: "Олександр", FamilyNames: "Коваленко", BirthDate: match.Date{Year: 2011, Month: 3, Day: 4}, BirthPlace: "Харків"},
		{ID: "UA-2", GivenNames: "Марія", FamilyNames: "Коваленко", BirthDate: match.Date{Year: 2013}},
	}
	b := []match.Record{
		{ID: "PL-7", GivenNames: "Oleksandr", FamilyNames: "KOVALENKO", BirthDate: match.Date{Year: 2011, Month: 4, Day: 3}, BirthPlace: "Kharkiv"},
	}
	// Pseudonyms are fresh and random per session (reunite.Match draws
	// them from crypto/rand); fixed here for the example.
	partyA, err := match.NewParty(a, rs, []uint32{0x1111, 0x2222})
	if err != nil {
		fmt.Println(err)
		return
	}
	partyB, err := match.NewParty(b, rs, []uint32{0x7777})
	if err != nil {
		fmt.Println(err)
		return
	}
	held := map[string][]byte{}
	for i, e := range partyB.Elements {
		held[string(e)] = partyB.Payloads[i]
	}
	var shared []match.SharedElement
	for i, e := range partyA.Elements {
		if p, ok := held[string(e)]; ok {
			shared = append(shared, match.SharedElement{Index: i, PeerPayload: p})
		}
	}
	// The model is learned from the session's own candidate pairs; with
	// three records it has almost nothing to learn from and leans on its
	// priors, so the probability is modest. In files of thousands,
	// bench/ reports how well it is calibrated on each noise model.
	for _, l := range partyA.Link(shared, 0.5).Links {
		fmt.Printf("%s ↔ peer record %#x: %.2f %v\n", a[l.Record].ID, l.Peer, l.Score, l.Evidence)
	}
	// Output:
	// UA-1 ↔ peer record 0x7777: 0.71 [given=exact family=exact date=swapped birth-place=same]
}
