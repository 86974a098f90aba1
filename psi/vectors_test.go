package psi

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reunite-psi/reunite/encoding"
	"github.com/reunite-psi/reunite/internal/golden"
	"github.com/reunite-psi/reunite/internal/testrand"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/ecdh-psi-vectors.json from the case definitions")

const vectorsFile = "testdata/ecdh-psi-vectors.json"

// vectorParty is one party's input to a known-answer case. The party's
// randomness is testrand.New(Seed): see PROTOCOL.md §Test vectors for the
// order in which it is consumed.
type vectorParty struct {
	Seed       string   `json:"seed"`
	MaxSetSize int      `json:"max_set_size"`
	Elements   []string `json:"elements,omitempty"` // hex
	Payloads   []string `json:"payloads,omitempty"`
	// Generated, for large cases, lists the elements as ranges: each
	// range stands for the UTF-8 strings "prefix-0" … "prefix-(count-1)",
	// appended in order after Elements.
	Generated []wordRange `json:"generated,omitempty"`
	// Context, in hex, replaces the case's context for this party (to
	// show a context mismatch and its alert).
	Context string `json:"context,omitempty"`
	// Suites is the party's Config.Suites (suite 1 only when empty).
	Suites []Suite `json:"suites,omitempty"`
}

type wordRange struct {
	Prefix string `json:"prefix"`
	Count  int    `json:"count"`
}

func (p vectorParty) elements(t *testing.T) [][]byte {
	out := unhexAll(t, p.Elements)
	for _, r := range p.Generated {
		out = append(out, words(r.Prefix, r.Count)...)
	}
	return out
}

type vectorMatch struct {
	Index       int    `json:"index"`
	Handle      string `json:"handle"`
	PeerPayload string `json:"peer_payload,omitempty"`
}

type vectorResult struct {
	Learned     bool          `json:"learned"`
	Cardinality int           `json:"cardinality"`
	Matches     []vectorMatch `json:"matches,omitempty"`
	// MatchesDigest replaces Matches in large cases: SHA-256 over, per
	// match in order, the decimal index, the hex handle and the hex peer
	// payload, each followed by a newline.
	MatchesDigest string `json:"matches_digest,omitempty"`
	SessionID     string `json:"session_id"`
	Transcript    string `json:"transcript"`
}

type vectorFrame struct {
	From  string `json:"from"`
	Frame string `json:"frame"`
}

type vectorCase struct {
	Name        string        `json:"name"`
	Mode        string        `json:"mode"`
	Context     string        `json:"context"` // hex
	PayloadSize int           `json:"payload_size"`
	Initiator   vectorParty   `json:"initiator"`
	Responder   vectorParty   `json:"responder"`
	Frames      []vectorFrame `json:"frames,omitempty"`
	// Commitment is the responder's B = b·G from its HelloReply, and
	// Proofs the evaluation proof (c ‖ s) of each Evaluated chunk in order,
	// repeated from the frames for readers checking a DLEQ implementation
	// (PROTOCOL.md §Evaluation proofs).
	Commitment  string   `json:"commitment,omitempty"`
	Proofs      []string `json:"proofs,omitempty"`
	FrameDigest string   `json:"frame_digest,omitempty"` // SHA-256 of all frames, for large cases
	Expect      string   `json:"expect"`                 // "success" or the error both parties report
	// Alert is the alert code (PROTOCOL.md §Alerts) of the error both
	// parties report, for a case that does not succeed.
	Alert   int            `json:"alert,omitempty"`
	Results []vectorResult `json:"results,omitempty"` // initiator, responder
	// Tamper, in a hostile case, alters one frame in flight, as a
	// deviating party or the network would.
	Tamper *vectorTamper `json:"tamper,omitempty"`
}

// The frames of a one-chunk suite-1 session, counted as vectorTamper
// counts them: Hello, HelloReply, then the Blinded and Evaluated chunks.
const (
	frameBlinded   = 2
	frameEvaluated = 3
)

// vectorTamper XORs one byte of one frame's body in flight: frame counts
// the session's frames from 0 in the order they are sent, both directions
// together, and offset counts from the start of the frame's body. Frames
// lists the frame as delivered.
type vectorTamper struct {
	Frame  int `json:"frame"`
	Offset int `json:"offset"`
	XOR    int `json:"xor"`
}

type vectorFile struct {
	Comment string       `json:"comment"`
	Cases   []vectorCase `json:"cases"`
}

func hexAll(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = hex.EncodeToString(b)
	}
	return out
}

func unhexAll(t *testing.T, ss []string) [][]byte {
	if ss == nil {
		return nil
	}
	out := make([][]byte, len(ss))
	for i, s := range ss {
		b, err := hex.DecodeString(s)
		require.NoError(t, err)
		out[i] = b
	}
	return out
}

func words(prefix string, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, "%s-%d", prefix, i)
	}
	return out
}

// vectorDefinitions are the inputs of every known-answer case; -update
// runs them and records the outputs.
func vectorDefinitions() []vectorCase {
	names := func(ns ...string) [][]byte {
		out := make([][]byte, len(ns))
		for i, n := range ns {
			out[i] = []byte(n)
		}
		return out
	}
	pay := func(side string, n, size int) []string {
		out := make([]string, n)
		for i := range out {
			p := make([]byte, size)
			copy(p, fmt.Sprintf("%s%d", side, i))
			out[i] = hex.EncodeToString(p)
		}
		return out
	}
	a := names("oleksandr|kovalenko|2011-03-04", "maria|garcia|2009", "amina|yusuf|2012-07-01", "li|wei|2010-10-10")
	b := names("amina|yusuf|2012-07-01", "jonas|berg|2008-02-29", "oleksandr|kovalenko|2011-03-04")
	ctx := hex.EncodeToString([]byte("reunite test vectors"))
	cases := []vectorCase{
		{Name: "both-learn with payloads", Mode: "both-learn", Context: ctx, PayloadSize: 8,
			Initiator: vectorParty{Seed: "initiator-1", Elements: hexAll(a), Payloads: pay("A", 4, 8)},
			Responder: vectorParty{Seed: "responder-1", Elements: hexAll(b), Payloads: pay("B", 3, 8)}},
		{Name: "both-learn without payloads", Mode: "both-learn", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-2", Elements: hexAll(a)},
			Responder: vectorParty{Seed: "responder-2", Elements: hexAll(b)}},
		{Name: "initiator-only", Mode: "initiator-only", Context: ctx, PayloadSize: 4,
			Initiator: vectorParty{Seed: "initiator-3", Elements: hexAll(a), Payloads: pay("A", 4, 4)},
			Responder: vectorParty{Seed: "responder-3", Elements: hexAll(b), Payloads: pay("B", 3, 4)}},
		{Name: "cardinality-only", Mode: "cardinality-only", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-4", Elements: hexAll(a)},
			Responder: vectorParty{Seed: "responder-4", Elements: hexAll(b)}},
		{Name: "empty initiator set", Mode: "both-learn", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-5"},
			Responder: vectorParty{Seed: "responder-5", Elements: hexAll(b)}},
		{Name: "refused: set above the responder's cap", Mode: "both-learn", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-6", Elements: hexAll(a)},
			Responder: vectorParty{Seed: "responder-6", MaxSetSize: 3, Elements: hexAll(b)}},
		{Name: "refused: context mismatch (the alert carries the responder's context)", Mode: "both-learn", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-8", Elements: hexAll(a)},
			Responder: vectorParty{Seed: "responder-8", Elements: hexAll(b), Context: hex.EncodeToString([]byte("reunite other rules"))}},
		{Name: "hostile: the first Evaluated chunk's proof altered (the initiator refuses it)", Mode: "both-learn", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-9", Elements: hexAll(a)},
			Responder: vectorParty{Seed: "responder-9", Elements: hexAll(b)},
			Tamper:    &vectorTamper{Frame: frameEvaluated, Offset: 36, XOR: 0x01}},
		{Name: "hostile: an Evaluated point replaced by another valid point (the proof fails)", Mode: "both-learn", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-10", Elements: hexAll(a)},
			Responder: vectorParty{Seed: "responder-10", Elements: hexAll(b)},
			Tamper:    &vectorTamper{Frame: frameEvaluated, Offset: 106, XOR: 0x04}},
		{Name: "hostile: a Blinded point not canonically encoded (the responder refuses it)", Mode: "both-learn", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-11", Elements: hexAll(a)},
			Responder: vectorParty{Seed: "responder-11", Elements: hexAll(b)},
			Tamper:    &vectorTamper{Frame: frameBlinded, Offset: 36 + 31, XOR: 0x80}},
		{Name: "several chunks (digest only)", Mode: "both-learn", Context: ctx,
			Initiator: vectorParty{Seed: "initiator-7", Generated: []wordRange{{"shared", 4200}}},
			Responder: vectorParty{Seed: "responder-7", Generated: []wordRange{{"shared", 3000}, {"other", 1500}}}},
	}
	return cases
}

func modeNamed(t *testing.T, name string) Mode {
	for _, m := range []Mode{BothLearn, InitiatorOnly, CardinalityOnly} {
		if m.String() == name {
			return m
		}
	}
	t.Fatalf("unknown mode %q", name)
	return 0
}

// runVector runs one case from its inputs and fills in its outputs.
func runVector(t *testing.T, def vectorCase) vectorCase {
	ctx, err := hex.DecodeString(def.Context)
	require.NoError(t, err)
	cfg := func(p vectorParty) Config {
		ctx := ctx
		if p.Context != "" {
			ctx, err = hex.DecodeString(p.Context)
			require.NoError(t, err)
		}
		return Config{Context: ctx, Mode: modeNamed(t, def.Mode), PayloadSize: def.PayloadSize, MaxSetSize: p.MaxSetSize, Suites: p.Suites}
	}
	ini, err := newInitiatorWithRand(cfg(def.Initiator), Set{Elements: def.Initiator.elements(t), Payloads: unhexAll(t, def.Initiator.Payloads)}, testrand.New(def.Initiator.Seed))
	require.NoError(t, err)
	resp, err := newResponderWithRand(cfg(def.Responder), Set{Elements: def.Responder.elements(t), Payloads: unhexAll(t, def.Responder.Payloads)}, testrand.New(def.Responder.Seed))
	require.NoError(t, err)
	var tp tamper
	var tampered []byte
	if tm := def.Tamper; tm != nil {
		tp = func(i int, f encoding.Frame) encoding.Frame {
			if i == tm.Frame {
				f.Body = append([]byte(nil), f.Body...)
				f.Body[tm.Offset] ^= byte(tm.XOR)
				raw, err := f.MarshalBinary()
				require.NoError(t, err)
				tampered = raw
			}
			return f
		}
	}
	frames, ra, rb, erra, errb := pump(t, ini, resp, tp)
	if def.Tamper != nil {
		require.NotNil(t, tampered, "the frame to tamper with was sent")
		frames[def.Tamper.Frame].Bytes = tampered
	}

	out := def
	out.Frames, out.FrameDigest, out.Results, out.Commitment, out.Proofs = nil, "", nil, "", nil
	digest := sha256.New()
	var blinded, evaluated [][]byte
	var proofs [][]byte
	for _, f := range frames {
		digest.Write(f.Bytes)
		out.Frames = append(out.Frames, vectorFrame{From: f.From.String(), Frame: hex.EncodeToString(f.Bytes)})
		parsed, err := encoding.ParseFrame(f.Bytes)
		require.NoError(t, err)
		switch parsed.Type {
		case encoding.TypeHelloReply:
			var h encoding.HelloReply
			require.NoError(t, h.UnmarshalBinary(parsed.Body))
			out.Commitment = hex.EncodeToString(h.Commitment[:])
		case encoding.TypeBlinded:
			var c encoding.PointChunk
			require.NoError(t, c.UnmarshalBinary(parsed.Body))
			blinded = append(blinded, c.Points)
		case encoding.TypeEvaluated:
			var c encoding.EvaluatedChunk
			require.NoError(t, c.UnmarshalBinary(parsed.Body))
			evaluated = append(evaluated, c.Points)
			if c.Proof != [proofSize]byte{} {
				proofs = append(proofs, c.Proof[:])
				out.Proofs = append(out.Proofs, hex.EncodeToString(c.Proof[:]))
			}
		}
	}
	if erra == nil && errb == nil {
		checkVectorProofs(t, ra.SessionID, out.Commitment, blinded, evaluated, proofs)
	}
	if len(def.Initiator.Generated)+len(def.Responder.Generated) > 0 {
		out.Frames = nil
		out.FrameDigest = hex.EncodeToString(digest.Sum(nil))
	}
	if erra != nil || errb != nil {
		require.Error(t, erra)
		require.Error(t, errb)
		out.Expect, out.Alert = errorName(errb), int(alertCodeFor(errb))
		assert.Equal(t, errorName(erra), errorName(errb), "both parties report the same reason")
		return out
	}
	out.Expect = "success"
	for _, r := range []*Result{ra, rb} {
		vr := vectorResult{Learned: r.Learned, Cardinality: r.Cardinality, SessionID: hex.EncodeToString(r.SessionID[:]), Transcript: hex.EncodeToString(r.Transcript[:])}
		md := sha256.New()
		for _, m := range r.Matches {
			vm := vectorMatch{Index: m.Index, Handle: m.Handle.String(), PeerPayload: hex.EncodeToString(m.PeerPayload)}
			vr.Matches = append(vr.Matches, vm)
			fmt.Fprintf(md, "%d\n%s\n%s\n", vm.Index, vm.Handle, vm.PeerPayload)
		}
		if out.FrameDigest != "" {
			vr.Matches, vr.MatchesDigest = nil, hex.EncodeToString(md.Sum(nil))
		}
		out.Results = append(out.Results, vr)
	}
	return out
}

// checkVectorProofs verifies every proof of a completed vector with the
// RFC 9497 VerifyProof of this package, from the frames alone: the
// commitment, the blinded points as sent and their evaluations.
func checkVectorProofs(t *testing.T, sid [32]byte, commitment string, blinded, evaluated, proofs [][]byte) {
	t.Helper()
	if len(proofs) == 0 {
		return
	}
	bm, err := hex.DecodeString(commitment)
	require.NoError(t, err)
	b, err := decodePoints(bm)
	require.NoError(t, err)
	require.Len(t, proofs, len(blinded), "one proof per chunk")
	q := proofContext(&sid)
	for i := range proofs {
		cp, err := decodePoints(blinded[i])
		require.NoError(t, err)
		dp, err := decodePoints(evaluated[i])
		require.NoError(t, err)
		assert.True(t, q.verify(b[0], bm, blinded[i], evaluated[i], cp, dp, proofs[i]), "proof %d", i)
	}
}

// errorName names the protocol error in err's chain, the same whether this
// party detected it or was told by an alert.
func errorName(err error) string {
	return alertCodes[alertCodeFor(err)].Error()
}

// TestKnownAnswers replays every case of testdata/ecdh-psi-vectors.json
// with its seeded randomness and checks every frame byte and every output.
func TestKnownAnswers(t *testing.T) {
	checkVectorFile(t, vectorsFile, "Known-answer vectors for reunite's ECDH-PSI (psi/PROTOCOL.md). Generated by `go test ./psi -run TestKnownAnswers -update`.", vectorDefinitions())
}

// checkVectorFile rewrites path from defs under -update, then replays
// every case of path and checks every frame byte and every output.
func checkVectorFile(t *testing.T, path, comment string, defs []vectorCase) []vectorCase {
	var written vectorFile
	if *update {
		written.Comment = comment
		for _, def := range defs {
			written.Cases = append(written.Cases, runVector(t, def))
		}
	}
	var file vectorFile
	golden.JSON(t, path, *update, written, &file)
	require.Len(t, file.Cases, len(defs), "vector file out of date: run with -update")
	for _, want := range file.Cases {
		t.Run(want.Name, func(t *testing.T) {
			t.Parallel()
			got := runVector(t, want)
			assert.Equal(t, want.Expect, got.Expect)
			assert.Equal(t, want.Alert, got.Alert)
			assert.Equal(t, want.FrameDigest, got.FrameDigest)
			require.Equal(t, len(want.Frames), len(got.Frames))
			for i := range want.Frames {
				assert.Equal(t, want.Frames[i], got.Frames[i], "frame %d", i)
			}
			assert.Equal(t, want.Results, got.Results)
			assert.Equal(t, want.Commitment, got.Commitment)
			assert.Equal(t, want.Proofs, got.Proofs)
		})
	}
	return file.Cases
}

// TestTestrandIsTestOnly checks no production file imports the seeded
// randomness package.
func TestTestrandIsTestOnly(t *testing.T) {
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		if strings.Contains(path, filepath.Join("internal", "testrand")) {
			return nil
		}
		assert.NotContains(t, string(src), "internal/testrand", path)
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, n, 5, "walked the module")
}
