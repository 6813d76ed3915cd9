package harness

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
)

// The charts are hand-written SVG: two chart shapes do not justify a
// dependency, and plain SVG renders on GitHub and in any browser.

var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"}

// engineColors keeps an engine's colour the same in every chart.
var engineColors = map[string]string{RefEngine: "#1f77b4", "seed-ddl": "#d62728"}

func colorFor(engine string, i int) string {
	if c, ok := engineColors[engine]; ok {
		return c
	}
	return palette[2+i%(len(palette)-2)]
}

const (
	chartW, chartH = 560, 320
	padL, padR     = 70, 150
	padT, padB     = 36, 44
)

// LineChart draws the median latency (and p99 for point scenarios, dashed)
// of one scenario name against library size, one line per engine, both axes
// logarithmic. It returns "" with fewer than one point.
func LineChart(title string, rs []Result) string {
	type pt struct{ x, y, y99 float64 }
	lines := map[string][]pt{}
	var engines []string
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, r := range rs {
		if r.Summary.N == 0 || r.Size <= 0 {
			continue
		}
		if _, ok := lines[r.Engine]; !ok {
			engines = append(engines, r.Engine)
		}
		p := pt{float64(r.Size), r.Summary.Median, math.NaN()}
		if r.Point {
			p.y99 = r.Summary.P99
			maxY = max(maxY, p.y99)
		}
		lines[r.Engine] = append(lines[r.Engine], p)
		minX, maxX = min(minX, p.x), max(maxX, p.x)
		minY, maxY = min(minY, p.y), max(maxY, p.y)
	}
	if len(engines) == 0 {
		return ""
	}
	x0, x1 := math.Floor(math.Log10(minX)), math.Ceil(math.Log10(maxX))
	if x1 == x0 {
		x1++
	}
	y0, y1 := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
	if y1 == y0 {
		y1++
	}
	pw, ph := float64(chartW-padL-padR), float64(chartH-padT-padB)
	sx := func(x float64) float64 { return padL + (math.Log10(x)-x0)/(x1-x0)*pw }
	sy := func(y float64) float64 { return padT + ph - (math.Log10(y)-y0)/(y1-y0)*ph }
	var b strings.Builder
	header(&b, title+" — latency vs library size")
	for d := x0; d <= x1; d++ {
		x := padL + (d-x0)/(x1-x0)*pw
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#ddd"/>`, x, padT, x, padT+ph)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, padT+ph+16, SizeLabel(int(math.Pow(10, d))))
	}
	for d := y0; d <= y1; d++ {
		y := padT + ph - (d-y0)/(y1-y0)*ph
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`, padL, y, padL+pw, y)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, padL-6, y+4, Dur(math.Pow(10, d)))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">entries</text>`, padL+pw/2, chartH-6)
	for i, e := range engines {
		c := colorFor(e, i)
		ps := lines[e]
		slices.SortFunc(ps, func(a, b pt) int { return int(a.x - b.x) })
		var pts, pts99 []string
		for _, p := range ps {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", sx(p.x), sy(p.y)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, sx(p.x), sy(p.y), c)
			if !math.IsNaN(p.y99) {
				pts99 = append(pts99, fmt.Sprintf("%.1f,%.1f", sx(p.x), sy(p.y99)))
			}
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`, c, strings.Join(pts, " "))
		if len(pts99) > 0 {
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3" points="%s"/>`, c, strings.Join(pts99, " "))
		}
		ly := padT + 14 + i*18
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d">%s</text>`,
			chartW-padR+10, ly-4, chartW-padR+30, ly-4, c, chartW-padR+36, ly, html.EscapeString(e))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" fill="#666">solid p50, dashed p99</text>`, chartW-padR+10, padT+14+len(engines)*18+6)
	b.WriteString("</svg>\n")
	return b.String()
}

// BarChart draws one metric per (engine, dataset) as grouped bars: one group
// per dataset, one bar per engine.
func BarChart(title string, rs []Result, metric string) string {
	var fixtures, engines []string
	val := map[[2]string]float64{}
	maxV := 0.0
	for _, r := range rs {
		v, ok := r.Metric(metric)
		if !ok {
			continue
		}
		if !slices.Contains(fixtures, r.Fixture) {
			fixtures = append(fixtures, r.Fixture)
		}
		if !slices.Contains(engines, r.Engine) {
			engines = append(engines, r.Engine)
		}
		val[[2]string{r.Fixture, r.Engine}] = v
		maxV = max(maxV, v)
	}
	if len(fixtures) == 0 || maxV == 0 {
		return ""
	}
	// A round upper bound keeps the axis readable.
	step := math.Pow(10, math.Floor(math.Log10(maxV)))
	top := math.Ceil(maxV/step) * step
	pw, ph := float64(chartW-padL-padR), float64(chartH-padT-padB)
	gw := pw / float64(len(fixtures))
	bw := gw * 0.8 / float64(len(engines))
	var b strings.Builder
	header(&b, title)
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := padT + ph - v/top*ph
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%s</text>`,
			padL, y, padL+pw, y, padL-6, y+4, num(v))
	}
	for fi, f := range fixtures {
		gx := padL + float64(fi)*gw + gw*0.1
		for ei, e := range engines {
			v, ok := val[[2]string{f, e}]
			if !ok {
				continue
			}
			h := v / top * ph
			x := gx + float64(ei)*bw
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x, padT+ph-h, bw-2, h, colorFor(e, ei))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%s</text>`, x+bw/2, padT+ph-h-3, num(v))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, padL+float64(fi)*gw+gw/2, padT+ph+16, html.EscapeString(f))
	}
	for i, e := range engines {
		ly := padT + 14 + i*18
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`,
			chartW-padR+10, ly-10, colorFor(e, i), chartW-padR+30, ly, html.EscapeString(e))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func header(b *strings.Builder, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`, chartW, chartH, chartW, chartH)
	fmt.Fprintf(b, `<rect width="100%%" height="100%%" fill="white"/><text x="%d" y="20" font-size="14" font-weight="bold">%s</text>`, padL, html.EscapeString(title))
}
