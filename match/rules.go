package match

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NormalizationVersion names the normalization this package applies before
// deriving keys. It is part of every rule set's identity: a change to
// normalization changes keys, so it must change the ID too, or two parties
// would run a session that silently finds nothing.
const NormalizationVersion = "reunite-normalize-v3"

// KeySize is the size of a match key.
const KeySize = 32

// DefaultMaxKeysPerRecord caps the keys one record contributes, so a record
// stuffed with aliases cannot probe the peer with hundreds of guesses.
const DefaultMaxKeysPerRecord = 32

// Errors for rule sets.
var ErrRuleSet = errors.New("match: invalid rule set")

// Field is one input a rule combines. Each derives zero or more canonical
// values from a record; a rule yields one key per combination of its
// fields' values, and none when any field has no value.
type Field string

// The fields rules can use. Name fields are computed for the record's name
// and for each alias. "The first given name" is the one a child is called
// by: the first token of the given names, after Văn or Thị; for a
// Vietnamese name, the last, and the name fields then use tokens as written
// instead of skeletons and codes, which would make short Vietnamese names
// one. A family name written with its European particles apart (van der
// Meer) is also paired in its solid spelling (vandermeer).
const (
	FieldName          Field = "name"           // all name tokens, normalized, order-free, particles and patronymics dropped
	FieldNameSkeleton  Field = "name-skeleton"  // consonant skeletons of all name tokens, order-free
	FieldFirstNames    Field = "first-names"    // skeletons of the first given name and the first (or last) family name, order-free
	FieldFirstPhonetic Field = "first-phonetic" // Double Metaphone codes of the first given and first family name, marked for a leading y and a final a, order-free
	FieldFirstSound    Field = "first-sound"    // coarse sound codes of the first given and first family name, order-free: tolerates other romanizations
	FieldGiven         Field = "given"          // skeleton of the first given name
	FieldNamePart      Field = "name-part"      // the first given name as written, with the first or the last four letters of the first family name: one typo spares one of them in a family name of eight letters or more, often in a shorter one
	FieldDate          Field = "date"           // full birth date
	FieldDateSwapped   Field = "date-unordered" // birth year with day and month unordered, for dates whose day could be a month: catches day/month swaps
	FieldYear          Field = "year"           // birth year; year ± 1 for records that only have a year (estimated age)
	FieldAliasBand     Field = "alias-band"     // two overlapping six-year bands around the birth year, or, with a name from an alias, around the year two later: a false identity usually makes a child older, so a real birth year 0 to 4 years after the false one shares a band
	FieldBirthPlace    Field = "birth-place"
	FieldSex           Field = "sex"           // F, M or X; no value when unknown
	FieldDocument      Field = "document"      // document number, letters and digits only
	FieldDocumentNear  Field = "document-near" // the document number's second half; its first half and last digit; its characters sorted: numbers with one wrong character (not the last digit) or two swapped share one, consecutively issued numbers none
	FieldDocumentHalf  Field = "document-half" // each half of the document number: numbers with one wrong character share one, and so do consecutively issued numbers
	FieldParents       Field = "parents"       // the skeleton of each parent's name, patronymic dropped: records that agree on one parent share a key
	FieldPostcode      Field = "postcode"
	FieldAddress       Field = "address"
	FieldLocality      Field = "locality"
)

// givenSignal are the fields that carry given-name signal; strongIDs are
// identifiers strong enough to stand without it. Every rule needs one or
// the other, or twins and siblings (same family, date, parents, place)
// would share keys.
var (
	givenSignal = []Field{FieldName, FieldNameSkeleton, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound, FieldGiven, FieldNamePart}
	// FieldDocumentNear counts as strong because consecutively issued
	// numbers (twins' passports) differ in their last digit, so in their
	// second half, and in their digit sums, so in their sorted characters;
	// the first half (in FieldDocumentHalf) they share, so a rule on it
	// needs given-name signal.
	strongIDs   = []Field{FieldDocument, FieldDocumentNear}
	knownFields = knownFieldsOrder[:]
)

// knownFieldsOrder lists every field; rules refer to fields by their
// position here internally.
var knownFieldsOrder = [...]Field{
	FieldName, FieldNameSkeleton, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound, FieldGiven,
	FieldNamePart, FieldDate, FieldDateSwapped, FieldYear, FieldAliasBand, FieldBirthPlace, FieldDocument, FieldDocumentNear,
	FieldDocumentHalf, FieldParents, FieldSex, FieldPostcode, FieldAddress, FieldLocality,
}

// Rule turns records into keys: records that agree on all of a rule's
// fields share that rule's key. Weight, in (0, 1), is how strongly a shared
// key says "same child"; a pair's score combines the weights of every rule
// it shares a key on.
type Rule struct {
	Name   string
	Weight float64
	Fields []Field
	// WithoutFullDate makes the rule count only for pairs in which at
	// least one record lacks a full birth date. Two full dates that differ
	// rule a pair out more surely than, say, a shared name and birth place
	// rule it in; without a date, such fields are the best evidence left.
	// Rules on FieldYear behave this way whatever this says.
	WithoutFullDate bool
	// ViaAlias makes the rule count only for pairs in which, on at least
	// one side, the shared key comes from an alias, not from the record's
	// own name: a child held under a false identity, with the real name
	// kept as an alias, shares little else with the record under the real
	// name. Two records' own names never meet through such a rule, so it
	// can be looser than name rules that stand alone (no birth date).
	ViaAlias bool
}

// RuleSet is a named, versioned list of rules with a stable identity that
// both parties must agree on before a session (the PSI handshake refuses a
// mismatch). Create one with DefaultRules or NewRuleSet.
type RuleSet struct {
	name      string
	rules     []Rule
	threshold float64
	maxKeys   int
	id        [32]byte
	fieldIdx  [][]int // per rule, its fields' positions in knownFieldsOrder
	gated     []bool  // per rule, whether it counts only without a full date on one side
	viaAlias  []bool  // per rule, whether it counts only through an alias on one side
}

// DefaultRules returns reunite's default rule set, tuned on synthetic
// cross-border child records and on the FEBRL4 benchmark (see bench/).
func DefaultRules() *RuleSet {
	rs, err := NewRuleSet("reunite-default-v2", defaultRules, 0.8, DefaultMaxKeysPerRecord)
	if err != nil {
		panic(err) // the default rules are valid; a test checks it
	}
	return rs
}

var defaultRules = []Rule{
	{Name: "document", Weight: 0.99, Fields: []Field{FieldDocument}},
	{Name: "via-alias:name+sex+alias-band", Weight: 0.8, Fields: []Field{FieldName, FieldSex, FieldAliasBand}, ViaAlias: true},
	{Name: "name+date", Weight: 0.99, Fields: []Field{FieldName, FieldDate}},
	{Name: "name-skeleton+date", Weight: 0.97, Fields: []Field{FieldNameSkeleton, FieldDate}},
	{Name: "first-phonetic+date", Weight: 0.9, Fields: []Field{FieldFirstPhonetic, FieldDate}},
	{Name: "first-names+date-unordered", Weight: 0.9, Fields: []Field{FieldFirstNames, FieldDateSwapped}},
	{Name: "first-sound+date", Weight: 0.85, Fields: []Field{FieldFirstSound, FieldDate}},
	{Name: "name-part+date", Weight: 0.85, Fields: []Field{FieldNamePart, FieldDate}},
	{Name: "given+date+birth-place", Weight: 0.85, Fields: []Field{FieldGiven, FieldDate, FieldBirthPlace}},
	{Name: "given+parents+year", Weight: 0.85, Fields: []Field{FieldGiven, FieldParents, FieldYear}},
	{Name: "given+date+locality", Weight: 0.85, Fields: []Field{FieldGiven, FieldDate, FieldLocality}},
	{Name: "first-names+postcode", Weight: 0.7, Fields: []Field{FieldFirstNames, FieldPostcode}},
	{Name: "given+address", Weight: 0.7, Fields: []Field{FieldGiven, FieldAddress}},
	{Name: "first-names+locality", Weight: 0.6, Fields: []Field{FieldFirstNames, FieldLocality}},
	{Name: "name-skeleton+birth-place", Weight: 0.6, Fields: []Field{FieldNameSkeleton, FieldBirthPlace}},
	{Name: "no-date:first-sound+birth-place", Weight: 0.7, Fields: []Field{FieldFirstSound, FieldBirthPlace}, WithoutFullDate: true},
	{Name: "no-date:first-names+parents", Weight: 0.8, Fields: []Field{FieldFirstNames, FieldParents}, WithoutFullDate: true},
	// Rules on the year count only when one record lacks a full date (see
	// Index.Link); names and a year then link on their own, since nothing
	// finer is known.
	{Name: "name-skeleton+year", Weight: 0.6, Fields: []Field{FieldNameSkeleton, FieldYear}},
	{Name: "first-sound+year", Weight: 0.5, Fields: []Field{FieldFirstSound, FieldYear}},
	{Name: "document-near+date", Weight: 0.95, Fields: []Field{FieldDocumentNear, FieldDate}},
	{Name: "document-half+given", Weight: 0.7, Fields: []Field{FieldDocumentHalf, FieldGiven}},
}

// NewRuleSet validates rules and returns a rule set named name. threshold
// is the default score a pair needs to be reported; maxKeys caps the keys
// per record (0 means DefaultMaxKeysPerRecord). Every rule must use a
// given-name field or a document number.
func NewRuleSet(name string, rules []Rule, threshold float64, maxKeys int) (*RuleSet, error) {
	if name == "" || len(rules) == 0 || len(rules) > 255 {
		return nil, fmt.Errorf("%w: need a name and 1 to 255 rules", ErrRuleSet)
	}
	if !(threshold > 0 && threshold <= 1) {
		return nil, fmt.Errorf("%w: threshold must be in (0, 1]", ErrRuleSet)
	}
	if maxKeys == 0 {
		maxKeys = DefaultMaxKeysPerRecord
	}
	if maxKeys < 1 || maxKeys > 1024 {
		return nil, fmt.Errorf("%w: max keys per record must be 1 to 1024", ErrRuleSet)
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if r.Name == "" || seen[r.Name] {
			return nil, fmt.Errorf("%w: rule names must be non-empty and unique", ErrRuleSet)
		}
		seen[r.Name] = true
		if !(r.Weight > 0 && r.Weight < 1) {
			return nil, fmt.Errorf("%w: rule %s: weight must be in (0, 1)", ErrRuleSet, r.Name)
		}
		if len(r.Fields) == 0 {
			return nil, fmt.Errorf("%w: rule %s has no fields", ErrRuleSet, r.Name)
		}
		signal := false
		for _, f := range r.Fields {
			if !slices.Contains(knownFields, f) {
				return nil, fmt.Errorf("%w: rule %s: unknown field %q", ErrRuleSet, r.Name, f)
			}
			signal = signal || slices.Contains(givenSignal, f) || slices.Contains(strongIDs, f)
		}
		if !signal {
			return nil, fmt.Errorf("%w: rule %s has neither given-name signal nor a document number, so twins would share its keys", ErrRuleSet, r.Name)
		}
		if r.ViaAlias && !slices.ContainsFunc(r.Fields, isNameField) {
			return nil, fmt.Errorf("%w: rule %s counts only through an alias but uses no name field", ErrRuleSet, r.Name)
		}
		if i := slices.Index(r.Fields, FieldAliasBand); i >= 0 && !slices.ContainsFunc(r.Fields[:i], isNameField) {
			return nil, fmt.Errorf("%w: rule %s: %s must follow a name field", ErrRuleSet, r.Name, FieldAliasBand)
		}
	}
	rs := &RuleSet{name: name, rules: slices.Clone(rules), threshold: threshold, maxKeys: maxKeys}
	for i := range rs.rules {
		rs.rules[i].Fields = slices.Clone(rules[i].Fields)
		var idx []int
		for _, f := range rules[i].Fields {
			idx = append(idx, slices.Index(knownFields, f))
		}
		rs.fieldIdx = append(rs.fieldIdx, idx)
		rs.gated = append(rs.gated, rules[i].WithoutFullDate || slices.Contains(rules[i].Fields, FieldYear))
		rs.viaAlias = append(rs.viaAlias, rules[i].ViaAlias)
	}
	rs.id = rs.computeID()
	return rs, nil
}

// computeID hashes everything that decides which keys a record gets: the
// normalization version, the rule set's name, key cap and rules in order.
// The threshold is excluded: it is each party's own reporting policy and
// does not change keys.
func (rs *RuleSet) computeID() [32]byte {
	h := sha256.New()
	field := func(s string) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
		h.Write([]byte(s))
	}
	field("reunite-ruleset-v1")
	field("key: SHA-256(rule-set hash[:16] || rule index || (0x1f || value)...)")
	field(NormalizationVersion)
	field(rs.name)
	field(strconv.Itoa(rs.maxKeys))
	for _, r := range rs.rules {
		field(r.Name)
		field(strconv.FormatFloat(r.Weight, 'g', -1, 64))
		for _, f := range r.Fields {
			field(string(f))
		}
		if r.WithoutFullDate {
			field("without-full-date")
		}
		if r.ViaAlias {
			field("via-alias")
		}
		field("")
	}
	var id [32]byte
	h.Sum(id[:0])
	return id
}

// ID returns the rule set's identity, suitable as psi.Config.Context: the
// set's name and the first 16 bytes of its hash, in hex.
func (rs *RuleSet) ID() string {
	return rs.name + ":" + hex.EncodeToString(rs.id[:16])
}

// Rules returns a copy of the rules.
func (rs *RuleSet) Rules() []Rule {
	out := slices.Clone(rs.rules)
	for i := range out {
		out[i].Fields = slices.Clone(out[i].Fields)
	}
	return out
}

// Threshold returns the rule set's default reporting threshold.
func (rs *RuleSet) Threshold() float64 { return rs.threshold }

// MaxKeysPerRecord returns the cap on keys per record.
func (rs *RuleSet) MaxKeysPerRecord() int { return rs.maxKeys }

// Score combines the weights of the given rules (indices into Rules) as
// independent evidence: 1 − Π(1 − weight). Repeated rules count once.
func (rs *RuleSet) Score(rules []int) float64 {
	miss := 1.0
	var seen [256]bool
	for _, r := range rules {
		if !seen[r] {
			seen[r] = true
			miss *= 1 - rs.rules[r].Weight
		}
	}
	return math.Round((1-miss)*1e6) / 1e6
}

// Key is one match key derived from a record.
type Key struct {
	Rule  int // index into the rule set's rules
	Value [KeySize]byte
	// FromAlias reports that the key's name values come from one of the
	// record's aliases and not from its own name.
	FromAlias bool
}

// isASCIILetters reports whether s holds only the letters a to z, as
// normalize.Text writes every script it transliterates.
func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// isVietnamese reports whether a name with family name fam (normalized),
// given tokens givenToks and raw fields rawFamily and rawGiven is Vietnamese (vn), or may be
// without a way to tell (maybe). A family name only Vietnamese people bear
// decides; one borne elsewhere too (Le, Ho, Kim, Lam) needs a cue: a
// letter only Vietnamese writes (ơ ư ă đ, a tone mark with a hook or a dot
// below), a diacritic on the family name itself, or the middle name Văn or
// Thị.
func isVietnamese(fam string, givenToks []string, rawFamily, rawGiven string) (vn, maybe bool) {
	if vietnameseFamily[fam] {
		return true, false
	}
	if !ambiguousVietnameseFamily[fam] {
		return false, false
	}
	if slices.Contains(givenToks, "van") || slices.Contains(givenToks, "thi") {
		return true, false
	}
	for _, c := range rawFamily {
		// Lê, Hồ, Lâm, Tô: elsewhere these names are written without marks.
		if c > unicode.MaxASCII && unicode.IsLetter(c) {
			return true, false
		}
	}
	for _, c := range rawGiven + rawFamily {
		switch {
		case c >= 0x1EA0 && c <= 0x1EF9, // Latin Extended Additional: Vietnamese tone marks
			c == 'ơ', c == 'Ơ', c == 'ư', c == 'Ư', c == 'ă', c == 'Ă', c == 'đ', c == 'Đ',
			c == 0x0309, c == 0x0323, c == 0x031B: // combining hook above, dot below, horn
			return true, false
		}
	}
	return false, true
}

// vietnameseFamily holds family names, as normalize.Text writes them, that
// nearly only Vietnamese people bear; ambiguousVietnameseFamily those that
// are common Vietnamese family names and family names elsewhere too
// (Korean Kim and Ha, Chinese Lam and Ho, Portuguese do, French Le).
var (
	vietnameseFamily = map[string]bool{
		"nguyen": true, "tran": true, "pham": true, "hoang": true, "huynh": true, "phan": true,
		"vu": true, "vo": true, "dang": true, "bui": true, "duong": true, "trinh": true,
		"dinh": true, "dao": true, "doan": true, "truong": true, "luong": true, "phung": true,
		"quach": true, "kieu": true, "khuc": true, "nghiem": true, "tieu": true, "trieu": true,
		"vuong": true, "khong": true, "diep": true, "khuat": true, "thach": true, "ngo": true,
	}
	ambiguousVietnameseFamily = map[string]bool{
		"le": true, "ho": true, "do": true, "ly": true, "mai": true, "lam": true, "cao": true,
		"to": true, "ta": true, "ha": true, "chau": true, "luu": true, "thai": true, "tang": true,
		"dam": true, "dong": true, "giang": true, "luc": true, "mac": true, "ong": true,
		"quan": true, "tong": true, "chu": true, "lai": true, "lac": true, "au": true,
		"hua": true, "kim": true, "la": true, "than": true, "ton": true, "tu": true, "ung": true,
		"vi": true, "lo": true, "hong": true, "son": true, "man": true, "yen": true, "van": true,
	}
)

// solidParticles returns the family name's leading European particles
// written solid with the name after them (van der Meer → vandermeer), or
// "" when it does not start with one.
func solidParticles(toks []string) string {
	i := 0
	for i < len(toks)-1 && europeanParticle(toks[i]) {
		i++
	}
	if i == 0 {
		return ""
	}
	return strings.Join(toks[:i+1], "")
}

func europeanParticle(t string) bool {
	switch t {
	case "van", "von", "der", "den", "ter", "ten", "zu", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le":
		return true
	}
	return false
}

// firstGiven picks the given name that identifies a child: the first
// token, except that the Vietnamese middle names Văn and Thị, which mark
// sex and which half the children of a family share, give way to the name
// after them.
func firstGiven(toks []string) string {
	for len(toks) > 1 && (toks[0] == "van" || toks[0] == "thi") {
		toks = toks[1:]
	}
	return toks[0]
}

// dropPatronymics removes East Slavic patronymics (Ivanovich, Petrivna,
// Ilyich) from toks, keeping the first keep tokens whatever they are: a
// child's given names are written with the patronymic in Russian and
// Ukrainian records and without it in passports and records abroad.
func dropPatronymics(toks []string, keep int) []string {
	if !slices.ContainsFunc(toks[min(keep, len(toks)):], isPatronymic) {
		return toks
	}
	out := make([]string, 0, len(toks)-1)
	for i, t := range toks {
		if i < keep || !isPatronymic(t) {
			out = append(out, t)
		}
	}
	return out
}

// isPatronymic reports whether a normalized token has the ending of a
// Russian or Ukrainian patronymic in one of its romanizations. Surnames
// with these endings (Petrovich, Babich) are family names, which
// dropPatronymics is never given; -rich is excluded for German given names
// (Heinrich, Ulrich).
func isPatronymic(t string) bool {
	if len(t) < 5 {
		return false
	}
	for _, end := range [...]string{"ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ichna", "yich", "iich"} {
		if strings.HasSuffix(t, end) {
			return true
		}
	}
	return strings.HasSuffix(t, "ich") && !strings.HasSuffix(t, "rich")
}

// initialYe drops the y (or i, or j) of an initial ye (or ie, je), which
// Russian and Ukrainian romanizations write or not for one letter
// (Yevgeniy, Ievgen, Jewgeni and Evgenii; Yelena, Jelena and Elena).
//
// Only before v, w, l, k, g or h, the letters that follow є and е in the
// names concerned (Yevhen, Yelena, Yekaterina, Yegor), so that Jemma,
// Jessie and Jens do not become Emma, Essie and Enis.
func initialYe(tok string) string {
	if len(tok) > 3 && (strings.HasPrefix(tok, "ye") || strings.HasPrefix(tok, "ie") || strings.HasPrefix(tok, "je")) &&
		strings.IndexByte("vwlkgh", tok[2]) >= 0 {
		return tok[1:]
	}
	return tok
}

// glide marks a name that starts with the sound y, which Double Metaphone
// and vowel-dropping codes lose: Yana is not Anna, Yusuf not Usuf.
func glide(tok string) string {
	if startsWithGlide(initialYe(tok)) {
		return "y~"
	}
	return ""
}

func ending(tok string) string {
	if strings.HasSuffix(tok, "a") || strings.HasSuffix(tok, "ah") {
		return "~a"
	}
	return ""
}

// stripAssimilatedArticles removes the Arabic article where it is written
// assimilated to a following sun letter and joined by a hyphen or
// apostrophe (az-Zubaidi, ar-Rashid, ash-Shami, an-Nasser), which
// normalize does not treat as a particle because "an", "as" and "at" are
// also given names or words elsewhere. Only the joined, assimilated form is
// removed, where no such reading exists.
func stripAssimilatedArticles(s string) string {
	if !mayJoinArticle(s) || !strings.ContainsAny(s, "-'’ʼ‐‑") {
		return s
	}
	words := strings.Fields(s)
	for i, w := range words {
		lw := strings.ToLower(w)
		for _, art := range []string{"ash", "ath", "adh", "ad", "an", "ar", "as", "at", "az", "al", "el"} {
			if len(lw) <= len(art)+1 || !strings.HasPrefix(lw, art) {
				continue
			}
			sep, size := utf8.DecodeRuneInString(lw[len(art):])
			if !strings.ContainsRune("-'’ʼ‐‑", sep) {
				continue
			}
			rest := lw[len(art)+size:]
			// The article's consonant doubles the next letter (ar-R…),
			// except al/el, which are removed by normalize anyway.
			if art == "al" || art == "el" || strings.HasPrefix(rest, art[len(art)-1:]) || strings.HasPrefix(rest, art[1:]) {
				words[i] = w[len(art)+size:]
			}
			break
		}
	}
	return strings.Join(words, " ")
}

// mayJoinArticle reports whether s has a byte that starts one of the
// joiners stripAssimilatedArticles looks for: a hyphen, an apostrophe, or
// the first byte of ’ ʼ ‐ ‑ (0xE2, 0xCA). Most names have none, and this
// test costs less than the search for the joiners themselves.
func mayJoinArticle(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '-', '\'', 0xE2, 0xCA:
			return true
		}
	}
	return false
}

// uniq removes empty and repeated values from vs, in place, keeping the
// first of each.
func uniq(vs ...string) []string {
	out := vs[:0]
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func isNameField(f Field) bool {
	switch f {
	case FieldName, FieldNameSkeleton, FieldGiven, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound, FieldNamePart:
		return true
	}
	return false
}
