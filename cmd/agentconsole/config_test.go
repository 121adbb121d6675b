package main

import (
	"runtime"
	"testing"
)

// TestRequestsInFlight: MAX_REQUESTS_IN_FLIGHT defaults to the pool's size, at most 4
// per CPU; 0 turns the gate off; a bad value stops the server.
func TestRequestsInFlight(t *testing.T) {
	perCPU := 4 * runtime.GOMAXPROCS(0)
	for _, tc := range []struct {
		pool, inFlight string
		want           int
	}{
		{"", "", min(20, perCPU)},
		{"4", "", 4},
		{"10000", "", perCPU},
		{"32", "0", 0},
		{"32", "7", 7},
	} {
		t.Setenv("DB_MAX_CONNS", tc.pool)
		t.Setenv("MAX_REQUESTS_IN_FLIGHT", tc.inFlight)
		c, err := loadConfig()
		if err != nil {
			t.Fatal(err)
		}
		if c.Web.MaxInFlight != tc.want {
			t.Errorf("DB_MAX_CONNS=%q MAX_REQUESTS_IN_FLIGHT=%q: %d in flight, want %d", tc.pool, tc.inFlight, c.Web.MaxInFlight, tc.want)
		}
	}
	t.Setenv("MAX_REQUESTS_IN_FLIGHT", "many")
	if _, err := loadConfig(); err == nil {
		t.Error("MAX_REQUESTS_IN_FLIGHT=many was accepted")
	}
}
