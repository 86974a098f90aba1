// Command agency runs one agency's side of reunite across a network, as two
// separate processes would in production.
//
//	go run ./examples/agency keygen -name NAME -out DIR
//	go run ./examples/agency serve  -records FILE -keys DIR -peer PEERDIR [-peer PEERDIR2 …] -listen 127.0.0.1:PORT [-ready FILE]
//	go run ./examples/agency query  -records FILE -keys DIR -peer PEERDIR -connect 127.0.0.1:PORT [-wait 30s]
//	go run ./examples/agency verify -keys DIR [-anchor SEQ:HASH …] [FILE]
//
// keygen makes an agency's self-signed TLS certificate and key, and creates
// its audit log (DIR/audit.jsonl) and budget file (DIR/budget.json);
// agencies exchange DIR/tls.crt out of band and pin it. serve answers
// sessions from pinned peers until interrupted (SIGINT or SIGTERM: the
// sessions in progress are ended and audited first); it prints "listening
// on ADDR" once it accepts connections, and with -ready writes ADDR to a
// file then. query opens one session, retrying the connection for up to
// -wait while the server starts. Both run over mutual TLS with the PSI
// session bound to the TLS channel, print their hits (own record IDs, match
// handles, scores, evidence) and append every session, refused and failed ones
// included, to the audit log (or -audit FILE): hash-chained, each entry
// authenticated with a key derived from the agency's TLS key. One agency
// may serve and query at once from one key directory: writers of the log
// and the budget file take turns under a file lock. verify checks a log and
// prints its head, to be recorded elsewhere and checked later with
// -anchor; it exits 0 only if the log is intact.
//
// The serving side keeps a per-peer budget of keys per time window
// (DIR/budget.json), refused before any cryptographic work once spent, so a
// partner cannot probe its records with guess after guess. Every session
// costs at least one key.
//
// A missing audit log or budget file is an error, not a fresh start: pass
// -init to serve or query to create them explicitly.
//
// Exit codes: 0 success, 2 a usage or input error (bad flags, a record file
// that does not read), 1 a failure at run time.
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
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/reunite-psi/reunite"
	"github.com/reunite-psi/reunite/examples/internal/report"
	"github.com/reunite-psi/reunite/internal/fsfile"
	"github.com/reunite-psi/reunite/match"
	"github.com/reunite-psi/reunite/psi"
)

const usage = `usage:
  agency keygen -name NAME -out DIR
  agency serve  -records FILE -keys DIR -peer PEERDIR [-peer …] -listen ADDR [options]
  agency query  -records FILE -keys DIR -peer PEERDIR -connect ADDR [options]
  agency verify -keys DIR [-anchor SEQ:HASH …] [FILE]
run "agency COMMAND -h" for a command's options`

// stopSignals end serve and query cleanly: SIGINT from a terminal, SIGTERM
// from systemd, Kubernetes and kill.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // a failure at run time
	exitUsage   = 2 // a usage or input error
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "keygen":
		fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
		fs.SetOutput(stderr)
		name := fs.String("name", "", "the agency's name, put in its certificate")
		out := fs.String("out", "", "directory for the new keys")
		if err := fs.Parse(args[1:]); err != nil {
			return helpOr(err)
		}
		if *name == "" || *out == "" || fs.NArg() > 0 {
			fmt.Fprintln(stderr, "agency: keygen needs -name and -out")
			return exitUsage
		}
		if err = keygen(*name, *out); errors.Is(err, errKeysExist) {
			fmt.Fprintln(stderr, "agency:", err)
			return exitUsage
		} else if err == nil {
			cert, _ := loadPeerCert(*out)
			fmt.Fprintf(stdout, "keys for %q written to %s, with a new audit log and budget file\n"+
				"certificate fingerprint %s: give %s to partner agencies\n",
				*name, *out, reunite.CertFingerprint(cert), filepath.Join(*out, certFile))
		}
	case "serve", "query":
		var o *options
		if o, err = parseOptions(args[0], args[1:], stderr); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			fmt.Fprintln(stderr, "agency:", err)
			return exitUsage
		}
		if args[0] == "serve" {
			err = serve(ctx, o, stdout, stderr)
		} else {
			err = query(ctx, o, stdout, stderr)
		}
	case "verify":
		var path string
		var key *reunite.AuditKey
		var anchors []reunite.AuditHead
		if path, key, anchors, err = parseVerify(args[1:], stderr); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			fmt.Fprintln(stderr, "agency:", err)
			return exitUsage
		}
		err = verify(path, key, anchors, stdout)
	default:
		fmt.Fprintf(stderr, "agency: unknown command %q\n%s\n", args[0], usage)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintln(stderr, "agency:", err)
		return exitFailure
	}
	return exitOK
}

// helpOr maps a flag parsing error to an exit code: -h is not an error.
func helpOr(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

type options struct {
	records  []match.Record
	cert     tls.Certificate
	auditKey *reunite.AuditKey
	peers    []*x509.Certificate
	addr     string
	audit    string
	init     bool          // create a missing audit log and budget file
	ready    string        // serve: file to write the address to once listening
	wait     time.Duration // query: how long to retry connecting
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
	rulesName := fs.String("rules-name", "", "name of the rule set, to run the default rules under another name (default: match.DefaultRules() as it is); both agencies must use the same")
	maxKeys := fs.Int("max-keys", 1<<20, "largest key set accepted from the peer (and sent)")
	limit := fs.Int("budget", 1<<21, "serve: keys each peer may submit per window")
	window := fs.Duration("window", 24*time.Hour, "serve: budget window")
	sessions := fs.Int("sessions", 0, "serve: stop after this many sessions (0: until interrupted)")
	timeout := fs.Duration("timeout", 30*time.Minute, "limit on one session")
	initFiles := fs.Bool("init", false, "create the audit log (and for serve the budget file) if missing")
	ready := fs.String("ready", "", "serve: write the listening address to this file once connections are accepted")
	wait := fs.Duration("wait", 30*time.Second, "query: keep retrying the connection this long while the server starts")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *records == "" || *keys == "" || len(peerDirs) == 0 || *addr == "" || fs.NArg() > 0 {
		return nil, fmt.Errorf("%s needs -records, -keys, -peer and -%s", cmd, addrFlag)
	}
	if cmd == "query" && len(peerDirs) != 1 {
		return nil, errors.New("query takes exactly one -peer")
	}
	o := &options{addr: *addr, audit: *audit, maxKeys: *maxKeys, limit: *limit, window: *window,
		sessions: *sessions, timeout: *timeout, budget: filepath.Join(*keys, budgetFile),
		init: *initFiles, ready: *ready, wait: *wait}
	if o.audit == "" {
		o.audit = filepath.Join(*keys, auditFile)
	}
	var err error
	if o.records, err = readRecords(*records, stderr); err != nil {
		return nil, err
	}
	if o.cert, err = loadTLS(*keys); err != nil {
		return nil, err
	}
	if o.auditKey, err = reunite.DeriveAuditKey(o.cert.PrivateKey); err != nil {
		return nil, err
	}
	for _, d := range peerDirs {
		c, err := loadPeerCert(d)
		if err != nil {
			return nil, err
		}
		o.peers = append(o.peers, c)
	}
	o.rules = match.DefaultRules()
	if *rulesName != "" {
		def := o.rules
		if o.rules, err = match.NewRuleSet(*rulesName, def.Blocks(), def.Comparisons(), def.MaxKeysPerRecord()); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// readRecords reads a record file strictly and warns on stderr when it
// holds no record (a header only, or nothing at all).
func readRecords(path string, stderr io.Writer) ([]match.Record, error) {
	recs, _, err := match.ReadFile(path, match.ReadOptions{})
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		fmt.Fprintf(stderr, "agency: warning: %s holds no records: nothing can match\n", path)
	}
	return recs, nil
}

// openAudit opens the audit log, creating it first if o.init asks.
func openAudit(o *options) (*reunite.AuditLog, error) {
	if o.init {
		l, err := reunite.CreateAuditLog(o.audit, o.auditKey)
		if !errors.Is(err, os.ErrExist) {
			return l, err
		}
	}
	l, err := reunite.OpenAuditLog(o.audit, o.auditKey)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w (pass -init to create a new audit log)", err)
	}
	return l, err
}

// openBudget opens the budget file, creating it first if o.init asks.
func openBudget(o *options) (*reunite.BudgetStore, error) {
	if o.init {
		b, err := reunite.CreateBudgetStore(o.budget, o.limit, o.window)
		if !errors.Is(err, os.ErrExist) {
			return b, err
		}
	}
	b, err := reunite.OpenBudgetStore(o.budget, o.limit, o.window)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w (pass -init to create a new budget file)", err)
	}
	return b, err
}

func serve(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	auditLog, err := openAudit(o)
	if err != nil {
		return err
	}
	defer auditLog.Close()
	budget, err := openBudget(o)
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
	fmt.Fprintf(stderr, "serving %d records to %d pinned peer(s) (rule set %s)\n", len(o.records), len(o.peers), o.rules.ID())
	if o.ready != "" {
		if err := fsfile.WriteFile(o.ready, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			return fmt.Errorf("writing -ready file: %w", err)
		}
	}
	fmt.Fprintf(stderr, "listening on %s\n", ln.Addr())

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
			// MatchTLS names the peer by its certificate's fingerprint,
			// in the audit record and in the budget file.
			cfg := reunite.MatchConfig{
				Role: psi.RoleResponder, Rules: o.rules, MaxKeys: o.maxKeys,
				Budget: budget, Progress: progressBar(stderr, &out),
			}
			res, err := reunite.MatchTLS(sctx, conn.(*tls.Conn), o.peers, o.records, cfg)
			out.Lock()
			defer out.Unlock()
			reportSession(stdout, stderr, auditLog, o.records, res, err)
		}()
	}
	return nil
}

func query(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	auditLog, err := openAudit(o)
	if err != nil {
		return err
	}
	defer auditLog.Close()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	cfg := reunite.MatchConfig{Role: psi.RoleInitiator, Rules: o.rules, MaxKeys: o.maxKeys, Progress: progressBar(stderr, nil)}
	raw, err := dialRetry(ctx, o.addr, o.wait)
	if err != nil {
		err = fmt.Errorf("%w: %w", reunite.ErrTransport, err)
		a := reunite.Audit{Time: time.Now().UTC(), Peer: reunite.CertFingerprint(o.peers[0]), Role: "initiator",
			RuleSetID: o.rules.ID(), Records: len(o.records), Outcome: err.Error()}
		if aerr := auditLog.Append(a); aerr != nil {
			fmt.Fprintln(stderr, "agency: audit log:", aerr)
		}
		return err
	}
	conn := tls.Client(raw, reunite.PinnedTLSConfig(o.cert, o.peers...))
	defer conn.Close()
	res, err := reunite.MatchTLS(ctx, conn, o.peers, o.records, cfg)
	reportSession(stdout, stderr, auditLog, o.records, res, err)
	if err != nil {
		return errors.New("session failed")
	}
	return nil
}

// dialRetry connects to addr, retrying a refused connection for up to
// wait, so that a query started together with its server waits for it.
func dialRetry(ctx context.Context, addr string, wait time.Duration) (net.Conn, error) {
	deadline := time.Now().Add(wait)
	var d net.Dialer
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil || !errors.Is(err, syscall.ECONNREFUSED) || time.Now().Add(delay).After(deadline) {
			return conn, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
	}
}

// reportSession prints a session's hits, or a clear reason it failed, and appends
// its audit record.
func reportSession(stdout, stderr io.Writer, log *reunite.AuditLog, records []match.Record, res *reunite.MatchResult, err error) {
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
		peer, au.Records, report.Keys(au.LocalKeys), report.Keys(au.PeerKeys), au.KeyHits, au.RecordHits, au.SessionID[:16])
	if len(res.Hits)+len(res.Alternatives) == 0 {
		return
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  record\thandle\tscore\tevidence")
	for _, h := range res.Hits {
		fmt.Fprintf(tw, "  %s\t%s\t%.3f\t%s\n", h.RecordID, h.Handle, h.Score, strings.Join(h.Evidence, ","))
	}
	// Lower-ranked candidates: a better pair exists for one of their
	// records. Listed for review, not for a formal request.
	for _, h := range res.Alternatives {
		fmt.Fprintf(tw, "  %s (alternative)\t%s\t%.3f\t%s\n", h.RecordID, h.Handle, h.Score, strings.Join(h.Evidence, ","))
	}
	tw.Flush()
}

// explain turns the errors an operator will meet into plain words.
func explain(err error) string {
	switch {
	case errors.Is(err, reunite.ErrPeerNotPinned):
		return "the peer's certificate is not one we pinned (" + err.Error() + ")"
	case errors.Is(err, reunite.ErrNotPinnedByPeer):
		return "the peer refused our certificate: it has not pinned it; give it our tls.crt (" + err.Error() + ")"
	case errors.Is(err, psi.ErrContextMismatch):
		var cm *psi.ContextMismatchError
		if errors.As(err, &cm) {
			return fmt.Sprintf("the peer uses a different rule set (ours %q, the peer's %q); agree on one out of band", cm.Context, cm.PeerContext)
		}
		return "the peer uses a different rule set; agree on one out of band"
	case errors.Is(err, psi.ErrSetTooLarge):
		return "a key set is above the agreed maximum (-max-keys)"
	case errors.Is(err, reunite.ErrBudgetCorrupt), errors.Is(err, os.ErrNotExist):
		return "the budget file cannot be used, so every session is refused until it is repaired (or made anew with -init, which resets every peer's budget) (" + err.Error() + ")"
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

// parseVerify parses verify's arguments: the log (by default KEYS's), the
// key it is authenticated with and the anchors to check.
func parseVerify(args []string, stderr io.Writer) (path string, key *reunite.AuditKey, anchors []reunite.AuditHead, err error) {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keys := fs.String("keys", "", "this agency's key directory (from keygen), whose TLS key authenticates the log")
	fs.Func("anchor", "a head SEQ:HASH printed by an earlier verify, which the log must still hold (repeatable)", func(s string) error {
		h, err := reunite.ParseAuditHead(s)
		anchors = append(anchors, h)
		return err
	})
	if err := fs.Parse(args); err != nil {
		return "", nil, nil, err
	}
	if *keys == "" || fs.NArg() > 1 {
		return "", nil, nil, errors.New("usage: agency verify -keys DIR [-anchor SEQ:HASH …] [FILE]")
	}
	path = filepath.Join(*keys, auditFile)
	if fs.NArg() == 1 {
		path = fs.Arg(0)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return "", nil, nil, err // a log named on the command line that is not there is an input error
		}
	}
	cert, err := loadTLS(*keys)
	if err != nil {
		return "", nil, nil, err
	}
	key, err = reunite.DeriveAuditKey(cert.PrivateKey)
	return path, key, anchors, err
}

func verify(path string, key *reunite.AuditKey, anchors []reunite.AuditHead, stdout io.Writer) error {
	head, err := reunite.VerifyAuditLogFile(path, key, anchors...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: intact, %d entries, head %s\n"+
		"record the head elsewhere; later, verify -anchor %s checks that the log still holds it\n",
		path, head.Seq, head, head)
	return nil
}
