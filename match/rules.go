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
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/reunite-psi/reunite/match/internal/normalize"
	"github.com/reunite-psi/reunite/match/internal/phonetic"
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

// Keys derives the record's match keys, in rule order, without
// duplicates, at most MaxKeysPerRecord of them. When a record has more,
// every rule keeps a fair share rather than the last rules losing all of
// theirs: each rule keeps up to q keys, the largest q the cap allows, and
// any room left goes one key each to the rules, in order, that had more.
// A rule's kept keys are its first combinations of values, which come
// from the record's own name before its aliases, except for rules marked
// ViaAlias, which exist for the aliases and keep theirs first. truncated
// reports how many keys the cap dropped. Only the first 16 aliases and 8
// parent names of a record are keyed. A key is SHA-256(first 16 bytes of
// the rule-set hash ‖ rule index ‖ field values, each preceded by 0x1f),
// so keys of different rules and rule sets never collide. Keys is safe for
// concurrent use.
func (rs *RuleSet) Keys(r *Record) (keys []Key, truncated int) {
	return rs.keys(r, nil, nil)
}

// keys is Keys appending to dst[:0], so that NewIndex reuses one slice.
// With a speller, the record's name as sp corrects it, if it does, also
// gets keys, in the room the record's own keys leave under the cap: a
// correction must never cost the record the keys of its aliases. truncated
// counts only the record's own keys.
func (rs *RuleSet) keys(r *Record, sp *speller, dst []Key) (keys []Key, truncated int) {
	keys, truncated = rs.keysOf(extract(r), dst)
	if sp == nil || len(keys) >= rs.maxKeys {
		return keys, truncated
	}
	corrected, ok := sp.correctRecord(r)
	if !ok {
		return keys, truncated
	}
	more, _ := rs.keysOf(extract(&corrected), nil)
	for _, k := range more {
		if len(keys) == rs.maxKeys {
			break
		}
		if !slices.ContainsFunc(keys, func(o Key) bool { return o.Value == k.Value }) {
			keys = append(keys, k)
		}
	}
	return keys, truncated
}

// keysOf derives the keys of a record's features, appending to dst[:0].
func (rs *RuleSet) keysOf(f *features, dst []Key) (keys []Key, truncated int) {
	w := keyScratchPool.Get().(*keyWalker)
	defer keyScratchPool.Put(w)
	*w = keyWalker{}
	used := 0
	// Per rule, how many combinations of its fields' values the record has.
	var combos [256]int
	total := 0
	for ri, fields := range rs.fieldIdx {
		for _, fi := range fields {
			if !w.have[fi] {
				w.vals[fi], w.aliasFrom[fi] = f.values(knownFieldsOrder[fi], w.arena[used:used:len(w.arena)])
				used += min(len(w.vals[fi]), len(w.arena)-used)
				if knownFieldsOrder[fi] == FieldAliasBand {
					w.aliasVals[fi] = f.bands(2)
				}
				w.have[fi] = true
			}
		}
		combos[ri] = w.count(fields)
		total += combos[ri]
	}
	quota := fairShares(combos[:len(rs.fieldIdx)], rs.maxKeys)
	w.keys = dst[:0]
	if cap(w.keys) < min(total, rs.maxKeys) {
		w.keys = make([]Key, 0, min(total, rs.maxKeys))
	}
	for ri, fields := range rs.fieldIdx {
		if quota[ri] == 0 {
			continue
		}
		// The rule set's hash (which names this key construction) and
		// the rule index separate every rule's keys; 16 bytes of the hash
		// keep most keys to one SHA-256 block.
		prefix := append(w.buf[:0], rs.id[:16]...)
		prefix = append(prefix, byte(ri))
		w.rule, w.fields, w.left = ri, fields, quota[ri]
		// A rule that counts only through an alias exists for the alias's
		// keys: under the cap, they go before those of the record's own
		// name.
		w.aliasFirst = rs.viaAlias[ri]
		w.walk(prefix, 0, false)
	}
	keys = w.keys
	return keys, total - len(keys)
}

// keyScratchPool recycles Keys' working space, which is too large for the
// stack once the recursive walk takes its address.
var keyScratchPool = sync.Pool{New: func() any { return new(keyWalker) }}

// keyWalker holds one record's field values while Keys hashes the
// combinations of one rule's values, in order, until the rule's share of
// keys is used.
type keyWalker struct {
	vals [len(knownFieldsOrder)][]string
	// aliasFrom[fi] is the index of the first value of field fi that only
	// an alias gives; aliasVals[fi], if not nil, replaces vals[fi] in
	// combinations with such a value.
	aliasFrom [len(knownFieldsOrder)]int
	aliasVals [len(knownFieldsOrder)][]string
	have      [len(knownFieldsOrder)]bool
	arena     [64]string // the fields' values share this array while they fit

	rule       int
	fields     []int
	left       int
	aliasFirst bool
	keys       []Key
	buf        [512]byte
}

// choices returns field fi's values in a combination that is alias-derived
// or not.
func (w *keyWalker) choices(fi int, alias bool) []string {
	if alias && w.aliasVals[fi] != nil {
		return w.aliasVals[fi]
	}
	return w.vals[fi]
}

// count counts the combinations of fields' values: for each field, the
// values before aliasFrom keep a combination's alias flag, those after set
// it, and a set flag picks the alias values of later fields.
func (w *keyWalker) count(fields []int) int {
	own, alias := 1, 1 // combinations of fields[j:] with the flag clear, set
	for j := len(fields) - 1; j >= 0; j-- {
		fi := fields[j]
		n := len(w.vals[fi])
		from := min(w.aliasFrom[fi], n)
		own, alias = from*own+(n-from)*alias, len(w.choices(fi, true))*alias
	}
	return own
}

func (w *keyWalker) walk(b []byte, j int, alias bool) {
	if j == len(w.fields) {
		// Values within a field are distinct and the rule index is
		// hashed, so no two combinations give the same key.
		w.keys = append(w.keys, Key{Rule: w.rule, Value: sha256.Sum256(b), FromAlias: alias})
		w.left--
		return
	}
	fi := w.fields[j]
	list := w.choices(fi, alias)
	from := w.aliasFrom[fi]
	for k := range list {
		if w.left == 0 {
			return
		}
		vi := k
		if w.aliasFirst {
			vi = (k + from) % len(list)
		}
		// 0x1f cannot occur in normalized values, so the encoding is
		// unambiguous.
		w.walk(append(append(b, 0x1f), list[vi]...), j+1, alias || vi >= from)
	}
}

// fairShares splits room keys among rules that have counts[i] each: all of
// them when they fit; otherwise each rule gets min(count, q) for the
// largest q that fits, and the room left over goes one each to the rules
// with more than q, in order.
func fairShares(counts []int, room int) []int {
	shares := slices.Clone(counts)
	total := 0
	for _, c := range counts {
		total += c
	}
	if total <= room {
		return shares
	}
	used := func(q int) int {
		s := 0
		for _, c := range counts {
			s += min(c, q)
		}
		return s
	}
	q := 0
	for used(q+1) <= room {
		q++
	}
	left := room - used(q)
	for i, c := range counts {
		shares[i] = min(c, q)
		if c > q && left > 0 {
			shares[i]++
			left--
		}
	}
	return shares
}

// A record's first maxAliasesKeyed aliases and maxParentsKeyed parent names
// are keyed: the key cap leaves no room for more, and a record stuffed with
// thousands would only cost time.
const (
	maxAliasesKeyed = 16
	maxParentsKeyed = 8
)

// features holds a record's canonical values, computed once per record.
type features struct {
	names                             []nameForm // the record's own name first (if any), then its aliases
	ownNames                          int        // 1 if names[0] is the record's own name, else 0
	sex                               string
	date                              Date
	place, doc, postcode, addr, local string
	parents                           []string
}

type nameForm struct {
	skeletons                               [][2]string  // cache for skeletonOf: token, skeleton
	codes                                   []tokenCodes // cache for codesOf
	exact                                   bool         // a Vietnamese name: given-name fields use tokens, not skeletons
	full, skeleton, given                   string
	firstNames, phonetic, sounds, nameParts []string
}

func extract(r *Record) *features {
	f := &features{
		sex:      sexValue(r.Sex),
		date:     r.BirthDate,
		place:    normalize.Text(r.BirthPlace),
		doc:      documentValue(r.DocumentNumber),
		postcode: strings.ReplaceAll(normalize.Text(r.Postcode), " ", ""),
		addr:     normalize.Text(r.Address),
		local:    normalize.Text(r.Locality),
	}
	if n, ok := nameFormOf(r.GivenNames, r.FamilyNames); ok {
		f.names = append(f.names, n)
		f.ownNames = 1
	}
	for _, a := range r.Aliases[:min(len(r.Aliases), maxAliasesKeyed)] {
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
	for _, p := range r.ParentNames[:min(len(r.ParentNames), maxParentsKeyed)] {
		f.parents = append(f.parents, parentKey(p))
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
	if len(familyToks) > 0 {
		// Only beside a family name: a whole name in the given field
		// (Marko Petrovich) may end with a family name of that form.
		givenToks = dropPatronymics(givenToks, 1)
	}
	full := normalize.DropParticles(append(slices.Clip(givenToks), familyToks...))
	if len(full) == 0 {
		return nameForm{}, false
	}
	sorted := slices.Clone(full)
	slices.Sort(sorted)
	var n nameForm
	skel := make([]string, len(full))
	for i, t := range full {
		skel[i] = n.skeletonOf(t)
	}
	slices.Sort(skel)
	n.full, n.skeleton = strings.Join(sorted, " "), strings.Join(skel, " ")

	famToks := normalize.DropParticles(familyToks)
	switch {
	case len(givenToks) > 0 && len(famToks) > 0:
		if len(givenToks) == 1 && vietnameseFamily[givenToks[0]] && !vietnameseFamily[famToks[0]] && !ambiguousVietnameseFamily[famToks[0]] {
			// A Vietnamese name with its fields swapped (Nguyễn | Khánh
			// Oanh): the family name is unmistakable.
			givenToks, famToks = famToks, givenToks
		}
		g := firstGiven(givenToks)
		vn, maybe := isVietnamese(famToks[0], givenToks, family, given)
		if vn {
			// A Vietnamese child is called by the last given name; the
			// middle name before it is the one records drop, and siblings
			// often share it (Khánh Linh and Khánh Ngọc). Vietnamese names
			// are short and romanized one way, so skeletons, which make
			// Khánh and Huyền one name, would only lose what tells them
			// apart.
			g = givenToks[len(givenToks)-1]
			n.exact = true
		}
		n.given = n.givenForm(g)
		if fam := famToks[0]; len(fam) >= 5 && isASCIILetters(fam) && isASCIILetters(g) {
			// One typo in the family name spares its first four letters
			// or its last four (in a name of eight letters or more,
			// always one of them). So little of the family name is left
			// that the given name must agree as written, not just in
			// skeleton (Olena and Uliana share one). Scripts normalize
			// does not transliterate have no letters to count.
			n.nameParts = []string{g + " <" + fam[:4], g + " >" + fam[len(fam)-4:]}
		}
		for _, fam := range uniq(famToks[0], famToks[len(famToks)-1]) {
			n.addPair(g, fam)
			// Arabic family names are also written with the article
			// joined (Alkhateeb, Alali): pair the bare name too.
			if bare, ok := strings.CutPrefix(fam, "al"); ok && len(bare) >= 3 {
				n.addPair(g, bare)
			}
		}
		// European particles are also written solid with the name
		// (Vandermeer, Dejong, Delafuente), and no rule can tell the de
		// of Dejong from that of Delgado: the record that writes them
		// apart pairs the solid spelling too.
		if solid := solidParticles(familyToks); solid != "" {
			n.addPair(g, solid)
		}
		if maybe && len(givenToks) == 1 {
			// A family name that may or may not be Vietnamese (Le, Ho,
			// Kim), without the cue that would tell: pair the name as a
			// Vietnamese record would too.
			n.exact = true
			n.addPair(g, famToks[0])
			n.exact = false
		}
	case len(givenToks)+len(familyToks) >= 2:
		// The whole name is in one field, in an order the record does not
		// say (family first or last). Pair its first, second and last
		// tokens, particles included, since which token is a particle
		// depends on the order; no single token can be trusted as the given
		// name, so rules on the given name alone do not apply.
		raw := append(slices.Clip(givenToks), familyToks...)
		vnFirst, _ := isVietnamese(raw[0], raw, family, given)
		vnLast, _ := isVietnamese(raw[len(raw)-1], raw, family, given)
		n.exact = vnFirst || vnLast
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

// addPair records the order-free skeleton and phonetic pairs of a given
// and a family name token.
func (n *nameForm) addPair(given, family string) {
	if n.firstNames == nil {
		// Room for the usual three or four pairs without regrowing.
		n.firstNames, n.phonetic, n.sounds = make([]string, 0, 4), make([]string, 0, 4), make([]string, 0, 4)
	}
	gForm, g := n.codesOf(given)
	fForm, f := n.codesOf(family)
	n.firstNames = append(n.firstNames, unordered(gForm, fForm))
	if n.exact {
		// Vietnamese romanization is stable and its names short: coarse
		// codes would only make different names one.
		n.sounds = append(n.sounds, unordered(given, family))
		n.phonetic = append(n.phonetic, unordered(given, family))
		return
	}
	// The two readings of soundCodes stand for two spelling conventions,
	// and a record spells all its names in one: pair first readings and
	// second readings, not one with the other.
	gs, fs := g.sounds, f.sounds
	if gs[0] != "" && fs[0] != "" {
		n.sounds = append(n.sounds, unordered(gs[0], fs[0]))
		if len(gs) > 1 || len(fs) > 1 {
			n.sounds = append(n.sounds, unordered(gs[len(gs)-1], fs[len(fs)-1]))
		}
	}
	if g.phonetic != "" && f.phonetic != "" {
		n.phonetic = append(n.phonetic, unordered(g.phonetic, f.phonetic))
	}
}

// tokenCodes are the coarse codes of one name token that addPair pairs.
type tokenCodes struct {
	tok      string
	phonetic string
	sounds   []string
}

// codesOf returns the forms of tok that addPair pairs: its given-name
// form, and its phonetic and sound codes unless the name is Vietnamese.
// Codes are computed once per name: a given name is paired with up to
// three family names.
func (n *nameForm) codesOf(tok string) (form string, c tokenCodes) {
	form = n.givenForm(tok)
	if n.exact {
		return form, tokenCodes{}
	}
	for _, c := range n.codes {
		if c.tok == tok {
			return form, c
		}
	}
	c = tokenCodes{tok: tok, sounds: soundCodes(tok)}
	if p, _ := phonetic.DoubleMetaphone(tok); p != "" {
		c.phonetic = glide(tok) + p + ending(tok)
	}
	n.codes = append(n.codes, c)
	return form, c
}

// parentKey is the order-free skeleton of a parent's name. A patronymic is
// dropped when the name has three tokens or more: records from Russia and
// Ukraine name parents as "Family Given Patronymic", others as "Given
// Family".
func parentKey(name string) string {
	toks := normalize.DropParticles(dropPatronymics(normalize.NameTokens(name), 2))
	for i, t := range toks {
		toks[i] = normalize.ConsonantSkeleton(initialYe(t))
	}
	slices.Sort(toks)
	return strings.Join(toks, " ")
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

// givenForm is the form of tok that given-name fields use.
func (n *nameForm) givenForm(tok string) string {
	if n.exact {
		return tok
	}
	return n.skeletonOf(tok)
}

// skeletonOf is skeleton(tok), computed once per token of a name.
func (n *nameForm) skeletonOf(tok string) string {
	for _, s := range n.skeletons {
		if s[0] == tok {
			return s[1]
		}
	}
	sk := skeleton(tok)
	n.skeletons = append(n.skeletons, [2]string{tok, sk})
	return sk
}

// skeleton is normalize.ConsonantSkeleton plus the name's ending: the
// skeleton alone makes Daniel and Daniela, Ivan and Ivana, Mario and Maria
// one name, and boy–girl twins are often named so. A final "a" (or "ah",
// as in Fatimah and in the transliteration of Arabic ة) is kept as a mark;
// transliteration rarely adds or removes it.
func skeleton(tok string) string {
	return normalize.ConsonantSkeleton(initialYe(tok)) + ending(tok)
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

// values appends the record's values of field fld, distinct, to dst and
// returns them with the index of the first value that only an alias gives
// (len(vals) if none does).
func (f *features) values(fld Field, dst []string) (vals []string, aliasFrom int) {
	add := func(v string) {
		if v != "" && !slices.Contains(dst, v) {
			dst = append(dst, v)
		}
	}
	aliasFrom = -1
	switch fld {
	case FieldName, FieldNameSkeleton, FieldGiven, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound, FieldNamePart:
		for i, n := range f.names {
			if i == f.ownNames {
				aliasFrom = len(dst)
			}
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
			case FieldNamePart:
				for _, v := range n.nameParts {
					add(v)
				}
			}
		}
	case FieldDate:
		if f.date.Precision() == PrecisionDay {
			add(dayString(f.date))
		}
	case FieldDateSwapped:
		// Only dates that can be misread with day and month swapped: for
		// others this is the full date again, already keyed by FieldDate.
		if f.date.Precision() == PrecisionDay && f.date.Day <= 12 && f.date.Day != f.date.Month {
			d, m := f.date.Day, f.date.Month
			add(strconv.Itoa(f.date.Year) + "|" + strconv.Itoa(min(d, m)) + "|" + strconv.Itoa(max(d, m)))
		}
	case FieldAliasBand:
		dst = f.bands(0)
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
	case FieldDocumentNear, FieldDocumentHalf:
		// A wrong character spares one half of the number, and a swap of
		// two characters spares their multiset; each value is tagged with
		// its kind and the number's length. A handful of values per record
		// instead of one per position keeps room under the key cap.
		// Consecutive numbers differ in their last digit (where the count
		// runs), so in the second half, and in their digit sums, so in
		// their sorted characters, but share the first half, hence the two
		// fields. Numbers shorter than six characters have halves too
		// short to mean anything.
		n := len(f.doc)
		if n < 6 {
			break
		}
		tag := strconv.Itoa(n)
		if fld == FieldDocumentHalf {
			add("<" + tag + ":" + f.doc[:n/2])
		} else {
			// The first half with the last digit spares a wrong
			// character in the second half but that digit, which is
			// where consecutive numbers differ (a trailing letter, as in
			// CA12345AB, is often fixed).
			if d := strings.LastIndexAny(f.doc, "0123456789"); d >= n/2 {
				add("<" + tag + ":" + f.doc[:n/2] + "." + f.doc[d:d+1])
			}
			sorted := []byte(f.doc)
			slices.Sort(sorted)
			add("~" + tag + ":" + string(sorted))
		}
		add(">" + tag + ":" + f.doc[n/2:])
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
	case FieldSex:
		add(f.sex)
	}
	if aliasFrom < 0 {
		aliasFrom = len(dst)
	}
	return dst, aliasFrom
}

// bands returns the two overlapping six-year bands, offset by three years,
// that hold the birth year plus shift: two years less than three apart
// share at least one, two years six or more apart share none.
func (f *features) bands(shift int) []string {
	if f.date.Precision() == PrecisionNone {
		return []string{}
	}
	y := f.date.Year + shift
	return []string{"a" + strconv.Itoa(y/6), "b" + strconv.Itoa((y+3)/6)}
}

func isNameField(f Field) bool {
	switch f {
	case FieldName, FieldNameSkeleton, FieldGiven, FieldFirstNames, FieldFirstPhonetic, FieldFirstSound, FieldNamePart:
		return true
	}
	return false
}

func sexValue(s Sex) string {
	if s == SexUnknown {
		return ""
	}
	return s.String()
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
