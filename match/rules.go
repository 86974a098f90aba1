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
	"unicode/utf8"

	"github.com/reunite-psi/reunite/match/internal/normalize"
	"github.com/reunite-psi/reunite/match/internal/phonetic"
)

// NormalizationVersion names the normalization this package applies before
// deriving keys. It is part of every rule set's identity: a change to
// normalization changes keys, so it must change the ID too, or two parties
// would run a session that silently finds nothing.
const NormalizationVersion = "reunite-normalize-v2"

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
// and for each alias.
const (
	FieldName          Field = "name"           // all name tokens, normalized, order-free, particles dropped
	FieldNameSkeleton  Field = "name-skeleton"  // consonant skeletons of all name tokens, order-free
	FieldFirstNames    Field = "first-names"    // skeletons of the first given name and the first (or last) family name, order-free
	FieldFirstPhonetic Field = "first-phonetic" // Double Metaphone codes of the first given and first family name, order-free
	FieldFirstSound    Field = "first-sound"    // coarse sound codes of the first given and first family name, order-free: tolerates other romanizations
	FieldGiven         Field = "given"          // skeleton of the first given name
	FieldDate          Field = "date"           // full birth date
	FieldDateSwapped   Field = "date-unordered" // birth year with day and month unordered: catches day/month swaps
	FieldYear          Field = "year"           // birth year; year ± 1 for records that only have a year (estimated age)
	FieldBirthPlace    Field = "birth-place"
	FieldDocument      Field = "document"      // document number, letters and digits only
	FieldDocumentNear  Field = "document-near" // the document number with one character deleted, at each position but the last, and with its last two sorted: tolerates one typo or swap
	FieldParents       Field = "parents"       // the skeleton of each parent's name: records that agree on one parent share a key
	FieldPostcode      Field = "postcode"
	FieldAddress       Field = "address"
	FieldLocality      Field = "locality"
)

// givenSignal are the fields that carry given-name signal; strongIDs are
// identifiers strong enough to stand without it. Every rule needs one or
// the other, or twins and siblings (same family, date, parents, place)
// would share keys.
var (
	givenSignal = []Field{FieldName, FieldNameSkeleton, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound, FieldGiven}
	// FieldDocumentNear counts as strong because consecutively issued
	// numbers (twins' passports) share none of its variants; see values.
	strongIDs   = []Field{FieldDocument, FieldDocumentNear}
	knownFields = knownFieldsOrder[:]
)

// knownFieldsOrder lists every field; rules refer to fields by their
// position here internally.
var knownFieldsOrder = [...]Field{
	FieldName, FieldNameSkeleton, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound, FieldGiven,
	FieldDate, FieldDateSwapped, FieldYear, FieldBirthPlace, FieldDocument, FieldDocumentNear,
	FieldParents, FieldPostcode, FieldAddress, FieldLocality,
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
}

// DefaultRules returns reunite's default rule set, tuned on synthetic
// cross-border child records and on the FEBRL4 benchmark (see bench/).
func DefaultRules() *RuleSet {
	rs, err := NewRuleSet("reunite-default-v1", defaultRules, 0.8, DefaultMaxKeysPerRecord)
	if err != nil {
		panic(err) // the default rules are valid; a test checks it
	}
	return rs
}

var defaultRules = []Rule{
	{"document", 0.99, []Field{FieldDocument}, false},
	{"name+date", 0.99, []Field{FieldName, FieldDate}, false},
	{"name-skeleton+date", 0.97, []Field{FieldNameSkeleton, FieldDate}, false},
	{"first-names+date", 0.95, []Field{FieldFirstNames, FieldDate}, false},
	{"first-phonetic+date", 0.9, []Field{FieldFirstPhonetic, FieldDate}, false},
	{"first-names+date-unordered", 0.9, []Field{FieldFirstNames, FieldDateSwapped}, false},
	{"first-sound+date", 0.85, []Field{FieldFirstSound, FieldDate}, false},
	{"given+date+birth-place", 0.85, []Field{FieldGiven, FieldDate, FieldBirthPlace}, false},
	{"given+parents+year", 0.85, []Field{FieldGiven, FieldParents, FieldYear}, false},
	{"first-names+parents", 0.7, []Field{FieldFirstNames, FieldParents}, false},
	{"given+date+postcode", 0.9, []Field{FieldGiven, FieldDate, FieldPostcode}, false},
	{"given+date+locality", 0.85, []Field{FieldGiven, FieldDate, FieldLocality}, false},
	{"first-names+postcode", 0.7, []Field{FieldFirstNames, FieldPostcode}, false},
	{"given+address", 0.7, []Field{FieldGiven, FieldAddress}, false},
	{"name-skeleton+locality", 0.6, []Field{FieldNameSkeleton, FieldLocality}, false},
	{"first-names+locality", 0.6, []Field{FieldFirstNames, FieldLocality}, false},
	{"given+locality", 0.4, []Field{FieldGiven, FieldLocality}, false},
	{"name-skeleton+birth-place", 0.6, []Field{FieldNameSkeleton, FieldBirthPlace}, false},
	{"no-date:first-sound+birth-place", 0.7, []Field{FieldFirstSound, FieldBirthPlace}, true},
	{"no-date:first-names+parents", 0.8, []Field{FieldFirstNames, FieldParents}, true},
	{"first-names+year+birth-place", 0.85, []Field{FieldFirstNames, FieldYear, FieldBirthPlace}, false},
	// Rules on the year count only when one record lacks a full date (see
	// Index.Link); names and a year then link on their own, since nothing
	// finer is known.
	{"name+year", 0.7, []Field{FieldName, FieldYear}, false},
	{"first-names+year", 0.5, []Field{FieldFirstNames, FieldYear}, false},
	{"first-sound+year", 0.5, []Field{FieldFirstSound, FieldYear}, false},
	// Last, so that under the per-record key cap a long document number's
	// many near variants never crowd out the rules above.
	{"document-near+date", 0.95, []Field{FieldDocumentNear, FieldDate}, false},
	{"document-near+given", 0.7, []Field{FieldDocumentNear, FieldGiven}, false},
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
}

// Keys derives the record's match keys, in rule order, without
// duplicates, at most MaxKeysPerRecord of them. truncated reports how many
// were dropped by the cap (they are the last rules' keys, the weakest by
// convention). A key is SHA-256(first 16 bytes of the rule-set hash ‖ rule
// index ‖ field values, each preceded by 0x1f), so keys of different rules
// and rule sets never collide.
func (rs *RuleSet) Keys(r *Record) (keys []Key, truncated int) {
	f := extract(r)
	keys = make([]Key, 0, rs.maxKeys)
	var vals [len(knownFieldsOrder)][]string
	var have [len(knownFieldsOrder)]bool
	var buf [512]byte
	for ri, fields := range rs.fieldIdx {
		ok := true
		for _, fi := range fields {
			if !have[fi] {
				vals[fi], have[fi] = f.values(knownFieldsOrder[fi], nil), true
			}
			ok = ok && len(vals[fi]) > 0
		}
		if !ok {
			continue
		}
		// The rule set's hash (which names this key construction) and
		// the rule index separate every rule's keys; 16 bytes of the hash
		// keep most keys to one SHA-256 block.
		prefix := append(buf[:0], rs.id[:16]...)
		prefix = append(prefix, byte(ri))
		// Walk every combination of the fields' values, hashing each.
		var walk func(b []byte, j int)
		walk = func(b []byte, j int) {
			if j == len(fields) {
				// Values within a field are distinct and the rule index is
				// hashed, so no two combinations give the same key.
				if len(keys) == rs.maxKeys {
					truncated++
				} else {
					keys = append(keys, Key{Rule: ri, Value: sha256.Sum256(b)})
				}
				return
			}
			for _, v := range vals[fields[j]] {
				// 0x1f cannot occur in normalized values, so the encoding
				// is unambiguous.
				walk(append(append(b, 0x1f), v...), j+1)
			}
		}
		walk(prefix, 0)
	}
	return keys, truncated
}

// features holds a record's canonical values, computed once per record.
type features struct {
	names                             []nameForm
	date                              Date
	place, doc, postcode, addr, local string
	parents                           []string
}

type nameForm struct {
	full, skeleton, given        string
	firstNames, phonetic, sounds []string
}

func extract(r *Record) *features {
	f := &features{
		date:     r.BirthDate,
		place:    normalize.Text(r.BirthPlace),
		doc:      documentValue(r.DocumentNumber),
		postcode: strings.ReplaceAll(normalize.Text(r.Postcode), " ", ""),
		addr:     normalize.Text(r.Address),
		local:    normalize.Text(r.Locality),
	}
	if n, ok := nameFormOf(r.GivenNames, r.FamilyNames); ok {
		f.names = append(f.names, n)
	}
	for _, a := range r.Aliases {
		// An alias is one full name; its first token is taken as the given
		// name and the rest as family names.
		toks := normalize.NameTokens(a)
		if len(toks) == 0 {
			continue
		}
		if n, ok := nameFormOf(toks[0], strings.Join(toks[1:], " ")); ok {
			f.names = append(f.names, n)
		}
	}
	for _, p := range r.ParentNames {
		f.parents = append(f.parents, normalize.SkeletonKey(p))
	}
	f.parents = uniq(f.parents...)
	return f
}

func nameFormOf(given, family string) (nameForm, bool) {
	// Tokenize each field once and build what normalize.NameKey,
	// SkeletonKey, FirstGiven, FirstFamily and LastFamily would give, each
	// of which would tokenize again. The full name is the given tokens
	// followed by the family tokens.
	givenToks := normalize.NameTokens(stripAssimilatedArticles(given))
	familyToks := normalize.NameTokens(stripAssimilatedArticles(family))
	full := normalize.DropParticles(append(slices.Clip(givenToks), familyToks...))
	if len(full) == 0 {
		return nameForm{}, false
	}
	sorted := slices.Clone(full)
	slices.Sort(sorted)
	skel := make([]string, len(full))
	for i, t := range full {
		skel[i] = skeleton(t)
	}
	slices.Sort(skel)
	n := nameForm{full: strings.Join(sorted, " "), skeleton: strings.Join(skel, " ")}

	famToks := normalize.DropParticles(familyToks)
	switch {
	case len(givenToks) > 0 && len(famToks) > 0:
		g := firstGiven(givenToks)
		n.given = skeleton(g)
		for _, fam := range uniq(famToks[0], famToks[len(famToks)-1]) {
			n.addPair(g, fam)
			// Arabic family names are also written with the article
			// joined (Alkhateeb, Alali): pair the bare name too.
			if bare, ok := strings.CutPrefix(fam, "al"); ok && len(bare) >= 3 {
				n.addPair(g, bare)
			}
		}
	case len(givenToks)+len(familyToks) >= 2:
		// The whole name is in one field, in an order the record does not
		// say (family first or last). Pair its first, second and last
		// tokens, particles included, since which token is a particle
		// depends on the order; no single token can be trusted as the given
		// name, so rules on the given name alone do not apply.
		raw := append(slices.Clip(givenToks), familyToks...)
		last := raw[len(raw)-1]
		n.addPair(raw[0], raw[1])
		n.addPair(raw[0], last)
		n.addPair(raw[1], last)
	}
	n.firstNames = uniq(n.firstNames...)
	n.phonetic = uniq(n.phonetic...)
	n.sounds = uniq(n.sounds...)
	return n, true
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

// addPair records the order-free skeleton and phonetic pairs of a given
// and a family name token.
func (n *nameForm) addPair(given, family string) {
	if given == family {
		return
	}
	if n.firstNames == nil {
		// Room for the usual three or four pairs without regrowing.
		n.firstNames, n.phonetic, n.sounds = make([]string, 0, 4), make([]string, 0, 4), make([]string, 0, 4)
	}
	n.firstNames = append(n.firstNames, unordered(skeleton(given), skeleton(family)))
	for _, gs := range soundCodes(given) {
		for _, fs := range soundCodes(family) {
			if gs != "" && fs != "" {
				n.sounds = append(n.sounds, unordered(gs, fs))
			}
		}
	}
	gp, _ := phonetic.DoubleMetaphone(given)
	fp, _ := phonetic.DoubleMetaphone(family)
	if gp != "" && fp != "" {
		n.phonetic = append(n.phonetic, unordered(gp+ending(given), fp+ending(family)))
	}
}

// skeleton is normalize.ConsonantSkeleton plus the name's ending: the
// skeleton alone makes Daniel and Daniela, Ivan and Ivana, Mario and Maria
// one name, and boy–girl twins are often named so. A final "a" (or "ah",
// as in Fatimah and in the transliteration of Arabic ة) is kept as a mark;
// transliteration rarely adds or removes it.
func skeleton(tok string) string {
	return normalize.ConsonantSkeleton(tok) + ending(tok)
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
	if !strings.ContainsAny(s, "-'’ʼ‐‑") {
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

// unordered joins two values so that swapped given and family fields give
// the same key.
func unordered(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + " " + b
}

func uniq(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func documentValue(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	if b.Len() < 4 { // too short to be an identifier
		return ""
	}
	return b.String()
}

// values appends the record's values of field fld to dst.
func (f *features) values(fld Field, dst []string) []string {
	add := func(v string) {
		if v != "" && !slices.Contains(dst, v) {
			dst = append(dst, v)
		}
	}
	switch fld {
	case FieldName, FieldNameSkeleton, FieldGiven, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound:
		for _, n := range f.names {
			switch fld {
			case FieldName:
				add(n.full)
			case FieldNameSkeleton:
				add(n.skeleton)
			case FieldGiven:
				add(n.given)
			case FieldFirstNames:
				for _, v := range n.firstNames {
					add(v)
				}
			case FieldFirstPhonetic:
				for _, v := range n.phonetic {
					add(v)
				}
			case FieldFirstSound:
				for _, v := range n.sounds {
					add(v)
				}
			}
		}
	case FieldDate:
		if f.date.Precision() == PrecisionDay {
			add(dayString(f.date))
		}
	case FieldDateSwapped:
		if f.date.Precision() == PrecisionDay {
			d, m := f.date.Day, f.date.Month
			add(strconv.Itoa(f.date.Year) + "|" + strconv.Itoa(min(d, m)) + "|" + strconv.Itoa(max(d, m)))
		}
	case FieldYear:
		switch f.date.Precision() {
		case PrecisionNone:
		case PrecisionYear:
			// Only an estimated age: allow a year either way.
			for y := f.date.Year - 1; y <= f.date.Year+1; y++ {
				add(strconv.Itoa(y))
			}
		default:
			add(strconv.Itoa(f.date.Year))
		}
	case FieldBirthPlace:
		add(f.place)
	case FieldDocument:
		add(f.doc)
	case FieldDocumentNear:
		// Two numbers one substitution or one adjacent swap apart share
		// one of these; so, more rarely, do numbers two edits apart, which
		// is why the rules pair this field with another. The last character
		// is never deleted: consecutively issued numbers, such as twins'
		// passports, differ only there (or, after a carry, in more places
		// than one deletion removes) and must share nothing. A swap of the
		// last two characters is caught by sorting them instead, which
		// consecutive numbers never make equal.
		n := len(f.doc)
		if n == 0 {
			break // documentValue gives "" or at least four characters
		}
		for i := range n - 1 {
			add(f.doc[:i] + f.doc[i+1:])
		}
		if a, b := f.doc[n-2], f.doc[n-1]; a > b {
			add(f.doc[:n-2] + string([]byte{b, a}))
		} else {
			add(f.doc)
		}
	case FieldParents:
		for _, p := range f.parents {
			add(p)
		}
	case FieldPostcode:
		add(f.postcode)
	case FieldAddress:
		add(f.addr)
	case FieldLocality:
		add(f.local)
	}
	return dst
}

// dayString is Date.String for a full date, without fmt on the hot path.
func dayString(d Date) string {
	b := [10]byte{'0', '0', '0', '0', '-', '0', '0', '-', '0', '0'}
	for i, v := 3, d.Year; i >= 0; i, v = i-1, v/10 {
		b[i] = byte('0' + v%10)
	}
	b[5], b[6] = byte('0'+d.Month/10), byte('0'+d.Month%10)
	b[8], b[9] = byte('0'+d.Day/10), byte('0'+d.Day%10)
	return string(b[:])
}
