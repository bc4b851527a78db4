// SPDX-License-Identifier: MIT

package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"

	"github.com/brcmlink/brcmlink/bench/internal/results"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// The chart: one horizontal bar per ratio, its per-round range as a
// whisker, its target as a tick, and a line at 1 (as fast as the
// reference). Drawn with the standard library and a bitmap font, so it
// needs no plotting package.
const (
	chartW   = 860
	labelW   = 190 // ratio names, left of the axis
	valueW   = 110 // values and results, right of the bars
	rowH     = 24
	barH     = 14
	topH     = 50 // title and axis labels
	bottomH  = 30 // legend
	charW    = 7  // basicfont.Face7x13
	fontBase = 10 // baseline below a text's top
)

var (
	white = color.RGBA{255, 255, 255, 255}
	black = color.RGBA{0, 0, 0, 255}
	grid  = color.RGBA{225, 225, 225, 255}
	pass  = color.RGBA{76, 153, 76, 255}
	miss  = color.RGBA{204, 68, 68, 255}
	info  = color.RGBA{130, 130, 170, 255}
	tick  = color.RGBA{40, 40, 40, 255}
)

type canvas struct{ *image.RGBA }

func (c canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.RGBA, image.Rect(x0, y0, x1, y1), image.NewUniform(col), image.Point{}, draw.Src)
}

// text draws s with its top left corner at x, y.
func (c canvas) text(x, y int, s string, col color.Color) {
	d := font.Drawer{Dst: c.RGBA, Src: image.NewUniform(col), Face: basicfont.Face7x13,
		Dot: fixed.P(x, y+fontBase)}
	d.DrawString(s)
}

// scale maps ratios to x between the axis and the value column.
type scale struct {
	x0, x1 int
	max    float64
}

func (s scale) x(v float64) int {
	return s.x0 + int(math.Round(v/s.max*float64(s.x1-s.x0)))
}

func writeChart(path string, res *results.Results) error {
	n := len(res.Ratios)
	h := topH + n*rowH + bottomH
	c := canvas{image.NewRGBA(image.Rect(0, 0, chartW, h))}
	c.rect(0, 0, chartW, h, white)

	hi := 1.25
	for _, r := range res.Ratios {
		hi = math.Max(hi, math.Max(r.Max, r.Median))
	}
	sc := scale{x0: labelW, x1: chartW - valueW, max: math.Ceil(hi*4) / 4}
	c.text(8, 6, fmt.Sprintf("brcm / reference (%s run, kernel %s): packets/s higher is better, times lower is better",
		res.Mode, res.Kernel), black)
	for v := 0.0; v <= sc.max+1e-9; v += 0.25 {
		x := sc.x(v)
		col := grid
		if v == 1 {
			col = black
		}
		c.rect(x, topH-6, x+1, topH+n*rowH, col)
		label := fmt.Sprintf("%.2f", v)
		c.text(x-len(label)*charW/2, topH-22, label, black)
	}
	for i, r := range res.Ratios {
		y := topH + i*rowH
		mid := y + rowH/2
		c.text(labelW-8-len(r.Name)*charW, mid-7, r.Name, black)
		col := info
		switch r.Result {
		case "PASS":
			col = pass
		case "MISS":
			col = miss
		}
		c.rect(sc.x(0), mid-barH/2, sc.x(r.Median), mid+barH/2, col)
		if r.Max > r.Min { // the per-round range
			c.rect(sc.x(r.Min), mid, sc.x(r.Max)+1, mid+1, tick)
			c.rect(sc.x(r.Min), mid-4, sc.x(r.Min)+1, mid+5, tick)
			c.rect(sc.x(r.Max), mid-4, sc.x(r.Max)+1, mid+5, tick)
		}
		if r.Target > 0 {
			x := sc.x(r.Target)
			c.rect(x-1, mid-barH/2-3, x+2, mid+barH/2+3, tick)
		}
		c.text(sc.x1+8, mid-7, fmt.Sprintf("%.3f %s", r.Median, result(r)), black)
	}
	ly := topH + n*rowH + 10
	x := labelW
	for _, l := range []struct {
		col  color.Color
		name string
	}{{pass, "meets target"}, {miss, "misses target"}, {info, "no target"}, {tick, "| target, |-| per-round range"}} {
		c.rect(x, ly+2, x+10, ly+12, l.col)
		c.text(x+14, ly, l.name, black)
		x += 14 + len(l.name)*charW + 20
	}

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, c.RGBA); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
