// Command offline runs one private record-matching session between two
// agencies that can only exchange files, for example through a secure mail
// channel, on a few embedded synthetic child records:
//
//	go run ./examples/offline
//
// Each agency has an Ed25519 signing key and pins the other's public key
// (here both are generated in this process; in production each agency
// keeps its own and they compare fingerprints out of band). The agencies
// take turns, agency A first: each step is a fresh "process" that loads
// its state file, reads and verifies the other's last message file, saves
// its new state and writes its next message file. The message files are
// what the agencies would mail to each other; the state files hold secrets
// and never leave their agency. After six messages both know which of
// their own records match, exactly as with reunite.Match over a network.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/examples/internal/report"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

//go:embed data/agency-a.csv data/agency-b.csv
var data embed.FS

func main() {
	dir, err := os.MkdirTemp("", "reunite-offline-")
	if err == nil {
		err = run(os.Stdout, dir)
		os.RemoveAll(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "offline:", err)
		os.Exit(1)
	}
}

func load(name string) ([]match.Record, error) {
	raw, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	recs, _, err := match.ReadCSV(bytes.NewReader(raw), name, match.ReadOptions{})
	return recs, err
}

// agency is what one agency keeps between steps: its records, its
// configuration with its keys, and the path of its state file.
type agency struct {
	name    string
	records []match.Record
	cfg     reunite.FileExchangeConfig
	state   string
}

// run plays both agencies through message files in dir.
func run(out io.Writer, dir string) error {
	recsA, err := load("agency-a.csv")
	if err != nil {
		return err
	}
	recsB, err := load("agency-b.csv")
	if err != nil {
		return err
	}
	_, keyA, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	_, keyB, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	pubA, pubB := keyA.Public().(ed25519.PublicKey), keyB.Public().(ed25519.PublicKey)
	a := &agency{name: "A", records: recsA, state: filepath.Join(dir, "a.state"), cfg: reunite.FileExchangeConfig{
		MatchConfig: reunite.MatchConfig{Role: psi.RoleInitiator, Peer: "Agency B"}, SigningKey: keyA, PeerKey: pubB,
	}}
	b := &agency{name: "B", records: recsB, state: filepath.Join(dir, "b.state"), cfg: reunite.FileExchangeConfig{
		MatchConfig: reunite.MatchConfig{Role: psi.RoleResponder, Peer: "Agency A"}, SigningKey: keyB, PeerKey: pubA,
	}}
	fmt.Fprintf(out, "Agency A signs with key %s, pins B's key %s\n", fingerprint(pubA), fingerprint(pubB))
	fmt.Fprintf(out, "Agency B signs with key %s, pins A's key %s\n", fingerprint(pubB), fingerprint(pubA))

	// Both agencies start; A, the initiator, has message 0 ready at once.
	for _, ag := range []*agency{a, b} {
		x, err := reunite.StartFileExchange(ag.records, ag.cfg)
		if err != nil {
			return fmt.Errorf("agency %s: %w", ag.name, err)
		}
		if err := x.SaveState(ag.state); err != nil {
			return fmt.Errorf("agency %s: %w", ag.name, err)
		}
	}

	var resA, resB *reunite.MatchResult
	from, to := a, b
	for {
		// The sender, in a fresh process, writes its pending message.
		x, err := reunite.OpenFileExchange(from.state, from.records, from.cfg)
		if err != nil {
			return fmt.Errorf("agency %s: %w", from.name, err)
		}
		n, ok := x.Outgoing()
		if !ok {
			break
		}
		id := x.ExchangeID()
		msg := filepath.Join(dir, fmt.Sprintf("exchange-%s-message-%d.reunite", hex.EncodeToString(id[:4]), n))
		if err := writeMessage(x, msg); err != nil {
			return fmt.Errorf("agency %s: %w", from.name, err)
		}
		size, err := fileSize(msg)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s wrote message %d (%d bytes) to %s\n", from.name, n, size, filepath.Base(msg))

		// The receiver, in a fresh process, verifies and reads it.
		y, err := reunite.OpenFileExchange(to.state, to.records, to.cfg)
		if err != nil {
			return fmt.Errorf("agency %s: %w", to.name, err)
		}
		if err := readMessage(y, msg); err != nil {
			return fmt.Errorf("agency %s: %w", to.name, err)
		}
		if err := y.SaveState(to.state); err != nil {
			return fmt.Errorf("agency %s: %w", to.name, err)
		}
		fmt.Fprintf(out, "%s verified and read message %d", to.name, n)
		if y.Done() {
			fmt.Fprint(out, "; its side of the exchange is done")
			r, err := y.Result()
			if err != nil {
				return fmt.Errorf("agency %s: %w", to.name, err)
			}
			if to == a {
				resA = r
			} else {
				resB = r
			}
		}
		fmt.Fprintln(out)
		from, to = to, from
	}
	if resA == nil || resB == nil {
		return fmt.Errorf("the exchange ended before both agencies were done")
	}
	fmt.Fprintln(out)
	report.Print(out, "Agency A (missing-children unit)", recsA, resA)
	report.Print(out, "Agency B (police, destination country)", recsB, resB)
	fmt.Fprintln(out, "Each agency saw only its own records. Matching handles name the same pair on both")
	fmt.Fprintln(out, "sides: each agency quotes its handle in the formal request for the other's file.")
	return nil
}

func writeMessage(x *reunite.FileExchange, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := x.WriteMessage(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readMessage(x *reunite.FileExchange, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return x.ReadMessage(f)
}

func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// fingerprint is the short form in which agencies compare keys.
func fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}
