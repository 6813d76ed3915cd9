package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/filedex/filedex/core"
)

// Progress is drawn by hand on one stderr line: "\r", the line, then "erase
// to end of line", so a shorter line never leaves the tail of a longer one.
// Nothing is drawn unless stderr is a terminal and neither --quiet nor --json
// is given (app.showProgress); piped output stays clean.

// scanBar draws a scan's progress between budget slices.
type scanBar struct {
	w     io.Writer
	on    bool
	width int
	label string
	drawn bool
	frame int
}

func (a *app) newScanBar(label string) *scanBar {
	return &scanBar{w: a.stderr, on: a.showProgress(), width: termWidth(a.stderr), label: label}
}

var spinner = []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

// update redraws the bar from p.
func (b *scanBar) update(p core.ScanProgress) {
	if !b.on {
		return
	}
	b.frame++
	elapsed := time.Duration(p.ElapsedMS) * time.Millisecond
	var parts []string
	phase := p.Phase
	if phase == "" {
		phase = "discovery"
	}
	// Total is the location's file count after its previous scan: a good
	// estimate for a rescan, unknown (0) on a first scan.
	if p.Total > 0 && phase == "discovery" {
		frac := min(float64(p.Files)/float64(p.Total), 0.99)
		// 10 cells on an 80-column terminal, wider on wider ones.
		parts = append(parts, bar(frac, max(10, min(30, b.width-70))), fmt.Sprintf("%3.0f%%", frac*100),
			fmt.Sprintf("%s/%s files", groupDigits(p.Files), groupDigits(p.Total)))
	} else {
		parts = append(parts, string(spinner[b.frame%len(spinner)])+" "+phase,
			plural(p.Files, "file", "files"), plural(p.Dirs, "dir", "dirs"))
	}
	// Optional items, most important first; each is shown only if the line
	// still fits the terminal with it, so an 80-column line never wraps.
	var opt []string
	if p.Total > 0 && phase == "discovery" && p.Files > 0 && p.Files < p.Total && elapsed > 0 {
		perFile := elapsed / time.Duration(p.Files)
		opt = append(opt, "ETA "+humanDuration(perFile*time.Duration(p.Total-p.Files)))
	} else {
		opt = append(opt, humanDuration(elapsed))
	}
	opt = append(opt, humanSize(p.Bytes))
	if elapsed > 0 {
		opt = append(opt, rate(p.Entries(), elapsed))
	}
	if p.Hashed > 0 && p.Hashed != p.Files { // content ids lagging behind discovery
		opt = append(opt, fmt.Sprintf("%s hashed", groupDigits(p.Hashed)))
	}
	verb, path, _ := strings.Cut(b.label, " ")
	minLabel := min(utf8.RuneCountInString(b.label), len(verb)+1+12)
	used := utf8.RuneCountInString(strings.Join(parts, "  ")) + minLabel + 2
	for _, o := range opt {
		if used+2+utf8.RuneCountInString(o) > b.width-1 {
			break
		}
		parts = append(parts, o)
		used += 2 + utf8.RuneCountInString(o)
	}
	rest := strings.Join(parts, "  ")
	// The label (command and path) gets what the numbers leave: a long
	// path is shortened from the left, the numbers never are.
	room := b.width - 1 - utf8.RuneCountInString(rest) - 2 - len(verb) - 1
	b.draw(verb + " " + shortenLeft(path, max(room, 12)) + "  " + rest)
}

// shortenLeft keeps the end of s (the most specific part of a path) within n
// runes, marking the cut with "…".
func shortenLeft(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

func (b *scanBar) draw(line string) {
	if utf8.RuneCountInString(line) > b.width-1 {
		r := []rune(line)
		line = string(r[:b.width-2]) + "…"
	}
	fmt.Fprintf(b.w, "\r%s\x1b[K", line)
	b.drawn = true
}

// clear removes the bar so the summary starts on a clean line.
func (b *scanBar) clear() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\x1b[K")
		b.drawn = false
	}
}

// bar renders frac (0..1) as a bar of n cells with eighth-block precision.
func bar(frac float64, n int) string {
	eighths := int(frac * float64(n*8))
	full, part := eighths/8, eighths%8
	var s strings.Builder
	s.WriteRune('▕')
	s.WriteString(strings.Repeat("█", full))
	if full < n {
		if part > 0 {
			s.WriteRune([]rune("▏▎▍▌▋▊▉")[part-1])
			full++
		}
		s.WriteString(strings.Repeat(" ", n-full))
	}
	s.WriteRune('▏')
	return s.String()
}

// spin shows a spinner with the elapsed time while one long call runs (a
// backup, a check, a verification): the method table answers each call as a
// whole, so there is no count to show, but a person sees it is working.
// It returns the function that stops and clears it.
func (a *app) spin(label string) (stop func()) {
	if !a.showProgress() {
		return func() {}
	}
	b := &scanBar{w: a.stderr, on: true, width: termWidth(a.stderr), label: label}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			select {
			case <-done:
				b.clear()
				return
			case <-t.C:
				// Wait a moment first: fast calls should not flash a line.
				if time.Since(start) > 300*time.Millisecond {
					b.draw(fmt.Sprintf("%s  %c  %s", label, spinner[i%len(spinner)], humanDuration(time.Since(start))))
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
