package match

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Errors returned when reading and parsing records. Readers wrap them in a
// *ParseError (or report them in an Issue); test for them with errors.Is.
// None of their texts, nor any text built around them, quotes a value from
// the input: record files hold children's identities, and error messages end
// up in logs and tickets.
var (
	// ErrUnknownColumn means a CSV header names a column the contract
	// does not have.
	ErrUnknownColumn = errors.New("match: unknown column")
	// ErrMissingColumn means a CSV file has no id column, or no header.
	ErrMissingColumn = errors.New("match: missing id column")
	// ErrDuplicateColumn means a CSV header names a column twice.
	ErrDuplicateColumn = errors.New("match: duplicate column")
	// ErrDuplicateID means a record repeats the id of an earlier one.
	ErrDuplicateID = errors.New("match: duplicate id")
	// ErrBadDate means a birth date is not a real date in a contract form.
	ErrBadDate = errors.New("match: invalid date")
	// ErrBadSex means a sex is not F, M, X or empty.
	ErrBadSex = errors.New("match: invalid sex")
	// ErrBadNationality means a nationality is not 2 or 3 ASCII letters.
	ErrBadNationality = errors.New("match: invalid nationality")
	// ErrInvalidUTF8 means a value or column name is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("match: invalid UTF-8")
	// ErrControlChar means a value holds a control character: NUL or
	// another C0 control but the tab and line breaks (which are white
	// space, as in a multi-line address), DEL, or a C1 control (U+0080 to
	// U+009F). That includes the ESC and CSI that start terminal escape
	// sequences. They would change match keys invisibly and, in an ID,
	// reach an operator's terminal. Lenient readers strip them instead and
	// count them in ReadReport.ControlStripped.
	ErrControlChar = errors.New("match: control character")
	// ErrEmptyRecord means a record has nothing to match on besides its id.
	ErrEmptyRecord = errors.New("match: record has no usable field besides id")
	// ErrMissingID means a record has no id or an empty one.
	ErrMissingID = errors.New("match: missing id")
	// ErrMalformed means a row is not well-formed: a CSV quoting error or
	// wrong number of fields, or a JSON line that is not valid JSON, not an
	// object, or has an unknown or repeated member or a non-string value.
	ErrMalformed = errors.New("match: malformed record")
	// ErrTooLarge means a field, row or header is over one of the limits
	// MaxFieldBytes, MaxColumns and MaxRowBytes.
	ErrTooLarge = errors.New("match: input exceeds a size limit")
	// ErrFileType means ReadFile was given a file whose extension names
	// no record format it reads.
	ErrFileType = errors.New("match: unknown record file type")
)

// Limits on record files. They are far above anything a real record needs
// and low enough that a hostile or broken file cannot exhaust memory: a
// reader never holds more than one row of at most MaxRowBytes at a time
// besides the records it returns.
const (
	// MaxFieldBytes bounds one field value, after CSV unquoting or JSON
	// unescaping and before trimming. A longer value is a field error
	// wrapping ErrTooLarge.
	MaxFieldBytes = 1 << 20
	// MaxColumns bounds the fields of every CSV row, the header included.
	// More is a fatal error wrapping ErrTooLarge: encoding/csv keeps some 40
	// bytes of bookkeeping per field, so a row of bare commas would take far
	// more memory than its size.
	MaxColumns = 64
	// MaxRowBytes bounds one row (a CSV record, which may span lines inside
	// quotes, or one JSON line), line endings included. A longer row is a
	// fatal error wrapping ErrTooLarge, in lenient mode too, because the
	// reader stops before it has all of it.
	MaxRowBytes = 64 << 20
)

// ReadOptions controls how records are read.
type ReadOptions struct {
	// Lenient makes the readers skip bad fields and rows, and list each skip
	// in the ReadReport, instead of failing on the first one.
	Lenient bool
}

// ReadReport tells what a reader left out of the records it returned.
type ReadReport struct {
	// Skipped lists, in file order, every field that was dropped and every
	// row that was skipped in lenient mode. It is empty in strict mode.
	Skipped []Issue
	// ControlStripped counts the control characters (see ErrControlChar)
	// that lenient mode removed from values it kept. Zero in strict mode.
	ControlStripped int
}

// Issue is one field dropped or one row skipped by a lenient read.
// Like ParseError it locates the problem without quoting the value.
type Issue struct {
	File   string // the name given to the reader
	Line   int    // physical line on which the row starts, from 1
	Column int    // CSV column, from 1; 0 for a whole row and in JSON Lines
	Field  string // field name, or "" when the row as a whole is at fault
	Reason string // what is wrong, never the value itself
	Row    bool   // whether the whole row was skipped, not just the field
	Err    error  // the sentinel, such as ErrBadDate, for errors.Is
}

// String formats the issue as "file:line:column: field: reason (row skipped)"
// or "... (field dropped)", leaving out parts that are zero.
func (i Issue) String() string {
	what := "field dropped"
	if i.Row {
		what = "row skipped"
	}
	return describe(i.File, i.Line, i.Column, i.Field, i.Reason) + " (" + what + ")"
}

// ParseError is a problem in a record file, located by file, line and
// column. It wraps one of the sentinel errors above, such as ErrBadDate, for
// errors.Is.
type ParseError struct {
	File   string // the name given to the reader
	Line   int    // physical line on which the row starts, from 1 (the CSV header is line 1); 0 for an empty file
	Column int    // CSV column, from 1; 0 for a whole row and in JSON Lines
	Field  string // field name, or "" when the row as a whole is at fault
	Reason string // what is wrong, never the value itself
	err    error
}

// Error formats the error as "file:line:column: field: reason", leaving out
// parts that are zero, for example "records.csv:12:4: birth_date: invalid
// date: day out of range".
func (e *ParseError) Error() string {
	return describe(e.File, e.Line, e.Column, e.Field, e.Reason)
}

// Unwrap returns the sentinel error, such as ErrBadDate.
func (e *ParseError) Unwrap() error { return e.err }

func describe(file string, line, col int, field, reason string) string {
	var b strings.Builder
	b.WriteString(file)
	if line > 0 {
		b.WriteString(":" + strconv.Itoa(line))
		if col > 0 {
			b.WriteString(":" + strconv.Itoa(col))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if field != "" {
		b.WriteString(field + ": ")
	}
	b.WriteString(reason)
	return b.String()
}

// problem is a sentinel with a more specific, value-free reason.
type problem struct {
	err    error
	reason string
}

func (p *problem) Error() string { return "match: " + p.reason }
func (p *problem) Unwrap() error { return p.err }

// field is a column of the record contract.
type field uint8

const (
	fieldID field = iota
	fieldGivenNames
	fieldFamilyNames
	fieldBirthDate
	fieldSex
	fieldNationality
	fieldBirthPlace
	fieldAliases
	fieldParentNames
	fieldDocumentNumber
	fieldAddress
	fieldLocality
	fieldPostcode
	numFields
)

// fieldNames are the column names of the record contract (the package
// documentation's table), which tools outside the
// library depend on: they are matched exactly, never case-folded or trimmed.
var fieldNames = [numFields]string{
	"id", "given_names", "family_names", "birth_date", "sex", "nationality",
	"birth_place", "aliases", "parent_names", "document_number",
	"address", "locality", "postcode",
}

func lookupField(name string) (field, bool) {
	for i, n := range fieldNames {
		if n == name {
			return field(i), true
		}
	}
	return 0, false
}

// ReadFile reads records from the file at path, as CSV if its name ends in
// .csv and as JSON Lines if it ends in .jsonl or .ndjson (in any case).
// Errors name the file by path as given.
func ReadFile(path string, opts ReadOptions) ([]Record, *ReadReport, error) {
	var read func(io.Reader, string, ReadOptions) ([]Record, *ReadReport, error)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		read = ReadCSV
	case ".jsonl", ".ndjson":
		read = ReadJSONL
	default:
		return nil, nil, fmt.Errorf("%w: %s: unknown record file type (want .csv, .jsonl or .ndjson)", ErrFileType, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return read(f, path, opts)
}

// ReadCSV reads records in the record CSV contract (the column table in
// the package documentation): UTF-8,
// an optional byte order mark, a header row naming a subset of the contract's
// columns in any order with id among them, then one row per record, with
// RFC 4180 quoting and LF or CRLF line endings. Name is used only in errors.
//
// Each field is checked to be valid UTF-8 and at most MaxFieldBytes long,
// then ASCII spaces and tabs around it are trimmed (inside text is kept as
// is); a field that is empty after trimming is unknown. Aliases and
// parent_names are split on ';', and each part trimmed the same way.
// Nationality is upper-cased. Blank lines are ignored. A value holding a
// control character (see ErrControlChar) is a field error in strict mode;
// lenient mode strips the characters, keeps the value and counts them in
// ReadReport.ControlStripped.
//
// In strict mode (the default) the first problem ends the read with a nil
// slice and a *ParseError. A file with a header but no record gives an
// empty, non-nil slice. Within a row the id is checked first, then the
// other fields from left to right, then whether any field is left.
//
// In lenient mode a bad field is dropped and a bad row (missing or duplicate
// id, wrong shape, nothing left besides the id) is skipped; each is listed in
// the report, and the read goes on. A duplicate id counts against the first
// row with that id even if that row was skipped for another reason, and the
// first is the one kept. A quoting error can make the CSV parser take later
// lines into the bad row; the issue then says which line the row ran to.
//
// Problems with the file as a whole are errors in both modes: an unknown,
// duplicate or missing id column, a bad header row, a row with more than
// MaxColumns fields or longer than MaxRowBytes, and read errors.
func ReadCSV(r io.Reader, name string, opts ReadOptions) ([]Record, *ReadReport, error) {
	feed := newLineFeeder(r)
	cr := csv.NewReader(feed)
	cr.ReuseRecord = true

	cols, err := readHeader(cr, feed, name)
	if err != nil {
		return nil, nil, err
	}
	b := newBuilder(name, opts)
	cells := make([]cell, len(cols))
	for {
		fields, err := cr.Read()
		start := feed.endRow()
		if feed.err != "" {
			return nil, nil, feed.err.at(name, start)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("match: reading %s: %w", name, err)
			}
			if err := b.fail(pe.StartLine, 0, "", csvProblem(pe), true); err != nil {
				return nil, nil, err
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		for i, v := range fields {
			cells[i] = cell{f: cols[i], col: i + 1, val: v}
		}
		if err := b.row(line, cells); err != nil {
			return nil, nil, err
		}
	}
	return b.records(), &ReadReport{Skipped: b.skipped, ControlStripped: b.stripped}, nil
}

// readHeader reads the header row and returns the field of each column.
func readHeader(cr *csv.Reader, feed *lineFeeder, name string) ([]field, error) {
	header, err := cr.Read()
	start := feed.endRow()
	if feed.err != "" {
		return nil, feed.err.at(name, start)
	}
	if err == io.EOF {
		return nil, &ParseError{File: name, Field: "id", Reason: "no header row", err: ErrMissingColumn}
	}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, fmt.Errorf("match: reading %s: %w", name, err)
		}
		p := csvProblem(pe)
		return nil, &ParseError{File: name, Line: pe.StartLine, Reason: "header: " + p.reason, err: p.err}
	}
	line, _ := cr.FieldPos(0)
	cols := make([]field, len(header))
	var seen [numFields]bool
	for i, h := range header {
		// Column names are not quoted back either: a file that lacks its
		// header row has a child's record in its place.
		if !utf8.ValidString(h) {
			return nil, &ParseError{File: name, Line: line, Column: i + 1, Reason: "invalid UTF-8 in column name", err: ErrInvalidUTF8}
		}
		f, ok := lookupField(h)
		if !ok {
			return nil, &ParseError{File: name, Line: line, Column: i + 1, Reason: "unknown column" + headerHint(header), err: ErrUnknownColumn}
		}
		if seen[f] {
			return nil, &ParseError{File: name, Line: line, Column: i + 1, Field: h, Reason: "duplicate column", err: ErrDuplicateColumn}
		}
		seen[f] = true
		cols[i] = f
	}
	if !seen[fieldID] {
		return nil, &ParseError{File: name, Line: line, Field: "id", Reason: "no id column" + headerHint(header), err: ErrMissingColumn}
	}
	cr.FieldsPerRecord = len(header)
	return cols, nil
}

// ColumnNames returns the column names of the record contract, in the
// order of its table: id first, then the optional fields.
func ColumnNames() []string { return append([]string(nil), fieldNames[:]...) }

// headerHint explains a bad header without quoting it: it lists the valid
// column names and, when the header looks separated by semicolons (as
// spreadsheet programs write CSV in some locales), says so.
func headerHint(header []string) string {
	hint := " (valid columns: " + strings.Join(fieldNames[:], ", ") + ")"
	if len(header) == 1 && strings.Count(header[0], ";") > 0 {
		hint += "; the header looks separated by ';': record files must use ','"
	}
	return hint
}

// csvProblem words an encoding/csv parse error without its input.
func csvProblem(pe *csv.ParseError) *problem {
	var reason string
	switch {
	case errors.Is(pe.Err, csv.ErrFieldCount):
		reason = "wrong number of fields"
	case errors.Is(pe.Err, csv.ErrBareQuote):
		reason = `bare " in unquoted field`
	case errors.Is(pe.Err, csv.ErrQuote):
		reason = `extraneous or missing " in quoted field`
	default:
		reason = "malformed CSV"
	}
	if pe.Line > pe.StartLine {
		reason += fmt.Sprintf(" (row runs to line %d)", pe.Line)
	}
	return &problem{ErrMalformed, reason}
}

// A rowLimit is a limit a row broke; the reader stops there.
type rowLimit string

var (
	errRowTooLong    = rowLimit(fmt.Sprintf("row longer than %d bytes", MaxRowBytes))
	errRowTooManyCol = rowLimit(fmt.Sprintf("row with more than %d fields", MaxColumns))
)

func (l rowLimit) Error() string { return "match: " + string(l) }

func (l rowLimit) at(name string, line int) *ParseError {
	return &ParseError{File: name, Line: line, Reason: string(l), err: ErrTooLarge}
}

// lineFeeder stands between the input and the csv.Reader and hands it at
// most one physical line per Read. The csv.Reader's buffer then never holds
// bytes past the line it is parsing, so the feeder knows on which line each
// row starts, how long it is and how many fields it has so far, and can stop
// a hostile row before it is all in memory (encoding/csv has no limits).
type lineFeeder struct {
	src      *bufio.Reader
	lines    int  // complete lines passed on
	cur      int  // bytes passed on of the incomplete line
	curCR    bool // whether the incomplete line starts with '\r'
	rowStart int  // line the current row starts on; 0 before its first line
	rowBytes int  // bytes of the current row's complete lines
	commas   int  // field separators in the current row so far
	quoted   bool // whether the current row is inside quotes
	err      rowLimit
}

// newLineFeeder returns a feeder over r that skips a UTF-8 byte order mark
// at its start, which spreadsheet programs write and encoding/csv would
// otherwise take as part of the first column name.
func newLineFeeder(r io.Reader) *lineFeeder {
	src := bufio.NewReaderSize(r, 64<<10)
	skipBOM(src)
	return &lineFeeder{src: src}
}

func skipBOM(src *bufio.Reader) {
	if b, _ := src.Peek(3); bytes.Equal(b, []byte("\uFEFF")) {
		src.Discard(3)
	}
}

func (f *lineFeeder) Read(p []byte) (int, error) {
	if f.err != "" {
		return 0, f.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if f.src.Buffered() == 0 {
		if _, err := f.src.Peek(1); err != nil {
			return 0, err
		}
	}
	chunk, _ := f.src.Peek(f.src.Buffered())
	if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
		chunk = chunk[:i+1]
	}
	chunk = chunk[:min(len(chunk), len(p))]
	if f.rowBytes+f.cur+len(chunk) > MaxRowBytes {
		return 0, f.fail(errRowTooLong)
	}
	// Quote parity tells separators from commas inside quoted fields
	// exactly for every row encoding/csv accepts. In a row it rejects the
	// count may be off, but that row is lost anyway.
	for _, c := range chunk {
		switch {
		case c == '"':
			f.quoted = !f.quoted
		case c == ',' && !f.quoted:
			if f.commas++; f.commas >= MaxColumns {
				return 0, f.fail(errRowTooManyCol)
			}
		}
	}
	n := copy(p, chunk)
	f.src.Discard(n)
	if f.cur == 0 {
		f.curCR = p[0] == '\r'
	}
	f.cur += n
	if p[n-1] == '\n' {
		f.lines++
		// encoding/csv skips a line that is only "\n" or "\r\n" between rows,
		// so such a line neither starts a row nor counts towards its size.
		blank := f.cur == 1 || f.cur == 2 && f.curCR
		if !blank || f.rowStart != 0 {
			if f.rowStart == 0 {
				f.rowStart = f.lines
			}
			f.rowBytes += f.cur
		}
		f.cur = 0
	}
	return n, nil
}

// fail stops the feeder for good: once a row is over a limit, the reader
// cannot tell where the next one starts.
func (f *lineFeeder) fail(l rowLimit) error {
	f.err = l
	if f.rowStart == 0 {
		f.rowStart = f.lines + 1
	}
	return l
}

// endRow is called after each csv.Reader.Read. It returns the line on which
// the row just read started and resets the row's counts.
func (f *lineFeeder) endRow() int {
	start := f.rowStart
	if start == 0 {
		// The row ended without a newline, at the end of the input.
		start = f.lines + 1
	}
	f.rowStart, f.rowBytes, f.commas, f.quoted = 0, 0, 0, false
	return start
}

// ReadJSONL reads records in the JSON Lines form of the record contract: one
// JSON object per line whose members are contract column names with string
// values (aliases and parent_names as ';'-separated strings, as in CSV).
// Name is used only in errors. A UTF-8 byte order mark at the start, CRLF
// line endings and blank lines are accepted.
//
// Values are checked and cleaned as in ReadCSV, and strict and lenient mode
// work the same way, except that there are no header errors: a line that is
// not valid JSON, is not an object, has an unknown or repeated member or a
// value that is not a string (null included) is a malformed row. Invalid
// UTF-8 and unpaired surrogate escapes (\ud800) in a value are ErrInvalidUTF8
// rather than being replaced with U+FFFD, which would let two different
// inputs read as the same name. ParseError.Column is always 0; Field names
// the member.
func ReadJSONL(r io.Reader, name string, opts ReadOptions) ([]Record, *ReadReport, error) {
	src := bufio.NewReaderSize(r, 64<<10)
	skipBOM(src)
	b := newBuilder(name, opts)
	var buf []byte
	var cells []cell
	for n := 1; ; n++ {
		var err error
		buf, err = readLine(src, buf[:0])
		if err == errRowTooLong {
			return nil, nil, errRowTooLong.at(name, n)
		}
		if err != nil && err != io.EOF {
			return nil, nil, fmt.Errorf("match: reading %s: %w", name, err)
		}
		if !blank(buf) {
			var fname string
			var p *problem
			cells, fname, p = parseObject(buf, cells[:0])
			if p != nil {
				if err := b.fail(n, 0, fname, p, true); err != nil {
					return nil, nil, err
				}
			} else if err := b.row(n, cells); err != nil {
				return nil, nil, err
			}
		}
		if err == io.EOF {
			break
		}
	}
	return b.records(), &ReadReport{Skipped: b.skipped, ControlStripped: b.stripped}, nil
}

// readLine appends the next line of src, with its line ending, to buf. It
// returns io.EOF with the last line if that has no line ending, and
// errRowTooLong as soon as the line is longer than MaxRowBytes.
func readLine(src *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := src.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxRowBytes {
			return buf, errRowTooLong
		}
		buf = append(buf, chunk...)
		if err != bufio.ErrBufferFull {
			return buf, err
		}
	}
}

// blank reports whether b is only JSON white space.
func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// parseObject parses one JSON line into cells, in member order. On a
// malformed line it returns the problem and, when known, the member at
// fault.
func parseObject(line []byte, cells []cell) ([]cell, string, *problem) {
	invalid := &problem{ErrMalformed, "invalid JSON"}
	dec := json.NewDecoder(bytes.NewReader(line))
	tok, err := dec.Token()
	if err != nil {
		return cells, "", invalid
	}
	if tok != json.Delim('{') {
		return cells, "", &problem{ErrMalformed, "not a JSON object"}
	}
	var seen [numFields]bool
	for dec.More() {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return cells, "", invalid
		}
		key, _ := tok.(string)
		if !validJSONText(line[start:dec.InputOffset()]) {
			return cells, "", &problem{ErrInvalidUTF8, "invalid UTF-8 in member name"}
		}
		f, ok := lookupField(key)
		if !ok {
			// The name is not quoted back: it might be data put in the
			// wrong place.
			return cells, "", &problem{ErrMalformed, "unknown field"}
		}
		if seen[f] {
			// encoding/json would silently keep the last of the two.
			return cells, key, &problem{ErrMalformed, "duplicate field"}
		}
		seen[f] = true
		start = dec.InputOffset()
		tok, err = dec.Token()
		if err != nil {
			return cells, "", invalid
		}
		s, ok := tok.(string)
		if !ok {
			return cells, key, &problem{ErrMalformed, "value is not a string"}
		}
		cells = append(cells, cell{f: f, val: s, badUTF8: !validJSONText(line[start:dec.InputOffset()])})
	}
	if _, err := dec.Token(); err != nil {
		return cells, "", invalid
	}
	if !blank(line[dec.InputOffset():]) {
		return cells, "", &problem{ErrMalformed, "data after the JSON object"}
	}
	return cells, "", nil
}

// validJSONText reports whether raw, a stretch of JSON that encoding/json has
// accepted, is valid UTF-8 and has no unpaired surrogate escape. Both would
// otherwise be decoded silently as U+FFFD.
func validJSONText(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	for i := 0; i < len(raw); {
		if raw[i] != '\\' || i+1 >= len(raw) {
			i++
			continue
		}
		if raw[i+1] != 'u' {
			i += 2 // an escaped character, maybe a backslash
			continue
		}
		r, ok := hex4(raw, i+2)
		if !ok {
			return false
		}
		i += 6
		switch {
		case 0xD800 <= r && r < 0xDC00:
			if i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
				if r2, ok := hex4(raw, i+2); ok && 0xDC00 <= r2 && r2 < 0xE000 {
					i += 6
					continue
				}
			}
			return false
		case 0xDC00 <= r && r < 0xE000:
			return false
		}
	}
	return true
}

func hex4(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// cell is one field value of a row as read, before it is checked.
type cell struct {
	f       field
	col     int // CSV column from 1; 0 in JSON Lines
	val     string
	badUTF8 bool // set when the reader has seen invalid text that decoding hid
}

// builder checks rows and collects the records and the report; both readers
// share it so that CSV and JSON Lines follow exactly the same rules.
type builder struct {
	name     string
	lenient  bool
	ids      map[string]int // id → line of the first row with it
	recs     []Record
	skipped  []Issue
	stripped int // control characters removed in lenient mode
}

func newBuilder(name string, opts ReadOptions) *builder {
	return &builder{name: name, lenient: opts.Lenient, ids: make(map[string]int)}
}

// records returns the records read: an empty, non-nil slice for a file
// without any, so that nil always means an error.
func (b *builder) records() []Record {
	if b.recs == nil {
		return []Record{}
	}
	return b.recs
}

// fail handles a problem: in strict mode it returns the error that ends the
// read; in lenient mode it lists the problem in the report and returns nil.
func (b *builder) fail(line, col int, fieldName string, p *problem, row bool) error {
	if !b.lenient {
		return &ParseError{File: b.name, Line: line, Column: col, Field: fieldName, Reason: p.reason, err: p.err}
	}
	b.skipped = append(b.skipped, Issue{File: b.name, Line: line, Column: col, Field: fieldName, Reason: p.reason, Row: row, Err: p.err})
	return nil
}

// row checks one row starting on the given line and keeps its record if it
// is good. The error is non-nil only in strict mode.
func (b *builder) row(line int, cells []cell) error {
	idAt := -1
	for i, c := range cells {
		if c.f == fieldID {
			idAt = i
			break
		}
	}
	if idAt < 0 {
		return b.fail(line, 0, "id", &problem{ErrMissingID, "missing id"}, true)
	}
	idCell := cells[idAt]
	id, p := b.clean(idCell)
	if p == nil && id == "" {
		p = &problem{ErrMissingID, "missing id"}
	}
	if p == nil {
		if first, dup := b.ids[id]; dup {
			p = &problem{ErrDuplicateID, fmt.Sprintf("duplicate id (first on line %d)", first)}
		}
	}
	if p != nil {
		return b.fail(line, idCell.col, "id", p, true)
	}
	b.ids[id] = line

	rec := Record{ID: id}
	for i, c := range cells {
		if i == idAt {
			continue
		}
		if p := b.set(&rec, c); p != nil {
			if err := b.fail(line, c.col, fieldNames[c.f], p, false); err != nil {
				return err
			}
		}
	}
	if !rec.hasData() {
		return b.fail(line, 0, "", &problem{ErrEmptyRecord, "no usable field besides id"}, true)
	}
	b.recs = append(b.recs, rec)
	return nil
}

// clean checks a raw value and trims it. UTF-8 comes first so that nothing
// else ever looks at invalid text. Control characters are a problem in
// strict mode; lenient mode strips and counts them.
func (b *builder) clean(c cell) (string, *problem) {
	if c.badUTF8 || !utf8.ValidString(c.val) {
		return "", &problem{ErrInvalidUTF8, "invalid UTF-8"}
	}
	if len(c.val) > MaxFieldBytes {
		return "", &problem{ErrTooLarge, fmt.Sprintf("longer than %d bytes", MaxFieldBytes)}
	}
	v := c.val
	if strings.IndexFunc(v, isControl) >= 0 {
		if !b.lenient {
			return "", &problem{ErrControlChar, "control character (NUL, another C0 control, DEL, C1 or a terminal escape)"}
		}
		n := 0
		v = strings.Map(func(r rune) rune {
			if isControl(r) {
				n++
				return -1
			}
			return r
		}, v)
		b.stripped += n
	}
	return trimBlank(v), nil
}

// isControl reports whether r is a control character a record value must
// not hold: C0 but the tab, LF and CR, then DEL and C1.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7f && r <= 0x9f
}

// set checks c and stores it in rec. On a problem rec is left as it was.
func (b *builder) set(rec *Record, c cell) *problem {
	v, p := b.clean(c)
	if p != nil {
		return p
	}
	switch c.f {
	case fieldGivenNames:
		rec.GivenNames = v
	case fieldFamilyNames:
		rec.FamilyNames = v
	case fieldBirthDate:
		rec.BirthDate, p = parseDate(v)
	case fieldSex:
		rec.Sex, p = parseSex(v)
	case fieldNationality:
		rec.Nationality, p = parseNationality(v)
	case fieldBirthPlace:
		rec.BirthPlace = v
	case fieldAliases:
		rec.Aliases = splitList(v)
	case fieldParentNames:
		rec.ParentNames = splitList(v)
	case fieldDocumentNumber:
		rec.DocumentNumber = v
	case fieldAddress:
		rec.Address = v
	case fieldLocality:
		rec.Locality = v
	case fieldPostcode:
		rec.Postcode = v
	}
	return p
}
