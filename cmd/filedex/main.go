// Command filedex indexes directories into a library and answers path, search
// and duplicate queries.
//
// Every command reaches the library through the JSON-RPC method table of
// package bindings, on the engine --engine names: the in-process native engine
// (default) or the WASI build hosted by wazero. So what a command prints is what
// any other client of the method table would get, on either engine.
//
// Exit codes: 0 success, 1 failure, 2 usage error; a scan paused by Ctrl-C or
// SIGTERM exits 130 or 143, as a shell reports those signals. Errors are one line on
// stderr, "filedex: <message>"; with --json they are a JSON object on stdout.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code. It is the
// whole program minus os.Exit, so nothing below it exits the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := newApp(stdin, stdout, stderr)
	a.cmdPath = "filedex"
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if cerr := a.close(); cerr != nil && err == nil {
		// The command succeeded and printed its answer (with --json, its one document);
		// what it did is done (a tag created is stored). A failure to close the library
		// afterwards, such as a final checkpoint on a full disk, is worth saying, but it is
		// not the command's result: reporting it as one would print a second document and
		// tell a script that a stored change failed.
		fmt.Fprintf(a.stderr, "filedex: warning: closing the library: %s\n", errorMessage(cerr))
	}
	if err == nil {
		return 0
	}
	if !a.json && slices.Contains(args, "--json") {
		// Cobra refuses an unknown command before it parses flags, so
		// --json was not seen; the contract still wants JSON.
		a.json = true
	}
	return a.report(err)
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// isUsage reports whether err is a command-line mistake, including the ones
// cobra detects itself (unknown commands and flags, which it reports as plain
// errors with stable wording).
func isUsage(err error) bool {
	var u *usageError
	if errors.As(err, &u) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "required flag", "if any flags in the group"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// report prints err the way the contract wants and returns the exit code.
func (a *app) report(err error) int {
	code := 1
	if isUsage(err) {
		code = 2
	}
	// A scan stopped by a signal exits as shells expect for it (130 for Ctrl-C).
	var ie *interruptedError
	if errors.As(err, &ie) {
		code = ie.ExitCode()
	}
	msg := errorMessage(err)
	if a.json {
		// With --json stdout carries exactly one document: the error object
		// replaces whatever the command would have printed. The exit code is
		// the same as without --json, so a script tells usage from failure.
		a.printJSON(jsonError{Error: errorObject(err, msg)})
		return code
	}
	fmt.Fprintf(a.stderr, "filedex: %s\n", msg)
	if code == 2 && a.cmdPath != "" {
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", a.cmdPath)
	}
	return code
}

// flagValue matches pflag's message for a value it cannot parse, whose tail is a bare
// strconv error ("strconv.ParseInt: parsing "99…": value out of range").
var flagValue = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?(--[\w-]+)" flag: strconv\.Parse(Int|Uint|Float|Bool): parsing ".*": (.*)$`)

// flagError words pflag's parse errors in the user's terms.
func flagError(err error) error {
	m := flagValue.FindStringSubmatch(err.Error())
	if m == nil {
		return &usageError{msg: err.Error()}
	}
	what := map[string]string{"Int": "a whole number", "Uint": "a whole number", "Float": "a number", "Bool": "true or false"}[m[3]]
	if m[4] == "value out of range" {
		return usagef("%s %s: too large (%s is expected)", m[2], m[1], what)
	}
	return usagef("%s %s: not %s", m[2], m[1], what)
}

// errorMessage is the one line shown for err: the engine's message without
// the method names it was wrapped in ("tag.apply: tag.get: not found: …"
// reads "not found: …"), and never more than one line.
func errorMessage(err error) string {
	msg := err.Error()
	var re *rpcError
	if errors.As(err, &re) {
		msg = re.display()
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "filedex",
		Short: "Index directories into a library; find files, duplicates and what uses the space",
		Long: `filedex indexes directories into a library (one SQLite database) and answers
path, search, duplicate and disk-usage queries in milliseconds.

The library is --library DIR, else $FILEDEX_LIBRARY, else
$XDG_DATA_HOME/filedex/default, else ~/.local/share/filedex/default.`,
		Example: `  filedex scan ~/Documents
  filedex dupes --min-size 1M
  filedex find --ext pdf --modified-after 2024-01-01
  filedex du ~/Documents --depth 2`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		DisableAutoGenTag: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			a.cmdPath = cmd.CommandPath()
			// The migrate commands open the library as it is: applying pending migrations
			// on open (what every other command does) would undo 'down' and hide what is
			// pending. (Set here: a PersistentPreRun on migrate would replace this hook.)
			for c := cmd; c.HasParent(); c = c.Parent() {
				if c.Name() == "migrate" && !c.Parent().HasParent() {
					a.skipMigrations = true
				}
			}
			// Only commands that write may create a library; every other one needs an
			// existing library, so a mistyped --library is an error, not a new empty library.
			a.mayCreate = createsLibrary[strings.TrimPrefix(a.cmdPath, cmd.Root().Name()+" ")]
			if f := cmd.Flags().Lookup("library"); f != nil && f.Changed && a.library == "" {
				return usagef("--library needs a directory (an empty one was given)")
			}
			return a.checkGlobals()
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.library, "library", "", "library directory (default $FILEDEX_LIBRARY or ~/.local/share/filedex/default)")
	pf.BoolVar(&a.json, "json", false, "print exactly one JSON document on stdout")
	pf.StringVar(&a.engineName, "engine", "native", "engine serving the requests: native or wasi")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "no progress and no summary chatter")
	root.RegisterFlagCompletionFunc("engine", cobra.FixedCompletions([]string{"native", "wasi"}, cobra.ShellCompDirectiveNoFileComp))
	root.RegisterFlagCompletionFunc("library", dirCompletion)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		a.cmdPath = cmd.CommandPath()
		return flagError(err)
	})
	var showVersion bool
	root.Flags().BoolVar(&showVersion, "version", false, "print the versions of filedex, SQLite and the schema")
	version := a.versionCommand()
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, args []string) error {
		switch {
		case showVersion:
			return version.RunE(cmd, nil)
		case a.json:
			// --json promises one JSON document: the commands, as help lists them.
			return a.printJSON(commandsJSON(cmd))
		}
		return cmd.Help()
	}
	root.AddGroup(
		&cobra.Group{ID: "index", Title: "Indexing:"},
		&cobra.Group{ID: "query", Title: "Finding files:"},
		&cobra.Group{ID: "organize", Title: "Organizing:"},
		&cobra.Group{ID: "maint", Title: "Maintenance:"},
	)
	for _, c := range []*cobra.Command{
		a.scanCommand(), a.locationCommand(), a.jobsCommand(),
	} {
		c.GroupID = "index"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{
		a.lsCommand(), a.findCommand(), a.dupesCommand(), a.duCommand(),
	} {
		c.GroupID = "query"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{
		a.mvCommand(), a.tagCommand(), a.labelCommand(), a.metaCommand(),
	} {
		c.GroupID = "organize"
		root.AddCommand(c)
	}
	for _, c := range append(a.maintCommands(), a.migrateCommand(), a.syncCommand(), a.deviceCommand(), a.rpcCommand(), version) {
		c.GroupID = "maint"
		root.AddCommand(c)
	}
	root.SetHelpCommandGroupID("maint")
	root.SetCompletionCommandGroupID("maint")
	return root
}

// commandJSON describes a command for "filedex --json".
type commandJSON struct {
	Name     string        `json:"name"`
	Usage    string        `json:"usage"`
	Short    string        `json:"short"`
	Commands []commandJSON `json:"commands,omitempty"`
}

func commandsJSON(cmd *cobra.Command) commandJSON {
	c := commandJSON{Name: cmd.Name(), Usage: cmd.UseLine(), Short: cmd.Short}
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			c.Commands = append(c.Commands, commandsJSON(sub))
		}
	}
	return c
}

// dirCompletion completes directory names only.
func dirCompletion(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// args returns a cobra.PositionalArgs that reports a wrong count as a usage
// error, naming what is expected.
func argsRange(lo, hi int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		a := len(args)
		switch {
		case a < lo:
			return usagef("%s: missing %s", cmd.CommandPath(), what)
		case hi >= 0 && a > hi:
			return usagef("%s: too many arguments (expected %s)", cmd.CommandPath(), what)
		}
		return nil
	}
}
