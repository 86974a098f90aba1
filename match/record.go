package match

import (
	"fmt"
	"strconv"
	"strings"
)

// Record is one agency record on a child, as read from the record CSV or
// JSON Lines contract.
//
// Text fields hold what the file says, less surrounding ASCII spaces and
// tabs: they are not normalized, so the same name written in two scripts is
// two different strings here. Normalization happens when match keys are
// derived, not when records are read, so that a record can always be shown
// to a caseworker exactly as the agency wrote it.
type Record struct {
	// ID is the agency's own opaque record ID, unique within its file.
	ID string
	// GivenNames is space-separated, in any script, as written.
	GivenNames string
	// FamilyNames is space-separated, in any script, as written.
	FamilyNames string
	// BirthDate may be known only to the month or year, or not at all.
	BirthDate Date
	// Sex is SexUnknown when the file leaves it empty.
	Sex Sex
	// Nationality is an ISO 3166-1 alpha-2 or alpha-3 code, upper-cased.
	// Only its shape is checked, not that the country exists.
	Nationality string
	// BirthPlace is free text.
	BirthPlace string
	// Aliases are other full names the child is known by.
	Aliases []string
	// ParentNames are the full names of parents or guardians.
	ParentNames []string
	// DocumentNumber is a passport or identity-card number.
	DocumentNumber string
	// Address, Locality and Postcode are the last known residence.
	Address, Locality, Postcode string
}

// hasData reports whether r carries anything besides its ID. A record that
// does not can never match and only costs the peer a guess, so readers
// refuse it.
func (r *Record) hasData() bool {
	return r.GivenNames != "" || r.FamilyNames != "" || !r.BirthDate.IsZero() ||
		r.Sex != SexUnknown || r.Nationality != "" || r.BirthPlace != "" ||
		len(r.Aliases) > 0 || len(r.ParentNames) > 0 || r.DocumentNumber != "" ||
		r.Address != "" || r.Locality != "" || r.Postcode != ""
}

// Date is a date of birth that may be known only in part: Month and Day are
// 0 when unknown, and the zero Date means the date is unknown altogether.
// Agencies often record only a year (an age estimated from appearance) or a
// year and month, and match rules treat each precision differently.
type Date struct {
	Year, Month, Day int
}

// DatePrecision says how much of a Date is known.
type DatePrecision uint8

// The precisions of a Date, from least to most.
const (
	PrecisionNone  DatePrecision = iota // nothing: the zero Date
	PrecisionYear                       // the year only
	PrecisionMonth                      // the year and month
	PrecisionDay                        // the full date
)

// String returns "none", "year", "month" or "day".
func (p DatePrecision) String() string {
	switch p {
	case PrecisionNone:
		return "none"
	case PrecisionYear:
		return "year"
	case PrecisionMonth:
		return "month"
	case PrecisionDay:
		return "day"
	}
	return "DatePrecision(" + strconv.Itoa(int(p)) + ")"
}

// Date limits. Records are on children, so years far outside this window are
// typing errors, not dates.
const (
	minYear = 1900
	maxYear = 2100
)

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d == Date{} }

// Precision reports how much of d is known. A part counts as known only if
// every larger part is known too.
func (d Date) Precision() DatePrecision {
	switch {
	case d.Year == 0:
		return PrecisionNone
	case d.Month == 0:
		return PrecisionYear
	case d.Day == 0:
		return PrecisionMonth
	}
	return PrecisionDay
}

// String formats d as the record contract writes it: "2011-03-04",
// "2011-03", "2011", or "" for an unknown date. ParseDate reads it back.
func (d Date) String() string {
	switch d.Precision() {
	case PrecisionYear:
		return fmt.Sprintf("%04d", d.Year)
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	case PrecisionDay:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	return ""
}

// ParseDate parses a date of birth in one of the contract's forms:
// YYYY-MM-DD, YYYY-MM or YYYY, with the year in 1900..2100. The empty string
// is the unknown date, so that ParseDate(d.String()) gives back d for every
// Date it can return. Anything else, including surrounding spaces and days
// that do not exist (2023-02-30), is an error wrapping ErrBadDate whose text
// does not repeat the input.
func ParseDate(s string) (Date, error) {
	d, p := parseDate(s)
	if p != nil {
		return Date{}, p
	}
	return d, nil
}

func parseDate(s string) (Date, *problem) {
	if s == "" {
		return Date{}, nil
	}
	shape := &problem{ErrBadDate, "invalid date: want YYYY-MM-DD, YYYY-MM or YYYY"}
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return Date{}, shape
	}
	var d Date
	var ok bool
	if d.Year, ok = digits(s[0:4]); !ok {
		return Date{}, shape
	}
	if len(s) >= 7 {
		if s[4] != '-' {
			return Date{}, shape
		}
		if d.Month, ok = digits(s[5:7]); !ok {
			return Date{}, shape
		}
	}
	if len(s) == 10 {
		if s[7] != '-' {
			return Date{}, shape
		}
		if d.Day, ok = digits(s[8:10]); !ok {
			return Date{}, shape
		}
	}
	switch {
	case d.Year < minYear || d.Year > maxYear:
		return Date{}, &problem{ErrBadDate, "invalid date: year outside 1900-2100"}
	case len(s) >= 7 && (d.Month < 1 || d.Month > 12):
		return Date{}, &problem{ErrBadDate, "invalid date: month out of range"}
	case len(s) == 10 && (d.Day < 1 || d.Day > daysIn(d.Year, d.Month)):
		return Date{}, &problem{ErrBadDate, "invalid date: day out of range"}
	}
	return d, nil
}

// digits parses s as a non-negative decimal number of ASCII digits only;
// strconv.Atoi would also take a sign.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Sex is the sex recorded for a child.
type Sex uint8

// The values of Sex. The zero value is SexUnknown, so a record that says
// nothing says nothing.
const (
	SexUnknown Sex = iota // not recorded
	SexFemale             // "F"
	SexMale               // "M"
	SexX                  // "X": neither, as in ICAO Doc 9303 travel documents
)

// ParseSex parses the contract's sex column: "F", "M", "X", or "" for
// unknown. Lower case is accepted too, since it is unambiguous. Anything else
// is an error wrapping ErrBadSex whose text does not repeat the input.
func ParseSex(s string) (Sex, error) {
	x, p := parseSex(s)
	if p != nil {
		return SexUnknown, p
	}
	return x, nil
}

func parseSex(s string) (Sex, *problem) {
	switch s {
	case "":
		return SexUnknown, nil
	case "F", "f":
		return SexFemale, nil
	case "M", "m":
		return SexMale, nil
	case "X", "x":
		return SexX, nil
	}
	return SexUnknown, &problem{ErrBadSex, "invalid sex: want F, M, X or empty"}
}

// String returns the contract's form: "F", "M", "X", or "" for SexUnknown,
// so that ParseSex(s.String()) gives back s.
func (s Sex) String() string {
	switch s {
	case SexUnknown:
		return ""
	case SexFemale:
		return "F"
	case SexMale:
		return "M"
	case SexX:
		return "X"
	}
	return "Sex(" + strconv.Itoa(int(s)) + ")"
}

// parseNationality checks the shape of an ISO 3166-1 alpha-2 or alpha-3
// code and upper-cases it. It does not check the code against the ISO list:
// that list changes, and a shape check is enough to catch columns that were
// shifted or filled with country names.
func parseNationality(s string) (string, *problem) {
	if s == "" {
		return "", nil
	}
	bad := &problem{ErrBadNationality, "invalid nationality: want 2 or 3 letters (ISO 3166-1)"}
	if len(s) != 2 && len(s) != 3 {
		return "", bad
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20 // ASCII lower case
		if c < 'a' || c > 'z' {
			return "", bad
		}
	}
	return strings.ToUpper(s), nil
}

// splitList splits a ';'-separated list of names, trims each part and drops
// empty ones, so that "a; b;" and "a;b" read the same. It returns nil when
// nothing is left.
func splitList(s string) []string {
	var out []string
	for part := range strings.SplitSeq(s, ";") {
		if part = trimBlank(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// trimBlank removes ASCII spaces and tabs around s. It trims nothing else:
// other white space may be meaningful, and Unicode-aware cleaning belongs to
// normalization.
func trimBlank(s string) string { return strings.Trim(s, " \t") }
