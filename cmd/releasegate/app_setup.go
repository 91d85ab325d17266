package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/bot"
	"github.com/releasegate/releasegate/bot/manifest"
	"github.com/releasegate/releasegate/bot/setup"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/serveconf"
)

// AppSetupOptions are the inputs of `releasegate app setup`.
type AppSetupOptions struct {
	Factory                           *Factory
	PublicURL, Listen, Org, Out, Name string
	Print, Force                      bool
	// Listening, when set, is told the address listened on and the setup link (tests listen
	// on :0 and play the browser).
	Listening func(addr, link string)
}

func newAppSetupCmd(f *Factory) *cobra.Command {
	opts := &AppSetupOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "setup --public-url URL (--out DIR | --print)",
		Short: "Create the GitHub App in a browser (GitHub's manifest flow) and store its credentials",
		Long: `Create the GitHub App through GitHub's manifest flow, and store its credentials.

It serves /setup and /setup/callback only (the App has no credentials yet, so ` + "`serve`" + `
cannot run) and prints a link to open in a browser: the page posts the manifest
(` + "`releasegate app manifest`" + `) to GitHub, you confirm the App's name, and GitHub sends the
browser back to URL/setup/callback, where the code is exchanged for the App's
credentials. So run it where the browser reaches URL: on the host (and port) the public
URL leads to, before ` + "`serve`" + ` runs there.

With --out DIR the credentials become files, each of mode 0600 (app-id, private-key.pem,
webhook-secret, client-id, client-secret); existing files are never replaced without
--force. With --print they are shown once on this terminal, for a secret store. They are
never logged. The command exits once they are stored. The whole flow must end within an
hour (GitHub's limit).`,
		Example: `  releasegate app setup --public-url https://gate.example.com --out /etc/releasegate
  releasegate app setup --public-url https://gate.example.com --org acme --print`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return appSetupRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.PublicURL, "public-url", "", "where GitHub and the browser reach the service, e.g. https://gate.example.com (env RELEASEGATE_PUBLIC_URL)")
	fl.StringVar(&opts.Listen, "listen", "", "address to listen on (default :8080; env RELEASEGATE_LISTEN)")
	fl.StringVar(&opts.Org, "org", "", "register the App under this GitHub organization (default: your own account)")
	fl.StringVar(&opts.Name, "name", "", "the App's name on GitHub (default releasegate; unique across GitHub)")
	fl.StringVar(&opts.Out, "out", "", "write the credentials as files, mode 0600, into this folder")
	fl.BoolVar(&opts.Print, "print", false, "print the credentials once on the terminal instead, for a secret store")
	fl.BoolVar(&opts.Force, "force", false, "with --out: replace credential files already there")
	cmd.MarkFlagsMutuallyExclusive("out", "print")
	cmd.MarkFlagsOneRequired("out", "print")
	return cmd
}

func appSetupRun(ctx context.Context, opts *AppSetupOptions) error {
	f := opts.Factory
	publicURL := cmp.Or(opts.PublicURL, f.Getenv("RELEASEGATE_PUBLIC_URL"))
	if publicURL == "" {
		return errkind.New(errkind.Usage, "app setup: --public-url is required (or RELEASEGATE_PUBLIC_URL): where GitHub sends the browser back and the webhooks")
	}
	if opts.Force && opts.Out == "" {
		return errkind.New(errkind.Usage, "app setup: --force goes with --out (there are no files to replace with --print)")
	}
	m, err := manifest.New(publicURL, opts.Name)
	if err != nil {
		return errkind.Wrap(errkind.Usage, err)
	}
	var store setup.Store = setup.PrintStore{W: f.IO.Out}
	if opts.Out != "" {
		fs := setup.FileStore{Dir: f.Abs(opts.Out), Force: opts.Force}
		// Before GitHub is asked: it shows the private key once, so a folder that cannot take
		// it must stop the run now, not after the App exists.
		if err := fs.Check(); err != nil {
			return errkind.Wrap(errkind.Config, fmt.Errorf("app setup: %w", err))
		}
		store = fs
	}
	apiURL := cmp.Or(f.Getenv("RELEASEGATE_GITHUB_API_URL"), serveconf.DefaultGitHubAPI)
	gh, err := githubapi.New(githubapi.Options{
		BaseURL: apiURL, UserAgent: "releasegate/" + buildVersion(), HTTPClient: &http.Client{Transport: f.Transport},
		Logger: f.Logger,
	})
	if err != nil {
		return errkind.WithHint(errkind.Config, err, "check RELEASEGATE_GITHUB_API_URL")
	}
	key, err := setup.NewKey(nil)
	if err != nil {
		return err
	}
	h, err := setup.New(setup.Options{
		Manifest: m, WebURL: cmp.Or(f.Getenv("RELEASEGATE_GITHUB_URL"), serveconf.DefaultGitHubWeb), Org: opts.Org,
		Exchange: gh.Anonymous(), Store: store, Key: key, Logger: f.Logger,
	})
	if err != nil {
		return errkind.Wrap(errkind.Usage, err)
	}

	listen := cmp.Or(opts.Listen, f.Getenv("RELEASEGATE_LISTEN"), serveconf.DefaultListen)
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", listen)
	if err != nil {
		return errkind.WithHint(errkind.Config, fmt.Errorf("listening on %s: %w", listen, err), "choose another --listen address")
	}
	srv := bot.NewServer(listen, h)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	link := m.URL + h.SetupPath()
	fmt.Fprintf(f.IO.ErrOut, "releasegate app setup: listening on %s\n\nOpen this link in a browser signed in to GitHub (it works for this run only):\n\n  %s\n\n", ln.Addr(), link)
	fmt.Fprintf(f.IO.ErrOut, "GitHub will send the browser back to %s/setup/callback; waiting for it (Ctrl-C to give up).\n", m.URL)
	if opts.Listening != nil {
		opts.Listening(ln.Addr().String(), link)
	}

	var res setup.Result
	var runErr error
	select {
	case res = <-h.Done():
	case err := <-served:
		runErr = fmt.Errorf("app setup: the HTTP server stopped: %w", err)
	case <-ctx.Done():
		runErr = errkind.WithHint(errkind.Undecided, fmt.Errorf("app setup: stopped before GitHub sent the browser back: %w", context.Cause(ctx)),
			"run it again; if GitHub created an App meanwhile, delete it in its settings first")
	}
	// Let the closing page reach the browser, then stop.
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) && runErr == nil {
		runErr = fmt.Errorf("app setup: stopping the server: %w", err)
	}
	if runErr != nil {
		return runErr
	}
	writeSetupDone(f.IO.ErrOut, res)
	return nil
}

// writeSetupDone says what was made and what comes next, without a secret.
func writeSetupDone(w io.Writer, res setup.Result) {
	fmt.Fprintf(w, "\nreleasegate app setup: GitHub created the App %s (ID %d). %s\n", cmp.Or(res.App.Slug, res.App.Name), res.App.ID, res.Stored.Where)
	for _, file := range res.Stored.Files {
		if file.Variable != "" {
			fmt.Fprintf(w, "  %s  (%s)\n", file.Path, file.Variable)
		} else {
			fmt.Fprintf(w, "  %s\n", file.Path)
		}
	}
	var next strings.Builder
	if res.App.HTMLURL != "" {
		fmt.Fprintf(&next, "  1. Install it: %s/installations/new\n", strings.TrimRight(res.App.HTMLURL, "/"))
	} else {
		next.WriteString("  1. Install it on the repositories to gate (the App's page on GitHub, Install App).\n")
	}
	next.WriteString("  2. Enable it on each environment: Settings → Environments → ENV → Deployment protection rules.\n")
	fmt.Fprintf(&next, "  3. Run the service: RELEASEGATE_GITHUB_APP_ID=%d RELEASEGATE_GITHUB_PRIVATE_KEY_FILE=… RELEASEGATE_GITHUB_WEBHOOK_SECRET_FILE=… releasegate serve --config installations.yml\n", res.App.ID)
	fmt.Fprintf(w, "\nNext (docs/app.md):\n%s", next.String())
}
