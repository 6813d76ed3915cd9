package dataset

import (
	"encoding/binary"
	"math"
	"math/bits"
	"math/rand/v2"
)

// Rand is a deterministic pseudo-random source. It wraps PCG, whose output
// is specified by its algorithm, and implements its own derived helpers
// (IntN, Float64, …) instead of math/rand/v2's Rand methods, whose exact
// reduction algorithms are not a documented compatibility promise: the same
// seed must give the same bytes on every Go version.
type Rand struct{ pcg *rand.PCG }

// NewRand returns a source seeded with (seed, stream). Different streams of
// one seed are independent, which lets one dataset derive sub-sources
// (names, sizes, contents) that do not shift when another one changes.
func NewRand(seed, stream uint64) *Rand {
	return &Rand{pcg: rand.NewPCG(seed, stream^0x9e3779b97f4a7c15)}
}

// Uint64 returns 64 random bits.
func (r *Rand) Uint64() uint64 { return r.pcg.Uint64() }

// IntN returns a uniform int in [0, n); n must be > 0.
// Lemire's multiply-shift with rejection: unbiased and stable.
func (r *Rand) IntN(n int) int {
	if n <= 0 {
		panic("dataset: IntN with n <= 0")
	}
	un := uint64(n)
	hi, lo := bits.Mul64(r.pcg.Uint64(), un)
	if lo < un {
		thresh := -un % un
		for lo < thresh {
			hi, lo = bits.Mul64(r.pcg.Uint64(), un)
		}
	}
	return int(hi)
}

// Range returns a uniform int in [lo, hi].
func (r *Rand) Range(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// Float64 returns a uniform float in [0, 1).
func (r *Rand) Float64() float64 { return float64(r.pcg.Uint64()>>11) / (1 << 53) }

// Chance reports true with probability p.
func (r *Rand) Chance(p float64) bool { return r.Float64() < p }

// LogUniform returns an int64 in [lo, hi] whose logarithm is uniform:
// the usual shape of file sizes inside one order-of-magnitude bucket.
func (r *Rand) LogUniform(lo, hi int64) int64 {
	if lo < 1 {
		lo = 1
	}
	if hi <= lo {
		return lo
	}
	v := math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo))))
	n := int64(v)
	if n < lo {
		n = lo
	}
	if n > hi {
		n = hi
	}
	return n
}

// Zipf returns an index in [0, n) where index k has weight 1/(k+1)^s,
// the usual popularity shape of tags, extensions and directory sizes.
// It walks a cumulative table, so it is meant for small n.
func (r *Rand) Zipf(n int, s float64) int {
	var total float64
	for k := 0; k < n; k++ {
		total += 1 / math.Pow(float64(k+1), s)
	}
	x := r.Float64() * total
	for k := 0; k < n; k++ {
		x -= 1 / math.Pow(float64(k+1), s)
		if x < 0 {
			return k
		}
	}
	return n - 1
}

// Pick returns a random element of xs.
func Pick[T any](r *Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// Weighted returns an index drawn with the given (not necessarily
// normalized) weights.
func (r *Rand) Weighted(w []float64) int {
	var total float64
	for _, x := range w {
		total += x
	}
	x := r.Float64() * total
	for i, v := range w {
		x -= v
		if x < 0 {
			return i
		}
	}
	return len(w) - 1
}

// Fill fills p with random bytes.
func (r *Rand) Fill(p []byte) {
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, r.pcg.Uint64())
		p = p[8:]
	}
	if len(p) > 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], r.pcg.Uint64())
		copy(p, b[:])
	}
}
