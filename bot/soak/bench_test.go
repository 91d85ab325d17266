package soak_test

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/bot"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// service is the App as `serve` wires it (bot, store with the bot's workers, the HTTP
// handler behind bot.NewServer on a loopback port), in this process, between the fakes.
type service struct {
	gh         *githubapitest.Server
	st         *store.Store
	url        string
	deliveries []delivery
}

func newService(b *testing.B, dbURL string, rules int) *service {
	b.Helper()
	gh := githubapitest.Start(b, githubapitest.Options{})
	sentry := sentryapitest.Start(b, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	inst := gh.AddInstallation("acme", []string{"web", ".github"}, nil)
	gh.SetFile("acme", ".github", "main", "releasegate.yml", []byte(orgPolicy))
	s := &service{gh: gh, deliveries: makeDeliveries(b, gh, inst, "bench", rules)}
	seedReleases(b, sentry, s.deliveries)

	cfg := &serveconf.Config{
		PublicURL: "https://gate.example.com", APIToken: serveconf.NewSecret("bench-api-token"), Uncovered: "approve",
		GitHub: serveconf.GitHub{AppID: gh.AppID(), PrivateKey: serveconf.NewSecret(string(gh.PrivateKey())),
			WebhookSecret: serveconf.NewSecret(webhookSecret), APIURL: gh.URL()},
		Installations: map[string]serveconf.Installation{"acme": {Owner: "acme", SentryURL: sentry.URL(), SentryOrg: "acme",
			SentryToken: serveconf.NewSecret(sentry.Token())}},
	}
	ghf, err := githubapi.New(githubapi.Options{BaseURL: gh.URL(), AppID: gh.AppID(), PrivateKey: gh.PrivateKey(), AllowInsecure: true})
	if err != nil {
		b.Fatal(err)
	}
	app, err := bot.New(bot.Options{Config: cfg, GitHub: ghf, SentryTransport: sentry.Client().Transport})
	if err != nil {
		b.Fatal(err)
	}
	// The store's options as serve sets them.
	s.st, err = store.Open(b.Context(), dbURL, store.Options{Workers: app.Workers(), PeriodicJobs: app.PeriodicJobs()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.st.Close() })
	app.SetStore(s.st)
	ln, err := (&net.ListenConfig{}).Listen(b.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := bot.NewServer("", app.Handler())
	go func() { _ = srv.Serve(ln) }()
	b.Cleanup(func() { _ = srv.Close() })
	s.url = "http://" + ln.Addr().String() + "/webhooks/github"
	return s
}

func (s *service) start(b *testing.B) {
	b.Helper()
	if err := s.st.Start(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(b.Context()), 10*time.Second)
		defer cancel()
		_ = s.st.Stop(ctx)
	})
}

func benchDatabases() []struct {
	name string
	url  func(t testing.TB) string
} {
	return []struct {
		name string
		url  func(t testing.TB) string
	}{
		{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "releasegate.db") }},
		{"postgres", freshPostgres},
	}
}

// pct is the q-quantile of sorted durations, in milliseconds.
func pct(sorted []time.Duration, q float64) float64 {
	return float64(sorted[int(q*float64(len(sorted)-1))]) / float64(time.Millisecond)
}

// BenchmarkIntake offers signed deployment_protection_rule deliveries through the real HTTP
// handler at a steady 1,000 per second (the bar), each request in its own goroutine
// as GitHub's arrive, and reports the rate sustained and the time from each delivery's due
// time to its 2xx (p50, p99): a service that falls behind pays for its backlog there. With
// "intake" the jobs are queued only; with "intake+working" the service works them at the same
// time (the gate against the fake Sentry, reviews to the fake GitHub, both in this process).
//
//	go test -run '^$' -bench BenchmarkIntake -benchtime 10000x ./bot/soak/
func BenchmarkIntake(b *testing.B) {
	const interval = time.Millisecond
	for _, db := range benchDatabases() {
		for _, mode := range []string{"intake", "intake+working"} {
			b.Run(db.name+"/"+mode, func(b *testing.B) {
				s := newService(b, db.url(b), b.N)
				if mode == "intake+working" {
					s.start(b)
				}
				client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
				latencies := make([]time.Duration, b.N)
				var wg sync.WaitGroup
				var failed sync.Map
				b.ResetTimer()
				start := time.Now()
				for i := range b.N {
					due := start.Add(time.Duration(i) * interval)
					time.Sleep(time.Until(due))
					wg.Go(func() {
						res, err := client.Do(signed(b.Context(), s.url, s.deliveries[i]))
						latencies[i] = time.Since(due)
						if err != nil {
							failed.Store(i, err.Error())
							return
						}
						res.Body.Close()
						if res.StatusCode != http.StatusAccepted {
							failed.Store(i, res.Status)
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				failed.Range(func(k, v any) bool {
					b.Errorf("delivery %v: %v", k, v)
					return false
				})
				slices.Sort(latencies)
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
				b.ReportMetric(pct(latencies, 0.50), "p50-ms")
				b.ReportMetric(pct(latencies, 0.99), "p99-ms")
			})
		}
	}
}

// BenchmarkDecision measures the time from a deployment_protection_rule delivery's send to
// its review call reaching GitHub, when the gate is already decided (the release soaked long
// ago, no issue): River's fetch of the delivery job, the rule recorded, the evaluation job,
// the policy read through GitHub's API, the gate against Sentry, the check run, the review.
// Deliveries go one every 50 ms, so the figure is the path's, not a backlog's.
//
//	go test -run '^$' -bench BenchmarkDecision -benchtime 200x ./bot/soak/
func BenchmarkDecision(b *testing.B) {
	const interval = 50 * time.Millisecond
	for _, db := range benchDatabases() {
		b.Run(db.name, func(b *testing.B) {
			s := newService(b, db.url(b), b.N)
			s.start(b)
			client := &http.Client{Timeout: 10 * time.Second}
			sent := make([]time.Time, b.N)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				time.Sleep(time.Until(start.Add(time.Duration(i) * interval)))
				sent[i] = time.Now()
				res, err := client.Do(signed(b.Context(), s.url, s.deliveries[i]))
				if err != nil {
					b.Fatal(err)
				}
				res.Body.Close()
			}
			reviewed := map[int64]time.Time{}
			deadline := time.Now().Add(2 * time.Minute)
			for len(reviewed) < b.N && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				for _, c := range s.gh.Calls() {
					if c.Route != "/repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule" || c.Status != http.StatusNoContent {
						continue
					}
					run, err := strconv.ParseInt(strings.Split(c.Path, "/")[6], 10, 64)
					if err == nil {
						reviewed[run] = c.Time
					}
				}
			}
			b.StopTimer()
			if len(reviewed) < b.N {
				b.Fatalf("%d of %d rules reviewed within 2 minutes", len(reviewed), b.N)
			}
			lat := make([]time.Duration, 0, b.N)
			for i, d := range s.deliveries[:b.N] {
				lat = append(lat, reviewed[d.run].Sub(sent[i]))
			}
			slices.Sort(lat)
			b.ReportMetric(pct(lat, 0.50), "p50-ms")
			b.ReportMetric(pct(lat, 0.99), "p99-ms")
			b.ReportMetric(pct(lat, 1), "max-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
