package encoding

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// bodyCase is one valid example body of validBodies.
type bodyCase = struct {
	name  string
	typ   MessageType
	value body
	empty func() body
}

// fastBodies are the valid examples of suite 2's bodies; validBodies
// includes them, so the round-trip, prefix and fuzz tests cover them.
func fastBodies() []bodyCase {
	tags := func(count, per, tagLen, wrap, sealed int) *OPRFTags {
		return &OPRFTags{
			Session: session(), PerElement: uint8(per), TagLength: uint8(tagLen), WrapSize: uint8(wrap), SealedSize: uint16(sealed),
			Tags: randBytes(count * per * tagLen), Wraps: randBytes(count * per * wrap), Seals: randBytes(count * sealed),
		}
	}
	return []bodyCase{
		{"ot-setup", TypeOTSetup, &OTSetup{Session: session(), Point: [ElementSize]byte(randBytes(ElementSize))}, func() body { return new(OTSetup) }},
		{"ot-reply", TypeOTReply, &OTReply{Session: session(), PRCKey: [PRCKeySize]byte(randBytes(PRCKeySize)), Points: randBytes(OTCount * ElementSize)}, func() body { return new(OTReply) }},
		{"matrix-64", TypeMatrix, &MatrixChunk{Session: session(), Rows: randBytes(64 * RowSize)}, func() body { return new(MatrixChunk) }},
		{"matrix-max", TypeMatrix, &MatrixChunk{Session: session(), Rows: randBytes(MaxMatrixRows * RowSize)}, func() body { return new(MatrixChunk) }},
		{"oprf-tags", TypeOPRFTags, tags(5, 3, 11, 0, 0), func() body { return new(OPRFTags) }},
		{"oprf-tags-payload", TypeOPRFTags, tags(7, 6, 10, KeyWrapSize, 64+SealOverhead), func() body { return new(OPRFTags) }},
		{"oprf-tags-max", TypeOPRFTags, tags(MaxChunkElements, MaxTagsPerElement, MaxTagLength, KeyWrapSize, MaxSealedSize), func() body { return new(OPRFTags) }},
	}
}

// TestFastBodySizes checks the size functions against real encodings, and
// that the largest chunk fits a frame.
func TestFastBodySizes(t *testing.T) {
	for _, tc := range fastBodies() {
		enc, err := tc.value.AppendBinary(nil)
		require.NoError(t, err)
		require.LessOrEqual(t, len(enc), MaxBodySize, tc.name)
		switch v := tc.value.(type) {
		case *OTSetup:
			require.Len(t, enc, OTSetupSize)
		case *OTReply:
			require.Len(t, enc, OTReplySize)
		case *MatrixChunk:
			require.Len(t, enc, MatrixChunkSize(v.Len()))
		case *OPRFTags:
			require.Len(t, enc, OPRFTagsSize(v.Len(), int(v.PerElement), int(v.TagLength), int(v.WrapSize), int(v.SealedSize)))
		}
	}
}

// TestFastBodyFieldErrors checks that every declared size outside its
// range is refused, on encoding and on decoding.
func TestFastBodyFieldErrors(t *testing.T) {
	good := fastBodies()[5].value.(*OPRFTags)
	enc, err := good.AppendBinary(nil)
	require.NoError(t, err)
	const at = SessionIDSize + 4 // per element, tag length, wrap size, sealed size
	for name, edit := range map[string]func(b []byte){
		"zero count":        func(b []byte) { b[SessionIDSize+3] = 0 },
		"per element 2":     func(b []byte) { b[at] = 2 },
		"per element 12":    func(b []byte) { b[at] = 12 },
		"tag length 7":      func(b []byte) { b[at+1] = 7 },
		"tag length 17":     func(b []byte) { b[at+1] = 17 },
		"wrap size 15":      func(b []byte) { b[at+2] = 15 },
		"wrap without seal": func(b []byte) { b[at+3], b[at+4] = 0, 0 },
		"seal of 15":        func(b []byte) { b[at+3], b[at+4] = 0, 15 },
		"seal too large":    func(b []byte) { b[at+3], b[at+4] = 0xff, 0xff },
	} {
		b := append([]byte(nil), enc...)
		edit(b)
		require.ErrorIs(t, new(OPRFTags).UnmarshalBinary(b), ErrMalformed, name)
	}
	bad := *good
	bad.Seals = bad.Seals[1:]
	_, err = bad.AppendBinary(nil)
	require.ErrorIs(t, err, ErrMalformed)

	m := fastBodies()[2].value.(*MatrixChunk)
	enc, err = m.AppendBinary(nil)
	require.NoError(t, err)
	for _, rows := range []byte{0, 63, 65} {
		b := append([]byte(nil), enc...)
		b[SessionIDSize+2], b[SessionIDSize+3] = 0, rows
		require.ErrorIs(t, new(MatrixChunk).UnmarshalBinary(b), ErrMalformed, "rows %d", rows)
	}
	b := append([]byte(nil), enc...)
	b[SessionIDSize+2], b[SessionIDSize+3] = (MaxMatrixRows+256)>>8, 0
	require.ErrorIs(t, new(MatrixChunk).UnmarshalBinary(b), ErrMalformed)
	_, err = (&MatrixChunk{Rows: make([]byte, 63*RowSize)}).AppendBinary(nil)
	require.ErrorIs(t, err, ErrMalformed)
	_, err = (&OTReply{Points: make([]byte, ElementSize)}).AppendBinary(nil)
	require.ErrorIs(t, err, ErrMalformed)
}

func FuzzOTSetup(f *testing.F) { fuzzBody(f, func() body { return new(OTSetup) }, TypeOTSetup) }

func FuzzOTReply(f *testing.F) { fuzzBody(f, func() body { return new(OTReply) }, TypeOTReply) }

func FuzzMatrixChunk(f *testing.F) {
	fuzzBody(f, func() body { return new(MatrixChunk) }, TypeMatrix)
}

func FuzzOPRFTags(f *testing.F) { fuzzBody(f, func() body { return new(OPRFTags) }, TypeOPRFTags) }
