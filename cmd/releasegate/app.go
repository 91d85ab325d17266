package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/bot/manifest"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/serveconf"
)

func newAppCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "app",
		Short: "Create and set up the GitHub App that `releasegate serve` runs",
	}
	cmd.AddCommand(newAppManifestCmd(f), newAppSetupCmd(f), newAppHealthcheckCmd(f))
	return cmd
}

func newAppManifestCmd(f *Factory) *cobra.Command {
	var publicURL, name string
	cmd := &cobra.Command{
		Use:   "manifest --public-url URL",
		Short: "Print the GitHub App manifest, with the least permissions the App needs",
		Long: `Print the manifest GitHub registers the App from (GitHub's "manifest flow").

Its webhook goes to URL/webhooks/github and its setup callback to URL/setup/callback;
its permissions are the least the App's features need (docs/app.md says why each).
` + "`releasegate app setup`" + ` runs the manifest flow in a browser with this manifest.`,
		Example: `  releasegate app manifest --public-url https://gate.example.com`,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			m, err := manifest.New(publicURL, name)
			if err != nil {
				return errkind.Wrap(errkind.Usage, err)
			}
			data, err := m.JSON()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(f.IO.Out, "%s\n", data)
			return err
		},
	}
	cmd.Flags().StringVar(&publicURL, "public-url", "", "where GitHub reaches the service, e.g. https://gate.example.com (required)")
	cmd.Flags().StringVar(&name, "name", "", "the App's name on GitHub (default releasegate; unique across GitHub)")
	_ = cmd.MarkFlagRequired("public-url")
	return cmd
}

func newAppHealthcheckCmd(f *Factory) *cobra.Command {
	var target string
	cmd := &cobra.Command{
		Use:   "healthcheck [--url URL]",
		Short: "Exit 0 when the service answers /healthz, 1 when it does not (for container health checks)",
		Long: `GET the service's /healthz with a timeout: exit 0 on 200 OK, 1 otherwise.

The container image runs it as its HEALTHCHECK (the image has no curl). Without --url it
asks this machine on the port of RELEASEGATE_LISTEN (default :8080).`,
		Example: `  releasegate app healthcheck
  releasegate app healthcheck --url http://127.0.0.1:9090/healthz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			u := target
			if u == "" {
				u = healthzURL(cmp.Or(f.Getenv("RELEASEGATE_LISTEN"), serveconf.DefaultListen))
			}
			ctx, stop := commandContext(cmd) // bounded by --timeout
			defer stop()
			if err := healthcheck(ctx, f.Transport, u); err != nil {
				// Exit 1, which a container runtime reads as "unhealthy" (2 is reserved there).
				return errkind.Wrap(errkind.Verdict, err)
			}
			fmt.Fprintf(f.IO.Out, "healthy: %s\n", u)
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "url", "", "the health endpoint (default http://127.0.0.1:PORT/healthz, PORT from RELEASEGATE_LISTEN)")
	cmd.Flags().Duration("timeout", 3*time.Second, "give up (exit 1) after this long")
	return cmd
}

// healthzURL is /healthz on this machine at the port the service listens on.
func healthzURL(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		host, port = "", "8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz"
}

func healthcheck(ctx context.Context, tr http.RoundTripper, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: %s answered %s", u, resp.Status)
	}
	return nil
}
