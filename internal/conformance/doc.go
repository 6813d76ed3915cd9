// Package conformance holds the cross-engine conformance suite (the test in
// this directory) and the fixture it builds. The scripts and golden files
// live in testdata/conformance at the repository root; see README.md there.
package conformance
