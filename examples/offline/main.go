// Command offline runs one private record-matching session between two
// agencies that can only exchange files, for example through a secure mail
// channel, on a few embedded synthetic child records:
//
//	go run ./examples/offline
//
// Each agency has an Ed25519 signing key and an X25519 decryption key, and
// pins the other's two public keys (here all are generated in this
// process; in production each agency keeps its own and they compare
// fingerprints out of band). Every message file is encrypted to its
// recipient in chunks, each signed by its sender, so whoever carries it
// learns only its size. The responder also keeps a seen-exchanges file,
// so that a first message replayed later is refused, and a budget file
// that limits how many keys a peer may bring in a week. The agencies
// take turns, agency A first: each step is a fresh "process" that loads
// its state file, reads and verifies the other's last message file, saves
// its new state and writes its next message file. The message files are
// what the agencies would mail to each other; the state files hold secrets
// and never leave their agency. After six messages both know which of
// their own records match, exactly as with reunite.Match over a network.
package main

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/examples/internal/report"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

//go:embed data/agency-a.csv data/agency-b.csv
var data embed.FS

func main() {
	if code := report.NoArguments("offline", os.Args[1:], os.Stderr); code >= 0 {
		os.Exit(code)
	}
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

// weeklyKeys is how many set elements (keys, and one per session for
// the file statistics) agency B lets a peer bring in a week.
const weeklyKeys = 100_000

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
	a, err := newAgency("A", recsA, filepath.Join(dir, "a.state"))
	if err != nil {
		return err
	}
	b, err := newAgency("B", recsB, filepath.Join(dir, "b.state"))
	if err != nil {
		return err
	}
	a.cfg.Role, a.cfg.Peer = psi.RoleInitiator, "Agency B"
	b.cfg.Role, b.cfg.Peer = psi.RoleResponder, "Agency A"
	a.pin(b)
	b.pin(a)
	// B answers first messages: it keeps the IDs of the exchanges it
	// answered. Created once, like the agency's keys.
	b.cfg.SeenExchanges = filepath.Join(dir, "b.seen")
	if err := reunite.CreateSeenExchanges(b.cfg.SeenExchanges); err != nil {
		return err
	}
	// B also limits the keys each peer may bring in a week, a defence
	// against a peer that probes its records with guessed identities.
	// The turn that reads A's handshake charges A, named by its signing
	// key. Created once too.
	if b.cfg.Budget, err = reunite.CreateBudgetStore(filepath.Join(dir, "b.budget.json"), weeklyKeys, 7*24*time.Hour); err != nil {
		return err
	}
	for _, ag := range []*agency{a, b} {
		fmt.Fprintf(out, "Agency %s signs with key %s and decrypts with key %s; pins the other's keys\n",
			ag.name, fingerprint(ag.cfg.SigningKey.Public().(ed25519.PublicKey)), fingerprint(ag.cfg.DecryptionKey.PublicKey().Bytes()))
	}

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
		msg := filepath.Join(dir, fmt.Sprintf("message-%d.reunite", n))
		if err := writeMessage(x, msg); err != nil {
			return fmt.Errorf("agency %s: %w", from.name, err)
		}
		size, err := fileSize(msg)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s wrote message %d (%d bytes, encrypted to %s) to %s\n", from.name, n, size, to.name, filepath.Base(msg))

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
		fmt.Fprintf(out, "%s decrypted, verified and read message %d", to.name, n)
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
	fmt.Fprintf(out, "Agency B charged agency A's budget %d set elements (its keys and one for the file statistics) of %d a week.\n",
		resB.Audit.Charged, weeklyKeys)
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

// newAgency generates an agency's keys: an Ed25519 key to sign its message
// files and an X25519 key to decrypt the files sent to it.
func newAgency(name string, records []match.Record, state string) (*agency, error) {
	_, sign, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	dec, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return &agency{name: name, records: records, state: state, cfg: reunite.FileExchangeConfig{SigningKey: sign, DecryptionKey: dec}}, nil
}

// pin makes ag trust peer's public keys, as it would after comparing
// their fingerprints with the peer agency out of band.
func (ag *agency) pin(peer *agency) {
	ag.cfg.PeerSigningKey = peer.cfg.SigningKey.Public().(ed25519.PublicKey)
	ag.cfg.PeerEncryptionKey = peer.cfg.DecryptionKey.PublicKey()
}

// fingerprint is the short form in which agencies compare keys.
func fingerprint(pub []byte) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}
