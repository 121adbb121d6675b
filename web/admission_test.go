package web

import (
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// TestAdmissionIsBoundedAndFirstComeFirstServed: with a gate of 2, five requests run
// at most two at a time, and each freed slot goes to the request that queued first.
func TestAdmissionIsBoundedAndFirstComeFirstServed(t *testing.T) {
	gate := newAdmission(2)
	app := fiber.New()
	var running, most atomic.Int64
	var mu sync.Mutex
	var entered []int
	release := map[int]chan struct{}{}
	for i := 1; i <= 5; i++ {
		release[i] = make(chan struct{})
	}
	app.Get("/:n", gate.handler, func(c *fiber.Ctx) error {
		n, _ := strconv.Atoi(c.Params("n"))
		now := running.Add(1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		mu.Lock()
		entered = append(entered, n)
		mu.Unlock()
		<-release[n]
		running.Add(-1)
		return c.SendString("ok")
	})
	var wg sync.WaitGroup
	send := func(n int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := app.Test(httptest.NewRequest("GET", "/"+strconv.Itoa(n), nil), -1)
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("request %d: %v %v", n, err, resp)
			}
		}()
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	enteredN := func(n int) func() bool {
		return func() bool { mu.Lock(); defer mu.Unlock(); return len(entered) == n }
	}
	send(1)
	waitFor("1 to run", enteredN(1))
	send(2)
	waitFor("2 to run", enteredN(2))
	// 3, 4 and 5 queue in this order (each is parked before the next is sent).
	for n := 3; n <= 5; n++ {
		send(n)
		waitFor("request "+strconv.Itoa(n)+" to queue", func() bool { return gate.waiting.Load() == int64(n-2) })
	}
	for n := 1; n <= 3; n++ {
		close(release[n])
		waitFor("the next request to run", enteredN(n+2))
	}
	close(release[4])
	close(release[5])
	wg.Wait()
	if want := []int{1, 2, 3, 4, 5}; !equalInts(entered, want) {
		t.Errorf("requests ran in the order %v, want %v (first come, first served)", entered, want)
	}
	if most.Load() != 2 {
		t.Errorf("at most %d requests ran at once, want 2", most.Load())
	}
}

// TestNoAdmissionGate: 0 means no gate; requests pass straight through.
func TestNoAdmissionGate(t *testing.T) {
	app := fiber.New()
	app.Get("/", newAdmission(0).handler, func(c *fiber.Ctx) error { return c.SendString("ok") })
	resp, err := app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %v", err, resp)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
