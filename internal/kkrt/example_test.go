package kkrt_test

import (
	"crypto/rand"
	"fmt"

	"github.com/reunite-psi/reunite/internal/kkrt"
)

// Example runs both parties in one process: the receiver learns which of
// its elements the sender holds.
func Example() {
	p := kkrt.Params{ReceiverSize: 3, SenderSize: 2, Context: make([]byte, 32)}
	rand.Read(p.Context) // unique per session
	r, err := kkrt.NewReceiver(p, [][]byte{[]byte("ana"), []byte("bo"), []byte("cy")}, rand.Reader)
	if err != nil {
		panic(err)
	}
	s, err := kkrt.NewSender(p, [][]byte{[]byte("cy"), []byte("ana")}, rand.Reader)
	if err != nil {
		panic(err)
	}
	setup, _ := r.Setup()
	reply, err := s.ReadSetup(setup)
	if err != nil {
		panic(err)
	}
	if err := r.ReadBaseOT(reply); err != nil {
		panic(err)
	}
	for range r.MatrixChunks() {
		chunk, _ := r.AppendMatrixChunk(nil)
		if err := s.ReadMatrixChunk(chunk); err != nil {
			panic(err)
		}
	}
	for range s.TagChunks() {
		chunk, _ := s.TagChunk()
		if err := r.ReadTagChunk(chunk); err != nil {
			panic(err)
		}
	}
	got, _ := r.Intersection()
	fmt.Println(got)
	// Output: [0 2]
}
