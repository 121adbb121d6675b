package web

import (
	"context"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"agentconsole/db/cards"
	"agentconsole/db/cardsvc"
)

// admission lets at most n requests run their handlers at once and queues the rest in
// arrival order. Sized to at most the connection pool, no running request waits for a
// pooled connection (each holds one at a time), so database/sql's random hand-off of a
// released connection to one of its waiters never decides who is served next; and what
// requests keep alive while they run (rows, encoded bodies) is bounded by n, not by the
// number of client connections, which keeps the heap the collector marks small.
//
// A slot is for work on this server and its database, not for waiting on someone
// else's: a request that fetches from a remote host (a card refresh or preview) gives
// its slot back for the fetch and queues for one again after it (gatedFetcher), so
// slow card hosts cannot stall the console for everyone.
type admission struct {
	slots   chan struct{}
	waiting atomic.Int64 // requests queued at the gate now
	// held is the user context of a request that holds a slot (see holds): one value
	// for every request, so marking a request costs no allocation.
	held context.Context
}

// DefaultMaxInFlight is how many requests run at once unless MAX_REQUESTS_IN_FLIGHT
// says: no more than the pool has connections (poolSize ≤ 0: the store's default, 20),
// so a running request never waits for one, and no more than 4 per CPU, since beyond
// that requests only share the CPU more finely while each keeps its rows and response
// alive. On 2 CPUs with 32 client connections, the console list's p99 was 1.0–1.1×
// pgbench's in the same run with a gate of 8, 16 or 20 (six runs) against 1.2–1.7×
// without one (five of six runs), and the heap the collector marks fell from ~12 MB to
// ~9 (16) or ~8 (8); 16 pages of long prompts and tool schemas at once (make bench's
// scale-out phase) held the runtime 10 MiB over its limit, 8 held it 5 over.
func DefaultMaxInFlight(poolSize int) int {
	if poolSize <= 0 {
		poolSize = 20
	}
	return max(1, min(poolSize, 4*runtime.GOMAXPROCS(0)))
}

// heldSlot keys the mark of a request holding an admission slot in its user context.
type heldSlot struct{}

// newAdmission is a gate for n requests at once; n ≤ 0 is none (nil).
func newAdmission(n int) *admission {
	if n <= 0 {
		return nil
	}
	a := &admission{slots: make(chan struct{}, n)}
	a.held = context.WithValue(context.Background(), heldSlot{}, a)
	return a
}

// handler is the middleware. A send to a full buffered channel parks the goroutine in
// the channel's FIFO queue of senders, and a freed slot goes straight to the first of
// them (the buffer stays full, so a later arrival cannot take it): first come, first
// served.
func (a *admission) handler(c *fiber.Ctx) error {
	if a == nil {
		return c.Next()
	}
	select {
	case a.slots <- struct{}{}:
	default:
		if !a.queue(c.Context().Done()) { // the server is shutting down
			return fiber.ErrServiceUnavailable
		}
	}
	defer a.release()
	// The mark tells gatedFetcher this request has a slot to give back while it waits.
	if ctx := c.UserContext(); ctx == context.Background() {
		c.SetUserContext(a.held)
	} else {
		c.SetUserContext(context.WithValue(ctx, heldSlot{}, a))
	}
	return c.Next()
}

// queue waits for a slot in the queue, first come first served; false when done
// closes first.
func (a *admission) queue(done <-chan struct{}) bool {
	a.waiting.Add(1)
	defer a.waiting.Add(-1)
	select {
	case a.slots <- struct{}{}:
		return true
	case <-done:
		return false
	}
}

// reacquire takes a slot again, however long it has to queue (nothing ends it early:
// the gate's middleware gives the slot back when the handler returns).
func (a *admission) reacquire() {
	select {
	case a.slots <- struct{}{}:
	default:
		a.queue(nil)
	}
}

func (a *admission) release() { <-a.slots }

// holds reports whether ctx is the user context of a request holding a slot of a.
func (a *admission) holds(ctx context.Context) bool {
	return a != nil && ctx.Value(heldSlot{}) == a
}

// DefaultMaxFetches and DefaultMaxFetchesPerHost bound the card fetches requests have
// in flight (each waits on a remote host for up to the fetch time-out, holding a
// goroutine, a connection and up to the body cap, but no slot and no database
// connection). Per host, so that one slow host takes at most half of them and
// refreshes from other hosts keep going.
const (
	DefaultMaxFetches        = 8
	DefaultMaxFetchesPerHost = 4
)

// outbound bounds the fetches requests make: at most max at once, at most perHost to
// one host (scheme-less host:port of the URL asked for; redirects count where they
// started). A fetch waits for its turn up to wait, then fails with cardsvc.ErrBusy,
// which is not the host's failure and is not recorded as one.
type outbound struct {
	slots   chan struct{}
	perHost int
	wait    time.Duration
	waiting atomic.Int64 // fetches queued for a host's or the overall turn
	refused atomic.Int64 // fetches that gave up waiting (ErrBusy)
	mu      sync.Mutex
	hosts   map[string]*hostSlots // hosts with a fetch running or queued
}

type hostSlots struct {
	slots chan struct{}
	users int // fetches running or queued for this host
}

func newOutbound(n, perHost int, wait time.Duration) *outbound {
	if n <= 0 {
		n = DefaultMaxFetches
	}
	if perHost <= 0 || perHost > n {
		perHost = n
	}
	return &outbound{slots: make(chan struct{}, n), perHost: perHost, wait: wait, hosts: map[string]*hostSlots{}}
}

// do runs fetch in its turn: the host's turn first (a fetch queued behind a slow host
// holds nothing of the overall cap), then the overall one.
func (o *outbound) do(ctx context.Context, host string, fetch func() (*cards.Fetched, error)) (*cards.Fetched, error) {
	o.mu.Lock()
	h := o.hosts[host]
	if h == nil {
		h = &hostSlots{slots: make(chan struct{}, o.perHost)}
		o.hosts[host] = h
	}
	h.users++
	o.mu.Unlock()
	defer func() {
		o.mu.Lock()
		if h.users--; h.users == 0 {
			delete(o.hosts, host)
		}
		o.mu.Unlock()
	}()
	var timer *time.Timer // one wait in all, started the first time the fetch queues
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	if err := o.take(ctx, h.slots, &timer); err != nil {
		return nil, err
	}
	defer func() { <-h.slots }()
	if err := o.take(ctx, o.slots, &timer); err != nil {
		return nil, err
	}
	defer func() { <-o.slots }()
	return fetch()
}

// take sends to slots, queueing until the fetch's one wait (started here the first time
// it queues) runs out.
func (o *outbound) take(ctx context.Context, slots chan struct{}, timer **time.Timer) error {
	select {
	case slots <- struct{}{}:
		return nil
	default:
	}
	if *timer == nil {
		*timer = time.NewTimer(o.wait)
	}
	o.waiting.Add(1)
	defer o.waiting.Add(-1)
	select {
	case slots <- struct{}{}:
		return nil
	case <-(*timer).C:
		o.refused.Add(1)
		return cardsvc.ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

// gatedFetcher is the card fetcher of requests. While it waits on a remote host the
// request holds no admission slot: it gives its slot back, waits its turn at outbound
// (which bounds the fetches), fetches, and queues for a slot again before its handler
// goes on to the database. A request's fetches run one after another (cardsvc.FetchFirst),
// never concurrently, so it never gives back more than the one slot it holds. The
// scheduler's fetches do not come here: they run outside the gate, bounded by its own
// concurrency (CardConcurrency).
type gatedFetcher struct {
	next  cardsvc.Fetcher
	admit *admission
	out   *outbound
}

func (g gatedFetcher) FetchCard(ctx context.Context, rawURL, etag string) (*cards.Fetched, error) {
	if g.admit.holds(ctx) {
		g.admit.release()
		defer g.admit.reacquire() // before the handler goes on
	}
	return g.out.do(ctx, fetchHost(rawURL), func() (*cards.Fetched, error) { return g.next.FetchCard(ctx, rawURL, etag) })
}

// fetchHost is what the per-host bound counts by: the URL's host and port.
func fetchHost(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return strings.ToLower(u.Host)
	}
	return rawURL
}

// gateMetrics are the gauges of both gates, read when scraped (nothing per request): a
// request waiting on a remote host counts as a card fetch (running or waiting), not
// as a request in flight.
func gateMetrics(a *admission, o *outbound) []prometheus.Collector {
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	cs := []prometheus.Collector{
		gauge("agentconsole_card_fetches_in_flight", "Card fetches of requests waiting on a remote host now (the scheduler's not counted).",
			func() float64 { return float64(len(o.slots)) }),
		gauge("agentconsole_card_fetches_waiting", "Card fetches of requests queued for their turn (per host or overall) now.",
			func() float64 { return float64(o.waiting.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "agentconsole_card_fetches_refused_total",
			Help: "Card fetches of requests that waited for their turn too long and were refused (503)."},
			func() float64 { return float64(o.refused.Load()) }),
	}
	if a != nil {
		cs = append(cs,
			gauge("agentconsole_requests_in_flight", "Requests holding an admission slot (running their handlers) now.",
				func() float64 { return float64(len(a.slots)) }),
			gauge("agentconsole_requests_waiting", "Requests queued at the admission gate now.",
				func() float64 { return float64(a.waiting.Load()) }),
			gauge("agentconsole_requests_max_in_flight", "Admission slots (MAX_REQUESTS_IN_FLIGHT).",
				func() float64 { return float64(cap(a.slots)) }))
	}
	return cs
}
