package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/bot/manifest"
	"github.com/releasegate/releasegate/errkind"
)

func newAppCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "app",
		Short: "Create and set up the GitHub App that `releasegate serve` runs",
	}
	cmd.AddCommand(newAppManifestCmd(f))
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
