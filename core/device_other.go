//go:build !wasip1

package core

// hostMachineID is the machine id a host hands its guest; a native process
// reads the machine's own (machineID).
func hostMachineID() string { return "" }
