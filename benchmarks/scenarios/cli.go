package scenarios

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/filedex/filedex/benchmarks/harness"
	"github.com/filedex/filedex/core"
)

// The user's path: what a person runs is the CLI, and what a client of the
// transports runs is `filedex rpc`. Both are child processes here, each
// repetition into an empty library, so their figures compare with the
// library's own scan (EngineFiledex, in process) and with the peers in one
// table. The difference is the cost of the path: process start, opening the
// library, JSON, and how the CLI drives the scan.
const (
	// EngineCLI is `filedex --json scan --mode M TREE`.
	EngineCLI = "filedex-cli"
	// EngineCLIWASI is the same with --engine wasi (the reactor under wazero).
	EngineCLIWASI = "filedex-cli-wasi"
	// EngineRPCProc is one location.scan request through `filedex rpc`.
	EngineRPCProc = "filedex-rpc"
)

// cliScan times the CLI's scan of the fixture's tree.
func cliScan(name string, mode core.IndexMode, engine string) harness.Scenario {
	return harness.Scenario{
		Name: name, Engine: engine, Data: harness.Tree,
		Doc: "`filedex --json scan --mode " + string(mode) + " TREE`" + map[bool]string{true: " --engine wasi", false: ""}[engine == EngineCLIWASI] +
			" as a child process into an empty library: the path a user runs.",
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			var env []string
			if engine == EngineCLIWASI {
				if err := wasiSizeOK(f, engine); err != nil {
					return nil, err
				}
				wasm, err := buildArtifact("libfiledex.wasm")
				if err != nil {
					return nil, harness.Skipf("%v", err)
				}
				root, err := repoRoot()
				if err != nil {
					return nil, err
				}
				env = []string{"FILEDEX_WASM=" + wasm, "FILEDEX_WAZERO_CACHE=" + filepath.Join(root, "build", "wazero-cache")}
			}
			bin, err := filedexCLI(f)
			if err != nil {
				return nil, err
			}
			dir, err := f.Dir("cli-" + engine + "-" + string(mode))
			if err != nil {
				return nil, err
			}
			lib := filepath.Join(dir, "lib")
			args := []string{"--library", lib, "--json"}
			if engine == EngineCLIWASI {
				args = append(args, "--engine", "wasi")
			}
			args = append(args, "scan", "--mode", string(mode), f.Tree.Root)
			return &harness.Bench{
				Items: int64(f.Tree.Files), ItemUnit: "files",
				Prepare: func(int) error { return os.RemoveAll(lib) },
				Op: func(int) error {
					cmd := exec.Command(bin, args...)
					cmd.Env = append(os.Environ(), env...)
					out, err := cmd.Output()
					if err != nil {
						return fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), err)
					}
					var res struct {
						Summary core.ScanSummary `json:"summary"`
					}
					if err := json.Unmarshal(out, &res); err != nil {
						return fmt.Errorf("scan output: %w", err)
					}
					return checkSummary(f, res.Summary)
				},
				Close: func() error { return os.RemoveAll(dir) },
			}, nil
		},
	}
}

// rpcScan times one location.scan request through `filedex rpc`: the
// library's one-call scan behind the JSON-RPC transport and a process start.
func rpcScan(name string, mode core.IndexMode) harness.Scenario {
	return harness.Scenario{
		Name: name, Engine: EngineRPCProc, Data: harness.Tree,
		Doc: "One `location.scan` request (mode " + string(mode) + ") through `filedex rpc`, a child process, into an empty library.",
		Setup: func(f *harness.Fixture) (*harness.Bench, error) {
			bin, err := filedexCLI(f)
			if err != nil {
				return nil, err
			}
			dir, err := f.Dir("rpc-" + string(mode))
			if err != nil {
				return nil, err
			}
			lib := filepath.Join(dir, "lib")
			req := `{"jsonrpc":"2.0","id":1,"method":"location.scan","params":{"path":` + strconv.Quote(f.Tree.Root) + `,"mode":"` + string(mode) + `"}}` + "\n"
			return &harness.Bench{
				Items: int64(f.Tree.Files), ItemUnit: "files",
				Prepare: func(int) error { return os.RemoveAll(lib) },
				Op: func(int) error {
					cmd := exec.Command(bin, "--library", lib, "rpc")
					cmd.Stdin = strings.NewReader(req)
					out, err := cmd.Output()
					if err != nil {
						return fmt.Errorf("filedex rpc: %w", err)
					}
					var resp struct {
						Result *core.ScanResult `json:"result"`
						Error  json.RawMessage  `json:"error"`
					}
					if err := json.Unmarshal(out, &resp); err != nil || resp.Result == nil {
						return fmt.Errorf("location.scan: %v: %s", err, out)
					}
					if !resp.Result.Done {
						return fmt.Errorf("location.scan returned before the end")
					}
					return checkSummary(f, resp.Result.Summary)
				},
				Close: func() error { return os.RemoveAll(dir) },
			}, nil
		},
	}
}

func checkSummary(f *harness.Fixture, s core.ScanSummary) error {
	if s.Files != int64(f.Tree.Files) {
		return fmt.Errorf("scan saw %d files, the tree has %d", s.Files, f.Tree.Files)
	}
	if s.WarningCount > 0 {
		return fmt.Errorf("%d scan warnings, first: %v", s.WarningCount, s.Warnings)
	}
	return nil
}

// CLIScans returns the scans of the user's path: the CLI (native and WASI) and
// `filedex rpc`, beside the library's own scans and the peers.
func CLIScans() []harness.Scenario {
	return []harness.Scenario{
		cliScan(ScanMetadata, core.ModeMetadata, EngineCLI),
		rpcScan(ScanMetadata, core.ModeMetadata),
		cliScan(ScanContent, core.ModeContent, EngineCLI),
		rpcScan(ScanContent, core.ModeContent),
		cliScan(ScanMetadata, core.ModeMetadata, EngineCLIWASI),
	}
}
