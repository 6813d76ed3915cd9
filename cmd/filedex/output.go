package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// humanSize formats bytes with binary units: 512 B, 1.4 KiB, 3.0 GiB.
func humanSize(n int64) string {
	if n < 1024 && n > -1024 {
		return fmt.Sprintf("%d B", n)
	}
	const units = "KMGTPE"
	f := float64(n)
	i := -1
	for (f >= 1024 || f <= -1024) && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f >= 999.95 && i < len(units)-1 { // 1023.97 KiB would print "1024.0 KiB"
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %ciB", f, units[i])
}

// groupDigits formats n with thousands separators: 12,345.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// humanDuration formats a duration for a summary: 850ms, 2.3s, 1m05s, 2h03m.
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// rate formats a per-second rate: 950/s, 12.3k/s, 1.2M/s.
func rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	r := float64(n) / d.Seconds()
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM/s", r/1e6)
	case r >= 1e4:
		return fmt.Sprintf("%.0fk/s", r/1e3)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk/s", r/1e3)
	}
	return fmt.Sprintf("%.0f/s", r)
}

// displayPath is how a path prints in summaries and tables: absolute, as the index stores it.
// Paths relative to the working directory read differently from another directory, in a log
// or a paste, and each command then printed some paths one way and others the other.
func (a *app) displayPath(p string) string { return p }

// ANSI colours, used only when stdout is a terminal and NO_COLOR is unset.
const (
	colBold  = "1"
	colDim   = "2"
	colRed   = "31"
	colGreen = "32"
	colYell  = "33"
	colBlue  = "34"
	colCyan  = "36"
)

// paint wraps s in an ANSI colour when colours are on.
func (a *app) paint(code, s string) string {
	if !a.color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// cell is one table cell: its text and optional colour.
type cell struct {
	text  string
	color string
	right bool // right-aligned (numbers, sizes)
}

// table prints aligned columns. Widths are measured on the plain text, so
// colours never shift the alignment; the last column is not padded (long
// paths overflow rather than wrap every row).
type table struct {
	header []cell
	rows   [][]cell
}

func (t *table) add(cells ...cell) { t.rows = append(t.rows, cells) }

func (a *app) printTable(t *table) {
	var widths []int
	all := t.rows
	if t.header != nil {
		all = append([][]cell{t.header}, t.rows...)
	}
	for _, r := range all {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c.text))
		}
	}
	var b strings.Builder
	for ri, r := range all {
		b.Reset()
		for i, c := range r {
			pad := widths[i] - utf8.RuneCountInString(c.text)
			color := c.color
			if ri == 0 && t.header != nil {
				color = colBold
			}
			if i > 0 {
				b.WriteString("  ")
			}
			if c.right {
				b.WriteString(strings.Repeat(" ", pad))
			}
			b.WriteString(a.paint(color, c.text))
			if !c.right && i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", pad))
			}
		}
		fmt.Fprintln(a.stdout, b.String())
	}
}

// plural returns "1 file" or "2 files".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return groupDigits(n) + " " + many
}
