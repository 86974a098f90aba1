package match

// KeysAsIndexed returns the keys NewIndex derives for records[i]: those of
// its names as written and as the file's spelling corrects them.
func KeysAsIndexed(records []Record, rs *RuleSet, i int) []Key {
	d := newFileDeriver(rs)
	keys, _ := d.keys(&records[i], newSpeller(records, d), i, nil)
	return keys
}

// PlainHits intersects the keys of two indexes in the clear, as PSI would
// privately, and returns a's hits with b's payloads decoded. pseudonymsB
// names b's records.
func PlainHits(a, b *Index, pseudonymsB []uint32) []KeyHit {
	theirs := map[string]int{}
	for k, v := range b.Keys {
		theirs[string(v)] = k
	}
	var hits []KeyHit
	for k, v := range a.Keys {
		if j, ok := theirs[string(v)]; ok {
			p, _ := b.Payload(j, pseudonymsB)
			peers, err := DecodePayload(p)
			if err != nil {
				panic(err)
			}
			hits = append(hits, KeyHit{Key: k, Peers: peers})
		}
	}
	return hits
}

// PairScorer scores single pairs of records with the model Link learns
// from a background pair of files, so that a test can ask what a pair
// would score among realistic candidates.
type PairScorer struct {
	rs *RuleSet
	md *model
	// holders count, per key value, the background records of each side
	// that hold it: a scored pair's keys are as common as they would be
	// among the background's records.
	holdersA, holdersB map[string]int
}

func holders(ix *Index) map[string]int {
	n := make(map[string]int, len(ix.Keys))
	for k, v := range ix.Keys {
		n[string(v)] = len(ix.Owners(k))
	}
	return n
}

// NewPairScorer fits the model on the candidate pairs of a and b.
func NewPairScorer(rs *RuleSet, a, b []Record) *PairScorer {
	ia, ib := NewIndex(a, rs), NewIndex(b, rs)
	pb := make([]uint32, len(b))
	for i := range pb {
		pb[i] = uint32(i)
	}
	_, vectors, blocks, _, _, _ := ia.candidates(PlainHits(ia, ib, pb))
	return &PairScorer{rs: rs, md: fitModel(rs, vectors, blocks, ia.stats, ib.stats), holdersA: holders(ia), holdersB: holders(ib)}
}

// Score returns the probability the background model gives the pair
// (a, b), and its evidence; 0 and nil when they share no key.
func (s *PairScorer) Score(a, b Record) (float64, []string) {
	ia, ib := NewIndex([]Record{a}, s.rs), NewIndex([]Record{b}, s.rs)
	hits := PlainHits(ia, ib, []uint32{7})
	_, vectors, blocks, kin, _, _ := ia.candidates(hits)
	if len(vectors) == 0 {
		return 0, nil
	}
	v := []byte(vectors[0])
	nc := len(s.rs.comps)
	for b := range s.rs.blocks {
		v[nc+b] = missing
	}
	for _, h := range hits {
		if r := s.rs.rules[ia.Rule(h.Key)]; r.level < 0 {
			key := string(ia.Keys[h.Key])
			own := min(1+s.holdersA[key], MaxRecordsPerKey)
			peer := min(1+s.holdersB[key], MaxRecordsPerKey)
			v[nc+r.block] = min(v[nc+r.block], commonness(own, peer))
		}
	}
	return s.md.probability(vector(v), blocks[0], kin[0]), s.rs.evidence(vectors[0])
}
