package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/reunite-psi/reunite/match"
)

// csvHeader is the record CSV contract's columns (go doc ./match), in the
// contract's order.
var csvHeader = []string{
	"id", "given_names", "family_names", "birth_date", "sex", "nationality", "birth_place",
	"aliases", "parent_names", "document_number", "address", "locality", "postcode",
}

// WriteCSV writes recs in the record CSV contract: a header row with all 13
// columns, then one row per record, RFC 4180 quoted by encoding/csv, LF
// line endings. Aliases and parent names are joined with "; ".
//
// It refuses, before writing anything, records that would not read back as
// the same records: an empty ID, invalid UTF-8, a value with leading or
// trailing spaces or tabs (readers trim them), or an alias or parent name
// that is empty or contains ';'.
func WriteCSV(w io.Writer, recs []match.Record) error {
	for i := range recs {
		if err := checkRecord(&recs[i]); err != nil {
			return fmt.Errorf("synth: record %d: %w", i+1, err)
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	row := make([]string, len(csvHeader))
	for i := range recs {
		r := &recs[i]
		row[0] = r.ID
		row[1] = r.GivenNames
		row[2] = r.FamilyNames
		row[3] = r.BirthDate.String()
		row[4] = r.Sex.String()
		row[5] = r.Nationality
		row[6] = r.BirthPlace
		row[7] = strings.Join(r.Aliases, "; ")
		row[8] = strings.Join(r.ParentNames, "; ")
		row[9] = r.DocumentNumber
		row[10] = r.Address
		row[11] = r.Locality
		row[12] = r.Postcode
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func checkRecord(r *match.Record) error {
	if r.ID == "" {
		return fmt.Errorf("empty id")
	}
	for _, v := range []string{r.ID, r.GivenNames, r.FamilyNames, r.Nationality, r.BirthPlace,
		r.DocumentNumber, r.Address, r.Locality, r.Postcode} {
		if err := checkValue(v); err != nil {
			return err
		}
	}
	for _, list := range [][]string{r.Aliases, r.ParentNames} {
		for _, v := range list {
			if v == "" || strings.Contains(v, ";") {
				return fmt.Errorf("list item empty or containing ';'")
			}
			if err := checkValue(v); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkValue(v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("invalid UTF-8")
	}
	if strings.Trim(v, " \t") != v {
		return fmt.Errorf("value with surrounding blanks")
	}
	return nil
}

// WriteTruthCSV writes pairs as CSV with the header a_id,b_id, one pair a
// row, in the order given.
func WriteTruthCSV(w io.Writer, pairs []Pair) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"a_id", "b_id"}); err != nil {
		return err
	}
	for _, p := range pairs {
		if err := cw.Write([]string{p.AID, p.BID}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
