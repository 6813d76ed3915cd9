package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// parseSize reads a size: bytes ("1500"), or a number with a unit k, M, G, T,
// P (powers of 1024, case-insensitive, optionally followed by "B" or "iB":
// "10k", "5M", "1.5GiB"). Negative sizes and sizes beyond int64 are refused.
func parseSize(s string) (int64, error) {
	bad := func() (int64, error) {
		return 0, fmt.Errorf("invalid size %q: use bytes or a number with k, M, G or T (powers of 1024), e.g. 10k, 5M, 1G", s)
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return bad()
	}
	// Split the number from the unit.
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.TrimSpace(t[i:])
	if num == "" || strings.Count(num, ".") > 1 || num[0] == '.' || num[len(num)-1] == '.' {
		return bad()
	}
	u := strings.ToLower(unit)
	switch {
	case len(u) == 3 && strings.HasSuffix(u, "ib"), len(u) == 2 && strings.HasSuffix(u, "b"):
		u = u[:1] // "kib", "kb" → "k"
	case u == "b":
		u = ""
	}
	shift := 0
	switch u {
	case "":
	case "k":
		shift = 10
	case "m":
		shift = 20
	case "g":
		shift = 30
	case "t":
		shift = 40
	case "p":
		shift = 50
	default:
		return bad()
	}
	if !strings.Contains(num, ".") {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil || (shift > 0 && n > math.MaxInt64>>shift) {
			return 0, fmt.Errorf("invalid size %q: too large", s)
		}
		return n << shift, nil
	}
	if shift == 0 {
		return 0, fmt.Errorf("invalid size %q: a number of bytes has no fraction", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return bad()
	}
	v := f * float64(int64(1)<<shift)
	if v >= math.MaxInt64 {
		return 0, fmt.Errorf("invalid size %q: too large", s)
	}
	return int64(math.Round(v)), nil
}

// parseTime reads a time: RFC 3339 ("2024-05-01T12:00:00Z") or a day
// ("2024-05-01", midnight in the local time zone: the day a person means).
func parseTime(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	tm, err := time.Parse(time.RFC3339Nano, t)
	if err != nil {
		tm, err = time.ParseInLocation(time.DateOnly, t, time.Local)
	}
	if err == nil {
		tm = tm.UTC()
		// Offsets can push 9999-12-31 into year 10000, which RFC 3339 (and
		// so the JSON sent to the engine) cannot write.
		if tm.Year() < 0 || tm.Year() > 9999 {
			return time.Time{}, fmt.Errorf("invalid time %q: out of range", s)
		}
		return tm, nil
	}
	return time.Time{}, fmt.Errorf("invalid time %q: use YYYY-MM-DD or RFC 3339 (2024-05-01T12:00:00Z)", s)
}
