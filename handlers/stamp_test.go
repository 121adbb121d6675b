package handlers

import (
	"testing"
	"time"
)

func TestStampTimeMatchesFormat(t *testing.T) {
	for _, tm := range []time.Time{time.Time{}, time.Date(2026, 11, 1, 17, 8, 34, 999, time.UTC), time.Date(999, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)), time.Date(12345, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Now()} {
		if got, want := stampTime(tm), tm.UTC().Format("2006-01-02 15:04:05 UTC"); got != want {
			t.Errorf("stampTime(%v) = %q, want %q", tm, got, want)
		}
	}
}
