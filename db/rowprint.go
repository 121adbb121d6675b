package db

import (
	"bytes"
	"encoding/binary"
)

// RowPrint is one row as PostgreSQL sent it: each value's bytes (in the store's
// statement mode, so in one format for the life of the Store) with its length, NULL
// apart. Two reads of a statement answered the same values exactly when their prints
// are equal, so a caller that keeps what it drew from a row can tell, without decoding
// the next answer, whether it would draw the same again (the agent editor's page cache).
type RowPrint []byte

// printRow is raw (pgx's RawValues: nil for NULL) as a RowPrint.
func printRow(raw [][]byte) RowPrint {
	n := 0
	for _, v := range raw {
		n += len(v) + binary.MaxVarintLen32
	}
	p := make(RowPrint, 0, n)
	for _, v := range raw {
		if v == nil {
			p = binary.AppendUvarint(p, 0)
			continue
		}
		p = binary.AppendUvarint(p, uint64(len(v))+1)
		p = append(p, v...)
	}
	return p
}

// matches reports whether raw is the row p was made of, comparing as it walks.
func (p RowPrint) matches(raw [][]byte) bool {
	if p == nil {
		return false
	}
	for _, v := range raw {
		n, k := binary.Uvarint(p)
		if k <= 0 {
			return false
		}
		p = p[k:]
		if n == 0 {
			if v != nil {
				return false
			}
			continue
		}
		if v == nil || uint64(len(v)) != n-1 || uint64(len(p)) < n-1 || !bytes.Equal(p[:n-1], v) {
			return false
		}
		p = p[n-1:]
	}
	return len(p) == 0
}
