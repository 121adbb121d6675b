package db

import "testing"

func TestRowPrintMatchesOnlyItsRow(t *testing.T) {
	rows := [][][]byte{
		{},
		{nil},
		{{}},
		{[]byte("a"), nil, []byte("bc")},
		{[]byte("a"), []byte{}, []byte("bc")},
		{[]byte("ab"), nil, []byte("c")},
		{[]byte("a"), nil, []byte("bc"), nil},
		{make([]byte, 300)},
	}
	for i, a := range rows {
		p := printRow(a)
		for j, b := range rows {
			if got := p.matches(b); got != (i == j) {
				t.Errorf("print of row %d matches row %d: %v", i, j, got)
			}
		}
	}
	if RowPrint(nil).matches(nil) {
		t.Error("no print matches a row")
	}
}
