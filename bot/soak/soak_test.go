package soak_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"
	_ "modernc.org/sqlite" // reads the job table after the kill

	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/sentryconf"
	"github.com/releasegate/releasegate/internal/testenv"
)

const (
	webhookSecret = "whsec-soak"
	// The policy every commit gets (the owner's default, from acme/.github): production judged
	// by staging's evidence after a 10-minute soak. Every release was deployed to staging half
	// an hour ago and has no issue, so each rule is decided (approved) at its first look.
	orgPolicy = `release:
  name: "web@{short_sha}"
environments:
  staging:
    projects: [web]
    new_issues: {events_per_hour: 60}
  production:
    projects: [web]
    evidence: staging
    soak: 10m
    deadline: 1h
    new_issues: {events_per_hour: 30}
`
	defaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// scenario is one run of the test: how many processes on which database, how many deliveries.
type scenario struct {
	name      string
	processes int
	rules     int // distinct protection rules (runs and commits)
	resends   int // redeliveries of IDs already sent, spread among the rest
	// rate paces the sends (per second), about what the processes work through, so that the
	// kill half-way finds jobs running, not only queued.
	rate     float64
	database func(t testing.TB) string
}

// TestScaleAndFaultsPostgres runs `releasegate serve` as a service runs: the built binary,
// its configuration from the environment and an installations file, its GitHub and Sentry
// the fakes of this process. Signed deployment_protection_rule deliveries go round-robin to
// three processes on one Postgres schema; half-way one is killed with SIGKILL and restarted.
// Then, counted at the fake GitHub: every rule got exactly one decided review and every
// commit exactly one check run, and no rule was left waiting.
func TestScaleAndFaultsPostgres(t *testing.T) {
	t.Parallel()
	runScenario(t, scenario{name: "postgres", processes: 3, rules: scaled(4500), resends: scaled(500), rate: 150, database: freshPostgres})
}

// TestScaleAndFaultsSQLite is the same with one process on SQLite, killed and restarted.
func TestScaleAndFaultsSQLite(t *testing.T) {
	t.Parallel()
	runScenario(t, scenario{name: "sqlite", processes: 1, rules: scaled(4500), resends: scaled(500), rate: 80, database: func(t testing.TB) string {
		return filepath.Join(t.TempDir(), "releasegate.db")
	}})
}

var (
	// one runs the scenarios one after the other: the machine has two cores, and each
	// scenario wants them all.
	one       sync.Mutex
	buildOnce sync.Once
	built     string
	buildErr  error
)

// buildServe builds the releasegate binary once for the test binary.
func buildServe(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		testenv.Missing(t, "the go command", "put go on PATH")
	}
	root := testenv.RepoRoot(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "releasegate-soak-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "releasegate")
		cmd := exec.Command(gobin, "build", "-o", built, "./cmd/releasegate")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/releasegate: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built != "" {
		_ = os.RemoveAll(filepath.Dir(built))
	}
	os.Exit(code)
}

// freshPostgres makes a schema of its own on the local Postgres, dropped when the test ends.
func freshPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv("RELEASEGATE_TEST_POSTGRES_URL")
	if base == "" {
		base = defaultPostgresURL
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	admin, err := pgxpool.New(ctx, base)
	if err == nil {
		err = admin.Ping(ctx)
	}
	if err != nil {
		testenv.Missing(t, "PostgreSQL at 127.0.0.1:5432 (database test, trust auth)",
			"start it (or point RELEASEGATE_TEST_POSTGRES_URL at another; error: "+err.Error()+")")
	}
	t.Cleanup(admin.Close)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "rg_soak_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(t.Context()), 10*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema + "&pool_max_conns=8"
}

// delivery is one signed webhook, sent once or more under the same ID.
type delivery struct {
	id        string
	run       int64
	sha       string
	body      []byte
	signature string
}

func commitOf(i int) string {
	sum := sha1.Sum([]byte("soak commit " + strconv.Itoa(i)))
	return hex.EncodeToString(sum[:])
}

func runScenario(t *testing.T, sc scenario) {
	t.Helper()
	if testing.Short() {
		t.Skip("the scale-and-faults test takes minutes; it runs without -short")
	}
	one.Lock()
	defer one.Unlock()
	dbURL := sc.database(t)
	bin := buildServe(t)
	gh := githubapitest.Start(t, githubapitest.Options{})
	sentry := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	inst := gh.AddInstallation("acme", []string{"web", ".github"}, nil)
	gh.SetFile("acme", ".github", "main", "releasegate.yml", []byte(orgPolicy))

	start := time.Now()
	deliveries := makeDeliveries(t, gh, inst, sc.name, sc.rules)
	payloads := time.Since(start)
	seedReleases(t, sentry, deliveries)
	t.Logf("setup: %d payloads in %s, their releases in %s", len(deliveries), payloads.Round(time.Millisecond), (time.Since(start) - payloads).Round(time.Millisecond))

	dir := t.TempDir()
	pem := filepath.Join(dir, "app.pem")
	if err := os.WriteFile(pem, gh.PrivateKey(), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "installations.yml")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "installations:\n  acme:\n    sentry:\n      url: %s\n      org: acme\n      token_env: ACME_SENTRY_TOKEN\n", sentry.URL()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"RELEASEGATE_GITHUB_APP_ID=" + strconv.FormatInt(gh.AppID(), 10),
		"RELEASEGATE_GITHUB_PRIVATE_KEY_FILE=" + pem,
		"RELEASEGATE_GITHUB_WEBHOOK_SECRET=" + webhookSecret,
		"RELEASEGATE_GITHUB_API_URL=" + gh.URL(),
		"RELEASEGATE_PUBLIC_URL=https://gate.example.com",
		"RELEASEGATE_API_TOKEN=soak-api-token",
		"RELEASEGATE_CONFIG=" + conf,
		"RELEASEGATE_DATABASE_URL=" + dbURL,
		"RELEASEGATE_LISTEN=127.0.0.1:0",
		"ACME_SENTRY_TOKEN=" + sentry.Token(),
	}
	fleet := &fleet{t: t, bin: bin, env: env, dir: dir}
	for i := range sc.processes {
		fleet.start(i)
	}
	t.Cleanup(fleet.stopAll)

	order := sendOrder(sc.rules, sc.resends)

	victim := sc.processes / 2
	sender := &sender{fleet: fleet, deliveries: deliveries, client: &http.Client{
		Timeout:   10 * time.Second, // GitHub gives up on a webhook after 10 s
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64},
	}}
	killAt := len(order) / 2
	fleet.busy.Store(true)
	var killed atomic.Bool
	sendStart := time.Now()
	var killDur atomic.Int64
	var runningAtKill string
	err := sender.send(t.Context(), order, 32, sc.rate, func(sent int) {
		if sent == killAt && killed.CompareAndSwap(false, true) {
			go func() {
				at := time.Now()
				fleet.kill(victim)
				runningAtKill = runningJobs(t, dbURL)
				fleet.start(victim)
				fleet.busy.Store(false)
				killDur.Store(int64(time.Since(at)))
			}()
		}
	})
	sendDur := time.Since(sendStart)
	if err != nil {
		t.Fatal(err)
	}
	for fleet.busy.Load() {
		time.Sleep(10 * time.Millisecond) // the restart after the kill
	}
	t.Logf("jobs marked running just after the kill: %s", runningAtKill)
	t.Logf("sent %d deliveries (%d rules, %d redeliveries) to %d processes in %s (%.0f/s); process %d killed after send %d and back in %s",
		len(order), sc.rules, len(order)-sc.rules, sc.processes, sendDur.Round(time.Millisecond),
		float64(len(order))/sendDur.Seconds(), victim, killAt, time.Duration(killDur.Load()).Round(time.Millisecond))
	t.Logf("answers: %d stored (202), %d duplicates (200); %d sends failed first and were resent (%d resends in all, at most %d for one delivery): %s",
		sender.stored.Load(), sender.duplicate.Load(), sender.failedSends.Load(), sender.resends.Load(), sender.maxResends.Load(), sender.failures())

	// Every rule decided, within a bound that covers the killed process's jobs being rescued.
	want := map[int64]bool{}
	for _, d := range deliveries {
		want[d.run] = true
	}
	deadline := time.Now().Add(4 * time.Minute)
	for {
		decided := map[int64]bool{}
		for _, r := range gh.Reviews() {
			if r.State != "" {
				decided[r.RunID] = true
			}
		}
		if len(decided) == len(want) {
			t.Logf("all %d rules decided %s after the last send", len(want), time.Since(sendStart.Add(sendDur)).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			var lost []int64
			for run := range want {
				if !decided[run] {
					lost = append(lost, run)
				}
			}
			slices.Sort(lost)
			t.Fatalf("%d of %d rules never decided (lost), e.g. runs %v; logs in %s", len(lost), len(want), lost[:min(10, len(lost))], dir)
		}
		time.Sleep(250 * time.Millisecond)
	}
	// Quiet: nothing more reaches GitHub for a while (a duplicate would come late, from a
	// rescued job).
	quiet(gh, 5*time.Second, time.Minute)
	fleet.stopAll()

	reviews := map[int64][]githubapitest.ProtectionReview{}
	for _, r := range gh.Reviews() {
		reviews[r.RunID] = append(reviews[r.RunID], r)
	}
	checks := map[string]int{}
	for _, c := range gh.CheckRuns() {
		checks[c.HeadSHA]++
	}
	var dupReviews, badReviews, reports, dupChecks, missingChecks int
	for _, d := range deliveries {
		var decided int
		for _, r := range reviews[d.run] {
			switch r.State {
			case "":
				reports++
			case "approved":
				decided++
			default:
				badReviews++
				t.Errorf("run %d: review %q: %s", d.run, r.State, r.Comment)
			}
		}
		if decided > 1 {
			dupReviews++
			t.Errorf("run %d: %d decided reviews, want 1", d.run, decided)
		}
		switch n := checks[d.sha]; {
		case n == 0:
			missingChecks++
			t.Errorf("commit %s: no check run", d.sha)
		case n > 1:
			dupChecks++
			t.Errorf("commit %s: %d check runs, want 1", d.sha, n)
		}
	}
	t.Logf("effects at GitHub: %d reviews (%d duplicate decisions, %d not approved, %d progress reports), %d check runs (%d commits with more than one, %d with none)",
		len(gh.Reviews()), dupReviews, badReviews, reports, len(gh.CheckRuns()), dupChecks, missingChecks)
	t.Logf("second decisions refused by GitHub as already reviewed (a review resumed after the kill): %d", len(gh.RefusedReviews()))
	t.Logf("whole scenario: %s", time.Since(start).Round(time.Millisecond))
}

// makeDeliveries makes n signed deliveries, each for its own run and commit. One payload is
// built (and checked against GitHub's webhook schema) by the fake; the others are it with
// another run and commit, which is all that differs between them.
func makeDeliveries(t testing.TB, gh *githubapitest.Server, inst int64, name string, n int) []delivery {
	t.Helper()
	template := gh.ProtectionRulePayload(t, githubapitest.ProtectionRule{
		Owner: "acme", Repo: "web", Installation: inst, RunID: 900000, Environment: "production",
		Event: "push", SHA: commitOf(0), Ref: "main",
	})
	deliveries := make([]delivery, n)
	for i := range deliveries {
		d := delivery{id: fmt.Sprintf("soak-%s-%05d", name, i), run: int64(900000 + i), sha: commitOf(i)}
		d.body = bytes.ReplaceAll(template, []byte(commitOf(0)), []byte(d.sha))
		d.body = bytes.ReplaceAll(d.body, []byte("/runs/900000/"), fmt.Appendf(nil, "/runs/%d/", d.run))
		mac := hmac.New(sha256.New, []byte(webhookSecret))
		mac.Write(d.body)
		d.signature = "sha256=" + hex.EncodeToString(mac.Sum(nil))
		deliveries[i] = d
	}
	githubapitest.ValidateWebhook(t, "deployment-protection-rule-requested", deliveries[n-1].body)
	return deliveries
}

// seedReleases creates each commit's release in the fake Sentry, deployed to staging half an
// hour ago.
func seedReleases(t testing.TB, sentry *sentryapitest.Server, ds []delivery) {
	t.Helper()
	conn := sentryconf.Connection{URL: sentry.URL(), Org: "acme", Token: sentry.Token(), MaxRetries: -1}
	client, err := conn.Client(sentryconf.ClientOptions{Transport: sentry.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	deployed := time.Now().Add(-30 * time.Minute)
	g, ctx := errgroup.WithContext(t.Context())
	g.SetLimit(8)
	for _, d := range ds {
		g.Go(func() error {
			version := "web@" + d.sha[:12]
			if _, _, err := client.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: version, Projects: []string{"web"}}); err != nil {
				return err
			}
			_, err := client.CreateDeploy(ctx, "acme", version, sentryapi.NewDeploy{Environment: "staging", DateStarted: &deployed, DateFinished: &deployed})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// quiet waits until the fake GitHub has received nothing new for d (at most limit).
func quiet(gh *githubapitest.Server, d, limit time.Duration) {
	end := time.Now().Add(limit)
	last, since := -1, time.Now()
	for time.Now().Before(end) {
		n := len(gh.Reviews()) + len(gh.CheckRuns())
		for _, c := range gh.CheckRuns() {
			n += c.Updates
		}
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= d {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// fleet is the serve processes, each restartable in its slot.
type fleet struct {
	t   *testing.T
	bin string
	env []string
	dir string

	mu    sync.Mutex
	procs []*proc
	gen   int
	// busy is set while a slot is being killed and restarted.
	busy atomic.Bool
}

type proc struct {
	cmd    *exec.Cmd
	addr   string
	exited chan struct{}
}

// start starts the process of a slot and waits until it listens.
func (f *fleet) start(slot int) {
	f.t.Helper()
	f.mu.Lock()
	f.gen++
	logPath := filepath.Join(f.dir, fmt.Sprintf("serve-%d-%d.log", slot, f.gen))
	f.mu.Unlock()
	logFile, err := os.Create(logPath)
	if err != nil {
		f.t.Error(err)
		return
	}
	// Not the test's context: a process outlives no test (stopAll), and its end is ours to
	// choose (SIGKILL, SIGTERM).
	cmd := exec.Command(f.bin, "serve", "--log-level", "warn", "--log-format", "json", "--shutdown-grace", "5s", "--job-timeout", "5s")
	cmd.Env = f.env
	cmd.Stdout = logFile
	stderr, err := cmd.StderrPipe()
	if err != nil {
		f.t.Error(err)
		return
	}
	if err := cmd.Start(); err != nil {
		f.t.Errorf("starting serve: %v", err)
		return
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if a, ok := strings.CutPrefix(line, "releasegate serve: listening on "); ok {
				a, _, _ = strings.Cut(a, " ")
				select {
				case listening <- a:
				default:
				}
			}
			_, _ = io.WriteString(logFile, line+"\n")
		}
		_ = cmd.Wait()
		logFile.Close()
		close(p.exited)
	}()
	select {
	case p.addr = <-listening:
	case <-p.exited:
		f.t.Errorf("serve exited before listening; its log: %s", logPath)
		return
	case <-time.After(30 * time.Second):
		f.t.Errorf("serve did not listen within 30s; its log: %s", logPath)
		return
	}
	f.mu.Lock()
	for len(f.procs) <= slot {
		f.procs = append(f.procs, nil)
	}
	f.procs[slot] = p
	f.mu.Unlock()
}

// kill kills a slot's process with SIGKILL and waits for it to be gone.
func (f *fleet) kill(slot int) {
	f.mu.Lock()
	p := f.procs[slot]
	f.mu.Unlock()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// addr is where sends to a slot go now.
func (f *fleet) addr(slot int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.procs[slot%len(f.procs)].addr
}

// stopAll stops every process with SIGTERM, as a deploy would, and waits for them.
func (f *fleet) stopAll() {
	f.mu.Lock()
	procs := slices.Clone(f.procs)
	f.mu.Unlock()
	for _, p := range procs {
		if p != nil {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
		}
	}
	for _, p := range procs {
		if p == nil {
			continue
		}
		select {
		case <-p.exited:
		case <-time.After(20 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	}
}

// sender sends deliveries as GitHub does, redelivering (same ID) what was not answered 2xx.
type sender struct {
	fleet      *fleet
	deliveries []delivery
	client     *http.Client

	stored, duplicate, failedSends, resends, maxResends atomic.Int64

	mu  sync.Mutex
	why map[string]int
}

func (s *sender) failed(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.why == nil {
		s.why = map[string]int{}
	}
	s.why[why]++
}

func (s *sender) failures() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.why) == 0 {
		return "none"
	}
	var parts []string
	for k, v := range s.why {
		parts = append(parts, fmt.Sprintf("%d× %s", v, k))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// send sends order (indices of deliveries), the k-th to process k mod n, with workers at
// once; sent hears the number of sends started.
func (s *sender) send(ctx context.Context, order []int, workers int, rate float64, sent func(int)) error {
	g, ctx := errgroup.WithContext(ctx)
	work := make(chan int)
	g.Go(func() error {
		defer close(work)
		start := time.Now()
		for k := range order {
			if rate > 0 {
				if wait := time.Until(start.Add(time.Duration(float64(k) / rate * float64(time.Second)))); wait > 0 {
					time.Sleep(wait)
				}
			}
			select {
			case work <- k:
				sent(k + 1)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	})
	for range workers {
		g.Go(func() error {
			for k := range work {
				if err := s.one(ctx, k, s.deliveries[order[k]]); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return g.Wait()
}

// one sends a delivery until it is answered 2xx: a failed send goes again, with the same ID,
// to the next process (as a load balancer would route GitHub's redelivery).
func (s *sender) one(ctx context.Context, k int, d delivery) error {
	for attempt := 0; ; attempt++ {
		if attempt > 200 {
			return fmt.Errorf("delivery %s: no 2xx after %d attempts", d.id, attempt)
		}
		if attempt > 0 {
			s.resends.Add(1)
			for cur := s.maxResends.Load(); int64(attempt) > cur && !s.maxResends.CompareAndSwap(cur, int64(attempt)); cur = s.maxResends.Load() {
			}
			select {
			case <-time.After(time.Duration(math.Min(float64(attempt)*50, 500)) * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		addr := s.fleet.addr(k + attempt)
		res, err := s.client.Do(signed(ctx, "http://"+addr+"/webhooks/github", d))
		if err != nil {
			if attempt == 0 {
				s.failedSends.Add(1)
			}
			s.failed(errClass(err))
			continue
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusAccepted:
			s.stored.Add(1)
			return nil
		case http.StatusOK:
			s.duplicate.Add(1)
			return nil
		}
		if attempt == 0 {
			s.failedSends.Add(1)
		}
		s.failed("HTTP " + strconv.Itoa(res.StatusCode))
	}
}

// signed is the delivery as GitHub sends it: its headers, and the body signed with the
// webhook secret (X-Hub-Signature-256).
func signed(ctx context.Context, url string, d delivery) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/soak")
	req.Header.Set("X-GitHub-Event", "deployment_protection_rule")
	req.Header.Set("X-GitHub-Delivery", d.id)
	req.Header.Set("X-GitHub-Hook-ID", "1")
	req.Header.Set("X-Hub-Signature-256", d.signature)
	return req
}

// sendOrder is the order of sending: every rule once, and spread among them resends
// redeliveries of IDs sent a little earlier (possibly still in flight: a redelivery may race
// its original, as GitHub's do when an answer is slow).
func sendOrder(rules, resends int) []int {
	order := make([]int, 0, rules+resends)
	every := max(2, (rules+resends)/max(1, resends))
	next, again := 0, 0
	for next < rules {
		if len(order)%every == every-1 && again < resends && next > 0 {
			order = append(order, max(0, next-1-(again*37)%50))
			again++
			continue
		}
		order = append(order, next)
		next++
	}
	for ; again < resends; again++ {
		order = append(order, (again*7919)%rules)
	}
	return order
}

func errClass(err error) string {
	msg := err.Error()
	for _, c := range []string{"connection refused", "connection reset", "EOF", "timeout", "broken pipe"} {
		if strings.Contains(msg, c) {
			return c
		}
	}
	return msg
}

// runningJobs counts the jobs marked running in the database, by kind.
func runningJobs(t *testing.T, dbURL string) string {
	const q = `SELECT kind, count(*) FROM river_job WHERE state = 'running' GROUP BY kind ORDER BY kind`
	var parts []string
	add := func(kind string, n int) { parts = append(parts, fmt.Sprintf("%d %s", n, kind)) }
	if strings.HasPrefix(dbURL, "postgres") {
		pool, err := pgxpool.New(t.Context(), dbURL)
		if err != nil {
			return err.Error()
		}
		defer pool.Close()
		rows, err := pool.Query(t.Context(), q)
		if err != nil {
			return err.Error()
		}
		defer rows.Close()
		for rows.Next() {
			var kind string
			var n int
			if err := rows.Scan(&kind, &n); err != nil {
				return err.Error()
			}
			add(kind, n)
		}
	} else {
		db, err := sql.Open("sqlite", "file:"+dbURL+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			return err.Error()
		}
		defer db.Close()
		rows, err := db.QueryContext(t.Context(), q)
		if err != nil {
			return err.Error()
		}
		defer rows.Close()
		for rows.Next() {
			var kind string
			var n int
			if err := rows.Scan(&kind, &n); err != nil {
				return err.Error()
			}
			add(kind, n)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// scaled is n, or n times RELEASEGATE_SOAK_SCALE (a fraction, for a quick run while working
// on the test).
func scaled(n int) int {
	f, err := strconv.ParseFloat(os.Getenv("RELEASEGATE_SOAK_SCALE"), 64)
	if err != nil || f <= 0 {
		return n
	}
	return max(1, int(float64(n)*f))
}
