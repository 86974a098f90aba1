package kkrt

import (
	"crypto/rand"
	"fmt"
	"testing"
)

// BenchmarkSession runs whole sessions with the two parties in two
// goroutines, messages passed over channels.
func BenchmarkSession(b *testing.B) {
	for _, logN := range []int{12, 16, 20} {
		n := 1 << logN
		rset := append(elements("recv", 0, n/2), elements("common", 0, n/2)...)
		sset := append(elements("send", 0, n/2), elements("common", 0, n/2)...)
		b.Run(fmt.Sprintf("n=2^%d", logN), func(b *testing.B) {
			for b.Loop() {
				p := testParams(b, n, n, fmt.Sprint(b.N))
				got := pipelined(b, p, rset, sset)
				if len(got) != n/2 {
					b.Fatalf("got %d, want %d", len(got), n/2)
				}
			}
		})
	}
}

func pipelined(b *testing.B, p Params, rset, sset [][]byte) []int {
	toS, toR := make(chan []byte, 8), make(chan []byte, 8)
	errc := make(chan error, 1)
	go func() {
		errc <- func() error {
			s, err := NewSender(p, sset, rand.Reader)
			if err != nil {
				return err
			}
			reply, err := s.ReadSetup(<-toS)
			if err != nil {
				return err
			}
			toR <- reply
			for range s.MatrixChunks() {
				if err := s.ReadMatrixChunk(<-toS); err != nil {
					return err
				}
			}
			for range s.TagChunks() {
				c, err := s.TagChunk()
				if err != nil {
					return err
				}
				toR <- c
			}
			return nil
		}()
	}()
	r, err := NewReceiver(p, rset, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	setup, _ := r.Setup()
	toS <- setup
	if err := r.ReadBaseOT(<-toR); err != nil {
		b.Fatal(err)
	}
	for range r.MatrixChunks() {
		c, err := r.AppendMatrixChunk(nil)
		if err != nil {
			b.Fatal(err)
		}
		toS <- c
	}
	for range r.TagChunks() {
		if err := r.ReadTagChunk(<-toR); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	got, err := r.Intersection()
	if err != nil {
		b.Fatal(err)
	}
	return got
}
