package web

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"agentconsole/db/cards"
	"agentconsole/db/cardsvc"
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

// blockingFetcher is a card fetcher whose fetches wait until the test releases their
// host, counting how many run at once in all and per host.
type blockingFetcher struct {
	mu             sync.Mutex
	running, most  int
	host, hostMost map[string]int
	release        map[string]chan struct{}
}

func newBlockingFetcher(hosts ...string) *blockingFetcher {
	f := &blockingFetcher{host: map[string]int{}, hostMost: map[string]int{}, release: map[string]chan struct{}{}}
	for _, h := range hosts {
		f.release[h] = make(chan struct{})
	}
	return f
}

func (f *blockingFetcher) FetchCard(_ context.Context, rawURL, _ string) (*cards.Fetched, error) {
	h := fetchHost(rawURL)
	f.mu.Lock()
	f.running++
	f.host[h]++
	f.most, f.hostMost[h] = max(f.most, f.running), max(f.hostMost[h], f.host[h])
	f.mu.Unlock()
	<-f.release[h]
	f.mu.Lock()
	f.running--
	f.host[h]--
	f.mu.Unlock()
	return &cards.Fetched{URL: rawURL}, nil
}

func (f *blockingFetcher) now() int { f.mu.Lock(); defer f.mu.Unlock(); return f.running }

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestAdmissionSlotIsGivenBackWhileFetching: with one slot, a request waiting on a
// remote host does not hold it (another request runs meanwhile), takes it again before
// its handler goes on, and leaves the gate empty when done.
func TestAdmissionSlotIsGivenBackWhileFetching(t *testing.T) {
	gate := newAdmission(1)
	f := newBlockingFetcher("slow.example")
	fetcher := gatedFetcher{next: f, admit: gate, out: newOutbound(4, 4, time.Minute)}
	app := fiber.New()
	var afterFetchHeld atomic.Bool
	app.Get("/refresh", gate.handler, func(c *fiber.Ctx) error {
		if _, err := fetcher.FetchCard(c.UserContext(), "http://slow.example/card.json", ""); err != nil {
			return err
		}
		afterFetchHeld.Store(len(gate.slots) == 1) // back in its slot before it goes on
		return c.SendString("refreshed")
	})
	app.Get("/list", gate.handler, func(c *fiber.Ctx) error { return c.SendString("list") })
	done := make(chan int, 1)
	go func() {
		resp, err := app.Test(httptest.NewRequest("GET", "/refresh", nil), -1)
		if err != nil {
			t.Error(err)
			done <- 0
			return
		}
		done <- resp.StatusCode
	}()
	waitUntil(t, "the refresh to wait on its host", func() bool { return f.now() == 1 })
	if n := len(gate.slots); n != 0 {
		t.Fatalf("%d slots held while the only request waits on a remote host", n)
	}
	if resp, err := app.Test(httptest.NewRequest("GET", "/list", nil), -1); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the list did not answer while the refresh waited: %v %v", err, resp)
	}
	close(f.release["slow.example"])
	if code := <-done; code != 200 {
		t.Fatalf("refresh: %d", code)
	}
	if !afterFetchHeld.Load() {
		t.Error("the handler went on after the fetch without its slot")
	}
	if n, w := len(gate.slots), gate.waiting.Load(); n != 0 || w != 0 {
		t.Errorf("gate after: %d held, %d waiting", n, w)
	}
	// Outside a request (the scheduler) nothing is given back: the gate's count stays.
	gate.slots <- struct{}{}
	if _, err := fetcher.FetchCard(context.Background(), "http://slow.example/card.json", ""); err != nil || len(gate.slots) != 1 {
		t.Errorf("a fetch outside a request changed the gate: %v, %d held", err, len(gate.slots))
	}
}

// TestAdmissionOfFetchesIsBoundedOverallAndPerHost: with 3 fetches at once and 2 per
// host, six fetches to three hosts run at most 3 at once and at most 2 to a host; the
// rest wait, and all complete once released.
func TestAdmissionOfFetchesIsBoundedOverallAndPerHost(t *testing.T) {
	out := newOutbound(3, 2, time.Minute)
	f := newBlockingFetcher("a.example", "b.example", "c.example")
	fetcher := gatedFetcher{next: f, out: out}
	var wg sync.WaitGroup
	for _, h := range []string{"a.example", "a.example", "a.example", "a.example", "b.example", "c.example"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := fetcher.FetchCard(context.Background(), "https://"+h+"/card.json", ""); err != nil || got.URL == "" {
				t.Errorf("%s: %v", h, err)
			}
		}()
	}
	// Which three run first is the scheduler's choice; each bound is shown by a state
	// that only it explains, whatever that choice was.
	waitUntil(t, "3 fetches running and 3 waiting", func() bool { return f.now() == 3 && out.waiting.Load() == 3 })
	close(f.release["b.example"])
	close(f.release["c.example"])
	// Only a's four are left, with an overall slot free: two run, two wait for a's turn.
	waitUntil(t, "2 fetches to a.example running and 2 waiting", func() bool { return f.now() == 2 && out.waiting.Load() == 2 })
	close(f.release["a.example"])
	wg.Wait()
	if f.most != 3 || f.hostMost["a.example"] != 2 {
		t.Errorf("at most %d fetches at once (want 3), %d to one host (want 2)", f.most, f.hostMost["a.example"])
	}
	if n, w := len(out.slots), out.waiting.Load(); n != 0 || w != 0 || len(out.hosts) != 0 {
		t.Errorf("after: %d running, %d waiting, %d hosts tracked", n, w, len(out.hosts))
	}
}

// TestAdmissionRefusesAFetchThatWaitedTooLong: a fetch queued longer than the wait is
// refused with cardsvc.ErrBusy (the one ahead never finishes before the test says so)
// and counted.
func TestAdmissionRefusesAFetchThatWaitedTooLong(t *testing.T) {
	out := newOutbound(1, 1, 20*time.Millisecond)
	f := newBlockingFetcher("slow.example")
	fetcher := gatedFetcher{next: f, out: out}
	first := make(chan error, 1)
	go func() {
		_, err := fetcher.FetchCard(context.Background(), "http://slow.example/a", "")
		first <- err
	}()
	waitUntil(t, "the first fetch to run", func() bool { return f.now() == 1 })
	if _, err := fetcher.FetchCard(context.Background(), "http://slow.example/b", ""); !errors.Is(err, cardsvc.ErrBusy) {
		t.Fatalf("second fetch: %v, want ErrBusy", err)
	}
	close(f.release["slow.example"])
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if out.refused.Load() != 1 || len(out.slots) != 0 || len(out.hosts) != 0 {
		t.Errorf("refused %d, %d running, %d hosts tracked", out.refused.Load(), len(out.slots), len(out.hosts))
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
