package main

import "github.com/spf13/cobra"

func newSourcemapsCmd(factory *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sourcemaps",
		Short: "Validate, inject debug IDs into, upload and resolve JavaScript source maps",
		Long: `Work with a build's JavaScript files and their source maps.

Files are paired with their maps as sentry-cli 3.x pairs them: the last
"//# sourceMappingURL=" comment, an inline data: map, or a map named like the file beside
it. Unlike sentry-cli, a reference to a missing map is reported, never matched to a map
in a sibling folder.`,
		Args:                       unknownSubcommand,
		RunE:                       func(c *cobra.Command, _ []string) error { return c.Help() },
		SuggestionsMinimumDistance: 2,
	}
	cmd.AddCommand(newValidateCmd(factory))
	cmd.AddCommand(newUploadCmd(factory))
	cmd.AddCommand(newResolveCmd(factory))
	cmd.AddCommand(newInjectCmd(factory))
	return cmd
}
