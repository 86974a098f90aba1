package match

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"slices"
)

// Statistics are one file's chance-agreement rates: for each comparison
// level of the rule set, the probability that two distinct records of the
// file, both with the field, agree at that level (the u probabilities of
// the Fellegi–Sunter model, from value frequencies). Link weighs a pair's
// evidence against chance with the rates of both files, so each party
// sends its own to the peer (StatisticsElement) and both compute the
// same model. They are aggregates over the whole file: they say, for
// example, how often two of its children share a birth date, never which
// value is common. Their encoding, with the file's record count, is what
// the peer learns.
type Statistics struct {
	records uint32
	// agree[c][l] is the probability of agreeing at level l of comparison
	// c, as −log₂ in 1/rateScale units, as encoded: both parties work from the
	// encoded values, never from finer ones only one of them has.
	agree [][]uint16
}

// ErrStatistics reports peer statistics that do not follow the format.
var ErrStatistics = errors.New("match: malformed file statistics from peer")

// statisticsMarker starts an encoded Statistics, where a record payload
// starts with its record count, at most MaxRecordsPerKey.
const statisticsMarker = 0xff

// A level's rate travels in rateBits bits as round(rateScale · −log₂ p),
// with p at least minRate: 0 to 2551, so 12 bits hold any rate with room
// to spare, and 1/128 of a bit (0.3 % of p at most) is far finer than the
// model needs.
const (
	rateBits  = 12
	rateScale = 128
	minRate   = 1e-6
)

// maxAgreeLevels is how many comparison levels fit a statistics payload:
// the marker, the record count, then rateBits bits a level.
const maxAgreeLevels = (PayloadSize - 5) * 8 / rateBits

// fileStats counts, while NewIndex derives keys, how many records hold
// each value of each comparison level's field.
type fileStats struct {
	rs      *RuleSet
	records int
	present []int              // per comparison, the records that have the field
	values  [][]map[string]int // per comparison and level, records per value
}

func newFileStats(rs *RuleSet) *fileStats {
	s := &fileStats{rs: rs, present: make([]int, len(rs.comps)), values: make([][]map[string]int, len(rs.comps))}
	for c, comp := range rs.comps {
		s.values[c] = make([]map[string]int, len(comp.Levels))
		for l := range comp.Levels {
			s.values[c][l] = map[string]int{}
		}
	}
	return s
}

// add counts one record, whose field values w holds and whose fields p
// says.
func (s *fileStats) add(w *keyWalker, p Presence) {
	s.records++
	for c, comp := range s.rs.comps {
		if !p.has(comp.Presence) {
			continue
		}
		s.present[c]++
		for l, lv := range comp.Levels {
			if typo := typoSource(lv.Field); typo != "" {
				// Count the names themselves: statistics turns them into
				// the pairs one typo apart.
				s.countTokens(s.values[c][l], w.f, typo)
				continue
			}
			fi := s.rs.levelField[c][l]
			if !w.have[fi] {
				continue
			}
			for _, v := range w.vals[fi] {
				s.values[c][l][v]++
			}
		}
	}
}

// typoSource returns, for a typo field, the field of the names it varies;
// for any other field, "".
func typoSource(f Field) Field {
	switch f {
	case FieldGivenTypo:
		return FieldGivenExact
	case FieldFamilyTypo:
		return FieldFamilyExact
	case FieldGivenEnding:
		return FieldGivenExact
	}
	return ""
}

// countTokens counts, once per record, each name of field fld (given or
// family as written) among f's name forms.
func (s *fileStats) countTokens(counts map[string]int, f *features, fld Field) {
	var seen []string
	for i := range f.names {
		one, _ := f.names[i].fieldValues(fld)
		if one != "" && !slices.Contains(seen, one) {
			seen = append(seen, one)
			counts[one]++
		}
	}
}

// typoVariants returns, for a typo field (typoSource), the function that
// lists a name's values of it.
func typoVariants(f Field) func(dst []string, tok string) []string {
	switch f {
	case FieldGivenEnding:
		return appendEndingVariants
	case FieldFamilyTypo:
		return appendFamilyTypoVariants
	}
	return appendTypoVariants
}

// typoPairs returns the number of ordered pairs of distinct records whose
// names, counted per name in counts, share a variant (appendVariants): the
// same name, or two names one typo apart.
func typoPairs(counts map[string]int, appendVariants func(dst []string, tok string) []string) float64 {
	byVariant := map[string][]string{}
	var pairs float64
	var variants []string
	for name, k := range counts {
		pairs += float64(k) * float64(k-1)
		variants = appendVariants(variants[:0], name)
		for _, v := range variants {
			byVariant[v] = append(byVariant[v], name)
		}
	}
	near := map[[2]string]bool{}
	for _, names := range byVariant {
		for i, a := range names {
			for _, b := range names[i+1:] {
				pair := [2]string{a, b}
				if a > b {
					pair = [2]string{b, a}
				}
				if !near[pair] {
					near[pair] = true
					pairs += 2 * float64(counts[a]) * float64(counts[b])
				}
			}
		}
	}
	return pairs
}

// statistics turns the counts into agreement rates: the share of pairs of
// distinct records with the field that share a value at the level, at
// least one pair's worth.
func (s *fileStats) statistics() Statistics {
	st := Statistics{records: uint32(min(int64(s.records), math.MaxUint32)), agree: make([][]uint16, len(s.rs.comps))}
	for c, comp := range s.rs.comps {
		st.agree[c] = make([]uint16, len(comp.Levels))
		n := float64(s.present[c])
		for l, lv := range comp.Levels {
			var same float64
			if typoSource(lv.Field) != "" {
				same = typoPairs(s.values[c][l], typoVariants(lv.Field))
			} else {
				for _, k := range s.values[c][l] {
					same += float64(k) * float64(k-1)
				}
			}
			// A file cannot show a rate below one pair in all of its
			// pairs: agreement it never saw is rare, not impossible, and
			// taking it as impossible would make it proof.
			p := 1.0
			if n > 1 {
				p = min(max(same, 2)/(n*(n-1)), 1)
			}
			st.agree[c][l] = encodeRate(p)
		}
	}
	return st
}

func encodeRate(p float64) uint16 {
	return uint16(math.Round(-math.Log2(max(p, minRate)) * rateScale))
}

func decodeRate(x uint16) float64 { return math.Exp2(-float64(x) / rateScale) }

// MarshalBinary encodes s as a payload of PayloadSize bytes: a marker
// byte, the record count (4 bytes, big-endian), then each comparison
// level's rate in rule-set order, rateBits bits each, packed most
// significant bit first, then zero bits to the end.
func (s Statistics) MarshalBinary() ([]byte, error) {
	p := make([]byte, 5, PayloadSize)
	p[0] = statisticsMarker
	binary.BigEndian.PutUint32(p[1:], s.records)
	var acc uint32
	var bits uint
	for _, levels := range s.agree {
		for _, x := range levels {
			acc = acc<<rateBits | uint32(x)&(1<<rateBits-1)
			for bits += rateBits; bits >= 8; bits -= 8 {
				p = append(p, byte(acc>>(bits-8)))
			}
		}
	}
	if bits > 0 {
		p = append(p, byte(acc<<(8-bits)))
	}
	return p[:PayloadSize], nil
}

// ParseStatistics decodes the peer's statistics, strictly, for the rule
// set both parties agreed on: every bit after the last level must be zero.
func (rs *RuleSet) ParseStatistics(p []byte) (Statistics, error) {
	if len(p) != PayloadSize || p[0] != statisticsMarker {
		return Statistics{}, ErrStatistics
	}
	s := Statistics{records: binary.BigEndian.Uint32(p[1:]), agree: make([][]uint16, len(rs.comps))}
	bit := 5 * 8
	read := func(n int) uint16 {
		var x uint16
		for range n {
			x = x<<1 | uint16(p[bit/8]>>(7-bit%8)&1)
			bit++
		}
		return x
	}
	for c, comp := range rs.comps {
		s.agree[c] = make([]uint16, len(comp.Levels))
		for l := range comp.Levels {
			s.agree[c][l] = read(rateBits)
		}
	}
	for bit < 8*len(p) {
		if read(1) != 0 {
			return Statistics{}, ErrStatistics
		}
	}
	return s, nil
}

// StatisticsElement returns the PSI element that carries each party's
// Statistics as its payload. Both parties hold it, so it is always in the
// intersection, and only it: it is bound to the rule set and tagged apart
// from every match key.
func (rs *RuleSet) StatisticsElement() []byte {
	h := sha256.New()
	h.Write(rs.id[:16])
	h.Write([]byte{0xff})
	h.Write([]byte("reunite file statistics"))
	return h.Sum(nil)
}

// chanceRates combines two files' statistics into the probability of each
// outcome of each comparison for a pair of records of different children:
// per level, the geometric mean of the two files' rates of agreeing there
// (an upper bound of the cross-file rate), made cumulative from the best
// level down, since a pair is counted at its best level; what is left is
// disagreement. A side level (sideLevels) is not cumulative: its pairs are
// those that agree there less those that agree at the level it overlaps,
// and the levels after it do not contain them. The combination is
// symmetric, so both parties get the same values to the last bit.
func (rs *RuleSet) chanceRates(a, b Statistics) [][]float64 {
	u := make([][]float64, len(rs.comps))
	for c, comp := range rs.comps {
		u[c] = make([]float64, len(comp.Levels)+1)
		agree := make([]float64, len(comp.Levels))
		reached, side := 0.0, 0.0
		for l, lv := range comp.Levels {
			x, y := a.rate(c, l), b.rate(c, l)
			agree[l] = math.Exp2(-(float64(x) + float64(y)) / (2 * rateScale))
			if overlap, ok := sideLevels[lv.Field]; ok {
				within := 0.0
				if k := slices.IndexFunc(comp.Levels[:l], func(o Level) bool { return o.Field == overlap }); k >= 0 {
					within = agree[k]
				}
				u[c][l] = max(min(agree[l]-within, 1-emFloor-reached-side), emFloor)
				side += u[c][l]
				continue
			}
			next := min(max(reached, agree[l]), 1-emFloor-side)
			u[c][l] = max(next-reached, emFloor)
			reached = next
		}
		u[c][len(comp.Levels)] = max(1-reached-side, emFloor)
	}
	return u
}

// sideLevels lists the fields of levels whose agreement is not nested in
// the levels before and after them, with the one better level they
// overlap: two birth dates with the same month and day share the full
// date's pairs, but not those of the same year and month, and none of the
// year levels after them, since their years differ.
var sideLevels = map[Field]Field{
	FieldMonthDay: FieldDate,
}

// rate returns the encoded rate of level l of comparison c, or that of
// certain agreement when s has none (a rule set without that level).
func (s Statistics) rate(c, l int) uint16 {
	if c < len(s.agree) && l < len(s.agree[c]) {
		return s.agree[c][l]
	}
	return 0
}
