//go:build !unix

package core

// oNonBlock: no such flag here; checkSQLiteFile's stat before the open still refuses FIFOs.
const oNonBlock = 0
