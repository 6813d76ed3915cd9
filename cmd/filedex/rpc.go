package main

import (
	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
)

func (a *app) rpcCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rpc",
		Short: "Serve JSON-RPC 2.0 on stdin/stdout, one request per line",
		Long: `Rpc reads one JSON-RPC 2.0 request per line on stdin and writes one response
per line on stdout, in order, until stdin ends. It serves the same method
table as the C ABI and the WASI build (docs/rpc.md lists the methods).`,
		Example: `  echo '{"jsonrpc":"2.0","id":1,"method":"location.list"}' | filedex rpc
  filedex --engine wasi rpc < requests.jsonl`,
		Args: argsRange(0, 0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			// A long-running server's clients name paths we cannot know in
			// advance: on the WASI engine every location is mounted.
			if err := a.openWithLocations(ctx); err != nil {
				return err
			}
			return bindings.Serve(ctx, a.eng, a.stdin, a.stdout)
		},
	}
}
