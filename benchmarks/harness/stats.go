package harness

import (
	"math"
	"slices"
	"time"
)

// Summary describes a set of duration samples.
type Summary struct {
	N      int     `json:"n"`
	Median float64 `json:"median_ns"`
	P99    float64 `json:"p99_ns"` // nearest rank; only meaningful for N >= 100
	Min    float64 `json:"min_ns"`
	Max    float64 `json:"max_ns"`
	Mean   float64 `json:"mean_ns"`
}

// Summarize computes a Summary of samples (nanoseconds).
func Summarize(samples []int64) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += float64(v)
	}
	return Summary{
		N:      len(s),
		Median: median(s),
		P99:    float64(s[rank(len(s), 0.99)]),
		Min:    float64(s[0]),
		Max:    float64(s[len(s)-1]),
		Mean:   sum / float64(len(s)),
	}
}

// rank is the nearest-rank index of quantile q in n sorted samples.
func rank(n int, q float64) int {
	i := int(math.Ceil(q*float64(n))) - 1
	return min(max(i, 0), n-1)
}

func median(sorted []int64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return float64(sorted[n/2])
	}
	return (float64(sorted[n/2-1]) + float64(sorted[n/2])) / 2
}

// medianFloat returns the median of xs (which it sorts).
func medianFloat(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Dur formats nanoseconds with three significant digits and a unit.
func Dur(ns float64) string {
	d := time.Duration(ns)
	switch {
	case math.IsNaN(ns):
		return "–"
	case d < time.Microsecond:
		return trim3(ns) + " ns"
	case d < time.Millisecond:
		return trim3(ns/1e3) + " µs"
	case d < time.Second:
		return trim3(ns/1e6) + " ms"
	default:
		return trim3(ns/1e9) + " s"
	}
}

func trim3(v float64) string {
	switch {
	case v >= 100:
		return formatFloat(v, 0)
	case v >= 10:
		return formatFloat(v, 1)
	default:
		return formatFloat(v, 2)
	}
}
