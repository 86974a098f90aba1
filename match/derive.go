package match

import (
	"golang.org/x/text/language"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/reunite-psi/reunite/match/internal/nickname"
	"github.com/reunite-psi/reunite/match/internal/normalize"
	"github.com/reunite-psi/reunite/match/internal/phonetic"
)

// Keys derives the record's match keys, in rule order, without
// duplicates, at most MaxKeysPerRecord of them. When a record has more,
// every rule keeps a fair share rather than the last rules losing all of
// theirs: each rule keeps up to q keys, the largest q the cap allows, and
// any room left goes one key each to the rules, in order, that had more.
// A rule's kept keys are its first combinations of values, which come
// from the record's own name before its aliases (which only some rules
// key, see Block). truncated reports how many
// keys the cap dropped. Only the first 16 aliases and 8 parent names of a
// record are keyed. A block's key is SHA-256(first 16 bytes of the rule-set
// hash ‖ rule index ‖ field values, each preceded by 0x1f); a comparison
// key is SHA-256(first 16 bytes of its block's key ‖ rule index ‖ 0x1f ‖
// the level's value), one SHA-256 block. Keys of different rules and rule
// sets never collide. Keys is safe for concurrent use.
func (rs *RuleSet) Keys(r *Record) (keys []Key, truncated int) {
	d := derivers.Get().(*deriver)
	defer d.release()
	d.rs = rs
	if len(d.codes.toks) > maxRemembered || d.words.Size() > maxRemembered {
		d.forget()
	}
	return d.keys(r, nil, 0, nil)
}

// maxRemembered bounds what a deriver of Keys remembers of the names,
// places and localities of the records it has derived: that many distinct
// tokens, and that many distinct words and texts.
const maxRemembered = 4096

// deriver turns records into keys under one rule set. It is one
// goroutine's working space, reused from record to record so that a record
// costs few allocations, and it holds the codes of the name tokens it has
// met, and the tokens of their words, since given and family names repeat
// from record to record: for a file (newFileDeriver), those of every
// record; for Keys, those of the records it derived since it last forgot
// them (at most maxRemembered).
type deriver struct {
	rs    *RuleSet
	f     features
	codes codebook
	// words remembers the tokens of every word of a name and the Text of
	// birth places and localities.
	words *normalize.Tokenizer
	// Scratch space, reused from record to record.
	given, family, full, sorted, skel, aliasToks, parentToks []string
	buf                                                      []byte
	pairs                                                    []byte      // addPair's values, written one after another
	pairEnds                                                 []pairSpan  // where each of them ends in pairs, and its list
	more                                                     []Key       // the keys of a corrected name
	known                                                    [2][]string // a record's own name tokens, when the speller has them
	w                                                        keyWalker
	stats                                                    *fileStats // for a file, its value counts
}

// derivers recycles the derivers of Keys.
var derivers = sync.Pool{New: func() any { return newFileDeriver(nil) }}

// newFileDeriver returns a deriver for the records of one file, which
// keeps what it learns of names from one record to the next.
func newFileDeriver(rs *RuleSet) *deriver {
	return &deriver{
		rs:    rs,
		words: new(normalize.Tokenizer),
		codes: newCodebook(),
	}
}

// forget empties what d remembers of names, keeping its memory.
func (d *deriver) forget() {
	d.codes.forget()
	d.words = new(normalize.Tokenizer)
}

// release returns d to the pool. What it still holds of the records it
// derived (the last one, and the names it remembers) is not wiped: the
// pool drops its contents at the second garbage collection after, as
// garbage would be.
func (d *deriver) release() {
	d.rs = nil
	derivers.Put(d)
}

// keys derives the keys of r, appending them to dst. With a speller, r is
// record i of the file sp was built from, and the record's name as sp
// corrects it, if it does, also gets keys, in the room the record's own
// keys leave under the cap: a correction must never cost the record the
// keys of its aliases. truncated counts only the record's own keys.
func (d *deriver) keys(r *Record, sp *speller, i int, dst []Key) (keys []Key, truncated int) {
	d.codes.reset()
	var known *[2][]string
	if sp != nil && !mayJoinArticle(r.GivenNames) && !mayJoinArticle(r.FamilyNames) {
		// The speller has tokenized the record's own names already; only
		// names with a joiner would be tokenized otherwise here, after
		// stripAssimilatedArticles.
		d.known[0], d.known[1] = sp.tokens(i)
		known = &d.known
	}
	d.extract(r, known)
	if sp != nil && sp.records >= minRareFile && d.f.ownNames == 1 && d.f.presence&HasGiven != 0 &&
		sp.given[SexUnknown][d.f.names[0].givenExact] <= 1 {
		d.f.presence |= GivenIsRare
	}
	start := len(dst)
	keys, truncated = d.keysOf(dst)
	if d.stats != nil {
		d.stats.add(&d.w, d.f.presence)
	}
	if sp == nil || len(keys)-start >= d.rs.maxKeys {
		return keys, truncated
	}
	given, family, ok := sp.correct(i, r)
	if !ok {
		return keys, truncated
	}
	// The corrected record is r with its own name corrected and no
	// aliases: every other feature stays as extracted.
	d.f.names, d.f.ownNames = d.f.names[:0], 0
	if d.addName(given, family, nil) {
		d.f.ownNames = 1
	}
	d.more, _ = d.keysOf(d.more[:0])
	for _, k := range d.more {
		if len(keys)-start == d.rs.maxKeys {
			break
		}
		if !slices.ContainsFunc(keys[start:], func(o Key) bool { return o.Value == k.Value }) {
			keys = append(keys, k)
		}
	}
	return keys, truncated
}

// keysOf derives the keys of the features d holds, appending them to dst.
func (d *deriver) keysOf(dst []Key) (keys []Key, truncated int) {
	rs, f, w := d.rs, &d.f, &d.w
	w.reset()
	used := 0
	// Per rule, how many combinations of its fields' values the record
	// has, and how many of them get a key.
	n := len(rs.fieldIdx)
	if len(w.combos) < n {
		w.combos, w.quota = make([]int, n), make([]int, n)
	}
	combos, quota := w.combos[:n], w.quota[:n]
	w.f = f
	total := 0
	// First every block's combinations of values, hashed (a block key
	// each), which count its rule's keys and start its comparison rules'
	// keys; then each comparison rule's count: per combination, the
	// level's values (for a name field, those of the name the combination
	// took its names from: an alias's given name goes with the alias's
	// family name, not with the record's own).
	for ri, fields := range rs.fieldIdx {
		for _, fi := range fields {
			if !w.have[fi] {
				w.vals[fi], w.aliasFrom[fi] = f.values(knownFieldsOrder[fi], w.arena[used:used:len(w.arena)])
				used += min(len(w.vals[fi]), len(w.arena)-used)
				w.have[fi] = true
			}
		}
		r := &rs.rules[ri]
		if r.level < 0 {
			// The rule set's hash (which names this key construction) and
			// the rule index separate every rule's keys; 16 bytes of the
			// hash keep most keys to one SHA-256 block.
			prefix := append(w.buf[:0], rs.id[:16]...)
			prefix = append(prefix, byte(ri))
			w.fields, w.block, w.aliases = fields, r.block, r.aliases
			w.digests[r.block] = w.digests[r.block][:0]
			w.walk(prefix, 0, false, -1)
			combos[ri] = len(w.digests[r.block])
		} else {
			combos[ri] = 0
			for _, d := range w.digests[r.block] {
				if !d.alias || r.aliases {
					combos[ri] += len(w.levelValues(r.level, d.form))
				}
			}
		}
		total += combos[ri]
	}
	fairShares(combos, rs.maxKeys, quota)
	// A file's keys go to one slice: grow it at least twofold, as append
	// would, so that copying it stays linear in the file.
	if need := min(total, rs.maxKeys); cap(dst)-len(dst) < need {
		dst = slices.Grow(dst, max(need, len(dst)))
	}
	keys = dst
	for ri := range rs.fieldIdx {
		r := &rs.rules[ri]
		if r.level < 0 {
			for _, d := range w.digests[r.block][:quota[ri]] {
				keys = append(keys, Key{Rule: ri, Value: d.sum, FromAlias: d.alias})
			}
			continue
		}
		// A comparison rule: each combination of its block's values,
		// hashed once by the block's rule, with each value of the
		// level's field, one SHA-256 block each.
		keys = w.compare(keys, ri, r.block, r.level, quota[ri], r.aliases)
	}
	return keys, total - (len(keys) - len(dst))
}

// nameFieldAt[fi] is isNameField(knownFieldsOrder[fi]), and
// nameFieldGet[fi] its row of nameFields, for the loops over rules and
// values, where a map lookup per value was a measurable cost.
var nameFieldAt, nameFieldGet = func() (at [len(knownFieldsOrder)]bool, get [len(knownFieldsOrder)]func(n *nameForm) (string, []string)) {
	for fi, fld := range knownFieldsOrder {
		get[fi] = nameFields[fld]
		at[fi] = get[fi] != nil
	}
	return at, get
}()

// keyWalker holds one record's field values while keysOf hashes the
// combinations of one rule's values, in order, until the rule's share of
// keys is used.
type keyWalker struct {
	vals [len(knownFieldsOrder)][]string
	// aliasFrom[fi] is the index of the first value of field fi that only
	// an alias gives.
	aliasFrom [len(knownFieldsOrder)]int
	have      [len(knownFieldsOrder)]bool
	arena     [64]string // the fields' values share this array while they fit
	// combos and quota, per rule, count the combinations of its fields'
	// values and those that get a key.
	combos, quota []int

	fields []int
	buf    [512]byte
	hash   keyHasher
	// block is the block whose rule walk hashes, and aliases whether it
	// keys combinations an alias gives; digests[b] are block b's
	// combinations, hashed, for its comparison rules.
	block   int
	aliases bool
	digests [32][]blockDigest
	f       *features
	one     [1]string
}

// reset forgets the previous record's values.
func (w *keyWalker) reset() {
	w.have = [len(knownFieldsOrder)]bool{}
}

func (w *keyWalker) walk(b []byte, j int, alias bool, form int) {
	if j == len(w.fields) {
		// Values within a field are distinct and the rule index is
		// hashed, so no two combinations give the same key.
		w.digests[w.block] = append(w.digests[w.block], blockDigest{alias: alias, form: form})
		w.hash.sum(&w.digests[w.block][len(w.digests[w.block])-1].sum, b)
		return
	}
	fi := w.fields[j]
	list := w.vals[fi]
	from := w.aliasFrom[fi]
	name := nameFieldAt[fi]
	for vi, v := range list {
		if !w.aliases && vi >= from {
			break // the rest only an alias gives
		}
		f := form
		if name && f < 0 {
			f = w.f.formOf(knownFieldsOrder[fi], v)
		}
		// 0x1f cannot occur in normalized values, so the encoding is
		// unambiguous.
		w.walk(append(append(b, 0x1f), v...), j+1, alias || vi >= from, f)
	}
}

// levelValues returns the values of field fi for a combination whose names
// come from name form, or from any name when form is negative.
func (w *keyWalker) levelValues(fi, form int) []string {
	if form < 0 || !nameFieldAt[fi] {
		return w.vals[fi]
	}
	one, list := nameFieldGet[fi](&w.f.names[form])
	if list != nil || one == "" {
		return list
	}
	w.one[0] = one
	return w.one[:]
}

// compare appends to keys up to left keys of comparison rule ri, whose block is
// block and whose level field is fi: SHA-256(the first 16 bytes of a block
// key ‖ rule index ‖ 0x1f ‖ value), for each of the block's combinations
// (the digests its own rule left) and each of the field's values, in
// order.
func (w *keyWalker) compare(keys []Key, ri, block, fi, left int, aliases bool) []Key {
	for j := range w.digests[block] {
		if left <= 0 {
			break
		}
		d := &w.digests[block][j]
		if d.alias && !aliases {
			continue
		}
		vals, from := w.levelValues(fi, d.form), w.aliasFrom[fi]
		alias := d.alias
		if d.form >= 0 && nameFieldAt[fi] {
			from = len(vals) // the values of the combination's own name
		}
		// The hash's padding goes after the message, so the start stays
		// from value to value.
		msg := append(append(w.hash.msg(), d.sum[:16]...), byte(ri), 0x1f)
		// keysOf made room for every key; each is written in place.
		n, at := min(len(vals), left), len(keys)
		keys = slices.Grow(keys, n)[:at+n]
		for vi, v := range vals[:n] {
			k := &keys[at+vi]
			k.Rule, k.FromAlias = ri, alias || vi >= from
			w.hash.sum(&k.Value, append(msg, v...))
		}
		left -= len(vals)
	}
	return keys
}

// blockDigest is one combination of a block's values, hashed: the block's
// key, and whether an alias gave one of the values.
type blockDigest struct {
	sum   [KeySize]byte
	alias bool
	form  int // the name form its names come from, or -1
}

// fairShares splits room keys among rules that have counts[i] each, into
// shares (of the same length): all of them when they fit; otherwise each
// rule gets min(count, q) for the largest q that fits, and the room left
// over goes one each to the rules with more than q, in order.
func fairShares(counts []int, room int, shares []int) {
	copy(shares, counts)
	total := 0
	for _, c := range counts {
		total += c
	}
	if total <= room {
		return
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
	rawPostcode, nationality          string
	placeSkeleton                     string
	day                               string // dayString(date), once asked for
	parents                           []string
	presence                          Presence
}

// nameForm holds the values name fields take for one name.
type nameForm struct {
	exact                                   bool // a Vietnamese name: given-name fields use tokens, not skeletons
	full, skeleton, given                   string
	firstNames, phonetic, sounds, nameParts []string
	// The parts the comparisons use: the first given name as written, its
	// nickname group and initial, the first family name as written, and
	// the sound codes of both.
	givenExact, givenInitial, familyExact string
	givenNicks, givenSounds, familySounds []string
	givenTypos, familyTypos               []string
	givenEndings                          []string
}

// formOf returns the index of the first of f's name forms that gives the
// name field fld the value v.
func (f *features) formOf(fld Field, v string) int {
	for i := range f.names {
		one, list := f.names[i].fieldValues(fld)
		if one == v || slices.Contains(list, v) {
			return i
		}
	}
	return -1
}

// nameFields is the table of name fields, the fields computed for the
// record's name and for each alias (rules.go): each with its value in a
// name form, one string or a list. A field is a name field when it has a
// row here; a new name field needs its constant, its place in
// knownFieldsOrder, its nameForm member and its row.
var nameFields = map[Field]func(n *nameForm) (one string, list []string){
	FieldName:          func(n *nameForm) (string, []string) { return n.full, nil },
	FieldNameSkeleton:  func(n *nameForm) (string, []string) { return n.skeleton, nil },
	FieldGiven:         func(n *nameForm) (string, []string) { return n.given, nil },
	FieldFirstNames:    func(n *nameForm) (string, []string) { return "", n.firstNames },
	FieldFirstPhonetic: func(n *nameForm) (string, []string) { return "", n.phonetic },
	FieldFirstSound:    func(n *nameForm) (string, []string) { return "", n.sounds },
	FieldNamePart:      func(n *nameForm) (string, []string) { return "", n.nameParts },
	FieldGivenExact:    func(n *nameForm) (string, []string) { return n.givenExact, nil },
	FieldGivenNick:     func(n *nameForm) (string, []string) { return "", n.givenNicks },
	FieldGivenInitial:  func(n *nameForm) (string, []string) { return n.givenInitial, nil },
	FieldFamilyExact:   func(n *nameForm) (string, []string) { return n.familyExact, nil },
	FieldGivenSound:    func(n *nameForm) (string, []string) { return "", n.givenSounds },
	FieldFamilySound:   func(n *nameForm) (string, []string) { return "", n.familySounds },
	FieldGivenTypo:     func(n *nameForm) (string, []string) { return "", n.givenTypos },
	FieldFamilyTypo:    func(n *nameForm) (string, []string) { return "", n.familyTypos },
	FieldGivenEnding:   func(n *nameForm) (string, []string) { return "", n.givenEndings },
}

// isNameField reports whether f is a name field (nameFields).
func isNameField(f Field) bool {
	_, ok := nameFields[f]
	return ok
}

// fieldValues returns n's values of the name field fld: one value, or a
// list.
func (n *nameForm) fieldValues(fld Field) (one string, list []string) {
	if get := nameFields[fld]; get != nil {
		return get(n)
	}
	return "", nil
}

// reset empties n, keeping its slices' arrays for the next name.
func (n *nameForm) reset() {
	*n = nameForm{firstNames: n.firstNames[:0], phonetic: n.phonetic[:0], sounds: n.sounds[:0], nameParts: n.nameParts[:0],
		givenSounds: n.givenSounds[:0], familySounds: n.familySounds[:0], givenTypos: n.givenTypos[:0], familyTypos: n.familyTypos[:0], givenEndings: n.givenEndings[:0]}
}

// birthDate returns the date keys and comparisons use: 1 January is read
// as the year alone. Registers that do not know a birth date often write
// the first of January of the estimated year (refugee registration does
// so as a rule), so the day says nothing that the year does not, and a
// record that writes the true date must still meet it as an estimated
// age.
func birthDate(d Date) Date {
	if d.Month == 1 && d.Day == 1 {
		return Date{Year: d.Year}
	}
	return d
}

// extract computes the features of r into d.f. known, if not nil, holds
// the tokens of r's own given and family names.
func (d *deriver) extract(r *Record, known *[2][]string) {
	d.f = features{
		names:       d.f.names[:0],
		parents:     d.f.parents[:0],
		sex:         sexValue(r.Sex),
		date:        birthDate(r.BirthDate),
		place:       normalize.PlaceName(d.text(r.BirthPlace)),
		doc:         documentValue(r.DocumentNumber),
		postcode:    strings.ReplaceAll(normalize.Text(r.Postcode), " ", ""),
		rawPostcode: r.Postcode,
		nationality: nationalityValue(r.Nationality),
		addr:        normalize.Text(r.Address),
		local:       normalize.PlaceName(d.text(r.Locality)),
	}
	if d.f.place != "" {
		d.f.placeSkeleton = d.placeSkeleton(d.f.place)
	}
	if d.addName(r.GivenNames, r.FamilyNames, known) {
		d.f.ownNames = 1
	}
	for _, a := range r.Aliases[:min(len(r.Aliases), maxAliasesKeyed)] {
		// An alias is one full name; its first token is taken as the given
		// name and the rest as family names.
		d.aliasToks = d.nameTokens(d.aliasToks[:0], a)
		if len(d.aliasToks) == 0 {
			continue
		}
		d.addName(d.aliasToks[0], strings.Join(d.aliasToks[1:], " "), nil)
	}
	for _, p := range r.ParentNames[:min(len(r.ParentNames), maxParentsKeyed)] {
		d.f.parents = append(d.f.parents, d.parentKey(p))
	}
	d.f.parents = uniq(d.f.parents...)
	d.f.presence = d.f.presenceMask()
}

// placeSkeleton is the consonant skeletons of a normalized place's words,
// in order and joined, without a particle or an article before another
// word: Hà Nội and Hanoi, Hải Phòng and Haiphong are written in one word
// or two, and Arabic place names with or without their article, and with
// it assimilated or not (دير الزور, Deir ez-Zor; الرقة, Raqqa).
func (d *deriver) placeSkeleton(place string) string {
	b := d.buf[:0]
	words := strings.Fields(place)
	for i, w := range words {
		if i+1 < len(words) && (normalize.IsParticle(w) || isArticle(w)) {
			continue
		}
		b = normalize.AppendConsonantSkeleton(b, w)
	}
	d.buf = b
	return string(b)
}

// isArticle reports whether w is the Arabic article in one of its
// romanized forms, assimilated to a sun letter (sunArticles) or written as
// spoken (ez, es, ed in Deir ez-Zor, Ras es-Sawda), besides al and el,
// which normalize.IsParticle knows.
func isArticle(w string) bool {
	switch w {
	case "ez", "es", "er", "ed", "et", "en", "il", "ul":
		return true
	}
	return slices.Contains(sunArticles, w)
}

// presenceMask says which fields the record has, as its comparisons see
// them: a name part counts when the record's own name gives it.
func (f *features) presenceMask() Presence {
	p := Presence(f.date.Precision()) << dateShift
	set := func(bit Presence, ok bool) {
		if ok {
			p |= bit
		}
	}
	if f.ownNames == 1 {
		set(HasGiven, f.names[0].givenExact != "")
		set(HasFamily, f.names[0].familyExact != "")
		set(GivenIsInitial, f.names[0].givenExact != "" && f.names[0].givenExact == f.names[0].givenInitial)
		set(GivenLengthOdd, utf8.RuneCountInString(f.names[0].givenExact)%2 == 1)
	}
	set(HasSex, f.sex != "")
	set(HasBirthPlace, f.place != "")
	set(HasParents, len(f.parents) > 0)
	set(HasDocument, f.doc != "")
	set(HasPostcode, f.postcode != "")
	set(HasLocality, f.local != "")
	set(HasNationality, f.nationality != "")
	set(HasAddress, f.addr != "")
	return p
}

// nationalityValue is a nationality's ISO 3166-1 alpha-2 code, so that a
// record that writes UKR and one that writes UA agree; a code the ISO table
// does not know is kept as written, upper-cased.
func nationalityValue(s string) string {
	if s == "" {
		return ""
	}
	if r, err := language.ParseRegion(s); err == nil && r.IsCountry() {
		return r.String()
	}
	return strings.ToUpper(s)
}

// postcodeArea is the part of a postcode that names an area: the first word
// of a postcode written in two (SW1A 2BJ, 75 008), or all but the last two
// characters of one written solid (4223, 10115); "" when nothing is left.
func postcodeArea(solid, raw string) string {
	if i := strings.IndexAny(strings.TrimSpace(raw), " -"); i > 0 {
		return strings.ToLower(strings.TrimSpace(raw)[:i])
	}
	if len(solid) < 4 {
		return ""
	}
	return solid[:len(solid)-2]
}

// nameTokens appends normalize.NameTokens(s) to dst.
func (d *deriver) nameTokens(dst []string, s string) []string {
	return d.words.AppendNameTokens(dst, s)
}

// text is normalize.Text(s), remembered: for birth places and localities,
// which repeat whole from record to record (addresses mostly do not).
func (d *deriver) text(s string) string { return d.words.Text(s) }

// addName adds the name form of a given and a family name to the
// features, and reports whether the name had any token. known, if not
// nil, holds their tokens.
func (d *deriver) addName(given, family string, known *[2][]string) bool {
	if len(d.f.names) < cap(d.f.names) {
		d.f.names = d.f.names[:len(d.f.names)+1]
	} else {
		d.f.names = append(d.f.names, nameForm{})
	}
	n := &d.f.names[len(d.f.names)-1]
	n.reset()
	if !d.nameForm(n, given, family, known) {
		d.f.names = d.f.names[:len(d.f.names)-1]
		return false
	}
	return true
}

// nameForm computes n for a given and a family name, and reports whether
// the name had any token. known, if not nil, holds their tokens.
func (d *deriver) nameForm(n *nameForm, given, family string, known *[2][]string) bool {
	// Tokenize each field once and build what normalize.NameKey,
	// SkeletonKey, FirstGiven, FirstFamily and LastFamily would give, each
	// of which would tokenize again. The full name is the given tokens
	// followed by the family tokens.
	if known != nil {
		d.given, d.family = append(d.given[:0], known[0]...), append(d.family[:0], known[1]...)
	} else {
		d.given = d.nameTokens(d.given[:0], stripAssimilatedArticles(given))
		d.family = d.nameTokens(d.family[:0], stripAssimilatedArticles(family))
	}
	givenToks, familyToks := dropTitles(d.given), d.family
	if swappedParticle(givenToks, familyToks) {
		// A family name with its particle in the given field (de Jong |
		// Sanne, Al Ahmed | Usama): the fields are swapped.
		givenToks, familyToks = familyToks, givenToks
	}
	if len(familyToks) > 0 {
		// Only beside a family name: a whole name in the given field
		// (Marko Petrovich) may end with a family name of that form.
		givenToks = dropPatronymics(givenToks, 1)
	}
	d.full = append(append(d.full[:0], givenToks...), familyToks...)
	full := normalize.DropParticles(d.full)
	if len(full) == 0 {
		return false
	}
	d.sorted = append(d.sorted[:0], full...)
	slices.Sort(d.sorted)
	d.skel = d.skel[:0]
	for _, t := range full {
		d.skel = append(d.skel, d.token(t, false).skeleton)
	}
	slices.Sort(d.skel)
	// One string holds both.
	b := appendJoined(d.buf[:0], d.sorted)
	fullEnd := len(b)
	b = appendJoined(b, d.skel)
	d.buf = b
	both := string(b)
	n.full, n.skeleton = both[:fullEnd], both[fullEnd:]

	d.pairs, d.pairEnds = d.pairs[:0], d.pairEnds[:0]
	famToks := normalize.DropParticles(familyToks)
	switch {
	case len(givenToks) > 0 && len(famToks) > 0:
		if swappedVietnamese(givenToks, famToks, familyToks, given, family) {
			// A Vietnamese name with its fields swapped (Nguyễn | Khánh
			// Oanh, Lê | Văn Tùng). The family field's tokens become the
			// given names as a record in order has them, Văn included,
			// and the fields' text goes with them, for isVietnamese's cues.
			givenToks, famToks, familyToks = familyToks, givenToks, givenToks
			given, family = family, given
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
		n.given = d.givenForm(n, g)
		d.compareParts(n, g, famToks[0])
		if fam := famToks[0]; len(fam) >= 5 && isASCIILetters(fam) && isASCIILetters(g) {
			// One typo in the family name spares its first four letters
			// or its last four (in a name of eight letters or more,
			// always one of them). So little of the family name is left
			// that the given name must agree as written, not just in
			// skeleton (Olena and Uliana share one). Scripts normalize
			// does not transliterate have no letters to count. One
			// string holds both values.
			both := g + " <" + fam[:4] + g + " >" + fam[len(fam)-4:]
			half := len(g) + 6
			n.nameParts = append(n.nameParts, both[:half], both[half:])
		}
		// A lone given token with the Arabic article joined may be the
		// family name written first (Alhasan | Hamzah): pair its bare name
		// with the family field's names as well, as the record written in
		// order pairs them (Hamzah | Al-Hasan). The names block counts such
		// a pair as agreement on both names, so the bare name must be one
		// that a given name cut after Al does not sound like (see
		// isBareName): Alina, Alanna and Alisa are not Ina, Anna and Isa.
		swappedArticle := ""
		if bare, ok := strings.CutPrefix(g, "al"); ok && len(givenToks) == 1 && isBareName(bare) {
			swappedArticle = bare
		}
		for _, fam := range uniq(famToks[0], famToks[len(famToks)-1]) {
			d.addPair(n, g, fam)
			// Arabic family names are also written with the article
			// joined (Alkhateeb, Alali): pair the bare name too.
			if bare, ok := strings.CutPrefix(fam, "al"); ok && len(bare) >= 3 {
				d.addPair(n, g, bare)
			}
			if swappedArticle != "" {
				d.addPair(n, swappedArticle, fam)
			}
		}
		// European particles are also written solid with the name
		// (Vandermeer, Dejong, Delafuente), and no rule can tell the de
		// of Dejong from that of Delgado: the record that writes them
		// apart pairs the solid spelling too.
		if solid := solidParticles(familyToks); solid != "" {
			d.addPair(n, g, solid)
		}
		if maybe && len(givenToks) == 1 {
			// A family name that may or may not be Vietnamese (Le, Ho,
			// Kim), without the cue that would tell: pair the name as a
			// Vietnamese record would too.
			n.exact = true
			d.addPair(n, g, famToks[0])
			n.exact = false
		}
	case len(givenToks) == 1 && len(familyToks) == 0:
		d.compareParts(n, givenToks[0], "")
	case len(givenToks) == 0 && len(famToks) == 1 && len(familyToks) == 1:
		d.compareParts(n, "", famToks[0])
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
		d.addEndPairs(n, raw)
		if free := normalize.DropParticles(raw); len(free) >= 2 && len(free) < len(raw) {
			// A family name's particles (de la Cruz García Martina,
			// Martina van der Berg) are no name to pair, and the record
			// written in two fields pairs the names around them.
			d.addEndPairs(n, free)
		}
	}
	d.finishPairs(n)
	return true
}

// addEndPairs pairs the first, second and last of a name's tokens (at
// least two) with each other, for a whole name written in one field; a
// token is never paired with itself.
func (d *deriver) addEndPairs(n *nameForm, toks []string) {
	d.addPair(n, toks[0], toks[1])
	if len(toks) > 2 {
		last := toks[len(toks)-1]
		d.addPair(n, toks[0], last)
		d.addPair(n, toks[1], last)
	}
}

// isBareName reports whether what is left of a token after a joined
// Arabic article (Alhasan, Alomar) can stand for a family name on its own:
// three letters or more with two different consonants (hasan, omar,
// ubaydi). What is left of a given name cut after Al with fewer (Alina,
// Alanna, Alisa: ina, anna, isa) sounds like other given names, and the
// pair would read twins Alina and Anna as one child.
func isBareName(bare string) bool {
	if len(bare) < 3 {
		return false
	}
	var first byte
	for i := 0; i < len(bare); i++ {
		c := bare[i]
		if c < 'a' || c > 'z' || strings.IndexByte("aeiouy", c) >= 0 {
			continue
		}
		if first == 0 {
			first = c
		} else if c != first {
			return true
		}
	}
	return false
}

// compareParts sets the parts of n that comparisons use, for the first
// given name g and the first family name fam.
func (d *deriver) compareParts(n *nameForm, g, fam string) {
	n.givenExact, n.familyExact = g, fam
	if g != "" {
		n.givenNicks = nickname.Groups(g)
		_, size := utf8.DecodeRuneInString(g)
		n.givenInitial = g[:size]
		n.givenSounds = d.appendSounds(n.givenSounds[:0], g)
		if !n.exact {
			n.givenTypos = appendTypoVariants(n.givenTypos[:0], g)
			n.givenEndings = appendEndingVariants(n.givenEndings[:0], g)
		}
	}
	if fam != "" {
		n.familySounds = d.appendSounds(n.familySounds[:0], fam)
		if !n.exact {
			n.familyTypos = appendFamilyTypoVariants(n.familyTypos[:0], fam)
		}
		// A Chinese or Korean family name romanized another way (Chan,
		// Wong, Rhee) also sounds as its standard readings (chen; wang,
		// huang; lee), so that it meets the name written in Han or Hangul.
		for _, v := range normalize.SurnameVariants(fam) {
			for _, c := range d.appendSounds(d.skel[:0], v) {
				if !slices.Contains(n.familySounds, c) {
					n.familySounds = append(n.familySounds, c)
				}
			}
		}
	}
}

// minRareFile is the smallest file whose records can be told to bear a
// rare given name (GivenIsRare): in a smaller one, every name is rare.
const minRareFile = 100

// minTypoLen is the shortest name token that gets typo variants: shorter
// names are one letter from too many other names (Eva and Ava, Leo and
// Lea).
const minTypoLen = 4

// appendTypoVariants appends to dst the typo variants of a name token:
// the token itself, then the token with each letter but its first and
// its last left out, each once, then the token and its spelling with the
// last two letters swapped, as one unordered pair. Two tokens share a
// variant when one letter inside them was changed, left out or added, or
// two neighbours swapped (at the end too: Joshua and Joshau). The ends
// are otherwise kept: names that differ there are usually two names, not
// one misspelled (Anna and Hanna, Emma and Gemma, Daniel and Daniela,
// Ivan and Ivana), and a clerk seldom misses the first letter. The swap
// is paired, not spelled out, so that it meets only the same swap: Ivan
// swapped is Ivna, which is also Ivana with a letter left out.
// A token shorter than minTypoLen letters has none.
func appendTypoVariants(dst []string, tok string) []string {
	if utf8.RuneCountInString(tok) < minTypoLen {
		return dst
	}
	start := len(dst)
	dst = append(dst, tok)
	_, first := utf8.DecodeRuneInString(tok)
	beforeLast := 0
	for i, r := range tok[first:] {
		i += first
		end := i + utf8.RuneLen(r)
		if end == len(tok) {
			break
		}
		beforeLast = i
		if v := tok[:i] + tok[end:]; !slices.Contains(dst[start:], v) {
			dst = append(dst, v)
		}
	}
	_, lastSize := utf8.DecodeLastRuneInString(tok)
	last := len(tok) - lastSize
	if swapped := tok[:beforeLast] + tok[last:] + tok[beforeLast:last]; swapped != tok {
		dst = append(dst, swapPair(tok, swapped))
	}
	return dst
}

// appendFamilyTypoVariants appends to dst the typo variants of a family
// name token: those of appendTypoVariants and, from minTypoLen letters, the
// token without its last letter, so that a last letter left out, added or
// changed is a typo too (Hartton and Hartto, Clarke and Clark, Walker and
// Walkes). A family name's end is not what tells two children apart, as
// a given name's is (Daniel and Daniela): siblings share the family name,
// and where languages inflect it (Ivanov, Ivanova) the two forms are one
// family's.
func appendFamilyTypoVariants(dst []string, tok string) []string {
	start := len(dst)
	dst = appendTypoVariants(dst, tok)
	if len(dst) == start {
		return dst
	}
	_, last := utf8.DecodeLastRuneInString(tok)
	if v := tok[:len(tok)-last]; !slices.Contains(dst[start:], v) {
		dst = append(dst, v)
	}
	return dst
}

// appendEndingVariants appends to dst the ending variants of a name
// token: the token itself and, from minTypoLen letters, the token without
// its last letter. Two tokens share one when they differ only in their
// last letter (Sahro and Sahra, Louisa mistyped Louisx) or one has a
// letter more at the end (Thoma for Thomas, Kayl for Kayla). Those are
// typos and spellings of one name, or two names, a brother's and a
// sister's (Daniel and Daniela, Ivan and Ivana): which one, the records'
// sexes say (see RuleSet.kinOnly). A token shorter than minTypoLen − 1
// letters has none.
func appendEndingVariants(dst []string, tok string) []string {
	n := utf8.RuneCountInString(tok)
	if n < minTypoLen-1 {
		return dst
	}
	dst = append(dst, tok)
	if n >= minTypoLen {
		_, last := utf8.DecodeLastRuneInString(tok)
		dst = append(dst, tok[:len(tok)-last])
	}
	return dst
}

// swapPair names the unordered pair of a token and its spelling with the
// last two letters swapped; a space, which no name token holds, keeps it
// apart from every other variant.
func swapPair(a, b string) string {
	if a > b {
		a, b = b, a
	}
	return a + " " + b
}

// appendSounds appends tok's sound codes to dst: both readings, or the
// token itself when it has none. Vietnamese names get them too, unlike in
// the name pairs (addPair): whether a name reads as Vietnamese depends on
// marks one record writes and the other not (Vo, Võ, Vos), and a
// comparison level must mean the same on both sides; the exact levels keep
// Vietnamese names apart.
func (d *deriver) appendSounds(dst []string, tok string) []string {
	c := d.token(tok, true)
	if c.readings == 0 {
		return append(dst, tok)
	}
	dst = append(dst, c.sounds[0])
	if c.readings > 1 && c.sounds[1] != c.sounds[0] {
		dst = append(dst, c.sounds[1])
	}
	return dst
}

// The lists of a name form that addPair writes to.
const (
	pairFirstNames = iota
	pairSounds
	pairPhonetic
)

// pairSpan is where one of addPair's values ends in deriver.pairs, and
// which list of the name form it goes to.
type pairSpan struct {
	end  int
	list uint8
}

// addPair records the order-free skeleton and phonetic pairs of a given
// and a family name token. The values are written into d.pairs, to become
// one string when the name is done (finishPairs).
func (d *deriver) addPair(n *nameForm, given, family string) {
	gForm, g := d.codesOf(n, given)
	fForm, f := d.codesOf(n, family)
	d.pair(pairFirstNames, gForm, fForm)
	if n.exact {
		// Vietnamese romanization is stable and its names short: coarse
		// codes would only make different names one.
		d.pair(pairSounds, given, family)
		d.pair(pairPhonetic, given, family)
		return
	}
	// The two readings of appendSoundCodes stand for two spelling conventions,
	// and a record spells all its names in one: pair first readings and
	// second readings, not one with the other.
	if g.readings > 0 && f.readings > 0 {
		d.pair(pairSounds, g.sounds[0], f.sounds[0])
		if g.readings > 1 || f.readings > 1 {
			d.pair(pairSounds, g.sounds[g.readings-1], f.sounds[f.readings-1])
		}
	}
	if g.phonetic != "" && f.phonetic != "" {
		d.pair(pairPhonetic, g.phonetic, f.phonetic)
	}
}

// pair writes a and b to d.pairs, for list, in sorted order and joined by
// a space, so that swapped given and family fields give the same value.
func (d *deriver) pair(list uint8, a, b string) {
	if a > b {
		a, b = b, a
	}
	d.pairs = append(append(append(d.pairs, a...), ' '), b...)
	d.pairEnds = append(d.pairEnds, pairSpan{end: len(d.pairs), list: list})
}

// finishPairs turns the values addPair wrote into strings, cut from one,
// and adds them, distinct, to n's lists.
func (d *deriver) finishPairs(n *nameForm) {
	all := string(d.pairs)
	start := 0
	for _, p := range d.pairEnds {
		v := all[start:p.end]
		start = p.end
		list := &n.firstNames
		switch p.list {
		case pairSounds:
			list = &n.sounds
		case pairPhonetic:
			list = &n.phonetic
		}
		if !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
}

// codesOf returns the forms of tok that addPair pairs: its given-name
// form, and its phonetic and sound codes unless the name is Vietnamese.
func (d *deriver) codesOf(n *nameForm, tok string) (form string, c tokenCodes) {
	if n.exact {
		return tok, tokenCodes{}
	}
	c = d.token(tok, true)
	return c.skeleton, c
}

// givenForm is the form of tok that given-name fields use.
func (d *deriver) givenForm(n *nameForm, tok string) string {
	if n.exact {
		return tok
	}
	return d.token(tok, false).skeleton
}

// tokenCodes are the codes of one name token.
type tokenCodes struct {
	// skeleton is the token's consonant skeleton with its ending mark,
	// the given-name form; bare is the skeleton alone, the form of
	// parents' names.
	skeleton, bare string
	// With coded set, phonetic is the token's Double Metaphone code,
	// marked for a leading glide and the ending ("" if it has none), and
	// sounds[:readings] are its sound codes (appendSoundCodes): none, one,
	// or two readings.
	coded    bool
	phonetic string
	sounds   [2]string
	readings int
}

// codebook holds the codes of name tokens, each computed once.
type codebook struct {
	toks  []string
	codes []tokenCodes
	index map[string]int32 // every token's position in toks
	// recent holds the positions of the first recentTokens tokens one
	// record has asked for, scanned before index: a record asks for the
	// codes of its few tokens many times.
	recent []int32
}

// recentTokens is how many of one record's tokens a codebook scans before
// it looks a token up in its index.
const recentTokens = 16

// newCodebook returns an empty codebook.
func newCodebook() codebook { return codebook{index: map[string]int32{}} }

// reset starts a record.
func (c *codebook) reset() { c.recent = c.recent[:0] }

// forget empties c, keeping its memory.
func (c *codebook) forget() {
	clear(c.index)
	c.toks, c.codes, c.recent = c.toks[:0], c.codes[:0], c.recent[:0]
}

// find returns the position of tok in c.toks, or -1.
func (c *codebook) find(tok string) int {
	for _, i := range c.recent {
		if c.toks[i] == tok {
			return int(i)
		}
	}
	i, ok := c.index[tok]
	if !ok {
		return -1
	}
	c.used(i)
	return int(i)
}

// used notes that the record asked for the token at position i.
func (c *codebook) used(i int32) {
	if len(c.recent) < recentTokens {
		c.recent = append(c.recent, i)
	}
}

// add adds tok with its codes and returns its position.
func (c *codebook) add(tok string, codes tokenCodes) int {
	i := len(c.toks)
	c.toks, c.codes = append(c.toks, tok), append(c.codes, codes)
	c.index[tok] = int32(i)
	c.used(int32(i))
	return i
}

// token returns the codes of tok, with its phonetic and sound codes if
// coded is set.
func (d *deriver) token(tok string, coded bool) tokenCodes {
	c := &d.codes
	i := c.find(tok)
	if i < 0 {
		i = c.add(tok, d.skeletonCodes(tok))
	}
	if coded && !c.codes[i].coded {
		d.addSoundCodes(&c.codes[i], tok)
	}
	return c.codes[i]
}

// skeletonCodes computes tok's skeletons, cut from one string.
func (d *deriver) skeletonCodes(tok string) tokenCodes {
	b := normalize.AppendConsonantSkeleton(d.buf[:0], initialYe(tok))
	bare := len(b)
	b = append(b, ending(tok)...)
	d.buf = b
	s := string(b)
	return tokenCodes{skeleton: s, bare: s[:bare]}
}

// addSoundCodes computes tok's phonetic and sound codes into c, cut from
// one string.
func (d *deriver) addSoundCodes(c *tokenCodes, tok string) {
	b, first, second := appendSoundCodes(d.buf[:0], tok)
	soundsEnd := len(b)
	b = append(b, glide(tok)...)
	code := len(b)
	b = phonetic.AppendPrimary(b, tok, phonetic.DefaultMaxLength)
	if len(b) == code {
		b = b[:soundsEnd] // no phonetic code
	} else {
		b = append(b, ending(tok)...)
	}
	d.buf = b
	s := string(b)
	c.coded, c.phonetic = true, s[soundsEnd:]
	switch {
	case first == 0:
		c.readings = 0
	case second == 0:
		c.sounds[0], c.readings = s[:first], 1
	default:
		c.sounds[0], c.sounds[1], c.readings = s[:first], s[first:first+second], 2
	}
}

// parentKey is the order-free skeleton of a parent's name. A patronymic is
// dropped when the name has three tokens or more: records from Russia and
// Ukraine name parents as "Family Given Patronymic", others as "Given
// Family".
func (d *deriver) parentKey(name string) string {
	d.parentToks = d.nameTokens(d.parentToks[:0], name)
	toks := normalize.DropParticles(dropPatronymics(d.parentToks, 2))
	d.skel = d.skel[:0]
	for _, t := range toks {
		d.skel = append(d.skel, d.token(t, false).bare)
	}
	slices.Sort(d.skel)
	return strings.Join(d.skel, " ")
}

// appendJoined appends strings.Join(toks, " ") to dst.
func appendJoined(dst []byte, toks []string) []byte {
	for i, t := range toks {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, t...)
	}
	return dst
}

// documentValue is a document number's letters (upper-cased) and digits,
// or "" if they are too few to identify anything.
func documentValue(s string) string {
	var buf [32]byte
	b := buf[:0]
	clean := true
	for _, c := range s {
		u := c
		if c >= 'a' && c <= 'z' {
			u = c - 'a' + 'A'
		} else if c >= utf8.RuneSelf {
			u = unicode.ToUpper(c)
		}
		if (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') {
			b = append(b, byte(u))
			clean = clean && u == c
		} else {
			clean = false
		}
	}
	if len(b) < 4 { // too short to be an identifier
		return ""
	}
	if clean {
		return s
	}
	return string(b)
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
	if isNameField(fld) {
		aliasFrom = -1
		for i := range f.names {
			if i == f.ownNames {
				aliasFrom = len(dst)
			}
			one, list := f.names[i].fieldValues(fld)
			add(one)
			for _, v := range list {
				add(v)
			}
		}
		if aliasFrom < 0 {
			aliasFrom = len(dst)
		}
		return dst, aliasFrom
	}
	switch fld {
	case FieldDate:
		if f.date.Precision() == PrecisionDay {
			add(f.dayString())
		}
	case FieldDateSwapped:
		// Only dates that can be misread with day and month swapped: for
		// others this is the full date again, already keyed by FieldDate.
		if f.date.Precision() == PrecisionDay && f.date.Day <= 12 && f.date.Day != f.date.Month {
			d, m := f.date.Day, f.date.Month
			var buf [24]byte
			b := strconv.AppendInt(buf[:0], int64(f.date.Year), 10)
			b = strconv.AppendInt(append(b, '|'), int64(min(d, m)), 10)
			b = strconv.AppendInt(append(b, '|'), int64(max(d, m)), 10)
			add(string(b))
		}
	case FieldAliasBand:
		dst = f.appendBands(dst)
	case FieldYear:
		switch f.date.Precision() {
		case PrecisionNone:
		case PrecisionYear:
			// Only an estimated age: allow a year either way.
			for y := f.date.Year - 1; y <= f.date.Year+1; y++ {
				add(yearString(y))
			}
		default:
			add(yearString(f.date.Year))
		}
	case FieldYearMonth:
		if f.date.Precision() >= PrecisionMonth {
			add(f.dayString()[:7])
		}
	case FieldMonthDay:
		if f.date.Precision() == PrecisionDay {
			add(f.dayString()[5:])
		}
	case FieldBirthYear:
		if f.date.Precision() != PrecisionNone {
			add(yearString(f.date.Year))
		}
	case FieldYearBand:
		if f.date.Precision() != PrecisionNone {
			// Bands of two years at both offsets: years one apart always
			// share one, years three or more apart never.
			add(bandString('c', f.date.Year/2))
			add(bandString('d', (f.date.Year+1)/2))
		}
	case FieldNationality:
		add(f.nationality)
	case FieldPostcodeArea:
		add(postcodeArea(f.postcode, f.rawPostcode))
	case FieldBirthPlace:
		add(f.place)
	case FieldPlaceSkeleton:
		add(f.placeSkeleton)
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
		// The values are cut from one string.
		var buf [128]byte
		var ends [3]int
		b, k := buf[:0], 0
		value := func(kind byte, parts ...string) {
			b = append(strconv.AppendInt(append(b, kind), int64(n), 10), ':')
			for _, p := range parts {
				b = append(b, p...)
			}
			ends[k], k = len(b), k+1
		}
		if fld == FieldDocumentHalf {
			value('<', f.doc[:n/2])
		} else {
			// The first half with the last digit spares a wrong
			// character in the second half but that digit, which is
			// where consecutive numbers differ (a trailing letter, as in
			// CA12345AB, is often fixed).
			if d := strings.LastIndexAny(f.doc, "0123456789"); d >= n/2 {
				value('<', f.doc[:n/2], ".", f.doc[d:d+1])
			}
			value('~', f.doc)
			slices.Sort(b[ends[k-1]-n : ends[k-1]])
		}
		value('>', f.doc[n/2:])
		all, start := string(b), 0
		for _, end := range ends[:k] {
			add(all[start:end])
			start = end
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
	case FieldSex:
		add(f.sex)
	}
	if aliasFrom < 0 {
		aliasFrom = len(dst)
	}
	return dst, aliasFrom
}

// appendBands appends to dst the two overlapping six-year bands, offset
// by three years, that hold the birth year: two years less than three
// apart share at least one, two years six or more apart share none.
func (f *features) appendBands(dst []string) []string {
	if f.date.Precision() == PrecisionNone {
		return dst
	}
	y := f.date.Year
	return append(dst, bandString('a', y/6), bandString('b', (y+3)/6))
}

// Years and bands of the years children are born in are written once, not
// for every record.
const (
	firstTabledYear = 1900
	lastTabledYear  = 2199
)

// tabled holds the strings of the years from firstTabledYear to
// lastTabledYear and of their bands (appendBands), written once.
var tabled = func() (t struct{ years, bandsA, bandsB, bandsC, bandsD []string }) {
	for y := firstTabledYear; y <= lastTabledYear; y++ {
		t.years = append(t.years, strconv.Itoa(y))
	}
	for b := firstTabledYear / 6; b <= lastTabledYear/6+1; b++ {
		t.bandsA = append(t.bandsA, "a"+strconv.Itoa(b))
		t.bandsB = append(t.bandsB, "b"+strconv.Itoa(b))
	}
	for b := firstTabledYear / 2; b <= lastTabledYear/2+1; b++ {
		t.bandsC = append(t.bandsC, "c"+strconv.Itoa(b))
		t.bandsD = append(t.bandsD, "d"+strconv.Itoa(b))
	}
	return t
}()

// yearString is strconv.Itoa(y).
func yearString(y int) string {
	if y >= firstTabledYear && y <= lastTabledYear {
		return tabled.years[y-firstTabledYear]
	}
	return strconv.Itoa(y)
}

// bandString is the name of band b of kind: six-year bands ('a' or 'b',
// appendBands) or two-year bands ('c' or 'd', FieldYearBand), from the
// tables where b is a tabled year's band.
func bandString(kind byte, b int) string {
	var table []string
	i := b - firstTabledYear/2
	switch kind {
	case 'a':
		table, i = tabled.bandsA, b-firstTabledYear/6
	case 'b':
		table, i = tabled.bandsB, b-firstTabledYear/6
	case 'c':
		table = tabled.bandsC
	case 'd':
		table = tabled.bandsD
	}
	if i >= 0 && i < len(table) {
		return table[i]
	}
	return string(kind) + strconv.Itoa(b)
}

func sexValue(s Sex) string {
	if s == SexUnknown {
		return ""
	}
	return s.String()
}

// dayString is dayString(f.date), written once per record.
func (f *features) dayString() string {
	if f.day == "" {
		f.day = dayString(f.date)
	}
	return f.day
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

// swappedVietnamese reports whether a name is a Vietnamese name written
// with its fields swapped: a lone family name in the given field (given:
// its tokens), one only Vietnamese people bear (Nguyễn | Khánh Oanh) or,
// if borne elsewhere too (Lê, Hồ, Kim), one that isVietnamese reads as
// Vietnamese with the family field's tokens as its given names (Lê | Văn
// Tùng, Le | Van Binh, Le | Duc Cuong); and the family field (its tokens
// without particles: bare; as written: raw; the fields' text: rawGiven,
// rawFamily) does not start with a Vietnamese family name itself, even one
// borne elsewhere too (Quân | Đỗ Minh, Mai | Hồ Thị are in order).
func swappedVietnamese(given, bare, raw []string, rawGiven, rawFamily string) bool {
	if len(given) != 1 || len(bare) == 0 || vietnameseFamily[bare[0]] || ambiguousVietnameseFamily[bare[0]] {
		return false
	}
	switch {
	case vietnameseFamily[given[0]]:
		return true
	case ambiguousVietnameseFamily[given[0]] && len(raw) >= 2 && allVietnameseSyllables(raw):
		// Only names that are Vietnamese syllables throughout: Văn
		// is also the van of Kim | van der Berg.
		vn, _ := isVietnamese(given[0], raw, rawGiven, rawFamily)
		return vn
	}
	return false
}

// swappedParticle reports whether a name's given field starts with a
// particle that begins family names and nothing else (de, al, von, ...)
// before another token, while its family field has a token and starts with
// none: a record that wrote the family name in the given field. Particles
// that also are given or middle names or the syllables of Chinese and
// Vietnamese given names (Ben, Abu, Văn, Le, La, Y, Da, Di, Du) do not
// count alone; van does before another particle and a name (van der Veen,
// van den Berg), unless all three read as Vietnamese syllables (Văn Đến
// Minh).
func swappedParticle(given, family []string) bool {
	if len(given) < 2 || len(family) == 0 || familyParticle(family[0]) {
		return false
	}
	return familyParticle(given[0]) ||
		given[0] == "van" && len(given) >= 3 && familyParticle(given[1]) && !allVietnameseSyllables(given)
}

// familyParticle reports whether t is a particle that only begins family
// names.
func familyParticle(t string) bool {
	switch t {
	case "de", "al", "el", "von", "der", "den", "del", "della", "dos", "das", "ter", "ten", "zu":
		return true
	}
	return false
}
