// Package textmerge is a line-level three-way merge (diff3) of texts: the changes two
// people made to the same base text are combined where they touch different lines,
// and reported as conflicts where they touch the same or neighbouring lines.
//
// The line diffs are sergi/go-diff's (each line mapped to one rune, as its
// DiffLinesToRunes does); the merge of the two hunk lists is the classic diff3 rule.
// No maintained Go diff3 module was available to the project, so this is written on
// the diff the project already uses.
package textmerge

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Result is a merge: stable text interleaved with conflicts.
type Result struct {
	Chunks []Chunk
}

// Chunk is a stretch of the merged text: Conflict false means Text is settled
// (unchanged, or changed by one side, or changed identically by both); Conflict true
// means both sides changed these base lines differently.
type Chunk struct {
	Conflict            bool
	Text                string // settled text
	Base, Theirs, Yours string // a conflict's three versions of the region
}

// Conflicts counts the conflicting regions.
func (r Result) Conflicts() int {
	n := 0
	for _, c := range r.Chunks {
		if c.Conflict {
			n++
		}
	}
	return n
}

// Text is the merged text with every conflict resolved to one side: theirs when
// preferYours is false, yours when it is true.
func (r Result) Text(preferYours bool) string {
	var b strings.Builder
	for _, c := range r.Chunks {
		switch {
		case !c.Conflict:
			b.WriteString(c.Text)
		case preferYours:
			b.WriteString(c.Yours)
		default:
			b.WriteString(c.Theirs)
		}
	}
	return b.String()
}

// hunk replaces base lines [start, end) with lines.
type hunk struct {
	start, end int
	lines      []string
}

// Merge combines the changes base→theirs and base→yours line by line.
func Merge(base, theirs, yours string) Result {
	b := splitLines(base)
	th, yh := hunks(b, splitLines(theirs)), hunks(b, splitLines(yours))
	var res Result
	pos := 0 // base lines before pos are emitted
	settled := func(lines []string) {
		if len(lines) == 0 {
			return
		}
		text := strings.Join(lines, "")
		if n := len(res.Chunks); n > 0 && !res.Chunks[n-1].Conflict {
			res.Chunks[n-1].Text += text
			return
		}
		res.Chunks = append(res.Chunks, Chunk{Text: text})
	}
	for i, j := 0, 0; i < len(th) || j < len(yh); {
		// The next group starts with the earlier hunk and takes in every hunk of either
		// side that overlaps or touches the group's base range: those are one region.
		lo, hi := 0, 0
		gi, gj := i, j
		switch {
		case j >= len(yh) || i < len(th) && th[i].start <= yh[j].start:
			lo, hi = th[i].start, th[i].end
			gi++
		default:
			lo, hi = yh[j].start, yh[j].end
			gj++
		}
		for {
			if gi < len(th) && th[gi].start <= hi {
				hi = max(hi, th[gi].end)
				gi++
			} else if gj < len(yh) && yh[gj].start <= hi {
				hi = max(hi, yh[gj].end)
				gj++
			} else {
				break
			}
		}
		settled(b[pos:lo])
		tText, yText := apply(b, lo, hi, th[i:gi]), apply(b, lo, hi, yh[j:gj])
		switch {
		case gi == i: // only yours changed this region
			settled([]string{yText})
		case gj == j: // only theirs
			settled([]string{tText})
		case tText == yText: // both made the same change
			settled([]string{tText})
		default:
			res.Chunks = append(res.Chunks, Chunk{Conflict: true, Base: strings.Join(b[lo:hi], ""), Theirs: tText, Yours: yText})
		}
		pos, i, j = hi, gi, gj
	}
	settled(b[pos:])
	return res
}

// apply rewrites base lines [lo, hi) with the hunks (all inside that range, in order).
func apply(base []string, lo, hi int, hs []hunk) string {
	var b strings.Builder
	pos := lo
	for _, h := range hs {
		b.WriteString(strings.Join(base[pos:h.start], ""))
		b.WriteString(strings.Join(h.lines, ""))
		pos = h.end
	}
	b.WriteString(strings.Join(base[pos:hi], ""))
	return b.String()
}

// hunks is the line diff base→other as replacements of base ranges, in order.
func hunks(base, other []string) []hunk {
	ids := map[string]rune{}
	toRunes := func(lines []string) []rune {
		out := make([]rune, len(lines))
		for i, l := range lines {
			r, ok := ids[l]
			if !ok {
				r = lineRune(len(ids))
				ids[l] = r
			}
			out[i] = r
		}
		return out
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact, never a coarser answer because the machine was busy
	diffs := dmp.DiffMainRunes(toRunes(base), toRunes(other), false)
	var out []hunk
	bi, oi := 0, 0
	var cur *hunk
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	for _, d := range diffs {
		n := len([]rune(d.Text))
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			flush()
			bi, oi = bi+n, oi+n
		case diffmatchpatch.DiffDelete:
			if cur == nil {
				cur = &hunk{start: bi, end: bi}
			}
			bi += n
			cur.end = bi
		case diffmatchpatch.DiffInsert:
			if cur == nil {
				cur = &hunk{start: bi, end: bi}
			}
			cur.lines = append(cur.lines, other[oi:oi+n]...)
			oi += n
		}
	}
	flush()
	return out
}

// lineRune numbers a distinct line with a valid code point (surrogates skipped), so the
// rune strings go-diff builds survive conversion to and from string.
func lineRune(i int) rune {
	if i >= 0xD800 {
		i += 0x800
	}
	return rune(i)
}

// splitLines cuts text after each "\n", keeping it, so joining gives the text back.
func splitLines(text string) []string {
	if text == "" {
		return nil
	}
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
