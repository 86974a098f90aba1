// Command agency runs one agency's side of reunite across a network, as two
// separate processes would in production.
//
//	go run ./examples/agency keygen -name NAME -out DIR
//	go run ./examples/agency serve  -records FILE -keys DIR -peer PEERDIR [-peer PEERDIR2 …] -listen 127.0.0.1:PORT
//	go run ./examples/agency query  -records FILE -keys DIR -peer PEERDIR -connect 127.0.0.1:PORT
//	go run ./examples/agency verify FILE
//
// keygen makes an agency's self-signed TLS certificate and Ed25519 signing
// key; agencies exchange DIR/tls.crt (and DIR/sign.pub) out of band and pin
// them. serve answers sessions from pinned peers, one after another, until
// interrupted; query opens one. Both run over mutual TLS with the PSI
// session bound to the TLS channel, print their hits (own record IDs, match
// handles, scores, rules) and append every session, refused and failed ones
// included, to a hash-chained audit log (DIR/audit.jsonl, or -audit FILE).
// verify checks such a log and exits 0 only if it is intact.
//
// The serving side keeps a per-peer budget of keys per time window
// (DIR/budget.json), refused before any cryptographic work once spent, so a
// partner cannot probe its records with guess after guess.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

const usage = `usage:
  agency keygen -name NAME -out DIR
  agency serve  -records FILE -keys DIR -peer PEERDIR [-peer …] -listen ADDR [options]
  agency query  -records FILE -keys DIR -peer PEERDIR -connect ADDR [options]
  agency verify FILE
run "agency COMMAND -h" for a command's options`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "keygen":
		fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
		fs.SetOutput(stderr)
		name := fs.String("name", "", "the agency's name, put in its certificate")
		out := fs.String("out", "", "directory for the new keys")
		if fs.Parse(args[1:]) != nil {
			return 2
		}
		if err = keygen(*name, *out); err == nil {
			cert, _ := loadPeerCert(*out)
			fmt.Fprintf(stdout, "keys for %q written to %s\ncertificate fingerprint %s: give %s and %s to partner agencies\n",
				*name, *out, reunite.CertFingerprint(cert), filepath.Join(*out, certFile), filepath.Join(*out, signPubFile))
		}
	case "serve", "query":
		var o *options
		if o, err = parseOptions(args[0], args[1:], stderr); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintln(stderr, "agency:", err)
			return 2
		}
		if args[0] == "serve" {
			err = serve(ctx, o, stdout, stderr)
		} else {
			err = query(ctx, o, stdout, stderr)
		}
	case "verify":
		if len(args) != 2 {
			fmt.Fprintln(stderr, "usage: agency verify FILE")
			return 2
		}
		err = verify(args[1], stdout)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "agency:", err)
		return 1
	}
	return 0
}

type options struct {
	records  []match.Record
	cert     tls.Certificate
	peers    []*x509.Certificate
	addr     string
	audit    string
	rules    *match.RuleSet
	maxKeys  int
	budget   string
	limit    int
	window   time.Duration
	sessions int           // serve: stop after this many sessions (0: until interrupted)
	timeout  time.Duration // per session
	listener net.Listener  // serve: set by tests instead of addr
}

func parseOptions(cmd string, args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	records := fs.String("records", "", "this agency's records (CSV or JSON Lines)")
	keys := fs.String("keys", "", "this agency's key directory (from keygen)")
	var peerDirs []string
	fs.Func("peer", "a partner agency's key directory holding its tls.crt (repeatable for serve)", func(s string) error {
		peerDirs = append(peerDirs, s)
		return nil
	})
	addrFlag, addrHelp := "connect", "address of the serving agency"
	if cmd == "serve" {
		addrFlag, addrHelp = "listen", "address to listen on, e.g. 127.0.0.1:7946"
	}
	addr := fs.String(addrFlag, "", addrHelp)
	audit := fs.String("audit", "", "audit log (default KEYS/audit.jsonl)")
	rulesName := fs.String("rules-name", "reunite-default-v2", "name of the rule set; both agencies must use the same")
	maxKeys := fs.Int("max-keys", 1<<20, "largest key set accepted from the peer (and sent)")
	limit := fs.Int("budget", 1<<21, "serve: keys each peer may submit per window")
	window := fs.Duration("window", 24*time.Hour, "serve: budget window")
	sessions := fs.Int("sessions", 0, "serve: stop after this many sessions (0: until interrupted)")
	timeout := fs.Duration("timeout", 30*time.Minute, "limit on one session")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *records == "" || *keys == "" || len(peerDirs) == 0 || *addr == "" {
		return nil, fmt.Errorf("%s needs -records, -keys, -peer and -%s", cmd, addrFlag)
	}
	if cmd == "query" && len(peerDirs) != 1 {
		return nil, errors.New("query takes exactly one -peer")
	}
	o := &options{addr: *addr, audit: *audit, maxKeys: *maxKeys, limit: *limit, window: *window,
		sessions: *sessions, timeout: *timeout, budget: filepath.Join(*keys, "budget.json")}
	if o.audit == "" {
		o.audit = filepath.Join(*keys, "audit.jsonl")
	}
	var err error
	if o.records, _, err = match.ReadFile(*records, match.ReadOptions{}); err != nil {
		return nil, err
	}
	if o.cert, err = loadTLS(*keys); err != nil {
		return nil, err
	}
	for _, d := range peerDirs {
		c, err := loadPeerCert(d)
		if err != nil {
			return nil, err
		}
		o.peers = append(o.peers, c)
	}
	def := match.DefaultRules()
	if o.rules, err = match.NewRuleSet(*rulesName, def.Blocks(), def.Comparisons(), def.MaxKeysPerRecord()); err != nil {
		return nil, err
	}
	return o, nil
}

func serve(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	auditLog, err := reunite.OpenAuditLog(o.audit)
	if err != nil {
		return err
	}
	defer auditLog.Close()
	budget, err := reunite.OpenBudgetStore(o.budget, o.limit, o.window)
	if err != nil {
		return err
	}
	ln := o.listener
	if ln == nil {
		if ln, err = net.Listen("tcp", o.addr); err != nil {
			return err
		}
	}
	ln = tls.NewListener(ln, reunite.PinnedTLSConfig(o.cert, o.peers...))
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer ln.Close()
	fmt.Fprintf(stderr, "serving %d records to %d pinned peer(s) on %s (rule set %s)\n", len(o.records), len(o.peers), ln.Addr(), o.rules.ID())

	var out sync.Mutex // sessions print whole reports, one at a time
	var wg sync.WaitGroup
	defer wg.Wait()
	for n := 0; o.sessions == 0 || n < o.sessions; n++ {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			sctx, cancel := context.WithTimeout(ctx, o.timeout)
			defer cancel()
			tconn := conn.(*tls.Conn)
			var peer string
			cfg := reunite.MatchConfig{
				Role: psi.RoleResponder, Rules: o.rules, MaxKeys: o.maxKeys,
				Admit: func(keys int) error {
					return budget.Reserve(peer, keys, time.Now())
				},
				Progress: progressBar(stderr, &out),
			}
			if err := tconn.HandshakeContext(sctx); err == nil {
				peer = reunite.CertFingerprint(tconn.ConnectionState().PeerCertificates[0])
			}
			res, err := reunite.MatchTLS(sctx, tconn, o.records, cfg)
			out.Lock()
			defer out.Unlock()
			report(stdout, stderr, auditLog, o.records, res, err)
		}()
	}
	return nil
}

func query(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	auditLog, err := reunite.OpenAuditLog(o.audit)
	if err != nil {
		return err
	}
	defer auditLog.Close()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cfg := reunite.MatchConfig{Role: psi.RoleInitiator, Rules: o.rules, MaxKeys: o.maxKeys, Progress: progressBar(stderr, nil)}
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", o.addr)
	if err != nil {
		err = fmt.Errorf("%w: %w", reunite.ErrTransport, err)
		a := reunite.Audit{Time: time.Now().UTC(), Role: "initiator", RuleSetID: o.rules.ID(), Records: len(o.records), Outcome: err.Error()}
		_ = auditLog.Append(a)
		return err
	}
	conn := tls.Client(raw, reunite.PinnedTLSConfig(o.cert, o.peers...))
	defer conn.Close()
	res, err := reunite.MatchTLS(ctx, conn, o.records, cfg)
	report(stdout, stderr, auditLog, o.records, res, err)
	if err != nil {
		return errors.New("session failed")
	}
	return nil
}

// report prints a session's hits, or a clear reason it failed, and appends
// its audit record.
func report(stdout, stderr io.Writer, log *reunite.AuditLog, records []match.Record, res *reunite.MatchResult, err error) {
	if res != nil {
		if aerr := log.Append(res.Audit); aerr != nil {
			fmt.Fprintln(stderr, "agency: audit log:", aerr)
		}
	}
	peer := "peer"
	if res != nil && res.Audit.Peer != "" {
		peer = "peer " + res.Audit.Peer[:min(16, len(res.Audit.Peer))]
	}
	if err != nil {
		fmt.Fprintf(stderr, "session with %s refused or failed: %s\n", peer, explain(err))
		return
	}
	au := res.Audit
	fmt.Fprintf(stdout, "session with %s: %d own records, %d own keys, %d peer keys, %d keys in common, %d matching records (session %s…)\n",
		peer, au.Records, au.LocalKeys, au.PeerKeys, au.KeyHits, au.RecordHits, au.SessionID[:16])
	if len(res.Hits)+len(res.Alternatives) == 0 {
		return
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  record\thandle\tscore\trules")
	for _, h := range res.Hits {
		fmt.Fprintf(tw, "  %s\t%s\t%.3f\t%s\n", h.RecordID, h.Handle, h.Score, strings.Join(h.Rules, ","))
	}
	// Lower-ranked candidates: a better pair exists for one of their
	// records. Listed for review, not for a formal request.
	for _, h := range res.Alternatives {
		fmt.Fprintf(tw, "  %s (alternative)\t%s\t%.3f\t%s\n", h.RecordID, h.Handle, h.Score, strings.Join(h.Rules, ","))
	}
	tw.Flush()
}

// explain turns the errors an operator will meet into plain words.
func explain(err error) string {
	switch {
	case errors.Is(err, reunite.ErrPeerNotPinned):
		return "the peer's certificate is not one we pinned (" + err.Error() + ")"
	case errors.Is(err, psi.ErrContextMismatch):
		return "the peer uses a different rule set; agree on one out of band"
	case errors.Is(err, psi.ErrSetTooLarge):
		return "a key set is above the agreed maximum (-max-keys)"
	case errors.Is(err, reunite.ErrBudgetExceeded), errors.Is(err, psi.ErrRefused):
		return "the peer's budget of keys for this window is spent (" + err.Error() + ")"
	case errors.Is(err, context.DeadlineExceeded):
		return "the session timed out"
	case errors.Is(err, reunite.ErrTransport):
		return "the connection failed: " + err.Error()
	}
	return err.Error()
}

// progressBar returns a progress callback that draws one line on stderr
// for sessions large enough to take a while.
func progressBar(stderr io.Writer, mu *sync.Mutex) func(psi.Progress) {
	return func(p psi.Progress) {
		if p.Total < 1<<14 {
			return
		}
		if mu != nil && !mu.TryLock() {
			return // another session is printing; skip this tick
		}
		const width = 30
		filled := width * p.Done / p.Total
		fmt.Fprintf(stderr, "\r%-8s [%s%s] %d/%d", p.Phase, strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Done, p.Total)
		if p.Done == p.Total {
			fmt.Fprintln(stderr)
		}
		if mu != nil {
			mu.Unlock()
		}
	}
}

func verify(path string, stdout io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := reunite.VerifyAuditLog(f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: intact, %d entries\n", path, n)
	return nil
}
