package textmerge

import "testing"

func TestMerge(t *testing.T) {
	base := "one\ntwo\nthree\nfour\nfive\n"
	tests := []struct {
		name                string
		theirs, yours       string
		want                string // merged text, theirs chosen for conflicts
		wantYours           string // merged text, yours chosen for conflicts ("" = same as want)
		conflicts           int
		conflictBase        string
		conflictTheirs, cYo string
	}{
		{name: "nobody changed", theirs: base, yours: base, want: base},
		{name: "only theirs", theirs: "one\nTWO\nthree\nfour\nfive\n", yours: base, want: "one\nTWO\nthree\nfour\nfive\n"},
		{name: "only yours", theirs: base, yours: "one\ntwo\nthree\nfour\nFIVE\n", want: "one\ntwo\nthree\nfour\nFIVE\n"},
		{name: "disjoint lines merge", theirs: "ONE\ntwo\nthree\nfour\nfive\n", yours: "one\ntwo\nthree\nfour\nFIVE\n",
			want: "ONE\ntwo\nthree\nfour\nFIVE\n"},
		{name: "insert and delete far apart", theirs: "zero\none\ntwo\nthree\nfour\nfive\n", yours: "one\ntwo\nthree\nfive\n",
			want: "zero\none\ntwo\nthree\nfive\n"},
		{name: "same change both sides", theirs: "one\nTWO\nthree\nfour\nfive\n", yours: "one\nTWO\nthree\nfour\nfive\n",
			want: "one\nTWO\nthree\nfour\nfive\n"},
		{name: "same line differently", theirs: "one\ntwo\nTHREE\nfour\nfive\n", yours: "one\ntwo\n3\nfour\nfive\n",
			want: "one\ntwo\nTHREE\nfour\nfive\n", wantYours: "one\ntwo\n3\nfour\nfive\n", conflicts: 1,
			conflictBase: "three\n", conflictTheirs: "THREE\n", cYo: "3\n"},
		{name: "neighbouring lines conflict", theirs: "one\nTWO\nthree\nfour\nfive\n", yours: "one\ntwo\nTHREE\nfour\nfive\n",
			want: "one\nTWO\nthree\nfour\nfive\n", wantYours: "one\ntwo\nTHREE\nfour\nfive\n", conflicts: 1,
			conflictBase: "two\nthree\n", conflictTheirs: "TWO\nthree\n", cYo: "two\nTHREE\n"},
		{name: "conflict and a clean change together", theirs: "ONE\ntwo\nthree\nfour\nfive\n", yours: "1\ntwo\nthree\nfour\nFIVE\n",
			want: "ONE\ntwo\nthree\nfour\nFIVE\n", wantYours: "1\ntwo\nthree\nfour\nFIVE\n", conflicts: 1,
			conflictBase: "one\n", conflictTheirs: "ONE\n", cYo: "1\n"},
		{name: "no trailing newline", theirs: "a\nb", yours: "A\nb", want: "A\nb"},
		{name: "from empty", theirs: "", yours: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := base
			if tc.name == "no trailing newline" {
				b = "a\nb"
			}
			if tc.name == "from empty" {
				b = ""
			}
			r := Merge(b, tc.theirs, tc.yours)
			if r.Conflicts() != tc.conflicts {
				t.Fatalf("conflicts = %d, want %d: %+v", r.Conflicts(), tc.conflicts, r.Chunks)
			}
			if got := r.Text(false); got != tc.want {
				t.Errorf("Text(theirs) = %q, want %q", got, tc.want)
			}
			wantYours := tc.wantYours
			if wantYours == "" {
				wantYours = tc.want
			}
			if got := r.Text(true); got != wantYours {
				t.Errorf("Text(yours) = %q, want %q", got, wantYours)
			}
			for _, c := range r.Chunks {
				if c.Conflict && (c.Base != tc.conflictBase || c.Theirs != tc.conflictTheirs || c.Yours != tc.cYo) {
					t.Errorf("conflict = %+v, want base %q theirs %q yours %q", c, tc.conflictBase, tc.conflictTheirs, tc.cYo)
				}
			}
		})
	}
}

// Many distinct lines reach the surrogate range of the line numbering.
func TestMergeManyLines(t *testing.T) {
	var base, theirs, yours []byte
	for i := 0; i < 60000; i++ {
		line := []byte("line " + string(rune('a'+i%26)) + itoa(i) + "\n")
		base = append(base, line...)
		switch i {
		case 10:
			theirs = append(theirs, "changed by them\n"...)
			yours = append(yours, line...)
		case 59990:
			theirs = append(theirs, line...)
			yours = append(yours, "changed by me\n"...)
		default:
			theirs, yours = append(theirs, line...), append(yours, line...)
		}
	}
	r := Merge(string(base), string(theirs), string(yours))
	if r.Conflicts() != 0 {
		t.Fatalf("conflicts = %d", r.Conflicts())
	}
	got := r.Text(false)
	if len(got) != len(base)-len("line k10\n")-len("line k59990\n")+len("changed by them\nchanged by me\n") {
		t.Fatalf("merged length %d", len(got))
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
