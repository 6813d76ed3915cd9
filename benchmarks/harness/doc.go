// Package harness runs filedex's benchmarks: it owns the method (warm-up,
// repetitions, interleaving, statistics), the environment record and the
// report, so that a scenario only says what to set up and what one operation
// is.
//
// # Scenarios
//
// A [Scenario] is a name, an engine, the kind of dataset it needs and a
// Setup function that returns a [Bench]: the operation to time, or only
// measured values ([Metric], [Table]) such as bytes per entry. Scenarios
// with the same Name on the same [Fixture] are compared: their repetitions
// are interleaved (A, B, A, B, … with a rotating start) so that machine
// noise hits every engine alike, and each reports its ratio to a reference
// engine ("filedex" when present).
//
// # Method
//
// Every timed scenario gets a warm-up, then [Options.Reps] repetitions. A
// point scenario (one lookup, one directory page) runs many operations and
// reports per-operation p50 and p99 from at least [Options.PointOps]
// operations, unless a slow operation would exceed the time budget, which the
// result then says. Other scenarios report the median and min–max of their
// repetitions; a p99 of five runs would mean nothing and is not reported.
// Nothing is asserted: figures are what was measured.
package harness
