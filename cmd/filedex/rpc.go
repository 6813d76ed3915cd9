package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/filedex/filedex/bindings"
)

func (a *app) rpcCommand() *cobra.Command {
	var openOptions string
	cmd := &cobra.Command{
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
			if openOptions != "" {
				return a.serveWithOptions(ctx, openOptions)
			}
			// A long-running server's clients name paths we cannot know in
			// advance: on the WASI engine every location is mounted.
			if err := a.openWithLocations(ctx); err != nil {
				return err
			}
			return bindings.Serve(ctx, a.eng, a.stdin, a.stdout)
		},
	}
	// Hidden: the conformance suite runs filedex.wasm (the CLI as a WASI
	// command) with the fixed clock, UUID seed and roots its scripts need,
	// so its transcripts can equal the native engine's byte for byte.
	cmd.Flags().StringVar(&openOptions, "open-options", "", "open the library with these JSON open options (as fdx_open takes them)")
	cmd.Flags().MarkHidden("open-options")
	return cmd
}

// serveWithOptions is rpc on the default engine opened with raw open options.
// A library that does not open prints its error object as the only line on
// stdout (what every other conformance client prints) and fails the command.
func (a *app) serveWithOptions(ctx context.Context, options string) error {
	if a.engineName == "wasi" {
		return usagef("--open-options needs the default engine")
	}
	o, err := bindings.ParseOpenOptions([]byte(options))
	var eng bindings.Engine
	if err == nil {
		eng, err = bindings.OpenNative(o)
	}
	if err != nil {
		fmt.Fprintf(a.stdout, "%s\n", bindings.ErrorJSON(err))
		return err
	}
	a.eng = eng // closed by run, as every engine
	return bindings.Serve(ctx, eng, a.stdin, a.stdout)
}
