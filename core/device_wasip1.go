//go:build wasip1

package core

import "os"

// machineIDEnv names the host's machine id for a WASI guest. A guest sees
// only the directories its host preopens, never /etc/machine-id, and the
// device a library's locations belong to is derived from that id: a guest
// that cannot read it is another device, and a library indexed natively on
// the same machine shows it no locations. filedex's own hosts (wasmhost, the
// Node example, the wasmtime runner) pass it; with any other runtime, pass it
// by hand (wasmtime run --env FILEDEX_MACHINE_ID="$(cat /etc/machine-id)").
const machineIDEnv = "FILEDEX_MACHINE_ID"

func hostMachineID() string { return os.Getenv(machineIDEnv) }
