package main

import (
	"strconv"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1500", 1500, true},
		{"10k", 10 << 10, true},
		{"10K", 10 << 10, true},
		{"10kb", 10 << 10, true},
		{"10KiB", 10 << 10, true},
		{"5M", 5 << 20, true},
		{"1G", 1 << 30, true},
		{"1.5G", 3 << 29, true},
		{"2T", 2 << 40, true},
		{" 7 M ", 7 << 20, true},
		{"12B", 12, true},
		{"8191P", 8191 << 50, true},
		{"8192P", 0, false}, // 2^63: beyond int64
		{"9223372036854775807", 1<<63 - 1, true},
		{"9223372036854775808", 0, false},
		{"12Q", 0, false},
		{"", 0, false},
		{"k", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false}, // a fraction of a byte
		{"1..5k", 0, false},
		{".5k", 0, false},
		{"5.k", 0, false},
		{"ib", 0, false},
		{"5 iB", 0, false},
		{"1e3", 0, false},
	} {
		got, err := parseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseTime(t *testing.T) {
	day, _ := time.ParseInLocation(time.DateOnly, "2024-05-01", time.Local)
	for _, c := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2024-05-01", day.UTC(), true},
		{"2024-05-01T12:00:00Z", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), true},
		{"2024-05-01T12:00:00+02:00", time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), true},
		{"2024-05-01T12:00:00.5Z", time.Date(2024, 5, 1, 12, 0, 0, 5e8, time.UTC), true},
		{"2024-13-01", time.Time{}, false},
		{"2024-02-30", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"2024/05/01", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, err := parseTime(c.in)
		if (err == nil) != c.ok || !got.Equal(c.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v, ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestHumanSize(t *testing.T) {
	for _, c := range []struct {
		in   int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{1<<20 - 1, "1.0 MiB"}, {3 << 30, "3.0 GiB"}, {1503238553, "1.4 GiB"},
	} {
		if got := humanSize(c.in); got != c.want {
			t.Errorf("humanSize(%d) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzParseSize: never panics, never returns a negative size, and any
// decimal int64 it is given comes back unchanged.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"10k", "5M", "1G", "1.5G", "12Q", "9223372036854775807", "8191P", " 7 kib "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseSize(s)
		if err != nil {
			return
		}
		if n < 0 {
			t.Fatalf("parseSize(%q) = %d < 0", s, n)
		}
		if m, err := strconv.ParseInt(s, 10, 64); err == nil && m >= 0 && m != n {
			t.Fatalf("parseSize(%q) = %d, want %d", s, n, m)
		}
	})
}

// FuzzParseTime: never panics; what it accepts is UTC and, formatted as RFC
// 3339, parses back to the same instant.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-05-01", "2024-05-01T12:00:00Z", "2024-05-01T12:00:00+02:00", "2024-13-01", "0000-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := parseTime(s)
		if err != nil {
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("parseTime(%q) not UTC: %v", s, tm)
		}
		back, err := parseTime(tm.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(tm) {
			t.Fatalf("parseTime(%q) = %v; round trip gave %v, %v", s, tm, back, err)
		}
	})
}

func TestStripOps(t *testing.T) {
	for in, want := range map[string]string{
		"tag.apply: tag.get: not found: no tag named \"x\"":             "not found: no tag named \"x\"",
		"under: entry.find: not found: /usr is not inside any location": "under: not found: /usr is not inside any location",
		"notes.txt: permission denied":                                  "notes.txt: permission denied",
		"open: invalid argument: x":                                     "open: invalid argument: x",
	} {
		if got := stripOps(in); got != want {
			t.Errorf("stripOps(%q) = %q, want %q", in, got, want)
		}
	}
}
