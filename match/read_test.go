package match_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/reunite-psi/reunite/match"
)

// goodRecords is what testdata/records/good.csv and good.jsonl hold.
var goodRecords = []match.Record{
	{
		ID:             "UA-2023-0001",
		GivenNames:     "Олександр",
		FamilyNames:    "Коваленко",
		BirthDate:      match.Date{Year: 2011, Month: 3, Day: 4},
		Sex:            match.SexMale,
		Nationality:    "UA",
		BirthPlace:     "Харків",
		Aliases:        []string{"Aleksandr Kovalenko", "Oleksandr Kovalenko"},
		ParentNames:    []string{"Олена Коваленко", "Петро Коваленко"},
		DocumentNumber: "FA123456",
		Address:        "вул. Сумська, 10, кв. 5",
		Locality:       "Харків",
		Postcode:       "61000",
	},
	{
		ID:          "GR-17",
		GivenNames:  "Ελένη Μαρία",
		FamilyNames: "Παπαδοπούλου",
		BirthDate:   match.Date{Year: 2009, Month: 11},
		Sex:         match.SexFemale,
		Nationality: "GRC",
		BirthPlace:  "Θεσσαλονίκη",
		Aliases:     []string{"Eleni Papadopoulou"},
		Address:     "Οδός Εγνατίας 5\nΔιαμέρισμα 3",
		Locality:    "Θεσσαλονίκη",
		Postcode:    "546 30",
	},
	{
		ID:          "SY-0042",
		GivenNames:  "محمد",
		FamilyNames: "الأحمد",
		BirthDate:   match.Date{Year: 2013},
		Sex:         match.SexMale,
		Nationality: "SY",
		BirthPlace:  "حلب",
		Aliases:     []string{"Mohamed Al-Ahmad", "Muhammad Alahmad"},
		ParentNames: []string{"فاطمة الأحمد"},
	},
	{
		ID:          "X-4",
		GivenNames:  "Anna-Lena",
		FamilyNames: "O'Brien",
		Sex:         match.SexX,
		Nationality: "DE",
		Address:     `12 "Old Mill" Lane`,
		Locality:    "Cork",
	},
	{ID: "FR-5", DocumentNumber: "09AB12345"},
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "records", name))
	require.NoError(t, err)
	return b
}

func TestReadFileFixtures(t *testing.T) {
	for _, name := range []string{"good.csv", "good.jsonl"} {
		t.Run(name, func(t *testing.T) {
			for _, lenient := range []bool{false, true} {
				recs, rep, err := match.ReadFile(filepath.Join("testdata", "records", name), match.ReadOptions{Lenient: lenient})
				require.NoError(t, err)
				require.NotNil(t, rep)
				assert.Empty(t, rep.Skipped)
				assert.Equal(t, goodRecords, recs)
			}
		})
	}
}

func TestReadFileType(t *testing.T) {
	dir := t.TempDir()
	good := readFixture(t, "good.csv")
	for _, name := range []string{"upper.CSV", "records.ndjson"} {
		content := good
		if strings.HasSuffix(name, ".ndjson") {
			content = readFixture(t, "good.jsonl")
		}
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, content, 0o600))
		recs, _, err := match.ReadFile(path, match.ReadOptions{})
		require.NoError(t, err, name)
		assert.Equal(t, goodRecords, recs, name)
	}

	path := filepath.Join(dir, "records.txt")
	require.NoError(t, os.WriteFile(path, good, 0o600))
	_, _, err := match.ReadFile(path, match.ReadOptions{})
	assert.ErrorIs(t, err, match.ErrFileType)

	_, _, err = match.ReadFile(filepath.Join(dir, "absent.csv"), match.ReadOptions{})
	assert.ErrorIs(t, err, os.ErrNotExist)

	// The name a problem is reported under is the path as given.
	path = filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(path, []byte("id,birth_date\n1,2011-13-01\n"), 0o600))
	_, _, err = match.ReadFile(path, match.ReadOptions{})
	assert.EqualError(t, err, path+":2:2: birth_date: invalid date: month out of range")
}

// contractColumns is the full header of the record contract, in its own order.
var contractColumns = []string{
	"id", "given_names", "family_names", "birth_date", "sex", "nationality",
	"birth_place", "aliases", "parent_names", "document_number",
	"address", "locality", "postcode",
}

func recordFields(r match.Record) []string {
	return []string{
		r.ID, r.GivenNames, r.FamilyNames, r.BirthDate.String(), r.Sex.String(),
		r.Nationality, r.BirthPlace, strings.Join(r.Aliases, ";"),
		strings.Join(r.ParentNames, ";"), r.DocumentNumber,
		r.Address, r.Locality, r.Postcode,
	}
}

// writeCSV writes records in the record CSV contract.
func writeCSV(t testing.TB, recs []match.Record) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	require.NoError(t, w.Write(contractColumns))
	for _, r := range recs {
		require.NoError(t, w.Write(recordFields(r)))
	}
	w.Flush()
	require.NoError(t, w.Error())
	return buf.Bytes()
}

// writeJSONL writes records in the record JSON Lines contract, leaving out
// empty members.
func writeJSONL(t testing.TB, recs []match.Record) []byte {
	var buf bytes.Buffer
	for _, r := range recs {
		obj := make(map[string]string)
		for i, v := range recordFields(r) {
			if v != "" {
				obj[contractColumns[i]] = v
			}
		}
		line, err := json.Marshal(obj)
		require.NoError(t, err)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

func TestReadRoundTrip(t *testing.T) {
	recs, _, err := match.ReadCSV(bytes.NewReader(writeCSV(t, goodRecords)), "out.csv", match.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, goodRecords, recs)

	recs, _, err = match.ReadJSONL(bytes.NewReader(writeJSONL(t, goodRecords)), "out.jsonl", match.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, goodRecords, recs)
}

func TestReadLineEndingsAndBOM(t *testing.T) {
	const bom = "\uFEFF"
	crlf := func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")) }
	goodCSV := readFixture(t, "good.csv")
	goodJSONL := readFixture(t, "good.jsonl")
	for _, tc := range []struct {
		name string
		read func(io.Reader, string, match.ReadOptions) ([]match.Record, *match.ReadReport, error)
		in   []byte
	}{
		{"csv bom", match.ReadCSV, append([]byte(bom), goodCSV...)},
		{"csv crlf", match.ReadCSV, crlf(goodCSV)},
		{"csv bom crlf", match.ReadCSV, append([]byte(bom), crlf(goodCSV)...)},
		{"csv no final newline", match.ReadCSV, bytes.TrimSuffix(goodCSV, []byte("\n"))},
		{"jsonl bom", match.ReadJSONL, append([]byte(bom), goodJSONL...)},
		{"jsonl crlf", match.ReadJSONL, crlf(goodJSONL)},
		{"jsonl no final newline", match.ReadJSONL, bytes.TrimSuffix(goodJSONL, []byte("\n"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, _, err := tc.read(bytes.NewReader(tc.in), "in", match.ReadOptions{})
			require.NoError(t, err)
			// A CRLF inside a quoted CSV field reads as LF, so the fixtures
			// read the same either way.
			assert.Equal(t, goodRecords, recs)
		})
	}

	// A BOM only counts at the start of the file.
	_, _, err := match.ReadCSV(strings.NewReader("id,given_names\n"+bom+"1,a\n"), "in.csv", match.ReadOptions{})
	require.NoError(t, err)
	_, _, err = match.ReadCSV(strings.NewReader(bom+bom+"id,given_names\n1,a\n"), "in.csv", match.ReadOptions{})
	assert.ErrorIs(t, err, match.ErrUnknownColumn)
}

func TestReadCSVQuotingAndLines(t *testing.T) {
	in := "id,given_names,family_names,birth_date\n" + // line 1
		"1,\"Olena\nMaria\",\"Koval, Jr\",2011-03-04\n" + // lines 2-3
		"\n" + // line 4, blank
		"2,\"a\r\nb\r\n\",\"x\"\"y\",2023-02-30\r\n" + // lines 5-7
		"3,\" Ivan \",,2011\n" + // line 8
		"4,\"Petro,,2011\n" + // line 9, never closed
		"5,Anna,,2011\n" // line 10, swallowed by line 9
	recs, rep, err := match.ReadCSV(strings.NewReader(in), "q.csv", match.ReadOptions{Lenient: true})
	require.NoError(t, err)
	assert.Equal(t, []match.Record{
		{ID: "1", GivenNames: "Olena\nMaria", FamilyNames: "Koval, Jr", BirthDate: match.Date{Year: 2011, Month: 3, Day: 4}},
		{ID: "2", GivenNames: "a\nb\n", FamilyNames: `x"y`},
		{ID: "3", GivenNames: "Ivan", BirthDate: match.Date{Year: 2011}},
	}, recs)
	require.Len(t, rep.Skipped, 2)
	assert.Equal(t, match.Issue{File: "q.csv", Line: 5, Column: 4, Field: "birth_date",
		Reason: "invalid date: day out of range", Err: match.ErrBadDate}, rep.Skipped[0])
	assert.Equal(t, match.Issue{File: "q.csv", Line: 9, Row: true,
		Reason: `extraneous or missing " in quoted field (row runs to line 10)`, Err: match.ErrMalformed}, rep.Skipped[1])

	_, _, err = match.ReadCSV(strings.NewReader(in), "q.csv", match.ReadOptions{})
	assert.EqualError(t, err, "q.csv:5:4: birth_date: invalid date: day out of range")

	// Commas inside quotes are not separators, so they do not count
	// towards MaxColumns, nor do escaped quotes throw the count off.
	commas := strings.Repeat(",", 4*match.MaxColumns)
	in = "id,given_names,address\n1,\"\"\"" + commas + "\"\"\",\"\n" + commas + "\"\n"
	recs, _, err = match.ReadCSV(strings.NewReader(in), "q.csv", match.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, []match.Record{{ID: "1", GivenNames: `"` + commas + `"`, Address: "\n" + commas}}, recs)
}

// wantIssue is the part of a match.Issue a bad-input case pins down.
type wantIssue struct {
	line, col int
	field     string
	row       bool
	err       error
}

// badCase is one bad input. In lenient mode it must yield exactly the
// issues in want and keep the records with the IDs in keep; in strict mode
// it must fail on want[0]. A fatal case fails on want[0] in both modes.
type badCase struct {
	name   string
	in     string
	want   []wantIssue
	keep   []string
	fatal  bool
	secret string // a value from the input that no message may repeat
}

const badCSVHeader = "id,given_names,family_names,birth_date,sex,nationality,aliases\n"

func csvBadCases() []badCase {
	long := strings.Repeat("я", match.MaxFieldBytes/2+1)
	return []badCase{
		{name: "unknown column", in: "id,given_names,surname\n1,Olena,Koval\n",
			want: []wantIssue{{1, 3, "", false, match.ErrUnknownColumn}}, fatal: true, secret: "surname"},
		{name: "no header row", in: "A-17,Olena,Kovalenko,2011-03-04\n",
			want: []wantIssue{{1, 1, "", false, match.ErrUnknownColumn}}, fatal: true, secret: "Olena"},
		{name: "header after blank lines", in: "\n\nid,given_names,Olena\n",
			want: []wantIssue{{3, 3, "", false, match.ErrUnknownColumn}}, fatal: true, secret: "Olena"},
		{name: "missing id column", in: "given_names,family_names\nOlena,Kovalenko\n",
			want: []wantIssue{{1, 0, "id", false, match.ErrMissingColumn}}, fatal: true, secret: "Olena"},
		{name: "empty file", in: "",
			want: []wantIssue{{0, 0, "id", false, match.ErrMissingColumn}}, fatal: true},
		{name: "duplicate column", in: "id,given_names,given_names\n1,Olena,Olga\n",
			want: []wantIssue{{1, 3, "given_names", false, match.ErrDuplicateColumn}}, fatal: true, secret: "Olga"},
		{name: "invalid UTF-8 in header", in: "id,given_\xffnames\n1,Olena\n",
			want: []wantIssue{{1, 2, "", false, match.ErrInvalidUTF8}}, fatal: true, secret: "\xff"},
		{name: "bad quoting in header", in: "id,\"given_names\n1,Olena\n",
			want: []wantIssue{{1, 0, "", false, match.ErrMalformed}}, fatal: true, secret: "Olena"},
		{name: "too many columns", in: strings.Repeat("id,", match.MaxColumns) + "id\n",
			want: []wantIssue{{1, 0, "", false, match.ErrTooLarge}}, fatal: true},
		{name: "row with too many fields", in: badCSVHeader + "1,Olena,,,,,\n2" + strings.Repeat(",Olena", match.MaxColumns) + "\n",
			want: []wantIssue{{3, 0, "", false, match.ErrTooLarge}}, fatal: true, secret: "Olena"},

		{name: "duplicate id", in: badCSVHeader + "A-17,Olena,,,,,\nA-17,Petro,,,,,\nB-2,Ivan,,,,,\n",
			want: []wantIssue{{3, 1, "id", true, match.ErrDuplicateID}}, keep: []string{"A-17", "B-2"}, secret: "A-17"},
		{name: "duplicate id after trimming", in: badCSVHeader + "A-17,Olena,,,,,\n\" A-17\t\",Petro,,,,,\n",
			want: []wantIssue{{3, 1, "id", true, match.ErrDuplicateID}}, keep: []string{"A-17"}, secret: "A-17"},
		{name: "duplicate of a skipped row", in: badCSVHeader + "A-17,,,,,,\nA-17,Olena,,,,,\n",
			want: []wantIssue{{2, 0, "", true, match.ErrEmptyRecord}, {3, 1, "id", true, match.ErrDuplicateID}}, secret: "A-17"},
		{name: "missing id", in: badCSVHeader + ",Olena,,,,,\nB-2,Ivan,,,,,\n",
			want: []wantIssue{{2, 1, "id", true, match.ErrMissingID}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "blank id", in: badCSVHeader + "\"  \",Olena,,,,,\n",
			want: []wantIssue{{2, 1, "id", true, match.ErrMissingID}}, secret: "Olena"},
		{name: "id checked first", in: "given_names,birth_date,id\nOlena,2023-02-30,\n",
			want: []wantIssue{{2, 3, "id", true, match.ErrMissingID}}, secret: "2023-02-30"},
		{name: "no such day", in: badCSVHeader + "1,Olena,Koval,2023-02-30,,,\n",
			want: []wantIssue{{2, 4, "birth_date", false, match.ErrBadDate}}, keep: []string{"1"}, secret: "2023-02-30"},
		{name: "no such month", in: badCSVHeader + "1,Olena,Koval,2023-13-01,,,\n",
			want: []wantIssue{{2, 4, "birth_date", false, match.ErrBadDate}}, keep: []string{"1"}, secret: "2023-13-01"},
		{name: "year out of range", in: badCSVHeader + "1,Olena,Koval,1899-12-31,,,\n",
			want: []wantIssue{{2, 4, "birth_date", false, match.ErrBadDate}}, keep: []string{"1"}, secret: "1899"},
		{name: "date in another shape", in: badCSVHeader + "1,Olena,Koval,04.03.2011,,,\n",
			want: []wantIssue{{2, 4, "birth_date", false, match.ErrBadDate}}, keep: []string{"1"}, secret: "04.03.2011"},
		{name: "bad sex", in: badCSVHeader + "1,Olena,Koval,,female,,\n",
			want: []wantIssue{{2, 5, "sex", false, match.ErrBadSex}}, keep: []string{"1"}, secret: "female"},
		{name: "nationality as name", in: badCSVHeader + "1,Olena,Koval,,,Ukraine,\n",
			want: []wantIssue{{2, 6, "nationality", false, match.ErrBadNationality}}, keep: []string{"1"}, secret: "Ukraine"},
		{name: "nationality with digit", in: badCSVHeader + "1,Olena,Koval,,,U4,\n",
			want: []wantIssue{{2, 6, "nationality", false, match.ErrBadNationality}}, keep: []string{"1"}, secret: "U4"},
		{name: "every field bad", in: badCSVHeader + "1,Olena,Koval,2023-02-30,female,Ukraine,\n",
			want: []wantIssue{
				{2, 4, "birth_date", false, match.ErrBadDate},
				{2, 5, "sex", false, match.ErrBadSex},
				{2, 6, "nationality", false, match.ErrBadNationality},
			}, keep: []string{"1"}, secret: "Ukraine"},
		{name: "invalid UTF-8", in: badCSVHeader + "1,Ol\xffna,Koval,,,,\n",
			want: []wantIssue{{2, 2, "given_names", false, match.ErrInvalidUTF8}}, keep: []string{"1"}, secret: "Ol\xffna"},
		{name: "invalid UTF-8 in id", in: badCSVHeader + "\xff1,Olena,,,,,\nB-2,Ivan,,,,,\n",
			want: []wantIssue{{2, 1, "id", true, match.ErrInvalidUTF8}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "empty record", in: badCSVHeader + "1,,,,,,\n2, ,\t,,,, ; \n3,Ivan,,,,,\n",
			want: []wantIssue{{2, 0, "", true, match.ErrEmptyRecord}, {3, 0, "", true, match.ErrEmptyRecord}}, keep: []string{"3"}},
		{name: "empty once bad field dropped", in: badCSVHeader + "1,,,2023-02-30,,,\n",
			want: []wantIssue{{2, 4, "birth_date", false, match.ErrBadDate}, {2, 0, "", true, match.ErrEmptyRecord}}, secret: "2023-02-30"},
		{name: "too many fields", in: badCSVHeader + "1,Olena,Koval,,,,,Secret\n2,Ivan,,,,,\n",
			want: []wantIssue{{2, 0, "", true, match.ErrMalformed}}, keep: []string{"2"}, secret: "Secret"},
		{name: "as many fields as allowed", in: badCSVHeader + "1" + strings.Repeat(",Olena", match.MaxColumns-1) + "\n2,Ivan,,,,,\n",
			want: []wantIssue{{2, 0, "", true, match.ErrMalformed}}, keep: []string{"2"}, secret: "Olena"},
		{name: "too few fields", in: badCSVHeader + "1,Olena\n2,Ivan,,,,,\n",
			want: []wantIssue{{2, 0, "", true, match.ErrMalformed}}, keep: []string{"2"}, secret: "Olena"},
		{name: "bare quote", in: badCSVHeader + "1,Ol\"ena,,,,,\n2,Ivan,,,,,\n",
			want: []wantIssue{{2, 0, "", true, match.ErrMalformed}}, keep: []string{"2"}, secret: "Ol\"ena"},
		{name: "text after closing quote", in: badCSVHeader + "1,\"Ol\"ena,,,,,\n2,Ivan,,,,,\n",
			want: []wantIssue{{2, 0, "", true, match.ErrMalformed}}, keep: []string{"2"}, secret: "ena"},
		{name: "quote never closed", in: badCSVHeader + "1,Ivan,,,,,\n2,\"Olena,,,,,\n3,Petro,,,,,\n",
			want: []wantIssue{{3, 0, "", true, match.ErrMalformed}}, keep: []string{"1"}, secret: "Petro"},
		{name: "field too long", in: badCSVHeader + "1," + long + ",Koval,,,,\n",
			want: []wantIssue{{2, 2, "given_names", false, match.ErrTooLarge}}, keep: []string{"1"}, secret: "яяя"},
		{name: "id too long", in: badCSVHeader + long + ",Olena,,,,,\n2,Ivan,,,,,\n",
			want: []wantIssue{{2, 1, "id", true, match.ErrTooLarge}}, keep: []string{"2"}, secret: "яяя"},
	}
}

func jsonlBadCases() []badCase {
	long := strings.Repeat("я", match.MaxFieldBytes/2+1)
	const ivan = `{"id":"B-2","given_names":"Ivan"}` + "\n"
	return []badCase{
		{name: "invalid JSON", in: `{"id":"1","given_names":"Olena"` + "\n" + ivan,
			want: []wantIssue{{1, 0, "", true, match.ErrMalformed}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "trailing comma", in: `{"id":"1","given_names":"Olena",}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "", true, match.ErrMalformed}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "not an object", in: `["1","Olena"]` + "\n" + ivan,
			want: []wantIssue{{1, 0, "", true, match.ErrMalformed}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "bare string", in: `"Olena"` + "\n" + ivan,
			want: []wantIssue{{1, 0, "", true, match.ErrMalformed}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "unknown field", in: `{"id":"1","given_names":"Ivan","surname":"Koval"}` + "\n",
			want: []wantIssue{{1, 0, "", true, match.ErrMalformed}}, secret: "surname"},
		{name: "duplicate field", in: `{"id":"1","given_names":"Olena","given_names":"Olga"}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "given_names", true, match.ErrMalformed}}, keep: []string{"B-2"}, secret: "Olga"},
		{name: "number value", in: `{"id":17,"given_names":"Olena"}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "id", true, match.ErrMalformed}}, keep: []string{"B-2"}, secret: "17"},
		{name: "null value", in: `{"id":"1","given_names":null}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "given_names", true, match.ErrMalformed}}, keep: []string{"B-2"}},
		{name: "array value", in: `{"id":"1","aliases":["Olena K"]}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "aliases", true, match.ErrMalformed}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "data after object", in: `{"id":"1","given_names":"Olena"} {"id":"Secret"}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "", true, match.ErrMalformed}}, keep: []string{"B-2"}, secret: "Secret"},
		{name: "duplicate id", in: `{"id":"B-2","given_names":"Olena"}` + "\n\n" + ivan,
			want: []wantIssue{{3, 0, "id", true, match.ErrDuplicateID}}, keep: []string{"B-2"}, secret: "B-2"},
		{name: "no id", in: `{"given_names":"Olena"}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "id", true, match.ErrMissingID}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "empty id", in: `{"id":" ","given_names":"Olena"}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "id", true, match.ErrMissingID}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "bad date", in: "\r\n" + `{"id":"1","given_names":"Olena","birth_date":"2023-02-30"}` + "\n",
			want: []wantIssue{{2, 0, "birth_date", false, match.ErrBadDate}}, keep: []string{"1"}, secret: "2023-02-30"},
		{name: "bad sex", in: `{"id":"1","given_names":"Olena","sex":"female"}` + "\n",
			want: []wantIssue{{1, 0, "sex", false, match.ErrBadSex}}, keep: []string{"1"}, secret: "female"},
		{name: "bad nationality", in: `{"id":"1","given_names":"Olena","nationality":"Ukraine"}` + "\n",
			want: []wantIssue{{1, 0, "nationality", false, match.ErrBadNationality}}, keep: []string{"1"}, secret: "Ukraine"},
		{name: "invalid UTF-8", in: `{"id":"1","given_names":"Ol` + "\xff" + `na","family_names":"Koval"}` + "\n",
			want: []wantIssue{{1, 0, "given_names", false, match.ErrInvalidUTF8}}, keep: []string{"1"}, secret: "Ol\xffna"},
		{name: "unpaired high surrogate", in: `{"id":"1","given_names":"Ol\ud800na","family_names":"Koval"}` + "\n",
			want: []wantIssue{{1, 0, "given_names", false, match.ErrInvalidUTF8}}, keep: []string{"1"}, secret: "Ol"},
		{name: "surrogates reversed", in: `{"id":"1","given_names":"\udc00\ud800","family_names":"Koval"}` + "\n",
			want: []wantIssue{{1, 0, "given_names", false, match.ErrInvalidUTF8}}, keep: []string{"1"}},
		{name: "invalid UTF-8 in id", in: `{"id":"` + "\xff" + `1","given_names":"Olena"}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "id", true, match.ErrInvalidUTF8}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "invalid UTF-8 in name", in: `{"id":"1","` + "\xff" + `":"Olena"}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "", true, match.ErrInvalidUTF8}}, keep: []string{"B-2"}, secret: "Olena"},
		{name: "empty record", in: `{"id":"1"}` + "\n" + `{"id":"2","given_names":" ","aliases":";"}` + "\n" + ivan,
			want: []wantIssue{{1, 0, "", true, match.ErrEmptyRecord}, {2, 0, "", true, match.ErrEmptyRecord}}, keep: []string{"B-2"}},
		{name: "field too long", in: `{"id":"1","given_names":"` + long + `","family_names":"Koval"}` + "\n",
			want: []wantIssue{{1, 0, "given_names", false, match.ErrTooLarge}}, keep: []string{"1"}, secret: "яяя"},
	}
}

func TestReadCSVBad(t *testing.T) {
	runBadCases(t, "records.csv", match.ReadCSV, csvBadCases())
}

func TestReadJSONLBad(t *testing.T) {
	runBadCases(t, "records.jsonl", match.ReadJSONL, jsonlBadCases())
}

func runBadCases(t *testing.T, file string, read func(io.Reader, string, match.ReadOptions) ([]match.Record, *match.ReadReport, error), cases []badCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NotEmpty(t, tc.want)
			first := tc.want[0]

			recs, rep, err := read(strings.NewReader(tc.in), file, match.ReadOptions{})
			assert.Nil(t, recs)
			assert.Nil(t, rep)
			require.ErrorIs(t, err, first.err)
			var pe *match.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, wantIssue{first.line, first.col, first.field, first.row, first.err},
				wantIssue{pe.Line, pe.Column, pe.Field, first.row, errors.Unwrap(pe)})
			assert.Equal(t, file, pe.File)
			assert.NotEmpty(t, pe.Reason)
			assert.True(t, strings.HasPrefix(err.Error(), file), err.Error())
			if tc.secret != "" {
				assert.NotContains(t, err.Error(), tc.secret)
			}

			recs, rep, lerr := read(strings.NewReader(tc.in), file, match.ReadOptions{Lenient: true})
			if tc.fatal {
				assert.Nil(t, recs)
				require.Error(t, lerr)
				assert.Equal(t, err.Error(), lerr.Error())
				return
			}
			require.NoError(t, lerr)
			var got []wantIssue
			for _, is := range rep.Skipped {
				got = append(got, wantIssue{is.Line, is.Column, is.Field, is.Row, is.Err})
				assert.Equal(t, file, is.File)
				assert.NotEmpty(t, is.Reason)
				if tc.secret != "" {
					assert.NotContains(t, is.String(), tc.secret)
				}
			}
			assert.Equal(t, tc.want, got)
			var ids []string
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
			assert.Equal(t, tc.keep, ids)
		})
	}
}

// repeated yields unit over and over, n bytes in all.
type repeated struct {
	unit []byte
	off  int
	n    int
}

func (r *repeated) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n)]
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.unit[r.off:])
		n += c
		r.off = (r.off + c) % len(r.unit)
	}
	r.n -= n
	return n, nil
}

// skipHuge skips tests that read rows of MaxRowBytes in -short mode and
// under the race detector: they exercise no concurrency, and the detector's
// shadow memory takes them to about a gigabyte on a shared machine.
func skipHuge(t *testing.T) {
	if testing.Short() {
		t.Skip("reads rows of MaxRowBytes")
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" && s.Value == "true" {
				t.Skip("reads rows of MaxRowBytes; too heavy under the race detector")
			}
		}
	}
}

func TestReadRowTooLarge(t *testing.T) {
	skipHuge(t)
	line := append(bytes.Repeat([]byte("a"), 1<<16-1), '\n')
	for _, tc := range []struct {
		name   string
		read   readFunc
		prefix string
		unit   []byte
		line   int
	}{
		{"csv one line", match.ReadCSV, "id,given_names\n\n1,a\n\n", bytes.Repeat([]byte("a"), 1<<16), 5},
		{"csv quoted lines", match.ReadCSV, "id,given_names\n1,\"", line, 2},
		{"csv header", match.ReadCSV, "", bytes.Repeat([]byte("a"), 1<<16), 1},
		{"jsonl", match.ReadJSONL, "{\"id\":\"1\",\"given_names\":\"a\"}\n\n{", bytes.Repeat([]byte(" "), 1<<16), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Far more than the limit, so that a reader that does not stop
			// at it is caught.
			rest := &repeated{unit: tc.unit, n: 4 * match.MaxRowBytes}
			_, _, err := tc.read(io.MultiReader(strings.NewReader(tc.prefix), rest), "r", match.ReadOptions{Lenient: true})
			require.ErrorIs(t, err, match.ErrTooLarge)
			assert.EqualError(t, err, fmt.Sprintf("r:%d: row longer than %d bytes", tc.line, match.MaxRowBytes))
			assert.Less(t, 4*match.MaxRowBytes-rest.n, match.MaxRowBytes+1<<20, "read on past the limit")
		})
	}
}

// A row of exactly MaxRowBytes is still read; one byte more is not.
func TestReadRowAtLimit(t *testing.T) {
	skipHuge(t)
	// One quoted field of long lines: cheap to parse, and far over
	// MaxFieldBytes, so a row that is read at all fails on that field.
	const head, tail = "id,address\n1,\"", "\"\n"
	row := func(size int) io.Reader {
		size -= len("1,\"") + len(tail)
		line := append(bytes.Repeat([]byte("a"), 1<<16-1), '\n')
		return io.MultiReader(strings.NewReader(head), &repeated{unit: line, n: size}, strings.NewReader(tail))
	}

	_, _, err := match.ReadCSV(row(match.MaxRowBytes), "r", match.ReadOptions{})
	require.ErrorIs(t, err, match.ErrTooLarge)
	var pe *match.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 2, pe.Column, "the row is read, its field refused: %v", err)

	_, _, err = match.ReadCSV(row(match.MaxRowBytes+1), "r", match.ReadOptions{})
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, 0, pe.Column, "the row is refused: %v", err)
	assert.Equal(t, 2, pe.Line)
}

func TestReadFEBRL(t *testing.T) {
	for _, name := range []string{"a.csv", "b.csv"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "shared", "data", "febrl4", name)
			raw, err := os.ReadFile(path)
			if errors.Is(err, os.ErrNotExist) {
				t.Skip("FEBRL data not present")
			}
			require.NoError(t, err)

			recs, rep, err := match.ReadCSV(bytes.NewReader(raw), name, match.ReadOptions{Lenient: true})
			require.NoError(t, err)
			require.Len(t, recs, 5000)
			t.Logf("%s: %d records, %d skips reported", name, len(recs), len(rep.Skipped))
			assert.Empty(t, rep.Skipped, "FEBRL records are all usable")

			// Empty dates are unknown dates, not errors: count them against
			// the file as encoding/csv sees it.
			all, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
			require.NoError(t, err)
			emptyDates := 0
			for _, row := range all[1:] {
				if row[3] == "" {
					emptyDates++
				}
			}
			unknown := 0
			for _, r := range recs {
				if r.BirthDate.IsZero() {
					unknown++
				}
			}
			assert.Equal(t, emptyDates, unknown)
			assert.NotZero(t, unknown)

			strict, _, err := match.ReadCSV(bytes.NewReader(raw), name, match.ReadOptions{})
			require.NoError(t, err)
			assert.Equal(t, recs, strict)
		})
	}
}

// TestReadControlCharacters checks that control characters, which would
// change keys invisibly or reach a terminal from an ID, are refused by
// strict reads at file:line:column and stripped and counted by lenient
// ones.
func TestReadControlCharacters(t *testing.T) {
	type readFn = func(io.Reader, string, match.ReadOptions) ([]match.Record, *match.ReadReport, error)
	tests := []struct {
		name     string
		read     readFn
		in       string
		where    string // strict error prefix: file:line[:column]: field
		stripped int
		keep     []match.Record
	}{
		{"NUL in a name", match.ReadCSV, "id,given_names\nA-1,Ana\x00\n", "f:2:2: given_names", 1,
			[]match.Record{{ID: "A-1", GivenNames: "Ana"}}},
		{"ANSI escape in an id", match.ReadCSV, "id,given_names\nA-1\x1b[2J,Ana\n", "f:2:1: id", 1,
			[]match.Record{{ID: "A-1[2J", GivenNames: "Ana"}}},
		{"C1 CSI and DEL", match.ReadCSV, "id,family_names,given_names\nA-1,Ko\u009bval,An\x7fa\n", "f:2:2: family_names", 2,
			[]match.Record{{ID: "A-1", FamilyNames: "Koval", GivenNames: "Ana"}}},
		{"bell in a later row", match.ReadCSV, "id,given_names\nA-1,Ana\nA-2,Iv\aan\n", "f:3:2: given_names", 1,
			[]match.Record{{ID: "A-1", GivenNames: "Ana"}, {ID: "A-2", GivenNames: "Ivan"}}},
		{"escaped NUL in JSON", match.ReadJSONL, `{"id":"A-1","given_names":"Ana\u0000"}` + "\n", "f:1: given_names", 1,
			[]match.Record{{ID: "A-1", GivenNames: "Ana"}}},
		{"escape in a JSON id", match.ReadJSONL, `{"id":"\u001b]0;x\u0007A-1","given_names":"Ana"}`, "f:1: id", 2,
			[]match.Record{{ID: "]0;xA-1", GivenNames: "Ana"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _, err := tt.read(strings.NewReader(tt.in), "f", match.ReadOptions{})
			require.ErrorIs(t, err, match.ErrControlChar)
			assert.Nil(t, recs)
			assert.True(t, strings.HasPrefix(err.Error(), tt.where+": control character"), "%v", err)

			recs, rep, err := tt.read(strings.NewReader(tt.in), "f", match.ReadOptions{Lenient: true})
			require.NoError(t, err)
			assert.Equal(t, tt.stripped, rep.ControlStripped)
			assert.Empty(t, rep.Skipped)
			assert.Equal(t, tt.keep, recs)
		})
	}

	// White space that is C0 is kept: tabs, and line breaks in a quoted
	// field.
	recs, _, err := match.ReadCSV(strings.NewReader("id,address\nA-1,\"1 Main St\r\nKyiv\tUA\"\n"), "f", match.ReadOptions{})
	require.NoError(t, err)
	assert.Equal(t, "1 Main St\nKyiv\tUA", recs[0].Address, "encoding/csv reads a quoted CRLF as LF")
}

func TestReadCSVHeaderHint(t *testing.T) {
	tests := []struct {
		name, in  string
		semicolon bool
	}{
		{"unknown column", "id,given_name\nA-1,Ana\n", false},
		{"semicolons", "id;given_names;family_names\nA-1;Ana;Koval\n", true},
		{"semicolons without id", "given_names;family_names\nAna;Koval\n", true},
		{"no id column", "given_names,family_names\nAna,Koval\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := match.ReadCSV(strings.NewReader(tt.in), "f.csv", match.ReadOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "valid columns: "+strings.Join(match.ColumnNames(), ", "))
			assert.Equal(t, tt.semicolon, strings.Contains(err.Error(), "separated by ';'"), "%v", err)
			assert.NotContains(t, err.Error(), "given_name,", "the header is not quoted back")
		})
	}
	assert.Equal(t, []string{"id", "given_names", "family_names", "birth_date", "sex", "nationality",
		"birth_place", "aliases", "parent_names", "document_number", "address", "locality", "postcode"}, match.ColumnNames())
}

// TestPackageDocListsColumns keeps the column table in the package
// documentation (go doc match) in step with the reader.
func TestPackageDocListsColumns(t *testing.T) {
	src, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	for _, c := range match.ColumnNames() {
		assert.Regexp(t, `(?m)^//\t`+c+` +(yes|no) `, string(src), "column %s", c)
	}
}

func TestReadNoRecordsIsEmptyNotNil(t *testing.T) {
	for _, opts := range []match.ReadOptions{{}, {Lenient: true}} {
		recs, _, err := match.ReadCSV(strings.NewReader("id,given_names\n"), "f.csv", opts)
		require.NoError(t, err)
		assert.NotNil(t, recs, "nil means an error")
		assert.Empty(t, recs)
		recs, _, err = match.ReadJSONL(strings.NewReader("\n"), "f.jsonl", opts)
		require.NoError(t, err)
		assert.NotNil(t, recs)
		assert.Empty(t, recs)
	}
}
