package reunite_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

// Two agencies match their records by exchanging files. Each signs with
// its Ed25519 key, decrypts with its X25519 key, and pins the other's two
// public keys; the files (here buffers) are encrypted to their recipient.
func ExampleFileExchange() {
	dir, _ := os.MkdirTemp("", "reunite-example-")
	defer os.RemoveAll(dir)
	recsA, _, _ := match.ReadFile("testdata/agency-a.csv", match.ReadOptions{})
	recsB, _, _ := match.ReadFile("testdata/agency-b.csv", match.ReadOptions{})

	_, signA, _ := ed25519.GenerateKey(rand.Reader)
	_, signB, _ := ed25519.GenerateKey(rand.Reader)
	decA, _ := ecdh.X25519().GenerateKey(rand.Reader)
	decB, _ := ecdh.X25519().GenerateKey(rand.Reader)
	seenB := filepath.Join(dir, "b.seen")
	if err := reunite.CreateSeenExchanges(seenB); err != nil { // once, like the keys
		fmt.Println(err)
		return
	}
	cfgA := reunite.FileExchangeConfig{
		MatchConfig: reunite.MatchConfig{Role: psi.RoleInitiator},
		SigningKey:  signA, DecryptionKey: decA,
		PeerSigningKey: signB.Public().(ed25519.PublicKey), PeerEncryptionKey: decB.PublicKey(),
	}
	cfgB := reunite.FileExchangeConfig{
		MatchConfig: reunite.MatchConfig{Role: psi.RoleResponder},
		SigningKey:  signB, DecryptionKey: decB,
		PeerSigningKey: signA.Public().(ed25519.PublicKey), PeerEncryptionKey: decA.PublicKey(),
		SeenExchanges: seenB,
	}
	a, err := reunite.StartFileExchange(recsA, cfgA)
	if err != nil {
		fmt.Println(err)
		return
	}
	b, err := reunite.StartFileExchange(recsB, cfgB)
	if err != nil {
		fmt.Println(err)
		return
	}
	state := map[*reunite.FileExchange]string{a: filepath.Join(dir, "a.state"), b: filepath.Join(dir, "b.state")}
	from, to := a, b
	for {
		if _, ok := from.Outgoing(); !ok {
			break
		}
		var file bytes.Buffer
		// Save, then write: a party never sends an answer it could lose.
		if err := from.SaveState(state[from]); err != nil {
			fmt.Println(err)
			return
		}
		if err := from.WriteMessage(&file); err != nil {
			fmt.Println(err)
			return
		}
		if err := to.ReadMessage(&file); err != nil {
			fmt.Println(err)
			return
		}
		from, to = to, from
	}
	ra, _ := a.Result()
	rb, _ := b.Result()
	fmt.Println("A's records matched:", len(ra.Hits))
	fmt.Println("B's records matched:", len(rb.Hits))
	fmt.Println("same session on both sides:", ra.Audit.SessionID == rb.Audit.SessionID)
	// Output:
	// A's records matched: 6
	// B's records matched: 6
	// same session on both sides: true
}
